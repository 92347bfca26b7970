"""Run a few of a lesson's own cells, by cell id, and return what the last one shows.

A minimal runner for the claim tests (tests/test_claims_*.py): the cells are executed as written
in the committed notebook, in one namespace, so a test measures exactly the figure or the audio
the student sees. The last cell's final expression is returned, as Jupyter would display it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

COURSE = Path(__file__).resolve().parents[1] / "course"


def run_cells(lesson: str, ids: list[str], namespace: dict | None = None):
    """Execute the code cells ``ids`` of ``course/<lesson>`` in order; return ``(namespace, last value)``."""
    nb = nbformat.read(COURSE / lesson, as_version=4)
    cells = {cell.get("id"): cell for cell in nb.cells if cell.cell_type == "code"}
    missing = [i for i in ids if i not in cells]
    assert not missing, f"{lesson} has no code cell with id {missing}: the claim test names cells by id"
    ns = {} if namespace is None else namespace
    value = None
    for cell_id in ids:
        tree = ast.parse(cells[cell_id].source)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = ast.Module(body=tree.body[:-1] if last else tree.body, type_ignores=[])
        exec(compile(body, f"{lesson}:{cell_id}", "exec"), ns)  # noqa: S102 - the lesson's own code
        value = eval(compile(ast.Expression(last.value), f"{lesson}:{cell_id}", "eval"), ns) if last else None
    return ns, value
