"""What the widget browser tests do alike: ask the kernel, read plotly traces, play A/B."""

from __future__ import annotations

# A signature of a plotted trace: the sum of its y values, read from plotly's graph div (gd.data)
# of the plot-th element matching the selector.
TRACE_SUM_JS = """
([selector, plot, trace]) => {
  const gd = document.querySelectorAll(selector)[plot];
  if (!gd || !gd.data || !gd.data[trace]) return null;
  return Array.from(gd.data[trace].y).reduce((s, v) => s + Number(v), 0);
}
"""


def kernel_state(run_cell_code, expr: str) -> str:
    """Evaluate an expression in the notebook's kernel and return what it prints."""
    return run_cell_code(f"print({expr})").strip()


def trace_sum(page, selector: str, plot: int, trace: int):
    return page.evaluate(TRACE_SUM_JS, [selector, plot, trace])


def wait_for_trace_change(page, selector: str, plot: int, trace: int, before: float) -> float:
    """Wait until the trace is drawn and differs from ``before``; return its new signature."""
    page.wait_for_function(
        f"([args, before]) => {{ const v = ({TRACE_SUM_JS})(args); "
        "return v !== null && Math.abs(v - before) > 1e-6; }",
        arg=[[selector, plot, trace], before],
        timeout=20_000,
    )
    return trace_sum(page, selector, plot, trace)


def settle_trace(page, run_cell_code, selector: str, plot: int, trace: int, kernel_trace: str) -> float:
    """Apply slider moves still waiting in the debouncer, then wait until the page draws the kernel's trace.

    Key presses arrive in bursts; without this a later, debounced redraw could land after a
    value the test has already read. ``kernel_trace`` is the trace's y data in the kernel.
    """
    want = float(kernel_state(run_cell_code, f"explorer.flush() or float(sum({kernel_trace}))"))
    page.wait_for_function(
        f"([args, want]) => {{ const v = ({TRACE_SUM_JS})(args); "
        "return v !== null && Math.abs(v - want) <= 1e-6 * Math.max(1, Math.abs(want)); }",
        arg=[[selector, plot, trace], want],
        timeout=20_000,
    )
    return trace_sum(page, selector, plot, trace)


def play_then_switch_to_b(page, root: str, run_cell_code, player_expr: str):
    """Press play (A sounds), then B while playing: the selection changes, playback goes on, the kernel agrees."""
    player = page.locator(f"{root} .pk-ab")
    player.locator(".pk-ab-play").click()
    page.locator(f'{root} .pk-ab[data-playing="true"]').wait_for()
    assert player.get_attribute("data-selected") == "a"
    player.locator('.pk-ab-sel[data-sel="b"]').click()
    page.locator(f'{root} .pk-ab[data-selected="b"]').wait_for()
    assert player.get_attribute("data-playing") == "true"
    assert kernel_state(run_cell_code, f"{player_expr}.selected, {player_expr}.playing") == "b True"
    return player


# What anywidget (0.11) throws on the page when a widget's code took over 2 s to load. Our views
# (abplayer.js, playhead.js) then take the kernel's messages themselves; a test that has checked
# every view rendered and works may let this one message through, and only this one.
ANYWIDGET_LATE = "pageerror: [anywidget] Failed to initialize model."


def allow_anywidget_late(page) -> None:
    """Drop anywidget's late-load message from the page's errors (see :data:`ANYWIDGET_LATE`)."""
    page.console_errors[:] = [e for e in page.console_errors if e != ANYWIDGET_LATE]

