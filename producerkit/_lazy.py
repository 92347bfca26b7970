"""Submodules as attributes, loaded on first use: ``producerkit.editing`` works without an import line.

A package's ``__getattr__`` asks :func:`submodule` for a name it does not hold yet; the names come
from the package's folder (``pkgutil``), so a new module is reachable the moment its file exists.
"""

from __future__ import annotations

from importlib import import_module


def submodule_names(package_path, public_only: bool = True) -> set[str]:
    """The module and subpackage names in a package's folder(s), without importing them."""
    import pkgutil

    names = {info.name for info in pkgutil.iter_modules(package_path)}
    return {n for n in names if not n.startswith("_")} if public_only else names


def submodule(package: str, package_path, name: str):
    """Import ``package.name`` if the package has such a module, else None (a junk name costs a listing)."""
    if name.startswith("__") or name not in submodule_names(package_path, public_only=False):
        return None
    return import_module(f"{package}.{name}")
