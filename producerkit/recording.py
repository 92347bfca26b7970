"""Microphones, simulated honestly: distance, the proximity effect, off-axis placement, two mics, levels.

A :class:`Mic` hears a source in a :class:`Room` as two parts:

- the **direct sound**, which arrives after ``distance / 343 m/s`` and falls 6 dB per doubling of distance
  (1/r, 0 dB at 1 m), shaped by the mic's polar pattern (omni, cardioid, figure-8, as the first-order
  mix ``a + (1 - a) cos(angle)``), by the **proximity effect** of its pressure-gradient part (the near field
  adds ``1 / (j k r)``: a bass lift that grows as the mic gets closer, none on an omni), and by the capsule
  being a disc about an inch across, which beams the highs (a baffled piston's ``2 J1(x) / x`` with
  ``x = k a sin(angle)``): off axis the top end dulls;
- the **room sound**, a diffuse reverb (:class:`producerkit.space.Reverb`) whose level does not depend on
  where the mic is. A directional mic hears less of it (a cardioid a third of the energy, 4.8 dB less).

So the direct-to-room ratio is ``20 log10(critical distance / distance)``, the critical distance growing by
the square root of the pattern's directivity. Two mics at different distances hear the same source at
different times: summed, the later one cancels the earlier wherever it arrives half a period late, a comb of
notches at ``(2 k + 1) / (2 delay)``. Time-aligning the nearer mic by the delay removes them; flipping one
mic's polarity moves the notches to ``k / delay`` instead (and takes the bass, since ``k = 0`` is 0 Hz).

:func:`capture` is the other end of the cable: a preamp's gain, the noise floor, and the converter that clips
at 0 dBFS for good.

Lesson: course/08-recording.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._validate import in_range, one_of, whole
from .audio import amp_to_db, check_sr, ensure_audio, to_mono
from .errors import ParameterError

__all__ = [
    "PATTERNS", "SPEED_OF_SOUND", "Mic", "MicPair", "Room", "align", "capture", "clipped_samples", "comb_notches",
    "delay_samples", "find_delay", "noise_floor_dbfs", "peak_dbfs", "proximity_boost_db",
]

#: The speed of sound in air at 20 °C, m/s.
SPEED_OF_SOUND = 343.0
#: First-order polar patterns as the pressure share ``a`` of ``a + (1 - a) cos(angle)``.
PATTERNS = {"omni": 1.0, "cardioid": 0.5, "supercardioid": 0.37, "figure8": 0.0}
#: Sample value at which a converter clips (0 dBFS).
FULL_SCALE = 1.0


def _pattern(name: str) -> str:
    return one_of("pattern", name, tuple(PATTERNS))


def _freqs(freqs) -> np.ndarray:
    """``freqs`` as a float64 array of frequencies in Hz, or a ParameterError saying what to pass."""
    f = np.asarray(freqs) if not isinstance(freqs, str | bytes) else np.asarray(np.nan)
    if f.dtype.kind not in "iuf" or not np.all(np.isfinite(f)):
        raise ParameterError(f"freqs must be frequencies in Hz, a number or an array of numbers (got {freqs!r}): "
                             "pass, for example, eq.log_freqs(600).")
    return f.astype(np.float64)


def _polarity(polarity) -> int:
    return int(one_of("polarity", polarity, (1, -1), hint="1 is as recorded, -1 flipped (a DAW's Ø button)"))


def _random_energy(a: float) -> float:
    """The share of a diffuse room's energy a first-order pattern hears (1 for omni, 1/3 for cardioid)."""
    return a * a + (1.0 - a) ** 2 / 3.0


@dataclass
class Room:
    """A room's sound: its reverb, and the critical distance where an omni hears as much room as source.

    Args:
        decay_s: RT60 of the room's reverb (a small vocal booth 0.2 s, a live room 0.6 s, a hall 2 s).
        critical_distance_m: for an omni mic, the distance at which the direct sound and the room sound are
            equally loud (small rooms under a metre, large halls several metres).
        damping, size: as :class:`producerkit.space.Reverb`'s.

    Lesson: course/08-recording.ipynb
    """

    decay_s: float = 0.6
    critical_distance_m: float = 0.8
    damping: float = 0.5
    size: float = 0.6

    def __post_init__(self):
        self.decay_s = in_range("decay_s", self.decay_s, 0.05, 10.0, unit="s")
        self.critical_distance_m = in_range("critical_distance_m", self.critical_distance_m, 0.05, 20.0,
                                            lo_open=False, unit="m")
        self.damping = in_range("damping", self.damping, 0.0, 1.0)
        self.size = in_range("size", self.size, 0.1, 4.0)

    def reverb(self):
        from .space import Reverb

        return Reverb(decay_s=self.decay_s, pre_delay_ms=0.0, damping=self.damping, size=self.size, width=0.0,
                      mix=1.0)

    def sound(self, y, sr: int) -> np.ndarray:
        """The room's diffuse sound of ``y`` (mono float32), scaled so its level is that of the direct sound at
        1 m divided by the critical distance: an omni at the critical distance hears them equally loud."""
        return self._diffuse(ensure_audio(y), check_sr(sr)).astype(np.float32)

    def _diffuse(self, y, sr: int) -> np.ndarray:
        """:meth:`sound` in float64, cached for the last source (read-only): what each mic adds."""
        # the settings, and a cheap fingerprint of the samples (an array changed in place is not the same source)
        fingerprint = float(np.sum(np.asarray(y)[..., ::61]))
        key = (self.decay_s, self.critical_distance_m, self.damping, self.size, sr, fingerprint)
        last = self.__dict__.get("_last")
        if last is not None and last[0] is y and last[1] == key:  # the same source again: every mic hears one room
            return last[2]
        x = to_mono(ensure_audio(y))
        wet = self.reverb()(x, sr)[0].astype(np.float64)
        out = wet * (_room_scale(self.decay_s, self.damping, self.size, sr) / self.critical_distance_m)
        out.flags.writeable = False
        self.__dict__["_last"] = (y, key, out)  # holds y, so its id cannot be reused while cached
        return out


@lru_cache(maxsize=16)
def _room_scale(decay_s: float, damping: float, size: float, sr: int) -> float:
    """1 / the RMS gain of the room's reverb (the square root of its impulse response's energy)."""
    room = Room(decay_s, 1.0, damping, size)
    impulse = np.zeros(int(sr * min(10.0, 2.0 * decay_s + 0.2)), np.float32)
    impulse[0] = 1.0
    ir = room.reverb()(impulse, sr)[0].astype(np.float64)
    return float(1.0 / np.sqrt(np.sum(ir**2)))


@dataclass
class Mic:
    """A microphone placed in front of a source: how far, which pattern, how far off axis.

    Args:
        distance_m: from the source to the capsule, metres (0.02 to 20).
        pattern: ``"omni"``, ``"cardioid"``, ``"supercardioid"`` or ``"figure8"``.
        angle_deg: how far off axis the source is (0 points the mic straight at it, 90 to the side).
        capsule_mm: the diaphragm's diameter (a large-diaphragm condenser about 25 mm, a small one 12 mm).
        low_cut_hz: where the mic's own bass rolls off (12 dB per octave).

    Lesson: course/08-recording.ipynb
    """

    distance_m: float = 0.3
    pattern: str = "cardioid"
    angle_deg: float = 0.0
    capsule_mm: float = 25.0
    low_cut_hz: float = 30.0

    def __post_init__(self):
        self.distance_m = in_range("distance_m", self.distance_m, 0.02, 20.0, unit="m",
                                   hint="a mic closer than 2 cm touches the source; 20 m is across a hall")
        self.pattern = _pattern(self.pattern)
        self.angle_deg = in_range("angle_deg", self.angle_deg, 0.0, 180.0, unit="degrees",
                                  hint="0 is on axis, 90 to the side, 180 behind")
        self.capsule_mm = in_range("capsule_mm", self.capsule_mm, 3.0, 40.0, unit="mm")
        self.low_cut_hz = in_range("low_cut_hz", self.low_cut_hz, 5.0, 200.0, unit="Hz")

    @property
    def delay_s(self) -> float:
        """How long the direct sound takes to reach the mic."""
        return self.distance_m / SPEED_OF_SOUND

    def response(self, freqs) -> np.ndarray:
        """The mic's complex response to the direct sound at ``freqs`` Hz (with the 1/r level, no delay)."""
        f = np.abs(_freqs(freqs))
        shape, f = f.shape, f.reshape(-1)  # numpy arrays throughout: a scalar 0 Hz would divide as a Python complex
        a = PATTERNS[self.pattern]
        theta = np.radians(self.angle_deg)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = 2.0 * np.pi * f / SPEED_OF_SOUND
            near = np.where(f > 0, 1.0 + 1.0 / (1j * k * self.distance_m), 0.0)  # the gradient's near field
            beam = 1.0  # on axis the whole capsule hears a wave at once
            if np.sin(theta) > 1e-12:  # off axis, the capsule's size beams the highs
                from scipy.special import j1

                x = k * (self.capsule_mm / 2000.0) * np.sin(theta)
                beam = np.where(x > 1e-9, 2.0 * j1(x) / np.where(x > 1e-9, x, 1.0), 1.0)
            s = 1j * f / self.low_cut_hz
            low_cut = s**2 / (1.0 + np.sqrt(2.0) * s + s**2)  # Butterworth, 12 dB/octave
        pattern = a + (1.0 - a) * np.cos(theta) * near
        if a == 1.0:
            pattern = np.ones_like(near)
        return (pattern * beam * low_cut / self.distance_m).reshape(shape)

    def direct(self, y, sr: int) -> np.ndarray:
        """The direct sound alone, as this mic records it (mono float32, the input's length)."""
        return _filter(to_mono(ensure_audio(y)), check_sr(sr), self.response, self.delay_s)

    def direct_to_room_db(self, room: Room) -> float:
        """The direct-to-room ratio in dB at this distance: ``20 log10(critical distance / distance)``, the
        critical distance grown by the pattern's directivity (a cardioid's is 1.7 times an omni's)."""
        return float(20 * np.log10(room.critical_distance_m / self.distance_m)
                     - 10 * np.log10(_random_energy(PATTERNS[self.pattern])))

    def record(self, y, sr: int, room: Room | None = None, *, peak_dbfs: float | None = None) -> np.ndarray:
        """What this mic records of ``y`` played in ``room`` (no room: an anechoic chamber), mono float32.

        The room sound is heard through the pattern's share of a diffuse field, without the mic's near-field
        or off-axis colour (it arrives from every direction). ``peak_dbfs`` sets the preamp's gain the way an
        engineer does, so the recording's loudest peak sits there (say -10); None keeps the model's level
        (0 dB at 1 m), which a close mic can push past full scale.
        """
        sr = check_sr(sr)
        out = self.direct(y, sr).astype(np.float64)
        if room is not None:
            out += room._diffuse(y, sr) * np.sqrt(_random_energy(PATTERNS[self.pattern]))
        return _gain_to_peak(out, peak_dbfs).astype(np.float32)


def _gain_to_peak(x: np.ndarray, peak_dbfs: float | None) -> np.ndarray:
    """``x`` turned so its loudest sample sits at ``peak_dbfs`` (None: as it is; silence stays silent)."""
    if peak_dbfs is None:
        return x
    peak_dbfs = in_range("peak_dbfs", peak_dbfs, -60.0, 0.0, unit="dBFS",
                         hint="engineers aim the loudest peaks around -10 dBFS; above 0 dBFS clips")
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return x * (10 ** (peak_dbfs / 20) / peak) if peak > 0 else x


def _filter(x: np.ndarray, sr: int, response, delay_s: float) -> np.ndarray:
    """``x`` through a complex frequency response and a (fractional) delay, in the frequency domain."""
    n = x.shape[-1]
    pad = int(np.ceil(delay_s * sr)) + 4096  # room for the delay and the filters' ringing
    size = 1 << int(np.ceil(np.log2(n + pad)))
    spec = np.fft.rfft(x.astype(np.float64), size)
    f = np.fft.rfftfreq(size, 1.0 / sr)
    spec *= response(f) * np.exp(-2j * np.pi * f * delay_s)
    return np.fft.irfft(spec, size)[:n].astype(np.float32)


def proximity_boost_db(distance_m: float, freq_hz: float, pattern: str = "cardioid") -> float:
    """How much louder a pattern hears ``freq_hz`` at ``distance_m`` than far away, on axis, in dB.

    The pressure-gradient share of the pattern gains ``|1 + 1 / (j k r)|`` in the near field (``k`` the
    wavenumber, ``r`` the distance): about +15 dB at 100 Hz for a cardioid at 5 cm, +4 dB at 30 cm, nothing
    for an omni.

    Lesson: not yet taught
    """
    distance_m = in_range("distance_m", distance_m, 0.02, 20.0, unit="m")
    freq_hz = in_range("freq_hz", freq_hz, 1.0, 30000.0, unit="Hz")
    a = PATTERNS[_pattern(pattern)]
    kr = 2 * np.pi * freq_hz / SPEED_OF_SOUND * distance_m
    return float(20 * np.log10(abs(a + (1 - a) * (1 + 1 / (1j * kr)))))


# --------------------------------------------------------------------------- two mics


@dataclass
class MicPair:
    """Two mics on one source, summed to one track: the near one delayed by ``delay_samples`` (to line it up
    with the far one) and the far one in or out of polarity (``polarity=-1`` flips it, as a DAW's Ø button).

    Lesson: course/08-recording.ipynb
    """

    near: Mic
    far: Mic
    sr: int
    delay_samples: int = 0
    polarity: int = 1

    def __post_init__(self):
        self.sr = check_sr(self.sr)
        self.delay_samples = whole("delay_samples", self.delay_samples, 0, self.sr,
                                   hint="how many samples later the near mic plays; 0 leaves it as recorded")
        self.polarity = _polarity(self.polarity)

    def response(self, freqs) -> np.ndarray:
        """The summed pair's complex response to the direct sound at ``freqs`` Hz."""
        f = _freqs(freqs)
        near = self.near.response(f) * np.exp(-2j * np.pi * f * (self.near.delay_s + self.delay_samples / self.sr))
        far = self.far.response(f) * np.exp(-2j * np.pi * f * self.far.delay_s)
        return near + self.polarity * far

    def notches(self, fmax: float = 20000.0) -> np.ndarray:
        """Where the sum cancels, predicted from the path difference (and the near mic's delay)."""
        delay = self.far.delay_s - self.near.delay_s - self.delay_samples / self.sr
        if abs(delay) * self.sr < 0.5:
            return np.array([]) if self.polarity == 1 else np.array([0.0])
        return comb_notches(abs(delay), fmax, self.polarity)

    def record(self, y, room: Room | None = None, *, peak_dbfs: float | None = None) -> np.ndarray:
        """Both mics recording ``y`` in ``room``, summed (mono float32, the input's length).

        ``peak_dbfs`` sets one gain for the sum so its loudest peak sits there: the two mics keep their
        difference in level.
        """
        near = align(self.near.record(y, self.sr, room), self.delay_samples)
        out = near.astype(np.float64) + self.polarity * self.far.record(y, self.sr, room)
        return _gain_to_peak(out, peak_dbfs).astype(np.float32)


def delay_samples(near_m: float, far_m: float, sr: int) -> int:
    """How many samples later the far mic hears the source than the near one: the path difference over the
    speed of sound, in samples, rounded.

    Lesson: course/08-recording.ipynb
    """
    sr = check_sr(sr)
    near_m = in_range("near_m", near_m, 0.0, 100.0, unit="m")
    far_m = in_range("far_m", far_m, 0.0, 100.0, unit="m")
    return int(round((far_m - near_m) / SPEED_OF_SOUND * sr))


def comb_notches(delay_s: float, fmax: float = 20000.0, polarity: int = 1) -> np.ndarray:
    """The frequencies (Hz, up to ``fmax``) that two copies of a sound ``delay_s`` apart cancel at when summed.

    In polarity: half a period late, ``(2 k + 1) / (2 delay)``. One flipped: a whole period, ``k / delay``,
    from 0 Hz up.

    Lesson: not yet taught
    """
    delay_s = in_range("delay_s", delay_s, 0.0, 1.0, lo_open=True, unit="s")
    fmax = in_range("fmax", fmax, 0.0, 100000.0, lo_open=True, unit="Hz")
    polarity = _polarity(polarity)
    first, step = (0.5 / delay_s, 1.0 / delay_s) if polarity == 1 else (0.0, 1.0 / delay_s)
    return np.arange(first, fmax + 1e-9, step)


def align(y, samples: int) -> np.ndarray:
    """Move audio later by ``samples`` (earlier when negative), keeping its length: silence fills the gap.

    Delaying the nearer mic by the path difference lines it up with the farther one, as a DAW's track delay
    (or sliding the region) does.

    Lesson: not yet taught
    """
    y = ensure_audio(y)
    samples = whole("samples", samples, hint="a whole number of samples; positive is later")
    out = np.zeros_like(y)
    n = y.shape[-1]
    if abs(samples) >= n:
        return out
    if samples >= 0:
        out[..., samples:] = y[..., : n - samples]
    else:
        out[..., :samples] = y[..., -samples:]
    return out


def find_delay(reference, late, sr: int, max_ms: float = 50.0) -> int:
    """How many samples ``late`` lags ``reference`` (negative when it leads), by cross-correlation.

    Lesson: not yet taught
    """
    from scipy.signal import correlate

    sr = check_sr(sr)
    a = to_mono(ensure_audio(reference, name="reference")).astype(np.float64)
    b = to_mono(ensure_audio(late, name="late")).astype(np.float64)
    max_lag = int(in_range("max_ms", max_ms, 0.0, 1000.0, lo_open=True, unit="ms") * sr / 1000)
    c = correlate(b, a, mode="full", method="fft")
    lags = np.arange(-a.size + 1, b.size)
    keep = np.abs(lags) <= max_lag
    return int(lags[keep][np.argmax(np.abs(c[keep]))])


# --------------------------------------------------------------------------- levels


def capture(y, gain_db: float, *, noise_dbfs: float = -90.0, converter_noise_dbfs: float = -100.0,
            seed: int = 0) -> np.ndarray:
    """Record ``y`` through a preamp set to ``gain_db`` into a converter: what lands on the disk.

    Two noises, as in a real chain. The noise in front of the preamp (the mic's self-noise, the room's hiss)
    is ``noise_dbfs`` RMS at 0 dB of gain and is turned up and down with the music. The converter's own noise
    comes after the gain, at ``converter_noise_dbfs`` whatever the gain: too little gain leaves the music
    close to it, and turning the take up later raises it too. The converter clips at 0 dBFS: anything louder
    is cut flat, and no fader afterwards brings it back.

    Lesson: course/08-recording.ipynb
    """
    y = ensure_audio(y)
    gain_db = in_range("gain_db", gain_db, -60.0, 60.0, unit="dB")
    noise_dbfs = in_range("noise_dbfs", noise_dbfs, -160.0, 0.0, unit="dB")
    converter_noise_dbfs = in_range("converter_noise_dbfs", converter_noise_dbfs, -160.0, 0.0, unit="dB")
    seed = None if seed is None else whole("seed", seed, 0, hint="any whole number; the same seed, the same noise")
    rng = np.random.default_rng(seed)
    before = rng.standard_normal(y.shape) * 10 ** (noise_dbfs / 20)
    after = rng.standard_normal(y.shape) * 10 ** (converter_noise_dbfs / 20)
    out = (y.astype(np.float64) + before) * 10 ** (gain_db / 20) + after
    return np.clip(out, -FULL_SCALE, FULL_SCALE).astype(np.float32)


def peak_dbfs(y) -> float:
    """The highest sample, dBFS (0 is full scale; the headroom is minus this).

    Lesson: course/08-recording.ipynb
    """
    return float(amp_to_db(np.max(np.abs(ensure_audio(y)))))


def clipped_samples(y, threshold: float = 0.999) -> int:
    """How many samples sit at full scale (at least ``threshold``): each is a clipped peak.

    Lesson: course/08-recording.ipynb
    """
    threshold = in_range("threshold", threshold, 0.0, 1.0, lo_open=True, hint="0.999 counts samples at full scale")
    return int(np.count_nonzero(np.abs(ensure_audio(y)) >= threshold))


def noise_floor_dbfs(y, sr: int, window_ms: float = 50.0) -> float:
    """The RMS level of the quietest tenth of ``window_ms`` windows, dBFS: the hiss in the gaps.

    Lesson: course/08-recording.ipynb
    """
    x = to_mono(ensure_audio(y)).astype(np.float64)
    window_ms = in_range("window_ms", window_ms, 1.0, 10000.0, unit="ms", hint="50 ms windows suit most takes")
    n = max(1, int(check_sr(sr) * window_ms / 1000))
    frames = x[: x.size // n * n].reshape(-1, n)
    if frames.size == 0:
        raise ParameterError(f"the audio ({x.size} samples) is shorter than one {window_ms:g} ms window: give at "
                             f"least {n} samples of it, or a shorter window_ms.")
    rms = np.sqrt(np.mean(frames**2, axis=1))
    quiet = np.sort(rms)[: max(1, rms.size // 10)]
    return float(amp_to_db(np.sqrt(np.mean(quiet**2))))
