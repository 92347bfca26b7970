"""Run a lesson's cells in tests, by tag: the one way the test suite executes notebook code.

Every code cell of a lesson carries tags (see ``TAGS``). A test asks for the names the lesson builds
and gets them from the lesson's own cells, so the test and what students run cannot drift apart::

    from tests.lesson_cells import Expr, run_lesson

    ns = run_lesson("01-eq")            # what the lesson builds: its setup cells, exercises unanswered
    ns["keys_mud"], ns["sr"]
    ns = run_lesson("01-eq", upto="harsh_hz = ...", tags=("setup", "exercise", "check"),
                    answers={"mud_cut": Expr("Peak(315, gain_db=-9, q=1.2)")})
    ns["Out"][ns.cell_of("check_mud_cut(mud_cut)")].correct  # the checker's verdict, as the lesson shows it

A cell is named by its index, its cell id or text its source contains (the first cell that does).

``run_lesson`` caches what it ran, per lesson and choice of cells, so asking twice costs nothing; the
namespace it returns is a copy, but the objects in it are shared between tests: do not mutate them
(or pass ``cache=False``). ``infer_tags`` and ``missing_tags`` read what each cell does (from its code,
without running it) and say which tags a cell needs; the tagging test uses them.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from producerkit import lessons

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"

#: The cell tags every lesson uses (TEAM.md); a cell may carry several.
TAGS = ("setup", "exercise", "check", "widget", "claim", "figure")
#: Tags other tools read, allowed beside ours.
OTHER_TAGS = ("raises-exception", "nbval-ignore-output", "nbval-skip", "nbval-raises-exception")


@dataclass(frozen=True)
class Cell:
    """One code cell: its index among all the notebook's cells, source, tags and cell id."""

    index: int
    source: str
    tags: tuple[str, ...]
    id: str = ""

    @property
    def first_line(self) -> str:
        return self.source.strip().split("\n", 1)[0]

    def where(self, lesson: str) -> str:
        return f"{lesson} cell {self.index} ({self.first_line[:60]!r})"


@dataclass(frozen=True)
class Expr:
    """An answer given as code, evaluated in the lesson's namespace: ``Expr("Peak(315, gain_db=-9)")``."""

    code: str


class Namespace(dict):
    """The lesson's globals after its cells ran; ``ns["Out"]`` maps a cell's index to its displayed value."""

    lesson: str = ""
    cells: tuple[Cell, ...] = ()

    def cell_of(self, text: str) -> int:
        """The index of the first code cell whose source contains ``text``."""
        return _find(self.cells, text, self.lesson).index


def notebook_path(lesson: str | int) -> Path:
    """``course/NN-slug.ipynb`` for a registry key: ``"01-eq"``, ``"eq"``, ``1``."""
    return COURSE / lessons.lesson(lesson).filename


def code_cells(lesson: str | int) -> tuple[Cell, ...]:
    """The lesson's code cells, read from the notebook file now."""
    path = notebook_path(lesson)
    return _cells(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _cells(path: str, _mtime: int) -> tuple[Cell, ...]:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code":
            src = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            out.append(Cell(i, src, tuple(c.get("metadata", {}).get("tags", ())), c.get("id", "")))
    return tuple(out)


def notebook(lesson: str | int) -> dict:
    """The lesson's notebook as JSON (metadata, cells with their outputs)."""
    return json.loads(notebook_path(lesson).read_text(encoding="utf-8"))


def markdown_cells(lesson: str | int) -> list[str]:
    """The sources of the lesson's markdown cells, in order."""
    return ["".join(c["source"]) for c in notebook(lesson)["cells"] if c["cell_type"] == "markdown"]


def markdown(lesson: str | int) -> str:
    """All the lesson's markdown cells, joined by blank lines."""
    return "\n\n".join(markdown_cells(lesson))


def literal(lesson: str | int, name: str):
    """The literal value a lesson's code cell assigns to ``name`` (read, not run): e.g. its approved balance."""
    for cell in code_cells(lesson):
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
                return ast.literal_eval(node.value)
    raise LookupError(f"{name} is not assigned in {lessons.lesson(lesson).filename}")


def function(lesson: str | int, name: str):
    """A function the lesson defines, run without the rest of its cell: only the lesson's imports come first."""
    item = lessons.lesson(lesson)
    ns = _fresh(item.name)
    found = None
    for cell in code_cells(item.name):
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                exec(compile(ast.Module([node], []), f"<{item.filename} cell {cell.index}>", "exec"), ns)  # noqa: S102
            elif isinstance(node, ast.FunctionDef) and node.name == name and found is None:
                found = (node, cell.index)
    if found is None:
        raise LookupError(f"{name} is not defined in {item.filename}")
    exec(compile(ast.Module([found[0]], []), f"<{item.filename} cell {found[1]}>", "exec"), ns)  # noqa: S102
    return ns[name]


def _find(cells: Iterable[Cell], text: str, lesson: str) -> Cell:
    for cell in cells:
        if text in cell.source:
            return cell
    raise LookupError(f"no code cell of {lesson} contains {text!r}")


def select(lesson: str | int, *, tags: Iterable[str] | None = ("setup",), upto: int | str | None = None,
           start: int | str | None = None) -> tuple[Cell, ...]:
    """The code cells ``run_lesson`` runs: tagged with any of ``tags`` (None: all), from ``start``
    (a cell index or text in its source; included) up to ``upto`` (excluded)."""
    name = lessons.lesson(lesson).name
    cells = code_cells(lesson)
    lo = -1 if start is None else (start if isinstance(start, int) else _find(cells, start, name).index)
    hi = 10**9 if upto is None else (upto if isinstance(upto, int) else _find(cells, upto, name).index)
    wanted = None if tags is None else set(tags)
    unknown = (wanted or set()) - set(TAGS)
    if unknown:
        raise ValueError(f"unknown tags {sorted(unknown)}: the lesson tags are {TAGS}")
    return tuple(c for c in cells if lo <= c.index < hi and (wanted is None or wanted & set(c.tags)))


def run_lesson(lesson: str | int, *, tags: Iterable[str] | None = ("setup", "exercise"), upto: int | str | None = None,
               answers: Mapping[str, object] | None = None, cache: bool = True) -> Namespace:
    """Run the lesson's cells tagged with any of ``tags``, in order, up to ``upto``; return the namespace.

    Args:
        lesson: a registry key: ``"01-eq"``, ``"eq"`` or ``1``.
        tags: run cells carrying any of these tags; None runs every code cell. The default runs what
            the lesson builds with its exercises unanswered (a setup cell may read a student's answer).
        upto: stop before this cell: an index, or text its source contains (the first such cell).
        answers: ``{name: value}`` replaces the exercise's ``name = ...`` with the value (an :class:`Expr`
            is evaluated in the namespace), as if the student had typed it.
        cache: reuse (a copy of) an earlier run of the same cells.
    """
    item = lessons.lesson(lesson)
    chosen = select(item.name, tags=tags, upto=upto)
    answers = dict(answers or {})
    if answers:
        assigned = {n for c in chosen if "exercise" in c.tags for n in _assigned(c.source)}
        unknown = set(answers) - assigned
        if unknown:
            raise KeyError(f"{item.name} has no exercise cell (among those run) that assigns {sorted(unknown)}")
        first = next(i for i, c in enumerate(chosen)
                     if "exercise" in c.tags and set(_assigned(c.source)) & set(answers))
        ns = _run(item.name, chosen[:first], {}, cache)
        return _run_from(item.name, ns, chosen[first:], answers)
    return _run(item.name, chosen, {}, cache)


def run_cells(lesson: str | int, cells: Iterable[str | int], namespace: dict | None = None) -> tuple[dict, object]:
    """Run the named code cells, in the order given, in ``namespace`` (a fresh one if None; used in place).

    Each cell is named by its cell id, its index, or text its source contains (the first such cell).
    Returns ``(namespace, value)``: the value the last cell displays (its final expression), or None.
    """
    item = lessons.lesson(lesson)
    chosen = [_cell(item.name, key) for key in cells]
    ns = _fresh(item.name) if namespace is None else namespace
    ns.setdefault("Out", {})
    _run_from(item.name, ns, chosen, {})
    return ns, (ns["Out"].get(chosen[-1].index) if chosen else None)


def _cell(lesson: str, key: str | int) -> Cell:
    cells = code_cells(lesson)
    for cell in cells:
        if key in (cell.id, cell.index):
            return cell
    if isinstance(key, str):
        return _find(cells, key, lesson)
    raise LookupError(f"{lesson} has no code cell {key!r}")


def _run(name: str, cells: tuple[Cell, ...], answers: dict, cache: bool) -> Namespace:
    if cache:
        return _copy(_cached(name, cells))
    return _run_from(name, _fresh(name), cells, answers)


@lru_cache(maxsize=8)
def _cached(name: str, cells: tuple[Cell, ...]) -> Namespace:
    return _run_from(name, _fresh(name), cells, {})


def _fresh(name: str) -> Namespace:
    ns = Namespace(__name__="__main__", Out={})
    ns.lesson, ns.cells = name, code_cells(name)
    ns["display"] = _Display(ns)
    return ns


def _copy(ns: Namespace) -> Namespace:
    out = Namespace(ns)
    out["Out"] = dict(ns["Out"])
    out["display"] = _Display(out)
    out.lesson, out.cells = ns.lesson, ns.cells
    return out


class _Display:
    """Stands in for IPython's ``display``: keeps what a cell shows in ``ns["displayed"]``."""

    def __init__(self, ns: Namespace):
        self.ns = ns

    def __call__(self, *objs, **_kw):
        self.ns.setdefault("displayed", []).extend(objs)


def _run_from(name: str, ns: Namespace, cells: Iterable[Cell], answers: Mapping[str, object]) -> Namespace:
    for cell in cells:
        ns["Out"].pop(cell.index, None)
        tree = ast.parse(cell.source, filename=f"{name}.ipynb")
        body = tree.body
        for k, stmt in enumerate(body):
            target = _single_target(stmt)
            if target in answers and "exercise" in cell.tags:
                value = answers[target]
                ns[target] = eval(value.code, ns) if isinstance(value, Expr) else value  # noqa: S307
                continue
            label = f"<{name}.ipynb cell {cell.index}>"
            if k == len(body) - 1 and isinstance(stmt, ast.Expr):
                value = eval(compile(ast.Expression(stmt.value), label, "eval"), ns)  # noqa: S307
                if value is not None:
                    ns["Out"][cell.index] = value
            else:
                exec(compile(ast.Module([stmt], []), label, "exec"), ns)  # noqa: S102 - the lesson's own cells
    return ns


def exercise_names(lesson: str | int) -> list[str]:
    """The names the lesson's exercise cells assign (the student's answers), in order."""
    return [n for c in select(lesson, tags=("exercise",)) for n in _assigned(c.source)]


def _single_target(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    return None


def _assigned(source: str) -> list[str]:
    return [t for t in (_single_target(s) for s in ast.parse(source).body) if t]


# --------------------------------------------------------------------------- what each cell does


def _is_ellipsis(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(node))


def _calls(tree: ast.AST, top_level_only: bool = True):
    """Calls in the cell, outside function and class bodies when ``top_level_only``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if top_level_only and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                                             | ast.Lambda):
                continue
            if isinstance(child, ast.Call):
                yield child
            stack.append(child)


def _func_name(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


def _bound(tree: ast.Module) -> set[str]:
    """Names a cell binds for later cells: assignments, imports, defs, loop and with targets."""
    names: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
            continue
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _loads(node: ast.AST, local: frozenset[str] = frozenset()) -> set[str]:
    """Names ``node`` reads, leaving out those a comprehension or lambda inside it binds for itself."""
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        local = local | {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
    elif isinstance(node, ast.Lambda):
        local = local | {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) and node.id not in local else set()
    return set().union(*(_loads(child, local) for child in ast.iter_child_nodes(node)))


def _stores(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _used(tree: ast.Module) -> set[str]:
    """Names a cell reads before it binds them itself: what it takes from the cells above it.

    Statements are followed in the order they run (an assignment's value before its target, a loop's
    iterable before its variable), so ``for name in ...`` or ``[n for n in ...]`` take nothing from an
    earlier cell, while ``total = total + 1`` does.
    """
    free: set[str] = set()
    bound: set[str] = set()

    def read(node) -> None:
        free.update(_loads(node) - bound)

    def run(body) -> None:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for part in (*stmt.decorator_list, *getattr(stmt, "bases", ()),
                             *(getattr(stmt, "args", None) and (*stmt.args.defaults, *stmt.args.kw_defaults) or ())):
                    if part is not None:
                        read(part)
                args = getattr(stmt, "args", None)
                params = {a.arg for a in ast.walk(args) if isinstance(a, ast.arg)} if args else set()
                inner = set().union(*(_loads(b) for b in stmt.body)) - params - set().union(
                    *(_stores(b) for b in stmt.body))
                free.update(inner - bound)
                bound.add(stmt.name)
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                bound.update((a.asname or a.name).split(".")[0] for a in stmt.names)
            elif isinstance(stmt, ast.For | ast.AsyncFor):
                read(stmt.iter)
                read(stmt.target)
                bound.update(_stores(stmt.target))
                run(stmt.body)
                run(stmt.orelse)
            elif isinstance(stmt, ast.If | ast.While):
                read(stmt.test)
                run(stmt.body)
                run(stmt.orelse)
            elif isinstance(stmt, ast.With | ast.AsyncWith):
                for item in stmt.items:
                    read(item.context_expr)
                    if item.optional_vars is not None:
                        bound.update(_stores(item.optional_vars))
                run(stmt.body)
            elif isinstance(stmt, ast.Try):
                run(stmt.body)
                for handler in stmt.handlers:
                    if handler.type is not None:
                        read(handler.type)
                    if handler.name:
                        bound.add(handler.name)
                    run(handler.body)
                run(stmt.orelse)
                run(stmt.finalbody)
            elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
                if stmt.value is not None:
                    read(stmt.value)
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    read(target)  # the container of a[i] = ..., obj.x = ...
                    if isinstance(stmt, ast.AugAssign) and isinstance(target, ast.Name):
                        free.update({target.id} - bound)  # x += 1 reads x first
                    bound.update(_stores(target))
            else:
                read(stmt)

    run(tree.body)
    return free


def _check_calls(tree: ast.Module) -> list[ast.Call]:
    return [c for c in _calls(tree) if _func_name(c).startswith("check_")]


def _judges(call: ast.Call, answers: set[str]) -> bool:
    """Whether a ``check_*`` call judges an exercise: it reads a name an exercise cell assigns."""
    args = [*call.args, *(k.value for k in call.keywords)]
    return any(isinstance(n, ast.Name) and n.id in answers for a in args for n in ast.walk(a))


def _acts_on(node: ast.expr, bound: dict[str, str]) -> bool:
    """``player.set_audio(...)`` or ``blind.abx_score``: a method or attribute of a widget the lesson made."""
    if isinstance(node, ast.Call):
        node = node.func
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and bound.get(node.value.id) == "widget")


def _is_exercise(tree: ast.Module) -> bool:
    return any(isinstance(s, ast.Assign) and _is_ellipsis(s.value) for s in tree.body)


def _shown(tree: ast.Module) -> list[ast.expr]:
    """The expressions a cell displays: its last expression and what it passes to ``display``."""
    out = [c.args[0] for c in _calls(tree) if _func_name(c) == "display" and c.args]
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1].value
        if not (isinstance(last, ast.Call) and _func_name(last) in ("print", "display")):
            out.append(last)
    return out


def _makes(node: ast.expr, kinds: set[str], bound: dict[str, str], kind: str, modules: set[str]) -> bool:
    """Whether ``node`` evaluates to a ``kind`` ("widget" or "figure") by what the lesson's code says."""
    if isinstance(node, ast.Name):
        return bound.get(node.id) == kind
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    name = _func_name(node)
    if kind == "widget":
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in modules:
            return f.attr[:1].isupper()  # widgets.VBox(...), widgets.IntSlider(...), pkw.ABPlayer(...)
        return name in kinds
    if name == "show" and isinstance(f, ast.Attribute):  # fig.show()
        return _makes(f.value, kinds, bound, kind, modules)
    return name.endswith("figure") or name in ("make_subplots", "Figure", "FigureWidget")


def infer_tags(cells: tuple[Cell, ...]) -> dict[int, set[str]]:
    """The tags each code cell needs, read from the lesson's code (cell index -> tags).

    setup: binds a name a later cell reads · exercise: assigns ``...`` (the student's answer) ·
    check: calls a ``check_*`` function · widget: displays an ipywidget or a producerkit widget ·
    figure: displays a plotly figure · claim: prints or displays anything else the prose describes.
    """
    trees = {c.index: ast.parse(c.source) for c in cells}
    widget_classes: set[str] = set()
    widget_modules: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("producerkit.widgets"):
                widget_classes.update(a.asname or a.name for a in node.names if a.name[:1].isupper())
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "ipywidgets" or (a.name == "producerkit.widgets" and a.asname):
                        widget_modules.add(a.asname or a.name)
            if isinstance(node, ast.ImportFrom) and node.module == "producerkit":
                widget_modules.update(a.asname or a.name for a in node.names if a.name == "widgets")
    bound: dict[str, str] = {}  # name -> "widget" / "figure", in cell order
    answers: set[str] = set()  # the names exercise cells assign
    tags: dict[int, set[str]] = {}
    for cell in cells:
        tree = trees[cell.index]
        if _is_exercise(tree):
            answers |= {t for t in (_single_target(s) for s in tree.body) if t}
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign):
                for kind in ("widget", "figure"):
                    if _makes(stmt.value, widget_classes, bound, kind, widget_modules):
                        for t in stmt.targets:
                            if isinstance(t, ast.Name):
                                bound[t.id] = kind
        found = set()
        if _is_exercise(tree):
            found.add("exercise")
        checks = _check_calls(tree)
        if any(_judges(c, answers) for c in checks):
            found.add("check")
        shown = _shown(tree)

        def widget(e):
            return _makes(e, widget_classes, bound, "widget", widget_modules) or _acts_on(e, bound)

        def figure(e):
            return _makes(e, widget_classes, bound, "figure", widget_modules)

        if any(widget(e) for e in shown):
            found.add("widget")
        if any(figure(e) for e in shown):
            found |= {"figure", "claim"}
        prints = any(_func_name(c) == "print" for c in _calls(tree))
        others = [e for e in shown if not widget(e) and not figure(e)]
        if "check" not in found and (prints or others):
            found.add("claim")
        tags[cell.index] = found
    later_uses: set[str] = set()  # names a later cell reads that no cell between binds again
    for cell in reversed(cells):
        tree = trees[cell.index]
        mine = _bound(tree)
        if "exercise" not in tags[cell.index] and mine & later_uses:
            tags[cell.index].add("setup")
        later_uses = (later_uses - mine) | _used(tree)
    return tags


def needed_by_later(cells: tuple[Cell, ...], index: int) -> list[tuple[str, int]]:
    """``(name, cell index)`` pairs: names cell ``index`` binds and the first later cell that reads each."""
    trees = {c.index: ast.parse(c.source) for c in cells}
    mine = _bound(trees[index])
    out = []
    for name in sorted(mine):
        for c in cells:
            if c.index <= index:
                continue
            if name in _used(trees[c.index]):
                out.append((name, c.index))
                break
            if name in _bound(trees[c.index]):
                break  # bound again before anyone read it
    return out


def missing_tags(lesson: str | int, cells: tuple[Cell, ...] | None = None) -> list[str]:
    """What a lesson's tags lack, one line per cell: which cell (index and first line) needs which tag."""
    name = lessons.lesson(lesson).name
    cells = code_cells(lesson) if cells is None else cells
    need = infer_tags(cells)
    problems = []
    if not any("setup" in c.tags for c in cells):
        problems.append(f"{name} has no cell tagged 'setup': tag the cells that build what later cells use")
    previous: Cell | None = None
    for cell in cells:
        where = cell.where(name)
        have = set(cell.tags)
        for tag in sorted(have - set(TAGS) - set(OTHER_TAGS)):
            problems.append(f"{where}: unknown tag {tag!r}; the lesson tags are {', '.join(TAGS)}")
        if not have & set(TAGS):
            problems.append(f"{where}: no tag; give it one of {', '.join(TAGS)} "
                            f"(it looks like: {', '.join(sorted(need[cell.index])) or 'nothing - is it needed?'})")
        for tag in ("check", "exercise", "widget", "figure"):
            if tag in need[cell.index] and tag not in have:
                problems.append(f"{where}: needs tag {tag!r}")
        if "setup" in need[cell.index] and "setup" not in have:
            uses = ", ".join(f"{n} (cell {i})" for n, i in needed_by_later(cells, cell.index)[:3])
            problems.append(f"{where}: needs tag 'setup': later cells read what it builds: {uses}")
        if "check" in have and "exercise" not in have and (previous is None or "exercise" not in previous.tags):
            problems.append(f"{where}: a check must follow its exercise: tag the answer cell before it 'exercise'")
        previous = cell
    return problems


def cells_where(lesson: str | int, predicate: Callable[[Cell], bool]) -> list[Cell]:
    """The lesson's code cells for which ``predicate`` is true."""
    return [c for c in code_cells(lesson) if predicate(c)]
