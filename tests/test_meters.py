"""producerkit.meters against ITU-R BS.1770-4, EBU Tech 3341 (v4) / 3342 and pyloudnorm.

The EBU test cases are synthesised here from their published definitions (1 kHz tones at the
given dBFS, 20 s segments for Tech 3342) and checked within the published tolerances at both
44.1 and 48 kHz: ±0.1 LU for loudness, ±1 LU for loudness range, +0.2/-0.4 dB for true peak.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import meters, signals
from producerkit.audio import SILENCE_DB
from producerkit.errors import AudioError, ParameterError

RATES = (44100, 48000)


def tones(segments, sr, channels=2, freq=1000.0):
    """A continuous-phase 1 kHz sine through ``(level_dbfs, seconds)`` segments.

    ``level_dbfs`` is a number (every channel) or a per-channel sequence.
    """
    levels, lengths = [], []
    for level, seconds in segments:
        n = int(round(seconds * sr))
        amp = 10.0 ** (np.broadcast_to(np.asarray(level, dtype=float), (channels,)) / 20.0)
        levels.append(np.repeat(amp[:, None], n, axis=1))
        lengths.append(n)
    envelope = np.concatenate(levels, axis=1)
    t = np.arange(envelope.shape[1]) / sr
    y = envelope * np.sin(2 * np.pi * freq * t)
    return (y[0] if channels == 1 else y).astype(np.float32)


def faded(y, sr, fade_s=0.01):
    """Raised-cosine fade-in and fade-out, so a test sine does not start or stop abruptly."""
    n = int(fade_s * sr)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)
    y = y.copy()
    y[..., :n] *= ramp
    y[..., -n:] *= ramp[::-1]
    return y


def music_like(seconds, sr, seed=0, channels=2):
    """Pink noise with phrase- and beat-length dynamics."""
    y = signals.noise(seconds, sr, color="pink", level_dbfs=-18, seed=seed, channels=channels, decorrelated=True)
    t = np.arange(y.shape[-1]) / sr
    envelope = (0.55 + 0.45 * np.sin(2 * np.pi * t / 6.0)) * (0.4 + 0.6 * np.exp(-((t % 0.5) / 0.1)))
    return (y * envelope).astype(np.float32)


# --------------------------------------------------------------------------- K-weighting


def test_k_weighting_at_48k_reproduces_the_bs1770_4_table():
    """ITU-R BS.1770-4 Annex 1, Tables 1 and 2 (stage 1 shelf, stage 2 RLB high-pass) at 48 kHz."""
    sos = meters.k_weighting(48000)
    shelf = [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241, 0.73248077421585]
    highpass = [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621]
    np.testing.assert_allclose(sos[0], shelf, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sos[1], highpass, rtol=0, atol=1e-12)


def test_k_weighting_analog_prototype_matches_de_man():
    """Brecht De Man's fit of the BS.1770 filters (as in pyloudnorm's "DeMan" class): f0, Q, gain."""
    f0, q, vh, vb, vl = meters._SHELF_PROTOTYPE
    assert f0 == pytest.approx(1681.9744509555319, abs=1e-6)
    assert q == pytest.approx(0.7071752369554193, abs=1e-9)
    assert 20 * np.log10(vh) == pytest.approx(3.99984385397, abs=1e-6)
    assert vb == pytest.approx(vh**0.499666774155, rel=1e-6)
    assert vl == pytest.approx(1.0, abs=1e-9)
    f0, q, *_ = meters._HIGHPASS_PROTOTYPE
    assert f0 == pytest.approx(38.13547087613982, abs=1e-6)
    assert q == pytest.approx(0.5003270373253953, abs=1e-9)


@pytest.mark.parametrize("sr", [32000, 44100, 88200, 96000, 192000])
def test_k_weighting_has_the_same_curve_at_other_rates(sr):
    """The response at other rates follows the 48 kHz table within 0.05 dB from 20 Hz to 14 kHz."""
    from scipy.signal import sosfreqz

    freqs = np.geomspace(20, 14000, 60)
    _, ref = sosfreqz(meters.k_weighting(48000), worN=freqs, fs=48000)
    _, got = sosfreqz(meters.k_weighting(sr), worN=freqs, fs=sr)
    np.testing.assert_allclose(20 * np.log10(np.abs(got)), 20 * np.log10(np.abs(ref)), atol=0.05)


@pytest.mark.parametrize("sr", RATES)
def test_997_hz_full_scale_mono_sine_reads_minus_3_01_lkfs(sr):
    """BS.1770-4 §2.1: a 0 dB FS 997 Hz sine in one channel reads -3.01 LKFS."""
    y = signals.sine(997, 10, sr, level_dbfs=0)
    assert meters.integrated_loudness(y, sr) == pytest.approx(-3.01, abs=0.01)


# --------------------------------------------------------------------------- EBU Tech 3341


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize(("case", "level"), [(1, -23.0), (2, -33.0)])
def test_tech_3341_cases_1_and_2_stereo_tone_reads_its_level_on_m_s_and_i(sr, case, level):
    """Tech 3341 cases 1-2: stereo 1 kHz at -23 / -33 dBFS; M, S and I read -23 / -33 LUFS ±0.1."""
    result = meters.loudness(tones([(level, 20)], sr), sr)
    assert result.integrated_lufs == pytest.approx(level, abs=0.1)
    steady = result.times_s >= 3.0
    assert np.all(np.abs(result.momentary_lufs[steady] - level) <= 0.1)
    assert np.all(np.abs(result.short_term_lufs[steady] - level) <= 0.1)


TECH_3341_INTEGRATED = {
    3: [(-36, 10), (-23, 60), (-36, 10)],
    4: [(-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10)],
    5: [(-26, 20), (-20, 20.1), (-26, 20)],
}


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("case", sorted(TECH_3341_INTEGRATED))
def test_tech_3341_cases_3_to_5_gating_gives_minus_23(sr, case):
    """Tech 3341 cases 3-5: level sequences that only read -23.0 ±0.1 LUFS when both gates work."""
    assert meters.integrated_loudness(tones(TECH_3341_INTEGRATED[case], sr), sr) == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech_3341_case_6_five_channels_use_the_surround_weights(sr):
    """Tech 3341 case 6: 5.0 (L, R, C, Ls, Rs) at -28, -28, -24, -30, -30 dBFS reads -23.0 ±0.1."""
    y = tones([((-28, -28, -24, -30, -30), 20)], sr, channels=5)
    assert meters.integrated_loudness(y, sr) == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("sr", RATES)
def test_tech_3341_case_9_short_term_is_constant(sr):
    """Tech 3341 case 9: 1.34 s at -20 / 1.66 s at -30 dBFS, repeated; S reads -23.0 ±0.1 after 3 s."""
    result = meters.loudness(tones([(-20, 1.34), (-30, 1.66)] * 5, sr), sr)
    steady = result.short_term_lufs[result.times_s >= 3.0]
    assert steady.size >= 100
    assert np.all(np.abs(steady + 23.0) <= 0.1), (steady.min(), steady.max())


@pytest.mark.parametrize("sr", RATES)
def test_tech_3341_case_12_momentary_is_constant(sr):
    """Tech 3341 case 12: 0.18 s at -20 / 0.22 s at -30 dBFS, repeated; M reads -23.0 ±0.1 after 1 s."""
    result = meters.loudness(tones([(-20, 0.18), (-30, 0.22)] * 25, sr), sr)
    steady = result.momentary_lufs[result.times_s >= 1.0]
    assert steady.size >= 80
    assert np.all(np.abs(steady + 23.0) <= 0.1), (steady.min(), steady.max())


# Tech 3341 cases 15-19: (period in samples, peak amplitude, phase in degrees, expected dBTP).
TECH_3341_TRUE_PEAK = {
    15: (4, 0.5, 0.0, -6.0),
    16: (4, 0.5, 45.0, -6.0),
    17: (6, 0.5, 60.0, -6.0),
    18: (8, 0.5, 67.5, -6.0),
    19: (4, 1.41, 45.0, 3.0),
}


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("case", sorted(TECH_3341_TRUE_PEAK))
def test_tech_3341_cases_15_to_19_true_peak(sr, case):
    """Tech 3341 cases 15-19: sines at fs/4, fs/6, fs/8 with phase offsets; +0.2/-0.4 dB of expected.

    The sines fade in and out over 10 ms: an abrupt start rings above the sine in any correct
    reconstruction, which is not what these cases measure.
    """
    period, amplitude, phase, expected = TECH_3341_TRUE_PEAK[case]
    n = np.arange(sr)
    y = faded(amplitude * np.sin(2 * np.pi * n / period + np.radians(phase)), sr).astype(np.float32)
    tp = meters.true_peak(np.stack([y, y]), sr)
    assert expected - 0.4 <= tp <= expected + 0.2, tp
    assert meters.loudness(np.stack([y, y]), sr).true_peak_dbtp == tp


# --------------------------------------------------------------------------- EBU Tech 3342

TECH_3342 = {1: ([-20, -30], 10.0), 2: ([-20, -15], 5.0), 3: ([-40, -20], 20.0), 4: ([-50, -35, -20, -35, -50], 15.0)}


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("case", sorted(TECH_3342))
def test_tech_3342_cases_1_to_4_loudness_range(sr, case):
    """Tech 3342 cases 1-4: stereo 1 kHz in 20 s steps; LRA 10, 5, 20, 15 LU ±1."""
    levels, expected = TECH_3342[case]
    result = meters.loudness(tones([(level, 20) for level in levels], sr), sr)
    assert result.lra_lu == pytest.approx(expected, abs=1.0)


# --------------------------------------------------------------------------- pyloudnorm


def _drums(seconds, sr, seed=0):
    """A synthetic beat: kick (pitched-down sine), snare (noise burst), hats, at 120 BPM, stereo."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    y = np.zeros((2, n))
    t = np.arange(int(0.4 * sr)) / sr
    kick = np.sin(2 * np.pi * (50 * t + 60 * (1 - np.exp(-t / 0.03)))) * np.exp(-t / 0.15)
    snare = rng.standard_normal(t.size) * np.exp(-t / 0.08) * 0.5
    hat = np.diff(rng.standard_normal(t.size + 1)) * np.exp(-t / 0.01) * 0.2
    beat = int(0.5 * sr)
    for i, start in enumerate(range(0, n - t.size, beat // 2)):
        parts = [hat] + ([kick] if i % 4 == 0 else []) + ([snare] if i % 4 == 2 else [])
        for part in parts:
            y[0, start : start + t.size] += part
            y[1, start : start + t.size] += part * (0.8 if part is hat else 1.0)
    return (0.3 * y).astype(np.float32)


def _pink_steps(seconds, sr):
    y = signals.noise(seconds, sr, color="pink", level_dbfs=-20, seed=3, channels=2, decorrelated=True)
    steps = np.repeat(10 ** (np.array([0, -12, 6, -30, -3, -45]) / 20), -(-y.shape[1] // 6))[: y.shape[1]]
    return (y * steps).astype(np.float32)


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("make", [_pink_steps, _drums, music_like], ids=["pink-steps", "drums", "music-like"])
def test_integrated_loudness_agrees_with_pyloudnorm_de_man_within_0_05_lu(sr, make):
    """pyloudnorm with the "DeMan" filter (BS.1770-4 at any rate) on music-like signals: within 0.05 LU."""
    pyloudnorm = pytest.importorskip("pyloudnorm")
    y = make(24, sr)
    reference = pyloudnorm.Meter(sr, filter_class="DeMan").integrated_loudness(y.T.astype(np.float64))
    assert meters.integrated_loudness(y, sr) == pytest.approx(reference, abs=0.05)


# --------------------------------------------------------------------------- true peak


def _full_true_peak(y):
    """Brute force: every interpolated value of the same 4x interpolator, no skipping."""
    x = np.atleast_2d(y).astype(np.float64)
    taps = meters._TP_TAPS64
    half = taps.shape[1] // 2
    padded = np.pad(x, ((0, 0), (half - 1, half)))
    peak = np.abs(x).max()
    for row in padded:
        for h in taps:
            peak = max(peak, np.abs(np.convolve(row, h[::-1], mode="valid")).max())
    return 20 * np.log10(peak)


@pytest.mark.parametrize("make", [music_like, _drums], ids=["music-like", "drums"])
def test_fast_true_peak_search_equals_the_full_4x_search(make):
    """The blockwise search skips only blocks that cannot beat the peak: same value as a full search."""
    y = make(6, 44100)
    y = np.clip(y * 4, -0.9, 0.9).astype(np.float32)  # a limited master: many blocks near the peak
    assert meters.true_peak(y, 44100) == pytest.approx(_full_true_peak(y), abs=1e-4)


@pytest.mark.parametrize("shape", [(2, 44100 * 3 + 7), (1, 511), (2, 513), (5, 4410 * 4 + 1), (6, 1000), (3, 1)])
def test_loudness_reads_the_same_peaks_as_true_peak_and_the_samples(shape):
    """loudness() finds its block peaks inside the K-weighting pass: the same true and sample peaks as alone."""
    rng = np.random.default_rng(sum(shape))
    y = (rng.standard_normal(shape) * np.linspace(0.01, 0.5, shape[1])).astype(np.float32)
    y[-1, shape[1] // 2] = 0.9  # the loudest sample in the last channel
    reading = meters.loudness(y, 44100)
    assert reading.true_peak_dbtp == meters.true_peak(y, 44100)
    assert reading.sample_peak_dbfs == pytest.approx(20 * np.log10(float(np.abs(y).max())), abs=1e-9)


def test_true_peak_agrees_with_scipy_resample_poly_on_music():
    """scipy.signal.resample_poly(x, 4, 1), an independent 4x interpolator: within 0.1 dB."""
    from scipy.signal import resample_poly

    y = music_like(10, 48000)
    reference = 20 * np.log10(np.abs(resample_poly(y.astype(np.float64), 4, 1, axis=-1)).max())
    assert meters.true_peak(y, 48000) == pytest.approx(reference, abs=0.1)


def test_true_peak_finds_an_over_between_samples():
    """A sine at fs/4 sampled at ±45°: samples at -3.01 dBFS, true peak 0 dBTP (BS.1770-4 Annex 2)."""
    n = np.arange(48000)
    y = faded(np.sin(2 * np.pi * n / 4 + np.pi / 4), 48000).astype(np.float32)
    result = meters.loudness(y, 48000)
    assert result.sample_peak_dbfs == pytest.approx(-3.01, abs=0.01)
    assert result.true_peak_dbtp == pytest.approx(0.0, abs=0.2)


# --------------------------------------------------------------------------- layouts, edges, errors


def test_identical_stereo_reads_3_db_louder_than_mono():
    """BS.1770 sums channel powers: the same signal in two channels is +3.01 LU."""
    y = music_like(8, 48000, channels=1)
    mono = meters.integrated_loudness(y, 48000)
    assert meters.integrated_loudness(np.stack([y, y]), 48000) - mono == pytest.approx(10 * np.log10(2), abs=0.01)


def test_channel_weights_for_5_0_5_1_and_other_layouts():
    """BS.1770-4 Table 3: Ls and Rs weigh 1.41; 5.1 leaves the LFE out; other counts weigh 1.0."""
    np.testing.assert_array_equal(meters.channel_weights(5), [1, 1, 1, 1.41, 1.41])
    np.testing.assert_array_equal(meters.channel_weights(6), [1, 1, 1, 0, 1.41, 1.41])
    np.testing.assert_array_equal(meters.channel_weights(3), [1, 1, 1])
    y = tones([((-28, -28, -24, -30, -30), 10)], 48000, channels=5)
    with_lfe = np.insert(y, 3, 0.9 * np.sin(np.arange(y.shape[1]) * 2 * np.pi * 40 / 48000), axis=0)
    assert meters.integrated_loudness(with_lfe, 48000) == pytest.approx(meters.integrated_loudness(y, 48000), abs=1e-9)
    surround_only = y.copy()
    surround_only[:3] = 0
    front_copy = np.zeros_like(y)
    front_copy[0:2] = y[3:5]
    lift = meters.integrated_loudness(surround_only, 48000) - meters.integrated_loudness(front_copy, 48000)
    assert lift == pytest.approx(10 * np.log10(1.41), abs=1e-6)
    with pytest.raises(ParameterError):
        meters.channel_weights(0)


def test_silence_reads_minus_inf_integrated_and_the_floor_elsewhere():
    result = meters.loudness(np.zeros((2, 48000 * 4), dtype=np.float32), 48000)
    assert result.integrated_lufs == float("-inf")
    assert result.lra_lu == 0.0
    assert result.true_peak_dbtp == SILENCE_DB and result.sample_peak_dbfs == SILENCE_DB
    assert np.all(result.momentary_lufs == SILENCE_DB) and np.all(result.short_term_lufs == SILENCE_DB)
    assert "-inf LUFS integrated" in result.summary()


def test_below_the_absolute_gate_reads_minus_inf():
    assert meters.integrated_loudness(tones([(-80, 5)], 48000), 48000) == float("-inf")


@pytest.mark.parametrize("seconds", [1 / 48000, 0.05, 0.25, 0.399])
def test_clips_shorter_than_one_block_are_measured_over_their_samples(seconds):
    """Under 400 ms there is no gating block; the clip itself is one block, as BS.1770 eq. 2."""
    y = tones([(-20, seconds)], 48000)
    result = meters.loudness(y, 48000)
    assert result.times_s.size == result.momentary_lufs.size == result.short_term_lufs.size == int(seconds * 10 + 1e-9)
    assert result.lra_lu == 0.0
    if seconds >= 0.05:
        assert result.integrated_lufs == pytest.approx(-20.0, abs=0.3)
    assert meters.integrated_loudness(y, 48000) == result.integrated_lufs


def test_times_are_window_ends_every_100_ms_and_curves_match():
    sr = 44100
    result = meters.loudness(tones([(-23, 5.05)], sr), sr)
    np.testing.assert_allclose(result.times_s, np.arange(1, 51) * 0.1)
    assert result.momentary_lufs.shape == result.short_term_lufs.shape == result.times_s.shape
    assert result.duration_s == pytest.approx(5.05)
    # the meter starts from silence: the first windows are partly empty
    assert result.momentary_lufs[0] < result.momentary_lufs[3] - 5
    assert result.momentary_max_lufs == pytest.approx(-23.0, abs=0.1)
    assert result.short_term_max_lufs == pytest.approx(-23.0, abs=0.1)


def test_odd_sample_rate_hops_are_rounded_not_drifting():
    """At 11025 Hz a 100 ms hop is 1102.5 samples; readings still land on 0.1 s multiples."""
    sr = 11025
    result = meters.loudness(tones([(-23, 10)], sr), sr)
    np.testing.assert_allclose(result.times_s, np.arange(1, 101) * 0.1, atol=0.5 / sr)
    assert result.integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_loudness_result_is_frozen_and_readable():
    result = meters.loudness(tones([(-14, 4)], 48000), 48000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.integrated_lufs = 0.0
    with pytest.raises(ValueError):
        result.momentary_lufs[0] = 0.0
    assert (
        result.summary() == f"{result.integrated_lufs:.1f} LUFS integrated, LRA {result.lra_lu:.1f} LU, "
        f"true peak {result.true_peak_dbtp:.1f} dBTP"
    )
    assert result.summary().startswith("-14.0 LUFS integrated, LRA 0.0 LU, true peak -14.0 dBTP")
    assert repr(result).startswith("Loudness(-14.0 LUFS integrated")
    assert meters.integrated_loudness(tones([(-14, 4)], 48000), 48000) == result.integrated_lufs


@pytest.mark.parametrize(
    ("y", "sr", "error", "pattern"),
    [
        (np.zeros((48000, 2), dtype=np.float32), 48000, AudioError, "looks like"),
        (np.array([0.0, np.nan, 0.0]), 48000, AudioError, "NaN"),
        (np.zeros(0, dtype=np.float32), 48000, AudioError, "empty"),
        (np.zeros((2, 2, 10)), 48000, AudioError, "dimensions"),
        (np.zeros(4800), 4000, ParameterError, "at least 8000 Hz"),
        (np.zeros(4800), "48000", ParameterError, "sample rate"),
    ],
)
def test_bad_input_says_what_is_wrong(y, sr, error, pattern):
    with pytest.raises(error, match=pattern):
        meters.loudness(y, sr)
    with pytest.raises(error, match=pattern):
        meters.integrated_loudness(y, sr)


def test_true_peak_accepts_low_rates_but_checks_them():
    y = signals.sine(100, 1, 4000, level_dbfs=-6)
    assert meters.true_peak(y, 4000) == pytest.approx(-6.0, abs=0.05)
    with pytest.raises(ParameterError):
        meters.true_peak(y, 0)


# --------------------------------------------------------------------------- RMS, crest, correlation


def test_rms_and_crest_factor_of_a_sine_and_silence():
    y = signals.sine(1000, 1, 48000, level_dbfs=0)
    assert meters.rms_dbfs(y) == pytest.approx(-3.01, abs=0.01)
    assert meters.crest_factor_db(y) == pytest.approx(3.01, abs=0.01)
    assert meters.rms_dbfs(np.stack([y, 0.5 * y])) == pytest.approx(10 * np.log10((0.5 + 0.125) / 2), abs=0.01)
    silence = np.zeros(100, dtype=np.float32)
    assert meters.rms_dbfs(silence) == SILENCE_DB
    assert meters.crest_factor_db(silence) == 0.0


def test_correlation_reads_plus_one_minus_one_and_zero():
    noise = signals.noise(2, 48000, seed=1)
    other = signals.noise(2, 48000, seed=2)
    assert meters.correlation(np.stack([noise, 0.5 * noise])) == pytest.approx(1.0)
    assert meters.correlation(np.stack([noise, -noise])) == pytest.approx(-1.0)
    assert abs(meters.correlation(np.stack([noise, other]))) < 0.02
    assert meters.correlation(noise) == 1.0  # mono folds to mono perfectly
    assert meters.correlation(np.zeros((2, 100))) == 0.0
    assert meters.correlation(np.stack([noise, np.zeros_like(noise)])) == 0.0
    with pytest.raises(AudioError, match="stereo"):
        meters.correlation(np.zeros((3, 100)))


def test_correlation_curve_follows_a_phase_flip():
    noise = signals.noise(4, 48000, seed=1)
    right = noise.copy()
    right[2 * 48000 :] *= -1
    times, values = meters.correlation_curve(np.stack([noise, right]), 48000, window_ms=400)
    assert times.shape == values.shape == (40,)
    np.testing.assert_allclose(values[(times > 0.3) & (times <= 2.0)], 1.0, atol=1e-6)
    np.testing.assert_allclose(values[times > 2.4], -1.0, atol=1e-6)
    with pytest.raises(ParameterError):
        meters.correlation_curve(np.stack([noise, right]), 48000, window_ms=10)


# --------------------------------------------------------------------------- properties


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 1000), level=st.floats(-40, -10), gain=st.floats(-12, 12))
def test_gain_moves_integrated_loudness_by_the_same_number_of_db(seed, level, gain):
    """BS.1770 is level-linear above the absolute gate: +g dB in → +g LU out."""
    y = signals.noise(3, 16000, color="pink", level_dbfs=level, seed=seed, channels=2, decorrelated=True)
    g = np.float32(10 ** (gain / 20))
    assert meters.integrated_loudness(y * g, 16000) - meters.integrated_loudness(y, 16000) == pytest.approx(
        gain, abs=0.01
    )


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), balance=st.floats(-20, 0))
def test_swapping_left_and_right_changes_nothing(seed, balance):
    y = signals.noise(2, 16000, color="pink", seed=seed, channels=2, decorrelated=True)
    y[1] *= np.float32(10 ** (balance / 20))
    a, b = meters.loudness(y, 16000), meters.loudness(y[::-1], 16000)
    assert a.integrated_lufs == pytest.approx(b.integrated_lufs, abs=1e-9)
    assert a.true_peak_dbtp == b.true_peak_dbtp and a.lra_lu == pytest.approx(b.lra_lu, abs=1e-9)
    np.testing.assert_allclose(a.short_term_lufs, b.short_term_lufs, atol=1e-9)


@settings(max_examples=12, deadline=None)
@given(sr=st.integers(8000, 192000), seconds=st.floats(0.01, 2.0))
def test_any_rate_from_8_to_192_khz_gives_finite_readings_for_a_sine(sr, seconds):
    y = signals.sine(440, seconds, sr, level_dbfs=-12)
    result = meters.loudness(y, sr)
    assert np.isfinite(result.integrated_lufs) and np.isfinite(result.true_peak_dbtp) and np.isfinite(result.lra_lu)
    assert np.all(np.isfinite(result.momentary_lufs)) and np.all(np.isfinite(result.short_term_lufs))
    assert result.integrated_lufs == pytest.approx(-12 - 3.01 - 0.05, abs=0.7)
