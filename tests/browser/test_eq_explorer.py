"""EQExplorer in a real JupyterLab page (Debian's chromium through Playwright).

Checks, in the browser: the view renders with no error output and no "Error displaying
widget"; a real slider interaction (keyboard on the gain slider's handle) and an
``explorer.update(...)`` both change the plotted EQ curve; an invalid value shows its
message in the widget and changes nothing else; the A/B player decodes both versions with
Web Audio's decodeAudioData and switches to B while playing.
"""

from __future__ import annotations

NOTEBOOK = "eq_explorer.ipynb"

# A signature of a plotted trace, read from plotly's graph div (gd.data) in the page.
TRACE_SUM_JS = """
([selector, index]) => {
  const gd = document.querySelector(selector);
  if (!gd || !gd.data || !gd.data[index]) return null;
  return Array.from(gd.data[index].y).reduce((s, v) => s + Number(v), 0);
}
"""
PLOT = ".pk-eq-explorer .js-plotly-plot"
CURVE = 2  # trace 0: before, 1: after, 2: EQ curve


def kernel_state(run_cell_code, expr: str) -> str:
    return run_cell_code(f"print({expr})").strip()


def curve_sum(page, trace: int = CURVE):
    return page.evaluate(TRACE_SUM_JS, [PLOT, trace])


def wait_for_change(page, before: float, trace: int = CURVE) -> float:
    page.wait_for_function(
        f"([args, before]) => {{ const v = ({TRACE_SUM_JS})(args); "
        "return v !== null && Math.abs(v - before) > 1e-6; }",
        arg=[[PLOT, trace], before],
        timeout=20_000,
    )
    return curve_sum(page, trace)


def settle(page, run_cell_code, args: list, kernel_trace: str) -> float:
    """Apply slider moves still waiting in the debouncer, then wait until the page draws the kernel's trace.

    Key presses arrive in bursts; without this a later, debounced redraw could land after a
    value the test has already read.
    """
    want = float(run_cell_code(f"print(explorer.flush() or float(sum({kernel_trace})))").strip())
    page.wait_for_function(
        f"([args, want]) => {{ const v = ({TRACE_SUM_JS})(args); "
        "return v !== null && Math.abs(v - want) <= 1e-6 * Math.max(1, Math.abs(want)); }",
        arg=[args, want],
        timeout=20_000,
    )
    return page.evaluate(TRACE_SUM_JS, args)


def test_eq_explorer_renders_reacts_and_plays(page, run_notebook, assert_no_errors, run_cell_code, screenshot):
    run_notebook(NOTEBOOK)
    assert_no_errors()
    explorer = page.locator(".pk-eq-explorer")
    explorer.wait_for(state="visible")
    page.locator(PLOT).wait_for(state="visible")
    assert explorer.locator(".pk-band0-freq").count() == 1  # five bands of controls
    assert "freq (Hz)" in explorer.inner_text() and "gain (dB)" in explorer.inner_text()
    page.wait_for_function(f"() => ({TRACE_SUM_JS})([{PLOT!r}, {CURVE}]) !== null")
    curve0 = curve_sum(page)

    # A real slider interaction: focus band 3's gain handle and step it up with the keyboard.
    handle = explorer.locator(".pk-band2-gain .noUi-handle")
    handle.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    wait_for_change(page, curve0)
    curve1 = settle(page, run_cell_code, [PLOT, CURVE], f"explorer.figure.data[{CURVE}].y")
    gain = float(kernel_state(run_cell_code, "explorer.eq[2].gain_db"))
    assert gain > 0, gain
    assert kernel_state(run_cell_code, "repr(explorer.error)") == "''"

    # From code: update() recomputes synchronously and the page redraws the curve and the "after" spectrum.
    after0 = curve_sum(page, 1)
    assert kernel_state(run_cell_code, "explorer.update(band=4, gain_db=9.0)") == "True"
    wait_for_change(page, curve1)
    wait_for_change(page, after0, trace=1)

    # An invalid value: its message shows in the widget, nothing else changes, no traceback.
    curve2 = curve_sum(page)
    assert kernel_state(run_cell_code, "explorer.update(band=2, q=0)") == "False"
    error = explorer.locator(".pk-explorer-error")
    error.wait_for(state="visible")
    assert "q must be between" in error.inner_text()
    assert curve_sum(page) == curve2
    assert_no_errors()

    # The A/B player: both versions decode in the page (decodeAudioData), then B while playing.
    player = explorer.locator(".pk-ab")
    explorer.locator('.pk-ab[data-decoded="true"]').wait_for(timeout=30_000)
    assert kernel_state(run_cell_code, "explorer.player.decoded") == "True"
    player.locator(".pk-ab-play").click()
    explorer.locator('.pk-ab[data-playing="true"]').wait_for()
    assert player.get_attribute("data-selected") == "a"
    player.locator('.pk-ab-sel[data-sel="b"]').click()
    explorer.locator('.pk-ab[data-selected="b"]').wait_for()
    assert player.get_attribute("data-playing") == "true"
    assert kernel_state(run_cell_code, "explorer.player.selected, explorer.player.playing") == "b True"

    # A change while playing swaps the new B in: still playing, decoded again.
    run_cell_code("explorer.update(band=3, gain_db=-6.0)")
    explorer.locator('.pk-ab[data-decoded="true"]').wait_for()
    assert player.get_attribute("data-playing") == "true"
    explorer.scroll_into_view_if_needed()
    screenshot("eq_explorer_playing")
