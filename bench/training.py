"""Benchmark: how long a new ear-training trial takes, in the library and in the EarTrainer widget.

Each trial is 10 s of stereo at 44.1 kHz: the excerpt is cut from the bundled session, processed
(EQ, compressor, reverb or delay, pan, a baked-in problem) and both versions are matched in BS.1770
integrated loudness. The session's audio is loaded once before timing (a trainer keeps it), so this
is the wait between one answer and the next question.

1. ``make_trial``: medians over 30 trials per drill (levels 1-10, a new seed each) after one warm-up
   trial per drill.
2. The widget, ``EarTrainer.next_trial()``: make the trial, encode both versions for the A/B player
   and send them (the widget's messages are serialised as a kernel would send them: a stand-in comm
   JSON-encodes each message and counts its binary buffers), and reset the answer controls. Medians
   over 30 trials per drill, levels 1-10 (each level picked by hand before its timed trial), with the
   stages ("make", "send", "controls") the widget times itself.

The budget is 30 ms (issue 18), the wall-clock median of the worst drill (each drill is a scenario:
a student may practise only the slowest one); every row is marked [ok] or [OVER] against it. Wall-clock
time depends on what else runs on the machine, so the process's CPU time is printed beside it, and
the load average.
Run: .venv/bin/python bench/training.py
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import comm  # noqa: E402
from comm.base_comm import BaseComm  # noqa: E402

from producerkit import training  # noqa: E402

SECONDS = 10.0
TRIALS = 30
TARGET_MS = 30.0  # issue 18: per drill, median


class SerialisingComm(BaseComm):
    """A comm that JSON-encodes every message, as the kernel's session would (buffers counted, not copied)."""

    bytes_sent = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        SerialisingComm.bytes_sent += len(json.dumps(data, default=str, allow_nan=False))
        for b in buffers or ():
            SerialisingComm.bytes_sent += memoryview(b).nbytes


comm.create_comm = lambda *args, **kwargs: SerialisingComm(*args, **kwargs)


def _row(name, wall, cpu, extra="") -> float:
    median = 1e3 * float(np.median(wall))
    mark = "ok" if median <= TARGET_MS else "OVER"
    print(f"  {name:<10} {median:8.1f} {1e3 * np.median(cpu):8.1f} "
          f"{1e3 * np.percentile(wall, 90):9.1f}  [{mark}]{extra}")
    return median


def _verdict(wall_all, cpu_all, worst: tuple[float, str]) -> float:
    median = 1e3 * float(np.median(wall_all))
    print(f"  {'all':<10} {median:8.1f} {1e3 * float(np.median(cpu_all)):8.1f} "
          f"{1e3 * np.percentile(wall_all, 90):9.1f}")
    slowest, name = worst
    print(f"  budget {TARGET_MS:g} ms median per drill: {'met' if slowest <= TARGET_MS else 'NOT met'} "
          f"(worst drill {name}: {slowest:.1f} ms; load average {os.getloadavg()[0]:.1f})")
    return slowest


def bench_make_trial() -> float:
    print(f"make_trial, {SECONDS:g} s stereo at 44.1 kHz, median of {TRIALS} per drill "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    print(f"  {'drill':<10} {'wall ms':>8} {'cpu ms':>8} {'wall 90%':>9}")
    wall_all, cpu_all, worst = [], [], (0.0, "")
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
        worst = max(worst, (_row(name, wall, cpu), name))
    return _verdict(wall_all, cpu_all, worst)


def bench_widget(folder: Path) -> float:
    from producerkit.widgets import EarTrainer

    print(f"EarTrainer.next_trial() (make + encode + send to the page + controls), {SECONDS:g} s stereo, "
          f"median of {TRIALS} per drill (load average {os.getloadavg()[0]:.1f}); stages: median ms")
    print(f"  {'drill':<10} {'wall ms':>8} {'cpu ms':>8} {'wall 90%':>9}        stages")
    wall_all, cpu_all, worst = [], [], (0.0, "")
    for name in training.DRILLS:
        trainer = EarTrainer(name, path=folder / f"{name}.json", seed=7, seconds=SECONDS)
        trainer.next_trial()  # warm-up
        wall, cpu, stages, sent_mb = [], [], {}, []
        for k in range(TRIALS):
            level = 1 + k % training.LEVELS
            if trainer.level != level:
                assert trainer.update(level=level), trainer.error  # picked by hand (makes a trial: untimed)
            sent = SerialisingComm.bytes_sent
            w, c = time.perf_counter(), time.process_time()
            ok = trainer.next_trial()
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
            assert ok, trainer.error
            sent_mb.append((SerialisingComm.bytes_sent - sent) / 1e6)  # 0 when the trial repeats the last one
            for stage, ms in trainer.timings.items():
                stages.setdefault(stage, []).append(ms)
        wall_all += wall
        cpu_all += cpu
        breakdown = ", ".join(f"{s} {statistics.median(v):.1f}" for s, v in stages.items() if s != "total")
        median = _row(name, wall, cpu, f"  [{breakdown}; {statistics.median(sent_mb):.1f} MB sent]")
        worst = max(worst, (median, name))
        trainer.close()
    return _verdict(wall_all, cpu_all, worst)


def main() -> None:
    bench_make_trial()
    with tempfile.TemporaryDirectory() as folder:
        bench_widget(Path(folder))


if __name__ == "__main__":
    main()
