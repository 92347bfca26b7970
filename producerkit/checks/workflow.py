"""Checkers for the workflow lesson: comping, de-humming, the balance, the master, the plan, who leads.

The answers come from the same data the lesson shows: the bundled session's manifest (which take
flubs which phrase, where the hum sits) and :data:`producerkit.stages.STAGES` (who leads each
stage), so the lesson and its checkers cannot disagree.

Lesson: course/04-workflow.ipynb
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np

from ..datasets import shared_session as _session
from ..mix import PEAK_MAX_DBFS
from ._feedback import Feedback, as_number, is_unanswered, right, unanswered, wrong
from .welcome import LEADS_HINT, LEADS_RIGHT, _unknown_stage, stage_aliases, which_engineer

# --------------------------------------------------------------------------- exercise data

#: The reasons offered for choosing a take in the comping exercise; only "b" is a reason to keep one.
TAKE_REASONS = {
    "a": "it is the loudest take",
    "b": "it sings the right notes, in time with the band",
    "c": "it is the last take, so the singer was warmed up",
}
RIGHT_TAKE_REASON = "b"
#: A take further than this from the grid (ms) is late or early enough to hear as a mistake.
TAKE_TIMING_LIMIT_MS = 50.0

#: Every hum line (the mains frequency and the harmonics the manifest lists) must drop this much.
HUM_REDUCTION_DB = 25.0
#: The voice counts as intact when each octave from 250 Hz to 8 kHz stays this close to the clean take.
VOICE_TOLERANCE_DB = 1.0
VOICE_OCTAVES_HZ = (250.0, 500.0, 1000.0, 2000.0, 4000.0)
#: A line down at least this much has a notch on or near it (less: the notch is elsewhere, or missing).
NOTCH_REACHES_DB = 3.0
#: Notches narrow enough for hum leave the bands between the lines within this many dB (q=30 leaves 0.0,
#: q=5 0.8, q=2 4.6 on the lesson's take).
BETWEEN_LINES_TOLERANCE_DB = 3.0

#: The rough mix the mixing exercise starts from: drums pushed, lead buried (fader dB per stem).
ROUGH_MIX_DB = {
    "kick": 3.0, "snare": 2.0, "overheads": -3.0, "bass": 0.0,
    "keys": -3.0, "pad": -3.0, "guitar": -3.0, "lead": -18.0,
}
#: The mixing exercise's excerpt: this many bars from the first chorus (as MixerDesk's default).
MIX_EXCERPT_BARS = 4
#: The mix hands mastering peaks below this: the gain-staging rule of :mod:`producerkit.mix`, which is
#: also the mixing stage's deliverable ("peaks below -3 dBFS").
MIX_PEAK_MAX_DBFS = PEAK_MAX_DBFS
#: The course's yardstick for a lead vocal: its loudness minus the rest of the band's, in LU.
#: Below the range it is buried; above it, it floats on top of the band like karaoke.
LEAD_RANGE_LU = (-6.0, 1.0)
#: A part quieter than this many LU under the whole mix is effectively switched off.
INAUDIBLE_BELOW_MIX_LU = 35.0
FADER_RANGE_DB = (-60.0, 12.0)

#: A master passes when its integrated loudness is this close to the platform's reference.
MASTER_TOLERANCE_LU = 0.5

def _fmt_db(x: float) -> str:
    return f"{x:+.1f}"


# --------------------------------------------------------------------------- comping: which take


def _take_number(value, count: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer | float | np.floating):
        number = as_number(value)
        if number is None or number != int(number):
            return None
        number = int(number)
    elif isinstance(value, str):
        found = re.findall(r"\d+", value)
        if len(found) != 1:
            return None
        number = int(found[0])
    else:
        return None
    return number if 1 <= number <= count else None


def _phrase(name: str):
    for p in _session().phrases:
        if p.name == name:
            return p
    raise KeyError(name)


def check_take_choice(take, reason=None, phrase: str = "verse 1c") -> Feedback:
    """Which take of ``phrase`` goes in the comp (a number from 1), and why (a key of :data:`TAKE_REASONS`).

    Any take that sings the right notes within :data:`TAKE_TIMING_LIMIT_MS` of the grid is right;
    the manifest says which take flubs the phrase and how late each take is.

    Lesson: course/04-workflow.ipynb
    """
    if is_unanswered(take) and is_unanswered(reason):
        return unanswered(f"which take you would keep for {phrase}, and why")
    try:
        ph = _phrase(phrase)
    except KeyError:
        names = ", ".join(p.name for p in _session().phrases)
        return wrong(f"there is no phrase called {phrase!r}; the phrases are {names}.")
    names = sorted(ph.takes)  # lead_take1, lead_take2, ...
    count = len(names)
    if is_unanswered(take):
        return Feedback(None, f"no take chosen yet for {phrase}.", f"set the take to a number from 1 to {count}.")
    number = _take_number(take, count)
    if number is None:
        return wrong(f"give the take as a number from 1 to {count} (got {take!r}).", "for example 2 for take 2.")
    info = ph.takes[names[number - 1]]
    offset = float(info["offset_ms"])
    good = [
        i + 1 for i, n in enumerate(names)
        if not ph.takes[n]["flub"] and abs(float(ph.takes[n]["offset_ms"])) <= TAKE_TIMING_LIMIT_MS
    ]
    others = " or ".join(f"take {n}" for n in good)
    if info["flub"]:
        return wrong(
            f"take {number} flubs {phrase}: it sings a wrong note, and it comes in {abs(offset):.0f} ms "
            f"{'late' if offset > 0 else 'early'}. A comp is where that take gets left out.",
            f"listen to the end of the phrase in the A/B again, then choose {others}.",
        )
    if abs(offset) > TAKE_TIMING_LIMIT_MS:
        return wrong(
            f"take {number} is {abs(offset):.0f} ms {'late' if offset > 0 else 'early'} in {phrase}: "
            "you hear that as a mistake.",
            f"choose {others}.",
        )
    best = int(ph.best_take.rsplit("take", 1)[-1])
    timing = f"{abs(offset):.0f} ms {'late' if offset > 0 else 'early'}"
    about = (
        f"take {number} sings the right notes and is only {timing} against the grid"
        + (", the tightest of the takes" if number == best else f"; take {best} is even tighter")
    )
    if is_unanswered(reason):
        return Feedback(None, f"{about}. Now say why you keep it.", "set the reason to a, b or c.")
    key = str(reason).strip().lower().rstrip(")").strip() if isinstance(reason, str) else None
    if key not in TAKE_REASONS:
        return wrong(f"choose the reason by its letter: {', '.join(TAKE_REASONS)} (got {reason!r}).")
    if key == "a":
        return wrong(
            f"good take, wrong reason: level is fixed with clip gain in seconds; {about}. A wrong note "
            "or a late entry is what cannot be fixed.",
            f"pick the reason that is about the performance ({RIGHT_TAKE_REASON}).",
        )
    if key != RIGHT_TAKE_REASON:
        return wrong(
            f"good take, wrong reason: the order the takes were sung in does not matter, what each one "
            f"sounds like does; {about}.",
            f"pick the reason that is about the performance ({RIGHT_TAKE_REASON}).",
        )
    return right(f"{about}. That is what a comp keeps: the right notes, in time.")


# --------------------------------------------------------------------------- hum


def _line_db(x: np.ndarray, sr: int, freq: float) -> float:
    """Amplitude of the sinusoid at ``freq`` over the whole clip (Hann-windowed single-bin DFT), dBFS."""
    n = x.size
    window = np.hanning(n)
    phase = np.exp(-2j * np.pi * freq * np.arange(n) / sr)
    amplitude = 2.0 * abs(np.dot(x * window, phase)) / window.sum()
    return float(20.0 * np.log10(max(amplitude, 1e-12)))


def _octave_levels(x: np.ndarray, sr: int) -> np.ndarray:
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1.0 / sr)
    return np.array([10.0 * np.log10(max(power[(freqs >= lo) & (freqs < 2 * lo)].sum(), 1e-30))
                     for lo in VOICE_OCTAVES_HZ])


def _between_lines_db(x: np.ndarray, sr: int, lines) -> np.ndarray:
    """Level (dB) of the band between each hum line and the next: 1.3 to 1.7 times the fundamental, and on."""
    power = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    freqs = np.fft.rfftfreq(x.size, 1.0 / sr)
    f0 = lines[0]
    return np.array([10.0 * np.log10(max(power[(freqs >= (k + 0.3) * f0) & (freqs < (k + 0.7) * f0)].sum(), 1e-30))
                     for k in range(1, len(lines) + 1)])


def hum_reference():
    """The hum exercise's material: (hum take, clean take, sr, hum lines in Hz), from the manifest.

    Lesson: not yet taught
    """
    s = _session()
    problem = next(p for p in s.problems if p.kind == "hum")
    hum = s.variants[problem.variant]
    start = s.bar_to_sample(problem.bars[0] - s.takes_start_bar)
    clean = s.takes[problem.clean][start:start + hum.size]
    lines = tuple(sorted(float(f) for f in problem.details.get("harmonics_dbfs", {problem.freq: None})))
    return hum, clean, s.sr, lines


@lru_cache(maxsize=1)
def _hum_lines_db() -> dict[float, float]:
    hum, _clean, sr, lines = hum_reference()
    return {f: _line_db(hum.astype(np.float64), sr, f) for f in lines}


@lru_cache(maxsize=1)
def _clean_octaves_db() -> np.ndarray:
    _hum, clean, sr, _lines = hum_reference()
    return _octave_levels(clean.astype(np.float64), sr)


def check_hum_removed(y, sr=None) -> Feedback:
    """Is the hum gone from take 2 (every hum line down :data:`HUM_REDUCTION_DB`) with the voice intact?

    ``y`` is the whole hum take after your fix (same length). The voice is intact when every octave
    from 250 Hz to 8 kHz is within :data:`VOICE_TOLERANCE_DB` of the clean take, and the notches are
    narrow: the bands between the lines stay within :data:`BETWEEN_LINES_TOLERANCE_DB`.

    Lesson: course/04-workflow.ipynb
    """
    if is_unanswered(y):
        return unanswered("the take with the hum removed (dehummed = remove_hum(hum_take, sr, ...))")
    from ..audio import ensure_audio, to_mono
    from ..errors import ProducerkitError

    try:
        x = to_mono(ensure_audio(y, allow_transposed=True))
    except ProducerkitError as exc:
        return wrong(f"that is not audio: {exc}", "pass the array remove_hum returns.")
    hum, clean, session_sr, lines = hum_reference()
    if sr is not None and sr != session_sr:
        return wrong(f"the take runs at {session_sr} Hz (got sr={sr!r}).", "pass the session's sr.")
    if x.size != hum.size:
        return wrong(
            f"your audio is {x.size / session_sr:.2f} s long but the hum take is {hum.size / session_sr:.2f} s: "
            "fix the whole take, without trimming it.",
        )
    x = x.astype(np.float64)
    before = _hum_lines_db()
    reductions = {f: before[f] - _line_db(x, session_sr, f) for f in lines}
    fundamental = lines[0]
    if reductions[fundamental] < HUM_REDUCTION_DB:
        short = (f"the {fundamental:g} Hz hum is only {reductions[fundamental]:.1f} dB lower; it needs to drop "
                 f"{HUM_REDUCTION_DB:g} dB or more to disappear in the gaps")
        if reductions[fundamental] < NOTCH_REACHES_DB:  # no notch near the line at all
            return wrong(f"{short}.", f"the spectrum shows the hum at {fundamental:g} Hz: notch that frequency "
                         f"(freq={fundamental:g}).")
        second = reductions[lines[1]] if len(lines) > 1 else 0.0
        if 1.0 <= second < reductions[fundamental] - 2.0:  # each harmonic missed by more: the notches are off
            return wrong(f"{short}: your notch is near the line but not on it, and it misses each harmonic by "
                         "more.", f"read the frequency off the plot exactly: freq={fundamental:g}.")
        return wrong(f"{short}: your notch sits on the line but is too narrow to take it all out.",
                     "keep q=30 (the default): a higher q makes the notch narrower than the hum line.")
    left = [f for f in lines[1:] if reductions[f] < HUM_REDUCTION_DB]
    if left:
        f = left[0]
        level = _line_db(x, session_sr, f)
        return wrong(
            f"the {fundamental:g} Hz fundamental is down {reductions[fundamental]:.0f} dB, but its harmonic at "
            f"{f:g} Hz is only {reductions[f]:.1f} dB lower (still {level:.0f} dBFS): hum is a stack of harmonics.",
            f"notch the harmonics too: harmonics={len(lines)} or more.",
        )
    between = _between_lines_db(x, session_sr, lines) - _between_lines_db(hum.astype(np.float64), session_sr, lines)
    if float(np.min(between)) < -BETWEEN_LINES_TOLERANCE_DB:
        k = int(np.argmin(between))
        lo, hi = (k + 1.3) * fundamental, (k + 1.7) * fundamental
        return wrong(
            f"the hum is gone, but so is some of what lies between its lines: {lo:g}–{hi:g} Hz is "
            f"{-between[k]:.1f} dB lower too, where a bass note or a low voice would be. Hum is narrow lines: "
            "notch only them.",
            "use narrow notches: keep q=30 (the default).",
        )
    diff = _octave_levels(x, session_sr) - _clean_octaves_db()
    worst = int(np.argmax(np.abs(diff)))
    if abs(diff[worst]) > VOICE_TOLERANCE_DB:
        lo = VOICE_OCTAVES_HZ[worst]
        band = f"{lo:g}–{2 * lo:g} Hz"
        if diff[worst] < 0:
            return wrong(
                f"the hum is gone, but so is some of the voice: the {band} octave is {-diff[worst]:.1f} dB "
                "quieter than the clean take.",
                "use narrow notches (a higher q, e.g. the default 30) or keep any high-pass below about 200 Hz.",
            )
        return wrong(
            f"the hum is gone, but the {band} octave is {diff[worst]:.1f} dB louder than the clean take: "
            "de-humming should leave the voice as it was.",
            "remove only the hum; leave EQ moves for the mix.",
        )
    drops = ", ".join(f"{f:g} Hz down {reductions[f]:.0f} dB" for f in lines)
    return right(
        f"the hum is gone ({drops}) and the voice is within {np.max(np.abs(diff)):.1f} dB of the clean take "
        "in every octave from 250 Hz to 8 kHz."
    )


# --------------------------------------------------------------------------- the balance


def mix_excerpt_bars() -> tuple[int, int]:
    """The mixing exercise's excerpt as song bars [start, end): :data:`MIX_EXCERPT_BARS` from the first chorus.

    Lesson: not yet taught
    """
    s = _session()
    start = next((sec.start_bar for sec in s.sections if sec.name == "chorus"), 0)
    return start, start + MIX_EXCERPT_BARS


def mixer_from_faders(faders: dict | None = None):
    """A :class:`producerkit.mix.Mixer` of the exercise's excerpt: the rough mix with ``faders`` (dB) changed.

    Raises:
        ParameterError: an unknown channel or a fader that is not a number within -60..+12 dB.

    Lesson: not yet taught
    """
    from ..errors import ParameterError
    from ..mix import Mixer, Track

    s = _session()
    gains = dict(ROUGH_MIX_DB)
    for name, value in (faders or {}).items():
        if name not in gains:
            raise ParameterError(f"there is no channel called {name!r}; the channels are {', '.join(gains)}.")
        number = as_number(value)
        if number is None or not FADER_RANGE_DB[0] <= number <= FADER_RANGE_DB[1]:
            raise ParameterError(
                f"the {name} fader must be a number of dB from {FADER_RANGE_DB[0]:g} to {FADER_RANGE_DB[1]:+g} "
                f"(got {value!r})."
            )
        gains[name] = number
    first, last = mix_excerpt_bars()
    a, b = s.bar_to_sample(first), s.bar_to_sample(last)
    return Mixer([Track(n, s.stems[n][a:b], gain_db=gains[n], sr=s.sr) for n in s.stems], s.sr)


def check_mix_balance(mix) -> Feedback:
    """Is the balance ready for mastering? Every part playing, the lead on top of the band, headroom left.

    ``mix`` is a dict of fader settings in dB (changes to :data:`ROUGH_MIX_DB` on the exercise's
    excerpt), a :class:`producerkit.mix.Mixer`, or a desk with ``to_mixer()`` (a ``MixerDesk``).
    Right when no track is muted or switched off, the mix bus peaks at or below
    :data:`MIX_PEAK_MAX_DBFS`, and the lead's loudness minus the rest of the band's is within
    :data:`LEAD_RANGE_LU`.

    Lesson: course/04-workflow.ipynb
    """
    if is_unanswered(mix):
        return unanswered("your fader settings, e.g. {'lead': -4, 'kick': -8}, or the desk itself")
    from .. import meters
    from ..errors import ProducerkitError
    from ..mix import Mixer

    try:
        if isinstance(mix, dict):
            mixer = mixer_from_faders(mix)
        elif isinstance(mix, Mixer):
            mixer = mix
        elif callable(getattr(mix, "to_mixer", None)):
            mixer = mix.to_mixer()
        else:
            return wrong(
                f"give a dict of fader settings in dB, a Mixer or the desk (got {type(mix).__name__}).",
                "for example {'lead': -4, 'kick': -8}.",
            )
        names = [t.name for t in mixer.tracks]
        if "lead" not in names:
            return wrong(f"the mix needs a track called 'lead' (the tracks are {', '.join(names)}).")
        stems = mixer.stems()
        total = mixer.render()
    except ProducerkitError as exc:
        return wrong(str(exc))
    sr = mixer.sr

    silent = [t.name for t in mixer.tracks if t.name not in stems]
    if silent:
        what = "muted or left out by a solo"
        return wrong(
            f"{', '.join(silent)} {'is' if len(silent) == 1 else 'are'} {what}: balance the whole band.",
            "unmute everything and clear the solos, then set the faders.",
        )
    peak = float(20.0 * np.log10(max(float(np.max(np.abs(total))), 1e-12)))
    mix_lufs = meters.integrated_loudness(total, sr)
    lufs = {name: meters.integrated_loudness(y, sr) for name, y in stems.items()}
    rest = sum(y for name, y in stems.items() if name != "lead")
    rest_lufs = meters.integrated_loudness(rest, sr) if not isinstance(rest, int) else -math.inf
    hidden = [n for n, v in lufs.items() if not math.isfinite(v) or v < mix_lufs - INAUDIBLE_BELOW_MIX_LU]
    if hidden:
        return wrong(
            f"you can barely hear {', '.join(hidden)} (more than {INAUDIBLE_BELOW_MIX_LU:g} LU under the mix): "
            "a fader that low is a part switched off.",
            "bring it up until you can hear it in the band, or agree with the producer to cut the part.",
        )
    rel = lufs["lead"] - rest_lufs
    low, high = LEAD_RANGE_LU
    centre = 0.5 * (low + high)
    if peak > 0.0:
        clips = f"the mix bus clips: it peaks at {_fmt_db(peak)} dBFS, over full scale"
        if low <= rel <= high:
            return wrong(f"{clips}.", f"pull every fader down by {peak - MIX_PEAK_MAX_DBFS:.1f} dB or more (keep "
                         "the balance, lose the level).")
        if rel > high:
            balance = f"the lead floats {rel:.1f} LU above the band"
            move = f"lower the lead by about {rel - centre:.0f} dB"
        else:
            balance, move = f"the lead is buried {-rel:.1f} LU under the band", "pull the band down around the lead"
        return wrong(
            f"{clips}, and the balance is off too: {balance} (it should sit between {-low:g} LU under and "
            f"{high:g} LU over).",
            f"fix the balance first ({move}), then pull the faders down until the bus peaks below "
            f"{MIX_PEAK_MAX_DBFS:g} dBFS.",
        )
    if rel < low:
        return wrong(
            f"the lead is buried: {-rel:.1f} LU under the rest of the band; it should sit no more than "
            f"{-low:g} LU under it.",
            f"raise the lead by about {centre - rel:.0f} dB, or pull the band down"
            + (" (the mix bus is hot too)." if peak > MIX_PEAK_MAX_DBFS else "."),
        )
    if rel > high:
        return wrong(
            f"the lead floats {rel:.1f} LU above the band, karaoke-style: it should sit on the band, "
            f"not on top of it (at most {high:g} LU above).",
            f"lower the lead by about {rel - centre:.0f} dB.",
        )
    if peak > MIX_PEAK_MAX_DBFS:
        return wrong(
            f"the balance works, but the mix bus peaks at {peak:.1f} dBFS: mastering needs the mix to peak "
            f"below {MIX_PEAK_MAX_DBFS:g} dBFS.",
            f"pull every fader down by {peak - MIX_PEAK_MAX_DBFS:.1f} dB or more.",
        )
    where = f"{-rel:.1f} LU under" if rel < 0 else f"{rel:.1f} LU over"
    return right(
        f"the lead sits {where} the rest of the band, every part plays, and the mix bus peaks at {peak:.1f} dBFS: "
        f"{-peak:.1f} dB of headroom for mastering."
    )


# --------------------------------------------------------------------------- the master


def check_master(audio, sr=None, target="spotify") -> Feedback:
    """Is the master at the platform's loudness (±:data:`MASTER_TOLERANCE_LU`) and under its true-peak ceiling?

    ``audio`` is the master (or the ``(audio, report)`` pair :func:`producerkit.master.master` returns);
    ``target`` a platform of :func:`producerkit.master.targets`. With the pair, the limiter's ceiling you
    set (``report.ceiling_dbtp``) must also be at or under the platform's: a quiet master's peaks may sit
    under any ceiling, but the setting is what protects the next, louder song. With audio alone only the
    measured true peak can be judged, and the verdict says when the limiter had nothing to do.

    Lesson: course/04-workflow.ipynb
    """
    report = None
    if isinstance(audio, tuple) and len(audio) == 2 and hasattr(audio[1], "output_lufs"):
        audio, report = audio
    if is_unanswered(audio):
        return unanswered("your master (the audio master() returns)")
    from .. import meters
    from ..audio import check_sr, ensure_audio
    from ..errors import ProducerkitError
    from ..master import get_target

    try:
        platform = get_target(target)
        if sr is None:
            return wrong("give the sample rate too: check_master(audio, sr).")
        sr = check_sr(sr)
        y = ensure_audio(audio, allow_transposed=True)
    except ProducerkitError as exc:
        return wrong(str(exc))
    if y.shape[-1] < int(0.4 * sr):
        return wrong("the master is shorter than 400 ms: too short to measure its loudness.")
    lufs = float(meters.integrated_loudness(y, sr))
    if not math.isfinite(lufs) or lufs <= -70.0:
        return wrong("the master is silent: nothing to deliver.", "master the mix, not an empty array.")
    tp = float(meters.true_peak(y, sr))
    ref, ceiling, name = platform.integrated_lufs, platform.true_peak_dbtp, platform.name
    d = lufs - ref
    if d > MASTER_TOLERANCE_LU and platform.kind == "broadcast":
        return wrong(
            f"you're {d:.1f} LU too loud ({lufs:.1f} LUFS): broadcast delivery must be at {ref:g} LUFS "
            f"±{platform.tolerance_lu:g} LU, or the broadcaster rejects it.",
            f"master to {ref:g} LUFS: target_lufs={ref:g}.",
        )
    if d > MASTER_TOLERANCE_LU:
        return wrong(
            f"you're {d:.1f} LU too loud ({lufs:.1f} LUFS): {name} will turn it down by {d:.1f} dB, and the "
            "extra limiting stays. You lose punch for nothing.",
            f"master to {ref:g} LUFS: target_lufs={ref:g}.",
        )
    if d < -MASTER_TOLERANCE_LU:
        if platform.kind == "broadcast":
            then = f"the broadcaster will reject it or normalise it to {ref:g} LUFS."
        elif platform.raises_quiet:
            then = f"{name} raises quiet masters only as far as their peaks allow, so it may still sound quiet."
        else:
            then = f"{name} does not turn quiet masters up: it plays {-d:.1f} dB quieter than its neighbours."
        return wrong(f"you're {-d:.1f} LU too quiet ({lufs:.1f} LUFS): {then}", f"master to {ref:g} LUFS: "
                     f"target_lufs={ref:g}.")
    if tp > ceiling + 1e-6:
        return wrong(
            f"the loudness is right ({lufs:.1f} LUFS), but the true peak is {tp:.2f} dBTP, over {name}'s "
            f"{ceiling:g} dBTP ceiling: the lossy encode may clip.",
            f"set the limiter's ceiling: ceiling_dbtp={ceiling:g}.",
        )
    set_ceiling = None if report is None else as_number(getattr(report, "ceiling_dbtp", None))
    if set_ceiling is not None and set_ceiling > ceiling + 1e-6:
        return wrong(
            f"the loudness is right ({lufs:.1f} LUFS) and the true peak is {tp:.2f} dBTP, but you set the limiter's "
            f"ceiling to {set_ceiling:g} dBTP, above {name}'s {ceiling:g} dBTP. On this mix the peaks stayed under "
            "it anyway; on a louder song that setting lets them through.",
            f"set the ceiling to the platform's: ceiling_dbtp={ceiling:g}.",
        )
    hint = ""
    loud = platform.loud_true_peak_dbtp
    if loud is not None and lufs > ref and tp > loud:
        hint = (f"{name} asks for {loud:g} dBTP from masters louder than {ref:g} LUFS; yours is {d:.2f} LU over, "
                "so its QC may flag the peak.")
    off = f"{d:+.2f} LU from the target" if abs(d) >= 0.005 else "on the target"
    headroom = ceiling - tp
    if headroom >= 0.5:  # the limiter never reached the ceiling: say so, so the student knows what was tested
        peaks = (f"the peaks stay at {tp:.2f} dBTP, {headroom:.2f} dB under {name}'s {ceiling:g} dBTP ceiling, so at "
                 "this loudness the limiter had nothing to do")
        peaks += "." if set_ceiling is not None else (
            "; pass the whole (audio, report) pair master() returns and the check reads the ceiling you set too.")
        return right(f"{lufs:.1f} LUFS ({off}): ready for {name}; {peaks}", hint)
    return right(f"{lufs:.1f} LUFS ({off}) with the true peak at {tp:.2f} dBTP: ready for {name}.", hint)


# --------------------------------------------------------------------------- planning


def _window_hint(project, key: str) -> tuple[str, str] | None:
    """(message, hint) when ``key``'s sessions sit outside the dates the other stages leave them, else None.

    The earliest start is the day after the last stage it needs ends; the latest is the one that still
    ends the day before the first stage that needs it starts. The hint names the one date that fixes it.
    """
    import datetime as dt

    from ..planning import _NEEDS, _and, _short

    span = project.stage_span(key)
    if span is None:
        return None
    start, end = span
    needs = [(n, project.stage_span(n)) for n in _NEEDS.get(key, ())]
    needs = [(n, sp) for n, sp in needs if sp is not None]
    then = [(k, project.stage_span(k)) for k, ns in _NEEDS.items() if key in ns]
    then = [(k, sp) for k, sp in then if sp is not None]
    name = _short(key)
    late = [n for n, sp in needs if start <= sp[1]]
    if late:
        last = max(late, key=lambda n: project.stage_span(n)[1])
        last_end = project.stage_span(last)[1]
        earliest = last_end + dt.timedelta(days=1)
        return (
            f"{name.capitalize()} starts {start.isoformat()}, before the {_and(late)} it needs "
            f"{'is' if len(late) == 1 else 'are'} done: the {_short(last)} ends {last_end.isoformat()}.",
            f"move {name} to {earliest.isoformat()} or later (after the {_short(last)}).",
        )
    clash = [(k, sp) for k, sp in then if sp[0] <= end]
    if clash:
        k, sp = min(clash, key=lambda item: item[1][0])
        latest = start + (sp[0] - end) - dt.timedelta(days=1)
        days = (end - start).days + 1
        return (
            f"{name.capitalize()} runs {start.isoformat()} to {end.isoformat()}, but the {_short(k)} that needs "
            f"it finished starts {sp[0].isoformat()}.",
            f"start {name} earlier: its {days} day{'s' if days != 1 else ''} must end before the {_short(k)} "
            f"on {sp[0].isoformat()}, so start it by {latest.isoformat()}.",
        )
    return None


def check_project(project, moving: str | None = None) -> Feedback:
    """Does the plan work? No errors from :meth:`producerkit.planning.Project.check` (warnings are reported).

    ``moving`` names the one stage the exercise lets you move (the lesson's plan moves only mixing):
    when that stage sits outside the dates the others leave it, the hint names the one date that fixes
    it, and never asks to move another stage.

    Lesson: course/04-workflow.ipynb
    """
    if is_unanswered(project):
        return unanswered("your plan (a Project)")
    from .. import business
    from ..planning import Project

    if not isinstance(project, Project):
        return wrong(f"give a Project (got {type(project).__name__}).", "build it with Project(...) or the "
                     "lesson's plan function.")
    if moving is not None:
        key = _stage_key(moving)
        if key is None:
            return _unknown_stage(moving, "name the stage the plan moves, e.g. moving='mixing'.")
        window = _window_hint(project, key)
        if window is not None:
            return wrong(*window)
    report = project.check()
    errors, warnings = report.failures, report.warnings
    if errors:
        more = f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} after this one)" \
            if len(errors) > 1 else ""
        return wrong(f"{errors[0].message}{more}", errors[0].fix + ".")
    spans = {key: project.stage_span(key) for key in ("recording", "mixing", "mastering")}
    order = (f"recording ends {spans['recording'][1].isoformat()}, mixing runs {spans['mixing'][0].isoformat()} "
             f"to {spans['mixing'][1].isoformat()} and mastering starts {spans['mastering'][0].isoformat()}")
    budget = project.budget()
    money = f", within the budget ({business.money(budget.remaining, budget.currency)} to spare)" \
        if budget.remaining is not None and budget.remaining >= 0 else ""
    hint = f"still worth a look: {warnings[0].message}" if warnings else ""
    return right(f"the plan works: {order}{money}.", hint)


def _stage_key(name) -> str | None:
    """A stage key from its key or any of its names: "mixing", "Pre-production", "tracking", "sound design".

    The same vocabulary the welcome lesson's checkers accept (:func:`producerkit.checks.welcome.stage_aliases`).
    """
    if not isinstance(name, str):
        return None
    return stage_aliases().get(re.sub(r"[^a-z0-9]", "", name.lower()))


def check_stage_leads(leads) -> Feedback:
    """Who leads each stage: a dict of stage (key or name) -> role, checked against :data:`STAGES`.

    Roles are those of :data:`producerkit.stages.LEAD_ROLES`, read with :func:`producerkit.stages.lead_role`
    (the vocabulary lesson 00's checker uses: "mix engineer" is the mixing engineer). Stages left as ``...``
    count as not answered yet.

    Lesson: course/04-workflow.ipynb
    """
    if is_unanswered(leads):
        return unanswered("who leads each stage?")
    from ..stages import LEAD_ROLES, lead_role, stage

    if not isinstance(leads, dict):
        return wrong(f"give a dict of stage -> role (got {type(leads).__name__}).",
                     "for example {'mixing': 'mixing engineer'}.")
    answered, missing, wrong_rows = 0, [], []
    for name, value in leads.items():
        key = _stage_key(name)
        if key is None:
            return _unknown_stage(name, "use the stage keys shown in the stages table.")
        if is_unanswered(value):
            missing.append(key)
            continue
        role = lead_role(value)
        if role is None:
            if which_engineer(value):
                st = stage(key)
                if "engineer" in st.lead:
                    return wrong(f"{value!r} for {st.name}: which engineer?",
                                 "say 'recording engineer', 'mixing engineer' or 'mastering engineer'.")
                return wrong(f"{value!r} for {st.name}: an engineer may work on it, but does an engineer make "
                             "its decisions?", f"think about who decides what {st.name.lower()} keeps and "
                             f"what it changes; the roles are: {', '.join(LEAD_ROLES)}.")
            return wrong(f"{value!r} is not one of the roles: {', '.join(LEAD_ROLES)}.")
        answered += 1
        st = stage(key)
        if role != st.lead:
            wrong_rows.append((st, role))
    if wrong_rows:
        st, role = wrong_rows[0]
        others = f" ({len(wrong_rows) - 1} more to fix)" if len(wrong_rows) > 1 else ""
        return wrong(
            f"{st.name} is not led by the {role}: it is led by the {st.lead}{others}. {st.lead_note}",
            f"think about who makes each stage's decisions: {LEADS_HINT[0].lower()}{LEADS_HINT[1:]} If you're "
            "stuck, the stages table at the top of the lesson has the answers.",
        )
    if missing and not answered:
        return unanswered("who leads each stage?")
    if missing:
        return Feedback(None, f"{answered} right so far; still to answer: {', '.join(missing)}.",
                        "replace each ... with a role.")
    return right(f"all {answered} right: {LEADS_RIGHT}")
