"""The package as a whole: fast import, every module an attribute, lazy top-level names, clean notebooks.

That every public symbol names the lessons that use it is tests/test_lesson_lines.py's job.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import producerkit

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("librosa", "numba", "plotly", "ipywidgets", "anywidget", "matplotlib")


def _fresh_python(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_import_producerkit_takes_under_0_3_s_and_loads_nothing_heavy():
    code = (
        "import sys, time\n"
        "t = time.perf_counter(); import producerkit; dt = time.perf_counter() - t\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(dt, ','.join(heavy))"
    )
    runs = [_fresh_python(code).split(" ") for _ in range(3)]
    best = min(float(r[0]) for r in runs)
    assert best < 0.3, f"import producerkit took {best:.3f} s"
    assert all(r[1] == "" for r in runs if len(r) > 1), runs


@pytest.mark.parametrize("module", ["audio", "signals", "eq", "meters", "dynamics", "space", "mix", "master"])
def test_dsp_modules_import_without_widgets_or_plotting(module):
    if not (ROOT / "producerkit" / f"{module}.py").exists():
        pytest.fail(f"producerkit/{module}.py is missing")
    loaded = _fresh_python(
        f"import sys, producerkit.{module}\n"
        "print(','.join(m for m in ('ipywidgets', 'anywidget', 'plotly', 'producerkit.widgets') if m in sys.modules))"
    )
    assert loaded == "", f"producerkit.{module} imported {loaded} at import time"


def test_submodules_load_lazily_from_the_top_level():
    assert producerkit.audio.__name__ == "producerkit.audio"
    assert "signals" in dir(producerkit)
    with pytest.raises(AttributeError):
        producerkit.not_a_module  # noqa: B018


# Every module pkgutil finds in the package, each reached by attribute access alone from a freshly
# imported producerkit (its earlier imports purged from sys.modules), so no other import makes it an
# attribute by the side effect of importing it.
_WALK = """
import importlib, pkgutil, sys
import producerkit
names = sorted(m.name for m in pkgutil.walk_packages(producerkit.__path__, "producerkit."))
unreachable = []
for name in names:
    for key in [k for k in sys.modules if k == "producerkit" or k.startswith("producerkit.")]:
        del sys.modules[key]
    obj = importlib.import_module("producerkit")
    try:
        for part in name.split(".")[1:]:
            obj = getattr(obj, part)
    except AttributeError as exc:
        unreachable.append(f"{name}: {exc}")
        continue
    if getattr(obj, "__name__", None) != name:
        unreachable.append(f"{name}: the attribute is {obj!r}")
    parent, _, child = name.rpartition(".")
    if not child.startswith("_") and child not in dir(sys.modules[parent]):
        unreachable.append(f"{name}: missing from dir({parent})")
print(len(names))
print("\\n".join(unreachable))
"""


def test_every_module_in_the_package_is_reachable_as_an_attribute():
    out = _fresh_python(_WALK).split("\n")
    modules, unreachable = int(out[0]), [line for line in out[1:] if line]
    expected = {p.stem for p in (ROOT / "producerkit").glob("*.py")} | {"checks", "widgets"}
    assert modules >= len(expected) + 5, f"pkgutil found only {modules} modules"
    assert not unreachable, "\n".join(unreachable)


TOP_LEVEL = {
    "EQ": "eq",
    "Peak": "eq",
    "Compressor": "dynamics",
    "Limiter": "dynamics",
    "Reverb": "space",
    "Delay": "space",
    "loudness": "meters",
    "true_peak": "meters",
    "load": "audio",
    "save": "audio",
}


def test_the_most_used_names_are_at_the_top_level_and_load_on_first_use():
    code = (
        "import importlib, sys\n"
        "import producerkit as pk\n"
        f"top = {TOP_LEVEL!r}\n"
        "early = sorted({m for m in top.values() if 'producerkit.' + m in sys.modules})\n"
        "listed = sorted(set(top) - set(dir(pk)))\n"
        "wrong = sorted(n for n, m in top.items() if getattr(pk, n) is not getattr(importlib.import_module("
        "'producerkit.' + m), n))\n"
        "print(early, listed, wrong)"
    )
    assert _fresh_python(code) == "[] [] []"


def test_notebooks_are_committed_without_outputs():
    dirty = []
    for nb_path in sorted((ROOT / "course").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text())
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
                dirty.append(f"{nb_path.name} cell {i}")
    assert not dirty, "strip outputs (jupyter nbconvert --clear-output --inplace): " + ", ".join(dirty)


def test_ci_script_runs_make_test_and_fails_when_it_fails():
    script = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script and "make test" in script
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_the_readme_example_runs(capsys):
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    exec(compile(block, "README.md", "exec"), {})
    assert "LUFS" in capsys.readouterr().out


def test_every_checker_name_belongs_to_one_lesson():
    from producerkit import checks

    names = [n for n in dir(checks) if n.startswith("check_")]
    assert len(names) == len(set(names)) and len(names) >= 15
