"""producerkit: learn music production by ear and by eye.

A small DSP library (EQ, dynamics, space, metering, mixing, mastering, arrangement and the
stages of a production) behind an interactive JupyterLab course in ``course/``.

Audio is a float32 NumPy array, mono ``(n,)`` or multichannel ``(channels, n)``, with the
sample rate passed beside it: ``f(y, sr)``. Processors are small dataclasses called as
``proc(y, sr)``.

    >>> import producerkit as pk
    >>> y, sr = pk.load("mix.wav")                                   # doctest: +SKIP
    >>> y = pk.EQ([pk.Peak(300, gain_db=-3, q=1.4)])(y, sr)          # doctest: +SKIP
    >>> pk.loudness(y, sr).integrated_lufs                                # doctest: +SKIP

Everything loads on first use, so ``import producerkit`` stays fast and pulls in no librosa,
numba, plotly or ipywidgets: every submodule is an attribute (``producerkit.editing``), and the
most used names are at the top level (``pk.EQ``, ``pk.Compressor``, ``pk.load``, ...).
"""

from . import _display, _lazy
from .errors import AudioError, DatasetError, ParameterError, ProducerkitError

_display.install()  # in a notebook, plotly figures show without plotly's slow renderer imports (see _display)

__version__ = "0.1.0"

#: The most used names, at the top level as in pedalboard and librosa: name -> the module that defines it.
_API = {
    "load": "audio",
    "save": "audio",
    "EQ": "eq",
    "Peak": "eq",
    "HighPass": "eq",
    "LowPass": "eq",
    "Compressor": "dynamics",
    "Limiter": "dynamics",
    "Reverb": "space",
    "Delay": "space",
    "loudness": "meters",
    "true_peak": "meters",
}

__all__ = [
    "AudioError",
    "DatasetError",
    "ParameterError",
    "ProducerkitError",
    "__version__",
    *_API,
]


def __getattr__(name):
    if name in _API:
        value = getattr(_lazy.submodule(__name__, __path__, _API[name]), name)
    else:
        value = _lazy.submodule(__name__, __path__, name)
        if value is None:
            raise AttributeError(f"module 'producerkit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_API) | _lazy.submodule_names(__path__))
