"""Arrangement: song sections, which layers play where, energy and contrast, and structure from audio.

An :class:`Arrangement` is a list of :class:`Section` objects (a name, a length in bars and the
layers, i.e. stems, that play). Edits return a new arrangement, so a lesson can hold the
original and a variation side by side and hear both with :meth:`Arrangement.render`.

For audio someone else made, :func:`find_sections` estimates where the sections change and which
ones repeat (A, B, A, ...), and :func:`estimate_tempo` finds the tempo.

Lessons: 03, 04
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ._validate import in_range, whole
from .audio import check_sr, ensure_audio, power_to_db, to_mono
from .errors import ParameterError

# --------------------------------------------------------------------------- tempo and grid


def _check_bpm(bpm) -> float:
    return in_range("bpm", bpm, 20, 400, unit="bpm", hint="the tempo in beats per minute, such as 100")


def _check_time_signature(time_signature) -> tuple[int, int]:
    try:
        beats, unit = (int(v) for v in time_signature)
    except (TypeError, ValueError):
        raise ParameterError(
            f"time_signature must be a pair such as (4, 4) or (6, 8) (got {time_signature!r})."
        ) from None
    if beats < 1 or beats > 32 or unit not in (1, 2, 4, 8, 16, 32):
        raise ParameterError(
            f"time_signature {beats}/{unit} is not a metre; use beats per bar 1–32 over 1, 2, 4, 8, 16 or 32."
        )
    return beats, unit


def seconds_per_bar(bpm: float, time_signature=(4, 4)) -> float:
    """Length of one bar in seconds, with ``bpm`` counting quarter notes.

    At 100 BPM in 4/4 a bar lasts 2.4 s; in 6/8 (six eighths, three quarters) 1.8 s.

    Lesson: not yet taught
    """
    beats, unit = _check_time_signature(time_signature)
    return beats * (4 / unit) * 60.0 / _check_bpm(bpm)


def bars_to_seconds(bars, bpm: float, time_signature=(4, 4)):
    """Convert a number of bars (or a bar position counted from 0) to seconds; arrays work too.

    Lesson: course/03-arrangement.ipynb
    """
    out = np.asarray(bars, dtype=np.float64) * seconds_per_bar(bpm, time_signature)
    return float(out) if out.ndim == 0 else out


def seconds_to_bars(seconds, bpm: float, time_signature=(4, 4)):
    """Convert seconds to bars (fractional: 1.5 is halfway through the second bar); arrays work too.

    Lesson: not yet taught
    """
    out = np.asarray(seconds, dtype=np.float64) / seconds_per_bar(bpm, time_signature)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class Grid:
    """The bar and beat grid of a song: times in seconds of every beat and every downbeat.

    Lesson: not yet taught
    """

    bpm: float
    time_signature: tuple[int, int]
    beats_s: np.ndarray
    downbeats_s: np.ndarray

    def nearest_bar(self, time_s: float) -> int:
        """Index (from 0) of the downbeat nearest to ``time_s`` seconds."""
        return int(np.argmin(np.abs(self.downbeats_s - time_s)))


def grid(bpm: float, bars: int, time_signature=(4, 4), offset_s: float = 0.0) -> Grid:
    """The beat and bar grid for ``bars`` bars at ``bpm``, starting at ``offset_s`` seconds.

    Lesson: not yet taught
    """
    bpm = _check_bpm(bpm)
    ts = _check_time_signature(time_signature)
    bars = whole("bars", bars, 1)
    bar_s = seconds_per_bar(bpm, ts)
    beat_s = bar_s / ts[0]
    beats = offset_s + np.arange(int(bars) * ts[0]) * beat_s
    return Grid(bpm, ts, beats, beats[:: ts[0]].copy())


def estimate_tempo(y, sr: int, start_bpm: float = 110.0) -> float:
    """Estimate the tempo in BPM from audio (librosa's onset-strength autocorrelation and beat tracker).

    The estimate is refined from the median interval between the tracked beats, which is more
    precise than the tempogram's coarse bins. Tempo octave errors (half or double) are resolved
    towards ``start_bpm``, the tempo most pop music sits near.

    Lesson: not yet taught
    """
    import librosa

    y = to_mono(ensure_audio(y))
    sr = check_sr(sr)
    hop = 512
    onset_env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop, aggregate=np.median)
    coarse = float(librosa.feature.tempo(onset_envelope=onset_env, sr=sr, hop_length=hop, start_bpm=start_bpm)[0])
    _, beats = librosa.beat.beat_track(onset_envelope=onset_env, sr=sr, hop_length=hop, bpm=coarse, units="time")
    if len(beats) < 8:
        return coarse
    intervals = np.diff(beats)
    typical = np.median(intervals)
    steady = intervals[np.abs(intervals - typical) < 0.1 * typical]
    # a least-squares line through the beat times gives the average period without the jitter
    idx = np.arange(len(beats))
    period = np.polyfit(idx, beats, 1)[0] if steady.size > 0.5 * intervals.size else typical
    return float(60.0 / period)


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    """A section of a song: its name, its length in bars and the layers (stems) that play in it.

    ``source`` names the section of the recorded session whose bars are played (by default the
    name without a trailing number, so "chorus 2" plays the chorus; a name the session uses twice
    means its first occurrence). ``source_bar`` pins the exact session bar to start from instead.
    ``ramp_db`` is a level automation across the section, from its first to its last sample:
    ``(-12, 0)`` swells in.

    Lesson: not yet taught
    """

    name: str
    bars: int
    layers: tuple[str, ...] = ()
    source: str | None = None
    ramp_db: tuple[float, float] = (0.0, 0.0)
    source_bar: int | None = None

    def __post_init__(self):
        if self.source_bar is not None:
            whole(f"section {self.name!r}: source_bar", self.source_bar, 0,
                  hint="bars count from 0 in code, so the session's first bar is 0")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError(f"a section needs a name such as 'verse' (got {self.name!r}).")
        whole(f"section {self.name!r}: bars", self.bars, 1)
        if isinstance(self.layers, str):
            raise ParameterError(
                f"section {self.name!r}: layers must be a list of stem names, e.g. ['kick', 'bass'] "
                f"(got the single string {self.layers!r})."
            )
        object.__setattr__(self, "bars", int(self.bars))
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "ramp_db", tuple(float(v) for v in self.ramp_db))

    @property
    def source_name(self) -> str:
        """The session section this section's audio comes from."""
        return self.source or re.sub(r"[\s_-]*\d+$", "", self.name)


@dataclass(frozen=True)
class SectionEnergy:
    """One section's energy: loudness (LUFS), density (layers making sound) and brightness (spectral centroid, Hz).

    Lesson: course/03-arrangement.ipynb
    """

    name: str
    start_bar: int
    bars: int
    loudness_lufs: float
    density: int
    brightness_hz: float


@dataclass(frozen=True)
class Arrangement:
    """A song's form: an ordered list of sections at a tempo and time signature.

    Every edit returns a new arrangement; the original stays as it was.

    Lessons: 03, 04
    """

    bpm: float
    time_signature: tuple[int, int] = (4, 4)
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def __post_init__(self):
        object.__setattr__(self, "bpm", _check_bpm(self.bpm))
        object.__setattr__(self, "time_signature", _check_time_signature(self.time_signature))
        sections = tuple(self.sections)
        for s in sections:
            if not isinstance(s, Section):
                raise ParameterError(f"sections must be Section objects (got {type(s).__name__}).")
        object.__setattr__(self, "sections", sections)

    # ----------------------------------------------------------------- reading

    @classmethod
    def from_session(cls, session, threshold_db: float = -50.0) -> Arrangement:
        """The session's own arrangement: its sections, with the stems that are audible in each.

        A stem counts as playing in a section when its RMS there is above ``threshold_db`` dBFS.

        Lessons: 03, 04
        """
        ts = tuple(session.time_signature)
        bar_n = seconds_per_bar(session.bpm, ts) * session.sr
        sections = []
        for sec in session.sections:
            name, start, bars = _section_fields(sec)
            a, b = int(round(start * bar_n)), int(round((start + bars) * bar_n))
            layers = []
            for stem_name, stem in session.stems.items():
                part = stem[..., a:b]  # only the section's samples: each stem checked once, not once a section
                part = to_mono(part) if part.size else part
                if part.size and power_to_db(np.mean(np.square(part, dtype=np.float64))) > threshold_db:
                    layers.append(stem_name)
            sections.append(Section(name, bars, tuple(layers), source=name, source_bar=start))
        return cls(session.bpm, ts, tuple(sections))

    @property
    def bars(self) -> int:
        """Total length in bars."""
        return sum(s.bars for s in self.sections)

    @property
    def duration_s(self) -> float:
        """Total length in seconds."""
        return self.bars * seconds_per_bar(self.bpm, self.time_signature)

    @property
    def layers(self) -> tuple[str, ...]:
        """Every layer used anywhere, in first-use order."""
        seen: dict[str, None] = {}
        for s in self.sections:
            seen.update(dict.fromkeys(s.layers))
        return tuple(seen)

    def start_bars(self) -> list[int]:
        """The bar (from 0) at which each section starts."""
        return list(np.cumsum([0] + [s.bars for s in self.sections[:-1]]).astype(int))

    def describe(self) -> str:
        """The form in one line, e.g. ``intro (4) · verse (8) · chorus (8)``."""
        return " · ".join(f"{s.name} ({s.bars})" for s in self.sections)

    def __len__(self) -> int:
        return len(self.sections)

    def __iter__(self):
        return iter(self.sections)

    def __getitem__(self, key):
        return self.sections[self._index(key)] if isinstance(key, str) else self.sections[key]

    def _index(self, key) -> int:
        if isinstance(key, int) and not isinstance(key, bool):
            if -len(self.sections) <= key < len(self.sections):
                return key % len(self.sections)
            raise ParameterError(f"there is no section {key}; this arrangement has {len(self.sections)}.")
        for i, s in enumerate(self.sections):
            if s.name == key:
                return i
        names = ", ".join(repr(s.name) for s in self.sections) or "none"
        raise ParameterError(f"there is no section named {key!r}; the sections are {names}.")

    # ----------------------------------------------------------------- edits (each returns a new arrangement)

    def _with(self, sections: Iterable[Section]) -> Arrangement:
        return replace(self, sections=tuple(sections))

    def add_section(self, section: Section, at: int | str | None = None) -> Arrangement:
        """Insert ``section`` before position or name ``at`` (at the end when ``at`` is None)."""
        secs = list(self.sections)
        index = len(secs) if at is None else self._index(at)
        secs.insert(index, section)
        return self._with(secs)

    def remove_section(self, which: int | str) -> Arrangement:
        """Drop a section, by position or name."""
        secs = list(self.sections)
        del secs[self._index(which)]
        return self._with(secs)

    def repeat_section(self, which: int | str, times: int = 1) -> Arrangement:
        """Play a section ``times`` more times straight after itself."""
        times = whole("times", times, 1)
        i = self._index(which)
        secs = list(self.sections)
        secs[i + 1 : i + 1] = [secs[i]] * int(times)
        return self._with(secs)

    def mute(self, layer: str, section: int | str) -> Arrangement:
        """Take ``layer`` out of one section."""
        i = self._index(section)
        s = self.sections[i]
        if layer not in s.layers:
            raise ParameterError(f"{layer!r} does not play in {s.name!r}; its layers are {', '.join(s.layers)}.")
        secs = list(self.sections)
        secs[i] = replace(s, layers=tuple(x for x in s.layers if x != layer))
        return self._with(secs)

    def unmute(self, layer: str, section: int | str) -> Arrangement:
        """Bring ``layer`` into one section."""
        i = self._index(section)
        s = self.sections[i]
        secs = list(self.sections)
        secs[i] = replace(s, layers=s.layers if layer in s.layers else (*s.layers, layer))
        return self._with(secs)

    def with_build_up(
        self, before: int | str, bars: int = 2, remove: Sequence[str] = ("kick", "bass"), rise_db: float = 9.0
    ) -> Arrangement:
        """Turn the last ``bars`` bars before a section into a build-up.

        The low end (``remove``) drops out, and what is left starts ``rise_db`` dB down and rises
        steadily back to its full level by the target section's first beat. The build rises in
        level while the floor is missing, and the target section lands with everything back:
        tension, then release.

        Lesson: course/03-arrangement.ipynb
        """
        i = self._index(before)
        if i == 0:
            raise ParameterError("a build-up needs a section before it to build from; pick a later section.")
        prev = self.sections[i - 1]
        if int(bars) != bars or not 1 <= bars < prev.bars:
            raise ParameterError(
                f"bars must be a whole number from 1 to {prev.bars - 1} (the length of {prev.name!r} minus one)."
            )
        kept = replace(prev, bars=prev.bars - int(bars))
        build = Section(
            f"build into {self.sections[i].name}",
            int(bars),
            tuple(x for x in prev.layers if x not in set(remove)),
            source=prev.source_name,
            ramp_db=(-abs(rise_db), 0.0),
            source_bar=None if prev.source_bar is None else prev.source_bar + kept.bars,
        )
        secs = list(self.sections)
        secs[i - 1 : i] = [kept, build]
        return self._with(secs)

    def with_drop(self, at: int | str, bars: int = 1, keep: Sequence[str] = ("pad",)) -> Arrangement:
        """Insert a ``bars``-bar breakdown (only ``keep`` playing) right before a section, so it drops in.

        Lesson: course/03-arrangement.ipynb
        """
        i = self._index(at)
        target = self.sections[i]
        gap = Section(
            f"drop before {target.name}",
            int(bars),
            tuple(x for x in target.layers if x in set(keep)),
            source=target.source_name,
            source_bar=target.source_bar,
        )
        return self.add_section(gap, at=i)

    # ----------------------------------------------------------------- audio

    def _source_indices(self, session) -> list[np.ndarray]:
        """For each section, the session sample each of its samples plays (its source bars, looped)."""
        bar_n = seconds_per_bar(self.bpm, self.time_signature) * session.sr
        sources: dict[str, tuple[int, int]] = {}
        for name, start, bars in map(_section_fields, session.sections):
            sources.setdefault(name, (start, bars))
        unknown = set(self.layers) - set(session.stems)
        if unknown:
            raise ParameterError(
                f"layer(s) {', '.join(sorted(unknown))} are not stems of this session; "
                f"the stems are {', '.join(session.stems)}."
            )
        out = []
        for sec in self.sections:
            if sec.source_bar is None and sec.source_name not in sources:
                raise ParameterError(
                    f"section {sec.name!r} plays from {sec.source_name!r}, which is not a section of the session "
                    f"({', '.join(sources)}); set source= to one of them."
                )
            if sec.source_bar is not None:  # straight through from that bar
                src_start, src_bars = sec.source_bar, sec.bars
            else:
                src_start, src_bars = sources[sec.source_name]
            n = int(round(sec.bars * bar_n))
            a = int(round(src_start * bar_n))
            src_len = int(round(src_bars * bar_n))
            out.append(a + (np.arange(n) % src_len))
        return out

    def sounding_layers(self, session, threshold_db: float = -50.0) -> list[tuple[str, ...]]:
        """For each section, the layers that make sound there: RMS above ``threshold_db`` dBFS in its bars.

        A layer can be listed in a section and still be silent, if nothing was recorded on it in
        the bars that section plays (a pad that only enters at the chorus, unmuted in the verse).

        Lesson: not yet taught
        """
        out = []
        for sec, index in zip(self.sections, self._source_indices(session), strict=True):
            playing = []
            for layer in sec.layers:
                stem = session.stems[layer]
                length = stem.shape[-1]
                if index.size and index[-1] - index[0] == index.size - 1 and index[-1] < length:
                    part = stem[..., index[0] : index[-1] + 1]  # straight through: a view, no copy
                else:
                    part = stem[..., np.minimum(index, length - 1)]
                if part.size and power_to_db(np.mean(np.square(part, dtype=np.float64))) > threshold_db:
                    playing.append(layer)
            out.append(tuple(playing))
        return out

    def render(self, session, fade_ms: float = 10.0, gains_db: dict | None = None, bars=None) -> np.ndarray:
        """Mix the session's stems section by section into stereo audio ``(2, n)``.

        Each section plays the bars of its source section in the session (looped if the section
        is longer), summing only its layers. Short fades at the section edges avoid clicks.
        ``gains_db`` sets a level per layer (a rough balance; the mixing lesson does it properly).
        ``bars=(first, end)`` renders only those bars of the arrangement (counted from 0, ``end``
        excluded): the same samples as that slice of the whole render, without mixing the rest.

        Raises:
            ParameterError: ``bars`` that are not two bar numbers inside the arrangement, in order.

        Lessons: 03, 04
        """
        sr = session.sr
        gains_db = gains_db or {}
        indices = self._source_indices(session)
        total = sum(index.size for index in indices)
        lo, hi = 0, total
        if bars is not None:
            first, end = self._check_bars(bars)
            bar_n = seconds_per_bar(self.bpm, self.time_signature) * sr
            lo, hi = min(int(round(first * bar_n)), total), min(int(round(end * bar_n)), total)
        pieces = []
        fade_n = max(1, int(fade_ms * sr / 1000))
        offset = 0
        for sec, index in zip(self.sections, indices, strict=True):
            n = index.size
            s0, s1 = max(lo - offset, 0), min(hi - offset, n)
            offset += n
            if s1 <= s0:
                continue
            out = np.zeros((2, s1 - s0), np.float32)
            span = index[s0:s1]
            for layer in sec.layers:
                stem = session.stems[layer]
                stem2 = stem if stem.ndim == 2 else stem[np.newaxis, :]
                gain = np.float32(10 ** (gains_db.get(layer, 0.0) / 20))
                if span[-1] - span[0] == span.size - 1 and span[-1] < stem2.shape[-1]:
                    part = stem2[:, span[0] : span[-1] + 1]  # straight through: a view, not a gather
                else:
                    part = stem2[:, np.minimum(span, stem2.shape[-1] - 1)]
                out += gain * part if part.shape[0] == 2 else gain * part[0]
            if sec.ramp_db != (0.0, 0.0):
                out *= (10 ** (np.linspace(sec.ramp_db[0], sec.ramp_db[1], n)[s0:s1] / 20)).astype(np.float32)
            f = min(fade_n, n // 2)
            envelope = np.ones(n, np.float32)
            ramp = np.linspace(0.0, 1.0, f, dtype=np.float32)
            envelope[:f] *= ramp
            envelope[n - f :] *= ramp[::-1]
            out *= envelope[s0:s1]
            pieces.append(out)
        return np.concatenate(pieces, axis=1) if pieces else np.zeros((2, 0), np.float32)

    def _check_bars(self, bars) -> tuple[float, float]:
        """``(first, end)`` bar numbers inside the arrangement, in order (from 0, ``end`` excluded)."""
        length = self.bars
        hint = (f"pass bars=(first, end), counted from 0 with end excluded, inside the arrangement's {length:g} "
                f"bars: bars=(10, 14) is bars 11-14 as a DAW counts them")
        try:
            first, end = (float(b) for b in bars)
        except (TypeError, ValueError):
            raise ParameterError(f"bars must be two bar numbers (got {bars!r}): {hint}.") from None
        if not (np.isfinite(first) and np.isfinite(end) and 0 <= first < end <= length):
            raise ParameterError(f"bars {bars!r} are not inside the arrangement, in order: {hint}.")
        return first, end

    def energy(self, session, audio=None) -> list[SectionEnergy]:
        """Each section's loudness (LUFS), density (layers) and brightness (spectral centroid in Hz).

        Density counts the layers that make sound in the section (:meth:`sounding_layers`), so
        unmuting a layer with nothing recorded there adds nothing. ``audio`` is this arrangement's
        render; it is rendered from ``session`` when not given.

        Lesson: course/03-arrangement.ipynb
        """
        from .meters import integrated_loudness

        sr = session.sr
        audio = self.render(session) if audio is None else ensure_audio(audio)
        bar_n = seconds_per_bar(self.bpm, self.time_signature) * sr
        rows = []
        sounding = self.sounding_layers(session)
        for start, sec, layers in zip(self.start_bars(), self.sections, sounding, strict=True):
            a, b = int(round(start * bar_n)), int(round((start + sec.bars) * bar_n))
            part = audio[..., a:b]
            loud = float(integrated_loudness(part, sr)) if np.any(part) else float("-inf")
            rows.append(SectionEnergy(sec.name, start, sec.bars, loud, len(layers), _centroid_hz(part, sr)))
        return rows

    def energy_figure(self, session, audio=None):
        """The energy curve: loudness, density and brightness per section, across the song (plotly).

        Lesson: course/03-arrangement.ipynb
        """
        import plotly.graph_objects as go

        from .plots import _figure

        rows = self.energy(session, audio)
        x = [f"{r.name}<br>bar {r.start_bar + 1}" for r in rows]
        fig = _figure(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06)
        for row, axis_title in enumerate(("loudness (LUFS)", "density (layers)", "brightness (Hz)"), start=1):
            fig.update_yaxes(title_text=axis_title, title_font_size=12, row=row, col=1)
        loud = [max(r.loudness_lufs, -60) for r in rows]
        fig.add_trace(go.Scatter(x=x, y=loud, mode="lines+markers", name="loudness"), row=1, col=1)
        fig.add_trace(go.Bar(x=x, y=[r.density for r in rows], name="layers"), row=2, col=1)
        fig.add_trace(go.Scatter(x=x, y=[r.brightness_hz for r in rows], mode="lines+markers", name="brightness"),
                      row=3, col=1)
        fig.update_layout(height=520, showlegend=False, title="Energy across the song",
                          margin=dict(l=60, r=20, t=60, b=40))
        return fig

    def timeline_figure(self, title: str | None = None):
        """The arrangement as a DAW draws it: one row per layer, a block wherever the layer plays.

        Lessons: 03, 04
        """
        import plotly.graph_objects as go

        from .plots import _figure

        layers = self.layers
        palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        fig = _figure()
        starts = self.start_bars()
        for li, layer in enumerate(layers):
            xs, bases, texts = [], [], []
            for start, sec in zip(starts, self.sections, strict=True):
                if layer in sec.layers:
                    xs.append(sec.bars)
                    bases.append(start + 1)
                    texts.append(sec.name)
            fig.add_trace(go.Bar(
                y=[layer] * len(xs), x=xs, base=bases, orientation="h", name=layer, text=texts,
                marker_color=palette[li % len(palette)], hovertemplate="%{text}: bars %{base}–%{x}<extra>" + layer
                + "</extra>", textposition="inside", insidetextanchor="middle",
            ))
        for start, sec in zip(starts, self.sections, strict=True):
            fig.add_vline(x=start + 1, line=dict(color="#999", width=1, dash="dot"))
            fig.add_annotation(x=start + 1 + sec.bars / 2, y=1.06, yref="paper", text=sec.name, showarrow=False)
        fig.update_layout(
            barmode="overlay", height=80 + 34 * max(1, len(layers)), showlegend=False,
            title=title or f"Arrangement: {self.bars} bars at {self.bpm:g} BPM",
            margin=dict(l=90, r=20, t=70, b=40),
        )
        fig.update_xaxes(title_text="position (bar)", range=[1, self.bars + 1])
        fig.update_yaxes(autorange="reversed", title_text="layer")
        return fig


def _section_fields(sec) -> tuple[str, int, int]:
    """(name, start_bar, bars) from a session section, which may be a dict or an object."""
    if isinstance(sec, dict):
        return sec["name"], int(sec["start_bar"]), int(sec["bars"])
    return sec.name, int(sec.start_bar), int(sec.bars)


def _centroid_hz(y, sr: int) -> float:
    y = to_mono(ensure_audio(y, allow_empty=True))
    if y.size < 64 or not np.any(y):
        return 0.0
    spec = np.abs(np.fft.rfft(y[: min(y.size, 1 << 20)]))
    freqs = np.fft.rfftfreq(min(y.size, 1 << 20), 1.0 / sr)
    return float(np.sum(freqs * spec) / np.sum(spec))


# --------------------------------------------------------------------------- structure from audio


@dataclass(frozen=True)
class FoundSections:
    """Estimated section boundaries (seconds), with a letter per segment for repeats (A, B, A, ...).

    Lesson: course/03-arrangement.ipynb
    """

    boundaries_s: np.ndarray
    labels: tuple[str, ...]
    bpm: float
    duration_s: float
    #: beat times (s) and beat-synchronous features behind the estimate, for self_similarity_figure
    beat_times_s: np.ndarray | None = field(default=None, repr=False, compare=False)
    features: np.ndarray | None = field(default=None, repr=False, compare=False)

    def segments(self) -> list[tuple[float, float, str]]:
        """``(start_s, end_s, label)`` for each segment."""
        edges = np.concatenate([[0.0], self.boundaries_s, [self.duration_s]])
        return [(float(edges[i]), float(edges[i + 1]), self.labels[i]) for i in range(len(self.labels))]

    def form(self) -> str:
        """The form as letters, e.g. ``A B C B A``."""
        return " ".join(self.labels)


def _grid_phase(onset_env: np.ndarray, frame_rate: float, period_s: float, steps: int = 200) -> float:
    """Where in the first beat (s) a grid of ``period_s`` meets the strongest onsets, summed over the clip."""
    t = np.arange(onset_env.size) / frame_rate
    phases = np.arange(steps) * (period_s / steps)
    beats = phases[:, None] + np.arange(int(t[-1] // period_s)) * period_s
    return float(phases[np.argmax(np.interp(beats, t, onset_env).sum(axis=1))])


def _hz_to_mel(hz):
    """Slaney's mel scale (librosa's default): linear to 1 kHz at 200/3 Hz per mel, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    logstep = np.log(6.4) / 27.0
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-12) / 1000.0) / logstep, hz / (200.0 / 3))


def _mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    logstep = np.log(6.4) / 27.0
    return np.where(mel >= 15.0, 1000.0 * np.exp(logstep * (mel - 15.0)), mel * (200.0 / 3))


def _mel_filters(sr: int, n_fft: int, n_mels: int = 128) -> np.ndarray:
    """Triangular mel filters from 0 Hz to Nyquist, Slaney-normalised (equal area), as librosa.filters.mel."""
    fft_hz = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_hz = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(sr / 2.0), n_mels + 2))
    widths = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_hz[2:] - mel_hz[:-2]))[:, None]
    return weights.astype(np.float32)


def _chroma_filters(sr: int, n_fft: int, n_chroma: int = 12) -> np.ndarray:
    """Pitch-class filters over FFT bins, at concert pitch, starting on C (as librosa.filters.chroma)."""
    freqs = np.linspace(0, sr, n_fft, endpoint=False)[1:]
    bins = n_chroma * np.log2(freqs / (440.0 / 16))
    bins = np.concatenate(([bins[0] - 1.5 * n_chroma], bins))
    widths = np.concatenate((np.maximum(bins[1:] - bins[:-1], 1.0), [1.0]))
    half = np.round(n_chroma / 2.0)
    dist = np.remainder(bins[None, :] - np.arange(n_chroma)[:, None] + half + 10 * n_chroma, n_chroma) - half
    weights = np.exp(-0.5 * (2 * dist / widths[None, :]) ** 2)
    weights /= np.sqrt(np.sum(weights**2, axis=0, keepdims=True))
    weights *= np.exp(-0.5 * ((bins / n_chroma - 5.0) / 2.0) ** 2)[None, :]  # centred on octave 5, two wide
    weights = np.roll(weights, -3 * (n_chroma // 12), axis=0)
    return np.ascontiguousarray(weights[:, : n_fft // 2 + 1], dtype=np.float32)


def _power_spectrogram(y: np.ndarray, n_fft: int, hop: int, block: int = 512) -> np.ndarray:
    """``|STFT|^2`` (bins, frames): periodic Hann window, frames centred on ``hop`` multiples, zero-padded ends."""
    padded = np.pad(y.astype(np.float32, copy=False), n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)
    out = np.empty((n_fft // 2 + 1, frames.shape[0]), dtype=np.float32)
    for start in range(0, frames.shape[0], block):  # in blocks: a whole song's frames at once is 100s of MB
        spec = np.fft.rfft(frames[start : start + block] * window, axis=1)
        out[:, start : start + block] = (spec.real**2 + spec.imag**2).T
    return out


def _db(power: np.ndarray, amin: float = 1e-10, top_db: float = 80.0) -> np.ndarray:
    """Power in dB re 1, floored at ``amin`` and at ``top_db`` below the loudest value."""
    db = 10.0 * np.log10(np.maximum(amin, power))
    return np.maximum(db, db.max() - top_db)


def _beat_features(y, sr: int, bpm: float | None, hop: int = 512):
    """Beat times and beat-synchronous features (chroma for harmony, MFCC for timbre, RMS for level).

    The features are librosa's (onset strength, ``chroma_stft``, ``mfcc``, ``rms``, with their default
    settings), computed here in NumPy from two spectrograms: importing librosa's feature modules loads
    numba kernels that cost a lesson two seconds.
    """
    from scipy.fft import dct

    y = np.asarray(y, dtype=np.float32)
    # one 2048-point spectrogram on the mel scale serves the onsets and the MFCCs
    mel_db = _db(_mel_filters(sr, 2048) @ _power_spectrogram(y, 2048, hop))
    n = mel_db.shape[1]
    rise = np.maximum(0.0, mel_db[:, 1:] - mel_db[:, :-1]).mean(axis=0)
    onset_env = np.concatenate([np.zeros(1 + 2048 // (2 * hop), dtype=rise.dtype), rise])[:n]
    if bpm is None:
        bpm = estimate_tempo(y, sr)
    # Music made to a click does not drift: the beats are a steady grid at the tempo, placed where
    # the onsets line up best. (librosa's beat tracker finds the same grid, within a frame, but
    # importing librosa.beat compiles a kernel numba cannot cache: four seconds of every lesson.)
    slope = 60.0 / bpm
    beat_times = np.arange(_grid_phase(onset_env, sr / hop, slope), y.size / sr, slope)
    frames = (beat_times * sr).astype(int) // hop
    # Chords, in concert pitch: estimating the tuning costs a second and the section boundaries
    # do not depend on a few cents.
    chroma = _chroma_filters(sr, 4096) @ _power_spectrogram(y, 4096, hop)
    peak = chroma.max(axis=0, keepdims=True)
    chroma = chroma / np.where(peak < np.finfo(chroma.dtype).tiny, 1.0, peak)
    mfcc = dct(mel_db, axis=0, type=2, norm="ortho")[:20]
    energy = np.concatenate([[0.0], np.cumsum(np.pad(y, 1024).astype(np.float64) ** 2)])
    starts = np.arange(n) * hop
    power = (energy[starts + 2048] - energy[starts]) / 2048  # mean square of each 2048-sample frame
    level_db = _db(power[None, :])  # RMS in dB: 20 log10(rms) = 10 log10(mean square)
    frames = frames[frames < n]
    edges = np.unique(np.concatenate([[0, n], np.clip(frames, 0, n)]))
    data = np.vstack([chroma, mfcc[1:], level_db])
    sync = np.stack([data[:, a:b].mean(axis=1) for a, b in zip(edges[:-1], edges[1:], strict=True)], axis=1)
    sync = sync[:, 1 : len(frames)] if frames[0] > 0 else sync[:, : len(frames)]
    features = (sync - sync.mean(axis=1, keepdims=True)) / (sync.std(axis=1, keepdims=True) + 1e-9)
    return beat_times[: features.shape[1]], features, 60.0 / slope


def _self_similarity(features: np.ndarray) -> np.ndarray:
    unit = features / (np.linalg.norm(features, axis=0, keepdims=True) + 1e-9)
    return unit.T @ unit


def _checkerboard_novelty(ssm: np.ndarray, half: int) -> np.ndarray:
    """Foote's novelty: a Gaussian-tapered checkerboard kernel slid along the diagonal of the SSM."""
    k = np.arange(-half, half) + 0.5
    taper = np.exp(-0.5 * (k / (0.5 * half)) ** 2)
    kernel = np.outer(np.sign(k), np.sign(k)) * np.outer(taper, taper)
    padded = np.pad(ssm, half, mode="edge")
    n = ssm.shape[0]
    novelty = np.array([np.sum(kernel * padded[i : i + 2 * half, i : i + 2 * half]) for i in range(n)])
    novelty = np.maximum(novelty, 0)
    return novelty / (novelty.max() + 1e-12)


def find_sections(
    y,
    sr: int,
    bpm: float | None = None,
    time_signature=(4, 4),
    min_bars: int = 2,
    sensitivity: float = 0.5,
    kernel_bars: int = 3,
) -> FoundSections:
    """Estimate where a song's sections change, and which sections repeat, from its audio.

    The recipe (Foote 2000, with librosa's beat-synchronous features, computed in NumPy): track the beats, describe
    each bar by its timbre (MFCC), level (RMS) and, more lightly, its harmony (chroma), compare
    every bar with every other (a self-similarity matrix), and slide a checkerboard kernel
    ``kernel_bars`` bars wide along the diagonal to find where the music stops resembling what
    came before (novelty). Boundaries are the novelty peaks that stand out, at least
    ``min_bars`` apart. Segments whose features match get the same letter, so the form reads
    A B C B ...

    Harmony is weighted down because chords change every bar or two inside a section, while
    what marks a new section in most pop songs is a change of texture: instruments coming in
    or dropping out. ``sensitivity`` (0–1) lowers the bar for a boundary: higher finds more.

    Lesson: course/03-arrangement.ipynb
    """
    y = to_mono(ensure_audio(y))
    sr = check_sr(sr)
    if bpm is not None:
        bpm = _check_bpm(bpm)
    in_range("sensitivity", sensitivity, 0, 1, hint="higher finds more boundaries")
    beats_per_bar = _check_time_signature(time_signature)[0]
    if y.size < 8 * sr:
        raise ParameterError("find_sections needs at least 8 seconds of music to compare sections.")
    beat_times, features, bpm_found = _beat_features(y, sr, bpm)
    weights = np.ones(features.shape[0])
    weights[:12] = CHROMA_WEIGHT
    weighted = features * weights[:, np.newaxis]
    # the downbeat phase: bar lines are where changes (beat-level novelty) concentrate
    beat_novelty = _checkerboard_novelty(_self_similarity(weighted), half=2 * beats_per_bar)
    phase = int(np.argmax([beat_novelty[p::beats_per_bar].sum() for p in range(beats_per_bar)]))
    n_bars = (features.shape[1] - phase) // beats_per_bar
    if n_bars < 2 * kernel_bars:
        raise ParameterError("the clip is too short for this kernel; pass fewer kernel_bars or longer audio.")
    bars = weighted[:, phase : phase + n_bars * beats_per_bar].reshape(features.shape[0], n_bars, beats_per_bar)
    bar_features = bars.mean(axis=2)
    novelty = _checkerboard_novelty(_self_similarity(bar_features), half=kernel_bars)
    threshold = novelty.mean() + (1.0 - 2.0 * sensitivity) * novelty.std()
    peaks = [
        i for i in range(1, n_bars)
        if novelty[i] >= threshold and novelty[i] >= novelty[i - 1] and (i + 1 == n_bars or novelty[i] > novelty[i + 1])
    ]
    chosen: list[int] = []
    for i in sorted(peaks, key=lambda k: -novelty[k]):
        if all(abs(i - j) >= min_bars for j in chosen):
            chosen.append(i)
    bar_starts = sorted(chosen)
    boundaries = np.array([beat_times[phase + b * beats_per_bar] for b in bar_starts])
    labels = _label_repeats(bar_features, [0, *bar_starts, n_bars])
    return FoundSections(boundaries, tuple(labels), float(bpm_found), y.size / sr, beat_times, features)


#: How much harmony (chroma) counts against timbre and level when finding sections.
CHROMA_WEIGHT = 0.3


def _label_repeats(features: np.ndarray, edges: list[int], threshold: float = 0.8) -> list[str]:
    """A letter per segment: a segment repeats an earlier one when their mean features match closely."""
    means = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        seg = features[:, a:max(b, a + 1)]
        means.append(np.concatenate([seg.mean(axis=1), seg.std(axis=1)]))
    means = np.array(means)
    means = means / (np.linalg.norm(means, axis=1, keepdims=True) + 1e-9)
    labels: list[str] = []
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for i, m in enumerate(means):
        sims = [float(m @ means[j]) for j in range(i)]
        best = int(np.argmax(sims)) if sims else -1
        labels.append(labels[best] if best >= 0 and sims[best] >= threshold else next(letters, "?"))
    return labels


def self_similarity_figure(y, sr: int, bpm: float | None = None, found: FoundSections | None = None,
                           time_signature=(4, 4)):
    """The self-similarity matrix, both axes in bars counted from 1 as a DAW numbers them.

    A section whose beats resemble each other is a square of brighter colour on the diagonal;
    where a section comes back, the beats of the repeat match the first time beat for beat, so the
    repeat shows as bright lines parallel to the diagonal in the square where the two meet.
    Pass the ``found`` result of :func:`find_sections` on the same audio to draw its boundaries
    and reuse its analysis instead of computing the features again.

    Lesson: course/03-arrangement.ipynb
    """
    import plotly.graph_objects as go

    from .plots import _figure

    if bpm is not None:
        bpm = _check_bpm(bpm)
    if found is not None and found.features is not None:
        beat_times, features = found.beat_times_s, found.features
        bpm = bpm or found.bpm
    else:
        y = to_mono(ensure_audio(y))
        beat_times, features, bpm_found = _beat_features(y, check_sr(sr), bpm)
        bpm = bpm or bpm_found
    spb = seconds_per_bar(bpm, time_signature)
    bar_of = beat_times / spb + 1  # bar position counted from 1: 11.0 is the downbeat of bar 11
    ssm = _self_similarity(features)
    fig = _figure(go.Heatmap(x=bar_of, y=bar_of, z=ssm, colorscale="Viridis", zmin=-0.2, zmax=1,
                               colorbar=dict(title="similarity"),
                               hovertemplate="bar %{x:.2f} vs bar %{y:.2f}: %{z:.2f}<extra></extra>"))
    if found is not None:
        for t in found.boundaries_s:
            fig.add_vline(x=t / spb + 1, line=dict(color="white", width=1))
            fig.add_hline(y=t / spb + 1, line=dict(color="white", width=1))
    fig.update_layout(title="How much each beat resembles every other", height=520, width=560,
                      margin=dict(l=60, r=20, t=50, b=50))
    fig.update_xaxes(title_text="position (bar)")
    fig.update_yaxes(title_text="position (bar)", autorange="reversed", scaleanchor="x")
    return fig
