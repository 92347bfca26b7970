"""Compile every numba kernel producerkit uses (its own and librosa's) once, into numba's cache.

``python -m producerkit._warmup`` runs small signals through each path that JIT-compiles, so
the first lesson a student opens does not wait half a minute for LLVM, and so parallel test
workers start from a finished cache instead of writing the same cache files at the same time
(numba's file cache is not safe against concurrent writers: an index written by one process
can point at machine code another process compiled for a different signature).

Two processes share the work, one per core: this one compiles producerkit's own kernels while a
second (``--group librosa``) compiles librosa's (its beat tracker, half the time on its own). No
kernel is compiled by both, so no cache file has two writers.

The Makefile runs it after installing (``make lab``, ``make test``) and binder/postBuild runs
it while the image is built.
"""

from __future__ import annotations

import sys
import time

import numpy as np


def _signals(sr: int):
    from .signals import noise

    stereo = noise(16.0, sr, color="pink", level_dbfs=-20, seed=1, channels=2, decorrelated=True)
    beat = np.zeros(stereo.shape[-1], np.float32)
    period = int(0.5 * sr)  # 120 BPM clicks over the noise, so beat tracking has beats to find
    for start in range(0, beat.size - 2000, period):
        beat[start : start + 2000] += 0.5 * np.exp(-np.arange(2000) / 300.0).astype(np.float32)
    return stereo, (stereo.mean(axis=0) + beat).astype(np.float32)


#: Which steps of :func:`warm_up` each process runs: their kernels do not overlap (librosa's are librosa's own).
GROUPS = {
    "producerkit": ("meters", "eq", "dynamics", "master (the limiter's hold and dB kernels)", "space"),
    "librosa": ("librosa (tempo) and structure", "pitch (YIN, the soxr resampler)"),
}


def warm_up(verbose: bool = True, group: str | None = None) -> float:
    """Run every JIT-compiled path once (or those of one of :data:`GROUPS`); return the seconds it took."""
    from . import arrange, dynamics, editing, eq, master, meters, space

    t0 = time.perf_counter()
    sr = 44100
    stereo, mono = _signals(sr)
    steps = [
        ("meters", lambda: [meters.loudness(y, sr) for y in (stereo, mono, stereo[:, : sr // 4])]),
        ("eq", lambda: [eq.EQ([eq.HighPass(80), eq.Peak(1000, 3)])(y, sr) for y in (stereo, mono)]),
        ("dynamics", lambda: [
            p.process(y, sr)
            for p in (dynamics.Compressor(), dynamics.Compressor(detector="rms", stereo_link=False),
                      dynamics.Limiter(), dynamics.Gate(), dynamics.Expander())
            for y in (stereo, mono)
        ]),
        ("master (the limiter's hold and dB kernels)", lambda: master.master(stereo[:, : 2 * sr], sr, -9.0)),
        ("space", lambda: [
            p(y[..., : 2 * sr], sr)
            for p in (space.Reverb(), space.Delay(time_ms=250, repeats_lowpass_hz=4000, repeats_highpass_hz=200),
                      space.Delay(note="1/8t", bpm=130), space.Delay(time_ms=300, ping_pong=True))
            for y in (mono, stereo)
        ]),
        ("librosa (tempo) and structure", lambda: (arrange.estimate_tempo(mono, sr),
                                                   arrange.find_sections(mono, sr, bpm=120))),
        ("pitch (YIN, the soxr resampler)", lambda: editing.note_pitches(mono[: 2 * sr], sr, fmin=150, fmax=700)),
    ]
    assert sorted(name for names in GROUPS.values() for name in names) == sorted(name for name, _ in steps)
    for name, step in steps:
        if group is not None and name not in GROUPS[group]:
            continue
        t = time.perf_counter()
        step()
        if verbose:
            print(f"  {name}: {time.perf_counter() - t:.1f} s", flush=True)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    import subprocess

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--group"]:
        warm_up(group=argv[1])
        return 0
    print("compiling producerkit's and librosa's numba kernels into the cache (two processes) ...", flush=True)
    t0 = time.perf_counter()
    librosa = subprocess.Popen([sys.executable, "-m", "producerkit._warmup", "--group", "librosa"])
    try:
        warm_up(group="producerkit")
    finally:
        code = librosa.wait()
    if code != 0:
        print(f"compiling librosa's kernels failed (exit status {code}; its error is above)", flush=True)
        return 1
    print(f"done in {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
