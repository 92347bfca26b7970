"""Benchmark: a notebook's first plotly figure, in a fresh Jupyter kernel.

Each run starts a new ipykernel, runs a setup cell (numpy, producerkit, 5 s of stereo noise;
not timed), then times the cell a lesson would run: build a figure with producerkit.plots and
show it, from the execute request until the kernel is idle again with the figure's
``application/vnd.plotly.v1+json`` output received. Two ways of showing it, alternating kernels:

  producerkit  the cell ends with the figure, as the lessons do (producerkit._display sends the
               plotly mime bundle itself)
  plotly       the same figure shown by plotly's own renderers (``fig.show()``), which import
               nbformat -> jsonschema -> rfc3987_syntax

The kernels get the same NUMBA_CACHE_DIR as this process. Medians of RUNS kernels each.

Run: .venv/bin/python bench/first_figure.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

RUNS = 5
MIME = "application/vnd.plotly.v1+json"
SETUP = """
import numpy as np
import producerkit
from producerkit import plots
from producerkit.signals import noise
sr = 44100
y = noise(5.0, sr, color="pink", level_dbfs=-20, seed=1, channels=2, decorrelated=True)
"""
FIGURE = 'fig = plots.spectrum_figure({"noise": y, "quieter": 0.5 * y}, sr, title="First figure")\n'
CELLS = {"producerkit": FIGURE + "fig", "plotly": FIGURE + "fig.show()"}


def run_cell(client, code: str, timeout: float = 120.0) -> tuple[float, set]:
    """Execute ``code``; return the seconds until idle and the mime types of its display outputs."""
    start = time.perf_counter()
    msg_id = client.execute(code)
    mimes: set = set()
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind in ("display_data", "execute_result"):
            mimes |= set(msg["content"]["data"])
        elif kind == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return time.perf_counter() - start, mimes


def first_figure_seconds(way: str) -> float:
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", env=dict(os.environ))
    try:
        run_cell(client, SETUP)
        seconds, mimes = run_cell(client, CELLS[way])
        if MIME not in mimes:
            raise RuntimeError(f"{way}: the cell showed {sorted(mimes)}, not {MIME}")
        return seconds
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main() -> int:
    times: dict[str, list[float]] = {way: [] for way in CELLS}
    for _ in range(RUNS):
        for way in CELLS:
            times[way].append(first_figure_seconds(way))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"first figure in a fresh kernel (build + show), median of {RUNS} kernels each, load average {load:.1f}")
    medians = {way: statistics.median(t) for way, t in times.items()}
    for way, t in times.items():
        print(f"{way:12s} {medians[way]:6.3f} s   (runs: {', '.join(f'{s:.2f}' for s in t)})")
    ratio = medians["producerkit"] / medians["plotly"]
    met = "met" if medians["producerkit"] <= 0.3 else "NOT met"
    print(f"ratio producerkit / plotly's own display: {ratio:.2f}; target <= 0.3 s: {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
