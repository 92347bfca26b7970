"""Tests for producerkit.dynamics against the published formulas.

References:
- Giannoulis, Massberg and Reiss, "Digital Dynamic Range Compressor Design - A Tutorial and
  Analysis", JAES 60(6), 2012: eq. (4) soft-knee gain computer, eq. (17) smooth branching
  peak detector, time constants alpha = exp(-1 / (tau * fs)) (63 % rise/fall times).
- ITU-R BS.1770-4 Annex 2: true peak from an oversampled signal (checked here independently
  with scipy.signal.resample_poly at 8x, a different filter from the limiter's own detector).
- pedalboard (JUCE juce::dsp::Compressor), compared qualitatively only (GPLv3: never copied).
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly

from producerkit import signals
from producerkit.dynamics import Compressor, DynamicsResult, Expander, Gate, Limiter
from producerkit.errors import AudioError, ParameterError

SR = 48000


def steady(level_db: float, n: int) -> np.ndarray:
    """A signal whose |x| is constant (alternating signs): the peak detector reads exactly level_db."""
    signs = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    return (10 ** (level_db / 20) * signs).astype(np.float32)


def steps(levels_db: list[float], seconds: float = 0.3) -> tuple[np.ndarray, list[int]]:
    n = int(seconds * SR)
    parts = [steady(level, n) for level in levels_db]
    return np.concatenate(parts), [i * n for i in range(len(levels_db))]


def true_peak_db(y: np.ndarray) -> float:
    """Independent true-peak measurement: 8x polyphase oversampling (scipy), max over channels."""
    up = resample_poly(np.atleast_2d(y).astype(np.float64), 8, 1, axis=-1)
    return 20 * math.log10(np.abs(up).max())


def giannoulis_eq4(x: np.ndarray, threshold: float, ratio: float, knee: float) -> np.ndarray:
    """Eq. (4) of Giannoulis et al., written out branch by branch."""
    out = np.empty_like(x)
    for i, xi in enumerate(x):
        if 2 * (xi - threshold) < -knee:
            out[i] = xi
        elif 2 * abs(xi - threshold) <= knee:
            out[i] = xi + (1 / ratio - 1) * (xi - threshold + knee / 2) ** 2 / (2 * knee)
        else:
            out[i] = threshold + (xi - threshold) / ratio
    return out


# --------------------------------------------------------------------------- static curve


@pytest.mark.parametrize(("threshold", "ratio", "knee"), [(-20, 4, 10), (-18, 2.5, 6), (-30, 20, 24)])
def test_soft_knee_curve_is_giannoulis_eq4(threshold, ratio, knee):
    levels = np.linspace(-80, 6, 861)
    comp = Compressor(threshold_db=threshold, ratio=ratio, knee_db=knee)
    np.testing.assert_allclose(comp.curve(levels), giannoulis_eq4(levels, threshold, ratio, knee), atol=1e-9)


def test_hard_knee_curve_is_piecewise_linear():
    """Giannoulis eq. (2): y = x below the threshold, T + (x - T) / R above."""
    levels = np.linspace(-60, 0, 601)
    comp = Compressor(threshold_db=-24, ratio=3, knee_db=0)
    expected = np.where(levels <= -24, levels, -24 + (levels + 24) / 3)
    np.testing.assert_allclose(comp.curve(levels), expected, atol=1e-12)


@pytest.mark.parametrize("knee", [0.0, 8.0])
def test_gain_reduction_on_steady_levels_equals_the_static_curve(knee):
    """With instant attack/release the vectorised gain computer must agree with curve()."""
    comp = Compressor(threshold_db=-20, ratio=4, knee_db=knee, attack_ms=0, release_ms=0)
    for level in (-40.0, -24.0, -21.0, -20.0, -17.0, -6.0, 0.0):
        result = comp.process(steady(level, 256), SR)
        expected = level - comp.curve([level])[0]
        np.testing.assert_allclose(result.gain_reduction_db, expected, atol=2e-4)
        np.testing.assert_allclose(20 * np.log10(np.abs(result.audio)), comp.curve([level])[0], atol=2e-4)


def test_auto_makeup_is_half_the_reduction_at_0_dbfs():
    comp = Compressor(threshold_db=-18, ratio=4, knee_db=0, makeup_db="auto")
    assert comp.makeup_gain_db == pytest.approx(0.5 * 18 * (1 - 1 / 4))
    assert comp.curve([-40])[0] == pytest.approx(-40 + 6.75)
    y = steady(-40, 100)
    np.testing.assert_allclose(comp(y, SR), y * 10 ** (6.75 / 20), rtol=1e-5)


def test_makeup_is_added_after_the_gain_reduction_trace():
    comp = Compressor(threshold_db=-20, ratio=2, knee_db=0, attack_ms=0, release_ms=0, makeup_db=3)
    result = comp.process(steady(-10, 64), SR)
    np.testing.assert_allclose(result.gain_reduction_db, 5.0, atol=1e-4)  # before makeup
    np.testing.assert_allclose(20 * np.log10(np.abs(result.audio)), -10 - 5 + 3, atol=1e-4)


# --------------------------------------------------------------------------- time constants


@pytest.mark.parametrize("attack_ms", [1.0, 10.0, 30.0])
def test_attack_reaches_63_percent_after_attack_ms(attack_ms):
    """Eq. (17) with alpha_A = exp(-1/(tau fs)): 1 - 1/e of the step after tau (within a sample)."""
    comp = Compressor(threshold_db=-30, ratio=4, knee_db=0, attack_ms=attack_ms, release_ms=500)
    y, (_, onset) = steps([-50, -10])
    gr = comp.process(y, SR).gain_reduction_db
    final = 20 * 0.75
    crossing = onset + np.argmax(gr[onset:] >= (1 - math.exp(-1)) * final)
    assert abs(crossing - onset - attack_ms * SR / 1000) <= 1.0
    assert gr[:onset].max() == 0.0
    m = int(3 * attack_ms * SR / 1000)  # the whole curve is the exponential 1 - exp(-(m + 1) / (tau fs))
    assert gr[onset + m] == pytest.approx(final * (1 - math.exp(-(m + 1) / (attack_ms * SR / 1000))), rel=1e-3)


@pytest.mark.parametrize("release_ms", [20.0, 100.0])
def test_release_falls_63_percent_after_release_ms(release_ms):
    comp = Compressor(threshold_db=-30, ratio=4, knee_db=0, attack_ms=0, release_ms=release_ms)
    y, (_, drop) = steps([-10, -50], seconds=0.6)
    gr = comp.process(y, SR).gain_reduction_db
    start = gr[drop - 1]
    assert start == pytest.approx(15.0, abs=1e-4)
    crossing = drop + np.argmax(gr[drop:] <= math.exp(-1) * start)
    assert abs(crossing - drop - release_ms * SR / 1000) <= 1.0


def test_rms_detector_reads_a_sine_3_db_below_its_peak():
    comp = Compressor(threshold_db=-30, ratio=4, knee_db=0, detector="rms", rms_ms=20, attack_ms=5)
    y = signals.sine(1000, 1.0, SR, level_dbfs=-6)
    gr = comp.process(y, SR).gain_reduction_db[SR // 2 :]
    expected = (-6 - 3.0103 + 30) * 0.75
    assert np.median(gr) == pytest.approx(expected, abs=0.1)


# --------------------------------------------------------------------------- channels


def test_stereo_link_turns_both_channels_down_from_the_loud_one():
    n = SR // 4
    y = np.stack([steady(-6, n), steady(-40, n)])
    linked = Compressor(threshold_db=-20, ratio=4, stereo_link=True).process(y, SR)
    free = Compressor(threshold_db=-20, ratio=4, stereo_link=False).process(y, SR)
    assert linked.gain_reduction_db.shape == (n,)
    assert free.gain_reduction_db.shape == (2, n)
    gain_linked = linked.audio / y
    np.testing.assert_allclose(gain_linked[0], gain_linked[1], rtol=1e-6)
    assert linked.gain_reduction_db[-1] > 8
    assert free.gain_reduction_db[0, -1] == pytest.approx(linked.gain_reduction_db[-1], rel=1e-6)
    assert free.gain_reduction_db[1].max() == 0.0
    assert np.array_equal(free.audio[1], y[1])  # the quiet channel is left alone


def test_layouts_mono_stereo_and_multichannel():
    comp = Compressor()
    mono = signals.sine(200, 0.1, SR, level_dbfs=-3)
    for y in (mono, np.stack([mono, 0.5 * mono]), np.stack([mono, mono, 0.2 * mono, mono])):
        result = comp.process(y, SR)
        assert result.audio.shape == y.shape and result.audio.dtype == np.float32
        assert result.gain_reduction_db.shape == (y.shape[-1],)
    four = np.stack([mono, mono, 0.2 * mono, mono])
    result = Compressor(stereo_link=False).process(four, SR)
    assert result.gain_reduction_db.shape == (4, four.shape[-1])


# --------------------------------------------------------------------------- lookahead, sidechain, mix


@pytest.mark.parametrize("lookahead_ms", [0.0, 2.0, 5.0])
def test_lookahead_starts_the_gain_reduction_before_the_transient(lookahead_ms):
    y, (_, onset) = steps([-60, -6], seconds=0.1)
    result = Compressor(threshold_db=-20, attack_ms=1, lookahead_ms=lookahead_ms).process(y, SR)
    first = int(np.argmax(result.gain_reduction_db > 0))
    assert first == onset - round(lookahead_ms * SR / 1000)
    assert result.audio.shape == y.shape
    # the output is not delayed: the quiet part before the lookahead window is untouched
    np.testing.assert_array_equal(result.audio[:first], y[:first])


def test_sidechain_ducking_depth_is_the_static_reduction_at_the_sidechain_level():
    n = SR // 2
    bass = np.stack([signals.sine(80, 0.5, SR, level_dbfs=-12)] * 2)
    kick = np.concatenate([np.zeros(n // 2, np.float32), steady(-6, n // 2)])
    comp = Compressor(threshold_db=-30, ratio=4, knee_db=6, attack_ms=5, release_ms=50)
    result = comp.process(bass, SR, sidechain=kick)
    depth = -6 - comp.curve([-6])[0]
    assert depth == pytest.approx(18.0)
    assert result.gain_reduction_db[: n // 2].max() == 0.0
    assert result.gain_reduction_db[-1] == pytest.approx(depth, abs=1e-3)
    np.testing.assert_allclose(result.audio[:, -1], bass[:, -1] * 10 ** (-depth / 20), rtol=1e-4)


def test_sidechain_must_line_up_with_the_audio():
    y = signals.sine(100, 0.1, SR)
    with pytest.raises(AudioError, match="must line up"):
        Compressor().process(y, SR, sidechain=y[:-1])
    with pytest.raises(AudioError, match="channels"):
        Compressor().process(np.stack([y, y]), SR, sidechain=np.stack([y, y, y]))


def test_sidechain_highpass_hz_keeps_the_low_end_from_driving_the_detector():
    y = signals.sine(40, 0.5, SR, level_dbfs=-3)
    plain = Compressor(threshold_db=-20).process(y, SR).gain_reduction_db[SR // 4 :].mean()
    keyed = Compressor(threshold_db=-20, sidechain_highpass_hz=400)
    filtered = keyed.process(y, SR).gain_reduction_db[SR // 4 :].mean()
    assert plain > 10 and filtered < 1  # 2nd-order HPF: 40 Hz is 40 dB down at 400 Hz


def test_mix_blends_the_dry_signal_back_in():
    y = signals.sine(300, 0.3, SR, level_dbfs=-3)
    wet = Compressor(threshold_db=-30, ratio=8).process(y, SR)
    half = Compressor(threshold_db=-30, ratio=8, mix=0.5).process(y, SR)
    np.testing.assert_allclose(half.audio, 0.5 * wet.audio + 0.5 * y, atol=1e-6)
    np.testing.assert_array_equal(half.gain_reduction_db, wet.gain_reduction_db)


def test_matches_pedalboard_compressor_on_a_steady_sine_with_times_scaled_by_2pi():
    """JUCE uses tau = t / (2 pi): with pedalboard times = 2 pi x ours, steady reduction agrees within 1 dB."""
    pedalboard = pytest.importorskip("pedalboard")
    y = signals.sine(1000, 1.0, SR, level_dbfs=-6)
    ours = Compressor(threshold_db=-24, ratio=4, knee_db=0, attack_ms=5, release_ms=50)(y, SR)
    theirs = pedalboard.Compressor(threshold_db=-24, ratio=4, attack_ms=5 * 2 * math.pi, release_ms=50 * 2 * math.pi)(
        y, SR
    )

    def rms_db(a):
        return 10 * math.log10(np.mean(np.square(a[SR // 2 :], dtype=np.float64)))

    assert rms_db(ours) - rms_db(y) < -8  # both compress by about 13.5 dB (18 dB over at 4:1) ...
    assert abs(rms_db(ours) - rms_db(theirs)) < 1.0  # ... and agree within 1 dB


# --------------------------------------------------------------------------- limiter


@pytest.mark.parametrize("color", ["white", "pink"])
def test_limiter_ceiling_holds_on_loud_noise(color):
    """Noise peaking 12 dB over the ceiling: the output's 8x true peak stays within +0.1 dB."""
    y = signals.noise(1.0, SR, color=color, seed=3, channels=2, decorrelated=True)
    y = y / np.abs(y).max() * 10 ** ((-1 + 12) / 20)
    result = Limiter(ceiling_dbtp=-1.0).process(y, SR)
    peak = true_peak_db(result.audio)
    assert peak <= -1.0 + 0.1
    assert peak >= -1.0 - 0.3  # and it does not over-limit
    assert result.gain_reduction_db.min() >= 0 and result.gain_reduction_db.max() > 11


def test_limiter_catches_inter_sample_peaks():
    """A 0 dBFS sine at fs/4 sampled at 45 degrees: samples read -3 dBFS, the true peak is 0 dBTP."""
    y = signals.sine(SR / 4, 0.5, SR, level_dbfs=0.0, phase=math.pi / 4)
    assert 20 * math.log10(np.abs(y).max()) == pytest.approx(-3.01, abs=0.01)
    limited = Limiter(ceiling_dbtp=-1.0, true_peak=True)(y, SR)
    assert true_peak_db(limited) <= -1.0 + 0.1
    sample_only = Limiter(ceiling_dbtp=-1.0, true_peak=False)(y, SR)
    np.testing.assert_array_equal(sample_only, y)  # samples are under the ceiling: no reduction ...
    assert true_peak_db(sample_only) > -0.1  # ... so the inter-sample peak goes through


def test_limiter_is_transparent_below_the_ceiling():
    y = signals.noise(0.5, SR, color="pink", seed=4, channels=2, decorrelated=True)
    y = y / np.abs(y).max() * 10 ** (-4 / 20)
    result = Limiter(ceiling_dbtp=-1.0).process(y, SR)
    np.testing.assert_array_equal(result.audio, y)
    assert not result.gain_reduction_db.any()


def test_limiter_ramp_starts_one_lookahead_before_the_peak_and_completes_on_it():
    n = SR // 10
    y = np.full(n, 0.1, dtype=np.float32)
    peak_at = n // 2
    y[peak_at] = 2.0  # +6 dBFS click
    lookahead = round(5 * SR / 1000)
    result = Limiter(ceiling_dbtp=-1.0, lookahead_ms=5, true_peak=False).process(y, SR)
    gr = result.gain_reduction_db
    assert int(np.argmax(gr > 0)) == peak_at - lookahead
    assert np.all(np.diff(gr[peak_at - lookahead : peak_at + 1]) > 0)  # a ramp up to the peak
    assert np.abs(result.audio[peak_at]) <= 10 ** (-1 / 20)
    assert 20 * np.log10(2.0) - gr[peak_at] == pytest.approx(-1.0 - Limiter.margin_db, abs=1e-3)


def _limiter_as_documented(y, ceiling_dbtp, release_ms, lookahead_ms, true_peak):
    """The Limiter's algorithm in scipy steps, as its docstring and the code before issue 18 ran it: the
    detector envelope, its maximum over each sample's lookahead window, the need in dB over the ceiling (plus
    the margin), an instant attack and an exponential release, then a moving average over the lookahead."""
    from scipy.ndimage import maximum_filter1d, uniform_filter1d

    from producerkit.dynamics import _alpha, _peak_envelope, _samples, _smooth

    x = np.atleast_2d(y)
    ceiling = 10 ** (ceiling_dbtp / 20)
    env = _peak_envelope(x, true_peak, ceiling)
    ahead = _samples(lookahead_ms, SR)
    if ahead:
        env = maximum_filter1d(env, size=ahead + 1, origin=-((ahead + 1) // 2), mode="constant")
    needed = np.zeros(env.shape, dtype=np.float32)
    over = env > np.float32(ceiling)
    needed[over] = 20 * np.log10(env[over] / np.float32(ceiling)) + Limiter.margin_db
    gr = _smooth(needed[np.newaxis], 0.0, _alpha(release_ms, SR), 0, 0.0)
    if ahead:
        gr = uniform_filter1d(gr, size=ahead + 1, axis=-1, origin=ahead // 2, mode="nearest")
    return (x * 10 ** (-gr / 20)).reshape(np.shape(y)), gr[0]


@pytest.mark.parametrize("settings_", [
    dict(ceiling_dbtp=-1.0, release_ms=100.0, lookahead_ms=5.0, true_peak=True),
    dict(ceiling_dbtp=-1.0, release_ms=100.0, lookahead_ms=5.0, true_peak=False),
    dict(ceiling_dbtp=-6.0, release_ms=1.0, lookahead_ms=0.0, true_peak=True),
    dict(ceiling_dbtp=0.0, release_ms=0.0, lookahead_ms=10.0, true_peak=True),
    dict(ceiling_dbtp=-12.0, release_ms=30.0, lookahead_ms=200.0, true_peak=True),
])
@pytest.mark.parametrize("channels", [1, 2])
def test_limiter_equals_its_documented_algorithm_to_float_rounding(settings_, channels):
    """The one-pass kernel (hold, need, release and ramp together) against the same steps in scipy."""
    rng = np.random.default_rng(channels)
    n = SR
    t = np.arange(n) / SR
    y = 0.6 * rng.standard_normal((channels, n)) * (0.2 + np.exp(-((t % 0.25) / 0.03)))  # hits over a bed
    y = (y[0] if channels == 1 else y).astype(np.float32)
    result = Limiter(**settings_).process(y, SR)
    audio, gr = _limiter_as_documented(y, **settings_)
    assert gr.max() > 1  # it limits
    np.testing.assert_allclose(result.gain_reduction_db, gr, rtol=0, atol=1e-4)
    np.testing.assert_allclose(result.audio, audio, rtol=0, atol=1e-5)


def test_the_detector_refined_in_steps_equals_one_pass():
    """master() lowers the detector's floor pass by pass; refining in steps gives the one-pass envelope exactly."""
    from producerkit.dynamics import _Detector, _peak_envelope

    y = signals.noise(2.0, SR, color="pink", seed=5, channels=2, decorrelated=True)
    y *= np.exp(-(np.arange(y.shape[1]) / SR) * 3).astype(np.float32)  # from loud to quiet blocks
    detector = _Detector(y)
    for floor in (0.5, 0.2, 0.05, 0.0):
        np.testing.assert_array_equal(detector.envelope(floor), _peak_envelope(y, True, floor))
    for short in (y[:, :1], y[:, :2], y[:, :300]):
        np.testing.assert_array_equal(_Detector(short).envelope(0.0), _peak_envelope(short, True, 0.0))


# --------------------------------------------------------------------------- gate and expander


def test_gate_closes_by_range_in_gaps_and_holds_open_after_a_burst():
    burst = signals.tone_bursts(500, SR, burst_ms=100, gap_ms=400, count=2, level_dbfs=-12)
    hiss = signals.noise(len(burst) / SR, SR, level_dbfs=-70, seed=5)
    y = burst + hiss
    gate = Gate(threshold_db=-40, range_db=-60, attack_ms=0.5, hold_ms=20, release_ms=20)
    result = gate.process(y, SR)
    gr = result.gain_reduction_db
    burst_end = int(0.1 * SR)
    assert gr[int(0.05 * SR)] < 0.01  # open inside the burst
    assert gr[burst_end + int(0.015 * SR)] < 0.01  # still open during the hold
    assert gr[int(0.45 * SR)] == pytest.approx(60, abs=0.01)  # closed in the gap
    gap = slice(int(0.3 * SR), int(0.45 * SR))
    assert 20 * np.log10(np.abs(result.audio[gap]).max() / np.abs(y[gap]).max()) == pytest.approx(-60, abs=0.1)


def test_gate_hysteresis_keeps_it_open_on_a_hovering_level():
    y, _ = steps([-30, -42, -30, -42], seconds=0.1)
    plain = Gate(threshold_db=-40, hold_ms=0, attack_ms=0, release_ms=0).process(y, SR).gain_reduction_db
    sticky = Gate(threshold_db=-40, hysteresis_db=5, hold_ms=0, attack_ms=0, release_ms=0).process(y, SR)
    assert plain.max() == pytest.approx(60)
    assert sticky.gain_reduction_db.max() == 0.0
    assert Gate(threshold_db=-40).curve([-50, -30]).tolist() == [-110, -30]


def test_expander_static_reduction_follows_its_curve_and_range():
    exp = Expander(threshold_db=-40, ratio=3, knee_db=0, range_db=-30, attack_ms=0, release_ms=0, hold_ms=0)
    for level in (-30.0, -40.0, -45.0, -50.0, -70.0):
        result = exp.process(steady(level, 128), SR)
        expected = level - exp.curve([level])[0]
        assert expected == pytest.approx(min(30.0, 2 * max(0.0, -40 - level)))
        np.testing.assert_allclose(result.gain_reduction_db, expected, atol=2e-4)
    soft = Expander(threshold_db=-40, ratio=2, knee_db=10)
    assert soft.curve([-40])[0] == pytest.approx(-40 - (1 * 5**2) / 20)  # mirrored eq. (4) at T


# --------------------------------------------------------------------------- validation, determinism


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Compressor(ratio=0.5), "ratio must be at least 1 .* use Expander"),
        (lambda: Compressor(detector="loud"), "detector must be 'peak' or 'rms'"),
        (lambda: Compressor(makeup_db="max"), "makeup_db must be a number of dB or 'auto'"),
        (lambda: Compressor(mix=1.5), "mix must be between 0 and 1"),
        (lambda: Compressor(attack_ms=-1), "attack_ms must be between 0 and 10000 ms"),
        (lambda: Compressor(knee_db=-3), "knee_db must be between 0 and 48 dB"),
        (lambda: Compressor(stereo_link="yes"), "stereo_link must be True or False"),
        (lambda: Compressor(threshold_db=float("nan")), r"threshold_db must be between -120 and \+24 dB \(got nan\)"),
        (lambda: Gate(range_db=60), "range_db .* negative .* pass -60"),
        (lambda: Expander(ratio=0.9), "ratio must be at least 1 .* use Compressor"),
        (lambda: Limiter(ceiling_dbtp=3), "ceiling_dbtp must be between -60 and 0 dB"),
        (lambda: Limiter(lookahead_ms=500), "lookahead_ms must be between 0 and 200 ms"),
    ],
)
def test_parameter_validation_messages(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_sample_rate_dependent_checks_happen_at_call_time():
    y = signals.sine(100, 0.05, 16000)
    with pytest.raises(ParameterError, match="Nyquist"):
        Compressor(sidechain_highpass_hz=9000).process(y, 16000)
    with pytest.raises(ParameterError, match="sr must be a whole number from 1000 to 768000 Hz"):
        Compressor().process(y, 0)


def test_results_are_deterministic_and_call_returns_the_audio():
    y = signals.noise(0.3, SR, color="pink", level_dbfs=-6, seed=9, channels=2, decorrelated=True)
    for proc in (Compressor(), Limiter(), Gate(), Expander()):
        first, second = proc.process(y, SR), proc.process(y, SR)
        assert isinstance(first, DynamicsResult)
        np.testing.assert_array_equal(first.audio, second.audio)
        np.testing.assert_array_equal(first.gain_reduction_db, second.gain_reduction_db)
        np.testing.assert_array_equal(proc(y, SR), first.audio)


@settings(max_examples=25, deadline=None)
@given(
    channels=st.integers(1, 4),
    n=st.integers(1, 400),
    level=st.floats(-60, 12),
    linked=st.booleans(),
    which=st.sampled_from(["compressor", "limiter", "gate", "expander"]),
)
def test_any_layout_gives_same_shape_float32_and_nonnegative_reduction(channels, n, level, linked, which):
    rng = np.random.default_rng(n)
    y = (rng.standard_normal((channels, n)) * 10 ** (level / 20)).astype(np.float32)
    y = y[0] if channels == 1 else y
    proc = {
        "compressor": Compressor(stereo_link=linked, lookahead_ms=1),
        "limiter": Limiter(),
        "gate": Gate(stereo_link=linked),
        "expander": Expander(stereo_link=linked),
    }[which]
    result = proc.process(y, SR)
    assert result.audio.shape == y.shape and result.audio.dtype == np.float32
    assert result.gain_reduction_db.shape[-1] == n
    assert np.all(np.isfinite(result.audio)) and np.all(result.gain_reduction_db >= 0)


def test_import_does_not_load_numba():
    code = "import sys, producerkit.dynamics; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
