"""Speed of producerkit.space against pedalboard (Spotify's JUCE-based effects).

The algorithms differ: pedalboard.Reverb is JUCE's Freeverb (8 combs + 4 all-passes per channel)
and pedalboard.Delay a plain feedback delay; producerkit.Reverb is a 16-line feedback delay
network with input diffusion, producerkit.Delay a grid-exact echo with optional repeat filters.
This compares speed only, on the same 10 s and 60 s stereo 44.1 kHz noise, after a warm-up
(numba compiles or loads its cache on first use). Medians of 7 runs, producerkit and pedalboard
taking turns, in wall-clock time and in CPU time (``time.process_time``, less inflated when others
share the cores); the load average is printed with them. Issue 18's target: ratio <= 1.0.

Run: .venv/bin/python bench/space.py
"""

from __future__ import annotations

import os
import statistics
import time

from producerkit.signals import noise
from producerkit.space import Delay, Reverb

SR = 44100
RUNS = 7


def timed(fn, y) -> tuple[float, float]:
    """(wall, CPU) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(y)
    return time.perf_counter() - wall, time.process_time() - cpu


def medians(ours, theirs, y) -> tuple[float, float, float, float]:
    """Median wall and CPU seconds of each, the two taking turns so a load change hits both."""
    runs = [(timed(ours, y), timed(theirs, y)) for _ in range(RUNS)]
    return tuple(statistics.median(r[who][kind] for r in runs) for who in (0, 1) for kind in (0, 1))


def main() -> int:
    import pedalboard

    cases = [
        (
            "Reverb 2 s      vs pb.Reverb",
            Reverb(decay_s=2.0, damping=0.4, mix=0.3),
            pedalboard.Reverb(room_size=0.7, damping=0.4, wet_level=0.3, dry_level=0.7),
        ),
        (
            "Delay 375 ms    vs pb.Delay",
            Delay(time_ms=375, feedback=0.4, mix=0.3),
            pedalboard.Delay(delay_seconds=0.375, feedback=0.4, mix=0.3),
        ),
        (
            "Delay 1/8t@130  vs pb.Delay",
            Delay(note="1/8t", bpm=130, feedback=0.4, mix=0.3),
            pedalboard.Delay(delay_seconds=60 / 130 / 3, feedback=0.4, mix=0.3),
        ),
        (
            "Delay +filters  vs pb.Delay",
            Delay(time_ms=375, feedback=0.4, repeats_lowpass_hz=3000, repeats_highpass_hz=150, mix=0.3),
            pedalboard.Delay(delay_seconds=0.375, feedback=0.4, mix=0.3),
        ),
    ]
    print("producerkit.space vs pedalboard: different algorithms, so this compares SPEED only.")
    print(f"stereo float32 noise at {SR} Hz; median of {RUNS} runs after a warm-up; ratio = producerkit / pedalboard;"
          f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'case':30s} {'clip':>5s} {'producerkit':>12s} {'pedalboard':>12s} {'ratio':>7s}"
          f" {'pk cpu':>10s} {'pb cpu':>10s} {'cpu ratio':>9s}")
    for seconds in (10, 60):
        y = noise(seconds, SR, level_dbfs=-20, seed=1, channels=2, decorrelated=True)
        for name, ours, theirs in cases:
            ours(y[:, :SR], SR)  # warm-up: numba compile or cache load
            theirs(y[:, :SR], SR)
            wall_ours, cpu_ours, wall_theirs, cpu_theirs = medians(
                lambda x, p=ours: p(x, SR), lambda x, p=theirs: p(x, SR, reset=True), y
            )
            print(f"{name:30s} {seconds:4d}s {wall_ours * 1e3:10.1f}ms {wall_theirs * 1e3:10.1f}ms"
                  f" {wall_ours / wall_theirs:7.2f} {cpu_ours * 1e3:8.1f}ms {cpu_theirs * 1e3:8.1f}ms"
                  f" {cpu_ours / cpu_theirs:9.2f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
