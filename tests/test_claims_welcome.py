"""Lesson 00's pictures say what its text says, computed from the lesson's own cells.

"Look. The average spectrum of both versions, at the same loudness": the two spectra the lesson
draws are loudness-matched the way the A/B player above them matches them, so they sit at the
same height where loudness is measured (issue 11, item 2: the mono demo was measured as one
channel and the stereo mix as two, which drew the mix 5-8 dB under the demo).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.signal import sosfreqz

from producerkit.eq import FREQUENCY_RANGES
from producerkit.meters import k_weighting

from .lesson_cells import markdown_cells, run_cells

LESSON = "00-welcome"
SETUP, DEMO, PRODUCED, PLAYER, LOOK = "0f970814", "044902bf", "ca69cb2a", "93e98c50", "302b7957"


@pytest.fixture(scope="module")
def look():
    """The namespace after the lesson's demo, mix, player and "Look" cells, and the figure it shows."""
    return run_cells(LESSON, [SETUP, DEMO, PRODUCED, PLAYER, LOOK])


def k_weighted_level_db(freqs, db, sr):
    """A spectrum's power through BS.1770's K-weighting, summed over its (log-spaced) bands."""
    _, h = sosfreqz(k_weighting(sr), worN=np.asarray(freqs), fs=sr)
    return 10 * np.log10(np.sum(10 ** (np.asarray(db) / 10) * np.abs(h) ** 2 * np.asarray(freqs)))


def test_the_loudness_matched_spectra_agree_where_loudness_is_measured(look):
    ns, fig = look
    (demo, produced) = fig.data
    assert demo.name.startswith("demo") and produced.name.startswith("produced")
    np.testing.assert_allclose(demo.x, produced.x)
    gap = k_weighted_level_db(produced.x, produced.y, ns["sr"]) - k_weighted_level_db(demo.x, demo.y, ns["sr"])
    assert abs(gap) < 1.0, f"the 'loudness-matched' spectra differ by {gap:+.1f} dB through the K-weighting"


def test_the_picture_is_matched_as_the_player_above_it_plays(look):
    """The player reads both versions' loudness (mono demo copied to both speakers); the figure uses the same gap."""
    ns, fig = look
    player = ns["player"]
    from producerkit import plots

    gains = plots.loudness_match_db({"demo": ns["demo"], "produced": ns["produced"]}, ns["sr"])
    assert gains["produced"] - gains["demo"] == pytest.approx(player.loudness_a - player.loudness_b, abs=0.05)
    assert abs(player.loudness_a - player.loudness_b) < 0.5  # the text: both play at the same loudness


def test_what_moved_is_the_balance_as_the_text_says(look):
    """The text: less rumble and boom below 250 Hz, more voice where it sings (about 300-700 Hz), softer cymbals."""
    _, fig = look
    freqs = np.asarray(fig.data[0].x)
    change = np.asarray(fig.data[1].y) - np.asarray(fig.data[0].y)  # produced minus demo, dB

    def mean_change(lo, hi):
        return float(np.mean(change[(freqs >= lo) & (freqs < hi)]))

    assert mean_change(20, 250) < -2.0
    assert -4.0 < mean_change(2000, 10000) < -1.0  # softer, slightly
    # the voice's range, as the text gives it: the produced curve is above the demo's across it
    text = " ".join(next(c for c in markdown_cells(LESSON) if c.startswith("**Look.** The average spectrum")).split())
    lo, hi = (float(v) for v in re.search(r"\((?:about )?(\d+)–(\d+) Hz\)", text).groups())
    assert mean_change(lo, hi) > 2.0
    inside = change[(freqs >= lo) & (freqs < hi)]
    assert np.mean(inside > 0) >= 0.9, f"the produced curve is above the demo on only {np.mean(inside > 0):.0%}"
    # ... and it is named with the EQ lesson's own ranges (W1 item 5: "low-mids (250-800 Hz)" was a second
    # definition of the low-mids, which lesson 01 and the shaded bands put at 250-500 Hz)
    ranges = {name: (a, b) for name, a, b in FREQUENCY_RANGES}
    clause = text.split("below 250 Hz")[1].split(" Hz)")[0]
    named = [ranges[n] for n in re.findall(r"\b(sub|bass|low-mids|mids|presence|air)\b", clause)]
    assert named, clause
    assert min(a for a, _ in named) <= lo and hi <= max(b for _, b in named), (clause, named)
