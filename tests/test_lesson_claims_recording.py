"""Lesson 08's text says what its cells show, computed from the lesson's own tagged cells (issue 17).

- distance: each direct-to-room ratio the lesson prints, predicted and measured, agree within 1 dB; a doubling
  of distance takes 6 dB off; a cardioid is 4.8 dB drier than an omni;
- the proximity effect: "at 5 cm, 100 Hz comes up about 14 dB; at 15 cm about 6 dB; at 50 cm about 1 dB; at
  2 m nothing";
- off axis: a cardioid 6 dB down at 90°, the highs falling more than the mids;
- the comb: 0.6 m is 1.75 ms, notches at 286, 858, 1429 Hz and every 572 Hz, found within 2 %; the sum swings
  about 6 dB; flipped, notches at 0, 572, 1143 Hz and about 5 dB less at 50 Hz than aligned;
- levels: the right take peaks at -10 dBFS, the hot one clips thousands of samples, the low one's floor is 20 dB
  above the others after levelling;
- the comp: take 3 is about 215 ms late in verse 1c; the splice clicks about 22 dB above the music, the 10 ms
  crossfade not at all;
- tuning: every phrase of every take within about 6 cents; the made-flat phrase measured and tuned back
  within a few cents (within 10, issue 17's bound); the two notes left outside the band: the E4, sung sharp,
  and a scooped G4;
- the four exercises, answered right in the lesson's own cells, are right.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from producerkit import editing

from .lesson_cells import code_cells, markdown, run_lesson

LESSON = "08-recording"
ANSWERS = {"mic_delay": 77, "phrase_to_replace": ("verse 1c", 2), "crossfade_ms": 10, "tuning_cents": 31}


@pytest.fixture(scope="module")
def ns():
    return run_lesson(LESSON, tags=None, answers=ANSWERS)


def _prose() -> str:
    return " ".join(markdown(LESSON).split())


def test_direct_to_room_ratios_agree_and_fall_6_db_per_doubling(ns):
    room, mic_cls = ns["room"], ns["Mic"]
    for distance in (0.15, 0.4, 0.8, 2.0):
        for pattern in ("omni", "cardioid"):
            mic = mic_cls(distance, pattern)
            assert ns["measured_ratio_db"](mic) == pytest.approx(mic.direct_to_room_db(room), abs=1.0)
    assert (mic_cls(0.4, "omni").direct_to_room_db(room) - mic_cls(0.8, "omni").direct_to_room_db(room)
            == pytest.approx(6.0, abs=0.05))
    assert (mic_cls(0.4, "cardioid").direct_to_room_db(room) - mic_cls(0.4, "omni").direct_to_room_db(room)
            == pytest.approx(4.8, abs=0.05))
    assert "so at the same distance it sounds 4.8 dB drier than an omni" in _prose()


def test_the_proximity_effect_numbers(ns):
    mic_cls = ns["Mic"]
    said = {0.05: 14, 0.15: 6, 0.5: 1, 2.0: 0}
    for d, lift in said.items():
        got = 20 * np.log10(abs(mic_cls(d).response([100])[0] / mic_cls(d).response([1000])[0]))
        assert got == pytest.approx(lift, abs=0.5 if lift else 0.1), d
    assert "5 cm, 100 Hz comes up about 14 dB; at 15 cm about 6 dB; at 50 cm about 1 dB; at 2 m nothing" in _prose()


def test_off_axis_loses_level_and_more_of_the_highs(ns):
    mic_cls = ns["Mic"]
    on = 20 * np.log10(abs(mic_cls(0.3).response([1000, 10000])))
    side = 20 * np.log10(abs(mic_cls(0.3, angle_deg=90).response([1000, 10000])))
    assert on[0] - side[0] == pytest.approx(6.0, abs=0.3)
    assert on[1] - side[1] > on[0] - side[0] + 4
    assert on[0] == pytest.approx(10.5, abs=0.5)  # "30 cm sits about 10 dB higher"


def test_the_comb_sits_where_the_text_says(ns):
    pair, predicted, found = ns["pair"], ns["predicted"], ns["found"]
    assert (pair.far.distance_m - pair.near.distance_m) / 343 * 1000 == pytest.approx(1.75, abs=0.005)
    np.testing.assert_allclose(predicted[:3], [286, 858, 1429], atol=0.5)
    assert np.diff(predicted) == pytest.approx(572, abs=0.5)
    for f in predicted:
        assert found[np.argmin(abs(found - f))] == pytest.approx(f, rel=0.02)
    band = (ns["freqs"] > 200) & (ns["freqs"] < 4000)
    assert np.ptp(ns["level"][band]) == pytest.approx(6.0, abs=0.5)
    flipped, aligned = ns["flipped"], ns["aligned"]
    np.testing.assert_allclose(flipped.notches(2000)[:3], [0, 572, 1143], atol=0.5)
    loss = 20 * np.log10(abs(aligned.response([50])[0]) / abs(flipped.response([50])[0]))
    assert loss == pytest.approx(5.0, abs=0.5)
    assert aligned.delay_samples == ANSWERS["mic_delay"]


def test_recording_levels(ns):
    takes, made_up, sr = ns["takes_by_gain"], ns["made_up"], ns["sr"]
    assert ns["peak_dbfs"](takes["right"]) == pytest.approx(-10, abs=0.1)
    assert ns["clipped_samples"](takes["right"]) == 0 and ns["clipped_samples"](takes["hot"]) > 1000
    floors = {k: ns["noise_floor_dbfs"](y[: sr // 2], sr) for k, y in made_up.items()}
    assert floors["low"] - max(floors["right"], floors["hot"]) == pytest.approx(20, abs=2)
    assert "aim the loudest peaks around −10 dBFS" in _prose()


def test_comp_timing_and_crossfade_claims(ns):
    assert ns["late"] == pytest.approx(215, abs=10)
    assert "about 215 ms behind the other takes" in _prose()
    sr = ns["sr"]
    splice = editing.click_db(ns["butt_splice"], sr, 1.0)
    faded = editing.click_db(ns["with_crossfade"], sr, 1.0 - 0.005)
    assert splice == pytest.approx(22, abs=2) and faded <= 0
    assert "the splice clicks about 22 dB above the music" in _prose()
    nudged_lag = ns["nudged"]
    assert nudged_lag.shape == ns["late_phrase"].shape


def test_every_take_is_in_tune_within_about_6_cents(ns):
    session, sr = ns["session"], ns["sr"]
    for phrase in session.phrases:
        for take in session.takes.values():
            y = take[round(phrase.take_start_s * sr):round(phrase.take_end_s * sr)]
            assert abs(editing.phrase_cents(editing.note_pitches(y, sr, fmin=150, fmax=700))) <= 6.5
    assert "every phrase measures within about 6 cents, on average" in _prose()


def test_the_flat_phrase_is_made_flat_and_tuned_back(ns):
    demo, notes, tuned_notes = ns["demo"], ns["notes"], ns["tuned_notes"]
    assert demo.cents == -35 and "lowers *verse 1b* of take 1 by 35 cents" in _prose()
    assert -40 <= editing.phrase_cents(notes) <= -25
    assert abs(editing.phrase_cents(tuned_notes)) <= 5  # "within a few cents"; issue 17's bound is 10
    assert ns["tuned"].shape == demo.audio.shape
    # "Two notes stay out of the 10-cent band. The E4 near the start, about 13 cents sharp, is how it was sung (the
    # take as recorded measures about 10) ... The short G4 at 1 s scoops up into its note, and shifting the pitch
    # smears a fast slide, so it now measures about 20 cents sharp (as sung, 3)."
    out = [n for n in tuned_notes if abs(n.cents) > 10]
    assert [n.note for n in out] == ["E4", "G4"]
    sung = editing.note_pitches(demo.original_phrase, demo.sr, fmin=150, fmax=700)
    same = [min((n for n in sung if n.note == o.note), key=lambda n: abs(n.start - o.start)) for o in out]
    assert out[0].start < 0.5 and out[0].cents == pytest.approx(13, abs=3)
    assert same[0].cents == pytest.approx(10, abs=3) and abs(same[0].cents - out[0].cents) <= 6
    assert 0.9 <= out[1].start <= 1.1 and out[1].cents == pytest.approx(20, abs=5)
    assert same[1].cents == pytest.approx(3, abs=2)
    assert ("Two notes stay out of the 10-cent band. The E4 near the start, about 13 cents sharp, is how it was sung "
            "(the take as recorded measures about 10)") in _prose()
    assert "The short G4 at 1 s scoops up into its note" in _prose()
    assert "so it now measures about 20 cents sharp (as sung, 3)" in _prose()


@pytest.mark.parametrize("check", ["check_mic_delay(", "check_phrase_to_replace(", "check_crossfade_length(",
                                   "check_tuning("])
def test_right_answers_are_right_in_the_lesson(ns, check):
    assert ns["Out"][ns.cell_of(check)].correct is True


def test_every_exercise_starts_unanswered():
    ns = run_lesson(LESSON, tags=("setup", "exercise", "check"))
    for check in ("check_mic_delay(", "check_phrase_to_replace(", "check_crossfade_length(", "check_tuning("):
        assert ns["Out"][ns.cell_of(check)].correct is None
    assert re.search(r"lowers \*verse 1b\* of take 1 by 35 cents", _prose())


def _players(value):
    from producerkit.widgets import ABPlayer

    if isinstance(value, ABPlayer):
        yield value
    for child in getattr(value, "children", ()):
        yield from _players(child)


def test_no_player_in_the_lesson_clips(ns):
    # each mic's gain is set as an engineer would (peaks near -10 dBFS): no player warns of clipping
    players = [p for value in ns["Out"].values() for p in _players(value)]
    assert len(players) >= 12
    assert [p.warning for p in players if p.warning] == []


def test_the_comb_is_heard_against_the_fix(ns):
    players = list(_players(ns["Out"][ns.cell_of("aligned = MicPair(")]))
    assert [(p.label_a, p.label_b) for p in players] == [("as placed", "time-aligned"),
                                                         ("time-aligned", "polarity flipped")]


def test_exercise_4_does_not_print_its_answer():
    # the phrase's average is shown after the answer, with the correction, not before the exercise
    cells = code_cells(LESSON)
    exercise = next(c.index for c in cells if c.source.startswith("tuning_cents = ..."))
    before = [c.source for c in cells if c.index < exercise]
    assert not any("phrase_cents" in source for source in before)
    assert any("phrase_cents" in c.source for c in cells if c.index > exercise)
