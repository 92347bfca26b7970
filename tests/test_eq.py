"""producerkit.eq: RBJ Audio EQ Cookbook coefficients, matched (Vicanek 2016) designs against their
analog prototypes, Butterworth slopes and -3 dB points, measured impulse responses, stability,
layouts, bypass and validation messages."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit.eq import (
    EQ,
    BandPass,
    HighPass,
    HighShelf,
    LowPass,
    LowShelf,
    Notch,
    Peak,
    butterworth_qs,
    log_freqs,
)
from producerkit.errors import ParameterError

SR = 44100
AUDIBLE = np.geomspace(20, 20000, 1200)
CENTRES = np.unique(np.r_[np.geomspace(20, 16000, 24), np.linspace(10000, 16000, 7)])


def _cookbook(kind, f0, sr, q, gain_db=0.0):
    """R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients" (W3C note),
    written out independently of producerkit: returns [b0, b1, b2, a0, a1, a2] / a0."""
    A = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * f0 / sr
    c, s = math.cos(w0), math.sin(w0)
    alpha = s / (2 * q)
    table = {
        "LPF": ((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha),
        "HPF": ((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha),
        "BPF": (alpha, 0, -alpha, 1 + alpha, -2 * c, 1 - alpha),
        "notch": (1, -2 * c, 1, 1 + alpha, -2 * c, 1 - alpha),
        "peakingEQ": (1 + alpha * A, -2 * c, 1 - alpha * A, 1 + alpha / A, -2 * c, 1 - alpha / A),
        "lowShelf": (
            A * ((A + 1) - (A - 1) * c + 2 * math.sqrt(A) * alpha),
            2 * A * ((A - 1) - (A + 1) * c),
            A * ((A + 1) - (A - 1) * c - 2 * math.sqrt(A) * alpha),
            (A + 1) + (A - 1) * c + 2 * math.sqrt(A) * alpha,
            -2 * ((A - 1) + (A + 1) * c),
            (A + 1) + (A - 1) * c - 2 * math.sqrt(A) * alpha,
        ),
        "highShelf": (
            A * ((A + 1) + (A - 1) * c + 2 * math.sqrt(A) * alpha),
            -2 * A * ((A - 1) + (A + 1) * c),
            A * ((A + 1) + (A - 1) * c - 2 * math.sqrt(A) * alpha),
            (A + 1) - (A - 1) * c + 2 * math.sqrt(A) * alpha,
            2 * ((A - 1) - (A + 1) * c),
            (A + 1) - (A - 1) * c - 2 * math.sqrt(A) * alpha,
        ),
    }
    row = np.array(table[kind], dtype=float)
    return row / row[3]


def _analog_db(kind, f, f0, q, gain_db=0.0):
    """The cookbook's analog prototypes H(s), s = j f / f0, evaluated directly."""
    s = 1j * np.asarray(f) / f0
    A = 10 ** (gain_db / 40)
    h = {
        "LPF": 1 / (s**2 + s / q + 1),
        "HPF": s**2 / (s**2 + s / q + 1),
        "BPF": (s / q) / (s**2 + s / q + 1),
        "notch": (s**2 + 1) / (s**2 + s / q + 1),
        "peakingEQ": (s**2 + s * A / q + 1) / (s**2 + s / (A * q) + 1),
        "lowShelf": A * (s**2 + math.sqrt(A) / q * s + A) / (A * s**2 + math.sqrt(A) / q * s + 1),
        "highShelf": A * (A * s**2 + math.sqrt(A) / q * s + 1) / (s**2 + math.sqrt(A) / q * s + A),
    }[kind]
    return np.maximum(20 * np.log10(np.maximum(np.abs(h), 1e-300)), -240.0)  # producerkit floors at -240 dB


def _sos_db(sos, f, sr):
    z = np.exp(-2j * np.pi * np.asarray(f) / sr)
    h = np.ones_like(z)
    for b0, b1, b2, a0, a1, a2 in sos:
        h *= (b0 + b1 * z + b2 * z * z) / (a0 + a1 * z + a2 * z * z)
    return 20 * np.log10(np.abs(h))


# --------------------------------------------------------------------------- RBJ cookbook


@pytest.mark.parametrize("sr", [8000, 44100, 96000])
@pytest.mark.parametrize("f0", [31.5, 1000, 3500])
@pytest.mark.parametrize("q", [0.3, 0.7071, 4.0])
def test_rbj_design_equals_the_audio_eq_cookbook_formulas(sr, f0, q):
    cases = [
        (LowPass(f0, q=q, design="rbj"), "LPF", 0),
        (HighPass(f0, q=q, design="rbj"), "HPF", 0),
        (BandPass(f0, q=q, design="rbj"), "BPF", 0),
        (Notch(f0, q=q, design="rbj"), "notch", 0),
    ]
    for g in (-9.0, 6.0):
        cases += [
            (Peak(f0, g, q=q, design="rbj"), "peakingEQ", g),
            (LowShelf(f0, g, q=q, design="rbj"), "lowShelf", g),
            (HighShelf(f0, g, q=q, design="rbj"), "highShelf", g),
        ]
    for band, kind, g in cases:
        np.testing.assert_allclose(band.sos(sr)[0], _cookbook(kind, f0, sr, q, g), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("order", [4, 6, 8])
def test_rbj_high_orders_are_cookbook_sections_with_butterworth_qs(order):
    sos = LowPass(2000, order=order, design="rbj").sos(SR)
    qs = [1 / (2 * math.cos((2 * k - 1) * math.pi / (2 * order))) for k in range(1, order // 2 + 1)]
    np.testing.assert_allclose(butterworth_qs(order), qs)
    np.testing.assert_allclose(sos, [_cookbook("LPF", 2000, SR, q) for q in qs], rtol=1e-12)


def test_rbj_cramps_near_nyquist_and_matched_does_not():
    """The lesson's claim: a 16 kHz bell at 44.1 kHz, bilinear (RBJ) vs matched (Vicanek 2016)."""
    analog = _analog_db("peakingEQ", AUDIBLE, 16000, 1.0, 6.0)
    rbj = Peak(16000, 6, q=1, design="rbj").response(AUDIBLE, SR)
    matched = Peak(16000, 6, q=1).response(AUDIBLE, SR)
    assert np.max(np.abs(rbj - analog)) > 2.0
    assert np.max(np.abs(matched - analog)) < 0.5
    # the cookbook filter is exact at its centre frequency, just too narrow
    assert Peak(16000, 6, q=1, design="rbj").response([16000], SR)[0] == pytest.approx(6.0, abs=1e-9)
    rbj_lp = LowPass(16000, design="rbj").response(AUDIBLE, SR)
    assert np.min(rbj_lp - _analog_db("LPF", AUDIBLE, 16000, 0.7071)) < -5.0


# --------------------------------------------------------------------------- matched vs analog


def _matched_error(band, kind, q, gain_db=0.0, above_db=-60.0):
    analog = _analog_db(kind, AUDIBLE, band.freq, q, gain_db)
    np.testing.assert_allclose(np.maximum(band.analog_response(AUDIBLE), -240), analog, atol=1e-9)
    keep = analog > above_db  # a notch's exact null is -inf in both: compare where it is measurable
    return np.max(np.abs(band.response(AUDIBLE, SR) - analog)[keep])


@pytest.mark.parametrize("gain_db", [-18, -12, -6, -1, 1, 6, 12, 18])
def test_matched_peak_is_within_1_db_of_analog_up_to_16k(gain_db):
    """Vicanek-style matched bell: within 1 dB of the analog prototype, 20 Hz - 20 kHz at 44.1 kHz."""
    worst = max(
        _matched_error(Peak(f0, gain_db, q=q), "peakingEQ", q, gain_db)
        for f0 in CENTRES
        for q in (0.1, 0.3, 0.7071, 1, 2, 4, 10, 50)
    )
    assert worst < 1.0


def test_matched_notch_and_bandpass_are_within_1_db_of_analog_up_to_16k():
    qs = (0.05, 0.1, 0.3, 0.7071, 1, 2, 4, 10, 50)
    worst_notch = max(_matched_error(Notch(f0, q=q), "notch", q) for f0 in CENTRES for q in qs)
    worst_bp = max(_matched_error(BandPass(f0, q=q), "BPF", q) for f0 in CENTRES for q in qs)
    assert worst_notch < 1.0
    assert worst_bp < 1.0


def test_matched_shelves_stay_close_to_analog():
    worst = max(
        _matched_error(cls(f0, g, q=q), kind, q, g)
        for cls, kind in ((LowShelf, "lowShelf"), (HighShelf, "highShelf"))
        for f0 in CENTRES[::3]
        for g in (-18, -6, 6, 18)
        for q in (0.5, 0.7071, 1)
    )
    assert worst < 1.0


@pytest.mark.parametrize("cls,kind", [(LowPass, "LPF"), (HighPass, "HPF")])
def test_matched_pass_filters_within_2_db_where_analog_is_above_minus_12_db(cls, kind):
    worst = 0.0
    for f0 in CENTRES:
        for q in (0.5, 0.7071, 1, 2, 5, 10):
            worst = max(worst, _matched_error(cls(f0, q=q), kind, q, above_db=-12))
        for order in (4, 6, 8):
            band = cls(f0, order=order)
            analog = sum(_analog_db(kind, AUDIBLE, f0, q) for q in butterworth_qs(order))
            keep = analog > -12
            worst = max(worst, np.max(np.abs(band.response(AUDIBLE, SR) - analog)[keep]))
    assert worst < 2.0


@pytest.mark.parametrize("design", ["matched", "rbj"])
@pytest.mark.parametrize("order", [2, 4, 6, 8])
def test_butterworth_slope_is_12_db_per_order_2_and_minus_3_db_at_cutoff(design, order):
    lp = LowPass(200, order=order, design=design)
    hp = HighPass(5000, order=order, design=design)
    slope = 10 * math.log10((1 + 8 ** (2 * order)) / (1 + 4 ** (2 * order)))  # analog: 12 dB/oct per 2 orders
    # two to three octaves beyond the cutoff, where a Butterworth filter has reached its asymptote
    lp_db = lp.response([200, 800, 1600], SR)
    hp_db = hp.response([5000, 625, 1250], SR)
    assert lp_db[0] == pytest.approx(-10 * math.log10(2), abs=0.01)
    assert hp_db[0] == pytest.approx(-10 * math.log10(2), abs=0.01)
    assert slope == pytest.approx(6.0 * order, abs=0.2)
    assert lp_db[1] - lp_db[2] == pytest.approx(slope, abs=0.3)
    assert hp_db[2] - hp_db[1] == pytest.approx(slope, abs=0.3)


def test_cut_is_the_exact_inverse_of_the_boost():
    for cls in (Peak, LowShelf, HighShelf):
        boost, cut = cls(9000, 9, q=0.8), cls(9000, -9, q=0.8)
        np.testing.assert_allclose(boost.response(AUDIBLE, SR) + cut.response(AUDIBLE, SR), 0, atol=1e-9)
    assert Peak(1000, 0).response(AUDIBLE, SR) == pytest.approx(np.zeros(AUDIBLE.size), abs=1e-12)


# --------------------------------------------------------------------------- response vs measurement


@pytest.mark.parametrize("design", ["matched", "rbj"])
def test_response_matches_the_fft_of_the_measured_impulse_response(design):
    eq = EQ(
        [
            HighPass(60, order=4, design=design),
            LowShelf(250, -4, design=design),
            Peak(2500, 5, q=1.5, design=design),
            Notch(7000, q=8, design=design),
            HighShelf(12000, 3, design=design),
            LowPass(18000, q=1.2, design=design),
        ]
    )
    n = 1 << 16
    impulse = np.zeros(n, dtype=np.float32)
    impulse[0] = 1
    ir = eq(impulse, SR).astype(np.float64)
    freqs = np.fft.rfftfreq(n, 1 / SR)
    measured = 20 * np.log10(np.maximum(np.abs(np.fft.rfft(ir)), 1e-12))
    predicted = eq.response(freqs, SR)
    keep = (predicted > -60) & (freqs > 0)
    np.testing.assert_allclose(measured[keep], predicted[keep], atol=0.01)
    np.testing.assert_allclose(predicted, sum(b.response(freqs, SR) for b in eq), atol=1e-9)
    audible = predicted > -200  # below that, exact zeros read as the -240 dB floor
    np.testing.assert_allclose(predicted[audible], _sos_db(eq.sos(SR), freqs[audible], SR), atol=1e-7)


def test_one_pass_equals_running_the_bands_one_after_another():
    rng = np.random.default_rng(3)
    y = (0.3 * rng.standard_normal((2, 4000))).astype(np.float32)
    bands = [HighPass(100), Peak(1000, -6, q=3), HighShelf(8000, 4)]
    chained = y
    for band in bands:
        chained = band(chained, SR)
    np.testing.assert_allclose(EQ(bands)(y, SR), chained, atol=2e-6)


# --------------------------------------------------------------------------- stability


_BANDS = {
    "highpass": lambda f, q, g, o, d: HighPass(f, q=q if o == 2 else 1 / math.sqrt(2), order=o, design=d),
    "lowpass": lambda f, q, g, o, d: LowPass(f, q=q if o == 2 else 1 / math.sqrt(2), order=o, design=d),
    "lowshelf": lambda f, q, g, o, d: LowShelf(f, g, q=q, design=d),
    "highshelf": lambda f, q, g, o, d: HighShelf(f, g, q=q, design=d),
    "peak": lambda f, q, g, o, d: Peak(f, g, q=q, design=d),
    "notch": lambda f, q, g, o, d: Notch(f, q=q, design=d),
    "bandpass": lambda f, q, g, o, d: BandPass(f, q=q, design=d),
}


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted(_BANDS)),
    sr=st.sampled_from([8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 192000]),
    freq_fraction=st.floats(0.0, 1.0),
    q=st.floats(0.05, 50.0),
    gain_db=st.floats(-36.0, 36.0),
    order=st.sampled_from([2, 4, 6, 8]),
    design=st.sampled_from(["matched", "rbj"]),
)
def test_every_design_is_stable_poles_inside_the_unit_circle(kind, sr, freq_fraction, q, gain_db, order, design):
    freq = math.exp(math.log(1.0) + freq_fraction * (math.log(0.499 * sr) - math.log(1.0)))
    band = _BANDS[kind](freq, q, gain_db, order, design)
    sos = band.sos(sr)
    assert sos.shape == ((order // 2 if kind in ("highpass", "lowpass") else 1), 6)
    assert np.isfinite(sos).all()
    assert np.allclose(sos[:, 3], 1.0)
    for section in sos:
        assert np.all(np.abs(np.roots(section[3:])) < 1.0), (band, section)
    assert np.isfinite(band.response(log_freqs(64, 20, 0.49 * sr), sr)).all()


# --------------------------------------------------------------------------- layout, dtype, bypass


@pytest.mark.parametrize("shape", [(3000,), (2, 3000), (6, 3000)])
def test_layout_is_preserved_and_output_is_float32(shape):
    rng = np.random.default_rng(0)
    y = (0.2 * rng.standard_normal(shape)).astype(np.float32)
    eq = EQ([HighPass(120), Peak(2000, 3)])
    out = eq(y, SR)
    assert out.shape == y.shape and out.dtype == np.float32
    assert HighPass(120)(y, SR).shape == y.shape
    if y.ndim == 2:  # channels are filtered alike and independently
        np.testing.assert_allclose(out[1], eq(y[1], SR), atol=1e-7)
    assert eq(y.astype(np.float64), SR).dtype == np.float32


def test_bypass_and_empty_eq_return_the_input_unchanged():
    y = np.linspace(-0.5, 0.5, 1000, dtype=np.float32)
    for eq in (
        EQ(),
        EQ([Peak(1000, 6)], bypass=True),
        EQ([Peak(1000, 6, bypass=True), HighPass(50, bypass=True)]),
    ):
        out = eq(y, SR)
        np.testing.assert_array_equal(out, y)
        assert out is not y
        assert eq.sos(SR).shape == (0, 6)
        np.testing.assert_array_equal(eq.response(AUDIBLE, SR), 0)
    np.testing.assert_array_equal(Peak(1000, 6, bypass=True)(y, SR), y)
    np.testing.assert_array_equal(Peak(1000, 6, bypass=True).response(AUDIBLE, SR), 0)
    partly = EQ([Peak(1000, 6, bypass=True), HighShelf(5000, -3)])
    np.testing.assert_allclose(partly(y, SR), HighShelf(5000, -3)(y, SR))


def test_eq_is_list_like():
    hp, bell = HighPass(80), Peak(3000, -3, q=2)
    eq = EQ([hp])
    eq.append(bell)
    assert len(eq) == 2 and eq[0] is hp and eq[-1] is bell and list(eq) == [hp, bell]
    assert bell in eq and isinstance(eq[0:1], EQ) and len(eq[0:1]) == 1
    eq.insert(0, Notch(60))
    del eq[0]
    eq[1] = Peak(2500, -3)
    assert eq[1].freq == 2500
    with pytest.raises(ParameterError, match="EQ bands must be band objects"):
        eq.append(3.5)
    with pytest.raises(ParameterError, match="not EQ\\(band\\)"):
        EQ(hp)


# --------------------------------------------------------------------------- validation


def test_freq_above_nyquist_says_what_to_do():
    with pytest.raises(ParameterError) as err:
        Peak(30000, 3).sos(44100)
    assert str(err.value) == (
        "freq = 30000 Hz is above the Nyquist frequency (22050 Hz at sr = 44100); pick a frequency below 22050 Hz."
    )
    with pytest.raises(ParameterError, match="is at the Nyquist frequency"):
        EQ([LowPass(24000)])(np.zeros(10, np.float32), 48000)
    Peak(30000, 3).sos(96000)  # fine at a higher sample rate


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: Peak(1000, 3, q=0), "q must be between 0.05 and 50"),
        (lambda: Peak(1000, 3, q=80), "q must be between 0.05 and 50"),
        (lambda: Peak(1000, 40), "gain_db must be between -36 and \\+36 dB"),
        (lambda: Peak(1000, float("nan")), r"gain_db must be between -36 and \+36 dB \(got nan\)"),
        (lambda: Peak(0, 3), "freq must be at least 1 Hz"),
        (lambda: Peak(-100, 3), "freq must be at least 1 Hz"),
        (lambda: Peak("1k", 3), "freq must be a number in Hz .*try 1000"),
        (lambda: LowPass(1000, order=3), "order must be one of 2, 4, 6, 8 .*12, 24, 36, 48 dB per octave"),
        (lambda: LowPass(1000, order=4, q=2), "q only shapes order-2 filters"),
        (lambda: HighPass(1000, design="bilinear"), "design must be 'matched'"),
        (lambda: Notch(1000, bypass="yes"), "bypass must be True or False"),
        (lambda: EQ([Peak(100, 1), "bell"]), "got 'bell' at position 1"),
        (lambda: log_freqs(1), "n must be a whole number"),
        (lambda: log_freqs(10, 100, 50), "fmax must be above 100 Hz"),
    ],
)
def test_invalid_parameters_raise_messages_a_student_understands(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_setting_a_bad_value_later_raises_and_keeps_the_old_one():
    bell = Peak(1000, 3)
    with pytest.raises(ParameterError, match="q must be between"):
        bell.q = -1
    assert bell.q == 1.0
    hp = HighPass(100, order=4)
    with pytest.raises(ParameterError, match="q only shapes order-2 filters"):
        hp.q = 3
    assert hp.q == pytest.approx(1 / math.sqrt(2))
    bell.gain_db = -6
    assert bell.response([1000], SR)[0] == pytest.approx(-6, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(freq=st.floats(allow_nan=True, allow_infinity=True), q=st.floats(allow_nan=True, allow_infinity=True))
def test_any_float_parameters_either_work_or_raise_parameter_error(freq, q):
    try:
        band = Peak(freq, 6, q=q)
    except ParameterError:
        return
    assert 1 <= band.freq and 0.05 <= band.q <= 50
    try:
        sos = band.sos(SR)
    except ParameterError as err:
        assert "Nyquist" in str(err)
        return
    assert np.isfinite(sos).all()


def test_log_freqs_is_log_spaced_20_hz_to_20_khz():
    f = log_freqs()
    assert f.size == 512 and f[0] == pytest.approx(20) and f[-1] == pytest.approx(20000)
    np.testing.assert_allclose(np.diff(np.log(f)), np.log(1000) / 511)
