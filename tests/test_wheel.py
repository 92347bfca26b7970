"""The library outside the repo: build the wheel, install it into a fresh venv, use it from elsewhere.

The venv is made by this interpreter with ``--without-pip``; the wheel goes in with ``--no-deps``, and a
``.pth`` file then lets it see this environment's site-packages for numpy, librosa, jupyterlab and the
rest (installing those afresh would take minutes). The ``.pth`` names site-packages only, never the
repository, and is added after the install, so pip cannot mistake the editable producerkit for this one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What a build of the repository reads: the metadata files and the three mapped folders.
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "producerkit", "course", "datasets")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.tmp", "*.egg-info")

pytestmark = pytest.mark.slow


def _run(command, cwd, env, timeout=300):
    out = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{command} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}"
    return out.stdout


def _build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=IGNORE)
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(path, src / name)
    # offline with this environment's setuptools when it is new enough (the test extra asks for it)
    setuptools_major = int(metadata.version("setuptools").split(".")[0])
    isolation = ["--no-build-isolation"] if setuptools_major >= 77 else []
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(dist), str(src)],
         cwd=tmp, env=os.environ.copy())
    (wheel,) = dist.glob("producerkit-*.whl")
    return wheel


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
          str(wheel)], cwd=tmp, env=os.environ.copy())
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp, env={"PATH": os.environ["PATH"]}).strip())
    (site / "_reuse_test_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(tmp)
    venv = _fresh_venv(tmp, wheel)
    elsewhere = tmp / "elsewhere"
    (elsewhere / "home").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(elsewhere / "home"), NUMBA_CACHE_DIR=str(tmp / "numba-cache"),
               PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}")
    yield {"wheel": wheel, "venv": venv, "cwd": elsewhere, "env": env}
    shutil.rmtree(tmp, ignore_errors=True)  # three copies of the audio: do not keep them between runs


def _python(installed, code: str) -> str:
    return _run([str(installed["venv"] / "bin" / "python"), "-c", code], installed["cwd"], installed["env"])


def test_the_wheel_holds_every_module_the_course_and_the_audio(installed):
    with zipfile.ZipFile(installed["wheel"]) as whl:
        names = set(whl.namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "producerkit").rglob("*.py")
               if "__pycache__" not in p.parts}
    missing = sorted(modules - names)
    assert not missing, f"not in the wheel (list new subpackages in pyproject.toml [tool.setuptools]): {missing}"
    man = json.loads((ROOT / "datasets" / "manifest.json").read_text())
    audio = {f"producerkit/_data/datasets/{e['file']}" for e in man["files"].values()}
    lessons = {f"producerkit/_data/course/{p.name}" for p in (ROOT / "course").glob("*.ipynb")}
    extras = {f"producerkit/_data/datasets/{n}" for n in ("manifest.json", "LICENSE", "README.md")}
    assert not sorted((audio | lessons | extras) - names)
    assert {"producerkit/widgets/abplayer.js", "producerkit/widgets/abplayer.css"} <= names
    strays = sorted(n for n in names if not n.startswith(("producerkit/", "producerkit-")))
    assert not strays, f"the wheel carries files from outside the package: {strays}"


def test_the_installed_package_loads_the_session_from_its_own_files(installed):
    out = _python(installed, (
        "import json, producerkit\n"
        "from producerkit import course, datasets\n"
        "s = datasets.load_session(datasets.sessions()[0])\n"
        "print(json.dumps({'module': producerkit.__file__, 'data': str(datasets.DATASETS_DIR),\n"
        "    'course': str(course.source()), 'installed': course.is_installed_copy(), 'bpm': s.bpm,\n"
        "    'stems': {n: int(y.size) for n, y in s.stems.items()}}))"
    ))
    got = json.loads(out)
    venv = installed["venv"].resolve()
    for key in ("module", "data", "course"):
        assert Path(got[key]).resolve().is_relative_to(venv), f"{key} comes from {got[key]}, not the fresh venv"
    assert got["installed"] is True
    man = json.loads((ROOT / "datasets" / "manifest.json").read_text())
    assert got["stems"] and all(got["stems"][n] == man["files"][n]["frames"] for n in got["stems"])
    assert got["bpm"] == man["sessions"][next(iter(man["sessions"]))]["bpm"]


def test_producerkit_meter_measures_a_bundled_file(installed):
    from producerkit.audio import load
    from producerkit.meters import loudness

    site = _python(installed, "import producerkit.datasets as d; print(d.DATASETS_DIR)").strip()
    rel = json.loads((ROOT / "datasets" / "manifest.json").read_text())["files"]["kick"]["file"]
    out = _run(["producerkit", "meter", "--json", str(Path(site) / rel)], installed["cwd"], installed["env"])
    (row,) = json.loads(out)
    expected = loudness(*load(ROOT / "datasets" / rel))
    assert row["integrated_lufs"] == pytest.approx(expected.integrated_lufs, abs=1e-6)
    assert row["true_peak_dbtp"] == pytest.approx(expected.true_peak_dbtp, abs=1e-6)


def test_producerkit_course_twice_keeps_a_changed_notebook_and_lab_opens_it(installed):
    dest = installed["cwd"] / "my course"
    shipped = Path(_python(installed, "from producerkit import course; print(course.source())").strip())
    lessons = sorted(p.name for p in shipped.glob("*.ipynb"))
    assert len(lessons) >= 5
    first = _run(["producerkit", "course", str(dest)], installed["cwd"], installed["env"])
    assert all(f"copied    {name}" in first for name in lessons), first
    assert all((dest / n).read_bytes() == (shipped / n).read_bytes() for n in lessons)

    changed = dest / lessons[1]
    nb = json.loads(changed.read_text())
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": ["answer = 300"], "outputs": [],
                        "execution_count": 1})
    changed.write_text(json.dumps(nb))
    mine = changed.read_bytes()
    (dest / lessons[0]).unlink()

    second = _run(["producerkit", "course", str(dest)], installed["cwd"], installed["env"])
    assert changed.read_bytes() == mine
    assert f"skipped   {lessons[1]}" in second and f"copied    {lessons[0]}" in second, second
    assert (dest / lessons[0]).exists()

    # producerkit lab from the wheel: opens the student's folder (made on first use), not a checkout
    launched = _python(installed, (
        "import json, producerkit.cli as cli\n"
        "calls = []\n"
        "cli.subprocess.call = lambda command, cwd=None: calls.append([command, str(cwd)]) or 0\n"
        "code = cli.main(['lab', '--no-browser'])\n"
        "import importlib.util\n"
        "print(json.dumps({'code': code, 'calls': calls, 'lab': importlib.util.find_spec('jupyterlab') is not None}))"
    ))
    got = json.loads(launched.strip().splitlines()[-1])
    home_course = installed["cwd"] / "home" / "producerkit-course"
    (command, cwd), = got["calls"]
    assert got["code"] == 0 and got["lab"] and Path(cwd) == home_course
    assert command[1:3] == ["-m", "jupyterlab"] and command[3] == str(home_course / "00-welcome.ipynb")
    assert (home_course / "00-welcome.ipynb").exists()
