"""MixerDesk and LoudnessView, Python side (the browser side is in tests/browser/).

References: producerkit.mix.Mixer.render (the desk must mix exactly as the library does),
the constant-power (-3 dB) pan law (each side at cos/sin(pi/4) = -3.01 dB at centre), the
decibel definition (a -6 dB fader scales by 10**(-6/20) = 0.501), ITU-R BS.1770-4 meters
(producerkit.meters) and producerkit.master.qc for the delivery verdict.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import master, meters
from producerkit.widgets import LoudnessView, MixerDesk

SR = 44100


def _sine(freq, seconds=2.0, level=0.25, phase=0.0):
    t = np.arange(int(seconds * SR)) / SR
    return (level * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


@pytest.fixture(scope="module")
def stems():
    return {"kick": _sine(60), "bass": _sine(110, level=0.2), "keys": _sine(440, level=0.1),
            "wide": np.stack([_sine(660, level=0.1), _sine(880, level=0.1)])}


def _rms_db(x):
    return 10 * math.log10(float(np.mean(np.square(x, dtype=np.float64))))


# --------------------------------------------------------------------------- MixerDesk


def test_real_session_desk_matches_mixer_render():
    """Paper Lanterns: default excerpt is 4 bars of the first chorus; to_mixer().render() == desk.mix."""
    from producerkit.datasets import load_session

    session = load_session("paper_lanterns")
    desk = MixerDesk(session)
    assert desk.channels == list(session.stems)
    spb = session.seconds_per_bar
    chorus = next(s for s in session.sections if s.name == "chorus")
    assert desk.start_s == pytest.approx(chorus.start_bar * spb, abs=1 / SR)
    assert desk.duration == pytest.approx(4 * spb, abs=1 / SR)
    assert desk.mix.shape == (2, round(4 * spb * SR))
    assert desk.update(gains={"kick": -2.5, "bass": -9}, pans={"guitar": -0.4, "keys": 0.3}, mutes={"pad": True})
    assert desk.error == ""
    np.testing.assert_allclose(desk.to_mixer().render(), desk.mix, atol=1e-5)
    # The master meter reads the mix as producerkit.meters does.
    m = desk.master_levels
    assert m.integrated_lufs == pytest.approx(meters.integrated_loudness(desk.mix, SR), abs=0.01)
    assert m.true_peak_dbtp == pytest.approx(meters.true_peak(desk.mix, SR), abs=1e-6)
    full = desk.to_mixer(excerpt=False)
    assert full.tracks[0].audio.shape[-1] == len(session.stems["kick"])
    assert full.track("pad").mute and full.track("kick").gain_db == -2.5


def test_excerpt_choices(stems):
    desk = MixerDesk(stems, SR, start_s=0.5, seconds=1.0)
    assert desk.mix.shape == (2, SR)
    # Plain stems have no bars; the default is the first 10 s (here the whole 2 s).
    assert MixerDesk(stems, SR).duration == pytest.approx(2.0)
    with pytest.raises(Exception, match="no tempo"):
        MixerDesk(stems, SR, bars=2)
    with pytest.raises(Exception, match="after the end"):
        MixerDesk(stems, SR, start_s=5.0)
    with pytest.raises(Exception, match="sample rate"):
        MixerDesk(stems)


def test_transposed_and_stereo_stems(stems):
    """(n, channels) input is accepted at the edge; a 3-channel stem is refused."""
    desk = MixerDesk({"wide": stems["wide"].T, "kick": stems["kick"]}, SR)
    np.testing.assert_allclose(desk.to_mixer().render(), desk.mix, atol=1e-5)
    with pytest.raises(Exception, match="mono or stereo"):
        MixerDesk({"x": np.zeros((3, 1000), np.float32)}, SR)


def test_minus_6_db_fader_on_soloed_stem(stems):
    """A -6 dB fader scales by 10**(-6/20): the mix of a lone soloed stem drops by 6.00 dB."""
    desk = MixerDesk(stems, SR, gains=dict.fromkeys(stems, 0.0))
    desk.update("keys", solo=True)
    before = desk.mix
    desk.update("keys", gain_db=-6.0)
    after = desk.mix
    assert _rms_db(after) - _rms_db(before) == pytest.approx(-6.0, abs=1e-3)
    np.testing.assert_allclose(after, before * 10 ** (-6 / 20), atol=1e-6)
    assert desk.levels["keys"].peak_dbfs == pytest.approx(20 * math.log10(0.1) - 6.0, abs=0.01)


def test_pan_minus_3_db_law(stems):
    """Constant-power pan: centre puts -3.01 dB in each side; hard left leaves the right silent."""
    desk = MixerDesk(stems, SR, gains=dict.fromkeys(stems, 0.0))
    desk.update("bass", solo=True)
    stem_db = _rms_db(stems["bass"])
    left, right = desk.mix
    assert _rms_db(left) - stem_db == pytest.approx(-3.0103, abs=1e-3)
    assert _rms_db(right) - stem_db == pytest.approx(-3.0103, abs=1e-3)
    desk.update("bass", pan=-1.0)
    left, right = desk.mix
    assert _rms_db(left) - stem_db == pytest.approx(0.0, abs=1e-3)
    assert np.max(np.abs(right)) == 0.0


def test_mute_and_solo_logic(stems):
    """Solo: only soloed channels play; mute wins over solo (as on a desk and in Mixer)."""
    desk = MixerDesk(stems, SR)
    desk.update(solos={"kick": True, "bass": True})
    assert [n for n, lv in desk.levels.items() if lv.playing] == ["kick", "bass"]
    solo_mix = desk.to_mixer()
    np.testing.assert_allclose(desk.mix, solo_mix.render_track("kick") + solo_mix.render_track("bass"), atol=1e-6)
    desk.update("kick", mute=True)
    assert [n for n, lv in desk.levels.items() if lv.playing] == ["bass"]
    np.testing.assert_allclose(desk.mix, desk.to_mixer().render_track("bass"), atol=1e-6)
    desk.update(solos={"kick": False, "bass": False}, mutes={"kick": False})
    assert all(lv.playing for lv in desk.levels.values())
    desk.update(mutes=dict.fromkeys(stems, True))
    assert not desk.mix.any()
    assert desk.master_levels.integrated_lufs == -math.inf


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channel": "snare", "gain_db": -3}, "no channel 'snare'"),
        ({"gains": {"kik": -3}}, "no channel 'kik'"),
        ({"channel": "kick", "pan": 1.5}, "between -1"),
        ({"channel": "kick", "gain_db": float("inf")}, "finite"),
        ({"channel": "kick", "gain_db": 20.0}, "between -60 and \\+12 dB"),
        ({"channel": "kick", "mute": "yes"}, "True or False"),
        ({"gain_db": -3}, "say which channel"),
        ({"gains": [-3]}, "dict of channel"),
    ],
)
def test_invalid_update_keeps_state_and_sets_error(stems, kwargs, message):
    desk = MixerDesk(stems, SR)
    desk.update("bass", gain_db=-10.0)
    mix, settings, master_levels = desk.mix, desk.settings, desk.master_levels
    assert desk.update(**kwargs) is False
    assert desk.error and re.search(message, desk.error), desk.error
    np.testing.assert_array_equal(desk.mix, mix)
    assert desk.settings == settings and desk.master_levels == master_levels
    # Even a valid part of a bad update is not applied, and the next good update clears the error.
    assert desk.update(gains={"kick": -1.0, "nope": 0.0}) is False and desk.settings == settings
    assert desk.update("kick", gain_db=-1.0) and desk.error == ""


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["kick", "bass", "keys", "wide"]),
                          st.floats(-60, 12), st.floats(-1, 1), st.booleans(), st.booleans()),
                min_size=1, max_size=12))
def test_incremental_mix_equals_mixer_render(stems, moves):
    """Whatever the sequence of moves, the incrementally kept mix equals Mixer.render()."""
    desk = MixerDesk(stems, SR)
    for name, gain, pan, mute, solo in moves:
        assert desk.update(name, gain_db=gain, pan=pan, mute=mute, solo=solo)
    np.testing.assert_allclose(desk.mix, desk.to_mixer().render(), atol=1e-5)


def test_controls_drive_update_and_show_state(stems):
    """Moving a strip's fader widget re-mixes (debounced); update() moves the widget."""
    desk = MixerDesk(stems, SR)
    before = desk.master_levels
    desk._faders["kick"].value = 6.0
    desk.flush()  # the debounced move (applied at once without an event loop; flush in case one runs)
    assert desk.settings["kick"].gain_db == 6.0
    assert desk.master_levels.integrated_lufs > before.integrated_lufs
    assert "LUFS" in desk._master_html.value
    desk.update("bass", pan=0.5, solo=True)
    assert desk._pans["bass"].value == 0.5 and desk._solos["bass"].value is True
    assert "(off)" in desk._meters["kick"].value


def test_clip_and_true_peak_indicators():
    """Faders up: samples beyond full scale are counted and the true-peak light turns red."""
    loud = {"a": _sine(100, level=0.6), "b": _sine(100, level=0.6)}
    desk = MixerDesk(loud, SR, gains={"a": 0.0, "b": 0.0}, pan_law="0dB")
    assert desk.master_levels.clipped_samples > 0
    assert desk.master_levels.true_peak_dbtp > -1.0
    assert "CLIP" in desk._master_html.value and "#c62828" in desk._master_html.value
    desk.update(gains={"a": -20.0, "b": -20.0})
    assert desk.master_levels.clipped_samples == 0 and "no clipping" in desk._master_html.value


def test_player_compares_start_with_mix(stems):
    desk = MixerDesk(stems, SR)
    start = desk.mix
    desk.update("kick", gain_db=3.0)
    assert desk.player.label_a == "Start" and desk.player.match_loudness is True
    assert desk.player.loudness_b == pytest.approx(meters.integrated_loudness(desk.mix, SR), abs=0.01)
    assert desk.player.loudness_a == pytest.approx(meters.integrated_loudness(start, SR), abs=0.01)
    desk.snapshot()
    assert desk.player.label_a == "Snapshot"
    assert desk.player.loudness_a == pytest.approx(desk.player.loudness_b)
    assert set(desk.timings) >= {"mix", "player", "meters", "view", "total"}


# --------------------------------------------------------------------------- LoudnessView


@pytest.fixture(scope="module")
def clip():
    t = np.arange(8 * SR) / SR
    y = 0.5 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.25 * t))
    return np.stack([y, 0.8 * y]).astype(np.float32)


@pytest.mark.parametrize("target", ["spotify", "youtube", "ebu_r128"])
def test_loudness_view_verdict_matches_qc(clip, target):
    view = LoudnessView(clip.T, SR, target=target)  # (n, channels) at the edge
    report = master.qc(clip, SR, target=target)
    assert view.verdict == report.verdict
    assert [(i.subject, i.status) for i in view.report] == [(i.subject, i.status) for i in report]
    assert view._qc_html.value.count("<tr data-status=") == len(report)
    assert f'data-verdict="{report.verdict}"' in view._summary.value
    stats = meters.loudness(clip, SR)
    # One picture, the playhead's: A's short-term curve peaks at the meter's maximum (min/max per pixel
    # column keeps it), its integrated line sits at the meter's value, and the title gives the verdict.
    short = _trace(view, "short-term · Your master")
    assert max(short["hi"]) == pytest.approx(stats.short_term_max_lufs, abs=1e-3)
    assert f"max short-term (3 s) {stats.short_term_max_lufs:.1f} LUFS" in view._summary.value
    integrated = _trace(view, "integrated")
    np.testing.assert_allclose(integrated["lo"] + integrated["hi"], stats.integrated_lufs, atol=1e-3)
    assert view.playhead.title.endswith(f"{view.target.name}: {report.verdict.upper()}")
    assert not [p for p in view.playhead.panels if p["kind"] != "traces"] and len(view.playhead.panels) == 1


def _trace(view, name: str) -> dict:
    """The playhead's trace whose legend name starts with ``name`` (A's, "Your master", unless named)."""
    (panel,) = view.playhead.panels
    found = [t for t in panel["traces"] if t["name"].startswith(name)
             and (t["version"] != "b" or "On " in name)]
    assert len(found) == 1, [t["name"] for t in panel["traces"]]
    return found[0]


def _target_y(view) -> float:
    trace = _trace(view, f"{view.target.name} target")
    assert trace["version"] is None and trace["dash"] and trace["lo"] == trace["hi"]
    assert len(set(trace["lo"])) == 1
    return trace["lo"][0]


def test_target_change_moves_target_line(clip):
    view = LoudnessView(clip, SR)
    assert _target_y(view) == -14.0
    curves = _trace(view, "short-term · Your master")
    assert view.update(target="ebu_r128")
    assert _target_y(view) == -23.0
    assert _trace(view, "short-term · Your master") == curves
    assert "measure" not in view.timings  # the clip is not re-measured
    assert view.verdict == master.qc(clip, SR, target="ebu_r128").verdict
    assert view.playhead.title.endswith(f"{view.target.name}: {view.verdict.upper()}")
    # B is the master as the platform plays it: its lines are A's moved by the playback gain.
    gain = view.playback_gain_db
    # Broadcast turns it to the target: B's integrated line is the target line, drawn once.
    assert view.loudness.integrated_lufs + gain == pytest.approx(-23.0)
    traces = view.playhead.panels[0]["traces"]
    assert not [t for t in traces if t["name"].startswith("integrated") and t["version"] == "b"]
    b_short = _trace(view, f"short-term · On {view.target.name}")
    np.testing.assert_allclose(b_short["hi"], np.clip(np.array(curves["hi"]) + gain, -60, 0), atol=2e-4)
    # The dropdown drives the same update.
    view._dropdown.value = "apple"
    view.flush()
    assert view.target.key == "apple" and _target_y(view) == -16.0
    assert view.player.label_b == "On Apple Music"
    # A quiet master YouTube does not turn up: B's integrated line is drawn where B plays, below the target.
    quiet = clip * np.float32(10 ** (-20 / 20))
    assert view.update(y=quiet, target="youtube") and view.playback_gain_db == 0.0
    level = view.loudness.integrated_lufs
    assert level < -14 - 5
    b = _trace(view, f"integrated {level:.1f} LUFS · On YouTube")
    np.testing.assert_allclose(b["lo"] + b["hi"], level, atol=1e-3)


def test_loudness_view_invalid_updates_keep_state(clip):
    view = LoudnessView(clip, SR)
    panels_before = view.playhead.panels
    assert view.update(target="napster") is False and "unknown target" in view.error
    assert view.target.key == "spotify"
    assert view.update(y=np.full(1000, np.nan)) is False and "NaN" in view.error
    assert view.playhead.panels == panels_before
    assert view.update(y=clip[:, : 4 * SR] * 0.5)
    assert view.error == "" and view.loudness.duration_s == pytest.approx(4.0)


def test_playback_gain_follows_platform_rules(clip):
    """Loud masters are turned down to the reference; quiet ones up only where the platform does it."""
    from producerkit.widgets.loudness_view import playback_gain_db

    assert playback_gain_db(-8.0, -0.5, "spotify") == pytest.approx(-6.0)
    assert playback_gain_db(-20.0, -10.0, "youtube") == 0.0  # YouTube never turns up
    assert playback_gain_db(-20.0, -10.0, "spotify") == pytest.approx(6.0)
    assert playback_gain_db(-20.0, -3.0, "spotify") == pytest.approx(2.0)  # only up to -1 dBTP
    assert playback_gain_db(-math.inf, -120.0, "spotify") == 0.0
    view = LoudnessView(clip, SR)
    expected = -14.0 - view.loudness.integrated_lufs
    assert view.playback_gain_db == pytest.approx(expected)
    assert view.player.loudness_b - view.player.loudness_a == pytest.approx(expected, abs=0.02)
    assert view.player.match_loudness is False


def test_qc_for_each_target_equals_master_qc_and_clip_rules_run_once(clip, monkeypatch):
    """Every platform's report is master.qc's, finding for finding; the rules that do not depend on the
    platform (mono compatibility, silences, clipping) run once per clip, not once per platform shown."""
    calls = []
    correlation = meters.correlation
    monkeypatch.setattr(meters, "correlation", lambda y: calls.append(1) or correlation(y))
    view = LoudnessView(clip, SR)
    for target in ("youtube", "ebu_r128", "apple", "spotify"):
        assert view.update(target=target)
        expected = master.qc(clip, SR, target=target)
        got = view.report
        assert got.target == expected.target and got.verdict == expected.verdict
        assert list(got) == list(expected)
    assert len(calls) == 1 + 4  # the view's clip once; each master.qc above once
    assert view.update(y=clip * np.float32(0.5))  # a new clip is checked again
    assert len(calls) == 6


def test_player_gets_the_views_loudness_without_measuring_again(clip, monkeypatch):
    """A is the measured clip (exactly the meter's reading), B the clip turned by the playback gain."""
    from producerkit.widgets import abplayer

    view = LoudnessView(clip, SR)
    measured = []
    monkeypatch.setattr(abplayer, "_loudness", lambda y2, sr: measured.append(1) or 0.0)
    quieter = clip * np.float32(0.5)
    for update in ({"y": quieter}, {"target": "ebu_r128"}, {"target": "apple"}):
        assert view.update(**update)
        assert view.player.loudness_a == meters.integrated_loudness(quieter, SR)
        b = quieter * np.float32(10 ** (view.playback_gain_db / 20))
        assert view.player.loudness_b == pytest.approx(meters.integrated_loudness(b, SR), abs=1e-3)
    assert measured == []
    silent = np.zeros_like(clip)
    assert view.update(y=silent)
    assert view.player.loudness_a is None and view.player.loudness_b is None
    assert "could not be measured" in view.player.match_note
    # Called directly, the player still measures what it is given.
    view.player.update(b=clip)
    assert measured == [1]


def test_playhead_sends_the_message_ipywidgets_would(clip):
    """The playhead's own send_state skips ipywidgets' search of the panels for bytes: same message."""
    from ipywidgets import Widget

    from producerkit.widgets import ABPlayer
    from producerkit.widgets.playhead import Playhead, TracePanel, series_trace, spectrogram_panel

    view = LoudnessView(clip, SR)
    player = ABPlayer(clip, clip, SR)
    times = np.arange(1, 81) / 10.0
    panels = [TracePanel("level", (-60.0, 0.0), [series_trace(-np.arange(80.0) / 2, "a", times=times, duration=8.0)]),
              spectrogram_panel(clip, SR, duration=8.0)]
    for playhead, key in ((view.playhead, None), (Playhead(player, panels), None), (view.playhead, ["title"]),
                          (Playhead(player, panels), ["panels", "images"])):
        sent = []
        playhead._send = lambda msg, buffers=None, sent=sent: sent.append((msg, [bytes(b) for b in buffers or []]))
        playhead.send_state(key)
        Widget.send_state(playhead, key)
        (ours, our_buffers), (theirs, their_buffers) = sent
        assert ours["method"] == theirs["method"] == "update"
        assert ours["state"] == theirs["state"] and our_buffers == their_buffers
        assert sorted(map(tuple, ours["buffer_paths"])) == sorted(map(tuple, theirs["buffer_paths"]))
