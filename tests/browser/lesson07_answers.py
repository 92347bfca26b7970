"""Lesson 07's exercises answered in the real JupyterLab, as a student types them: wrong, near and right.

``test_lessons_seen.py`` calls :func:`answer_every_exercise` after its Run All of the lesson and its screenshots,
so the lesson runs once for both. Each answer is typed into a new cell with the lesson's own check call, and the
feedback the page shows is read back (its status and words). A sequencer answer is made the way a student makes
it, by setting the sequencer's steps and its mixer from the kernel (clicks are covered by test_step_sequencer.py).
Screenshots of every verdict go to test-artifacts/07-beats/answers-*.png.
"""

from __future__ import annotations

import re

from .conftest import REPO

ARTIFACTS = REPO / "test-artifacts" / "07-beats"
LESSON = "07-beats.ipynb"

# (name, code the student types, status the page must show, words the feedback must hold)
ANSWERS = [
    ("ex1-wrong", 'snare_row = "x.......x......."\ncheck_backbeat(snare_row)', "not yet", "on 1 and 3"),
    ("ex1-near", 'snare_row = ".....x.......x.."\ncheck_backbeat(snare_row)', "not yet", "close:"),
    ("ex1-pattern", "snare_row = rock\ncheck_backbeat(snare_row)", "not yet", "whole pattern"),
    ("ex1-right", 'snare_row = "....x.......x..."\ncheck_backbeat(snare_row)', "right", "2 and 4"),
    ("ex2-wrong", 'my_dembow = preset("house")\ncheck_named_groove(my_dembow, "dembow")', "not yet",
     "the snare is missing"),
    ("ex2-near", 'my_dembow = Pattern.from_text("kick: x...x...x...x...\\nsnare: ...x.......x..x.")\n'
     'check_named_groove(my_dembow, "dembow")', "not yet", "the 'and' of 2"),
    ("ex2-right-seq", 'dembow_seq.pattern = Pattern.from_text("kick: x...x...x...x...\\nsnare: ...x..x....x..x.\\n'
     'clap: ................\\nhat: ................\\nopen_hat: ................")\n'
     'my_dembow = dembow_seq.pattern\ncheck_named_groove(my_dembow, "dembow")', "right", "3-3-2"),
    ("ex3-fractions", "swing_heard = [0.5, 0.58, 0.62, 0.66]\ncheck_swing_by_ear(swing_heard, drill)", "not yet",
     "not 0.5"),
    ("ex3-near", "swing_heard = [s + 4 if s < 66 else 62 for s in drill.swings]\n"
     "check_swing_by_ear(swing_heard, drill)", "not yet", "close:"),
    ("ex3-right", "swing_heard = list(drill.swings)\ncheck_swing_by_ear(swing_heard, drill)", "right", "every clip"),
    ("ex4-wrong", 'ghosted = rock.with_row("snare", "....x..x.x..x...")\ncheck_ghost_notes(ghosted)', "not yet",
     "too loud for a ghost"),
    ("ex4-near", 'ghosted = rock.with_row("snare", "....x..g....x...")\ncheck_ghost_notes(ghosted)', "not yet",
     "one ghost note"),
    ("ex4-right-o", 'ghosted = rock.with_row("snare", "....o..g.g..o...")\ncheck_ghost_notes(ghosted)', "right",
     "ghosts on"),
    ("ex5-muted", 'fix_seq.update(mutes={"open_hat": True})\nfixed = fix_seq\n'
     "check_hats_leave_the_snare_room(fixed, clash)", "not yet", "not part of the pattern"),
    ("ex5-near", 'fixed = clash.with_row("open_hat", "......x.....x...")\n'
     "check_hats_leave_the_snare_room(fixed, clash)", "not yet", "beat 4 rings right through"),
    ("ex5-right-remove", 'fixed = clash.without("open_hat")\ncheck_hats_leave_the_snare_room(fixed, clash)',
     "right", "cuts through"),
    ("ex5-right-and", 'fixed = clash.with_row("open_hat", "..x.......x.....")\n'
     "check_hats_leave_the_snare_room(fixed, clash)", "right", "cuts through"),
]


def answer_every_exercise(page, run_cell_code, assert_no_errors):
    """Type each answer after the lesson has run, and read the verdict the page shows."""
    assert_no_errors()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    for name, code, status, words in ANSWERS:
        text = run_cell_code(code, timeout=60)
        # Shift+Enter leaves a blank cell at the end: the answer's cell is the last one with feedback
        cell = panel.locator(".jp-Notebook .jp-Cell", has=page.locator(".producerkit-feedback")).last
        feedback = cell.locator(".producerkit-feedback")
        assert feedback.count() == 1, f"{name}: no feedback shown ({text!r})"
        assert feedback.get_attribute("data-status") == status, f"{name}: {text}"
        assert code.splitlines()[0] in cell.locator(".cm-content").inner_text(), f"{name}: read the wrong cell"
        assert words in re.sub(r"\s+", " ", text), f"{name}: {text}"
        cell.scroll_into_view_if_needed()
        cell.screenshot(path=str(ARTIFACTS / f"answers-{name}.png"))
    # the lesson's own check cell, run again with a fix: B of the clash player takes it, without an error
    run_cell_code('fixed = clash.without("open_hat")\nif isinstance(fixed, Pattern):\n'
                  "    clash_player.set_audio(b=render(fixed, kit, bpm=100, bars=2))\n"
                  "check_hats_leave_the_snare_room(fixed, clash)")
    assert_no_errors()
