"""Benchmark: producerkit.master.master() to every target in the targets table, against a one-pass reference chain.

Targets: every row of :func:`producerkit.master.targets` (the platforms the course teaches: its loudness and
its true-peak ceiling), from a quiet mix (-20 LUFS) and a loud one (-8 LUFS), and two loud masters the
lessons make (-9 and -8 LUFS at -1 dBTP) from the quiet mix. Issue 18 asks for at most 0.25 s per 30 s of
stereo for each.

Reference: pyloudnorm (measure + normalise to the target) followed by pedalboard's Limiter
(JUCE; a sample-peak limiter with makeup to 0 dBFS, so a Gain of the ceiling follows it).
That is what a student would write by hand; it runs once, so the limiter's loss of loudness
is not made up, and its peaks are sample peaks, not true peaks. master() iterates gain and a
true-peak limiter until the loudness is within 0.1 LU. Both results are measured with
producerkit.meters (BS.1770-4) and printed beside the timings.

Each case runs producerkit and the reference in turn, ``RUNS`` times each (interleaved, so that load from
other processes hits both alike), and prints the medians: wall-clock and CPU seconds of master(), the
reference's wall-clock seconds, and the ratio producerkit / reference of the wall-clock medians. The
verdict reads the CPU medians: master() runs on one core, so on a quiet machine they equal the wall-clock
ones, and on a busy one they leave out the time spent waiting for other processes.

Run: .venv/bin/python bench/master.py
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from producerkit import meters
from producerkit.audio import db_to_amp
from producerkit.master import master, targets
from producerkit.signals import noise

SR = 44100
SECONDS = 30.0
RUNS = 5
BUDGET_S = 0.25  # per 30 s of stereo (issue 18)
LEVELS = (-20.0, -8.0)  # input LUFS: a quiet mix and a loud one
LOUD_MASTERS = (-9.0, -8.0)  # LUFS at -1 dBTP, from the quiet mix (lessons 04 and 10 make them)


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


def cases() -> list[tuple[str, float, float, float]]:
    """(label, input LUFS, target LUFS, ceiling dBTP) for every row of the targets table, then the loud masters."""
    rows = [(t.key, level, t.integrated_lufs, t.true_peak_dbtp) for level in LEVELS for t in targets()]
    return rows + [(f"loud {lufs:g}", LEVELS[0], lufs, -1.0) for lufs in LOUD_MASTERS]


def main() -> None:
    import warnings

    warnings.filterwarnings("ignore")  # pyloudnorm warns about clipping after normalising up
    base = mix_like(SECONDS)
    master(base[:, : 5 * SR], SR)  # warm up (numba kernels)
    reference(base[:, : 5 * SR], -14.0, -1.0)
    load = os.getloadavg()[0]
    print(f"{SECONDS:g} s stereo at {SR} Hz, median of {RUNS} runs each (load average {load:.1f} on "
          f"{os.cpu_count()} cores); target: master() <= {BUDGET_S:g} s per 30 s (issue 18)")
    print(f"{'target':>10} {'in -> LUFS/dBTP':>18}  {'pk wall':>8} {'pk cpu':>7} {'passes':>6}  {'ref wall':>8} "
          f"{'ratio':>5}   {'pk LUFS / dBTP':>15}  {'ref LUFS / dBTP':>15}")
    worst = {"the targets table": (0.0, ""), "the loud masters": (0.0, "")}
    for label, lufs_in, target, ceiling in cases():
        y = (base * db_to_amp(lufs_in - meters.integrated_loudness(base, SR))).astype(np.float32)
        wall, cpu, ref_wall = [], [], []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.process_time()
            out_pk, report = master(y, SR, target, ceiling)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            start = time.perf_counter()
            out_ref = reference(y, target, ceiling)
            ref_wall.append(time.perf_counter() - start)
        t_pk, t_cpu, t_ref = statistics.median(wall), statistics.median(cpu), statistics.median(ref_wall)
        group = "the loud masters" if label.startswith("loud") else "the targets table"
        worst[group] = max(worst[group], (t_cpu, f"{label} {lufs_in:g} -> {target:g}"))
        pk = (meters.integrated_loudness(out_pk, SR), meters.true_peak(out_pk, SR))
        ref = (meters.integrated_loudness(out_ref, SR), meters.true_peak(out_ref, SR))
        case = f"{lufs_in:g} -> {target:g}/{ceiling:g}"
        print(f"{label:>10} {case:>18}  {t_pk:7.3f}s {t_cpu:6.3f}s {report.passes:6d}  {t_ref:7.3f}s "
              f"{t_pk / t_ref:5.1f}   "
              f"{pk[0]:7.2f} / {pk[1]:5.2f}  {ref[0]:7.2f} / {ref[1]:5.2f}")
    print("CPU medians (on a quiet machine wall = CPU: master() runs on one core):")
    for group, (seconds, label) in worst.items():
        verdict = "met" if seconds <= BUDGET_S else "NOT met"
        print(f"  {group}: slowest {label} at {seconds:.3f} s per 30 s; target <= {BUDGET_S:g} s: {verdict}")


if __name__ == "__main__":
    main()
