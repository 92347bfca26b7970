"""The lesson registry: the one list of the course's lessons, and what is generated from it.

Each :class:`Lesson` is one entry: its number, slug, title, what a student learns and the library
modules it teaches. The course map at the top of every notebook, each notebook's "Next" link, the
README's course table with its Binder links and the lesson list in ``docs/teaching.md`` are written
from this list by ``make course-map`` (``python -m producerkit.lessons --write``); ``--check`` and the
test suite say which file is out of date. The registry is plain Python data, so it works from an
installed wheel; only ``--write`` and ``--check`` read files, in a checkout of the repository.

Lesson: not yet taught
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

READY = "ready"
COMING = "coming"

#: Where the README's launch links open a lesson (``{file}`` is the notebook's file name).
BINDER_URL = "https://mybinder.org/v2/gh/producerkit/producerkit/HEAD?urlpath=lab/tree/course/{file}"


@dataclass(frozen=True)
class Lesson:
    """One lesson of the course.

    Attributes:
        number: its place in the course, from 0; shown as two digits ("05").
        slug: the file name's topic part, lowercase with hyphens: ``course/NN-slug.ipynb``.
        title: as the course map shows it ("Ear training").
        learn: one line, lowercase, "you learn ...": what the lesson teaches.
        modules: the ``producerkit`` modules it teaches (``"eq"`` is ``producerkit/eq.py``).
        status: ``"ready"`` (the notebook exists) or ``"coming"`` (listed, no notebook yet).

    Lesson: not yet taught
    """

    number: int
    slug: str
    title: str
    learn: str
    modules: tuple[str, ...]
    status: str = READY

    def __post_init__(self):
        if not isinstance(self.number, int) or not 0 <= self.number <= 99:
            raise ValueError(f"lesson number must be a whole number from 0 to 99 (got {self.number!r})")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", self.slug or ""):
            raise ValueError(f"lesson slug must be lowercase words joined by hyphens, like 'ear-training' "
                             f"(got {self.slug!r})")
        if self.status not in (READY, COMING):
            raise ValueError(f"lesson status must be {READY!r} or {COMING!r} (got {self.status!r})")
        if not self.title or not self.learn or "|" in self.learn or "\n" in self.learn:
            raise ValueError(f"lesson {self.number:02d} needs a title and a one-line 'learn' without '|' "
                             f"(it goes into markdown tables)")
        if not self.modules or not all(re.fullmatch(r"[a-z_]+", m) for m in self.modules):
            raise ValueError(f"lesson {self.number:02d}'s modules must name producerkit modules, like ('eq',) "
                             f"(got {self.modules!r})")

    @property
    def code(self) -> str:
        """The number as the course shows it: ``"05"``."""
        return f"{self.number:02d}"

    @property
    def name(self) -> str:
        """``"05-ear-training"``: the notebook's file name without ``.ipynb``."""
        return f"{self.code}-{self.slug}"

    @property
    def filename(self) -> str:
        """``"05-ear-training.ipynb"``, in ``course/``."""
        return f"{self.name}.ipynb"

    @property
    def label(self) -> str:
        """``"05 · Ear training"``, as links and headings show it."""
        return f"{self.code} · {self.title}"

    @property
    def checks_module(self) -> str:
        """The name of its checkers' module: ``producerkit.checks.<this>``."""
        return self.slug.replace("-", "_")

    @property
    def ready(self) -> bool:
        """True when the notebook exists (status "ready")."""
        return self.status == READY

    @property
    def binder_url(self) -> str:
        """The Binder link that opens this lesson in JupyterLab."""
        return BINDER_URL.format(file=self.filename)


LESSONS: tuple[Lesson, ...] = (
    Lesson(0, "welcome", "Welcome",
           "what a producer does, the stages of a production, how to listen",
           ("stages", "planning", "meters")),
    Lesson(1, "eq", "EQ",
           "frequency ranges, filters and Q, cutting and boosting, resonances, masking",
           ("eq",)),
    Lesson(2, "compression", "Compression",
           "threshold, ratio, knee, attack, release, makeup, parallel, sidechain, limiting",
           ("dynamics", "mix")),
    Lesson(3, "arrangement", "Arrangement",
           "sections, energy and contrast, layers, build-ups and drops, structure",
           ("arrange",)),
    Lesson(4, "workflow", "Workflow",
           "a song through every stage, demo to delivery; planning and budget",
           ("stages", "planning", "business", "editing", "mix", "master", "meters")),
    Lesson(5, "ear-training", "Ear training",
           "hearing EQ, level, dynamics, space and stereo changes, with drills that adapt to you",
           ("training",)),
    Lesson(6, "space", "Space",
           "reverb and delay: depth, pre-delay, sends and returns, tempo-synced delays, mono compatibility",
           ("space",)),
    Lesson(7, "beats", "Beats",
           "drum patterns on a step sequencer, swing and groove, kits, beats from house to trap",
           ("beats",)),
    Lesson(8, "recording", "Recording and editing",
           "microphones, distance and phase, recording levels; comping, crossfades, timing and tuning",
           ("recording", "editing")),
    Lesson(9, "mixing", "Mixing",
           "gain staging, balance and panning, EQ and compression in context, buses, references",
           ("mix", "meters")),
    Lesson(10, "mastering", "Mastering and delivery",
           "loudness and true peak for each platform, a mastering chain, delivery QC",
           ("master", "meters")),
    Lesson(11, "business", "The business",
           "the producer's roles, finding a producer, budgets, royalties and splits, a career in production",
           ("business",)),
    Lesson(12, "capstone", "Capstone",
           "the bundled song from demo to delivery: arrangement, comp and tuning, mix, master, QC, release report",
           ("capstone", "planning", "mix", "master")),
)


def _validate(lessons: tuple[Lesson, ...]) -> None:
    numbers = [lesson.number for lesson in lessons]
    if numbers != list(range(len(lessons))):
        raise ValueError(f"lessons must be numbered 0, 1, 2, ... in order (got {numbers})")
    slugs = [lesson.slug for lesson in lessons]
    if len(set(slugs)) != len(slugs):
        raise ValueError(f"two lessons share a slug: {sorted(s for s in slugs if slugs.count(s) > 1)}")


_validate(LESSONS)


def lesson(key: int | str) -> Lesson:
    """A lesson by number (``1``), code (``"01"``), slug (``"eq"``) or file name (``"01-eq"``, ``"01-eq.ipynb"``).

    Raises:
        KeyError: no lesson has that key; the message lists the lessons.

    Lesson: not yet taught
    """
    text = str(key).removesuffix(".ipynb").rsplit("/", 1)[-1]
    for item in LESSONS:
        if text in (item.code, item.slug, item.name) or (isinstance(key, int) and key == item.number):
            return item
    known = ", ".join(item.name for item in LESSONS)
    raise KeyError(f"no lesson {key!r}: the lessons are {known}")


def ready() -> tuple[Lesson, ...]:
    """The lessons whose notebooks exist, in course order.

    Lesson: not yet taught
    """
    return tuple(item for item in LESSONS if item.ready)


def next_lesson(item: Lesson) -> Lesson | None:
    """The lesson after ``item`` in the course (ready or coming), or None after the last one.

    Lesson: not yet taught
    """
    later = [other for other in LESSONS if other.number == item.number + 1]
    return later[0] if later else None


# --------------------------------------------------------------------------- what is generated

MARKERS = {
    "course-map": ("<!-- course-map:start -->", "<!-- course-map:end -->"),
    "next": ("<!-- next:start -->", "<!-- next:end -->"),
    "course-table": ("<!-- course-table:start -->", "<!-- course-table:end -->"),
    "lesson-list": ("<!-- lesson-list:start -->", "<!-- lesson-list:end -->"),
}
COMMAND = "make course-map"


def _block(kind: str, body: str) -> str:
    start, end = MARKERS[kind]
    return f"{start}\n{body.strip()}\n\n{end}"


def course_map(current: Lesson) -> str:
    """The markdown course map shown near the top of ``current``'s notebook (its row in bold).

    Lesson: not yet taught
    """
    rows = ["**The course**", "", "| | Lesson | You learn |", "|---|---|---|"]
    for item in LESSONS:
        if item == current:
            rows.append(f"| **{item.code}** | **[{item.title}]({item.filename})** | **{item.learn}** |")
        elif item.ready:
            rows.append(f"| {item.code} | [{item.title}]({item.filename}) | {item.learn} |")
        else:
            rows.append(f"| {item.code} | {item.title} *(coming)* | {item.learn} |")
    return _block("course-map", "\n".join(rows))


def next_link(current: Lesson) -> str:
    """The markdown link at the end of ``current``'s summary: the next lesson, or back to the start.

    Lesson: not yet taught
    """
    after = next_lesson(current)
    first = LESSONS[0]
    back = f"[Back to the start: {first.label} →]({first.filename})"
    if after is None:
        body = f"This is the last lesson of the course. {back}"
    elif after.ready:
        body = f"[Next: {after.label} →]({after.filename})"
    else:
        body = f"Next: **{after.label}** is coming soon. {back}"
    return _block("next", body)


def readme_table() -> str:
    """The README's course table: every lesson, a Binder launch link for each ready one.

    Lesson: not yet taught
    """
    rows = ["| Lesson | What you learn | Library modules | Launch |", "|---|---|---|---|"]
    for item in LESSONS:
        modules = ", ".join(f"`{m}`" for m in item.modules)
        if item.ready:
            rows.append(f"| [{item.label}](course/{item.filename}) | {item.learn} | {modules} | "
                        f"[Binder]({item.binder_url}) |")
        else:
            rows.append(f"| {item.label} | {item.learn} | {modules} | coming |")
    return _block("course-table", "\n".join(rows))


def teaching_list() -> str:
    """The lesson list in ``docs/teaching.md``: file, what it teaches, the library modules.

    Lesson: not yet taught
    """
    rows = []
    for item in LESSONS:
        modules = ", ".join(f"`{m}`" for m in item.modules)
        if item.ready:
            rows.append(f"- [{item.label}](../course/{item.filename}): {item.learn}. Library: {modules}.")
        else:
            rows.append(f"- {item.label} (coming): {item.learn}. Library: {modules}.")
    return _block("lesson-list", "\n".join(rows))


# --------------------------------------------------------------------------- rewriting the files


class StaleError(Exception):
    """A generated part is missing or out of date, and cannot be placed without a hand edit.

    Lesson: not yet taught
    """


def _replace_block(text: str, kind: str, block: str, where: str) -> str:
    start, end = MARKERS[kind]
    i, j = text.find(start), text.find(end)
    if i < 0 or j < i:
        raise StaleError(f"{where} has no {start} ... {end} markers: add them where the generated part belongs")
    return text[:i] + block + text[j + len(end):]


def _lines(text: str) -> list[str]:
    """A cell's source as nbformat stores it: lines with their newlines, the last without."""
    return text.splitlines(keepends=True)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _render_notebook(text: str, item: Lesson, where: str) -> str:
    nb = json.loads(text)
    cells = nb["cells"]
    markdown = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
    start = MARKERS["course-map"][0]
    holders = [i for i in markdown if start in _source(cells[i])]
    if holders:
        cell = cells[holders[0]]
        cell["source"] = _lines(_replace_block(_source(cell), "course-map", course_map(item), where))
    else:  # a new lesson: its own cell right after the title cell
        if not markdown or markdown[0] != 0:
            raise StaleError(f"{where} must start with a markdown title cell ('# {item.label}: ...')")
        cells.insert(1, {"cell_type": "markdown", "id": "course-map", "metadata": {},
                         "source": _lines(course_map(item))})
    start = MARKERS["next"][0]
    holders = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and start in _source(c)]
    if holders:
        cell = cells[holders[0]]
        cell["source"] = _lines(_replace_block(_source(cell), "next", next_link(item), where))
    else:
        summaries = [c for c in cells if c["cell_type"] == "markdown" and _source(c).startswith("## Summary")]
        if not summaries:
            raise StaleError(f"{where} has no '## Summary' cell for its Next link: add one at the end")
        summaries[-1]["source"] = _lines(_source(summaries[-1]).rstrip() + "\n\n" + next_link(item))
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def generated(root: str | Path = ".") -> dict[Path, str]:
    """Every generated file under the repository ``root`` and the text it should have.

    Raises:
        StaleError: a ready lesson's notebook is missing, a notebook is not in the registry, or a file
            lacks the markers that say where its generated part goes.

    Lesson: not yet taught
    """
    root = Path(root)
    course = root / "course"
    if not course.is_dir():
        raise StaleError(f"no course/ folder in {root.resolve()}: run this from the repository's top folder")
    out: dict[Path, str] = {}
    known = {item.filename for item in LESSONS if item.ready}
    for path in sorted(course.glob("[0-9]*.ipynb")):
        if path.name not in known:
            coming = [item for item in LESSONS if item.filename == path.name]
            why = "is marked as coming: set its status to 'ready'" if coming else "is not in the registry: add it"
            raise StaleError(f"course/{path.name} {why} in producerkit/lessons.py")
    for item in ready():
        path = course / item.filename
        if not path.exists():
            raise StaleError(f"course/{item.filename} is missing, but producerkit/lessons.py lists "
                             f"lesson {item.code} as ready: create the notebook or mark it as coming")
        out[path] = _render_notebook(path.read_text(encoding="utf-8"), item, f"course/{item.filename}")
    for rel, kind, block in (("README.md", "course-table", readme_table()),
                             ("docs/teaching.md", "lesson-list", teaching_list())):
        path = root / rel
        out[path] = _replace_block(path.read_text(encoding="utf-8"), kind, block, rel)
    return out


def stale(root: str | Path = ".") -> list[Path]:
    """The generated files under ``root`` whose text differs from what the registry makes.

    Lesson: not yet taught
    """
    return [path for path, text in generated(root).items() if path.read_text(encoding="utf-8") != text]


def write(root: str | Path = ".") -> list[Path]:
    """Rewrite every stale generated file under ``root`` (atomically); return the ones rewritten.

    Lesson: not yet taught
    """
    changed = []
    for path, text in generated(root).items():
        if path.read_text(encoding="utf-8") != text:
            from ._files import write_atomic

            write_atomic(path, text)
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m producerkit.lessons [--write | --check]``: list, rewrite or check the generated parts.

    Lesson: not yet taught
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m producerkit.lessons", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the generated parts that are out of date")
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated part is out of date")
    parser.add_argument("--root", default=".", help="the repository's top folder (default: here)")
    args = parser.parse_args(argv)
    try:
        if args.write:
            for path in write(args.root):
                print(f"rewrote {path}")
            return 0
        if args.check:
            old = stale(args.root)
            for path in old:
                print(f"{path} is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1 if old else 0
    except StaleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for item in LESSONS:
        print(f"{item.name:24} {item.status:7} {item.learn}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
