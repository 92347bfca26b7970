"""EarTrainer in a real JupyterLab page (Debian's chromium through Playwright).

Checks, in the browser, what issue 13 asks of the widget: it renders with no error output; the
A/B player (ABPlayer's own engine) decodes the trial and nothing plays before Play; B − A is
hidden until the trial is answered; three trials answered by clicking the band buttons each
show the feedback in words and the open-box figure (EQ curve with its axes and units), the third
right answer in a row moves the level from 1 to 2 on the page, and the progress file on disk
holds the three answers; the level can be picked by hand; each drill shows the answer control
that fits it (band, note value or problem buttons; a dB or pan slider with Submit), and a
slider answer submitted from the page is scored and recorded. Screenshots of the trainer before
and after an answer and of each drill's control go to ``test-artifacts/ear-trainer/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .page_helpers import kernel_state

NOTEBOOK = "ear_trainer.ipynb"
PROGRESS = "ear-progress.json"
ROOT = ".pk-ear-trainer"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ear-trainer"

# The open-box figure's computed axes, from plotly's graph div.
AXES_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  if (!gd || !gd._fullLayout || !gd._fullLayout.xaxis) return null;
  const L = gd._fullLayout;
  return {x: L.xaxis.title.text, y: L.yaxis.title.text, xtype: L.xaxis.type, title: L.title.text,
          traces: gd.data.length};
}
"""


def _shot(locator, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    locator.page.mouse.move(1, 1)  # no hover: plotly's mode bar stays hidden
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(SHOTS / f"{name}.png"))


def _events(path: Path) -> list[dict]:
    return [ev for ev in json.loads(path.read_text())["events"] if ev["kind"] == "trial"]


def test_ear_trainer_answers_by_clicking_and_records_progress(
    page, lab_server, run_notebook, assert_no_errors, run_cell_code, screenshot
):
    progress = Path(lab_server.root) / PROGRESS
    progress.unlink(missing_ok=True)
    run_notebook(NOTEBOOK)
    assert_no_errors()
    page.set_viewport_size({"width": 1400, "height": 2000})  # the whole trainer fits in a screenshot
    trainer = page.locator(ROOT)
    trainer.wait_for(state="visible")
    player = trainer.locator(".pk-ab")
    trainer.locator('.pk-ab[data-decoded="true"]').wait_for(timeout=30_000)
    # Nothing plays before Play; the loudness readout and blind ABX are not part of the trainer;
    # B − A would give the answer away, so it is hidden until the answer.
    assert player.get_attribute("data-playing") == "false"
    assert kernel_state(run_cell_code, "trainer.player.playing") == "False"
    assert trainer.locator(".pk-ab-abx-toggle").is_hidden()
    assert trainer.locator(".pk-ab-match").is_hidden()
    assert trainer.locator('.pk-ab-sel[data-sel="diff"]').is_hidden()
    assert "Level 1" in trainer.locator(".pk-ear-stats").inner_text()
    assert trainer.locator(".pk-ear-choice").count() == 5  # level 1: five octave bands
    _shot(trainer, "01-frequency-before-answer")

    # Play, switch to B while playing: the trainer's player is ABPlayer's engine.
    player.locator(".pk-ab-play").click()
    trainer.locator('.pk-ab[data-playing="true"]').wait_for()
    player.locator('.pk-ab-sel[data-sel="b"]').click()
    trainer.locator('.pk-ab[data-selected="b"]').wait_for()

    for k in range(3):
        label = kernel_state(
            run_cell_code, "__import__('producerkit.widgets.ear_trainer', fromlist=['x'])._choice_label("
            "trainer.trial, trainer.trial.answer)")
        trainer.get_by_role("button", name=label, exact=True).click()
        feedback = trainer.locator(".pk-ear-feedback .pk-ear-verdict")
        feedback.wait_for(state="visible")
        text = feedback.inner_text()
        assert text.startswith("✓ Right:"), text
        assert "range" in text  # where the band sits, in a producer's words
        openbox = trainer.locator(".pk-ear-openbox .js-plotly-plot")
        openbox.wait_for(state="visible")
        page.wait_for_function(  # drawn: plotly's placeholder layout has given way to the figure's own
            f"() => {{ const a = ({AXES_JS})('{ROOT} .pk-ear-openbox .js-plotly-plot'); "
            "return a !== null && a.title.startsWith('What was done'); }")
        axes = page.evaluate(AXES_JS, f"{ROOT} .pk-ear-openbox .js-plotly-plot")
        assert axes["x"] == "frequency (Hz)" and axes["xtype"] == "log", axes
        assert axes["y"] == "EQ gain (dB)", axes
        assert axes["title"].startswith("What was done:"), axes
        assert trainer.locator('.pk-ab-sel[data-sel="diff"]').is_visible()  # now B − A may be heard
        assert len(_events(progress)) == k + 1  # on disk, after each answer
        if k == 0:
            _shot(trainer, "02-frequency-after-answer-open-box")
        if k < 2:
            trainer.locator(".pk-ear-next").click()
            page.wait_for_function(
                "() => !document.querySelector('.pk-ear-trainer').classList.contains('pk-ear-answered')")
    # The third right answer in a row: level 2, on the page and in the feedback.
    assert "up to level 2" in trainer.locator(".pk-ear-feedback").inner_text()
    page.wait_for_function("() => /Level\\s*2/.test(document.querySelector('.pk-ear-stats').innerText)")
    assert "Score 3/3" in trainer.locator(".pk-ear-stats").inner_text()
    events = _events(progress)
    assert [ev["correct"] for ev in events] == [True, True, True]
    assert [ev["level"] for ev in events] == [1, 1, 1]
    assert kernel_state(run_cell_code, "trainer.level, trainer.progress.path.name") == f"2 {PROGRESS}"

    # B − A plays the difference after the answer.
    trainer.locator('.pk-ab-sel[data-sel="diff"]').click()
    trainer.locator('.pk-ab[data-selected="diff"]').wait_for()
    player.locator(".pk-ab-play").click()  # pause
    trainer.locator('.pk-ab[data-playing="false"]').wait_for()

    # A level picked by hand: a new trial at level 6 (third-octave bands), recorded.
    trainer.locator(".pk-ear-next").click()
    trainer.locator(".pk-ear-level select").select_option("6")
    page.wait_for_function("() => /Level\\s*6/.test(document.querySelector('.pk-ear-stats').innerText)")
    page.wait_for_function("() => document.querySelectorAll('.pk-ear-trainer .pk-ear-choice').length === 28")
    assert json.loads(progress.read_text())["events"][-1]["kind"] == "set_level"
    _shot(trainer.locator(".pk-ear-answer"), "03-control-frequency-level6-third-octaves")

    # Each drill's answer control.
    expected = {"Level": "slider", "Dynamics": "slider", "Space": "buttons", "Stereo": "slider",
                "Spot the problem": "buttons"}
    for title, kind in expected.items():
        trainer.locator(".pk-ear-drill select").select_option(label=title)
        page.wait_for_function(  # a drill's first trial loads its stems: allow for a busy machine
            "(t) => document.querySelector('.pk-ear-question').innerText.includes(t + ' drill')", arg=title,
            timeout=90_000)
        answer = trainer.locator(".pk-ear-answer")
        if kind == "slider":
            answer.locator(".pk-ear-slider").wait_for(state="visible")
            assert answer.locator(".pk-ear-submit").is_visible()
        else:
            answer.locator(".pk-ear-choice").first.wait_for(state="visible")
        if title == "Dynamics":
            assert answer.get_by_text("B is compressed").is_visible()
        name = re.sub(r"\W+", "-", title.lower())
        _shot(trainer, f"04-control-{name}")
        # ... and its open box, after an answer (the right one, from the kernel)
        assert kernel_state(run_cell_code, "trainer.answer(trainer.trial.answer).verdict") == "right"
        want = kernel_state(run_cell_code, "trainer.figure.layout.title.text")
        page.wait_for_function(
            f"(want) => {{ const a = ({AXES_JS})('{ROOT} .pk-ear-openbox .js-plotly-plot'); "
            "return a !== null && a.title === want; }", arg=want)
        _shot(trainer.locator(".pk-ear-openbox"), f"06-open-box-{name}")
        trainer.locator(".pk-ear-next").click()

    # A slider answer from the page (stereo): move the handle with the keyboard, Submit, scored and recorded.
    trainer.locator(".pk-ear-drill select").select_option(label="Stereo")
    page.wait_for_function("() => document.querySelector('.pk-ear-question').innerText.includes('Stereo drill')",
                           timeout=90_000)
    before = len(_events(progress))
    trainer.locator(".pk-ear-slider .noUi-handle").focus()
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => Number(document.querySelector('.pk-ear-slider .widget-readout').innerText) > 0")
    trainer.locator(".pk-ear-submit").click()
    feedback = trainer.locator(".pk-ear-feedback .pk-ear-verdict")
    feedback.wait_for(state="visible")
    assert re.search(r"you said R\d+; it was [LRC]", feedback.inner_text(), re.IGNORECASE), feedback.inner_text()
    assert len(_events(progress)) == before + 1
    assert _events(progress)[-1]["drill"] == "stereo"
    trainer.locator(".pk-ear-openbox .js-plotly-plot").wait_for(state="visible")
    _shot(trainer, "05-stereo-after-answer-open-box")
    assert kernel_state(run_cell_code, "repr(trainer.error)") == "''"
    assert_no_errors()
    screenshot("ear_trainer_end")
