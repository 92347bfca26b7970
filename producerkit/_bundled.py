"""Where the course and the session audio are: inside the installed package, or beside it in a checkout.

A wheel carries them as package data under ``producerkit/_data/`` (pyproject.toml maps the repository's
top-level ``course/`` and ``datasets/`` folders there), found through ``importlib.resources``. A checkout
(a clone, or the editable install ``make`` makes) has no ``_data``: the folders are read in place, where
tutors, Binder and ``make data`` use them.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(name: str) -> tuple[Path, bool]:
    """The folder ``name`` ("course" or "datasets") and whether it is the installed copy (else a checkout's).

    When neither exists, the installed location is returned, so that an error names where it belongs.
    """
    shipped = files(__package__) / "_data" / name
    installed = Path(str(shipped)) if isinstance(shipped, Path) else _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed, True
    checkout = _PACKAGE_DIR.parent
    # pyproject.toml tells a checkout from site-packages, whose own "datasets" may be another project's
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name, False
    return installed, True


def restore_hint(name: str) -> str:
    """How to get a missing or damaged bundled file back, for an installed package or a checkout."""
    if bundled_dir(name)[1]:
        return "reinstall producerkit from the wheel or source you installed it from (pip install --force-reinstall)"
    return f"restore {name}/ from git (git checkout -- {name})"
