"""ABPlayer on a busy page: a player whose code loads late still shows its audio and hears Python.

On a loaded machine (a Binder pod, "Run All" drawing many outputs) the page's main thread can be
busy for seconds while a widget is created. anywidget (0.11) gives a widget's code 2 s to load;
when it is late, every message the kernel sends to that widget afterwards is dropped for good
(``_handle_comm_msg`` waits on a promise that the 2 s timeout has rejected). The player then
showed only what the widget's opening message carried: "Before silent, After silent", 0:00.0.

The test makes the late load happen every time: it holds the main thread for 2.5 s whenever
anywidget turns the player's code into a module (``new Blob([esm], {type: "text/javascript"})``),
then checks that every player shows its own audio, labels and loudness, that audio set right after
display and audio set from a later cell reach the page, and that the kernel hears the page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .page_helpers import allow_anywidget_late, kernel_state

NOTEBOOK = "slow_load.ipynb"

# Hold the main thread for 2.5 s each time anywidget builds the player's module from its code
# (abplayer.js's first line names it; the shared _late_load.js comes before it), as a page busy
# drawing other outputs does.
SLOW_LOAD_JS = """
(() => {
  const NativeBlob = globalThis.Blob;
  globalThis.__pkSlowLoads = 0;
  globalThis.Blob = class extends NativeBlob {
    constructor(parts, options) {
      super(parts, options);
      const code = Array.isArray(parts) && parts.find((p) => typeof p === "string");
      if (options && options.type === "text/javascript" && code && code.includes("\\n// ABPlayer view")) {
        globalThis.__pkSlowLoads += 1;
        const until = performance.now() + 2500;
        while (performance.now() < until) { /* busy, as a loaded page is */ }
      }
    }
  };
})();
"""

# What abplayer.js logs when anywidget gave up waiting for its code.
LATE = "the A/B player's code loaded late"

# What each player must show: its labels, and its length (the first player's clips are 2 s; the
# other two were given a 2.5 s B right after display, so they last 2.5 s).
EXPECTED = [("Sine", "Brighter", "0:02.0"), ("Dry 1", "Wet 1", "0:02.5"), ("Dry 2", "Wet 2", "0:02.5")]


def _wait_decoded(page, player, timeout: float = 30_000) -> None:
    try:
        expect(player).to_have_attribute("data-decoded", "true", timeout=timeout)
    except AssertionError as exc:
        texts = page.locator(".pk-ab").all_inner_texts()
        raise AssertionError("a player never decoded its audio; the players show:\n" + "\n---\n".join(texts)) from exc


@pytest.mark.fresh_page  # its init script slows the widgets' code down before JupyterLab loads it
def test_players_whose_code_loads_late_show_their_audio_and_hear_python(
    page, run_notebook, assert_no_errors, run_cell_code, screenshot
):
    page.add_init_script(SLOW_LOAD_JS)
    late = []
    page.on("console", lambda msg: late.append(msg.text) if LATE in msg.text else None)
    run_notebook(NOTEBOOK)

    players = page.locator(".pk-ab")
    players.nth(len(EXPECTED) - 1).wait_for(state="attached")
    assert players.count() == len(EXPECTED)
    # The slow load really happened, once per player.
    assert page.evaluate("() => globalThis.__pkSlowLoads") == len(EXPECTED)

    for i, (label_a, label_b, length) in enumerate(EXPECTED):
        player = players.nth(i)
        _wait_decoded(page, player)
        text = player.inner_text()
        assert f"A · {label_a}" in text and f"B · {label_b}" in text, text
        assert player.locator(".pk-ab-time").inner_text().endswith(f"/ {length}"), text
        match = player.locator(".pk-ab-match").inner_text()
        assert "silent" not in match and re.search(rf"{label_b} −\d+\.\d LUFS", match), match
        assert not player.locator(".pk-ab-play").is_disabled()
    assert kernel_state(run_cell_code, "[p.decoded for p in [player, *players]]") == "[True, True, True]"
    # anywidget had given up waiting for the players' code: they took the kernel's messages
    # themselves (abplayer.js says so on the console), so the test did reproduce the busy page.
    assert late, "no player's code loaded after anywidget gave up: the test did not reproduce the busy page"
    allow_anywidget_late(page)  # anywidget's own complaint about the late load this test causes
    assert_no_errors()

    # Python still reaches a player whose code loaded late: new audio from a later cell is decoded
    # and shown (1 s now), and new labels replace the old ones.
    first = players.nth(0)
    decodes = int(first.get_attribute("data-decode-count"))
    run_cell_code(
        "player.update(a=signals.sine(220, 1.0, sr, level_dbfs=-12.0), b=signals.sine(220, 1.0, sr, level_dbfs=-20.0),"
        ' labels=("Loud", "Quiet"))'
    )
    try:
        expect(first.locator(".pk-ab-time")).to_have_text(re.compile(r"/ 0:01\.0$"), timeout=20_000)
    except AssertionError as exc:
        raise AssertionError("a later update never reached the first player: " + first.inner_text()) from exc
    _wait_decoded(page, first)
    assert int(first.get_attribute("data-decode-count")) > decodes
    assert "A · Loud" in first.inner_text() and "B · Quiet" in first.inner_text()
    assert_no_errors()

    first.scroll_into_view_if_needed()
    screenshot("slow_widget_load")
