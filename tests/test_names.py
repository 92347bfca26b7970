"""The names follow docs/conventions.md: one name per thing, and every number says its unit."""

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import producerkit
from producerkit import dynamics, eq, master, meters, mix, space

#: The unit suffixes of the glossary (docs/conventions.md).
UNIT_SUFFIXES = ("_db", "_dbfs", "_dbtp", "_lufs", "_lu", "_ms", "_s", "_hz")
#: Parameters that are not a quantity with a unit: ratios, fractions, switches, choices, things.
UNITLESS = {
    "freq", "q", "order", "design", "bypass", "bands", "ratio", "detector", "stereo_link", "mix", "true_peak",
    "damping", "size", "width", "tail", "note", "bpm", "feedback", "ping_pong", "position", "law", "processor",
    "regions", "name", "audio", "pan", "mute", "solo", "inserts", "sends", "sr", "chain", "stages", "passes", "notes",
    "action", "details",
}


def _public(module):
    for name, obj in vars(module).items():
        if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__:
            yield name, obj


def test_every_public_class_and_function_has_one_name_across_the_package():
    seen: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(producerkit.__path__, "producerkit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        for name, obj in _public(module):
            if inspect.isclass(obj) or inspect.isfunction(obj):
                seen.setdefault(name, []).append(info.name)
    twice = {name: where for name, where in seen.items() if len(where) > 1 and name != "main"}
    assert not twice, f"one class or function per name (rename one, see docs/conventions.md): {twice}"


def _processors():
    for module in (eq, dynamics, space, mix):
        for name, obj in _public(module):
            if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and "__call__" in dir(obj):
                yield f"{module.__name__}.{name}", obj


@pytest.mark.parametrize(
    "where, cls",
    [*_processors(), ("meters.Loudness", meters.Loudness), ("master.MasterReport", master.MasterReport),
     ("master.MasterStage", master.MasterStage)],
)
def test_every_number_a_processor_or_a_measurement_holds_says_its_unit(where, cls):
    unnamed = [f.name for f in dataclasses.fields(cls) if f.name not in UNITLESS and not f.name.endswith(UNIT_SUFFIXES)]
    assert not unnamed, f"{where}: {unnamed} should end in a unit ({', '.join(UNIT_SUFFIXES)}), see docs/conventions.md"


def test_the_processors_found_include_the_ones_the_lessons_use():
    found = {where for where, _ in _processors()}
    expected = {f"producerkit.{name}" for name in ("eq.Peak", "dynamics.Limiter", "space.Delay", "mix.Gain")}
    assert expected <= found
