"""EQExplorer and CompressorExplorer, Python side (the browser side is in tests/browser/).

References: scipy.signal.sosfilt for the cascade kernel and the explorer's EQ output;
producerkit.plots.spectrum_db (Welch's method) for the spectra; the Compressor's own
process()/curve() (Giannoulis, Massberg and Reiss, JAES 2012) for the compressor explorer;
asyncio's event loop semantics for the debounce.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import sosfilt

from producerkit import eq, plots, signals
from producerkit.dynamics import Compressor
from producerkit.errors import AudioError, ParameterError
from producerkit.widgets import CompressorExplorer, EQExplorer
from producerkit.widgets._common import Debouncer, guarded

SR = 44100


@pytest.fixture(scope="module")
def stereo():
    noise = signals.noise(1.0, SR, "pink", level_dbfs=-20.0, channels=2, decorrelated=True)
    return noise + signals.sine(220.0, 1.0, SR, level_dbfs=-18.0, channels=2)


@pytest.fixture(scope="module")
def drums():
    clicks = signals.click_track(240, 1, SR, level_dbfs=-3.0, channels=2)
    bed = signals.noise(clicks.shape[1] / SR, SR, "pink", level_dbfs=-30.0, channels=2, seed=3)
    return clicks + bed[:, : clicks.shape[1]]


def _bands():
    return [eq.HighPass(60), eq.LowShelf(150, gain_db=3), eq.Peak(1000, gain_db=-4, q=2), eq.HighShelf(7000, gain_db=2)]


# --------------------------------------------------------------------------- the cascade kernel


@pytest.mark.parametrize("channels", [1, 2])
def test_filter_sos_matches_scipy_sosfilt(stereo, channels):
    """eq.filter_sos (numba DF-II transposed) equals scipy.signal.sosfilt in float64 to float32 precision."""
    x = stereo[:channels]
    sos = eq.EQ(_bands() + [eq.Notch(3000, q=5), eq.LowPass(12000, order=4)]).sos(SR)
    ref = sosfilt(sos, x.astype(np.float64), axis=-1)
    out = eq.filter_sos(sos, x)
    assert out.dtype == np.float32 and out.shape == x.shape
    np.testing.assert_allclose(out, ref, atol=2e-7)


def test_eq_chain_output_unchanged_by_kernel(stereo):
    """EQ(bands)(y) through the kernel equals scipy.signal.sosfilt of the same sections."""
    chain = eq.EQ(_bands())
    ref = sosfilt(chain.sos(SR), stereo.astype(np.float64), axis=-1)
    np.testing.assert_allclose(chain(stereo, SR), ref, atol=2e-7)


# --------------------------------------------------------------------------- EQExplorer


@pytest.mark.parametrize("layout", ["mono", "stereo", "frames_by_channels"])
def test_eq_explorer_accepts_layouts_and_filters_like_the_chain(stereo, layout):
    """processed == EQ(bands)(y) (scipy.signal.sosfilt reference) for mono, (2, n) and (n, 2) input."""
    y = {"mono": stereo[0], "stereo": stereo, "frames_by_channels": stereo.T}[layout]
    ex = EQExplorer(y, SR, bands=_bands())
    y_std = stereo[0] if layout == "mono" else stereo
    ref = sosfilt(eq.EQ(_bands()).sos(SR), y_std.astype(np.float64), axis=-1)
    assert ex.processed.shape == y_std.shape and ex.processed.dtype == np.float32
    np.testing.assert_allclose(ex.processed, ref, atol=1e-6)
    assert ex.error == ""
    assert ex.player.label_a == "Dry" and ex.player.label_b == "EQ" and ex.player.match_loudness
    assert [type(b).__name__ for b in ex.eq] == ["HighPass", "LowShelf", "Peak", "HighShelf"]
    assert ex.figure.__class__.__name__ == "Figure"  # a plain Figure, sent whole (see the test below)


def test_eq_explorer_sends_the_whole_plot_to_the_page(stereo):
    """No FigureWidget (anywidget drops its data when the page loads plotly late: an empty plot).

    The plot is an Output widget's plotly output, every trace of it, exact, in each update:
    the page's plot draws what the kernel computed, curve and "after" spectrum alike.
    """
    import ipywidgets as widgets

    from producerkit._display import MIME
    from producerkit.widgets.eq_explorer import FIGURE_WIDTH

    ex = EQExplorer(stereo, SR, bands=_bands())

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)

    shown = list(walk(ex))
    assert not [w for w in shown if type(w).__name__ == "FigureWidget"]
    assert [w for w in shown if isinstance(w, widgets.Output)] == [ex._figure_out] and ex.player in shown
    assert ex.update(band=2, freq=250, gain_db=-9, q=1.5)
    (sent,) = ex._figure_out.outputs
    spec = sent["data"][MIME]
    assert [t["name"] for t in spec["data"]] == ["before (dry)", "after (EQ)", "EQ curve"]
    curve, after = spec["data"][2], spec["data"][1]
    # Plain lists: plotly.js keeps gd.data as sent, and the page reads numbers there, not {dtype, bdata}.
    assert isinstance(curve["y"], list) and len(curve["y"]) == len(curve["x"]) > 100  # every point
    np.testing.assert_allclose(curve["y"], eq.EQ(ex.eq.bands).response(np.array(curve["x"]), SR), atol=1e-9)
    np.testing.assert_array_equal(after["y"], ex.figure.data[1].y)
    assert spec["layout"]["width"] == FIGURE_WIDTH and spec["layout"]["title"]["text"] == "EQ curve over the spectrum"


def test_eq_explorer_default_bands_are_flat(stereo):
    """Five bands by default, all flat but a 30 Hz high-pass: the EQ curve is 0 dB above 100 Hz."""
    ex = EQExplorer(stereo, SR)
    assert len(ex.eq) == 5
    curve = np.asarray(ex.figure.data[2].y)
    freqs = np.asarray(ex.figure.data[2].x)
    assert np.all(np.abs(curve[freqs > 100]) < 0.05)


def test_eq_update_changes_audio_curve_spectrum_and_player(stereo):
    ex = EQExplorer(stereo, SR, bands=_bands())
    before = ex.processed
    curve0 = np.array(ex.figure.data[2].y)
    after0 = np.array(ex.figure.data[1].y)
    bytes0 = ex.player.audio_b
    assert ex.update(band=2, freq=250, gain_db=-9, q=1.5) is True
    assert ex.eq[2] == eq.Peak(250, gain_db=-9, q=1.5)
    assert not np.allclose(ex.processed, before)
    curve = np.array(ex.figure.data[2].y)
    freqs = np.array(ex.figure.data[2].x)
    assert not np.allclose(curve, curve0)
    # The curve is the chain's response (reference: EQ.response).
    np.testing.assert_allclose(curve, eq.EQ(ex.eq.bands).response(freqs, SR), atol=1e-9)
    assert not np.allclose(np.array(ex.figure.data[1].y), after0)
    assert ex.player.audio_b != bytes0
    assert set(ex.timings) >= {"process", "plots", "audio", "total"}


def test_single_band_path_equals_full_chain(stereo):
    """Running the changed band over the cached others equals the whole chain (LTI filters commute)."""
    ex = EQExplorer(stereo, SR, bands=_bands())
    for gain in (-6.0, 3.0, 8.0):
        assert ex.update(band=2, gain_db=gain)
    ex.update(band=1, bypass=True)
    ref = sosfilt(eq.EQ(ex.eq.bands).sos(SR), stereo.astype(np.float64), axis=-1)
    np.testing.assert_allclose(ex.processed, ref, atol=2e-6)


@settings(max_examples=8, deadline=None)
@given(band=st.integers(0, 3), gain=st.floats(-18, 18), freq=st.floats(40, 15000), q=st.floats(0.3, 8))
def test_any_single_band_update_matches_the_chain_property(stereo, band, gain, freq, q):
    """Property: whatever band moves, the explorer's audio is EQ(bands)(y) (scipy.signal.sosfilt)."""
    ex = _shared_explorer(stereo)
    params = {"freq": freq}
    if band in (1, 2, 3):
        params.update(gain_db=gain, q=q)
    assert ex.update(band=band, **params), ex.error
    ref = sosfilt(eq.EQ(ex.eq.bands).sos(SR), _SHARED["y"].astype(np.float64), axis=-1)
    np.testing.assert_allclose(ex.processed, ref, atol=3e-6)


_SHARED: dict = {}


def _shared_explorer(y):
    if "eq" not in _SHARED:
        _SHARED["eq"] = EQExplorer(y[:, : SR // 4], SR, bands=_bands())
        _SHARED["y"] = y[:, : SR // 4]
    return _SHARED["eq"]


def test_spectra_match_welch_of_the_audio(stereo):
    """"before" equals plots.spectrum_db(y); "after" (response x cached power) is within 1 dB of
    plots.spectrum_db(processed) from 40 Hz to 16 kHz (Welch's method is linear in |H|^2)."""
    ex = EQExplorer(stereo, SR, bands=_bands())
    freqs = np.asarray(ex.figure.data[0].x)
    np.testing.assert_allclose(ex.figure.data[0].y, plots.spectrum_db(stereo, SR, freqs)[1], atol=1e-6)
    ex.update(band=2, gain_db=-12, q=1)
    measured = plots.spectrum_db(ex.processed, SR, freqs)[1]
    sel = (freqs > 40) & (freqs < 16000)
    assert np.max(np.abs(np.asarray(ex.figure.data[1].y)[sel] - measured[sel])) < 1.0


def test_invalid_update_keeps_last_good_state_and_shows_message(stereo):
    ex = EQExplorer(stereo, SR, bands=_bands())
    ex.update(band=2, gain_db=-3)
    processed, curve, audio_b = ex.processed, np.array(ex.figure.data[2].y), ex.player.audio_b
    bands = ex.eq.bands
    for bad, words in [
        (dict(band=2, q=0), "q must be between"),
        (dict(band=0, freq=30000), "Nyquist"),
        (dict(band=9, gain_db=1), "band must be a whole number from 0 to"),
        (dict(band=0, gain_db=3), "has no gain"),
        (dict(band=1, kind="Wobble"), "kind must be one of"),
        (dict(gain_db=3), "say which band"),
        (dict(bands=[]), "at least one band"),
    ]:
        assert ex.update(**bad) is False
        assert words in ex.error
        assert words.split()[0] in ex._error_line.value
        assert ex.processed is processed
        np.testing.assert_array_equal(ex.figure.data[2].y, curve)
        assert ex.player.audio_b == audio_b and ex.eq.bands == bands
    assert ex.update(band=2, gain_db=-2) and ex.error == "" and ex._error_line.value == ""


def test_kind_change_and_band_list_rebuild_controls(stereo):
    ex = EQExplorer(stereo, SR, bands=_bands())
    assert ex.update(band=1, kind="Notch")
    assert isinstance(ex.eq[1], eq.Notch) and ex.eq[1].q == 10.0  # the new type's own default Q
    assert ex._band_controls[1].gain_db.disabled
    assert ex.update(bands=[eq.Peak(800, gain_db=4), {"kind": "HighPass", "freq": 100, "order": 4}])
    assert len(ex._controls_box.children) == 2
    assert ex._band_controls[1].q.disabled  # an order-4 high-pass has a fixed Q
    assert ex._band_controls[0].freq.value == pytest.approx(800, rel=1e-6)


def test_slider_change_triggers_processing_without_a_loop(stereo):
    """Without a running asyncio loop (plain Python), a slider move updates at once."""
    ex = EQExplorer(stereo, SR, bands=_bands())
    processed = ex.processed
    ex._band_controls[2].gain_db.value = 6.0
    assert ex.eq[2].gain_db == 6.0 and ex.processed is not processed
    ex._band_controls[2].kind.value = "LowShelf"
    assert isinstance(ex.eq[2], eq.LowShelf) and ex.eq[2].gain_db == 6.0
    ex._band_controls[0].bypass.value = True
    assert ex.eq[0].bypass


def test_slider_moves_are_debounced_on_a_running_loop(stereo):
    """With an asyncio loop running (as in a kernel) slider moves coalesce into one update."""
    ex = EQExplorer(stereo, SR, bands=_bands())
    calls = []
    original = ex._apply
    ex._apply = lambda **p: (calls.append(p), original(**p))[1]

    async def drag():
        for g in (1.0, 2.0, 3.0, 4.0):
            ex._band_controls[3].gain_db.value = g
        assert calls == [] and ex.eq[3].gain_db == 2  # nothing yet: waiting for the pause
        await asyncio.sleep(0.3)

    asyncio.run(drag())
    assert len(calls) == 1 and ex.eq[3].gain_db == 4.0


def test_control_callback_never_raises(stereo):
    """A failure inside a slider callback shows in the error line instead of escaping."""
    ex = EQExplorer(stereo, SR, bands=_bands())

    def broken(**params):
        raise RuntimeError("boom")

    ex._apply = broken
    ex._band_controls[2].gain_db.value = 5.0  # must not raise
    assert "Unexpected RuntimeError: boom" in ex.error


def test_long_clip_is_refused_with_a_hint():
    y = np.zeros((2, 31 * 8000), dtype=np.float32)
    with pytest.raises(AudioError, match="excerpt"):
        EQExplorer(y, 8000)
    with pytest.raises(AudioError, match="excerpt"):
        CompressorExplorer(y, 8000)


def test_bad_constructor_arguments_raise(stereo):
    with pytest.raises(ParameterError):
        EQExplorer(stereo, SR, bands=[eq.Peak(30000)])
    with pytest.raises(ParameterError):
        CompressorExplorer(stereo, SR, compressor="4:1")


# --------------------------------------------------------------------------- Debouncer


def test_debouncer_calls_at_once_without_loop_and_merges_with_one():
    seen = []
    d = Debouncer(lambda **kw: seen.append(kw), delay=0.05)
    d(a=1)
    assert seen == [{"a": 1}]

    async def burst():
        d(a=2)
        d(b=3)
        d(a=4)
        assert d.pending
        await asyncio.sleep(0.15)

    asyncio.run(burst())
    assert seen[1:] == [{"a": 4, "b": 3}] and not d.pending


def test_guarded_reports_errors():
    messages = []
    guarded(messages.append, lambda: (_ for _ in ()).throw(ParameterError("bad ratio")))()
    assert messages == ["bad ratio"]


# --------------------------------------------------------------------------- CompressorExplorer


@pytest.mark.parametrize("layout", ["mono", "stereo", "frames_by_channels"])
def test_compressor_explorer_layouts_match_compressor_process(drums, layout):
    """processed and the GR trace equal Compressor.process (Giannoulis et al. 2012) for every layout."""
    y = {"mono": drums[0], "stereo": drums, "frames_by_channels": drums.T}[layout]
    comp = Compressor(threshold_db=-24, ratio=6)
    ex = CompressorExplorer(y, SR, compressor=comp)
    y_std = drums[0] if layout == "mono" else drums
    ref = comp.process(y_std, SR)
    np.testing.assert_array_equal(ex.processed, ref.audio)
    np.testing.assert_array_equal(ex.gain_reduction_db, ref.gain_reduction_db)
    assert ex.player.label_b == "Compressed" and ex.player.match_loudness
    assert ex.compressor == comp


def test_compressor_update_changes_curve_waveform_gr_and_player(drums):
    ex = CompressorExplorer(drums, SR)
    curve0 = np.array(ex.figure.data[ex._curve_trace].y)
    out0 = np.array(ex.waveform_figure.data[1].y)
    gr0 = np.array(ex.waveform_figure.data[2].y)
    in0 = np.array(ex.waveform_figure.data[0].y)
    audio_b = ex.player.audio_b
    assert ex.update(threshold_db=-36, ratio=8, attack_ms=1)
    comp = Compressor(threshold_db=-36, ratio=8, attack_ms=1)
    assert ex.compressor == comp
    np.testing.assert_allclose(ex.figure.data[ex._curve_trace].y, comp.curve(ex.figure.data[ex._curve_trace].x))
    assert not np.allclose(ex.figure.data[ex._curve_trace].y, curve0)
    assert ex.figure.layout.shapes[0].x0 == -36
    assert not np.allclose(ex.waveform_figure.data[1].y, out0)
    assert np.min(ex.waveform_figure.data[2].y) < np.min(gr0)  # deeper gain reduction, drawn downwards
    np.testing.assert_array_equal(ex.waveform_figure.data[0].y, in0)  # the input is cached
    # The output envelope is what plots.waveform_envelope draws.
    _, lo, hi = plots.waveform_envelope(ex.processed, SR, len(in0) // 2)
    np.testing.assert_allclose(ex.waveform_figure.data[1].y, np.concatenate([hi, lo[::-1]]), atol=1e-7)
    assert ex.player.audio_b != audio_b
    assert ex._controls["threshold_db"].value == -36 and ex._controls["ratio"].value == pytest.approx(8)


def test_compressor_explorer_shows_one_picture_and_sends_the_whole_curve(drums):
    """The waveforms and gain reduction are drawn once (the playhead); the transfer curve reaches the page whole.

    A FigureWidget sends its data in messages after its model opens, which anywidget 0.11 drops when the page
    loads the plot's code late: the curve is an Output widget's plotly output, all of it in each update.
    """
    import base64

    import ipywidgets as widgets

    from producerkit._display import MIME

    ex = CompressorExplorer(drums, SR)

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)

    shown = list(walk(ex))
    assert not [w for w in shown if type(w).__name__ == "FigureWidget"]
    assert ex.playhead in shown and ex.player in shown
    outputs = [w for w in shown if isinstance(w, widgets.Output)]
    assert outputs == [ex._curve_out]
    assert ex.update(threshold_db=-30, ratio=8)
    (sent,) = ex._curve_out.outputs
    curve = sent["data"][MIME]["data"][ex._curve_trace]

    def values(v):  # plotly's JSON sends numpy arrays as typed arrays: {"dtype": "f8", "bdata": base64}
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]) if isinstance(v, dict) else np.asarray(v)

    np.testing.assert_allclose(values(curve["y"]), Compressor(threshold_db=-30, ratio=8).curve(values(curve["x"])),
                               atol=1e-6)
    assert sent["data"][MIME]["layout"]["shapes"][0]["x0"] == -30


def test_compressor_invalid_update_keeps_state(drums):
    ex = CompressorExplorer(drums, SR)
    processed, comp, audio_b = ex.processed, ex.compressor, ex.player.audio_b
    assert ex.update(ratio=0.5) is False
    assert "ratio must be at least 1" in ex.error and "Expander" in ex._error_line.value
    assert ex.update(volume=3) is False and "no parameter 'volume'" in ex.error
    assert ex.processed is processed and ex.compressor == comp and ex.player.audio_b == audio_b
    assert ex.update(ratio=2) and ex.error == ""


def test_compressor_slider_change_triggers_processing(drums):
    ex = CompressorExplorer(drums, SR)
    processed = ex.processed
    ex._controls["threshold_db"].value = -40.0
    assert ex.compressor.threshold_db == -40.0 and ex.processed is not processed
    ex._controls["mix"].value = 0.5
    assert ex.compressor.mix == 0.5


def test_auto_makeup_stays_auto_while_other_sliders_move(drums):
    ex = CompressorExplorer(drums, SR, compressor=Compressor(makeup_db="auto"))
    ex._controls["threshold_db"].value = -30.0
    assert ex.compressor.makeup_db == "auto"
    assert ex._controls["makeup_db"].value == pytest.approx(ex.compressor.makeup_gain_db)


# --------------------------------------------------------------------------- the sliders show what was asked


def _readout(slider, value=None):
    """What the page shows: the value snapped to the slider's steps (noUiSlider counts steps from min)."""
    exponent = np.log10(slider.value if value is None else value)
    k = round((exponent - slider.min) / slider.step)
    return format(slider.base ** (slider.min + k * slider.step), slider.readout_format)


def test_log_sliders_start_on_the_requested_settings(stereo, drums):
    """W1: Peak(500, q=1) showed "501 / 0.99", 2000 Hz "1990", Q 8 "7.91", 10 ms / 200 ms "9.98 / 198"."""
    ex = EQExplorer(stereo, SR, bands=[eq.Peak(500, gain_db=0, q=1), eq.Peak(2000, gain_db=12, q=8)])
    shown = [(_readout(bc.freq), _readout(bc.q)) for bc in ex._band_controls]
    assert shown == [("500", "1.00"), ("2000", "8.00")]
    for bc in ex._band_controls:  # the whole range is still there, within a step of its ends
        assert bc.freq.base ** bc.freq.min == pytest.approx(20.0)
        assert bc.freq.base ** bc.freq.max > 19000.0 and bc.q.base ** bc.q.max == pytest.approx(20.0, rel=1e-3)
    comp = CompressorExplorer(drums, SR, compressor=Compressor(attack_ms=10, release_ms=200, ratio=4))
    c = comp._controls
    assert (_readout(c["attack_ms"]), _readout(c["release_ms"]), _readout(c["ratio"])) == ("10", "200", "4.00")
    assert c["ratio"].base ** c["ratio"].min == pytest.approx(1.0)  # 1:1 (no compression) is still reachable


def test_a_value_set_from_code_is_shown_as_set(stereo):
    ex = EQExplorer(stereo, SR, bands=[eq.Peak(500, gain_db=0, q=1)])
    assert ex.update(band=0, freq=315, q=1.2, gain_db=-9)
    bc = ex._band_controls[0]
    assert (_readout(bc.freq), _readout(bc.q)) == ("315", "1.20")
    # the page sends back its rounding of the value: not a change
    ex._band_controls[0].freq.value = float(bc.freq.base ** (bc.freq.min + round(
        (np.log10(315) - bc.freq.min) / bc.freq.step) * bc.freq.step))
    assert ex.eq[0].freq == pytest.approx(315, rel=1e-9)
    # dragging moves along the new grid and is applied
    bc.freq.value = float(bc.freq.base ** (np.log10(315) + 3 * bc.freq.step))
    assert ex.eq[0].freq > 320


def test_a_log_slider_snapped_to_its_old_grid_is_set_again_not_taken(drums):
    """The compressor browser test saw it: update(ratio=10.0) moved the ratio slider's grid to take 10.0, the page
    snapped 10.0 to a step of the old grid first and sent back 10.079, and the explorer took that as a drag."""
    ex = CompressorExplorer(drums, SR)
    assert ex.update(ratio=10.0)
    ratio = ex._controls["ratio"]
    curve = np.array(ex.figure.data[0].y)
    ratio.value = float(10 ** (np.log10(10.0) + 0.9 * ratio.step))  # one step off, from the page
    assert ex.compressor.ratio == 10.0 and ratio.value == 10.0  # set again, on the page's new grid
    assert np.array_equal(np.array(ex.figure.data[0].y), curve)
    ratio.value = float(10 ** (np.log10(10.0) + ratio.step))  # the student's own one-step drag is taken
    assert ex.compressor.ratio == pytest.approx(ratio.value)


def test_the_eq_plot_has_the_lessons_title_and_the_players_width(stereo):
    """W1: the mud explorer's plot took 2/3 of the width (plotly's 700 px) under a generic title."""
    from producerkit.widgets.eq_explorer import FIGURE_WIDTH

    ex = EQExplorer(stereo, SR, bands=[eq.Peak(500)], title="One bell on the muddy keys")
    assert ex.figure.layout.title.text == "One bell on the muddy keys"
    assert ex.figure.layout.width == FIGURE_WIDTH >= 850
    assert EQExplorer(stereo, SR).figure.layout.title.text == "EQ curve over the spectrum"
    with pytest.raises(ParameterError, match="title must be text"):
        EQExplorer(stereo, SR, title=3)
