"""producerkit.signals: levels, frequencies, determinism and layouts of the test signals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import ParameterError
from producerkit.audio import amp_to_db
from producerkit.signals import click_track, noise, sine, sweep, tone_bursts

SR = 44100


def _rms_db(y):
    return 10 * np.log10(np.mean(np.asarray(y, np.float64) ** 2))


def test_sine_level_is_its_peak_and_its_rms_is_3_01_db_lower():
    y = sine(1000, 1.0, SR, level_dbfs=0)
    assert amp_to_db(np.max(np.abs(y))) == pytest.approx(0, abs=0.01)
    assert _rms_db(y) == pytest.approx(-3.0103, abs=0.01)
    spectrum = np.abs(np.fft.rfft(y))
    assert np.argmax(spectrum) * SR / y.size == pytest.approx(1000, abs=1)


def test_stereo_and_float32_layout():
    y = sine(440, 0.1, SR, channels=2)
    assert y.shape == (2, 4410) and y.dtype == np.float32
    np.testing.assert_array_equal(y[0], y[1])


def test_log_sweep_spends_equal_time_per_octave():
    y = sweep(100, 6400, 6.0, SR, level_dbfs=-6)  # six octaves in six seconds
    # instantaneous frequency from zero crossings in the 3rd second should be ~ 100 * 2**2.5
    seg = y[int(2.45 * SR) : int(2.55 * SR)]
    crossings = np.count_nonzero(np.diff(np.signbit(seg)))
    freq = crossings / 2 / 0.1
    assert freq == pytest.approx(100 * 2**2.5, rel=0.03)


def test_white_noise_is_deterministic_with_its_rms_level():
    a = noise(1.0, SR, level_dbfs=-20, seed=3)
    b = noise(1.0, SR, level_dbfs=-20, seed=3)
    c = noise(1.0, SR, level_dbfs=-20, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert _rms_db(a) == pytest.approx(-20, abs=0.01)


def test_pink_noise_falls_3_db_per_octave():
    y = noise(10.0, SR, color="pink", level_dbfs=-20, seed=1)
    spec = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(y.size, 1 / SR)

    def band_power(lo):
        sel = (freqs >= lo) & (freqs < 2 * lo)
        return 10 * np.log10(spec[sel].sum())

    # equal energy per octave: octave band powers within 0.5 dB of each other
    powers = [band_power(f) for f in (100, 200, 400, 800, 1600, 3200)]
    assert np.ptp(powers) < 0.5
    # and so the power density falls 3 dB per octave
    density = [10 * np.log10(spec[(freqs >= f) & (freqs < 1.1 * f)].mean()) for f in (500, 1000, 2000)]
    assert np.diff(density) == pytest.approx([-3.01, -3.01], abs=0.5)


def test_decorrelated_stereo_noise():
    y = noise(1.0, SR, channels=2, decorrelated=True)
    assert y.shape == (2, SR)
    assert abs(np.corrcoef(y)[0, 1]) < 0.05
    same = noise(1.0, SR, channels=2)
    np.testing.assert_array_equal(same[0], same[1])


def test_tone_bursts_have_silent_gaps_and_soft_edges():
    y = tone_bursts(1000, SR, burst_ms=100, gap_ms=400, count=3, level_dbfs=-6)
    assert y.size == int(0.5 * SR) * 3
    period = int(0.5 * SR)
    assert np.max(np.abs(y[int(0.1 * SR) + 1 : period])) == 0.0
    assert abs(y[0]) < 1e-6  # faded in: no click


def test_click_track_lands_on_every_beat():
    bpm = 120
    y = click_track(bpm, 2, SR)
    spb = 60 / bpm * SR
    assert y.size == int(round(8 * spb))
    onsets = np.flatnonzero((np.abs(y[1:]) > 1e-4) & (np.abs(y[:-1]) <= 1e-4)) + 1
    starts = [int(round(b * spb)) for b in range(8)]
    for s in starts:
        assert np.min(np.abs(onsets - s)) <= 1
    # downbeats are accented
    assert np.max(np.abs(y[: int(0.02 * SR)])) > 1.5 * np.max(np.abs(y[int(spb) : int(spb) + 882]))


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: sine(30000, 1, SR), "Nyquist"),
        (lambda: sine(440, -1, SR), "duration"),
        (lambda: sine(440, 1, 0), "sr"),
        (lambda: sweep(100, 100, 1, SR), "equal"),
        (lambda: noise(1, SR, color="blue"), "color"),
        (lambda: tone_bursts(1000, SR, count=0), "count"),
        (lambda: click_track(5, 1, SR), "bpm"),
        (lambda: sine(440, 1, SR, level_dbfs=float("nan")), "level_db"),
    ],
)
def test_bad_parameters_say_what_is_wrong(call, pattern):
    with pytest.raises(ParameterError, match=pattern):
        call()


@settings(max_examples=30, deadline=None)
@given(
    sr=st.sampled_from([8000, 22050, 44100, 48000, 96000, 192000]),
    frac=st.floats(0.001, 0.45),
    dur=st.floats(0.0001, 0.05),
)
def test_generators_are_finite_float32_at_any_rate(sr, frac, dur):
    for y in (sine(frac * sr, dur, sr), noise(dur, sr, color="pink"), sweep(20, frac * sr + 21, dur, sr)):
        assert y.dtype == np.float32 and y.ndim == 1 and y.size >= 1
        assert np.isfinite(y).all()
