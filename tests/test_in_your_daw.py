"""Every ready lesson ends with "In your DAW", just before its summary (DESIGN.md, Notebooks).

The section says where each control the lesson taught lives in Ableton Live, Logic Pro, Pro Tools and
FL Studio, so a student carries it over: a markdown cell headed "## In your DAW", the last section
before "## Summary", holding a table whose header names the four DAWs and which has a row for at least
three controls, every cell filled in.
"""

from __future__ import annotations

import re

import pytest

from producerkit import lessons
from tests.lesson_cells import notebook

DAWS = ("Ableton Live", "Logic Pro", "Pro Tools", "FL Studio")
HEADING = "## In your DAW"
MIN_ROWS = 3


def _heading(source: str) -> str | None:
    """The cell's first line if it is a level-2 heading ("## Summary"), else None."""
    first = source.lstrip().split("\n", 1)[0].strip()
    return first if re.match(r"^## \S", first) else None


def _table(source: str) -> list[list[str]]:
    """The rows of the first markdown table in ``source``, each a list of stripped cells."""
    rows, started = [], False
    for line in source.split("\n"):
        line = line.strip()
        if line.startswith("|"):
            started = True
            inner = re.sub(r"^\||(?<!\\)\|$", "", line)  # the outer pipes; "\|" is a pipe inside a cell
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", inner)])
        elif started:
            break
    return rows


def problems(cells: list[dict], name: str) -> list[str]:
    """What is wrong with a notebook's "In your DAW" section (an empty list when nothing is)."""
    markdown = [("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
                for c in cells if c["cell_type"] == "markdown"]
    headings = [(i, _heading(source)) for i, source in enumerate(markdown) if _heading(source)]
    summary = [i for i, heading in headings if heading == "## Summary"]
    if len(summary) != 1:
        return [f"{name}: needs exactly one '## Summary' cell (found {len(summary)})"]
    daw = [i for i, heading in headings if heading == HEADING]
    if len(daw) != 1:
        return [f"{name}: needs exactly one '{HEADING}' markdown cell before its Summary (found {len(daw)})"]
    found = []
    before_summary = [i for i, _ in headings if i < summary[0]]
    if not before_summary or before_summary[-1] != daw[0]:
        found.append(f"{name}: '{HEADING}' must be the last section before '## Summary'")
    table = _table(markdown[daw[0]])
    if len(table) < 2 or not all(re.fullmatch(r":?-{3,}:?", cell) for cell in table[1]):
        return found + [f"{name}: '{HEADING}' needs a markdown table (a header row, then |---|...)"]
    header, body = table[0], table[2:]
    missing = [daw_name for daw_name in DAWS if not any(daw_name in cell for cell in header)]
    if missing:
        found.append(f"{name}: the table's header must name every DAW; missing {missing}")
    if len(body) < MIN_ROWS:
        found.append(f"{name}: the table needs at least {MIN_ROWS} controls (rows), has {len(body)}")
    for row in body:
        if len(row) != len(header) or not all(row):
            found.append(f"{name}: row {row[0]!r} must fill all {len(header)} columns (got {row})")
    return found


@pytest.mark.parametrize("lesson", lessons.ready(), ids=lambda item: item.name)
def test_each_ready_lesson_has_in_your_daw(lesson):
    assert problems(notebook(lesson.name)["cells"], lesson.filename) == []


def _md(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


GOOD = ("## In your DAW\n\nWhere each control lives.\n\n"
        "| You learned | Ableton Live | Logic Pro | Pro Tools | FL Studio |\n|---|---|---|---|---|\n"
        "| EQ | EQ Eight | Channel EQ | EQ3 7-Band | Fruity Parametric EQ 2 |\n"
        "| Bell | Bell: Freq, Gain, Q | Frequency, Gain, Q | Freq, Gain, Q | Peaking: Freq, Gain, Bandwidth |\n"
        "| Limiter | Limiter: Ceiling | Adaptive Limiter: Out Ceiling | Maxim: Ceiling | Fruity Limiter: CEIL |")


def test_a_complete_section_passes():
    assert problems([_md("# 01 · EQ"), _md("## 1 · Ranges"), _md(GOOD), _md("## Summary\n\n- ...")], "x") == []
    escaped = GOOD.replace("Maxim: Ceiling", "Bars\\|Beats ruler")  # a pipe inside a cell, escaped
    assert problems([_md(escaped), _md("## Summary")], "x") == []


@pytest.mark.parametrize("cells, expected", [
    ([_md("# 01"), _md("## 1 · Ranges"), _md("## Summary")], "needs exactly one '## In your DAW'"),
    ([_md("# 01"), _md("## Summary"), _md(GOOD)], "must be the last section before '## Summary'"),
    ([_md("# 01"), _md(GOOD), _md("## 9 · More"), _md("## Summary")], "must be the last section"),
    ([_md(GOOD.replace("Pro Tools", "Cubase")), _md("## Summary")], "missing ['Pro Tools']"),
    ([_md(GOOD.rsplit("\n", 2)[0]), _md("## Summary")], "at least 3 controls"),
    ([_md(GOOD.replace("| Maxim: Ceiling |", "| |")), _md("## Summary")], "must fill all 5 columns"),
    ([_md(GOOD.replace("Maxim: Ceiling", "Bars|Beats")), _md("## Summary")], "must fill all 5 columns"),
    ([_md("## In your DAW\n\nAbleton Live, Logic Pro, Pro Tools and FL Studio, no table."), _md("## Summary")],
     "needs a markdown table"),
], ids=["missing", "after-summary", "not-last-section", "a-daw-missing", "two-rows", "empty-cell", "unescaped-pipe",
        "no-table"])
def test_a_broken_section_is_reported(cells, expected):
    found = problems(cells, "x")
    assert any(expected in line for line in found), found
