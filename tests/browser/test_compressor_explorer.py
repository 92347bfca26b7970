"""CompressorExplorer in a real JupyterLab page (Debian's chromium through Playwright).

Checks, in the browser: the view renders with no error output and no "Error displaying
widget", with one picture of the waveforms and gain reduction (the playhead) and one plotly
plot (the transfer curve); a real slider interaction (keyboard on the threshold handle) changes
the transfer curve and the gain-reduction trace; ``explorer.update(...)`` redraws too; an invalid
ratio shows its message in the widget and changes nothing else; the loudness-matched A/B player
decodes both versions with Web Audio's decodeAudioData and switches to B while playing.
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

NOTEBOOK = "compressor_explorer.ipynb"
PLOTS = ".pk-compressor-explorer .js-plotly-plot"

TRANSFER = 0  # the one plotly plot
CURVE = 2  # transfer plot: 0 level histogram, 1 "no compression" diagonal, 2 the curve

# The gain-reduction trace the playhead draws (its second panel), as a sum of its values per column.
GR_SUM_JS = """
() => {
  const ph = document.querySelector('.pk-compressor-explorer .pk-ph');
  if (!ph || !ph.__pkPlayhead) return null;
  const panels = ph.__pkPlayhead.panels();
  return panels.length > 1 ? panels[1].traces[0].lo.reduce((s, v) => s + v, 0) : null;
}
"""
GR_KERNEL = "float(sum(explorer.playhead.panels[1]['traces'][0]['lo']))"


def settle_gr(page, run_cell_code) -> float:
    """Wait until the page draws the gain reduction the kernel has (slider moves flushed); return it."""
    want = float(kernel_state(run_cell_code, f"explorer.flush() or {GR_KERNEL}"))
    page.wait_for_function(f"want => {{ const v = ({GR_SUM_JS})(); return v !== null && Math.abs(v - want) < 1e-3; }}",
                           arg=want, timeout=20_000)
    return page.evaluate(GR_SUM_JS)


def test_compressor_explorer_renders_reacts_and_plays(
    page, run_notebook, assert_no_errors, run_cell_code, screenshot
):
    run_notebook(NOTEBOOK)
    assert_no_errors()
    explorer = page.locator(".pk-compressor-explorer")
    explorer.wait_for(state="visible")
    assert explorer.locator(".js-plotly-plot").count() == 1  # the transfer curve
    assert explorer.locator(".pk-ph canvas").count() == 1  # one picture of the waveforms and gain reduction
    text = explorer.inner_text()
    for label in ("threshold (dB)", "ratio", "knee (dB)", "attack (ms)", "release (ms)", "makeup (dB)", "mix"):
        assert label in text, label
    page.wait_for_function(f"() => ({TRACE_SUM_JS})([{PLOTS!r}, {TRANSFER}, {CURVE}]) !== null")
    page.wait_for_function(f"() => ({GR_SUM_JS})() !== null")
    curve0 = trace_sum(page, PLOTS, TRANSFER, CURVE)
    gr0 = page.evaluate(GR_SUM_JS)

    # A real slider interaction: step the threshold down with the keyboard on its handle.
    handle = explorer.locator(".pk-comp-threshold .noUi-handle")
    handle.focus()
    for _ in range(12):
        page.keyboard.press("ArrowLeft")
    wait_for_trace_change(page, PLOTS, TRANSFER, CURVE, curve0)
    curve1 = settle_trace(page, run_cell_code, PLOTS, TRANSFER, CURVE, f"explorer.figure.data[{CURVE}].y")
    gr1 = settle_gr(page, run_cell_code)
    assert curve1 != curve0
    assert gr1 < gr0  # a lower threshold: more gain reduction, drawn downwards
    threshold = float(kernel_state(run_cell_code, "explorer.compressor.threshold_db"))
    assert threshold < -18.0, threshold

    # From code: a higher ratio bends the curve further.
    assert kernel_state(run_cell_code, "explorer.update(ratio=10.0)") == "True"
    curve2 = wait_for_trace_change(page, PLOTS, TRANSFER, CURVE, curve1)
    assert curve2 < curve1

    # An invalid value: its message shows in the widget, nothing else changes, no traceback.
    assert kernel_state(run_cell_code, "explorer.update(ratio=0.5)") == "False"
    error = explorer.locator(".pk-explorer-error")
    error.wait_for(state="visible")
    assert "ratio must be at least 1" in error.inner_text()
    assert trace_sum(page, PLOTS, TRANSFER, CURVE) == curve2
    assert kernel_state(run_cell_code, "explorer.compressor.ratio") == "10.0"
    assert_no_errors()

    # The loudness-matched A/B player: both versions decode in the page, then B while playing.
    explorer.locator('.pk-ab[data-decoded="true"]').wait_for(timeout=30_000)
    assert kernel_state(run_cell_code, "explorer.player.decoded, explorer.player.match_loudness") == "True True"
    player = play_then_switch_to_b(page, ".pk-compressor-explorer", run_cell_code, "explorer.player")
    assert "Loudness matched" in player.inner_text()
    explorer.scroll_into_view_if_needed()
    screenshot("compressor_explorer_playing")


# Each slider's description: its text, and whether the page had to cut it off (text wider than its box).
LABELS_JS = """
(root) => [...document.querySelectorAll(root + ' .widget-slider .widget-label')].map(l => ({
  text: l.textContent.trim(), cut: l.scrollWidth > l.clientWidth + 1, width: l.clientWidth,
}))
"""


def test_compressor_explorer_labels_show_their_units(page, run_notebook, screenshot):
    """Issue 11 item 10: the labels read "threshol…" and "attack (…", hiding the units."""
    run_notebook(NOTEBOOK)
    explorer = page.locator(".pk-compressor-explorer")
    explorer.wait_for(state="visible")
    explorer.scroll_into_view_if_needed()
    labels = page.evaluate(LABELS_JS, ".pk-compressor-explorer")
    texts = [label["text"] for label in labels]
    for expected in ("threshold (dB)", "ratio (:1)", "knee (dB)", "attack (ms)", "release (ms)", "makeup (dB)"):
        assert expected in texts, texts
    cut = [label for label in labels if label["cut"]]
    assert not cut, f"labels cut off: {cut}"
    page.wait_for_function(f"() => ({TRACE_SUM_JS})([{PLOTS!r}, {TRANSFER}, {CURVE}]) !== null")
    screenshot("compressor_explorer_labels")
