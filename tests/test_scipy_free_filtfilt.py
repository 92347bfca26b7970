"""Lesson 08's zero-phase filters, built in NumPy, against scipy.signal's own.

Importing ``scipy.signal`` takes a lesson 1.5-1.7 s (scipy 1.17 imports scipy.stats, .optimize
and .interpolate with it), so the code lesson 08 reaches designs and runs these itself:
editing's hum notches (scipy.signal.iirnotch + tf2sos), ``eq.butterworth_highpass_sos``
(scipy.signal.butter) and ``eq.filter_sos_zero_phase`` (scipy.signal.sosfiltfilt), which
``remove_hum`` and ``click_db`` run. Each must make what scipy makes; and none may import it.
"""

import subprocess
import sys

import numpy as np
import pytest
from scipy import signal

from producerkit import editing
from producerkit.eq import butterworth_highpass_sos, filter_sos_zero_phase
from producerkit.errors import ParameterError


def _taps(sos):
    """sosfiltfilt's count of taps, which sets its default padlen."""
    return 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))


def _clip(channels, n, seed=0, sr=44100):
    """Noise plus a DC offset and 50 Hz hum: the ends are far from zero, so the padding and initial states show."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    x = 0.3 * rng.standard_normal((channels, n)) + 0.4 * np.sin(2 * np.pi * 50 * t + np.arange(channels)[:, None]) + 0.2
    return x.astype(np.float32)


@pytest.mark.parametrize("sr", [8000, 22050, 44100, 48000, 96000])
@pytest.mark.parametrize(("freq", "harmonics", "q"),
                         [(50.0, 8, 30.0), (60.0, 8, 30.0), (50.0, 3, 5.0), (60.0, 40, 100.0)])
def test_hum_notches_are_scipys_iirnotch(sr, freq, harmonics, q):
    ours = editing._hum_sos(sr, freq, harmonics, q)
    bandwidth = freq / q
    kept = [k * freq for k in range(1, harmonics + 1) if k * freq + bandwidth < sr / 2]
    theirs = np.concatenate([signal.tf2sos(*signal.iirnotch(f, f / bandwidth, fs=sr)) for f in kept])
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert _taps(ours) == _taps(theirs)
    freqs = np.linspace(1.0, 0.999 * sr / 2, 2000)
    np.testing.assert_allclose(signal.sosfreqz(ours, worN=freqs, fs=sr)[1],
                               signal.sosfreqz(theirs, worN=freqs, fs=sr)[1], atol=1e-10)
    # each notch silences its harmonic and is freq / q wide at -3 dB
    for row, f in zip(ours, kept, strict=True):
        near = np.linspace(f - 2 * bandwidth, f + 2 * bandwidth, 40001)
        power = np.abs(signal.sosfreqz(row[None], worN=near, fs=sr)[1]) ** 2
        assert np.abs(signal.sosfreqz(row[None], worN=[f], fs=sr)[1][0]) < 1e-9
        assert np.ptp(near[power < 0.5]) == pytest.approx(bandwidth, rel=1e-3)


@pytest.mark.parametrize("order", range(1, 9))
@pytest.mark.parametrize("sr", [8000, 44100, 96000])
@pytest.mark.parametrize("cutoff", [20.0, 1000.0, 3000.0, 0.45])
def test_butterworth_highpass_has_scipy_butters_response(order, sr, cutoff):
    cutoff = cutoff * sr if cutoff < 1 else cutoff
    ours = butterworth_highpass_sos(order, cutoff, sr)
    theirs = signal.butter(order, cutoff, "highpass", fs=sr, output="sos")
    freqs = np.geomspace(1.0, 0.999 * sr / 2, 400)
    h_ours = signal.sosfreqz(ours, worN=freqs, fs=sr)[1]
    h_theirs = signal.sosfreqz(theirs, worN=freqs, fs=sr)[1]
    # 2e-10 worst measured (order 8, 20 Hz at 96 kHz: poles next to z = 1: either design's rounding)
    assert np.max(np.abs(h_ours - h_theirs)) < 1e-9 * np.max(np.abs(h_theirs))
    assert ours.shape == theirs.shape
    assert _taps(ours) == _taps(theirs)  # so sosfiltfilt's default padlen is the same
    if order % 2 == 0:  # the same sections in the same order (scipy pairs an odd order's real pole its own way)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    cut = np.abs(signal.sosfreqz(ours, worN=[cutoff], fs=sr)[1][0])
    assert 20 * np.log10(cut) == pytest.approx(-3.0103, abs=1e-3)


@pytest.mark.parametrize("args", [(0, 3000, 44100), (9, 3000, 44100), (2.5, 3000, 44100), (4, 0, 44100),
                                  (4, 22050, 44100), (4, float("nan"), 44100), (4, 3000, -1)])
def test_butterworth_highpass_refuses_what_cannot_be_designed(args):
    with pytest.raises(ParameterError):
        butterworth_highpass_sos(*args)


_DESIGNS = {
    "click_db's high-pass": lambda sr: signal.butter(4, 3000.0, "highpass", fs=sr, output="sos"),
    "an odd high-pass": lambda sr: signal.butter(3, 100.0, "highpass", fs=sr, output="sos"),
    "remove_hum's notches": lambda sr: editing._hum_sos(sr, 50.0, 8, 30.0),
    "a low-pass": lambda sr: signal.butter(6, 500.0, "lowpass", fs=sr, output="sos"),
}


@pytest.mark.parametrize("design", list(_DESIGNS))
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize(("n", "padlen"), [(44100, None), (44100, 0), (44100, 1000), (44100, 44099), (3000, 2999),
                                           (200, None), (40, 39), (2, 1), (1, 0)])
def test_zero_phase_filtering_is_scipys_sosfiltfilt(design, channels, n, padlen):
    sr = 44100
    sos = _DESIGNS[design](sr)
    if padlen is None and n <= 3 * _taps(sos):
        pytest.skip("scipy refuses it too (tested below)")
    x = _clip(channels, n, seed=n + channels)
    ours = filter_sos_zero_phase(sos, x, padlen=padlen)
    theirs = signal.sosfiltfilt(sos, x.astype(np.float64), axis=-1, padlen=padlen)
    assert ours.dtype == np.float32
    assert ours.shape == x.shape
    # measured: at most 2.2e-7 of the clip's peak (float32 rounding between the passes)
    assert np.max(np.abs(ours - theirs)) < 1e-6 * np.max(np.abs(x))


def test_zero_phase_filtering_of_the_shortest_clips_scipy_takes_by_default():
    sos = signal.butter(4, 3000.0, "highpass", fs=44100, output="sos")
    x = _clip(2, 3 * _taps(sos) + 1)
    np.testing.assert_allclose(filter_sos_zero_phase(sos, x), signal.sosfiltfilt(sos, x.astype(np.float64)),
                               atol=1e-6 * np.max(np.abs(x)))


@pytest.mark.parametrize(("n", "padlen"), [(15, None), (10, 10), (10, 20)])
def test_zero_phase_filtering_refuses_padding_longer_than_the_clip_as_scipy_does(n, padlen):
    sos = signal.butter(4, 3000.0, "highpass", fs=44100, output="sos")
    x = _clip(1, n)
    with pytest.raises(ValueError, match="padlen"):
        signal.sosfiltfilt(sos, x, padlen=padlen)
    with pytest.raises(ParameterError, match="padlen"):
        filter_sos_zero_phase(sos, x, padlen=padlen)


@pytest.mark.parametrize(("sos", "x", "padlen", "match"), [
    (np.array([[1.0, 0, 0, 1, 0, 0]]), np.zeros(100), None, "shape"),
    (np.array([[1.0, 0, 0, 1, 0]]), np.zeros((1, 100)), None, "sections"),
    (np.array([[1.0, 0, 0, 1, -1, 0]]), np.zeros((1, 100)), None, "pole at DC"),
    (np.array([[1.0, 0, 0, 1, 0, 0]]), np.zeros((1, 100)), -1, "padlen"),
    (np.array([[1.0, 0, 0, 1, 0, 0]]), np.zeros((1, 100)), 2.5, "padlen"),
])
def test_zero_phase_filtering_says_what_is_wrong(sos, x, padlen, match):
    with pytest.raises(ParameterError, match=match):
        filter_sos_zero_phase(sos, x, padlen=padlen)


def _remove_hum_with_scipy(y, sr, freq=50.0, harmonics=8, q=30.0):
    """remove_hum as it was before (scipy.signal's iirnotch, tf2sos and sosfiltfilt)."""
    bandwidth = freq / q
    kept = [k * freq for k in range(1, harmonics + 1) if k * freq + bandwidth < sr / 2]
    sos = np.concatenate([signal.tf2sos(*signal.iirnotch(f, f / bandwidth, fs=sr)) for f in kept])
    padlen = min(max(3 * _taps(sos), sr), y.shape[-1] - 1)
    x = np.atleast_2d(y).astype(np.float64)
    return signal.sosfiltfilt(sos, x, axis=-1, padlen=padlen).astype(np.float32).reshape(y.shape)


@pytest.mark.parametrize(("channels", "n", "sr", "freq", "q"), [
    (2, 3 * 44100, 44100, 50.0, 30.0), (1, 3 * 48000, 48000, 60.0, 30.0), (2, 20000, 44100, 50.0, 10.0),
    (1, 500, 44100, 50.0, 30.0), (2, 2, 44100, 60.0, 30.0), (1, 1, 44100, 50.0, 30.0)])
def test_remove_hum_gives_what_scipys_filters_gave(channels, n, sr, freq, q):
    x = _clip(channels, n, seed=n, sr=sr)
    x = x[0] if channels == 1 else x
    ours = editing.remove_hum(x, sr, freq=freq, q=q)
    theirs = _remove_hum_with_scipy(x, sr, freq=freq, q=q)
    assert ours.shape == x.shape
    assert ours.dtype == np.float32
    assert np.max(np.abs(ours - theirs)) < 1e-6 * np.max(np.abs(x))


def _click_db_with_scipy(y, sr, at_s, window_ms=3.0):
    """click_db as it was before (scipy.signal's butter and sosfiltfilt)."""
    x = np.atleast_2d(y).mean(axis=0).astype(np.float64)
    at, w, around = int(round(at_s * sr)), max(1, int(round(window_ms * sr / 1000.0))), int(0.2 * sr)
    high = signal.sosfiltfilt(signal.butter(4, min(3000.0, 0.4 * sr), "highpass", fs=sr, output="sos"),
                              x[at - around : at + around])
    peak = np.max(np.abs(high[around - w : around + w]))
    context = np.concatenate([high[: around - 4 * w], high[around + 4 * w :]])
    return 20 * np.log10(peak / np.max(np.abs(context)))


@pytest.mark.parametrize("sr", [8000, 44100, 48000])
@pytest.mark.parametrize("crossfade", [False, True])
def test_click_db_gives_what_scipys_filters_gave(sr, crossfade):
    t = np.arange(sr) / sr
    hiss = 0.01 * np.random.default_rng(sr).standard_normal(sr)  # the music's own highs, for the click to beat
    a = (0.5 * np.sin(2 * np.pi * 220 * t) + hiss).astype(np.float32)
    b = (0.5 * np.sin(2 * np.pi * 330 * t + 1.0) + hiss).astype(np.float32)
    splice = np.concatenate([a[: sr // 2], b[sr // 2 :]])
    if crossfade:
        fade = np.linspace(0.0, 1.0, int(0.005 * sr), dtype=np.float32)
        i = sr // 2
        splice[i : i + fade.size] = a[i : i + fade.size] * (1 - fade) + b[i : i + fade.size] * fade
    stereo = np.stack([splice, 0.5 * splice])
    ours = editing.click_db(stereo, sr, 0.5)
    theirs = _click_db_with_scipy(stereo, sr, 0.5)
    assert ours == pytest.approx(theirs, abs=1e-4)  # measured: within 2e-6 dB
    assert (ours > 10.0) if not crossfade else (ours < 0.0)  # a butt splice clicks; a crossfade does not


def test_remove_hum_and_click_db_do_not_import_scipy_signal():
    code = """
import sys
import numpy as np
from producerkit import editing
sr = 44100
y = np.random.default_rng(0).standard_normal((2, sr)).astype(np.float32) * 0.1
editing.remove_hum(y, sr)
editing.click_db(y, sr, 0.5)
print("scipy.signal" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "False", "remove_hum or click_db imports scipy.signal again (1.5 s of lesson 08)"
