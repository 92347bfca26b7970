"""Checkers for the beats lesson: the backbeat, a groove from its description, swing by ear, hats that
leave the snare room, ghost notes.

Patterns are judged from their steps (a :class:`~producerkit.beats.Pattern`, its text grid, or a step
sequencer whose ``.pattern`` holds one), one bar of 16 steps at a time. Feedback names steps the way a
drummer counts them ("the 'and' of 2"), never by index.

Lesson: course/07-beats.ipynb
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..beats import GRID_CHARS, Kit, Pattern, render
from ..errors import ProducerkitError
from ._feedback import Feedback, as_number, how_close, is_unanswered, right, unanswered, wrong

__all__ = [
    "GHOST_MAX", "SWING_CHOICES", "SwingDrill", "check_backbeat", "check_ghost_notes",
    "check_hats_leave_the_snare_room", "check_named_groove", "check_swing_by_ear",
]

#: The velocity (0-1) a ghost note may reach: MIDI 50 (the grid's ``g`` is 40).
GHOST_MAX = 50 / 127
#: An open hat rings about half a second: on a 16-step grid it is still sounding this many steps later.
OPEN_HAT_RING_STEPS = 3
#: The swing percents the ear drill picks from, and how far off an answer may be and still be the same notch.
SWING_CHOICES = (50, 54, 58, 62, 66)
SWING_TOLERANCE = 2.0
#: Names a row may have and still be the snare's backbeat (a clap or a rimshot often plays it).
SNARE_NAMES = ("snare", "clap", "rimshot")
HAT_NAMES = ("hat", "pedal_hat")
OPEN_HAT_NAMES = ("open_hat",)

_WORDS = ("", "e", "and", "a")


def _count_name(step: int, steps_per_bar: int = 16) -> str:
    """A 16th-grid step (from 0) as a drummer counts it: 0 is "beat 1", 6 is "the 'and' of 2", 3 "the 'a' of 1"."""
    sixteenth = (step % steps_per_bar) * 16 // steps_per_bar
    beat, sub = divmod(sixteenth, 4)
    return f"beat {beat + 1}" if sub == 0 else f"the '{_WORDS[sub]}' of {beat + 1}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _as_pattern(value, what: str) -> tuple[Pattern | None, Feedback | None]:
    """The answer as a Pattern, or the feedback that says why it is not one."""
    if hasattr(value, "pattern") and not isinstance(value, Pattern | str):
        value = value.pattern  # a StepSequencer
    try:
        if isinstance(value, str):
            value = Pattern.from_text(value)
        elif isinstance(value, dict):
            value = Pattern(value)
    except ProducerkitError as exc:
        return None, wrong(f"{what} does not read as a pattern: {exc}",
                           "write it as lines like 'kick: x...x...x...x...', one per instrument.")
    if not isinstance(value, Pattern):
        return None, wrong(f"{what} must be a pattern (got {type(value).__name__}).",
                           "use Pattern.from_text('kick: x...') or the sequencer's .pattern.")
    if value.steps_per_bar == 32:
        try:
            value = value.at_steps_per_bar(16)
        except ProducerkitError:
            return None, wrong(f"{what} has hits between the 16ths (32nd notes): this groove lives on 16ths.",
                               "clear the in-between steps, or build it on a 16-step grid.")
    return value, None


#: Said when a step sequencer's mutes or row volumes are set: the checker reads only its steps.
MIXER_NOTE = "(Your mutes and row volumes are for listening only: they are not part of the pattern, so edit the steps.)"


def _mixer_set(value) -> bool:
    """True when ``value`` is a step sequencer with a row muted or a row volume moved."""
    return not isinstance(value, Pattern | str) and hasattr(value, "pattern") and bool(
        getattr(value, "mutes", None) or getattr(value, "volumes_db", None))


def _noting_mixer(value, feedback: Feedback) -> Feedback:
    """``feedback``, with :data:`MIXER_NOTE` after its message when ``value`` is a sequencer with its mixer set."""
    if not _mixer_set(value) or feedback.correct is None:
        return feedback
    return Feedback(feedback.correct, f"{feedback.message} {MIXER_NOTE}", feedback.hint)


def _mixer_noted(check):
    """A pattern checker that adds :data:`MIXER_NOTE` when it was given a sequencer with its mixer set."""

    @functools.wraps(check)
    def noted(pattern, *args, **kwargs) -> Feedback:
        return _noting_mixer(pattern, check(pattern, *args, **kwargs))

    return noted


def _pick(pattern: Pattern, names: tuple[str, ...]) -> str | None:
    """The row playing the part: the first of ``names`` that has hits, else the first there (a step
    sequencer shows empty rows, so a clap programmed under an empty snare row is the backbeat)."""
    present = [n for n in names if n in pattern]
    playing = [n for n in present if pattern[n].any()]
    return (playing or present or [None])[0]


def _row(pattern: Pattern, names: tuple[str, ...]) -> tuple[str | None, np.ndarray]:
    """The part's row (see :func:`_pick`), folded to one bar (a hit in any bar counts), and its name."""
    name = _pick(pattern, names)
    if name is None:
        return None, np.zeros(16)
    return name, pattern[name].reshape(pattern.bars, 16).max(axis=0)


def _bars_differ(pattern: Pattern, names: tuple[str, ...]) -> bool:
    name = _pick(pattern, names)
    if name is None:
        return False
    bars = pattern[name].reshape(pattern.bars, 16) > 0
    return bool(np.any(bars != bars[0]))


def _steps(row: np.ndarray) -> set[int]:
    return {int(i) for i in np.flatnonzero(row > 0)}


def _where(steps) -> str:
    return _join([_count_name(s) for s in sorted(steps)])


# --------------------------------------------------------------------------- the backbeat


def check_backbeat(snare) -> Feedback:
    """One bar of the snare: the backbeat, on beats 2 and 4 and nowhere else.

    ``snare`` is a row of the text grid that the student writes (``"....x......."...``, 16 steps; ``"snare: ..."``
    too). A whole pattern (the lesson's rock beat, a sequencer) is refused: the exercise is writing the row.

    Lesson: course/07-beats.ipynb
    """
    if is_unanswered(snare):
        return unanswered("the snare's 16 steps as a grid row of x (hit) and . (rest).")
    if isinstance(snare, Pattern) or (hasattr(snare, "pattern") and not isinstance(snare, str)):
        return wrong("that is a whole pattern: this exercise asks you to write the snare's row yourself.",
                     "write 16 characters in quotes, x where the snare hits and . elsewhere: snare_row = \"x...\"")
    if isinstance(snare, str) and ":" not in snare:
        snare = "snare: " + snare
    pattern, problem = _as_pattern(snare, "your snare")
    if problem is not None:
        return problem
    name, row = _row(pattern, SNARE_NAMES)
    if name is None:
        return wrong(f"there is no snare row (the rows are {', '.join(pattern.instruments)}).",
                     "call the row 'snare' (or 'clap').")
    hits = _steps(row)
    want = {4, 12}
    if hits == want:
        return right("the snare lands on 2 and 4, the backbeat: the kick pushes on 1 and 3, the snare answers.")
    if not hits:
        return wrong("the snare row is empty.", "put a hit on beat 2 and one on beat 4 (the first step of each).")
    if hits == {0, 8}:
        return wrong("that snare is on 1 and 3, where the kick usually lives: it sounds like a march.",
                     "move each hit one beat later, to 2 and 4.")
    near = {s for s in hits if s not in want and min(abs(s - 4), abs(s - 12)) == 1}
    if near and len(hits) == 2:
        return wrong(f"close: the snare sits on {_where(hits)}, a 16th off the beat, so it stumbles.",
                     "put it right on beat 2 and beat 4, the first step of each of those beats.")
    missing, extra = sorted(want - hits), sorted(hits - want)
    parts = []
    if missing:
        parts.append(f"{_where(missing)} has no snare")
    if extra:
        parts.append(f"there is a snare on {_where(extra)} too")
    return wrong("; ".join(parts) + ".", "the backbeat is exactly two hits a bar: beat 2 and beat 4.")


# --------------------------------------------------------------------------- a groove from its description

#: What each named groove needs, step by step (16ths from 0), and how the lesson describes it.
GROOVES = {
    "dembow": {
        "kick": {0, 4, 8, 12},
        "snare": {3, 6, 11, 14},
        "says": "a kick on every beat, and a snare that completes a 3-3-2 figure with the kick on 1 and 3",
    },
    "boom_bap": {
        "kick": {0, 6, 10},
        "snare": {4, 12},
        "says": "a kick on 1 and the 'and' of 2 and of 3, the snare on 2 and 4",
    },
    "house": {
        "kick": {0, 4, 8, 12},
        "snare": {4, 12},
        "says": "four on the floor, a clap on 2 and 4",
    },
}


@_mixer_noted
def check_named_groove(pattern, name: str = "dembow") -> Feedback:
    """A groove programmed from its description: the kick and the snare (or clap, or rimshot) must hit exactly
    the groove's steps in every bar, louder than a ghost note (ghost notes anywhere are free, as are other rows:
    hats, percussion). ``name``: dembow, boom_bap, house.

    Lesson: course/07-beats.ipynb
    """
    if name not in GROOVES:
        raise ValueError(f"name must be one of {', '.join(GROOVES)} (got {name!r}).")
    if is_unanswered(pattern):
        return unanswered(f"program the {name.replace('_', ' ')} and put its pattern here.")
    pattern, problem = _as_pattern(pattern, "your beat")
    if problem is not None:
        return problem
    groove = GROOVES[name]
    faults, hints = [], []
    for role, names in (("kick", ("kick",)), ("snare", SNARE_NAMES)):
        row_name, row = _row(pattern, names)
        if row_name is None:
            faults.append(f"there is no {role} row")
            hints.append(f"add a row called '{role}'")
            continue
        if _bars_differ(pattern, names):
            faults.append(f"the {role} changes from one bar to the next")
            hints.append("make every bar the same (program one bar; it loops)")
            continue
        hits, want = _steps(np.where(row > GHOST_MAX, row, 0.0)), groove[role]  # ghost notes are decoration
        missing, extra = sorted(want - hits), sorted(hits - want)
        if missing:
            faults.append(f"the {role} is missing on {_where(missing)}")
        if extra:
            faults.append(f"the {role} also plays on {_where(extra)}, which {'is' if len(extra) == 1 else 'are'} "
                          "not part of it")
        if (missing or extra) and role == "snare" and name == "dembow":
            hints.append("count the snare '1 e and A, 2 e AND a, 3 e and A, 4 e AND a': boom-ch-boom-chick")
        elif missing or extra:
            hints.append(f"the {name.replace('_', ' ')} is {groove['says']}")
    if not faults:
        return right(f"that is the {name.replace('_', ' ')}: {groove['says']}. The rest of the kit is yours.")
    return wrong("; ".join(faults) + ".", "; ".join(dict.fromkeys(hints)) + ".")


# --------------------------------------------------------------------------- swing by ear


@dataclass(frozen=True)
class SwingDrill:
    """An ear drill: the same beat at a few swing percents, in shuffled order, to be named by ear.

    ``swings`` are the clips' swing percents (distinct, from :data:`SWING_CHOICES`), drawn with ``seed``;
    :meth:`clips` renders them. Reading ``swings`` gives the answers away: listen first.

    Lesson: course/07-beats.ipynb
    """

    swings: tuple[int, ...]
    seed: int

    @classmethod
    def new(cls, seed: int = 7, clips: int = 4) -> SwingDrill:
        """A drill of ``clips`` clips (2-5) at distinct swing percents, drawn with ``seed``."""
        if not isinstance(clips, int) or not 2 <= clips <= len(SWING_CHOICES):
            raise ValueError(f"clips must be a whole number from 2 to {len(SWING_CHOICES)} (got {clips!r}).")
        rng = np.random.default_rng(seed)
        picked = rng.choice(SWING_CHOICES, size=clips, replace=False)
        return cls(tuple(int(s) for s in picked), int(seed))

    def clips(self, pattern: Pattern, kit: Kit, bpm: float, bars: int = 2) -> list[np.ndarray]:
        """Each clip's audio: ``pattern`` rendered at the clip's swing, ``bars`` bars at ``bpm``."""
        return [render(pattern, kit, bpm, swing=s, bars=bars, tail=False) for s in self.swings]


def _feel(swing: float) -> str:
    if swing < 52:
        return "dead straight"
    if swing < 56:
        return "a slight lean, felt more than heard"
    if swing < 60:
        return "a gentle, bouncy lean (a classic MPC setting)"
    if swing < 64:
        return "a clear shuffle"
    return "a lazy, near-triplet shuffle"


def check_swing_by_ear(answers, drill: SwingDrill) -> Feedback:
    """The swing percent of each clip of ``drill``, named by ear: a list, one number per clip, in order.

    Right when every clip is named within 2 % (the choices are 4 % apart). A clip off by one notch is "close".

    Lesson: course/07-beats.ipynb
    """
    truth = list(drill.swings)
    if is_unanswered(answers):
        return unanswered(f"a list of {len(truth)} swing percents, one per clip, e.g. [50, 58, ...].")
    if isinstance(answers, str) or not hasattr(answers, "__len__"):
        return wrong(f"give a list of {len(truth)} numbers, one per clip (got {answers!r}).",
                     f"e.g. [{', '.join(str(s) for s in SWING_CHOICES[:len(truth)])}]")
    if len(answers) != len(truth):
        return wrong(f"the drill has {len(truth)} clips; you gave {len(answers)} answer(s).",
                     "one swing percent per clip, in the order of the players.")
    values = [as_number(a) for a in answers]
    if any(v is None for v in values):
        bad = next(a for a, v in zip(answers, values, strict=True) if v is None)
        return wrong(f"every answer must be a number such as 58 (got {bad!r}).", "write percents as numbers.")
    if any(not 50 <= v <= 75 for v in values):
        bad = next(v for v in values if not 50 <= v <= 75)
        hint = f"each clip is one of {', '.join(map(str, SWING_CHOICES))} %."
        if 0.5 <= bad <= 0.75:
            hint = f"write percents: {bad * 100:g}, not {bad:g}; " + hint
        return wrong(f"MPC swing runs from 50 % (straight) to 75 % (3:1); {bad:g} is outside it.", hint)
    off = [(i, v, t) for i, (v, t) in enumerate(zip(values, truth, strict=True)) if abs(v - t) > SWING_TOLERANCE]
    if not off:
        return right(f"every clip named: {', '.join(f'{t} %' for t in truth)}. You can hear a 4 % step "
                     "in swing.")
    i, v, t = max(off, key=lambda item: abs(item[1] - item[2]))
    way = "harder" if t > v else "less"
    said = (f"clip {i + 1} swings {way} than you heard: it is {_feel(t)}, and you named {v:g} %, "
            f"{_feel(v)}.")
    near = all(abs(v - t) <= 4 + SWING_TOLERANCE for _i, v, t in off)
    if len(off) == len(truth):
        lead = f"none of the {len(truth)} clips is named right yet. Start with this one: "
    else:
        lead = how_close(len(off), len(truth), "clips", "named wrong")
    if lead.endswith(". "):
        said = said[0].upper() + said[1:]
    if near:
        return wrong(f"close: {lead}{said}",
                     "compare each clip with the straight reference (A): listen to the hat between the beats, "
                     "how long it waits after the beat and how soon the next 8th follows.")
    return wrong(f"{lead}{said}",
                 "start from the extremes: the straightest clip is the one whose hats tick evenly like a clock, "
                 "the most swung limps; then place the others between them.")


# --------------------------------------------------------------------------- hats that fight the snare


def _fights(pattern: Pattern) -> list[str]:
    """Where an open hat rings through the snare: each as "an open hat on beat 2 rings right through the snare".

    A closed hat on the snare's step is no fight: drummers play full closed hats on 2 and 4 (every preset
    does), and a short tick does not mask a full snare. An open hat rings on unless a closed hat chokes it."""
    _, snare = _row(pattern, SNARE_NAMES)
    _, hat = _row(pattern, HAT_NAMES)
    _, open_hat = _row(pattern, OPEN_HAT_NAMES)
    found = []
    for s in sorted(_steps(snare)):
        for o in sorted(_steps(open_hat)):
            gap = (s - o) % 16
            if gap <= OPEN_HAT_RING_STEPS and not any(hat[(o + k) % 16] or (k and open_hat[(o + k) % 16])
                                                      for k in range(1, gap + 1)):
                where = "on" if gap == 0 else "just before"
                found.append(f"an open hat {where} {_count_name(s)} rings right through the snare")
    return found


@_mixer_noted
def check_hats_leave_the_snare_room(pattern, original: Pattern) -> Feedback:
    """The clashing beat fixed: no open hat rings through a snare hit (a closed hat between them chokes it),
    while the kick, the snare and the hat's groove away from the snare stay.

    Lesson: course/07-beats.ipynb
    """
    if is_unanswered(pattern):
        return unanswered("the fixed pattern (start from the clashing one and edit the hats).")
    pattern, problem = _as_pattern(pattern, "your fix")
    if problem is not None:
        return problem
    original, _ = _as_pattern(original, "the original")
    for role, names in (("kick", ("kick",)), ("snare", SNARE_NAMES)):
        mine, theirs = _row(pattern, names)[1], _row(original, names)[1]
        if not np.allclose(mine, theirs):
            return wrong(f"the {role} changed. The {role} was fine; the hats were the problem.",
                         f"put the {role} back as it was and edit only the hat rows.")
    fights = _fights(pattern)
    if fights:
        return wrong("; ".join(fights) + ".",
                     "move the open hat to an 'and', where the closed hat on the next beat chokes it, or take it "
                     "out.")
    _, snare = _row(original, SNARE_NAMES)
    near_snare = {(s + d) % 16 for s in _steps(snare) for d in range(-OPEN_HAT_RING_STEPS, 1)}
    was = _steps(_row(original, HAT_NAMES)[1]) - near_snare
    now = _steps(_row(pattern, HAT_NAMES)[1] + _row(pattern, OPEN_HAT_NAMES)[1])
    kept = len(was & now) / len(was) if was else 1.0  # no hat away from the snare: nothing to keep
    if kept < 0.75:
        return wrong(f"the snare has room now, but the hats lost their groove: only {len(was & now)} of the "
                     f"{len(was)} hat hits away from the snare are left.",
                     "fix the hats only where they meet the snare; keep the rest of their pattern.")
    return right("the snare cuts through now: nothing rings over the backbeat and the hats keep their groove.")


# --------------------------------------------------------------------------- ghost notes


@_mixer_noted
def check_ghost_notes(pattern) -> Feedback:
    """A snare with ghost notes: the backbeat on 2 and 4 at full velocity, plus at least two ghost notes
    (soft hits, MIDI 50 or less) elsewhere, and no other loud snare.

    Lesson: course/07-beats.ipynb
    """
    if is_unanswered(pattern):
        return unanswered("the pattern with your ghost notes on the snare row.")
    pattern, problem = _as_pattern(pattern, "your beat")
    if problem is not None:
        return problem
    name, snare = _row(pattern, SNARE_NAMES)
    if name is None:
        return wrong("there is no snare row.", "ghost notes live on the snare: add a row called 'snare'.")
    backbeat = [4, 12]
    weak = [s for s in backbeat if snare[s] < GRID_CHARS["o"] - 1e-9]
    if weak:
        what = "missing" if not snare[weak[0]] else "too soft"
        return wrong(f"the backbeat on {_count_name(weak[0])} is {what}: the ghosts only work around a strong 2 and 4.",
                     "keep 2 and 4 loud (x) and add the ghosts between them.")
    others = [s for s in _steps(snare) if s not in backbeat]
    loud = [s for s in others if snare[s] > GHOST_MAX + 1e-9]
    ghosts = [s for s in others if snare[s] <= GHOST_MAX + 1e-9]
    if loud:
        return wrong(f"the snare on {_count_name(loud[0])} is too loud for a ghost (MIDI "
                     f"{round(snare[loud[0]] * 127)}): it reads as an extra backbeat.",
                     "a ghost note is felt more than heard: write it as g (MIDI 40).")
    if len(ghosts) < 2:
        return wrong(f"{'one ghost note is' if ghosts else 'no ghost notes are'} there yet.",
                     "add at least two soft snares (g), for example on the 'a' of 2 and the 'e' of 4, "
                     "leading into or away from the backbeat.")
    return right(f"ghosts on {_where(ghosts)} under a strong 2 and 4: the groove breathes between the backbeats.")
