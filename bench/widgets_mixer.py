"""Benchmark: MixerDesk and LoudnessView updates on a 10 s stereo 44.1 kHz excerpt.

Budget (issue 18): at most 30 ms median per parameter change in the worst scenario, everything
included: re-mix (or re-measure), encode the audio for the A/B player, update the meters and plots.
Each scenario is marked [ok] or [OVER] against it, and the last line gives the verdict.

Scenarios:

* MixerDesk, Paper Lanterns (8 mono stems, 10 s from 24 s, stereo mix): a fader move, a pan
  move and a mute toggle on one channel. The reference is the naive desk a notebook would
  write: re-render the whole ``producerkit.mix.Mixer`` and hand the player the new mix, then
  measure it (same meters). Ratio = desk / naive.
* LoudnessView: a new clip (10 s stereo: full recompute), a target change the view has not
  seen for this clip (one ``master.qc``), and a target change it has (cached report).

The widgets' messages are JSON-encoded as a kernel would send them (a stand-in comm replaces
the no-op one plain Python gets), so syncing the HTML, the plot and the audio bytes is counted.
Reported per scenario: median wall time and CPU time (the machine is shared: wall time includes
waiting for a core; CPU time above wall time means more than one thread ran) and the median of
each stage (``widget.timings``, wall).

Run: .venv/bin/python bench/widgets_mixer.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import comm  # noqa: E402
from comm.base_comm import BaseComm  # noqa: E402

RUNS = 21
SECONDS = 10.0
BUDGET_MS = 30.0  # issue 18
_WORST: list = []  # (wall ms, scenario)


class SerialisingComm(BaseComm):
    """A comm that JSON-encodes every message, as the kernel's session would (buffers aside)."""

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        json.dumps(data, default=str, allow_nan=False)


comm.create_comm = lambda *args, **kwargs: SerialisingComm(*args, **kwargs)


def timed(step, runs: int = RUNS, timings=None):
    """Run ``step(i)`` ``runs`` times after 3 warm-ups; medians of wall and CPU ms and of each stage."""
    for i in range(3):
        step(i)
    wall, cpu, stages = [], [], {}
    for i in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        step(i)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        for k, v in (timings() if timings else {}).items():
            stages.setdefault(k, []).append(v)
    return statistics.median(wall), statistics.median(cpu), {k: statistics.median(v) for k, v in stages.items()}


def report(name: str, wall: float, cpu: float, stages: dict, ref: float | None = None) -> None:
    parts = " ".join(f"{k}={v:.1f}" for k, v in stages.items() if k != "total")
    verdict = "ok" if wall <= BUDGET_MS else "OVER"
    _WORST.append((wall, name))
    ratio = f"  naive {ref:6.1f} ms  ratio {wall / ref:.2f}" if ref else ""
    print(f"{name:<34} wall {wall:6.1f} ms  cpu {cpu:6.1f} ms  [{verdict}]{ratio}\n{'':<36}stages: {parts}")


def bench_mixer_desk() -> None:
    from producerkit import meters
    from producerkit.datasets import load_session
    from producerkit.widgets import ABPlayer, MixerDesk

    session = load_session("paper_lanterns")
    desk = MixerDesk(session, start_s=24.0, seconds=SECONDS)
    sr = desk.sr
    print(f"MixerDesk: {len(desk.channels)} stems, excerpt {desk.excerpt}, mix {desk.mix.shape}")

    faders = [-6.0, -4.5, -9.0, -3.0]
    wall, cpu, stages = timed(lambda i: desk.update("bass", gain_db=faders[i % 4]), timings=lambda: desk.timings)
    # The naive desk: re-render every track through Mixer, then the same player and meters.
    mixer = desk.to_mixer()
    player = ABPlayer(desk.mix, desk.mix, sr)

    def naive(i):
        mixer.track("bass").gain_db = faders[i % 4]
        y = mixer.render()
        player.update(b=y)
        meters.true_peak(y, sr)

    ref = timed(naive)[0]
    report("fader move (bass)", wall, cpu, stages, ref)

    pans = [0.0, -0.3, 0.4, 0.1]
    report("pan move (guitar)", *timed(lambda i: desk.update("guitar", pan=pans[i % 4]), timings=lambda: desk.timings))
    report("mute toggle (keys)", *timed(lambda i: desk.update("keys", mute=bool(i % 2)), timings=lambda: desk.timings))
    np.testing.assert_allclose(desk.mix, desk.to_mixer().render(), atol=1e-5)


def bench_loudness_view() -> None:
    from producerkit.datasets import load_session
    from producerkit.widgets import LoudnessView

    session = load_session("paper_lanterns")
    start = session.bar_to_sample(10)
    mono = session.mix(headroom_db=1.0)[start:start + int(SECONDS * session.sr)]
    clips = [np.stack([mono * g, mono * g * 0.9]) for g in (1.0, 0.8, 0.6, 0.9)]
    view = LoudnessView(clips[0], session.sr)
    print(f"\nLoudnessView: clip {clips[0].shape} at {session.sr} Hz")

    report("new clip (full recompute)", *timed(lambda i: view.update(y=clips[i % 4]), timings=lambda: view.timings))
    platforms = ["spotify", "apple", "ebu_r128", "youtube"]

    def unseen(i):
        view._reports = {}  # as if this target had not been shown for this clip yet
        view.update(target=platforms[i % 4])

    report("target change (first time)", *timed(unseen, timings=lambda: view.timings))
    report("target change (seen before)", *timed(lambda i: view.update(target=platforms[i % 4]),
                                                 timings=lambda: view.timings))


def main() -> int:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, load average {load:.1f}; {RUNS} runs per scenario, medians\n")
    bench_mixer_desk()
    bench_loudness_view()
    worst, name = max(_WORST)
    print(f"\nbudget {BUDGET_MS:g} ms median: {'met' if worst <= BUDGET_MS else 'NOT met'} "
          f"(worst scenario {name}: {worst:.1f} ms; load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
