"""Test signals: sines, sweeps, noise, tone bursts and click tracks.

Every generator is deterministic (noise takes a ``seed``), takes its level in dBFS (the peak
of a sine, the RMS of noise), and returns float32 mono ``(n,)`` or, with ``channels=2``,
identical stereo ``(2, n)`` (``decorrelated=True`` gives independent noise per channel).

Lesson: not yet taught
"""

from __future__ import annotations

import numpy as np

from ._validate import in_range, one_of, positive, whole
from .audio import check_sr, db_to_amp
from .errors import ParameterError


def _check_duration(duration_s: float) -> float:
    return in_range("duration_s", duration_s, 0, 3600, lo_open=True, unit="s",
                    hint="generate signals up to an hour long")


def _check_freq(freq: float, sr: int, name: str = "freq") -> float:
    return in_range(
        name, freq, 0, sr / 2, lo_open=True, hi_open=True, unit="Hz",
        hint=f"{sr / 2:g} Hz is the Nyquist frequency at sr={sr}; raise the sample rate or lower the frequency",
    )


def _check_level(level_dbfs: float) -> float:
    return in_range("level_dbfs", level_dbfs, None, 24, unit="dBFS",
                    hint="a peak (sine) or RMS (noise) level such as -6")


def _channels(y: np.ndarray, channels: int) -> np.ndarray:
    channels = whole("channels", channels, 1)
    if channels == 1:
        return y.astype(np.float32)
    return np.repeat(y[np.newaxis, :], channels, axis=0).astype(np.float32)


def _num_samples(duration_s: float, sr: int) -> int:
    return max(1, int(round(_check_duration(duration_s) * sr)))


def sine(
    freq: float, duration_s: float, sr: int, level_dbfs: float = -6.0, phase: float = 0.0, channels: int = 1
) -> np.ndarray:
    """A sine wave whose peak is ``level_dbfs`` dBFS.

    A 0 dBFS sine has an RMS of -3.01 dBFS (and a BS.1770 loudness of -3.01 LUFS at 997 Hz).

    Lesson: not yet taught
    """
    sr = check_sr(sr)
    freq = _check_freq(freq, sr)
    n = _num_samples(duration_s, sr)
    t = np.arange(n, dtype=np.float64) / sr
    y = db_to_amp(_check_level(level_dbfs)) * np.sin(2 * np.pi * freq * t + phase)
    return _channels(y, channels)


def sweep(
    start_hz: float,
    end_hz: float,
    duration_s: float,
    sr: int,
    level_dbfs: float = -6.0,
    channels: int = 1,
) -> np.ndarray:
    """A logarithmic (exponential) sine sweep from ``start_hz`` to ``end_hz`` Hz.

    Equal time per octave, so it sounds even and measures every octave with equal energy.

    Lesson: not yet taught
    """
    sr = check_sr(sr)
    f0, f1 = _check_freq(start_hz, sr, "start_hz"), _check_freq(end_hz, sr, "end_hz")
    if f0 == f1:
        raise ParameterError("start_hz and end_hz are equal; use sine() for a single frequency.")
    n = _num_samples(duration_s, sr)
    t = np.arange(n, dtype=np.float64) / sr
    big_t = n / sr
    k = np.log(f1 / f0)
    phase = 2 * np.pi * f0 * big_t / k * (np.exp(t * k / big_t) - 1.0)
    y = db_to_amp(_check_level(level_dbfs)) * np.sin(phase)
    return _channels(y, channels)


def noise(
    duration_s: float,
    sr: int,
    color: str = "white",
    level_dbfs: float = -20.0,
    seed: int = 0,
    channels: int = 1,
    decorrelated: bool = False,
) -> np.ndarray:
    """White or pink noise with an RMS of ``level_dbfs`` dBFS.

    Pink noise falls 3 dB per octave (equal energy per octave), which is how music's spectrum
    roughly behaves; it is shaped in the frequency domain, so its slope is exact.

    Lesson: not yet taught
    """
    sr = check_sr(sr)
    one_of("color", color, ("white", "pink"), hint="pink falls 3 dB per octave, like most music")
    n = _num_samples(duration_s, sr)
    rng = np.random.default_rng(seed)
    rows = whole("channels", channels, 1) if decorrelated else 1
    white = rng.standard_normal((rows, n))
    if color == "pink":
        spectrum = np.fft.rfft(white, axis=-1)
        freqs = np.fft.rfftfreq(n, 1.0 / sr)
        freqs[0] = freqs[1] if n > 1 else 1.0
        spectrum /= np.sqrt(freqs)
        spectrum[:, 0] = 0.0
        white = np.fft.irfft(spectrum, n=n, axis=-1)
    rms = np.sqrt(np.mean(white**2, axis=-1, keepdims=True))
    rms[rms == 0] = 1.0
    y = white / rms * db_to_amp(_check_level(level_dbfs))
    if decorrelated:
        return (y[0] if rows == 1 else y).astype(np.float32)
    return _channels(y[0], channels)


def tone_bursts(
    freq: float,
    sr: int,
    burst_ms: float = 100.0,
    gap_ms: float = 400.0,
    count: int = 4,
    level_dbfs: float = -6.0,
    fade_ms: float = 2.0,
    channels: int = 1,
) -> np.ndarray:
    """Repeated sine bursts separated by silence, with short fades so they do not click.

    The signal for hearing attack and release, and for testing gates.

    Lesson: not yet taught
    """
    sr = check_sr(sr)
    _check_freq(freq, sr)
    positive("burst_ms", burst_ms, unit="ms")
    in_range("gap_ms", gap_ms, 0, unit="ms")
    in_range("fade_ms", fade_ms, 0, unit="ms")
    count = whole("count", count, 1, unit="bursts")
    n_burst = max(1, int(round(burst_ms * sr / 1000)))
    n_gap = int(round(gap_ms * sr / 1000))
    n_fade = min(int(round(fade_ms * sr / 1000)), n_burst // 2)
    t = np.arange(n_burst) / sr
    burst = db_to_amp(_check_level(level_dbfs)) * np.sin(2 * np.pi * freq * t)
    if n_fade > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n_fade) / n_fade)
        burst[:n_fade] *= ramp
        burst[-n_fade:] *= ramp[::-1]
    period = np.concatenate([burst, np.zeros(n_gap)])
    return _channels(np.tile(period, int(count)), channels)


def click_track(
    bpm: float,
    bars: int,
    sr: int,
    beats_per_bar: int = 4,
    level_dbfs: float = -6.0,
    accent_db: float = 6.0,
    channels: int = 1,
) -> np.ndarray:
    """A metronome: a short 1 kHz click on every beat (2 kHz and ``accent_db`` louder on the downbeat).

    Each click starts exactly on ``round(beat * 60 / bpm * sr)``.

    Lesson: not yet taught
    """
    sr = check_sr(sr)
    bpm = in_range("bpm", bpm, 20, 400, unit="bpm")
    bars = whole("bars", bars, 1)
    beats_per_bar = whole("beats_per_bar", beats_per_bar, 1)
    beats = int(bars) * int(beats_per_bar)
    spb = 60.0 / bpm * sr
    n = int(round(beats * spb))
    y = np.zeros(n)
    n_click = int(0.02 * sr)
    t = np.arange(n_click) / sr
    env = np.exp(-t / 0.004)
    quiet = db_to_amp(_check_level(level_dbfs) - abs(accent_db))
    loud = db_to_amp(level_dbfs)
    for beat in range(beats):
        start = int(round(beat * spb))
        downbeat = beat % beats_per_bar == 0
        f = 2000.0 if downbeat else 1000.0
        click = (loud if downbeat else quiet) * env * np.sin(2 * np.pi * f * t)
        stop = min(n, start + n_click)
        y[start:stop] += click[: stop - start]
    return _channels(y, channels)
