"""Playhead: the decimation (min/max per pixel column), the traces each view sends, the spectrogram.

The browser side (cursor against the audio clock, seeking, no kernel chatter) is in
tests/browser/test_playhead.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import plots, signals
from producerkit.errors import ParameterError
from producerkit.widgets import ABPlayer, CompressorExplorer, LoudnessView
from producerkit.widgets.playhead import (
    COLUMNS,
    Playhead,
    Trace,
    TracePanel,
    arrangement_view,
    columns_for,
    envelope_trace,
    minmax_columns,
    spectrogram_view,
)

SR = 8000


def _brute_force(values, columns, times, duration):
    """Min/max per column by looking at every value: the definition minmax_columns must meet."""
    lo, hi = np.empty(columns), np.empty(columns)
    for c in range(columns):
        a, b = c * duration / columns, (c + 1) * duration / columns
        inside = (times >= a) & ((times < b) | ((c == columns - 1) & (times <= b)))
        if inside.any():
            lo[c], hi[c] = values[inside].min(), values[inside].max()
        else:
            lo[c] = hi[c] = np.interp((a + b) / 2, times, values)
    return lo, hi


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 3000), columns=st.integers(1, 400), seed=st.integers(0, 2**16))
def test_minmax_columns_per_sample_is_min_and_max_of_each_column(n, columns, seed):
    values = np.random.default_rng(seed).normal(size=n).astype(np.float32)
    lo, hi = minmax_columns(values, columns, sr=SR)
    # sample i (at i / SR) is in column c when c * n <= i * columns < (c + 1) * n: exact in integers
    index = np.arange(n)
    want_lo, want_hi = np.empty(columns), np.empty(columns)
    for c in range(columns):
        inside = (index * columns >= c * n) & (index * columns < (c + 1) * n)
        if inside.any():
            want_lo[c], want_hi[c] = values[inside].min(), values[inside].max()
        else:  # more columns than samples: the trace interpolated at the column's centre
            want_lo[c] = want_hi[c] = np.interp((c + 0.5) * n / columns / SR, index / SR, values)
    assert lo.shape == hi.shape == (columns,)
    np.testing.assert_allclose(lo, want_lo, atol=1e-6)
    np.testing.assert_allclose(hi, want_hi, atol=1e-6)


def test_minmax_columns_keeps_a_one_sample_peak_of_a_long_trace():
    values = np.zeros(77 * 44100, np.float32)
    values[1_234_567] = 0.9  # one sample in 3.4 million
    values[2_000_000] = -0.7
    lo, hi = minmax_columns(values, COLUMNS, sr=44100)
    assert hi.max() == pytest.approx(0.9) and lo.min() == pytest.approx(-0.7)
    assert np.argmax(hi) == int(1_234_567 / 44100 / (77 / COLUMNS))


def test_minmax_columns_sparse_series_is_interpolated_between_readings():
    times = np.array([0.0, 1.0, 2.0])
    values = np.array([-10.0, -20.0, -10.0])
    lo, hi = minmax_columns(values, 8, times=times, duration=2.0)
    # columns 0, 4 and 7 hold a reading; the others lie between readings and are interpolated
    assert lo[0] == hi[0] == -10.0
    assert lo[4] == hi[4] == -20.0
    assert lo[2] == pytest.approx(-10 - 10 * (2.5 * 0.25)) and hi[2] == lo[2]
    assert hi[7] == -10.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(values=[1.0, np.nan], sr=10), "NaN"),
    (dict(values=[1.0, 2.0], sr=10, times=[0, 1]), "either sr"),
    (dict(values=[1.0, 2.0]), "either sr"),
    (dict(values=[1.0, 2.0], times=[1, 0]), "increase"),
    (dict(values=[1.0, 2.0], times=[0, 1, 2]), "one time per value"),
    (dict(values=[], sr=10), "at least one value"),
    (dict(values=[1.0], sr=10, columns=0), "columns"),
])
def test_minmax_columns_says_what_is_wrong(kwargs, message):
    values = kwargs.pop("values")
    with pytest.raises(ParameterError, match=message):
        minmax_columns(values, **kwargs)


def _clip(seconds=2.0, sr=22050):
    hits = signals.click_track(120, 1, sr, level_dbfs=-3.0)[: int(seconds * sr)]
    return hits + signals.noise(hits.size / sr, sr, "pink", level_dbfs=-30.0)[: hits.size]


def test_compressor_explorer_playhead_draws_its_envelopes_and_gain_reduction():
    y = _clip()
    explorer = CompressorExplorer(y, 22050)
    ph = explorer.playhead
    assert ph.clock_id == explorer.player.clock_id != ""
    assert ph.duration == pytest.approx(y.size / 22050)
    wave, gr = ph.panels
    names = [t["name"] for t in wave["traces"]]
    assert names == ["input (Dry)", "output (Compressed)"]
    assert [t["version"] for t in wave["traces"]] == ["a", "b"]
    # the input envelope: min and max of each pixel column of the clip
    lo, hi = minmax_columns(y, COLUMNS, sr=22050)
    np.testing.assert_allclose(wave["traces"][0]["lo"], lo, atol=1e-4)
    np.testing.assert_allclose(wave["traces"][0]["hi"], hi, atol=1e-4)
    # the gain reduction is drawn downwards, its deepest point as deep as the compressor's
    trace = gr["traces"][0]
    assert trace["version"] == "b" and len(trace["lo"]) == COLUMNS
    assert min(trace["lo"]) == pytest.approx(-explorer.gain_reduction_db.max(), abs=1e-3)
    assert gr["y_range"][0] <= min(trace["lo"])
    # a change of settings sends new traces: more reduction at a lower threshold
    before = min(trace["lo"])
    assert explorer.update(threshold_db=-40, ratio=10)
    assert min(explorer.playhead.panels[1]["traces"][0]["lo"]) < before - 3
    assert explorer.playhead.panels[0]["traces"][1]["hi"] != wave["traces"][1]["hi"]


def test_loudness_view_playhead_draws_a_and_b_a_platform_gain_apart():
    sr = 22050
    t = np.arange(8 * sr) / sr
    y = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)  # about -9 LUFS: Spotify turns it down
    view = LoudnessView(y, sr)
    (panel,) = view.playhead.panels
    by_name = {tr["name"]: tr for tr in panel["traces"]}
    a = np.array(by_name["short-term · Your master"]["hi"])
    b = np.array(by_name["short-term · On Spotify"]["hi"])
    gain = view.playback_gain_db
    assert gain < -3
    steady = a > -50  # after the first 3 s window has filled
    np.testing.assert_allclose(b[steady] - a[steady], gain, atol=1e-3)
    assert by_name["Spotify target -14 LUFS"]["dash"] and by_name["Spotify target -14 LUFS"]["hi"][0] == -14
    assert view.update(target="ebu_r128")
    names = [tr["name"] for tr in view.playhead.panels[0]["traces"]]
    assert "EBU R 128 (broadcast) target -23 LUFS" in names and "short-term · On EBU R 128 (broadcast)" in names


def test_arrangement_view_has_every_section_layer_and_bars_from_one():
    from producerkit import datasets
    from producerkit.arrange import Arrangement

    song = datasets.load_session("paper_lanterns")
    original = Arrangement.from_session(song)
    view = arrangement_view(original, song)
    ph = view.playhead
    assert ph.bar_seconds == pytest.approx(2.4)
    assert ph.duration == pytest.approx(original.duration_s, abs=0.01)
    sections, layers, loudness = ph.panels
    assert [b["text"] for b in sections["blocks"]] == [
        f"{s.name} · bar {start + 1}" for start, s in zip(original.start_bars(), original.sections, strict=True)]
    assert sections["blocks"][-1]["end"] == pytest.approx(original.duration_s)
    assert layers["rows"] == list(original.layers)
    assert len(loudness["traces"]) == 1 and len(loudness["traces"][0]["lo"]) == COLUMNS
    # the traces travel decimated, not per sample: well under a megabyte for the whole song
    assert sum(len(str(p)) for p in ph.panels) < 300_000


def test_spectrogram_finds_a_sine_and_the_view_draws_both_versions():
    sr = 22050
    tone = signals.sine(1000, 2.0, sr, level_dbfs=-6)
    times, freqs, db = plots.spectrogram_db(tone, sr, columns=100)
    assert db.shape == (160, 100) and times[0] == pytest.approx(0.01)
    assert freqs[np.argmax(db[:, 50])] == pytest.approx(1000, rel=0.03)
    assert db[:, 50].max() - np.median(db[:, 50]) > 40
    view = spectrogram_view(tone, 0.5 * tone, sr)
    images = view.playhead.panels
    assert [p["version"] for p in images] == ["a", "b"]
    assert len(view.playhead.images) == 2 * 160 * COLUMNS
    fig = plots.spectrogram_figure(tone, sr)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text == "frequency (Hz)"
    assert fig.data[0].colorbar.title.text == "level (dB)"


def test_playhead_refuses_what_it_cannot_draw():
    sr = 8000
    tone = signals.sine(440, 1.0, sr)
    player = ABPlayer(tone, tone, sr)
    with pytest.raises(ParameterError, match="ABPlayer"):
        Playhead("player", [])
    with pytest.raises(ParameterError, match="columns"):
        Playhead(player, [TracePanel("level", (0, 1), [envelope_trace(tone, sr, "x", columns=100)])])
    with pytest.raises(ParameterError, match="y_range"):
        Playhead(player, [TracePanel("level", (1, 0), [])])
    with pytest.raises(ParameterError, match="version"):
        Trace("x", np.zeros(3), np.zeros(3), version="c")
    ok = Playhead(player, [TracePanel("level", (-1, 1), [envelope_trace(tone, sr, "x", columns=columns_for(500))])],
                  width=500)
    assert ok.columns == columns_for(500) and ok.clock_id == player.clock_id


def test_every_player_has_its_own_clock_id():
    tone = signals.sine(440, 0.5, 8000)
    assert ABPlayer(tone, tone, 8000).clock_id != ABPlayer(tone, tone, 8000).clock_id
