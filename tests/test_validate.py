"""The one validator family: one message shape, the value back in the type the code wants."""

import ast
import pathlib

import numpy as np
import pytest

from producerkit import _validate as v
from producerkit.errors import ParameterError

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "producerkit"


def test_in_range_returns_a_float_and_names_the_range_unit_and_hint():
    assert v.in_range("ratio", np.int64(4), 1) == 4.0 and isinstance(v.in_range("ratio", 4, 1), float)
    with pytest.raises(ParameterError) as info:
        v.in_range("gain_db", 40, -36, 36, unit="dB", hint="use a gain stage.")
    assert str(info.value) == "gain_db must be between -36 and +36 dB (got 40): use a gain stage."


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: v.in_range("ratio", 0.5, 1), "ratio must be at least 1 (got 0.5)."),
        (lambda: v.in_range("mix", 2, 0, 1), "mix must be between 0 and 1 (got 2)."),
        (lambda: v.in_range("feedback", 1, 0, 1, hi_open=True), "feedback must be at least 0 and below 1 (got 1)."),
        (lambda: v.in_range("level_db", 30, None, 24, unit="dB"), "level_db must be at most 24 dB (got 30)."),
        (lambda: v.in_range("pan", float("nan"), -1, 1), "pan must be between -1 and +1 (got nan)."),
        (lambda: v.in_range("bpm", "fast", 20, 400, unit="bpm"), "bpm must be a number in bpm (got 'fast')."),
        (lambda: v.positive("time_ms", 0, unit="ms"), "time_ms must be above 0 ms (got 0)."),
        (lambda: v.finite("threshold_db", True, unit="dB"), "threshold_db must be a number of dB (got True)."),
        (lambda: v.finite("attack_ms", float("inf"), unit="ms"),
         "attack_ms must be a finite number of milliseconds (got inf)."),
        (lambda: v.whole("n", 2.5, 2), "n must be a whole number (got 2.5)."),
        (lambda: v.whole("bars", 0, 1), "bars must be a whole number of at least 1 (got 0)."),
        (lambda: v.whole("sr", 10, 1000, 768000, unit="Hz"),
         "sr must be a whole number from 1000 to 768000 Hz (got 10)."),
        (lambda: v.flag("bypass", 1), "bypass must be True or False (got 1)."),
        (lambda: v.one_of("detector", "loud", ("peak", "rms")), "detector must be 'peak' or 'rms' (got 'loud')."),
        (lambda: v.one_of("order", 3, (2, 4, 6, 8)), "order must be one of 2, 4, 6, 8 (got 3)."),
        (lambda: v.one_of("shape", [], ("linear",)), "shape must be one of 'linear' (got [])."),
    ],
)
def test_every_check_says_what_would_work_and_what_it_got(call, message):
    with pytest.raises(ParameterError) as info:
        call()
    assert str(info.value) == message


def test_accepted_values_come_back_in_the_wanted_type():
    assert v.whole("sr", 44100.0, 1000) == 44100 and isinstance(v.whole("sr", np.int32(48000)), int)
    assert v.flag("bypass", np.bool_(True)) is True
    assert v.one_of("order", 4, (2, 4)) == 4
    assert v.in_range("feedback", 0.0, 0, 1, hi_open=True) == 0.0
    assert v.finite("x", np.float32(0.5)) == 0.5


def _number_checks(path: pathlib.Path) -> list[str]:
    """Functions in a module that hand-check "is this a number" (the pattern _validate replaces)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            text = ast.unparse(node)
            if "isinstance(" in text and "bool) or not isinstance(" in text and "np.floating" in text:
                found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    return found


def test_the_modules_that_had_their_own_number_validators_use_the_family():
    mine = ["eq.py", "dynamics.py", "space.py", "signals.py", "arrange.py", "audio.py", "meters.py", "mix.py",
            "master.py", "editing.py", "widgets/mixer_desk.py", "widgets/abplayer.py"]
    leftovers = [hit for name in mine for hit in _number_checks(PACKAGE / name)]
    assert leftovers == [], f"use producerkit._validate instead of a private number check: {leftovers}"
