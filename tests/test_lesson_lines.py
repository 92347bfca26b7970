"""Every public symbol's ``Lesson:`` line is true: it names lessons whose code really uses it.

A docstring says where its symbol is taught in exactly one of three ways::

    Lesson: course/02-compression.ipynb     one lesson
    Lessons: 00, 04                         several lessons, by number
    Lesson: not yet taught                  no lesson uses it yet

A lesson *uses* a symbol when a code cell of ``course/NN-*.ipynb`` names it: an import, a name, or
an attribute reached from an imported module (``pk.EQ``, ``eq.Peak``), all resolved to the object
itself, so a re-export (``from producerkit.checks import check_eq``) counts for the function it
names. A method counts by attribute name (``comp.process(...)``) where the lesson also uses its
class, and a class also counts where the lesson uses something annotated to return it
(``Compressor.process -> DynamicsResult``, ``load_session -> Session``).

Every public class and function of every public module must carry one line; modules and public
methods may, and where they do it must be true as well. "not yet taught" must also stay true: the
test fails as soon as a lesson starts using such a symbol, so the line gets updated with it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import pytest

import producerkit

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"

_ONE = re.compile(r"^Lesson: course/(\d\d)-[\w-]+\.ipynb$")
_MANY = re.compile(r"^Lessons: (\d\d(?:, \d\d)+)$")
_NONE = "Lesson: not yet taught"


# --------------------------------------------------------------------------- the library's symbols


@dataclass(frozen=True)
class Symbol:
    where: str  # "producerkit.eq.Peak" or "producerkit.eq.Band.sos"
    obj: object
    required: bool  # public classes and functions must have a line; modules and methods may
    method_name: str | None = None
    owner: type | None = None  # the class a method is defined in


def _public_modules() -> list:
    modules = [producerkit]
    for info in pkgutil.walk_packages(producerkit.__path__, "producerkit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


@cache
def symbols() -> tuple[Symbol, ...]:
    found = []
    for module in _public_modules():
        found.append(Symbol(module.__name__, module, required=False))
        for name, obj in sorted(vars(module).items()):
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            found.append(Symbol(f"{module.__name__}.{name}", obj, required=True))
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    func = member.fget if isinstance(member, property) else member
                    if isinstance(func, staticmethod | classmethod):
                        func = func.__func__
                    if not attr.startswith("_") and inspect.isfunction(func):
                        found.append(Symbol(f"{module.__name__}.{name}.{attr}", func, False, attr, obj))
    return tuple(found)


def lesson_lines(doc: str | None) -> list[str]:
    """The docstring's lines that try to say where it is taught (well formed or not)."""
    return [line.strip() for line in (doc or "").splitlines() if re.match(r"\s*Lessons?\b\s*:", line)]


def named_lessons(line: str) -> set[str] | None:
    """Lesson numbers a well-formed line names ("not yet taught" is the empty set); None if malformed."""
    if line == _NONE:
        return set()
    if m := _ONE.match(line):
        return {m.group(1)}
    if m := _MANY.match(line):
        numbers = m.group(1).split(", ")
        return set(numbers) if len(set(numbers)) == len(numbers) and numbers == sorted(numbers) else None
    return None


def line_for(lessons: set[str]) -> str:
    """The line a symbol used by ``lessons`` should carry."""
    if not lessons:
        return _NONE
    if len(lessons) == 1:
        (number,) = lessons
        return f"Lesson: course/{notebooks()[number].name}"
    return "Lessons: " + ", ".join(sorted(lessons))


# --------------------------------------------------------------------------- what the lessons use


@cache
def notebooks() -> dict[str, Path]:
    return {p.name[:2]: p for p in sorted(COURSE.glob("[0-9][0-9]-*.ipynb"))}


def _code(path: Path) -> ast.Module:
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    body = []
    for i, source in enumerate(cells):
        kept = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        try:
            body.extend(ast.parse(kept).body)
            body.extend(_exercise_hints(source))
        except SyntaxError as exc:  # pragma: no cover - the notebook tests report it properly
            raise AssertionError(f"{path.name}: code cell {i + 1} does not parse: {exc}") from None
    return ast.Module(body=body, type_ignores=[])


_EXERCISE_HINT = re.compile(r"^\s*\w+ = \.\.\.\s*#\s*(.+)$")


def _exercise_hints(source: str) -> list[ast.stmt]:
    """The call an exercise's comment shows, ``x = ...  # editing.remove_hum(y, sr, freq=...)``: the lesson
    teaches it (the student types it), so it counts as a use. Comments that are not code are skipped."""
    found = []
    for line in source.splitlines():
        match = _EXERCISE_HINT.match(line)
        if match:
            try:
                found.extend(ast.parse(match.group(1).strip()).body)
            except SyntaxError:
                continue
    return found


def _chain(node) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None when the chain does not start at a plain name."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(names)]


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@dataclass(frozen=True)
class Uses:
    objects: frozenset[int]  # id() of every producerkit object a lesson's code reaches by name
    attributes: frozenset[str]  # every attribute name it reads (for methods)


@cache
def uses(number: str) -> Uses:
    tree = _code(notebooks()[number])
    bound: dict[str, object] = {}  # names bound by `import producerkit...` / `from producerkit... import`
    reached: list[object] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "producerkit":
                    continue
                module = _import(alias.name)
                if alias.asname:
                    bound[alias.asname] = module
                else:
                    bound["producerkit"] = producerkit
                reached.append(module)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "producerkit":
            source = _import(node.module)
            for alias in node.names:
                obj = getattr(source, alias.name, None) or _import(f"{node.module}.{alias.name}")
                bound[alias.asname or alias.name] = obj
                reached.append(obj)
                reached.append(source)
    attributes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attributes.add(node.attr)
        chain = _chain(node) if isinstance(node, ast.Attribute | ast.Name) else None
        if chain and chain[0] in bound:
            obj = bound[chain[0]]
            for attr in chain[1:]:
                obj = getattr(obj, attr, None)
                if obj is None:
                    break
                reached.append(obj)
    # a method counts where its name is read and its class (or a subclass, or a parent) is used; a class
    # counts where something used is annotated to return it (looked up where that is defined)
    for _ in range(3):
        classes = [o for o in reached if inspect.isclass(o)]
        methods = [s.obj for s in symbols() if s.method_name in attributes
                   and any(issubclass(c, s.owner) or issubclass(s.owner, c) for c in classes)]
        reached += methods
        for func in [o for o in reached if inspect.isfunction(o)]:
            annotation = func.__annotations__.get("return")
            for word in re.findall(r"\w+", annotation) if isinstance(annotation, str) else ():
                if inspect.isclass(found := func.__globals__.get(word)) and found not in reached:
                    reached.append(found)
    for obj in list(reached):  # a module counts as used when anything of it is
        module = inspect.getmodule(obj)
        if module is not None:
            reached.append(module)
    return Uses(frozenset(id(o) for o in reached if o is not None), frozenset(attributes))


def lessons_using(sym: Symbol) -> set[str]:
    found = set()
    for number in notebooks():
        used = uses(number)
        if id(sym.obj) in used.objects:
            found.add(number)
    return found


# --------------------------------------------------------------------------- the tests


def _problems(sym: Symbol) -> str | None:
    doc = inspect.getdoc(sym.obj) if not inspect.ismodule(sym.obj) else sym.obj.__doc__
    lines = lesson_lines(doc)
    if not lines:
        if not sym.required:
            return None
        return f"{sym.where}: no lesson line; add {line_for(lessons_using(sym))!r}"
    if len(lines) > 1:
        return f"{sym.where}: {len(lines)} lesson lines {lines}; keep one: {line_for(lessons_using(sym))!r}"
    named = named_lessons(lines[0])
    if named is None:
        return (f"{sym.where}: {lines[0]!r} is not 'Lesson: course/NN-x.ipynb', 'Lessons: 00, 07' or "
                f"'{_NONE}'; here it would be {line_for(lessons_using(sym))!r}")
    missing = sorted(n for n in named if n not in notebooks())
    if missing:
        return f"{sym.where}: {lines[0]!r} names lesson {', '.join(missing)}, which has no notebook in course/"
    if _ONE.match(lines[0]) and lines[0] != line_for(named):
        return f"{sym.where}: {lines[0]!r} names a notebook that is not in course/; it is {line_for(named)!r}"
    using = lessons_using(sym)
    if not named and using:
        return f"{sym.where}: says not yet taught, but lesson(s) {', '.join(sorted(using))} use it: {line_for(using)!r}"
    unused = sorted(named - using)
    if unused:
        return (f"{sym.where}: {lines[0]!r} names lesson(s) {', '.join(unused)} whose code never uses it; "
                f"the true line is {line_for(using)!r}")
    return None


def test_the_course_has_lessons_and_the_walk_finds_the_library():
    assert len(notebooks()) >= 5
    names = {s.where for s in symbols()}
    assert {"producerkit.eq.Peak", "producerkit.dynamics.Compressor", "producerkit.eq.Band.sos"} <= names


def test_usage_is_found_through_imports_attributes_and_return_types():
    peak = next(s for s in symbols() if s.where == "producerkit.eq.Peak")
    assert "01" in lessons_using(peak)
    result = next(s for s in symbols() if s.where == "producerkit.dynamics.DynamicsResult")
    assert "02" in lessons_using(result)  # comp.process(...) returns it
    hum = next(s for s in symbols() if s.where == "producerkit.editing.remove_hum")
    assert "04" in lessons_using(hum)  # named only in the exercise's comment: the call the student types


def test_the_line_grammar():
    assert named_lessons("Lesson: course/02-compression.ipynb") == {"02"}
    assert named_lessons("Lessons: 00, 07") == {"00", "07"}
    assert named_lessons(_NONE) == set()
    for bad in ("Lesson: 02", "Lessons: 07, 00", "Lessons: 02", "Lesson: course/2-eq.ipynb", "Lessons: 00, 00"):
        assert named_lessons(bad) is None, bad


@pytest.mark.parametrize("module", sorted({s.where.split(".")[1] if "." in s.where else "" for s in symbols()}))
def test_every_lesson_line_is_true(module):
    prefix = f"producerkit.{module}" if module else "producerkit"
    mine = [s for s in symbols() if s.where == prefix or s.where.startswith(prefix + ".")]
    if module == "":
        mine = [s for s in symbols() if s.where == "producerkit"]
    problems = [p for s in mine if (p := _problems(s))]
    assert not problems, "\n".join(problems)
