"""Checkers for the welcome lesson: the producer's roles, producer and engineer, the stages, safe listening.

Every answer is checked against :mod:`producerkit.stages` (``ROLES``, ``PRODUCER_VS_ENGINEER``,
``STAGES``), the same data the lesson's tables are drawn from, so lesson and checker cannot disagree.

Lesson: course/00-welcome.ipynb
"""

from __future__ import annotations

import math
import re

from ..stages import EVERY_STAGE, LEAD_ROLES, PRODUCER_VS_ENGINEER, ROLES, STAGES, lead_role
from ._feedback import Feedback, as_number, how_close, is_unanswered, right, unanswered, wrong

__all__ = [
    "NIOSH_EXCHANGE_DB",
    "NIOSH_LIMIT_DBA",
    "check_producer_or_engineer",
    "check_producer_roles",
    "check_safe_listening_minutes",
    "check_who_leads",
    "check_stage_order",
    "safe_listening_minutes",
    "stage_aliases",
    "which_engineer",
]

#: NIOSH recommended exposure limit: 85 dBA for 8 hours (DHHS (NIOSH) Publication 98-126).
NIOSH_LIMIT_DBA = 85.0
#: NIOSH exchange rate: every 3 dB more halves the allowed time (the equal-energy rule).
NIOSH_EXCHANGE_DB = 3.0


def _key(text: str) -> str:
    """Lower-case letters and digits only: "Pre-production" and "preproduction" compare equal."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _normalise_task(text: str) -> str:
    return " ".join(str(text).lower().replace("’", "'").split()).rstrip(".")


def _join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _partial(done: int, total: int, missing: list[str], what: str) -> Feedback:
    return Feedback(
        None,
        f"{done} of {total} {what} answered so far; still to do: {_join(repr(m) for m in missing)}.",
        "replace every ... with your answer and run the cell again.",
    )


# --------------------------------------------------------------------------- roles

_ROLE_BY_KEY = {r.key: r for r in ROLES}
_ROLE_OF_TASK = {_normalise_task(t): r for r in ROLES for t in r.typical_tasks}
_TASK_TEXT = {_normalise_task(t): t for r in ROLES for t in r.typical_tasks}


def _role_label(role) -> str:
    """What a role is, in a few words, from its description: "holds the vision of the record"."""
    head = role.description.split(":")[0].rstrip(".")
    return head[0].lower() + head[1:]


def _parse_role(value) -> str | None:
    text = _key(value)
    for suffix in ("producer", "prod"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    if text.startswith("the"):
        text = text[3:]
    aliases = {"creative": "creative", "technical": "technical", "tech": "technical", "executive": "executive",
               "exec": "executive"}
    return aliases.get(text)


def check_producer_roles(answers) -> Feedback:
    """Match each task to the producer's role that does it: ``{"task": "creative" | "technical" | "executive"}``.

    The tasks are those of :data:`producerkit.stages.ROLES`.

    Lesson: course/00-welcome.ipynb
    """
    if is_unanswered(answers):
        return unanswered("match each task to creative, technical or executive.")
    if not isinstance(answers, dict):
        return wrong(
            f"I expected a dict of task -> role, got {type(answers).__name__}.",
            'keep the dict from the exercise and fill in each value: "creative", "technical" or "executive".',
        )
    unknown = [t for t in answers if _normalise_task(t) not in _ROLE_OF_TASK]
    if unknown:
        return wrong(
            f"I don't know the task {unknown[0]!r}: keep the task names exactly as the exercise gives them.",
            "only change the values (the ... after each colon), not the tasks.",
        )
    missing = [t for t, v in answers.items() if is_unanswered(v)]
    if len(missing) == len(answers):
        return unanswered("match each task to creative, technical or executive.")
    bad_value = [(t, v) for t, v in answers.items() if t not in missing and _parse_role(v) is None]
    if bad_value:
        task, value = bad_value[0]
        return wrong(
            f"{value!r} (for {task!r}) is not one of the producer's roles.",
            'answer "creative", "technical" or "executive" for each task.',
        )
    mistakes = []
    for task, value in answers.items():
        if task in missing:
            continue
        truth = _ROLE_OF_TASK[_normalise_task(task)]
        if _parse_role(value) != truth.key:
            mistakes.append((task, truth))
    done = len(answers) - len(missing)
    if mistakes:
        task, truth = mistakes[0]
        return wrong(
            how_close(len(mistakes), done, "tasks", "in the wrong place")
            + f"'{_TASK_TEXT[_normalise_task(task)]}' is the {truth.name.lower()}'s job — the one who "
            f"{_role_label(truth)}.",
            "ask of each task: is it about the vision, the song, its sound and the performance (creative), the "
            "recording, engineering and audio quality (technical), or the money, the hiring and the deals "
            "(executive)?",
        )
    if missing:
        return _partial(done, len(answers), missing, "tasks")
    return right(
        f"all {done} tasks are with the right producer. On a small record one person often wears all three hats; "
        "on a big one they are different people."
    )


# --------------------------------------------------------------------------- producer vs engineer

_SIDE_OF = {}
for _row in PRODUCER_VS_ENGINEER:
    _SIDE_OF[_normalise_task(_row.producer)] = ("producer", _row)
    _SIDE_OF[_normalise_task(_row.engineer)] = ("engineer", _row)
_STATEMENT_TEXT = {
    _normalise_task(t): t for row in PRODUCER_VS_ENGINEER for t in (row.producer, row.engineer)
}


def _parse_side(value) -> str | None:
    text = _key(value)
    if text.startswith("the"):
        text = text[3:]
    if text in ("producer", "musicproducer", "prod"):
        return "producer"
    if text in ("engineer", "recordingengineer", "eng", "soundengineer", "audioengineer"):
        return "engineer"
    return None


def check_producer_or_engineer(answers) -> Feedback:
    """Say who does each job: ``{"statement": "producer" | "engineer"}``.

    The statements are the two columns of :data:`producerkit.stages.PRODUCER_VS_ENGINEER`.

    Lesson: course/00-welcome.ipynb
    """
    if is_unanswered(answers):
        return unanswered('answer "producer" or "engineer" for each job.')
    if not isinstance(answers, dict):
        return wrong(
            f"I expected a dict of job -> who, got {type(answers).__name__}.",
            'keep the dict from the exercise and fill in "producer" or "engineer" for each job.',
        )
    unknown = [t for t in answers if _normalise_task(t) not in _SIDE_OF]
    if unknown:
        return wrong(
            f"I don't know the job {unknown[0]!r}: keep the jobs exactly as the exercise gives them.",
            "only change the values (the ... after each colon).",
        )
    missing = [t for t, v in answers.items() if is_unanswered(v)]
    if len(missing) == len(answers):
        return unanswered('answer "producer" or "engineer" for each job.')
    bad_value = [(t, v) for t, v in answers.items() if t not in missing and _parse_side(v) is None]
    if bad_value:
        task, value = bad_value[0]
        return wrong(f"{value!r} (for {task!r}) is neither the producer nor the engineer.",
                     'answer "producer" or "engineer" for each job.')
    mistakes = []
    for task, value in answers.items():
        if task in missing:
            continue
        side, row = _SIDE_OF[_normalise_task(task)]
        if _parse_side(value) != side:
            mistakes.append((task, side, row))
    done = len(answers) - len(missing)
    if mistakes:
        task, side, row = mistakes[0]
        other = row.engineer if side == "producer" else row.producer
        other_side = "engineer" if side == "producer" else "producer"
        more = f" ({len(mistakes)} of {done} are the other way round.)" if len(mistakes) > 1 else ""
        return wrong(
            f"'{_STATEMENT_TEXT[_normalise_task(task)]}' is the {side}'s side of "
            f"{row.area.lower()}. The {other_side} {other[0].lower() + other[1:]}.{more}",
            "the producer keeps the creative vision and the big picture; the engineer makes sure the sound is "
            "captured well.",
        )
    if missing:
        return _partial(done, len(answers), missing, "jobs")
    return right(
        f"all {done} right: the producer owns the vision and the decisions, the engineer owns the capture "
        "and the session. Many producers engineer too, but the two jobs stay different."
    )


# --------------------------------------------------------------------------- stages


def stage_aliases() -> dict[str, str]:
    """Every way the course names a stage (normalised with letters and digits only) -> its key.

    From :data:`producerkit.stages.STAGES`: the key, the full name, and each part of the name
    (``"Editing and comping"`` gives ``editing`` and ``comping``; ``"Recording (tracking)"`` gives
    ``recording`` and ``tracking``; ``"Adding production elements (overdubs, sound design)"`` gives
    ``production elements``, ``overdubs`` and ``sound design``). "Production" alone is not a stage: every
    stage is part of the production.

    Lesson: not yet taught
    """
    aliases: dict[str, str] = {}
    for s in STAGES:
        names = {s.key, s.name}
        main, _, extra = s.name.partition("(")
        names.update({main, main.removeprefix("Adding ")})
        if extra:
            names.add(extra.rstrip(")"))
        for n in list(names):
            names.update(re.split(r"\band\b|,", n))
        for n in names:
            if _key(n):
                aliases.setdefault(_key(n), s.key)
    return aliases


_STAGE_ALIASES = stage_aliases()
_STAGE_BY_KEY = {s.key: s for s in STAGES}
_STAGE_POSITION = {s.key: i for i, s in enumerate(STAGES)}


def _parse_stage(value) -> str | None:
    return _STAGE_ALIASES.get(_key(value)) if isinstance(value, str) else None


def _unknown_stage(value, hint: str) -> Feedback:
    if isinstance(value, str) and _key(value) == "production":
        return wrong(
            "every stage is part of the production, so 'production' does not name one. The stage after editing "
            "is adding production elements (overdubs, sound design).",
            "write 'overdubs' for it.",
        )
    return wrong(f"I don't recognise {value!r} as a stage.", hint)


def _made_by(item: str, key: str):
    """The stage whose deliverables include ``item`` (else the stage before ``key``)."""
    for s in STAGES:
        for d in s.deliverables:
            if d.startswith(item) or item.startswith(d.split(" (")[0]):
                return s
    return STAGES[max(_STAGE_POSITION[key] - 1, 0)]


def check_stage_order(stages) -> Feedback:
    """Put the stages of a production in order: a list of stage keys or names, first to last.

    ``["demo", "preproduction", ...]`` or ``["Demo and songwriting", "Pre-production", ...]``; a
    string separated by commas or arrows works too. Checked against
    :data:`producerkit.stages.STAGES`.

    Lesson: course/00-welcome.ipynb
    """
    if is_unanswered(stages):
        return unanswered("list the stages from first to last.")
    if isinstance(stages, str):
        stages = [p for p in re.split(r"\s*(?:,|->|→|>|;|\n)\s*", stages) if p.strip()]
    if not isinstance(stages, list | tuple):
        return wrong(f"I expected a list of stages, got {type(stages).__name__}.",
                     'write them as a list: ["demo", "preproduction", ...].')
    if any(is_unanswered(s) for s in stages):
        if all(is_unanswered(s) for s in stages):
            return unanswered("list the stages from first to last.")
        return Feedback(None, "some places in your list are still ...", "fill in every stage, first to last.")
    keys = [_parse_stage(s) for s in stages]
    unknown = [s for s, k in zip(stages, keys, strict=True) if k is None]
    if unknown:
        examples = _join(repr(s.key) for s in STAGES[:3])
        return _unknown_stage(unknown[0], f"use the names from the table, e.g. {examples}, ...")
    seen: set[str] = set()
    for s, k in zip(stages, keys, strict=True):
        if k in seen:
            return wrong(f"{_STAGE_BY_KEY[k].name} is in your list twice ({s!r}).",
                         "each stage happens once per song; keep one of them.")
        seen.add(k)
    missing = [s.name for s in STAGES if s.key not in seen]
    if missing:
        return wrong(f"{len(missing)} stage(s) are missing: {_join(missing)}.", f"{EVERY_STAGE}.")
    for first, second in zip(keys, keys[1:], strict=False):
        if _STAGE_POSITION[first] > _STAGE_POSITION[second]:
            later, earlier = _STAGE_BY_KEY[first], _STAGE_BY_KEY[second]
            source = _made_by(later.inputs[0], later.key)
            return wrong(
                f"{later.name} comes after {earlier.name}: it starts from the {later.inputs[0]}, "
                f"which {source.name.lower()} hands on.",
                "follow what each stage needs and hands on (the 'needs' and 'hands on' columns of the table).",
            )
    return right(
        "that's the order: " + " → ".join(s.name.split(" (")[0].split(" and ")[0].lower() for s in STAGES)
        + ". Each stage hands the next what it needs, so a problem fixed early is cheap and a problem fixed "
        "late is expensive."
    )


def which_engineer(value) -> bool:
    """True when ``value`` says "engineer" without saying which one (recording, mixing or mastering).

    Lesson: not yet taught
    """
    return isinstance(value, str) and _key(value).removeprefix("the") in ("engineer", "soundengineer", "audioengineer")


#: What both lessons' "who leads?" checkers say: the same facts in the same words.
LEADS_RIGHT = (
    "the artist leads the song; the producer leads the recording session (direction, pace, which takes to "
    "keep) while the recording engineer runs the capture; the mixing and mastering engineers lead their "
    "crafts, with the producer giving notes and approving; and the producer leads everything in between, "
    "delivery included."
)
LEADS_HINT = (
    "the producer is responsible for every stage but does not lead every one: the mixing and mastering "
    "engineers lead their crafts. In the studio the producer leads the session and the engineer runs the capture."
)


def check_who_leads(answers) -> Feedback:
    """Say who leads each stage: ``{"mastering": "mastering engineer", ...}``.

    Stages are keys or names; who leads is one of :data:`producerkit.stages.LEAD_ROLES`
    ("producer", "recording engineer", "mixing engineer", "mastering engineer", "artist").

    Lesson: course/00-welcome.ipynb
    """
    if is_unanswered(answers):
        return unanswered("say who leads each stage.")
    if not isinstance(answers, dict):
        return wrong(f"I expected a dict of stage -> who leads it, got {type(answers).__name__}.",
                     'keep the dict from the exercise, e.g. {"mastering": "mastering engineer"}.')
    unknown = [s for s in answers if _parse_stage(s) is None]
    if unknown:
        return _unknown_stage(unknown[0], "keep the stage names as the exercise gives them.")
    missing = [s for s, v in answers.items() if is_unanswered(v)]
    if len(missing) == len(answers):
        return unanswered("say who leads each stage.")
    for st, value in answers.items():
        if st in missing:
            continue
        truth = _STAGE_BY_KEY[_parse_stage(st)]
        lead = lead_role(value)
        if lead is None:
            if which_engineer(value):
                return wrong(f"{value!r} for {truth.name}: which engineer?",
                             "say 'recording engineer', 'mixing engineer' or 'mastering engineer'.")
            return wrong(f"{value!r} (for {truth.name}) is not one of the people who lead a stage.",
                         f"choose from: {_join(LEAD_ROLES)}.")
        if lead != truth.lead:
            return wrong(
                f"the {truth.lead} leads {truth.name.lower()}, not the {lead}. {truth.lead_note}",
                LEADS_HINT,
            )
    if missing:
        return _partial(len(answers) - len(missing), len(answers), missing, "stages")
    return right(LEADS_RIGHT)


# --------------------------------------------------------------------------- safe listening


def safe_listening_minutes(level_dba: float) -> float:
    """Minutes a day at ``level_dba`` before reaching the NIOSH daily noise dose.

    480 minutes at 85 dBA, halved for every 3 dB more: ``480 / 2 ** ((level - 85) / 3)``.

    Lesson: not yet taught
    """
    return 480.0 / 2.0 ** ((float(level_dba) - NIOSH_LIMIT_DBA) / NIOSH_EXCHANGE_DB)


def check_safe_listening_minutes(minutes, level_dba: float = 94.0) -> Feedback:
    """How many minutes a day are safe at ``level_dba`` (NIOSH: 8 h at 85 dBA, halved every 3 dB)?

    Lesson: course/00-welcome.ipynb
    """
    if is_unanswered(minutes):
        return unanswered(f"how many minutes a day at {level_dba:g} dBA?")
    value = as_number(minutes)
    truth = safe_listening_minutes(level_dba)
    if value is None or value < 0:
        return wrong(f"{minutes!r} is not a number of minutes.",
                     "write just the number of minutes, without units or words.")
    steps = (level_dba - NIOSH_LIMIT_DBA) / NIOSH_EXCHANGE_DB
    if math.isclose(value, truth, rel_tol=0.05, abs_tol=0.5):
        return right(
            f"{truth:g} minutes: {level_dba:g} dBA is {steps:g} steps of 3 dB above 85 dBA, and every step halves "
            "the 8 hours. Loud sessions eat your daily dose fast: mix at moderate levels and take breaks."
        )
    if math.isclose(value, truth / 60, rel_tol=0.05):
        return wrong(f"{value:g} looks like hours; the question asks for minutes.",
                     f"multiply by 60: {truth:g} minutes.")
    hint = (f"start from 480 minutes at 85 dBA and halve it once for every 3 dB above: {level_dba:g} dBA is "
            f"{steps:g} halvings.")
    if value > truth * 1.5:
        if math.isclose(value, 480.0 / 2 ** ((level_dba - 90) / 5), rel_tol=0.05):
            return wrong("That is the older OSHA rule (90 dBA, 5 dB steps), a legal limit rather than a safe one.",
                         hint)
        return wrong(f"{value:g} minutes is far too long: you would take more than the whole daily dose.", hint)
    if value > truth:
        return wrong(f"{value:g} minutes is too long: at {level_dba:g} dBA you would pass your daily dose before "
                     "then, so it is not safe.", hint)
    return wrong(f"{value:g} minutes is shorter than the limit; safe, but not what the rule says.", hint)
