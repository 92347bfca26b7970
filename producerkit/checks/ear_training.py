"""Checkers for the ear-training lesson: three fixed trials answered in a cell, and a threshold read off a staircase.

Each exercise trial is made by :func:`producerkit.training.make_trial` from a fixed drill, level and
seed (:data:`EXERCISES`), so every student hears the same one. The answer is judged by
:func:`producerkit.training.score`, the scorer the EarTrainer uses, and told in the course's
feedback style: a near miss says which way to go, a wrong answer what to listen for, and only a
right answer says everything that was done. The threshold exercise reads Sam's staircase
(:func:`sam_answers`), a simulated listener whose answers the lesson plots.

Lesson: course/05-ear-training.ipynb
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np

from .. import training
from ._feedback import Feedback, as_number, is_unanswered, right, unanswered, wrong

#: The exercises' trials: (drill, level, seed), two bars (4.8 s) each. Seed 5 of the frequency drill at
#: level 3 boosts one octave band of the mix by 9 dB; seed 0 of the dynamics drill at level 2 takes about
#: 10 dB off the drums' peaks; seed 0 of the space drill at level 2 is a tempo-synced delay on the snare.
EXERCISES = {
    "band": ("frequency", 3, 5),
    "compressed": ("dynamics", 2, 0),
    "delay": ("space", 2, 0),
}
#: How long each exercise trial is: two bars of the song at 100 BPM.
EXERCISE_SECONDS = 4.8

#: Sam, the simulated student of the threshold exercise: a listener who hears a level step of ``x`` dB
#: with probability 1 - 0.5 exp(-(x / SAM_ALPHA_DB) ** SAM_BETA) (a Weibull psychometric function for a
#: two-choice question: 50 % is guessing). Sam hears 2 dB nearly always, 1 dB about 4 times in 5.
SAM_ALPHA_DB = 1.0
SAM_BETA = 3.0
SAM_TRIALS = 40
SAM_SEED = 4
#: A threshold read to one decimal (or two) counts: within this many dB of the staircase's estimate.
THRESHOLD_TOLERANCE_DB = 0.05


# --------------------------------------------------------------------------- the exercises' trials


@lru_cache(maxsize=len(EXERCISES))
def exercise_trial(name: str) -> training.Trial:
    """The fixed trial of exercise ``name`` ("band", "compressed" or "delay"): the same for every student.

    Lesson: course/05-ear-training.ipynb
    """
    if name not in EXERCISES:
        raise KeyError(f"no exercise trial {name!r}: the exercises are {', '.join(EXERCISES)}")
    drill, level, seed = EXERCISES[name]
    return training.make_trial(drill, level, seed, seconds=EXERCISE_SECONDS)


def _fmt_hz(f: float) -> str:
    return f"{f / 1000:g} kHz" if f >= 1000 else f"{f:g} Hz"


def _unreadable(score: training.Score, hint: str) -> Feedback:
    return wrong(score.message.split(". ", 1)[0] + ".", hint)


def _octave_words(octaves: float) -> str:
    size = abs(octaves)
    if size < 1.5:
        return "one octave band"
    return f"about {size:.0f} octaves"


def check_boosted_band(answer) -> Feedback:
    """Exercise 1: which octave band of the mix was boosted in B? An answer in Hz ("2k", "2 kHz" and 2000 all work).

    Lesson: course/05-ear-training.ipynb
    """
    trial = exercise_trial("band")
    bands = ", ".join(_fmt_hz(b) for b in trial.choices)
    if is_unanswered(answer):
        return unanswered(f"write the band you hear boosted in B, in Hz (one of {bands}).")
    result = training.score(trial, answer)
    if result.verdict == "unreadable":
        return _unreadable(result, f"write one of the bands: {bands}.")
    if result.correct:
        return right(result.message.removeprefix("Right: "),
                     "press B − A to hear the boost on its own: that is what this band sounds like.")
    said = float(result.answer)
    octaves = float(result.error)  # how far the truth lies above the band you said, in octaves
    way = "higher" if octaves > 0 else "lower"
    if result.verdict == "near":
        return wrong(f"close: {_fmt_hz(said)} is one band off; the boost sits one octave {way}.",
                     "switch A/B on the loudest notes and listen one band " + way + ".")
    region = _what_to_listen_for(way)
    return wrong(f"{_fmt_hz(said)} is {_octave_words(octaves)} too {'low' if octaves > 0 else 'high'}.",
                 f"listen {way}: {region} Press B − A to hear only what the boost added.")


def _what_to_listen_for(way: str) -> str:
    if way == "higher":
        return "is it the bite of the notes and consonants, or the hiss of the cymbals, that grows in B?"
    return "is it the weight of the kick and bass, or the body of the keys, that grows in B?"


def check_compressed(answer) -> Feedback:
    """Exercise 3: which version of the drums is compressed? "A" or "B", or ("B", 6) with a guess at the reduction.

    Lesson: course/05-ear-training.ipynb
    """
    trial = exercise_trial("compressed")
    if is_unanswered(answer):
        return unanswered('write "A" or "B", the version you hear compressed; add your guess at the gain reduction '
                          'in dB as a pair, such as ("B", 6) or ("A", 3).')
    result = training.score(trial, answer)
    if result.verdict == "unreadable":
        return _unreadable(result, 'write "A" or "B", or a pair such as ("B", 6).')
    side = result.answer[0]
    if result.correct is False:
        return wrong(f"{side} is the version left alone. At the same loudness, compression shows as smaller "
                     "differences between the hits and what rings between them.",
                     "listen to the snare's crack: in the compressed version it is shorter and the room between "
                     "the hits comes up.")
    if result.verdict == "near":
        said, truth = result.answer[1], result.truth[1]
        more = said < truth
        return wrong(f"right version: {side} is compressed. But {said:g} dB of gain reduction is "
                     f"{'less' if more else 'more'} than it got.",
                     f"guess {'higher' if more else 'lower'}: a few dB is subtle, 10 dB takes the snap off "
                     "every hit.")
    return right(result.message.removeprefix("Right: "),
                 "" if result.answer[1] is not None else
                 f"next time add your guess at the gain reduction, as (\"{side}\", 6): judging the amount is the "
                 "skill a mix needs.")


def check_delay_note(answer) -> Feedback:
    """Exercise 4: which note value is the delay on the snare? "1/4", "1/8", "1/8d" (dotted) or "1/8t" (triplet).

    Lesson: course/05-ear-training.ipynb
    """
    trial = exercise_trial("delay")
    if is_unanswered(answer):
        return unanswered('write the delay\'s note value: "1/4", "1/8", "1/8d" (dotted) or "1/8t" (triplet).')
    result = training.score(trial, answer)
    if result.verdict == "unreadable":
        return _unreadable(result, 'write one of "1/4", "1/8", "1/8d" or "1/8t".')
    if result.correct:
        return right(result.message.removeprefix("Right: "))
    said = training.NOTE_NAMES[result.answer]
    longer = result.error < 0  # the echo you named comes sooner than the real one
    ms = abs(result.error)
    if result.verdict == "near":
        return wrong(f"close: a {said} echo comes {ms:.0f} ms {'too soon' if longer else 'too late'}; the real one "
                     f"is the next {'longer' if longer else 'shorter'} note value.",
                     "tap the beat and listen where the first echo of each snare hit lands between two taps.")
    return wrong(f"a {said} echo would land {ms:.0f} ms {'sooner' if longer else 'later'} than this one.",
                 "count \"1 and 2 and\" with the beat: a 1/4 echo lands on the next count, a 1/8 on the \"and\"; "
                 "dotted and triplet echoes fall between them.")


# --------------------------------------------------------------------------- Sam's staircase


@lru_cache(maxsize=1)
def sam_answers() -> tuple[bool, ...]:
    """Sam's 40 answers in the level drill, starting at level 1: True right, False wrong (simulated, seeded).

    Sam hears a step of ``x`` dB with probability 1 - 0.5 exp(-(x / 1 dB)^3) and guesses otherwise, so the
    staircase, which asks for three right in a row before it gets harder, finds the step Sam hears about
    79 % of the time (:func:`sam_true_threshold`).

    Lesson: course/05-ear-training.ipynb
    """
    rng = np.random.default_rng(SAM_SEED)
    steps = training.drill("level").values
    stairs = training.Staircase()
    out = []
    for _ in range(SAM_TRIALS):
        x = steps[stairs.level - 1]
        heard = bool(rng.random() < 1.0 - 0.5 * math.exp(-((x / SAM_ALPHA_DB) ** SAM_BETA)))
        out.append(heard)
        stairs.update(heard)
    return tuple(out)


def sam_true_threshold(correct: float = 0.794) -> float:
    """The level step in dB Sam hears ``correct`` of the time (79.4 %: the point a 3-down/1-up staircase finds).

    Lesson: course/05-ear-training.ipynb
    """
    return SAM_ALPHA_DB * (-math.log(2.0 * (1.0 - correct))) ** (1.0 / SAM_BETA)


def _sam_staircase() -> training.Staircase:
    stairs = training.Staircase()
    for heard in sam_answers():
        stairs.update(heard)
    return stairs


def check_threshold(answer) -> Feedback:
    """Exercise 2: Sam's level threshold in dB, read off the staircase: the mean step at the last 6 reversals.

    Lesson: course/05-ear-training.ipynb
    """
    if is_unanswered(answer):
        return unanswered("write Sam's threshold in dB: the mean of the steps at the last 6 reversals.")
    value = as_number(answer)
    if value is None and isinstance(answer, str):  # "1.15 dB", "1,15 db": the unit written out
        m = re.fullmatch(r"\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(?:db|decibels?)?\s*", answer, flags=re.IGNORECASE)
        value = as_number(m.group(1).replace(",", ".")) if m else None
    if value is None:
        return wrong(f"{answer!r} is not a number of dB.", "write a number such as 1.5 (or '1.5 dB').")
    stairs = _sam_staircase()
    steps = training.drill("level").values
    at = [steps[level - 1] for level in stairs.reversals]
    truth = float(np.mean(at[-6:]))
    if abs(value - truth) <= THRESHOLD_TOLERANCE_DB + 1e-9:
        return right(f"{value:g} dB: the mean of the last 6 reversals ({', '.join(f'{v:.1f}' for v in at[-6:])} dB) "
                     f"is {truth:.2f} dB.")
    if any(abs(value - x) <= 0.01 for x in (float(np.mean(stairs.reversals[-6:])), float(np.mean(stairs.reversals)))):
        return wrong(f"{value:g} is a level (1 easy ... 10 hard), not a step in dB.",
                     "read the dB of the step at each of the last 6 reversals (the labels on the circled points), "
                     "then take their mean.")
    if abs(value - float(np.mean(at))) <= 0.01:
        return wrong(f"{value:g} dB is the mean of all {len(at)} reversals.",
                     "the first reversals come while the staircase is still finding its way down: use only the "
                     "last 6.")
    if abs(value - steps[stairs.level - 1]) <= 0.01 or any(abs(value - x) <= 0.01 for x in at):
        where = "Sam ended on" if abs(value - steps[stairs.level - 1]) <= 0.01 else "at one reversal"
        return wrong(f"{value:g} dB is the step {where}.",
                     "one point is one moment; the threshold is the mean of the last 6 reversals, which smooths out "
                     "lucky guesses.")
    way = "high" if value > truth else "low"
    return wrong(f"{value:g} dB is too {way} for the mean of the last 6 reversals.",
                 "add the 6 steps in dB and divide by 6.")
