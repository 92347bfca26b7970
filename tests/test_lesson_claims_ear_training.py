"""What course/05-ear-training.ipynb (and the drills at the end of 01 and 02) say, proved with the lessons' own cells.

The lesson's cells are run by tests/lesson_cells.py, so the trials, the staircase and the progress file
tested are the ones a student meets. References: the drills' ladders in producerkit.training (issue 13);
the 3-down/1-up staircase of H. Levitt, "Transformed up-down methods in psychoacoustics", JASA 49 (1971),
which converges on the 79.4 % point (p**3 = 0.5); loudness per ITU-R BS.1770 (producerkit.meters).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from producerkit import training
from producerkit.checks import ear_training as cet
from producerkit.meters import integrated_loudness

from .lesson_cells import code_cells, markdown, markdown_cells, notebook, run_cells, run_lesson

LESSON = "05-ear-training"


@pytest.fixture(scope="module")
def lesson():
    return run_lesson(LESSON)


def _text(lesson_name: str = LESSON) -> str:
    return " ".join(re.sub(r"(?m)^> ?", "", markdown(lesson_name)).split())  # one line: claims may wrap, even quoted


def _before(marker: str) -> str:
    """The markdown a student reads before the first cell whose source contains ``marker``."""
    out = []
    for cell in notebook(LESSON)["cells"]:
        source = "".join(cell["source"])
        if marker in source:
            return " ".join("\n".join(out).split())
        if cell["cell_type"] == "markdown":
            out.append(source)
    raise AssertionError(f"no cell contains {marker!r}")


# --------------------------------------------------------------------------- the drills' ladders, as told


def test_the_frequency_ladder_is_as_the_trainer_section_says():
    text = _text()
    assert ("Level 1 boosts one of five bands two octaves apart (63 Hz, 250 Hz, 1 kHz, 4 kHz, 16 kHz) by 12 dB, on "
            "pink noise") in text
    assert training.OCTAVE_BANDS_5 == (63.0, 250.0, 1000.0, 4000.0, 16000.0)
    assert ("From level 2 the song's mix plays, from level 3 there are ten octave bands, and from level 6 there are "
            "third-octave bands, with smaller boosts. From level 7 some of the changes are cuts") in text
    assert "Level 10 is a 3 dB change" in text
    d = training.drill("frequency")
    assert d.value(1) == 12 and d.setting(1) == {"bands": "octave5", "cuts": False, "material": "pink"}
    assert d.setting(2)["material"] == "mix" and d.setting(2)["bands"] == "octave5"
    assert [d.setting(lv)["bands"] for lv in (3, 5, 6)] == ["octave10", "octave10", "third"]
    assert d.value(6) < d.value(5) and not d.setting(6)["cuts"] and d.setting(7)["cuts"]
    assert d.value(10) == 3


def test_the_other_ladders_are_as_the_text_says():
    text = _text()
    assert "The step is 3 dB at level 1 and 0.4 dB at level 10" in text
    assert (training.drill("level").value(1), training.drill("level").value(10)) == (3.0, 0.4)
    assert "It takes 12 dB off the peaks at level 1 and 1.5 dB at level 10" in text
    assert (training.drill("dynamics").value(1), training.drill("dynamics").value(10)) == (12.0, 1.5)
    assert ("twice the shorter at level 1 and only 7 % longer at level 10 (the published just-noticeable difference "
            "is about 5 % in rooms, and often larger on music)") in text
    assert training.drill("space").value(1) == 100 and training.drill("space").value(10) == 7
    assert training.drill("space").published_range == (5.0, 5.0)
    assert ("within 35 % of one side counts as right, at level 10 within 7 %, on B's side (the centre or the other "
            "side is always wrong); from level 6 the sound plays") in text
    assert "at least 10 % from the centre" in text and training.MIN_PAN == 10.0
    stereo = training.drill("stereo")
    assert (stereo.value(1), stereo.value(10)) == (35.0, 7.0)
    assert stereo.setting(5)["context"] == "solo" and stereo.setting(6)["context"] == "mix"
    assert "Up to level 5 you hear the instrument alone; from level 6 it plays in the mix" in text
    problem = training.drill("problem")
    assert problem.setting(5)["context"] == "solo" and problem.setting(6)["context"] == "mix"
    assert "most trained listeners hear 0.5–1 dB" in training.drill("level").published


def test_the_problem_table_names_every_problem_kind():
    text = markdown(LESSON)
    for kind in training.PROBLEM_KINDS:
        assert re.search(rf"^\| {re.escape(kind)} \|", text, flags=re.M), kind


def test_the_staircase_is_told_as_levitt_has_it():
    text = _text()
    assert "Three right in a row make it one level harder; one wrong makes it one level easier." in text
    assert "(0.794 × 0.794 × 0.794 = 0.5)" in text and 0.794**3 == pytest.approx(0.5, abs=0.001)
    stairs = training.Staircase()
    for _ in range(3):
        stairs.update(True)
    assert stairs.level == 2
    stairs.update(False)
    assert stairs.level == 1 and stairs.reversals == [2]
    assert "the mean step at the last 6 reversals" in text
    assert training.Staircase.REVERSALS_FOR_THRESHOLD == 6


# --------------------------------------------------------------------------- the exercises as heard


def test_exercise_players_play_the_fixed_trials_at_the_same_loudness(lesson):
    for name in ("band_trial", "squash_trial"):
        trial = lesson[name]
        a, b = integrated_loudness(trial.reference, trial.sr), integrated_loudness(trial.processed, trial.sr)
        assert abs(a - b) <= 0.1, (name, a, b)  # "Both play at the same loudness"
    assert lesson["band_trial"].details["gain_db"] == 9.0  # "one octave band is boosted by 9 dB"
    assert lesson["band_trial"].details["band_set"] == "octave10"  # "The bands are an octave apart"


def test_the_bars_the_text_names_are_the_trials_bars(lesson):
    text = _text()
    assert "Two bars of the song's mix (bars 7–8, the end of verse 1)" in text
    assert lesson["band_trial"].material == "the mix, bars 7-8"
    assert "Two bars of the drums (bars 11–12, the start of chorus 1)" in text
    assert lesson["squash_trial"].material == "the drums, bars 11-12"
    assert "Two bars of the snare (bars 11–12)" in text
    assert lesson["echo_trial"].material.startswith("the snare, bars 11-12")


def test_the_delay_times_in_the_text_are_the_note_values_at_100_bpm():
    from producerkit.space import note_seconds

    text = _text()
    assert "At 100 BPM a beat lasts 600 ms" in text
    for note, ms in (("1/4", 600), ("1/8", 300), ("1/8t", 200), ("1/8d", 450)):
        assert note_seconds(note, 100) * 1000 == pytest.approx(ms)
        assert f"{ms} ms" in text


def test_no_exercise_is_given_away_before_it_is_asked(lesson):
    band = _before("band = ...")
    assert not re.search(r"(?<![\d.])4\s*kHz|4000", band)
    squash = _before("compressed = ...")
    assert not re.search(r"\bA is (the )?compressed|10 dB", squash)
    sam = _before("sam_threshold = ...")
    assert "1.15" not in sam and "1.1 dB" not in sam and "1.2 dB" not in sam
    assert "0.96" not in sam  # Sam's true threshold comes after the exercise
    code = "\n".join(c.source for c in code_cells(LESSON) if c.index < lesson.cell_of("echo = ..."))
    assert ".answer)" not in code.replace("score(band_trial, band).answer)", "").replace(
        "score(squash_trial, compressed).answer)", "")  # no cell prints a trial's answer
    assert ".details" not in code and "threshold(" not in code.split("sam_threshold = ...")[0]


def test_the_open_box_figures_come_after_their_checks(lesson):
    for figure, check in (("trial_figure(band_trial", "check_boosted_band(band)"),
                          ("trial_figure(squash_trial", "check_compressed(compressed)"),
                          ("trial_figure(echo_trial", "check_delay_note(echo)")):
        assert lesson.cell_of(figure) > lesson.cell_of(check)


def test_sam_threshold_cell_says_what_the_text_says(lesson):
    ns, _ = run_cells(LESSON, ["sam-threshold"], dict(lesson))
    threshold = ns["threshold"]
    assert threshold.reversals == 8 and threshold.value == pytest.approx(1.15)
    text = _text()
    assert "After 40 trials the staircase is within about 20 % of it; more trials bring it closer." in text
    assert len(cet.sam_answers()) == 40
    assert 0.15 <= threshold.value / cet.sam_true_threshold() - 1 <= 0.25


# --------------------------------------------------------------------------- progress: where it lives, and carrying it


def test_the_tests_never_touch_the_real_progress_file():
    path = training.progress_path()
    assert os.environ.get(training.PROGRESS_ENV) and not path.is_relative_to(Path.home() / ".producerkit")


def test_running_the_lesson_records_nothing(tmp_path, monkeypatch):
    """Run All (nbval, a student who only reads) answers nothing: no event is written to the progress file."""
    target = tmp_path / "p.json"
    monkeypatch.setenv(training.PROGRESS_ENV, str(target))
    ns = run_lesson(LESSON, tags=None, cache=False)
    assert str(ns["progress"].path) == str(target)
    assert not target.exists() or training.Progress(target).read()["events"] == []


def test_where_progress_lives_is_as_the_text_says(monkeypatch):
    text = _text()
    assert "`~/.producerkit/progress.json`" in text and f"`{training.PROGRESS_ENV}`" in text
    monkeypatch.delenv(training.PROGRESS_ENV, raising=False)
    assert training.progress_path() == Path.home() / ".producerkit" / "progress.json"
    assert "deleted after about 10 minutes without activity" in text


def _snippets(lesson_name: str) -> list[str]:
    return [m for cell in markdown_cells(lesson_name) for m in re.findall(r"```python\n(.*?)```", cell, flags=re.S)]


def test_the_binder_export_and_import_calls_shown_work(tmp_path, monkeypatch):
    export, imp = _snippets(LESSON)
    assert "export_progress(" in export and "import_progress(" in imp
    monkeypatch.chdir(tmp_path)
    laptop, binder = tmp_path / "laptop.json", tmp_path / "binder.json"
    monkeypatch.setenv(training.PROGRESS_ENV, str(binder))
    trainer = training.Trainer("level", seed=3)
    for _ in range(4):
        trainer.next_trial()
        trainer.answer("B")
    exec(export, {})  # noqa: S102 - the lesson's own snippet, as a student runs it on Binder
    exported = json.loads((tmp_path / "my-ear-training.json").read_text(encoding="utf-8"))
    assert len(exported["events"]) == 4
    monkeypatch.setenv(training.PROGRESS_ENV, str(laptop))
    exec(imp, {})  # noqa: S102 - and next time, on the laptop
    exec(imp, {})  # noqa: S102 - twice: nothing is counted twice
    assert training.Progress(laptop).summary()["level"]["trials"] == 4


def test_the_terminal_commands_shown_work(tmp_path):
    text = _text()
    export = "producerkit progress export my-ear-training.json"
    imp = "producerkit progress import my-ear-training.json"
    assert f"`{export}`" in text and f"`{imp}`" in text
    env = {**os.environ, training.PROGRESS_ENV: str(tmp_path / "binder.json")}
    binder = training.Progress(tmp_path / "binder.json")
    binder.record(binder.level_event("level", 4))
    for command, progress in ((export, "binder.json"), (imp, "laptop.json")):
        env[training.PROGRESS_ENV] = str(tmp_path / progress)
        proc = subprocess.run([str(Path(sys.executable).parent / "producerkit"), *command.split()[1:]], cwd=tmp_path,
                              env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    assert training.Progress(tmp_path / "laptop.json").summary()["level"]["level"] == 4


# --------------------------------------------------------------------------- the drills at the end of 01 and 02


@pytest.mark.parametrize("lesson_name, drill", [("01-eq", "frequency"), ("02-compression", "dynamics")])
def test_eq_and_compression_end_with_a_drill_that_points_to_lesson_05(lesson_name, drill):
    cells = notebook(lesson_name)["cells"]
    sources = ["".join(c["source"]) for c in cells]
    trainer = next(i for i, s in enumerate(sources) if f'EarTrainer("{drill}")' in s)
    daw = next(i for i, s in enumerate(sources) if s.startswith("## In your DAW"))
    assert trainer < daw and cells[trainer]["cell_type"] == "code" and "widget" in cells[trainer]["metadata"]["tags"]
    intro = sources[trainer - 1]
    assert cells[trainer - 1]["cell_type"] == "markdown" and intro.startswith("## ")
    assert "(05-ear-training.ipynb)" in intro
    first = training.drill(drill)
    if drill == "frequency":
        assert "+12 dB on pink noise, one of five bands" in " ".join(intro.split())
        assert first.value(1) == 12 and first.setting(1) == {"bands": "octave5", "cuts": False, "material": "pink"}
    else:
        assert "It starts with 12 dB of gain reduction" in " ".join(intro.split())
        assert first.value(1) == 12


def test_the_staircase_figure_labels_the_reversals_the_exercise_reads(lesson):
    fig = run_cells(LESSON, ["sam-figure"], dict(lesson))[1]
    reversals = next(t for t in fig.data if t.name == "reversal")
    steps = [float(label.split()[0]) for label in reversals.text]
    assert len(steps) == 8 and sum(steps[-6:]) / 6 == pytest.approx(1.15)
    assert cet.check_threshold(sum(steps[-6:]) / 6)
    levels = next(t for t in fig.data if t.name == "level").y
    assert levels[0] == 1 and len(levels) == 40  # "40 trials, from level 1"
    wrong = next(t for t in fig.data if t.name == "wrong")
    assert len(wrong.x) == cet.sam_answers().count(False)
