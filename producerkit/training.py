"""Ear training: drills as data, an adaptive staircase, feedback in a producer's words, and progress you own.

Six drills train the ear a producer works with; each has ten levels, and what gets smaller from
level 1 to level 10 is in brackets:

- ``frequency``: which band was boosted or cut? (the boost, +12 dB to ±3 dB; octave bands, then thirds)
- ``level``: which is louder, and by how many dB? (the step, 3 dB to 0.4 dB)
- ``dynamics``: which version is compressed, and by how much? (gain reduction, 12 dB to 1.5 dB)
- ``space``: which decay is longer? which note value is the delay? (the decay difference, 100 % to 7 %)
- ``stereo``: where is the source panned? (the tolerance, ±35 % to ±7 % of one side)
- ``problem``: mud, harshness, rumble, hum, clipping or over-compression? (the severity, 12 to 3: at 12 as
  strong as the session's own problem tracks, 3 dB subtler for every 3 less)

:func:`make_trial` turns a drill, a level (1 easy ... 10 hard) and a seed into a :class:`Trial`: the
reference (A) and the processed version (B) as stereo float32, the right answer, and what was done, as
data a widget can show after the answer (the EQ, the compressor and its gain-reduction trace, the
reverbs, the pan). The same seed always gives the same trial. Both versions are matched in BS.1770
integrated loudness (measured, not RMS) to -20 LUFS, so loudness never gives the answer away, except in
the level drill, where it is the answer. :func:`score` judges an answer and says why, like a producer
at your shoulder.

:class:`Staircase` moves the level 3-down/1-up (Levitt 1971: it settles where you are right 79.4 % of
the time), and your personal threshold is the mean of the last 6 reversals. :class:`Progress` keeps
every answer in one JSON file you own (``~/.producerkit/progress.json``, or ``$PRODUCERKIT_PROGRESS``),
written atomically under a lock so two notebooks never lose each other's results; a damaged file is
moved aside to a named backup, never overwritten. :class:`Trainer` ties the three together.

    >>> from producerkit import training
    >>> trial = training.make_trial("frequency", level=3, seed=0)
    >>> print(training.score(trial, "2 kHz"))  # doctest: +ELLIPSIS
    you said 2 kHz; it was 4 kHz, an octave higher: the boost sits in the presence range (2 kHz-6 kHz), ...

Lesson: course/05-ear-training.ipynb
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import math
import os
import re
import shutil
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._files import fsync_dir, write_atomic
from ._song import SESSION
from .eq import FREQUENCY_RANGE_CONTENTS, FREQUENCY_RANGES
from .errors import ParameterError, ProducerkitError

__all__ = [
    "DRILLS",
    "LEVELS",
    "Drill",
    "Progress",
    "ProgressError",
    "ProgressWarning",
    "Score",
    "Staircase",
    "Threshold",
    "Trainer",
    "Trial",
    "class_report",
    "drill",
    "export_progress",
    "import_progress",
    "make_trial",
    "moves_level",
    "progress_path",
    "read_progress",
    "score",
]

DRILLS = ("frequency", "level", "dynamics", "space", "stereo", "problem")
LEVELS = 10

#: Both versions of a trial are brought to this integrated loudness (LUFS), measured per BS.1770.
TARGET_LUFS = -20.0
#: If a boost would push a sample above this (dBFS), both versions are turned down together.
PEAK_CEILING_DBFS = -1.0

OCTAVE_BANDS_5 = (63.0, 250.0, 1000.0, 4000.0, 16000.0)
OCTAVE_BANDS_10 = (31.5, 63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0)
THIRD_OCTAVE_BANDS = (
    31.5, 40.0, 50.0, 63.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0, 315.0, 400.0, 500.0, 630.0,
    800.0, 1000.0, 1250.0, 1600.0, 2000.0, 2500.0, 3150.0, 4000.0, 5000.0, 6300.0, 8000.0, 10000.0,
    12500.0, 16000.0,
)
#: Bell Q for a band one octave wide and one third of an octave wide.
Q_OCTAVE = math.sqrt(2.0)
Q_THIRD = 1.0 / (2 ** (1 / 6) - 2 ** (-1 / 6))

NOTE_VALUES = ("1/4", "1/8", "1/8d", "1/8t")
#: In the stereo drill B is panned at least this far (% of one side) from the centre.
MIN_PAN = 10.0
NOTE_NAMES = {"1/4": "1/4", "1/8": "1/8", "1/8d": "dotted 1/8", "1/8t": "1/8 triplet"}
PROBLEM_KINDS = ("mud", "harshness", "rumble", "hum", "clipping", "over-compression")

#: The named frequency ranges with what lives in each, from eq (the top one closed at 20 kHz).
REGIONS = tuple(
    (name, float(lo), float(hi) + (1.0 if hi == 20000 else 0.0), FREQUENCY_RANGE_CONTENTS[name])
    for name, lo, hi in FREQUENCY_RANGES
)


class ProgressError(ProducerkitError):
    """A progress file that cannot be read (damaged, or not a producerkit progress file).

    Lesson: not yet taught
    """


class _ForeignFile(ProgressError):
    """Valid JSON, but not a progress file this version can read (another program's, or a newer schema)."""


class ProgressWarning(UserWarning):
    """Something happened to the progress file that the student should know (a backup was made).

    Lesson: not yet taught
    """


# =========================================================================== the drills, as data


@dataclass(frozen=True)
class Drill:
    """One kind of drill: its question, its ten levels and the published range (or the goal) it is measured against.

    ``values[level - 1]`` is the size of the change at that level, in ``unit`` (the number the
    threshold is told in); ``settings[level - 1]`` holds whatever else the level sets (bands,
    material, boost or cut ...).

    Lesson: course/05-ear-training.ipynb
    """

    name: str
    title: str
    question: str
    unit: str
    values: tuple
    settings: tuple
    published: str
    published_range: tuple | None
    #: True when ``published_range`` was measured in listening tests; False when it is a practical goal.
    measured: bool = True

    def value(self, level: int) -> float:
        """The size of the change at ``level`` (1-10), in the drill's unit."""
        return float(self.values[_check_level(level) - 1])

    def setting(self, level: int) -> dict:
        """What else ``level`` sets: the band set, the material, boosts or cuts, the context."""
        return dict(self.settings[_check_level(level) - 1])


def _levels(values, **per_level) -> tuple:
    """Settings per level from ``name=function(level)`` pairs."""
    return tuple({k: f(level) for k, f in per_level.items()} for level in range(1, len(values) + 1))


_FREQ_GAINS = (12.0, 10.0, 9.0, 7.5, 6.5, 5.5, 5.0, 4.0, 3.5, 3.0)
_LEVEL_STEPS = (3.0, 2.5, 2.0, 1.6, 1.3, 1.0, 0.8, 0.6, 0.5, 0.4)
_GR_STEPS = (12.0, 10.0, 8.0, 6.5, 5.0, 4.0, 3.0, 2.5, 2.0, 1.5)
_DECAY_STEPS = (100.0, 80.0, 60.0, 45.0, 35.0, 25.0, 20.0, 15.0, 10.0, 7.0)
_PAN_STEPS = (35.0, 29.0, 24.0, 20.0, 17.0, 14.0, 12.0, 10.0, 8.5, 7.0)
_SEVERITY_STEPS = (12.0, 10.0, 9.0, 7.5, 6.5, 5.5, 5.0, 4.0, 3.5, 3.0)

_DRILLS = {
    "frequency": Drill(
        "frequency", "Frequency", "Which band was boosted or cut?", "dB", _FREQ_GAINS,
        _levels(_FREQ_GAINS,
                bands=lambda lv: "octave5" if lv <= 2 else ("octave10" if lv <= 5 else "third"),
                cuts=lambda lv: lv >= 7,
                material=lambda lv: "pink" if lv == 1 else "mix"),
        "there is no published norm; ±3 dB in third-octave bands, where ear-training courses take engineers, is "
        "the course's goal", (3.0, 3.0), False),
    "level": Drill(
        "level", "Level", "Which is louder, and by how many dB?", "dB", _LEVEL_STEPS,
        _levels(_LEVEL_STEPS, material=lambda lv: "any"),
        "most trained listeners hear 0.5–1 dB", (0.5, 1.0)),
    "dynamics": Drill(
        "dynamics", "Dynamics", "Which version is compressed, and roughly how much gain reduction?", "dB",
        _GR_STEPS,
        _levels(_GR_STEPS, ratio=lambda lv: 4.0 if lv <= 5 else 3.0,
                attack_ms=lambda lv: 1.0 if lv <= 5 else 5.0),
        "there is no published norm; 1–2 dB of gain reduction, typical of bus and mastering compression, is a "
        "good goal", (1.0, 2.0), False),
    "space": Drill(
        "space", "Space", "Which decay is longer? Which note value is the delay?", "%", _DECAY_STEPS,
        _levels(_DECAY_STEPS,
                delay_mix=lambda lv: round(0.5 - 0.04 * (lv - 1), 2),
                feedback=lambda lv: round(0.5 - 0.03 * (lv - 1), 2)),
        "the published just-noticeable difference in decay time is about 5 % in rooms (ISO 3382-1), and often "
        "larger on music", (5.0, 5.0)),
    "stereo": Drill(
        "stereo", "Stereo", "Where is the source panned?", "%", _PAN_STEPS,
        _levels(_PAN_STEPS, context=lambda lv: "solo" if lv <= 5 else "mix"),
        "the ear resolves about 1° straight ahead (Mills 1958): about ±4 % of one side on speakers at ±30°",
        (4.0, 4.0)),
    "problem": Drill(
        "problem", "Spot the problem", "What is wrong: mud, harshness, rumble, hum, clipping or over-compression?",
        "dB", _SEVERITY_STEPS,
        _levels(_SEVERITY_STEPS, context=lambda lv: "solo" if lv <= 5 else "mix"),
        "there is no published norm for spotting problems; level 10 (severity 3) is the course's goal", None),
}


def drill(name: str) -> Drill:
    """The :class:`Drill` called ``name`` (one of :data:`DRILLS`).

    Lesson: course/05-ear-training.ipynb
    """
    return _DRILLS[_check_drill(name)]


def _check_drill(name) -> str:
    if not isinstance(name, str) or name not in _DRILLS:
        raise ParameterError(f"drill must be one of {', '.join(DRILLS)} (got {name!r}).")
    return name


def _check_level(level) -> int:
    if isinstance(level, bool) or not isinstance(level, int | np.integer) or not 1 <= int(level) <= LEVELS:
        raise ParameterError(f"level must be a whole number from 1 (easiest) to {LEVELS} (hardest) (got {level!r}).")
    return int(level)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed must be a whole number >= 0 (got {seed!r}); the same seed gives the same trial.")
    return int(seed)


# =========================================================================== the trial


@dataclass(frozen=True, eq=False)
class Trial:
    """One question: the reference (A), the processed version (B), the right answer and what was done.

    Attributes:
        drill, level, seed: what made it; the same three always make the same trial.
        sr: sample rate of both versions.
        reference, processed: float32 stereo ``(2, n)``, A and B, read-only.
        answer: the right answer, in the form :func:`score` takes: Hz (frequency), the dB of B
            relative to A (level), "A" or "B" (dynamics, decay), a note value such as "1/8d"
            (delay), a pan position from -100 (hard left) to +100 (hard right) (stereo), or a
            problem kind.
        question: the question, as a student reads it.
        choices: the buttons to offer, or None when the answer is a number (see ``answer_range``).
        answer_range: (low, high) for a slider, or None.
        value: the size of the change at this level, in ``unit`` (what the threshold is told in).
        material: what you hear, in words ("the mix, bars 11-14").
        details: what was done, as data: the processors (EQ, Compressor, Reverb, Delay, Pan), the
            gain-reduction trace, the decay times, the match gains and the measured loudness.

    Lesson: not yet taught
    """

    drill: str
    level: int
    seed: int
    sr: int
    reference: np.ndarray
    processed: np.ndarray
    answer: object
    question: str
    choices: tuple | None
    answer_range: tuple | None
    value: float
    unit: str
    material: str
    details: dict = field(default_factory=dict)

    @property
    def difference(self) -> np.ndarray:
        """B minus A: what the processing added or took away, to listen to on its own."""
        return (self.processed.astype(np.float32) - self.reference.astype(np.float32)).astype(np.float32)

    def __repr__(self) -> str:
        return (f"Trial({self.drill!r}, level {self.level}, seed {self.seed}: {self.question} "
                f"{self.material}; {self.reference.shape[-1] / self.sr:.1f} s at {self.sr} Hz)")


def make_trial(drill: str, level: int = 1, seed: int = 0, *, seconds: float | None = None,
               session: str = SESSION) -> Trial:
    """Make one trial of ``drill`` at ``level`` (1-10); the same seed always gives the same trial.

    Args:
        drill: one of :data:`DRILLS`.
        level: 1 (easiest) to 10 (hardest).
        seed: any whole number >= 0.
        seconds: length of the excerpt (1 to 30 s); default 4 bars of the song (9.6 s at 100 BPM).
        session: the bundled session whose stems are used.

    Lesson: not yet taught
    """
    name = _check_drill(drill)
    level = _check_level(level)
    seed = _check_seed(seed)
    song = _session(session)
    if seconds is None:
        n = int(round(4 * song.seconds_per_bar * song.sr))
    else:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 1.0 <= float(seconds) <= 30.0:
            raise ParameterError(f"seconds must be a number from 1 to 30 (got {seconds!r}).")
        n = int(round(float(seconds) * song.sr))
    rng = np.random.default_rng([seed, DRILLS.index(name), level])
    return _MAKERS[name](_Context(song, session, n, rng, level, seed))


@dataclass
class _Context:
    song: object
    session: str
    n: int
    rng: np.random.Generator
    level: int
    seed: int

    @property
    def sr(self) -> int:
        return int(self.song.sr)


# --------------------------------------------------------------------------- material (cached)


def _session(name: str):
    from . import datasets

    return datasets.shared_session(name)


#: Where each stem sits in the course mix (pan position, -1 left ... +1 right).
MIX_PANS = {"kick": 0.0, "snare": 0.0, "overheads": 0.0, "bass": 0.0, "keys": -0.35, "pad": 0.2,
            "guitar": 0.45, "lead": 0.0}
#: Bars (0-based) where every stem plays, and where the verse starts: excerpts start here.
_FULL_BARS = (10, 14, 22, 26)
_ANY_BARS = (2, 6, 10, 14, 22, 26)
#: Which stems sound in which bars (see the session map): guitar and pad only in the choruses.
_CHORUS_ONLY = {"guitar", "pad"}


_GROUPS = {"drums": ("kick", "snare", "overheads"), "kit": ("kick", "snare")}
_SQRT2 = math.sqrt(2.0)


def _pan_gains(position: float) -> tuple[float, float]:
    """Constant-power pan gains scaled so the centre is unity in each channel (the course mix's convention)."""
    theta = (position + 1.0) * math.pi / 4.0
    return math.cos(theta) * _SQRT2, math.sin(theta) * _SQRT2


@lru_cache(maxsize=1)
def _full_mix(session: str) -> np.ndarray:
    """The whole song as a stereo mix, each stem at unity and panned as in :data:`MIX_PANS` (read-only)."""
    song = _session(session)
    n = max(len(song.stems[name]) for name in song.stems)
    out = np.zeros((2, n), np.float32)
    for name in song.stems:
        y = song.stems[name]
        left, right = _pan_gains(MIX_PANS.get(name, 0.0))
        out[0, : len(y)] += np.float32(left) * y
        out[1, : len(y)] += np.float32(right) * y
    out.flags.writeable = False
    return out


@lru_cache(maxsize=2)
def _full_group(session: str, group: str) -> np.ndarray:
    """A group of stems summed to mono for the whole song (read-only)."""
    song = _session(session)
    names = _GROUPS[group]
    out = np.zeros(max(len(song.stems[name]) for name in names), np.float32)
    for name in names:
        out[: len(song.stems[name])] += song.stems[name]
    out.flags.writeable = False
    return out


def _cut(y: np.ndarray, start: int, n: int) -> np.ndarray:
    part = y[..., start:start + n]
    if part.shape[-1] < n:
        pad = np.zeros(part.shape[:-1] + (n - part.shape[-1],), np.float32)
        part = np.concatenate([part, pad], axis=-1)
    return part


def _mono(session: str, name: str, start_bar: int, n: int, variant: bool = False) -> np.ndarray:
    """A mono excerpt of a stem or a stem group (or, with ``variant``, of a problem variant from its first bar)."""
    song = _session(session)
    if variant:
        return _cut(np.asarray(song.variants[name], np.float32), 0, n)
    y = _full_group(session, name) if name in _GROUPS else song.stems[name]
    return _cut(y, song.bar_to_sample(start_bar), n)


def _excerpt(session: str, source: str, start_bar: int, n: int, exclude: str = "") -> np.ndarray:
    """A stereo ``(2, n)`` float32 excerpt of the mix (optionally without one stem), a stem or a stem group.

    A stem or a group comes back as two identical channels (a mono source, centred).
    """
    song = _session(session)
    start = song.bar_to_sample(start_bar)
    if source != "mix":
        y = _mono(session, source, start_bar, n)
        return np.stack([y, y])
    mix = _cut(_full_mix(session), start, n)
    if not exclude:
        return mix
    stem = _cut(song.stems[exclude], start, n)
    left, right = _pan_gains(MIX_PANS.get(exclude, 0.0))
    return np.stack([mix[0] - np.float32(left) * stem, mix[1] - np.float32(right) * stem])


@lru_cache(maxsize=2)
def _pink(n: int, sr: int) -> np.ndarray:
    from .signals import noise

    y = noise(n / sr, sr, color="pink", level_dbfs=-20.0, seed=1770, channels=1)[:n]
    y = np.ascontiguousarray(y, np.float32)
    y.flags.writeable = False
    return y


def _pick_bar(ctx: _Context, candidates) -> int:
    """A seeded choice of the bar an excerpt starts on, among those where the whole excerpt fits in the song."""
    spb = ctx.song.seconds_per_bar
    fits = [b for b in candidates if b * spb + ctx.n / ctx.sr <= ctx.song.duration_s + 1e-9]
    if not fits:
        fits = [max(0, int(math.floor((ctx.song.duration_s - ctx.n / ctx.sr) / spb)))]
    return int(ctx.rng.choice(fits))


def _bars(ctx: _Context, start_bar: int) -> str:
    """Bars as a student reads them: counted from 1."""
    end = start_bar + ctx.n / ctx.sr / ctx.song.seconds_per_bar
    return f"bars {start_bar + 1}-{int(math.ceil(end - 1e-9))}"


# --------------------------------------------------------------------------- loudness matching


_BLOCKS_CACHE: dict = {}


def _blocks(y: np.ndarray, sr: int, key=None) -> np.ndarray:
    """The BS.1770 gating blocks' K-weighted power (400 ms, 75 % overlap), channels summed.

    A mono ``(n,)`` array stands for that signal in both channels (twice the power), which is
    what :func:`_match` sends to the student. Private to the meters module, so it is read through
    :func:`_block_powers`, with a public-API fallback.
    """
    if key is not None and key in _BLOCKS_CACHE:
        return _BLOCKS_CACHE[key]
    blocks = _block_powers(y, sr)
    if key is not None:
        if len(_BLOCKS_CACHE) > 64:
            _BLOCKS_CACHE.clear()
        _BLOCKS_CACHE[key] = blocks
    return blocks


_PEAKS_CACHE: dict = {}


def _peak(y: np.ndarray, key=None) -> float:
    """The sample peak, max |y| (two reductions: no temporary the size of the audio); cached under ``key``."""
    if key is not None and key in _PEAKS_CACHE:
        return _PEAKS_CACHE[key]
    peak = max(float(np.max(y)), -float(np.min(y))) if y.size else 0.0
    if key is not None:
        if len(_PEAKS_CACHE) > 64:
            _PEAKS_CACHE.clear()
        _PEAKS_CACHE[key] = peak
    return peak


def _block_powers(y: np.ndarray, sr: int):
    from . import meters

    x = np.ascontiguousarray(y[None, :] if y.ndim == 1 else y, np.float32)
    try:
        blocks = meters._Analysis(x, sr).gating_blocks()
    except AttributeError:  # the meters module changed inside: fall back to measuring (slower, same result)
        return None
    return np.asarray(blocks, np.float64) * (2.0 if y.ndim == 1 else 1.0)


def _gated_lufs(blocks: np.ndarray, gain_db: float) -> float:
    """Integrated loudness (BS.1770-4: absolute gate -70 LUFS, relative gate -10 LU) of the blocks turned up by gain."""
    power = blocks * 10 ** (gain_db / 10)
    with np.errstate(divide="ignore"):
        level = -0.691 + 10 * np.log10(power)
    above = power[level > -70.0]
    if not above.size:
        return -math.inf
    gate = -0.691 + 10 * math.log10(float(above.mean())) - 10.0
    gated = power[(level > -70.0) & (level > gate)]
    return -0.691 + 10 * math.log10(float(gated.mean())) if gated.size else -math.inf


def _gain_to(y: np.ndarray, sr: int, target: float, key=None) -> float:
    """The gain in dB that brings ``y`` to ``target`` LUFS, gates included (they depend on the absolute level)."""
    blocks = _blocks(y, sr, key)
    if blocks is None:
        from .meters import integrated_loudness

        def measure(g):
            scaled = np.multiply(y, np.float32(10 ** (g / 20)), dtype=np.float32)
            return float(integrated_loudness(np.stack([scaled, scaled]) if y.ndim == 1 else scaled, sr))
    else:
        def measure(g):
            return _gated_lufs(blocks, g)
    gain = 0.0
    for _ in range(6):
        level = measure(gain)
        if not math.isfinite(level):
            raise ParameterError("this excerpt is silent: there is nothing to compare. Pick another seed.")
        if abs(target - level) < 1e-3:
            break
        gain += target - level
    return gain


def _match(ctx: _Context, reference: np.ndarray, processed: np.ndarray, ref_key, *, offset_db: float = 0.0,
           proc_key=None, keep: bool = False):
    """Both versions as stereo at TARGET_LUFS (B at TARGET + offset), measured per BS.1770, and what was done.

    Mono ``(n,)`` inputs stand for a centred mono source (two identical channels) and come back as ``(2, n)``.
    If the louder one would peak above -1 dBFS, both are turned down together and matched again there
    (the -70 LUFS gate depends on the absolute level).
    """
    target = TARGET_LUFS
    for _ in range(2):
        key = ref_key if target == TARGET_LUFS else None
        ga = _gain_to(reference, ctx.sr, target, key)
        if processed is reference:  # the level drill: the same audio, offset_db louder, gated at its own level
            gb = _gain_to(reference, ctx.sr, target + offset_db, key)
        else:
            gb = _gain_to(processed, ctx.sr, target + offset_db, proc_key if target == TARGET_LUFS else None)
        peak = max(_peak(reference, ref_key) * 10 ** (ga / 20), _peak(processed, proc_key) * 10 ** (gb / 20))
        ceiling = 10 ** (PEAK_CEILING_DBFS / 20)
        if peak <= ceiling:
            break
        target += 20 * math.log10(ceiling / peak) - 0.01
    out = []
    for y, g, key in ((reference, ga, ref_key), (processed, gb, proc_key)):
        out.append(_scaled(y, g, key if keep and key is not None and reference is not processed else None))
    info = {"match_gain_db": {"A": ga, "B": gb}, "loudness_lufs": {"A": target, "B": target + offset_db},
            "matched_by": "BS.1770 integrated loudness"}
    return out[0], out[1], info


_SCALED_CACHE: dict = {}


def _scaled(y: np.ndarray, gain_db: float, key=None) -> np.ndarray:
    """``y`` turned by ``gain_db`` as stereo float32 (read-only); the last few keyed ones are kept.

    A decay trial keeps its two reverb renders here (``_match(..., keep=True)``), so a trial that
    shares one gives the player the very same array, and it sends it without encoding it again.
    """
    cache_key = None if key is None else (key, gain_db)
    if cache_key is not None and cache_key in _SCALED_CACHE:
        _SCALED_CACHE[cache_key] = scaled = _SCALED_CACHE.pop(cache_key)  # the most recently used: kept longest
        return scaled
    scaled = np.multiply(y, np.float32(10 ** (gain_db / 20)), dtype=np.float32)
    scaled = np.stack([scaled, scaled]) if scaled.ndim == 1 else scaled
    scaled.flags.writeable = False
    if cache_key is not None:
        while len(_SCALED_CACHE) >= 6:
            del _SCALED_CACHE[next(iter(_SCALED_CACHE))]  # the least recently used
        _SCALED_CACHE[cache_key] = scaled
    return scaled


def _trial(ctx: _Context, name: str, a, b, answer, material: str, details: dict, *, choices=None,
           answer_range=None, question=None) -> Trial:
    d = drill(name)
    return Trial(drill=name, level=ctx.level, seed=ctx.seed, sr=ctx.sr, reference=a, processed=b, answer=answer,
                 question=question or d.question, choices=None if choices is None else tuple(choices),
                 answer_range=answer_range, value=d.value(ctx.level), unit=d.unit, material=material,
                 details=details)


def _ab(rng) -> str:
    return "A" if rng.random() < 0.5 else "B"


# --------------------------------------------------------------------------- the six makers


def _bands(kind: str) -> tuple:
    return {"octave5": OCTAVE_BANDS_5, "octave10": OCTAVE_BANDS_10, "third": THIRD_OCTAVE_BANDS}[kind]


def _make_frequency(ctx: _Context) -> Trial:
    from .eq import EQ, Peak

    d = drill("frequency")
    s = d.setting(ctx.level)
    bands = _bands(s["bands"])
    freq = float(bands[int(ctx.rng.integers(len(bands)))])
    gain = d.value(ctx.level) * (-1.0 if s["cuts"] and ctx.rng.random() < 0.5 else 1.0)
    if s["material"] == "pink":
        ref, ref_key, material = _pink(ctx.n, ctx.sr), ("pink", ctx.n, ctx.sr), "pink noise"
    else:
        start = _pick_bar(ctx, _ANY_BARS)
        ref, ref_key = _excerpt(ctx.session, "mix", start, ctx.n), ("mix", ctx.session, start, ctx.n)
        material = f"the mix, {_bars(ctx, start)}"
    eq = EQ([Peak(min(freq, 0.45 * ctx.sr), gain_db=gain, q=Q_OCTAVE if s["bands"] != "third" else Q_THIRD)])
    a, b, info = _match(ctx, ref, eq(ref, ctx.sr), ref_key)
    details = {"eq": eq, "freq_hz": freq, "gain_db": gain, "q": eq[0].q, "boost": gain > 0, "bands": bands,
               "band_set": s["bands"], **info}
    return _trial(ctx, "frequency", a, b, freq, material, details, choices=bands)


def _make_level(ctx: _Context) -> Trial:
    d = drill("level")
    step = d.value(ctx.level)
    source = str(ctx.rng.choice(["mix", "mix", "keys", "lead", "drums"]))
    start = _pick_bar(ctx, _ANY_BARS)
    ref = _excerpt(ctx.session, "mix", start, ctx.n) if source == "mix" else _mono(ctx.session, source, start, ctx.n)
    sign = 1.0 if _ab(ctx.rng) == "B" else -1.0
    a, b, info = _match(ctx, ref, ref, (source, ctx.session, start, ctx.n), offset_db=sign * step)
    louder = "B" if sign > 0 else "A"
    details = {"gain_db": sign * step, "louder": louder, **info}
    return _trial(ctx, "level", a, b, sign * step, f"{_name(source)}, {_bars(ctx, start)}", details,
                  answer_range=(-6.0, 6.0))


def _compress_to(x: np.ndarray, sr: int, target_gr: float, ratio: float, attack_ms: float, release_ms: float):
    """Compress ``x`` with the threshold set so the peak gain reduction is ``target_gr`` dB, within 5 %.

    The first pass sets the threshold from the static curve; the attack smoothing takes some of the
    reduction off the shortest peaks, so the threshold is then corrected by the secant method (at
    most five more passes) until the measured peak gain reduction is within 5 % of the target. The
    trial reports the gain reduction measured, not the one aimed at.
    """
    from .dynamics import Compressor

    peak_db = 20 * math.log10(max(float(np.max(np.abs(x))), 1e-9))
    slope = 1.0 - 1.0 / ratio
    threshold = peak_db - target_gr / slope
    tried: list[tuple[float, float]] = []
    best = None
    for _ in range(6):
        threshold = min(0.0, max(-100.0, threshold))
        comp = Compressor(threshold_db=threshold, ratio=ratio, knee_db=0.0, attack_ms=attack_ms,
                          release_ms=release_ms)
        result = comp.process(x, sr)
        got = float(np.max(result.gain_reduction_db))
        if best is None or abs(got - target_gr) < abs(best[2] - target_gr):
            best = (comp, result, got)
        if abs(got - target_gr) <= 0.05 * target_gr:
            break
        tried.append((threshold, got))
        if len(tried) >= 2 and abs(tried[-1][1] - tried[-2][1]) > 1e-3:
            (t0, g0), (t1, g1) = tried[-2], tried[-1]
            step = (target_gr - g1) * (t1 - t0) / (g1 - g0)
        else:
            step = -(target_gr - got) / slope
        threshold += max(-12.0, min(12.0, step))
    comp, result, _got = best
    return comp, result


def _make_dynamics(ctx: _Context) -> Trial:
    d = drill("dynamics")
    s = d.setting(ctx.level)
    target = d.value(ctx.level)
    problem = ctx.song.problem("lead_uneven")
    span = problem.bars[1] - problem.bars[0]
    fits = [b for b in (0, 4) if ctx.song.bar_to_sample(b) + ctx.n <= ctx.song.bar_to_sample(span)]
    if ctx.rng.random() < 0.5 or not fits:  # the drums, or the uneven lead when the excerpt fits in it
        start = _pick_bar(ctx, _ANY_BARS)
        src, key = _mono(ctx.session, "drums", start, ctx.n), ("drums", ctx.session, start, ctx.n)
        material, what, release = f"the drums, {_bars(ctx, start)}", "drums", 80.0
    else:
        offset = int(ctx.rng.choice(fits))
        variant = np.asarray(ctx.song.variants["lead_uneven"], np.float32)
        src = _cut(variant, ctx.song.bar_to_sample(offset), ctx.n)
        key = ("lead_uneven", ctx.session, offset, ctx.n)
        material, what, release = f"the uneven lead, {_bars(ctx, problem.bars[0] + offset)}", "lead", 150.0
    comp, result = _compress_to(src, ctx.sr, target, s["ratio"], s["attack_ms"], release)
    compressed = _ab(ctx.rng)
    if compressed == "B":
        a, b, info = _match(ctx, src, result.audio, key)
    else:
        b, a, info = _match(ctx, src, result.audio, key)
        info["match_gain_db"] = {"A": info["match_gain_db"]["B"], "B": info["match_gain_db"]["A"]}
    gr = np.asarray(result.gain_reduction_db, np.float32)
    details = {"compressor": comp, "gain_reduction_db": gr, "peak_gain_reduction_db": float(np.max(gr)),
               "compressed": compressed, "material_kind": what, **info}
    return _trial(ctx, "dynamics", a, b, compressed, material, details, choices=("A", "B"))


_BASE_DECAY_S = 1.0
_REVERB_MIX = 0.3
_DECAY_BARS = (2, 10, 22)


def _reverb(decay_s: float) -> object:
    from .space import Reverb

    return Reverb(decay_s=decay_s, pre_delay_ms=10.0, damping=0.3, mix=_REVERB_MIX)


def _with_reverb(session: str, start_bar: int, n: int, decay_s: float) -> np.ndarray:
    """Kick and snare with the reverb at ``decay_s`` (stereo: the reverb spreads the mono kit)."""
    return _reverb(decay_s)(_mono(session, "kit", start_bar, n), _session(session).sr)


@lru_cache(maxsize=3)
def _with_base_reverb(session: str, start_bar: int, n: int) -> np.ndarray:
    """The base decay, which every decay trial on this excerpt shares (cached, read-only).

    The first decay trial on each of :data:`_DECAY_BARS` renders it as well as the other decay:
    that trial takes two reverb renders, the others one.
    """
    y = _with_reverb(session, start_bar, n, _BASE_DECAY_S)
    y.flags.writeable = False
    return y


@lru_cache(maxsize=6)
def _with_other_reverb(session: str, start_bar: int, n: int, decay_s: float) -> np.ndarray:
    """The other decay of a trial (cached, read-only): a level's trials come back to the same few.

    At one level there are six (three excerpts, a longer or a shorter decay), and a student practises
    around one level, so most decay trials reuse a render: the reverb is most of a trial's time.
    """
    y = _with_reverb(session, start_bar, n, decay_s)
    y.flags.writeable = False
    return y


def _make_space(ctx: _Context) -> Trial:
    from .space import Delay

    d = drill("space")
    s = d.setting(ctx.level)
    if ctx.rng.random() < 0.5:  # which decay is longer?
        start = _pick_bar(ctx, _DECAY_BARS)
        ratio = 1.0 + d.value(ctx.level) / 100.0
        other = round(_BASE_DECAY_S * ratio if ctx.rng.random() < 0.5 else _BASE_DECAY_S / ratio, 4)
        versions = {_BASE_DECAY_S: _with_base_reverb(ctx.session, start, ctx.n),
                    other: _with_other_reverb(ctx.session, start, ctx.n, other)}
        longer = _ab(ctx.rng)
        long_d, short_d = max(versions), min(versions)
        decays = {"A": long_d, "B": short_d} if longer == "A" else {"A": short_d, "B": long_d}
        # Both renders are cached, so their gating blocks and peaks are too (keyed by their decay).
        keys = {d: ("kit-reverb", ctx.session, start, ctx.n) + (() if d == _BASE_DECAY_S else (d,)) for d in versions}
        a, b, info = _match(ctx, versions[decays["A"]], versions[decays["B"]], keys[decays["A"]],
                            proc_key=keys[decays["B"]], keep=True)
        details = {"question": "decay", "decay_s": decays, "reverb": {k: _reverb(v) for k, v in decays.items()},
                   "longer": longer, **info}
        return _trial(ctx, "space", a, b, longer, f"kick and snare, {_bars(ctx, start)}", details,
                      choices=("A", "B"), question="Which decay is longer?")
    source = str(ctx.rng.choice(["snare", "lead"]))
    start = _pick_bar(ctx, _FULL_BARS)
    note = str(ctx.rng.choice(NOTE_VALUES))
    bpm = float(ctx.song.bpm)
    delay = Delay(note=note, bpm=bpm, feedback=s["feedback"], mix=s["delay_mix"])
    ref = _mono(ctx.session, source, start, ctx.n)
    a, b, info = _match(ctx, ref, delay(ref, ctx.sr), (source, ctx.session, start, ctx.n))
    details = {"question": "delay", "delay": delay, "note": note, "bpm": bpm, "time_ms": 1000 * delay.time_s,
               "echoes_s": (delay.echo_positions(ctx.sr, 4) / ctx.sr).tolist(), **info}
    return _trial(ctx, "space", a, b, note, f"{_name(source)}, {_bars(ctx, start)} at {bpm:g} BPM", details,
                  choices=NOTE_VALUES, question="Which note value is the delay?")


def _make_stereo(ctx: _Context) -> Trial:
    from .mix import Pan

    d = drill("stereo")
    s = d.setting(ctx.level)
    source = str(ctx.rng.choice(["guitar", "keys", "lead", "snare"]))
    start = _pick_bar(ctx, _FULL_BARS)
    # Always panned (never within MIN_PAN of the centre), so "which side" always has an answer.
    position = round(float(ctx.rng.uniform(MIN_PAN, 100.0))) * (-1 if ctx.rng.random() < 0.5 else 1)
    y = _mono(ctx.session, source, start, ctx.n)
    pan = Pan(position / 100.0)
    moved = pan(y, ctx.sr)
    key = (source, ctx.session, start, ctx.n, s["context"])
    if s["context"] == "mix":
        bed = _excerpt(ctx.session, "mix", start, ctx.n, exclude=source)
        left, right = Pan(0.0).gains()
        ref = np.stack([bed[0] + np.float32(left) * y, bed[1] + np.float32(right) * y])
        moved = moved + bed
        material = f"{_name(source)} in the mix, {_bars(ctx, start)}"
    else:
        ref = Pan(0.0)(y, ctx.sr)
        material = f"{_name(source)} alone, {_bars(ctx, start)}"
    a, b, info = _match(ctx, ref, moved, key)
    details = {"pan": pan, "position": float(position), "tolerance": d.value(ctx.level), "reference": "centre",
               "context": s["context"], "source": source, **info}
    return _trial(ctx, "stereo", a, b, float(position), material, details, answer_range=(-100.0, 100.0),
                  question=f"A is {_name(source)} in the centre. Where is it panned in B?")


# ---- the problem drill: the session's own variants, and new ones made the same way

_PROBLEM_SOURCES = {
    "mud": ("keys", "guitar", "pad"),
    "harshness": ("guitar", "lead", "keys"),
    "rumble": ("lead", "guitar", "keys"),
    "hum": ("lead", "guitar", "bass"),
    "clipping": ("lead", "snare", "bass", "keys"),
    "over-compression": ("snare", "keys", "lead", "overheads"),
}
#: Kinds the bundled session has a variant for, and its name.
_BUNDLED = {"mud": "keys_mud", "harshness": "guitar_harsh", "rumble": "lead_rumble", "hum": "lead_take2_hum"}


def _band_noise(n: int, sr: int, low: float, high: float, rng) -> np.ndarray:
    """Unit-RMS noise band-passed (4th-order Butterworth) to ``low``-``high`` Hz, float32."""
    from .eq import butterworth_bandpass_sos, filter_sos

    settle = int(0.25 * sr)  # the filter's start-up transient, cut off
    sos = butterworth_bandpass_sos(4, low, high, sr)
    x = filter_sos(sos, rng.standard_normal((1, n + settle), dtype=np.float32))[0, settle:]
    return (x / np.sqrt(np.mean(np.square(x, dtype=np.float64)))).astype(np.float32)


def _thump(n: int, sr: int, at_s: float, freq: float, peak: float, decay_s: float = 0.09) -> tuple[int, np.ndarray]:
    """A handling thump (a decaying low sine with a soft attack): where it starts and its samples."""
    start = int(at_s * sr)
    m = max(0, min(n - start, int(decay_s * 8 * sr)))
    t = np.arange(m) / sr
    shape = peak * np.minimum(1.0, t / 0.012) ** 2 * np.exp(-t / decay_s) * np.sin(2 * np.pi * freq * t)
    return start, shape.astype(np.float32)


def bake_problem(y: np.ndarray, sr: int, kind: str, severity_db: float = 12.0,
                 seed: int = 0) -> tuple[np.ndarray, dict]:
    """Put a teaching problem into mono audio the way the bundled variants were made; returns it and its recipe.

    At ``severity_db=12`` the recipes are those of the session's variants (mud: a +9 dB bell at
    250-400 Hz, q 1.2; harshness: +12 dB, q 8 at 2.5-4.5 kHz; rumble: 20-38 Hz noise at -34 dBFS
    plus three thumps; hum: 50 or 60 Hz at -32 dBFS with harmonics at -42 and -46 dBFS); every
    3 dB less severity makes the problem 3 dB subtler. Clipping flattens the top ``severity_db`` of
    the peaks; over-compression takes ``1.5 * severity_db`` dB off the peaks at 10:1 with fast times (18 dB
    at 12, 4.5 dB at 3), so it gets subtler in step with the others.

    Lesson: not yet taught
    """
    from .eq import Peak

    if kind not in PROBLEM_KINDS:
        raise ParameterError(f"kind must be one of {', '.join(PROBLEM_KINDS)} (got {kind!r}).")
    rng = np.random.default_rng([_check_seed(seed), PROBLEM_KINDS.index(kind)])
    x = np.asarray(y, np.float32)
    if x.ndim != 1 or not len(x):
        raise ParameterError(f"bake_problem takes mono audio, shape (n,) (got shape {x.shape}).")
    n = len(x)
    over = severity_db - 12.0
    if kind in ("mud", "harshness"):
        choices = [250.0, 280.0, 315.0, 355.0, 400.0] if kind == "mud" else [2500.0, 2800.0, 3150.0, 3400.0, 4000.0,
                                                                            4500.0]
        freq = float(rng.choice(choices))
        q = 1.2 if kind == "mud" else 8.0
        band = Peak(freq, gain_db=(0.75 if kind == "mud" else 1.0) * severity_db, q=q)
        out = band(x, sr)
        recipe = {"freq_hz": freq, "gain_db": band.gain_db, "q": q, "eq": band}
    elif kind == "rumble":
        level = -34.0 + over
        out = x + np.float32(10 ** (level / 20)) * _band_noise(n, sr, 20.0, 38.0, rng)
        times = sorted(float(t) for t in rng.uniform(0.5, max(0.6, n / sr - 1.0), 3))
        for at_s, peak in zip(times, (-15.0, -13.0, -16.0), strict=True):
            start, shape = _thump(n, sr, at_s, 22.0, 10 ** ((peak + over) / 20))
            out[start:start + len(shape)] += shape
        recipe = {"freq_hz": 30.0, "level_dbfs": level, "thumps_s": times}
    elif kind == "hum":
        mains = float(rng.choice([50.0, 60.0]))
        levels = {mains: -32.0 + over, 2 * mains: -42.0 + over, 3 * mains: -46.0 + over}
        phase = np.arange(n, dtype=np.float32) * np.float32(2 * np.pi * mains / sr)
        s1, c1 = np.sin(phase), np.cos(phase)
        amps = [np.float32(10 ** (v / 20)) for v in levels.values()]
        # sin 2x = 2 sin x cos x and sin 3x = 3 sin x - 4 sin^3 x: one sine for all three harmonics
        out = x + amps[0] * s1 + amps[1] * (2 * s1 * c1) + amps[2] * (3 * s1 - 4 * s1**3)
        recipe = {"freq_hz": mains, "level_dbfs": levels[mains],
                  "harmonics_dbfs": {f"{f:g}": v for f, v in levels.items()}}
    elif kind == "clipping":
        clip = float(np.max(np.abs(x))) * 10 ** (-severity_db / 20)
        out = np.clip(x, -clip, clip)
        recipe = {"clipped_db": severity_db, "clip_level": clip}
    else:
        comp, result = _compress_to(x, sr, 1.5 * severity_db, 10.0, 0.5, 30.0)
        out = result.audio
        recipe = {"compressor": comp, "gain_reduction_db": np.asarray(result.gain_reduction_db, np.float32),
                  "peak_gain_reduction_db": float(np.max(result.gain_reduction_db))}
    return np.asarray(out, np.float32), recipe


def _make_problem(ctx: _Context) -> Trial:
    d = drill("problem")
    s = d.setting(ctx.level)
    severity = d.value(ctx.level)
    kind = str(ctx.rng.choice(PROBLEM_KINDS))
    song = ctx.song
    variant = _BUNDLED.get(kind)
    use_bundled = (variant is not None and ctx.level == 1 and ctx.n <= len(song.variants[variant])
                   and ctx.rng.random() < 0.5)
    if use_bundled:
        problem = song.problem(variant)
        start = problem.bars[0]
        if problem.clean in song.stems:
            clean = _mono(ctx.session, problem.clean, start, ctx.n)
        else:  # a take: the variant starts at the take's own first bar
            take = np.asarray(song.takes[problem.clean], np.float32)
            clean = _cut(take, song.bar_to_sample(start - song.takes_start_bar), ctx.n)
        bad = _mono(ctx.session, variant, 0, ctx.n, variant=True)
        source = problem.clean
        recipe = {"variant": variant, "freq_hz": problem.freq, "gain_db": problem.gain_db, "q": problem.q,
                  "level_dbfs": problem.level_dbfs, "description": problem.description, "fix": problem.fix}
    else:
        source = str(ctx.rng.choice(_PROBLEM_SOURCES[kind]))
        start = _pick_bar(ctx, _FULL_BARS if source in _CHORUS_ONLY or s["context"] == "mix" else _ANY_BARS)
        clean = _mono(ctx.session, source, start, ctx.n)
        bad, recipe = bake_problem(clean, ctx.sr, kind, severity, seed=ctx.seed)
        recipe = {"variant": None, **recipe}
    key = (source, ctx.session, start, ctx.n, use_bundled)
    if s["context"] == "mix" and not use_bundled:
        bed = _excerpt(ctx.session, "mix", start, ctx.n, exclude=source)
        left, right = _pan_gains(MIX_PANS.get(source, 0.0))
        ref = np.stack([bed[0] + np.float32(left) * clean, bed[1] + np.float32(right) * clean])
        proc = np.stack([bed[0] + np.float32(left) * bad, bed[1] + np.float32(right) * bad])
        material = f"the mix, {_bars(ctx, start)}"
    else:
        ref, proc = clean, bad
        material = f"{_name(source)} alone, {_bars(ctx, start)}"
    a, b, info = _match(ctx, ref, proc, key + (s["context"],))
    details = {"kind": kind, "source": source, "severity_db": severity, "context": s["context"], **recipe, **info}
    return _trial(ctx, "problem", a, b, kind, material, details, choices=PROBLEM_KINDS)


_MAKERS = {"frequency": _make_frequency, "level": _make_level, "dynamics": _make_dynamics, "space": _make_space,
           "stereo": _make_stereo, "problem": _make_problem}


def _name(source: str) -> str:
    return {"mix": "the mix", "drums": "the drums", "kit": "kick and snare", "lead": "the lead", "keys": "the keys",
            "guitar": "the guitar", "snare": "the snare", "bass": "the bass", "pad": "the pad",
            "overheads": "the overheads", "kick": "the kick"}.get(source, source.replace("_", " "))


# =========================================================================== scoring


@dataclass(frozen=True)
class Score:
    """The verdict on one answer.

    ``correct`` is what the staircase counts: True or False, or None when the answer could not be
    read (nothing is counted then). ``verdict`` is "right", "near", "wrong" or "unreadable";
    "near" is a near miss (a neighbouring band, the right side with a far-off estimate ...).
    ``message`` says it in a producer's words; ``error`` is how far off, in ``unit``.

    Lesson: course/05-ear-training.ipynb
    """

    correct: bool | None
    verdict: str
    message: str
    answer: object = None
    truth: object = None
    error: float | None = None
    unit: str = ""

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __str__(self) -> str:
        return self.message


def score(trial: Trial, answer) -> Score:
    """Judge ``answer`` to ``trial`` and say why, in a producer's words. Never raises on what a student types.

    Answers: frequency "4k", "4 kHz", 4000; level "B", "A", or the dB of B against A (+1.5), or
    ("B", 1.5); dynamics "B" or ("B", 6) with the gain reduction in dB; space "A"/"B" for the decay,
    "1/8d" (or "dotted eighth") for the delay; stereo -100 (hard left) to +100 (hard right), or
    "L30", "R45", "C"; problem "mud", "harshness", "rumble", "hum", "clipping", "over-compression".

    Lesson: course/05-ear-training.ipynb
    """
    if not isinstance(trial, Trial):
        raise ParameterError(f"score() takes a Trial from make_trial() (got {type(trial).__name__}).")
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return Score(None, "unreadable", f"No answer yet: {trial.question} {_format_hint(trial)}", truth=trial.answer,
                     unit=trial.unit)
    return _SCORERS[trial.drill](trial, answer)


def _unreadable(trial: Trial, answer) -> Score:
    try:
        shown = repr(answer)
    except ValueError:  # an int with more digits than Python will print
        shown = f"that {type(answer).__name__}"
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return Score(None, "unreadable", f"I could not read {shown} as an answer. {_format_hint(trial)}",
                 truth=trial.answer, unit=trial.unit)


def _format_hint(trial: Trial) -> str:
    if trial.drill == "frequency":
        return "Answer with a band, such as 4000, '4k' or '4 kHz'."
    if trial.drill == "level":
        return "Answer 'A' or 'B' (the louder one), or the dB of B against A, such as +1.5 or -2."
    if trial.drill == "dynamics":
        return "Answer 'A' or 'B' (the compressed one), or ('B', 6) with the gain reduction in dB."
    if trial.drill == "space":
        if trial.details.get("question") == "decay":
            return "Answer 'A' or 'B': the one with the longer decay."
        return "Answer with a note value: '1/4', '1/8', '1/8d' (dotted) or '1/8t' (triplet)."
    if trial.drill == "stereo":
        return "Answer with a pan position from -100 (hard left) to +100 (hard right), or 'L30', 'R45', 'C'."
    return f"Answer with one of: {', '.join(PROBLEM_KINDS)}."


def _finite(x) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
        return None
    try:
        x = float(x)
    except OverflowError:  # an int too big for a float
        return None
    return x if math.isfinite(x) else None


_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)"


def _number(text: str) -> float | None:
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def _side(text: str) -> str | None:
    m = re.fullmatch(r"\s*(?:version\s+|take\s+)?([ab])\b.*", text, flags=re.IGNORECASE | re.DOTALL)
    return m.group(1).upper() if m else None


# ---- frequency


def _parse_freq(answer) -> float | None:
    x = _finite(answer)
    if x is None and isinstance(answer, str):
        m = re.fullmatch(rf"\s*({_NUMBER})\s*(k|khz|kilohertz|hz|hertz)?\s*", answer, flags=re.IGNORECASE)
        if m:
            x = _number(m.group(1))
            if x is not None and m.group(2) and m.group(2).lower().startswith("k"):
                x *= 1000.0
    return x if x is not None and 10.0 <= x <= 30000.0 else None


def _fmt_hz(f: float) -> str:
    return f"{f / 1000:g} kHz" if f >= 1000 else f"{f:g} Hz"


def _region(f: float) -> tuple[str, float, float, str]:
    for name, lo, hi, what in REGIONS:
        if lo <= f < hi:
            return name, lo, hi, what
    return REGIONS[0] if f < REGIONS[0][1] else REGIONS[-1]


def _octaves_phrase(octaves: float) -> str:
    thirds = int(round(abs(octaves) * 3))
    whole, rest = divmod(thirds, 3)
    words = {1: "an octave", 2: "two octaves", 3: "three octaves", 4: "four octaves", 5: "five octaves",
             6: "six octaves", 7: "seven octaves", 8: "eight octaves", 9: "nine octaves"}
    part = {1: "a third", 2: "two thirds"}
    if whole == 0:
        return f"{part[rest]} of an octave"
    return words.get(whole, f"{whole} octaves") + (f" and {part[rest]}" if rest else "")


def _score_frequency(trial: Trial, answer) -> Score:
    said = _parse_freq(answer)
    if said is None:
        return _unreadable(trial, answer)
    bands = trial.details["bands"]
    band = min(bands, key=lambda b: abs(math.log2(b / said)))
    truth = float(trial.answer)
    change = "boost" if trial.details["boost"] else "cut"
    gain = trial.details["gain_db"]
    name, lo, hi, what = _region(truth)
    where = f"the {change} sits in the {name} range ({_fmt_hz(lo)}-{_fmt_hz(min(hi, 20000))}), {what}"
    octaves = math.log2(truth / band)
    if band == truth:
        return Score(True, "right", f"Right: {_fmt_hz(truth)}, a {gain:+.1f} dB {change}; {where}.", band, truth, 0.0,
                     "octaves")
    direction = "higher" if octaves > 0 else "lower"
    said_text = _fmt_hz(band) if abs(math.log2(band / said)) < 0.05 else f"{_fmt_hz(said)} (the {_fmt_hz(band)} band)"
    message = (f"you said {said_text}; it was {_fmt_hz(truth)}, {_octaves_phrase(octaves)} {direction}: {where}.")
    if not trial.details["boost"]:
        message += " Cuts are harder to hear than boosts: listen for what is missing, not what sticks out."
    # One band away is near: the neighbouring band in the set, not a fixed distance (the nominal
    # third-octave centres are not exactly a third apart: 80/63 is 0.345 octaves).
    index = {float(b): i for i, b in enumerate(bands)}
    verdict = "near" if abs(index[float(band)] - index[truth]) == 1 else "wrong"
    return Score(False, verdict, message, band, truth, round(octaves, 3), "octaves")


# ---- level and dynamics: a side, and perhaps an estimate in dB


def _parse_side_db(answer, signed: bool):
    """("A"|"B", dB or None) from "B", "B 1.5", ("B", 1.5), {"side": ..}, or (level drill) a signed number."""
    if isinstance(answer, list | tuple) and len(answer) == 2:
        side = _side(answer[0]) if isinstance(answer[0], str) else None
        db = _finite(answer[1])
        if side is None or db is None or db < 0:
            return None
        return side, db
    x = _finite(answer)
    if x is not None:
        if not signed or x == 0:
            return None
        return ("B" if x > 0 else "A"), abs(x)
    if isinstance(answer, str):
        side = _side(answer)
        if side is not None:
            m = re.search(rf"({_NUMBER})", answer[1:])
            db = _number(m.group(1)) if m else None
            return side, (abs(db) if db is not None else None)
        if signed:
            m = re.fullmatch(rf"\s*({_NUMBER})\s*(?:db)?\s*", answer, flags=re.IGNORECASE)
            if m:
                x = _number(m.group(1))
                if x:
                    return ("B" if x > 0 else "A"), abs(x)
    return None


def _score_level(trial: Trial, answer) -> Score:
    parsed = _parse_side_db(answer, signed=True)
    if parsed is None:
        return _unreadable(trial, answer)
    side, db = parsed
    step = abs(float(trial.answer))
    louder = trial.details["louder"]
    said = f"{side} was louder" + (f" by {db:g} dB" if db is not None else "")
    if side != louder:
        return Score(False, "wrong",
                     f"you said {said}; it was {louder}, by {step:g} dB. A small level step often sounds like a change "
                     "of tone: the louder version seems fuller and brighter, with more bass and treble, so listen for "
                     "that rather than for volume.", (side, db), (louder, step), None, "dB")
    if db is None:
        return Score(True, "right", f"Right: {louder} was louder, by {step:g} dB.", (side, db), (louder, step),
                     None, "dB")
    off = db - step
    if abs(off) < 0.05:
        return Score(True, "right", f"Right: {louder} was louder by {step:g} dB, and your {db:g} dB matches.",
                     (side, db), (louder, step), round(off, 2), "dB")
    if abs(off) <= 0.4 * step + 1e-9:
        return Score(True, "right", f"Right: {louder} was louder by {step:g} dB, and your {db:g} dB is close.",
                     (side, db), (louder, step), round(off, 2), "dB")
    how = "a bigger" if off < 0 else "a smaller"
    return Score(True, "near",
                 f"Right side: {louder} was louder. You said {db:g} dB; it was {step:g} dB, {how} step than you "
                 "heard. Only the side moves your level; the dB is for your own calibration. 1 dB is about the "
                 "smallest fader move most listeners notice; 3 dB is clear, 6 dB is big.",
                 (side, db), (louder, step), round(off, 2), "dB")


def _score_dynamics(trial: Trial, answer) -> Score:
    parsed = _parse_side_db(answer, signed=False)
    if parsed is None:
        return _unreadable(trial, answer)
    side, db = parsed
    truth = trial.answer
    gr = trial.details["peak_gain_reduction_db"]
    cue = ("the hits lose some of their snap and the sound between them comes up"
           if trial.details["material_kind"] == "drums"
           else "the loud lines come down and the quiet ones come forward, so the phrases sit at one level")
    if side != truth:
        return Score(False, "wrong",
                     f"you said {side}; it was {truth} that was compressed, with up to {gr:.1f} dB of gain reduction. "
                     f"At the same loudness compression shows as smaller differences: {cue}.",
                     (side, db), (truth, gr), None, "dB")
    if db is None:
        return Score(True, "right", f"Right: {truth} was compressed, up to {gr:.1f} dB of gain reduction: {cue}.",
                     (side, db), (truth, gr), None, "dB")
    off = db - gr
    if abs(off) <= max(1.5, 0.35 * gr):
        return Score(True, "right", f"Right: {truth} was compressed, up to {gr:.1f} dB of gain reduction, and your "
                     f"{db:g} dB is close: {cue}.", (side, db), (truth, gr), round(off, 2), "dB")
    how = "less" if off > 0 else "more"
    return Score(True, "near",
                 f"Right side: {truth} was compressed. You said {db:g} dB of gain reduction; it was {gr:.1f} dB, "
                 f"{how} than you heard. Only the side moves your level; the dB is for your own calibration. Watch "
                 "the gain-reduction trace below while you listen again.",
                 (side, db), (truth, gr), round(off, 2), "dB")


# ---- space


_NOTE_WORDS = {
    "1/4": "a quarter note: each echo lands on the next beat",
    "1/8": "an eighth note: the echoes land on the off-beats and double the rhythm",
    "1/8d": "a dotted eighth: the echoes fall between the beats and gallop against the rhythm",
    "1/8t": "an eighth triplet: three echoes to a beat, a shuffling, swung feel",
}


def _parse_note(answer) -> str | None:
    if not isinstance(answer, str):
        return None
    text = answer.strip().lower().replace("th note", "th").replace("-", " ")
    text = re.sub(r"\s+", " ", text)
    m = re.fullmatch(r"(?:(dotted) )?1/(4|8)(?: ?(d|t|\.|dotted|triplet))?", text)
    if m:
        dotted = m.group(1) or m.group(3) in ("d", ".", "dotted")
        mark = "d" if dotted else ("t" if m.group(3) in ("t", "triplet") else "")
        note = f"1/{m.group(2)}{mark}"
        return note if note in NOTE_VALUES else None
    words = {"quarter": "1/4", "eighth": "1/8", "dotted eighth": "1/8d", "eighth dotted": "1/8d",
             "eighth triplet": "1/8t", "triplet eighth": "1/8t", "triplet": "1/8t", "dotted 1/8": "1/8d"}
    return words.get(text)


def _score_space(trial: Trial, answer) -> Score:
    if trial.details["question"] == "decay":
        side = _side(answer) if isinstance(answer, str) else None
        if side is None:
            return _unreadable(trial, answer)
        decays = trial.details["decay_s"]
        longer = trial.answer
        shorter = "A" if longer == "B" else "B"
        pct = 100 * (decays[longer] / decays[shorter] - 1)
        facts = f"{decays[longer]:.2f} s against {decays[shorter]:.2f} s ({pct:.0f} % longer)"
        if side == longer:
            return Score(True, "right", f"Right: {longer}'s decay was longer, {facts}. The tail after each snare hangs "
                         "on longer before it sinks under the next hit.", side, longer, 0.0, "%")
        return Score(False, "wrong", f"you said {side}; it was {longer}: {facts}. Listen in the gaps after each hit: "
                     "the longer decay is still there when the next hit comes.", side, longer, round(pct, 1), "%")
    note = _parse_note(answer)
    if note is None:
        return _unreadable(trial, answer)
    bpm = trial.details["bpm"]
    truth = trial.answer
    from .space import note_seconds

    t_said, t_truth = note_seconds(note, bpm) * 1000, note_seconds(truth, bpm) * 1000
    truth_text = f"{NOTE_NAMES[truth]} ({t_truth:.0f} ms at {bpm:g} BPM)"
    if note == truth:
        return Score(True, "right", f"Right: {truth_text}, {_NOTE_WORDS[truth]}.", note, truth, 0.0, "ms")
    order = sorted(NOTE_VALUES, key=lambda v: note_seconds(v, bpm))
    near = abs(order.index(note) - order.index(truth)) == 1
    ratio = t_truth / t_said
    how = f"{ratio:.3g} times as long" if ratio > 1 else f"{1 / ratio:.3g} times shorter"
    return Score(False, "near" if near else "wrong",
                 f"you said {NOTE_NAMES[note]} ({t_said:.0f} ms); it was {truth_text}, {how}: {_NOTE_WORDS[truth]}. "
                 "Tap along with the beat and count where the first echo lands.", note, truth,
                 round(t_said - t_truth, 1), "ms")


# ---- stereo


def _parse_pan(answer) -> float | None:
    x = _finite(answer)
    if x is None and isinstance(answer, str):
        text = answer.strip().lower().replace("%", "").replace("centre", "c").replace("center", "c")
        text = re.sub(r"\s+", " ", text)
        if text in ("c", "mid", "middle", "0"):
            return 0.0
        if text in ("hard left", "l", "left", "hard l"):
            return -100.0
        if text in ("hard right", "r", "right", "hard r"):
            return 100.0
        m = re.fullmatch(rf"(l|left|r|right) ?({_NUMBER})|({_NUMBER}) ?(l|left|r|right)|({_NUMBER})", text)
        if not m:
            return None
        if m.group(5) is not None:
            x = _number(m.group(5))
        else:
            side = m.group(1) or m.group(4)
            amount = _number(m.group(2) or m.group(3))
            if amount is None or amount < 0:
                return None
            x = -amount if side.startswith("l") else amount
    return x if x is not None and -100.0 <= x <= 100.0 else None


def _fmt_pan(p: float) -> str:
    return "C" if abs(p) < 0.5 else f"{'L' if p < 0 else 'R'}{abs(p):.0f}"


def _score_stereo(trial: Trial, answer) -> Score:
    said = _parse_pan(answer)
    if said is None:
        return _unreadable(trial, answer)
    truth = float(trial.answer)
    tol = trial.details["tolerance"]
    off = said - truth
    facts = f"you said {_fmt_pan(said)}; it was {_fmt_pan(truth)}"
    # The side comes first: an answer in the centre or on the other side of a panned sound is wrong,
    # however close in numbers (B is always panned at least MIN_PAN to one side).
    centred = abs(said) < 0.5 and abs(truth) >= 3.0
    side_wrong = said * truth < 0 and abs(truth) >= 3.0
    if abs(off) <= tol and not (centred or side_wrong):
        return Score(True, "right", f"Right: {facts}, within ±{tol:g} %.", said, truth, round(off, 1), "%")
    if centred:
        where = f"but B was panned to the {'left' if truth < 0 else 'right'}, not in the centre"
    elif side_wrong:
        where = "on the other side"
    else:
        where = f"{abs(off):.0f} % too far {'right' if off > 0 else 'left'}"
    tip = ("Close your eyes and point at the sound; on headphones a source panned halfway already sounds well off "
           "to the side.")
    near = not (centred or side_wrong) and abs(off) <= tol + 10.0
    return Score(False, "near" if near else "wrong",
                 f"{facts}, {where} (this level allows ±{tol:g} %). {tip}", said, truth, round(off, 1), "%")


# ---- problems

_PROBLEM_WORDS = {
    "mud": "a build-up in the low-mids (250-500 Hz; here 250-400 Hz) that makes it boxy and woolly and clouds the "
           "bass and the vocal",
    "harshness": "a narrow peak in the presence range (2-6 kHz; here 2.5-4.5 kHz) that whistles on every note and "
                 "tires the ear",
    "rumble": "noise and thumps in the sub (below 60 Hz; here below 40 Hz), under the notes: you feel it more than "
              "hear it, and it eats headroom",
    "hum": "a steady 50 or 60 Hz tone with its harmonics, from a ground loop: it stays in the gaps when the music "
           "stops",
    "clipping": "flat-topped peaks: a crackle or fuzz on the loudest notes and hits",
    "over-compression": "squashed, lifeless dynamics that pump and breathe: every note the same level, the attack gone",
}
_PROBLEM_FIX = {
    "mud": "cut a wide bell (q about 1) around 300 Hz",
    "harshness": "sweep a narrow boost to find the whistle, then cut it narrow (q about 8)",
    "rumble": "a steep high-pass just below the instrument's lowest note (60-80 Hz is a safe start on a voice or "
              "guitar)",
    "hum": "fix it at the source (a ground loop: a DI's ground lift, one power strip), or notch 50 or 60 Hz and its "
           "harmonics, narrow, where they do not take the instrument's own notes with them",
    "clipping": "turn the gain down before the stage that clips, or re-record: clipping cannot be undone cleanly",
    "over-compression": "raise the threshold or lower the ratio, and slow the attack so the hits come through",
}
_PROBLEM_SYNONYMS = {
    "mud": ("mud", "muddy", "boxy", "boxiness", "woolly", "low mid", "low mids", "low-mid", "low-mids"),
    "harshness": ("harsh", "harshness", "resonance", "whistle", "whistling", "shrill", "piercing"),
    "rumble": ("rumble", "rumbling", "sub", "handling noise", "thump", "thumps"),
    "hum": ("hum", "humming", "buzz", "mains hum", "ground loop", "mains"),
    "clipping": ("clipping", "clip", "clipped", "distortion", "distorted", "crackle"),
    "over-compression": ("over-compression", "overcompression", "over compression", "over-compressed",
                         "overcompressed", "over compressed", "squashed", "pumping", "compression", "compressed"),
}
_PROBLEM_CONTRASTS = {
    frozenset({"mud", "rumble"}): "both live in the low end, but rumble sits in the sub below 40 Hz, under the notes, "
                                  "while mud is in the notes themselves, in the low-mids (250-500 Hz)",
    frozenset({"mud", "hum"}): "hum is a steady pitch that stays when the music stops; mud swells and fades with "
                               "the notes",
    frozenset({"rumble", "hum"}): "hum is a steady tone with a pitch; rumble is unpitched noise and thumps lower down",
    frozenset({"clipping", "over-compression"}): "over-compression squashes and pumps without distortion; clipping "
                                                 "adds crackle and fuzz on the loudest peaks",
    frozenset({"harshness", "clipping"}): "clipping crackles only on the loudest peaks; a harsh resonance whistles on "
                                          "every note, in one narrow band",
    frozenset({"mud", "harshness"}): "mud is a low-mid thickening; harshness is a narrow, bright whistle up high",
}
#: Problems close enough to count a mix-up as near: the low end (mud and rumble), and the peaks.
_FAMILIES = ({"mud", "rumble"}, {"clipping", "over-compression"})


def _parse_problem(answer) -> str | None:
    if not isinstance(answer, str):
        return None
    text = re.sub(r"\s+", " ", answer.strip().lower())
    for kind, words in _PROBLEM_SYNONYMS.items():
        if text in words:
            return kind
    return None


def _score_problem(trial: Trial, answer) -> Score:
    said = _parse_problem(answer)
    if said is None:
        return _unreadable(trial, answer)
    truth = trial.answer
    where = f"on {_name(trial.details['source'])}" + (" in the mix" if trial.details["context"] == "mix" else "")
    fix = f" Fix: {_PROBLEM_FIX[truth]}."
    if said == truth:
        return Score(True, "right", f"Right: {truth} {where}, {_PROBLEM_WORDS[truth]}.{fix}", said, truth, 0.0, "")
    contrast = _PROBLEM_CONTRASTS.get(frozenset({said, truth}), f"{truth} is {_PROBLEM_WORDS[truth]}")
    near = any(said in f and truth in f for f in _FAMILIES)
    return Score(False, "near" if near else "wrong", f"you said {said}; it was {truth} {where}: {contrast}.{fix}",
                 said, truth, None, "")


_SCORERS = {"frequency": _score_frequency, "level": _score_level, "dynamics": _score_dynamics, "space": _score_space,
            "stereo": _score_stereo, "problem": _score_problem}


# =========================================================================== the staircase


@dataclass(frozen=True)
class Threshold:
    """A personal threshold: the mean of the last 6 reversals, in the drill's unit, beside the published range.

    ``value`` is None until the staircase has reversed 6 times.

    Lesson: course/05-ear-training.ipynb
    """

    drill: str
    value: float | None
    unit: str
    reversals: int
    level: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Staircase:
    """A 3-down/1-up staircase over levels 1-10 (Levitt 1971): it settles where you are right 79.4 % of the time.

    Three right answers in a row move one level harder; one wrong answer moves one level easier.
    A reversal is a change of direction; the level where it happens is kept. ``set_level`` picks a
    level by hand (the next move then starts a new direction).

    Lesson: course/05-ear-training.ipynb
    """

    level: int = 1
    run: int = 0
    direction: int = 0
    reversals: list = field(default_factory=list)
    trials: int = 0
    correct: int = 0
    streak: int = 0

    DOWN = 3
    UP = 1
    REVERSALS_FOR_THRESHOLD = 6

    def update(self, correct) -> int:
        """Count one answer (True right, False wrong) and return the new level."""
        if not isinstance(correct, bool | np.bool_):
            raise ParameterError(f"correct must be True or False (got {correct!r}).")
        self.trials += 1
        at = self.level
        if correct:
            self.correct += 1
            self.streak += 1
            self.run += 1
            if self.run >= self.DOWN:
                self.run = 0
                self._move(+1, at)
        else:
            self.streak = 0
            self.run = 0
            self._move(-1, at)
        return self.level

    def _move(self, step: int, at: int) -> None:
        if self.direction and step != self.direction:
            self.reversals.append(at)
        self.direction = step
        self.level = min(LEVELS, max(1, self.level + step))

    def set_level(self, level) -> None:
        """Pick a level by hand (1-10)."""
        self.level = _check_level(level)
        self.run = 0
        self.direction = 0

    def estimate(self, values) -> float | None:
        """The mean of ``values[level - 1]`` over the last 6 reversals, or None before there are 6."""
        if len(self.reversals) < self.REVERSALS_FOR_THRESHOLD:
            return None
        last = self.reversals[-self.REVERSALS_FOR_THRESHOLD:]
        return float(np.mean([values[lv - 1] for lv in last]))

    def threshold(self, drill_name: str) -> Threshold:
        """Your threshold in ``drill_name``'s unit, with the published range in the message."""
        d = drill(drill_name)
        value = self.estimate(d.values)
        unit = " %" if d.unit == "%" else f" {d.unit}"
        if value is None:
            message = (f"not enough reversals yet for a {d.name} threshold ({len(self.reversals)} of "
                       f"{self.REVERSALS_FOR_THRESHOLD}): keep going. For reference, {d.published}.")
        else:
            digits = 0 if d.unit == "%" else 1
            shown = ("±" if d.name in ("stereo", "frequency") else "") + f"{value:.{digits}f}{unit}"
            message = f"your {d.name} threshold is {shown}; {d.published}."
        return Threshold(d.name, value, d.unit, len(self.reversals), self.level, message)


# =========================================================================== progress


SCHEMA = "producerkit-progress"
SCHEMA_VERSION = 1
PROGRESS_ENV = "PRODUCERKIT_PROGRESS"
_EVENT_KINDS = ("trial", "set_level")


def progress_path(path=None) -> Path:
    """Where progress lives: ``path``, else ``$PRODUCERKIT_PROGRESS``, else ``~/.producerkit/progress.json``.

    A folder (existing, or written with a trailing slash) means ``progress.json`` inside it.

    Lesson: not yet taught
    """
    if path is None:
        path = os.environ.get(PROGRESS_ENV) or (Path.home() / ".producerkit" / "progress.json")
    if not isinstance(path, str | os.PathLike):
        raise ParameterError(f"path must be a file path (got {path!r}).")
    text = os.fspath(path)
    p = Path(text).expanduser()
    if p.is_dir() or text.endswith(("/", os.sep)):
        p = p / "progress.json"
    return p


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_LAST_US = [0]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _stamp() -> str:
    """A UTC timestamp in microseconds, strictly increasing within this process (events sort as they happened)."""
    us = max(time.time_ns() // 1000, _LAST_US[0] + 1)
    _LAST_US[0] = us
    return (_EPOCH + timedelta(microseconds=us)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _empty() -> dict:
    return {"schema": SCHEMA, "version": SCHEMA_VERSION, "student": None, "events": []}


def _valid_event(ev) -> bool:
    if not isinstance(ev, dict):
        return False
    if not isinstance(ev.get("id"), str) or not 1 <= len(ev["id"]) <= 100:
        return False
    if ev.get("kind") not in _EVENT_KINDS or ev.get("drill") not in _DRILLS:
        return False
    level = ev.get("level")
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= LEVELS:
        return False
    if not isinstance(ev.get("at"), str):
        return False
    try:
        datetime.strptime(ev["at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return False
    if ev["kind"] == "trial":
        if not isinstance(ev.get("correct"), bool):
            return False
    return True


def _parse(text: str, where) -> tuple[dict, int]:
    """The progress in ``text`` and how many entries had to be left out; ProgressError if it is unusable."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProgressError(f"{where} is damaged: it is not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise _ForeignFile(f"{where} is not a producerkit progress file (no \"schema\": \"{SCHEMA}\" in it).")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProgressError(f"{where} has no schema version.")
    if version > SCHEMA_VERSION:
        raise _ForeignFile(f"{where} was written by a newer producerkit (schema version {version}; this one reads "
                            f"up to {SCHEMA_VERSION}): upgrade producerkit to read it.")
    events = data.get("events")
    if not isinstance(events, list):
        raise ProgressError(f"{where} has no list of events.")
    good = [ev for ev in events if _valid_event(ev)]
    student = data.get("student")
    out = {"schema": SCHEMA, "version": SCHEMA_VERSION, "student": student if isinstance(student, str) else None,
           "events": good}
    return out, len(events) - len(good)


def read_progress(path) -> dict:
    """Read a progress file without changing it (for tutors and imports).

    Raises:
        ProgressError: the file is missing, damaged or not a progress file, with what to do.

    Lesson: not yet taught
    """
    path = Path(os.fspath(path)).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgressError(f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgressError(f"{path} could not be read ({exc.__class__.__name__}: {exc}).") from None
    data, _bad = _parse(text, path)
    return data





@contextlib.contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on ``path`` + ".lock" (fcntl.flock; msvcrt on Windows) while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            for _ in range(1000):
                try:
                    fh.seek(0)
                    msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    time.sleep(0.01)
            else:
                raise ProgressError(f"{lock_path} stayed locked for 10 s; close other notebooks that train.") from None
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def _backup_name(path: Path, why: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.stem}.{why}-{stamp}{path.suffix or '.json'}")
    k = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.{why}-{stamp}-{k}{path.suffix or '.json'}")
        k += 1
    return candidate


def _sort_key(ev: dict):
    return ev["at"], ev["id"]


def _jsonable(x):
    if x is None or isinstance(x, bool | str):
        return x if not isinstance(x, str) else x[:200]
    if isinstance(x, int | np.integer):
        return int(x) if abs(int(x)) < 2**53 else "a very large number"
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(float(x)) else None
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x][:10]
    try:
        return repr(x)[:200]
    except ValueError:
        return type(x).__name__


class Progress:
    """A student's ear-training progress: one JSON file of events (answers and hand-picked levels).

    Every write takes a lock, reads the file, merges in the new events (by id) and renames a fresh
    copy into place, so two notebooks that train at once never lose each other's answers. The
    staircase of each drill is replayed from the events, so it is the same in every notebook.
    A damaged or foreign file is moved aside to ``progress.corrupt-<time>.json`` (or
    ``.foreign-``), never overwritten; the message in :attr:`messages` (also given as a
    :class:`ProgressWarning`) says where it went, and training goes on with a fresh file.

    Lesson: course/05-ear-training.ipynb
    """

    def __init__(self, path=None):
        self.path = progress_path(path)
        self.messages: list[str] = []
        self.session_id = uuid.uuid4().hex[:12]

    def __repr__(self) -> str:
        return f"Progress({str(self.path)!r})"

    def _say(self, message: str) -> None:
        self.messages.append(message)
        warnings.warn(message, ProgressWarning, stacklevel=4)

    def _load_locked(self) -> dict:
        if not self.path.exists():
            return _empty()
        try:
            text = self.path.read_text(encoding="utf-8")
            data, bad = _parse(text, self.path)
        except (ProgressError, UnicodeDecodeError, OSError) as exc:
            why = "foreign" if isinstance(exc, _ForeignFile) else "corrupt"
            backup = _backup_name(self.path, why)
            os.replace(self.path, backup)
            fsync_dir(self.path.parent)
            self._say(f"{exc} It was moved aside to {backup} (nothing in it is lost) and training goes on with a "
                      "fresh progress file. To bring answers back from a backup, use import_progress() on it.")
            return _empty()
        if bad:
            backup = _backup_name(self.path, "corrupt")
            shutil.copy2(self.path, backup)
            write_atomic(self.path, _dumps(data))
            self._say(f"{bad} unreadable entr{'y' if bad == 1 else 'ies'} in {self.path} were left out; the original "
                      f"file is kept as {backup}.")
        return data

    def read(self) -> dict:
        """The whole progress: ``{"schema", "version", "student", "events"}`` (events in time order)."""
        with _locked(self.path):
            data = self._load_locked()
        data["events"].sort(key=_sort_key)
        return data

    def record(self, *events: dict, student: str | None = None) -> int:
        """Merge ``events`` into the file under the lock (by id: nothing twice); returns how many were new."""
        for ev in events:
            if not _valid_event(ev):
                raise ParameterError(f"not a valid progress event: {ev!r}")
        with _locked(self.path):
            data = self._load_locked()
            known = {ev["id"] for ev in data["events"]}
            new = []
            for ev in events:
                if ev["id"] not in known:
                    known.add(ev["id"])
                    new.append(ev)
            named = bool(student) and not data.get("student")
            if named:
                data["student"] = student
            if new or named:
                data["events"].extend(new)
                data["events"].sort(key=_sort_key)
                write_atomic(self.path, _dumps(data))
        return len(new)

    def set_student(self, name: str) -> None:
        """Put the student's name in the file, for the tutor's class report."""
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(f"name must be a non-empty string (got {name!r}).")
        with _locked(self.path):
            data = self._load_locked()
            data["student"] = name.strip()
            write_atomic(self.path, _dumps(data))

    def events(self, drill_name: str | None = None) -> list[dict]:
        """The events in time order, all or one drill's."""
        events = self.read()["events"]
        return events if drill_name is None else [ev for ev in events if ev["drill"] == _check_drill(drill_name)]

    def staircase(self, drill_name: str) -> Staircase:
        """The drill's staircase, replayed from its events."""
        return _replay(self.events(drill_name))

    def threshold(self, drill_name: str) -> Threshold:
        """Your threshold in a drill (None until 6 reversals), with the published range."""
        return self.staircase(drill_name).threshold(drill_name)

    def summary(self) -> dict:
        """Per drill: level, trials, correct, threshold (or None) and last practice (UTC ISO time)."""
        return _summary(self.read()["events"])

    def history(self, drill_name: str) -> list[dict]:
        """The threshold after each training session in a drill, oldest first: for a progress plot."""
        return _history(self.events(drill_name), drill_name)

    def trial_event(self, trial: Trial, result: Score, answer) -> dict:
        """The event that records an answer to ``trial`` (not written yet: see :meth:`record`)."""
        return {"id": uuid.uuid4().hex, "kind": "trial", "drill": trial.drill, "level": trial.level,
                "value": trial.value, "correct": bool(result.correct), "verdict": result.verdict,
                "answer": _jsonable(answer), "truth": _jsonable(trial.answer), "seed": trial.seed,
                "at": _stamp(), "session": self.session_id}

    def level_event(self, drill_name: str, level: int) -> dict:
        """The event that records a level picked by hand."""
        return {"id": uuid.uuid4().hex, "kind": "set_level", "drill": _check_drill(drill_name),
                "level": _check_level(level), "at": _stamp(), "session": self.session_id}


def moves_level(event_or_trial) -> bool:
    """Whether an answer moves the staircase: all do, except the space drill's delay (note-value) questions.

    The space threshold is told in % of decay; a note value is about as easy at level 10 as at level 1,
    so counting those answers would pull the decay threshold down. They are recorded, and scored, but
    leave the level where it is. Works on a :class:`Trial` or a recorded event (old files too: a delay
    event's truth is a note value).

    Lesson: not yet taught
    """
    if isinstance(event_or_trial, Trial):
        return not (event_or_trial.drill == "space" and event_or_trial.details.get("question") == "delay")
    ev = event_or_trial
    return not (ev.get("drill") == "space" and ev.get("kind") == "trial" and ev.get("truth") in NOTE_VALUES)


def _step(st: Staircase, ev) -> None:
    """Replay one event on the staircase."""
    if ev["kind"] == "set_level":
        st.set_level(ev["level"])
    elif moves_level(ev):
        st.update(ev["correct"])


def _replay(events) -> Staircase:
    st = Staircase()
    for ev in events:
        _step(st, ev)
    return st


def _summary(events) -> dict:
    out = {}
    for name in DRILLS:
        mine = [ev for ev in events if ev["drill"] == name]
        st = _replay(mine)
        trials = [ev for ev in mine if ev["kind"] == "trial"]
        out[name] = {"level": st.level, "trials": len(trials), "correct": sum(ev["correct"] for ev in trials),
                     "threshold": st.estimate(drill(name).values), "unit": drill(name).unit,
                     "last_practice": trials[-1]["at"] if trials else None}
    return out


def _history(events, drill_name: str) -> list[dict]:
    st = Staircase()
    rows: list[dict] = []
    current = None
    for ev in events:
        _step(st, ev)
        session = ev.get("session") or "?"
        if session != current:
            rows.append({"session": session, "started": ev["at"], "trials": 0})
            current = session
        rows[-1]["trials"] += ev["kind"] == "trial"
        rows[-1]["ended"] = ev["at"]
        rows[-1]["level"] = st.level
        rows[-1]["threshold"] = st.estimate(drill(drill_name).values)
    return rows


def export_progress(path, *, source=None, overwrite: bool = False) -> Path:
    """Copy your progress to ``path`` (for example before a Binder session ends), atomically.

    Raises:
        ProgressError: ``path`` exists and ``overwrite`` is False.

    Lesson: not yet taught
    """
    target = Path(os.fspath(path)).expanduser()
    if target.exists() and not overwrite:
        raise ProgressError(f"{target} already exists and was left untouched; choose another name, or pass "
                            "overwrite=True (--overwrite on the command line) to replace it.")
    data = Progress(source).read()
    write_atomic(target, _dumps(data))
    return target


def import_progress(path, *, target=None) -> int:
    """Merge the progress in ``path`` into yours (nothing twice); returns how many answers were new.

    Raises:
        ProgressError: ``path`` is missing, damaged or not a progress file (yours is left untouched).

    Lesson: not yet taught
    """
    data = read_progress(path)
    return Progress(target).record(*data["events"], student=data.get("student"))


# =========================================================================== the tutor's class report


@dataclass
class ClassReport:
    """What :func:`class_report` read and wrote: one row per student, the files it could not read, the outputs.

    Lesson: not yet taught
    """

    rows: list
    errors: list
    csv_path: Path
    html_path: Path

    def __str__(self) -> str:
        lines = [f"{len(self.rows)} student file(s) read; wrote {self.csv_path} and {self.html_path}"]
        lines += [f"  unreadable: {e}" for e in self.errors]
        return "\n".join(lines)


def _student_name(path: Path, data: dict, folder: Path) -> str:
    if data.get("student"):
        return data["student"]
    rel = path.relative_to(folder)
    parts = [p for p in rel.parts[:-1] if p not in (".producerkit",)]
    if path.name == "progress.json" and parts:
        return parts[0]
    return path.stem


def class_report(folder, out_dir=None) -> ClassReport:
    """Read every student's progress file under ``folder`` and write ``class.csv`` and ``class.html`` to ``out_dir``.

    Thresholds per drill, trials and last practice, one row per file. A file that cannot be read is
    named in ``errors`` with the reason, and the rest are still reported. Backups made by
    :class:`Progress` (``*.corrupt-*``, ``*.foreign-*``) are skipped. ``out_dir`` defaults to ``folder``.

    Raises:
        ProgressError: ``folder`` is not a folder.

    Lesson: not yet taught
    """
    folder = Path(os.fspath(folder)).expanduser()
    if not folder.is_dir():
        raise ProgressError(f"{folder} is not a folder; give the folder that holds the students' progress files.")
    out = Path(os.fspath(out_dir)).expanduser() if out_dir is not None else folder
    rows, errors = [], []
    for path in sorted(folder.rglob("*.json")):
        if re.search(r"\.(corrupt|foreign)-\d{8}T\d{6}Z", path.name) or path.name.startswith("."):
            continue
        try:
            data = read_progress(path)
        except ProgressError as exc:
            errors.append(str(exc))
            continue
        events = sorted(data["events"], key=_sort_key)
        summary = _summary(events)
        trials = [ev for ev in events if ev["kind"] == "trial"]
        row = {"student": _student_name(path, data, folder), "file": str(path.relative_to(folder)),
               "trials": len(trials), "correct_pct": round(100 * sum(ev["correct"] for ev in trials) / len(trials), 1)
               if trials else None, "last_practice": trials[-1]["at"][:16].replace("T", " ") if trials else None}
        for name in DRILLS:
            s = summary[name]
            row[f"{name}_threshold"] = None if s["threshold"] is None else round(s["threshold"], 2)
            row[f"{name}_level"] = s["level"]
            row[f"{name}_trials"] = s["trials"]
        rows.append(row)
    out.mkdir(parents=True, exist_ok=True)
    columns = ["student", "file", "trials", "correct_pct", "last_practice"]
    for name in DRILLS:
        columns += [f"{name}_threshold", f"{name}_level", f"{name}_trials"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row[k] is None else row[k]) for k in columns})
    csv_path, html_path = out / "class.csv", out / "class.html"
    write_atomic(csv_path, buf.getvalue())
    write_atomic(html_path, _report_html(rows, errors))
    return ClassReport(rows, errors, csv_path, html_path)


def _report_html(rows, errors) -> str:
    e = html.escape
    head = "".join(f"<th>{e(drill(n).title)}<br><small>threshold ({e(drill(n).unit)}) · level · trials</small></th>"
                   for n in DRILLS)
    body = []
    for row in rows:
        cells = "".join(
            f"<td>{'–' if row[f'{n}_threshold'] is None else row[f'{n}_threshold']} · {row[f'{n}_level']} · "
            f"{row[f'{n}_trials']}</td>" for n in DRILLS)
        pct = "–" if row["correct_pct"] is None else f"{row['correct_pct']} %"
        body.append(f"<tr><td>{e(row['student'])}</td><td>{row['trials']}</td><td>{pct}</td>"
                    f"<td>{e(row['last_practice'] or '–')}</td>{cells}</tr>")
    problems = "".join(f"<li>{e(msg)}</li>" for msg in errors)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ear training: class report</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}"
        ".errors{color:#a00}</style></head><body>\n<h1>Ear training: class report</h1>\n"
        f"<p>{len(rows)} student file(s). A threshold appears after 6 reversals of a drill's staircase; "
        "– means not yet.</p>\n"
        f"<table><thead><tr><th>Student</th><th>Trials</th><th>Right</th><th>Last practice (UTC)</th>{head}</tr>"
        f"</thead><tbody>\n{''.join(body)}\n</tbody></table>\n"
        + (f"<h2 class=\"errors\">Files that could not be read</h2><ul class=\"errors\">{problems}</ul>\n"
           if errors else "")
        + "</body></html>\n"
    )


# =========================================================================== the trainer


class Trainer:
    """A drill you practise: it makes trials at your level, scores answers, moves the staircase and saves progress.

    ``Trainer("level").next_trial()`` gives a :class:`Trial`; ``answer("B")`` scores it, records it
    in the progress file and moves the level. ``level`` can be set by hand. Everything is
    deterministic for a ``seed``.

    Lesson: not yet taught
    """

    def __init__(self, drill_name: str, *, path=None, seed: int | None = None, seconds: float | None = None,
                 session: str = SESSION, progress: Progress | None = None):
        self.drill = drill(drill_name)
        self.progress = progress if progress is not None else Progress(path)
        if seed is None:
            seed = int.from_bytes(os.urandom(4), "little")
        self.seed = _check_seed(seed)
        self.seconds = seconds
        self.session = session
        self.staircase = self.progress.staircase(self.drill.name)
        self.trial: Trial | None = None
        self._count = 0
        self.score = 0
        self.answered = 0

    @property
    def level(self) -> int:
        return self.staircase.level

    @level.setter
    def level(self, level) -> None:
        level = _check_level(level)
        self.progress.record(self.progress.level_event(self.drill.name, level))
        self.staircase = self.progress.staircase(self.drill.name)

    @property
    def streak(self) -> int:
        return self.staircase.streak

    def next_trial(self) -> Trial:
        """A new trial at the current level (seeded from the trainer's seed and the trial count)."""
        self._count += 1
        seed = int(np.random.SeedSequence([self.seed, self._count]).generate_state(1)[0])
        self.trial = make_trial(self.drill.name, self.level, seed, seconds=self.seconds, session=self.session)
        return self.trial

    def answer(self, response) -> Score:
        """Score ``response`` to the current trial; a readable answer is recorded and moves the level."""
        if self.trial is None:
            raise ParameterError("there is no trial to answer yet: call next_trial() first.")
        result = score(self.trial, response)
        if result.correct is None:
            return result
        self.progress.record(self.progress.trial_event(self.trial, result, response))
        self.staircase = self.progress.staircase(self.drill.name)
        self.answered += 1
        self.score += bool(result.correct)
        self.trial = None
        return result

    def threshold(self) -> Threshold:
        """Your threshold in this drill (after 6 reversals), with the published range."""
        return self.staircase.threshold(self.drill.name)

    def __repr__(self) -> str:
        return (f"Trainer({self.drill.name!r}: level {self.level}, {self.score}/{self.answered} right this session, "
                f"streak {self.streak}; progress in {self.progress.path})")
