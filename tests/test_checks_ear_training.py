"""The ear-training lesson's checkers: right, near, wrong, unreadable and missing answers, judged against the audio.

Each exercise's answer is proved from the trial's own audio, not from what the trial says it did:
the boosted band is where B's spectrum rises most above A's, the compressed version is the one whose
hits stand least above its body, and the delay's note value is where the first echo
lands (the lag of the strongest repeat of the dry snare in B). Sam's threshold is recomputed from
Sam's answers with a staircase written here (3-down/1-up, Levitt 1971), not the library's.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import checks, training
from producerkit.checks import check_boosted_band, check_compressed, check_delay_note, check_threshold
from producerkit.checks import ear_training as cet

CHECKERS = (check_boosted_band, check_compressed, check_delay_note, check_threshold)
UNANSWERED = (None, ..., "")


def says(feedback, *words):
    text = (feedback.message + " " + feedback.hint).lower()
    return all(w.lower() in text for w in words)


# --------------------------------------------------------------------------- every checker


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("answer", UNANSWERED)
def test_unanswered_exercises_say_your_turn(checker, answer):
    feedback = checker(answer)
    assert feedback.correct is None and not feedback
    assert "no answer yet" in feedback.message


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30), st.text(max_size=12),
                 st.lists(st.integers(), max_size=3), st.tuples(st.text(max_size=3), st.floats()), st.booleans(),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_checkers_never_raise_on_odd_answers(answer):
    for checker in CHECKERS:
        feedback = checker(answer)
        assert feedback.correct in (True, False, None)
        assert feedback.message


def test_checkers_are_found_by_the_checks_package():
    assert checks.check_boosted_band is check_boosted_band
    assert {"check_compressed", "check_delay_note", "check_threshold"} <= set(dir(checks))


def test_the_exercise_trials_are_fixed_two_bar_excerpts():
    for name, (drill, level, seed) in cet.EXERCISES.items():
        trial = cet.exercise_trial(name)
        again = training.make_trial(drill, level, seed, seconds=cet.EXERCISE_SECONDS)
        assert trial.drill == drill and trial.answer == again.answer
        np.testing.assert_array_equal(trial.processed, again.processed)
        assert trial.reference.shape[-1] == round(4.8 * trial.sr)
    with pytest.raises(KeyError, match="the exercises are band, compressed, delay"):
        cet.exercise_trial("pan")


# --------------------------------------------------------------------------- exercise 1: the boosted band


def _band_gain_db(trial, centre):
    """B's level against A's in the octave around ``centre``, in dB, from the audio."""
    a = np.fft.rfft(trial.reference.astype(np.float64).mean(axis=0))
    b = np.fft.rfft(trial.processed.astype(np.float64).mean(axis=0))
    f = np.fft.rfftfreq(trial.reference.shape[-1], 1 / trial.sr)
    sel = (f >= centre / math.sqrt(2)) & (f < centre * math.sqrt(2))
    return 10 * np.log10(np.sum(np.abs(b[sel]) ** 2) / np.sum(np.abs(a[sel]) ** 2))


def test_the_boosted_band_is_where_b_rises_most_above_a():
    trial = cet.exercise_trial("band")
    gains = {band: _band_gain_db(trial, band) for band in trial.choices if band * math.sqrt(2) < trial.sr / 2}
    loudest = max(gains, key=gains.get)
    assert loudest == 4000.0
    assert gains[4000.0] > 5.0  # a 9 dB bell, less the loudness match
    assert check_boosted_band(loudest) and check_boosted_band("4k") and check_boosted_band("4 kHz")


def test_the_band_right_answer_explains_the_range_and_points_to_b_minus_a():
    feedback = check_boosted_band(4000)
    assert feedback.correct is True and says(feedback, "4 kHz", "+9.0 dB boost", "presence", "B − A")
    assert not feedback.message.startswith("Right:")  # the mark already says it


def test_one_band_off_is_close_and_says_which_way():
    low, high = check_boosted_band(2000), check_boosted_band("8k")
    assert low.correct is False and says(low, "close", "2 kHz is one band off", "one octave higher")
    assert high.correct is False and says(high, "close", "one octave lower")


def test_far_off_bands_say_how_far_and_what_to_listen_for():
    low = check_boosted_band(63)
    assert low.correct is False and says(low, "63 Hz is about 6 octaves too low", "listen higher")
    assert not says(low, "close") and not says(low, "4 kHz")  # the answer is not given away
    high = check_boosted_band(16000)
    assert high.correct is False and says(high, "16 kHz is about 2 octaves too high", "listen lower")
    assert says(check_boosted_band("lots"), "could not read 'lots'", "31.5 Hz", "16 kHz")


# --------------------------------------------------------------------------- exercise 2: which one is compressed


def _hits_over_body_db(y, sr):
    """How far the hits stand above the body: the 99th against the 50th percentile of the 10 ms RMS level."""
    mono = y.astype(np.float64).mean(axis=0)
    w = int(0.01 * sr)
    rms = np.sqrt(np.mean(mono[: len(mono) // w * w].reshape(-1, w) ** 2, axis=1))
    level = 20 * np.log10(rms + 1e-12)
    return float(np.percentile(level, 99) - np.percentile(level, 50))


def test_the_compressed_version_has_the_hits_closest_to_the_body():
    trial = cet.exercise_trial("compressed")
    assert "drums" in trial.material
    spread = {"A": _hits_over_body_db(trial.reference, trial.sr), "B": _hits_over_body_db(trial.processed, trial.sr)}
    squashed = min(spread, key=spread.get)
    assert spread["A" if squashed == "B" else "B"] - spread[squashed] > 4.0
    assert squashed == "A" and check_compressed(squashed)


def test_compressed_right_wrong_and_the_estimate():
    assert check_compressed("A") and check_compressed("a") and check_compressed(("A", 10))
    assert says(check_compressed("A"), "add your guess")
    assert check_compressed(("A", 10)).hint == ""
    wrong = check_compressed("B")
    assert wrong.correct is False and says(wrong, "B is the version left alone", "snare")
    wrong_side = check_compressed(("B", 10))
    assert wrong_side.correct is False and says(wrong_side, "left alone")
    little = check_compressed(("A", 3))
    assert little.correct is False and says(little, "right version", "3 dB", "less", "guess higher")
    much = check_compressed(("A", 20))
    assert much.correct is False and says(much, "more", "guess lower")
    assert says(check_compressed(42), "could not read 42")


# --------------------------------------------------------------------------- exercise 3: the delay's note value


def test_the_first_echo_lands_a_dotted_eighth_after_the_hit():
    trial = cet.exercise_trial("delay")
    dry = trial.reference.astype(np.float64).mean(axis=0)
    wet = trial.processed.astype(np.float64).mean(axis=0)
    echo = wet - dry * (np.dot(wet, dry) / np.dot(dry, dry))  # what the delay added
    spectrum = np.fft.rfft(echo, 2 * len(dry)) * np.conj(np.fft.rfft(dry, 2 * len(dry)))
    xcorr = np.fft.irfft(spectrum)[: len(dry)]
    lo = int(0.1 * trial.sr)  # no lag below 100 ms (the snare's own body)
    lag_ms = 1000 * (lo + int(np.argmax(xcorr[lo:int(0.7 * trial.sr)]))) / trial.sr
    beat_ms = 60000 / 100
    assert lag_ms == pytest.approx(0.75 * beat_ms, abs=5)  # a dotted 1/8 at 100 BPM: 450 ms
    assert check_delay_note("1/8d") and check_delay_note("dotted eighth") and check_delay_note("dotted 1/8")


def test_delay_neighbours_are_close_and_far_ones_are_wrong():
    sooner = check_delay_note("1/8")
    assert sooner.correct is False and says(sooner, "close", "150 ms too soon", "longer")
    later = check_delay_note("1/4")
    assert later.correct is False and says(later, "close", "150 ms too late", "shorter")
    triplet = check_delay_note("1/8t")
    assert triplet.correct is False and not says(triplet, "close") and says(triplet, "250 ms sooner", "count")
    right = check_delay_note("1/8d")
    assert says(right, "450 ms at 100 BPM", "gallop")
    assert says(check_delay_note(3), "could not read 3", "1/8d")


# --------------------------------------------------------------------------- exercise 4: Sam's threshold


def _levitt(answers, values):
    """A 3-down/1-up staircase written out here: the levels where it turned, and where it ended."""
    level, run, direction, turns = 1, 0, 0, []
    for right in answers:
        step = 0
        if right:
            run += 1
            if run == 3:
                run, step = 0, +1
        else:
            run, step = 0, -1
        if step:
            if direction and step != direction:
                turns.append(level)
            direction = step
            level = min(10, max(1, level + step))
    return [values[lv - 1] for lv in turns], values[level - 1]


def test_sams_threshold_is_the_mean_of_the_last_six_reversals():
    answers = cet.sam_answers()
    assert len(answers) == 40 and answers == cet.sam_answers()
    steps, end = _levitt(answers, training.drill("level").values)
    assert len(steps) >= 8  # more than 6, so "the last 6" matters
    truth = float(np.mean(steps[-6:]))
    assert truth == pytest.approx(1.15)
    assert check_threshold(truth) and check_threshold(round(truth, 1)) and check_threshold("1.15")
    assert check_threshold(1.2) and check_threshold(1.1)  # 1.15 read to one decimal, either way
    assert not check_threshold(1.25) and not check_threshold(1.05)
    assert says(check_threshold(truth), "1.0, 1.3, 1.0, 1.3, 1.0, 1.3 dB")


def test_threshold_mistakes_are_named():
    answers = cet.sam_answers()
    stairs = training.Staircase()
    for right in answers:
        stairs.update(right)
    steps = [training.drill("level").values[lv - 1] for lv in stairs.reversals]
    all_mean = check_threshold(round(float(np.mean(steps)), 3))
    assert all_mean.correct is False and says(all_mean, f"mean of all {len(steps)} reversals", "last 6")
    level = check_threshold(float(np.mean(stairs.reversals[-6:])))
    assert level.correct is False and says(level, "is a level", "not a step in dB")
    ended = check_threshold(0.8)
    assert ended.correct is False and says(ended, "the step Sam ended on")
    one = check_threshold(1.3)
    assert one.correct is False and says(one, "at one reversal")
    assert says(check_threshold(2), "too high") and says(check_threshold(0.5), "too low")
    assert says(check_threshold("loud"), "not a number of dB")


def test_a_threshold_written_with_its_unit_is_read():
    assert check_threshold("1.15 dB") and check_threshold("1.15dB") and check_threshold(" 1,15 db ")
    assert check_threshold("1.2 decibels")
    assert not check_threshold("1.3 dB") and says(check_threshold("1.3 dB"), "at one reversal")
    assert says(check_threshold("1.15 Hz"), "not a number of dB")


def test_sam_hears_as_the_lesson_says_and_the_staircase_finds_it():
    def p(x):
        return 1 - 0.5 * math.exp(-((x / cet.SAM_ALPHA_DB) ** cet.SAM_BETA))

    assert p(2.0) > 0.99  # "a 2 dB step nearly every time"
    assert 0.75 <= p(1.0) <= 0.85  # "a 1 dB step about four times in five"
    assert p(0.5) < 0.6  # "barely better than a guess at half a dB"
    true = cet.sam_true_threshold()
    assert p(true) == pytest.approx(0.794, abs=1e-6)
    assert 0.794**3 == pytest.approx(0.5, abs=0.001)  # Levitt: three right in a row is an even chance there
    estimate = float(np.mean(_levitt(cet.sam_answers(), training.drill("level").values)[0][-6:]))
    assert 0.15 <= estimate / true - 1 <= 0.25  # "within about 20 %"
