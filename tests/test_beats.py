"""producerkit.beats: the text grid, presets, swing to the sample, choke groups, humanize, groove_of."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import beats
from producerkit.beats import Kit, Pattern
from producerkit.errors import ParameterError

SR = 44100
RECORDED = Kit.recorded()


def _impulse_kit(*names, choke_groups=()):
    """One-sample clicks of distinct heights, so a render shows exactly where each hit starts."""
    return Kit({n: (np.array([0.1 * (i + 1)], dtype=np.float32), SR) for i, n in enumerate(names)},
               choke_groups=choke_groups)


def _noise(seconds, seed):
    return (np.random.default_rng(seed).uniform(-0.5, 0.5, int(seconds * SR))).astype(np.float32)


# --------------------------------------------------------------------------- the text grid


def test_the_example_grid_reads_as_four_on_the_floor():
    p = Pattern.from_text("kick: x...x...x...x...")
    assert (p.steps_per_bar, p.bars, p.instruments) == (16, 1, ["kick"])
    assert p.hits("kick") == [0, 4, 8, 12]
    assert p["kick"][0] == 1.0 and p.velocities_midi()["kick"][:5] == [127, 0, 0, 0, 127]
    assert p.to_text() == "kick: x...x...x...x..."


def test_velocity_characters():
    p = Pattern.from_text("snare: xog. ---- .... ....|x... .... .... ....")
    assert p.bars == 2 and p.velocities_midi()["snare"][:4] == [127, 80, 40, 0]
    assert p.to_text() == "snare: xog............. | x..............."


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([16, 32]), st.integers(1, 3),
       st.lists(st.sampled_from(["kick", "snare", "hat", "open_hat", "rim"]), min_size=1, max_size=4, unique=True),
       st.data())
def test_the_text_grid_round_trips(spb, bars, names, data):
    rows = {n: "".join(data.draw(st.lists(st.sampled_from("xog."), min_size=spb * bars, max_size=spb * bars)))
            for n in names}
    p = Pattern(rows, steps_per_bar=spb)
    back = Pattern.from_text(p.to_text(), steps_per_bar=spb)
    assert back == p and back.to_text() == p.to_text()
    if bars > 1:  # bar lines say the bar length by themselves
        assert Pattern.from_text(p.to_text()) == p


def test_midi_and_normalised_velocities_are_one_convention():
    midi = Pattern({"kick": [127, 0, 0, 0, 80, 0, 0, 0, 40, 0, 0, 0, 127, 0, 0, 0]})
    unit = Pattern({"kick": [1, 0, 0, 0, 80 / 127, 0, 0, 0, 40 / 127, 0, 0, 0, 1, 0, 0, 0]})
    assert midi == unit == Pattern.from_text("kick: x...o...g...x...")


def test_edits_return_new_patterns():
    p = beats.preset("rock")
    q = p.set("snare", 7, 0.3).toggle("kick", 0).with_row("rim", "..x.")
    assert p == beats.preset("rock")  # unchanged
    assert q.hits("kick") == [8, 10] and q["snare"][7] == pytest.approx(0.3) and q.hits("rim") == [2, 6, 10, 14]
    assert q.without("rim").instruments == ["kick", "snare", "hat"]
    with pytest.raises(ValueError):
        p["kick"][0] = 0.5  # rows are read-only
    assert p.repeated(2).bars == 2 and p.at_steps_per_bar(32).hits("snare") == [8, 24]
    assert p.at_steps_per_bar(32).at_steps_per_bar(16) == p


# --------------------------------------------------------------------------- presets


def test_every_preset_renders_where_its_grid_says():
    for name, pre in beats.PRESETS.items():
        p = beats.preset(name)
        y = beats.render(p, RECORDED, pre.bpm, swing=pre.swing, bars=2)
        bar = round(240 / pre.bpm * SR)
        assert y.dtype == np.float32 and y.ndim == 1 and len(y) >= 2 * bar - 1, name
        assert 20 * np.log10(np.max(np.abs(y))) > -20, name
        assert np.all(np.isfinite(y)), name
        # the first sample of every hit is where the schedule puts it
        hits = beats.schedule(p, pre.bpm, SR, pre.swing, bars=2)
        assert len(hits) == 2 * sum(len(p.hits(n)) for n in p.instruments), name
        first = hits[0].sample
        assert np.all(y[:first] == 0) and first == 0, name


def test_presets_are_the_grooves_they_name():
    house, boom, trap, rock, dembow = (beats.preset(n) for n in ("house", "boom_bap", "trap", "rock", "dembow"))
    assert house.hits("kick") == [0, 4, 8, 12] and house.hits("open_hat") == [2, 6, 10, 14]
    assert boom.hits("kick") == [0, 6, 10] and boom.hits("snare")[:2] == [4, 12]  # 1, "and" of 2 and 3; 2 and 4
    assert trap.steps_per_bar == 32 and trap.hits("clap") == [16]  # half time: beat 3 only
    assert any(b - a == 1 for a, b in zip(trap.hits("hat"), trap.hits("hat")[1:], strict=False))  # a 32nd roll
    assert rock.hits("snare") == [4, 12] and rock.hits("hat") == list(range(0, 16, 2))
    assert dembow.hits("snare") == [3, 6, 11, 14] and dembow.hits("kick") == [0, 4, 8, 12]


# --------------------------------------------------------------------------- swing, to the sample


@pytest.mark.parametrize("swing", [50, 54, 58, 62, 66, 75])
@pytest.mark.parametrize("bpm", [90, 100, 128])
def test_swing_moves_every_second_16th_by_exactly_its_delay(swing, bpm):
    kit = _impulse_kit("hat")
    y = beats.render(Pattern.from_text("hat: xxxxxxxxxxxxxxxx"), kit, bpm, swing=swing, bars=2, tail=False)
    starts = np.flatnonzero(y)
    sixteenth = 15 / bpm
    straight = [math.floor(k * sixteenth * SR + 0.5) for k in range(32)]
    delay = (2 * swing / 100 - 1) * sixteenth
    # the documented rule: an odd 16th k sits at (2 * (k // 2) + 2 * swing / 100) 16ths, rounded half up
    expected = [math.floor(((2 * (k // 2) + 2 * swing / 100) if k % 2 else k) * 15 / bpm * SR + 0.5)
                for k in range(32)]
    assert starts.tolist() == expected
    assert starts[0::2].tolist() == straight[0::2]  # beats and 8ths never move
    moved = starts[1::2] - np.array(straight[1::2])
    assert np.all(np.abs(moved - delay * SR) <= 1)  # by the delay, to the sample
    assert beats.swing_delay_s(swing, bpm) == pytest.approx(delay)


def test_swing_in_samples_at_100_bpm():
    """A 16th at 100 BPM is 6615 samples; 66 % moves the off 16th 0.32 of it (2116.8 -> 2117 samples)."""
    kit = _impulse_kit("hat")
    for swing, second in ((50, 6615), (58, 6615 + 1058), (66, 6615 + 2117), (75, 6615 + 3308)):
        y = beats.render(Pattern.from_text("hat: xx.............."), kit, 100, swing=swing, tail=False)
        assert np.flatnonzero(y).tolist() == [0, second], swing


def test_swing_on_a_32_step_grid_keeps_32nds_in_order():
    times = beats.step_times(8, 100, swing=75, steps_per_bar=32)
    sixteenth = 0.15
    assert times / sixteenth == pytest.approx([0, 0.75, 1.5, 1.75, 2, 2.75, 3.5, 3.75])
    assert np.all(np.diff(times) > 0)
    assert beats.step_times(8, 100, swing=50, steps_per_bar=32) / sixteenth == pytest.approx(np.arange(8) / 2)


# --------------------------------------------------------------------------- overlapping hits and chokes


def test_overlapping_hits_ring_on():
    long = _noise(1.0, 1)
    kit = Kit({"tom": (long, SR), "kick": (long[::-1].copy(), SR)})
    p = Pattern.from_text("tom:  xx..............\nkick: x...............")
    y = beats.render(p, kit, 120, tail=True)
    step = math.floor(15 / 120 * SR + 0.5)
    expected = np.zeros(len(y))
    expected[: len(long)] += long
    expected[step:step + len(long)] += long
    expected[: len(long)] += long[::-1]
    np.testing.assert_allclose(y, expected, atol=1e-6)


def test_the_closed_hat_chokes_the_open_hat():
    open_hat, hat = _noise(1.0, 2), _noise(0.2, 3)
    p = Pattern.from_text("open_hat: x...............\nhat:      ....x...........")
    cut = math.floor(4 * 15 / 120 * SR + 0.5)
    fade = math.floor(beats.CHOKE_FADE_MS * SR / 1000 + 0.5)
    choked = beats.render(p, Kit({"open_hat": (open_hat, SR), "hat": (hat, SR)}, choke_groups=[("hat", "open_hat")]),
                          120)
    ringing = beats.render(p, Kit({"open_hat": (open_hat, SR), "hat": (hat, SR)}), 120)
    np.testing.assert_array_equal(choked[:cut], open_hat[:cut])
    ramp = 1 - np.arange(fade) / fade
    np.testing.assert_allclose(choked[cut:cut + fade], open_hat[cut:cut + fade] * ramp + hat[:fade], atol=1e-6)
    np.testing.assert_allclose(choked[cut + fade:cut + len(hat)], hat[fade:], atol=1e-7)  # the open hat is gone
    assert np.all(choked[cut + len(hat):] == 0) and np.any(ringing[cut + len(hat):] != 0)
    np.testing.assert_allclose(ringing[cut:cut + len(hat)], open_hat[cut:cut + len(hat)] + hat, atol=1e-6)


def test_the_recorded_kit_chokes_its_hats():
    assert RECORDED.choke_groups == (("hat", "open_hat", "pedal_hat"),)
    p = Pattern.from_text("open_hat: x...............\nhat:      ....x...........")
    y = beats.render(p, RECORDED, 120)
    alone = beats.render(p.without("open_hat"), RECORDED, 120)
    cut = math.floor(4 * 15 / 120 * SR + 0.5) + math.floor(beats.CHOKE_FADE_MS * SR / 1000 + 0.5)
    np.testing.assert_allclose(y[cut:], alone[cut:len(y)], atol=1e-7)


def test_velocity_layers_and_gain():
    soft, loud = np.full(10, 0.2, np.float32), np.full(10, 0.9, np.float32)
    kit = Kit({"snare": {40: (soft, SR), 127: (loud, SR)}})
    y, gain = kit.layer("snare", 40 / 127)
    assert y[0, 0] == pytest.approx(0.2) and gain == pytest.approx(1.0)
    y, gain = kit.layer("snare", 0.5)
    assert y[0, 0] == pytest.approx(0.9) and gain == pytest.approx(0.5)
    y, gain = kit.layer("snare", 0.1)
    assert y[0, 0] == pytest.approx(0.2) and gain == pytest.approx(0.1 / (40 / 127))
    one = Kit({"kick": (loud, SR)})
    assert one.layer("kick", 0.5)[1] == pytest.approx(0.5)


def test_the_default_kit_is_the_sessions_one_shots_and_a_loaded_sample_joins_it():
    kit = Kit()
    assert sorted(kit.pieces) == ["clap", "hat", "kick", "snare"] and kit.sr == 44100
    cowbell = _noise(0.1, 4)
    kit = kit.with_piece("cowbell", (cowbell, 22050))  # resampled to the kit's 44.1 kHz
    assert kit.layer("cowbell", 1.0)[0].shape[1] == 2 * len(cowbell)
    y = beats.render(beats.preset("rock").with_row("cowbell", "x..............."), kit, 110)
    assert np.max(np.abs(y)) > 0.1


# --------------------------------------------------------------------------- humanize


def test_humanize_is_deterministic_for_a_seed():
    p = beats.preset("boom_bap")
    a, b, c = beats.humanize(p, 12, 0.1, seed=7), beats.humanize(p, 12, 0.1, seed=7), beats.humanize(p, 12, 0.1, seed=8)
    assert a == b and a != c
    np.testing.assert_array_equal(beats.render(a, RECORDED, 90), beats.render(b, RECORDED, 90))
    for name in p.instruments:
        on = p[name] > 0
        assert np.array_equal(a[name] > 0, on)  # rests stay rests
        assert np.all(np.abs(a.nudges_ms(name)) <= 12) and np.all(a.nudges_ms(name)[~on] == 0)
        assert np.all(np.abs(a[name] - p[name]) <= 0.1 + 1e-12) and np.any(a.nudges_ms(name) != 0)


def test_a_nudge_moves_a_hit_by_its_milliseconds():
    kit = _impulse_kit("snare")
    p = Pattern.from_text("snare: ....x...........").nudge("snare", 4, 10.0)
    starts = np.flatnonzero(beats.render(p, kit, 100, tail=False))
    assert starts.tolist() == [math.floor((4 * 0.15 + 0.010) * SR + 0.5)]


# --------------------------------------------------------------------------- groove from audio


@pytest.mark.parametrize("swing", [50, 54, 58, 62, 66])
def test_groove_of_recovers_swing_within_2_percent(swing):
    p = Pattern.from_text("kick:  x.....x...x.....\nsnare: ....x.......x...\nhat:   xoxoxoxoxoxoxoxo")
    y = beats.render(p, RECORDED, 95, swing=swing, bars=4)
    groove = beats.groove_of(y, SR, 95)
    assert groove.swing_percent == pytest.approx(swing, abs=2)
    delay_ms = beats.swing_delay_s(swing, 95) * 1000
    assert groove.step_offsets_ms[1::2] == pytest.approx(np.full(8, delay_ms), abs=2)
    assert groove.step_offsets_ms[0::2] == pytest.approx(np.zeros(8), abs=2)
    assert len(groove.onsets_s) == 64  # one onset per 16th over 4 bars


def test_groove_of_on_the_session_kit_and_with_no_off_beats():
    y = beats.render(Pattern.from_text("hat: xgxgxgxgxgxgxgxg\nkick: x...x...x...x..."), Kit(), 100, swing=60,
                     bars=2)
    assert beats.groove_of(y, SR, 100).swing_percent == pytest.approx(60, abs=2)
    straight_eighths = beats.render(beats.preset("rock"), RECORDED, 110, bars=2)
    assert math.isnan(beats.groove_of(straight_eighths, SR, 110).swing_percent)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("call", "match"), [
    (lambda: Pattern.from_text("kick: x..y"), r"x \(full\), o \(medium\), g \(ghost\) or \. \(rest\)"),
    (lambda: Pattern.from_text("kick x...x..."), "'name: steps'"),
    (lambda: Pattern.from_text("kick: x...", steps_per_bar=12), "steps_per_bar must be 16 or 32"),
    (lambda: Pattern({"kick": "x" * 16, "snare": "x" * 24}), "whole number of bars"),
    (lambda: Pattern({"kick": [0.5, 1.5] * 8}), "pick one scale"),
    (lambda: Pattern({"kick": [300] * 16}), "0-1 .or MIDI 0-127."),
    (lambda: beats.render(beats.preset("rock"), RECORDED, 120, swing=80),
     r"swing must be between 50 and 75 %.*triplet"),
    (lambda: beats.render(beats.preset("rock"), RECORDED, 0), "bpm must be between 20 and 400 BPM"),
    (lambda: beats.render(beats.preset("house"), Kit(), 124), "kit.with_piece.*pattern.without"),
    (lambda: beats.preset("polka"), "house, boom_bap, trap, rock and dembow"),
    (lambda: beats.preset("rock").set("kick", 16), "steps count from 0"),
    (lambda: Kit({"kick": np.zeros(100, np.float32)}), r"pass \(y, sr\)"),
    (lambda: Kit({"kick": (np.zeros(10, np.float32), SR)}, choke_groups=[("kick", "hat")]), "choke group member"),
    (lambda: beats.humanize(beats.preset("rock"), timing_ms=-1), "timing_ms must be between 0 and 100 ms"),
    (lambda: beats.groove_of(np.zeros(1000, np.float32), SR, 100, steps_per_bar=32), "swing is measured on 16ths"),
])
def test_bad_input_says_what_to_pass(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
