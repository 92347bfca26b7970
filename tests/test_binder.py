"""Binder configuration: pins within pyproject's ranges, the files repo2docker reads, launch links."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, version = line.partition("==")
        assert version, f"binder/requirements.txt: {line!r} is not pinned with =="
        pins[canonicalize_name(name)] = version
    return pins


def _runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"]]


def test_every_runtime_dependency_is_pinned_inside_its_pyproject_range():
    pins = _pins()
    drift = []
    for req in _runtime_requirements():
        name = canonicalize_name(req.name)
        if name not in pins:
            drift.append(f"{req.name} is not pinned in binder/requirements.txt")
        elif not req.specifier.contains(pins[name], prereleases=True):
            drift.append(f"{req.name}=={pins[name]} is outside pyproject's {req.specifier}")
    assert not drift, "; ".join(drift) + " (run `make pins`)"


def test_the_pins_are_what_this_test_run_uses():
    """The suite runs with binder/requirements.txt as constraints, so pins and tested versions agree."""
    mismatched = []
    for name, version in _pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            mismatched.append(f"{name} pinned but not installed")
            continue
        if installed != version:
            mismatched.append(f"{name}: pinned {version}, tested with {installed}")
    assert not mismatched, "; ".join(mismatched) + " (run `make pins` after upgrading)"


def test_notebook_runner_is_pinned_for_make_test_binder():
    assert {"nbval", "pytest", "pytest-xdist", "jupyterlab", "ipykernel"} <= set(_pins())


def test_runtime_is_python_3_12():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.12"


def test_postbuild_fails_fast_installs_the_package_and_opens_the_welcome_lesson():
    script = (BINDER / "postBuild").read_text()
    first_command = next(
        line for line in script.splitlines() if line.strip() and not line.startswith("#")
    )
    assert first_command.strip() == "set -e"
    assert re.search(r"pip install .*-e \.", script)
    assert "/lab/tree/course/00-welcome.ipynb" in script
    assert (BINDER / "postBuild").stat().st_mode & 0o111


def test_readme_has_a_binder_badge_and_a_launch_link_per_lesson():
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/badge_logo.svg" in readme
    for nb in sorted((ROOT / "course").glob("*.ipynb")):
        assert f"urlpath=lab/tree/course/{nb.name}" in readme, f"no Binder link for {nb.name}"
