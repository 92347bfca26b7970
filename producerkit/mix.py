"""Signal chains and mixing: Chain, Gain, ClipGain, Pan (pan laws), Parallel, Track, Bus and Mixer.

A *processor* is anything called as ``proc(y, sr) -> y`` (an EQ band, a Compressor, a plain
function). :class:`Chain` runs processors in order, like the insert slots of a channel strip;
:class:`Parallel` blends a processed copy with the dry signal (parallel compression, "New York"
style). :class:`Mixer` is a small mixing desk: each :class:`Track` goes through its inserts,
its fader (``gain_db``) and its pan pot; post-fader sends feed :class:`Bus` returns (a reverb
bus, for example); tracks and bus returns are summed and the master chain processes the sum.

Pan laws (``position`` from -1 hard left to +1 hard right, ``theta = (position + 1) * pi / 4``):

==========  ==========================================  =============  ==============
law         left, right gains                           centre (each)  hard side
==========  ==========================================  =============  ==============
"-3dB"      cos(theta), sin(theta)  (constant power)    -3.01 dB       0 dB / silent
"-4.5dB"    sqrt(constant-power * linear) (compromise)  -4.52 dB       0 dB / silent
"-6dB"      (1 - position) / 2, (1 + position) / 2      -6.02 dB       0 dB / silent
"0dB"       sqrt(2) cos(theta), sqrt(2) sin(theta)      0 dB           +3.01 dB / silent
==========  ==========================================  =============  ==============

The -3 dB law keeps the acoustic power constant as a sound moves across the stereo field;
-6 dB keeps the mono sum (L + R) constant, so a mix folded to mono does not change level;
-4.5 dB sits between the two. The "0dB" law here is the constant-power curve lifted so the
centre is at unity and a hard-panned sound rises by 3 dB (what some DAWs call "-3 dB
compensated"): turning a pan pot never makes a centred sound quieter, but hard-panned
sounds can clip.

Lessons: 00, 02, 04
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, MutableSequence, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._validate import finite, flag, in_range
from .audio import SILENCE_DB, amp_to_db, as_channels, check_sr, db_to_amp, ensure_audio, to_stereo
from .errors import AudioError, ParameterError

# --------------------------------------------------------------------------- helpers


def _finite_db(value, name: str, low: float = -120.0, high: float = 24.0) -> float:
    finite(name, value, unit="dB", hint="to silence something, mute it instead")
    return in_range(name, value, low, high, unit="dB")


def _describe(proc) -> str:
    text = repr(proc)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_processor(item, where: str):
    if isinstance(item, type):
        raise ParameterError(
            f"{where} is the class {item.__name__}, not a processor; create one first, "
            f"for example {item.__name__}(...) with its settings."
        )
    if not callable(item):
        raise ParameterError(
            f"{where} is {item!r} ({type(item).__name__}), which cannot process audio; a chain holds "
            "processors called as proc(y, sr), such as HighPass(80) or Compressor(...)."
        )
    return item


def _latency(proc, sr: int) -> int:
    """Samples of delay a processor reports through ``latency_samples`` (an int or a method of sr)."""
    value = getattr(proc, "latency_samples", 0)
    if callable(value):
        value = value(sr)
    return int(value or 0)


def _pad_to(y: np.ndarray, n: int) -> np.ndarray:
    """Pad (channels, m) audio with silence at the end to n samples."""
    if y.shape[-1] >= n:
        return y
    return np.pad(y, ((0, 0), (0, n - y.shape[-1])))


def _match(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bring two (channels, n) signals to the same channel count (mono -> stereo) and length."""
    if a.shape[0] != b.shape[0]:
        if a.shape[0] == 1:
            a = np.repeat(a, b.shape[0], axis=0)
        elif b.shape[0] == 1:
            b = np.repeat(b, a.shape[0], axis=0)
        else:
            raise AudioError(f"cannot sum {a.shape[0]}-channel and {b.shape[0]}-channel audio.")
    n = max(a.shape[-1], b.shape[-1])
    return _pad_to(a, n), _pad_to(b, n)


def _restore_layout(y2d: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(y2d[0] if y2d.shape[0] == 1 else y2d, dtype=np.float32)


# --------------------------------------------------------------------------- Chain


class Chain(MutableSequence):
    """An ordered list of processors, run one after another: a channel's insert slots.

    Behaves like a list (index, slice, ``append``, ``insert``, ``del``, ``len``, ``+``) and is
    itself a processor: ``Chain([HighPass(80), Compressor(...)])(y, sr)`` runs the high-pass,
    then the compressor. Every item must be callable as ``proc(y, sr)``; anything else is
    refused when it is added, with the reason. An empty chain passes audio through unchanged.

    Processors that delay the signal say so through ``latency_samples``; a chain reports the
    sum, which :class:`Parallel` uses to keep dry and wet aligned.

    Lesson: course/00-welcome.ipynb
    """

    def __init__(self, processors: Iterable = ()):
        if processors is None:
            processors = ()
        if callable(processors) and not isinstance(processors, Chain):
            raise ParameterError(
                f"Chain takes a list of processors; wrap a single one in brackets: Chain([{_describe(processors)}])."
            )
        try:
            items = list(processors)
        except TypeError:
            raise ParameterError(
                f"Chain takes a list of processors (got {type(processors).__name__})."
            ) from None
        self._items: list = [_check_processor(p, f"item {i} of the chain") for i, p in enumerate(items)]

    # -- sequence protocol
    def __getitem__(self, index):
        if isinstance(index, slice):
            return Chain(self._items[index])
        return self._items[index]

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            values = [_check_processor(v, "an item assigned to the chain") for v in value]
            self._items[index] = values
        else:
            self._items[index] = _check_processor(value, f"the item assigned at position {index}")

    def __delitem__(self, index):
        del self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def insert(self, index: int, value) -> None:
        """Insert a processor before position ``index`` (like ``list.insert``)."""
        self._items.insert(index, _check_processor(value, "the processor to insert"))

    def __add__(self, other) -> Chain:
        if isinstance(other, Chain | list | tuple):
            return Chain([*self._items, *other])
        return NotImplemented

    def __radd__(self, other) -> Chain:
        if isinstance(other, list | tuple):
            return Chain([*other, *self._items])
        return NotImplemented

    def __iadd__(self, other) -> Chain:
        self.extend(other)
        return self

    def __eq__(self, other) -> bool:
        if isinstance(other, Chain):
            return self._items == other._items
        if isinstance(other, list):
            return self._items == other
        return NotImplemented

    __hash__ = None  # mutable, like a list

    def __repr__(self) -> str:
        if not self._items:
            return "Chain([])"
        lines = "".join(f"    {p!r},\n" for p in self._items)
        return f"Chain([\n{lines}])"

    # -- processing
    def latency_samples(self, sr: int) -> int:
        """Total delay in samples that the processors report (0 for producerkit's own processors)."""
        return sum(_latency(p, sr) for p in self._items)

    def __call__(self, y, sr) -> np.ndarray:
        y = ensure_audio(y)
        sr = check_sr(sr)
        for i, proc in enumerate(self._items):
            out = proc(y, sr)
            try:
                y = ensure_audio(out, name=f"the output of step {i} ({_describe(proc)})")
            except AudioError as exc:
                raise AudioError(f"{exc} The chain stopped at step {i}.") from None
        return y


# --------------------------------------------------------------------------- Gain and Pan


@dataclass
class Gain:
    """A volume change in decibels, like a trim knob or a fader: ``Gain(-6)(y, sr)`` halves the level.

    Args:
        gain_db: gain in dB, between -120 and +24 (0 leaves the signal unchanged; -6.02 dB halves it).

    Lesson: course/02-compression.ipynb
    """

    gain_db: float = 0.0

    def __post_init__(self):
        self.gain_db = _finite_db(self.gain_db, "gain_db")

    def __call__(self, y, sr) -> np.ndarray:
        y = ensure_audio(y)
        check_sr(sr)
        return (y.astype(np.float64) * float(db_to_amp(self.gain_db))).astype(np.float32)


@dataclass
class ClipGain:
    """Clip gain: its own gain for each region of a clip, like splitting a clip in a DAW and setting each part.

    A producer's first fix for phrases that jump in level (a singer moving on and off the mic):
    turn each loud phrase down and each quiet one up, so a compressor afterwards only has the
    smaller changes between notes to even out. Drawn as volume automation it does the same.
    ``ClipGain([(0.0, 4.8, -6), (4.8, 9.6, +6)])(y, sr)`` turns the first 4.8 s down 6 dB and
    the next 4.8 s up 6 dB. Each change of gain is a short ramp (in dB), so an edit never clicks.

    Args:
        regions: ``(start_s, end_s, gain_db)`` for each part of the clip, in seconds from its start;
            they must not overlap. Outside every region the gain is 0 dB; regions past the end
            of the clip are cut off there.
        ramp_ms: how long each change of gain takes, centred on the region's edge (0 to 500 ms).

    Lesson: course/02-compression.ipynb
    """

    regions: Sequence[tuple[float, float, float]]
    ramp_ms: float = 10.0

    def __post_init__(self):
        try:
            regions = [tuple(r) for r in self.regions]
        except TypeError:
            raise ParameterError(
                f"regions must be a list of (start_s, end_s, gain_db) tuples (got {self.regions!r})."
            ) from None
        checked = []
        for i, region in enumerate(regions):
            if len(region) != 3:
                raise ParameterError(f"region {i} must be (start_s, end_s, gain_db) (got {region!r}).")
            start = _finite_seconds(region[0], f"region {i}'s start_s")
            end = _finite_seconds(region[1], f"region {i}'s end_s")
            if end <= start:
                raise ParameterError(f"region {i} ends at {end:g} s, before it starts at {start:g} s.")
            checked.append((start, end, _finite_db(region[2], f"region {i}'s gain_db")))
        checked.sort()
        for (s0, e0, _), (s1, _, _) in zip(checked[:-1], checked[1:], strict=True):
            if s1 < e0:
                raise ParameterError(f"the regions starting at {s0:g} s and {s1:g} s overlap; give each part of "
                                     "the clip one gain.")
        self.regions = checked
        ramp = _finite_seconds(self.ramp_ms, "ramp_ms")
        if ramp > 500:
            raise ParameterError(f"ramp_ms must be between 0 and 500 ms (got {ramp:g}).")
        self.ramp_ms = ramp

    def gain_db(self, n: int, sr: int) -> np.ndarray:
        """The gain in dB for each of ``n`` samples at ``sr``: the regions' gains joined by ramps."""
        sr = check_sr(sr)
        db = np.zeros(n, dtype=np.float64)
        for start, end, gain in self.regions:
            db[min(int(round(start * sr)), n) : min(int(round(end * sr)), n)] = gain
        ramp = int(round(self.ramp_ms * sr / 1000))
        if ramp > 1 and n > 0:
            padded = np.pad(db, (ramp // 2, ramp - 1 - ramp // 2), mode="edge")
            db = np.convolve(padded, np.full(ramp, 1.0 / ramp), mode="valid")
        return db

    def __call__(self, y, sr) -> np.ndarray:
        y = ensure_audio(y)
        gain = db_to_amp(self.gain_db(y.shape[-1], sr))
        return (y.astype(np.float64) * gain).astype(np.float32)


def _finite_seconds(value, name: str) -> float:
    return in_range(name, value, 0)


PAN_LAWS = ("-3dB", "-4.5dB", "-6dB", "0dB")

_LAW_ALIASES = {"-3db": "-3dB", "-4.5db": "-4.5dB", "-6db": "-6dB", "0db": "0dB", "+0db": "0dB", "-0db": "0dB"}


def _normalise_law(law) -> str:
    if isinstance(law, int | float) and not isinstance(law, bool):
        key = f"{float(law):g}db"
    elif isinstance(law, str):
        key = law.replace(" ", "").lower()
        if not key.endswith("db"):
            key += "db"
    else:
        key = ""
    if key not in _LAW_ALIASES:
        raise ParameterError(f"pan law must be one of {', '.join(PAN_LAWS)} (got {law!r}).")
    return _LAW_ALIASES[key]


def _check_position(position, name: str = "pan position") -> float:
    return in_range(name, position, -1.0, 1.0, hint="-1 is hard left, 0 is centre, +1 is hard right")


def pan_gains(position: float, law: str = "-3dB") -> tuple[float, float]:
    """Left and right linear gains that place a mono signal at ``position`` under a pan law.

    ``pan_gains(0, "-3dB")`` is (0.7071, 0.7071): -3.01 dB in each channel. See the module
    docstring for the four laws.

    Lesson: course/09-mixing.ipynb
    """
    position = _check_position(position)
    law = _normalise_law(law)
    theta = (position + 1.0) * math.pi / 4.0
    power = (math.cos(theta), math.sin(theta))
    linear = ((1.0 - position) / 2.0, (1.0 + position) / 2.0)
    if law == "-3dB":
        left, right = power
    elif law == "-6dB":
        left, right = linear
    elif law == "-4.5dB":
        left, right = math.sqrt(power[0] * linear[0]), math.sqrt(power[1] * linear[1])
    else:  # "0dB"
        left, right = math.sqrt(2.0) * power[0], math.sqrt(2.0) * power[1]
    # cos(pi/2) is 6e-17, not 0: a hard-panned sound should leave the other side truly silent.
    return (0.0 if abs(left) < 1e-12 else left, 0.0 if abs(right) < 1e-12 else right)


def balance_gains(position: float, law: str = "-3dB") -> tuple[float, float]:
    """Left and right gains of a balance control for stereo audio.

    At the centre both channels pass at unity. Moving right fades the left channel down along
    the pan law's curve, normalised to the centre (``gain(position) / gain(0)``), and leaves the
    right channel alone; moving left does the opposite. A balance control never boosts, so
    the "0dB" law balances exactly like "-3dB".

    Lesson: not yet taught
    """
    position = _check_position(position)
    centre = pan_gains(0.0, law)
    here = pan_gains(position, law)
    return (min(1.0, here[0] / centre[0]), min(1.0, here[1] / centre[1]))


@dataclass
class Pan:
    """A pan pot: mono in, stereo ``(2, n)`` out; on stereo input, a balance control.

    Args:
        position: -1 hard left, 0 centre, +1 hard right.
        law: "-3dB" (constant power, the default of most DAWs), "-4.5dB", "-6dB" (linear,
            mono-compatible) or "0dB" (centre at unity, sides +3 dB). See the module docstring.

    A mono track panned centre with the -3 dB law comes out at -3.01 dB in each channel.
    Stereo input keeps its image: ``position`` turns down the opposite channel
    (:func:`balance_gains`) instead of moving a single source.

    Lesson: course/09-mixing.ipynb
    """

    position: float = 0.0
    law: str = "-3dB"

    def __post_init__(self):
        self.position = _check_position(self.position)
        self.law = _normalise_law(self.law)

    def gains(self, stereo_input: bool = False) -> tuple[float, float]:
        """The (left, right) linear gains this pan applies to mono (or, if asked, stereo) input."""
        if stereo_input:
            return balance_gains(self.position, self.law)
        return pan_gains(self.position, self.law)

    def __call__(self, y, sr) -> np.ndarray:
        y = ensure_audio(y)
        check_sr(sr)
        if y.ndim == 1:
            left, right = self.gains()
            return np.stack([y * np.float32(left), y * np.float32(right)]).astype(np.float32)
        if y.shape[0] != 2:
            raise AudioError(
                f"Pan takes mono or stereo audio (got {y.shape[0]} channels); fold it to stereo first "
                "with producerkit.audio.to_stereo()."
            )
        left, right = self.gains(stereo_input=True)
        return np.stack([y[0] * np.float32(left), y[1] * np.float32(right)]).astype(np.float32)


# --------------------------------------------------------------------------- Parallel


@dataclass
class Parallel:
    """Parallel processing: the dry signal plus a processed copy, summed (e.g. parallel compression).

    Two ways to set the blend, as on a plugin or a desk:

    * ``mix`` (0..1), a dry/wet knob: ``dry * (1 - mix) + wet * mix``. ``mix=0`` is dry only,
      ``mix=1`` wet only, ``mix=0.5`` each at -6.02 dB.
    * ``dry_db`` and ``wet_db``, two faders: the "New York" way, dry at unity and the
      squashed copy tucked in underneath, ``Parallel(Compressor(...), wet_db=-6)``.

    Give one or the other, not both. Summing is latency-free: if the processor reports a delay
    (``latency_samples``, e.g. a lookahead limiter), it is fed that many extra samples of
    silence and the first ones of its output are dropped, so wet and dry line up sample for
    sample (no comb filtering) and the result stays aligned with the input. A wet signal
    longer than the dry one (a reverb tail) is kept; a mono dry signal is copied to both
    channels when the wet signal is stereo.

    Lesson: course/02-compression.ipynb
    """

    processor: Callable
    mix: float | None = None
    dry_db: float = 0.0
    wet_db: float = 0.0

    def __post_init__(self):
        if isinstance(self.processor, list | tuple):
            self.processor = Chain(self.processor)
        _check_processor(self.processor, "Parallel's processor")
        if self.mix is not None:
            in_range("mix", self.mix, 0.0, 1.0, hint="0 is all dry, 1 is all wet")
            if self.dry_db != 0.0 or self.wet_db != 0.0:
                raise ParameterError(
                    "give either mix (a dry/wet knob) or dry_db/wet_db (two faders), not both."
                )
            self.mix = float(self.mix)
        self.dry_db = _finite_db(self.dry_db, "dry_db")
        self.wet_db = _finite_db(self.wet_db, "wet_db")

    def gains(self) -> tuple[float, float]:
        """The linear (dry, wet) gains."""
        if self.mix is not None:
            return 1.0 - self.mix, self.mix
        return float(db_to_amp(self.dry_db)), float(db_to_amp(self.wet_db))

    def latency_samples(self, sr: int) -> int:
        return _latency(self.processor, sr)

    def __call__(self, y, sr) -> np.ndarray:
        y = ensure_audio(y)
        sr = check_sr(sr)
        delay = self.latency_samples(sr)
        x = y
        if delay > 0:  # feed `delay` extra samples of silence, then drop the first `delay` of the output
            x = _restore_layout(np.pad(as_channels(y), ((0, 0), (0, delay))))
        wet = ensure_audio(self.processor(x, sr), name=f"the output of {_describe(self.processor)}")
        wet = as_channels(wet)[:, delay:].astype(np.float64)
        dry, wet2 = _match(as_channels(y).astype(np.float64), wet)
        g_dry, g_wet = self.gains()
        return _restore_layout(g_dry * dry + g_wet * wet2)


# --------------------------------------------------------------------------- Track and Bus


def _as_chain(value, name: str) -> Chain:
    if value is None:
        return Chain()
    if isinstance(value, Chain):
        return value
    if isinstance(value, list | tuple):
        return Chain(value)
    if callable(value):
        return Chain([value])
    raise ParameterError(f"{name} must be a Chain (or a list of processors) (got {type(value).__name__}).")


def _valid_name(value, kind: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"a {kind} needs a name, a non-empty string such as 'vocal' (got {value!r}).")
    return value


def _check_bool(value, name: str) -> bool:
    return flag(name, value)


class _Validated:
    """Dataclass mixin: every assignment (in __init__ and later) goes through ``_check_<field>``."""

    def __setattr__(self, name, value):
        check = getattr(type(self), f"_check_{name}", None)
        if check is not None:
            value = check(self, value)
        object.__setattr__(self, name, value)


@dataclass(eq=False)
class Track(_Validated):
    """One channel of the mixer: audio plus its fader, pan, mute, solo, inserts and sends.

    Args:
        name: unique within the mixer.
        audio: mono ``(n,)`` or stereo ``(2, n)``.
        gain_db: the fader, -120..+24 dB.
        pan: -1..+1 (a balance control for stereo audio).
        mute, solo: as on a desk (see :class:`Mixer`).
        inserts: a :class:`Chain` run on the track before the fader.
        sends: bus name -> send level in dB, taken post-fader and post-pan, e.g. ``{"reverb": -12.0}``.
        sr: the audio's sample rate, if known; the mixer refuses a mismatch.

    Settings are checked whenever they change, so ``track.pan = 2`` fails straight away.

    Lesson: course/00-welcome.ipynb
    """

    name: str
    audio: np.ndarray
    gain_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    inserts: Chain = field(default_factory=Chain)
    sends: dict = field(default_factory=dict)
    sr: int | None = None

    def _check_name(self, value):
        return _valid_name(value, "track")

    def _check_audio(self, value):
        name = getattr(self, "name", "track")
        y = ensure_audio(value, name=f"the audio of track {name!r}")
        if y.ndim == 2 and y.shape[0] != 2:
            raise AudioError(
                f"track {name!r} has {y.shape[0]} channels; a track is mono or stereo. "
                "Fold it down first with producerkit.audio.to_stereo()."
            )
        return y

    def _check_gain_db(self, value):
        return _finite_db(value, f"gain_db of track {getattr(self, 'name', '')!r}")

    def _check_pan(self, value):
        return _check_position(value, f"pan of track {getattr(self, 'name', '')!r}")

    def _check_mute(self, value):
        return _check_bool(value, "mute")

    def _check_solo(self, value):
        return _check_bool(value, "solo")

    def _check_inserts(self, value):
        return _as_chain(value, "inserts")

    def _check_sends(self, value):
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ParameterError(
                f"sends must be a dict of bus name -> level in dB, e.g. {{'reverb': -12.0}} (got {value!r})."
            )
        out = {}
        for bus, level in value.items():
            _valid_name(bus, "bus in sends")
            out[bus] = _finite_db(level, f"the send to {bus!r} from track {getattr(self, 'name', '')!r}", high=12.0)
        return out

    def _check_sr(self, value):
        return None if value is None else check_sr(value)

    @property
    def channels(self) -> int:
        return 1 if self.audio.ndim == 1 else 2

    def __repr__(self) -> str:
        n = self.audio.shape[-1]
        flags = "".join([", mute=True" if self.mute else "", ", solo=True" if self.solo else ""])
        inserts = f", inserts={len(self.inserts)} processors" if len(self.inserts) else ""
        sends = f", sends={self.sends}" if self.sends else ""
        return (
            f"Track({self.name!r}, {self.channels}ch x {n} samples, gain_db={self.gain_db:g}, "
            f"pan={self.pan:g}{flags}{inserts}{sends})"
        )


@dataclass(eq=False)
class Bus(_Validated):
    """A bus (aux return): it sums the sends it receives, runs its chain, and feeds the mix.

    Args:
        name: what tracks address in their ``sends``, e.g. "reverb".
        chain: the processors on the bus (a reverb set 100 % wet, a parallel compressor, ...).
        gain_db: the return fader.
        mute: silence the return.

    The bus input is stereo; its chain may return mono (it is copied to both sides) or a
    longer signal (a reverb tail), which lengthens the mix.

    Lesson: course/00-welcome.ipynb
    """

    name: str
    chain: Chain = field(default_factory=Chain)
    gain_db: float = 0.0
    mute: bool = False

    def _check_name(self, value):
        return _valid_name(value, "bus")

    def _check_chain(self, value):
        return _as_chain(value, "the bus chain")

    def _check_gain_db(self, value):
        return _finite_db(value, f"gain_db of bus {getattr(self, 'name', '')!r}")

    def _check_mute(self, value):
        return _check_bool(value, "mute")


# --------------------------------------------------------------------------- gain staging

#: The gain-staging rule's one number: every track, bus return and the mix bus peaks below this.
PEAK_MAX_DBFS = -3.0
#: The gain-staging rule, stated once: :meth:`Mixer.gain_staging` applies it the same way to every
#: line, and the mixing stage hands on a mix that meets it.
GAIN_STAGING_RULE = (
    f"Every track, bus return and the mix bus peaks below {PEAK_MAX_DBFS:g} dBFS: that leaves headroom for "
    "the mix bus and for mastering. Above 0 dBFS it clips. How loud one part is against another is the "
    "balance, set by ear with the faders; it is not a gain-staging problem."
)


def _db_text(x: float) -> str:
    return "-inf" if x <= SILENCE_DB or not math.isfinite(x) else f"{x:.1f}"


def _stage_gain(name: str, kind: str, peak_db: float, rms_db: float, lufs: float, playing: bool):
    """One line of the gain-staging report: :data:`GAIN_STAGING_RULE` applied to one signal."""
    from .report import FAIL, PASS, WARN, Finding

    what = {"track": "fader", "bus": "return fader", "mix": "track faders, all together,"}[kind]
    data = {"kind": kind, "peak_dbfs": peak_db, "rms_dbfs": rms_db, "lufs": lufs, "headroom_db": -peak_db,
            "playing": playing}
    measured = f"peak {_db_text(peak_db)} dBFS, RMS {_db_text(rms_db)} dBFS"
    expected = f"peak < {PEAK_MAX_DBFS:g} dBFS"
    off = "" if playing else " (not heard in the mix: muted, or another track is soloed)"
    cut = max(0.1, math.ceil((peak_db - PEAK_MAX_DBFS) * 10.0) / 10.0)  # enough to get under the rule
    if peak_db <= SILENCE_DB:
        return Finding(WARN, name, f"no signal at all{off}.", "check the region, the mute and the input",
                       measured, expected, peak_db, data)
    if peak_db > 0.0:
        return Finding(FAIL, name, f"peaks at {peak_db:+.1f} dBFS, over full scale: it clips{off}.",
                       f"pull the {what} down by {cut:.1f} dB or more",
                       measured, expected, peak_db, data)
    if peak_db >= PEAK_MAX_DBFS:
        return Finding(WARN, name, f"peaks at {peak_db:.1f} dBFS: less than {-PEAK_MAX_DBFS:g} dB of headroom{off}.",
                       f"pull the {what} down by {cut:.1f} dB or more",
                       measured, expected, peak_db, data)
    return Finding(PASS, name, f"peaks at {peak_db:.1f} dBFS: {-peak_db:.1f} dB of headroom{off}.", "",
                   measured, expected, peak_db, data)


# --------------------------------------------------------------------------- Mixer


class Mixer:
    """A mixing desk: tracks through inserts, fader and pan; post-fader sends to buses; a master chain.

    Args:
        tracks: a list of :class:`Track` (names unique).
        sr: the session sample rate; every track with an ``sr`` must match it.
        buses: a list of :class:`Bus` (names unique, and distinct from track names).
        master: a :class:`Chain` on the stereo sum (a bus compressor, a limiter...).
        pan_law: "-3dB" (default), "-4.5dB", "-6dB" or "0dB" (see :class:`Pan`).

    Signal flow of :meth:`render`: for each audible track, ``inserts -> fader (gain_db) ->
    pan``; each send takes that post-fader, post-pan signal at its own level into a bus; each
    bus runs its chain and return fader; tracks and bus returns are summed; the master chain
    processes the sum. The result is stereo ``(2, n)`` float32, unclipped (check peaks with
    :meth:`gain_staging`).

    Mute and solo work as on a desk: if any track is soloed, only soloed tracks play (and only
    their sends reach the buses, which are "solo safe" and keep playing); mute always wins,
    even over solo. Tracks of different lengths are padded with silence at the end to the
    longest, so every track starts at sample 0; a longer insert or bus output (a reverb tail)
    lengthens the mix.

    Lesson: course/00-welcome.ipynb
    """

    def __init__(self, tracks: Iterable[Track], sr: int, buses: Iterable[Bus] = (), master=None,
                 pan_law: str = "-3dB"):
        self.sr = check_sr(sr)
        if isinstance(tracks, Track):
            tracks = [tracks]
        if isinstance(buses, Bus):
            buses = [buses]
        self.tracks: list[Track] = list(tracks)
        self.buses: list[Bus] = list(buses or ())
        self.master: Chain = _as_chain(master, "master")
        self.pan_law = _normalise_law(pan_law)
        self.validate()

    # -- access
    def track(self, name: str) -> Track:
        """The track called ``name``."""
        for t in self.tracks:
            if t.name == name:
                return t
        raise KeyError(f"no track named {name!r}; the tracks are {[t.name for t in self.tracks]}")

    def bus(self, name: str) -> Bus:
        """The bus called ``name``."""
        for b in self.buses:
            if b.name == name:
                return b
        raise KeyError(f"no bus named {name!r}; the buses are {[b.name for b in self.buses]}")

    def __getitem__(self, name: str) -> Track:
        return self.track(name)

    def add_track(self, track: Track) -> Track:
        """Add a track (checked like the others) and return it."""
        self.tracks.append(track)
        try:
            self.validate()
        except Exception:
            self.tracks.pop()
            raise
        return track

    def add_bus(self, bus: Bus) -> Bus:
        """Add a bus and return it."""
        self.buses.append(bus)
        try:
            self.validate()
        except Exception:
            self.buses.pop()
            raise
        return bus

    def __repr__(self) -> str:
        lines = [f"Mixer(sr={self.sr}, pan_law={self.pan_law!r},"]
        lines += [f"  {t!r}," for t in self.tracks]
        lines += [f"  Bus({b.name!r}, {len(b.chain)} processors, gain_db={b.gain_db:g}"
                  f"{', mute=True' if b.mute else ''})," for b in self.buses]
        lines.append(f"  master={len(self.master)} processors)")
        return "\n".join(lines)

    # -- validation
    def validate(self) -> None:
        """Check the session: names, sample rates and sends. Called on creation and before rendering."""
        if not self.tracks:
            raise ParameterError("a mixer needs at least one track: Mixer([Track('drums', y)], sr).")
        seen: set[str] = set()
        for t in self.tracks:
            if not isinstance(t, Track):
                raise ParameterError(f"tracks must be Track objects (got {type(t).__name__}); wrap audio as "
                                     "Track('name', y).")
            if t.name in seen:
                raise ParameterError(f"two tracks are called {t.name!r}; give every track its own name.")
            seen.add(t.name)
            if t.sr is not None and t.sr != self.sr:
                raise ParameterError(
                    f"track {t.name!r} is at {t.sr} Hz but the mixer runs at {self.sr} Hz; resample it first "
                    f"with producerkit.audio.resample(y, {t.sr}, {self.sr})."
                )
        bus_names: set[str] = set()
        for b in self.buses:
            if not isinstance(b, Bus):
                raise ParameterError(f"buses must be Bus objects (got {type(b).__name__}).")
            if b.name in bus_names:
                raise ParameterError(f"two buses are called {b.name!r}; give every bus its own name.")
            if b.name in seen:
                raise ParameterError(f"{b.name!r} is the name of a track and of a bus; rename one of them.")
            bus_names.add(b.name)
        for t in self.tracks:
            for target, level in t.sends.items():
                _finite_db(level, f"the send to {target!r} from track {t.name!r}", high=12.0)
                if target not in bus_names:
                    known = ", ".join(sorted(bus_names)) or "none yet"
                    raise ParameterError(
                        f"track {t.name!r} sends to {target!r}, which is not a bus (buses: {known}). "
                        f"Add Bus({target!r}, ...) to the mixer or fix the name."
                    )

    # -- signal flow
    def _audible(self, track: Track) -> bool:
        if track.mute:
            return False
        return track.solo or not any(t.solo for t in self.tracks)

    def _channel(self, track: Track) -> np.ndarray:
        """Post-insert, post-fader signal of a track in its own layout (mono or stereo), pre-pan."""
        y = track.inserts(track.audio, self.sr) if len(track.inserts) else track.audio
        if y.ndim == 2 and y.shape[0] != 2:
            raise AudioError(f"the inserts of track {track.name!r} returned {y.shape[0]} channels; "
                             "a track must stay mono or stereo.")
        return (y.astype(np.float64) * float(db_to_amp(track.gain_db))).astype(np.float32)

    def _strip(self, track: Track) -> np.ndarray:
        """Post-pan stereo output of a track, (2, m) float64."""
        return Pan(track.pan, self.pan_law)(self._channel(track), self.sr).astype(np.float64)

    def _bus_return(self, bus: Bus, sends: list[np.ndarray], n: int) -> np.ndarray:
        if bus.mute or not sends:
            return np.zeros((2, n))
        total = np.zeros((2, max([n] + [s.shape[-1] for s in sends])))
        for s in sends:
            total[:, : s.shape[-1]] += s
        out = bus.chain(total.astype(np.float32), self.sr) if len(bus.chain) else total
        out = to_stereo(ensure_audio(out, name=f"the output of bus {bus.name!r}")) if len(bus.chain) else out
        return np.asarray(out, dtype=np.float64) * float(db_to_amp(bus.gain_db))

    def _render_parts(self, only: str | None = None, with_buses: bool = True):
        """Stereo track outputs, bus returns and their length, honouring mute/solo (or one track only)."""
        self.validate()
        n = max(t.audio.shape[-1] for t in self.tracks)
        strips: dict[str, np.ndarray] = {}
        sends: dict[str, list[np.ndarray]] = {b.name: [] for b in self.buses}
        for t in self.tracks:
            playing = (t.name == only) if only is not None else self._audible(t)
            if not playing:
                continue
            strip = self._strip(t)
            strips[t.name] = strip
            for bus_name, level_db in t.sends.items():
                sends[bus_name].append(strip * float(db_to_amp(level_db)))
        returns: dict[str, np.ndarray] = {}
        if with_buses:
            for b in self.buses:
                returns[b.name] = self._bus_return(b, sends[b.name], n)
        n = max([n] + [s.shape[-1] for s in strips.values()] + [r.shape[-1] for r in returns.values()])
        strips = {k: _pad_to(v, n) for k, v in strips.items()}
        returns = {k: _pad_to(v, n) for k, v in returns.items()}
        return strips, returns, n

    def _sum(self, strips, returns, n) -> np.ndarray:
        total = np.zeros((2, n))
        for part in (*strips.values(), *returns.values()):
            total += part
        return total

    def _finish(self, total: np.ndarray, master: bool) -> np.ndarray:
        y = total.astype(np.float32)
        if master and len(self.master):
            y = to_stereo(self.master(y, self.sr))
        return np.ascontiguousarray(y, dtype=np.float32)

    def render(self) -> np.ndarray:
        """Mix down: the stereo ``(2, n)`` float32 sum of tracks and bus returns after the master chain."""
        strips, returns, n = self._render_parts()
        return self._finish(self._sum(strips, returns, n), master=True)

    def render_track(self, name: str, buses: bool = True, master: bool = False) -> np.ndarray:
        """One track on its own, as if soloed: its strip, plus its sends' bus returns if ``buses``.

        Ignores the track's mute and solo buttons (you asked for it by name). ``master=True``
        also runs the master chain. Returns stereo ``(2, n)``.

        Lesson: not yet taught
        """
        self.track(name)
        strips, returns, n = self._render_parts(only=name, with_buses=buses)
        return self._finish(self._sum(strips, returns, n), master=master)

    def stems(self) -> dict[str, np.ndarray]:
        """Each audible track's post-fader, post-pan stereo signal and each bus return, by name.

        Stems honour mute and solo and skip the master chain, so with an empty master chain
        their sum is exactly :meth:`render`. All have the mix's length.

        Lesson: course/00-welcome.ipynb
        """
        strips, returns, _ = self._render_parts()
        return {k: v.astype(np.float32) for k, v in {**strips, **returns}.items()}

    def gain_staging(self):
        """Peak, RMS and loudness of every track (post-insert, post-fader, pre-pan), every bus return and
        the mix bus (before the master chain), each judged by :data:`GAIN_STAGING_RULE`.

        Tracks are measured whether or not they are muted, so you can stage a track before unmuting it
        (``data["playing"]`` says whether it is heard in the mix).

        Returns:
            A :class:`producerkit.report.Report` with one :class:`~producerkit.report.Finding` per track,
            bus and the mix bus, by name (``report["lead"]``); each finding's ``data`` holds ``peak_dbfs``,
            ``rms_dbfs``, ``lufs``, ``headroom_db``, ``kind`` and ``playing``.

        Lesson: course/09-mixing.ipynb
        """
        from . import meters
        from .report import Report

        self.validate()
        rows = []

        def row(name, kind, y, playing):
            y = np.asarray(y, dtype=np.float32)
            peak = float(amp_to_db(np.max(np.abs(y)))) if y.size else SILENCE_DB
            rms = float(meters.rms_dbfs(y))
            try:
                lufs = float(meters.integrated_loudness(y, self.sr))
            except Exception:  # too short to gate, or silent: no loudness to report
                lufs = -math.inf
            if not math.isfinite(lufs):
                lufs = -math.inf
            rows.append(_stage_gain(name, kind, peak, rms, lufs, playing))

        for t in self.tracks:
            row(t.name, "track", self._channel(t), self._audible(t))
        strips, returns, n = self._render_parts()
        for b in self.buses:
            row(b.name, "bus", returns[b.name], not b.mute)
        row("mix bus", "mix", self._sum(strips, returns, n), True)
        return Report(rows, title="Gain staging", subject_label="channel")


# --------------------------------------------------------------------------- mix settings file

#: The file name the mixing lesson saves the student's mix settings under, in ``course.work_folder()``.
MIX_SETTINGS_FILE = "paper-lanterns-mix.json"
_SETTINGS_SCHEMA = "producerkit-mix-settings"
_SETTINGS_VERSION = 1


@dataclass(frozen=True)
class ChannelMix:
    """One channel's saved settings: fader (dB), pan (-1..1), mute and solo.

    Lesson: not yet taught
    """

    gain_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False

    def __post_init__(self):
        # kept to a millionth (of a dB, of the pan's range): a desk's slider steps add float noise (-8.000000000000007)
        object.__setattr__(self, "gain_db", round(_finite_db(self.gain_db, "gain_db"), 6))
        object.__setattr__(self, "pan", round(_check_position(self.pan, "pan"), 6))
        object.__setattr__(self, "mute", _check_bool(self.mute, "mute"))
        object.__setattr__(self, "solo", _check_bool(self.solo, "solo"))


def _settings_path(path) -> Path:
    from .course import work_folder

    if path is None:
        return work_folder() / MIX_SETTINGS_FILE
    path = Path(path).expanduser()
    if path.is_dir():
        return path / MIX_SETTINGS_FILE
    return path


@dataclass
class MixSettings:
    """A mix's settings, saved to a file so a later lesson (the capstone) can pick the balance up again.

    Holds each channel's fader, pan, mute and solo (:class:`ChannelMix`, by track name) and the desk's
    pan law: what the MixerDesk sets. Inserts and buses are code, not settings, and are not saved.

    ``MixSettings.from_mixer(desk_or_mixer)`` reads them, ``settings.apply(mixer)`` sets them on a
    :class:`Mixer`, ``settings.save()`` writes ``work_folder() / MIX_SETTINGS_FILE`` (replacing your
    own earlier settings, atomically: a crash leaves the old file whole) and ``MixSettings.load()``
    reads it back (None when there is none yet).

    Lesson: course/09-mixing.ipynb
    """

    channels: dict[str, ChannelMix] = field(default_factory=dict)
    pan_law: str = "-3dB"

    def __post_init__(self):
        if not isinstance(self.channels, Mapping):
            raise ParameterError(f"channels must be a dict of track name -> ChannelMix (got {self.channels!r}).")
        checked = {}
        for name, value in self.channels.items():
            _valid_name(name, "track")
            if isinstance(value, ChannelMix):
                checked[name] = value
            elif isinstance(value, Mapping):
                unknown = set(value) - {"gain_db", "pan", "mute", "solo"}
                if unknown:
                    raise ParameterError(f"channel {name!r} has settings a mix does not know: {sorted(unknown)}; "
                                         "a channel has gain_db, pan, mute and solo.")
                checked[name] = ChannelMix(**value)
            else:
                raise ParameterError(f"channel {name!r} must be a ChannelMix or a dict of gain_db, pan, mute and "
                                     f"solo (got {value!r}).")
        self.channels = checked
        self.pan_law = _normalise_law(self.pan_law)

    @classmethod
    def from_mixer(cls, mixer) -> MixSettings:
        """The settings of a :class:`Mixer` (or of a MixerDesk, or anything with ``to_mixer()``).

        Lesson: course/09-mixing.ipynb
        """
        if not isinstance(mixer, Mixer) and callable(getattr(mixer, "to_mixer", None)):
            mixer = mixer.to_mixer()
        if not isinstance(mixer, Mixer):
            raise ParameterError(f"from_mixer takes a Mixer or a MixerDesk (got {type(mixer).__name__}).")
        return cls({t.name: ChannelMix(t.gain_db, t.pan, t.mute, t.solo) for t in mixer.tracks}, mixer.pan_law)

    def apply(self, mixer, strict: bool = True) -> Mixer:
        """Set these faders, pans, mutes, solos and the pan law on ``mixer`` (changed in place, and returned).

        A saved channel the mixer has no track for is an error with ``strict=True`` (the default) and is
        skipped with ``strict=False``; the mixer's other tracks are left as they are.

        Lesson: not yet taught
        """
        if not isinstance(mixer, Mixer):
            raise ParameterError(f"apply takes a Mixer (got {type(mixer).__name__}); a MixerDesk takes "
                                 "desk.update(gains=..., pans=...) instead.")
        names = {t.name for t in mixer.tracks}
        missing = [n for n in self.channels if n not in names]
        if missing and strict:
            raise ParameterError(f"these saved channels have no track in the mixer: {missing} (its tracks are "
                                 f"{sorted(names)}); pass strict=False to apply the others.")
        for name, ch in self.channels.items():
            if name in names:
                track = mixer.track(name)
                track.gain_db, track.pan, track.mute, track.solo = ch.gain_db, ch.pan, ch.mute, ch.solo
        mixer.pan_law = self.pan_law
        return mixer

    def to_dict(self) -> dict:
        """The settings as plain JSON-ready data (what :meth:`save` writes)."""
        return {"schema": _SETTINGS_SCHEMA, "version": _SETTINGS_VERSION, "pan_law": self.pan_law,
                "channels": {n: {"gain_db": c.gain_db, "pan": c.pan, "mute": c.mute, "solo": c.solo}
                             for n, c in self.channels.items()}}

    @classmethod
    def from_dict(cls, data) -> MixSettings:
        """Settings from :meth:`to_dict`'s data; anything else is a :class:`ParameterError` saying what."""
        if not isinstance(data, Mapping) or data.get("schema") != _SETTINGS_SCHEMA:
            raise ParameterError("this is not a producerkit mix-settings file (no 'schema': "
                                 f"{_SETTINGS_SCHEMA!r}).")
        if data.get("version") != _SETTINGS_VERSION:
            raise ParameterError(f"mix-settings version {data.get('version')!r} is not one this producerkit reads "
                                 f"({_SETTINGS_VERSION}).")
        return cls(data.get("channels", {}), data.get("pan_law", "-3dB"))

    def save(self, path=None) -> Path:
        """Write the settings as JSON to ``path`` (default ``work_folder() / MIX_SETTINGS_FILE``); returns the path.

        Saving again replaces your own earlier settings. The write is atomic: a temporary file is
        written beside it and moved into place, so a crash leaves the old file or the new one, never half.

        Lesson: course/09-mixing.ipynb
        """
        from ._files import write_atomic

        target = _settings_path(path)
        write_atomic(target, json.dumps(self.to_dict(), indent=2) + "\n", replace=True)
        return target

    @classmethod
    def load(cls, path=None) -> MixSettings | None:
        """Read settings saved by :meth:`save`; None when there is no file yet.

        Raises:
            ProducerkitError: the file is damaged or not mix settings. It has been moved aside to a ``.bak``
                name (nothing is lost) and the message says where; save again to start a fresh file.

        Lesson: not yet taught
        """
        from ._files import free_path, fsync_dir
        from .errors import ProducerkitError

        source = _settings_path(path)
        if not source.exists():
            return None
        try:
            return cls.from_dict(json.loads(source.read_text(encoding="utf-8")))
        except (ValueError, TypeError, UnicodeDecodeError, ProducerkitError) as exc:
            why = f"it is not valid JSON ({exc.msg}, line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) \
                else str(exc).rstrip(".")
            backup = free_path(source.parent, source.name + ".bak")
            os.replace(source, backup)
            fsync_dir(source.parent)
            raise ProducerkitError(
                f"the mix settings in {source} could not be read: {why}. The file was moved aside to {backup} "
                "(nothing in it is lost); save your mix again with MixSettings.from_mixer(desk).save()."
            ) from None
