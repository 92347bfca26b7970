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
    "EQExplorer": (_eq, _eq_state, ["freq", "gain_db", "q", "order", "band", "bands", "kind", "bypass", "design"]),
    "CompressorExplorer": (_compressor, _compressor_state, ["threshold_db", "ratio", "knee_db", "attack_ms",
                                                            "release_ms", "makeup_db", "mix", "lookahead_ms",
                                                            "sidechain_highpass_hz", "detector", "stereo_link"]),
    "LoudnessView": (_loudness, _loudness_state, ["sr", "target"]),
    "MixerDesk": (_mixer, _mixer_state, ["gain_db", "pan", "mute", "solo", "gains", "pans", "mutes", "solos",
                                         "match_loudness"]),
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


# --------------------------------------------------------------------------- Playhead and TrackUpload


def _player():
    from producerkit.widgets import ABPlayer

    return ABPlayer(_noise(SR), _noise(SR, 1), SR)


def test_a_playhead_refuses_bad_settings_with_a_message_and_keeps_its_panels():
    """Playhead(player, panels, width=, bar_seconds=, title=) and set_panels: a ProducerkitError saying what to
    pass, never a TypeError/ValueError/TraitError; a refused set_panels leaves the panels drawn."""
    from producerkit.errors import ProducerkitError
    from producerkit.widgets import Playhead
    from producerkit.widgets.playhead import TracePanel, columns_for, series_trace

    player = _player()
    trace = series_trace(np.linspace(-1, 0, SR), "level", sr=SR, y_range=(-1.0, 0.0))
    good = [TracePanel("level", (-1.0, 0.0), [trace])]
    assert columns_for(860) == np.size(trace.lo)
    for param in ("width", "bar_seconds", "title"):
        for value in BAD_NUMBERS + [0, -1, 2.5, True]:
            try:
                Playhead(player, good, **{param: value})
            except ProducerkitError as exc:
                assert "must" in str(exc), f"Playhead({param}={value!r}): {exc}"
            except Exception as exc:  # noqa: BLE001 (nothing else may escape)
                pytest.fail(f"Playhead({param}={value!r}) raised {type(exc).__name__}: {exc}")
            else:
                assert not (param != "title" and _refused(value)), f"Playhead({param}={value!r}) was taken silently"
    playhead = Playhead(player, good, title="Level")
    before = (list(playhead.panels), playhead.images)
    for panels in [None, "level", 1.0, [None], [1.0], [good[0], "x"], {"a": 1}]:
        with pytest.raises(ProducerkitError, match="panel"):
            playhead.set_panels(panels)
        assert (list(playhead.panels), playhead.images) == before
    for content in [None, [], "resync", {"type": None}, {"type": "resync"}, {"type": "seek", "to": "x"}]:
        playhead._on_page_message(playhead, content, [])  # whatever the page sends, nothing escapes


def _wav(y, sr=44100, subtype="PCM_16") -> bytes:
    import io

    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.asarray(y).T, sr, format="WAV", subtype=subtype)
    return buf.getvalue()


def _bad_uploads() -> dict[str, object]:
    good = _wav(_noise((2, 44100), 3))
    nan = _noise((2, 44100), 4)
    nan[0, 100] = np.nan
    return {
        "an empty file": b"",
        "garbage": b"this is not audio at all\n" * 40,
        "a picture": b"\x89PNG\r\n\x1a\n" + bytes(200),
        "a truncated WAV": good[: len(good) // 3],
        "a WAV header alone": good[:44],
        "a WAV of NaN samples": _wav(nan, subtype="FLOAT"),
        "a silent WAV": _wav(np.zeros((2, 44100), np.float32)),
        "one sample": _wav(np.array([[0.5], [0.5]], np.float32)),
        "a WAV at 1 kHz": _wav(_noise((2, 1000), 5), sr=1000),
        "a FLAC cut short": _flac()[:300],
        "an MP3 tag and noise": b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4,
        "text, not bytes": "RIFF....WAVE",
        "None": None,
        "a number": 1.0,
        "a list": [1, 2, 3],
    }


def _flac() -> bytes:
    import io

    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, _noise((44100, 2), 6), 44100, format="FLAC")
    return buf.getvalue()


def _track_upload(tmp_path):
    from producerkit.widgets import TrackUpload

    return TrackUpload(_noise((2, SR), 7), SR, example_title="Example", folder=tmp_path)


def _upload_state(w):
    return (w.title, w.sr, w.mix.copy(), w.mastered.copy(), w.platform.value, w.view.target.key,
            w.master_report.output_lufs, w.player.audio_a, w.player.audio_b, w.player.label_b)


def test_bad_uploads_show_a_message_and_keep_the_last_good_mix(tmp_path):
    import datetime as dt

    widget = _track_upload(tmp_path)
    assert widget.load(_wav(_noise((2, 44100), 8)), "my mix.wav") and widget.title == "my mix"
    good = _upload_state(widget)
    for label, data in _bad_uploads().items():
        widget.load(data, f"{label}.wav")  # in code: never raises
        assert widget.error, f"TrackUpload.load(<{label}>) was taken silently"
        assert "Unexpected" not in widget.error
        assert _same(_upload_state(widget), good), f"TrackUpload.load(<{label}>) changed the mix"
        if isinstance(data, bytes):  # from the page: the upload button's value, as ipywidgets gives it
            item = {"name": f"{label}.wav", "type": "audio/wav", "size": len(data), "content": memoryview(data),
                    "last_modified": dt.datetime(2026, 11, 27, tzinfo=dt.UTC)}
            widget.upload.value = (item,)  # the observer runs: must not raise
            assert widget.error and _same(_upload_state(widget), good), f"the upload of <{label}> changed the mix"
    for path in (tmp_path / "missing.wav", tmp_path):
        assert widget.load_file(path) is False and widget.error
        assert _same(_upload_state(widget), good)


def test_bad_platforms_show_a_message_and_keep_the_last_good_master(tmp_path):
    from producerkit.master import targets

    widget = _track_upload(tmp_path)
    good = _upload_state(widget)
    for value in BAD_NUMBERS + ["mars", "", "SPOTIFY ", 0, True]:
        widget.set_target(value)  # never raises
        if isinstance(value, str) and value == "SPOTIFY ":  # a platform's name, however typed, is taken
            continue
        assert widget.error, f"TrackUpload.set_target({value!r}) was taken silently"
        assert _same(_upload_state(widget), good), f"TrackUpload.set_target({value!r}) changed the master"
    assert widget.set_target(good[4]) and widget.error == ""  # a good platform clears the message
    for target in targets():  # the page's dropdown can send each platform: each one masters without a traceback
        widget.platform.value = target.key
        assert widget.error == "" and widget.view.target.key == target.key


def test_save_into_a_folder_that_cannot_be_written_shows_a_message(tmp_path):
    from producerkit.widgets import TrackUpload

    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("not a folder\n")
    widget = TrackUpload(_noise((2, SR), 7), SR, folder=blocked)
    assert widget.save() is None and widget.error
    assert blocked.read_text() == "not a folder\n"
