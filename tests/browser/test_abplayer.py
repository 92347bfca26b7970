"""ABPlayer in a real JupyterLab page (Debian's chromium through Playwright).

Checks the behaviour the issue asks for, in the browser: the view renders without errors;
nothing plays before the Play click (browsers' autoplay policy, the design's "nothing
autoplays"); the audio decodes with Web Audio's decodeAudioData; A/B switching while playing
changes the state without stopping and changes what comes out (an AnalyserNode tapped in
front of the speakers); B − A cancels the shared fundamental, so the two play sample-aligned;
the volume and loop controls change the synced state; the loudness-match gain is shown; blind
ABX keeps score; a bad update shows its message in the widget and keeps playing the last good
audio.
"""

from __future__ import annotations

import re

import pytest

from .page_helpers import kernel_state

NOTEBOOK = "abplayer.ipynb"

# The page's shared Web Audio state (see abplayer.js: one AudioContext per page).
AUDIO_CONTEXT_JS = "() => { const s = globalThis.__producerkitAudio; return s && s.ctx ? s.ctx.state : null; }"
AUDIO_TIME_JS = "() => globalThis.__producerkitAudio.ctx.currentTime"

# Test-only tap: an AnalyserNode spliced in front of the speakers, so the test can see what the
# page is actually sending out (installed before the page's scripts run).
OUTPUT_TAP_JS = """
(() => {
  const connect = AudioNode.prototype.connect;
  AudioNode.prototype.connect = function (dest, ...rest) {
    if (typeof AudioDestinationNode !== 'undefined' && dest instanceof AudioDestinationNode) {
      const ctx = dest.context;
      if (!ctx.__tap) {
        const tap = ctx.createAnalyser();
        tap.fftSize = 8192;
        tap.smoothingTimeConstant = 0;
        connect.call(tap, dest);
        ctx.__tap = tap;
        globalThis.__outputTap = tap;
      }
      return connect.call(this, ctx.__tap, ...rest);
    }
    return connect.call(this, dest, ...rest);
  };
})();
"""

# Spectrum level (dB) of the page's output near each frequency, from the tap.
LEVELS_JS = """
(freqs) => {
  const tap = globalThis.__outputTap;
  if (!tap) return null;
  const bins = new Float32Array(tap.frequencyBinCount);
  tap.getFloatFrequencyData(bins);
  const hz = tap.context.sampleRate / tap.fftSize;
  return freqs.map(f => {
    const k = Math.round(f / hz);
    return Math.max(...bins.slice(k - 2, k + 3));
  });
}
"""


def wait_for_output(page, condition: str, timeout: float = 10_000) -> None:
    """Wait until ``condition`` (JS using l220, l440, l660: output levels in dB) holds."""
    page.wait_for_function(
        f"""() => {{
          const levels = ({LEVELS_JS})([220, 440, 660]);
          if (!levels) return false;
          const [l220, l440, l660] = levels;
          return {condition};
        }}""",
        timeout=timeout,
        polling=50,
    )


@pytest.mark.fresh_page  # its init script taps the players' output before JupyterLab loads
def test_abplayer_plays_switches_and_syncs_state(page, run_notebook, assert_no_errors, run_cell_code, screenshot):
    page.add_init_script(OUTPUT_TAP_JS)
    run_notebook(NOTEBOOK)
    assert_no_errors()

    player = page.locator(".pk-ab")
    player.wait_for(state="visible")

    # decodeAudioData succeeded for A and B (the view decodes before any gesture).
    page.locator('.pk-ab[data-decoded="true"]').wait_for(timeout=30_000)
    assert kernel_state(run_cell_code, "player.decoded") == "True"

    # Nothing autoplays: no AudioContext exists and nothing is playing until Play is pressed.
    assert player.get_attribute("data-playing") == "false"
    assert page.evaluate(AUDIO_CONTEXT_JS) is None

    # The loudness-match gain is shown: B (louder, brighter) is turned down by about 1 dB.
    match_text = player.locator(".pk-ab-match").inner_text()
    assert re.search(r"Loudness matched: Brighter −\d+\.\d dB", match_text), match_text
    gain = float(kernel_state(run_cell_code, "player.match_gain_db"))
    assert gain < -0.5
    assert f"{abs(gain):.1f} dB" in match_text

    # Play (the user gesture): the AudioContext runs and its clock advances.
    player.locator(".pk-ab-play").click()
    page.locator('.pk-ab[data-playing="true"]').wait_for()
    page.wait_for_function(f"() => ({AUDIO_CONTEXT_JS})() === 'running'")
    t0 = page.evaluate(AUDIO_TIME_JS)
    page.wait_for_function(f"t0 => ({AUDIO_TIME_JS})() > t0 + 0.1", arg=t0)
    assert kernel_state(run_cell_code, "player.playing") == "True"

    # What comes out is A: the pure 220 Hz sine, no harmonics.
    assert player.get_attribute("data-selected") == "a"
    wait_for_output(page, "l220 > -40 && l440 < l220 - 40")

    # Press B while playing: the selection changes, playback goes on, and the output now has
    # B's harmonics (440 Hz at -18 dBFS under the -12 dBFS fundamental).
    player.locator('.pk-ab-sel[data-sel="b"]').click()
    page.locator('.pk-ab[data-selected="b"]').wait_for()
    assert player.get_attribute("data-playing") == "true"
    wait_for_output(page, "l440 > l220 - 12 && l660 > l220 - 15")
    assert kernel_state(run_cell_code, "player.selected, player.playing") == "b True"

    # B − A without loudness matching is exactly the added harmonics: the shared 220 Hz
    # fundamental cancels, which only happens if both versions play sample-aligned.
    player.locator(".pk-ab-match-box").uncheck()
    player.locator('.pk-ab-sel[data-sel="diff"]').click()
    page.locator('.pk-ab[data-selected="diff"]').wait_for()
    assert player.get_attribute("data-playing") == "true"
    wait_for_output(page, "l440 > -60 && l220 < l440 - 40")
    assert "Loudness match off: Brighter is" in player.locator(".pk-ab-match").inner_text()
    assert kernel_state(run_cell_code, "player.match_loudness") == "False"

    # Master volume: default -12 dB, moving the slider changes the synced state.
    assert player.get_attribute("data-volume-db") == "-12"
    player.locator(".pk-ab-volume").fill("-30")
    page.locator('.pk-ab[data-volume-db="-30"]').wait_for()
    assert kernel_state(run_cell_code, "player.volume_db") == "-30.0"

    # Loop region: moving the loop-start slider changes the synced state, playback goes on.
    player.locator(".pk-ab-loop-start").fill("1")
    assert kernel_state(run_cell_code, "player.loop_start, player.playing") == "1.0 True"

    # The playhead position reaches Python (throttled) while playing.
    assert float(kernel_state(run_cell_code, "player.position")) > 0

    player.scroll_into_view_if_needed()
    screenshot("abplayer_playing")


def test_abplayer_error_and_hot_swap(page, run_notebook, assert_no_errors, run_cell_code):
    run_notebook(NOTEBOOK)
    player = page.locator(".pk-ab")
    page.locator('.pk-ab[data-decoded="true"]').wait_for(timeout=30_000)
    player.locator(".pk-ab-play").click()
    page.locator('.pk-ab[data-playing="true"]').wait_for()

    # An invalid update: the message shows in the widget, no traceback, the last good audio stays.
    out = run_cell_code("player.update(b=np.full(1000, np.nan)); print(player.decoded)")
    assert out.strip() == "True"
    error = player.locator(".pk-ab-error")
    error.wait_for(state="visible")
    assert "NaN" in error.inner_text()
    assert_no_errors()
    assert player.get_attribute("data-playing") == "true"

    # A good update while playing: the new B is decoded and swapped in; still playing, error cleared.
    decodes = int(player.get_attribute("data-decode-count"))
    run_cell_code("player.update(b=b * 0.5)")
    error.wait_for(state="hidden")
    page.locator(f'.pk-ab[data-decoded="true"][data-decode-count="{decodes + 1}"]').wait_for()
    assert player.get_attribute("data-playing") == "true"
    assert_no_errors()

    # Pause from the page; Python sees it.
    player.locator(".pk-ab-play").click()
    page.locator('.pk-ab[data-playing="false"]').wait_for()
    assert kernel_state(run_cell_code, "player.playing") == "False"


def test_abplayer_blind_abx_keeps_score(page, run_notebook, run_cell_code):
    run_notebook(NOTEBOOK)
    player = page.locator(".pk-ab")
    page.locator('.pk-ab[data-decoded="true"]').wait_for(timeout=30_000)

    player.locator(".pk-ab-abx-toggle").click()
    page.locator('.pk-ab[data-abx="true"]').wait_for()
    # Labels and levels are hidden during the blind test.
    assert "Brighter" not in player.locator(".pk-ab-row").first.inner_text()
    player.locator(".pk-ab-play").click()
    player.locator('.pk-ab-sel[data-sel="x"]').click()
    page.locator('.pk-ab[data-selected="x"]').wait_for()
    for _ in range(3):
        player.locator('.pk-ab-answer[data-answer="b"]').click()
    player.locator(".pk-ab-abx-score").filter(has_text="/ 3 correct").wait_for()
    correct, trials = kernel_state(run_cell_code, "player.abx_score.correct, player.abx_score.trials").split()
    assert trials == "3" and 0 <= int(correct) <= 3
    assert f"Score: {correct} / 3 correct" in player.locator(".pk-ab-abx-score").inner_text()


def test_abplayer_sliders_take_arrow_keys(page, run_notebook, run_cell_code, screenshot):
    """Issue 11 item 8: JupyterLab takes arrow keys for the notebook; the player's own sliders must get them.

    ArrowRight / ArrowLeft on each of the volume, seek and loop sliders moves that slider (the kernel
    sees the new value), and the keys do not move the notebook's active cell.
    """
    run_notebook(NOTEBOOK)
    player = page.locator(".pk-ab")
    page.locator('.pk-ab[data-decoded="true"]').wait_for(timeout=30_000)
    active_cell = (
        "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')]"
        ".findIndex(c => c.classList.contains('jp-mod-active'))"
    )

    # Volume: -12 dB, one step (1 dB) up per ArrowRight; ArrowDown must not select the next cell.
    volume = player.locator(".pk-ab-volume")
    volume.focus()
    before = page.evaluate(active_cell)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    page.locator('.pk-ab[data-volume-db="-10"]').wait_for(timeout=5_000)
    assert page.evaluate(active_cell) == before
    assert kernel_state(run_cell_code, "player.volume_db") == "-10.0"

    # Loop start: 0 s, one step (0.01 s) later per ArrowRight.
    player.locator(".pk-ab-loop-start").focus()
    page.keyboard.press("ArrowRight")
    assert float(kernel_state(run_cell_code, "player.loop_start")) == pytest.approx(0.01)

    # Loop end: at the end of the clip; ArrowLeft brings it in.
    end_before = float(kernel_state(run_cell_code, "player.loop_end or player.duration"))
    player.locator(".pk-ab-loop-end").focus()
    page.keyboard.press("ArrowLeft")
    assert float(kernel_state(run_cell_code, "player.loop_end")) == pytest.approx(end_before - 0.01)

    # Seek: the playhead moves (the kernel hears the new position).
    seek = player.locator(".pk-ab-seek")
    seek.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert float(seek.input_value()) == pytest.approx(0.05, abs=0.011)
    assert float(kernel_state(run_cell_code, "player.position")) == pytest.approx(0.05, abs=0.011)

    player.scroll_into_view_if_needed()
    screenshot("abplayer_arrow_keys")
