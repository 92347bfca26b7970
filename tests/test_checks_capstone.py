"""The capstone's checkers: every stage's check with a right, a near, a wrong and a missing answer."""

from __future__ import annotations

import numpy as np
import pytest

from producerkit import capstone, datasets
from producerkit.checks import capstone as checks
from producerkit.checks.workflow import LEAD_RANGE_LU
from producerkit.master import PLATFORM_TARGETS
from producerkit.mix import PEAK_MAX_DBFS

SESSION = datasets.shared_session()
SR = SESSION.sr


def status(feedback) -> str:
    return feedback.status


# --------------------------------------------------------------------------- 1 demo


@pytest.mark.parametrize("answer, expected, words", [
    (["keys", "lead"], "right", "smallest form"),
    (["guitar", "lead"], "right", "smallest form"),
    (["lead"], "not yet", "chords"),                       # near: the tune, no chords
    (["keys", "pad", "guitar", "lead"], "not yet", "sketch"),  # near: too much
    (["keys", "lead", "pad"], "right", "lead + keys alone would do too"),  # right, but not as few as possible
    (["kick", "snare"], "not yet", "groove"),              # wrong
    (["vocals"], "not yet", "not stems"),                  # wrong: no such stem
    (..., "unanswered", "no answer"),
    ([], "unanswered", "no answer"),
])
def test_demo_layers(answer, expected, words):
    fb = checks.check_demo_layers(answer, SESSION)
    assert status(fb) == expected, fb
    assert words in str(fb)


# --------------------------------------------------------------------------- 2 arrangement


def test_arrangement_lift_right_near_wrong_missing():
    right = checks.check_arrangement_lift([["mute", "bass", "verse"]], SESSION)
    assert right.correct is True and "LU above the verse" in right.message
    near = checks.check_arrangement_lift([["mute", "keys", "verse"]], SESSION)  # lifts, but under 5 LU
    assert near.correct is False and "only" in near.message
    wrong = checks.check_arrangement_lift([["mute", "bass", "chorus"]], SESSION)  # the chorus falls in
    assert wrong.correct is False
    assert checks.arrangement_lift([["mute", "bass", "chorus"]], SESSION) < checks.arrangement_lift([], SESSION)
    broken = checks.check_arrangement_lift([["mute", "guitar", "verse"]], SESSION)  # guitar is not in the verse
    assert broken.correct is False and "guitar" in broken.message
    assert checks.check_arrangement_lift(..., SESSION).correct is None
    assert checks.check_arrangement_lift([], SESSION).correct is None


@pytest.mark.parametrize("edits, words", [
    ([["drop", "chorus", 1]], "verse's level is what the lift measures"),  # a drop alone: not "add a drop"
    ([["build_up", "chorus", 2]], "verse's level is what the lift measures"),
    ([["mute", "keys", "chorus"]], "mute in the verse instead"),  # a mute in the wrong section
    ([["mute", "lead", "verse"]], "the lead is the song"),  # lifts, but the song is gone
])
def test_arrangement_hints_point_the_right_way(edits, words):
    fb = checks.check_arrangement_lift(edits, SESSION)
    assert fb.correct is False and words in str(fb), fb
    assert "add a drop" not in str(fb)


def test_arrangement_lift_is_measured_not_assumed():
    as_written = checks.arrangement_lift([], SESSION)
    assert 2.0 < as_written < capstone.CHORUS_LIFT_LU  # the exercise has something to do
    assert checks.arrangement_lift([["mute", "bass", "verse"]], SESSION) >= capstone.CHORUS_LIFT_LU


# --------------------------------------------------------------------------- 3 hum


@pytest.mark.parametrize("answer, expected, words", [
    (50, "right", "mains hum"),
    ("50", "right", "mains hum"),
    (100, "not yet", "harmonics"),   # near: a harmonic
    (60, "not yet", "other mains"),  # near: the other mains frequency
    (440, "not yet", "no hum"),      # wrong
    (52, "not yet", "close"),        # near: where the smoothed peak is drawn, not "no hum"
    (48, "not yet", "exactly on the mains"),
    (55, "not yet", "which is nearest"),
    ("50 Hz", "right", "mains hum"),  # a unit is accepted
    ("50hz", "right", "mains hum"),
    ("loud", "not yet", "not a frequency"),
    (..., "unanswered", "no answer"),
])
def test_hum_frequency(answer, expected, words):
    fb = checks.check_hum_frequency(answer, SESSION)
    assert status(fb) == expected, fb
    assert words in str(fb)


# --------------------------------------------------------------------------- 4 tuning


@pytest.mark.parametrize("answer, expected, words", [
    (31, "right", "in tune"),
    (35, "right", "in tune"),
    (15, "not yet", "off"),          # near: the right way, not far enough
    (0.31, "not yet", "semitones"),  # near: semitones, not cents
    (-31, "not yet", "further"),     # wrong: the wrong way
    ("up", "not yet", "not a number"),
    ("+31 cents", "right", "in tune"),  # a unit is accepted
    (41.3, "not yet", "+10.3 cents off"),  # just outside: the figure does not read as inside the tolerance
    (..., "unanswered", "no answer"),
])
def test_tuning_cents(answer, expected, words):
    fb = checks.check_tuning_cents(answer, -31.0)
    assert status(fb) == expected, fb
    assert words in str(fb)


# --------------------------------------------------------------------------- 5 mix


@pytest.fixture(scope="module")
def mixer():
    stems = capstone.arranged_stems(SESSION, capstone.excerpt_arrangement(SESSION, (10, 12)))
    return capstone.mixdown(stems, SR, capstone.DEFAULT_FADERS_DB, capstone.DEFAULT_PANS)[0]


def test_lead_fader(mixer):
    at_default = checks.lead_against_band_lu(mixer)
    low, high = LEAD_RANGE_LU
    # the fader that puts the lead in the middle of the range, and ones just and far outside it
    middle = capstone.DEFAULT_FADERS_DB["lead"] + (0.5 * (low + high) - at_default)
    assert checks.check_lead_fader(middle, mixer).correct is True
    near = checks.check_lead_fader(middle + (high - 0.5 * (low + high)) + 1.0, mixer)
    assert near.correct is False and "floats" in near.message
    buried = checks.check_lead_fader(middle - 20, mixer)
    assert buried.correct is False and "buried" in buried.message and "push it up" in buried.hint
    assert checks.check_lead_fader("loud", mixer).correct is False
    assert checks.check_lead_fader(f"{middle:.1f} dB", mixer).correct is True  # a unit is accepted
    assert checks.check_lead_fader(..., mixer).correct is None


def test_lead_against_band_moves_with_the_fader(mixer):
    assert checks.lead_against_band_lu(mixer, -10.0) == pytest.approx(checks.lead_against_band_lu(mixer, -4.0) - 6.0,
                                                                      abs=0.01)


def test_mix_headroom():
    tone = np.sin(2 * np.pi * 220 * np.arange(SR) / SR).astype(np.float32)
    at = lambda dbfs: tone * np.float32(10 ** (dbfs / 20))  # noqa: E731
    assert checks.check_mix_headroom(at(-6)).correct is True
    near = checks.check_mix_headroom(at(-1.5))
    assert near.correct is False and "too little headroom" in near.message
    wrong = checks.check_mix_headroom(at(+2))
    assert wrong.correct is False and "clips" in wrong.message
    assert checks.check_mix_headroom(at(PEAK_MAX_DBFS - 0.1)).correct is True
    assert checks.check_mix_headroom(np.array([np.nan, 0.1])).correct is False
    assert checks.check_mix_headroom(...).correct is None
    assert checks.check_mix_headroom(np.zeros(0)).correct is None


# --------------------------------------------------------------------------- 6 master


@pytest.mark.parametrize("answer, platform, expected, words", [
    (-14, "spotify", "right", "-14 LUFS"),
    (-16, "apple", "right", "-16 LUFS"),
    (-23, "ebu_r128", "right", "-23 LUFS"),
    ("-14 LUFS", "spotify", "right", "-14 LUFS"),     # a unit is accepted
    (14, "spotify", "not yet", "below zero"),         # near: the sign
    (-14, "apple", "not yet", "target, not Apple"),   # near: another platform's figure
    (-30, "spotify", "not yet", "not Spotify"),       # wrong
    (-14, "myspace", "not yet", "not a platform"),    # wrong platform
    (..., "spotify", "unanswered", "no answer"),
])
def test_platform_target(answer, platform, expected, words):
    fb = checks.check_platform_target(answer, platform)
    assert status(fb) == expected, fb
    assert words in str(fb)


def test_platform_targets_are_the_master_modules():
    for key, target in PLATFORM_TARGETS.items():
        assert checks.check_platform_target(target.integrated_lufs, key).correct is True


# --------------------------------------------------------------------------- 7 delivery: QC on the file


@pytest.fixture(scope="module")
def premaster():
    stems = capstone.arranged_stems(SESSION, capstone.excerpt_arrangement(SESSION, (10, 14)))
    return capstone.premaster(capstone.mixdown(stems, SR, capstone.DEFAULT_FADERS_DB, capstone.DEFAULT_PANS)[1], SR)


def test_delivered_master(tmp_path, premaster):
    from producerkit import audio

    mastered, _ = capstone.master_for(premaster, SR, "spotify")
    good = audio.save(tmp_path / "good.wav", mastered, SR)
    fb = checks.check_delivered_master(good, "spotify")
    assert fb.correct is True and "passes QC" in fb.message
    # near: a broadcast master 1.5 dB too loud: outside EBU R 128's ±1 LU around -23 LUFS
    broadcast, _ = capstone.master_for(premaster, SR, "ebu_r128")
    assert checks.check_delivered_master(audio.save(tmp_path / "tv.wav", broadcast, SR), "ebu_r128").correct is True
    hot = audio.save(tmp_path / "hot.wav", broadcast * np.float32(10 ** (1.5 / 20)), SR)
    near = checks.check_delivered_master(hot, "ebu_r128")
    assert near.correct is False and "fails QC" in near.message and "loudness" in near.message
    # wrong: loudness by turning it up until it clips, no limiter
    crushed = audio.save(tmp_path / "crushed.wav", np.clip(premaster * np.float32(8.0), -1.0, 1.0), SR)
    wrong = checks.check_delivered_master(crushed, "spotify")
    assert wrong.correct is False and "fails QC" in wrong.message
    # a master for Spotify is not a broadcast master
    assert checks.check_delivered_master(good, "ebu_r128").correct is False
    assert checks.check_delivered_master(tmp_path / "missing.wav", "spotify").correct is False
    assert checks.check_delivered_master(..., "spotify").correct is None
    failed = checks.check_delivered_master(None, "spotify")  # QC failed: deliver() returned no file
    assert failed.correct is False and "nothing was delivered" in failed.message and "QC table" in str(failed)


def test_release_report(tmp_path):
    full = tmp_path / "full.html"
    full.write_text("The plan Budget Loudness, before and after QC: <audio></audio><audio></audio>")
    assert checks.check_release_report(full).correct is True
    near = tmp_path / "near.html"
    near.write_text("The plan Budget Loudness, before and after QC: <audio></audio>")
    assert checks.check_release_report(near).correct is False
    wrong = tmp_path / "wrong.html"
    wrong.write_text("<html>hello</html>")
    fb = checks.check_release_report(wrong)
    assert fb.correct is False and "the plan" in fb.message and "the A/B" in fb.message
    assert checks.check_release_report(tmp_path / "none.html").correct is False
    assert checks.check_release_report(...).correct is None
