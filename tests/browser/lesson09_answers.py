"""Lesson 09's exercises answered in the real JupyterLab, as a student answers them: wrong, near and right.

``test_lessons_seen.py`` calls :func:`answer_every_exercise` after its Run All of the lesson and its screenshots,
so the lesson runs once for both. Answers to exercises 1-3 are typed into new cells with the lesson's own check
calls, and the feedback the page shows is read back (its status and words). Exercise 4 is mixed on the lesson's
MixerDesk with the keyboard on the fader handles in the page (PageUp/PageDown move 2.5 dB, the arrows 0.5 dB),
then checked with ``check_chorus_mix(desk)`` after each stage (the flat start, the lead pushed up twice, the whole
balance), and the mix is saved with the lesson's own save cell.
Screenshots go to test-artifacts/09-mixing/answers-*.png.
"""

from __future__ import annotations

import re

from .conftest import REPO
from .page_helpers import kernel_state

ARTIFACTS = REPO / "test-artifacts" / "09-mixing"
LESSON = "09-mixing.ipynb"
CHANNELS = ("kick", "snare", "overheads", "bass", "keys", "pad", "guitar", "lead")

ANSWERS = [
    ("ex1-wrong", 'trims = {"bass": 0, "keys": -3, "lead": 3.5}\ncheck_gain_staging(trims)', "not yet", "wrong way"),
    ("ex1-near", 'trims = {"bass": 0, "keys": 3, "lead": 5.5}\ncheck_gain_staging(trims)', "not yet", "(close)"),
    ("ex1-right", 'trims = {"bass": 0, "keys": 3, "lead": 3.5}\ncheck_gain_staging(trims)', "right", "-18 dBFS"),
    ("ex2-wrong", 'pans = {"guitar": -0.7, "keys": 0.7, "lead": -0.3}\ncheck_panning(pans)', "not yet",
     "put the lead back in the centre"),
    ("ex2-near", 'pans = {"guitar": -0.6, "keys": 0.15}\ncheck_panning(pans)', "not yet", "close: the keys sit"),
    ("ex2-right", 'pans = {"guitar": -0.5, "keys": 0.5}\ncheck_panning(pans)', "right", "frame the lead"),
    ("ex3-wrong", "bass_cut = Peak(100, gain_db=-4, q=1.4)\ncheck_kick_bass_cut(bass_cut)", "not yet",
     "above the kick's thump"),
    ("ex3-near", "bass_cut = Peak(53, gain_db=-4, q=0.5)\ncheck_kick_bass_cut(bass_cut)", "not yet", "so wide"),
    ("ex3-right", "bass_cut = Peak(53, gain_db=-3, q=2)\ncheck_kick_bass_cut(bass_cut)", "right", "punches through"),
]

# The desk moves, in key presses per channel: (key, times). From the flat start (-6 dB everywhere).
NEAR_MOVES = {"lead": ("PageUp", 2)}  # lead -1 dB, then 0 dB below: the drums and the bass fall behind it
LEAD_TO_0 = {"lead": ("ArrowUp", 2)}
RIGHT_MOVES = {  # from the near state: kick -7, snare -8, overheads -3.5, bass -7, keys -11, pad -13.5, guitar -11,
    # lead -3.5
    "kick": ("ArrowDown", 2), "snare": ("ArrowDown", 4), "overheads": ("PageUp", 1), "bass": ("ArrowDown", 2),
    "keys": ("PageDown", 2), "pad": ("PageDown", 3), "guitar": ("PageDown", 2), "lead": ("ArrowDown", 7),
}
RIGHT_DB = {"kick": -7.0, "snare": -8.0, "overheads": -3.5, "bass": -7.0, "keys": -11.0, "pad": -13.5,
            "guitar": -11.0, "lead": -3.5}


def _feedback(page, run_cell_code, code, name):
    text = run_cell_code(code, timeout=120)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    cell = panel.locator(".jp-Notebook .jp-Cell", has=page.locator(".producerkit-feedback")).last
    feedback = cell.locator(".producerkit-feedback")
    assert feedback.count() == 1, f"{name}: no feedback shown ({text!r})"
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=str(ARTIFACTS / f"answers-{name}.png"))
    return feedback.get_attribute("data-status"), re.sub(r"\s+", " ", text)


def _move(page, run_cell_code, moves):
    desk = page.locator(".pk-mixer").first
    for name, (key, times) in moves.items():
        handle = desk.locator(f".pk-mixer-strip-{CHANNELS.index(name)} .pk-mixer-fader .noUi-handle")
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(times):
            page.keyboard.press(key)
    run_cell_code("desk.flush()")  # the moves are debounced: apply any still waiting


def answer_every_exercise(page, run_cell_code, assert_no_errors):
    """Answer exercises 1-3 in new cells and mix exercise 4 on the desk in the page, reading each verdict."""
    assert_no_errors()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, code, status, words in ANSWERS:
        got, text = _feedback(page, run_cell_code, code, name)
        assert got == status, f"{name}: {text}"
        assert words in text, f"{name}: {text}"

    # Exercise 4 on the desk itself, moved in the page.
    page.locator('.pk-mixer .pk-ab[data-decoded="true"]').first.wait_for(timeout=60_000)
    got, text = _feedback(page, run_cell_code, "my_mix = desk\ncheck_chorus_mix(my_mix)", "ex4-wrong-flat")
    assert got == "not yet" and "the lead sits" in text and "carve 2–4 kHz" in text, text

    _move(page, run_cell_code, NEAR_MOVES)
    assert kernel_state(run_cell_code, "desk.settings['lead'].gain_db") == "-1.0"
    got, text = _feedback(page, run_cell_code, "check_chorus_mix(desk)", "ex4-near-lead-up")
    assert got == "not yet" and "the keys, the pad and the guitar together" in text and "crowd" in text, text
    _move(page, run_cell_code, LEAD_TO_0)
    assert kernel_state(run_cell_code, "desk.settings['lead'].gain_db") == "0.0"
    got, text = _feedback(page, run_cell_code, "check_chorus_mix(desk)", "ex4-near-lead-only")
    assert got == "not yet" and "the drums and the bass are both" in text, text

    _move(page, run_cell_code, RIGHT_MOVES)
    # the desk's 0.5 dB steps add up with float rounding (-8.000000000000007): compare to the microdecibel
    settings = kernel_state(run_cell_code, "{n: round(s.gain_db, 6) for n, s in desk.settings.items()}")
    assert settings == str(RIGHT_DB), settings
    page.locator(".pk-mixer").first.scroll_into_view_if_needed()
    page.locator(".pk-mixer").first.screenshot(path=str(ARTIFACTS / "answers-ex4-desk-mixed.png"))
    got, text = _feedback(page, run_cell_code, "my_mix = desk\ncheck_chorus_mix(my_mix)", "ex4-right")
    assert got == "right" and "matches the reference balance" in text, text

    saved = run_cell_code("if is_unanswered(my_mix):\n    print('Nothing saved yet')\nelse:\n"
                          "    saved_to = MixSettings.from_mixer(lesson.chorus_mixer_of(my_mix)).save()\n"
                          "    print(f'Your mix settings are saved in {saved_to}.')\n"
                          "    if not check_chorus_mix(my_mix):\n"
                          "        print('Saved, though the checker has not passed')")
    assert "paper-lanterns-mix.json" in saved and "has not passed" not in saved, saved
    assert kernel_state(run_cell_code, "MixSettings.load().channels['pad'].gain_db") == "-13.5"
    assert_no_errors()
