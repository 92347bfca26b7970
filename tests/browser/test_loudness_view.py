"""LoudnessView in a real JupyterLab page (Debian's chromium through Playwright).

The issue's checks, in the browser: the plot, the QC table and the player render with no error
output and no "Error displaying widget"; choosing another platform in the dropdown moves the
target line in the plotly plot (read from the plot's own data in the page) and changes the
verdict line; Web Audio's decodeAudioData succeeds for A and B; pressing B while playing
changes the state without stopping.
"""

from __future__ import annotations

from .page_helpers import kernel_state, play_then_switch_to_b

NOTEBOOK = "loudness_view.ipynb"

# The target line is the fourth trace of the view's plot (see LoudnessView._make_figure).
TARGET_Y_JS = """
() => {
  const gd = document.querySelector('.pk-loudness .js-plotly-plot');
  return gd && gd.data && gd.data.length > 3 ? gd.data[3].y[0] : null;
}
"""


def test_loudness_view_dropdown_moves_target_and_ab(page, run_notebook, assert_no_errors, run_cell_code, screenshot):
    run_notebook(NOTEBOOK)
    assert_no_errors()
    view = page.locator(".pk-loudness")
    view.wait_for(state="visible")
    page.wait_for_function(f"() => ({TARGET_Y_JS})() === -14", timeout=30_000)
    names = page.evaluate("() => document.querySelector('.pk-loudness .js-plotly-plot').data.map(d => d.name)")
    assert names[0].startswith("momentary (400 ms), max") and names[1].startswith("short-term (3 s), max"), names
    summary = view.locator(".pk-loudness-summary [data-target]")
    assert summary.get_attribute("data-target") == "spotify"
    rows = view.locator(".pk-loudness-qc tr[data-status]")
    assert rows.count() >= 10
    assert "integrated loudness" in rows.first.inner_text()

    page.locator('.pk-loudness .pk-ab[data-decoded="true"]').wait_for(timeout=30_000)
    assert kernel_state(run_cell_code, "view.player.decoded") == "True"

    # Another platform from the dropdown: the target line moves to -23 LUFS, the verdict follows.
    select = view.locator(".pk-loudness-target select")
    select.select_option(label=select.locator("option", has_text="EBU R 128").inner_text())
    page.wait_for_function(f"() => ({TARGET_Y_JS})() === -23", timeout=15_000)
    view.locator('.pk-loudness-summary [data-target="ebu_r128"]').wait_for()
    key, verdict, same = run_cell_code(
        "from producerkit import master\n"
        "print(view.target.key, view.verdict, view.verdict == master.qc(y, session.sr, target='ebu_r128').verdict)"
    ).split()
    assert (key, same) == ("ebu_r128", "True")
    assert view.locator(".pk-loudness-summary [data-target]").get_attribute("data-verdict") == verdict
    assert "On EBU R 128" in view.locator(".pk-ab").inner_text()
    assert_no_errors()
    view.evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshot("loudness_view_ebu")

    # A/B while playing.
    play_then_switch_to_b(page, ".pk-loudness", run_cell_code, "view.player")
    view.evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshot("loudness_view_playing")
