"""Tests for producerkit.master: master() to a loudness target, and qc() against platform specs.

References: ITU-R BS.1770-4 loudness and true peak (measured independently with
producerkit.meters and, for loudness, pyloudnorm); EBU R 128 (-23 LUFS ±0.5 LU, -1 dBTP);
the platform figures cited in producerkit.master's docstring (Spotify for Artists "Loudness
normalization": -14 LUFS, -1 dBTP, -2 dBTP for masters louder than -14 LUFS).
"""

import math

import numpy as np
import pytest

from producerkit import master as master_module
from producerkit import meters
from producerkit.audio import db_to_amp, save
from producerkit.errors import AudioError, ParameterError
from producerkit.master import PLATFORM_TARGETS, get_target, master, qc, targets
from producerkit.signals import noise

SR = 44100


def to_lufs(y, lufs):
    return (y * db_to_amp(lufs - meters.integrated_loudness(y, SR))).astype(np.float32)


def music_like(seconds=6.0, seed=0):
    """Kick, hats, a moving bass and a wide pink pad: transients plus sustain, like a mix."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    phase = t % 0.5
    kick = np.sin(2 * np.pi * (50 + 120 * np.exp(-phase / 0.03)) * phase) * np.exp(-phase / 0.12)
    hats = noise(seconds, SR, level_dbfs=-12, seed=seed + 1) * np.exp(-(t % 0.25) / 0.02)
    bass = 0.3 * np.sin(2 * np.pi * 55 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.25 * t))
    pad = noise(seconds, SR, color="pink", level_dbfs=-24, seed=seed + 2, channels=2, decorrelated=True)
    centre = 0.8 * kick + 0.5 * hats + bass
    return (np.stack([centre, centre]) + pad).astype(np.float32)


def pink_stereo(seconds=6.0, seed=3, width=0.3):
    common = noise(seconds, SR, color="pink", level_dbfs=-20, seed=seed)
    sides = noise(seconds, SR, color="pink", level_dbfs=-20, seed=seed + 1, channels=2, decorrelated=True)
    return ((1 - width) * common + width * sides).astype(np.float32)


def faded(y, ms=50):
    """Short fade in/out so the QC 'ending' check sees a clean end."""
    n = int(ms / 1000 * SR)
    ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
    y = y.copy()
    y[..., :n] *= ramp
    y[..., -n:] *= ramp[::-1]
    return y


SIGNALS = {"music": music_like(), "pink": pink_stereo()}


# --------------------------------------------------------------------------- master()


@pytest.mark.parametrize("signal", ["music", "pink"])
@pytest.mark.parametrize("input_lufs", [-30.0, -20.0, -8.0])
@pytest.mark.parametrize("target", [-14.0, -9.0, -23.0])
def test_master_lands_within_half_lu_under_the_ceiling(signal, input_lufs, target):
    """BS.1770-4 integrated loudness within ±0.5 LU of the target; true peak <= -1 dBTP (meters.true_peak)."""
    pyln = pytest.importorskip("pyloudnorm")
    y = to_lufs(SIGNALS[signal], input_lufs)
    out, report = master(y, SR, target_lufs=target, ceiling_dbtp=-1.0)
    assert out.shape == y.shape and out.dtype == np.float32
    measured = meters.integrated_loudness(out, SR)
    assert abs(measured - target) <= 0.5
    assert abs(measured - target) <= 0.2  # aims for ±0.1 LU, keeps a cleaner release within ±0.2
    assert meters.true_peak(out, SR) <= -1.0
    reference = pyln.Meter(SR).integrated_loudness(out.T.astype(np.float64))
    assert abs(reference - target) <= 0.5
    assert report.output_lufs == pytest.approx(measured, abs=1e-6)
    assert report.within_target
    assert [s.name for s in report.stages] == ["Gain", "Limiter"]


def test_gain_stage_reads_the_mix_times_the_gain():
    """The Gain stage's loudness (found from the mix's gating blocks) is the loudness of the mix times the gain."""
    y = to_lufs(SIGNALS["music"], -20.0)
    _, report = master(y, SR, -9.0)
    gain = report.stage("Gain")
    gained = (y.astype(np.float64) * db_to_amp(gain.details["gain_db"])).astype(np.float32)
    assert gain.output_lufs == pytest.approx(meters.integrated_loudness(gained, SR), abs=0.01)


def test_the_benchmark_times_every_target_in_the_table_from_quiet_and_loud_mixes():
    """bench/master.py (issue 18's figure) covers every row of targets(), from a quiet and a loud mix."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "master.py"
    spec = importlib.util.spec_from_file_location("bench_master", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    timed = {(key, lufs_in, lufs, ceiling) for key, lufs_in, lufs, ceiling in bench.cases()}
    for t in targets():
        for lufs_in in (-20.0, -8.0):
            assert (t.key, lufs_in, t.integrated_lufs, t.true_peak_dbtp) in timed, (t.key, lufs_in)
    assert ("loud -9", -20.0, -9.0, -1.0) in timed  # the figure issue 18 was filed with


def test_quiet_target_is_gain_only_when_peaks_allow():
    """Turning a -8 LUFS mix down to -23 needs no limiting: the output is the input times one gain."""
    y = to_lufs(SIGNALS["music"], -8.0)
    out, report = master(y, SR, target_lufs=-23.0)
    gain = report.stage("Gain").details["gain_db"]
    assert gain == pytest.approx(-15.0, abs=0.05)
    np.testing.assert_allclose(out, y * db_to_amp(gain), atol=1e-6)
    assert report.stage("Limiter").details["max_gain_reduction_db"] == 0.0
    assert "Gain: -15.0 dB to reach -23 LUFS" in report.stage("Gain").action


def test_report_names_what_each_stage_did_with_eq_and_compressor():
    from producerkit.dynamics import Compressor
    from producerkit.eq import EQ, HighPass, Peak

    y = to_lufs(SIGNALS["music"], -20.0)
    comp = Compressor(threshold_db=-24.0, ratio=3.0, attack_ms=10.0, release_ms=100.0)
    eq = EQ([HighPass(30), Peak(3000, gain_db=-2.0, q=1.0)])
    out, report = master(y, SR, target_lufs=-14.0, eq=eq, compressor=comp)
    assert [s.name for s in report.stages] == ["EQ", "Compressor", "Gain", "Limiter"]
    assert report.stage("EQ").action == "EQ: 2 bands"
    expected_gr = float(np.max(comp.process(eq(y, SR), SR).gain_reduction_db))
    assert expected_gr > 1.0
    assert report.stage("Compressor").action == f"Compressor: up to {expected_gr:.1f} dB gain reduction"
    assert report.stage("Gain").action.endswith("to reach -14 LUFS")
    limiter = report.stage("Limiter").action
    assert limiter.startswith("Limiter: up to") and "dBTP" in limiter
    # stages chain: each one starts where the previous ended
    for before, after in zip(report.stages, report.stages[1:], strict=False):
        assert after.input_lufs == pytest.approx(before.output_lufs, abs=1e-6) or after.name == "Limiter"
    assert abs(meters.integrated_loudness(out, SR) + 14.0) <= 0.5
    text = str(report)
    assert "Compressor: up to" in text and "Limiter" in text and "target -14" in text
    assert "<table>" in report._repr_html_()


def test_custom_ceiling_and_mono_layout():
    y = to_lufs(noise(5.0, SR, color="pink", seed=9), -20.0)
    out, report = master(y, SR, target_lufs=-12.0, ceiling_dbtp=-2.0)
    assert out.ndim == 1
    assert meters.true_peak(out, SR) <= -2.0
    assert abs(meters.integrated_loudness(out, SR) + 12.0) <= 0.5


def test_unreachable_target_is_reported_not_hidden():
    """With a slow release only, pink noise cannot be limited to -6 LUFS under -1 dBTP."""
    y = to_lufs(pink_stereo(4.0), -20.0)
    out, report = master(y, SR, target_lufs=-6.0, release_ms=100.0)
    assert meters.true_peak(out, SR) <= -1.0
    assert not report.within_target
    assert any("could not reach -6 LUFS" in n for n in report.notes)


def test_silent_short_and_bad_parameters_raise_clearly():
    with pytest.raises(AudioError, match="nothing to master"):
        master(np.zeros((2, SR), np.float32), SR)
    with pytest.raises(AudioError, match="400 ms"):
        master(noise(0.1, SR), SR)
    y = noise(1.0, SR)
    with pytest.raises(ParameterError, match="target_lufs"):
        master(y, SR, target_lufs=3.0)
    with pytest.raises(ParameterError, match="ceiling_dbtp"):
        master(y, SR, ceiling_dbtp=1.0)
    with pytest.raises(ParameterError, match="processor"):
        master(y, SR, eq="bright")


# --------------------------------------------------------------------------- targets


def test_platform_figures_match_the_cited_sources():
    figures = {k: (t.integrated_lufs, t.true_peak_dbtp) for k, t in PLATFORM_TARGETS.items()}
    assert figures == {
        "spotify": (-14.0, -1.0),
        "apple": (-16.0, -1.0),
        "youtube": (-14.0, -1.0),
        "tidal": (-14.0, -1.0),
        "amazon": (-14.0, -2.0),
        "deezer": (-15.0, -1.0),
        "ebu_r128": (-23.0, -1.0),
    }
    assert PLATFORM_TARGETS["spotify"].loud_true_peak_dbtp == -2.0
    assert PLATFORM_TARGETS["ebu_r128"].tolerance_lu == 0.5
    assert all(t.source for t in PLATFORM_TARGETS.values())
    table = targets()
    assert len(table) == 7 and "Apple Music" in str(table) and "<table>" in table._repr_html_()
    assert get_target("Apple Music").key == "apple"
    assert get_target("EBU R128").key == "ebu_r128"
    with pytest.raises(ParameterError, match="unknown target"):
        get_target("myspace")


# --------------------------------------------------------------------------- qc()


@pytest.fixture(scope="module")
def good_master():
    out, _ = master(to_lufs(pink_stereo(8.0), -20.0), SR, target_lufs=-14.0)
    return faded(out)


def test_a_minus_14_master_passes_spotify(good_master):
    report = qc(good_master, SR, target="spotify")
    assert report.verdict == "pass", str(report)
    assert report["integrated loudness"].status == "pass"
    assert report["true peak"].status == "pass"
    for item in report:
        assert item.message and "\n" not in item.message
    assert "QC for Spotify: PASS" in str(report)
    assert "PASS" in report._repr_html_()


def test_loud_master_warns_it_will_be_turned_down_on_spotify():
    """Spotify: louder than -14 LUFS is turned down; louder masters should peak under -2 dBTP."""
    loud, _ = master(to_lufs(pink_stereo(8.0), -20.0), SR, target_lufs=-8.0)
    report = qc(faded(loud), SR, target="spotify")
    item = report["integrated loudness"]
    assert item.status == "warn" and f"turn it down by {item.value + 14:.1f} dB" in item.message
    assert item.value + 14 == pytest.approx(6.0, abs=0.5)
    assert "lose dynamics for nothing" in item.message
    assert report["true peak"].status == "warn" and "-2 dBTP" in report["true peak"].message
    assert report["PLR"].status == "warn"
    assert report.verdict == "warn" and report.passed


def test_ebu_r128_is_strict_about_loudness_and_true_peak(good_master):
    base = to_lufs(good_master, -23.0)
    assert qc(base, SR, "ebu_r128")["integrated loudness"].status == "pass"
    assert qc(to_lufs(base, -23.4), SR, "ebu_r128")["integrated loudness"].status == "pass"
    assert qc(to_lufs(base, -23.8), SR, "ebu_r128")["integrated loudness"].status == "warn"
    assert qc(to_lufs(base, -24.5), SR, "ebu_r128")["integrated loudness"].status == "fail"
    # quieter than a streaming reference is only a warning
    quiet = qc(to_lufs(base, -20.0), SR, "tidal")["integrated loudness"]
    assert quiet.status == "warn" and "does not turn quiet tracks up" in quiet.message
    # a true peak of about -0.5 dBTP: over the broadcast maximum (fail), over a streaming recommendation (warn)
    hot = (base * db_to_amp(-0.5 - meters.true_peak(base, SR))).astype(np.float32)
    assert qc(hot, SR, "ebu_r128")["true peak"].status == "fail"
    assert qc(hot, SR, "apple")["true peak"].status == "warn"


def test_clipping_counts_runs_of_three_full_scale_samples():
    t = np.arange(2 * SR) / SR
    clipped = np.clip(1.5 * np.sin(2 * np.pi * 100 * t), -1.0, 1.0).astype(np.float32)
    report = qc(clipped, SR)
    assert report["clipping"].status == "fail" and report["clipping"].value == 400  # 2 per cycle, 200 cycles
    spikes = faded(noise(2.0, SR, level_dbfs=-30))
    spikes[1000] = spikes[5000] = 1.0
    spikes[9000:9002] = 1.0  # two in a row is not yet a clipped run
    assert qc(spikes, SR)["clipping"].status == "pass"


def test_dc_offset_below_the_floor_is_shown_as_a_level_not_none():
    """A DC offset too small to measure reads "< -120 dBFS" beside the other lines' dBFS values, never "none"."""
    t = np.arange(SR) / SR
    centred = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    item = qc(centred, SR)["DC offset"]
    assert item.status == "pass" and item.measured == "< -120 dBFS"
    off = qc(centred + np.float32(0.05), SR)["DC offset"]
    assert off.measured == "-26.0 dBFS"


def test_dc_offset_and_mono_compatibility(good_master):
    shifted = (good_master + 0.01).astype(np.float32)  # -40 dBFS of DC
    assert qc(shifted, SR)["DC offset"].status == "warn"
    assert qc(good_master, SR)["DC offset"].status == "pass"
    flipped = np.stack([good_master[0], -good_master[0]])
    item = qc(flipped, SR)["mono compatibility"]
    assert item.status == "fail" and item.value == pytest.approx(-1.0)
    wide = faded(to_lufs(noise(4.0, SR, color="pink", channels=2, decorrelated=True), -14.0))
    assert qc(wide, SR)["mono compatibility"].status == "warn"
    assert qc(good_master[0], SR)["mono compatibility"].status == "pass"


def test_silence_at_head_and_tail_and_abrupt_end(good_master):
    gap = np.zeros((2, 3 * SR), np.float32)
    padded = np.concatenate([gap, good_master, gap[:, :SR]], axis=1)
    report = qc(padded, SR)
    assert report["head silence"].status == "warn" and report["head silence"].value == pytest.approx(3.0, abs=0.06)
    assert report["tail silence"].status == "pass"
    cut = good_master[:, : -SR // 2]  # stops mid-sound
    assert qc(cut, SR)["ending"].status == "warn"
    assert qc(good_master, SR)["ending"].status == "pass"
    silent = qc(np.zeros(SR, np.float32), SR)
    assert silent["integrated loudness"].status == "fail" and silent.verdict == "fail"


def test_file_sample_rate_and_bit_depth(tmp_path, good_master):
    """soundfile.info of the written file: 24-bit PCM at 44.1 kHz passes; float warns; 22.05 kHz fails."""
    path = save(tmp_path / "master.wav", good_master, SR, subtype="PCM_24")
    report = qc(path, target="spotify")
    assert report["sample rate"].status == "pass" and report["bit depth"].status == "pass"
    assert report["bit depth"].measured == "PCM_24"
    assert qc(path, target="ebu_r128")["sample rate"].status == "warn"  # broadcast wants 48 kHz
    float_path = save(tmp_path / "float.wav", good_master, SR, subtype="FLOAT")
    assert qc(float_path)["bit depth"].status == "warn"
    info = {"samplerate": 22050, "subtype": "PCM_16"}
    report = qc(good_master, SR, file_info=info)
    assert report["sample rate"].status == "fail" and report["bit depth"].status == "pass"
    assert (
        qc(good_master, SR, file_info={"samplerate": 48000, "subtype": "VORBIS", "format": "OGG"})["bit depth"].status
        == "fail"
    )
    assert "sample rate" not in {i.subject for i in qc(good_master, SR)}
    with pytest.raises(ParameterError, match="not both"):
        qc(path, SR)


def test_every_item_is_pass_warn_or_fail_with_a_value_or_none(good_master):
    report = qc(good_master, SR, target="youtube")
    assert {i.status for i in report} <= {"pass", "warn", "fail"}
    names = [i.subject for i in report]
    for expected in (
        "integrated loudness",
        "true peak",
        "PLR",
        "LRA",
        "clipping",
        "DC offset",
        "mono compatibility",
        "head silence",
        "tail silence",
    ):
        assert expected in names
    plr = report["PLR"].value
    assert plr == pytest.approx(report["true peak"].value - report["integrated loudness"].value)
    assert math.isfinite(plr)


def test_qc_reuses_a_measurement_it_is_given_and_applies_the_loud_master_rule_with_a_margin():
    from producerkit.meters import loudness

    y = to_lufs(music_like(), -14.0)
    stats = loudness(y, SR)
    assert qc(y, SR, measured=stats).to_dict() == qc(y, SR).to_dict()
    # at the reference (within 0.2 LU), Spotify's stricter -2 dBTP rule for loud masters does not apply
    limited, _ = master(y, SR, target_lufs=-13.95, ceiling_dbtp=-1.5)
    assert qc(limited, SR, target="spotify")["true peak"].status == "pass"


def test_each_rule_runs_alone_on_one_measurement(good_master):
    """A mastering exercise can run one rule: rule_x(delivery(y, sr, target)) is qc's finding for that rule."""
    from producerkit.master import QC_RULES, delivery, rule_true_peak
    from producerkit.report import Finding

    d = delivery(good_master, SR, "apple")
    whole = qc(good_master, SR, target="apple")
    assert math.isfinite(d.lra_lu) and whole["LRA"].value == pytest.approx(d.lra_lu)  # measured, not "n/a"
    assert rule_true_peak(d) == whole["true peak"]
    alone = [r(d) for r in QC_RULES]
    assert [f for f in alone if f is not None] == list(whole)
    assert all(isinstance(f, Finding) for f in whole)
    only = qc(good_master, SR, target="apple", rules=[rule_true_peak])
    assert [f.subject for f in only] == ["true peak"] and only.title == "QC for Apple Music"


@pytest.mark.parametrize("target, reference", [("ebu_r128", -23.0), (master_module.PlatformTarget(
    "atsc", "ATSC A/85 (broadcast)", -24.0, -2.0, "broadcast", tolerance_lu=2.0), -24.0)])
def test_broadcast_loudness_messages_quote_the_platforms_own_reference(good_master, target, reference):
    """qc used to say "-23 LUFS" for any broadcast target; the message now names the platform's reference."""
    far = qc(to_lufs(good_master, reference - 6.0), SR, target)["integrated loudness"]
    assert far.status == "fail" and f"normalise to {reference:g} LUFS" in far.message
    assert f"below {reference:g} LUFS" in far.message
    if reference != -23.0:
        assert "-23" not in far.message


def test_head_and_tail_silence_scan_from_each_end_equals_the_whole_clip_measure():
    """qc's silence rules look at each end in steps, not at every sample: the same seconds as the whole-clip
    measure, for silences shorter and longer than a step, mono and stereo, one loud sample, and all silence."""
    from producerkit.master import SILENCE_DBFS, _silence_s

    def whole_clip(y, sr):
        loud = np.flatnonzero(np.max(np.abs(y.reshape(-1, y.shape[-1])), axis=0) > db_to_amp(SILENCE_DBFS))
        if loud.size == 0:
            return y.shape[-1] / sr, y.shape[-1] / sr
        return loud[0] / sr, (y.shape[-1] - 1 - loud[-1]) / sr

    rng = np.random.default_rng(7)
    sr = 44100
    cases = []
    for head, body, tail in [(0, 1000, 0), (5, 30_000, 20_000), (20_000, 3, 9000), (0, 1, 50_000), (50_000, 1, 0),
                             (8191, 2, 8192), (8192, 1, 8193), (100, 0, 100)]:
        for channels in (1, 2):
            y = np.zeros((channels, head + body + tail), np.float32)
            y[:, head : head + body] = rng.uniform(-0.5, 0.5, (channels, body)) + 0.1
            y[:, head : head + body][:, ::7] = 0.0  # quiet samples inside the music too
            if channels == 2 and body:
                y[0, head] = 0.0  # the first loud sample on one channel only
            cases.append(y[0] if channels == 1 else y)
    for y in cases:
        d = master_module.Delivery(y=y, sr=sr, platform=get_target("spotify"), integrated_lufs=-14.0,
                            true_peak_dbtp=-1.0, lra_lu=5.0)
        assert _silence_s(d) == pytest.approx(whole_clip(y, sr)), y.shape
