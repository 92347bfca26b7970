"""Benchmark: producerkit.master.master() against a one-pass reference chain.

Reference: pyloudnorm (measure + normalise to the target) followed by pedalboard's Limiter
(JUCE; a sample-peak limiter with makeup to 0 dBFS, so a Gain of the ceiling follows it).
That is what a student would write by hand; it runs once, so the limiter's loss of loudness
is not made up, and its peaks are sample peaks, not true peaks. master() iterates gain and a
true-peak limiter until the loudness is within 0.1 LU. Both results are measured with
producerkit.meters (BS.1770-4) and printed beside the timings.

Run: .venv/bin/python bench/master.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from producerkit import meters
from producerkit.audio import db_to_amp
from producerkit.master import master
from producerkit.signals import noise

SR = 44100
SECONDS = 30.0
RUNS = 7
CASES = [(-20.0, -14.0), (-20.0, -9.0), (-8.0, -23.0)]  # (input LUFS, target LUFS)


def mix_like(seconds: float) -> np.ndarray:
    n = int(seconds * SR)
    t = np.arange(n) / SR
    phase = t % 0.5
    kick = np.sin(2 * np.pi * (50 + 120 * np.exp(-phase / 0.03)) * phase) * np.exp(-phase / 0.12)
    hats = noise(seconds, SR, level_dbfs=-12, seed=1) * np.exp(-(t % 0.25) / 0.02)
    bass = 0.3 * np.sin(2 * np.pi * 55 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.25 * t))
    pad = noise(seconds, SR, color="pink", level_dbfs=-24, seed=2, channels=2, decorrelated=True)
    centre = 0.8 * kick + 0.5 * hats + bass
    return (np.stack([centre, centre]) + pad).astype(np.float32)


def reference(y: np.ndarray, target: float, ceiling: float) -> np.ndarray:
    import pedalboard
    import pyloudnorm

    meter = pyloudnorm.Meter(SR)
    x = y.T.astype(np.float64)
    x = pyloudnorm.normalize.loudness(x, meter.integrated_loudness(x), target)
    board = pedalboard.Pedalboard([pedalboard.Limiter(threshold_db=ceiling), pedalboard.Gain(gain_db=ceiling)])
    return board(x.T.astype(np.float32), SR)


def timed(fn, *args) -> tuple[float, object]:
    times, out = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    import warnings

    warnings.filterwarnings("ignore")  # pyloudnorm warns about clipping after normalising up
    base = mix_like(SECONDS)
    master(base[:, : 5 * SR], SR)  # warm up (numba kernels)
    reference(base[:, : 5 * SR], -14.0, -1.0)
    print(f"{SECONDS:g} s stereo at {SR} Hz, median of {RUNS} runs; target: master() <= 0.25 s per 30 s (issue 18)")
    print(f"{'input -> target':>16}  {'producerkit':>11}  {'reference':>9}  {'ratio':>5}   "
          f"{'pk LUFS / dBTP':>15}  {'ref LUFS / dBTP':>15}")
    for lufs_in, target in CASES:
        y = (base * db_to_amp(lufs_in - meters.integrated_loudness(base, SR))).astype(np.float32)
        t_pk, (out_pk, _) = timed(master, y, SR, target)
        t_ref, out_ref = timed(reference, y, target, -1.0)
        pk = (meters.integrated_loudness(out_pk, SR), meters.true_peak(out_pk, SR))
        ref = (meters.integrated_loudness(out_ref, SR), meters.true_peak(out_ref, SR))
        print(f"{lufs_in:6.0f} -> {target:5.0f}  {t_pk:10.3f}s  {t_ref:8.3f}s  {t_pk / t_ref:5.1f}   "
              f"{pk[0]:7.2f} / {pk[1]:5.2f}  {ref[0]:7.2f} / {ref[1]:5.2f}")


if __name__ == "__main__":
    main()
