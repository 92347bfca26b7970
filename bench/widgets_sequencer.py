"""Benchmark: StepSequencer edit round trips in the kernel, on the recorded kit.

Budget (issue 15): at most 30 ms median from an edit to the state sent. Scenarios, each on a one-bar boom bap
(3 rows, 16 steps) and on the largest grid the widget shows with six rows (8 bars, 128 steps, 768 cells):

* kernel-side edit: ``seq.toggle(row, step)`` (validate, build the new Pattern, send the grid);
* page-side click: the page's new grid arrives (``set_state``, what ipywidgets does with the page's message)
  and becomes ``seq.pattern``;
* typed tempo: the page's "set bpm" message, validated and sent back.

The widget's messages are JSON-encoded as a kernel would send them (a stand-in comm replaces the no-op one
plain Python gets), so the cost of syncing the grid is counted; the kit's bytes are sent once, at
construction, and never again (asserted). Reported: median wall and CPU time per scenario.

Run: .venv/bin/python bench/widgets_sequencer.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import comm  # noqa: E402
from comm.base_comm import BaseComm  # noqa: E402

RUNS = 41
BUDGET_MS = 30.0


class SerialisingComm(BaseComm):
    """A comm that JSON-encodes every message, as the kernel's session would, and counts buffer bytes."""

    buffer_bytes = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        json.dumps(data, default=str, allow_nan=False)
        for b in buffers or ():
            SerialisingComm.buffer_bytes += memoryview(b).nbytes


comm.create_comm = lambda *args, **kwargs: SerialisingComm(*args, **kwargs)

GRID = """
kick:     x.....x...x..x..
snare:    ....x..g....x..g
hat:      xgxgxgx.xgxgxgx.
open_hat: .......x.......x
rimshot:  ..g.......g.....
ride:     x...x...x...x...
"""


def timed(step, runs: int = RUNS):
    for i in range(3):
        step(i)
    wall, cpu = [], []
    for i in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        step(i + 3)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def report(name: str, wall: float, cpu: float) -> float:
    print(f"  {name:<44} wall {wall:6.2f} ms  cpu {cpu:6.2f} ms  [{'ok' if wall <= BUDGET_MS else 'OVER'}]")
    return wall


def bench(label: str, seq) -> float:
    rows = seq.pattern.instruments
    total = seq.pattern.steps
    print(f"{label}: {len(rows)} rows x {total} steps")
    before = SerialisingComm.buffer_bytes
    worst = report("kernel-side edit (seq.toggle)", *timed(lambda i: seq.toggle(rows[i % len(rows)], (5 * i) % total)))

    def click(i):
        state = [dict(r, steps=list(r["steps"])) for r in seq.rows]
        r = state[i % len(state)]
        r["steps"][(3 * i) % total] = 0.0 if r["steps"][(3 * i) % total] else 1.0
        seq.set_state({"rows": state})

    worst = max(worst, report("page-side click (grid -> seq.pattern)", *timed(click)))
    tempos = ["88", "92.5", "101", "96"]
    worst = max(worst, report("typed tempo (validated, sent back)",
                              *timed(lambda i: seq._on_page_message(seq, {"type": "set", "name": "bpm",
                                                                          "value": tempos[i % 4]}, []))))
    assert seq.error == "", seq.error
    assert SerialisingComm.buffer_bytes == before, "an edit re-sent the kit"
    return worst


def main() -> int:
    from producerkit import beats
    from producerkit.widgets import StepSequencer

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, load average {load:.1f}; {RUNS} runs per scenario, medians")
    kit = beats.Kit.recorded()
    t0 = time.perf_counter()
    seq = StepSequencer(beats.preset("boom_bap"), kit=kit, bpm=90, swing=58)
    print(f"construction (encodes the kit once: {SerialisingComm.buffer_bytes / 1e6:.2f} MB of FLAC): "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    worst = bench("boom bap, 1 bar", seq)
    big = StepSequencer(beats.Pattern.from_text(GRID).repeated(8), kit=kit, bpm=92, swing=58)
    worst = max(worst, bench("six rows, 8 bars (the largest grid)", big))
    print(f"budget {BUDGET_MS:g} ms median: {'met' if worst <= BUDGET_MS else 'NOT met'} (worst {worst:.2f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
