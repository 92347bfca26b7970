"""The stages of a production, the producer's roles, and a production plan: schedule, budget, checks, money.

A record is made in stages, each with a goal, someone who leads it, what it needs and what it hands on:
demo and songwriting → pre-production and arrangement → recording → editing and comping → production
(overdubs, sound design) → mixing → mastering → delivery. :data:`STAGES` holds them as data; a
:class:`Project` plans sessions on those stages with people, day rates and studio costs, draws the
schedule, itemises the budget and :meth:`Project.check` flags what does not add up. :func:`royalties`
and :class:`SplitSheet` cover the money after release. The editing tools of the recording and editing
stages (:func:`comp_takes`, :func:`crossfade`, :func:`fade`, :func:`trim_silence`, :func:`remove_hum`)
live in :mod:`producerkit.editing` and are re-exported here.

Lesson: course/04-workflow.ipynb
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from .editing import (
    Choice,
    CompResult,
    Phrase,
    TakeScore,
    comp_takes,
    crossfade,
    fade,
    remove_hum,
    trim_silence,
)
from .errors import ParameterError

__all__ = [
    "LEAD_ROLES",
    "PRODUCER",
    "PRODUCER_VS_ENGINEER",
    "ROLES",
    "STAGES",
    "Budget",
    "BudgetRow",
    "Choice",
    "CompResult",
    "Deliverable",
    "Issue",
    "Person",
    "Phrase",
    "Project",
    "Responsibility",
    "Role",
    "RoyaltyBreakdown",
    "Session",
    "SplitSheet",
    "Stage",
    "TakeScore",
    "comp_takes",
    "crossfade",
    "fade",
    "remove_hum",
    "royalties",
    "stage",
    "trim_silence",
]

# --------------------------------------------------------------------------- the stages

#: Who can lead a stage.
LEAD_ROLES = ("producer", "recording engineer", "mixing engineer", "mastering engineer", "artist")

PRODUCER = (
    "The music producer guides a song's creative and technical direction from the first idea to the "
    "final master: the song and its arrangement, the performances, the sound, and the budget and "
    "schedule that get the record made."
)


@dataclass(frozen=True)
class Stage:
    """One stage of a production, as data.

    Attributes:
        key: short identifier, e.g. ``"mixing"``.
        name: the stage's name.
        goal: what the stage is for.
        lead: who leads it, one of :data:`LEAD_ROLES`.
        inputs: what it needs before it starts.
        deliverables: what it hands on.
        checklist: what to tick off before moving on.
        typical_days: (fewest, most) working days for a single.
        common_mistakes: what goes wrong, and why.
        typical_days_ep: (fewest, most) working days for an EP of four to six songs.
        involved: who else takes part.
        lead_note: how the lead shares the stage.

    Lesson: course/04-workflow.ipynb
    """

    key: str
    name: str
    goal: str
    lead: str
    inputs: tuple[str, ...]
    deliverables: tuple[str, ...]
    checklist: tuple[str, ...]
    typical_days: tuple[int, int]
    common_mistakes: tuple[str, ...]
    typical_days_ep: tuple[int, int] = (1, 1)
    involved: tuple[str, ...] = ()
    lead_note: str = ""

    def days_for(self, kind: str = "single") -> tuple[int, int]:
        """Typical (fewest, most) working days for a ``"single"`` or an ``"ep"``."""
        return self.typical_days if _check_kind(kind) == "single" else self.typical_days_ep


STAGES: tuple[Stage, ...] = (
    Stage(
        key="demo",
        name="Demo and songwriting",
        goal="Finish the song (melody, lyrics, chords, structure) and capture it in a rough demo everyone "
        "can hear and agree on.",
        lead="artist",
        inputs=("song ideas: voice memos, lyrics, chord progressions", "references: records it should sit beside"),
        deliverables=("demo recording", "lyric sheet", "chord chart", "tempo (BPM) and key", "signed split sheet"),
        checklist=(
            "The song is finished: every section, every line of lyric",
            "Tempo and key chosen and tried in the singer's range",
            "Structure mapped (intro, verse, chorus, bridge, outro) with bar counts",
            "Demo bounced and shared with everyone on the project",
            "Songwriting splits agreed and written on a split sheet while memories are fresh",
        ),
        typical_days=(1, 5),
        typical_days_ep=(5, 20),
        common_mistakes=(
            "Going into the studio with an unfinished song: writing on the clock is the most expensive writing",
            "Polishing the demo instead of the song ('demo-itis': then nobody likes the real recording as much)",
            "Leaving the split sheet for later, when memories differ",
        ),
        involved=("producer",),
        lead_note="The artist (and co-writers) lead; the producer often helps shape the song.",
    ),
    Stage(
        key="preproduction",
        name="Pre-production and arrangement",
        goal="Decide the arrangement, the parts and the sound before paying for studio time.",
        lead="producer",
        inputs=("demo recording", "lyric sheet and chord chart", "tempo (BPM) and key", "references"),
        deliverables=(
            "arrangement map (sections, bars, who plays what)",
            "tempo map and click",
            "pre-production demo",
            "recording plan: instruments, order, mics, studio and session musicians",
        ),
        checklist=(
            "Arrangement settled: intro length, section order, what enters where, the hook",
            "Every part written or charted; session musicians have charts and the demo",
            "Tempo map and click track made; count-in agreed",
            "Key checked against the singer's best range",
            "Rehearsed until the band can play it to the click",
            "Recording schedule, studio and people booked; budget agreed",
        ),
        typical_days=(1, 3),
        typical_days_ep=(3, 10),
        common_mistakes=(
            "Skipping it: then arrangement decisions get made in the studio, at studio rates",
            "Too many parts: an arrangement that fights itself cannot be fixed in the mix",
            "Choosing a key or tempo the singer cannot sustain for a whole take",
        ),
        involved=("artist",),
        lead_note="The producer leads with the artist; a programmer or arranger may help.",
    ),
    Stage(
        key="recording",
        name="Recording (tracking)",
        goal="Capture great performances with great sound: the foundation (drums, bass, guitars, keys) first, "
        "then the lead vocal.",
        lead="recording engineer",
        inputs=("arrangement map", "tempo map and click", "recording plan", "rehearsed musicians"),
        deliverables=(
            "multitrack session with every take",
            "take sheet (which takes are keepers and why)",
            "rough mix",
        ),
        checklist=(
            "Session set up before the artist arrives: tracks named, click, headphone (cue) mixes",
            "Gain staged with headroom: peaks around -10 to -6 dBFS, nothing clipping",
            "No hum, buzz or noise: check cables, grounding and the noise floor before the first take",
            "Several full takes of each part, plus punch-ins for the hard bits",
            "Take sheet kept as you go; session backed up at the end of every day",
        ),
        typical_days=(1, 3),
        typical_days_ep=(4, 10),
        common_mistakes=(
            "Recording too hot: clipped takes cannot be repaired",
            "Fixing it in the mix: a weak performance or a bad sound stays weak",
            "Hum and noise nobody listened for until the mix",
            "Exhausting the singer on the foundation before the vocal is recorded",
        ),
        involved=("producer", "artist"),
        lead_note="The recording engineer runs the session; the producer directs the performances.",
    ),
    Stage(
        key="editing",
        name="Editing and comping",
        goal="Build the best performance from the takes (a comp), tighten timing, clean noise and hum, tune "
        "only where it helps.",
        lead="producer",
        inputs=("multitrack session with every take", "take sheet"),
        deliverables=("comped, edited multitrack session", "consolidated tracks from bar 1"),
        checklist=(
            "Best take chosen per phrase; the comp listened to in context",
            "Every edit crossfaded: no clicks",
            "Timing tightened where it distracts, feel kept where it works",
            "Hum, noise, breaths and bleed cleaned",
            "Tracks consolidated from the same start so they line up in any DAW",
        ),
        typical_days=(1, 2),
        typical_days_ep=(2, 6),
        common_mistakes=(
            "Over-editing: quantising and tuning the life out of a performance",
            "Edits without crossfades: clicks that show up on the master",
            "Comping phrase by phrase without listening to the whole line",
        ),
        involved=("recording engineer", "artist"),
        lead_note="The producer chooses the takes; an editing engineer or the recording engineer often does "
        "the edits under the producer's direction.",
    ),
    Stage(
        key="production",
        name="Production (overdubs and sound design)",
        goal="Add what the record needs beyond the basic tracks: overdubs, harmonies, synths, percussion, "
        "ear candy, sound design.",
        lead="producer",
        inputs=("comped, edited multitrack session", "arrangement map"),
        deliverables=("complete multitrack session, ready to mix", "notes on the intended sound and references"),
        checklist=(
            "Each overdub has a job in the arrangement (energy, contrast, the hook)",
            "Sounds chosen to fit the frequency space left by the other parts",
            "Rough mix checked: nothing is missing, nothing is fighting",
            "Virtual instruments and effects printed to audio for the mixer",
        ),
        typical_days=(1, 3),
        typical_days_ep=(3, 10),
        common_mistakes=(
            "Layering instead of deciding: more tracks, less impact",
            "Leaving effects and virtual instruments unprinted, so the mixer cannot open them",
        ),
        involved=("artist", "recording engineer"),
        lead_note="The producer leads; session players, programmers and the artist add parts.",
    ),
    Stage(
        key="mixing",
        name="Mixing",
        goal="Balance and shape every track into a stereo mix that serves the song and translates on every system.",
        lead="mixing engineer",
        inputs=("complete multitrack session, ready to mix", "rough mix", "references", "producer's mix notes"),
        deliverables=(
            "approved stereo mix (24-bit WAV, peaks below -3 dBFS, no limiting on the mix bus unless agreed)",
            "instrumental and a cappella versions",
            "stems",
        ),
        checklist=(
            "Balance first, then EQ, compression and space",
            "Checked on monitors, headphones, a phone and a car; at low volume; in mono",
            "Compared with the references at matched loudness",
            "Revisions from the producer and artist done (agree how many rounds in advance)",
            "Mix printed with headroom for mastering; versions and stems printed",
        ),
        typical_days=(1, 2),
        typical_days_ep=(4, 8),
        common_mistakes=(
            "Mixing loud to impress: a squashed mix leaves mastering nothing to work with",
            "Judging on one pair of speakers, in one room",
            "Unlimited revisions: set the number of rounds before the mix starts",
        ),
        involved=("producer", "artist"),
        lead_note="The mixing engineer mixes; the producer gives the notes and approves.",
    ),
    Stage(
        key="mastering",
        name="Mastering",
        goal="Make the approved mixes sound their best and consistent as a release, at the right loudness, "
        "and prepare the delivery masters.",
        lead="mastering engineer",
        inputs=("approved stereo mixes", "song order and gaps (EP)", "ISRC codes and metadata"),
        deliverables=(
            "streaming masters (24-bit WAV)",
            "true peak at most -1 dBTP",
            "instrumental master",
            "ISRC codes embedded, reference master for approval",
        ),
        checklist=(
            "Fresh ears: someone who did not mix it",
            "Tonal balance and loudness consistent across the songs",
            "True peak at most -1 dBTP so encoding to AAC/Ogg does not clip",
            "Fades, gaps and song order set (EP)",
            "Master approved by the artist and producer on several systems",
        ),
        typical_days=(1, 1),
        typical_days_ep=(1, 2),
        common_mistakes=(
            "Mastering your own mix alone: nobody checks the room or the ears",
            "Chasing loudness: streaming services turn loud masters down anyway",
            "Sending a limited or clipped mix: nothing left to master",
        ),
        involved=("producer",),
        lead_note="The mastering engineer masters; the producer and artist approve.",
    ),
    Stage(
        key="delivery",
        name="Delivery",
        goal="Hand over everything the release needs, complete and correct, early enough to be pitched and "
        "released on the date.",
        lead="producer",
        inputs=("approved masters", "artwork", "credits and split sheets", "ISRC codes and metadata"),
        deliverables=(
            "masters uploaded to the distributor or label",
            "metadata and credits (writers, producer, performers, ISRC)",
            "artwork (3000 × 3000 px)",
            "stems and instrumental archived",
            "signed split sheets and producer agreement",
        ),
        checklist=(
            "Metadata checked: titles, writers, producer and performer credits, ISRC codes",
            "Split sheets and producer agreement signed",
            "Uploaded three to four weeks before release (Spotify pitching needs at least 7 days)",
            "Session files, stems and masters archived in two places",
        ),
        typical_days=(1, 2),
        typical_days_ep=(1, 3),
        common_mistakes=(
            "Uploading the week of release: no time for store review or playlist pitching",
            "Missing credits or ISRCs: royalties that never find the people they belong to",
            "No archive: the stems you need for a sync deal are gone",
        ),
        involved=("artist", "label or executive producer"),
        lead_note="The producer delivers to the label or artist; the label (or the artist, when self-releasing) "
        "uploads and releases.",
    ),
)

_STAGE_INDEX = {s.key: i for i, s in enumerate(STAGES)}


def stage(key: str) -> Stage:
    """The :class:`Stage` with this key (``"demo"``, ``"preproduction"``, ``"recording"``, ``"editing"``,
    ``"production"``, ``"mixing"``, ``"mastering"``, ``"delivery"``).

    Lesson: course/04-workflow.ipynb
    """
    if key not in _STAGE_INDEX:
        raise ParameterError(f"unknown stage {key!r}; the stages are {', '.join(_STAGE_INDEX)}.")
    return STAGES[_STAGE_INDEX[key]]


_stage = stage  # for methods whose ``stage`` argument hides the function


# --------------------------------------------------------------------------- roles


@dataclass(frozen=True)
class Role:
    """One of the producer's roles.

    Lesson: course/00-welcome.ipynb
    """

    key: str
    name: str
    description: str
    typical_tasks: tuple[str, ...]


ROLES: tuple[Role, ...] = (
    Role(
        key="creative",
        name="Creative producer",
        description="Holds the vision of the record: shapes the song and the arrangement and gets the best "
        "performance out of the artist.",
        typical_tasks=(
            "Help finish the song: structure, hooks, lyrics",
            "Decide the arrangement, tempo and key",
            "Coach performances and decide when a take is the one",
            "Choose references and the sound of the record",
            "Give mix notes and approve the mix and master",
        ),
    ),
    Role(
        key="technical",
        name="Technical producer",
        description="Makes the sound: chooses and often operates the equipment, and makes the engineering "
        "decisions (many producers also engineer, program or mix).",
        typical_tasks=(
            "Choose the studio, instruments, mics and signal chain",
            "Program beats and synths, design sounds",
            "Engineer, edit and comp the sessions",
            "Make rough mixes, sometimes the final mix",
        ),
    ),
    Role(
        key="executive",
        name="Executive producer",
        description="Makes the project possible: funding, business and oversight rather than the sound. On "
        "albums often a label person, a manager, an investor or the artist.",
        typical_tasks=(
            "Find and approve the budget",
            "Hire the producer, engineers and musicians; sign the agreements",
            "Keep the schedule and the spending on track",
            "Handle clearances, credits, release and marketing plans",
        ),
    ),
)


@dataclass(frozen=True)
class Responsibility:
    """Who does what in one area: the producer and the (recording) engineer.

    Lesson: course/00-welcome.ipynb
    """

    area: str
    producer: str
    engineer: str


PRODUCER_VS_ENGINEER: tuple[Responsibility, ...] = (
    Responsibility(
        "Vision",
        "Holds the creative vision: what the record should feel and sound like",
        "Turns the vision into sound: suggests the sonic means to get there",
    ),
    Responsibility(
        "Song and arrangement",
        "Decides structure, tempo, key and parts with the artist",
        "Flags technical problems (parts clashing, a take that will not edit)",
    ),
    Responsibility(
        "Performance",
        "Coaches the artist, judges the takes, decides what to keep",
        "Keeps the session flowing: punch-ins, cue mixes, take logging",
    ),
    Responsibility(
        "Sound capture",
        "Approves the sounds",
        "Chooses and places the mics, sets the signal flow and the levels, keeps hum and noise out",
    ),
    Responsibility(
        "The DAW session",
        "Decides which takes make the comp",
        "Sets up, names, edits and backs up the session and its files",
    ),
    Responsibility(
        "Budget and schedule",
        "Plans the sessions, books the people, keeps to the budget",
        "Says how long setups take, runs the session on time",
    ),
    Responsibility(
        "Mix and master",
        "Gives notes and approves",
        "Mixing and mastering engineers do the work",
    ),
    Responsibility(
        "Delivery",
        "Delivers masters, credits and metadata to the label or artist",
        "Prints masters, versions and stems to the spec",
    ),
)


# --------------------------------------------------------------------------- money formatting

_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def _money(amount: float, currency: str) -> str:
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    digits = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


def _check_amount(value, name: str, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"{name} must be a number (got {value!r}).")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        need = "zero or positive" if allow_zero else "positive"
        raise ParameterError(f"{name} must be {need} (got {value!r}); money and days cannot be negative.")
    return float(value)


def _check_kind(kind: str) -> str:
    if kind not in ("single", "ep"):
        raise ParameterError(f'kind must be "single" or "ep" (got {kind!r}).')
    return kind


def _to_date(value, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ParameterError(f"{name} must be a date such as '2026-03-02' or datetime.date(2026, 3, 2) (got {value!r}).")


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Person:
    """Someone on the project, with a day rate in the project's currency.

    Lesson: course/04-workflow.ipynb
    """

    name: str
    role: str
    day_rate: float


@dataclass(frozen=True)
class Session:
    """Days booked on one stage: from ``start`` to ``end`` inclusive, with people and a studio.

    Lesson: course/04-workflow.ipynb
    """

    stage: str
    start: dt.date
    end: dt.date
    people: tuple[str, ...] = ()
    studio: str | None = None
    studio_day_rate: float = 0.0
    note: str = ""

    @property
    def days(self) -> int:
        """Days booked, counting both the first and the last day."""
        return (self.end - self.start).days + 1

    def label(self) -> str:
        where = f" at {self.studio}" if self.studio else ""
        return f"{stage(self.stage).name}{where}, {self.start.isoformat()}" + (
            f" to {self.end.isoformat()}" if self.end != self.start else ""
        )


@dataclass(frozen=True)
class Deliverable:
    """Something the project must hand over, made by a stage, optionally due by a date.

    Lesson: course/04-workflow.ipynb
    """

    name: str
    stage: str
    due: dt.date | None = None


@dataclass(frozen=True)
class Issue:
    """A finding of :meth:`Project.check`: how serious, what is wrong, and what to do.

    ``severity`` is ``"error"`` (the plan cannot work as it is), ``"warning"`` (it will probably hurt)
    or ``"info"`` (worth a thought).

    Lesson: course/04-workflow.ipynb
    """

    severity: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message} → {self.fix}"


@dataclass(frozen=True)
class BudgetRow:
    """One line of a budget: an item on a stage, days × rate = cost (or a fixed cost with days 0).

    Lesson: course/04-workflow.ipynb
    """

    item: str
    stage: str
    days: int
    rate: float
    cost: float


@dataclass(frozen=True)
class Budget:
    """An itemised budget: the rows, their subtotal, a contingency, the total and what is left.

    Lesson: course/04-workflow.ipynb
    """

    rows: tuple[BudgetRow, ...]
    currency: str
    contingency_rate: float
    planned: float | None = None

    @property
    def subtotal(self) -> float:
        return float(sum(r.cost for r in self.rows))

    @property
    def contingency(self) -> float:
        """The reserve for what always goes wrong (an extra day, a broken amp): subtotal × rate."""
        return self.subtotal * self.contingency_rate

    @property
    def total(self) -> float:
        return self.subtotal + self.contingency

    @property
    def remaining(self) -> float | None:
        """The plan's budget minus the total (negative: over budget); None without a budget."""
        return None if self.planned is None else self.planned - self.total

    def by_stage(self) -> dict[str, float]:
        """Cost per stage, in stage order (stages without costs left out)."""
        totals: dict[str, float] = {}
        for s in STAGES:
            cost = sum(r.cost for r in self.rows if r.stage == s.key)
            if cost:
                totals[s.key] = float(cost)
        other = sum(r.cost for r in self.rows if r.stage not in _STAGE_INDEX)
        if other:
            totals["other"] = float(other)
        return totals

    def _summary(self) -> list[tuple[str, str]]:
        c = self.currency
        lines = [
            ("Subtotal", _money(self.subtotal, c)),
            (f"Contingency ({self.contingency_rate:.0%})", _money(self.contingency, c)),
            ("Total", _money(self.total, c)),
        ]
        if self.planned is not None:
            lines.append(("Budget", _money(self.planned, c)))
            left = self.remaining
            lines.append(("Remaining" if left >= 0 else "Over budget by", _money(abs(left), c)))
        return lines

    def __str__(self) -> str:
        c = self.currency
        width = max([len(r.item) for r in self.rows] + [20])
        out = [f"{'item':<{width}}  {'stage':<13} {'days':>4} {'rate':>9} {'cost':>10}"]
        for r in self.rows:
            days = str(r.days) if r.days else ""
            rate = _money(r.rate, c) if r.days else ""
            out.append(f"{r.item:<{width}}  {r.stage:<13} {days:>4} {rate:>9} {_money(r.cost, c):>10}")
        out.append("")
        out.extend(f"{k:>{width + 29}} {v:>10}" for k, v in self._summary())
        return "\n".join(out)

    def _repr_html_(self) -> str:
        c = self.currency
        body = "".join(
            f"<tr><td style='text-align:left'>{escape(r.item)}</td><td style='text-align:left'>{escape(r.stage)}</td>"
            f"<td>{r.days or ''}</td><td>{_money(r.rate, c) if r.days else ''}</td><td>{_money(r.cost, c)}</td></tr>"
            for r in self.rows
        )
        foot = "".join(
            f"<tr><th colspan='4' style='text-align:right'>{escape(k)}</th><th>{escape(v)}</th></tr>"
            for k, v in self._summary()
        )
        return f"<table><tr><th>item</th><th>stage</th><th>days</th><th>rate</th><th>cost</th></tr>{body}{foot}</table>"


# Stages whose start needs the named earlier stages finished.
_NEEDS = {
    "editing": ("recording",),
    "mixing": ("recording", "editing", "production"),
    "mastering": ("mixing",),
    "delivery": ("mastering",),
}
_REQUIRED = {
    "recording": ("error", "there is nothing to edit, mix or master", "book at least one recording day"),
    "mixing": ("error", "the recordings never become a record", "book a mixing engineer for the mix"),
    "mastering": ("error", "nothing to deliver", "book a mastering session after the mix is approved"),
    "delivery": (
        "warning",
        "nobody is down to deliver masters, credits and metadata",
        "plan a delivery day three to four weeks before release",
    ),
    "preproduction": (
        "warning",
        "arrangement decisions will be made in the studio, at studio rates",
        "plan pre-production before the recording",
    ),
    "editing": ("warning", "no time to choose and comp the takes", "plan editing days between recording and mixing"),
}
_ENGINEERED = {"recording": "recording engineer", "mixing": "mixing engineer", "mastering": "mastering engineer"}


class Project:
    """A production plan for a single or an EP: people, sessions, deliverables, budget and checks.

    Example::

        p = Project("Night Lines", kind="single", budget=6000)
        p.add_person("Ana", "producer", 500)
        p.add_session("recording", "2026-03-02", days=2, people=["Ana"], studio="Studio B", studio_day_rate=450)
        print(p.budget()); p.check()

    Lesson: course/04-workflow.ipynb
    """

    def __init__(
        self,
        title: str,
        kind: str = "single",
        budget: float | None = None,
        currency: str = "EUR",
        contingency: float = 0.1,
        release_date=None,
    ):
        if not isinstance(title, str) or not title.strip():
            raise ParameterError("title must be the name of the single or EP (a non-empty string).")
        self.title = title
        self.kind = _check_kind(kind)
        self.budget_limit = None if budget is None else _check_amount(budget, "budget")
        if not isinstance(currency, str) or not currency.strip():
            raise ParameterError(f"currency must be a currency code such as 'EUR' (got {currency!r}).")
        self.currency = currency.upper()
        if isinstance(contingency, bool) or not isinstance(contingency, int | float) or not 0 <= contingency <= 1:
            raise ParameterError(
                f"contingency must be a fraction between 0 and 1 (got {contingency!r}); 0.1 keeps 10 % in reserve."
            )
        self.contingency = float(contingency)
        self.release_date = None if release_date is None else _to_date(release_date, "release_date")
        self.people: dict[str, Person] = {}
        self.sessions: list[Session] = []
        self.costs: list[BudgetRow] = []
        self.extra_deliverables: list[Deliverable] = []

    def __repr__(self) -> str:
        return (
            f"Project({self.title!r}, kind={self.kind!r}, {len(self.people)} people, "
            f"{len(self.sessions)} sessions, total {_money(self.budget().total, self.currency)})"
        )

    # -- building the plan

    def add_person(self, name: str, role: str, day_rate: float = 0.0) -> Person:
        """Add someone to the project with their role and day rate (0 for the artist or unpaid help)."""
        if not isinstance(name, str) or not name.strip():
            raise ParameterError("name must be a non-empty string.")
        if name in self.people:
            raise ParameterError(f"{name!r} is already on the project as {self.people[name].role}.")
        if not isinstance(role, str) or not role.strip():
            raise ParameterError(f"role must say what {name} does, e.g. 'mixing engineer' (got {role!r}).")
        rate = _check_amount(day_rate, f"day_rate of {name}")
        person = Person(name, role.strip(), rate)
        self.people[name] = person
        return person

    def add_session(
        self,
        stage: str,
        start,
        days: int | None = None,
        end=None,
        people: Sequence[str] = (),
        studio: str | None = None,
        studio_day_rate: float = 0.0,
        note: str = "",
    ) -> Session:
        """Book days on a stage: from ``start`` for ``days`` days, or from ``start`` to ``end`` inclusive.

        Dates are ``datetime.date`` or ISO strings ("2026-03-02"). ``people`` must have been added
        with :meth:`add_person`.
        """
        _stage(stage)  # validates the key
        first = _to_date(start, "start")
        if (days is None) == (end is None):
            raise ParameterError("give either days= (how many) or end= (the last day), not both or neither.")
        if days is not None:
            if isinstance(days, bool) or int(days) != days or days < 1:
                raise ParameterError(f"days must be a whole number of days, at least 1 (got {days!r}).")
            last = first + dt.timedelta(days=int(days) - 1)
        else:
            last = _to_date(end, "end")
            if last < first:
                raise ParameterError(
                    f"the session ends ({last.isoformat()}) before it starts ({first.isoformat()}): "
                    "dates are out of order."
                )
        if isinstance(people, str):
            people = [people]
        for name in people:
            if name not in self.people:
                raise ParameterError(f"{name!r} is not on the project; add_person({name!r}, role, day_rate) first.")
        rate = _check_amount(studio_day_rate, "studio_day_rate")
        if rate and not studio:
            raise ParameterError("a studio_day_rate needs a studio name (studio='...').")
        session = Session(stage, first, last, tuple(people), studio, rate, note)
        self.sessions.append(session)
        return session

    def add_cost(self, item: str, amount: float, stage: str = "other") -> BudgetRow:
        """Add a fixed cost (artwork, distribution, instrument hire) to the budget."""
        if stage != "other":
            _stage(stage)
        row = BudgetRow(item, stage, 0, 0.0, _check_amount(amount, f"amount of {item!r}"))
        self.costs.append(row)
        return row

    def add_deliverable(self, name: str, stage: str = "delivery", due=None) -> Deliverable:
        """Add something that must be handed over, made by ``stage``, optionally due by ``due``."""
        _stage(stage)
        item = Deliverable(name, stage, None if due is None else _to_date(due, "due"))
        self.extra_deliverables.append(item)
        return item

    # -- reading the plan

    def stage_span(self, key: str) -> tuple[dt.date, dt.date] | None:
        """First and last day booked on a stage, or None."""
        sessions = [s for s in self.sessions if s.stage == key]
        if not sessions:
            return None
        return min(s.start for s in sessions), max(s.end for s in sessions)

    def deliverables(self) -> list[Deliverable]:
        """What the plan hands over: the deliverables of every stage with sessions, plus those added."""
        planned = {s.stage for s in self.sessions}
        derived = [Deliverable(d, s.key) for s in STAGES if s.key in planned for d in s.deliverables]
        return derived + list(self.extra_deliverables)

    def budget(self) -> Budget:
        """Itemise the plan: each person and studio per session (days × day rate), plus fixed costs."""
        rows = []
        for s in sorted(self.sessions, key=lambda s: (s.start, _STAGE_INDEX[s.stage])):
            for name in s.people:
                person = self.people[name]
                rows.append(
                    BudgetRow(f"{name} ({person.role})", s.stage, s.days, person.day_rate, s.days * person.day_rate)
                )
            if s.studio:
                rows.append(BudgetRow(s.studio, s.stage, s.days, s.studio_day_rate, s.days * s.studio_day_rate))
        rows.extend(self.costs)
        return Budget(tuple(rows), self.currency, self.contingency, self.budget_limit)

    def check(self) -> list[Issue]:
        """Flag what does not add up: stage order, missing stages and deliverables, money, double bookings.

        Errors first, then warnings, then info.
        """
        issues: list[Issue] = []
        spans = {s.key: self.stage_span(s.key) for s in STAGES}
        if not self.sessions:
            return [Issue("error", "No sessions planned.", "add sessions with add_session(stage, start, days=...)")]

        for key, (severity, consequence, fix) in _REQUIRED.items():
            if spans[key] is None:
                issues.append(Issue(severity, f"No {_short(key)} session: {consequence}.", fix))

        for key, needs in _NEEDS.items():
            if spans[key] is None:
                continue
            start = spans[key][0]
            for need in needs:
                if spans[need] is not None and start <= spans[need][1]:
                    issues.append(
                        Issue(
                            "error",
                            f"{_short(key).capitalize()} starts {start.isoformat()} but {_short(need)} ends "
                            f"{spans[need][1].isoformat()}: {_verb(key)} after the "
                            f"{_short(need)} it needs.",
                            f"move {_short(key)} to {(spans[need][1] + dt.timedelta(days=1)).isoformat()} or later",
                        )
                    )
        for i, earlier in enumerate(STAGES):
            for later in STAGES[i + 1 :]:
                if spans[earlier.key] is None or spans[later.key] is None or earlier.key in _NEEDS.get(later.key, ()):
                    continue
                if spans[later.key][0] < spans[earlier.key][0]:
                    issues.append(
                        Issue(
                            "warning",
                            f"{_short(later.key).capitalize()} starts {spans[later.key][0].isoformat()}, "
                            f"before {_short(earlier.key)} "
                            f"({spans[earlier.key][0].isoformat()}): the stages are out of order.",
                            f"{_short(earlier.key)} comes before {_short(later.key)}; check the dates",
                        )
                    )

        for s in self.sessions:
            role = _ENGINEERED.get(s.stage)
            if role and not any(self.people[n].role.lower() == role for n in s.people):
                issues.append(
                    Issue(
                        "warning",
                        f"No {role} booked on the {s.label()}.",
                        f"add a {role} to the session's people",
                    )
                )

        booked: dict[str, list[Session]] = {}
        for s in self.sessions:
            for name in s.people:
                booked.setdefault(name, []).append(s)
        for name, sessions in booked.items():
            sessions = sorted(sessions, key=lambda s: s.start)
            for a, b in zip(sessions, sessions[1:], strict=False):
                if b.start <= a.end:
                    issues.append(
                        Issue(
                            "warning",
                            f"{name} is double-booked: {a.label()} and {b.label()} overlap.",
                            "move one of the sessions or book someone else",
                        )
                    )

        for d in self.extra_deliverables:
            span = spans[d.stage]
            if span is None:
                issues.append(
                    Issue(
                        "error",
                        f"Missing deliverable: {d.name!r} comes from {_short(d.stage)}, which has no session.",
                        f"book a {_short(d.stage)} session or drop the deliverable",
                    )
                )
            elif d.due is not None and span[1] > d.due:
                issues.append(
                    Issue(
                        "error",
                        f"{d.name!r} is due {d.due.isoformat()} but {_short(d.stage)} ends {span[1].isoformat()}.",
                        "move the sessions earlier or agree a later date",
                    )
                )

        if self.release_date is not None:
            last = max(s.end for s in self.sessions)
            lead = (self.release_date - last).days
            if lead < 0:
                issues.append(
                    Issue(
                        "error",
                        f"Sessions run until {last.isoformat()}, after the release date "
                        f"{self.release_date.isoformat()}.",
                        "move the release date or the sessions",
                    )
                )
            elif lead < 21:
                issues.append(
                    Issue(
                        "warning",
                        f"Only {lead} days between the last session and the release: distributors want the masters "
                        "three to four weeks ahead, and a Spotify pitch needs at least 7 days.",
                        "finish earlier or release later",
                    )
                )

        b = self.budget()
        if b.planned is not None:
            c = self.currency
            if b.total > b.planned:
                if b.subtotal > b.planned:
                    issues.append(
                        Issue(
                            "error",
                            f"Over budget by {_money(b.total - b.planned, c)} "
                            f"({_money(b.total, c)} with contingency against {_money(b.planned, c)}).",
                            "cut days, choose a cheaper studio, or find more money",
                        )
                    )
                else:
                    issues.append(
                        Issue(
                            "warning",
                            f"Within budget only without the contingency: {_money(b.subtotal, c)} plus "
                            f"{_money(b.contingency, c)} reserve is {_money(b.total - b.planned, c)} over.",
                            "keep a reserve: something always takes an extra day",
                        )
                    )

        order = {"error": 0, "warning": 1, "info": 2}
        return sorted(issues, key=lambda i: order[i.severity])

    # -- pictures

    def schedule_figure(self):
        """A Gantt chart of the sessions: one row per session, coloured by stage, stages in order.

        Returns:
            plotly.graph_objects.Figure
        """
        import plotly.graph_objects as go

        fig = go.Figure()
        palette = ("#8c6bb1", "#6a51a3", "#e6550d", "#fd8d3c", "#31a354", "#3182bd", "#08519c", "#636363")
        ordered = sorted(self.sessions, key=lambda s: (_STAGE_INDEX[s.stage], s.start))
        labels = []
        for i, s in enumerate(ordered):
            what = f"{_short(s.stage).capitalize()}" + (f": {s.note}" if s.note else "")
            labels.append(f"{i + 1}. {what}" + (f" ({s.studio})" if s.studio else ""))
        for st in STAGES:
            rows = [(lab, s) for lab, s in zip(labels, ordered, strict=True) if s.stage == st.key]
            if not rows:
                continue
            fig.add_trace(
                go.Bar(
                    name=st.name,
                    orientation="h",
                    y=[lab for lab, _ in rows],
                    base=[s.start.isoformat() for _, s in rows],
                    x=[s.days * 86_400_000 for _, s in rows],  # a date axis counts milliseconds
                    marker_color=palette[_STAGE_INDEX[st.key]],
                    customdata=[
                        [s.start.isoformat(), s.end.isoformat(), s.days, ", ".join(s.people) or "—"] for _, s in rows
                    ],
                    hovertemplate="%{y}<br>%{customdata[0]} to %{customdata[1]} (%{customdata[2]} days)"
                    "<br>%{customdata[3]}<extra></extra>",
                )
            )
        fig.update_layout(
            title=f"{self.title}: schedule",
            barmode="overlay",
            xaxis={"type": "date", "title": "date"},
            yaxis={"autorange": "reversed", "categoryorder": "array", "categoryarray": labels},
            legend_title_text="stage",
            height=max(300, 40 * len(labels) + 150),
        )
        if self.release_date is not None:
            fig.add_vline(
                x=self.release_date.isoformat(),
                line_dash="dash",
                line_color="#333",
                annotation_text="release",
                annotation_position="top left",
            )
        return fig

    # -- a plan to start from

    @classmethod
    def example(cls) -> Project:
        """A realistic four-song EP plan (spring 2026, a mid-size studio, euro rates) to start from."""
        p = cls("Night Lines EP", kind="ep", budget=27_500, currency="EUR", contingency=0.1, release_date="2026-06-05")
        p.add_person("Mara Quinn", "artist", 0)
        p.add_person("Jonas Held", "producer", 500)
        p.add_person("Lea Brandt", "recording engineer", 350)
        p.add_person("Tom Reyes", "session drummer", 300)
        p.add_person("Ines Okafor", "session bassist", 250)
        p.add_person("Sam Petit", "mixing engineer", 450)
        p.add_person("Ruth Adler", "mastering engineer", 600)
        p.add_session("demo", "2026-02-02", days=5, people=["Mara Quinn", "Jonas Held"], note="writing and demos")
        p.add_session(
            "preproduction",
            "2026-02-09",
            days=4,
            people=["Mara Quinn", "Jonas Held", "Tom Reyes", "Ines Okafor"],
            studio="Rehearsal room",
            studio_day_rate=80,
            note="arrangements, tempo maps, rehearsals",
        )
        p.add_session(
            "recording",
            "2026-02-23",
            days=3,
            people=["Mara Quinn", "Jonas Held", "Lea Brandt", "Tom Reyes", "Ines Okafor"],
            studio="Studio B",
            studio_day_rate=450,
            note="drums, bass, guitars",
        )
        p.add_session(
            "recording",
            "2026-02-26",
            days=2,
            people=["Mara Quinn", "Jonas Held", "Lea Brandt"],
            studio="Studio B",
            studio_day_rate=450,
            note="lead and backing vocals",
        )
        p.add_session("editing", "2026-03-02", days=3, people=["Jonas Held"], note="comping and editing")
        p.add_session(
            "production", "2026-03-05", days=4, people=["Mara Quinn", "Jonas Held"], note="synths, percussion"
        )
        p.add_session("mixing", "2026-03-16", days=5, people=["Sam Petit"], note="a day per song and a revision day")
        p.add_session("mixing", "2026-03-23", days=1, people=["Jonas Held", "Sam Petit"], note="mix notes and approval")
        p.add_session("mastering", "2026-03-30", days=1, people=["Ruth Adler"])
        p.add_session("delivery", "2026-04-06", days=1, people=["Jonas Held"], note="masters, metadata, credits")
        p.add_cost("Artwork", 400)
        p.add_cost("Distribution (a year)", 50, stage="delivery")
        p.add_deliverable("Instrumental versions for sync", stage="mixing", due="2026-04-01")
        return p


_SHORT = {
    "demo": "songwriting",
    "preproduction": "pre-production",
    "recording": "recording",
    "editing": "editing",
    "production": "production",
    "mixing": "mixing",
    "mastering": "mastering",
    "delivery": "delivery",
}


def _short(key: str) -> str:
    return _SHORT[key]


def _verb(key: str) -> str:
    return {"editing": "edit", "mixing": "mix", "mastering": "master", "delivery": "deliver"}.get(key, key)


# --------------------------------------------------------------------------- money after release


@dataclass(frozen=True)
class RoyaltyBreakdown:
    """Where the master revenue goes, with producer points paid out of the artist's royalty.

    Lesson: course/04-workflow.ipynb
    """

    revenue: float
    producer_points: float
    artist_royalty_pct: float
    producer_royalty: float
    advance: float
    producer_paid: float
    unrecouped: float
    artist_royalty: float
    artist_net: float
    label_share: float
    currency: str = "EUR"
    streams: int | None = None
    notes: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        c = self.currency
        lines = []
        if self.streams is not None:
            lines.append(f"{self.streams:,} streams")
        lines += [
            f"Master revenue             {_money(self.revenue, c):>12}",
            f"Label / master owner       {_money(self.label_share, c):>12}  ({100 - self.artist_royalty_pct:g} %)",
            f"Artist royalty             {_money(self.artist_royalty, c):>12}  ({self.artist_royalty_pct:g} %)",
            f"  producer points          {_money(self.producer_royalty, c):>12}  ({self.producer_points:g} %)",
            f"  artist after producer    {_money(self.artist_net, c):>12}",
            f"Producer advance           {_money(self.advance, c):>12}",
            f"Producer paid now          {_money(self.producer_paid, c):>12}",
            f"Still to recoup            {_money(self.unrecouped, c):>12}",
        ]
        return "\n".join(lines + [f"Note: {n}" for n in self.notes])


def royalties(
    producer_points: float,
    *,
    streams: int | None = None,
    revenue: float | None = None,
    rate_per_stream: float = 0.003,
    artist_royalty_pct: float = 20.0,
    recoupable_advance: float = 0.0,
    currency: str = "EUR",
) -> RoyaltyBreakdown:
    """What the producer's points earn from a record's master revenue, and what is left for the artist.

    A producer "point" is 1 % of the record's royalty base (traditionally the retail or dealer price,
    PPD; here simply the master revenue). Points are usually paid out of the artist's royalty (an
    "all-in" deal): with a 20 % artist royalty and 3 producer points, the artist keeps 17 %. Typical
    deals give the producer 2–5 points; 0.5–5 is the usual range. The producer's advance (the fee paid
    up front) is recouped from the producer's royalties: nothing more is paid until they exceed it.
    Real contracts add details (payment only after the artist recoups the recording costs,
    "retroactive to record one"); read the contract.

    Args:
        producer_points: the producer's percentage of the royalty base, 0–100.
        streams: number of streams (revenue = streams × ``rate_per_stream``); or give ``revenue``.
        revenue: master revenue in ``currency``.
        rate_per_stream: what one stream pays the master owner; 0.003 is a rough 2020s average, and it
            varies a lot by service and country.
        artist_royalty_pct: the artist's royalty, % of the master revenue (label deals often 15–25 %;
            a self-releasing artist who owns the master keeps up to 100 % less the distributor's cut).
        recoupable_advance: the producer's advance, recouped from the producer's royalties.

    Raises:
        ParameterError: negative amounts, points outside 0–100 or above the artist's royalty, neither
            or both of streams and revenue.

    Lesson: course/04-workflow.ipynb
    """
    if (streams is None) == (revenue is None):
        raise ParameterError("give either streams= or revenue=, not both or neither.")
    if streams is not None:
        if isinstance(streams, bool) or not isinstance(streams, int) or streams < 0:
            raise ParameterError(f"streams must be a whole number, zero or more (got {streams!r}).")
        rate = _check_amount(rate_per_stream, "rate_per_stream")
        base = streams * rate
    else:
        base = _check_amount(revenue, "revenue")
    points = _check_amount(producer_points, "producer_points")
    if points > 100:
        raise ParameterError(f"producer_points is a percentage, 0–100 (got {points:g}).")
    artist_pct = _check_amount(artist_royalty_pct, "artist_royalty_pct")
    if artist_pct > 100:
        raise ParameterError(f"artist_royalty_pct is a percentage, 0–100 (got {artist_pct:g}).")
    if points > artist_pct:
        raise ParameterError(
            f"{points:g} producer points are more than the artist's {artist_pct:g} % royalty they are paid from; "
            "lower the points or raise the artist royalty."
        )
    advance = _check_amount(recoupable_advance, "recoupable_advance")
    notes = []
    if points and not 0.5 <= points <= 5:
        advice = f"{points:g} points is outside the usual 0.5–5 for a producer: " + (
            "check it is not a fee split or a co-writing share." if points > 5 else "is it worth writing down?"
        )
        warnings.warn(advice, UserWarning, stacklevel=2)
        notes.append(advice)
    producer = base * points / 100.0
    artist = base * artist_pct / 100.0
    paid = max(0.0, producer - advance)
    return RoyaltyBreakdown(
        revenue=base,
        producer_points=points,
        artist_royalty_pct=artist_pct,
        producer_royalty=producer,
        advance=advance,
        producer_paid=paid,
        unrecouped=max(0.0, advance - producer),
        artist_royalty=artist,
        artist_net=artist - producer,
        label_share=base - artist,
        currency=currency,
        streams=streams,
        notes=tuple(notes),
    )


class SplitSheet:
    """Who wrote the song and their share of it: the shares must add up to exactly 100 %.

    A split sheet covers the composition (melody, lyrics, harmony): writers' shares of the song's
    publishing and performance royalties. Producer points on the recording are a separate deal.

    Example::

        SplitSheet("Night Lines", [("Mara Quinn", 50, "lyrics and melody"), ("Jonas Held", 50, "music")])

    Lesson: course/04-workflow.ipynb
    """

    TOLERANCE = 0.01

    def __init__(self, title: str, writers, date=None):
        if not isinstance(title, str) or not title.strip():
            raise ParameterError("title must be the song's title (a non-empty string).")
        if isinstance(writers, str | bytes) or not isinstance(writers, Sequence) or not writers:
            raise ParameterError('writers must be a list of (name, share_pct, role), e.g. [("Mara", 50, "lyrics")].')
        rows = []
        for i, w in enumerate(writers):
            try:
                name, share, role = w
            except (TypeError, ValueError):
                raise ParameterError(f"writer {i + 1} must be (name, share_pct, role) (got {w!r}).") from None
            if not isinstance(name, str) or not name.strip():
                raise ParameterError(f"writer {i + 1} needs a name (got {name!r}).")
            if isinstance(share, bool) or not isinstance(share, int | float) or not math.isfinite(share) or share <= 0:
                raise ParameterError(f"{name}'s share must be a positive percentage (got {share!r}).")
            rows.append((name.strip(), float(share), str(role)))
        names = [r[0] for r in rows]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ParameterError(f"{', '.join(dupes)} listed twice; give each writer one row with their whole share.")
        total = sum(r[1] for r in rows)
        if abs(total - 100.0) > self.TOLERANCE + 1e-9:  # 33.33 × 3 is 99.99 within the tolerance
            gap = 100.0 - total
            what = f"{gap:.2f} % is unassigned" if gap > 0 else f"{-gap:.2f} % too much is promised"
            raise ParameterError(f"the splits add up to {total:.2f} %, not 100 %: {what}. Agree the shares again.")
        self.title = title
        self.writers = tuple(rows)
        self.date = None if date is None else _to_date(date, "date")

    @classmethod
    def equal(cls, title: str, names: Sequence[str], role: str = "writer", date=None) -> SplitSheet:
        """Equal shares, rounded to 0.01 % with the remainder on the first writer so they add up to 100."""
        if not names:
            raise ParameterError("names must list at least one writer.")
        share = math.floor(10000 / len(names)) / 100
        first = round(100 - share * (len(names) - 1), 2)
        return cls(title, [(n, first if i == 0 else share, role) for i, n in enumerate(names)], date=date)

    @property
    def total(self) -> float:
        return sum(r[1] for r in self.writers)

    def share_of(self, amount: float) -> dict[str, float]:
        """Split an amount (a royalty payment) by the shares."""
        amount = _check_amount(amount, "amount")
        return {name: amount * share / 100.0 for name, share, _ in self.writers}

    def to_text(self) -> str:
        """The split sheet as plain text, ready to print and sign."""
        width = max([len(n) for n, _, _ in self.writers] + [6]) + 2
        lines = [f"SPLIT SHEET: {self.title}"]
        if self.date:
            lines.append(f"Date: {self.date.isoformat()}")
        lines.append(f"{'Writer':<{width}}{'Share':>8}  Role                      Signature")
        for name, share, role in self.writers:
            lines.append(f"{name:<{width}}{share:>7.2f}%  {role:<25} ________________")
        lines.append(f"{'Total':<{width}}{self.total:>7.2f}%")
        return "\n".join(lines)

    __str__ = to_text

    def __repr__(self) -> str:
        return f"SplitSheet({self.title!r}, {list(self.writers)!r})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td style='text-align:left'>{escape(n)}</td><td>{s:.2f} %</td><td style='text-align:left'>"
            f"{escape(r)}</td></tr>"
            for n, s, r in self.writers
        )
        return (
            f"<table><caption>Split sheet: {escape(self.title)}</caption>"
            f"<tr><th>writer</th><th>share</th><th>role</th></tr>{rows}"
            f"<tr><th>total</th><th>{self.total:.2f} %</th><th></th></tr></table>"
        )
