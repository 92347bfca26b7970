"""Repository-wide pytest hooks: every course notebook must execute within its time budget.

nbval runs each notebook cell as a test item; the durations it reports (kernel start-up
included) are summed per notebook, and a notebook over budget fails the run with its time.
"""

from collections import defaultdict

import pytest

NOTEBOOK_BUDGET_S = 20.0

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
