"""EarTrainer: practise hearing EQ, level, compression, space, stereo and mix problems, and see what was done.

One drill at a time from :mod:`producerkit.training`: press **Play**, switch between A (the
reference) and B (the processed version) in the same Web Audio player as :class:`ABPlayer`, and
answer with the control that fits the drill (a band, a note value, a problem, A or B; a slider
for dB and pan). The answer is scored at once in a producer's words, recorded in your progress
file, and moves the 3-down/1-up staircase. Then the box opens: the figure shows what was done
(the EQ curve, the gain-reduction trace, the decays, the echoes, the pan) and **B − A** in the
player plays only the change.

Lesson: course/05-ear-training.ipynb
"""

from __future__ import annotations

import html
import logging
import time
import warnings
from pathlib import Path

import ipywidgets as widgets

from .. import training
from ..errors import ParameterError, ProducerkitError
from ._common import CONTROL_WIDTH, DESCRIPTION_WIDTH, error_html, error_line, figure_output
from ._encode import _wav16_checked
from .abplayer import ABPlayer

_log = logging.getLogger("producerkit.widgets")

_HERE = Path(__file__).parent

#: Verdict -> (mark, colour) of the feedback line.
_VERDICT_STYLE = {"right": ("✓", "#1b5e20"), "near": ("≈", "#8a5a00"), "wrong": ("✗", "#b00020")}

#: The slider each numeric drill answers with: (description, low, high, step, start, readout format).
_SLIDERS = {
    "level": ("B vs A (dB)", -6.0, 6.0, 0.1, 0.0, "+.1f"),
    "dynamics": ("reduction (dB)", 0.0, 15.0, 0.5, 6.0, ".1f"),
    "stereo": ("pan of B", -100.0, 100.0, 1.0, 0.0, "+.0f"),
}
_SLIDER_HINTS = {
    "level": "Slide right if B is louder, left if A is louder, by the dB you hear; then Submit.",
    "dynamics": "Pick the compressed version, set how much gain reduction you hear, then Submit.",
    "stereo": "Slide to where B sits (it is always panned to one side): −100 is hard left, +100 hard right; then "
              "Submit.",
}


class _TrainerPlayer(ABPlayer):
    """The A/B player inside the trainer: ABPlayer's own Web Audio engine and view, restyled.

    The trial's versions are already matched in loudness (or differ in loudness on purpose, in
    the level drill), so the loudness readout, the match switch and the blind ABX are hidden;
    B − A shows once the trial is answered (the trainer's CSS, keyed on its ``pk-ear-answered``
    class). :meth:`show_trial` sends a trial's two versions without measuring them again.
    """

    _css = (_HERE / "abplayer.css").read_text(encoding="utf-8") + (_HERE / "ear_trainer.css").read_text(
        encoding="utf-8")

    def show_trial(self, trial: training.Trial) -> None:
        """Send ``trial``'s A and B to the page (both are checked float32 stereo from make_trial)."""
        a, b, sr = trial.reference, trial.processed, int(trial.sr)
        # No loudness readout reaches the page: in the level drill it would be the answer.
        new = {"sr": sr, "audio_format": "wav", "duration": a.shape[1] / sr, "channels": int(a.shape[0]),
               "loudness_a": None, "loudness_b": None, "gain_a_db": 0.0, "gain_b_db": 0.0,
               "match_note": "The trainer sets the levels of A and B.", "warning": "", "error": "",
               "loop_start": 0.0}
        new["loop_end"] = new["duration"]
        if self._a2 is None or a is not self._a2:
            new["audio_a"] = self._wav(a, sr)
        if self._b2 is None or b is not self._b2:
            new["audio_b"] = self._wav(b, sr)
        with self.hold_sync():
            for name, value in new.items():
                if getattr(self, name) != value:
                    setattr(self, name, value)
            if self.selected in ("diff", "x"):
                self.selected = "a"
        self._a_in = self._a2 = a
        self._b_in = self._b2 = b

    def _wav(self, y, sr: int) -> bytes:
        """``y`` as 16-bit WAV bytes; the last eight read-only versions sent are kept (trials share renders)."""
        cache = self.__dict__.setdefault("_sent_wav", {})
        hit = cache.pop(id(y), None)
        if hit is not None and hit[0] is y and hit[1] == sr:
            cache[id(y)] = hit  # the most recently used: kept longest
            return hit[2]
        data = _wav16_checked(y, sr)
        if not y.flags.writeable:  # cannot change while it is kept here
            while len(cache) >= 8:
                del cache[next(iter(cache))]  # the least recently used
            cache[id(y)] = (y, sr, data)
        return data


class EarTrainer(widgets.VBox):
    """An ear-training drill: listen to A and B, answer, hear and see what was done, watch your threshold fall.

    ``EarTrainer("frequency")`` starts the frequency drill at the level your progress file holds
    (level 1 the first time). Press **Play** (nothing plays before you do), switch between A and B
    while it plays, and answer with the buttons or the slider. The feedback says what it was and
    how to hear it; three right answers in a row make it harder, one wrong answer easier (you can
    also pick the level by hand). After each answer the figure shows what was done, and **B − A**
    plays only the change. Your threshold appears after 6 turns of the staircase, beside the
    published range, and the progress plot shows it session by session.

    Args:
        drill: "frequency", "level", "dynamics", "space", "stereo" or "problem".
        level: start at this level (1 easy to 10 hard), recorded as picked by hand; None
            continues where your progress file left off.
        path: the progress file (default ``~/.producerkit/progress.json`` or
            ``$PRODUCERKIT_PROGRESS``).
        seed: the same seed gives the same trials (default: a new one each time).
        seconds: length of each excerpt (1-30 s; default 4 bars of the song).

    Raises:
        ProducerkitError: an unknown drill, a level outside 1-10, a bad seed or length (after
            that, :meth:`update` and :meth:`answer` show problems in the widget instead).

    Read: ``trial`` (the current :class:`~producerkit.training.Trial`), ``level``, ``score``,
    ``answered``, ``streak``, ``threshold``, ``feedback`` (the last verdict's text),
    ``last_score``, ``error``, ``figure`` (what was done) and ``progress_figure``, ``player``.

    Lessons: 01, 02, 05
    """

    def __init__(self, drill: str = "frequency", *, level: int | None = None, path=None, seed: int | None = None,
                 seconds: float | None = None) -> None:
        super().__init__()
        self.add_class("pk-ear-trainer")
        self._notices: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", training.ProgressWarning)
            self._trainer = training.Trainer(drill, path=path, seed=seed, seconds=seconds)
            if level is not None:
                training._check_level(level)
                self._trainer.level = level
            trial = self._trainer.next_trial()
        self._collect(caught)
        #: Milliseconds the last new trial took per stage ("make", "send", "controls", "total").
        self.timings: dict[str, float] = {}
        self._error = ""
        self._feedback = ""
        self._last_score: training.Score | None = None
        self._answered_trial: training.Trial | None = None
        self._syncing = False

        self.player = _TrainerPlayer(trial.reference, trial.processed, trial.sr, labels=("A", "B"),
                                     match_loudness=False)
        self.player.show_trial(trial)  # the same state a new trial sends (no loudness readout)
        self.player.observe(self._guard(self._no_peeking, clear=False), names="selected")

        self._drill_box = widgets.Dropdown(options=[(training.drill(n).title, n) for n in training.DRILLS],
                                           value=self._trainer.drill.name, description="drill",
                                           style={"description_width": "40px"},
                                           layout=widgets.Layout(width="210px"))
        self._level_box = widgets.Dropdown(options=_level_options(), value=self._trainer.level, description="level",
                                           style={"description_width": "40px"},
                                           layout=widgets.Layout(width="170px"))
        self._drill_box.add_class("pk-ear-drill")
        self._level_box.add_class("pk-ear-level")
        self._drill_box.observe(self._guard(self._on_drill), names="value")
        self._level_box.observe(self._guard(self._on_level), names="value")
        self._stats = widgets.HTML(layout=widgets.Layout(margin="0 0 0 12px"))
        self._stats.add_class("pk-ear-stats")
        header = widgets.HBox([self._drill_box, self._level_box, self._stats],
                              layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self._question = widgets.HTML()
        self._question.add_class("pk-ear-question")

        self._answer_box = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self._answer_box.add_class("pk-ear-answer")
        self._buttons: list[widgets.Button] = []
        self._choices_key = None
        # Answer buttons per (drill, choices), kept: the space drill switches between two sets each trial.
        self._button_sets: dict = {}
        self._slider: widgets.FloatSlider | None = None
        self._side: widgets.ToggleButtons | None = None
        self._submit = widgets.Button(description="Submit", button_style="primary",
                                      layout=widgets.Layout(width="90px"))
        self._submit.add_class("pk-ear-submit")
        self._submit.on_click(self._guard(lambda _b: self._submit_slider()))
        self._hint = widgets.HTML()
        self._hint.add_class("pk-ear-hint")

        self._feedback_html = widgets.HTML()
        self._feedback_html.add_class("pk-ear-feedback")
        self._next = widgets.Button(description="Next trial ▸", button_style="success",
                                    layout=widgets.Layout(width="130px"))
        self._next.add_class("pk-ear-next")
        self._next.on_click(self._guard(lambda _b: self.next_trial()))
        self._error_line = error_line()
        self._notice_line = widgets.HTML()
        self._notice_line.add_class("pk-ear-notice")
        listen = widgets.HTML('<div class="pk-ear-listen">Now listen to what was done: press <b>B − A</b> in the '
                              "player to hear only the change, then A and B again.</div>")
        self._threshold_html = widgets.HTML()
        self._threshold_html.add_class("pk-ear-threshold")
        #: What was done in the last answered trial (a plotly Figure), None before the first answer.
        self.figure = None
        #: Your threshold in this drill, session by session (a plotly Figure).
        self.progress_figure = None
        # Figures go to the page as plotly outputs of Output widgets: their whole state is in each
        # update (a FigureWidget created after display sends its data in later messages, which
        # anywidget 0.11 drops when the page loads its code late).
        self._figure_out = widgets.Output(layout=widgets.Layout(width="740px"))
        self._figure_out.add_class("pk-ear-figure")
        self._progress_box = widgets.Output(layout=widgets.Layout(width="740px"))
        self._progress_box.add_class("pk-ear-progress")
        self._open_box = widgets.VBox([listen, self._figure_out])
        self._open_box.add_class("pk-ear-openbox")

        self.children = [header, self._question, self.player, self._answer_box, self._hint, self._error_line,
                         widgets.HBox([self._feedback_html, self._next],
                                      layout=widgets.Layout(align_items="center")),
                         self._notice_line, self._open_box, self._threshold_html, self._progress_box]
        self._show_trial(trial, send=False)
        self._refresh_progress()
        self._show_notices()

    # ------------------------------------------------------------------ public

    @property
    def drill(self) -> str:
        """The drill being practised."""
        return self._trainer.drill.name

    @property
    def trial(self) -> training.Trial | None:
        """The trial waiting for an answer (None once it is answered, until the next one)."""
        return self._trainer.trial

    @property
    def level(self) -> int:
        """The current level, 1 (easy) to 10 (hard). Setting it picks a level by hand (see :meth:`update`)."""
        return self._trainer.level

    @level.setter
    def level(self, value) -> None:
        self.update(level=value)

    @property
    def score(self) -> int:
        """Right answers in this session (near misses on the right side count)."""
        return self._trainer.score

    @property
    def answered(self) -> int:
        """Answers recorded in this session."""
        return self._trainer.answered

    @property
    def streak(self) -> int:
        """Right answers in a row."""
        return self._trainer.streak

    @property
    def threshold(self) -> training.Threshold:
        """Your threshold in this drill, with the published range (None as value before 6 reversals)."""
        return self._trainer.threshold()

    @property
    def progress(self) -> training.Progress:
        """The progress file the answers are recorded in."""
        return self._trainer.progress

    @property
    def feedback(self) -> str:
        """The last feedback shown (the verdict on an answer), as plain text."""
        return self._feedback

    @property
    def last_score(self) -> training.Score | None:
        """The last recorded verdict (a :class:`~producerkit.training.Score`), or None."""
        return self._last_score

    @property
    def error(self) -> str:
        """The last error message shown in the widget; "" when the last action worked."""
        return self._error

    def answer(self, value) -> training.Score | None:
        """Answer the current trial, as the buttons and the slider do; returns the verdict.

        ``value`` is what :func:`producerkit.training.score` takes: "4k" or 4000 (frequency),
        +1.5 (level: dB of B against A), ("B", 6) (dynamics), "A"/"B" or "1/8d" (space), -30
        (stereo), "mud" (problem). A right, near or wrong answer is recorded and moves the level;
        one that cannot be read is not counted and shows how to answer (the return value says it).
        Never raises: anything wrong shows its message in the widget.

        Lesson: course/05-ear-training.ipynb
        """
        return self._run(self._answer, value)

    def next_trial(self) -> bool:
        """Make the next trial at the current level and send it to the player; True on success.

        Lesson: not yet taught
        """
        return self._run(self._new_trial) is not None

    def update(self, **params) -> bool:
        """Change ``drill`` or ``level`` (picked by hand, recorded) and start a new trial; True on success.

        An invalid value shows its message in the widget, keeps the current trial and returns
        False instead of raising.

        Lesson: course/05-ear-training.ipynb
        """
        return self._run(self._update, **params) is not None

    # ------------------------------------------------------------------ actions

    def _update(self, **params) -> bool:
        unknown = sorted(set(params) - {"drill", "level"})
        if unknown:
            raise ParameterError(f"EarTrainer has no parameter {', '.join(map(repr, unknown))}; it takes drill "
                                 "and level.")
        name = params.get("drill", self.drill)
        training.drill(name)  # validates
        level = training._check_level(params["level"]) if "level" in params else None
        old_name = self.drill
        if name != old_name:
            old = self._trainer
            self._trainer = training.Trainer(name, seed=old.seed, seconds=old.seconds, session=old.session,
                                             progress=old.progress)
        if level is not None:
            self._trainer.level = level
        self._new_trial()
        if name != old_name:
            self._refresh_progress()
        return True

    def _new_trial(self) -> training.Trial:
        start = time.perf_counter()
        trial = self._trainer.next_trial()
        made = time.perf_counter()
        self._show_trial(trial)
        done = time.perf_counter()
        self.timings.update(make=(made - start) * 1000, total=(done - start) * 1000)
        return trial

    def _show_trial(self, trial: training.Trial, send: bool = True) -> None:
        t0 = time.perf_counter()
        if send:
            self.player.show_trial(trial)
        t1 = time.perf_counter()
        self.remove_class("pk-ear-answered")
        self._answered_trial = None
        self._build_answer_control(trial)
        self._set_enabled(True)
        self._feedback = ""
        self._feedback_html.value = ""
        self._next.layout.display = "none"
        self._open_box.layout.display = "none"
        self._question.value = self._question_html(trial)
        self._refresh_stats()
        self.timings.update(send=(t1 - t0) * 1000, controls=(time.perf_counter() - t1) * 1000)

    def _answer(self, value) -> training.Score:
        trial = self._trainer.trial
        if trial is None:
            raise ParameterError("this trial is answered already: press Next trial (or call next_trial()) for a "
                                 "new one.")
        level_before = self.level
        result = self._trainer.answer(value)
        if result.correct is None:  # unreadable: nothing counted, the trial stays open
            self._error_message(str(result.message))
            return result
        self._last_score = result
        self._answered_trial = trial
        self.add_class("pk-ear-answered")
        self._set_enabled(False)
        self._next.layout.display = None
        if training.moves_level(trial):
            news = _level_news(level_before, self.level, self.streak)
        else:
            news = " Note values are practice: they do not move your level (the decay questions do)."
        self._feedback = _sentence(result.message) + news
        mark, color = _VERDICT_STYLE.get(result.verdict, ("", "#333"))
        self._feedback_html.value = (f'<div class="pk-ear-verdict pk-ear-{result.verdict}" style="color:{color}">'
                                     f"<b>{mark}</b> {html.escape(self._feedback)}</div>")
        self._show_open_box(trial, result)
        self._refresh_stats()
        self._refresh_progress()
        return result

    def _show_open_box(self, trial: training.Trial, result: training.Score) -> None:
        plots = _plots()
        fig = plots.trial_figure(trial, said=result.answer)
        fig.update_layout(width=720)
        self.figure = fig
        self._figure_out.outputs = (figure_output(fig),)
        self._open_box.layout.display = None

    # ------------------------------------------------------------------ controls

    def _build_answer_control(self, trial: training.Trial) -> None:
        if trial.drill not in _SLIDERS:
            key = ("buttons", trial.drill, trial.choices)
            if key != self._choices_key:
                if key not in self._button_sets:
                    buttons = []
                    for choice in trial.choices:
                        button = widgets.Button(description=_choice_label(trial, choice),
                                                layout=widgets.Layout(width="auto", min_width="56px"))
                        button.add_class("pk-ear-choice")
                        button.on_click(self._guard(lambda _b, c=choice: self.answer(c)))
                        buttons.append(button)
                    self._button_sets[key] = buttons
                self._buttons = self._button_sets[key]
                self._answer_box.children = list(self._buttons)
                self._choices_key = key
            self._hint.value = f'<span class="pk-ear-hint-text">{html.escape(_button_hint(trial))}</span>'
            return
        key = ("slider", trial.drill)
        if key != self._choices_key:
            desc, lo, hi, step, start, fmt = _SLIDERS[trial.drill]
            self._slider = widgets.FloatSlider(value=start, min=lo, max=hi, step=step, description=desc,
                                               readout_format=fmt, continuous_update=False,
                                               style={"description_width": DESCRIPTION_WIDTH},
                                               layout=widgets.Layout(width=CONTROL_WIDTH if trial.drill == "dynamics"
                                                                     else "460px"))
            self._slider.add_class("pk-ear-slider")
            children = [self._slider, self._submit]
            self._side = None
            if trial.drill == "dynamics":
                self._side = widgets.ToggleButtons(options=[("A is compressed", "A"), ("B is compressed", "B")],
                                                   value=None, style={"button_width": "130px"})
                self._side.add_class("pk-ear-side")
                children = [self._side, *children]
            self._answer_box.children = children
            self._buttons = []
            self._choices_key = key
        else:
            _desc, _lo, _hi, _step, start, _fmt = _SLIDERS[trial.drill]
            self._slider.value = start
            if self._side is not None:
                self._side.value = None
        self._hint.value = f'<span class="pk-ear-hint-text">{html.escape(_SLIDER_HINTS[trial.drill])}</span>'

    def _submit_slider(self) -> None:
        if self._slider is None:
            return
        value = float(self._slider.value)
        if self.drill == "dynamics":
            side = self._side.value if self._side is not None else None
            if side is None:
                self._error_message("Pick the compressed version first (A or B), then Submit.")
                return
            self.answer((side, value))
            return
        if self.drill == "stereo" and value == 0:
            self._error_message("0 is the centre, but B is always panned to one side: slide left or right to where "
                                "you hear it, then Submit.")
            return
        if self.drill == "level" and value == 0:
            self._error_message("0 dB says they are equally loud, but one of them is louder: slide right if B is "
                                "louder, left if A is, then Submit.")
            return
        self.answer(value)

    def _set_enabled(self, on: bool) -> None:
        for control in (*self._buttons, self._slider, self._side, self._submit):
            if control is not None:
                control.disabled = not on

    def _on_drill(self, change) -> None:
        if self._syncing or change["new"] == self.drill:
            return
        if not self.update(drill=change["new"]):
            self._sync_pickers()

    def _on_level(self, change) -> None:
        if self._syncing or change["new"] == self.level:
            return
        if not self.update(level=change["new"]):
            self._sync_pickers()

    def _no_peeking(self, change) -> None:
        """B − A gives the answer away: it plays only once the trial is answered."""
        if change["new"] == "diff" and self._answered_trial is None:
            self.player.selected = "a"

    # ------------------------------------------------------------------ display

    def _question_html(self, trial: training.Trial) -> str:
        d = training.drill(trial.drill)
        return (f'<div class="pk-ear-q"><b>{html.escape(trial.question)}</b> '
                f'<span style="color:#555">You hear {html.escape(trial.material)}. Level {trial.level}: '
                f"{html.escape(_level_words(trial))}.</span></div>"
                f'<div style="color:#555">{html.escape(d.title)} drill · {html.escape(_versions(trial))}</div>')

    def _refresh_stats(self) -> None:
        self._sync_pickers()
        t = self._trainer
        self._stats.value = (f'<span class="pk-ear-stat">Level <b>{t.level}</b></span> · '
                             f'<span class="pk-ear-stat">Score <b>{t.score}/{t.answered}</b></span> · '
                             f'<span class="pk-ear-stat">Streak <b>{t.streak}</b></span>')
        self._threshold_html.value = f'<div class="pk-ear-thr">{html.escape(_sentence(str(t.threshold())))}</div>'

    def _sync_pickers(self) -> None:
        self._syncing = True
        try:
            if self._drill_box.value != self.drill:
                self._drill_box.value = self.drill
            if self._level_box.value != self.level:
                self._level_box.value = self.level
        finally:
            self._syncing = False

    def _refresh_progress(self) -> None:
        plots = _plots()
        fig = plots.progress_figure(self.progress.history(self.drill), self.drill)
        fig.update_layout(width=720)
        self.progress_figure = fig
        self._progress_box.outputs = (figure_output(fig),)

    # ------------------------------------------------------------------ errors and notices

    def _run(self, fn, *args, clear: bool = True, **kwargs):
        """Run an action; a problem shows in the widget and never raises. Returns fn's result or None.

        The last message is cleared first (``clear``), so one that the action shows stays on screen.
        """
        if clear:
            self._error_message("")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", training.ProgressWarning)
            try:
                result = fn(*args, **kwargs)
            except ProducerkitError as exc:
                self._error_message(str(exc))
                result = None
            except OSError as exc:
                self._error_message(f"could not use the progress file {self.progress.path} ({exc.strerror or exc}); "
                                    "check that the folder exists and is writable, or pass path= to EarTrainer.")
                result = None
            except Exception as exc:  # noqa: BLE001 - a widget action must never raise into the notebook
                _log.exception("EarTrainer action failed")
                self._error_message(f"Unexpected {type(exc).__name__}: {exc}. Please report it; the trainer keeps "
                                    "going.")
                result = None
        self._collect(caught)
        return result

    def _guard(self, fn, clear: bool = True):
        def run(*args, **kwargs):
            self._run(fn, *args, clear=clear, **kwargs)

        return run

    def _error_message(self, message: str) -> None:
        self._error = message
        value = error_html(message)
        if self._error_line.value != value:
            self._error_line.value = value

    def _collect(self, caught) -> None:
        new = [str(w.message) for w in caught if issubclass(w.category, training.ProgressWarning)]
        for w in caught:
            if not issubclass(w.category, training.ProgressWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if new:
            self._notices = (self._notices + new)[-3:]
            if hasattr(self, "_notice_line"):
                self._show_notices()

    def _show_notices(self) -> None:
        self._notice_line.value = "".join(f'<div style="color:#8a5a00">ⓘ {html.escape(m)}</div>'
                                          for m in self._notices)

    def _repr_keys(self):  # keep the repr short: the children hold audio
        return iter(())

    def __repr__(self) -> str:
        return (f"EarTrainer({self.drill!r}: level {self.level}, {self.score}/{self.answered} right, streak "
                f"{self.streak}; progress in {self.progress.path})")


# ---------------------------------------------------------------------- words


def _plots():
    from .. import plots

    return plots


def _level_options() -> list:
    return [(f"{lv}" + (" (easiest)" if lv == 1 else " (hardest)" if lv == training.LEVELS else ""), lv)
            for lv in range(1, training.LEVELS + 1)]


def _choice_label(trial: training.Trial, choice) -> str:
    if trial.drill == "frequency":
        f = float(choice)
        return f"{f / 1000:g}k" if f >= 1000 else f"{f:g}"
    if trial.drill == "space" and choice in training.NOTE_NAMES:
        return training.NOTE_NAMES[choice]
    return str(choice)


def _button_hint(trial: training.Trial) -> str:
    if trial.drill == "frequency":
        return "Pick the band (Hz; k = kHz) that was changed."
    if trial.drill == "space":
        if trial.details.get("question") == "decay":
            return "Pick the version whose reverb rings on longer."
        return f"Pick the note value of the delay's echoes at {trial.details['bpm']:g} BPM."
    if trial.drill == "dynamics":
        return "Pick the compressed version."
    return "Pick what is wrong in B."


def _level_words(trial: training.Trial) -> str:
    d = trial.details
    if trial.drill == "frequency":
        bands = {"octave5": "five bands, two octaves apart", "octave10": "ten octave bands",
                 "third": "third-octave bands"}
        change = "boost or cut" if training.drill("frequency").setting(trial.level)["cuts"] else "boost"
        return f"{bands[d['band_set']]}, a {trial.value:g} dB {change}"
    if trial.drill == "level":
        return f"a {trial.value:g} dB step"
    if trial.drill == "dynamics":
        return f"about {trial.value:g} dB of gain reduction"
    if trial.drill == "space":
        if d.get("question") == "decay":
            return f"one decay {trial.value:g} % longer"
        return "1/4, 1/8, dotted 1/8 or 1/8 triplet"
    if trial.drill == "stereo":
        return f"right within ±{trial.value:g} % of one side"
    return f"severity {trial.value:g} (at 12 as strong as the session's own problem tracks, 3 at level 10)"


def _versions(trial: training.Trial) -> str:
    """What A and B are, without giving the answer away."""
    if trial.drill == "frequency":
        return "A is the reference, B has the EQ; both play at the same loudness."
    if trial.drill == "level":
        return "A and B differ only in level: the player does not match them."
    if trial.drill == "dynamics":
        return "One of A and B is compressed; both play at the same loudness."
    if trial.drill == "space":
        if trial.details.get("question") == "decay":
            return "A and B have the same reverb with different decay times."
        return "A is dry, B has the delay."
    if trial.drill == "stereo":
        return "A is centred, B is panned; both play at the same loudness."
    return "A is clean, B has one problem; both play at the same loudness."


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _level_news(before: int, after: int, streak: int) -> str:
    if after > before:
        return f" Three right in a row: up to level {after}."
    if after < before:
        return f" Back to level {after}, a little easier."
    if streak in (1, 2):
        return f" {3 - streak} more right for the next level."
    return ""
