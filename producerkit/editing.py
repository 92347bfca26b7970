"""Editing tools for the recording and editing stages: comping, crossfades, fades, trimming, de-humming.

A comp (composite take) keeps the best take of every phrase. :func:`comp_takes` chooses it the way
lesson 04 teaches, by the performance: wrong notes (a take that disagrees with the notes the other takes
agree on), timing against the grid, and hum and noise. Level is measured but is never a reason to pick a
take: clip gain fixes it in seconds, so the reasons say when a take needs it. Every choice comes with a
reason in producer words, and the edits are joined with short equal-power crossfades so they do not click.

Takes are numbered from 1 in reasons and take sheets, as on a studio take sheet ("take 2"); the
``take_index`` fields are Python indices from 0 into the list of takes.

Tuning: :func:`note_pitches` measures each note's pitch with YIN and says how many cents it sits
off the nearest note; :func:`tune` shifts a clip, or one phrase of it, by cents, keeping its length.
:func:`flat_phrase_demo` makes the flat phrase the tuning lesson corrects (the bundled takes are in tune).

Lessons: 04, 08
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ._validate import in_range, one_of, positive, whole
from .audio import amp_to_db, as_channels, check_sr, ensure_audio, like_input, power_to_db
from .errors import AudioError, ParameterError

FADE_SHAPES = ("linear", "equal_power", "s_curve")

#: Mains frequencies: hum sits on these and their harmonics (50 Hz in Europe, most of Asia,
#: Africa and Australia; 60 Hz in the Americas, parts of Japan, South Korea, Taiwan, Saudi Arabia).
MAINS_FREQUENCIES = (50.0, 60.0)

#: What chooses a take, as penalty points per unit above each criterion's tolerance (lower total wins):
#: the performance (wrong notes, timing) and what cannot be fixed afterwards without harm (hum, noise).
#: Level is not among them: it is fixed with clip gain.
DEFAULT_WEIGHTS = {"flub": 40.0, "timing": 0.2, "hum": 0.5, "noise": 0.3}
#: The criteria, as the reasons name them.
CRITERIA = "pitch, timing and noise"

#: Tolerances: differences up to these are "the same" and cost nothing.
#: A take this much louder or quieter than the others gets a clip-gain note (never a penalty).
_TOL_LEVEL_DB = 1.5
_TOL_TIMING_MS = 10.0
_TOL_HUM_DB = 6.0
_TOL_NOISE_DB = 6.0
_TOL_FLUB = 0.1
#: Takes are lined up against each other within this many ms: a late entry of a fifth of a second (the
#: kind a comp must catch) has to fit inside it.
_MAX_LAG_MS = 300
#: A-weighted noise below this is inaudible in a mix: quieter floors all count as clean.
_INAUDIBLE_NOISE_DB = -80.0

_PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


# --------------------------------------------------------------------------- fades and crossfades


def _check_shape(shape: str) -> str:
    return one_of("shape", shape, FADE_SHAPES)


def _check_ms(value, name: str) -> float:
    return in_range(name, value, 0, 600_000, unit="ms", hint="60000 ms is a minute; fades and crossfades take a few ms")


def _fade_in_gain(x: np.ndarray, shape: str) -> np.ndarray:
    """Gain rising from 0 to 1 as ``x`` goes from 0 to 1."""
    if shape == "linear":
        return x
    if shape == "equal_power":
        return np.sin(0.5 * np.pi * x)
    return 0.5 - 0.5 * np.cos(np.pi * x)  # s_curve


def _crossfade_gains(n: int, shape: str) -> tuple[np.ndarray, np.ndarray]:
    """Fade-out and fade-in gains for an ``n``-sample crossfade.

    Equal power keeps ``out**2 + in**2 == 1`` (no dip for unrelated material); linear and s-curve keep
    ``out + in == 1`` (no bump for identical, phase-aligned material).
    """
    x = (np.arange(n) + 0.5) / n
    g_in = _fade_in_gain(x, shape)
    if shape == "equal_power":
        g_out = np.cos(0.5 * np.pi * x)
    else:
        g_out = 1.0 - g_in
    return g_out, g_in


def crossfade(a, b, sr: int, duration_ms: float = 10.0, shape: str = "equal_power") -> np.ndarray:
    """Join two clips, overlapping the end of ``a`` with the start of ``b`` for ``duration_ms``.

    The result is ``len(a) + len(b) - overlap`` samples long. Use ``"equal_power"`` (the default)
    between different takes, whose waveforms do not line up, so the level does not dip in the middle;
    use ``"linear"`` between identical, phase-aligned material, where equal power would bump by 3 dB.

    Raises:
        AudioError: the clips have different channel layouts.
        ParameterError: an unknown shape, or a crossfade longer than either clip.

    Lesson: course/08-recording.ipynb
    """
    a = ensure_audio(a, name="a")
    b = ensure_audio(b, name="b")
    sr = check_sr(sr)
    shape = _check_shape(shape)
    if a.ndim != b.ndim or a.shape[:-1] != b.shape[:-1]:
        raise AudioError(
            f"a has shape {a.shape} and b has shape {b.shape}: crossfade clips with the same channels "
            "(both mono, or both stereo)."
        )
    n = int(round(_check_ms(duration_ms, "duration_ms") * sr / 1000.0))
    if n > min(a.shape[-1], b.shape[-1]):
        shortest = min(a.shape[-1], b.shape[-1]) / sr * 1000.0
        raise ParameterError(
            f"a crossfade of {duration_ms:g} ms is longer than the shorter clip ({shortest:.1f} ms); "
            "shorten the crossfade."
        )
    a2, b2 = as_channels(a).astype(np.float64), as_channels(b).astype(np.float64)
    if n == 0:
        out = np.concatenate([a2, b2], axis=-1)
    else:
        g_out, g_in = _crossfade_gains(n, shape)
        overlap = a2[:, -n:] * g_out + b2[:, :n] * g_in
        out = np.concatenate([a2[:, :-n], overlap, b2[:, n:]], axis=-1)
    return like_input(out.astype(np.float32), a)


def fade(y, sr: int, in_ms: float = 0.0, out_ms: float = 0.0, shape: str = "linear") -> np.ndarray:
    """Fade a clip in over its first ``in_ms`` and out over its last ``out_ms`` milliseconds.

    Shapes: ``"linear"`` (a straight gain ramp), ``"equal_power"`` (a quarter sine: sounds even when
    another sound fades the other way) and ``"s_curve"`` (a raised cosine: gentle at both ends, the
    smoothest for a fade to silence). A fade-in starts from exactly 0 and a fade-out ends on exactly 0.

    Raises:
        ParameterError: negative times, an unknown shape, or fades longer than the clip.

    Lesson: course/04-workflow.ipynb
    """
    y = ensure_audio(y)
    sr = check_sr(sr)
    shape = _check_shape(shape)
    n_in = int(round(_check_ms(in_ms, "in_ms") * sr / 1000.0))
    n_out = int(round(_check_ms(out_ms, "out_ms") * sr / 1000.0))
    length = y.shape[-1]
    if n_in + n_out > length:
        raise ParameterError(
            f"fades of {in_ms:g} ms in and {out_ms:g} ms out are longer than the clip "
            f"({length / sr * 1000.0:.1f} ms); shorten the fades."
        )
    gain = np.ones(length)
    if n_in:
        gain[:n_in] = _fade_in_gain(np.arange(n_in) / n_in, shape)
    if n_out:
        gain[length - n_out :] *= _fade_in_gain(np.arange(n_out) / n_out, shape)[::-1]
    return (y * gain).astype(np.float32)


def trim_silence(y, sr: int, threshold_db: float = -60.0, pad_ms: float = 10.0, return_bounds: bool = False):
    """Cut the silence before the first and after the last sample louder than ``threshold_db`` dBFS.

    ``pad_ms`` of the quiet lead-in and tail are kept so breaths and reverb tails are not clipped
    (add a short :func:`fade` afterwards if the cut is audible). On multichannel audio the loudest
    channel decides, so all channels are cut at the same sample. An entirely silent clip trims to zero
    samples.

    Returns:
        The trimmed audio, or ``(audio, (start, end))`` with ``return_bounds=True``: the kept samples
        are ``y[..., start:end]``.

    Lesson: not yet taught
    """
    y = ensure_audio(y)
    sr = check_sr(sr)
    threshold_db = in_range("threshold_db", threshold_db, None, 0, unit="dB",
                            hint="it is a level in dBFS, such as -60, below which the clip counts as silent")
    pad = int(round(_check_ms(pad_ms, "pad_ms") * sr / 1000.0))
    peak = np.max(np.abs(as_channels(y)), axis=0)
    loud = np.flatnonzero(peak >= 10.0 ** (threshold_db / 20.0))
    if loud.size == 0:
        start = end = 0
    else:
        start = max(0, int(loud[0]) - pad)
        end = min(y.shape[-1], int(loud[-1]) + 1 + pad)
    out = np.ascontiguousarray(y[..., start:end])
    return (out, (start, end)) if return_bounds else out


# --------------------------------------------------------------------------- hum


def _hum_sos(sr: int, freq: float, harmonics: int, q: float) -> np.ndarray:
    """One notch section per harmonic of ``freq`` below Nyquist, each ``freq / q`` Hz wide (-3 dB).

    ``scipy.signal.iirnotch(f, f / bandwidth, fs=sr)`` per harmonic ``f``, in NumPy (importing
    ``scipy.signal`` costs a lesson over a second): ``g = 1 / (1 + tan(bw / 2))``,
    ``b = g [1, -2 cos w0, 1]``, ``a = [1, -2 g cos w0, 2 g - 1]``, ``w0`` and ``bw`` in rad/sample.
    """
    bandwidth = freq / q
    sections = []
    for k in range(1, harmonics + 1):
        f = k * freq
        if f + bandwidth >= sr / 2:
            break
        # Same bandwidth in Hz at every harmonic (Q grows with k), so upper notches stay narrow.
        w0, bw = 2.0 * np.pi * f / sr, 2.0 * np.pi * bandwidth / sr
        g = 1.0 / (1.0 + np.tan(bw / 2.0))
        sections.append([g, -2.0 * g * np.cos(w0), g, 1.0, -2.0 * g * np.cos(w0), 2.0 * g - 1.0])
    return np.array(sections)


def remove_hum(y, sr: int, freq: float = 50.0, harmonics: int = 8, q: float = 30.0) -> np.ndarray:
    """Remove mains hum: narrow notches on ``freq`` and its harmonics below the Nyquist frequency.

    Hum from ground loops and unbalanced cables sits on the mains frequency (50 Hz in Europe,
    60 Hz in North America) and its harmonics; buzz adds many harmonics. ``q`` is the quality
    factor of the fundamental notch (bandwidth ``freq / q`` Hz, 1.7 Hz at the defaults); every
    harmonic gets the same bandwidth in Hz, so the notches stay a couple of hertz wide and music
    between them is untouched. Filtering runs forwards and backwards (zero phase), so attacks stay
    where they were, which matters when the take is comped against others.

    Raises:
        ParameterError: freq not between 0 and the Nyquist frequency, harmonics not a whole
            number >= 1, or q not positive.

    Lesson: course/04-workflow.ipynb
    """
    from .eq import _default_padlen, filter_sos_zero_phase

    y = ensure_audio(y)
    sr = check_sr(sr)
    freq = in_range("freq", freq, 0, sr / 2, lo_open=True, hi_open=True, unit="Hz",
                    hint="it is the hum's frequency: mains hum is 50 Hz (Europe) or 60 Hz (North America)")
    harmonics = whole("harmonics", harmonics, 1)
    q = positive("q", q, hint="30 notches 50 Hz 1.7 Hz wide")
    if freq + freq / q >= sr / 2:
        raise ParameterError(f"a {freq:g} Hz notch with q={q:g} does not fit below the Nyquist frequency.")
    sos = _hum_sos(sr, float(freq), int(harmonics), float(q))
    # the notches ring for a few tenths of a second: pad each end by a second of the clip's own signal, so
    # the filter has settled before the clip starts (hum that is on from sample 0 is notched from sample 0);
    # a shorter clip is padded as far as it goes
    padlen = min(max(_default_padlen(sos), sr), y.shape[-1] - 1)
    return like_input(filter_sos_zero_phase(sos, as_channels(y), padlen=padlen), y)


# --------------------------------------------------------------------------- comping: data


@dataclass(frozen=True)
class Phrase:
    """A stretch of the song to comp, in seconds from the start of the takes.

    Lesson: not yet taught
    """

    start: float
    end: float
    name: str = ""

    @property
    def duration(self) -> float:
        return self.end - self.start

    def label(self) -> str:
        span = f"{self.start:.2f}–{self.end:.2f} s"
        return f"{self.name} ({span})" if self.name else span


@dataclass(frozen=True)
class TakeScore:
    """What was measured on one take in one phrase, and what it costs.

    Attributes:
        take_index: index of the take in the list (0-based).
        name: the take's name ("take 1" for index 0 unless named).
        level_db: RMS level of the phrase, dBFS.
        level_dev_db: level minus the median level of all takes, dB.
        level_var_db: standard deviation of the 50 ms level while singing/playing, dB.
        timing_ms: mean absolute timing error, ms (against the grid with bpm, else against the
            other takes).
        timing_signed_ms: mean signed timing error, ms (positive is late).
        hum_db: strongest mains line (50/60 Hz and harmonics) above its spectral neighbours, dB.
        hum_freq: the frequency of that line, Hz.
        noise_floor_db: A-weighted level of the quietest 5 % of the phrase (the gaps), dBFS.
        flub: fraction of the played/sung phrase whose notes disagree with the other takes (0–1).
        flub_note: ("G#", "A") when the take plays G# where the others play A, else None.
        penalty: weighted total; the lowest wins.
        problems: producer-language notes about this take's performance, hum and noise (what decides).

    Lesson: not yet taught
    """

    take_index: int
    name: str
    level_db: float
    level_dev_db: float
    level_var_db: float
    timing_ms: float
    timing_signed_ms: float
    hum_db: float
    hum_freq: float
    noise_floor_db: float
    flub: float
    flub_note: tuple[str, str] | None
    penalty: float
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    """The take chosen for one phrase, the scores of every take, and why.

    Lesson: not yet taught
    """

    phrase: Phrase
    take_index: int
    scores: tuple[TakeScore, ...]
    reason: str

    @property
    def take_number(self) -> int:
        """The take as a producer counts it, from 1."""
        return self.take_index + 1


@dataclass(frozen=True)
class CompResult:
    """A comp: the assembled audio and, per phrase, the chosen take with its reason.

    Lesson: course/04-workflow.ipynb
    """

    audio: np.ndarray = field(repr=False)
    sr: int
    choices: tuple[Choice, ...]
    take_names: tuple[str, ...]
    boundaries: tuple[int, ...] = ()

    @property
    def takes(self) -> list[int]:
        """The chosen take index (0-based) of every phrase, in order."""
        return [c.take_index for c in self.choices]

    def take_sheet(self) -> list[tuple[str, str, str]]:
        """Rows of (phrase, chosen take, reason), like a comp sheet."""
        return [(c.phrase.label(), self.take_names[c.take_index], c.reason) for c in self.choices]

    @property
    def report(self):
        """The comp sheet as a :class:`producerkit.report.Report`: one finding per phrase, the chosen take
        as ``measured`` and the reason as ``message``; a phrase warns when even its best take has a
        problem worth another pass."""
        from .report import PASS, WARN, Finding, Report

        return Report(
            [Finding(WARN if c.scores[c.take_index].problems else PASS, c.phrase.label(), c.reason,
                     measured=self.take_names[c.take_index], value=float(c.take_number)) for c in self.choices],
            title=f"Comp of {len(self.take_names)} takes, {len(self.choices)} phrases",
            subject_label="phrase",
        )

    def __str__(self) -> str:
        return str(self.report)

    def _repr_html_(self) -> str:
        return self.report._repr_html_()


# --------------------------------------------------------------------------- comping: parsing


def _parse_phrases(phrases, duration: float, bpm, beats_per_bar: int) -> list[Phrase]:
    if isinstance(phrases, dict | Phrase) or not isinstance(phrases, Sequence) or len(phrases) == 0:
        raise ParameterError(
            "phrases must be a non-empty list of (start_s, end_s) pairs or dicts with start/end "
            '(or "bars" with bpm), for example [(0, 4), (4, 8)].'
        )
    bar_s = None if bpm is None else 60.0 / bpm * beats_per_bar
    parsed = []
    for i, p in enumerate(phrases):
        name = ""
        if isinstance(p, Phrase):
            start, end, name = p.start, p.end, p.name
        elif hasattr(p, "take_start_s") and hasattr(p, "take_end_s"):  # producerkit.datasets phrases
            start, end, name = p.take_start_s, p.take_end_s, str(getattr(p, "name", ""))
        elif isinstance(p, dict):
            name = str(p.get("name", ""))
            if "bars" in p:
                if bar_s is None:
                    raise ParameterError(f"phrase {i + 1} is given in bars: pass bpm= so bars can become seconds.")
                first, end_bar = _check_bars(p["bars"], i)
                start, end = first * bar_s, end_bar * bar_s
            elif "start" in p and "end" in p:
                start, end = p["start"], p["end"]
            else:
                raise ParameterError(f'phrase {i + 1} needs "start" and "end" (seconds) or "bars" (got {p!r}).')
        else:
            try:
                if isinstance(p, str | bytes):
                    raise TypeError
                start, end, *rest = p
            except (TypeError, ValueError):
                raise ParameterError(f"phrase {i + 1} must be (start_s, end_s) or a dict (got {p!r}).") from None
            name = str(rest[0]) if rest else ""
        try:
            start, end = float(start), float(end)
        except (TypeError, ValueError):
            raise ParameterError(f"phrase {i + 1}: start and end must be seconds (got {start!r}, {end!r}).") from None
        if not (np.isfinite(start) and np.isfinite(end)) or start < 0 or end <= start:
            raise ParameterError(
                f"phrase {i + 1} runs from {start:g} s to {end:g} s: "
                "it must start at or after 0 and end after it starts."
            )
        # bar arithmetic in floats and sample slicing can disagree by a sample: clamp within 1 ms
        if end > duration + 1e-3:
            raise ParameterError(f"phrase {i + 1} ends at {end:.3f} s but the takes are only {duration:.3f} s long.")
        end = min(end, duration)
        parsed.append(Phrase(start, end, name))
    parsed.sort(key=lambda ph: ph.start)
    for prev, nxt in zip(parsed, parsed[1:], strict=False):
        if nxt.start < prev.end - 1e-9:
            raise ParameterError(
                f"phrases {prev.label()} and {nxt.label()} overlap; each moment of the song belongs to one phrase."
            )
    return parsed


def _check_bars(bars, i: int) -> tuple[int, int]:
    """``(start, end)`` bars as code counts them: from 0, end exclusive (``(0, 4)`` is a DAW's bars 1–4)."""
    try:
        first, end = bars
        ok = all(not isinstance(b, bool) and float(b) == int(b) for b in (first, end))
    except (TypeError, ValueError):
        ok = False
    if not ok or int(first) < 0 or int(end) <= int(first):
        raise ParameterError(
            f"phrase {i + 1}: bars must be (start, end) counted from 0 with the end bar excluded, as code "
            f"counts them (got {bars!r}); bars=(0, 4) is the first four bars, bars 1–4 in a DAW."
        )
    return int(first), int(end)


def _check_takes(takes) -> list[np.ndarray]:
    if isinstance(takes, np.ndarray) and takes.ndim >= 2 and takes.dtype != object:
        takes = list(takes)
    if not isinstance(takes, Sequence) or len(takes) == 0:
        raise AudioError("takes must be a non-empty list of audio arrays, one per take.")
    arrays = [ensure_audio(t, name=f"take {i + 1}") for i, t in enumerate(takes)]
    first = arrays[0]
    for i, t in enumerate(arrays[1:], start=2):
        if t.shape[:-1] != first.shape[:-1]:
            raise AudioError(
                f"take {i} has shape {t.shape} but take 1 has {first.shape}: every take must have the same "
                "channels (all mono or all stereo)."
            )
        if t.shape[-1] != first.shape[-1]:
            raise AudioError(
                f"take {i} is {t.shape[-1]} samples long but take 1 is {first.shape[-1]}: comping needs takes "
                "of the same length that start at the same point of the song; export every take from the "
                "session start to the same end (or pad/trim them to it)."
            )
    return arrays


# --------------------------------------------------------------------------- comping: measurements


def _frame_power(x: np.ndarray, sr: int, win_s: float, hop_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean-square power of windows ending every ``hop_s`` seconds, and the window end times."""
    win = max(1, int(round(win_s * sr)))
    hop = max(1, int(round(hop_s * sr)))
    csum = np.concatenate([[0.0], np.cumsum(x * x)])
    ends = np.arange(min(win, x.size), x.size + 1, hop)
    starts = np.maximum(ends - win, 0)
    return (csum[ends] - csum[starts]) / np.maximum(ends - starts, 1), ends / sr


def _level_stats(x: np.ndarray, sr: int) -> tuple[float, float]:
    level = float(power_to_db(np.mean(x * x)))
    power, _ = _frame_power(x, sr, 0.05, 0.01)
    db = power_to_db(power)
    active = db[db >= np.percentile(db, 95) - 20.0]
    return level, float(np.std(active)) if active.size > 1 else 0.0


def _onsets(x: np.ndarray, sr: int) -> np.ndarray:
    """Note starts after a gap: where the 5 ms level rises through a threshold between the gaps and the notes.

    The threshold sits 20 dB below the phrase's loud level (or 12 dB above its floor, whichever is
    higher); hysteresis (the level must first fall 6 dB below it) stops one note from counting twice.
    """
    power, times = _frame_power(x, sr, 0.005, 0.001)
    db = power_to_db(power)
    loud, floor = float(np.percentile(db, 95)), float(np.percentile(db, 5))
    on_level = max(loud - 20.0, floor + 12.0)
    if on_level >= loud:
        return np.empty(0)
    above = db >= on_level
    below = db < on_level - 6.0
    onsets = []
    armed = not above[0]
    for i in range(db.size):
        if armed and above[i]:
            # the window ending here holds the first samples of the note: its start is ~ this window's end
            onsets.append(times[i])
            armed = False
        elif below[i]:
            armed = True
    return np.asarray(onsets)


def _grid_timing(x: np.ndarray, sr: int, t0: float, grid_s: float) -> tuple[float, float] | None:
    onsets = _onsets(x, sr)
    if onsets.size < 3:  # too few note starts after gaps (legato lines): no reliable grid verdict
        return None
    t = onsets + t0
    offsets = t - np.round(t / grid_s) * grid_s
    return float(np.mean(np.abs(offsets)) * 1000.0), float(np.mean(offsets) * 1000.0)


def _lag_against(x_env: np.ndarray, ref_env: np.ndarray, max_lag: int) -> int:
    """Lag (in envelope frames, positive = x is late) that best aligns ``x_env`` with ``ref_env``.

    0 when even the best lag correlates less than 0.5: the envelopes share no rhythm to compare.
    """
    a = x_env - x_env.mean()
    b = ref_env - ref_env.mean()
    if not a.any() or not b.any():
        return 0
    n = a.size + b.size - 1
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    lags = np.concatenate([corr[: max_lag + 1], corr[-max_lag:]]) if max_lag else corr[:1]
    idx = int(np.argmax(lags))
    if lags[idx] < 0.5 * np.linalg.norm(a) * np.linalg.norm(b):
        return 0  # no clear alignment (unrelated material): no timing verdict
    return idx if idx <= max_lag else idx - 2 * max_lag - 1


def _relative_offsets_ms(segments: list[np.ndarray], sr: int) -> list[float]:
    """Each take's timing against the others, ms (positive = late), relative to the median take.

    Every pair of takes is lined up by cross-correlating their 10 ms level envelopes (lag d_ij ≈
    o_i - o_j); the least-squares offsets are o_i = mean_j d_ij over all takes (d_ii = 0).
    """
    n = len(segments)
    if n < 2:
        return [0.0] * n
    envs = [_frame_power(x, sr, 0.01, 0.001)[0] for x in segments]  # one frame per ms
    max_lag = min(_MAX_LAG_MS, envs[0].size - 1)
    lags = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            lags[i, j] = _lag_against(envs[i], envs[j], max_lag)
            lags[j, i] = -lags[i, j]
    offsets = lags.sum(axis=1) / n
    return [float(o) for o in offsets - np.median(offsets)]


def _line_excess_db(freqs: np.ndarray, psd: np.ndarray, f: float) -> float:
    """Power of a spectral line at ``f`` (±2 Hz) above the same bandwidth of its neighbours (5–20 Hz away)."""
    dist = np.abs(freqs - f)
    line = dist <= 2.0
    neigh = (dist >= 5.0) & (dist <= 20.0) & (freqs > 0)
    if not line.any() or neigh.sum() < 3:
        return 0.0
    return float(power_to_db(psd[line].sum()) - power_to_db(np.median(psd[neigh]) * line.sum()))


def _welch_psd(x: np.ndarray, sr: int, nperseg: int) -> tuple[np.ndarray, np.ndarray]:
    """One-sided power spectral density by Welch's method: frequencies (Hz) and power per Hz.

    What ``scipy.signal.welch(x, fs=sr, nperseg=nperseg)`` returns (periodic Hann windows, half
    overlap, each segment's mean removed, the periodograms averaged), in NumPy: importing
    ``scipy.signal`` costs a lesson over a second.
    """
    step = nperseg - nperseg // 2
    segments = np.lib.stride_tricks.sliding_window_view(np.asarray(x, dtype=np.float64), nperseg)[::step]
    window = np.hanning(nperseg + 1)[:-1]
    spectra = np.fft.rfft((segments - segments.mean(axis=-1, keepdims=True)) * window, axis=-1)
    psd = np.mean(np.abs(spectra) ** 2, axis=0) / (sr * np.sum(window**2))
    psd[1 : None if nperseg % 2 else -1] *= 2  # the negative frequencies' power (not DC's or Nyquist's)
    return np.fft.rfftfreq(nperseg, 1.0 / sr), psd


def _hum(x: np.ndarray, sr: int) -> tuple[float, float]:
    """Strongest mains line (50/60 Hz, harmonics 1–3) above its neighbours: (dB, Hz)."""
    nper = min(x.size, sr)  # ~1 Hz resolution when the phrase is long enough
    if nper < sr // 8:
        return 0.0, MAINS_FREQUENCIES[0]
    freqs, psd = _welch_psd(x, sr, nper)
    best = (-np.inf, MAINS_FREQUENCIES[0])
    for mains in MAINS_FREQUENCIES:
        for k in (1, 2, 3):
            excess = _line_excess_db(freqs, psd, k * mains)
            if excess > best[0]:
                best = (excess, k * mains)
    return max(best[0], 0.0), best[1]


def _a_weighting_sos(sr: int) -> np.ndarray:
    """IEC 61672-1 A-weighting as a digital filter (bilinear transform, no pre-warping), 0 dB at 1 kHz.

    The analog filter's four zeros at DC map to z = 1 and its six real poles to ``(2 sr - w) / (2 sr + w)``;
    the transform adds two zeros at Nyquist. Sections pair the poles in order (20.6 Hz twice, then
    107.7 and 737.9 Hz, with the four DC zeros; 12194 Hz twice with the Nyquist zeros). The same
    filter as ``scipy.signal``'s ``bilinear_zpk`` and ``zpk2sos``, in NumPy.
    """
    from .eq import sos_response_db

    poles_hz = (20.598997, 20.598997, 107.65265, 737.86223, 12194.217, 12194.217)
    w = 2.0 * np.pi * np.array(poles_hz)
    poles = (2.0 * sr - w) / (2.0 * sr + w)
    zeros = ((1.0, -2.0, 1.0), (1.0, -2.0, 1.0), (1.0, 2.0, 1.0))
    sos = np.array([[*b, 1.0, -(p + q), p * q] for b, p, q in zip(zeros, poles[::2], poles[1::2], strict=True)])
    sos[0, :3] /= 10.0 ** (sos_response_db(sos, np.array([1000.0]), sr)[0] / 20.0)
    return sos


def _noise_floor(x: np.ndarray, sr: int) -> float:
    """A-weighted level of the quietest 5 % of 20 ms windows (the gaps between notes), dBFS.

    A-weighting (how a noise-floor spec is quoted, in dBA) follows the ear: hiss counts fully, while
    50/60 Hz hum counts 26–30 dB less here because it is scored on its own.
    """
    from .eq import filter_sos

    weighted = filter_sos(_a_weighting_sos(sr), np.reshape(x, (1, -1)))[0].astype(np.float64)
    power, _ = _frame_power(weighted, sr, 0.02, 0.005)
    return float(np.percentile(power_to_db(power), 5))


def _mains_of(freq: float) -> float:
    return min(MAINS_FREQUENCIES, key=lambda m: abs(freq / m - round(freq / m)))


def _chroma(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame pitch-class energy (12, frames), each frame normalised, and the frame energies."""
    n_fft = 1 << int(np.ceil(np.log2(0.09 * sr)))  # ~93 ms: resolves semitones down to ~100 Hz
    hop = n_fft // 4
    if x.size < n_fft:
        x = np.pad(x, (0, n_fft - x.size))
    n_frames = 1 + (x.size - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n_frames)[:, None]
    spec = np.abs(np.fft.rfft(x[idx] * np.hanning(n_fft), axis=1)) ** 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    band = (freqs >= 65.0) & (freqs <= 2100.0)  # C2 to C7: voices and most melodic instruments
    pitch_class = np.mod(np.round(12.0 * np.log2(freqs[band] / 440.0)).astype(int) + 9, 12)
    chroma = np.zeros((12, n_frames))
    np.add.at(chroma, pitch_class, spec[:, band].T)
    energy = chroma.sum(axis=0)
    return chroma / np.maximum(np.linalg.norm(chroma, axis=0), 1e-20), energy


def _flub(chromas: list[np.ndarray], energies: list[np.ndarray], i: int) -> tuple[float, tuple[str, str] | None]:
    others = [c for j, c in enumerate(chromas) if j != i]
    if not others:
        return 0.0, None
    consensus = np.median(np.stack(others), axis=0)
    consensus /= np.maximum(np.linalg.norm(consensus, axis=0), 1e-20)
    loudest = np.stack(energies).max()
    if loudest <= 0:
        return 0.0, None
    threshold = loudest * 10.0 ** (-30.0 / 10.0)
    others_energy = np.median(np.stack([e for j, e in enumerate(energies) if j != i]), axis=0)
    active = (energies[i] >= threshold) & (others_energy >= threshold)  # both sides play: notes can be compared
    if not active.any():
        return 0.0, None
    similarity = np.sum(chromas[i] * consensus, axis=0)
    wrong = active & (similarity < 0.5)
    fraction = float(wrong.sum() / active.sum())
    if not wrong.any():
        return fraction, None
    played = np.bincount(np.argmax(chromas[i][:, wrong], axis=0), minlength=12).argmax()
    expected = np.bincount(np.argmax(consensus[:, wrong], axis=0), minlength=12).argmax()
    return fraction, (_PITCH_CLASSES[played], _PITCH_CLASSES[expected])


def _ordinal(k: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(k, f"{k}th")


def _score_phrase(
    mono: list[np.ndarray], lo: int, hi: int, sr: int, phrase: Phrase, names: Sequence[str], grid_s, weights
) -> list[TakeScore]:
    segments = [m[lo:hi].astype(np.float64) for m in mono]
    n = len(segments)
    levels, variances = zip(*(_level_stats(x, sr) for x in segments), strict=True)
    median_level = float(np.median(levels))

    grid_results = [_grid_timing(x, sr, phrase.start, grid_s) for x in segments] if grid_s else [None] * n
    on_grid = all(g is not None for g in grid_results)  # one yardstick for every take of a phrase
    if on_grid:
        timing = list(grid_results)
    else:
        timing = [(abs(o), o) for o in _relative_offsets_ms(segments, sr)]
    against = "the grid" if on_grid else "the other takes"

    hums = [_hum(x, sr) for x in segments]
    floors = [_noise_floor(x, sr) for x in segments]
    cleanest_hum = min(d for d, _ in hums)
    cleanest_floor = max(min(floors), _INAUDIBLE_NOISE_DB)

    chroma_pairs = [_chroma(x, sr) for x in segments]
    chromas = [c for c, _ in chroma_pairs]
    energies = [e for _, e in chroma_pairs]

    scores = []
    for i in range(n):
        problems = []
        dev = levels[i] - median_level
        t_abs, t_signed = timing[i]
        penalty = weights["timing"] * max(0.0, t_abs - _TOL_TIMING_MS)
        if t_abs > _TOL_TIMING_MS:
            if abs(t_signed) >= 0.5 * t_abs:
                when = "late" if t_signed > 0 else "early"
                problems.append(f"is {abs(t_signed):.0f} ms {when} against {against}")
            else:
                problems.append(f"is loose: {t_abs:.0f} ms off {against} on average")
        hum_db, hum_freq = hums[i]
        hum_rel = hum_db - cleanest_hum
        penalty += weights["hum"] * max(0.0, hum_rel - _TOL_HUM_DB)
        if hum_rel > _TOL_HUM_DB:
            mains = _mains_of(hum_freq)
            k = int(round(hum_freq / mains))
            what = (
                f"{mains:.0f} Hz hum"
                if k == 1
                else f"hum at {hum_freq:.0f} Hz ({_ordinal(k)} harmonic of {mains:.0f} Hz)"
            )
            problems.append(f"has {what} {hum_db:.0f} dB above its neighbours")
        floor_rel = max(floors[i], _INAUDIBLE_NOISE_DB) - cleanest_floor
        penalty += weights["noise"] * max(0.0, floor_rel - _TOL_NOISE_DB)
        if floor_rel > _TOL_NOISE_DB:
            problems.append(
                f"is noisy in the gaps ({floors[i]:.0f} dBFS A-weighted, {floor_rel:.0f} dB above the cleanest take)"
            )
        flub, note = _flub(chromas, energies, i)
        penalty += weights["flub"] * max(0.0, flub - _TOL_FLUB)
        if flub > _TOL_FLUB:
            where = f" ({note[0]} where the others have {note[1]})" if note else ""
            problems.append(f"disagrees with the other takes' notes in {flub:.0%} of the phrase{where}")
        scores.append(
            TakeScore(
                take_index=i,
                name=names[i],
                level_db=float(levels[i]),
                level_dev_db=float(dev),
                level_var_db=float(variances[i]),
                timing_ms=float(t_abs),
                timing_signed_ms=float(t_signed),
                hum_db=float(hum_db),
                hum_freq=float(hum_freq),
                noise_floor_db=float(floors[i]),
                flub=float(flub),
                flub_note=note,
                penalty=float(penalty),
                problems=tuple(problems),
            )
        )
    return scores


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _reason(scores: list[TakeScore], chosen: int) -> str:
    best = scores[chosen]
    if len(scores) == 1:
        return f"{best.name}: the only take"
    against = [f"{s.name} {_and(s.problems)}" for s in scores if s.take_index != chosen and s.problems]
    if against:
        text = f"{best.name}, chosen on {CRITERIA}: " + "; ".join(against)
    else:
        runner_up = min((s for s in scores if s.take_index != chosen), key=lambda s: s.penalty)
        if runner_up.penalty - best.penalty < 1e-9:
            text = f"{best.name}: all takes measure alike on {CRITERIA} here; keep the earliest and trust your ears"
        else:
            text = f"{best.name}: all takes are close; {best.name} measures best on {CRITERIA}"
    if best.problems:
        text += f" (best of the takes, but it {_and(best.problems)} too: consider another pass)"
    if abs(best.level_dev_db) > _TOL_LEVEL_DB:
        louder = "louder" if best.level_dev_db > 0 else "quieter"
        text += (f". Level is not a reason: it is {abs(best.level_dev_db):.1f} dB {louder} than the other takes, "
                 "so match it with clip gain")
    return text


def _assemble(arrays: list[np.ndarray], boundaries: list[int], owners: list[int], n_xf: int, shape: str):
    """Sum the takes with gains that switch owner at each boundary through a centred crossfade."""
    length = arrays[0].shape[-1]
    gains = np.zeros((len(arrays), length))
    edges = [0, *boundaries, length]
    for seg, owner in enumerate(owners):
        gains[owner, edges[seg] : edges[seg + 1]] = 1.0
    for j, b in enumerate(boundaries):
        before, after = owners[j], owners[j + 1]
        if before == after:
            continue
        room = min(b - edges[j], edges[j + 2] - b)  # never wider than the segments on either side
        n = min(n_xf, 2 * room)
        if n < 2:
            continue
        lo = b - n // 2
        g_out, g_in = _crossfade_gains(n, shape)
        gains[before, lo : lo + n] = g_out
        gains[after, lo : lo + n] = g_in
    out = np.zeros(as_channels(arrays[0]).shape)
    for t, arr in enumerate(arrays):
        used = gains[t] != 0
        if used.any():
            out[:, used] += as_channels(arr)[:, used].astype(np.float64) * gains[t, used]
    return like_input(out.astype(np.float32), arrays[0])


def comp_takes(
    takes,
    sr: int,
    phrases,
    bpm: float | None = None,
    *,
    grid: int = 16,
    beats_per_bar: int = 4,
    names: Sequence[str] | None = None,
    crossfade_ms: float = 10.0,
    crossfade_shape: str = "equal_power",
    weights: dict | None = None,
) -> CompResult:
    """Build a comp from the best take of every phrase, by measurable criteria, with crossfades.

    Every take is scored in every phrase on its performance and on what cannot be fixed afterwards:

    - **timing**: with ``bpm``, note starts after gaps against the grid (``grid=16``: sixteenth notes,
      the grid starting at 0 s, bar 1 beat 1); without it, or when a phrase is too legato to show three
      note starts in every take, the delay that best lines the take up with the other takes;
    - **hum and noise**: the strongest 50/60 Hz line (or its 2nd/3rd harmonic) above its spectral
      neighbours, and the A-weighted noise floor in the gaps (below -80 dBFS counts as clean), both
      against the cleanest take;
    - **wrong notes** (flubs): where the take's pitch classes (chroma) disagree with the consensus of
      the other takes. This needs three takes or more to say which one is wrong.

    **Level** is measured (``TakeScore.level_db``) but never scored: a louder or quieter take is matched
    with clip gain, so the reason says so instead of holding it against the take.

    Each criterion costs penalty points above a tolerance (``weights`` scales them, keys as in
    :data:`DEFAULT_WEIGHTS`); the lowest total wins, the earliest take on a tie. Between phrases the
    comp switches take half way through the gap, with a ``crossfade_ms`` equal-power crossfade
    centred on the switch.

    Args:
        takes: equal-length takes of the same part, mono ``(n,)`` or all with the same ``(channels, n)``,
            all starting at the same point of the song.
        sr: sample rate in Hz.
        phrases: ``(start_s, end_s)`` or ``(start_s, end_s, name)`` pairs, :class:`Phrase` objects (or
            the phrases of a :func:`producerkit.datasets.load_session` session), or
            dicts with ``start``/``end`` in seconds or ``bars=(start, end)`` (counted from 0, end
            excluded: ``(0, 4)`` is a DAW's bars 1–4; needs ``bpm``), each optionally with a ``name``.
        bpm: tempo, for timing against the grid and for phrases given in bars.
        names: names for the takes in the reasons (default "take 1", "take 2", ...).

    Returns:
        CompResult with the comp audio (float32, the takes' layout) and one Choice per phrase.

    Raises:
        AudioError: no takes, takes of different lengths or layouts.
        ParameterError: phrases out of range, overlapping or malformed; a bad bpm or crossfade.

    Lesson: course/04-workflow.ipynb
    """
    sr = check_sr(sr)
    arrays = _check_takes(takes)
    if bpm is not None:
        in_range("bpm", bpm, 20, 400, unit="BPM", hint="the song's tempo, or None to time the takes by each other")
    one_of("grid", whole("grid", grid, hint="a note value; 16 is sixteenths"), (1, 2, 4, 8, 16, 32),
           hint="16 is sixteenths")
    whole("beats_per_bar", beats_per_bar, 1, 32, hint="4 in 4/4")
    shape = _check_shape(crossfade_shape)
    n_xf = int(round(_check_ms(crossfade_ms, "crossfade_ms") * sr / 1000.0))
    w = dict(DEFAULT_WEIGHTS)
    if weights:
        unknown = set(weights) - set(w)
        if unknown:
            raise ParameterError(f"unknown weights {sorted(unknown)}; use {sorted(w)}.")
        for key, value in weights.items():
            in_range(f"weight {key!r}", value, 0, 1000, hint="1 counts a criterion as usual, 0 ignores it")
        w.update(weights)
    if names is None:
        names = [f"take {i + 1}" for i in range(len(arrays))]
    elif len(names) != len(arrays):
        raise ParameterError(f"{len(names)} names for {len(arrays)} takes; give one name per take.")
    names = tuple(str(nm) for nm in names)

    length = arrays[0].shape[-1]
    parsed = _parse_phrases(phrases, length / sr, bpm, int(beats_per_bar))
    grid_s = None if bpm is None else 60.0 / bpm * 4.0 / grid
    mono = [a if a.ndim == 1 else a.mean(axis=0) for a in arrays]

    choices = []
    for phrase in parsed:
        lo, hi = int(round(phrase.start * sr)), int(round(phrase.end * sr))
        hi = max(hi, lo + 1)
        scores = _score_phrase(mono, lo, hi, sr, phrase, names, grid_s, w)
        chosen = min(range(len(scores)), key=lambda i: (scores[i].penalty, i))
        choices.append(Choice(phrase, chosen, tuple(scores), _reason(scores, chosen)))

    # Switch takes half way through each gap between phrases (at the shared edge if they touch).
    boundaries = [int(round((a.end + b.start) / 2.0 * sr)) for a, b in zip(parsed, parsed[1:], strict=False)]
    audio = _assemble(arrays, boundaries, [c.take_index for c in choices], n_xf, shape)
    return CompResult(audio, sr, tuple(choices), names, tuple(boundaries))


# --------------------------------------------------------------------------- tuning

#: Pitch is tracked at this sample rate (a voice's fundamental is far below its Nyquist of 5.5 kHz), which
#: keeps a few seconds of a lead to a few hundredths of a second of work.
PITCH_SR = 11025
#: The tracker's frame (93 ms at :data:`PITCH_SR`: two periods of 80 Hz fit) and hop (23 ms).
_PITCH_FRAME = 1024
_PITCH_HOP = 256
#: A frame belongs to the note being sung while it stays this close (semitones) to the note's median pitch:
#: vibrato and a flat singer stay inside one note, a step to the next note starts a new one.
_NOTE_STICK = 0.6
#: YIN takes the first dip of the normalised difference below this (the paper's 0.1) as the period.
_YIN_THRESHOLD = 0.1
#: A frame is voiced when its dip is below this (periodic enough to have a pitch) ...
_YIN_VOICED = 0.3
#: ... and it is within this many dB of the loudest frame (not a breath, a bleed or the tail of a reverb).
_YIN_FLOOR_DB = -40.0
#: The default flat phrase of :func:`flat_phrase_demo`: a phrase of take 1 lowered by 35 cents.
FLAT_DEMO_CENTS = -35.0
FLAT_DEMO_PHRASE = "verse 1b"
FLAT_DEMO_TAKE = "lead_take1"


@dataclass(frozen=True)
class NotePitch:
    """One sung or played note, as a tuning editor shows it.

    Attributes:
        start: where the note starts, seconds from the start of the audio.
        end: where it ends, seconds.
        note: the nearest note's name, such as ``"G4"`` (sharps, no flats; middle C is C4).
        midi: the nearest note's MIDI number (60 is middle C).
        cents: how far the note's median pitch sits from that note, in cents (100 to a semitone;
            negative is flat).
        hz: the note's median pitch in Hz.

    Lesson: course/08-recording.ipynb
    """

    start: float
    end: float
    note: str
    midi: int
    cents: float
    hz: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def __str__(self) -> str:
        return f"{self.start:5.2f}–{self.end:5.2f} s  {self.note:4s} {self.cents:+4.0f} cents"


def note_name(midi: int) -> str:
    """The name of a MIDI note number: 60 is ``"C4"``, 69 ``"A4"``.

    Lesson: not yet taught
    """
    midi = whole("midi", midi, 0, 127, hint="MIDI notes run from 0 to 127; 60 is middle C")
    return f"{_PITCH_CLASSES[midi % 12]}{midi // 12 - 1}"


def _yin(x: np.ndarray, sr: int, fmin: float, fmax: float) -> np.ndarray:
    """The fundamental (Hz) of every :data:`_PITCH_HOP` of ``x``, NaN where it is not voiced: YIN (de Cheveigné
    and Kawahara 2002) in NumPy, on centred frames of :data:`_PITCH_FRAME`.

    Each frame's cumulative-mean-normalised difference is searched between the periods of ``fmax`` and ``fmin``
    for its first dip below :data:`_YIN_THRESHOLD` (followed down to its minimum; the deepest dip if none is
    below) and the period is interpolated between lags. A frame is voiced when that dip is deep (periodic, below
    :data:`_YIN_VOICED`) and the frame is within :data:`_YIN_FLOOR_DB` of the loudest.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    frames = sliding_window_view(np.pad(x, _PITCH_FRAME // 2), _PITCH_FRAME)[::_PITCH_HOP]
    rows = np.arange(frames.shape[0])
    w = _PITCH_FRAME // 2
    tmin = max(2, int(np.floor(sr / fmax)))
    tmax = min(int(np.ceil(sr / fmin)), _PITCH_FRAME - w - 2)
    size = 2 * _PITCH_FRAME
    acf = np.fft.irfft(np.fft.rfft(frames, size) * np.conj(np.fft.rfft(frames[:, :w], size)), size)[:, : tmax + 2]
    energy = np.concatenate([np.zeros((frames.shape[0], 1)), np.cumsum(frames**2, axis=1)], axis=1)
    lags = np.arange(tmax + 2)
    diff = np.maximum(energy[:, [w]] + energy[:, lags + w] - energy[:, lags] - 2 * acf, 0.0)
    cmndf = np.ones_like(diff)
    cmndf[:, 1:] = diff[:, 1:] * lags[1:] / np.maximum(np.cumsum(diff[:, 1:], axis=1), 1e-20)
    band = cmndf[:, tmin : tmax + 1]
    below = band < _YIN_THRESHOLD
    dipped = below.any(axis=1)
    lag = np.where(dipped, below.argmax(axis=1), band.argmin(axis=1))
    while True:  # down the dip to its bottom
        step = dipped & (lag + 1 < band.shape[1])
        step[step] &= band[rows[step], lag[step] + 1] < band[rows[step], lag[step]]
        if not step.any():
            break
        lag = lag + step
    tau = lag + tmin
    a, b, c = cmndf[rows, tau - 1], cmndf[rows, tau], cmndf[rows, tau + 1]
    curve = a - 2 * b + c
    shift = np.clip(np.divide(0.5 * (a - c), curve, out=np.zeros_like(curve), where=np.abs(curve) > 1e-12), -1, 1)
    f0 = sr / (tau + shift)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    loud = rms > rms.max() * 10 ** (_YIN_FLOOR_DB / 20)
    voiced = (b < _YIN_VOICED) & loud & (f0 >= fmin) & (f0 <= fmax)
    return np.where(voiced, f0, np.nan)


def note_pitches(y, sr: int, *, fmin: float = 80.0, fmax: float = 1000.0,
                 min_note_ms: float = 100.0) -> list[NotePitch]:
    """Measure the pitch of every note in a monophonic part (a lead vocal, a bass line), as a tuning editor does.

    The audio is mixed to mono and resampled to :data:`PITCH_SR`, and YIN (:func:`_yin`, in NumPy) tracks the
    fundamental every 23 ms and says where it is voiced (periodic, and within 40 dB of the loudest frame). A
    note is a voiced stretch that stays within 0.6 semitone of its own median pitch (vibrato and a flat singer
    stay inside one note; a step to the next note starts a new one); stretches shorter than ``min_note_ms``
    (slides between notes) are left out. Each note's pitch is the median of its frames, so vibrato averages
    out, and ``cents`` says how far that sits from the nearest note of equal temperament (A4 = 440 Hz); YIN
    interpolates between lags, so notes are measured to a cent or two.

    Narrow ``fmin``/``fmax`` to the part's range (the singer's lowest and highest notes, with a little room):
    the tracker cannot then take a note for the one an octave away.

    Returns:
        One :class:`NotePitch` per note, in time order (an empty list for silence or unpitched sound).

    Raises:
        ParameterError: ``fmin``/``fmax`` outside 30 Hz–2 kHz or not in order; ``min_note_ms`` negative.

    Lesson: course/08-recording.ipynb
    """
    from .audio import resample

    y = ensure_audio(y)
    sr = check_sr(sr)
    fmin = in_range("fmin", fmin, 30.0, 2000.0, unit="Hz", hint="it is the lowest note the part sings or plays")
    fmax = in_range("fmax", fmax, 30.0, 2000.0, unit="Hz", hint="it is the highest note the part sings or plays")
    if fmax <= fmin * 2 ** (1 / 12):
        raise ParameterError(f"fmax ({fmax:g} Hz) must be above fmin ({fmin:g} Hz) by at least a semitone: "
                             "give the part's lowest and highest notes.")
    min_note_ms = _check_ms(min_note_ms, "min_note_ms")
    mono = as_channels(y).mean(axis=0).astype(np.float32)
    mono = resample(mono, sr, PITCH_SR).astype(np.float64)
    if mono.size < _PITCH_FRAME or not np.any(mono):
        return []
    midi = 69.0 + 12.0 * np.log2(_yin(mono, PITCH_SR, fmin, fmax) / 440.0)
    hop_s = _PITCH_HOP / PITCH_SR
    min_frames = max(1, int(np.ceil(min_note_ms / 1000.0 / hop_s)))

    notes: list[NotePitch] = []
    run: list[float] = []
    first = 0

    def close(last: int) -> None:
        if len(run) >= min_frames:
            centre = float(np.median(run))
            nearest = int(np.clip(round(centre), 0, 127))
            notes.append(NotePitch(
                start=first * hop_s, end=last * hop_s, note=note_name(nearest), midi=nearest,
                cents=float(100.0 * (centre - nearest)), hz=float(440.0 * 2 ** ((centre - 69) / 12)),
            ))

    for i, m in enumerate(midi):
        if np.isnan(m):
            if run:
                close(i - 1)
                run = []
            continue
        if run and abs(m - np.median(run)) >= _NOTE_STICK:
            close(i - 1)
            run = []
        if not run:
            first = i
        run.append(float(m))
    if run:
        close(len(midi) - 1)
    return notes


def phrase_cents(notes: Sequence[NotePitch]) -> float:
    """How far a phrase sits from the notes, in cents: its notes' cents, weighted by how long each lasts.

    The amount to correct a phrase sung flat or sharp as a whole is minus this.

    Raises:
        ParameterError: no notes (nothing pitched was found).

    Lesson: course/08-recording.ipynb
    """
    if not notes:
        raise ParameterError("there are no notes to average: note_pitches found nothing pitched in this audio. "
                             "Pass the notes of a sung or played phrase (check that fmin and fmax take in its range).")
    weights = np.array([n.duration for n in notes])
    return float(np.average([n.cents for n in notes], weights=weights))


def _check_cents(cents) -> float:
    return in_range("cents", cents, -1200.0, 1200.0, unit="cents",
                    hint="100 cents is a semitone; a tuning correction is usually a few tens of cents")


def _span(value, name: str, duration: float) -> float:
    return in_range(name, value, 0.0, duration, unit="s", hint=f"the audio is {duration:.2f} s long")


def tune(y, sr: int, cents: float, *, start_s: float | None = None, end_s: float | None = None,
         crossfade_ms: float = 10.0) -> np.ndarray:
    """Shift the pitch by ``cents`` (100 to a semitone; positive is up), keeping the length and the timing.

    A phase vocoder stretches the audio by the pitch ratio and it is resampled back to its length (as
    librosa's ``pitch_shift`` does), so notes stay where they were on the grid. With ``start_s``/``end_s`` only
    that span moves, joined to the untouched audio by ``crossfade_ms`` equal-power crossfades at each end, as
    a tuning editor corrects one phrase.

    Returns:
        float32 audio of the input's shape.

    Raises:
        ParameterError: ``cents`` beyond an octave, a span outside the audio or in the wrong order.

    Lesson: course/08-recording.ipynb
    """
    y = ensure_audio(y)
    sr = check_sr(sr)
    cents = _check_cents(cents)
    n = y.shape[-1]
    duration = n / sr
    lo = 0 if start_s is None else int(round(_span(start_s, "start_s", duration) * sr))
    hi = n if end_s is None else int(round(_span(end_s, "end_s", duration) * sr))
    if hi <= lo:
        raise ParameterError(f"end_s must be after start_s (got {start_s!r} and {end_s!r}): give the span to tune.")
    n_xf = int(round(_check_ms(crossfade_ms, "crossfade_ms") * sr / 1000.0))
    x = as_channels(y).astype(np.float64)
    if cents == 0:
        return y.astype(np.float32, copy=True)
    whole_clip = lo == 0 and hi == n
    margin = 0 if whole_clip else n_xf + 2048  # the phase vocoder's edges fall outside what is kept
    a, b = max(0, lo - margin), min(n, hi + margin)
    piece = x[:, a:b]
    if piece.shape[-1] < 2048:  # the vocoder's frame; pad a short clip and cut it back
        piece = np.pad(piece, ((0, 0), (0, 2048 - piece.shape[-1])))
    shifted = _pitch_shift(piece, sr, cents)[:, : b - a]
    if whole_clip:
        return like_input(shifted.astype(np.float32), y)
    gain = np.zeros(b - a)
    gain[lo - a : hi - a] = 1.0
    g_out, g_in = _crossfade_gains(max(n_xf, 1), "equal_power")
    # centred on each edge of the span, never past the audio's ends
    for edge, ramp in ((lo - a, g_in), (hi - a, g_out)):
        s0 = edge - len(ramp) // 2
        i0, i1 = max(0, s0), min(b - a, s0 + len(ramp))
        if edge in (0, b - a):
            continue  # the span starts or ends with the audio: nothing to join there
        gain[i0:i1] = ramp[i0 - s0 : i1 - s0]
    dry = x[:, a:b]
    other = np.sqrt(np.clip(1.0 - gain**2, 0.0, 1.0))  # equal power: the untouched audio fades the other way
    out = x.copy()
    out[:, a:b] = dry * other + shifted * gain
    return like_input(out.astype(np.float32), y)


_VOCODER_FFT = 2048
_VOCODER_HOP = 512


def _stretch(x: np.ndarray, rate: float) -> np.ndarray:
    """Phase-vocoder time stretch of one channel: ``rate`` > 1 is shorter (Flanagan & Golden; Laroche & Dolson's
    phase propagation without locking), Hann windows at 75 % overlap."""
    n_fft, hop = _VOCODER_FFT, _VOCODER_HOP
    window = np.hanning(n_fft + 1)[:-1]
    padded = np.pad(x, (n_fft // 2, n_fft // 2 + n_fft))
    count = 1 + (padded.size - n_fft) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:count] * window
    spec = np.fft.rfft(frames, axis=1)
    steps = np.arange(0, count - 1, rate)
    expected = 2 * np.pi * hop * np.arange(n_fft // 2 + 1) / n_fft  # each bin's phase advance per hop
    phase = np.angle(spec[0])
    out = np.zeros((steps.size, n_fft // 2 + 1), complex)
    for k, t in enumerate(steps):
        i = int(t)
        frac = t - i
        left, right = spec[i], spec[i + 1]
        out[k] = ((1 - frac) * np.abs(left) + frac * np.abs(right)) * np.exp(1j * phase)
        delta = np.angle(right) - np.angle(left) - expected
        phase += expected + (delta - 2 * np.pi * np.round(delta / (2 * np.pi)))
    frames_out = np.fft.irfft(out, n_fft, axis=1) * window
    length = n_fft + hop * (steps.size - 1)
    y = np.zeros(length)
    norm = np.zeros(length)
    for k in range(steps.size):
        y[k * hop : k * hop + n_fft] += frames_out[k]
        norm[k * hop : k * hop + n_fft] += window**2
    y /= np.where(norm > 1e-8, norm, 1.0)
    return y[n_fft // 2 :]


def _pitch_shift(x: np.ndarray, sr: int, cents: float) -> np.ndarray:
    """``x`` (channels, n) shifted by ``cents``, the same length: stretched by the pitch ratio, then resampled."""
    from .audio import resample

    ratio = 2.0 ** (cents / 1200.0)
    n = x.shape[-1]
    out = np.zeros_like(x, dtype=np.float64)
    for c in range(x.shape[0]):
        stretched = _stretch(x[c], 1.0 / ratio)[: int(round(n * ratio))]
        # played back faster by ``ratio``: as many samples as at sr / ratio, brought back to sr
        back = resample(stretched.astype(np.float32), int(round(sr * ratio)), sr).astype(np.float64)
        m = min(n, back.size)
        out[c, :m] = back[:m]
        # a vocoder without phase locking loses a little level (its bins' phases drift apart): give it back
        before, after = np.sqrt(np.mean(x[c] ** 2)), np.sqrt(np.mean(out[c] ** 2))
        if after > 0:
            out[c] *= before / after
    return out


@dataclass(frozen=True)
class FlatDemo:
    """A take with one phrase sung flat, made in code for the tuning lesson, and where that phrase is.

    Attributes:
        audio: the whole take (or the audio given) with the phrase lowered by ``cents``.
        original: the same audio as it was recorded.
        sr: sample rate, Hz.
        phrase: the phrase's name in the session (``"verse 1b"``).
        start_s: where the phrase starts, seconds into ``audio``.
        end_s: where it ends.
        cents: how far it was pushed (negative is flat).
        take: which take it came from (``"lead_take1"``), or ``"the given audio"``.

    Lesson: course/08-recording.ipynb
    """

    audio: np.ndarray = field(repr=False)
    original: np.ndarray = field(repr=False)
    sr: int
    phrase: str
    start_s: float
    end_s: float
    cents: float
    take: str

    @property
    def phrase_audio(self) -> np.ndarray:
        """The flat phrase alone."""
        return self.audio[..., int(round(self.start_s * self.sr)) : int(round(self.end_s * self.sr))]

    @property
    def original_phrase(self) -> np.ndarray:
        """The phrase as it was recorded."""
        return self.original[..., int(round(self.start_s * self.sr)) : int(round(self.end_s * self.sr))]


def flat_phrase_demo(y=None, sr: int | None = None, *, phrase: str = FLAT_DEMO_PHRASE, take: str = FLAT_DEMO_TAKE,
                     cents: float = FLAT_DEMO_CENTS, session=None) -> FlatDemo:
    """Make a flat phrase honestly: one phrase of a bundled lead take lowered by ``cents`` (35 by default).

    The session's takes were all sung in tune, so a tuning exercise needs a phrase pushed off pitch on
    purpose; this is it, said plainly. By default it lowers *verse 1b* of take 1 by 35 cents with
    :func:`tune` (the rest of the take is untouched). Give ``y`` and ``sr`` (a comp, or another take lined up
    with the takes, bar 3 at 0 s) to flatten that phrase of your own audio instead.

    Raises:
        ParameterError: an unknown phrase or take; ``y`` without ``sr``; audio too short for the phrase.

    Lesson: course/08-recording.ipynb
    """
    from .datasets import shared_session

    session = shared_session() if session is None else session
    phrases = {p.name: p for p in session.phrases}
    if phrase not in phrases:
        raise ParameterError(f"phrase must be one of the session's phrases {sorted(phrases)} (got {phrase!r}).")
    if y is None:
        if take not in session.takes:
            raise ParameterError(f"take must be one of {sorted(session.takes)} (got {take!r}).")
        y, sr, source = np.array(session.takes[take]), session.sr, take
    else:
        if sr is None:
            raise ParameterError("give sr with y: flat_phrase_demo(y, sr), the sample rate of your audio.")
        y, sr, source = ensure_audio(y), check_sr(sr), "the given audio"
    p = phrases[phrase]
    if p.take_end_s * sr > y.shape[-1] + 1:
        raise ParameterError(f"the audio is {y.shape[-1] / sr:.2f} s long, but {phrase} ends {p.take_end_s:.2f} s "
                             "into the takes: give audio that lines up with the whole takes.")
    end_s = min(p.take_end_s, y.shape[-1] / sr)
    flat = tune(y, sr, cents, start_s=p.take_start_s, end_s=end_s)
    return FlatDemo(flat, np.asarray(y, dtype=np.float32), sr, phrase, float(p.take_start_s), float(end_s),
                    float(cents), source)


# --------------------------------------------------------------------------- edit points


def click_db(y, sr: int, at_s: float, window_ms: float = 3.0) -> float:
    """How loud an edit's click is: the peak above 3 kHz within ``window_ms`` of ``at_s``, in dB against the
    loudest such peak in the 200 ms around it (the edit's own neighbourhood, without the edit).

    A butt splice between two takes jumps from one waveform to another and the jump is a click: its highs
    stand well above the music's (+10 dB and more). A crossfade of a few milliseconds smooths the jump away
    and the figure falls below 0 dB: nothing at the edit is brighter than the music around it.

    Raises:
        ParameterError: ``at_s`` too near either end of the audio to compare with its neighbourhood, or
            ``window_ms`` over 24 ms (too long to leave any neighbourhood).

    Lesson: course/08-recording.ipynb
    """
    from .eq import butterworth_highpass_sos, filter_sos_zero_phase

    y = ensure_audio(y)
    sr = check_sr(sr)
    x = as_channels(y).mean(axis=0).astype(np.float64)
    at = int(round(in_range("at_s", at_s, 0.0, x.size / sr, unit="s") * sr))
    w = max(1, int(round(_check_ms(window_ms, "window_ms") * sr / 1000.0)))
    around = int(0.2 * sr)
    if 4 * w >= around // 2:
        raise ParameterError(f"window_ms={window_ms:g} ms is too long: the edit is compared with the music within "
                             "200 ms of it, outside 4 windows; give at most 24 ms (a few ms suits a click).")
    if at - around < 0 or at + around > x.size:
        raise ParameterError(f"at_s={at_s:g} s is within 200 ms of an end of the audio: give more audio around "
                             "the edit to compare it with.")
    sos = butterworth_highpass_sos(4, min(3000.0, 0.4 * sr), sr)
    high = filter_sos_zero_phase(sos, x[None, at - around : at + around])[0].astype(np.float64)
    centre = around
    peak = np.max(np.abs(high[centre - w : centre + w]))
    context = np.concatenate([high[: centre - 4 * w], high[centre + 4 * w :]])
    return float(amp_to_db(peak) - amp_to_db(np.max(np.abs(context))))


def nudge(y, sr: int, ms: float) -> np.ndarray:
    """Slide audio later by ``ms`` milliseconds (earlier when negative), keeping its length; silence fills
    the gap, as dragging a region on the timeline does.

    Lesson: course/08-recording.ipynb
    """
    y = ensure_audio(y)
    sr = check_sr(sr)
    ms = in_range("ms", ms, -60000.0, 60000.0, unit="ms", hint="positive is later, negative earlier")
    n = int(round(ms * sr / 1000.0))
    out = np.zeros_like(y)
    length = y.shape[-1]
    if abs(n) < length:
        if n >= 0:
            out[..., n:] = y[..., : length - n]
        else:
            out[..., :n] = y[..., -n:]
    return out
