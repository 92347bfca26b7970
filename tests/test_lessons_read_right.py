"""Run All reads right: each lesson run top to bottom leaves every widget as the text beside it says.

A student who presses Run All and then reads down the page meets each widget in its final state,
not in the state it had when its cell ran. So a later cell must never change a widget shown above
it (issue 11, item 3: lesson 00's "which sounds better?" player ended up in blind ABX with matching
off, because the cells after it reused it). Here every code cell of every lesson runs in order, in
one namespace, as Run All does (exercises unanswered); each widget a cell shows (and each widget
inside it) is recorded as it is then, and must be the same at the end. Then the states the text
describes are checked where it describes them.
"""

from __future__ import annotations

import hashlib
from functools import cache

import ipywidgets
import numpy as np
import pytest

from producerkit import lessons
from tests.lesson_cells import code_cells, markdown, notebook_path, run_cells

LESSONS = [item.name for item in lessons.LESSONS if notebook_path(item.name).exists()]


def _fingerprint(value):
    """A comparable, hashable form of a synced widget value (audio bytes by their digest)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha1:" + hashlib.sha1(bytes(value)).hexdigest()
    if isinstance(value, dict):
        return tuple(sorted((k, _fingerprint(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_fingerprint(v) for v in value)
    if isinstance(value, float) and np.isnan(value):
        return "nan"
    return value


#: Synced traits that describe the page or the widget's plumbing, not what the text talks about.
_PLUMBING = {"_dom_classes", "layout", "style", "tabbable", "tooltip", "msg_throttle", "_view_count",
             "_model_module", "_model_module_version", "_model_name", "_view_module",
             "_view_module_version", "_view_name", "_esm", "_css", "_anywidget_id"}


def _state(widget: ipywidgets.Widget) -> dict:
    return {k: _fingerprint(v) for k, v in widget.get_state().items() if k not in _PLUMBING}


def _widgets_in(value) -> list[ipywidgets.Widget]:
    """A displayed value's widgets: itself and everything inside it (boxes, explorers, the desk)."""
    found, stack = [], [value]
    while stack:
        w = stack.pop()
        if isinstance(w, ipywidgets.Widget) and not type(w).__module__.startswith("plotly"):
            found.append(w)
            stack.extend(getattr(w, "children", ()) or ())
    return found


class Run:
    """A lesson run top to bottom: the namespace, and each shown widget with the cell and state it was shown in."""

    def __init__(self, lesson: str):
        self.lesson = lesson
        self.ns: dict = {}
        self.shown: list[tuple[int, ipywidgets.Widget, dict]] = []
        for cell in code_cells(lesson):
            before = len(self.ns.get("displayed", []))
            self.ns, value = run_cells(lesson, [cell.index], self.ns if self.ns else None)
            for item in [value, *self.ns.get("displayed", [])[before:]]:
                for widget in _widgets_in(item):
                    self.shown.append((cell.index, widget, _state(widget)))


@cache
def run_all(lesson: str) -> Run:
    return Run(lesson)


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_later_cell_changes_a_widget_shown_above_it(lesson):
    run = run_all(lesson)
    assert run.shown, f"{lesson} shows no widget"
    changed = []
    for index, widget, state in run.shown:
        now = _state(widget)
        diff = sorted(k for k in state if now.get(k) != state[k])
        if diff:
            changed.append(f"cell {index}: {type(widget).__name__} {diff}")
    assert not changed, f"{lesson}: Run All leaves these widgets unlike when their cell showed them:\n" + \
        "\n".join(changed)


# --------------------------------------------------------------------------- what the text says


def test_00_the_1_db_demonstration_reads_right_top_to_bottom():
    """The text: B is 1 dB louder "and matching is off"; then "with matching on"; then a blind test."""
    text = markdown("00-welcome")
    assert "1 dB louder**, and\nmatching is off" in text or "1 dB louder**, and matching is off" in text
    ns = run_all("00-welcome").ns
    louder, matched, blind = ns["louder"], ns["matched"], ns["blind"]
    assert (louder.match_loudness, louder.abx) == (False, False)
    assert (matched.match_loudness, matched.abx) == (True, False)
    assert matched.gain_b_db == pytest.approx(-1.0, abs=0.05)
    assert (blind.match_loudness, blind.abx) == (False, True)
    assert len({id(louder), id(matched), id(blind)}) == 3


def test_01_players_and_explorers_start_as_the_text_says():
    ns = run_all("01-eq").ns
    assert ns["range_player"].match_loudness is False  # "B is *not* loudness-matched here"
    band = ns["mud_explorer"].eq[0]  # "one bell, flat for now"
    assert band.gain_db == 0
    sweep = ns["sweep_explorer"].eq[0]  # "a big, narrow boost (+12 dB, Q 8)" from 2 kHz
    assert (sweep.freq, sweep.gain_db, sweep.q) == (2000, 12, 8)


def test_02_explorers_start_as_the_text_says():
    ns = run_all("02-compression").ns
    comp = ns["explorer"].compressor  # "starting from the default settings (threshold -18 dBFS, 4:1)"
    assert (comp.threshold_db, comp.ratio) == (-18, 4)
    lead = ns["lead_explorer"]  # "starts with its threshold above the whole lead, so nothing happens yet"
    assert float(np.max(lead.gain_reduction_db)) < 0.5


def test_03_players_are_not_matched_where_the_text_says_so():
    ns = run_all("03-arrangement").ns
    for name in ("contrast", "build_player", "repeat_player"):
        assert ns[name].match_loudness is False, name


def test_04_the_desk_still_holds_the_rough_mix():
    """The text: "The rough mix below ... the drums pushed up, the lead buried"; later cells use their own mixer."""
    ns = run_all("04-workflow").ns
    desk, rough = ns["desk"], ns["ROUGH_MIX_DB"]
    assert {name: desk.settings[name].gain_db for name in rough} == pytest.approx(rough)


def test_03_summary_does_not_give_away_exercise_1():
    """Issue 11: the summary said "so 8 bars last 19.2 s", the answer to exercise 1."""
    summary = next(c for c in markdown("03-arrangement").split("\n\n## ") if c.startswith("Summary"))
    assert "19.2" not in summary
