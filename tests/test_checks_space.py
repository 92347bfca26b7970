"""Checkers of course/06-space.ipynb, each with right, near, wrong and missing answers.

References: a note's length at a tempo (a beat is 60 000 ms / BPM; dotted x 1.5, triplet x 2/3);
ISO 3382-1 (RT60 from the Schroeder decay, as ``producerkit.space.rt60`` measures it); the session's
snare on 2 and 4 at 100 BPM (1.2 s apart).
"""

from __future__ import annotations

import pytest

from producerkit.checks import (
    Feedback,
    check_delay_ducking,
    check_dotted_eighth_ms,
    check_return_highpass,
    check_snare_decay,
)
from producerkit.checks import space as cs
from producerkit.dynamics import Compressor
from producerkit.eq import HighPass, LowPass
from producerkit.space import Reverb

MISSING = (None, ..., "", [])


def _is(feedback: Feedback, correct) -> None:
    assert isinstance(feedback, Feedback)
    assert feedback.correct is correct, str(feedback)
    assert feedback.message


# --------------------------------------------------------------------------- the material


def test_the_backbeat_is_two_beats_apart_at_100_bpm():
    assert cs.backbeat_gap_s() == pytest.approx(1.2, abs=0.01)
    sr = 44100
    hits = cs.snare_hits_s(cs.stem_excerpt("snare"), sr)
    assert len(hits) == 8  # 2 and 4 in each of the four bars
    assert hits[0] == pytest.approx(0.6, abs=0.03)  # beat 2 of bar 11


def test_reverb_tail_is_pre_delay_plus_the_measured_rt60():
    verb = Reverb(decay_s=0.8, pre_delay_ms=40)
    assert cs.reverb_tail_s(verb, 44100) == pytest.approx(0.84, rel=0.05)


# --------------------------------------------------------------------------- 1. dotted eighth


@pytest.mark.parametrize("answer", [450, 450.0, "450", 449, 451.4])
def test_dotted_eighth_right(answer):
    _is(check_dotted_eighth_ms(answer), True)
    assert "450 ms" in check_dotted_eighth_ms(answer).message


def test_dotted_eighth_follows_the_tempo():
    _is(check_dotted_eighth_ms(375, bpm=120), True)
    _is(check_dotted_eighth_ms(450, bpm=120), False)


@pytest.mark.parametrize(("answer", "says"), [
    (440, "close"),             # near: an arithmetic slip
    (460, "close"),
    (0.45, "seconds"),          # near: the right length, in the wrong unit
    (300, "plain eighth"),      # wrong: forgot the dot
    (600, "quarter"),
    (200, "triplet"),
    (900, "dotted quarter"),
    (375, "120 BPM"),           # the tutorial tempo
    (1000, "not a dotted eighth"),
    ("fast", "not a number"),
])
def test_dotted_eighth_wrong_says_why(answer, says):
    feedback = check_dotted_eighth_ms(answer)
    _is(feedback, False)
    assert says in feedback.message
    assert feedback.hint


@pytest.mark.parametrize("answer", MISSING)
def test_dotted_eighth_missing(answer):
    _is(check_dotted_eighth_ms(answer), None)


# --------------------------------------------------------------------------- 2. snare decay


@pytest.mark.parametrize("answer", [Reverb(decay_s=0.8, pre_delay_ms=20), Reverb(decay_s=1.0, pre_delay_ms=10,
                                                                                 size=0.6), 0.9])
def test_snare_decay_right(answer):
    feedback = check_snare_decay(answer)
    _is(feedback, True)
    assert "1200 ms later" in feedback.message


def test_snare_decay_near_overlaps_by_a_little():
    feedback = check_snare_decay(Reverb(decay_s=1.3, pre_delay_ms=10))
    _is(feedback, False)
    assert "nearly" in feedback.message and "overlaps" in feedback.message


@pytest.mark.parametrize(("answer", "says"), [
    (Reverb(decay_s=2.8, pre_delay_ms=35, size=2.5), "still ringing"),
    (Reverb(decay_s=1.15, pre_delay_ms=200), "overlaps"),  # the pre-delay counts too
    (Reverb(decay_s=0.1, pre_delay_ms=0), "colour"),
    (HighPass(200), "not a reverb"),
    ("hall", "not a reverb"),
    (-1, "decay_s"),
])
def test_snare_decay_wrong(answer, says):
    feedback = check_snare_decay(answer)
    _is(feedback, False)
    assert says in feedback.message


@pytest.mark.parametrize("answer", MISSING)
def test_snare_decay_missing(answer):
    _is(check_snare_decay(answer), None)


# --------------------------------------------------------------------------- 3. return high-pass


@pytest.mark.parametrize("answer", [HighPass(250), HighPass(300), HighPass(200, order=4), HighPass(150, order=4), 250])
def test_return_highpass_right(answer):
    feedback = check_return_highpass(answer)
    _is(feedback, True)
    report = cs.return_highpass_report(answer if isinstance(answer, HighPass) else HighPass(answer))
    assert report["wash_cut_db"] >= cs.WASH_MIN_CUT_DB and report["body_loss_db"] <= cs.BODY_MAX_LOSS_DB


def test_return_highpass_near_misses_say_which_way():
    low = check_return_highpass(HighPass(150))  # 8 dB: nearly enough
    _is(low, False)
    assert "nearly" in low.message and "raise the cutoff" in low.hint
    high = check_return_highpass(HighPass(400))  # 1.4 dB off the body: a little thin
    _is(high, False)
    assert "thins" in high.message and "lower the cutoff" in high.hint


@pytest.mark.parametrize(("answer", "says"), [
    (HighPass(80), "still there"),
    (HighPass(1000), "thins"),
    (LowPass(200), "not a high-pass"),
    ("250 Hz", "not a high-pass"),
    (-5, "freq"),
])
def test_return_highpass_wrong(answer, says):
    feedback = check_return_highpass(answer)
    _is(feedback, False)
    assert says in feedback.message


@pytest.mark.parametrize("answer", MISSING)
def test_return_highpass_missing(answer):
    _is(check_return_highpass(answer), None)


# --------------------------------------------------------------------------- 4. ducking the delay


@pytest.mark.parametrize("answer", [
    Compressor(threshold_db=-30, ratio=4, attack_ms=5, release_ms=200),
    Compressor(threshold_db=-30, ratio=8, attack_ms=5, release_ms=150),
])
def test_delay_ducking_right(answer):
    feedback = check_delay_ducking(answer)
    _is(feedback, True)
    report = cs.echo_ducking_report(answer)
    assert cs.DUCK_SINGING_DB[0] <= report["singing_db"] <= cs.DUCK_SINGING_DB[1]
    assert report["gap_db"] <= cs.DUCK_GAP_MAX_DB


@pytest.mark.parametrize(("answer", "says"), [
    (Compressor(threshold_db=-20, ratio=4, attack_ms=5, release_ms=200), "too little"),   # near: 2 dB
    (Compressor(threshold_db=-40, ratio=6, attack_ms=5, release_ms=200), "too deep"),     # the lesson's demo
    (Compressor(threshold_db=-30, ratio=4, attack_ms=5, release_ms=1500), "still held down"),
    (Compressor(threshold_db=-30, ratio=4, attack_ms=5, release_ms=5), "flutter"),
    (HighPass(200), "must be a"),
])
def test_delay_ducking_wrong(answer, says):
    feedback = check_delay_ducking(answer)
    _is(feedback, False)
    assert says in feedback.message


@pytest.mark.parametrize("answer", MISSING)
def test_delay_ducking_missing(answer):
    _is(check_delay_ducking(answer), None)


# --------------------------------------------------------------------------- wording found by the walkthrough


@pytest.mark.parametrize("answer", [-450, 0])
def test_dotted_eighth_a_delay_time_cannot_be_negative(answer):
    feedback = check_dotted_eighth_ms(answer)
    _is(feedback, False)
    assert "a delay time cannot be" in feedback.message


@pytest.mark.parametrize(("decay_s", "pre_delay_ms"), [(1.17, 30), (1.18, 20)])
def test_snare_decay_nearly_names_the_measured_ring_against_the_setting(decay_s, pre_delay_ms):
    # decay + pre-delay = 1.2 s exactly, but the measured RT60 runs ~2.5 % over decay_s: say so, and ask for margin
    feedback = check_snare_decay(Reverb(decay_s=decay_s, pre_delay_ms=pre_delay_ms))
    _is(feedback, False)
    ring = cs.reverb_tail_s(Reverb(decay_s=decay_s, pre_delay_ms=pre_delay_ms), 44100) - pre_delay_ms / 1000
    assert ring > decay_s
    assert f"you set decay_s {decay_s:g} s; measured, it rings {ring:.2f} s" in feedback.message
    assert "margin" in feedback.hint


def test_snare_decay_a_long_pre_delay_is_an_echo():
    feedback = check_snare_decay(Reverb(decay_s=1.0, pre_delay_ms=250))
    _is(feedback, False)
    assert "heard as an echo" in feedback.message
    assert "echo" not in check_snare_decay(Reverb(decay_s=0.8, pre_delay_ms=60)).message


@pytest.mark.parametrize(("check", "answer", "says"), [
    (check_delay_ducking, -30, "echo_duck is an int;"),
    (check_return_highpass, "250 Hz", "return_hp is a str,"),
])
def test_the_type_is_named_with_its_article(check, answer, says):
    feedback = check(answer)
    _is(feedback, False)
    assert says in feedback.message
