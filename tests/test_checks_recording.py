"""Lesson 08's checkers, each with right, near, wrong and missing answers (issue 17)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from producerkit import datasets, editing
from producerkit.checks import check_crossfade_length, check_mic_delay, check_phrase_to_replace, check_tuning
from producerkit.recording import Mic

SR = 44100


@pytest.mark.parametrize("missing", [None, ..., ""])
@pytest.mark.parametrize("call", [
    lambda a: check_mic_delay(a, 0.3, 0.9, SR),
    lambda a: check_phrase_to_replace(a),
    lambda a: check_crossfade_length(a, np.zeros(SR), np.zeros(SR), SR),
    lambda a: check_tuning(a, [editing.NotePitch(0, 1, "A4", 69, -30, 432)]),
])
def test_unanswered_is_not_an_error(call, missing):
    feedback = call(missing)
    assert feedback.correct is None and "no answer yet" in feedback.message


# --------------------------------------------------------------------------- mic delay: 0.6 m at 44.1 kHz = 77.1


@pytest.mark.parametrize("answer", [77, 77.0, 76, 78, np.int64(77)])
def test_mic_delay_right(answer):
    feedback = check_mic_delay(answer, Mic(0.3, "omni"), Mic(0.9, "omni"), SR)
    assert feedback.correct is True and "77 samples" in feedback.message


@pytest.mark.parametrize("answer, says", [
    (80, "a sample or two out"),        # near: 340 m/s, or rounding twice
    (-77, "wrong way"),
    (1.75, "milliseconds"),
    (116, "the far mic"),               # the far mic's whole path, not the difference
    (300, "does not line them up"),
    ("seventy", "number of samples"),
])
def test_mic_delay_near_and_wrong(answer, says):
    feedback = check_mic_delay(answer, 0.3, 0.9, SR)
    assert feedback.correct is False and says in feedback.message + feedback.hint


# --------------------------------------------------------------------------- the phrase to replace


@pytest.mark.parametrize("answer", [("verse 1c", 2), ("Verse 1C", "take 2"), ("1c", "lead_take2"), ["c", 2.0]])
def test_phrase_to_replace_right(answer):
    feedback = check_phrase_to_replace(answer)
    assert feedback.correct is True and "verse 1c" in feedback.message


@pytest.mark.parametrize("answer, says", [
    (("verse 1c", 1), "another take is tighter"),       # near: right phrase, a usable but looser take
    (("verse 1c", 3), "take 3 is the take with the problem"),
    (("verse 1a", 2), "usable"),
    (("chorus", 2), "not one of the phrases"),
    (("verse 1c", 7), "not a take"),
    ("verse 1c", "two things"),
])
def test_phrase_to_replace_near_and_wrong(answer, says):
    feedback = check_phrase_to_replace(answer)
    assert feedback.correct is False and says in feedback.message + feedback.hint


def test_phrase_to_replace_quotes_the_comp_sheets_timing():
    # the feedback quotes what the comp sheet the student read measured, not the manifest's offsets
    session = datasets.shared_session()
    takes = [np.array(session.takes[f"lead_take{i}"]) for i in (1, 2, 3)]
    comp = editing.comp_takes(takes, session.sr, [(p.take_start_s, p.take_end_s, p.name) for p in session.phrases],
                              bpm=session.bpm)
    scores = next(c for c in comp.choices if c.phrase.name == "verse 1c").scores
    early, best = scores[0].timing_signed_ms, scores[1].timing_signed_ms
    near = check_phrase_to_replace(("verse 1c", 1), comp)
    assert near.correct is False and f"{abs(early):.0f} ms early" in near.message
    assert f"({best:+.0f} ms)" in near.message
    assert f"({best:+.0f} ms)" in check_phrase_to_replace(("verse 1c", 2), comp).message
    manifest = next(p for p in session.phrases if p.name == "verse 1c").takes["lead_take1"]["offset_ms"]
    assert round(abs(manifest)) != round(abs(early))  # the two disagree: the comp's figure is the one shown


def test_phrase_to_replace_follows_the_session_answer_key():
    session = datasets.shared_session()
    bad = [p for p in session.phrases if p.takes["lead_take3"]["flub"]]
    assert [p.name for p in bad] == ["verse 1c"] and bad[0].best_take == "lead_take2"


# --------------------------------------------------------------------------- crossfade length


@pytest.fixture(scope="module")
def edit():
    takes = datasets.shared_session().takes
    at = round(6.75 * SR)
    return np.array(takes["lead_take2"][at - SR:at]), np.array(takes["lead_take1"][at:at + SR])


def test_the_edit_clicks_without_a_crossfade(edit):
    before, after = edit
    assert editing.click_db(np.concatenate([before, after]), SR, 1.0) > 10


@pytest.mark.parametrize("answer", [5, 10, 20, 30.0])
def test_crossfade_right(edit, answer):
    feedback = check_crossfade_length(answer, *edit, SR)
    assert feedback.correct is True and "without a click" in feedback.message
    assert "no more than 3 dB above the music" in feedback.message


@pytest.mark.parametrize("answer", [50.5, 60, 100, 200, 500, 1000])
def test_a_long_crossfade_never_raises(edit, answer):
    # these once raised "zero-size array" from click_db: the window outgrew the 200 ms it is compared with
    feedback = check_crossfade_length(answer, *edit, SR)
    assert feedback.correct is False and "both takes sing at once" in feedback.message


def test_click_db_refuses_a_window_with_no_neighbourhood(edit):
    from producerkit.errors import ParameterError

    with pytest.raises(ParameterError, match="window_ms=50 ms is too long"):
        editing.click_db(np.concatenate(edit), SR, 1.0, window_ms=50)


@pytest.mark.parametrize("answer, says", [
    (0, "still clicks"),
    (0.01, "still clicks"),       # a crossfade of less than a sample
    (0.5, "shorter than a DAW's default fade"),  # near: measures no click here, but a fade that short still ticks
    (100, "both takes sing at once"),
    (120, "both takes sing at once"),
    (150, "both takes sing at once"),
    (500, "both takes sing at once"),
    (999, "both takes sing at once"),
    (1000, "both takes sing at once"),
    (-5, "shorter than nothing"),
    (5000, "does not fit"),
    ("short", "number of milliseconds"),
])
def test_crossfade_near_and_wrong(edit, answer, says):
    feedback = check_crossfade_length(answer, *edit, SR)
    assert feedback.correct is False and says in feedback.message


# --------------------------------------------------------------------------- tuning

FLAT = [editing.NotePitch(0, 1, "G4", 67, -33, 385), editing.NotePitch(1, 3, "B4", 71, -30, 485)]  # -31


@pytest.mark.parametrize("answer", [31, 35, 25, 40.5])
def test_tuning_right(answer):
    feedback = check_tuning(answer, FLAT)
    assert feedback.correct is True and "31 cents flat" in feedback.message


@pytest.mark.parametrize("answer, says", [
    (-31, "wrong way"),
    (0.31, "semitones"),
    (15, "close"),               # near: half way
    (100, "off the notes"),
    ("up a bit", "number of cents"),
])
def test_tuning_near_and_wrong(answer, says):
    feedback = check_tuning(answer, FLAT)
    assert feedback.correct is False and says in feedback.message


def test_tuning_feedback_agrees_with_its_bound():
    # the same distance from the target gets the same verdict either side, and the cents left are shown to a
    # tenth, so "10 cents off" is never both within and beyond the 10-cent bound; "1 cent", never "1 cents"
    assert check_tuning(21, FLAT).correct is True and check_tuning(41, FLAT).correct is True
    flat = [editing.NotePitch(0, 1, "G4", 67, -31.4, 385)]
    low, high = check_tuning(21, flat), check_tuning(41, flat)
    assert high.correct is True and "leaves it 9.6 cents from the notes" in high.message
    assert "within the 10 cents this exercise allows" in high.message
    assert low.correct is False and "10.4 cents off, more than the 10 cents this exercise allows" in low.message
    one = check_tuning(32, FLAT)  # the phrase is 31 flat: 32 up leaves it 1 sharp
    assert "leaves it 1 cent from the notes" in one.message and not re.search(r"\b1 cents", one.message)


def test_tuning_without_measured_notes_says_so():
    feedback = check_tuning(30, [])
    assert feedback.correct is False and "run the cell that measures" in feedback.message
