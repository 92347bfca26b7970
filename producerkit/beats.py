"""Beat making: step patterns, drum kits, swing, humanising, sample-accurate rendering, and groove from audio.

A :class:`Pattern` is a step sequencer's grid: instruments by steps (16 a bar, or 32 for hat rolls), each
step a velocity from 0 (rest) to 1 (full; MIDI 127). It reads and writes a text grid::

    kick:  x...x...x...x...
    clap:  ....x.......x...
    hat:   x.g.x.g.x.g.x.go

The step characters are ``x`` full (MIDI 127), ``o`` medium (MIDI 80), ``g`` ghost (MIDI 40) and ``.`` rest
(``-`` also reads as a rest). ``|`` and spaces inside a row are ignored (write ``|`` between bars).

A :class:`Kit` holds named one-shots: the bundled session's (``Kit()``), the recorded acoustic kit
(``Kit.recorded()``), or any ``(y, sr)`` you load. :func:`render` plays a pattern on a kit at a tempo,
sample-accurately, with MPC-style swing. :func:`groove_of` goes the other way: it measures the swing and
the timing of each step from audio.

**Swing** is MPC percent, 50 to 75: within each 8th note, the second 16th is moved to ``swing`` percent of the
8th. 50 % is straight, 66 % is close to a triplet feel (66.7 % exactly), 75 % is 3:1 (a dotted 16th and a
32nd). Only every second 16th moves; beats and 8ths never do.

**Timing, exactly** (a browser scheduler reproduces this): a step ``k`` of a pattern with ``S`` steps a bar
sits at ``q = k * 16 / S`` 16ths from the start. With ``e = floor(q / 2)`` (its 8th), ``f = (q - 2e) / 2``
(where in that 8th, 0 to <1) and ``p = swing / 100``, the swung place in the 8th is ``f' = 2p f`` when
``f < 0.5``, else ``p + 2(1 - p)(f - 0.5)`` (so 16ths land on 0 and p; 32nds in between are spread evenly).
Its time is ``t = (2e + 2f') * 15 / bpm`` seconds, plus any nudge (``t += nudge_ms / 1000``), and its first
sample is ``floor(t * sr + 0.5)`` (rounding halves up, like JavaScript's ``Math.round``), never below 0.

Lesson: course/07-beats.ipynb
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np

from ._validate import in_range, one_of, whole
from .errors import ParameterError

__all__ = [
    "GRID_CHARS", "PRESETS", "Groove", "Kit", "Pattern", "Preset", "chop", "chop_pattern", "groove_of", "humanize",
    "layer_kick", "onset_samples", "preset", "render", "step_times", "sub_kick", "swing_delay_s",
]

STEPS_PER_BAR = (16, 32)
#: Step characters of the text grid and the velocity (0-1) each stands for.
GRID_CHARS = {"x": 127 / 127, "o": 80 / 127, "g": 40 / 127}
REST_CHARS = ".-"
#: A choked hit fades out over this long (linearly), from the sample where the choking hit starts.
CHOKE_FADE_MS = 5.0
_SWING_HINT = "MPC swing percent: 50 is straight, 66 a triplet feel, 75 is 3:1"


def _name(name, what: str = "instrument") -> str:
    if not isinstance(name, str) or not name.strip() or any(c in name for c in ":|\n") or name != name.strip():
        raise ParameterError(
            f"{what} names must be non-empty strings without ':', '|', newlines or outer spaces (got {name!r}): "
            "for example 'kick', 'snare' or 'open_hat'."
        )
    return name


def _steps_per_bar(value) -> int:
    value = whole("steps_per_bar", value, hint="16 (16th notes) or 32 (for hat rolls)")
    return one_of("steps_per_bar", value, STEPS_PER_BAR, hint="16 for 16th notes, 32 for 32nd-note hat rolls")


# --------------------------------------------------------------------------- patterns


class Pattern:
    """A drum pattern: instruments by steps, each step a velocity 0 (rest) to 1 (MIDI 127).

    ``Pattern({"kick": "x...x...x...x...", "snare": [0, 0, 0, 0, 100, ...]})``: a row is a text-grid string
    or a sequence of velocities. Velocities are 0-1, or MIDI 0-127 for the whole pattern when any number in
    it is above 1 (then all must be whole numbers). ``bars`` is inferred from the longest row; a shorter row
    that divides it (a bar, a beat: ``"..x."``) repeats. Each hit may carry a nudge in ms (:meth:`nudge`,
    :func:`humanize`). Patterns are immutable: every edit returns a new pattern.

    Lesson: course/07-beats.ipynb
    """

    __slots__ = ("_bars", "_nudges", "_rows", "_steps_per_bar")

    def __init__(self, rows: Mapping, steps_per_bar: int = 16, bars: int | None = None, nudges_ms=None):
        self._steps_per_bar = _steps_per_bar(steps_per_bar)
        if not isinstance(rows, Mapping) or not rows:
            raise ParameterError(
                f"rows must be a dict of instrument -> steps (got {type(rows).__name__}): for example "
                "{'kick': 'x...x...x...x...'}, or use Pattern.from_text(...)."
            )
        parsed = {_name(n): _row(n, r) for n, r in rows.items()}
        numbers = [v for row in parsed.values() if not isinstance(row, str) for v in row]
        midi = any(v > 1 for v in numbers)
        if midi and any(v != int(v) for v in numbers):
            raise ParameterError(
                "velocities must be all 0-1 or all MIDI whole numbers 0-127 (got a mix, e.g. "
                f"{max(numbers):g} and {next(v for v in numbers if v != int(v)):g}): pick one scale for the pattern."
            )
        arrays = {}
        for name, row in parsed.items():
            arr = _grid_row(name, row) if isinstance(row, str) else np.asarray(row, dtype=np.float64)
            if midi and not isinstance(row, str):
                arr = arr / 127.0
            arrays[name] = arr
        lengths = {len(a) for a in arrays.values()}
        spb = self._steps_per_bar
        longest = max(lengths)
        if bars is None:
            if longest % spb:
                other = 32 if spb == 16 else 16
                also = f", or pass steps_per_bar={other}" if longest % other == 0 else ""
                raise ParameterError(
                    f"each row must be a whole number of bars of {spb} steps (got a row of {longest}): "
                    f"pad it with rests ('.'){also}; a shorter row repeats if the longest is whole bars."
                )
            bars = longest // spb
        bars = whole("bars", bars, 1, 64, hint="a pattern is 1 to 64 bars; render(..., bars=) loops it further")
        total = bars * spb
        for name, arr in list(arrays.items()):
            if len(arr) < total and total % len(arr) == 0:
                arr = np.tile(arr, total // len(arr))
            if len(arr) != total:
                raise ParameterError(
                    f"row {name!r} must have {total} steps ({bars} bar(s) of {spb}), or a length that repeats to "
                    f"fill them such as {spb} (a bar) or {spb // 4} (a beat) (got {len(arr)})."
                )
            arr = arr.copy()
            arr.flags.writeable = False
            arrays[name] = arr
        self._rows = arrays
        self._bars = bars
        self._nudges = {}
        for name, values in (nudges_ms or {}).items():
            if name not in arrays:
                raise ParameterError(f"nudges_ms names {name!r}, which is not a row: rows are {', '.join(arrays)}.")
            arr = np.asarray(values, dtype=np.float64).copy()
            if arr.shape != (total,) or not np.all(np.isfinite(arr)) or np.any(np.abs(arr) > 1000):
                raise ParameterError(
                    f"nudges_ms[{name!r}] must be {total} finite numbers of ms within ±1000 (got shape "
                    f"{arr.shape}): one nudge per step."
                )
            if np.any(arr):
                arr.flags.writeable = False
                self._nudges[name] = arr

    # ---- reading

    @property
    def steps_per_bar(self) -> int:
        return self._steps_per_bar

    @property
    def bars(self) -> int:
        return self._bars

    @property
    def steps(self) -> int:
        """Steps in the whole pattern: ``steps_per_bar * bars``."""
        return self._steps_per_bar * self._bars

    @property
    def instruments(self) -> list[str]:
        return list(self._rows)

    def __getitem__(self, name: str) -> np.ndarray:
        """The velocities (0-1, read-only) of one row."""
        return self._rows[self._known(name)]

    def __contains__(self, name) -> bool:
        return name in self._rows

    def nudges_ms(self, name: str) -> np.ndarray:
        """Each step's nudge in ms (0 where none) for one row."""
        self._known(name)
        return self._nudges.get(name, np.zeros(self.steps))

    def hits(self, name: str) -> list[int]:
        """The steps (from 0) where ``name`` plays."""
        return [int(i) for i in np.flatnonzero(self[name])]

    def velocities_midi(self) -> dict[str, list[int]]:
        """Every row as MIDI velocities 0-127."""
        return {n: [int(v) for v in np.rint(a * 127)] for n, a in self._rows.items()}

    def _known(self, name) -> str:
        if name not in self._rows:
            raise ParameterError(
                f"instrument must be one of the pattern's rows, {', '.join(map(repr, self._rows))} (got {name!r}): "
                "add a row with pattern.with_row(name, 'x...') first."
            )
        return name

    def _step(self, step) -> int:
        return whole("step", step, 0, self.steps - 1,
                     hint=f"steps count from 0; this pattern has {self.steps} ({self.bars} bar(s) of "
                          f"{self.steps_per_bar})")

    # ---- the text grid

    @classmethod
    def from_text(cls, text: str, steps_per_bar: int | None = None) -> Pattern:
        """Read a text grid: one ``name: steps`` line per instrument (blank lines and ``#`` comments skipped).

        ``steps_per_bar`` defaults to the length between ``|`` bar lines when the rows have them, else 16.

        Lesson: course/07-beats.ipynb
        """
        if not isinstance(text, str):
            raise ParameterError(f"text must be a string (got {type(text).__name__}): lines like 'kick: x...x...'.")
        rows = {}
        bar_lengths = set()
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if ":" not in line:
                raise ParameterError(
                    f"line {number} must be 'name: steps' (got {line!r}): for example 'kick: x...x...x...x...'."
                )
            name, steps = (part.strip() for part in line.split(":", 1))
            if name in rows:
                raise ParameterError(f"line {number} repeats the row {name!r}: give each instrument one line.")
            bars = [b.replace(" ", "") for b in steps.split("|")]
            bars = [b for b in bars if b]
            if len(bars) > 1:
                bar_lengths.update(len(b) for b in bars)
            rows[_name(name)] = "".join(bars)
        if not rows:
            raise ParameterError("text must hold at least one 'name: steps' line (got none): e.g. 'kick: x...x...'.")
        if steps_per_bar is None:
            if len(bar_lengths) > 1:
                raise ParameterError(
                    f"bars between '|' must all be the same length (got {sorted(bar_lengths)}): 16 or 32 steps each."
                )
            steps_per_bar = bar_lengths.pop() if bar_lengths else 16
        return cls(rows, steps_per_bar=steps_per_bar)

    def to_text(self) -> str:
        """The text grid, bars separated by ``|``. Velocities are written as the nearest of x, o, g (nudges
        are not written): a pattern made of x, o, g and rests reads back equal.

        Lesson: not yet taught
        """
        width = max(len(n) for n in self._rows) + 1
        chars = np.array(list(GRID_CHARS))
        levels = np.array(list(GRID_CHARS.values()))
        lines = []
        for name, row in self._rows.items():
            cells = np.where(row > 0, chars[np.argmin(np.abs(row[:, None] - levels[None, :]), axis=1)], ".")
            text = "".join(cells)
            bars = [text[i:i + self.steps_per_bar] for i in range(0, self.steps, self.steps_per_bar)]
            lines.append(f"{name + ':':<{width}} " + " | ".join(bars))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"Pattern({self.bars} bar(s) of {self.steps_per_bar} steps)\n{self.to_text()}"

    def __eq__(self, other) -> bool:
        if not isinstance(other, Pattern):
            return NotImplemented
        return (self.steps_per_bar == other.steps_per_bar and self.bars == other.bars
                and set(self._rows) == set(other._rows)
                and all(np.array_equal(self._rows[n], other._rows[n]) for n in self._rows)
                and all(np.array_equal(self.nudges_ms(n), other.nudges_ms(n)) for n in self._rows))

    __hash__ = None

    # ---- edits (each returns a new pattern)

    def _with(self, rows=None, nudges=None) -> Pattern:
        return Pattern(self._rows if rows is None else rows, self.steps_per_bar, self.bars,
                       self._nudges if nudges is None else nudges)

    def set(self, name: str, step: int, velocity: float = 1.0) -> Pattern:
        """A copy with ``name`` hitting ``step`` at ``velocity`` (0-1; 0 clears). A new name adds a row.

        Lesson: not yet taught
        """
        step = self._step(step)
        velocity = in_range("velocity", velocity, 0, 1, hint="0 is a rest, 1 is full (MIDI 127)")
        rows = dict(self._rows)
        row = (rows[name] if name in rows else np.zeros(self.steps)).copy()
        row[step] = velocity
        rows[_name(name)] = row
        return self._with(rows)

    def clear(self, name: str, step: int) -> Pattern:
        """A copy with step ``step`` of ``name`` a rest."""
        self._known(name)
        return self.set(name, step, 0.0)

    def toggle(self, name: str, step: int, velocity: float = 1.0) -> Pattern:
        """A copy with the step switched: a rest becomes a hit at ``velocity``, a hit becomes a rest."""
        step = self._step(step)
        on = name in self._rows and self._rows[name][step] > 0
        return self.set(name, step, 0.0 if on else velocity)

    def with_row(self, name: str, row) -> Pattern:
        """A copy with one row replaced or added: a grid string (``"x...x..."``) or velocities 0-1."""
        rows = dict(self._rows)
        rows[_name(name)] = row
        return self._with(rows)

    def without(self, name: str) -> Pattern:
        """A copy without the row ``name``."""
        self._known(name)
        if len(self._rows) == 1:
            raise ParameterError(f"a pattern needs at least one row (got only {name!r}): keep it, or clear its steps.")
        rows = {n: r for n, r in self._rows.items() if n != name}
        return self._with(rows, {n: v for n, v in self._nudges.items() if n != name})

    def nudge(self, name: str, step: int, ms: float) -> Pattern:
        """A copy with one hit moved ``ms`` milliseconds late (negative: early), as a DAW's nudge does."""
        self._known(name)
        step = self._step(step)
        ms = in_range("ms", ms, -1000, 1000, unit="ms", hint="a nudge is a small move off the grid")
        nudges = dict(self._nudges)
        row = self.nudges_ms(name).copy()
        row[step] = ms
        nudges[name] = row
        return self._with(nudges=nudges)

    def repeated(self, times: int) -> Pattern:
        """The pattern played ``times`` times in a row, as one longer pattern."""
        times = whole("times", times, 1, 64)
        return Pattern({n: np.tile(r, times) for n, r in self._rows.items()}, self.steps_per_bar,
                       self.bars * times, {n: np.tile(v, times) for n, v in self._nudges.items()})

    def at_steps_per_bar(self, steps_per_bar: int) -> Pattern:
        """The same pattern on a 16- or 32-step grid (to 16 only when no hit falls between 16ths)."""
        steps_per_bar = _steps_per_bar(steps_per_bar)
        if steps_per_bar == self.steps_per_bar:
            return self
        if steps_per_bar == 32:
            def up(a):
                out = np.zeros(2 * len(a))
                out[::2] = a
                return out
            return Pattern({n: up(r) for n, r in self._rows.items()}, 32, self.bars,
                           {n: up(v) for n, v in self._nudges.items()})
        odd = [n for n, r in self._rows.items() if np.any(r[1::2])]
        if odd:
            raise ParameterError(
                f"steps_per_bar must stay 32 for rows with 32nd-note hits (got 16; {', '.join(odd)} play between "
                "16ths): clear those steps first."
            )
        return Pattern({n: r[::2] for n, r in self._rows.items()}, 16, self.bars,
                       {n: v[::2] for n, v in self._nudges.items()})


def _row(name: str, row):
    if isinstance(row, str):
        return row.replace(" ", "").replace("|", "")
    if isinstance(row, np.ndarray) or (isinstance(row, Sequence) and not isinstance(row, bytes)):
        values = np.asarray(row, dtype=object).ravel()
        if values.size == 0:
            raise ParameterError(f"row {name!r} must have at least one step (got none).")
        for v in values:
            if isinstance(v, bool | np.bool_) or not isinstance(v, Real | np.number) or not math.isfinite(v) \
                    or not 0 <= v <= 127:
                raise ParameterError(
                    f"row {name!r} velocities must be numbers 0-1 (or MIDI 0-127) (got {v!r}): 0 is a rest."
                )
        return [float(v) for v in values]
    raise ParameterError(
        f"row {name!r} must be a grid string like 'x...x...' or a list of velocities (got {type(row).__name__})."
    )


def _grid_row(name: str, text: str) -> np.ndarray:
    out = np.zeros(len(text))
    for i, c in enumerate(text):
        if c in GRID_CHARS:
            out[i] = GRID_CHARS[c]
        elif c not in REST_CHARS:
            raise ParameterError(
                f"row {name!r} step {i} must be x (full), o (medium), g (ghost) or . (rest) (got {c!r})."
            )
    if not len(out):
        raise ParameterError(f"row {name!r} must have at least one step (got none): e.g. 'x...x...x...x...'.")
    return out


def humanize(pattern: Pattern, timing_ms: float = 10.0, velocity: float = 0.1, seed: int = 0) -> Pattern:
    """A copy of ``pattern`` with each hit nudged up to ±``timing_ms`` and its velocity moved up to ±``velocity``.

    Both are drawn uniformly from a random generator seeded with ``seed``, so the same seed gives the same
    feel every time. Velocities stay within (0, 1]; rests stay rests. Nudges add to any already there.

    Lesson: not yet taught
    """
    if not isinstance(pattern, Pattern):
        raise ParameterError(f"pattern must be a beats.Pattern (got {type(pattern).__name__}).")
    timing_ms = in_range("timing_ms", timing_ms, 0, 100, unit="ms", hint="a drummer drifts by 5-20 ms")
    velocity = in_range("velocity", velocity, 0, 1, hint="a spread of 0.1 moves a hit up to ±13 MIDI steps")
    seed = whole("seed", seed, 0)
    rng = np.random.default_rng(seed)
    rows, nudges = {}, {}
    for name in pattern.instruments:
        row = np.array(pattern[name])
        on = row > 0
        shifts = rng.uniform(-timing_ms, timing_ms, row.shape)
        spread = rng.uniform(-velocity, velocity, row.shape)
        rows[name] = np.where(on, np.clip(row + spread, 1 / 127, 1.0), 0.0)
        nudges[name] = np.where(on, np.clip(pattern.nudges_ms(name) + shifts, -1000, 1000), 0.0)
    return Pattern(rows, pattern.steps_per_bar, pattern.bars, nudges)


# --------------------------------------------------------------------------- timing


def _bpm(bpm) -> float:
    return in_range("bpm", bpm, 20, 400, unit="BPM", hint="most beats sit between 60 and 180 BPM")


def _swing(swing) -> float:
    return in_range("swing", swing, 50, 75, unit="%", hint=_SWING_HINT)


def step_times(steps: int, bpm: float, swing: float = 50.0, steps_per_bar: int = 16) -> np.ndarray:
    """The time in seconds of steps 0..``steps``-1 with swing (the rule in this module's docstring).

    Lesson: not yet taught
    """
    bpm, swing, steps_per_bar = _bpm(bpm), _swing(swing), _steps_per_bar(steps_per_bar)
    steps = whole("steps", steps, 0)
    q = np.arange(steps, dtype=np.float64) * (16 / steps_per_bar)
    e = np.floor(q / 2)
    f = (q - 2 * e) / 2
    p = swing / 100
    swung = np.where(f < 0.5, 2 * p * f, p + 2 * (1 - p) * (f - 0.5))
    return (2 * e + 2 * swung) * 15 / bpm


def onset_samples(times_s, sr: int) -> np.ndarray:
    """First samples of hits at ``times_s``: ``floor(t * sr + 0.5)``, never below 0.

    Lesson: not yet taught
    """
    t = np.asarray(times_s, dtype=np.float64)
    return np.maximum(np.floor(t * sr + 0.5), 0).astype(np.int64)


def swing_delay_s(swing: float, bpm: float) -> float:
    """How late a swung 16th lands, in seconds: ``(2 * swing / 100 - 1) * 15 / bpm``.

    At 100 BPM a 16th lasts 150 ms: 58 % swing delays every second 16th by 24 ms, 66 % by 48 ms.

    Lesson: course/07-beats.ipynb
    """
    return (2 * _swing(swing) / 100 - 1) * 15 / _bpm(bpm)


# --------------------------------------------------------------------------- kits


def _as_audio(name: str, value, sr):
    """One one-shot as float32 (channels, n) at its own rate, from y or (y, sr)."""
    if isinstance(value, tuple) and len(value) == 2 and not isinstance(value[0], Real):
        y, own_sr = value
    else:
        y, own_sr = value, sr
    from .audio import check_sr, ensure_audio

    if own_sr is None:
        raise ParameterError(
            f"kit piece {name!r} needs its sample rate: pass (y, sr), as audio.load returns it, or Kit(..., sr=44100)."
        )
    own_sr = check_sr(own_sr, name=f"sample rate of {name!r}")
    y = ensure_audio(y, name=f"kit piece {name!r}", allow_transposed=True)
    y = y[np.newaxis, :] if y.ndim == 1 else y
    if y.shape[0] > 2:
        raise ParameterError(f"kit piece {name!r} must be mono or stereo (got {y.shape[0]} channels): pick two.")
    if y.shape[1] == 0:
        raise ParameterError(f"kit piece {name!r} must hold at least one sample (got an empty array).")
    return y, own_sr


class Kit:
    """Named one-shots a pattern plays, optionally several velocity layers each, and choke groups.

    ``Kit()`` is the bundled session's one-shots (kick, snare, hat, clap); :meth:`recorded` is the recorded
    acoustic kit. Build your own from arrays: ``Kit({"kick": (y, sr), "snare": (y2, sr2)})``; a piece may be
    ``{velocity: y}`` layers (velocity 0-1 or MIDI 1-127). Pieces at another rate are resampled to the kit's
    ``sr`` (the first piece's unless given).

    A hit of velocity ``v`` plays the quietest layer recorded at ``v`` or above (the loudest if none is),
    scaled by ``v / layer velocity``; one-layer pieces count as recorded at 1, so they play at gain ``v``.
    In a choke group (``choke_groups=[("hat", "open_hat")]``) each hit cuts the group's ringing hits with a
    5 ms fade, as a closed hat stops an open one; every other hit rings on under the next.

    Lesson: course/07-beats.ipynb
    """

    def __init__(self, pieces: Mapping | None = None, sr: int | None = None, choke_groups=(), name: str = "kit"):
        if pieces is None:
            base = Kit.session() if sr is None and not choke_groups else None
            if base is None:
                raise ParameterError("pieces must be given when sr or choke_groups are: Kit({'kick': (y, sr)}, ...).")
            self._layers, self.sr, self.choke_groups, self.name = base._layers, base.sr, base.choke_groups, base.name
            return
        if not isinstance(pieces, Mapping) or not pieces:
            raise ParameterError(
                f"pieces must be a dict of name -> (y, sr) (got {type(pieces).__name__ if pieces is not None else None}"
                "): e.g. Kit({'kick': audio.load('kick.wav')})."
            )
        raw = {}
        for piece, value in pieces.items():
            _name(piece, "kit piece")
            if isinstance(value, Mapping):
                if not value:
                    raise ParameterError(f"kit piece {piece!r} has no layers: give {{velocity: y}} or (y, sr).")
                layers = []
                for vel, y in value.items():
                    v = in_range(f"velocity of a {piece!r} layer", vel, 0, 127, lo_open=True,
                                 hint="0-1, or MIDI 1-127")
                    layers.append((v, _as_audio(piece, y, sr)))
                if any(v > 1 for v, _ in layers):
                    layers = [(v / 127, a) for v, a in layers]
            else:
                layers = [(1.0, _as_audio(piece, value, sr))]
            raw[piece] = layers
        kit_sr = sr if sr is not None else next(iter(raw.values()))[0][1][1]
        from .audio import check_sr, resample

        self.sr = check_sr(kit_sr)
        self._layers = {}
        for piece, layers in raw.items():
            out = []
            for v, (y, own_sr) in sorted(layers, key=lambda item: item[0]):
                y = resample(y, own_sr, self.sr) if own_sr != self.sr else y
                y = y[np.newaxis, :] if y.ndim == 1 else y
                y = np.ascontiguousarray(y, dtype=np.float32)
                y.flags.writeable = False
                out.append((v, y))
            self._layers[piece] = tuple(out)
        groups = []
        seen = set()
        for group in choke_groups:
            group = tuple(group) if not isinstance(group, str) else (group,)
            for member in group:
                if member not in self._layers:
                    raise ParameterError(
                        f"choke group member must be one of the kit's pieces, {', '.join(self._layers)} "
                        f"(got {member!r})."
                    )
                if member in seen:
                    raise ParameterError(f"{member!r} is in two choke groups: a piece chokes with one group only.")
                seen.add(member)
            groups.append(group)
        self.choke_groups = tuple(groups)
        self.name = name

    # ---- kits that ship

    @classmethod
    def session(cls, name: str | None = None) -> Kit:
        """The one-shots of a bundled session (default: the course's), named without their ``oneshot_`` prefix.

        Lesson: not yet taught
        """
        from . import datasets

        session = datasets.shared_session() if name is None else datasets.load_session(name)
        if not len(session.one_shots):
            return cls.recorded()
        pieces = {n.removeprefix("oneshot_"): (np.asarray(session.one_shots[n]), session.sr)
                  for n in session.one_shots}
        return cls(pieces, name=f"{session.name} one-shots")

    @classmethod
    def recorded(cls, name: str = "avl_black_pearl") -> Kit:
        """A bundled recorded drum kit, three velocity layers a piece (see ``datasets.load_kit``).

        Lesson: course/07-beats.ipynb
        """
        from . import datasets

        kit = datasets.load_kit(name)
        pieces = {p: {vel: y for vel, y in layers.items()} for p, layers in kit.hits.items()}
        return cls(pieces, sr=kit.sr, choke_groups=kit.choke_groups, name=kit.name)

    # ---- reading and editing

    @property
    def pieces(self) -> list[str]:
        return list(self._layers)

    @property
    def channels(self) -> int:
        return max(y.shape[0] for layers in self._layers.values() for _v, y in layers)

    def __contains__(self, piece) -> bool:
        return piece in self._layers

    def __repr__(self) -> str:
        layers = {p: len(v) for p, v in self._layers.items()}
        return f"Kit({self.name!r}, sr={self.sr}, pieces={layers}, choke_groups={list(self.choke_groups)})"

    def layer(self, piece: str, velocity: float) -> tuple[np.ndarray, float]:
        """The audio ``(channels, n)`` a hit of ``velocity`` (0-1) plays, and the gain it is played at."""
        if piece not in self._layers:
            raise ParameterError(
                f"piece must be one of the kit's pieces, {', '.join(self._layers)} (got {piece!r}): add it with "
                "kit.with_piece(name, (y, sr))."
            )
        for v, y in self._layers[piece]:
            if v >= velocity - 1e-9:
                return y, velocity / v
        v, y = self._layers[piece][-1]
        return y, velocity / v

    def with_piece(self, piece: str, sample, choke_group: str | None = None) -> Kit:
        """A copy with ``piece`` added or replaced by ``sample`` (``(y, sr)``, or ``y`` at the kit's rate).

        ``choke_group`` names an existing piece whose choke group the new one joins.
        """
        pieces = {p: {v: y for v, y in layers} for p, layers in self._layers.items()}
        pieces[_name(piece, "kit piece")] = {1.0: (sample if isinstance(sample, tuple) else (sample, self.sr))}
        groups = [tuple(m for m in g if m != piece) for g in self.choke_groups]
        if choke_group is not None:
            owner = next((i for i, g in enumerate(groups) if choke_group in g), None)
            if owner is None:
                groups.append((choke_group,))
                owner = len(groups) - 1
            groups[owner] = (*groups[owner], piece)
        return Kit(pieces, sr=self.sr, choke_groups=[g for g in groups if g], name=self.name)

    def _choke_of(self) -> dict[str, int]:
        return {m: i for i, g in enumerate(self.choke_groups) for m in g}


def _kit_or_default(kit) -> Kit:
    if kit is None:
        return Kit()
    if not isinstance(kit, Kit):
        raise ParameterError(
            f"kit must be a beats.Kit (got {type(kit).__name__}): Kit() for the session's one-shots, "
            "Kit.recorded() for the recorded kit, or Kit({'kick': (y, sr), ...})."
        )
    return kit


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Hit:
    """One scheduled hit: its instrument, pattern step, first sample and velocity (0-1).

    Lesson: not yet taught
    """

    instrument: str
    step: int
    sample: int
    velocity: float


def schedule(pattern: Pattern, bpm: float, sr: int, swing: float = 50.0, bars: int | None = None) -> list[Hit]:
    """Every hit of ``pattern`` looped over ``bars`` bars, at its sample (the rule in the module docstring).

    Sorted by sample, then by the pattern's row order. Steps count from 0 over all ``bars``.

    Lesson: not yet taught
    """
    if not isinstance(pattern, Pattern):
        raise ParameterError(f"pattern must be a beats.Pattern (got {type(pattern).__name__}): "
                             "Pattern.from_text('kick: x...x...x...x...') or preset('house').")
    bars = pattern.bars if bars is None else whole("bars", bars, 1, 256, hint="the pattern loops to fill them")
    total = bars * pattern.steps_per_bar
    times = step_times(total, bpm, swing, pattern.steps_per_bar)
    out = []
    for order, name in enumerate(pattern.instruments):
        row = np.resize(pattern[name], total)
        nudges = np.resize(pattern.nudges_ms(name), total)
        steps = np.flatnonzero(row)
        samples = onset_samples(times[steps] + nudges[steps] / 1000.0, sr)
        out += [(int(s), order, Hit(name, int(k), int(s), float(row[k]))) for k, s in zip(steps, samples, strict=True)]
    out.sort(key=lambda t: (t[0], t[1]))
    return [h for _s, _o, h in out]


def render(pattern: Pattern, kit: Kit | None = None, bpm: float = 120.0, swing: float = 50.0,
           bars: int | None = None, tail: bool = True) -> np.ndarray:
    """Play ``pattern`` on ``kit`` at ``bpm``: float32 audio at ``kit.sr``, ``(n,)``, or ``(2, n)`` for a stereo kit.

    Each hit starts at exactly its sample (the rule in the module docstring) and rings until its one-shot ends,
    under any later hits, except that a hit in one of the kit's choke groups cuts the group's ringing hits
    (a 5 ms linear fade from the choking hit's first sample). ``bars`` loops the pattern (default: its
    own length). The output is ``bars`` long (``floor(bars * 240 / bpm * sr + 0.5)`` samples), extended to
    the last one-shot's end when ``tail`` is True. Nothing is normalised: hits add up.

    Lesson: course/07-beats.ipynb
    """
    kit = _kit_or_default(kit)
    bpm, swing = _bpm(bpm), _swing(swing)
    if not isinstance(tail, bool):
        raise ParameterError(f"tail must be True or False (got {tail!r}).")
    hits = schedule(pattern, bpm, kit.sr, swing, bars)
    bars = pattern.bars if bars is None else int(bars)
    missing = [n for n in pattern.instruments if n not in kit and pattern[n].any()]
    if missing:
        raise ParameterError(
            f"every row must be a piece of the kit (got {', '.join(map(repr, missing))}; the kit has "
            f"{', '.join(kit.pieces)}): use another kit, add the piece with kit.with_piece(name, (y, sr)), "
            "or drop the row with pattern.without(name)."
        )
    length = int(math.floor(bars * 240 / bpm * kit.sr + 0.5))
    fade = max(1, int(math.floor(CHOKE_FADE_MS * kit.sr / 1000 + 0.5)))
    choke = kit._choke_of()
    voices = []  # (start, audio, gain, cut sample or None)
    last_in_group: dict[int, int] = {}
    for hit in hits:
        y, gain = kit.layer(hit.instrument, hit.velocity)
        group = choke.get(hit.instrument)
        if group is not None:
            if group in last_in_group:
                voices[last_in_group[group]][3] = hit.sample
            last_in_group[group] = len(voices)
        voices.append([hit.sample, y, gain, None])
    ends = [v[0] + (min(v[1].shape[1], v[3] - v[0] + fade) if v[3] is not None else v[1].shape[1]) for v in voices]
    n = max([length, *ends]) if tail and voices else length
    out = np.zeros((kit.channels, n), dtype=np.float32)
    ramp = (1.0 - np.arange(fade) / fade).astype(np.float32)
    for (start, y, gain, cut), end in zip(voices, ends, strict=True):
        end = min(end, n)
        if end <= start:
            continue
        part = y[:, : end - start] * np.float32(gain)
        if cut is not None and cut - start < part.shape[1]:
            a = cut - start
            part[:, a:] *= ramp[: part.shape[1] - a]
        out[:, start:end] += part
    return out[0] if out.shape[0] == 1 else out


# --------------------------------------------------------------------------- presets


@dataclass(frozen=True)
class Preset:
    """A named groove: its pattern as a text grid, a typical tempo and swing, and what makes it that style.

    Lesson: not yet taught
    """

    name: str
    grid: str
    bpm: float
    swing: float
    description: str
    steps_per_bar: int = 16

    @property
    def pattern(self) -> Pattern:
        return Pattern.from_text(self.grid, self.steps_per_bar)


PRESETS = {
    "house": Preset(
        "house",
        """
        kick:     x...x...x...x...
        clap:     ....x.......x...
        hat:      x...x...x...x...
        open_hat: ..x...x...x...x.
        """,
        124, 50,
        "Four-on-the-floor: a kick on every beat, a clap on 2 and 4, and an open hat on every off-beat 8th that "
        "the closed hat on the next beat chokes (the 'ts-tss' of house).",
    ),
    "boom_bap": Preset(
        "boom_bap",
        """
        kick:  x.....x...x.....
        snare: ....x.......x..g
        hat:   x.o.x.ogx.o.x.og
        """,
        90, 58,
        "Boom bap: kick on 1 and the 'and' of 2 and of 3, snare on 2 and 4 with a ghost note into the next bar, "
        "accented 8th-note hats with soft 16th pickups, played with MPC swing (swing moves only the 16ths: the "
        "pickups and the ghost).",
    ),
    "trap": Preset(
        "trap",
        """
        kick:  x.............x.....x...........
        clap:  ................x...............
        hat:   x...x...x...x...x...x.x.x.x.xxxx
        """,
        140, 50,
        "Trap at 32 steps a bar: half-time, so the clap lands on beat 3 only; a syncopated kick; 8th-note hats "
        "that roll into 16ths and 32nds at the end of the bar.",
        32,
    ),
    "rock": Preset(
        "rock",
        """
        kick:  x.......x.x.....
        snare: ....x.......x...
        hat:   x.x.x.x.x.x.x.x.
        """,
        110, 50,
        "A straight rock beat: kick on 1, 3 and the 'and' of 3, snare backbeat on 2 and 4, straight 8th hats.",
    ),
    "dembow": Preset(
        "dembow",
        """
        kick:  x...x...x...x...
        snare: ...x..x....x..x.
        hat:   x.x.x.x.x.x.x.x.
        """,
        95, 50,
        "Reggaeton's dembow: a kick on every beat, and a snare on the 'a' of 1, the 'and' of 2, the 'a' of 3 and "
        "the 'and' of 4 that completes a 3-3-2 figure with the kick on 1 and 3: boom-ch-boom-chick.",
    ),
}


def preset(name: str) -> Pattern:
    """The pattern of a named groove: house, boom_bap, trap, rock or dembow (its tempo in ``PRESETS[name]``).

    Names read as a producer writes them too: ``"boom bap"``, ``"Boom-Bap"``.

    Lesson: course/07-beats.ipynb
    """
    key = name.strip().lower().replace(" ", "_").replace("-", "_") if isinstance(name, str) else None
    if key not in PRESETS:
        one_of("name", name, PRESETS, hint="the presets are house, boom_bap, trap, rock and dembow")
    return PRESETS[key].pattern


# --------------------------------------------------------------------------- groove from audio


@dataclass(frozen=True)
class Groove:
    """The timing of a beat measured from audio by :func:`groove_of`.

    ``swing_percent`` is the median place of the off-beat 16ths within their 8ths (50 straight; NaN when
    no onset falls on an off-beat 16th). ``onsets_s`` are the detected onsets, ``steps`` the 16th of the
    grid each belongs to (from 0), ``offsets_ms`` each onset's distance from the straight grid (late is
    positive), and ``step_offsets_ms`` the mean offset on each of a bar's 16 steps (NaN where nothing
    plays). ``start_s`` is where bar 1 was found to start.

    Lesson: course/07-beats.ipynb
    """

    bpm: float
    swing_percent: float
    onsets_s: np.ndarray
    steps: np.ndarray
    offsets_ms: np.ndarray
    step_offsets_ms: np.ndarray
    start_s: float


#: groove_of's transient detector: a hit starts where the high-frequency energy of the next FAST ms rises
#: ONSET_RISE_DB above that of the previous SLOW ms; a new hit is heard only REFRACTORY ms after the last.
ONSET_FAST_MS, ONSET_SLOW_MS, ONSET_RISE_DB, ONSET_GATE_DB, ONSET_REFRACTORY_MS = 0.5, 20.0, 6.0, -50.0, 40.0


def _detect_onsets(y: np.ndarray, sr: int) -> np.ndarray:
    """Onset times in seconds, to the sample: where the energy of the signal's first difference (its highs,
    where a drum's attack is) over the next 0.5 ms jumps 6 dB above that over the previous 20 ms."""
    d = np.diff(np.asarray(y, dtype=np.float64), prepend=0.0)
    power = d * d
    c = np.concatenate([[0.0], np.cumsum(power)])
    n = len(power)
    fast_n = max(1, int(ONSET_FAST_MS * sr / 1000))
    slow_n = max(1, int(ONSET_SLOW_MS * sr / 1000))
    idx = np.arange(n)
    fast = (c[np.minimum(idx + fast_n, n)] - c[idx]) / fast_n
    lo = np.maximum(idx - slow_n, 0)
    slow = (c[idx] - c[lo]) / np.maximum(idx - lo, 1)
    gate = float(fast.max()) * 10 ** (ONSET_GATE_DB / 10) if n else 0.0
    above = fast > (slow + gate) * 10 ** (ONSET_RISE_DB / 10)
    starts = np.flatnonzero(above & ~np.concatenate([[False], above[:-1]]))
    refractory = int(ONSET_REFRACTORY_MS * sr / 1000)
    onsets, last = [], -refractory
    for start in starts:
        if start - last >= refractory:
            onsets.append(start)
            last = start
    return np.array(onsets, dtype=np.float64) / sr


def groove_of(audio, sr: int, bpm: float, steps_per_bar: int = 16) -> Groove:
    """Measure swing and per-step timing from audio of a beat that starts on bar 1's downbeat.

    Onsets are found to the sample where each hit's high-frequency energy jumps (so a kick is heard by its
    click; under a loud hat at a fast tempo it may be missed).
    Each onset is assigned to the 8th it sits in; within it, an onset past the first quarter is the off-beat
    16th, whose place in the 8th is its swing. The grid's start is taken from the on-beat onsets (so a
    constant lag, e.g. of a sample's attack, cancels). Works on 16-step grooves (``steps_per_bar=16``).

    Lesson: course/07-beats.ipynb
    """
    from .audio import check_sr, ensure_audio, to_mono

    sr = check_sr(sr)
    bpm = _bpm(bpm)
    if _steps_per_bar(steps_per_bar) != 16:
        raise ParameterError("steps_per_bar must be 16 for groove_of (got 32): swing is measured on 16ths.")
    y = to_mono(ensure_audio(audio, name="audio", allow_transposed=True))
    onsets = _detect_onsets(y, sr)
    eighth = 30.0 / bpm
    start = 0.0
    for _ in range(3):  # align the grid to the on-beat onsets, then classify again
        u = (onsets - start) / eighth + 0.125
        e = np.floor(u)
        f = u - e - 0.125
        on = f < 0.25
        if not on.any():
            break
        start = start + float(np.median(f[on])) * eighth
    u = (onsets - start) / eighth + 0.125
    e = np.floor(u)
    f = u - e - 0.125
    off = f >= 0.25
    swing = float(np.median(f[off]) * 100) if off.any() else float("nan")
    steps = (2 * e + off).astype(int)
    offsets_ms = ((onsets - start) - steps * eighth / 2) * 1000
    per_step = np.full(16, np.nan)
    for s in range(16):
        here = (steps % 16) == s
        if here.any():
            per_step[s] = float(np.mean(offsets_ms[here]))
    keep = steps >= 0
    return Groove(bpm=bpm, swing_percent=swing, onsets_s=onsets[keep], steps=steps[keep],
                  offsets_ms=offsets_ms[keep], step_offsets_ms=per_step, start_s=start)


# --------------------------------------------------------------------------- layering and chopping

#: How far below its peak a one-shot's first transient is found, for lining up layers.
LAYER_ONSET_DB = -30.0


def sub_kick(sr: int, pitch_hz: float = 50.0, decay_ms: float = 400.0, drop_from_hz: float = 150.0,
             peak: float = 1.0) -> np.ndarray:
    """A synthesised sub kick (an 808-style sine): the pitch falls from ``drop_from_hz`` to ``pitch_hz`` in
    about 30 ms, and the level dies away over ``decay_ms``. Mono float32, peaking at ``peak`` (0-1): pass the
    peak of the kick it will be layered with, so that ``layer_kick``'s ``sub_gain_db=0`` means equal peaks.

    Lesson: course/07-beats.ipynb
    """
    from .audio import check_sr

    sr = check_sr(sr)
    pitch_hz = in_range("pitch_hz", pitch_hz, 25, 120, unit="Hz", hint="a sub kick sits around 40-60 Hz")
    decay_ms = in_range("decay_ms", decay_ms, 50, 2000, unit="ms", hint="short for house, long for an 808 in trap")
    drop_from_hz = in_range("drop_from_hz", drop_from_hz, pitch_hz, 1000, unit="Hz",
                            hint="the pitch the kick starts at, at or above pitch_hz")
    peak = in_range("peak", peak, 0, 1, hint="the sub's highest sample; 1 is full scale (0 dBFS)")
    n = int(sr * decay_ms / 1000 * 1.5)
    t = np.arange(n) / sr
    freq = pitch_hz + (drop_from_hz - pitch_hz) * np.exp(-t / 0.010)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    env = np.exp(-t / (decay_ms / 1000 / 4.6))  # -40 dB at decay_ms
    attack = np.minimum(1.0, t / 0.001)  # a 1 ms fade-in: no click of its own
    y = np.sin(phase) * env * attack
    top = float(np.max(np.abs(y)))
    return (y * (peak / top if top > 0 else 0.0)).astype(np.float32)


def _first_transient(y2d: np.ndarray) -> int:
    level = np.max(np.abs(y2d), axis=0)
    peak = float(level.max()) if level.size else 0.0
    if peak <= 0:
        return 0
    return int(np.argmax(level >= peak * 10 ** (LAYER_ONSET_DB / 20)))


def layer_kick(sub, click, sr: int, crossover_hz: float = 120.0, sub_gain_db: float = 0.0,
               click_gain_db: float = 0.0) -> np.ndarray:
    """One kick made of two: the low end of ``sub`` below ``crossover_hz`` and the attack of ``click`` above it.

    Each layer is filtered (a 24 dB/octave low-pass on the sub, a high-pass on the click, both at
    ``crossover_hz``) so they do not fight in the same range, then the two are lined up on their first
    transient (the first sample within 30 dB of each one's peak) and added at their gains. Mono in, mono out;
    if either is stereo the result is ``(2, n)``. Nothing is normalised.

    Lesson: course/07-beats.ipynb
    """
    from .audio import as_channels, check_sr, ensure_audio
    from .eq import HighPass, LowPass

    sr = check_sr(sr)
    crossover_hz = in_range("crossover_hz", crossover_hz, 40, 2000, unit="Hz",
                            hint="a sub/click split usually sits between 80 and 250 Hz")
    sub_gain_db = in_range("sub_gain_db", sub_gain_db, -60, 24, unit="dB")
    click_gain_db = in_range("click_gain_db", click_gain_db, -60, 24, unit="dB")
    layers = []
    for name, y, band, gain_db in (("sub", sub, LowPass(crossover_hz, order=4), sub_gain_db),
                                   ("click", click, HighPass(crossover_hz, order=4), click_gain_db)):
        y = as_channels(ensure_audio(y, name=name, allow_transposed=True))
        if y.shape[0] > 2 or y.shape[1] == 0:
            raise ParameterError(f"{name} must be a mono or stereo one-shot with samples (got shape {y.shape}).")
        y = as_channels(band(y, sr)) * np.float32(10 ** (gain_db / 20))
        layers.append(y[:, _first_transient(y):])
    channels = max(y.shape[0] for y in layers)
    n = max(y.shape[1] for y in layers)
    out = np.zeros((channels, n), dtype=np.float32)
    for y in layers:
        out[:, : y.shape[1]] += y if y.shape[0] == channels else np.repeat(y, channels, axis=0)
    return out[0] if channels == 1 else out


#: A chopped slice fades out over its last CHOP_FADE_MS (and in over 0.5 ms), so cutting it makes no click.
CHOP_FADE_MS = 3.0


def chop(audio, sr: int, bpm: float, slices: int = 8, start_s: float = 0.0) -> tuple[Kit, Pattern]:
    """Chop one bar of ``audio`` (from ``start_s``) into ``slices`` equal slices on the grid, as a sampler does.

    Returns a :class:`Kit` whose pieces are the slices, named ``s1``, ``s2``, ... in the order they come in
    the bar, and the one-bar 16-step :class:`Pattern` that plays them back in that order (slice ``k`` on its
    own place in the bar): ``render(pattern, kit, bpm)`` gives back the bar. Move, repeat or drop the hits
    to make a new beat from the old one; each slice lasts one slot (a bar / ``slices``), with short fades.

    Lesson: course/07-beats.ipynb
    """
    from .audio import as_channels, check_sr, ensure_audio

    sr = check_sr(sr)
    bpm = _bpm(bpm)
    slices = one_of("slices", whole("slices", slices, hint="4, 8 or 16"), (4, 8, 16),
                    hint="4 (beats), 8 (8ths) or 16 (16ths) slices a bar")
    y = as_channels(ensure_audio(audio, name="audio", allow_transposed=True))
    start_s = in_range("start_s", start_s, 0, max(0.0, y.shape[1] / sr), unit="s")
    bar = int(math.floor(240 / bpm * sr + 0.5))
    first = int(math.floor(start_s * sr + 0.5))
    if first + bar > y.shape[1]:
        raise ParameterError(
            f"audio must hold a whole bar from start_s (a bar at {bpm:g} BPM is {240 / bpm:.3f} s; the audio has "
            f"{y.shape[1] / sr - start_s:.3f} s after {start_s:g} s): start earlier or pass a longer clip."
        )
    fade_out = max(1, int(CHOP_FADE_MS * sr / 1000))
    fade_in = max(1, int(0.5 * sr / 1000))
    edges = [first + int(math.floor(k * bar / slices + 0.5)) for k in range(slices + 1)]
    pieces = {}
    rows = {}
    per = 16 // slices
    for k in range(slices):
        piece = y[:, edges[k]: edges[k + 1]].astype(np.float32)
        piece[:, :fade_in] *= np.linspace(0, 1, fade_in, endpoint=False, dtype=np.float32)
        piece[:, -fade_out:] *= np.linspace(1, 0, fade_out, dtype=np.float32)
        name = f"s{k + 1}"
        pieces[name] = (piece[0] if piece.shape[0] == 1 else piece, sr)
        row = np.zeros(16)
        row[k * per] = 1.0
        rows[name] = row
    return Kit(pieces, sr=sr, name="chop"), Pattern(rows)


def chop_pattern(order) -> Pattern:
    """The one-bar pattern that plays a :func:`chop`'s slices in a new ``order``.

    ``order[k]`` is the slice (counted from 1, as ``s1``, ``s2``, ... are named) that plays in the bar's
    ``k``-th slot; 0 leaves the slot silent. ``len(order)`` is the number of slices: 4, 8 or 16.
    ``chop_pattern([1, 2, 3, 4, 5, 6, 7, 8])`` plays the bar back as it was.

    Lesson: course/07-beats.ipynb
    """
    if isinstance(order, str) or not isinstance(order, Sequence) or len(order) not in (4, 8, 16):
        raise ParameterError(f"order must be a list of 4, 8 or 16 slice numbers, one per slot (got {order!r}): "
                             "e.g. [1, 2, 1, 4, 5, 6, 5, 8].")
    slices = len(order)
    numbers = [whole(f"order[{k}]", v, 0, slices, hint=f"slices are numbered 1 to {slices}; 0 is a silent slot")
               for k, v in enumerate(order)]
    if not any(numbers):
        raise ParameterError("order must play at least one slice (got only 0s): e.g. [1, 2, 3, 4].")
    per = 16 // slices
    rows = {}
    for k, n in enumerate(numbers):
        if n:
            rows.setdefault(f"s{n}", np.zeros(16))[k * per] = 1.0
    return Pattern(rows)
