"""CompressorExplorer recomputes only what a drag changes, and still shows and plays the same (issue 18, HC)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from producerkit import dynamics, signals
from producerkit.dynamics import Compressor
from producerkit.widgets import CompressorExplorer, _common
from producerkit.widgets._common import figure_output

SR = 44100


@pytest.fixture()
def clip():
    clicks = signals.click_track(120, 2, SR, level_dbfs=-3.0, channels=2)
    bed = signals.noise(clicks.shape[1] / SR, SR, "pink", level_dbfs=-30.0, channels=2, decorrelated=True, seed=1)
    return (bed[:, : clicks.shape[1]] + clicks).astype(np.float32)


STEPS = [
    {"threshold_db": -30.0}, {"threshold_db": -24}, {"ratio": 6.0}, {"knee_db": 0.0}, {"knee_db": 12.0},
    {"attack_ms": 0.5}, {"release_ms": 300.0}, {"makeup_db": 3.0}, {"mix": 0.5}, {"makeup_db": "auto"},
    {"detector": "rms"}, {"rms_ms": 30.0}, {"stereo_link": False}, {"threshold_db": -40.0},
    {"sidechain_highpass_hz": 100.0}, {"lookahead_ms": 5.0}, {"detector": "peak"}, {"ratio": 0.5},
    {"mix": 1.0, "threshold_db": -10.0, "stereo_link": True},
]


@pytest.mark.parametrize("mono", [False, True])
def test_every_change_gives_what_compressor_process_gives(clip, mono):
    y = clip[0] if mono else clip
    explorer = CompressorExplorer(y, SR)
    for step in STEPS:
        explorer.update(**step)
        expected = explorer.compressor.process(y, SR)
        np.testing.assert_array_equal(explorer.processed, expected.audio, err_msg=str(step))
        np.testing.assert_array_equal(explorer.gain_reduction_db, expected.gain_reduction_db, err_msg=str(step))
        # The plot the page gets is the figure drawn for the current compressor.
        assert json.dumps(explorer._curve_out.outputs[0]) == json.dumps(figure_output(explorer.figure)), step


def test_the_curve_on_the_page_follows_the_threshold(clip):
    explorer = CompressorExplorer(clip, SR)
    assert explorer.update(threshold_db=-33.0)
    sent = explorer._curve_out.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    assert sent["layout"]["shapes"][0]["x0"] == sent["layout"]["shapes"][0]["x1"] == -33.0
    assert sent["layout"]["annotations"][0]["x"] == -33.0
    np.testing.assert_allclose(sent["data"][-1]["y"], Compressor(threshold_db=-33.0).curve(sent["data"][-1]["x"]))


def _count(monkeypatch, module, name, *, audio_only: bool = True):
    """Record each call of ``module.name``; with ``audio_only``, those on the clip's samples (not the drawn curve's)."""
    calls = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        if not audio_only or np.size(args[0]) > 10_000:
            calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_threshold_drag_does_not_measure_the_detector_level_again(clip, monkeypatch):
    explorer = CompressorExplorer(clip, SR)
    level = _count(monkeypatch, dynamics, "_peak_level_db")
    knee = _count(monkeypatch, dynamics, "_knee_reduction")
    for threshold in (-30.0, -25.0, -20.0):
        assert explorer.update(threshold_db=threshold)
    assert level == []
    assert len(knee) == 3
    assert explorer.update(detector="rms", threshold_db=-18.0) and explorer.update(detector="peak")
    assert len(level) == 1  # the detector changed: measured again


def test_a_mix_or_makeup_drag_does_not_run_the_gain_computer_or_the_smoothing(clip, monkeypatch):
    explorer = CompressorExplorer(clip, SR)
    knee = _count(monkeypatch, dynamics, "_knee_reduction")
    smooth = _count(monkeypatch, dynamics, "_smooth")
    for mix in (0.3, 0.6, 0.9):
        assert explorer.update(mix=mix)
    assert explorer.update(makeup_db=4.0)
    assert knee == [] and smooth == []
    assert explorer.update(attack_ms=3.0)
    assert knee == [] and smooth == ["_smooth"]


def test_a_drag_does_not_copy_the_figure_layout(clip, monkeypatch):
    explorer = CompressorExplorer(clip, SR)
    copies = _count(monkeypatch, _common, "figure_layout", audio_only=False)
    for threshold in (-30.0, -25.0):
        assert explorer.update(threshold_db=threshold)
    assert explorer.update(ratio=8.0)
    assert copies == []
