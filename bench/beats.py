"""Benchmark: producerkit.beats.render, 8 bars of a 6-instrument pattern on the recorded kit.

The pattern is a busy boom-bap-style bar (kick, snare, closed and open hat with choke, rimshot, ride:
30 hits a bar, 240 in all) at 92 BPM with 58 % swing, rendered at 44.1 kHz with its tail. Prints the
median of the runs (target: 20 ms or less) and the hits per second.

Run: .venv/bin/python bench/beats.py
"""

from __future__ import annotations

import statistics
import time

from producerkit import beats

RUNS = 25
TARGET_MS = 20.0
GRID = """
kick:     x.....x...x..x..
snare:    ....x..g....x..g
hat:      xgxgxgx.xgxgxgx.
open_hat: .......x.......x
rimshot:  ..g.......g.....
ride:     x...x...x...x...
"""


def main() -> None:
    kit = beats.Kit.recorded()
    pattern = beats.Pattern.from_text(GRID)
    hits = len(beats.schedule(pattern, 92, kit.sr, 58, bars=8))
    beats.render(pattern, kit, 92, swing=58, bars=8)  # warm up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        y = beats.render(pattern, kit, 92, swing=58, bars=8)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"pattern: {len(pattern.instruments)} instruments, 8 bars at 92 BPM, swing 58 %, {hits} hits; "
          f"{y.shape[-1] / kit.sr:.1f} s of audio at {kit.sr} Hz; median of {RUNS} runs")
    print(f"producerkit.beats.render {median * 1000:8.2f} ms   ({hits / median:,.0f} hits/s; min "
          f"{min(times) * 1000:.2f} ms)")
    print(f"target <= {TARGET_MS:g} ms: {'met' if median * 1000 <= TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
