"""Interactive views for the course: the only part of producerkit that imports ipywidgets.

``from producerkit.widgets import ABPlayer, EQExplorer, CompressorExplorer, MixerDesk, LoudnessView,
StepSequencer, Playhead, arrangement_view, spectrogram_view``.
Every widget recomputes synchronously in ``update(**params)``; an invalid value shows its message
in the widget (the ``error`` trait) and the last good state stays on screen.

Lessons: 00, 01, 02, 03, 04
"""

from importlib import import_module as _import_module

from .. import _lazy
from .abplayer import ABPlayer, ABXScore, abx_p_value, showing_errors

# The explorers load on first use, so `from producerkit.widgets import ABPlayer` stays light.
_LAZY = {
    "EQExplorer": "eq_explorer",
    "CompressorExplorer": "compressor_explorer",
    "MixerDesk": "mixer_desk",
    "LoudnessView": "loudness_view",
    "EarTrainer": "ear_trainer",
    "StepSequencer": "step_sequencer",
    "Playhead": "playhead",
    "arrangement_view": "playhead",
    "spectrogram_view": "playhead",
    "TrackUpload": "track_upload",
}

__all__ = ["ABPlayer", "ABXScore", "abx_p_value", "showing_errors", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(_import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    module = _lazy.submodule(__name__, __path__, name)  # each view's module: producerkit.widgets.mixer_desk
    if module is not None:
        return module
    raise AttributeError(f"producerkit.widgets has no {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _lazy.submodule_names(__path__))
