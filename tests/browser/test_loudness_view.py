"""LoudnessView in a real JupyterLab page (Debian's chromium through Playwright).

The issue's checks, in the browser: the picture (the playhead), the QC table and the player
render with no error output and no "Error displaying widget"; there is one picture of the
loudness, not two; choosing another platform in the dropdown moves the target line the page
draws (found by its colour in the canvas's pixels) and changes the verdict in the picture's
title and the line above it; Web Audio's decodeAudioData succeeds for A and B; pressing B while
playing changes the state without stopping.
"""

from __future__ import annotations

from .page_helpers import kernel_state, play_then_switch_to_b

NOTEBOOK = "loudness_view.ipynb"

# The row (CSS pixels from the canvas's top) where the target line's red (#d62728: red well above green,
# green and blue alike, also where antialiasing blends it with white) is strongest summed over a row;
# null when no row has a dashed line's worth of it. Other traces are curves, or not red.
TARGET_ROW_JS = """
() => {
  const canvas = document.querySelector('.pk-loudness .pk-ph canvas');
  if (!canvas || !canvas.width) return null;
  const { width, height } = canvas;
  const px = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let best = -1, bestSum = 0;
  for (let row = 0; row < height; row++) {
    let sum = 0;
    for (let x = 0; x < width; x++) {
      const i = 4 * (row * width + x);
      const red = px[i] - px[i + 1];
      if (red > 60 && Math.abs(px[i + 1] - px[i + 2]) < 25) sum += red;
    }
    if (sum > bestSum) { best = row; bestSum = sum; }
  }
  return bestSum > 100 * width / 4 ? best / (window.devicePixelRatio || 1) : null;
}
"""
LEGEND_JS = "() => [...document.querySelectorAll('.pk-loudness .pk-ph-key')].map(k => k.textContent)"
PANEL_HEIGHT = 240  # LoudnessView's one trace panel, y axis -60..0 LUFS


def test_loudness_view_dropdown_moves_target_and_ab(page, run_notebook, assert_no_errors, run_cell_code, screenshot):
    run_notebook(NOTEBOOK)
    assert_no_errors()
    view = page.locator(".pk-loudness")
    view.wait_for(state="visible")
    # One picture: the playhead, no second (plotly) plot of the same loudness.
    assert view.locator(".js-plotly-plot").count() == 0
    assert view.locator(".pk-ph canvas").count() == 1
    page.wait_for_function(f"() => ({TARGET_ROW_JS})() !== null", timeout=30_000)
    row_spotify = page.evaluate(TARGET_ROW_JS)
    names = page.evaluate(LEGEND_JS)
    integrated = kernel_state(run_cell_code, "f'{view.loudness.integrated_lufs:.1f}'")
    for name in ("Spotify target -14 LUFS", "momentary · Your master", "short-term · Your master",
                 f"integrated {integrated} LUFS · Your master", "short-term · On Spotify"):
        assert [n for n in names if n.startswith(name)], (name, names)
    title = view.locator(".pk-ph-title").inner_text()
    assert title.startswith("Loudness as you hear it · Spotify: "), title
    assert title.endswith(kernel_state(run_cell_code, "view.verdict.upper()")), title
    assert "max momentary (400 ms)" in view.locator(".pk-loudness-summary").inner_text()
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
    # 9 LU lower on a 60 LU axis of PANEL_HEIGHT pixels.
    page.wait_for_function(f"() => Math.abs(({TARGET_ROW_JS})() - {row_spotify} - {9 / 60 * PANEL_HEIGHT}) <= 2",
                           timeout=15_000)
    assert "EBU R 128 (broadcast) target -23 LUFS" in page.evaluate(LEGEND_JS)
    view.locator('.pk-loudness-summary [data-target="ebu_r128"]').wait_for()
    key, verdict, same = run_cell_code(
        "from producerkit import master\n"
        "print(view.target.key, view.verdict, view.verdict == master.qc(y, session.sr, target='ebu_r128').verdict)"
    ).split()
    assert (key, same) == ("ebu_r128", "True")
    assert view.locator(".pk-loudness-summary [data-target]").get_attribute("data-verdict") == verdict
    assert view.locator(".pk-ph-title").inner_text().endswith(f"EBU R 128 (broadcast): {verdict.upper()}")
    assert "On EBU R 128" in view.locator(".pk-ab").inner_text()
    assert_no_errors()
    view.evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshot("loudness_view_ebu")

    # A/B while playing.
    play_then_switch_to_b(page, ".pk-loudness", run_cell_code, "view.player")
    view.evaluate("el => el.scrollIntoView({block: 'start'})")
    screenshot("loudness_view_playing")
