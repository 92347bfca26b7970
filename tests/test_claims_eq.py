"""Lesson 01's pictures say what its text says, computed from the lesson's own cells.

- §1 "Where each stem lives": kick and bass below 250 Hz, the keys in the bass and low-mids, the lead
  across the low-mids and mids, the overheads in the presence and the air.
- §6 "The rumble sits far below anything the lead sings".
- §7 "Kick and bass share 40–120 Hz"; "At the kick's fundamental the two are about equally loud";
  with the lesson's carve on the bass "the kick's thump comes through" (3 dB or more on top there);
  Exercise 6 "Read it off the plot above": the kick curve's highest point, which is what a student
  reads off, passes the checker, and the figure does not print the answer (issue 11, item 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from producerkit.checks import check_kick_fundamental
from producerkit.checks import eq as ceq
from producerkit.plots import spectrum_db

from .lesson_cells import run_cells

LESSON = "01-eq"
SETUP, STEMS_LOOK, RUMBLE, RUMBLE_LOOK, KICK_LOOK, CARVE = (
    "4e8c18bf", "3959a937", "bc8f8ddd", "9bfd8e3e", "ea4547cb", "6ad89c99"
)


@pytest.fixture(scope="module")
def setup():
    return run_cells(LESSON, [SETUP])[0]


def curve(fig, name):
    trace = next(t for t in fig.data if t.name.startswith(name))
    return np.asarray(trace.x), np.asarray(trace.y)


def share_of_power(freqs, db, lo, hi):
    """The fraction of a log-spaced spectrum's power between lo and hi Hz."""
    power = 10 ** (db / 10) * freqs  # bands are log-spaced: width grows with f
    return power[(freqs >= lo) & (freqs < hi)].sum() / power.sum()


def test_each_stem_lives_where_the_text_says(setup):
    _, fig = run_cells(LESSON, [STEMS_LOOK], setup)
    for stem in ("kick", "bass"):
        assert share_of_power(*curve(fig, stem), 20, 250) > 0.8, stem
    assert share_of_power(*curve(fig, "keys"), 60, 500) > 0.8  # the bass and the low-mids
    assert share_of_power(*curve(fig, "lead"), 250, 2000) > 0.9  # the low-mids and mids
    assert share_of_power(*curve(fig, "overheads"), 2000, 20000) > 0.9  # the presence and the air


def test_the_rumble_sits_far_below_the_lead(setup):
    ns, fig = run_cells(LESSON, [RUMBLE, RUMBLE_LOOK], setup)
    freqs, clean = curve(fig, "clean lead")
    _, rumble = curve(fig, "lead_rumble")
    assert np.min((rumble - clean)[(freqs > 20) & (freqs < 38)]) > 10  # the rumble stands out there
    above = freqs > ceq.lowest_lead_fundamental()
    assert np.max(np.abs(rumble - clean)[above]) < 1.0  # and leaves what the lead sings alone


@pytest.fixture(scope="module")
def kick_look(setup):
    return run_cells(LESSON, [KICK_LOOK], setup)[1]


def test_the_kick_and_bass_figure_shows_the_low_end_and_keeps_the_answer_to_itself(kick_look):
    axis = kick_look.layout.xaxis
    lo, hi = 10 ** np.asarray(axis.range)
    assert lo == pytest.approx(30) and hi == pytest.approx(300)  # not 10^57 Hz
    assert "30–300 Hz" in kick_look.layout.title.text  # the zoom is stated
    texts = [a.text for a in kick_look.layout.annotations] + [t.name for t in kick_look.data]
    f0 = ceq.kick_fundamental()
    giveaways = [t for t in texts if any(f"{round(f0) + d}" in t for d in (-1, 0, 1))]
    assert not giveaways, f"the figure prints the answer: {giveaways}"
    assert not [s for s in kick_look.layout.shapes if s.type == "line"]  # no marker at the answer


def test_reading_the_kicks_peak_off_the_plot_answers_exercise_6(kick_look):
    freqs, kick = curve(kick_look, "kick")
    read_off = float(freqs[np.argmax(kick)])
    assert abs(np.log2(read_off / ceq.kick_fundamental())) < ceq.KICK_TOLERANCE_OCT / 2
    feedback = check_kick_fundamental(read_off)
    assert feedback.correct, feedback


def test_kick_and_bass_share_40_to_120_hz_and_are_about_equally_loud_at_the_kicks_fundamental(kick_look):
    freqs, kick = curve(kick_look, "kick")
    _, bass = curve(kick_look, "bass")
    for name, db in (("kick", kick), ("bass", bass)):
        assert 40 <= freqs[np.argmax(db)] <= 120, f"the {name}'s strongest band is outside 40-120 Hz"
    f0 = ceq.kick_fundamental()
    gap = np.interp(np.log(f0), np.log(freqs), kick) - np.interp(np.log(f0), np.log(freqs), bass)
    assert abs(gap) < 3.0, f"at the kick's fundamental ({f0:.0f} Hz) kick and bass differ by {gap:+.1f} dB"


def test_the_lessons_carve_puts_the_kick_on_top_at_its_fundamental(setup):
    ns, _ = run_cells(LESSON, [KICK_LOOK, CARVE], dict(setup))
    f0, sr = ceq.kick_fundamental(), ns["sr"]
    at = np.array([f0])
    kick = spectrum_db(ns["kick"], sr, at, n_fft=32768)[1][0]
    carved = spectrum_db(ns["bass_eq"](ns["bass"], sr), sr, at, n_fft=32768)[1][0]
    assert kick - carved >= 3.0, f"with the carve the kick is only {kick - carved:+.1f} dB over the bass at {f0:.0f} Hz"
