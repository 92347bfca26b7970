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


#: The rate sweep's clips for an entry slow enough to matter: both layouts, at N samples.
SHORT = ("mono", "stereo")


@dataclasses.dataclass(frozen=True)
class Entry:
    name: str
    call: Callable
    kind: str = "value"  # "same" | "audio" | "value"
    nan_fields: tuple[str, ...] = ()  # fields of the result documented as NaN when there is nothing to measure
    #: the clips every awkward rate is tried with; a figure's rates are tried as numbers (NumberEntry "... sr"),
    #: and a slow editor's with the short stereo clip, to keep the sweep's time bounded
    rate_clips: tuple[str, ...] = ("mono", "long stereo")


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
        # session 4's additions
        *_session_four(),
    ]
    return out


def _lead_session(sr=44100):
    """A session as capstone's lead functions read one: a rate, one phrase of the takes, a lead stem."""
    from producerkit.editing import FLAT_DEMO_PHRASE, FLAT_DEMO_TAKE

    phrase = types.SimpleNamespace(name=FLAT_DEMO_PHRASE, take_start_s=0.05, take_end_s=0.4)
    return types.SimpleNamespace(sr=sr, phrases=[phrase], stems={"lead": np.zeros(N, np.float32)},
                                 takes={FLAT_DEMO_TAKE: _noise(N, seed=8)}, takes_start_bar=0,
                                 bar_to_sample=lambda bar: 0)


def _mix_settings(y, sr):
    from producerkit import mix

    settings = mix.MixSettings({"a": {"gain_db": -3.0, "pan": 0.25}})
    mixer = settings.apply(mix.Mixer([mix.Track("a", y)], sr))
    with tempfile.TemporaryDirectory() as folder:
        path = mix.MixSettings.from_mixer(mixer).save(Path(folder))
        return mix.MixSettings.load(path).apply(mixer).render()


def _save_master(y, sr):
    from producerkit import master

    with tempfile.TemporaryDirectory() as folder:
        return master.save_master(y, sr, "master.wav", folder=folder)


def _decode_mix(y, sr):
    """The bytes of ``y`` written as a WAV at ``sr`` (as the upload gives them), decoded."""
    import io

    import soundfile as sf

    from producerkit import master
    from producerkit.audio import check_sr, ensure_audio

    buf = io.BytesIO()
    sf.write(buf, ensure_audio(y).T, check_sr(sr), format="WAV", subtype="FLOAT")
    return master.decode_mix(buf.getvalue())


def _check_complete(y, sr):
    from producerkit import master

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mix.wav"
        _save_to(path, y, sr)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) * 2 // 3])  # an export cut off
        return master.check_complete(path)


def _save_to(path, y, sr):
    from producerkit.audio import save

    return save(path, y, sr)


def _session_four() -> list[Entry]:
    """The public calls session 4 added (recording, editing, master, mix, capstone, space, meters, plots)."""
    from producerkit import capstone, editing, master, meters, plots, recording, space

    mic = recording.Mic(distance_m=0.1, angle_deg=30)
    room = recording.Room(decay_s=0.2)
    pair = lambda sr: recording.MicPair(recording.Mic(0.1), recording.Mic(0.5), sr, delay_samples=1)  # noqa: E731
    lead = _lead_session()
    return [
        # recording.py
        Entry("recording.Mic.record", lambda y, sr: mic.record(y, sr), "audio"),
        Entry("recording.Mic.record room peak", lambda y, sr: mic.record(y, sr, room, peak_dbfs=-10), "audio",
              rate_clips=SHORT),
        Entry("recording.Mic.direct", lambda y, sr: mic.direct(y, sr), "audio"),
        Entry("recording.Room.sound", lambda y, sr: room.sound(y, sr), "audio"),
        Entry("recording.MicPair.record", lambda y, sr: pair(sr).record(y, room, peak_dbfs=-10), "audio",
              rate_clips=SHORT),
        Entry("recording.MicPair.notches", lambda y, sr: pair(sr).notches()),
        Entry("recording.capture", lambda y, sr: recording.capture(y, 20.0), "same"),
        Entry("recording.align", lambda y, sr: recording.align(y, 5), "same"),
        Entry("recording.find_delay", lambda y, sr: recording.find_delay(y, y, sr), rate_clips=SHORT),
        Entry("recording.delay_samples", lambda y, sr: recording.delay_samples(0.1, 1.0, sr)),
        Entry("recording.peak_dbfs", lambda y, sr: recording.peak_dbfs(y)),
        Entry("recording.clipped_samples", lambda y, sr: recording.clipped_samples(y)),
        Entry("recording.noise_floor_dbfs", lambda y, sr: recording.noise_floor_dbfs(y, sr)),
        # editing.py
        Entry("editing.tune", lambda y, sr: editing.tune(y, sr, -35.0), "same", rate_clips=SHORT),
        Entry("editing.tune span", lambda y, sr: editing.tune(y, sr, 35.0, start_s=0.1, end_s=0.3), "same",
              rate_clips=SHORT),
        Entry("editing.note_pitches", lambda y, sr: editing.note_pitches(y, sr)),
        Entry("editing.phrase_cents", lambda y, sr: editing.phrase_cents(editing.note_pitches(y, sr))),
        Entry("editing.comp_takes", lambda y, sr: editing.comp_takes([y, y, y], sr, [(0.0, 0.2), (0.2, 0.4)],
                                                                     bpm=120).audio, "same", rate_clips=SHORT),
        Entry("editing.flat_phrase_demo", lambda y, sr: editing.flat_phrase_demo(y, sr, session=lead).audio,
              "audio", rate_clips=SHORT),  # y=None: the session's take
        Entry("editing.click_db", lambda y, sr: editing.click_db(y, sr, 0.25)),
        Entry("editing.nudge", lambda y, sr: editing.nudge(y, sr, 3.0), "same"),
        # master.py
        Entry("master.master_to_platform", lambda y, sr: master.master_to_platform(y, sr, "apple"), rate_clips=SHORT),
        Entry("master.decode_mix", _decode_mix),
        Entry("master.check_complete", _check_complete),
        Entry("master.save_master", _save_master),
        Entry("master.delivery_name", lambda y, sr: master.delivery_name("Paper Lanterns", sr=sr)),
        # mix.py
        Entry("mix.MixSettings", _mix_settings, "audio"),
        # capstone.py
        Entry("capstone.headroom_trim", lambda y, sr: capstone.headroom_trim(y)),
        Entry("capstone.premaster", lambda y, sr: capstone.premaster(y, sr), "same"),
        Entry("capstone.master_for", lambda y, sr: capstone.master_for(y, sr, "spotify")),
        Entry("capstone.mixdown", lambda y, sr: capstone.mixdown({"lead": y}, sr, {"lead": -3.0})[1], "audio"),
        Entry("capstone.VersionLoudness.of", lambda y, sr: capstone.VersionLoudness.of("mix", y, sr)),
        Entry("capstone.cents_off", lambda y, sr: capstone.cents_off(lead, y)),
        Entry("capstone.tune_phrase", lambda y, sr: capstone.tune_phrase(lead, y, -20.0), "same"),
        Entry("capstone.lead_stem", lambda y, sr: capstone.lead_stem(lead, y), "audio"),
        # space.py, meters.py
        Entry("space.widen", lambda y, sr: space.widen(y, 6.0), "same"),
        Entry("meters.oversample_4x", lambda y, sr: meters.oversample_4x(y), rate_clips=SHORT),
        # plots.py: the figures that take audio
        Entry("plots.decay_curves_figure", lambda y, sr: plots.decay_curves_figure({"a": y}, sr, next_hit_s=0.1),
              rate_clips=()),
        Entry("plots.onset_figure", lambda y, sr: plots.onset_figure({"a": y}, sr, 0.01), rate_clips=()),
        Entry("plots.true_peak_zoom", lambda y, sr: plots.true_peak_zoom(y, sr)),
        Entry("plots.true_peak_figure", lambda y, sr: plots.true_peak_figure(y, sr), rate_clips=()),
        Entry("plots.chain_stages_figure", lambda y, sr: plots.chain_stages_figure({"master": y}, sr), rate_clips=()),
    ]


# --------------------------------------------------------------------------- number parameters

#: What a student can type where a number goes, by name (the good kinds too: 0, -1, 2.5, huge).
AWKWARD_NUMBERS: dict[str, object] = {
    "None": None,
    "'3'": "3",
    "NaN": float("nan"),
    "+inf": float("inf"),
    "-inf": -float("inf"),
    "0": 0,
    "-1": -1,
    "2.5": 2.5,
    "1e12": 1e12,
    "-1e12": -1e12,
    "True": True,
    "1+2j": 1 + 2j,
    "[]": [],
    "array": np.array([1.0, 2.0]),
}
#: Values no number parameter may take silently: each must be refused with a ProducerkitError.
MUST_REFUSE = ("'3'", "NaN", "True", "1+2j", "array")


@dataclasses.dataclass(frozen=True)
class NumberEntry:
    """One number parameter of a public call: ``call(value)`` passes the value there, the rest ordinary."""

    name: str
    call: Callable
    optional: bool = False  # None means "not given" here (the documented default): it may be taken
    accepts: tuple[str, ...] = ()  # labels of MUST_REFUSE this parameter takes by design ("array": frequencies)


def number_entries() -> list[NumberEntry]:
    """One entry per number parameter of the public calls session 4 added (recording, editing, master, mix,
    capstone, planning, business, space, plots' onset figure)."""
    from producerkit import business, capstone, editing, master, mix, planning, plots, recording, space

    sr = 22050
    clip = _noise(sr // 2, seed=9)
    takes = [clip, clip * np.float32(0.9), clip]
    mic, room = recording.Mic(), recording.Room(decay_s=0.2)
    pair = recording.MicPair(recording.Mic(0.1), recording.Mic(0.5), sr)
    lead = _lead_session(sr)
    sheet = business.SplitSheet("Paper Lanterns", [("Mara", 50, "lyrics"), ("Ana", 50, "music")])
    days = dict(preproduction=2, recording=3, editing=1, overdubs=1)
    echo = space.Delay(time_ms=375, feedback=0.4)
    notes = [editing.NotePitch(0.5, 1.0, "A4", 69, -12.0, 437.0)]

    def ep(**changed):
        return {**days, **changed}

    entries = [
        # recording.py
        NumberEntry("recording.Mic distance_m", lambda v: recording.Mic(distance_m=v)),
        NumberEntry("recording.Mic angle_deg", lambda v: recording.Mic(angle_deg=v)),
        NumberEntry("recording.Mic capsule_mm", lambda v: recording.Mic(capsule_mm=v)),
        NumberEntry("recording.Mic low_cut_hz", lambda v: recording.Mic(low_cut_hz=v)),
        NumberEntry("recording.Mic.response freqs", lambda v: mic.response(v), accepts=("array",)),
        NumberEntry("recording.MicPair.response freqs", lambda v: pair.response(v), accepts=("array",)),
        NumberEntry("recording.Mic.record peak_dbfs", lambda v: mic.record(clip, sr, peak_dbfs=v), optional=True),
        NumberEntry("recording.Room decay_s", lambda v: recording.Room(decay_s=v)),
        NumberEntry("recording.Room critical_distance_m", lambda v: recording.Room(critical_distance_m=v)),
        NumberEntry("recording.Room damping", lambda v: recording.Room(damping=v)),
        NumberEntry("recording.Room size", lambda v: recording.Room(size=v)),
        NumberEntry("recording.MicPair delay_samples", lambda v: recording.MicPair(mic, mic, sr, delay_samples=v)),
        NumberEntry("recording.MicPair polarity", lambda v: recording.MicPair(mic, mic, sr, polarity=v)),
        NumberEntry("recording.MicPair.notches fmax", lambda v: pair.notches(v)),
        NumberEntry("recording.MicPair.record peak_dbfs", lambda v: pair.record(clip, room, peak_dbfs=v),
                    optional=True),
        NumberEntry("recording.capture gain_db", lambda v: recording.capture(clip, v)),
        NumberEntry("recording.capture noise_dbfs", lambda v: recording.capture(clip, 0.0, noise_dbfs=v)),
        NumberEntry("recording.capture converter_noise_dbfs",
                    lambda v: recording.capture(clip, 0.0, converter_noise_dbfs=v)),
        NumberEntry("recording.capture seed", lambda v: recording.capture(clip, 0.0, seed=v), optional=True),
        NumberEntry("recording.proximity_boost_db distance_m", lambda v: recording.proximity_boost_db(v, 100.0)),
        NumberEntry("recording.proximity_boost_db freq_hz", lambda v: recording.proximity_boost_db(0.1, v)),
        NumberEntry("recording.delay_samples near_m", lambda v: recording.delay_samples(v, 1.0, sr)),
        NumberEntry("recording.delay_samples far_m", lambda v: recording.delay_samples(0.1, v, sr)),
        NumberEntry("recording.comb_notches delay_s", lambda v: recording.comb_notches(v)),
        NumberEntry("recording.comb_notches fmax", lambda v: recording.comb_notches(0.001, v)),
        NumberEntry("recording.comb_notches polarity", lambda v: recording.comb_notches(0.001, polarity=v)),
        NumberEntry("recording.align samples", lambda v: recording.align(clip, v)),
        NumberEntry("recording.find_delay max_ms", lambda v: recording.find_delay(clip, clip, sr, max_ms=v)),
        NumberEntry("recording.clipped_samples threshold", lambda v: recording.clipped_samples(clip, v)),
        NumberEntry("recording.noise_floor_dbfs window_ms", lambda v: recording.noise_floor_dbfs(clip, sr, v)),
        # editing.py
        NumberEntry("editing.tune cents", lambda v: editing.tune(clip, sr, v)),
        NumberEntry("editing.tune start_s", lambda v: editing.tune(clip, sr, 20.0, start_s=v), optional=True),
        NumberEntry("editing.tune end_s", lambda v: editing.tune(clip, sr, 20.0, end_s=v), optional=True),
        NumberEntry("editing.tune crossfade_ms",
                    lambda v: editing.tune(clip, sr, 20.0, start_s=0.1, end_s=0.3, crossfade_ms=v)),
        NumberEntry("editing.note_pitches fmin", lambda v: editing.note_pitches(clip, sr, fmin=v)),
        NumberEntry("editing.note_pitches fmax", lambda v: editing.note_pitches(clip, sr, fmax=v)),
        NumberEntry("editing.note_pitches min_note_ms", lambda v: editing.note_pitches(clip, sr, min_note_ms=v)),
        NumberEntry("editing.note_name midi", lambda v: editing.note_name(v)),
        NumberEntry("editing.comp_takes bpm", lambda v: editing.comp_takes(takes, sr, [(0.0, 0.2), (0.2, 0.4)],
                                                                           bpm=v), optional=True),
        NumberEntry("editing.comp_takes grid", lambda v: editing.comp_takes(takes, sr, [(0.0, 0.4)], 120, grid=v)),
        NumberEntry("editing.comp_takes beats_per_bar",
                    lambda v: editing.comp_takes(takes, sr, [(0.0, 0.4)], 120, beats_per_bar=v)),
        NumberEntry("editing.comp_takes crossfade_ms",
                    lambda v: editing.comp_takes(takes, sr, [(0.0, 0.2), (0.2, 0.4)], crossfade_ms=v)),
        NumberEntry("editing.comp_takes phrase start",
                    lambda v: editing.comp_takes(takes, sr, [(v, 0.4)])),
        NumberEntry("editing.comp_takes weights",
                    lambda v: editing.comp_takes(takes, sr, [(0.0, 0.4)], weights={"timing": v})),
        NumberEntry("editing.flat_phrase_demo cents", lambda v: editing.flat_phrase_demo(clip, sr, cents=v,
                                                                                         session=lead)),
        NumberEntry("editing.click_db at_s", lambda v: editing.click_db(clip, sr, v)),
        NumberEntry("editing.click_db window_ms", lambda v: editing.click_db(clip, sr, 0.25, window_ms=v)),
        NumberEntry("editing.nudge ms", lambda v: editing.nudge(clip, sr, v)),
        # master.py
        NumberEntry("master.master_to_platform highpass_hz",
                    lambda v: master.master_to_platform(clip, sr, "apple", highpass_hz=v), optional=True),
        NumberEntry("master.decode_mix max_seconds", lambda v: master.decode_mix(_wav_bytes(clip, sr), max_seconds=v)),
        NumberEntry("master.delivery_name sr", lambda v: master.delivery_name("Paper Lanterns", sr=v)),
        NumberEntry("master.delivery_name bits", lambda v: master.delivery_name("Paper Lanterns", bits=v)),
        # mix.py
        NumberEntry("mix.ChannelMix gain_db", lambda v: mix.ChannelMix(gain_db=v)),
        NumberEntry("mix.ChannelMix pan", lambda v: mix.ChannelMix(pan=v)),
        NumberEntry("mix.MixSettings channel gain_db", lambda v: mix.MixSettings({"a": {"gain_db": v}})),
        NumberEntry("mix.MixSettings.from_dict pan", lambda v: mix.MixSettings.from_dict(
            {**mix.MixSettings({"a": {}}).to_dict(), "channels": {"a": {"pan": v}}})),
        # capstone.py
        NumberEntry("capstone.headroom_trim peak_dbfs", lambda v: capstone.headroom_trim(clip, v)),
        NumberEntry("capstone.tune_phrase cents", lambda v: capstone.tune_phrase(lead, clip, v)),
        NumberEntry("capstone.mixdown fader", lambda v: capstone.mixdown({"lead": clip}, sr, {"lead": v})),
        NumberEntry("capstone.mixdown pan", lambda v: capstone.mixdown({"lead": clip}, sr, {}, {"lead": v})),
        NumberEntry("capstone.platform_name", lambda v: capstone.platform_name(v)),
        NumberEntry("capstone.master_for sr", lambda v: capstone.master_for(clip, v, "spotify")),
        # planning.py, business.py
        NumberEntry("planning.ep_budget songs", lambda v: planning.ep_budget(v, **days)),
        NumberEntry("planning.ep_budget recording days", lambda v: planning.ep_budget(3, **ep(recording=v))),
        NumberEntry("planning.ep_budget delivery days", lambda v: planning.ep_budget(3, delivery=v, **days)),
        NumberEntry("planning.ep_budget contingency", lambda v: planning.ep_budget(3, contingency=v, **days)),
        NumberEntry("planning.ep_budget budget", lambda v: planning.ep_budget(3, budget=v, **days), optional=True),
        NumberEntry("planning.ep_budget a rate", lambda v: planning.ep_budget(
            3, rates={**business.EP_RATES_GBP, "studio day rate": v}, **days)),
        NumberEntry("planning.ep_plan songs", lambda v: planning.ep_plan(v, **days)),
        NumberEntry("planning.ep_plan editing days", lambda v: planning.ep_plan(3, **ep(editing=v))),
        NumberEntry("planning.ep_plan mixing_days", lambda v: planning.ep_plan(3, mixing_days=v, **days),
                    optional=True),
        NumberEntry("planning.ep_plan mastering_days", lambda v: planning.ep_plan(3, mastering_days=v, **days)),
        NumberEntry("planning.ep_plan contingency", lambda v: planning.ep_plan(3, contingency=v, **days)),
        NumberEntry("planning.ep_plan budget", lambda v: planning.ep_plan(3, budget=v, **days), optional=True),
        NumberEntry("planning.ep_plan start", lambda v: planning.ep_plan(3, start=v, **days)),
        NumberEntry("business.money", lambda v: business.money(v)),
        NumberEntry("business.royalties producer_points", lambda v: business.royalties(v, streams=100_000)),
        NumberEntry("business.royalties streams", lambda v: business.royalties(3, streams=v), optional=True),
        NumberEntry("business.royalties revenue", lambda v: business.royalties(3, revenue=v), optional=True),
        NumberEntry("business.royalties rate_per_stream",
                    lambda v: business.royalties(3, streams=100_000, rate_per_stream=v)),
        NumberEntry("business.royalties artist_royalty_pct",
                    lambda v: business.royalties(3, streams=100_000, artist_royalty_pct=v)),
        NumberEntry("business.royalties recoupable_advance",
                    lambda v: business.royalties(3, streams=100_000, recoupable_advance=v)),
        NumberEntry("business.SplitSheet.share_of", lambda v: sheet.share_of(v)),
        NumberEntry("business.SplitSheet share", lambda v: business.SplitSheet("Song", [("Mara", v, "lyrics")])),
        # space.py, plots.py
        NumberEntry("space.widen side_db", lambda v: space.widen(np.stack([clip, -clip]), v)),
        NumberEntry("plots.onset_figure start_s", lambda v: plots.onset_figure({"a": clip}, sr, v)),
        NumberEntry("plots.onset_figure length_ms", lambda v: plots.onset_figure({"a": clip}, sr, 0.0, v)),
        NumberEntry("plots.decay_curves_figure sr", lambda v: plots.decay_curves_figure({"a": clip}, v)),
        NumberEntry("plots.onset_figure sr", lambda v: plots.onset_figure({"a": clip}, v, 0.0)),
        NumberEntry("plots.true_peak_figure sr", lambda v: plots.true_peak_figure(clip, v)),
        NumberEntry("plots.chain_stages_figure sr", lambda v: plots.chain_stages_figure({"master": clip}, v)),
        NumberEntry("plots.tuning_figure tolerance_cents", lambda v: plots.tuning_figure(notes, tolerance_cents=v)),
        NumberEntry("plots.echoes_figure sr", lambda v: plots.echoes_figure({"a": echo}, v, 120.0)),
        NumberEntry("plots.echoes_figure bpm", lambda v: plots.echoes_figure({"a": echo}, sr, v)),
        NumberEntry("plots.echoes_figure beats", lambda v: plots.echoes_figure({"a": echo}, sr, 120.0, v)),
    ]
    return entries


def _wav_bytes(y, sr) -> bytes:
    import io

    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, y, sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()
