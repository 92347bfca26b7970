"""Benchmark: producerkit.eq.EQ against scipy.signal.sosfilt of the same sections and pedalboard's filters.

10 s of stereo noise at 44.1 kHz through five bands; medians of 9 runs after a warm-up.
Run: .venv/bin/python bench/eq.py
"""

import time

import numpy as np
from scipy.signal import sosfilt

from producerkit.eq import EQ, HighPass, HighShelf, LowShelf, Notch, Peak

SR = 44100
RUNS = 9


def median_time(fn) -> float:
    fn()  # warm-up
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def main() -> None:
    rng = np.random.default_rng(0)
    y = (0.1 * rng.standard_normal((2, 10 * SR))).astype(np.float32)
    eq = EQ([HighPass(80), LowShelf(200, -3), Peak(3000, 4, q=2), Notch(60, q=10), HighShelf(10000, 2)])
    sos = eq.sos(SR)

    t_eq = median_time(lambda: eq(y, SR))
    t_scipy64 = median_time(lambda: sosfilt(sos, y.astype(np.float64), axis=-1))
    t_scipy32 = median_time(lambda: sosfilt(sos.astype(np.float32), y, axis=-1))
    print(f"EQ (5 bands, 10 s stereo 44.1 kHz):      {1e3 * t_eq:7.2f} ms")
    print(f"scipy sosfilt, float64, same sections:  {1e3 * t_scipy64:7.2f} ms   ratio {t_eq / t_scipy64:.2f}")
    print(f"scipy sosfilt, float32, same sections:  {1e3 * t_scipy32:7.2f} ms   ratio {t_eq / t_scipy32:.2f}")
    try:
        import pedalboard as pb
    except ImportError:
        print("pedalboard not installed: skipped")
        return
    board = pb.Pedalboard(
        [
            pb.HighpassFilter(80),
            pb.LowShelfFilter(200, -3),
            pb.PeakFilter(3000, 4, 2),
            pb.PeakFilter(60, -36, 10),
            pb.HighShelfFilter(10000, 2),
        ]
    )
    t_pb = median_time(lambda: board(y, SR, reset=True))
    print(f"pedalboard, 5 filters:                  {1e3 * t_pb:7.2f} ms   ratio {t_eq / t_pb:.2f}")


if __name__ == "__main__":
    main()
