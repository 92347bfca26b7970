"""Plotly figures in a Jupyter kernel, shown without plotly's renderer machinery.

A ``plotly.graph_objects.Figure`` shows itself through ``plotly.io``'s renderers, and importing
them imports nbformat, which imports jsonschema with its format checkers (``rfc3987_syntax``
builds a lark grammar at import): two to three seconds before a notebook's first figure
appears. In a Jupyter kernel plotly's renderer is ``plotly_mimetype``, which displays nothing
but the figure's JSON under ``application/vnd.plotly.v1+json``; :func:`install` teaches
IPython to display a ``Figure`` by sending that bundle itself, the bytes plotly would send.

Plotly keeps the last word: where it would choose another renderer (``PLOTLY_RENDERER``, Colab,
Kaggle, VS Code, ... or a terminal), or once ``plotly.io.renderers`` is loaded and set to
anything but ``plotly_mimetype``, figures go through ``fig._ipython_display_()`` as before.
``FigureWidget`` (an ipywidget) is not a ``Figure`` and is untouched, but importing it imports
``plotly.io``'s renderers, and they import nbformat only to check its version when ``fig.show()``
runs: in a kernel, :func:`install` also makes nbformat load on its first use (see
:class:`_OnFirstUse`), so a widget's first plot does not wait for jsonschema either.

Lesson: not yet taught
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

MIME = "application/vnd.plotly.v1+json"

#: Where plotly picks a renderer other than ``plotly_mimetype`` (plotly.io._renderers, version 6+).
_OTHER_HOSTS = ("PLOTLY_RENDERER", "COLAB_NOTEBOOK_ID", "AZURE_NOTEBOOKS_HOST", "VSCODE_PID", "NTERACT_EXE",
                "COCALC_PROJECT_ID", "DATABRICKS_RUNTIME_VERSION")


class _OnFirstUse(types.ModuleType):
    """Stands in ``sys.modules`` for a module not imported yet; the first attribute read imports it.

    ``import name`` finds the stand-in and costs nothing; ``name.anything`` (or a submodule import)
    imports the real module, puts it in ``sys.modules`` and reads from it from then on.
    """

    def __init__(self, spec):
        super().__init__(spec.name)
        self.__spec__ = spec

    def __getattr__(self, attr):
        real = self.__dict__.get("_real_module")
        if real is None:
            name = self.__spec__.name
            if sys.modules.get(name) is self:
                del sys.modules[name]
            real = importlib.import_module(name)
            self.__dict__["_real_module"] = real
        return getattr(real, attr)


def _import_on_first_use(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is not None:
        sys.modules[name] = _OnFirstUse(spec)


def _plotly_would_send_the_mimetype() -> bool:
    """True where plotly's own display would send exactly the mime bundle (and nothing else)."""
    renderers = sys.modules.get("plotly.io._renderers")
    if renderers is not None:  # loaded anyway (a FigureWidget imports it): plotly's settings decide
        config = renderers.renderers
        return bool(config.render_on_display) and config.default == "plotly_mimetype"
    if any(name in os.environ for name in _OTHER_HOSTS) or os.path.exists("/kaggle/input"):
        return False
    shell = sys.modules["IPython"].get_ipython()
    return type(shell).__name__ == "ZMQInteractiveShell" and type(shell).__module__.startswith("ipykernel.")


def show_figure(fig) -> None:
    """Display a plotly ``Figure`` as its ``application/vnd.plotly.v1+json`` bundle (see the module)."""
    if not _plotly_would_send_the_mimetype():
        fig._ipython_display_()
        return
    import json

    from IPython.display import display
    from plotly.io._json import to_json

    # what plotly's PlotlyRenderer sends: the figure's JSON, numpy arrays as typed arrays
    display({MIME: json.loads(to_json(fig.to_dict(), validate=False, remove_uids=False))}, raw=True)


def install() -> bool:
    """Register :func:`show_figure` for plotly figures in the running IPython kernel, if there is one.

    Costs nothing outside IPython and imports nothing: the registration is by name, so plotly is
    imported only when a figure is shown. Returns whether it registered.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    formatter = getattr(getattr(shell, "display_formatter", None), "ipython_display_formatter", None)
    if formatter is None:
        return False
    formatter.for_type_by_name("plotly.graph_objs._figure", "Figure", show_figure)
    _import_on_first_use("nbformat")  # plotly.io's renderers import it, and read it only in fig.show()
    return True
