"""EQExplorer in a real JupyterLab page (Debian's chromium through Playwright).

Checks, in the browser: the view renders with no error output and no "Error displaying
widget"; a real slider interaction (keyboard on the gain slider's handle) and an
``explorer.update(...)`` both change the plotted EQ curve; an invalid value shows its
message in the widget and changes nothing else; the A/B player decodes both versions with
Web Audio's decodeAudioData and switches to B while playing.
"""

from __future__ import annotations

from .page_helpers import (
    TRACE_SUM_JS,
    kernel_state,
    play_then_switch_to_b,
    settle_trace,
    trace_sum,
    wait_for_trace_change,
)

NOTEBOOK = "eq_explorer.ipynb"

PLOT = ".pk-eq-explorer .js-plotly-plot"
CURVE = 2  # trace 0: before, 1: after, 2: EQ curve


def curve_sum(page, trace: int = CURVE):
    return trace_sum(page, PLOT, 0, trace)


def wait_for_change(page, before: float, trace: int = CURVE) -> float:
    return wait_for_trace_change(page, PLOT, 0, trace, before)


def test_eq_explorer_renders_reacts_and_plays(page, run_notebook, assert_no_errors, run_cell_code, screenshot):
    run_notebook(NOTEBOOK)
    assert_no_errors()
    explorer = page.locator(".pk-eq-explorer")
    explorer.wait_for(state="visible")
    page.locator(PLOT).wait_for(state="visible")
    assert explorer.locator(".pk-band0-freq").count() == 1  # five bands of controls
    assert "freq (Hz)" in explorer.inner_text() and "gain (dB)" in explorer.inner_text()
    page.wait_for_function(f"() => ({TRACE_SUM_JS})([{PLOT!r}, 0, {CURVE}]) !== null")
    curve0 = curve_sum(page)

    # A real slider interaction: focus band 3's gain handle and step it up with the keyboard.
    handle = explorer.locator(".pk-band2-gain .noUi-handle")
    handle.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    wait_for_change(page, curve0)
    curve1 = settle_trace(page, run_cell_code, PLOT, 0, CURVE, f"explorer.figure.data[{CURVE}].y")
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
    explorer.locator('.pk-ab[data-decoded="true"]').wait_for(timeout=30_000)
    assert kernel_state(run_cell_code, "explorer.player.decoded") == "True"
    player = play_then_switch_to_b(page, ".pk-eq-explorer", run_cell_code, "explorer.player")

    # A change while playing swaps the new B in: still playing, decoded again.
    run_cell_code("explorer.update(band=3, gain_db=-6.0)")
    explorer.locator('.pk-ab[data-decoded="true"]').wait_for()
    assert player.get_attribute("data-playing") == "true"
    explorer.scroll_into_view_if_needed()
    screenshot("eq_explorer_playing")
