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
- the kick: read off the figure, the sub's single 50 Hz peak with nothing at 2-5 kHz, the acoustic kick's thump
  "around 37 Hz" with its click, the layered kick at the sub's 50 Hz with the click; the sub drawn as layered;
  0 dB is equal peaks, nothing clips on the sliders, the crossover moves the body by about 10 dB;
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
    assert kicks.hits("boom bap") == [0, 6, 10]  # the row reads as a producer writes it, not boom_bap
    assert kicks.hits("trap") == [0, 7, 10]
    assert list(fig.data[0].y) == ["rock", "trap", "boom bap", "house"]
    assert "boom bap" in ns["genre_picker"].options and "boom_bap" not in ns["genre_picker"].options
    text = _prose()
    assert 'Trap syncopates, on 1, the "a" of 2 and the "and" of 3' in text
    assert 'to the "and" of 2 and of 3' in text


def test_trap_reads_as_half_time_the_way_the_text_says(setup):
    """With the clap only on beat 3 of a 140 BPM bar the pulse is two beats a bar: 70 BPM (not 'twice as far
    apart': the kicks are as far apart in time as they are)."""
    ns, _ = run_cells(LESSON, ["b7-genres-tweak"], dict(setup))
    trap = ns["style"]("trap")
    assert trap.bpm == 140 and trap.pattern.hits("clap") == [16]  # beat 3 of 32 steps: one backbeat a bar
    assert trap.bpm / 2 == 70
    text = _prose()
    assert "with the clap only on 3, the bar feels like two slow beats (70 BPM)" in text
    assert "twice as far apart" not in text


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
    # the formula reads with the swing named, not "2 s" (two seconds)
    assert text.count("(2 × swing/100 − 1) × 15 / bpm seconds") == 2 and "2 s/100" not in text
    assert round((2 * 58 / 100 - 1) * 15 / 90 * 1000) == 27
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
    # the pickups on the "a" of 2 and of 4: 16ths, paler than the "and"s
    assert [h for h in boom_bap.hits("hat") if h % 2] == [7, 15] and np.all(hat[[7, 15]] < hat[2::4].min())
    flat = ns["flat"]
    assert all(set(flat[name][flat[name] > 0]) == {1.0} for name in flat.instruments)
    assert ns["velocity_player"].match_loudness is True  # "loudness-matched, so you hear the dynamics"
    text = _prose()
    assert "accented 8th-note hats with soft 16th pickups, swung" in text
    assert "the pickups on the \"a\" of 2 and of 4 paler still" in text


def test_boom_bap_swing_moves_what_the_text_says_it_moves(setup):
    """16th swing moves only odd 16ths: in boom bap the hat pickups and the ghost snare, never the 8th hats."""
    from producerkit.beats import schedule

    ns, _ = run_cells(LESSON, ["b7-velocity-listen"], dict(setup))
    boom_bap = ns["boom_bap"]
    straight = {(h.instrument, h.step): h.sample for h in schedule(boom_bap, 90, ns["sr"], 50)}
    swung = {(h.instrument, h.step): h.sample for h in schedule(boom_bap, 90, ns["sr"], 58)}
    moved = sorted(key for key in straight if swung[key] != straight[key])
    assert moved == [("hat", 7), ("hat", 15), ("snare", 15)]
    assert "swing moves only the 16ths: the pickups and a ghost snare" in _prose()


def test_the_clash_rings_as_long_as_the_text_says_and_fails_the_checker(setup):
    ns, fig = run_cells(LESSON, ["b7-clash-setup", "b7-clash-fig"], dict(setup))
    ring_s = ns["kit"].layer("open_hat", 1.0)[0].shape[1] / ns["sr"]
    assert ring_s == pytest.approx(0.6, abs=0.05)
    assert 3.5 < ring_s / (15 / 100) < 4.0  # "almost four 16ths at 100 BPM"
    assert "about 0.6 s, almost four 16ths at 100 BPM" in _prose()
    clash = ns["clash"]
    assert check_hats_leave_the_snare_room(clash, clash).correct is False
    # the fix the text asks for: no open hat through a snare; the full closed hats on 2 and 4 may stay
    assert check_hats_leave_the_snare_room(clash.without("open_hat"), clash).correct is True
    assert check_hats_leave_the_snare_room(clash.with_row("open_hat", "..x.......x....."), clash).correct is True
    text = _prose()
    assert "as loud as the snare" not in text and "at most\nmedium" not in text
    assert "the classic place is an \"and\", choked by the closed hat on the next beat" in text
    assert "mutes and row volumes are for listening only, not part of the pattern" in text


@pytest.fixture(scope="module")
def kick(setup):
    ns, fig = run_cells(LESSON, ["b7-kick-listen", "b7-kick-fig"], dict(setup))
    curves = {}
    for curve in fig.data:
        freqs, level = np.asarray(curve.x), np.asarray(curve.y)
        curves[curve.name.split(" ")[0]] = (freqs, level)
    return ns, fig, curves


def _peak_hz(curve):
    freqs, level = curve
    return float(freqs[np.argmax(level)])


def _below_peak_2_5k(curve):
    freqs, level = curve
    return float(level.max() - level[(freqs >= 2000) & (freqs < 5000)].mean())


def test_the_layered_kick_takes_the_subs_low_end_and_the_acoustic_click(kick):
    """Read off the figure the student sees: the text's numbers are the curves' peaks."""
    _ns, fig, curves = kick
    assert [c.name for c in fig.data] == ["acoustic kick", "sub (−6 dB, as layered)", "layered"]
    assert _peak_hz(curves["sub"]) == pytest.approx(50, abs=1) and _below_peak_2_5k(curves["sub"]) > 70
    assert round(_peak_hz(curves["acoustic"])) == 37 and _below_peak_2_5k(curves["acoustic"]) < 60  # its click
    assert _peak_hz(curves["layered"]) == pytest.approx(50, abs=1)
    assert _below_peak_2_5k(curves["layered"]) < _below_peak_2_5k(curves["sub"]) - 20  # keeps the click
    text = _prose()
    assert "The sub is one peak at 50 Hz and nothing in the click's range (2–5 kHz)" in text
    assert "The acoustic kick's thump sits lower, around 37 Hz" in text


def test_the_sub_is_drawn_as_it_is_layered(kick):
    """At 50 Hz the layered kick is the sub as drawn (the acoustic kick is 12 dB under it there): the sub curve is
    the sub at -6 dB, and every clip is averaged over the same length."""
    ns, _fig, curves = kick
    freqs, sub = curves["sub"]
    layered = curves["layered"][1]
    at = np.argmin(np.abs(freqs - 50))
    assert layered[at] == pytest.approx(sub[at], abs=1.0)
    assert len({len(y) for y in ns["one_shots"].values()}) == 1


def test_the_sub_sits_6_db_under_the_acoustic_kick_and_nothing_clips(kick):
    ns, _fig, _curves = kick
    acoustic, sub = ns["acoustic"], ns["sub"]
    assert np.abs(sub).max() == pytest.approx(np.abs(acoustic).max(), rel=1e-3)  # 0 dB = equal peaks
    assert ns["kick_player"].match_loudness is True
    text = _prose()
    assert "the sub peaks 6 dB below the acoustic kick" in text and "loudness-matched" in text
    from producerkit.beats import layer_kick, render

    ns2, _ = run_cells(LESSON, ["b7-kick-tweak-widgets"], dict(ns))
    crossover, level = ns2["crossover"], ns2["sub_level"]
    assert level.max == 3 and "the slider stops at +3 dB, where the beat still peaks below 0 dBFS" in text
    for hz in (crossover.min, 120, crossover.max):
        for db in (level.min, level.max):
            kick_ = layer_kick(sub, acoustic, ns["sr"], crossover_hz=hz, sub_gain_db=db)
            beat = render(ns["house"], ns["kit"].with_piece("kick", kick_), bpm=124, bars=2)
            assert np.abs(beat).max() < 1.0, (hz, db)


def test_the_crossover_changes_what_the_text_says(kick):
    """About 90 % of the sub's energy is below 100 Hz; from 60 to 300 Hz the layered kick loses about 10 dB of body."""
    ns, _fig, _curves = kick
    from producerkit.beats import layer_kick

    sr = ns["sr"]

    def band_db(y, lo, hi):
        power = np.abs(np.fft.rfft(y, 1 << 18)) ** 2
        freqs = np.fft.rfftfreq(1 << 18, 1 / sr)
        return 10 * np.log10(power[(freqs >= lo) & (freqs < hi)].sum())

    sub = ns["sub"]
    below = 10 ** (band_db(sub, 0, 100) / 10) / 10 ** (band_db(sub, 0, sr / 2) / 10)
    assert round(below, 1) == 0.9 and "About 90 % of the sub's energy is below 100 Hz" in _prose()
    body = [band_db(layer_kick(sub, ns["acoustic"], sr, crossover_hz=hz, sub_gain_db=-6), 100, 300)
            for hz in (60, 300)]
    assert 8 <= body[0] - body[1] <= 12  # "about 10 dB"
    assert "from 60 Hz to 300 Hz the layered kick loses about 10 dB there" in _prose()


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


def test_no_name_before_the_dembow_exercise_holds_the_presets():
    """The setup and the genre cells leave no PRESETS (whose "dembow" prints its grid) in the student's namespace."""
    from .lesson_cells import run_lesson

    ns = run_lesson(LESSON, upto="my_dembow = ...", tags=("setup",))
    assert "PRESETS" not in ns
    assert not any(isinstance(v, dict) and "dembow" in v for v in ns.values())


def test_the_ghost_exercise_says_what_its_checker_takes():
    from producerkit.beats import preset
    from producerkit.checks import check_ghost_notes

    assert "while 2 and 4 stay loud (`x`, or at least `o`)" in markdown(LESSON)
    rock = preset("rock")
    assert check_ghost_notes(rock.with_row("snare", "....o..g.g..o...")).correct is True  # "at least o"
    assert check_ghost_notes(rock.with_row("snare", "....g..g.g..x...")).correct is False  # a ghost backbeat


def test_the_words_around_the_exercises_hold():
    text = _prose()
    # the dembow's 3-3-2 is kick and snare together: 0, 3, 6 | 8, 11, 14 (kick 1, snare, snare | kick 3, ...)
    assert "a snare that completes a 3-3-2 figure with the kick on 1 and 3" in text
    from producerkit.beats import preset

    dembow = preset("dembow")
    first_half = sorted({*dembow.hits("snare"), 0, 8} & set(range(8)))
    assert np.diff([*first_half, 8]).tolist() == [3, 3, 2]
    assert "Velocity** (1–127 in a MIDI note" in text  # a note-on's velocity 0 is a note-off
    assert "(only the clap is one recording at three levels)" in text
    assert "with the owners of the recording and of the song" in text


def test_the_daw_table_gives_each_daws_swing_scale():
    """Only Live's MPC grooves and Logic's Q-Swing count in MPC percent; Pro Tools and FL Studio start at 0 %."""
    daw = next(c for c in markdown(LESSON).split("## ") if c.startswith("In your DAW"))
    row = next(line for line in daw.splitlines() if line.startswith("| Swing"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[0] == "Swing"
    assert "MPC percent" in cells[1] and "58 % and 66 %" in cells[2]
    assert "0 % straight and 100 % a triplet feel (not MPC percent)" in cells[3]
    assert "0 % is straight, not MPC percent" in cells[4]
