"""The filter designs and spectra the lessons run, built in NumPy, against scipy.signal's own.

Importing ``scipy.signal`` takes a lesson 1.5-1.7 s (scipy 1.17 imports scipy.stats, .optimize
and .interpolate with it), so the code the lessons reach designs these itself:
``eq.butterworth_bandpass_sos`` (scipy.signal.butter), the limiter's interpolation phases
(scipy.signal.firwin), editing's Welch spectrum (scipy.signal.welch) and A-weighting
(scipy.signal.bilinear_zpk + zpk2sos). Each must make what scipy makes; and none may import it.
"""

import subprocess
import sys

import numpy as np
import pytest
from scipy import signal

from producerkit import editing
from producerkit.dynamics import _interpolation_phases
from producerkit.eq import butterworth_bandpass_sos, filter_sos
from producerkit.errors import ParameterError


@pytest.mark.parametrize("order", [1, 2, 3, 4, 6, 8])
@pytest.mark.parametrize("sr", [8000, 44100, 96000])
@pytest.mark.parametrize("band", [(20.0, 38.0), (707.1, 1414.2), (100.0, 0.45), (1000.0, 1001.0)])
def test_butterworth_bandpass_has_scipy_butters_response(order, sr, band):
    low, high = band[0], (band[1] * sr if band[1] < 1 else band[1])
    ours = butterworth_bandpass_sos(order, low, high, sr)
    theirs = signal.butter(order, [low, high], "bandpass", fs=sr, output="sos")
    freqs = np.geomspace(5.0, 0.999 * sr / 2, 400)
    h_ours = signal.sosfreqz(ours, worN=freqs, fs=sr)[1]
    h_theirs = signal.sosfreqz(theirs, worN=freqs, fs=sr)[1]
    assert np.max(np.abs(h_ours - h_theirs)) < 1e-7 * np.max(np.abs(h_theirs))
    assert ours.shape == theirs.shape


def test_butterworth_bandpass_filters_like_scipy_and_is_minus_3_db_at_its_edges():
    sr = 44100
    x = np.random.default_rng(4).standard_normal(sr)
    sos = butterworth_bandpass_sos(3, 500.0, 2000.0, sr)
    theirs = signal.sosfilt(signal.butter(3, [500.0, 2000.0], "bandpass", fs=sr, output="sos"), x)
    np.testing.assert_allclose(filter_sos(sos, x[None].astype(np.float32))[0], theirs, atol=1e-6)
    edges = np.abs(signal.sosfreqz(sos, worN=[500.0, 2000.0], fs=sr)[1])
    np.testing.assert_allclose(20 * np.log10(edges), -3.0103, atol=1e-3)


@pytest.mark.parametrize("args", [(0, 20, 40, 44100), (2.5, 20, 40, 44100), (4, 0, 40, 44100), (4, 50, 40, 44100),
                                  (4, 20, 22050, 44100), (4, 20, 40, -1)])
def test_butterworth_bandpass_refuses_what_cannot_be_designed(args):
    with pytest.raises(ParameterError):
        butterworth_bandpass_sos(*args)


def test_limiter_interpolation_phases_are_scipy_firwins_kaiser_sinc():
    h = signal.firwin(81, 1 / 4, window=("kaiser", 5.0)) * 4
    offsets = np.arange(-9, 11)
    expected = np.array([h[p - 4 * offsets + 40] for p in (1, 2, 3)], dtype=np.float32)
    phases, worst = _interpolation_phases()
    np.testing.assert_array_equal(phases, expected)
    assert worst == pytest.approx(float(np.abs(expected).sum(axis=1).max()))


@pytest.mark.parametrize(("n", "nperseg", "dtype"), [(132300, 44100, np.float64), (30000, 30000, np.float32),
                                                     (50001, 44100, np.float32), (9999, 5555, np.float64)])
def test_welch_spectrum_is_scipy_welchs(n, nperseg, dtype):
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    freqs, psd = editing._welch_psd(x, 44100, nperseg)
    expected_freqs, expected = signal.welch(x.astype(np.float64), fs=44100, nperseg=nperseg)
    np.testing.assert_array_equal(freqs, expected_freqs)
    np.testing.assert_allclose(psd, expected, rtol=1e-9, atol=1e-12 * expected.max())


@pytest.mark.parametrize("sr", [22050, 44100, 48000, 96000])
def test_a_weighting_is_scipys_bilinear_design_and_0_db_at_1_khz(sr):
    poles_hz = (20.598997, 20.598997, 107.65265, 737.86223, 12194.217, 12194.217)
    z, p, k = signal.bilinear_zpk([0.0] * 4, [-2 * np.pi * f for f in poles_hz], 1.0, sr)
    theirs = signal.zpk2sos(z, p, k)
    theirs[0, :3] /= abs(signal.freqz_sos(theirs, worN=[1000.0], fs=sr)[1][0])
    ours = editing._a_weighting_sos(sr)
    freqs = np.geomspace(10.0, 0.999 * sr / 2, 500)
    h_ours = signal.sosfreqz(ours, worN=freqs, fs=sr)[1]
    np.testing.assert_allclose(h_ours, signal.sosfreqz(theirs, worN=freqs, fs=sr)[1], atol=1e-11)
    at = {f: 20 * np.log10(abs(signal.sosfreqz(ours, worN=[f], fs=sr)[1][0])) for f in (100.0, 1000.0)}
    assert at[1000.0] == pytest.approx(0.0, abs=1e-9)
    assert at[100.0] == pytest.approx(-19.1, abs=0.1)  # IEC 61672-1's table: -19.1 dB at 100 Hz


def test_the_lessons_filters_and_spectra_do_not_import_scipy_signal():
    code = """
import sys
import numpy as np
from producerkit import dynamics, editing, master, space, training
sr = 44100
y = np.random.default_rng(0).standard_normal((2, sr)).astype(np.float32) * 0.1
dynamics.Limiter(ceiling_dbtp=-1.0)(y * 10, sr)
editing._hum(y[0], sr), editing._noise_floor(y[0], sr)
space.rt60(space.Reverb(decay_s=0.8, mix=1.0)(np.r_[1.0, np.zeros(sr - 1)].astype(np.float32), sr), sr, band_hz=1000)
training._band_noise(sr, sr, 20.0, 38.0, np.random.default_rng(0))
print("scipy.signal" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "False", "a lesson's code path imports scipy.signal again (1.5 s of the lesson)"
