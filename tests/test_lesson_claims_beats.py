"""Lesson 07's text says what its cells show, computed from the lesson's own tagged cells.

- the grid: rock's kick on 1, 3 and the "and" of 3, snare on 2 and 4, hat on every 8th; the figure counts
  the steps as a drummer does;
- the kicks: house on every beat, rock 1, 3 and the "and" of 3, boom bap 1 and the "and" of 2 and of 3, trap
  1, the "a" of 2 and the "and" of 3;
- swing: "at 90 BPM, 58 % moves it 27 ms late and 66 % 53 ms", "about 13 ms per 4 %", beats and "and"s stay
  at 0 ms; measured from the audio the player plays;
- the drill: four clips at distinct swings of the five, each measurably at its swing;
- velocity: boom bap's hats are accented on the beat, its ghost the snare's softest hit, on the last 16th;
- the clash: the open hat rings "about 0.6 s, almost four 16ths at 100 BPM"; the clash fails the checker;
- the kick: the sub's single 50 Hz peak with nothing at 2-5 kHz, the acoustic kick's thump "around 43 Hz" with
  its click, the layered kick at the sub's 50 Hz with the click;
- the chop: in order the slices give back the bar; the bar's kick is on 1, the "and" of 2, 3 and the "and" of
  4, the snare on 2 and 4; B's order moves the kick and snare slices where the text says.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from producerkit.beats import swing_delay_s
from producerkit.checks import check_hats_leave_the_snare_room

from .lesson_cells import code_cells, markdown, run_cells

LESSON = "07-beats"


@pytest.fixture(scope="module")
def setup():
    return run_cells(LESSON, ["b7-setup"])[0]


def _prose() -> str:
    return " ".join(markdown(LESSON).split())


def test_the_grid_figure_shows_the_rock_beat_the_text_describes(setup):
    ns, fig = run_cells(LESSON, ["b7-grid-fig"], dict(setup))
    rock = ns["rock"]
    assert rock.hits("kick") == [0, 8, 10] and rock.hits("snare") == [4, 12]
    assert rock.hits("hat") == list(range(0, 16, 2))
    heat = fig.data[0]
    assert list(heat.y) == ["hat", "snare", "kick"]
    axis = fig.layout.xaxis
    assert list(axis.ticktext[:5]) == ["1.1", "e", "&", "a", "1.2"] and axis.ticktext[12] == "1.4"
    text = _prose()
    assert 'The kick plays on 1, 3 and the "and" of 3; the snare on 2 and 4; the hat on every 8th.' in text


def test_the_kicks_sit_where_the_text_says(setup):
    ns, fig = run_cells(LESSON, ["b7-genres-tweak", "b7-genres-fig"], dict(setup))
    kicks = ns["kicks"]
    assert kicks.hits("house") == [0, 4, 8, 12]
    assert kicks.hits("rock") == [0, 8, 10]
    assert kicks.hits("boom_bap") == [0, 6, 10]
    assert kicks.hits("trap") == [0, 7, 10]
    text = _prose()
    assert 'Trap syncopates, on 1, the "a" of 2 and the "and" of 3' in text
    assert 'to the "and" of 2 and of 3' in text


@pytest.fixture(scope="module")
def swing(setup):
    return run_cells(LESSON, ["b7-swing-tweak", "b7-swing-fig"], dict(setup))


def test_swing_delays_only_the_e_and_the_a_by_the_stated_ms(swing):
    ns, fig = swing
    grooves = ns["grooves"]
    for s, groove in zip((50, 54, 58, 62, 66), grooves.values(), strict=True):
        assert groove.swing_percent == pytest.approx(s, abs=0.5)
        offsets = groove.step_offsets_ms
        assert np.allclose(offsets[0::2], 0, atol=1.0), s  # beats and "and"s stay put
        assert np.allclose(offsets[1::2], swing_delay_s(s, 90) * 1000, atol=1.0), s
    text = _prose()
    assert "at 90 BPM, 58 % moves it 27 ms late and 66 % 53 ms" in text
    assert round(swing_delay_s(58, 90) * 1000) == 27 and round(swing_delay_s(66, 90) * 1000) == 53
    step = swing_delay_s(54, 90) * 1000
    assert "about 13 ms per 4 %" in text and round(step) == 13
    # the figure draws what was measured, the 66 % line topping out at 53 ms
    line = next(t for t in fig.data if t.name == "66 %")
    assert max(line.y) == pytest.approx(53.3, abs=1.0)


def test_the_swing_players_play_the_clips_that_were_measured(swing):
    ns, _ = swing
    assert ns["swing_player"].match_loudness is False
    assert set(ns["swung"]) == {50, 54, 58, 62, 66}


def test_the_drill_is_fair(swing):
    ns, _ = run_cells(LESSON, ["b7-ex3-drill"], dict(swing[0]))
    drill = ns["drill"]
    assert len(drill.swings) == 4 and len(set(drill.swings)) == 4 and set(drill.swings) <= {50, 54, 58, 62, 66}
    from producerkit.beats import groove_of

    for swing_pct, clip in zip(drill.swings, drill.clips(ns["shuffle"], ns["kit"], 90), strict=True):
        assert groove_of(clip, ns["sr"], 90).swing_percent == pytest.approx(swing_pct, abs=1.0)
    assert "50, 54, 58, 62 or 66 % (one of them is not used)" in _prose()


def test_boom_bap_velocities_read_as_the_text_says(setup):
    ns, _ = run_cells(LESSON, ["b7-velocity-listen", "b7-velocity-fig"], dict(setup))
    boom_bap = ns["boom_bap"]
    hat = boom_bap["hat"]
    assert np.all(hat[0::4] == 1.0) and np.all(hat[2::4] < hat[0::4])  # dark on the beat, light on the "and"
    snare = boom_bap["snare"]
    hits = boom_bap.hits("snare")
    assert hits[-1] == 15 and snare[15] == min(snare[h] for h in hits)  # the last "a", the palest snare
    flat = ns["flat"]
    assert all(set(flat[name][flat[name] > 0]) == {1.0} for name in flat.instruments)


def test_the_clash_rings_as_long_as_the_text_says_and_fails_the_checker(setup):
    ns, fig = run_cells(LESSON, ["b7-clash-setup", "b7-clash-fig"], dict(setup))
    ring_s = ns["kit"].layer("open_hat", 1.0)[0].shape[1] / ns["sr"]
    assert ring_s == pytest.approx(0.6, abs=0.05)
    assert 3.5 < ring_s / (15 / 100) < 4.0  # "almost four 16ths at 100 BPM"
    assert "about 0.6 s, almost four 16ths at 100 BPM" in _prose()
    assert check_hats_leave_the_snare_room(ns["clash"], ns["clash"]).correct is False


def _kick_lines(setup):
    ns = run_cells(LESSON, ["b7-kick-listen"], dict(setup))[0]
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_cells(LESSON, ["b7-kick-fig"], ns)
    found = {}
    for line in out.getvalue().splitlines():
        m = re.match(r"(\w+)\s*: peak at\s+([\d.]+) Hz,\s+(-?[\d.]+) dB", line)
        found[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return found


def test_the_layered_kick_takes_the_subs_low_end_and_the_acoustic_click(setup):
    found = _kick_lines(setup)
    sub_peak, sub_click = found["sub"]
    acoustic_peak, acoustic_click = found["acoustic"]
    layered_peak, layered_click = found["layered"]
    assert sub_peak == pytest.approx(50, abs=1) and sub_click < -50  # "nothing in the click's range"
    assert acoustic_peak == pytest.approx(43, abs=3) and acoustic_click > -30  # "around 43 Hz", with its click
    assert layered_peak == pytest.approx(50, abs=1.5) and layered_click > sub_click + 20  # keeps the click
    text = _prose()
    assert "The sub is one peak at 50 Hz and nothing in the click's range (2–5 kHz)" in text
    assert "The acoustic kick's thump sits lower, around 43 Hz" in text


def _energy_by_8th(y, n):
    return np.array([np.mean(y[int(k * n / 8): int((k + 1) * n / 8)] ** 2) for k in range(8)])


def test_the_chop_gives_back_the_bar_and_the_flip_moves_what_the_text_says(setup):
    ns, _ = run_cells(LESSON, ["b7-chop-listen", "b7-chop-fig"], dict(setup))
    song, slices, in_order, flip = ns["song"], ns["slices"], ns["in_order"], ns["flip"]
    from producerkit.beats import render

    bar = ns["drums"][song.bar_to_sample(10): song.bar_to_sample(11)]
    back = render(in_order, slices, bpm=song.bpm, tail=False)
    n = min(len(bar), len(back))
    residual = np.sum((back[:n] - bar[:n]) ** 2) / np.sum(bar[:n] ** 2)
    assert 10 * np.log10(residual) < -20  # only the slices' short fades differ
    # the bar: kick on 1, the "and" of 2, 3 and the "and" of 4; snare on 2 and 4
    start, end = song.bar_to_sample(10), song.bar_to_sample(11)
    kick = _energy_by_8th(song.stems["kick"][start:end], end - start)
    snare = _energy_by_8th(song.stems["snare"][start:end], end - start)
    assert set(np.flatnonzero(kick > kick.max() / 10)) == {0, 3, 4, 7}
    assert set(np.flatnonzero(snare > snare.max() / 10)) == {2, 6}
    # B: the kick's slice from the "and" of 2 (s4) on the "and" of 3; the snare's (s3) on the "and" of 4
    assert flip.hits("s4") == [6, 10] and flip.hits("s3") == [4, 14]
    text = _prose()
    assert 'In this bar the kick plays on 1, the "and" of 2, 3 and the "and" of 4, the snare on 2 and 4' in text
    assert "`[1, 2, 3, 4, 5, 4, 7, 3]`" in text and "flip = chop_pattern([1, 2, 3, 4, 5, 4, 7, 3])" in \
        next(c.source for c in code_cells(LESSON) if c.id == "b7-chop-listen")


def test_the_dembow_is_not_shown_before_its_exercise():
    """Exercise 2 asks for the dembow from its description: no cell before it shows its grid or plays it."""
    from .lesson_cells import notebook

    before = []
    for cell in notebook(LESSON)["cells"]:
        if "my_dembow = ..." in "".join(cell["source"]):
            break
        before.append("".join(cell["source"]))
    text = "\n".join(before)
    assert "...x..x....x..x." not in text
    assert not re.search(r"""["']dembow["']""", text)  # never named in code: not rendered, not drawn
