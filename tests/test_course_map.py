"""The lesson registry (producerkit/lessons.py) and what is generated from it.

The course map in every notebook, each notebook's Next link, the README's course table with its
Binder links and the lesson list in docs/teaching.md are written by ``make course-map``; these tests
say which file is stale, and prove the generator on a copy of the repository (adding a lesson, a
notebook missing from the registry, a lesson marked ready without its notebook).
"""

import importlib.util
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from producerkit import lessons
from producerkit.lessons import COMING, LESSONS, READY, Lesson, StaleError

ROOT = Path(__file__).resolve().parent.parent


def test_every_generated_part_is_up_to_date():
    stale = lessons.stale(ROOT)
    assert not stale, "\n".join(
        f"{p.relative_to(ROOT)} is out of date with producerkit/lessons.py: run `make course-map`" for p in stale
    )


#: A lesson the tests add to the registry as "coming" (every real lesson is ready now).
FILM = Lesson(13, "film", "Film and games", "scoring to picture, stems for games", ("mix",), COMING)


@pytest.fixture
def coming(monkeypatch):
    """The registry with one more lesson, listed as coming (no notebook yet)."""
    monkeypatch.setattr(lessons, "LESSONS", (*LESSONS, FILM))
    return FILM


def test_the_course_order_and_what_is_ready():
    assert [(x.code, x.slug, x.status) for x in LESSONS] == [
        ("00", "welcome", READY), ("01", "eq", READY), ("02", "compression", READY),
        ("03", "arrangement", READY), ("04", "workflow", READY), ("05", "ear-training", READY),
        ("06", "space", READY), ("07", "beats", READY), ("08", "recording", READY), ("09", "mixing", READY),
        ("10", "mastering", READY), ("11", "business", READY), ("12", "capstone", READY),
    ]
    assert {p.name for p in (ROOT / "course").glob("[0-9]*.ipynb")} == {x.filename for x in lessons.ready()}


def test_a_ready_lesson_names_modules_that_exist():
    for item in lessons.ready():
        for module in item.modules:
            assert importlib.util.find_spec(f"producerkit.{module}"), f"{item.name}: no producerkit.{module}"


def test_each_ready_lessons_checkers_live_in_its_checks_module():
    from producerkit import checks

    for item in lessons.ready():
        module = importlib.import_module(f"producerkit.checks.{item.checks_module}")
        assert any(name.startswith("check_") for name in dir(module)), module.__name__
    assert set(checks._LESSON_MODULES) == {x.checks_module for x in LESSONS}


def test_lookup_by_number_code_slug_or_file():
    assert lessons.lesson(1) is lessons.lesson("01") is lessons.lesson("eq") is lessons.lesson("01-eq.ipynb")
    assert lessons.lesson("course/05-ear-training.ipynb").title == "Ear training"
    with pytest.raises(KeyError, match="no lesson 'eqq': the lessons are 00-welcome"):
        lessons.lesson("eqq")


@pytest.mark.parametrize("bad, words", [
    ({"slug": "Ear Training"}, "lowercase words joined by hyphens"),
    ({"status": "soon"}, "'ready' or 'coming'"),
    ({"learn": "a | b"}, "without '|'"),
    ({"modules": ()}, "must name producerkit modules"),
    ({"number": -1}, "from 0 to 99"),
])
def test_a_bad_entry_says_what_to_write(bad, words):
    with pytest.raises(ValueError, match=words.replace("|", r"\|").replace("(", r"\(")):
        replace(LESSONS[1], **bad)


def test_next_links_walk_the_course_and_stop_at_coming_lessons(coming):
    assert "[Next: 01 · EQ →](01-eq.ipynb)" in lessons.next_link(LESSONS[0])
    text = lessons.next_link(lessons.lesson("12"))
    assert "coming soon" in text and "(00-welcome.ipynb)" in text and "13-film.ipynb" not in text
    assert "last lesson of the course" in lessons.next_link(coming)


def test_the_last_lesson_leads_back_to_the_start():
    text = lessons.next_link(LESSONS[-1])
    assert "last lesson of the course" in text and "(00-welcome.ipynb)" in text


def test_the_course_map_bolds_the_current_lesson_and_links_only_ready_ones(coming):
    text = lessons.course_map(lessons.lesson("03"))
    assert "| **03** | **[Arrangement](03-arrangement.ipynb)** |" in text
    assert "| 01 | [EQ](01-eq.ipynb) |" in text and "| 12 | [Capstone](12-capstone.ipynb) |" in text
    assert "| 13 | Film and games *(coming)* |" in text and "13-film.ipynb" not in text
    table = lessons.readme_table()
    assert table.count("[Binder](https://mybinder.org/") == len(lessons.ready()) == len(LESSONS)
    assert "| [06 · Space](course/06-space.ipynb) |" in table and table.count("| coming |") == 1


# --------------------------------------------------------------------------- the generator, on a copy


@pytest.fixture
def repo(tmp_path):
    """A copy of what the generator reads and writes."""
    shutil.copytree(ROOT / "course", tmp_path / "course", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "teaching.md", tmp_path / "docs" / "teaching.md")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    lessons.write(tmp_path)  # as the repository should be
    return tmp_path


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_a_hand_edit_in_a_generated_part_is_named_and_rewritten_and_nothing_else_changes(repo):
    nb = repo / "course" / "02-compression.ipynb"
    before = nb.read_text(encoding="utf-8")
    nb.write_text(before.replace("| 01 | [EQ](01-eq.ipynb)", "| 01 | [Equalising](01-eq.ipynb)"), encoding="utf-8")
    readme = repo / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("[06 · Space](", "[06 · Reverb](", 1),
                      encoding="utf-8")
    assert lessons.stale(repo) == [nb, readme]
    proc = subprocess.run([sys.executable, "-m", "producerkit.lessons", "--check", "--root", str(repo)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert f"{nb} is out of date: run `make course-map`" in proc.stderr
    assert sorted(lessons.write(repo)) == sorted([nb, readme])
    assert nb.read_text(encoding="utf-8") == before
    assert lessons.stale(repo) == [] and lessons.write(repo) == []


def test_adding_a_lesson_is_one_entry_and_one_notebook(repo, monkeypatch):
    """Add lesson 13, ready, with a notebook: the generator adds its map and Next link and updates the rest."""
    monkeypatch.setattr(lessons, "LESSONS", (*LESSONS, replace(FILM, status=READY)))
    nb = {"cells": [{"cell_type": "markdown", "id": "title", "metadata": {}, "source": ["# 13 · Film and games"]},
                    {"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {"tags": ["setup"]},
                     "outputs": [], "source": ["import producerkit"]},
                    {"cell_type": "markdown", "id": "sum", "metadata": {}, "source": ["## Summary\n", "\n", "- ears"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = repo / "course" / "13-film.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    written = {p.name for p in lessons.write(repo)}
    assert written == {p.name for p in (repo / "course").glob("*.ipynb")} | {"README.md", "teaching.md"}
    cells = _cells(path)
    assert cells[1]["id"] == "course-map" and "| **13** | **[Film and games](13-film.ipynb)**" in "".join(
        cells[1]["source"])
    assert "".join(cells[-1]["source"]).startswith("## Summary\n\n- ears\n\n<!-- next:start -->")
    assert "last lesson of the course" in "".join(cells[-1]["source"])
    before = "".join(_cells(repo / "course" / "12-capstone.ipynb")[-1]["source"])
    assert "[Next: 13 · Film and games →](13-film.ipynb)" in before
    assert "urlpath=lab/tree/course/13-film.ipynb" in (repo / "README.md").read_text(encoding="utf-8")
    assert "- [13 · Film and games](../course/13-film.ipynb)" in (repo / "docs/teaching.md").read_text()
    assert lessons.write(repo) == []


def test_a_notebook_outside_the_registry_is_refused_by_name(repo):
    (repo / "course" / "14-games.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(StaleError, match=r"course/14-games.ipynb is not in the registry: add it in producerkit/lesso"):
        lessons.stale(repo)


def test_a_coming_lessons_notebook_asks_to_mark_it_ready(coming, repo):
    (repo / "course" / "13-film.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(StaleError, match="13-film.ipynb is marked as coming: set its status to 'ready'"):
        lessons.stale(repo)


def test_a_ready_lesson_without_its_notebook_is_named(repo):
    (repo / "course" / "03-arrangement.ipynb").unlink()
    with pytest.raises(StaleError, match="course/03-arrangement.ipynb is missing"):
        lessons.stale(repo)


def test_markers_removed_by_hand_are_named(repo):
    readme = repo / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("<!-- course-table:end -->", ""), encoding="utf-8")
    with pytest.raises(StaleError, match="README.md has no <!-- course-table:start --> ... <!-- course-table:end -->"):
        lessons.stale(repo)


def test_the_registry_needs_no_files(tmp_path):
    """From an installed wheel: importing the registry reads nothing; only --write and --check look at files."""
    proc = subprocess.run([sys.executable, "-c", "import producerkit.lessons as L; print(len(L.LESSONS))"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.stdout.strip() == str(len(LESSONS)), proc.stderr
    proc = subprocess.run([sys.executable, "-m", "producerkit.lessons", "--check"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 2 and "no course/ folder" in proc.stderr and "top folder" in proc.stderr


def test_lesson_is_a_frozen_record():
    with pytest.raises(AttributeError):
        LESSONS[0].title = "Hello"  # type: ignore[misc]
    assert isinstance(LESSONS[0], Lesson) and LESSONS[3].filename == "03-arrangement.ipynb"
