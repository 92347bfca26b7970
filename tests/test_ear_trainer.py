"""EarTrainer (issue 13): the answer flow, levels, the progress file, and bad input shown in the widget.

The widget is driven as a student drives it (buttons clicked, a slider moved and Submit pressed)
and through its Python API; every answer must land in the progress file, the staircase must move
the level, an unreadable or invalid input must show its message and change nothing, and no action
may raise into the notebook. The open-box and progress figures are checked for their axes and units.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from producerkit import plots, training
from producerkit.widgets import ABPlayer, EarTrainer
from producerkit.widgets.ear_trainer import _choice_label

SECONDS = 2.0


def _trainer(tmp_path, drill="frequency", **kwargs):
    kwargs.setdefault("seed", 11)
    kwargs.setdefault("seconds", SECONDS)
    return EarTrainer(drill, path=tmp_path / "progress.json", **kwargs)


def _trial_events(tmp_path):
    data = json.loads((tmp_path / "progress.json").read_text())
    return [ev for ev in data["events"] if ev["kind"] == "trial"]


def _button(trainer, label):
    matches = [b for b in trainer._buttons if b.description == label]
    assert len(matches) == 1, [b.description for b in trainer._buttons]
    return matches[0]


def _right_button(trainer):
    return _button(trainer, _choice_label(trainer.trial, trainer.trial.answer))


def _wrong_choice(trial):
    return next(c for c in trial.choices if c != trial.answer and (trial.drill != "frequency" or abs(
        np.log2(c / trial.answer)) > 1.5))


def test_the_player_is_abplayer_with_the_trial_and_nothing_playing(tmp_path):
    trainer = _trainer(tmp_path)
    assert isinstance(trainer.player, ABPlayer)
    assert str(trainer.player._esm) == str(ABPlayer._esm)  # the same Web Audio engine, not a copy
    assert trainer.player.playing is False
    assert trainer.player.match_loudness is False  # the trial is matched already (the level drill must not be)
    assert trainer.player.loudness_a is None and trainer.player.loudness_b is None  # no readout gives it away
    assert trainer.player.duration == pytest.approx(SECONDS, abs=1e-3)
    assert len(trainer.player.audio_a) == 44 + 2 * 2 * trainer.trial.reference.shape[1]
    assert "pk-ear-answered" not in trainer._dom_classes  # B − A hidden until the answer
    assert ".pk-ear-trainer:not(.pk-ear-answered) .pk-ab-sel[data-sel=\"diff\"]" in str(trainer.player._css)


def test_answer_by_button_scores_records_and_opens_the_box(tmp_path):
    trainer = _trainer(tmp_path)
    trial = trainer.trial
    assert [b.description for b in trainer._buttons] == ["63", "250", "1k", "4k", "16k"]
    _right_button(trainer).click()
    assert trainer.error == ""
    assert trainer.feedback.startswith("Right: ")
    assert "range" in trainer.feedback
    assert trainer.last_score.verdict == "right"
    assert trainer.score == 1 and trainer.answered == 1 and trainer.streak == 1
    events = _trial_events(tmp_path)
    assert len(events) == 1
    assert events[0]["correct"] is True and events[0]["drill"] == "frequency"
    assert events[0]["truth"] == trial.answer
    # the open box: what was done, with its axes and units, and B − A allowed now
    fig = trainer.figure
    assert fig.layout.title.text.startswith("What was done: a +12.0 dB boost at ")
    assert fig.layout.xaxis.title.text == "frequency (Hz)" and fig.layout.xaxis.type == "log"
    assert fig.layout.yaxis.title.text == "EQ gain (dB)"
    assert "pk-ear-answered" in trainer._dom_classes
    assert all(b.disabled for b in trainer._buttons)  # one answer per trial
    trainer.player.selected = "diff"
    assert trainer.player.selected == "diff"


def test_three_right_go_up_a_level_one_wrong_comes_back(tmp_path):
    trainer = _trainer(tmp_path)
    for k in range(3):
        _right_button(trainer).click()
        if k < 2:
            assert "more right for the next level" in trainer.feedback
            trainer._next.click()
    assert trainer.level == 2
    assert "Three right in a row: up to level 2." in trainer.feedback
    assert trainer._level_box.value == 2
    assert "Level <b>2</b>" in trainer._stats.value
    trainer._next.click()
    assert trainer.trial.level == 2
    _button(trainer, _choice_label(trainer.trial, _wrong_choice(trainer.trial))).click()
    assert trainer.level == 1
    assert trainer.last_score.verdict == "wrong"
    assert trainer.feedback.startswith("You said ")
    assert "Back to level 1" in trainer.feedback
    assert [ev["correct"] for ev in _trial_events(tmp_path)] == [True, True, True, False]
    # the progress survives: a new trainer on the same file continues at level 1, with the staircase's history
    again = _trainer(tmp_path, seed=12)
    assert again.level == 1
    assert again.progress.staircase("frequency").trials == 4


def test_level_picked_by_hand_is_recorded_and_makes_a_new_trial(tmp_path):
    trainer = _trainer(tmp_path)
    first = trainer.trial
    trainer._level_box.value = 6  # the dropdown, as a student picks it
    assert trainer.level == 6 and trainer.trial is not first and trainer.trial.level == 6
    assert len(trainer._buttons) == len(training.THIRD_OCTAVE_BANDS)
    events = json.loads((tmp_path / "progress.json").read_text())["events"]
    assert events[-1]["kind"] == "set_level" and events[-1]["level"] == 6
    trainer.level = 3
    assert trainer.level == 3 and trainer._level_box.value == 3
    assert EarTrainer("frequency", path=tmp_path / "progress.json", seed=1, seconds=SECONDS).level == 3


def test_bad_values_show_a_message_and_keep_the_last_good_state(tmp_path):
    trainer = _trainer(tmp_path)
    trial = trainer.trial
    for bad in (11, 0, 2.5, "3", None, True):
        assert trainer.update(level=bad) is False
        assert "level must be a whole number from 1 (easiest) to 10 (hardest)" in trainer.error
        assert trainer.level == 1 and trainer.trial is trial
    trainer.level = 42
    assert "got 42" in trainer.error and trainer.level == 1
    assert trainer.update(drill="pitch") is False and "drill must be one of" in trainer.error
    assert trainer.drill == "frequency" and trainer.trial is trial
    assert trainer.update(tempo=3) is False and "no parameter 'tempo'" in trainer.error
    # an answer that cannot be read: said in the widget, nothing recorded, the trial stays open
    for typed in ("xyz", "", float("nan"), 10**400, [1, 2, 3], object()):
        result = trainer.answer(typed)
        assert result is not None and result.correct is None
        assert trainer.error and trainer.trial is trial
    assert not (tmp_path / "progress.json").exists() or _trial_events(tmp_path) == []
    # a good answer clears the message; a second answer to the same trial is refused with a hint
    assert trainer.answer(trial.answer).verdict == "right"
    assert trainer.error == ""
    assert trainer.answer(trial.answer) is None
    assert "answered already" in trainer.error and len(_trial_events(tmp_path)) == 1
    assert trainer.next_trial() is True and trainer.error == ""


def test_b_minus_a_waits_for_the_answer(tmp_path):
    trainer = _trainer(tmp_path)
    trainer.player.selected = "diff"  # a page trying B − A before answering
    assert trainer.player.selected == "a"
    trainer.answer(trainer.trial.answer)
    trainer.player.selected = "diff"
    assert trainer.player.selected == "diff"
    trainer.next_trial()
    assert trainer.player.selected == "a"
    assert "pk-ear-answered" not in trainer._dom_classes


@pytest.mark.parametrize("drill", training.DRILLS)
def test_each_drill_answers_through_its_own_control(tmp_path, drill):
    trainer = _trainer(tmp_path, drill)
    trial = trainer.trial
    if drill in ("level", "stereo", "dynamics"):
        assert trainer._buttons == [] and trainer._slider is not None
        assert trainer._slider.min == trial.answer_range[0] if trial.answer_range else True
        if drill == "level":
            trainer._slider.value = 0.0
            trainer._submit.click()
            assert "equally loud" in trainer.error and trainer.trial is trial  # 0 dB is no answer
            trainer._slider.value = float(trial.answer)
        elif drill == "stereo":
            trainer._slider.value = float(trial.answer)
        else:
            trainer._submit.click()
            assert "Pick the compressed version first" in trainer.error and trainer.trial is trial
            trainer._side.value = trial.answer
            trainer._slider.value = round(2 * trial.details["peak_gain_reduction_db"]) / 2
        trainer._submit.click()
    else:
        assert trainer._slider is None or trainer._slider not in trainer._answer_box.children
        labels = [b.description for b in trainer._buttons]
        assert labels == [_choice_label(trial, c) for c in trial.choices]
        if drill == "space" and trial.details["question"] == "delay":
            assert labels == ["1/4", "1/8", "dotted 1/8", "1/8 triplet"]
        _right_button(trainer).click()
    assert trainer.error == "", trainer.error
    assert trainer.last_score.verdict == "right", trainer.feedback
    assert trainer.figure is not None and trainer.figure.layout.title.text.startswith("What was done")
    assert _trial_events(tmp_path)[-1]["drill"] == drill
    assert trainer.next_trial()  # and the next one is ready, with its control reset
    assert not any(b.disabled for b in trainer._buttons)
    if trainer._slider is not None and drill in ("level", "stereo"):
        assert trainer._slider.value == 0.0 and not trainer._slider.disabled


def test_switching_drill_keeps_the_file_and_redraws_the_progress(tmp_path):
    trainer = _trainer(tmp_path)
    trainer.answer(trainer.trial.answer)
    trainer._drill_box.value = "level"
    assert trainer.drill == "level" and trainer.trial.drill == "level"
    assert trainer.progress_figure.layout.title.text.startswith("Level: your threshold")
    assert trainer.progress_figure.layout.yaxis.title.text == "threshold (dB)"
    assert trainer.answered == 0  # a new drill's session count
    assert "pk-ear-answered" not in trainer._dom_classes


def test_same_seed_same_trials(tmp_path):
    a = _trainer(tmp_path / "a", seed=99)
    b = _trainer(tmp_path / "b", seed=99)
    for _ in range(3):
        assert a.trial.answer == b.trial.answer
        np.testing.assert_array_equal(a.trial.processed, b.trial.processed)
        a.next_trial()
        b.next_trial()


def test_a_damaged_progress_file_is_moved_aside_and_training_goes_on(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("{ this is not json")
    trainer = EarTrainer("frequency", path=path, seed=1, seconds=SECONDS)
    assert "moved aside to" in trainer._notice_line.value
    backups = list(tmp_path.glob("progress.corrupt-*.json"))
    assert len(backups) == 1 and backups[0].read_text() == "{ this is not json"
    assert trainer.answer(trainer.trial.answer).correct is True
    assert len(_trial_events(tmp_path)) == 1


def test_a_progress_file_that_cannot_be_written_shows_a_message(tmp_path, monkeypatch):
    trainer = _trainer(tmp_path)
    trial = trainer.trial

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(training, "write_atomic", refuse)
    assert trainer.answer(trial.answer) is None  # no exception reaches the notebook
    assert "could not use the progress file" in trainer.error and "Permission denied" in trainer.error
    assert trainer.answered == 0 and trainer.trial is trial  # nothing counted that was not saved
    monkeypatch.undo()
    assert trainer.answer(trial.answer).correct is True and trainer.error == ""


def test_a_bug_in_an_action_is_shown_not_raised(tmp_path, monkeypatch):
    trainer = _trainer(tmp_path)
    monkeypatch.setattr(training, "make_trial", lambda *a, **k: 1 / 0)
    assert trainer.next_trial() is False
    assert trainer.error.startswith("Unexpected ZeroDivisionError")


def test_constructor_errors_are_clear(tmp_path):
    with pytest.raises(training.ParameterError, match="drill must be one of"):
        EarTrainer("pitch", path=tmp_path / "p.json")
    with pytest.raises(training.ParameterError, match="level must be a whole number"):
        EarTrainer("level", level=12, path=tmp_path / "p.json")
    with pytest.raises(training.ParameterError, match="seconds must be a number from 1 to 30"):
        EarTrainer("level", seconds=0.1, path=tmp_path / "p.json")


def test_default_call_from_the_lesson(tmp_path, monkeypatch):
    monkeypatch.setenv(training.PROGRESS_ENV, str(tmp_path / "env" / "progress.json"))
    trainer = EarTrainer("frequency")
    assert trainer.progress.path == tmp_path / "env" / "progress.json"
    assert trainer.trial.drill == "frequency" and trainer.level == 1
    assert "EarTrainer('frequency': level 1" in repr(trainer)


# --------------------------------------------------------------------------- the figures


@pytest.mark.parametrize("drill,seed", [("frequency", 1), ("level", 1), ("dynamics", 1), ("space", 1), ("space", 2),
                                        ("stereo", 1), ("problem", 1), ("problem", 2), ("problem", 3), ("problem", 5),
                                        ("problem", 6), ("problem", 8)])
def test_trial_figure_shows_what_was_done_with_units(drill, seed):
    trial = training.make_trial(drill, 3, seed, seconds=SECONDS)
    result = training.score(trial, trial.answer)
    fig = plots.trial_figure(trial, said=result.answer)
    assert fig.layout.title.text.startswith("What was done: ")
    titles = [fig.layout.xaxis.title.text, fig.layout.yaxis.title.text]
    if drill == "stereo":
        assert "pan position" in titles[0]
    else:
        layout = fig.layout.to_plotly_json()
        axes_text = " ".join(str(ax.get("title", {}).get("text", "")) for key, ax in layout.items()
                             if key.startswith(("xaxis", "yaxis")) and ax.get("visible", True))
        assert "(" in axes_text and ")" in axes_text, axes_text  # every axis says its unit


def test_trial_figure_refuses_what_is_not_a_trial():
    with pytest.raises(training.ParameterError, match="takes a Trial"):
        plots.trial_figure("frequency")


def test_progress_figure_threshold_against_sessions(tmp_path):
    progress = training.Progress(tmp_path / "p.json")
    trial = training.make_trial("level", 1, 0, seconds=SECONDS)
    rng = np.random.default_rng(0)
    events = []
    for k in range(40):
        result = training.score(trial, trial.answer if rng.random() < 0.7 else -trial.answer)
        ev = progress.trial_event(trial, result, trial.answer)
        ev["session"] = f"s{k // 10}"
        events.append(ev)
    progress.record(*events)
    history = progress.history("level")
    fig = plots.progress_figure(history, "level")
    assert len(fig.data[1].x) == len(history) == 4
    assert fig.layout.xaxis.title.text == "training session"
    assert fig.layout.yaxis.title.text == "threshold (dB)"
    assert any(s.y0 == 0.5 and s.y1 == 1.0 for s in fig.layout.shapes)  # the published 0.5-1 dB range


# --------------------------------------------------------------------------- walkthrough fixes (session 3)


def test_stereo_centre_is_no_answer_and_says_b_is_always_panned(tmp_path):
    trainer = _trainer(tmp_path, "stereo")
    trial = trainer.trial
    trainer._slider.value = 0.0
    trainer._submit.click()
    assert "always panned" in trainer.error and trainer.trial is trial and not _trial_events_or_none(tmp_path)
    assert "always panned" in trainer._hint.value


def _trial_events_or_none(tmp_path):
    return _trial_events(tmp_path) if (tmp_path / "progress.json").exists() else []


def test_a_delay_answer_says_it_does_not_move_the_level(tmp_path):
    trainer = _trainer(tmp_path, "space")
    for _ in range(30):
        if trainer.trial.details["question"] == "delay":
            break
        _right_button(trainer).click()
        trainer.next_trial()
    assert trainer.trial.details["question"] == "delay"
    level = trainer.level
    _right_button(trainer).click()
    assert trainer.level == level and "do not move your level" in trainer.feedback


def test_level_words_name_the_band_spacing_and_the_problem_severity(tmp_path):
    assert "five bands, two octaves apart" in _trainer(tmp_path, "frequency", level=1)._question.value
    problem = _trainer(tmp_path, "problem", level=10)._question.value
    assert "severity 3" in problem and "3 dB" not in problem


def test_level_figure_colours_what_you_said_by_its_verdict_and_uses_markers():
    trial = training.make_trial("level", 1, 0, seconds=SECONDS)
    step, louder = abs(trial.answer), trial.details["louder"]
    other = "A" if louder == "B" else "B"

    def said_color(said):
        fig = plots.trial_figure(trial, said=said)
        note = next(a for a in fig.layout.annotations if a.text.startswith("you said"))
        return note.font.color, fig

    right, fig = said_color((louder, step))
    assert right == "#1b5e20" and said_color((louder, None))[0] == "#1b5e20"
    assert said_color((louder, step + 3))[0] == "#8a5a00" and said_color((other, step))[0] == "#b00020"
    assert fig.data[0].type == "scatter" and "markers" in fig.data[0].mode  # no bars from an arbitrary floor


def test_progress_figure_draws_a_goal_as_a_goal(tmp_path):
    fig = plots.progress_figure([], "dynamics")
    texts = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("course goal: 1–2 dB") for t in texts) and not any("published" in t for t in texts)
    assert any(t.startswith("published: 0.5–1 dB") for t in (a.text for a in plots.progress_figure([], "level")
                                                              .layout.annotations))


def test_space_drill_keeps_its_two_sets_of_answer_buttons(tmp_path):
    """The space drill switches between its decay (A/B) and delay (note value) questions: each set of
    buttons is made once and shown again, labelled and enabled for the new trial."""
    trainer = _trainer(tmp_path, drill="space")
    seen = {}
    for _ in range(12):
        assert trainer.next_trial()
        trial = trainer.trial
        assert [b.description for b in trainer._buttons] == [_choice_label(trial, c) for c in trial.choices]
        assert list(trainer._answer_box.children) == trainer._buttons
        assert not any(b.disabled for b in trainer._buttons)
        ids = [id(b) for b in trainer._buttons]
        assert seen.setdefault(trial.choices, ids) == ids
    assert len(seen) == 2  # both questions came up
    decay = next(c for c in seen if c == ("A", "B"))
    while trainer.trial.choices != decay:
        trainer.next_trial()
    answered = trainer._buttons
    answered[0].click()  # answered: disabled until the next trial
    assert all(b.disabled for b in answered)
    assert trainer.next_trial()
    while trainer.trial.choices != decay:
        assert trainer.next_trial()
    assert trainer._buttons is answered and not any(b.disabled for b in answered)


def test_the_trial_is_sent_as_encode_wav16_would_encode_it(tmp_path):
    """The player skips checking the trial's samples again: the bytes are still encode_wav16's."""
    from producerkit.widgets._encode import _wav16_checked, encode_wav16

    trainer = _trainer(tmp_path, drill="dynamics")
    trial = trainer.trial
    assert trainer.player.audio_a == encode_wav16(trial.reference, trial.sr)
    assert trainer.player.audio_b == encode_wav16(trial.processed, trial.sr)
    loud = np.array([[0.5, 1.5, -2.0, 1e-6], [-1.0, 0.99999, 0.0, -0.5]], np.float32)  # clipped at the edges
    assert _wav16_checked(loud, 8000) == encode_wav16(loud, 8000)


def test_a_version_sent_before_is_not_encoded_again(tmp_path, monkeypatch):
    """Trials share renders (a decay trial's base reverb, an excerpt's reference): the player keeps the last
    few versions it encoded and sends the same bytes without encoding them again."""
    from producerkit.widgets import ear_trainer

    trainer = _trainer(tmp_path, drill="space")
    encoded = []
    encode = ear_trainer._wav16_checked
    monkeypatch.setattr(ear_trainer, "_wav16_checked", lambda y, sr: encoded.append(1) or encode(y, sr))
    assert trainer.next_trial()
    first = trainer.trial
    sent_a, sent_b = trainer.player.audio_a, trainer.player.audio_b
    assert trainer.next_trial()
    n = len(encoded)
    assert n >= 3
    trainer.player.show_trial(first)
    assert len(encoded) == n  # both versions of the first trial were kept
    assert trainer.player.audio_a == sent_a and trainer.player.audio_b == sent_b
    writable = np.array(first.reference)  # a version that could change is encoded each time
    trainer.player._wav(writable, first.sr)
    trainer.player._wav(writable, first.sr)
    assert len(encoded) == n + 2
