"""Benchmark: how long producerkit.training takes to make a new ear-training trial.

Each trial is 10 s of stereo at 44.1 kHz: the excerpt is cut from the bundled session, processed
(EQ, compressor, reverb or delay, pan, a baked-in problem) and both versions are matched in BS.1770
integrated loudness. The session's audio is loaded once before timing (a trainer keeps it), so this
is the wait between one answer and the next question. Medians over 30 trials per drill (levels 1-10,
a new seed each) after one warm-up trial per drill; the target is 50 ms. Wall-clock time depends on
what else runs on the machine, so the process's CPU time is printed beside it, and the load average.
Run: .venv/bin/python bench/training.py
"""

import os
import time

import numpy as np

from producerkit import training

SECONDS = 10.0
TRIALS = 30
TARGET_MS = 50.0


def main() -> None:
    wall_all, cpu_all = [], []
    print(f"new trial, {SECONDS:g} s stereo at 44.1 kHz, median of {TRIALS} per drill "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    print(f"  {'drill':<10} {'wall ms':>8} {'cpu ms':>8} {'wall 90%':>9}")
    for name in training.DRILLS:
        training.make_trial(name, 1, 0, seconds=SECONDS)  # loads the stems this drill uses
        wall, cpu = [], []
        for k in range(TRIALS):
            level = 1 + k % training.LEVELS
            w, c = time.perf_counter(), time.process_time()
            training.make_trial(name, level, 1000 + k, seconds=SECONDS)
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        wall_all += wall
        cpu_all += cpu
        print(f"  {name:<10} {1e3 * np.median(wall):8.1f} {1e3 * np.median(cpu):8.1f} "
              f"{1e3 * np.percentile(wall, 90):9.1f}")
    median = 1e3 * float(np.median(wall_all))
    verdict = "within" if median <= TARGET_MS else "OVER"
    print(f"  {'all':<10} {median:8.1f} {1e3 * float(np.median(cpu_all)):8.1f} "
          f"{1e3 * np.percentile(wall_all, 90):9.1f}   ({verdict} the {TARGET_MS:g} ms target, wall-clock median)")


if __name__ == "__main__":
    main()
