"""The public audio API as the robustness test calls it, and the awkward inputs it feeds.

Each :class:`Entry` is one function or processor called as ``call(y, sr)``: what comes back is judged by
``kind`` (``"same"``: float32 audio in the input's layout; ``"audio"``: float32 audio of any length or
channels; ``"value"``: numbers, arrays, reports or figures that must hold no NaN and no +inf).
"""

from __future__ import annotations

import dataclasses
import tempfile
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np

N = 20_000  # samples in the awkward clips: 0.45 s at 44.1 kHz, past integrated loudness's 400 ms
LONG = 100_000  # the clips the rates are swept with: still 0.52 s at 192 kHz


def _noise(shape, level=0.1, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * level).astype(np.float32)


def awkward_audio() -> dict[str, object]:
    """Every awkward clip the issue names (and the two ordinary ones), by name."""
    mono, stereo = _noise(N), _noise((2, N), seed=1)
    nan, inf = mono.copy(), mono.copy()
    nan[N // 2] = np.nan
    inf[N // 3] = np.inf
    wide = np.asfortranarray(_noise((N, 2), seed=2))
    return {
        "mono": mono,
        "stereo": stereo,
        "long mono": _noise(LONG, seed=6),
        "long stereo": _noise((2, LONG), seed=7),
        "empty": np.zeros(0, np.float32),
        "empty stereo": np.zeros((2, 0), np.float32),
        "one sample": np.array([0.5], np.float32),
        "one sample stereo": np.array([[0.5], [-0.5]], np.float32),
        "seven samples": mono[:7].copy(),
        "silence": np.zeros(N, np.float32),
        "NaN": nan,
        "Inf": inf,
        "int16 stereo": (stereo * 32767).astype(np.int16),
        "float64": mono.astype(np.float64),
        "bool": mono > 0,
        "complex": mono.astype(np.complex64),
        "(n, 2)": np.ascontiguousarray(stereo.T),
        "(3, n)": _noise((3, N), seed=3),
        "3-D": _noise((2, 2, N), seed=4),
        "list": mono[:256].tolist(),
        "list of lists": stereo[:, :256].tolist(),
        "+100 dB": mono * np.float32(1e5),
        "DC": np.full(N, 0.5, np.float32),
        "denormals": np.full((2, N), 1e-40, np.float32),
        "non-contiguous": _noise((2, 2 * N), seed=5)[:, ::2],
        "Fortran view (2, n)": wide.T,
        "scalar": np.float32(0.5),
        "None": None,
        "string": "kick.wav",
        "(y, sr) tuple": (mono, 44100),
    }


#: Sample rates the issue names (the good ones too), by name.
SAMPLE_RATES: dict[str, object] = {
    "44100": 44100,
    "48000 (numpy int)": np.int64(48000),
    "0": 0,
    "-1": -1,
    "1": 1,
    "8 kHz": 8000,
    "192 kHz": 192000,
    "44100.0": 44100.0,
    "44100.5": 44100.5,
    "'44100'": "44100",
    "None": None,
    "True": True,
    "NaN": float("nan"),
}


@dataclasses.dataclass(frozen=True)
class Entry:
    name: str
    call: Callable
    kind: str = "value"  # "same" | "audio" | "value"
    nan_fields: tuple[str, ...] = ()  # fields of the result documented as NaN when there is nothing to measure


def _save(y, sr):
    from producerkit.audio import save

    with tempfile.TemporaryDirectory() as folder:
        return save(Path(folder) / "clip.wav", y, sr)


def _session(sr, stems):
    """A session as Arrangement reads one: a rate, a tempo, stems and its sections (one bar of verse)."""
    return types.SimpleNamespace(sr=sr, bpm=120.0, stems=stems, time_signature=(4, 4),
                                 sections=[{"name": "verse", "start_bar": 0, "bars": 1}])


def entries() -> list[Entry]:
    """One entry per public call that takes audio or a sample rate."""
    from producerkit import arrange, audio, beats, dynamics, editing, eq, master, meters, mix, plots, signals, space

    comp = dynamics.Compressor(threshold_db=-20, ratio=4)
    pattern = beats.preset("rock")
    out = [
        # audio.py: layout and resampling
        Entry("audio.resample 44.1k->48k", lambda y, sr: audio.resample(y, sr, 48000), "audio"),
        Entry("audio.resample 48k->sr", lambda y, sr: audio.resample(y, 48000, sr), "audio"),
        Entry("audio.to_mono", lambda y, sr: audio.to_mono(y), "audio"),
        Entry("audio.to_stereo", lambda y, sr: audio.to_stereo(y), "audio"),
        Entry("audio.save", _save),
        # eq.py
        Entry("eq.EQ", lambda y, sr: eq.EQ([eq.HighPass(80), eq.Peak(1000, gain_db=3, q=1.4)])(y, sr), "same"),
        Entry("eq.HighPass", lambda y, sr: eq.HighPass(120)(y, sr), "same"),
        Entry("eq.LowPass", lambda y, sr: eq.LowPass(8000)(y, sr), "same"),
        Entry("eq.HighShelf", lambda y, sr: eq.HighShelf(6000, gain_db=-4)(y, sr), "same"),
        Entry("eq.Notch", lambda y, sr: eq.Notch(3000)(y, sr), "same"),
        Entry("eq.BandPass", lambda y, sr: eq.BandPass(1000)(y, sr), "same"),
        Entry("eq.EQ.response", lambda y, sr: eq.EQ([eq.Peak(1000, gain_db=3)]).response(eq.log_freqs(64), sr)),
        # dynamics.py
        Entry("dynamics.Compressor", lambda y, sr: comp(y, sr), "same"),
        Entry("dynamics.Compressor.process", lambda y, sr: comp.process(y, sr)),
        Entry("dynamics.Compressor sidechain", lambda y, sr: comp(np.zeros(N, np.float32), 44100, sidechain=y)),
        Entry("dynamics.Limiter", lambda y, sr: dynamics.Limiter(ceiling_dbtp=-1)(y, sr), "same"),
        Entry("dynamics.Gate", lambda y, sr: dynamics.Gate(threshold_db=-40)(y, sr), "same"),
        Entry("dynamics.Expander", lambda y, sr: dynamics.Expander(threshold_db=-40)(y, sr), "same"),
        # space.py
        Entry("space.Reverb", lambda y, sr: space.Reverb(decay_s=0.3)(y, sr), "audio"),
        Entry("space.Delay", lambda y, sr: space.Delay(time_ms=20, repeats_lowpass_hz=4000)(y, sr), "audio"),
        Entry("space.Delay ping-pong", lambda y, sr: space.Delay(time_ms=20, ping_pong=True)(y, sr), "audio"),
        Entry("space.rt60", lambda y, sr: space.rt60(y, sr)),
        # mix.py
        Entry("mix.Chain", lambda y, sr: mix.Chain([eq.HighPass(80), mix.Gain(-3)])(y, sr), "same"),
        Entry("mix.ClipGain", lambda y, sr: mix.ClipGain([(0.0, 0.01, -6.0)])(y, sr), "same"),
        Entry("mix.Pan", lambda y, sr: mix.Pan(0.5)(y, sr), "audio"),
        Entry("mix.Parallel", lambda y, sr: mix.Parallel(comp, mix=0.5)(y, sr), "same"),
        Entry("mix.Mixer.render", lambda y, sr: mix.Mixer([mix.Track("a", y)], sr).render(), "audio"),
        # meters.py
        Entry("meters.loudness", lambda y, sr: meters.loudness(y, sr)),
        Entry("meters.integrated_loudness", lambda y, sr: meters.integrated_loudness(y, sr)),
        Entry("meters.true_peak", lambda y, sr: meters.true_peak(y, sr)),
        Entry("meters.rms_dbfs", lambda y, sr: meters.rms_dbfs(y)),
        Entry("meters.crest_factor_db", lambda y, sr: meters.crest_factor_db(y)),
        Entry("meters.correlation", lambda y, sr: meters.correlation(y)),
        Entry("meters.correlation_curve", lambda y, sr: meters.correlation_curve(y, sr)),
        Entry("meters.k_weighting", lambda y, sr: meters.k_weighting(sr)),
        # master.py
        Entry("master.master", lambda y, sr: master.master(y, sr, target_lufs=-14)),
        Entry("master.qc", lambda y, sr: master.qc(y, sr)),
        # editing.py
        Entry("editing.fade", lambda y, sr: editing.fade(y, sr, in_ms=5, out_ms=5), "same"),
        Entry("editing.crossfade", lambda y, sr: editing.crossfade(y, y, sr, duration_ms=1), "audio"),
        Entry("editing.trim_silence", lambda y, sr: editing.trim_silence(y, sr), "audio"),
        Entry("editing.remove_hum", lambda y, sr: editing.remove_hum(y, sr), "same"),
        # arrange.py
        Entry("arrange.estimate_tempo", lambda y, sr: arrange.estimate_tempo(y, sr)),
        Entry("arrange.Arrangement.energy",
              lambda y, sr: arrange.Arrangement(120, sections=(arrange.Section("verse", 1, ("a",)),))
              .energy(_session(44100, {"a": np.zeros(N, np.float32)}), y)),
        # beats.py
        Entry("beats.render", lambda y, sr: beats.render(pattern, beats.Kit({"kick": y, "snare": y, "hat": y}, sr),
                                                         bars=1), "audio"),
        Entry("beats.groove_of", lambda y, sr: beats.groove_of(y, sr, 120),
              nan_fields=("swing_percent", "step_offsets_ms")),
        Entry("beats.chop", lambda y, sr: beats.chop(y, sr, 240, slices=4)),
        Entry("beats.sub_kick", lambda y, sr: beats.sub_kick(sr), "audio"),
        Entry("beats.layer_kick", lambda y, sr: beats.layer_kick(y, y, sr), "audio"),
        # signals.py
        Entry("signals.sine", lambda y, sr: signals.sine(1000, 0.01, sr), "audio"),
        Entry("signals.noise", lambda y, sr: signals.noise(0.01, sr, color="pink"), "audio"),
        # plots.py
        Entry("plots.spectrum_db", lambda y, sr: plots.spectrum_db(y, sr)),
        Entry("plots.waveform_envelope", lambda y, sr: plots.waveform_envelope(y, sr, points=100)),
        Entry("plots.level_histogram", lambda y, sr: plots.level_histogram(y, sr)),
        Entry("plots.loudness_match_db", lambda y, sr: plots.loudness_match_db({"a": y}, sr)),
        Entry("plots.spectrogram_db", lambda y, sr: plots.spectrogram_db(y, sr, columns=50, rows=40)),
        Entry("plots.spectrum_figure", lambda y, sr: plots.spectrum_figure({"a": y}, sr)),
        Entry("plots.waveform_figure", lambda y, sr: plots.waveform_figure({"a": y}, sr)),
        Entry("plots.spectrogram_figure", lambda y, sr: plots.spectrogram_figure(y, sr, columns=50)),
        Entry("plots.eq_figure", lambda y, sr: plots.eq_figure(eq.EQ([eq.Peak(1000, gain_db=3)]), sr, y=y)),
        Entry("plots.transfer_curve_figure", lambda y, sr: plots.transfer_curve_figure(comp, y=y, sr=sr)),
        Entry("plots.loudness_figure", lambda y, sr: plots.loudness_figure(meters.loudness(y, sr))),
    ]
    return out
