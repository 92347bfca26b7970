"""Tests for producerkit.mix: chains, gain, pan laws, parallel processing and the mixer.

References: the pan-law definitions (constant power sin/cos for -3 dB, linear for -6 dB, their
geometric mean for -4.5 dB) as given in e.g. Griesinger / the DAW manuals summarised in the
module docstring; desk solo/mute conventions (mute wins, buses solo-safe); pyloudnorm
(BS.1770) for the loudness column of the gain-staging report.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit.errors import AudioError, ParameterError
from producerkit.mix import (
    GAIN_STAGING_RULE,
    PAN_LAWS,
    Bus,
    Chain,
    Gain,
    Mixer,
    Pan,
    Parallel,
    Track,
    balance_gains,
    pan_gains,
)
from producerkit.report import Report
from producerkit.signals import noise, sine

SR = 48000


def db(x):
    return 20 * np.log10(np.max(np.abs(x)))


def delay(n):
    """A processor that delays by n samples and says so (as a lookahead limiter would)."""

    def proc(y, sr):
        pad = [(0, 0)] * (y.ndim - 1) + [(n, 0)]
        return np.pad(y, pad)[..., : y.shape[-1]]

    proc.latency_samples = n
    return proc


# --------------------------------------------------------------------------- Pan laws


def test_issue_mono_centre_minus_3db_law_is_minus_3_01_db_each_channel():
    y = sine(997, 0.5, SR, level_dbfs=0.0)
    out = Pan(0.0, "-3dB")(y, SR)
    assert out.shape == (2, y.size) and out.dtype == np.float32
    np.testing.assert_allclose(db(out[0]), -3.0103, atol=0.001)
    np.testing.assert_allclose(db(out[1]), -3.0103, atol=0.001)


@pytest.mark.parametrize(
    "law, centre_db, side_db",
    [("-3dB", -3.0103, 0.0), ("-4.5dB", -4.5154, 0.0), ("-6dB", -6.0206, 0.0), ("0dB", 0.0, 3.0103)],
)
def test_pan_law_centre_and_hard_side_gains(law, centre_db, side_db):
    """Centre: -3.01 (sin/cos), -4.52 (geometric mean), -6.02 (linear), 0 dB; hard side as documented."""
    assert law in PAN_LAWS
    left, right = pan_gains(0.0, law)
    assert 20 * math.log10(left) == pytest.approx(centre_db, abs=1e-3)
    assert 20 * math.log10(right) == pytest.approx(centre_db, abs=1e-3)
    hard_l = pan_gains(-1.0, law)
    hard_r = pan_gains(1.0, law)
    assert 20 * math.log10(hard_l[0]) == pytest.approx(side_db, abs=1e-3) and hard_l[1] == 0.0
    assert 20 * math.log10(hard_r[1]) == pytest.approx(side_db, abs=1e-3) and hard_r[0] == 0.0


@settings(max_examples=40, deadline=None)
@given(st.floats(-1.0, 1.0))
def test_constant_power_and_linear_laws_hold_everywhere(p):
    """-3 dB law: L^2 + R^2 = 1; -6 dB law: L + R = 1; -4.5 dB is their geometric mean."""
    l3, r3 = pan_gains(p, "-3dB")
    l6, r6 = pan_gains(p, "-6dB")
    l45, r45 = pan_gains(p, "-4.5dB")
    assert l3**2 + r3**2 == pytest.approx(1.0, abs=1e-12)
    assert l6 + r6 == pytest.approx(1.0, abs=1e-12)
    assert l45 == pytest.approx(math.sqrt(l3 * l6), abs=1e-12)
    assert r45 == pytest.approx(math.sqrt(r3 * r6), abs=1e-12)


def test_pan_law_aliases_and_bad_law():
    assert Pan(0.2, "-3 dB").law == "-3dB"
    assert Pan(0.2, -4.5).law == "-4.5dB"
    with pytest.raises(ParameterError, match="pan law"):
        Pan(0.0, "-2dB")


@settings(max_examples=30, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not -1 <= x <= 1)))
def test_pan_outside_range_is_refused(p):
    with pytest.raises(ParameterError, match="between -1"):
        Pan(p)


def test_stereo_input_is_balanced_not_panned():
    y = noise(0.2, SR, channels=2, decorrelated=True)
    np.testing.assert_array_equal(Pan(0.0)(y, SR), y)  # centre: unity on both sides
    right = Pan(1.0)(y, SR)
    assert np.all(right[0] == 0) and np.array_equal(right[1], y[1])
    half = balance_gains(-0.5, "-6dB")
    assert half == pytest.approx((1.0, 0.5))
    with pytest.raises(AudioError, match="mono or stereo"):
        Pan(0.0)(np.zeros((3, 100), np.float32), SR)


# --------------------------------------------------------------------------- Gain, Chain


def test_gain_minus_6_02_db_halves_and_keeps_layout():
    y = noise(0.1, SR, channels=2, decorrelated=True)
    out = Gain(-20 * math.log10(2))(y, SR)
    assert out.shape == y.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, y / 2, rtol=1e-6)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), "6", 200.0])
def test_gain_refuses_non_finite_or_absurd(bad):
    with pytest.raises(ParameterError):
        Gain(bad)


def test_chain_runs_in_order_and_is_list_like():
    add = lambda y, sr: y + 1.0  # noqa: E731
    double = lambda y, sr: y * 2.0  # noqa: E731
    y = np.zeros(10, np.float32)
    assert np.all(Chain([add, double])(y, SR) == 2.0)
    assert np.all(Chain([double, add])(y, SR) == 1.0)
    chain = Chain([Gain(-6.0)])
    chain.append(Pan(0.5))
    chain.insert(0, Gain(3.0))
    assert len(chain) == 3 and isinstance(chain[1:], Chain) and chain[0] == Gain(3.0)
    assert isinstance(chain + [Gain(1.0)], Chain) and len(chain + [Gain(1.0)]) == 4
    del chain[0]
    assert chain == [Gain(-6.0), Pan(0.5)]
    text = repr(chain)
    assert text.startswith("Chain([") and "Gain(gain_db=-6.0)" in text and "Pan(position=0.5" in text
    assert repr(Chain()) == "Chain([])"
    np.testing.assert_array_equal(Chain()(y, SR), y)


def test_chain_refuses_non_processors_with_clear_messages():
    with pytest.raises(ParameterError, match="cannot process audio"):
        Chain([Gain(0), 3])
    with pytest.raises(ParameterError, match="class Gain"):
        Chain([Gain])
    chain = Chain()
    with pytest.raises(ParameterError):
        chain.append("reverb")
    with pytest.raises(ParameterError):
        chain += [None]
    with pytest.raises(ParameterError, match="brackets"):
        Chain(Gain(0))
    assert len(chain) == 0


def test_chain_names_the_step_that_broke_the_audio():
    bad = lambda y, sr: y * np.nan  # noqa: E731
    with pytest.raises(AudioError, match="step 1"):
        Chain([Gain(0), bad])(np.ones(8, np.float32), SR)


# --------------------------------------------------------------------------- Parallel


def test_parallel_mix_endpoints_and_faders():
    y = noise(0.2, SR)
    wet = Gain(-12.0)
    np.testing.assert_allclose(Parallel(wet, mix=0.0)(y, SR), y, atol=1e-7)
    np.testing.assert_allclose(Parallel(wet, mix=1.0)(y, SR), wet(y, SR), atol=1e-7)
    # New York style: dry at unity, wet tucked in at -6 dB.
    out = Parallel(wet, wet_db=-6.0)(y, SR)
    np.testing.assert_allclose(out, y + 10 ** (-6 / 20) * wet(y, SR), atol=1e-6)
    with pytest.raises(ParameterError, match="not both"):
        Parallel(wet, mix=0.5, wet_db=-6.0)
    with pytest.raises(ParameterError, match="between 0"):
        Parallel(wet, mix=1.5)


def test_parallel_compensates_reported_latency_no_comb_filter():
    """Summing a delayed copy with an undelayed one would comb-filter; aligned, it is just the delay."""
    y = noise(0.2, SR)
    d = 64
    out = Parallel(delay(d), mix=0.5)(y, SR)
    assert out.shape == y.shape
    np.testing.assert_allclose(out, y, atol=1e-6)
    assert Chain([delay(5), delay(7)]).latency_samples(SR) == 12


def test_parallel_mono_dry_with_stereo_wet_gives_stereo():
    y = noise(0.1, SR)
    out = Parallel(Pan(1.0), dry_db=0.0, wet_db=0.0)(y, SR)
    assert out.shape == (2, y.size)
    np.testing.assert_allclose(out[0], y, atol=1e-7)
    np.testing.assert_allclose(out[1], 2 * y, atol=1e-6)


# --------------------------------------------------------------------------- Mixer


def two_track_mixer(**kw):
    kick = sine(60, 1.0, SR, level_dbfs=-6.0)
    pad = noise(1.5, SR, color="pink", level_dbfs=-20.0)
    return Mixer(
        [Track("kick", kick, **kw), Track("pad", pad, pan=-0.5, sends={"verb": -6.0})],
        SR,
        buses=[Bus("verb", Chain([Gain(-3.0)]))],
    )


def test_render_is_stereo_float32_padded_to_longest():
    m = two_track_mixer()
    out = m.render()
    assert out.shape == (2, int(1.5 * SR)) and out.dtype == np.float32
    # The kick (1 s) ended: after it only the pad and its bus return remain.
    pad_only = Mixer(
        [Track("pad", m["pad"].audio, pan=-0.5, sends={"verb": -6.0})], SR, buses=[Bus("verb", [Gain(-3.0)])]
    ).render()
    np.testing.assert_allclose(out[:, SR:], pad_only[:, SR:], atol=1e-6)


def test_single_centred_mono_track_renders_at_minus_3_01_db():
    y = sine(997, 0.5, SR, level_dbfs=0.0)
    out = Mixer([Track("tone", y)], SR).render()
    np.testing.assert_allclose([db(out[0]), db(out[1])], [-3.0103, -3.0103], atol=0.001)


def test_stems_sum_to_the_render_and_sends_are_post_fader():
    m = two_track_mixer()
    stems = m.stems()
    assert set(stems) == {"kick", "pad", "verb"}
    np.testing.assert_allclose(sum(stems.values()), m.render(), atol=1e-6)
    # Post-fader: pulling the pad's fader down 10 dB pulls its reverb return down 10 dB too.
    before = np.abs(stems["verb"]).max()
    m["pad"].gain_db = -10.0
    after = np.abs(m.stems()["verb"]).max()
    assert 20 * math.log10(after / before) == pytest.approx(-10.0, abs=1e-3)


def test_solo_and_mute_follow_desk_conventions():
    m = two_track_mixer()
    pad_alone = m.render_track("pad")  # pad + its reverb return
    m["pad"].solo = True
    np.testing.assert_allclose(m.render(), pad_alone, atol=1e-6)  # buses stay solo-safe
    m["kick"].solo = True
    m["kick"].mute = True  # mute wins over solo
    np.testing.assert_allclose(m.render(), pad_alone, atol=1e-6)
    m["pad"].solo = False
    m["kick"].mute = False
    kick_only = m.render()
    assert np.abs(kick_only).max() > 0
    np.testing.assert_allclose(kick_only, m.render_track("kick"), atol=1e-6)
    assert "verb" not in m.stems() or not np.any(m.stems()["verb"])  # the kick sends nothing


def test_master_chain_processes_the_sum():
    m = two_track_mixer()
    plain = m.render()
    m.master = Chain([Gain(-6.0)])
    np.testing.assert_allclose(m.render(), plain * 10 ** (-6 / 20), atol=1e-6)
    assert np.abs(m.render_track("kick") - m.render_track("kick", master=True)).max() > 0


def test_mixer_validation_messages():
    y = noise(0.1, SR)
    with pytest.raises(ParameterError, match="not a bus"):
        Mixer([Track("a", y, sends={"reverb": -12.0})], SR)
    with pytest.raises(ParameterError, match="two tracks"):
        Mixer([Track("a", y), Track("a", y)], SR)
    with pytest.raises(ParameterError, match="resample"):
        Mixer([Track("a", y, sr=44100)], SR)
    with pytest.raises(ParameterError, match="at least one track"):
        Mixer([], SR)
    with pytest.raises(ParameterError, match="track and of a bus"):
        Mixer([Track("verb", y)], SR, buses=[Bus("verb")])
    with pytest.raises(ParameterError, match="finite"):
        Track("a", y, gain_db=float("nan"))
    with pytest.raises(ParameterError, match="between -1"):
        Track("a", y, pan=1.5)
    with pytest.raises(AudioError, match="mono or stereo"):
        Track("surround", np.zeros((6, 100), np.float32))
    t = Track("a", y)
    with pytest.raises(ParameterError):
        t.pan = -2
    assert t.pan == 0.0
    m = Mixer([t], SR)
    t.sends["nowhere"] = -6.0  # edited in place: caught at render time
    with pytest.raises(ParameterError, match="nowhere"):
        m.render()
    with pytest.raises(KeyError):
        m.render_track("missing")


def test_stereo_track_and_insert_chain():
    y = noise(0.3, SR, channels=2, decorrelated=True, level_dbfs=-20)
    m = Mixer([Track("st", y, inserts=[Gain(-6.0)], pan=0.0)], SR)
    np.testing.assert_allclose(m.render(), y * 10 ** (-6 / 20), atol=1e-6)


def test_gain_staging_flags_and_loudness_against_pyloudnorm():
    pyln = pytest.importorskip("pyloudnorm")
    healthy = noise(3.0, SR, color="pink", level_dbfs=-20.0, seed=1)
    hot = sine(220, 3.0, SR, level_dbfs=-2.0)
    clip = sine(330, 3.0, SR, level_dbfs=-1.0)
    quiet = noise(3.0, SR, level_dbfs=-50.0, seed=2)
    m = Mixer(
        [
            Track("pad", healthy),
            Track("lead", hot),
            Track("bass", clip, gain_db=4.0),
            Track("room", quiet),
            Track("blank", np.zeros(SR, np.float32), mute=True),
        ],
        SR,
    )
    report = m.gain_staging()
    assert isinstance(report, Report) and report.title == "Gain staging"
    assert [r.subject for r in report] == ["pad", "lead", "bass", "room", "blank", "mix bus"]
    assert report["pad"].status == "pass"
    assert report["lead"].status == "warn" and "down by 1.0 dB" in report["lead"].fix  # -2 dBFS: above -3
    assert report["bass"].status == "fail" and report["bass"].data["peak_dbfs"] == pytest.approx(3.0, abs=0.01)
    assert report["bass"].data["headroom_db"] == pytest.approx(-3.0, abs=0.01)
    assert report["room"].status == "pass"  # quiet is the balance's business, not gain staging's
    assert report["blank"].status == "warn" and not report["blank"].data["playing"]
    assert report["pad"].data["rms_dbfs"] == pytest.approx(-20.0, abs=0.01)
    ref = pyln.Meter(SR).integrated_loudness(healthy.astype(np.float64))
    assert report["pad"].data["lufs"] == pytest.approx(ref, abs=0.1)
    assert report["mix bus"].status == "fail"
    text = str(report)
    assert "pad" in text and "FAIL" in text and "peak" in text and GAIN_STAGING_RULE.startswith("Every track")
    assert 'data-status="fail"' in report._repr_html_() and "mix bus" in report._repr_html_()
    assert {p.subject for p in report.problems} == {"lead", "bass", "blank", "mix bus"}


@pytest.mark.parametrize("peak_db, status", [(-40.0, "pass"), (-3.2, "pass"), (-2.9, "warn"), (-0.5, "warn"),
                                             (0.5, "fail")])
def test_gain_staging_rule_depends_on_the_peak_alone(peak_db, status):
    """One rule for every track, bus and the mix bus: peaks below PEAK_MAX_DBFS; over 0 dBFS clips."""
    y = sine(440, 1.0, SR, level_dbfs=peak_db)
    quiet = sine(440, 1.0, SR, level_dbfs=peak_db - 20.0)
    m = Mixer([Track("a", y), Track("b", quiet, gain_db=20.0)], SR)
    report = m.gain_staging()
    assert report["a"].status == report["b"].status == status  # same peak, same verdict, whatever the fader


def test_chain_and_parallel_with_real_processors():
    """Chain([HighPass, Compressor]) equals running them one after the other; Parallel(Compressor, wet_db=-6)."""
    from producerkit.dynamics import Compressor
    from producerkit.eq import HighPass

    y = noise(0.5, SR, color="pink", level_dbfs=-12.0, seed=4)
    hpf, comp = HighPass(80), Compressor(threshold_db=-30.0, ratio=4.0)
    np.testing.assert_allclose(Chain([hpf, comp])(y, SR), comp(hpf(y, SR), SR), atol=1e-7)
    out = Parallel(comp, wet_db=-6.0)(y, SR)
    np.testing.assert_allclose(out, y + 10 ** (-6 / 20) * comp(y, SR), atol=1e-6)
    m = Mixer([Track("drums", y, inserts=Chain([hpf, comp]))], SR)
    np.testing.assert_allclose(m.render(), Pan(0.0)(comp(hpf(y, SR), SR), SR), atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    channels=st.sampled_from([1, 2]),
    n=st.integers(1, 400),
    db_value=st.floats(-60.0, 12.0),
    position=st.floats(-1.0, 1.0),
    mix=st.floats(0.0, 1.0),
)
def test_processors_keep_layout_and_dtype(channels, n, db_value, position, mix):
    """The producerkit convention: float32 in the input's layout (Pan alone turns mono into stereo)."""
    rng = np.random.default_rng(n)
    y = rng.uniform(-0.5, 0.5, (n,) if channels == 1 else (2, n)).astype(np.float32)
    for proc in (Gain(db_value), Parallel(Gain(db_value), mix=mix), Chain([Gain(db_value), Gain(-db_value / 4)])):
        out = proc(y, SR)
        assert out.shape == y.shape and out.dtype == np.float32
    panned = Pan(position)(y, SR)
    assert panned.shape == (2, n) and panned.dtype == np.float32
