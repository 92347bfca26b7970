"""The EQ lesson's checkers (correct, wrong and missing answers) and the lesson's claims, proved with the library.

References: the problems in datasets/manifest.json (frequency, gain, Q, bars and the fix of each
variant), the composition in producerkit/_song.py (the lead's notes), Butterworth slopes, the Audio EQ
Cookbook's Q-to-bandwidth relation (R. Bristow-Johnson) and ITU-R BS.1770 loudness (producerkit.meters).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import checks, datasets
from producerkit._song import LEAD_PHRASES
from producerkit.checks import (
    check_highpass,
    check_kick_fundamental,
    check_mud_cut,
    check_mud_frequency,
    check_resonance_cut,
    check_resonance_frequency,
)
from producerkit.checks import eq as ceq
from producerkit.eq import EQ, HighPass, LowPass, LowShelf, Notch, Peak
from producerkit.meters import integrated_loudness
from producerkit.plots import spectrum_db

from .lesson_cells import Expr, code_cells, exercise_names, notebook, run_lesson, select

LESSON = "01-eq"
UNANSWERED = (None, ..., "")


@pytest.fixture(scope="module")
def song():
    return datasets.load_session("paper_lanterns")


def excerpt(song, name, start, end):
    return song.stems[name][song.bar_to_sample(start) : song.bar_to_sample(end)]


def band_db(y, sr, lo, hi):
    """Energy of ``y`` between ``lo`` and ``hi`` Hz, in dB (one FFT over the clip)."""
    spectrum = np.abs(np.fft.rfft(np.asarray(y, dtype=np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(y), 1.0 / sr)
    return 10 * np.log10(spectrum[(freqs >= lo) & (freqs < hi)].sum())


def says(feedback, *words):
    text = (feedback.message + " " + feedback.hint).lower()
    return all(w.lower() in text for w in words)


# --------------------------------------------------------------------------- every checker: missing answers


@pytest.mark.parametrize("checker", [check_mud_frequency, check_mud_cut, check_resonance_frequency,
                                     check_resonance_cut, check_highpass, check_kick_fundamental])
@pytest.mark.parametrize("answer", UNANSWERED)
def test_unanswered_exercises_say_your_turn(checker, answer):
    feedback = checker(answer)
    assert feedback.correct is None and not feedback
    assert "no answer yet" in feedback.message


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6), st.text(max_size=8),
                 st.lists(st.integers(), max_size=3), st.booleans()))
def test_checkers_never_raise_on_odd_answers(answer):
    for checker in (check_mud_frequency, check_resonance_frequency, check_kick_fundamental, check_mud_cut,
                    check_resonance_cut, check_highpass):
        feedback = checker(answer)
        assert feedback.correct in (True, False, None)


def test_checkers_are_found_by_the_checks_package():
    assert checks.check_mud_cut is check_mud_cut
    assert "check_highpass" in dir(checks)


# --------------------------------------------------------------------------- exercise 1: where is the mud


def test_mud_frequency_right_within_a_fifth_of_an_octave_of_the_manifest(song):
    assert song.problem("keys_mud").freq == 315.0
    assert check_mud_frequency(315)
    assert check_mud_frequency("300")  # a number typed as text still counts
    assert check_mud_frequency(285) and check_mud_frequency(350)
    # W1: the difference is 8.3 dB at 280 Hz against 8.9 at its top; 280 was "a little too low"
    assert check_mud_frequency(276) and check_mud_frequency(280) and check_mud_frequency(360)
    # the muddy curve's own highest point (250 Hz) is not the bump's centre
    assert not check_mud_frequency(250) and not check_mud_frequency(265) and not check_mud_frequency(380)
    assert not check_mud_frequency(260) and not check_mud_frequency(390)  # no bell centred there clears the mud


def test_mud_frequency_right_where_the_difference_trace_is_within_1_5_db_of_its_top(song):
    """The lesson asks for the top of the "muddy − clean" trace; the accepted range is where it is near the top."""
    y, clean, sr = ceq._excerpts("keys_mud")
    freqs = np.geomspace(200, 500, 97)
    diff = spectrum_db(y, sr, freqs)[1] - spectrum_db(clean, sr, freqs)[1]
    for f, d in zip(freqs, diff, strict=True):
        if check_mud_frequency(float(f)):
            assert d >= diff.max() - 1.6, (f, d, diff.max())
        if d >= diff.max() - 0.5:
            assert check_mud_frequency(float(f)), (f, d, diff.max())


def test_frequencies_below_10_hz_are_printed_as_typed():
    """W1: an answer of 0.3 Hz was printed as "0 Hz"."""
    assert says(check_mud_frequency(0.3), "0.3 Hz is outside")
    assert says(check_mud_frequency(5.5), "5.5 Hz is outside")


def test_mud_frequency_wrong_says_how_far_and_where():
    low = check_mud_frequency(157)
    assert low.correct is False and says(low, "about an octave too low", "275 Hz–361 Hz")
    high = check_mud_frequency(1260)
    assert high.correct is False and says(high, "2 octaves too high")
    assert check_mud_frequency(200).correct is False
    assert says(check_mud_frequency("lots"), "not a frequency")
    assert says(check_mud_frequency(5), "outside what we hear")


# --------------------------------------------------------------------------- exercise 2: cut the mud


def test_the_manifests_mud_fix_and_nearby_cuts_pass(song):
    p = song.problem("keys_mud")
    assert check_mud_cut(Peak(p.freq, gain_db=-p.gain_db, q=p.q))
    assert check_mud_cut(Peak(300, gain_db=-8, q=1))
    assert check_mud_cut(EQ([Peak(330, gain_db=-10, q=1.5)]))


def test_the_mud_cut_is_judged_by_what_it_does():
    """W1: Peak(280, -9, q=1.2) brings the keys within 1.6 dB of the clean ones but was rejected on its
    frequency alone; a bell a little off the middle that brings the keys back now passes."""
    assert ceq.mud_cut_error_db(Peak(280, gain_db=-9, q=1.2)) <= ceq.MUD_MATCH_DB
    assert check_mud_cut(Peak(280, gain_db=-9, q=1.2))  # right (was wrong)
    assert check_mud_cut(Peak(350, gain_db=-9, q=1.2))
    near = check_mud_cut(Peak(315, gain_db=-6, q=1.2))  # near: +3 dB left
    assert near.correct is False and says(near, "still", "+3.0 db above", "gain_db=-9")
    wrong_ = check_mud_cut(Peak(250, gain_db=-9, q=1.2))  # wrong: off the bump, a hole beside it
    assert wrong_.correct is False and says(wrong_, "a little too low", "hole", "move it up")
    assert "elsewhere" not in wrong_.message


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (Peak(157, gain_db=-9, q=1.2), ("about an octave too low", "move it up")),
        (Peak(500, gain_db=-6, q=1), ("about half an octave too high", "move it down")),
        (Peak(315, gain_db=9, q=1.2), ("boost", "negative", "-9")),
        (Peak(315, gain_db=-2, q=1.2), ("still", "above the clean keys", "cut deeper")),
        (Peak(315, gain_db=-18, q=1.2), ("overshoots", "hollow", "cut less deep")),
        (Peak(315, gain_db=-12, q=1), ("overshoots", "cut less deep")),
        (Peak(315, gain_db=-9, q=0.3), ("hollow", "narrow the bell")),
        (Peak(315, gain_db=-9, q=6), ("still", "widen the bell")),
        (Peak(300, gain_db=-6, q=1), ("still", "above the clean keys", "cut deeper")),
        (Peak(315, gain_db=-9, q=2.5), ("still", "widen the bell")),
        (Peak(315, gain_db=-12, q=0.7), ("overshoots",)),
        (LowShelf(400, gain_db=-9), ("bell", "gain_db=-9")),
        (HighPass(300), ("bell",)),
        (42, ("not a bell",)),
    ],
)
def test_wrong_mud_cuts_say_what_to_change(answer, words):
    feedback = check_mud_cut(answer)
    assert feedback.correct is False
    assert says(feedback, *words), feedback


def _follow(band, hint: str):
    """``band`` with the changes a hint names ("gain_db=-9, q=1.2, keeping its other settings"), or None."""
    import dataclasses
    import re

    found = dict(re.findall(r"\b(freq|gain_db|q)=(-?[\d.]+)", hint))
    if not found or not all(hasattr(band, name) for name in found):
        return None
    return dataclasses.replace(band, **{name: float(value) for name, value in found.items()})


MUD_TRIES = [Peak(f, gain_db=g, q=q) for f in (157, 200, 250, 265, 300, 315, 340, 400, 500)
             for g in (-1, -3, -6, -12, -18) for q in (0.3, 0.7, 1.2, 3, 6)]


def test_every_mud_hint_followed_passes_or_comes_closer():
    """W1: "Try: Peak(freq, gain_db=-6, q=1.2)" and "cut 4–12 dB" failed when followed."""
    followed = 0
    for band in MUD_TRIES:
        fb = check_mud_cut(band)
        if fb.correct:
            continue
        after = _follow(band, fb.hint)
        assert after is not None, f"{band}: the hint names no setting to change: {fb.hint}"
        followed += 1
        assert check_mud_cut(after) or ceq.mud_cut_error_db(after) < ceq.mud_cut_error_db(band), (band, fb.hint)
    assert followed > 100
    # the fixed examples in the hints: a boost turned to gain_db=-9, and the bell offered instead of a shelf
    for f in (280, 300, 315, 340, 360):
        assert check_mud_cut(Peak(f, gain_db=-9, q=1.2)), f


# --------------------------------------------------------------------------- exercises 3 and 4: the resonance


def test_resonance_frequency(song):
    assert song.problem("guitar_harsh").freq == 3400.0
    assert check_resonance_frequency(3400) and check_resonance_frequency(3450)
    # issue 11: 3.2 kHz was "Right" here but no narrow cut there passes exercise 4
    assert says(check_resonance_frequency(3200), "a little too low", "3.31 kHz–3.49 kHz")
    low = check_resonance_frequency(1700)
    assert low.correct is False and says(low, "about an octave too low")
    assert check_resonance_frequency(2700).correct is False  # a third of an octave off: too far for a narrow peak


def test_the_manifests_resonance_fix_and_a_notch_pass(song):
    p = song.problem("guitar_harsh")
    assert check_resonance_cut(Peak(p.freq, gain_db=-p.gain_db, q=p.q))
    assert check_resonance_cut(Peak(3450, gain_db=-12, q=8))  # one slider step off still passes
    assert check_resonance_cut(Notch(3400, q=6))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (Peak(3400, gain_db=12, q=8), ("boost", "now cut")),
        (Peak(3400, gain_db=-3, q=8), ("barely",)),
        (Peak(3400, gain_db=-12, q=1), ("too wide", "narrow")),
        (Peak(1700, gain_db=-12, q=8), ("about an octave too low",)),
        (Peak(3310, gain_db=-12, q=16), ("still there", "resonance at 3.4 kHz", "move yours up")),
        (Peak(3250, gain_db=-12, q=8), ("a little too low", "3.31 kHz–3.49 kHz")),
        (Peak(3400, gain_db=-6, q=8), ("still there", "cut deeper")),
        (Peak(3400, gain_db=-12, q=3), ("hole", "narrow the bell", "q=")),
        (Peak(3400, gain_db=-12, q=30), ("still there", "widen the bell")),
        # W1: a notch is already infinitely deep: widen or narrow it, never "cut deeper" or "less deep"
        (Notch(3400, q=30), ("still there", "widen the notch (a lower q)")),
        (Notch(3400, q=12), ("still there", "widen the notch")),
        (Notch(3400, q=4), ("hole", "narrow the notch (a higher q)")),
        (LowPass(3000), ("dulls",)),
    ],
)
def test_wrong_resonance_cuts_say_what_to_change(answer, words):
    feedback = check_resonance_cut(answer)
    assert feedback.correct is False
    assert says(feedback, *words), feedback
    if isinstance(answer, Notch):
        assert "deep" not in feedback.hint, feedback


def test_every_resonance_hint_followed_passes_or_comes_closer():
    tries = ([Peak(3400, gain_db=g, q=q) for g in (-3, -6, -9, -12, -18, -24) for q in (3, 4, 5, 8, 12, 20, 30)]
             + [Notch(3400, q=q) for q in (3, 4, 10, 12, 16, 20, 30)])
    for band in tries:
        fb = check_resonance_cut(band)
        if fb.correct or "barely" in fb.message or "far deeper" in fb.message or "too wide" in fb.message:
            continue
        after = _follow(band, fb.hint)
        assert after is not None, f"{band}: the hint names no setting to change: {fb.hint}"
        assert check_resonance_cut(after) or ceq._resonance_miss_db(after) < ceq._resonance_miss_db(band), (
            band, fb.hint)


# --------------------------------------------------------------------------- exercise 5: high-pass the rumble


def test_highpass_answers_that_pass(song):
    assert check_highpass(80)  # a bare number is HighPass(80, order=4), the manifest's fix
    assert "HighPass(80, order=4)" in song.problem("lead_rumble").fix
    assert check_highpass(HighPass(80, order=4))
    assert check_highpass(HighPass(120, order=2))
    assert check_highpass(EQ([HighPass(60, order=4)]))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (HighPass(80), ("only", "db down", "steeper")),  # order 2: 12 dB/octave is not enough at 80 Hz
        (30, ("only", "raise the cutoff")),
        (300, ("cutting into the voice's body", "293 hz", "faded out by about 200 hz", "60–150 hz")),
        (HighPass(250, order=2), ("voice's body",)),
        (Peak(30, gain_db=-20, q=1), ("not a high-pass",)),
        ("deep", ("not a cutoff",)),
        (-5, ("not a cutoff",)),
    ],
)
def test_wrong_highpasses_say_what_to_change(answer, words):
    feedback = check_highpass(answer)
    assert feedback.correct is False
    assert says(feedback, *words), feedback


# --------------------------------------------------------------------------- exercise 6: the kick


def test_kick_fundamental():
    assert check_kick_fundamental(53) and check_kick_fundamental(60)
    high = check_kick_fundamental(106)
    assert high.correct is False and says(high, "about an octave too high")


# --------------------------------------------------------------------------- the lesson's claims


def test_claim_the_mud_variant_is_9_db_up_at_315_hz_and_the_manifests_fix_restores_it(song):
    """Manifest: keys_mud is +9 dB at 315 Hz (q 1.2) over bars 2-6; Peak(315, -9, q=1.2) restores it."""
    p = song.problem("keys_mud")
    assert p.bars == (2, 6)
    mud, clean = song.variants["keys_mud"], excerpt(song, "keys", *p.bars)
    freqs = np.geomspace(100, 5000, 120)
    up = spectrum_db(mud, song.sr, freqs)[1] - spectrum_db(clean, song.sr, freqs)[1]
    assert 8.0 <= up[np.argmin(np.abs(freqs - 315))] <= 9.5
    assert freqs[np.argmax(up)] == pytest.approx(315, rel=2 ** (1 / 6) - 1)
    fixed = Peak(315, gain_db=-9, q=1.2)(mud, song.sr)
    assert np.max(np.abs(spectrum_db(fixed, song.sr, freqs)[1] - spectrum_db(clean, song.sr, freqs)[1])) < 0.5


def test_claim_the_resonance_is_a_narrow_peak_at_3_4_khz_and_the_fix_removes_it(song):
    """Manifest: guitar_harsh is +12 dB at 3.4 kHz, q 8, bars 10-14; Peak(3400, -12, q=8) removes it."""
    p = song.problem("guitar_harsh")
    harsh, clean = song.variants["guitar_harsh"], excerpt(song, "guitar", *p.bars)
    freqs = np.geomspace(1000, 8000, 120)
    up = spectrum_db(harsh, song.sr, freqs)[1] - spectrum_db(clean, song.sr, freqs)[1]
    assert up.max() >= 9.0 and freqs[np.argmax(up)] == pytest.approx(3400, rel=0.05)
    assert np.all(up[(freqs < 2500) | (freqs > 4500)] < 2.5)  # narrow: nothing much happens an octave away
    fixed = Peak(3400, gain_db=-12, q=8)(harsh, song.sr)
    assert np.max(np.abs(spectrum_db(fixed, song.sr, freqs)[1] - spectrum_db(clean, song.sr, freqs)[1])) < 0.5


def test_claim_a_highpass_at_80_hz_removes_the_rumble_and_leaves_the_voice(song):
    """Lesson: HighPass(80, order=4) takes >= 20 dB off the rumble below 40 Hz and changes the lead's
    200 Hz - 5 kHz band by < 0.5 dB; order 2 at 80 Hz is not enough (the slope matters)."""
    sr = song.sr
    p = song.problem("lead_rumble")
    lead = excerpt(song, "lead", *p.bars)
    rumble = song.variants["lead_rumble"].astype(np.float64) - lead
    steep, gentle = HighPass(80, order=4), HighPass(80, order=2)
    assert band_db(rumble, sr, 0, 40) - band_db(steep(rumble.astype(np.float32), sr), sr, 0, 40) >= 20
    assert band_db(rumble, sr, 0, 40) - band_db(gentle(rumble.astype(np.float32), sr), sr, 0, 40) < 20
    assert abs(band_db(steep(lead, sr), sr, 200, 5000) - band_db(lead, sr, 200, 5000)) < 0.5
    assert ceq.rumble_reduction_db(steep) >= 20 > ceq.rumble_reduction_db(gentle)


def test_claim_butterworth_slopes_at_one_octave_below_80_hz():
    """Lesson: at 80 Hz an order-2 high-pass takes about 12 dB off 40 Hz, order 4 about 24 dB
    (Butterworth: 10 log10(1 + (fc/f)^(2n)))."""
    at40 = np.array([40.0])
    assert HighPass(80).response(at40, 44100)[0] == pytest.approx(-10 * np.log10(1 + 2**4), abs=0.2)
    assert HighPass(80, order=4).response(at40, 44100)[0] == pytest.approx(-10 * np.log10(1 + 2**8), abs=0.2)


def test_claim_the_leads_lowest_note_is_the_compositions_d4():
    """The checker's "voice's body" limit is measured from the stem; the composition's lowest lead note
    is MIDI 62 (D4, 293.66 Hz), and the manifest says the melody has nothing below 280 Hz."""
    lowest_midi = min(note for _, _, phrase in LEAD_PHRASES for _, _, note in phrase)
    d4 = 440.0 * 2 ** ((lowest_midi - 69) / 12)
    assert ceq.lowest_lead_fundamental() == pytest.approx(d4, rel=0.01)


@pytest.mark.parametrize(("q", "octaves"), [(0.7, 2.0), (1.4, 1.0), (4.3, 1 / 3), (8, 1 / 6)])
def test_claim_q_and_bandwidth(q, octaves):
    """Lesson: Q 0.7 is about two octaves wide, 1.4 one, 4.3 a third, 8 a sixth (the Cookbook's
    1/Q = 2 sinh(ln(2)/2 * BW), BW between the half-gain points of the analog bell)."""
    freqs = np.geomspace(10, 100000, 200001)
    response = Peak(1000, gain_db=9, q=q).analog_response(freqs)
    inside = freqs[response >= 4.5]
    assert np.log2(inside[-1] / inside[0]) == pytest.approx(octaves, rel=0.1)


def test_claim_a_wide_presence_boost_makes_the_guitar_louder(song):
    """Lesson: boosting adds level (BS.1770): the +6 dB presence bell makes the guitar several LU louder."""
    guitar = excerpt(song, "guitar", 10, 14)
    boosted = Peak(3000, gain_db=6, q=0.8)(guitar, song.sr)
    assert integrated_loudness(boosted, song.sr) - integrated_loudness(guitar, song.sr) >= 3.0


def test_claim_kick_and_bass_overlap_at_the_kicks_fundamental_and_the_carve_separates_them(song):
    """Lesson: in chorus 1 kick and bass are about equally loud at the kick's fundamental; cutting the
    bass 6 dB there (the lesson's bass_eq) puts the kick about 4 dB on top (from level)."""
    sr = song.sr
    f0 = ceq.kick_fundamental()
    assert 45 <= f0 <= 65
    kick, bass = excerpt(song, "kick", 10, 14), excerpt(song, "bass", 10, 14)
    at = np.array([f0])

    def level(y):
        return spectrum_db(y, sr, at, n_fft=32768)[1][0]

    assert abs(level(kick) - level(bass)) < 3.0
    carved = EQ([Peak(f0, gain_db=-6, q=1.5)])(bass, sr)
    assert level(kick) - level(carved) >= 3.0


def test_claim_rbj_cramps_near_nyquist_and_matched_does_not():
    """Lesson (Cookbook vs Vicanek's matched design): a +9 dB bell at 16 kHz, q 1, at 44.1 kHz: the RBJ
    bell is pinned to 0 dB at Nyquist and falls far below the analog ideal at 20 kHz; matched stays close."""
    f = np.array([20000.0, 22049.0])
    analog = Peak(16000, gain_db=9, q=1).analog_response(f)
    rbj = Peak(16000, gain_db=9, q=1, design="rbj").response(f, 44100)
    matched = Peak(16000, gain_db=9, q=1).response(f, 44100)
    assert analog[0] - rbj[0] >= 5.0
    assert abs(rbj[1]) < 0.01
    assert abs(matched[0] - analog[0]) < 1.0


def test_claim_the_lessons_clips_are_at_most_15_seconds(song):
    for variant in ("keys_mud", "guitar_harsh", "lead_rumble"):
        p = song.problem(variant)
        seconds = len(song.variants[variant]) / song.sr
        assert seconds == pytest.approx((p.bars[1] - p.bars[0]) * song.seconds_per_bar)
        assert seconds <= 15.0


# --------------------------------------------------------------------------- the notebook's shape


def test_the_notebook_is_committed_clean_and_has_its_exercises():
    nb = notebook(LESSON)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert exercise_names(LESSON) == ["mud_hz", "mud_cut", "harsh_hz", "resonance_cut", "rumble_filter", "kick_hz"]
    checks = "\n".join(c.source for c in select(LESSON, tags=("check",)))
    for checker in ("check_mud_frequency(mud_hz)", "check_mud_cut(mud_cut)", "check_resonance_frequency(harsh_hz)",
                    "check_resonance_cut(resonance_cut)", "check_highpass(rumble_filter)",
                    "check_kick_fundamental(kick_hz)"):
        assert checker in checks
    sources = "\n".join(c.source for c in code_cells(LESSON))
    assert "IPython.display" not in sources and "Audio(" not in sources


# The manifest's fixes (datasets/manifest.json) and the kick's measured fundamental, typed as a student would.
RIGHT_ANSWERS = {"mud_hz": 315, "mud_cut": Expr("Peak(315, gain_db=-9, q=1.2)"), "harsh_hz": 3400,
                 "resonance_cut": Expr("Peak(3400, gain_db=-12, q=8)"), "rumble_filter": Expr("HighPass(80, order=4)"),
                 "kick_hz": 53}


def test_the_lessons_own_check_cells_pass_the_right_answers_and_wait_for_blank_ones():
    """Run as a student would: setup, exercises, checks; every check cell shows its verdict."""
    checks = select(LESSON, tags=("check",))
    blank = run_lesson(LESSON, tags=("setup", "exercise", "check"))
    assert [blank["Out"][c.index].correct for c in checks] == [None] * len(checks)
    right = run_lesson(LESSON, tags=("setup", "exercise", "check"), answers=RIGHT_ANSWERS)
    verdicts = {c.first_line: right["Out"][c.index] for c in checks}
    assert all(fb.correct is True for fb in verdicts.values()), {k: str(v) for k, v in verdicts.items()}
