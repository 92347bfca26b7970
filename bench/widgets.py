"""Benchmark: one parameter change in EQExplorer and CompressorExplorer on a 10 s stereo 44.1 kHz clip.

Budget: at most 30 ms median per change in the worst scenario, everything included: reprocess
the clip, encode the audio for the A/B player, recompute the plot data and send the plots (the
whole plotly figure to its Output widget, the playhead's traces).

The widgets' messages are serialised to JSON as a kernel would send them (a stand-in comm
replaces the no-op one plain Python gets), so the cost of syncing the plots is counted.
Reported per scenario: median wall time and CPU time (the machine is shared: wall time
includes waiting for a core) and the median of each stage. The reference is the naive update
a notebook would write: the whole EQ through scipy.signal.sosfilt (or Compressor.process),
the figure rebuilt with producerkit.plots, and the player given new audio.

Run: .venv/bin/python bench/widgets.py (``--eq-only``: EQExplorer's scenarios alone; ``--compressor-only``:
CompressorExplorer's alone)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import comm  # noqa: E402
from comm.base_comm import BaseComm  # noqa: E402

RUNS = 21
BUDGET_MS = 30.0  # issue 18: the worst scenario, median
SR = 44100
SECONDS = 10.0


class SerialisingComm(BaseComm):
    """A comm that JSON-encodes every message, as the kernel's session would (buffers aside)."""

    bytes_sent = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        SerialisingComm.bytes_sent += len(json.dumps(data, default=str, allow_nan=False))
        for b in buffers or ():
            SerialisingComm.bytes_sent += memoryview(b).nbytes


comm.create_comm = lambda *args, **kwargs: SerialisingComm(*args, **kwargs)


def clip_eq():
    from producerkit import signals

    noise = signals.noise(SECONDS, SR, "pink", level_dbfs=-20.0, channels=2, decorrelated=True)
    return noise + signals.sine(220.0, SECONDS, SR, level_dbfs=-18.0, channels=2)


def clip_drums():
    from producerkit import signals

    clicks = signals.click_track(120, 5, SR, level_dbfs=-3.0, channels=2)[:, : int(SECONDS * SR)]
    bed = signals.noise(SECONDS, SR, "pink", level_dbfs=-30.0, channels=2, decorrelated=True, seed=1)
    out = bed.copy()
    out[:, : clicks.shape[1]] += clicks
    return out


_MEDIANS: list = []  # (wall ms, scenario) of every scenario, for the verdict


def measure(name: str, explorer, changes, runs: int = RUNS) -> float:
    """Apply ``changes[i % len]`` ``runs`` times after a warm-up; print medians; return the wall median."""
    for params in changes[:3]:  # warm-up: numba compile, caches
        assert explorer.update(**params), explorer.error
    walls, cpus, stages = [], [], {}
    for i in range(runs):
        params = changes[(i + 3) % len(changes)]
        w0, c0 = time.perf_counter(), time.process_time()
        ok = explorer.update(**params)
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
        assert ok, explorer.error
        for stage, ms in explorer.timings.items():
            stages.setdefault(stage, []).append(ms)
    wall = statistics.median(walls)
    breakdown = ", ".join(f"{s} {statistics.median(v):.1f}" for s, v in stages.items() if s != "total")
    mark = "ok" if wall <= BUDGET_MS else "OVER"
    print(f"  {name:<44} wall {wall:6.1f} ms  cpu {statistics.median(cpus):6.1f} ms  [{mark}]  [{breakdown}]")
    _MEDIANS.append((wall, name))
    return wall


def naive_eq(y, bands, player):
    from scipy.signal import sosfilt

    from producerkit import eq, plots

    chain = eq.EQ(bands)
    out = sosfilt(chain.sos(SR), y.astype(np.float64), axis=-1).astype(np.float32)
    fig = plots.eq_figure(chain, SR, y=y, processed=out)
    player.set_audio(b=out)
    return fig


def naive_compressor(y, comp, player):
    from producerkit import plots

    result = comp.process(y, SR)
    plots.transfer_curve_figure(comp, y, SR)
    plots.gain_reduction_figure(y, result.audio, result.gain_reduction_db, SR)
    player.set_audio(b=result.audio)


def median_ms(fn, runs: int = 9) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    import os

    from producerkit.widgets import ABPlayer

    print(f"one parameter change, {SECONDS:g} s stereo at {SR} Hz, median of {RUNS} "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); stages in ms")
    player = ABPlayer(clip_eq(), clip_eq(), SR)
    if "--compressor-only" not in sys.argv:
        bench_eq(player)
    if "--eq-only" not in sys.argv:
        bench_compressor(player)
    worst, name = max(_MEDIANS)
    print(f"budget {BUDGET_MS:g} ms median: {'met' if worst <= BUDGET_MS else 'NOT met'} "
          f"(worst scenario {name}: {worst:.1f} ms; load average {os.getloadavg()[0]:.1f})")
    return 0


def bench_eq(player) -> None:
    from producerkit import eq
    from producerkit.widgets import EQExplorer

    y = clip_eq()
    explorer = EQExplorer(y, SR)
    gains = [{"band": 2, "gain_db": float(g)} for g in np.linspace(-9, 9, 13)]
    print("EQExplorer (5 bands)")
    drag = measure("drag one band's gain (cached other bands)", explorer, gains)
    rotate = [
        {"band": b, "freq": f} for b, f in [(0, 40.0), (1, 150.0), (2, 600.0), (3, 2500.0), (4, 9000.0),
                                             (0, 30.0), (1, 120.0), (2, 500.0), (3, 3000.0), (4, 8000.0)]
    ]
    switch = measure("a different band each time (full cascade)", explorer, rotate)
    kinds = [{"band": 2, "kind": k} for k in ("Notch", "BandPass", "Peak", "LowShelf", "Peak")]
    measure("change a band's type", explorer, kinds)
    # The default bands are flat (0 dB) and a flat band costs nothing to filter: the same rotation
    # with every band boosting or cutting, so every band is a section the clip goes through.
    assert explorer.update(bands=[eq.HighPass(30), eq.LowShelf(120, gain_db=3), eq.Peak(500, gain_db=-4),
                                  eq.Peak(3000, gain_db=2), eq.HighShelf(8000, gain_db=-3)]), explorer.error
    measure("a different band each time, every band active", explorer, rotate)
    bands = eq.EQ([eq.HighPass(30), eq.LowShelf(120, gain_db=2), eq.Peak(500, gain_db=-3),
                   eq.Peak(3000, gain_db=2), eq.HighShelf(8000, gain_db=1)]).bands
    naive = median_ms(lambda: naive_eq(y, bands, player))
    print(f"  naive update (sosfilt + rebuilt figure + player): {naive:.1f} ms; "
          f"explorer/naive = {drag / naive:.2f} (drag), {switch / naive:.2f} (different band)")


def bench_compressor(player) -> None:
    from producerkit.dynamics import Compressor
    from producerkit.widgets import CompressorExplorer

    y = clip_drums()
    explorer = CompressorExplorer(y, SR)
    print("CompressorExplorer")
    thr = measure("drag threshold", explorer, [{"threshold_db": float(t)} for t in np.linspace(-40, -10, 13)])
    measure("drag ratio", explorer, [{"ratio": float(r)} for r in np.geomspace(1.5, 12, 13)])
    measure("drag attack", explorer, [{"attack_ms": float(a)} for a in np.geomspace(0.5, 80, 13)])
    measure("drag mix", explorer, [{"mix": float(m)} for m in np.linspace(0.2, 1.0, 13)])
    naive_c = median_ms(lambda: naive_compressor(y, Compressor(threshold_db=-30), player))
    print(f"  naive update (process + rebuilt figures + player): {naive_c:.1f} ms; "
          f"explorer/naive = {thr / naive_c:.2f} (threshold)")


if __name__ == "__main__":
    raise SystemExit(main())
