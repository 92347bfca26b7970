"""Bad values typed into a widget never leave a traceback: the message shows, the last good state stays.

Every widget's ``update()`` (and the explorers' controls, as the page would move them) gets the awkward
values of tests/test_robustness.py: None, text, NaN, +-inf, huge numbers, bools, lists, dicts, complex
numbers, and for audio parameters empty, NaN, 3-D, boolean and complex clips. Each call must not raise;
when the value is refused the widget's error says so and its state is what it was before.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

os.environ.setdefault("NUMBA_CACHE_DIR", "/tmp/producerkit-numba")

SR = 22050
BAD_NUMBERS = [None, "loud", float("nan"), float("inf"), -float("inf"), 1e12, -1e12, [], {"a": 1}, 1 + 2j,
               np.array([1.0, 2.0])]
#: Values no numeric parameter may take silently.
MUST_REFUSE = (float("nan"), float("inf"), -float("inf"), "loud", 1 + 2j)
#: Where an infinity means something: a ratio of inf:1 limits, a loop end past the clip is its end.
INFINITY_MEANS_SOMETHING = {("ratio", float("inf")), ("loop_end", float("inf"))}


def _noise(shape, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 0.1).astype(np.float32)


def _bad_audio():
    nan = _noise(SR)
    nan[5] = np.nan
    return {"empty": np.zeros(0, np.float32), "NaN": nan, "3-D": _noise((2, 2, 100)), "bool": _noise(100) > 0,
            "complex": _noise(100).astype(np.complex64), "text": "kick.wav", "None-like list": [None, None]}


def _refused(value) -> bool:
    return any(value is bad or (isinstance(value, float) and isinstance(bad, float) and
                                (value == bad or (math.isnan(value) and math.isnan(bad)))) or
               (isinstance(value, str) and value == bad) for bad in MUST_REFUSE)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and (
            np.array_equal(a, b, equal_nan=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _drive(widget, snapshot, param: str, value, *, call=None) -> None:
    """One bad value into ``param``: nothing escapes; if refused, the error shows and the state stayed."""
    before = snapshot(widget)
    call = call or (lambda: widget.update(**{param: value}))
    call()  # must not raise
    error = widget.error
    assert isinstance(error, str)
    if error:
        assert _same(snapshot(widget), before), f"{type(widget).__name__}.update({param}={value!r}) refused " \
                                                f"({error!r}) but changed the state"
        assert "Unexpected" not in error, f"{type(widget).__name__}.update({param}={value!r}): {error}"


# --------------------------------------------------------------------------- the widgets


def _abplayer():
    from producerkit.widgets import ABPlayer

    return ABPlayer(_noise(SR), _noise(SR, 1), SR)


def _abplayer_state(w):
    return {k: v for k, v in w.get_state().items() if k not in ("error", "warning", "_dom_classes")}


def _eq():
    from producerkit.eq import HighPass, Peak
    from producerkit.widgets import EQExplorer

    return EQExplorer(_noise(SR), SR, bands=[HighPass(80), Peak(1000, gain_db=3)])


def _eq_state(w):
    return (repr(w.eq), w.processed.copy())


def _compressor():
    from producerkit.widgets import CompressorExplorer

    return CompressorExplorer(_noise(SR), SR)


def _compressor_state(w):
    return (repr(w.compressor), w.processed.copy())


def _loudness():
    from producerkit.widgets import LoudnessView

    return LoudnessView(_noise((2, SR)), SR)


def _loudness_state(w):
    return (repr(w), w.verdict)


def _mixer():
    from producerkit.widgets import MixerDesk

    return MixerDesk({"kick": _noise(SR), "bass": _noise(SR, 2)}, SR)


def _mixer_state(w):
    return (dict(w.settings), w.mix.copy())


def _sequencer():
    from producerkit import beats
    from producerkit.widgets import StepSequencer

    kit = beats.Kit({name: _noise(2000, i) for i, name in enumerate(("kick", "snare", "hat"))}, SR)
    return StepSequencer(beats.preset("rock"), kit=kit, bpm=100)


def _sequencer_state(w):
    return {k: v for k, v in w.get_state().items() if k not in ("error", "_dom_classes")}


def _trainer(tmp_path):
    from producerkit.widgets import EarTrainer

    return EarTrainer("frequency", path=tmp_path / "progress.json", seed=1)


def _trainer_state(w):
    return (w.drill, w.level, repr(w.trial))


NUMERIC = {
    "ABPlayer": (_abplayer, _abplayer_state, ["sr", "volume_db", "loop_start", "loop_end", "selected", "loop",
                                              "match_loudness", "abx", "labels"]),
    "EQExplorer": (_eq, _eq_state, ["freq", "gain_db", "q", "order", "band", "bands", "kind", "bypass"]),
    "CompressorExplorer": (_compressor, _compressor_state, ["threshold_db", "ratio", "knee_db", "attack_ms",
                                                            "release_ms", "makeup_db", "mix", "lookahead_ms",
                                                            "sidechain_highpass_hz", "detector", "stereo_link"]),
    "LoudnessView": (_loudness, _loudness_state, ["sr", "target"]),
    "MixerDesk": (_mixer, _mixer_state, ["gain_db", "pan", "mute", "solo", "gains", "pans", "match_loudness"]),
    "StepSequencer": (_sequencer, _sequencer_state, ["bpm", "swing", "steps_per_bar", "bars", "volume_db",
                                                     "pattern", "mutes", "volumes_db"]),
}
#: Parameters that take a number: the values of MUST_REFUSE must show an error there.
NUMBER_PARAMS = {"sr", "volume_db", "loop_start", "freq", "gain_db", "q", "order", "threshold_db", "ratio",
                 "knee_db", "attack_ms", "release_ms", "mix", "lookahead_ms", "pan", "bpm", "swing",
                 "steps_per_bar", "bars"}


def _call_for(name, widget, param, value):
    if name == "EQExplorer" and param not in ("band", "bands"):
        return lambda: widget.update(band=1, **{param: value})
    if name == "MixerDesk" and param in ("gain_db", "pan", "mute", "solo"):
        return lambda: widget.update("kick", **{param: value})
    return None


@pytest.mark.parametrize("name", sorted(NUMERIC))
def test_bad_values_in_update_show_a_message_and_keep_the_last_good_state(name):
    make, snapshot, params = NUMERIC[name]
    widget = make()
    for param in params:
        for value in BAD_NUMBERS:
            _drive(widget, snapshot, param, value, call=_call_for(name, widget, param, value))
            if param in NUMBER_PARAMS and _refused(value) and (param, value) not in INFINITY_MEANS_SOMETHING:
                assert widget.error, f"{name}.update({param}={value!r}) was taken silently"
        widget.update()  # a good (empty) update clears the message
        assert widget.error == "" or name == "StepSequencer"


@pytest.mark.parametrize("name,params", [("ABPlayer", ["a", "b"]), ("LoudnessView", ["y"])])
def test_bad_audio_in_update_shows_a_message_and_keeps_the_last_good_state(name, params):
    make, snapshot, _ = NUMERIC[name]
    widget = make()
    for param in params:
        for label, clip in _bad_audio().items():
            _drive(widget, snapshot, param, clip)
            assert widget.error, f"{name}.update({param}=<{label} audio>) was taken silently"


def test_the_ear_trainer_keeps_its_trial_on_bad_values(tmp_path):
    widget = _trainer(tmp_path)
    for param in ("drill", "level"):
        for value in BAD_NUMBERS + [0, -1, 99, 2.5, "pitch"]:
            _drive(widget, _trainer_state, param, value)
            if param == "level" and (_refused(value) or any(value is v for v in (0, -1, 99, 2.5))):
                assert widget.error
    before = _trainer_state(widget)
    for value in BAD_NUMBERS:
        widget.answer(value)  # never raises: an unreadable answer says how to answer
        assert "Unexpected" not in widget.error
    assert _trainer_state(widget)[:2] == before[:2]


@pytest.mark.parametrize("name", ["EQExplorer", "CompressorExplorer", "MixerDesk"])
def test_controls_moved_to_their_ends_never_raise(name):
    """The page can only send a control's own range; each end goes through the guarded observer."""
    import ipywidgets as widgets

    make, snapshot, _ = NUMERIC[name]
    widget = make()
    controls = [c for c in _walk(widget) if isinstance(c, (widgets.FloatSlider, widgets.FloatLogSlider,
                                                           widgets.IntSlider, widgets.FloatText,
                                                           widgets.BoundedFloatText))]
    assert controls, f"{name} shows no number controls"
    for control in controls:
        for value in (control.min, control.max):
            control.value = value  # must not raise into the notebook
            widget.flush()
        assert "Unexpected" not in widget.error, widget.error


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
