"""The one family of parameter checks every producerkit module uses.

Each check returns the value in the type the code wants (a float, an int, a bool) or raises
:class:`~producerkit.errors.ParameterError` with one message shape, so every error reads alike::

    <name> must be <what would work> (got <what was given>): <why, or what to try>.

``unit`` is said after the numbers ("between 20 and 400 bpm"), ``hint`` after the value that
was given; a hint says why the limit is there or what to do instead, in a producer's words.

Lesson: not yet taught
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from .errors import ParameterError

__all__ = ["finite", "flag", "in_range", "one_of", "positive", "whole"]


def _got(value) -> str:
    if isinstance(value, Real) and not isinstance(value, bool):
        return f"{float(value):g}" if math.isfinite(value) else repr(float(value))
    return repr(value)


def _fail(name: str, requirement: str, value, hint: str):
    tail = f": {hint.rstrip('.')}" if hint else ""
    raise ParameterError(f"{name} must be {requirement} (got {_got(value)}){tail}.")


#: How "a number ..." reads for a unit: "a number of seconds", "a number in Hz".
_NUMBER_OF = {"s": " of seconds", "ms": " of milliseconds", "dB": " of dB"}


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _num(value, lo, hi) -> str:
    """A limit as a student reads it: +36 beside -36, plain 36 when nothing is negative."""
    signed = (lo is not None and lo < 0) and value > 0
    return f"{value:+g}" if signed else f"{value:g}"


def finite(name: str, value, *, unit: str = "", hint: str = "") -> float:
    """``value`` as a float if it is a real, finite number (not a bool, not NaN or infinite).

    Lesson: not yet taught
    """
    where = _NUMBER_OF.get(unit, f" in {unit}") if unit else ""
    if isinstance(value, bool) or not isinstance(value, Real):
        _fail(name, f"a number{where}", value, hint)
    if not math.isfinite(value):
        _fail(name, f"a finite number{where}", value, hint)
    return float(value)


def in_range(
    name: str,
    value,
    lo: float | None = None,
    hi: float | None = None,
    *,
    unit: str = "",
    hint: str = "",
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """``value`` as a float if it is finite and within ``lo``..``hi`` (None: no limit on that side).

    ``lo_open``/``hi_open`` exclude the limit itself ("above 0", "below 1"). NaN, or an infinity
    on a limited side, gets the range in its message, which says more than "finite" would.

    Lesson: not yet taught
    """
    if lo is None and hi is None:
        return finite(name, value, unit=unit, hint=hint)
    if isinstance(value, bool) or not isinstance(value, Real):
        finite(name, value, unit=unit, hint=hint)  # says "must be a number"
    value = float(value)
    low_ok = lo is None or (value > lo if lo_open else value >= lo)
    high_ok = hi is None or (value < hi if hi_open else value <= hi)
    if low_ok and high_ok:  # False for NaN, and for an infinity on a limited side
        return value
    parts = []
    if lo is not None:
        parts.append(f"{'above' if lo_open else 'at least'} {_num(lo, lo, hi)}")
    if hi is not None:
        parts.append(f"{'below' if hi_open else 'at most'} {_num(hi, lo, hi)}")
    if lo is not None and hi is not None and not (lo_open or hi_open):
        requirement = f"between {_num(lo, lo, hi)} and {_num(hi, lo, hi)}"
    else:
        requirement = " and ".join(parts)
    _fail(name, requirement + _unit(unit), value, hint)


def positive(name: str, value, *, unit: str = "", hint: str = "") -> float:
    """``value`` as a float if it is finite and above 0.

    Lesson: not yet taught
    """
    return in_range(name, value, 0.0, lo_open=True, unit=unit, hint=hint)


def whole(name: str, value, lo: int | None = None, hi: int | None = None, *, unit: str = "", hint: str = "") -> int:
    """``value`` as an int if it is a whole number (2 or 2.0, not 2.5 or True) within ``lo``..``hi``.

    Lesson: not yet taught
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value != int(value):
        _fail(name, "a whole number" + (f" of {unit}" if unit else ""), value, hint)
    number = int(value)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        if lo is not None and hi is not None:
            requirement = f"a whole number from {lo} to {hi}"
        elif lo is not None:
            requirement = f"a whole number of at least {lo}"
        else:
            requirement = f"a whole number of at most {hi}"
        _fail(name, requirement + _unit(unit), value, hint)
    return number


def flag(name: str, value) -> bool:
    """``value`` as a bool if it is True or False (numpy's bools too; 1 and "yes" are refused).

    Lesson: not yet taught
    """
    if not isinstance(value, bool | np.bool_):
        _fail(name, "True or False", value, "")
    return bool(value)


def one_of(name: str, value, options, *, hint: str = ""):
    """``value`` itself if it is one of ``options`` (compared with ==; True is not 1 unless a bool is an option).

    Lesson: not yet taught
    """
    options = tuple(options)
    try:
        known = value in options
    except (TypeError, ValueError):  # an unhashable, incomparable or array value is simply not one of them
        known = False
    if isinstance(value, bool | np.bool_) and not any(isinstance(o, bool | np.bool_) for o in options):
        known = False  # True == 1: a flag is not a number
    if not known:
        shown = [repr(o) for o in options]
        requirement = " or ".join(shown) if len(shown) == 2 else "one of " + ", ".join(shown)
        _fail(name, requirement, value, hint)
    return value

