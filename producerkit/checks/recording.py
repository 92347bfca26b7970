"""Checkers for the recording and editing lesson: lining up two mics, the phrase to replace, a crossfade
that removes a click, and the cents that tune a flat phrase.

Lesson: course/08-recording.ipynb
"""

from __future__ import annotations

import re

from ..editing import click_db, crossfade, phrase_cents
from ..errors import ProducerkitError
from ..recording import SPEED_OF_SOUND, Mic
from ._feedback import Feedback, as_number, is_unanswered, right, unanswered, wrong

__all__ = [
    "CLICK_DB", "LONG_CROSSFADE_MS", "MIN_CROSSFADE_MS", "TUNING_TOLERANCE_CENTS", "check_crossfade_length",
    "check_mic_delay", "check_phrase_to_replace", "check_tuning",
]

#: An edit clicks when its highs stand this many dB above the music's around it (see editing.click_db).
CLICK_DB = 3.0
#: Shorter than this, a crossfade is faster than a cycle of the voice's fundamental and still ticks.
MIN_CROSSFADE_MS = 1.0
#: Beyond this a crossfade inside a phrase lets both takes sing at once for long enough to hear two voices.
LONG_CROSSFADE_MS = 50.0
#: A phrase within this many cents of the notes is in tune for the exercise (the issue's bound).
TUNING_TOLERANCE_CENTS = 10.0


def _distance(value, what: str) -> float:
    return value.distance_m if isinstance(value, Mic) else float(value)


# --------------------------------------------------------------------------- two mics


def check_mic_delay(samples, near, far, sr: int) -> Feedback:
    """The delay, in samples, that lines the near mic up with the far one.

    ``near`` and ``far`` are the lesson's two :class:`~producerkit.recording.Mic` objects (or their distances
    in metres). The answer is the path difference over 343 m/s, in samples, rounded; one sample either way is
    right.

    Lesson: course/08-recording.ipynb
    """
    if is_unanswered(samples):
        return unanswered("how many samples to delay the near mic (a whole number).")
    value = as_number(samples)
    if value is None:
        return wrong(f"the delay must be a number of samples (got {samples!r}).",
                     "write a whole number, such as 120.")
    d_near, d_far = _distance(near, "near"), _distance(far, "far")
    gap_m = d_far - d_near
    want = gap_m / SPEED_OF_SOUND * sr
    ms = want / sr * 1000
    if abs(value - round(want)) <= 1.0:
        return right(f"the far mic is {gap_m * 100:.0f} cm further away, so it hears everything "
                     f"{ms:.2f} ms ({want:.0f} samples at {sr} Hz) later. Delay the near mic by that and the "
                     "two line up: no notches.")
    if abs(value + round(want)) <= 1.0:
        return wrong("right size, wrong way: the near mic hears the sound first, so it is the one to delay "
                     "(a positive number of samples).", "give the delay as a positive number.")
    if abs(value - ms) <= 0.05 * ms + 0.01:
        return wrong(f"{value:g} is the delay in milliseconds; the exercise asks for samples.",
                     f"multiply by the sample rate: ms / 1000 × {sr}.")
    if abs(value - d_far / SPEED_OF_SOUND * sr) <= 1.0:
        return wrong("that is how long the sound takes to reach the far mic; the near mic hears it late too.",
                     "only the difference between the two paths matters: (far − near) / 343 m/s.")
    if abs(value - want) <= 0.05 * want:
        return wrong(f"close ({value:g} samples), but a sample or two out, and a comb moves with every sample.",
                     f"use 343 m/s and {sr} samples per second: (far − near) / 343 × {sr}.")
    return wrong(f"{value:g} samples does not line them up: the notches stay.",
                 f"the far mic is {gap_m * 100:.0f} cm further: how long does sound take to travel that far at "
                 "343 m/s, and how many samples is that?")


# --------------------------------------------------------------------------- the phrase to replace


def _phrase_name(value) -> str | None:
    text = str(value).strip().lower()
    match = re.fullmatch(r"(?:verse\s*)?1?\s*([a-d])", text)
    return f"verse 1{match.group(1)}" if match else None


def _take_number(value) -> int | None:
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(?:take\s*|lead_take)?(\d+)\s*", value.lower())
        return int(match.group(1)) if match else None
    number = as_number(value)
    return int(number) if number is not None and number == int(number) else None


def check_phrase_to_replace(answer, comp=None, *, session=None) -> Feedback:
    """Which phrase of take 3 to replace, and from which take: ``("verse 1c", 2)``.

    The session's answer key (its manifest) says which phrase of take 3 is flubbed and which take sings it
    best; a take that is right but less tight is nearly there. Given the lesson's ``comp``
    (:func:`producerkit.editing.comp_takes`), the feedback quotes the timing the comp sheet measured, the
    numbers the student just read; without it, the manifest's offsets.

    Lesson: course/08-recording.ipynb
    """
    if is_unanswered(answer):
        return unanswered("the phrase and the take, as (\"verse 1x\", take number).")
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return wrong(f"give two things, the phrase and the take (got {answer!r}).",
                     "write it as (\"verse 1b\", 1): the phrase's name, then the take's number.")
    if session is None:
        from ..datasets import shared_session

        session = shared_session()
    phrase, take = _phrase_name(answer[0]), _take_number(answer[1])
    if phrase is None:
        return wrong(f"{answer[0]!r} is not one of the phrases (verse 1a, 1b, 1c or 1d).",
                     "name the phrase as the comp sheet does, such as \"verse 1b\".")
    if take is None or take not in (1, 2, 3):
        return wrong(f"{answer[1]!r} is not a take: there are takes 1, 2 and 3.", "give the take's number.")
    bad = next(p for p in session.phrases if p.takes["lead_take3"]["flub"])
    best = int(bad.best_take[-1])
    if phrase != bad.name:
        return wrong(f"take 3's {phrase} is usable: its notes agree with the other takes.",
                     "read the comp sheet's reasons: which phrase of take 3 has a wrong note and comes in late?")
    if take == 3:
        return wrong(f"{bad.name} is the phrase, but take 3 is the take with the problem there.",
                     "replace it from another take.")
    offsets = _offsets_ms(comp, bad)
    if take == best:
        offset = offsets[best]
        return right(f"take 3 sings a wrong note in {bad.name} and comes in late; take {take} sings it right "
                     f"and on time ({offset:+.0f} ms). Comp it in, with a crossfade at each edit.")
    offset, best_offset = offsets[take], offsets[best]
    return wrong(f"{bad.name} is the phrase, and take {take} sings the right notes, but it is "
                 f"{abs(offset):.0f} ms {'early' if offset < 0 else 'late'}; another take is tighter "
                 f"({best_offset:+.0f} ms).", "pick the take the comp chose for that phrase.")


def _offsets_ms(comp, bad) -> dict[int, float]:
    """Each take's timing in the flubbed phrase, by take number: the comp sheet's measurement, else the manifest's."""
    if comp is not None:
        choice = next((c for c in getattr(comp, "choices", ()) if c.phrase.name == bad.name), None)
        if choice is not None:
            return {s.take_index + 1: s.timing_signed_ms for s in choice.scores}
    return {i: bad.takes[f"lead_take{i}"]["offset_ms"] for i in (1, 2, 3)}


# --------------------------------------------------------------------------- crossfades


def check_crossfade_length(ms, before, after, sr: int) -> Feedback:
    """A crossfade length (ms) that removes the click at the edit between ``before`` and ``after``.

    The checker makes the edit with your length (:func:`producerkit.editing.crossfade`) and measures its
    click (:func:`producerkit.editing.click_db`): no click, at least 1 ms and at most 50 ms is right; shorter
    is nearly there (it may measure clean here, but a fade that short still ticks at a louder or lower edit);
    longer lets both takes sing at once.

    Lesson: course/08-recording.ipynb
    """
    if is_unanswered(ms):
        return unanswered("the crossfade's length in milliseconds.")
    value = as_number(ms)
    if value is None:
        return wrong(f"the length must be a number of milliseconds (got {ms!r}).", "write a number, such as 20.")
    if value < 0:
        return wrong("a crossfade cannot be shorter than nothing.", "give a length in milliseconds, above 0.")
    try:
        joined = crossfade(before, after, sr, duration_ms=value)
    except ProducerkitError as exc:
        return wrong(f"that crossfade does not fit: {exc}", "keep it to a few tens of milliseconds.")
    if value > LONG_CROSSFADE_MS:
        return wrong(f"for {value:g} ms both takes sing at once, and inside a phrase you hear two voices, a little "
                     "out of time with each other.", "keep it short: the click is gone at a few milliseconds.")
    n = int(round(value * sr / 1000.0))
    at_s = (len(before) - n / 2) / sr
    try:
        click = click_db(joined, sr, at_s, window_ms=min(10.0, max(3.0, value / 2)))
    except ProducerkitError as exc:
        return wrong(f"the click at this edit cannot be measured: {exc}",
                     "pass the lesson's before and after, a second of each.")
    if value == 0 or click > CLICK_DB:
        return wrong(f"{value:g} ms still clicks: the highs jump {_db(click)} dB above the music at the edit.",
                     "a crossfade needs a few milliseconds to smooth the jump from one waveform to the other.")
    if value < MIN_CROSSFADE_MS:
        return wrong(f"close: {value:g} ms measures no click at this edit ({_db(click)} dB), but it is shorter "
                     "than a DAW's default fade, and at a louder or lower-pitched edit a fade that short still ticks.",
                     "give it a few milliseconds: DAWs' default crossfades are a few ms long.")
    return right(f"{value:g} ms joins the takes without a click (at the edit the highs are no more than "
                 f"{CLICK_DB:g} dB above the music around it: {_db(click)} dB), and it is short enough that you never "
                 "hear both takes at once.")


def _cents(value: float) -> str:
    """A number of cents to one decimal, "1 cent" singular, never "1.0 cents" against a 10-cent bound's "10"."""
    rounded = round(float(value), 1)
    text = f"{rounded:g}"
    return f"{text} cent" if text == "1" else f"{text} cents"


def _db(value: float) -> str:
    """A dB figure with its sign, never "-0"."""
    rounded = round(value)
    return f"{rounded:+d}" if rounded else "0"


# --------------------------------------------------------------------------- tuning


def check_tuning(cents, notes) -> Feedback:
    """The cents that correct the flat phrase, given the phrase's measured ``notes``
    (:func:`producerkit.editing.note_pitches`). Right within 10 cents of the amount that centres them.

    Lesson: course/08-recording.ipynb
    """
    if is_unanswered(cents):
        return unanswered("how many cents to move the phrase (positive is up).")
    value = as_number(cents)
    if value is None:
        return wrong(f"the correction must be a number of cents (got {cents!r}).", "write a number, such as 20.")
    if not notes:
        return wrong("there are no measured notes to correct: run the cell that measures them first.")
    off = phrase_cents(notes)
    want = -off
    flat_or_sharp = "flat" if off < 0 else "sharp"
    left = _cents(abs(off + value))
    if abs(value - want) <= TUNING_TOLERANCE_CENTS:
        return right(f"the phrase sits {_cents(abs(off))} {flat_or_sharp}; moving it {value:+g} cents leaves it "
                     f"{left} from the notes, within the {TUNING_TOLERANCE_CENTS:g} cents this exercise allows.")
    if abs(value + want) <= TUNING_TOLERANCE_CENTS:
        return wrong(f"that moves it the wrong way: the phrase would end {left} {flat_or_sharp}.",
                     f"a {flat_or_sharp} phrase moves {'up' if off < 0 else 'down'}: flip the sign.")
    if abs(value * 100 - want) <= TUNING_TOLERANCE_CENTS:
        return wrong(f"{value:g} looks like semitones; the exercise asks for cents (100 to a semitone).",
                     "multiply by 100.")
    if abs(value - want) <= 2.5 * TUNING_TOLERANCE_CENTS:
        return wrong(f"close: {value:+g} cents leaves the phrase {left} off, more than the "
                     f"{TUNING_TOLERANCE_CENTS:g} cents this exercise allows.",
                     "average the cents the measurement prints for each note, weighting the long notes more.")
    return wrong(f"{value:+g} cents leaves the phrase {left} off the notes.",
                 "read the cents the measurement prints for each note: the correction is their average, "
                 "with the sign flipped.")
