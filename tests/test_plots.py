"""producerkit.plots: the numbers behind the figures, and the figures themselves."""

import numpy as np
import pytest

from producerkit import plots
from producerkit.dynamics import Compressor
from producerkit.eq import EQ, Peak
from producerkit.meters import loudness
from producerkit.signals import noise, sine

SR = 44100


def test_a_sine_peaks_at_its_frequency_and_levels_compare_in_exact_db():
    freqs, loud = plots.spectrum_db(sine(1000, 2.0, SR, level_db=0), SR)
    _, quiet = plots.spectrum_db(sine(1000, 2.0, SR, level_db=-20), SR)
    k = int(np.argmax(loud))
    assert freqs[k] == pytest.approx(1000, rel=0.06)
    assert loud[k] - quiet[k] == pytest.approx(20.0, abs=0.01)
    assert loud[np.argmin(np.abs(freqs - 100))] < loud[k] - 60


def test_pink_noise_falls_3_db_per_octave_and_white_noise_draws_flat():
    freqs, pink = plots.spectrum_db(noise(8.0, SR, color="pink", seed=3), SR)
    _, white = plots.spectrum_db(noise(8.0, SR, color="white", seed=3), SR)
    at = lambda curve, f: curve[np.argmin(np.abs(freqs - f))]  # noqa: E731
    assert at(pink, 500) - at(pink, 2000) == pytest.approx(6.0, abs=1.0)
    assert abs(at(white, 500) - at(white, 2000)) < 1.0


def test_filtered_spectrum_from_the_response_matches_analysing_the_filtered_audio():
    y = noise(4.0, SR, color="pink", seed=1)
    eq = EQ([Peak(1000, 9, q=1.0)])
    spectrum = plots.SmoothedSpectrum(y, SR)
    predicted = spectrum.db(eq.response(spectrum.bin_freqs[spectrum.used], SR))
    measured = plots.spectrum_db(eq(y, SR), SR)[1]
    band = (spectrum.freqs > 40) & (spectrum.freqs < 16000)
    assert np.max(np.abs(predicted[band] - measured[band])) < 1.0


def test_waveform_envelope_brackets_the_signal():
    y = sine(5, 1.0, 1000, level_db=0)  # one slow cycle at 1 kHz: easy to reason about
    t, lo, hi = plots.waveform_envelope(y, 1000, points=10)
    assert len(t) == 10 and np.all(lo <= hi)
    assert hi.max() == pytest.approx(1.0, abs=0.01) and lo.min() == pytest.approx(-1.0, abs=0.01)


def test_decimated_trace_keeps_the_maximum():
    trace = np.zeros(1000)
    trace[500] = 7.0
    _, values = plots.decimate_trace(trace, 1000, points=10)
    assert values.max() == 7.0


def test_level_histogram_is_a_distribution_around_the_signal_level():
    y = sine(1000, 2.0, SR, level_db=-20)  # RMS -23 dBFS
    centres, fraction = plots.level_histogram(y, SR)
    assert fraction.sum() == pytest.approx(1.0)
    assert centres[np.argmax(fraction)] == pytest.approx(-23, abs=1.0)


def test_figures_have_the_traces_a_lesson_refers_to():
    y = noise(2.0, SR, color="pink", seed=2)
    comp = Compressor(threshold_db=-30)
    result = comp.process(y, SR)
    assert [t.name for t in plots.eq_figure(EQ([Peak(300, -4)]), SR, y, y).data] == ["before", "after", "EQ curve"]
    assert "output" in [t.name for t in plots.transfer_curve_figure(comp, y, SR).data]
    names = [t.name for t in plots.gain_reduction_figure(y, result.audio, result.gain_reduction_db, SR).data]
    assert names == ["input", "output", "gain reduction"]
    assert len(plots.spectrum_figure({"a": y, "b": 0.5 * y}, SR).data) == 2
    assert len(plots.waveform_figure({"a": y}, SR).data) == 1
    fig = plots.loudness_figure(loudness(y, SR), target_lufs=-14)
    assert {t.name for t in fig.data} == {"momentary", "short-term"}
    assert len(plots.filter_designs_figure(Peak, SR, freq=16000, gain_db=9, q=1).data) == 3
