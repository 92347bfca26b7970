"""Lesson 06's text says what its cells show, computed from the lesson's own tagged cells.

- depth: the lead's direct sound sits furthest over its reverb (of every part, overheads too), the pad's closest;
- room, plate and hall: each decays (RT60 at 1 kHz, ISO 3382) in its decay_s, the damped hall's highs
  die faster; only the room has died away when the next snare hit lands (1.2 s later);
- pre-delay: "this pre-delay keeps the lead's onset clear": with 60 ms the reverb reaches the voice at
  least 60 ms later, about twice as long after the note's start;
- sends: one reverb on a bus with the sends the text names, against one per insert; with them the lead has the
  highest direct-to-reverb ratio of the three and the keys the lowest ("the lead stays in front");
- synced delays: 600, 300 and 200 ms at 100 BPM; the dotted eighth's echoes on 0.75, 1.5, 2.25 beats,
  the triplet's on thirds; a feedback of 0.45 is "about 7 dB down" per repeat;
- slap-back: one echo at 110 ms (past the 30-40 ms where echoes fuse), low-passed at 4 kHz, and no second one;
- ducking: the demo dips the echoes deeply while the lead sings and lets them back in the gaps;
- mud: the high-pass removes > 10 dB of the reverb below 150 Hz (the demo's 500 Hz also thins the body);
- mono: the correlations and mono drops the text describes (the wide hall -0.2, more than the 3 dB of power only).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from producerkit.checks import check_delay_ducking, check_return_highpass
from producerkit.checks import space as cs
from producerkit.eq import HighPass
from producerkit.space import rt60

from .lesson_cells import code_cells, markdown, run_cells

LESSON = "06-space"


@pytest.fixture(scope="module")
def setup():
    return run_cells(LESSON, ["s6-setup"])[0]


def _prose() -> str:
    return " ".join(markdown(LESSON).split())


def _printed(capsys) -> str:
    return capsys.readouterr().out


def test_depth_the_lead_sits_in_front_and_the_pad_at_the_back(setup, capsys):
    run_cells(LESSON, ["s6-why-listen", "s6-why-ratio"], dict(setup))
    found = re.findall(r"(\w+): send +-?[\d.]+ dB +direct sound +([\d.]+) dB", _printed(capsys))
    ratios = {name: float(value) for name, value in found}
    assert set(ratios) == {"lead", "snare", "keys", "pad", "guitar", "overheads"}
    assert max(ratios, key=ratios.get) == "lead"  # "the lead sends least and sits in front": of every part
    assert min(ratios, key=ratios.get) == "pad"
    assert ratios["lead"] - ratios["pad"] >= 6.0  # "well under" against "much closer"
    assert "the lead's reverb sits well under its direct sound, the pad's much closer to it" in _prose()


def test_room_plate_and_hall_decay_as_set_and_only_the_room_clears_the_next_hit(setup):
    ns, _ = run_cells(LESSON, ["s6-kinds-table"], dict(setup))
    sr, gap = ns["sr"], cs.backbeat_gap_s()
    assert gap == pytest.approx(1.2, abs=0.01)
    for name, verb in ns["SPACES"].items():
        ir = ns["impulses"][name]
        assert rt60(ir, sr, band_hz=1000) == pytest.approx(verb.decay_s, rel=0.08), name
    hall = ns["impulses"]["hall"]
    assert rt60(hall, sr, band_hz=8000) < 0.7 * rt60(hall, sr, band_hz=1000)  # damping: the highs die faster
    tails = {name: cs.reverb_tail_s(verb, sr) for name, verb in ns["SPACES"].items()}
    assert tails["room"] < gap < tails["plate"] < tails["hall"]
    text = _prose()
    assert "Only the room has died away by then; the plate and the hall are still ringing" in text
    assert "two beats apart: 1.2 s at 100 BPM" in text


def test_the_decay_figure_marks_the_next_hit(setup):
    ns, _ = run_cells(LESSON, ["s6-kinds-table"], dict(setup))
    _, fig = run_cells(LESSON, ["s6-kinds-fig"], ns)
    assert [t.name for t in fig.data] == ["room", "plate", "hall"]
    for trace in fig.data:  # "crosses -60 dB near its decay time, a little before it for the plate and the hall"
        decay = ns["SPACES"][trace.name].decay_s
        crossing = float(np.asarray(trace.x)[np.flatnonzero(np.asarray(trace.y) <= -60)[0]])
        assert 0.8 * decay <= crossing <= 1.05 * decay, trace.name
        if trace.name != "room":
            assert crossing < decay
    early = {t.name: float(np.asarray(t.x)[np.flatnonzero(np.asarray(t.y) <= -60)[0]]) / ns["SPACES"][t.name].decay_s
             for t in fig.data}
    assert min(early, key=early.get) == "hall"  # "most for the darkest, the hall"
    assert max(ns["SPACES"].values(), key=lambda v: v.damping) is ns["SPACES"]["hall"]
    assert "a little before it for the plate and the hall, most for the darkest, the hall" in _prose()
    assert any(getattr(s, "x0", None) == pytest.approx(1.2, abs=0.01) for s in fig.layout.shapes)
    assert fig.layout.xaxis.title.text.endswith("(s)") and fig.layout.yaxis.title.text.endswith("(dB)")


def test_this_pre_delay_keeps_the_leads_onset_clear(setup, capsys):
    ns, fig = run_cells(LESSON, ["s6-predelay-listen", "s6-predelay-fig"], dict(setup))
    arrivals = [float(v) for v in re.findall(r"within 20 dB of the voice (\d+) ms", _printed(capsys))]
    assert len(arrivals) == 2
    now, later = arrivals
    assert ns["hall_later"].pre_delay_ms == 60 and ns["hall_now"].pre_delay_ms == 0
    assert later >= now + 60  # the note's front is heard on its own for at least the pre-delay longer
    assert 1.6 <= later / now <= 2.5  # "about twice as long"
    assert ns["first_note_s"] == pytest.approx(0.3, abs=0.02)  # the verse's first note, on the "and" of 1
    assert [t.name for t in fig.data] == ["dry lead", "reverb, no pre-delay", "reverb, 60 ms pre-delay"]
    # where each reverb starts, read off the figure (5 ms steps): "about 20 ms into the note", "60 ms later"
    starts = [float(np.asarray(t.x)[np.flatnonzero(np.asarray(t.y) > -90)[0]]) for t in fig.data[1:]]
    assert 10 <= starts[0] <= 30
    assert starts[1] - starts[0] == pytest.approx(60, abs=5)
    assert 70 <= starts[1] <= 90  # "heard on its own for about 80 ms"
    text = _prose()
    assert "the reverb starts about 20 ms into the note" in text and "on its own for about 80 ms" in text
    assert "with the pre-delay, about twice as long" in text


def test_one_reverb_on_a_bus_with_the_sends_the_text_names(setup):
    ns, _ = run_cells(LESSON, ["s6-sends-listen"], dict(setup))
    bus_mixer, insert_mixer = ns["on_a_bus"], ns["on_inserts"]
    assert [b.name for b in bus_mixer.buses] == ["reverb"] and len(bus_mixer.bus("reverb").chain) == 1
    assert bus_mixer.bus("reverb").chain[0].mix == 1.0  # a return is 100 % wet
    assert {t.name: t.sends["reverb"] for t in bus_mixer.tracks} == {"lead": -14.0, "snare": -10.0, "keys": -6.0}
    assert sum(len(t.inserts) for t in insert_mixer.tracks) == 3
    text = _prose()
    assert "(lead −14 dB, snare −10 dB, keys −6 dB)" in text and 'sends={"reverb": -14.0}' in text


def test_with_the_sends_the_lead_stays_in_front_and_the_keys_sit_furthest_back(setup):
    # depth measured as section 1 measures it: direct level over the reverb the track's send puts on the bus
    ns, _ = run_cells(LESSON, ["s6-sends-listen"], dict(setup))
    sr, bus_mixer = ns["sr"], ns["on_a_bus"]
    verb = bus_mixer.bus("reverb").chain[0]
    ratios = {}
    for track in bus_mixer.tracks:
        direct = ns["chorus"][track.name] * np.float32(10 ** (track.gain_db / 20))
        wet = verb(direct, sr) * np.float32(10 ** (track.sends["reverb"] / 20))
        ratios[track.name] = cs.band_level_db(direct, sr, 20, 20000) - cs.band_level_db(wet, sr, 20, 20000)
    assert max(ratios, key=ratios.get) == "lead" and min(ratios, key=ratios.get) == "keys", ratios
    assert ratios["lead"] - ratios["keys"] >= 3.0  # a difference you hear
    text = _prose()
    assert "the lead stays in front (it sends least) while the keys sit furthest back" in text
    assert "which three identical inserts cannot do" not in text


def test_synced_delay_times_and_where_the_echoes_land(setup, capsys):
    ns, fig = run_cells(LESSON, ["s6-delay-table", "s6-delay-fig"], dict(setup))
    out = _printed(capsys)
    assert "one beat is 600 ms" in out
    assert re.search(r"quarter \( 1/4\): +600 ms", out) and re.search(r"eighth \( 1/8\): +300 ms", out)
    assert re.search(r"eighth triplet \(1/8t\): +200 ms", out)
    assert "450" not in out  # the dotted eighth is exercise 2's answer
    bars = {t.name: np.asarray(t.x) for t in fig.data if t.name != "the note"}
    dotted = bars["dotted eighth (1/8d)"]
    assert np.allclose(dotted[:5], [0.75, 1.5, 2.25, 3.0, 3.75], atol=1e-3)
    # the "a" of 1, the "&" of 2, the "e" of 3, beat 4: 16ths after the beat 3, 2, 1, 0, then round again
    assert [round((x % 1) * 4) for x in dotted[:5]] == [3, 2, 1, 0, 3]
    assert [int(x) + 1 for x in dotted[:4]] == [1, 2, 3, 4]
    triplet = bars["eighth triplet (1/8t)"]
    assert np.allclose(triplet[:3], [1 / 3, 2 / 3, 1.0], atol=1e-3)
    on_beat = np.isclose(triplet % 1, 0, atol=1e-3) | np.isclose(triplet % 1, 1, atol=1e-3)
    assert list(np.flatnonzero(on_beat)[:2]) == [2, 5]  # "back on the beat every third echo"
    text = _prose()
    assert ('first echo lands three 16ths after the note (the "a" of 1), the next on the "&" of 2, the next on the '
            '"e" of 3, and the fourth right on beat 4: the pattern comes round every three beats') in text
    assert "after each beat" not in text
    assert "and back on the beat every third echo" in text
    assert np.allclose(bars["quarter (1/4)"], [1, 2, 3, 4], atol=1e-3)
    assert 20 * np.log10(0.45) == pytest.approx(-7, abs=0.2)
    assert "each repeat is 0.45 times the one before: about 7 dB down" in _prose()


def test_slap_back_is_one_echo_at_110_ms(setup, capsys):
    ns, _ = run_cells(LESSON, ["s6-delay-player", "s6-slap-listen"], dict(setup))
    assert "one echo, 110 ms after the voice" in _printed(capsys)
    sr = ns["sr"]
    click = np.zeros(sr, np.float32)
    click[0] = 1.0
    echoes = ns["slap"](click, sr)
    loud = np.flatnonzero(np.abs(echoes[1:]) > 1e-3) + 1
    assert loud.size and loud[0] == pytest.approx(0.110 * sr, abs=2)
    assert np.all(loud < 0.110 * sr + 0.02 * sr)  # the low-passed echo and nothing after it
    assert ns["slap"].repeats_lowpass_hz == 4000 and ns["slap"].time_ms > 40  # distinct, not fused with the voice
    text = _prose()
    assert "B with a 110 ms slap-back at −8 dB, low-passed at 4 kHz" in text
    assert "Late enough to be heard as a distinct slap (echoes under about 30–40 ms fuse with the voice" in text
    assert "too early to be heard as a separate echo" not in text


def test_the_ducking_demo_is_exaggerated_and_lets_go_in_the_gaps(setup, capsys):
    ns, fig = run_cells(LESSON, ["s6-duck-listen", "s6-duck-fig"], dict(setup))
    report = cs.echo_ducking_report(ns["ducker"])
    assert report["singing_db"] > cs.DUCK_SINGING_DB[1]  # "all but vanish": deeper than the exercise allows
    assert report["gap_db"] <= cs.DUCK_GAP_MAX_DB  # and let go in the gaps
    assert check_delay_ducking(ns["ducker"]).correct is False
    assert f"{report['singing_db']:.1f} dB while the lead sings" in _printed(capsys)
    assert len(ns["phrase_ends_s"]) == 2  # the verse's two phrases end in these four bars
    assert "(threshold −40 dBFS, 6:1, 5 ms attack, 200 ms release)" in _prose()


def test_the_return_high_pass_removes_over_10_db_below_150_hz(setup, capsys):
    ns, fig = run_cells(LESSON, ["s6-mud-fig"], dict(setup))
    out = _printed(capsys)
    lows, body = (float(v) for v in re.search(r"removes ([\d.]+) dB of the reverb below 150 Hz and ([\d.]+) dB of "
                                               r"its body", out).groups())
    assert lows > 10.0
    assert 1.0 < body < 6.0  # "takes a few dB off it too": the demo goes too far, on purpose
    source = next(c.source for c in code_cells(LESSON) if c.id == "s6-mud-fig")
    assert "HighPass(500)(shared_return, sr)" in source
    assert check_return_highpass(HighPass(500)).correct is False
    diff = np.asarray(fig.data[-1].y)
    freqs = np.asarray(fig.data[-1].x)
    assert np.median(diff[(freqs > 30) & (freqs < 120)]) > 10.0
    assert "cut by far more than 10 dB" in _prose()
    below_200 = [cs.band_level_db(y, ns["sr"], 20, 200) for y in (ns["shared_return"], ns["cleaned_return"])]
    assert below_200[0] - below_200[1] > 15  # the spectrogram's lowest rows: bright in A, dark in B
    text = _prose()
    assert 'as in the "Abbey Road reverb trick" at about 600 Hz. Here we want the tail\'s warmth' in text


def test_the_soloed_return_spectrogram_empties_under_100_hz_and_darkens_to_200(setup):
    ns, _ = run_cells(LESSON, ["s6-mud-fig"], dict(setup))
    src = next(c.source for c in code_cells(LESSON) if c.id == "s6-mud-view")
    assert "[:, :two_bars]" in src and "song.bar_to_sample(2)" in src
    sr, n = ns["sr"], ns["song"].bar_to_sample(2)
    a, b = ns["shared_return"][:, :n], ns["cleaned_return"][:, :n]
    cut = {band: cs.band_level_db(a, sr, *band) - cs.band_level_db(b, sr, *band) for band in ((20, 100), (100, 200))}
    assert cut[(20, 100)] > 25  # "the rows under 100 Hz are empty"
    assert 10 < cut[(100, 200)] < 25  # "those up to 200 Hz much darker", not empty
    text = _prose()
    assert "in B the rows under 100 Hz are empty and those up to 200 Hz much darker (each panel has its own" in text
    assert "nearly empty" not in text


def test_mono_compatibility_reads_as_the_text_says(setup, capsys):
    run_cells(LESSON, ["s6-mono-table"], dict(setup))
    rows = {}
    for line in _printed(capsys).splitlines()[1:]:
        name, rest = line.split(":", 1)
        values = [float(v) for v in re.findall(r"[+-]\d+\.\d+", rest)]
        rows[name.strip()] = values  # effect correlation, effect mono dB, mix correlation, mix mono dB
    assert rows["hall, width 0"][:2] == [1.0, 0.0]
    wide = rows["hall, width 1"]
    assert abs(wide[0]) < 0.3 and -4.5 < wide[1] < -3.0  # "close to 0", "about 4 dB"
    assert f"{wide[0]:+.1f}" == "-0.2" and wide[1] < -3.5  # "(−0.2)": leaning below 0 takes more than power-only 3 dB
    widened = rows["hall, widened +6 dB"]
    assert widened[0] < -0.5 and widened[1] < -8.0  # "well below 0", "more than 8 dB"
    others = [v for k, v in rows.items() if k != "hall, widened +6 dB"]
    assert all(v[2] > 0.8 and v[3] > -0.5 for v in others)  # "well above 0 and hardly drops"
    assert widened[2] < min(v[2] for v in others)  # "lower than any of the others"
    assert widened[3] > -1.0  # the widened hall with the dry lead: "the whole mix drops by less than 1 dB"
    text = _prose()
    assert "The widened hall reads well below 0 and loses more than 8 dB in mono" in text
    assert "The whole mix drops by less than 1 dB" in text
    assert "close to 0 (−0.2) and drops about 4 dB in mono" in text and "(3 dB down)" in text
    assert "Keep the mix above 0. An effect on its own may read around 0" in text
    assert "keep the mix's correlation above 0, and no effect far below 0" in text
    assert "Keep a mix, and its effects, above 0" not in text and "keep the correlation above 0." not in text


def test_the_hall_is_a_preset_and_a_real_hall_is_about_2_s(setup):
    ns, _ = run_cells(LESSON, ["s6-kinds-table"], dict(setup))
    assert 1.5 <= ns["SPACES"]["hall"].decay_s <= 3.0  # the lesson's hall is a hall preset
    assert "a concert hall: about 2 s (hall presets 1.5–3 s)" in _prose()


def test_exercise_1_points_to_the_player_above_it():
    ids = [c.id for c in code_cells(LESSON)]
    assert ids.index("s6-kinds-player") < ids.index("s6-ex-snare-answer") < ids.index("s6-ex-snare-check")
    check = next(c.source for c in code_cells(LESSON) if c.id == "s6-ex-snare-check")
    assert "space_player.set_audio(b=" in check
    text = _prose()
    assert "B in the player above (under **Listen**) plays it; pick a space on the buttons to go back" in text
    assert "B below plays your snare reverb" not in text
    assert "The measured decay runs a few per cent over the `decay_s` you set" in text


def test_the_daw_table_names_the_controls_as_the_daws_label_them():
    text = _prose()
    assert "the Diffusion Network's Hi Shelf" in text and "Hi Shelf / Diffusion" not in text
    assert "Decay, Pre-Delay, Hi Freq Cut, Size" in text and "HF Cut" not in text
    assert "a 1/8 triplet is no whole number of 16ths: Sync off, 200 ms at 100 BPM" in text
