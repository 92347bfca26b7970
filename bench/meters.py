"""Benchmark: producerkit.meters.loudness (the whole analysis) against pyloudnorm's integrated loudness.

Both measure the same 3-minute stereo 44.1 kHz music-like signal (pink noise under a phrase- and
beat-length envelope) in this process. producerkit computes integrated loudness, LRA, true peak,
sample peak and the momentary and short-term curves; pyloudnorm computes integrated loudness only.
Prints the medians and the ratio producerkit / pyloudnorm (target: 0.10 or less, issue 18).

Run: .venv/bin/python bench/meters.py
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
import pyloudnorm

from producerkit import meters, signals

SR = 44100
SECONDS = 180
RUNS = 7


def music_like(seconds: float = SECONDS, sr: int = SR) -> np.ndarray:
    """Decorrelated stereo pink noise with phrase (8 s), bar (2 s) and beat (0.5 s) dynamics."""
    y = signals.noise(seconds, sr, color="pink", level_dbfs=-16, seed=7, channels=2, decorrelated=True)
    t = np.arange(y.shape[1]) / sr
    phrase = 0.55 + 0.45 * np.sin(2 * np.pi * t / 8.0)
    bar = 0.8 + 0.2 * np.cos(2 * np.pi * t / 2.0)
    beat = np.exp(-((t % 0.5) / 0.12))  # a decaying hit on every beat
    envelope = phrase * bar * (0.35 + 0.65 * beat)
    return (y * envelope).astype(np.float32)


def seconds(fn) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call."""
    start, start_cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - start_cpu


def main() -> None:
    y = music_like()
    reference = pyloudnorm.Meter(SR)
    frames = np.ascontiguousarray(y.T)  # pyloudnorm wants (samples, channels)

    # Warm up: numba compiles (or loads its cache) on first use.
    result = meters.loudness(y, SR)
    reference.integrated_loudness(frames)

    # Interleave the two so that load from other processes hits both alike.
    ours, theirs = [], []
    for _ in range(RUNS):
        ours.append(seconds(lambda: meters.loudness(y, SR)))
        theirs.append(seconds(lambda: reference.integrated_loudness(frames)))
    ours_s, theirs_s = (statistics.median(t[0] for t in ours), statistics.median(t[0] for t in theirs))
    ours_cpu, theirs_cpu = (statistics.median(t[1] for t in ours), statistics.median(t[1] for t in theirs))

    print(f"signal: {SECONDS} s stereo pink noise with an envelope at {SR} Hz; median of {RUNS} runs each "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"producerkit.meters.loudness          {ours_s * 1000:8.1f} ms (cpu {ours_cpu * 1000:6.1f} ms)   "
          f"({result.summary()})")
    print(f"pyloudnorm Meter.integrated_loudness {theirs_s * 1000:8.1f} ms (cpu {theirs_cpu * 1000:6.1f} ms)   "
          f"({reference.integrated_loudness(frames):.2f} LUFS)")
    print(f"ratio producerkit / pyloudnorm: {ours_s / theirs_s:.3f} (cpu {ours_cpu / theirs_cpu:.3f}; target <= 0.10)")


if __name__ == "__main__":
    main()
