"""producerkit: learn music production by ear and by eye.

A small DSP library (EQ, dynamics, space, metering, mixing, mastering, arrangement and the
stages of a production) behind an interactive JupyterLab course in ``course/``.

Audio is a float32 NumPy array, mono ``(n,)`` or multichannel ``(channels, n)``, with the
sample rate passed beside it: ``f(y, sr)``. Processors are small dataclasses called as
``proc(y, sr)``.

Heavy modules (librosa, numba, plotly, ipywidgets) are imported lazily: ``import producerkit``
stays fast, and ``producerkit.eq`` or ``from producerkit import eq`` loads a module on demand.
"""

from importlib import import_module as _import_module

from .errors import AudioError, DatasetError, ParameterError, ProducerkitError

__version__ = "0.1.0"

_SUBMODULES = {
    "arrange",
    "audio",
    "checks",
    "datasets",
    "dynamics",
    "eq",
    "master",
    "meters",
    "mix",
    "plots",
    "signals",
    "space",
    "widgets",
    "workflow",
}

__all__ = [
    "AudioError",
    "DatasetError",
    "ParameterError",
    "ProducerkitError",
    "__version__",
    *sorted(_SUBMODULES),
]


def __getattr__(name):
    if name in _SUBMODULES:
        module = _import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'producerkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
