"""Repository-wide pytest hooks.

- Each xdist worker gets its own copy of the warmed numba cache. numba's file cache is not
  safe against concurrent writers (one process's index can end up pointing at machine code
  another process compiled for a different signature, and the next caller segfaults), so
  workers, and the notebook kernels they start, never share one. ``make test`` warms the
  cache first with ``python -m producerkit._warmup`` and passes it in NUMBA_CACHE_DIR.
- Every course notebook must execute within its time budget: nbval runs each cell as a test
  item; the durations it reports (kernel start-up included) are summed per notebook, and a
  notebook over budget fails the run with its time.
- Ear-training progress (``PRODUCERKIT_PROGRESS``) points at a temporary file in every test process
  and the notebook kernels they start, so no test or lesson run writes to the real ``~/.producerkit``;
  the work folder (``PRODUCERKIT_WORK``) likewise, so no lesson run writes into ``course/my-work``.
"""

import os
import shutil
import sys
import tempfile
from collections import defaultdict

import pytest


def pytest_configure(config):
    # Ear-training progress goes to a throwaway file, never to the real ~/.producerkit: the lessons'
    # EarTrainers, the tests and the notebook kernels nbval starts (they inherit the environment).
    os.environ["PRODUCERKIT_PROGRESS"] = os.path.join(tempfile.mkdtemp(prefix="producerkit-progress-"), "progress.json")
    # What lessons write for the student (masters, mix settings, the capstone's project) goes to a
    # throwaway work folder too, never into course/my-work of the checkout.
    os.environ["PRODUCERKIT_WORK"] = tempfile.mkdtemp(prefix="producerkit-work-")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    warm = os.environ.get("NUMBA_CACHE_DIR")
    if not worker or not warm:
        return
    own = f"{warm.rstrip(os.sep)}-{worker}"
    if os.path.isdir(warm):
        shutil.copytree(warm, own, dirs_exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = own  # inherited by the notebook kernels this worker starts
    if "numba" in sys.modules:  # already configured: point it at the copy too
        sys.modules["numba"].core.config.CACHE_DIR = own

NOTEBOOK_BUDGET_S = 10.0  # issue 18: every lesson within 10 s under nbval on 2 cores

_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.startswith("course/") and path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if not _notebook_seconds or hasattr(session.config, "workerinput"):
        return  # xdist workers forward their reports; the controller judges
    over = {nb: s for nb, s in _notebook_seconds.items() if s > NOTEBOOK_BUDGET_S}
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("-", "course notebooks: execution time")
        for nb, seconds in sorted(_notebook_seconds.items()):
            flag = "  OVER BUDGET" if nb in over else ""
            reporter.write_line(f"{nb}: {seconds:.1f} s (budget {NOTEBOOK_BUDGET_S:.0f} s){flag}")
    if over and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
