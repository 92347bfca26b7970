"""No lesson gives an exercise's answer away before the student is asked it.

The answers come from the session's manifest (where each planted problem sits); the text a student
reads before each exercise (markdown, and any code that would print the manifest's description)
must not state them.
"""

import re

import pytest

from producerkit import datasets
from tests.lesson_cells import notebook

SESSION = datasets.shared_session()


def _before(lesson: str, marker: str) -> list[dict]:
    """The cells a student reads before the first cell whose source contains ``marker``."""
    cells = notebook(lesson)["cells"]
    for i, cell in enumerate(cells):
        if marker in "".join(cell["source"]):
            return cells[:i]
    raise AssertionError(f"{lesson}: no cell contains {marker!r}")


def _answer_patterns(freq_hz: float) -> list[str]:
    patterns = [rf"(?<![\d.]){re.escape(f'{freq_hz:g}')}\s*Hz\b"]
    if freq_hz >= 1000:
        patterns.append(rf"(?<![\d.]){re.escape(f'{freq_hz / 1000:g}')}\s*kHz\b")
    return patterns


# (lesson, the exercise's answer cell, the planted problem it asks about)
EXERCISES = [
    ("01-eq", "mud_hz = ...", "keys_mud"),
    ("01-eq", "harsh_hz = ...", "guitar_harsh"),
    ("04-workflow", "dehummed = ...", "lead_take2_hum"),
]


@pytest.mark.parametrize(("lesson", "marker", "variant"), EXERCISES)
def test_the_answer_is_not_in_the_text_before_the_exercise(lesson, marker, variant):
    problem = SESSION.problem(variant)
    cells = _before(lesson, marker)
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for pattern in _answer_patterns(problem.freq):
        found = re.findall(pattern, text)
        # Naming both mains frequencies (50 Hz in most of the world, 60 Hz in North America) tells nothing.
        if variant == "lead_take2_hum":
            found = [f for f in found if not re.search(r"\b60\s*Hz\b", text)]
        assert not found, f"{lesson}: the text before {marker!r} states the answer ({found[0]})"


@pytest.mark.parametrize(("lesson", "marker", "variant"), EXERCISES)
def test_no_cell_before_the_exercise_prints_the_problem_description(lesson, marker, variant):
    code = "\n".join("".join(c["source"]) for c in _before(lesson, marker) if c["cell_type"] == "code")
    assert ".description" not in code, (
        f"{lesson}: a cell before {marker!r} prints a problem's description, which names the answer")
