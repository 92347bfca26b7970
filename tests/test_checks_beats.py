"""Lesson 07's checkers: right, near, wrong and unanswered answers, and the lesson's own check cells."""

from __future__ import annotations

import pytest

from producerkit.beats import Pattern, preset
from producerkit.checks import (
    check_backbeat,
    check_ghost_notes,
    check_hats_leave_the_snare_room,
    check_named_groove,
    check_swing_by_ear,
)
from producerkit.checks.beats import SWING_CHOICES, SwingDrill

from .lesson_cells import Expr, run_lesson

# --------------------------------------------------------------------------- the backbeat


def test_backbeat_right_on_2_and_4_in_any_form():
    assert check_backbeat("....x.......x...").correct is True
    assert check_backbeat("....x... ....x...").correct is True  # spaces are ignored
    assert check_backbeat("snare: ....x.......x...").correct is True  # a row written with its name
    assert check_backbeat("....o.......o...").correct is True  # a softer backbeat is still the backbeat


@pytest.mark.parametrize(("row", "says"), [
    (".....x.......x..", "close: the snare sits on the 'e' of 2 and the 'e' of 4, a 16th off the beat"),
    ("...x.......x....", "close"),
])
def test_backbeat_a_16th_off_is_close(row, says):
    fb = check_backbeat(row)
    assert fb.correct is False and says in fb.message


@pytest.mark.parametrize(("row", "says", "hint"), [
    ("x.......x.......", "on 1 and 3, where the kick usually lives", "one beat later"),
    ("....x...........", "beat 4 has no snare", "beat 2 and beat 4"),
    ("....x...x...x...", "there is a snare on beat 3 too", "exactly two hits"),
    ("................", "the snare row is empty", "beat 2"),
])
def test_backbeat_wrong_says_where(row, says, hint):
    fb = check_backbeat(row)
    assert fb.correct is False and says in fb.message and hint in fb.hint


def test_backbeat_asks_for_a_row_the_student_writes_not_a_whole_pattern():
    """``snare_row = rock`` (the lesson's rock beat, defined above the exercise) gives nothing away."""
    for given in (preset("rock"), Pattern.from_text("snare: ....x.......x...")):
        fb = check_backbeat(given)
        assert fb.correct is False and "whole pattern" in fb.message and "16 characters" in fb.hint

    class Sequencer:
        pattern = preset("rock")

    assert check_backbeat(Sequencer()).correct is False


@pytest.mark.parametrize("missing", [..., None, ""])
def test_backbeat_unanswered(missing):
    assert check_backbeat(missing).correct is None


def test_backbeat_bad_input_is_explained_not_raised():
    fb = check_backbeat("....x..z....x...")
    assert fb.correct is False and "does not read as a pattern" in fb.message and "'z'" in fb.message
    fb = check_backbeat(42)
    assert fb.correct is False and "must be a pattern (got int)" in fb.message
    fb = check_backbeat("kick: x...x...x...x...")
    assert fb.correct is False and "no snare row" in fb.message


# --------------------------------------------------------------------------- a groove from its description


def test_named_groove_right_from_text_a_pattern_or_a_sequencer():
    text = "kick: x...x...x...x...\nsnare: ...x..x....x..x."
    assert check_named_groove(text, "dembow").correct is True
    assert check_named_groove(preset("dembow"), "dembow").correct is True

    class Sequencer:  # anything with a .pattern, as the StepSequencer widget has
        pattern = Pattern.from_text(text.replace("snare", "rimshot") + "\nhat: x.x.x.x.x.x.x.x.")

    fb = check_named_groove(Sequencer(), "dembow")
    assert fb.correct is True and "The rest of the kit is yours" in fb.message
    assert check_named_groove(preset("dembow").repeated(2), "dembow").correct is True  # every bar the same
    # a sequencer shows empty rows: the clap programmed under an empty snare row plays the part
    grid = Pattern.from_text("kick: x...x...x...x...\nsnare: ................\nclap: ...x..x....x..x.\nhat: ....")
    assert check_named_groove(grid, "dembow").correct is True
    assert check_backbeat("clap: ....x.......x...").correct is True
    assert check_named_groove(preset("boom_bap"), "boom_bap").correct is True  # its ghost snare is free
    assert check_named_groove(preset("house"), "house").correct is True


def test_named_groove_near_one_snare_missing_is_named_by_its_count():
    fb = check_named_groove("kick: x...x...x...x...\nsnare: ...x.......x..x.", "dembow")
    assert fb.correct is False
    assert fb.message == "the snare is missing on the 'and' of 2."
    assert "boom-ch-boom-chick" in fb.hint
    fb = check_named_groove("kick: x...x...x...x...\nsnare: ................", "dembow")
    assert "completes a 3-3-2 figure with the kick on 1 and 3" not in fb.hint  # the snare's count, not the figure
    fb = check_named_groove("kick: x...x...x...x...\nsnare: ...x..x....x..x.", "dembow")
    assert "a snare that completes a 3-3-2 figure with the kick on 1 and 3" in fb.message


def test_named_groove_wrong():
    fb = check_named_groove(preset("house"), "dembow")  # the clap on 2 and 4: a house backbeat, not the dembow
    assert fb.correct is False
    assert "the snare is missing on the 'a' of 1, the 'and' of 2, the 'a' of 3 and the 'and' of 4" in fb.message
    assert "also plays on beat 2 and beat 4, which are not part of it" in fb.message
    fb = check_named_groove("kick: x.......x.......\nsnare: ...x..g....x..x.", "dembow")  # a ghost is not a hit
    assert fb.correct is False and "the snare is missing on the 'and' of 2" in fb.message
    fb = check_named_groove("kick: x.......x.......\nsnare: ...x..x....x..x.", "dembow")
    assert fb.correct is False and "the kick is missing on beat 2 and beat 4" in fb.message
    fb = check_named_groove("snare: ...x..x....x..x.", "dembow")
    assert fb.correct is False and "there is no kick row" in fb.message and "add a row called 'kick'" in fb.hint
    two = Pattern.from_text("kick: x...x...x...x... | x...x...x.......\nsnare: ...x..x....x..x.")
    fb = check_named_groove(two, "dembow")
    assert fb.correct is False and "the kick changes from one bar to the next" in fb.message


def test_named_groove_unanswered_and_bad_input():
    assert check_named_groove(..., "dembow").correct is None
    fb = check_named_groove("kick x...x...", "dembow")
    assert fb.correct is False and "line 1 must be 'name: steps'" in fb.message
    with pytest.raises(ValueError, match="name must be one of dembow, boom_bap, house"):
        check_named_groove(preset("rock"), "polka")


# --------------------------------------------------------------------------- swing by ear


def test_swing_drill_deals_distinct_choices_reproducibly():
    drill = SwingDrill.new(seed=7)
    assert len(drill.swings) == 4 and len(set(drill.swings)) == 4 and set(drill.swings) <= set(SWING_CHOICES)
    assert SwingDrill.new(seed=7) == drill
    assert {SwingDrill.new(seed=s).swings for s in range(10)} != {drill.swings}
    with pytest.raises(ValueError, match="clips must be a whole number from 2 to 5"):
        SwingDrill.new(clips=6)


DRILL = SwingDrill((54, 58, 66, 62), seed=0)


def test_swing_by_ear_right_within_2_percent():
    assert check_swing_by_ear([54, 58, 66, 62], DRILL).correct is True
    assert check_swing_by_ear((55, 57.5, 65, 63), DRILL).correct is True
    assert check_swing_by_ear(["54", "58", "66", "62"], DRILL).correct is True


def test_swing_by_ear_one_notch_off_is_close_and_names_the_clip():
    fb = check_swing_by_ear([54, 58, 62, 62], DRILL)
    assert fb.correct is False
    assert fb.message.startswith("close: only one of the 4 clips is named wrong. Clip 3 swings harder than you heard")
    assert "near-triplet" in fb.message and "straight reference" in fb.hint
    assert "how soon the next 8th follows" in fb.hint  # the swung 16th is late, so the next 8th comes soon


def test_swing_by_ear_far_off_is_wrong_and_says_which_way():
    fb = check_swing_by_ear([66, 58, 50, 62], DRILL)
    assert fb.correct is False and not fb.message.startswith("close")
    assert "2 of the 4 clips are named wrong. Start with this one: clip 3" in fb.message
    assert "clip 3 swings harder than you heard" in fb.message and "dead straight" in fb.message
    fb = check_swing_by_ear([66, 66, 50, 50], DRILL)
    assert fb.message.startswith("none of the 4 clips is named right yet. Start with this one: clip 3")
    assert "extremes" in fb.hint


@pytest.mark.parametrize(("answer", "says"), [
    ([54, 58, 66], "the drill has 4 clips; you gave 3"),
    ([54, 58, 66, 80], "80 is outside it"),
    ([0.54, 0.58, 0.66, 0.62], "0.54 is outside it"),
    ([54, "lots", 66, 62], "must be a number such as 58 (got 'lots')"),
    ("54 58 66 62", "give a list of 4 numbers"),
])
def test_swing_by_ear_bad_answers_are_explained(answer, says):
    fb = check_swing_by_ear(answer, DRILL)
    assert fb.correct is False and says in fb.message


def test_swing_by_ear_fractions_are_told_to_write_percents():
    fb = check_swing_by_ear([0.54, 0.58, 0.66, 0.62], DRILL)
    assert fb.correct is False and "write percents: 54, not 0.54" in fb.hint
    fb = check_swing_by_ear([54, 58, 66, 80], DRILL)
    assert "write percents" not in fb.hint


def test_swing_by_ear_unanswered():
    assert check_swing_by_ear(..., DRILL).correct is None
    assert check_swing_by_ear([], DRILL).correct is None


# --------------------------------------------------------------------------- hats vs snare

CLASH = Pattern.from_text("""
kick:     x.......x.x.....
snare:    ....x.......x...
hat:      x.x.x.x.x.x.x.x.
open_hat: ....x.......x...
""")


def test_hats_fix_right_when_the_open_hat_moves_off_the_snare():
    fixed = CLASH.with_row("open_hat", "......x.......x.").with_row("hat", "x.x.o.x.x.x.o.x.")
    assert check_hats_leave_the_snare_room(fixed, CLASH).correct is True
    no_open = CLASH.without("open_hat").with_row("hat", "x.x.g.x.x.x.g.x.")
    assert check_hats_leave_the_snare_room(no_open, CLASH).correct is True
    # an open hat just before the snare is fine when a closed hat chokes it first
    choked = CLASH.with_row("open_hat", "..x.......x.....").with_row("hat", "x..xg.x.x..xg.x.")
    assert check_hats_leave_the_snare_room(choked, CLASH).correct is True


def test_hats_fix_right_when_only_the_open_hats_go():
    """Full closed hats on 2 and 4 are how drummers play: taking the open hats out is a fix."""
    assert check_hats_leave_the_snare_room(CLASH.without("open_hat"), CLASH).correct is True
    assert check_hats_leave_the_snare_room(CLASH.with_row("open_hat", "................"), CLASH).correct is True
    # the classic place: an "and", choked by the closed hat on the next beat (the house preset's open hat)
    assert check_hats_leave_the_snare_room(CLASH.with_row("open_hat", "..x.......x....."), CLASH).correct is True


@pytest.mark.parametrize("name", ["rock", "boom_bap", "house", "dembow"])
def test_the_presets_hats_do_not_fight_their_snare(name):
    """Every preset the lesson teaches plays a full closed hat with its snare; none of them is a clash."""
    p = preset(name)
    assert check_hats_leave_the_snare_room(p, p).correct is True


def test_hats_fix_near_one_open_hat_left():
    near = CLASH.with_row("open_hat", "......x.....x...").with_row("hat", "x.x.o.x.x.x.o.x.")
    fb = check_hats_leave_the_snare_room(near, CLASH)
    assert fb.correct is False and fb.message == "an open hat on beat 4 rings right through the snare."


def test_hats_fix_wrong_answers():
    fb = check_hats_leave_the_snare_room(CLASH, CLASH)
    assert fb.correct is False and fb.message == (
        "an open hat on beat 2 rings right through the snare; an open hat on beat 4 rings right through the snare.")
    assert "an 'and', where the closed hat on the next beat chokes it" in fb.hint
    ringing = CLASH.with_row("open_hat", "..x.......x.....").with_row("hat", "x.....x.x.....x.")
    fb = check_hats_leave_the_snare_room(ringing, CLASH)  # nothing chokes it before the snare
    assert fb.correct is False and "an open hat just before beat 2 rings right through the snare" in fb.message
    gutted = CLASH.without("open_hat").with_row("hat", "x...............")
    fb = check_hats_leave_the_snare_room(gutted, CLASH)
    assert fb.correct is False and "the hats lost their groove: only 1 of the 4" in fb.message
    moved = CLASH.without("open_hat").with_row("snare", "......x.......x.")
    fb = check_hats_leave_the_snare_room(moved, CLASH)
    assert fb.correct is False and "the snare changed" in fb.message


class _Sequencer:
    """Stands in for a StepSequencer: its steps in .pattern, its mixer in .mutes and .volumes_db."""

    def __init__(self, pattern, mutes=None, volumes_db=None):
        self.pattern, self.mutes, self.volumes_db = pattern, mutes or {}, volumes_db or {}


def test_mutes_and_row_volumes_are_named_as_not_part_of_the_pattern():
    muted = _Sequencer(CLASH, mutes={"open_hat": True})  # muting the open hat is not removing it
    fb = check_hats_leave_the_snare_room(muted, CLASH)
    assert fb.correct is False and "mutes and row volumes are for listening only" in fb.message
    assert "edit the steps" in fb.message
    quiet = _Sequencer(preset("rock"), volumes_db={"snare": -12})
    fb = check_ghost_notes(quiet)
    assert fb.correct is False and "not part of the pattern" in fb.message
    fb = check_named_groove(_Sequencer(preset("dembow"), mutes={"hat": True}), "dembow")
    assert fb.correct is True and "not part of the pattern" in fb.message
    # nothing said when the mixer is untouched, or for an unanswered sequencer
    assert "mixer" not in check_hats_leave_the_snare_room(_Sequencer(CLASH), CLASH).message
    assert "listening only" not in check_hats_leave_the_snare_room(_Sequencer(CLASH), CLASH).message
    assert "listening only" not in check_ghost_notes(...).message


def test_hats_fix_unanswered():
    assert check_hats_leave_the_snare_room(..., CLASH).correct is None


# --------------------------------------------------------------------------- ghost notes


def test_ghost_notes_right():
    fb = check_ghost_notes(preset("rock").with_row("snare", "....x..g.g..x..g"))
    assert fb.correct is True and "the 'a' of 2, the 'e' of 3 and the 'a' of 4" in fb.message


def test_ghost_notes_near_one_ghost_only():
    fb = check_ghost_notes(preset("boom_bap"))  # the preset has one ghost
    assert fb.correct is False and fb.message == "one ghost note is there yet."


def test_ghost_notes_wrong():
    fb = check_ghost_notes(preset("rock"))
    assert fb.correct is False and "no ghost notes are there yet" in fb.message
    fb = check_ghost_notes(preset("rock").with_row("snare", "....x..x.g..x..g"))
    assert fb.correct is False and "the 'a' of 2 is too loud for a ghost (MIDI 127)" in fb.message
    fb = check_ghost_notes(preset("rock").with_row("snare", "....g..g.g..x..g"))
    assert fb.correct is False and "the backbeat on beat 2 is too soft" in fb.message
    fb = check_ghost_notes(preset("rock").with_row("snare", ".......g.g..x..g"))
    assert fb.correct is False and "the backbeat on beat 2 is missing" in fb.message


def test_ghost_notes_unanswered():
    assert check_ghost_notes(...).correct is None


# --------------------------------------------------------------------------- the lesson's own check cells

CHECKS = ("setup", "exercise", "check")


def _verdicts(answers: dict) -> dict:
    ns = run_lesson("07-beats", tags=CHECKS, answers=answers)
    calls = {"snare_row": "check_backbeat(snare_row)", "my_dembow": "check_named_groove(my_dembow",
             "swing_heard": "check_swing_by_ear(swing_heard", "ghosted": "check_ghost_notes(ghosted)",
             "fixed": "check_hats_leave_the_snare_room(fixed"}
    return {name: ns["Out"][ns.cell_of(call)].correct for name, call in calls.items()}


def test_the_lessons_checks_start_unanswered():
    assert set(_verdicts({}).values()) == {None}


def test_the_lessons_checks_pass_right_answers_as_a_student_types_them():
    verdicts = _verdicts({
        "snare_row": "....x.......x...",
        "my_dembow": Expr('Pattern.from_text("kick: x...x...x...x...\\nsnare: ...x..x....x..x.")'),
        "swing_heard": Expr("list(drill.swings)"),
        "ghosted": Expr('rock.with_row("snare", "....x..g.g..x...")'),
        "fixed": Expr('clash.with_row("open_hat", "......x.......x.").with_row("hat", "x.x.o.x.x.x.o.x.")'),
    })
    assert verdicts == dict.fromkeys(verdicts, True)


def test_the_lessons_checks_refuse_wrong_answers():
    verdicts = _verdicts({
        "snare_row": "x.......x.......",
        "my_dembow": Expr("preset('house')"),
        "swing_heard": [50, 50, 50, 50],
        "ghosted": Expr("rock"),
        "fixed": Expr("clash"),
    })
    assert verdicts == dict.fromkeys(verdicts, False)
