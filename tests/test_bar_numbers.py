"""Bar numbers a student reads count from 1, as a DAW's timeline does (issue 11, item 9).

In code bars count from 0 and end bars are exclusive: chorus 1 is ``[10, 18)``. Shown to a
student it is "bars 11–18". Every "bar N" / "bars A–B" in the lessons' text (markdown, and the
comments and strings of their code cells), in the widgets' and checkers' strings, and in what the
desk and the checkers say, must read as a DAW shows the session's own sections, phrases and
problem regions: "bars A–B" is code's ``[A - 1, B)``, and both ends fall on an edge of one of them.
(The old text said "bars 10–14" for chorus 1's first half, code's ``[9, 14)``: bar 9 is no edge.)
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

from producerkit import datasets

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "course").glob("[0-9][0-9]-*.ipynb"))
STUDENT_FACING = sorted((REPO / "producerkit" / "checks").glob("*.py")) + sorted(
    (REPO / "producerkit" / "widgets").glob("*.py"))

# "bar 11", "bars 11–14", "bars 11-12, 13–14, 15–16"
BAR_REF = re.compile(r"\b[Bb]ars?\s+(\d+)(?:\s*[–-]\s*(\d+))?((?:\s*,\s*\d+\s*[–-]\s*\d+)*)")
RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)")


@lru_cache(maxsize=1)
def _edges() -> frozenset[int]:
    """Every bar (from 0) where one of the session's sections, phrases or problem regions starts or ends."""
    song = datasets.load_session("paper_lanterns")
    edges = set()
    for s in song.sections:
        edges |= {s.start_bar, s.start_bar + s.bars}
    for p in song.phrases:
        edges |= {p.start_bar, p.end_bar}
    for name in song.variants:
        problem = song.problem(name)
        edges |= set(problem.bars)
        for a, b in problem.details.get("phrases", []):
            edges |= {a, b}
    return frozenset(edges)


def bar_references(text: str) -> list[tuple[str, int, int]]:
    """Each bar reference in ``text``: (what it says, first bar, last bar, is a span), counted from 1."""
    refs = []
    for m in BAR_REF.finditer(text):
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        refs.append((m.group(0), first, last, m.group(2) is not None))
        for more in RANGE.finditer(m.group(3) or ""):
            refs.append((m.group(0), int(more.group(1)), int(more.group(2)), True))
    return refs


def wrong_bar_references(text: str) -> list[str]:
    """The references in ``text`` that do not read as a DAW shows the session (see the module's docstring)."""
    edges = _edges()
    bad = []
    for said, first, last, span in bar_references(text):
        # "bar 11" is a place (where bar 11 starts); "bars 11–14" a stretch, which must end on an edge too
        if first < 1 or last < first or first - 1 not in edges or (span and last not in edges):
            bad.append(f"{said!r} (as code's bars [{first - 1}, {last}))")
    return bad


def test_the_rule_catches_the_old_numbers_and_passes_the_new():
    assert wrong_bar_references("In chorus 1 (bars 10–18) the singer") != []
    assert wrong_bar_references("the piano in bars 2–6 (the first half of verse 1)") != []
    assert wrong_bar_references("The mixer desk · 4 bars from bar 10 (9.6 s)") != []
    assert wrong_bar_references("each phrase (bars 10–12, 12–14, 14–16)") != []
    assert wrong_bar_references("In chorus 1 (bars 11–18); the piano in bars 3–6; verse 1 (bars 3–10)") == []
    assert wrong_bar_references("each phrase (bars 11–12, 13–14, 15–16); chorus bar 11") == []
    assert wrong_bar_references("32 bars, 76.8 s; a bar lasts 2.4 s; bars(y, 10, 14)") == []


def _code_text(source: str) -> str:
    """The comments and string literals of a code cell: what a student reads in it besides code."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    comments = [line.split("#", 1)[1] for line in source.splitlines() if "#" in line]
    return "\n".join(strings + comments)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_show_bars_from_1(path):
    nb = nbformat.read(path, as_version=4)
    bad = []
    for i, cell in enumerate(nb.cells):
        text = cell.source if cell.cell_type == "markdown" else _code_text(cell.source)
        bad += [f"cell {i}: {ref}" for ref in wrong_bar_references(text)]
    assert not bad, "bars not counted from 1 as a DAW does:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", STUDENT_FACING, ids=lambda p: p.name)
def test_checkers_and_widgets_show_bars_from_1(path):
    """Their docstrings and messages (string literals) and comments."""
    bad = wrong_bar_references(_code_text(path.read_text(encoding="utf-8")))
    assert not bad, f"{path.name}: bars not counted from 1 as a DAW does:\n" + "\n".join(bad)


def test_session_descriptions_leave_bar_numbers_to_the_bar_fields():
    """The manifest's prose (printed in lesson 04) names sections and phrases; its numbers stay in "bars"."""
    song = datasets.load_session("paper_lanterns")
    for name in song.variants:
        assert not bar_references(song.problem(name).description), name


def test_the_mixer_desk_says_which_bars_it_plays():
    from producerkit.widgets import MixerDesk

    song = datasets.load_session("paper_lanterns")
    desk = MixerDesk(song)
    assert desk.excerpt.startswith("bars 11–14"), desk.excerpt
    assert not wrong_bar_references(desk.excerpt)
    assert MixerDesk(song, start_bar=2, bars=8).excerpt.startswith("bars 3–10")


def test_checker_feedback_shows_bars_from_1():
    from producerkit.checks import check_song_form

    song = datasets.load_session("paper_lanterns")
    fb = check_song_form("A B C D E F", song)
    assert bar_references(fb.message + fb.hint), fb
    assert not wrong_bar_references(fb.message + " " + fb.hint), fb
