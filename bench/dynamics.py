"""Benchmark producerkit.dynamics against pedalboard (JUCE) on the same 60 s of stereo 44.1 kHz audio.

Runs in one process: a warm-up call each (numba compiles on first use), then ``RUNS`` calls of each in
turn, and prints the medians of their wall-clock and CPU times. producerkit's Compressor is timed with
``process()``, which also returns the gain-reduction trace; pedalboard returns audio only. Prints medians and the ratios
producerkit / pedalboard (below 1 means producerkit is faster).

    .venv/bin/python bench/dynamics.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import pedalboard

from producerkit.dynamics import Compressor, Limiter

SR = 44100
SECONDS = 60
RUNS = 9


def music_like(seconds: float = SECONDS, sr: int = SR, seed: int = 0) -> np.ndarray:
    """A deterministic stereo loop at 120 BPM: kick, bass, chords and hats, peaking near 0 dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    beat = 0.5
    phase = (t % beat) / beat
    kick = np.sin(2 * np.pi * (50 + 100 * np.exp(-phase * 30)) * t) * np.exp(-phase * 12)
    bass_notes = np.array([41.2, 41.2, 55.0, 49.0])[(t // (4 * beat)).astype(int) % 4]
    bass = 0.35 * np.sign(np.sin(2 * np.pi * bass_notes * t)) * np.exp(-((t % beat) / 0.3))
    chord = sum(np.sin(2 * np.pi * f * t + p) for f, p in ((261.6, 0.0), (329.6, 1.0), (392.0, 2.0)))
    swell = 0.5 + 0.5 * np.sin(2 * np.pi * t / 8)  # an 8 s crescendo and diminuendo
    hats = rng.standard_normal((2, n)) * np.exp(-(((t + beat / 2) % (beat / 2)) / 0.02))
    left = 0.5 * kick + bass + 0.12 * swell * chord + 0.08 * hats[0]
    right = 0.5 * kick + bass + 0.12 * swell * np.roll(chord, 200) + 0.08 * hats[1]
    y = np.stack([left, right])
    return (y / np.abs(y).max() * 0.98).astype(np.float32)


def median_times(ours, theirs, runs: int = RUNS) -> tuple[float, float, float, float]:
    """Wall and CPU medians of ``ours`` and ``theirs``, called in turn (so load from others hits both alike)."""
    ours()  # warm-up (numba compile, caches)
    theirs()
    times: dict[str, list[float]] = {"ours": [], "ours cpu": [], "theirs": [], "theirs cpu": []}
    for _ in range(runs):
        for name, fn in (("ours", ours), ("theirs", theirs)):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            times[name].append(time.perf_counter() - start)
            times[name + " cpu"].append(time.process_time() - start_cpu)
    return tuple(float(np.median(times[k])) for k in ("ours", "theirs", "ours cpu", "theirs cpu"))


def main() -> None:
    y = music_like()
    print(f"input: {y.shape[0]} channels x {y.shape[1]} samples ({SECONDS} s at {SR} Hz), {RUNS} runs each, "
          f"in turn (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")

    ours_comp = Compressor(threshold_db=-18, ratio=4, knee_db=0, attack_ms=10, release_ms=100)
    theirs_comp = pedalboard.Compressor(threshold_db=-18, ratio=4, attack_ms=10, release_ms=100)
    ours_lim = Limiter(ceiling_dbtp=-1.0, release_ms=100, lookahead_ms=5, true_peak=True)
    theirs_lim = pedalboard.Limiter(threshold_db=-1.0, release_ms=100)

    rows = [
        ("Compressor.process (audio + GR trace)", lambda: ours_comp.process(y, SR),
         "pedalboard.Compressor", lambda: theirs_comp(y, SR)),
        ("Limiter.process (true peak, 5 ms lookahead)", lambda: ours_lim.process(y, SR),
         "pedalboard.Limiter", lambda: theirs_lim(y, SR)),
    ]
    for ours_name, ours, theirs_name, theirs in rows:
        t_ours, t_theirs, cpu_ours, cpu_theirs = median_times(ours, theirs)
        print(f"{ours_name:46s} {t_ours * 1e3:8.1f} ms   (cpu {cpu_ours * 1e3:6.1f} ms)")
        print(f"{theirs_name:46s} {t_theirs * 1e3:8.1f} ms   (cpu {cpu_theirs * 1e3:6.1f} ms)")
        ratio = f"{t_ours / t_theirs:8.2f}x   (cpu {cpu_ours / cpu_theirs:.2f}x)"
        print(f"{'ratio producerkit / pedalboard':46s} {ratio}\n")

    gr = ours_comp.process(y, SR).gain_reduction_db
    lim = ours_lim.process(y, SR)
    print(f"compressor gain reduction: max {gr.max():.1f} dB, mean {gr.mean():.1f} dB")
    print(f"limiter gain reduction: max {lim.gain_reduction_db.max():.2f} dB; "
          f"output sample peak {20 * np.log10(np.abs(lim.audio).max()):.2f} dBFS")


if __name__ == "__main__":
    main()
