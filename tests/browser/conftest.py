"""Browser test harness: a real JupyterLab driven by Debian's chromium through Playwright.

Reusable fixtures and helpers for every widget's browser test:

- ``lab_server`` (session): ``jupyter lab`` from the venv on a free localhost port with a
  random token, serving a temporary copy of ``tests/browser/notebooks/``, isolated from the
  user's Jupyter settings, with news/update checks off and cell windowing off (every output
  stays in the DOM). One server per test process (per xdist worker).
- ``browser`` (session): Playwright's chromium at ``/usr/bin/chromium``.
- ``page`` (per test): a fresh browser context and page; console errors are collected in
  ``page.console_errors``; a screenshot is saved to ``test-artifacts/browser/<test>.png`` at
  teardown (pass or fail).
- ``run_notebook(name)``: open ``lab/tree/<name>``, run all cells, wait for every code cell
  to finish, return.
- ``assert_no_errors()``: no traceback output and no "Error displaying widget".
- ``run_cell_code(code)``: run code in a new cell at the end, return its output text (read
  kernel state such as ``player.decoded`` the way a student would).
- ``screenshot(name)``: save an extra screenshot.

These four are fixtures bound to the test's ``page``.

Every test in this folder is marked ``browser``. ``make test`` runs them on two xdist workers
(``--dist loadgroup``), each with its own server and chromium: a file's tests stay on one worker,
in order; the lessons of ``test_lessons_seen.py`` are shared out one by one. Without ``/usr/bin/chromium`` the
tests are skipped with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PRODUCERKIT_CHROMIUM", "/usr/bin/chromium"))
REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(__file__).with_name("notebooks")
ARTIFACTS = REPO / "test-artifacts" / "browser"
VENV_BIN = Path(sys.executable).parent

SERVER_START_TIMEOUT = 90  # s; JupyterLab starts in ~3-10 s here, more on a loaded CI machine
KERNEL_TIMEOUT = 120  # s for "Run All Cells" to finish (includes kernel start-up and imports)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",  # Web Audio still runs (the clock advances), the speakers stay silent
]

# JupyterLab user settings for the test server: no news or update pop-ups, no cell windowing
# (so outputs of cells outside the viewport are in the DOM), no kernel-restart confirmations.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/announcements.jupyterlab-settings": {"fetchNews": "false"},
    # Tests add cells; nothing is saved back, so every test opens the notebook as committed.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


# --------------------------------------------------------------------------- collection


def pytest_ignore_collect(collection_path, config):
    # The notebooks here are opened by the browser tests, not validated by nbval on their own.
    if NOTEBOOKS in Path(collection_path).parents or Path(collection_path) == NOTEBOOKS:
        return True
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups for --dist loadgroup
def pytest_collection_modifyitems(config, items):
    # Two workers share the browser tests (each starts its own server and chromium): a widget's tests
    # stay together on one worker, in file order; the lessons, each on its own, go to whichever is free.
    here = Path(__file__).parent
    for item in items:
        path = Path(str(item.fspath))
        if here in path.parents:
            item.add_marker(pytest.mark.browser)
            if path.name != "test_lessons_seen.py":
                item.add_marker(pytest.mark.xdist_group(f"browser-{path.stem}"))


def _require_chromium():
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium (make chromium) to run the browser tests"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true: the browser tests must run in CI)")
    pytest.skip(reason)


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A running ``jupyter lab``: ``url(path)`` gives an authenticated address."""

    def __init__(self, base: str, token: str, root: Path, process: subprocess.Popen, log: Path):
        self.base, self.token, self.root, self.process, self.log = base, token, root, process, log

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path: str):
        req = urllib.request.Request(f"{self.base}/api/{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read())

    def reset(self) -> None:
        """Shut down every kernel session and restore the notebooks as committed."""
        for session in self.api("sessions"):
            req = urllib.request.Request(
                f"{self.base}/api/sessions/{session['id']}",
                method="DELETE",
                headers={"Authorization": f"token {self.token}"},
            )
            with urllib.request.urlopen(req, timeout=30):
                pass
        shutil.copytree(NOTEBOOKS, self.root, dirs_exist_ok=True)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """One JupyterLab server for the session, serving copies of tests/browser/notebooks/."""
    _require_chromium()
    home = tmp_path_factory.mktemp("lab")
    root = home / "root"
    shutil.copytree(NOTEBOOKS, root)
    settings = home / "settings"
    for rel, data in LAB_SETTINGS.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
    for sub in ("config", "runtime", "workspaces", "ipython"):
        (home / sub).mkdir()

    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
        # The kernel imports producerkit from the repo even if it were not installed editable.
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    )
    cmd = [
        str(VENV_BIN / "jupyter"),
        "lab",
        "--no-browser",
        f"--port={port}",
        "--port-retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--ServerApp.terminals_enabled=False",
        "--MappingKernelManager.cull_idle_timeout=0",
        "--LabApp.extension_manager=readonly",  # no PyPI queries from the extension manager
        "--LanguageServerManager.autodetect=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        cmd.append("--allow-root")
    log = home / "jupyter.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(cmd, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = LabServer(f"http://127.0.0.1:{port}", token, root, process, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s:\n{server.log_tail()}")
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


VIEWPORT = {"width": 1400, "height": 1000}


def _new_page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda msg: pg.console_errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.console_errors.append(f"pageerror: {exc}"))
    pg.screenshot_taken = False
    return pg


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def _shared_lab_page(browser):
    """One JupyterLab page per test process, reused by the tests that need no fresh page.

    Loading JupyterLab costs 5-20 s of a loaded CI machine's time; opening a notebook in a page that has it
    loaded costs 1-2 s. A test leaves the page with every document closed and every kernel shut down; a
    test that failed, or whose clean-up did not finish, leaves it to be thrown away and loaded afresh.
    """
    holder = {"page": None}
    yield holder
    if holder["page"] is not None and not holder["page"].is_closed():
        holder["page"].context.close()


def _refuse_init_script(*args, **kwargs):
    raise RuntimeError(
        "this page is shared and JupyterLab is already loaded in it, so an init script would never run: "
        "mark the test @pytest.mark.fresh_page"
    )


@pytest.fixture
def page(browser, request, _shared_lab_page):
    """The test's page: the worker's shared JupyterLab page, or a fresh one for a test marked ``fresh_page``.

    A fresh page has its own context (no shared storage) and is screenshotted at teardown.
    """
    if request.node.get_closest_marker("fresh_page"):
        pg = _new_page(browser)
        try:
            yield pg
        finally:
            try:
                if not pg.is_closed() and not pg.screenshot_taken:
                    _screenshot(pg, request.node.name)
            finally:
                pg.context.close()
        return

    pg = _shared_lab_page["page"]
    if pg is None or pg.is_closed():
        pg = _shared_lab_page["page"] = _new_page(browser)
        pg.add_init_script = _refuse_init_script
    pg.console_errors.clear()
    pg.screenshot_taken = False
    pg.set_viewport_size(VIEWPORT)
    try:
        yield pg
    finally:
        passed = getattr(request.node, "report_call", None) is not None and request.node.report_call.passed
        if not pg.is_closed() and not pg.screenshot_taken:
            _screenshot(pg, request.node.name)
        if pg.is_closed() or not passed or not _close_documents(pg):
            pg.context.close()
            _shared_lab_page["page"] = None


def _screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/browser/<name>.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


_TEST_STYLE_ID = "pk-test-style"


def _menu(page, menu: str, item: str) -> None:
    """Click JupyterLab's menu bar entry ``menu``, then its enabled item starting with ``item``."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text=item).first.click()


def hide_toolbars(page) -> None:
    """Hide the notebook's sticky toolbar and the status bar (they cover a full-page shot) until the test ends."""
    page.evaluate(
        """id => { const s = document.createElement('style'); s.id = id;
           s.textContent = '.jp-NotebookPanel-toolbar, .jp-StatusBar-Widget { visibility: hidden; }';
           document.head.appendChild(s); }""",
        _TEST_STYLE_ID,
    )


# The widgets' page-wide audio (one AudioContext, the players' registry) goes with the documents, so the next
# test starts with no AudioContext, as on a fresh page (the widgets look the global up each time).
_FORGET_AUDIO_JS = "() => { globalThis.__producerkitAudio?.ctx?.close(); delete globalThis.__producerkitAudio; }"


def _close_documents(page) -> bool:
    """Close every open document in a shared page, discarding changes; True when the page is clean."""
    if page.is_closed() or "/lab" not in page.url:
        return True
    try:
        page.evaluate("id => document.getElementById(id)?.remove()", _TEST_STYLE_ID)
        if page.locator(".jp-NotebookPanel").count() or page.locator(".jp-Dialog").count():
            page.keyboard.press("Escape")
            _menu(page, "File", "Close All Tabs")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # a notebook the test changed asks whether to save it
            discard = page.locator(".jp-Dialog button", has_text=re.compile(r"^(Discard|Don't Save)$"))
            if discard.count():
                discard.first.click()
            elif page.locator(".jp-NotebookPanel").count() == 0 and page.locator(".jp-Dialog").count() == 0:
                page.evaluate(_FORGET_AUDIO_JS)
                return True
            page.wait_for_timeout(100)
        return False
    except Exception:  # noqa: BLE001 - any trouble here: the page is thrown away and loaded afresh
        return False


# --------------------------------------------------------------------------- notebooks

# Every code cell has run: its prompt shows a number, none shows "*" (queued or running).
# If a cell fails, "Run All" skips the rest, so an error output also ends the wait.
_CELLS_DONE_JS = """
() => {
  // A dead kernel ("Kernel Restarting ... appears to have died") ends the wait too: nothing more will run.
  if ([...document.querySelectorAll('.jp-Dialog')].some(d => /appears to have died/.test(d.textContent))) return true;
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  if (!nb) return false;
  const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim());
  if (prompts.length === 0 || prompts.some(p => p.includes('*'))) return false;
  // JupyterLab renders a cell's exception as stderr text (not as application/vnd.jupyter.error).
  const failed = [...nb.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .some(o => o.textContent.includes('Traceback'));
  const indicator = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  const idle = !indicator || indicator.dataset.status === 'idle';
  return idle && (prompts.every(p => /\\[\\d+\\]/.test(p)) || Boolean(failed));
}
"""


def _run_notebook(page, lab_server: LabServer, name: str, timeout: float = KERNEL_TIMEOUT) -> None:
    """Open ``lab/tree/<name>``, run all cells, and wait until every code cell has finished.

    Waits on the DOM, never on sleeps: the kernel must be connected and idle, then "Run All
    Cells" runs, then every code cell's prompt must show its execution number (or a cell
    must have failed, which ``assert_no_errors`` then reports).
    """
    phases, started = {}, time.monotonic()
    page.run_phases = phases  # seconds per phase, for the lessons' timing.json
    if "/lab" in page.url and page.locator(".jp-NotebookPanel").count() == 0:
        # JupyterLab is loaded in this shared page, with nothing open: open the notebook in it.
        _menu(page, "File", "Open from Path")
        page.locator(".jp-Dialog input").fill(name)
        page.keyboard.press("Enter")
    else:
        # ?reset: start from an empty workspace, or JupyterLab restores the previous test's notebook
        # and may activate it over this one while it loads.
        page.goto(lab_server.url(f"lab/tree/{name}?reset"))
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=timeout * 1000)
    phases["open_s"] = round(time.monotonic() - started, 1)
    # The kernel is connected and idle before anything runs. (The toolbar's execution indicator
    # reads "idle" before the kernel connects too; the status bar goes Initializing → Connecting
    # → Idle, so it is the one to wait for. Cells run earlier would be silently dropped.)
    page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\|\s*Idle\s*$")).wait_for(timeout=timeout * 1000)
    # The panel's loading spinner can outlive the kernel connection and swallows clicks.
    panel.locator(".jp-Spinner").wait_for(state="detached", timeout=timeout * 1000)
    phases["kernel_idle_s"] = round(time.monotonic() - started - phases["open_s"], 1)
    panel.locator(".jp-Notebook").click(position={"x": 5, "y": 5})
    _menu(page, "Run", "Run All Cells")
    page.wait_for_function(_CELLS_DONE_JS, timeout=timeout * 1000, polling=100)
    phases["cells_s"] = round(time.monotonic() - started - phases["open_s"] - phases["kernel_idle_s"], 1)


def _assert_no_errors(page) -> None:
    """No traceback or stderr-with-Traceback output, no "Error displaying widget", and the kernel did not die."""
    dialogs = " ".join(page.locator(".jp-Dialog").all_inner_texts())
    assert "appears to have died" not in dialogs, f"the kernel died while the notebook ran: {dialogs}"
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    # JupyterLab renders exceptions with the stderr MIME type; a traceback there is a failed cell.
    for text in panel.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    ).all_inner_texts():
        assert "Traceback" not in text, f"a cell raised (or printed a traceback):\n{text}"
    uncaught = [e for e in page.console_errors if e.startswith("pageerror:")]
    assert not uncaught, "uncaught errors in the page:\n" + "\n".join(uncaught)
    body = panel.inner_text()
    assert "Error displaying widget" not in body, body[-2000:]
    assert "Error rendering" not in body, body[-2000:]


def _run_cell_code(page, code: str, timeout: float = 30) -> str:
    """Append a code cell with ``code`` at the end of the open notebook, run it, return its output text.

    Lets a test ask the kernel for state (``print(player.decoded)``) the way a student would.
    """
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    cells = panel.locator(".jp-Notebook .jp-Cell")
    count = cells.count()
    last = cells.nth(count - 1)
    is_empty_code = last.evaluate(
        "c => c.classList.contains('jp-CodeCell') && c.querySelector('.cm-content').textContent.trim() === ''"
    )
    if is_empty_code:  # the blank cell Shift+Enter leaves at the end: use it
        new_cell = last
    else:  # select the last cell in command mode, then "b" inserts a code cell below it
        last.locator(".jp-InputPrompt").click()
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        new_cell = cells.nth(count)
        new_cell.wait_for(state="visible")
    editor = new_cell.locator(".cm-content")
    editor.click()
    editor.fill(code)
    page.keyboard.press("Shift+Enter")
    prompt = new_cell.locator(".jp-InputArea-prompt")
    page.wait_for_function(
        "el => /\\[\\d+\\]/.test(el.textContent)", arg=prompt.element_handle(), timeout=timeout * 1000, polling=100
    )
    return new_cell.locator(".jp-OutputArea").inner_text()


# --------------------------------------------------------------------------- helper fixtures


@pytest.fixture
def run_notebook(page, lab_server, request):
    """``run_notebook(name)``: open a notebook from tests/browser/notebooks/ in ``page`` and run it all.

    Each test gets a fresh kernel and the notebook as committed (sessions are shut down and the
    files restored before and after the test).
    """
    lab_server.reset()
    yield lambda name, timeout=KERNEL_TIMEOUT: _run_notebook(page, lab_server, name, timeout)
    try:
        if not page.is_closed():
            _screenshot(page, request.node.name)
            page.screenshot_taken = True
    finally:
        # the page's websockets go before its kernel does
        if request.node.get_closest_marker("fresh_page") or not _close_documents(page):
            page.close()
        lab_server.reset()


@pytest.fixture
def assert_no_errors(page):
    """``assert_no_errors()``: the open notebook shows no traceback and no "Error displaying widget"."""
    return lambda: _assert_no_errors(page)


@pytest.fixture
def run_cell_code(page):
    """``run_cell_code(code)``: run code in a new cell of the open notebook; returns its output text."""
    return lambda code, timeout=30: _run_cell_code(page, code, timeout)


@pytest.fixture
def screenshot(page):
    """``screenshot(name)``: save an extra screenshot to test-artifacts/browser/<name>.png."""
    return lambda name: _screenshot(page, name)
