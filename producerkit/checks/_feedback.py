"""The answer a checker gives: right, not yet, or unanswered, in a producer's words."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feedback:
    """What a checker says about an exercise.

    ``correct`` is True, False, or None when the exercise has not been answered yet. ``message``
    says why, and ``hint`` what to try next. It is truthy only when the answer is right, so a
    grader can write ``assert check_x(answer)``.

    Lesson: course/00-welcome.ipynb
    """

    correct: bool | None
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return bool(self.correct)

    @property
    def status(self) -> str:
        return {True: "right", False: "not yet", None: "unanswered"}[self.correct]

    def __str__(self) -> str:
        mark = {True: "✔ Right", False: "✘ Not yet", None: "✎ Your turn"}[self.correct]
        return f"{mark}: {self.message}" + (f"\n  Try: {self.hint}" if self.hint else "")

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour, mark = {
            True: ("#e6f4ea", "✔ Right"),
            False: ("#fdecea", "✘ Not yet"),
            None: ("#fff8e1", "✎ Your turn"),
        }[self.correct]
        hint = f"<br><b>Try:</b> {html.escape(self.hint)}" if self.hint else ""
        return (
            f'<div class="producerkit-feedback" data-status="{self.status}" '
            f'style="background:{colour};padding:8px 12px;border-radius:6px;margin:4px 0">'
            f"<b>{mark}:</b> {html.escape(self.message)}{hint}</div>"
        )


def right(message: str, hint: str = "") -> Feedback:
    return Feedback(True, message, hint)


def wrong(message: str, hint: str = "") -> Feedback:
    return Feedback(False, message, hint)


def unanswered(what: str) -> Feedback:
    return Feedback(None, f"no answer yet: {what}", "replace the ... with your answer and run the cell again.")


def how_close(n_wrong: int, n_answered: int, what: str, fault: str = "wrong") -> str:
    """The opening of a "not yet" message that fits the count, ending with a space.

    "only one" when a single answer of several is off: ``how_close(1, 6, "tasks", "in the wrong
    place")`` is "only one of the 6 tasks is in the wrong place. " (it follows "✘ Not yet: ", so it
    does not say "Close" as well), while
    ``how_close(3, 6, ...)`` is "3 of the 6 tasks are in the wrong place. Start with this one: ".

    Lesson: course/00-welcome.ipynb
    """
    if n_wrong <= 0:
        return ""
    if n_wrong == 1:
        return f"only one of the {n_answered} {what} is {fault}. " if n_answered > 2 else ""
    return f"{n_wrong} of the {n_answered} {what} are {fault}. Start with this one: "


def is_unanswered(value) -> bool:
    """True for the placeholders a lesson leaves in an exercise: None, ..., or an empty string/list."""
    if value is None or value is Ellipsis:
        return True
    if isinstance(value, str | list | tuple | dict) and len(value) == 0:
        return True
    return False


def as_number(value) -> float | None:
    """The answer as a float, or None if it is not a finite number."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def octaves_between(f1: float, f2: float) -> float:
    """How many octaves ``f1`` lies above ``f2`` (negative when below)."""
    return float(np.log2(f1 / f2))
