"""producerkit._display: a plotly Figure in a Jupyter kernel is shown as plotly's own mime bundle,
without importing plotly.io's renderers (nbformat -> jsonschema -> rfc3987_syntax, seconds of import),
and plotly keeps the last word wherever it would pick another renderer.
"""

from __future__ import annotations

import json
import os

import pytest

pytest.importorskip("jupyter_client")

MIME = "application/vnd.plotly.v1+json"
FIGURE = ("import plotly.graph_objects as go\n"
          "fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2]), layout_title_text='t')\n")


def _outputs(client, code: str) -> tuple[list[dict], str]:
    msg_id = client.execute(code)
    data, text = [], ""
    while True:
        msg = client.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind in ("display_data", "execute_result"):
            data.append(content["data"])
        elif kind == "stream":
            text += content["text"]
        elif kind == "error":
            raise AssertionError("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return data, text


def _kernel(extra_env: dict | None = None):
    from jupyter_client.manager import start_new_kernel

    env = {k: v for k, v in os.environ.items() if k != "PLOTLY_RENDERER"}
    env.update(extra_env or {})
    return start_new_kernel(kernel_name="python3", env=env)


def _plotly_bundle() -> dict:
    """What plotly's own plotly_mimetype renderer sends for the same figure."""
    import plotly.graph_objects as go
    from plotly.io._base_renderers import PlotlyRenderer

    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2]), layout_title_text="t")
    return PlotlyRenderer().to_mimebundle(fig.to_dict())


def test_a_figure_in_a_kernel_is_plotlys_bundle_without_importing_nbformat():
    manager, client = _kernel()
    try:
        data, _ = _outputs(client, "import producerkit\n" + FIGURE + "fig")
        _, loaded = _outputs(client, "import sys\nprint(sorted(m for m in ('nbformat.v4', 'jsonschema', "
                                     "'plotly.io._renderers') if m in sys.modules))")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert [list(d) for d in data] == [[MIME]]
    assert json.loads(json.dumps(data[0][MIME])) == json.loads(json.dumps(_plotly_bundle()[MIME]))
    assert loaded.strip() == "[]"


def test_plotly_keeps_its_renderer_where_it_would_choose_another():
    manager, client = _kernel({"PLOTLY_RENDERER": "json"})
    try:
        data, _ = _outputs(client, "import producerkit\n" + FIGURE + "fig")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert [list(d) for d in data] == [["application/json"]]


def test_install_outside_ipython_does_nothing():
    from producerkit import _display

    assert _display.install() is False


def test_a_figure_widget_does_not_import_jsonschema_and_nbformat_still_works_on_first_use():
    manager, client = _kernel()
    try:
        _outputs(client, "import producerkit\nimport plotly.graph_objects as go\nw = go.FigureWidget()")
        _, loaded = _outputs(client, "import sys\nprint(sorted(m for m in ('jsonschema', 'rfc3987_syntax') "
                                     "if m in sys.modules))")
        _, used = _outputs(client, "import nbformat\nnb = nbformat.v4.new_notebook()\n"
                                   "print(type(nb).__name__, nbformat.__version__ >= '5')")
        shown, _ = _outputs(client, FIGURE + "fig.show()")  # plotly's own path reads nbformat's version
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert loaded.strip() == "[]"
    assert used.strip() == "NotebookNode True"
    assert [list(d) for d in shown] == [[MIME]]
