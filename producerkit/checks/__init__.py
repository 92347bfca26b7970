"""Exercise checkers: each ``check_*`` says whether an answer is right and why, in a producer's words.

A checker never raises on an unanswered exercise (``None``, ``...``, an empty string): it
returns a :class:`Feedback` that says so. One module per lesson; everything is importable from
here: ``from producerkit.checks import check_mud_frequency``.

Lessons: 00, 01, 02, 03, 04
"""

from importlib import import_module as _import_module

from .. import _lazy
from ..lessons import LESSONS as _LESSONS
from ._feedback import Feedback, is_unanswered

# One module per lesson, named by the registry (producerkit/lessons.py); a coming lesson's may not exist yet.
_LESSON_MODULES = tuple(lesson.checks_module for lesson in _LESSONS)


def _checkers():
    found = {}
    for name in _LESSON_MODULES:
        try:
            module = _import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        for key in dir(module):
            if key.startswith("check_") and callable(getattr(module, key)):
                if key in found and found[key] is not getattr(module, key):
                    raise ImportError(
                        f"two lessons define {key}: {found[key].__module__} and {module.__name__}; rename one."
                    )
                found[key] = getattr(module, key)
    return found


def __getattr__(name):
    if name.startswith("check_"):
        checkers = _checkers()
        if name in checkers:
            globals()[name] = checkers[name]
            return checkers[name]
    module = _lazy.submodule(__name__, __path__, name)  # each lesson's module: producerkit.checks.eq
    if module is not None:
        return module
    raise AttributeError(f"producerkit.checks has no {name!r}")


def __dir__():
    return sorted({*globals(), *_checkers(), *_lazy.submodule_names(__path__)})


__all__ = ["Feedback", "is_unanswered"]
