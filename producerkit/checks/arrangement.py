"""Checkers for the arrangement lesson: bars and seconds, the song's form, contrast, a radio edit.

Answers are checked against the bundled session's manifest (its tempo, sections and stems) and by
rendering the student's arrangement with :mod:`producerkit.arrange`, the same code the lesson uses.

Lesson: course/03-arrangement.ipynb
"""

from __future__ import annotations

import math
import re

from ..arrange import Arrangement, bars_to_seconds, seconds_per_bar
from ..errors import ProducerkitError
from ._feedback import Feedback, as_number, is_unanswered, right, unanswered, wrong

__all__ = [
    "CHORUS_CONTRAST_LU",
    "check_bars_to_seconds",
    "check_chorus_contrast",
    "check_radio_edit",
    "check_song_form",
    "form_letters",
]

#: How much louder (LU) the chorus must land than the verse before it in the contrast exercise.
CHORUS_CONTRAST_LU = 5.0

_SECTION_WORDS = {"intro", "verse", "prechorus", "chorus", "postchorus", "bridge", "breakdown", "outro",
                  "hook", "refrain", "solo", "instrumental", "drop", "build", "buildup", "middle8", "coda"}


def _session(session):
    if session is None:
        from ..datasets import shared_session

        return shared_session()
    return session


def _bar_span(start: int, bars: int) -> str:
    """Bars as the timeline shows them, counted from 1: "bars 11–18"."""
    return f"bars {start + 1}–{start + bars}"


# --------------------------------------------------------------------------- bars and seconds


def check_bars_to_seconds(seconds, bars: int = 8, bpm: float = 100, time_signature=(4, 4)) -> Feedback:
    """How long do ``bars`` bars last at ``bpm`` (quarter-note beats) in ``time_signature``? In seconds.

    Lesson: course/03-arrangement.ipynb
    """
    beats = time_signature[0] * 4 / time_signature[1]
    what = f"{bars} bars at {bpm:g} BPM in {time_signature[0]}/{time_signature[1]}"
    if is_unanswered(seconds):
        return unanswered(f"how many seconds are {what}?")
    value = as_number(seconds)
    if value is None:
        return wrong(f"{seconds!r} is not a number of seconds.", "write a number, e.g. 12.5.")
    truth = bars_to_seconds(bars, bpm, time_signature)
    beat_s = 60.0 / bpm
    recipe = (f"one beat lasts 60 / {bpm:g} = {beat_s:g} s, a bar of {time_signature[0]}/{time_signature[1]} has "
              f"{beats:g} beats, so multiply by {beats:g} and by {bars}.")
    if math.isclose(value, truth, rel_tol=0.01, abs_tol=0.02):
        return right(
            f"{truth:g} s: {bars} bars × {beats:g} beats × {beat_s:g} s. Thinking in bars is how producers plan "
            f"arrangements: at {bpm:g} BPM a 4-bar phrase is {bars_to_seconds(4, bpm, time_signature):g} s."
        )
    if math.isclose(value, truth * 1000, rel_tol=0.01):
        return wrong(f"{value:g} looks like milliseconds; the question asks for seconds.",
                     f"divide by 1000: {truth:g} s.")
    if math.isclose(value, truth / 60, rel_tol=0.01):
        return wrong(f"{value:g} looks like minutes; the question asks for seconds.", f"multiply by 60: {truth:g} s.")
    if math.isclose(value, bars * beat_s, rel_tol=0.01):
        return wrong(f"{value:g} s is {bars} beats, not {bars} bars.", recipe)
    if math.isclose(value, seconds_per_bar(bpm, time_signature), rel_tol=0.01):
        return wrong(f"{value:g} s is one bar.", recipe)
    if math.isclose(value, bars * beats * bpm / 60.0, rel_tol=0.01):
        return wrong("the tempo is upside down: BPM is beats per minute, so a beat lasts 60 / BPM seconds.", recipe)
    return wrong(f"{value:g} s is {'too long' if value > truth else 'too short'} for {what}.", recipe)


# --------------------------------------------------------------------------- the form


def form_letters(names) -> str:
    """Letters for a list of section names, a repeat getting the same letter: ``A B C D C E``.

    Lesson: not yet taught
    """
    letters: dict[str, str] = {}
    out = []
    for n in names:
        if n not in letters:
            letters[n] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[len(letters) % 26]
        out.append(letters[n])
    return " ".join(out)


def _pattern(tokens) -> list[int]:
    first: dict[str, int] = {}
    return [first.setdefault(t, len(first)) for t in tokens]


def _tokens(form) -> list[str] | None:
    if isinstance(form, str):
        parts = [p for p in re.split(r"[\s,;/|>→–—-]+", form.strip()) if p]
        if len(parts) == 1 and parts[0].isalpha() and parts[0].isupper() and len(parts[0]) > 1:
            parts = list(parts[0])
        return [p.lower() for p in parts]
    if isinstance(form, list | tuple) and all(isinstance(p, str) for p in form):
        return [re.sub(r"[\s_-]*\d+$", "", p.strip().lower()) for p in form]
    return None


def check_song_form(form, session=None) -> Feedback:
    """Name the song's form: letters (``"A B C D C E"``) or section names (``["intro", "verse", ...]``).

    A repeated section gets the same letter; checked against the sections of the session's manifest.

    Lesson: course/03-arrangement.ipynb
    """
    if is_unanswered(form):
        return unanswered('write the form as letters, e.g. "A B A B", one letter per section.')
    tokens = _tokens(form)
    if tokens is None:
        return wrong(f"I expected letters or section names, got {type(form).__name__}.",
                     'write a string such as "A B A B" or a list such as ["verse", "chorus"].')
    session = _session(session)
    names = [s.name for s in session.sections]
    truth = _pattern(names)
    words = all(re.sub(r"[^a-z0-9]", "", t) in _SECTION_WORDS for t in tokens) and any(len(t) > 1 for t in tokens)
    if words and [re.sub(r"[^a-z0-9]", "", t) for t in tokens] == names:
        return right(f"{' '.join(names)}: in letters {form_letters(names)}. The chorus comes back, so it gets "
                     "its letter again: repetition is what makes a hook stick.")
    if not words and _pattern(tokens) == truth:
        return right(f"{' '.join(t.upper() for t in tokens)}: {', '.join(names)}. The second chorus repeats the "
                     "first, so it gets the same letter.")
    starts = [s.start_bar for s in session.sections]
    inner = names[1:-1]
    if len(tokens) == len(inner) and (_pattern(tokens) == _pattern(inner) if not words else tokens == inner):
        return wrong("the intro and the outro are sections too: count every section from the first bar to the last.",
                     f"the song has {len(names)} sections.")
    if len(tokens) != len(truth):
        return wrong(f"you have {len(tokens)} sections; the song has {len(truth)}.",
                     "count the named blocks along the top of the timeline (intro, verse, …): each is one "
                     "section, even where the same layers keep playing, as from the chorus into the bridge.")
    if words:
        for i, (t, n) in enumerate(zip(tokens, names, strict=True)):
            if re.sub(r"[^a-z0-9]", "", t) != n:
                return wrong(f"section {i + 1} ({_bar_span(starts[i], session.sections[i].bars)}) is not a {t}.",
                             "listen to it again: what does it do in the song, and where have you heard it before?")
    student = _pattern(tokens)
    for i, (mine, true) in enumerate(zip(student, truth, strict=True)):
        if mine == true:
            continue
        span = _bar_span(starts[i], session.sections[i].bars)
        j = names.index(names[i])
        if j < i:
            return wrong(f"section {i + 1} ({span}) repeats section {j + 1}: give it the same letter.",
                         "a section that comes back with the same music gets the same letter.")
        return wrong(f"section {i + 1} ({span}) is new material, not a repeat: give it a new letter.",
                     "only sections with the same music share a letter.")
    return wrong("the letters don't match the song's sections.", "one letter per section, repeats share a letter.")


# --------------------------------------------------------------------------- contrast


def _first(arrangement: Arrangement, source: str, before: int | None = None) -> int | None:
    """Index of the first section playing ``source`` (before position ``before``, if given)."""
    limit = len(arrangement.sections) if before is None else before
    return next((i for i, s in enumerate(arrangement.sections[:limit]) if s.source_name == source), None)


def _not_an_arrangement(value) -> Feedback:
    return wrong(f"I expected an Arrangement, got {type(value).__name__}.",
                 "start from the original, e.g. original.mute('bass', 'verse'), and pass the result.")


def check_chorus_contrast(arrangement, session=None, min_lu: float = CHORUS_CONTRAST_LU) -> Feedback:
    """Make the chorus hit harder than the verse by changing layers: at least ``min_lu`` LU louder.

    Compares the first chorus with the first verse before it (BS.1770 integrated loudness of each
    section rendered from the session's stems). The verse must keep its melody (the lead) and at
    least three layers that make sound there (a layer with nothing recorded in the verse does not
    count), and levels must come from layers, not from a fade (``ramp_db``).

    Lesson: course/03-arrangement.ipynb
    """
    if is_unanswered(arrangement):
        return unanswered("build an arrangement whose chorus lands harder than its verse.")
    if not isinstance(arrangement, Arrangement):
        return _not_an_arrangement(arrangement)
    session = _session(session)
    # a drop (Arrangement.with_drop) plays the chorus's bars too, with only a pad: skip it
    ci = next((i for i, s in enumerate(arrangement.sections)
               if s.source_name == "chorus" and not s.name.startswith("drop before")), None)
    if ci is None:
        return wrong("your arrangement has no chorus left.", "keep the chorus: change layers, not sections.")
    vi = _first(arrangement, "verse", before=ci)
    if vi is None:
        return wrong("there is no verse before the first chorus.", "keep the verse where it was.")
    verse, chorus = arrangement.sections[vi], arrangement.sections[ci]
    if "lead" not in verse.layers:
        return wrong("the verse lost its melody: without the lead it is an instrumental break, not a verse.",
                     "keep 'lead' in the verse and take out supporting layers instead.")
    if "lead" not in chorus.layers:
        return wrong("the chorus lost its melody, the hook.", "put 'lead' back into the chorus.")
    pair = Arrangement(arrangement.bpm, arrangement.time_signature, (verse, chorus))
    try:
        sounding = pair.sounding_layers(session)[0]
    except ProducerkitError as exc:
        return wrong(f"I could not render your arrangement: {exc}", "use the stem names of the session.")
    if len(sounding) < 3:
        silent = [layer for layer in verse.layers if layer not in sounding]
        why = (f" ({', '.join(silent)} {'has' if len(silent) == 1 else 'have'} nothing recorded in the verse, "
               "so unmuting adds no sound)") if silent else ""
        return wrong(f"the verse is down to {', '.join(sounding)}{why}: that is a breakdown, not a verse.",
                     "keep at least three layers that play in the verse; the contrast should feel like a lift, "
                     "not a gap.")
    if verse.ramp_db != (0.0, 0.0) or chorus.ramp_db != (0.0, 0.0):
        return wrong("you changed a level ramp; this exercise is about layers.",
                     "leave ramp_db alone; use mute() and unmute().")
    try:
        e_verse, e_chorus = pair.energy(session)
    except ProducerkitError as exc:
        return wrong(f"I could not render your arrangement: {exc}", "use the stem names of the session.")
    lift = e_chorus.loudness_lufs - e_verse.loudness_lufs
    more = e_chorus.density - e_verse.density
    summary = (f"the chorus is {lift:+.1f} LU against the verse ({e_verse.loudness_lufs:.1f} → "
               f"{e_chorus.loudness_lufs:.1f} LUFS) with {more:+d} layers")
    if lift >= min_lu:
        return right(f"{summary}. It lifts: the verse leaves room, the chorus fills it. Listen for the moment the "
                     "chorus lands.")
    if lift < 0:
        return wrong(f"backwards: {summary}. The chorus should be the peak.",
                     "take layers out of the verse, not the chorus.")
    return wrong(f"{summary}; aim for at least +{min_lu:g} LU.",
                 "take more out of the verse. The low end carries most of the loudness (in this song, the bass "
                 "above all); keys and drums add density.")


# --------------------------------------------------------------------------- radio edit


def _bars_word(n: int) -> str:
    return "bar" if n == 1 else "bars"


def _what_to_cut(arrangement: Arrangement) -> str:
    """The sections an over-long edit could still lose: not its first two choruses, nor its only verse."""
    verses = [s for s in arrangement.sections if s.source_name == "verse"]
    choruses = [s for s in arrangement.sections if s.source_name == "chorus"]
    spare = [s for s in arrangement.sections
             if not (s.source_name == "verse" and len(verses) == 1)
             and not any(s is c for c in choruses[:2])]
    if not spare:
        return "Every section left is a chorus or the verse: make the verse shorter (it may be 4 bars)."
    spare.sort(key=lambda s: s.bars)
    listed = ", ".join(f"the {s.name} ({s.bars} {_bars_word(s.bars)})" for s in spare)
    if len(spare) == 1:
        return f"The only section left you can cut is {listed}."
    return f"Sections left you can cut, shortest first: {listed}; radio edits cut intros, outros and bridges first."


def check_radio_edit(arrangement, session=None, max_seconds: float = 60.0) -> Feedback:
    """A radio edit: at most ``max_seconds`` long, both choruses complete, a verse before the first chorus.

    Lesson: course/03-arrangement.ipynb
    """
    if is_unanswered(arrangement):
        return unanswered(f"build an edit of at most {max_seconds:g} s that keeps both choruses.")
    if not isinstance(arrangement, Arrangement):
        return _not_an_arrangement(arrangement)
    session = _session(session)
    if not math.isclose(arrangement.bpm, session.bpm):
        return wrong(f"the tempo says {arrangement.bpm:g} BPM but the recording is at {session.bpm:g} BPM.",
                     "changing the number does not speed up the recording; shorten the song by cutting bars.")
    stems = set(session.stems)
    sources = {s.name for s in session.sections}
    for sec in arrangement.sections:
        if sec.source_name not in sources:
            return wrong(f"section {sec.name!r} plays from {sec.source_name!r}, which is not in the song.",
                         f"use the song's sections: {', '.join(dict.fromkeys(s.name for s in session.sections))}.")
        unknown = [layer for layer in sec.layers if layer not in stems]
        if unknown:
            return wrong(f"section {sec.name!r} has layer {unknown[0]!r}, which is not a stem.",
                         f"the stems are {', '.join(stems)}.")
    chorus_bars = max(s.bars for s in session.sections if s.name == "chorus")
    spb = seconds_per_bar(arrangement.bpm, arrangement.time_signature)
    too_long = arrangement.duration_s - max_seconds
    if too_long > 1e-9:
        cut = math.ceil(too_long / spb - 1e-9)
        more = " more" if arrangement.bars < sum(s.bars for s in session.sections) else ""
        return wrong(f"{arrangement.duration_s:.1f} s is {too_long:.1f} s too long.",
                     f"cut at least {cut}{more} {_bars_word(cut)}: at {arrangement.bpm:g} BPM one bar lasts "
                     f"{spb:g} s. {_what_to_cut(arrangement)}")
    choruses = [i for i, s in enumerate(arrangement.sections) if s.source_name == "chorus" and "lead" in s.layers]
    full = [i for i in choruses if arrangement.sections[i].bars >= chorus_bars]
    if len(full) < 2:
        short = [arrangement.sections[i] for i in choruses if arrangement.sections[i].bars < chorus_bars]
        detail = f" (one is only {short[0].bars} bars)" if short else ""
        return wrong(f"I count {len(full)} complete chorus(es) with the lead{detail}; the edit must keep both.",
                     f"keep two choruses of {chorus_bars} bars: the hook is what radio plays the song for.")
    first = full[0]
    if not any(s.source_name == "verse" for s in arrangement.sections[:first]):
        return wrong("the first chorus arrives without a verse before it.",
                     "keep a verse before the first chorus: the verse sets up the hook, so the chorus pays off.")
    return right(f"{arrangement.duration_s:.1f} s, {arrangement.describe()}. Both choruses survive and the verse "
                 "still sets up the first one: that is a radio edit.")
