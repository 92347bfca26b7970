"""Planning a production: who is on it, which days each stage gets, what it costs, and whether it works.

A :class:`Project` books sessions on the stages of :data:`producerkit.stages.STAGES` with people,
day rates and studio costs, draws the schedule (:meth:`Project.schedule_figure`), itemises the
budget (:meth:`Project.budget`) and checks the plan the way an experienced producer reads one
(:meth:`Project.check`): every stage booked, in order, with the people it needs, on time for the
release and within the money. Amounts are in pounds unless a project says otherwise; the example
plan uses typical UK figures (:mod:`producerkit.business`). :func:`ep_budget` prices an EP at day
rates, with studio time and a mixing and a mastering fee.

Lessons: 00, 04, 11
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ._validate import in_range, whole
from .business import CURRENCY, EP_RATES_GBP, _check_amount, _to_date, money
from .errors import ParameterError
from .report import FAIL, WARN, Finding, Report
from .stages import _STAGE_INDEX, EVERY_STAGE, STAGES, _check_kind, stage

__all__ = [
    "EP_STAGES", "Budget", "BudgetRow", "Deliverable", "Person", "Project", "StudioSession", "ep_budget", "ep_plan",
]

_stage = stage  # for methods whose ``stage`` argument hides the function

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
class StudioSession:
    """Days booked on one stage: from ``start`` to ``end`` inclusive, with people and a studio.

    A booking, not the multitrack recording (that is :class:`producerkit.datasets.Session`).

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

    Lessons: 00, 04
    """

    name: str
    stage: str
    due: dt.date | None = None


@dataclass(frozen=True)
class BudgetRow:
    """One line of a budget: an item on a stage, days × rate = cost (or a fixed cost with days 0).

    Lesson: not yet taught
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
            ("Subtotal", money(self.subtotal, c)),
            (f"Contingency ({self.contingency_rate:.0%})", money(self.contingency, c)),
            ("Total", money(self.total, c)),
        ]
        if self.planned is not None:
            lines.append(("Budget", money(self.planned, c)))
            left = self.remaining
            lines.append(("Remaining" if left >= 0 else "Over budget by", money(abs(left), c)))
        return lines

    def __str__(self) -> str:
        c = self.currency
        width = max([len(r.item) for r in self.rows] + [20])
        out = [f"{'item':<{width}}  {'stage':<13} {'days':>4} {'rate':>9} {'cost':>10}"]
        for r in self.rows:
            days = str(r.days) if r.days else ""
            rate = money(r.rate, c) if r.days else ""
            out.append(f"{r.item:<{width}}  {r.stage:<13} {days:>4} {rate:>9} {money(r.cost, c):>10}")
        out.append("")
        out.extend(f"{k:>{width + 29}} {v:>10}" for k, v in self._summary())
        return "\n".join(out)

    def _repr_html_(self) -> str:
        c = self.currency
        body = "".join(
            f"<tr><td style='text-align:left'>{escape(r.item)}</td><td style='text-align:left'>{escape(r.stage)}</td>"
            f"<td>{r.days or ''}</td><td>{money(r.rate, c) if r.days else ''}</td><td>{money(r.cost, c)}</td></tr>"
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
    "mixing": ("recording", "editing", "overdubs"),
    "mastering": ("mixing",),
    "delivery": ("mastering",),
}
#: What goes wrong when a stage has no session, and what to book. Every stage must be planned
#: (:data:`producerkit.stages.EVERY_STAGE`), so a missing one fails the check.
_MISSING = {
    "demo": ("the song goes into the studio unfinished, and writing on the clock is the most expensive writing",
             "book demo days to finish the song and agree the splits"),
    "preproduction": ("arrangement decisions will be made in the studio, at studio rates",
                      "plan pre-production before the recording"),
    "recording": ("there is nothing to edit, mix or master", "book at least one recording day"),
    "editing": ("no time to choose and comp the takes", "plan editing days between recording and mixing"),
    "overdubs": ("nothing is added beyond the basic tracks, and nobody checks that nothing is missing",
                 "book at least a day for overdubs and sound design between editing and mixing"),
    "mixing": ("the recordings never become a record", "book a mixing engineer for the mix"),
    "mastering": ("nothing to deliver", "book a mastering session after the mix is approved"),
    "delivery": ("nobody is down to deliver masters, credits and metadata",
                 "plan a delivery day three to four weeks before release"),
}
_ENGINEERED = {"recording": "recording engineer", "mixing": "mixing engineer", "mastering": "mastering engineer"}


class Project:
    """A production plan for a single or an EP: people, sessions, deliverables, budget and checks.

    Example::

        p = Project("Night Lines", kind="single", budget=6000)
        p.add_person("Ana", "producer", 300)
        p.add_session("recording", "2026-03-02", days=2, people=["Ana"], studio="Studio B", studio_day_rate=400)
        print(p.budget()); p.check()

    Lessons: 00, 04
    """

    def __init__(
        self,
        title: str,
        kind: str = "single",
        budget: float | None = None,
        currency: str = CURRENCY,
        contingency: float = 0.1,
        release_date=None,
    ):
        if not isinstance(title, str) or not title.strip():
            raise ParameterError("title must be the name of the single or EP (a non-empty string).")
        self.title = title
        self.kind = _check_kind(kind)
        self.budget_limit = None if budget is None else _check_amount(budget, "budget")
        if not isinstance(currency, str) or not currency.strip():
            raise ParameterError(f"currency must be a currency code such as 'GBP' (got {currency!r}).")
        self.currency = currency.upper()
        in_range("contingency", contingency, 0, 1, hint="it is a fraction: 0.1 keeps 10 % in reserve")
        self.contingency = float(contingency)
        self.release_date = None if release_date is None else _to_date(release_date, "release_date")
        self.people: dict[str, Person] = {}
        self.sessions: list[StudioSession] = []
        self.costs: list[BudgetRow] = []
        self.extra_deliverables: list[Deliverable] = []

    def __repr__(self) -> str:
        return (
            f"Project({self.title!r}, kind={self.kind!r}, {len(self.people)} people, "
            f"{len(self.sessions)} sessions, total {money(self.budget().total, self.currency)})"
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
    ) -> StudioSession:
        """Book days on a stage: from ``start`` for ``days`` days, or from ``start`` to ``end`` inclusive.

        Dates are ``datetime.date`` or ISO strings ("2026-03-02"). Days are calendar days: a weekend
        counts like any other day (studios book weekends too), so ``days=2`` from a Friday ends on Saturday.
        ``people`` must have been added with :meth:`add_person`.
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
        session = StudioSession(stage, first, last, tuple(people), studio, rate, note)
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

    def check(self) -> Report:
        """Read the plan as an experienced producer would: every stage booked and in order, the people each
        stage needs, double bookings, deliverables and their dates, the release date and the money.

        Returns:
            A :class:`producerkit.report.Report` of what does not add up, failures first (a failure means
            the plan cannot work as it is; a warning that it will probably hurt). An empty report is a
            plan that works.
        """
        found: list[Finding] = []
        spans = {s.key: self.stage_span(s.key) for s in STAGES}
        if not self.sessions:
            found.append(Finding(FAIL, "stages", "No sessions planned.",
                                 "add sessions with add_session(stage, start, days=...)"))
            return self._report(found)
        found += self._missing_stages(spans) + self._order(spans) + self._people() + self._deliverables(spans)
        found += self._release() + self._money()
        return self._report(found)

    def _report(self, found: list[Finding]) -> Report:
        found.sort(key=lambda f: f.status != FAIL)  # failures first, each group in the order found
        return Report(found, title=f"{self.title}: plan check", subject_label="about",
                      empty="no problems found: the plan works")

    def _missing_stages(self, spans) -> list[Finding]:
        return [
            Finding(FAIL, "stages", f"No {_short(key)} session: {consequence}. {EVERY_STAGE.capitalize()}.", fix)
            for key, (consequence, fix) in _MISSING.items() if spans[key] is None
        ]

    def _order(self, spans) -> list[Finding]:
        found = []
        for key, needs in _NEEDS.items():
            if spans[key] is None:
                continue
            start = spans[key][0]
            late = [need for need in needs if spans[need] is not None and start <= spans[need][1]]
            if not late:
                continue
            # One finding per stage, naming the need that ends last: its date is the one that fixes them all.
            last = max(late, key=lambda need: (spans[need][1], _STAGE_INDEX[need]))
            if len(late) == 1:
                what = (f"but {_short(last)} ends {spans[last][1].isoformat()}: "
                        f"{_verb(key)} after the {_short(last)} it needs.")
            else:
                ends = ", ".join(f"{_short(n)} ends {spans[n][1].isoformat()}" for n in late)
                what = f"before the {_and(late)} it needs are done ({ends}): {_verb(key)} after them."
            found.append(Finding(
                FAIL, "order",
                f"{_short(key).capitalize()} starts {start.isoformat()} {what}",
                f"move {_short(key)} to {(spans[last][1] + dt.timedelta(days=1)).isoformat()} or later "
                f"(after the {_short(last)}), or end the {_and(late)} before {start.isoformat()}",
                data={"stage": key, "needs": tuple(late), "start": start, "needs_end": spans[last][1]},
            ))
        for i, earlier in enumerate(STAGES):
            for later in STAGES[i + 1:]:
                if spans[earlier.key] is None or spans[later.key] is None or earlier.key in _NEEDS.get(later.key, ()):
                    continue
                if spans[later.key][0] < spans[earlier.key][0]:
                    found.append(Finding(
                        WARN, "order",
                        f"{_short(later.key).capitalize()} starts {spans[later.key][0].isoformat()}, before "
                        f"{_short(earlier.key)} ({spans[earlier.key][0].isoformat()}): the stages are out of order.",
                        f"{_short(earlier.key)} comes before {_short(later.key)}; check the dates",
                    ))
        return found

    def _people(self) -> list[Finding]:
        found = []
        for s in self.sessions:
            role = _ENGINEERED.get(s.stage)
            if role and not any(self.people[n].role.lower() == role for n in s.people):
                found.append(Finding(WARN, "people", f"No {role} booked on the {s.label()}.",
                                     f"add a {role} to the session's people"))
        booked: dict[str, list[StudioSession]] = {}
        for s in self.sessions:
            for name in s.people:
                booked.setdefault(name, []).append(s)
        for name, sessions in booked.items():
            sessions = sorted(sessions, key=lambda s: s.start)
            for a, b in zip(sessions, sessions[1:], strict=False):
                if b.start <= a.end:
                    found.append(Finding(WARN, "people", f"{name} is double-booked: {a.label()} and {b.label()} "
                                         "overlap.", "move one of the sessions or book someone else"))
        return found

    def _deliverables(self, spans) -> list[Finding]:
        found = []
        for d in self.extra_deliverables:
            span = spans[d.stage]
            if span is None:
                found.append(Finding(
                    FAIL, "deliverables",
                    f"Missing deliverable: {d.name!r} comes from {_short(d.stage)}, which has no session.",
                    f"book a {_short(d.stage)} session or drop the deliverable",
                ))
            elif d.due is not None and span[1] > d.due:
                found.append(Finding(
                    FAIL, "deliverables",
                    f"{d.name!r} is due {d.due.isoformat()} but {_short(d.stage)} ends {span[1].isoformat()}.",
                    "move the sessions earlier or agree a later date",
                ))
        return found

    def _release(self) -> list[Finding]:
        if self.release_date is None:
            return []
        last = max(s.end for s in self.sessions)
        lead = (self.release_date - last).days
        if lead < 0:
            return [Finding(FAIL, "release date", f"Sessions run until {last.isoformat()}, after the release date "
                            f"{self.release_date.isoformat()}.", "move the release date or the sessions")]
        if lead < 21:
            return [Finding(WARN, "release date", f"Only {lead} days between the last session and the release: "
                            "distributors want the masters three to four weeks ahead, and a Spotify pitch needs "
                            "at least 7 days.", "finish earlier or release later")]
        return []

    def _money(self) -> list[Finding]:
        b = self.budget()
        if b.planned is None or b.total <= b.planned:
            return []
        c = self.currency
        if b.subtotal > b.planned:
            return [Finding(FAIL, "budget", f"Over budget by {money(b.total - b.planned, c)} "
                            f"({money(b.total, c)} with contingency against {money(b.planned, c)}).",
                            "cut days, choose a cheaper studio, or find more money")]
        return [Finding(WARN, "budget", f"Within budget only without the contingency: {money(b.subtotal, c)} plus "
                        f"{money(b.contingency, c)} reserve is {money(b.total - b.planned, c)} over.",
                        "keep a reserve: something always takes an extra day")]

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
            label = f"{i + 1}. {what}" + (f" ({s.studio})" if s.studio else "")
            labels.append("<br>".join(textwrap.wrap(label, 30)))  # long labels would squash the bars
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
            yaxis={"autorange": "reversed", "categoryorder": "array", "categoryarray": labels, "title": "session"},
            legend={"title": "stage", "orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"},
            height=max(360, 46 * len(labels) + 260),
            margin={"t": 60, "b": 40},
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
        """A four-song EP plan to start from (spring 2026, a mid-size studio), with typical UK figures.

        Everyone is freelance at a day rate within :data:`producerkit.business.FREELANCE_DAY_RATE_GBP`
        (£200–350); real rates vary widely, and producers with known credits charge much more.
        """
        p = cls("Night Lines EP", kind="ep", budget=19_000, currency="GBP", contingency=0.1, release_date="2026-06-05")
        p.add_person("Mara Quinn", "artist", 0)
        p.add_person("Jonas Held", "producer", 300)
        p.add_person("Lea Brandt", "recording engineer", 250)
        p.add_person("Tom Reyes", "session drummer", 220)
        p.add_person("Ines Okafor", "session bassist", 200)
        p.add_person("Sam Petit", "mixing engineer", 300)
        p.add_person("Ruth Adler", "mastering engineer", 350)
        p.add_session("demo", "2026-02-02", days=5, people=["Mara Quinn", "Jonas Held"], note="writing and demos")
        p.add_session(
            "preproduction",
            "2026-02-09",
            days=4,
            people=["Mara Quinn", "Jonas Held", "Tom Reyes", "Ines Okafor"],
            studio="Rehearsal room",
            studio_day_rate=60,
            note="arrangements, tempo maps, rehearsals",
        )
        p.add_session(
            "recording",
            "2026-02-23",
            days=3,
            people=["Mara Quinn", "Jonas Held", "Lea Brandt", "Tom Reyes", "Ines Okafor"],
            studio="Studio B",
            studio_day_rate=400,
            note="drums, bass, guitars",
        )
        p.add_session(
            "recording",
            "2026-02-26",
            days=2,
            people=["Mara Quinn", "Jonas Held", "Lea Brandt"],
            studio="Studio B",
            studio_day_rate=400,
            note="lead and backing vocals",
        )
        p.add_session("editing", "2026-03-02", days=3, people=["Jonas Held"], note="comping and editing")
        p.add_session(
            "overdubs", "2026-03-05", days=4, people=["Mara Quinn", "Jonas Held"], note="synths, percussion"
        )
        p.add_session("mixing", "2026-03-16", days=5, people=["Sam Petit"], note="a day per song and a revision day")
        p.add_session("mixing", "2026-03-23", days=1, people=["Jonas Held", "Sam Petit"], note="mix notes and approval")
        p.add_session("mastering", "2026-03-30", days=1, people=["Ruth Adler"])
        p.add_session("delivery", "2026-04-06", days=1, people=["Jonas Held"], note="masters, metadata, credits")
        p.add_cost("Artwork", 400)
        p.add_cost("Distribution (a year)", 50, stage="delivery")
        p.add_deliverable("Instrumental versions for sync", stage="mixing", due="2026-04-01")
        return p


# --------------------------------------------------------------------------- an EP at day rates

#: The stages :func:`ep_budget` books the producer's days on, in order.
EP_STAGES = ("preproduction", "recording", "editing", "overdubs", "delivery")


def ep_budget(
    songs: int = 3,
    *,
    preproduction: int,
    recording: int,
    editing: int,
    overdubs: int,
    delivery: int = 1,
    rates: dict | None = None,
    contingency: float = 0.1,
    budget: float | None = None,
) -> Budget:
    """An EP priced at day rates: the producer's days, studio time with an engineer, a mixing and a mastering fee.

    The producer is paid for every day booked; the recording engineer and the studio only on
    recording days. The mix is a fee per song and the master one fee for the EP
    (:data:`producerkit.business.EP_RATES_GBP`: typical freelance day rates; the studio rate and the
    fees are example figures, and all of them vary widely). The songs and their demos are the
    artist's, already done, so the demo stage costs nothing here.

    Args:
        songs: how many songs the EP has.
        preproduction, recording, editing, overdubs, delivery: days booked on each stage.
        rates: the figures to price with; defaults to :data:`producerkit.business.EP_RATES_GBP`.
        contingency: the reserve, a fraction of the subtotal (0.1 keeps 10 %).
        budget: the money there is, to show what remains.

    Returns:
        A :class:`Budget`: its rows, subtotal, contingency, total and (with ``budget``) what remains.

    Raises:
        ParameterError: days or songs that are not whole numbers, negative days, a missing rate.

    Lesson: course/11-business.ipynb
    """
    songs = whole("songs", songs, 1, 20, hint="an EP has a few songs")
    days = {key: whole(key, value, 0, 60, unit="days") for key, value in zip(
        EP_STAGES, (preproduction, recording, editing, overdubs, delivery), strict=True)}
    rates = dict(EP_RATES_GBP if rates is None else rates)
    missing = sorted(set(EP_RATES_GBP) - set(rates))
    if missing:
        raise ParameterError(f"rates needs {', '.join(missing)} (see producerkit.business.EP_RATES_GBP).")
    for key, value in rates.items():
        _check_amount(value, key)
    in_range("contingency", contingency, 0, 1, hint="it is a fraction: 0.1 keeps 10 % in reserve")
    producer, engineer, studio = (rates["producer day rate"], rates["recording engineer day rate"],
                                  rates["studio day rate"])
    rows = []
    for key, n in days.items():
        if n:
            rows.append(BudgetRow("Producer", key, n, producer, n * producer))
        if key == "recording" and n:
            rows.append(BudgetRow("Recording engineer", key, n, engineer, n * engineer))
            rows.append(BudgetRow("Studio", key, n, studio, n * studio))
    mixing = rates["mixing fee per song"] * songs
    rows.append(BudgetRow(f"Mixing fee ({songs} songs × {money(rates['mixing fee per song'])})", "mixing", 0, 0.0,
                          mixing))
    rows.append(BudgetRow("Mastering fee", "mastering", 0, 0.0, rates["mastering fee"]))
    rows.sort(key=lambda r: _STAGE_INDEX[r.stage])
    planned = None if budget is None else _check_amount(budget, "budget")
    return Budget(tuple(rows), CURRENCY, float(contingency), planned)


#: What each session of :func:`ep_plan` is for, shown on its schedule.
_EP_NOTES = {
    "preproduction": "arrangement, tempo, key",
    "recording": "the takes, the vocals last",
    "editing": "comp and clean the takes",
    "overdubs": "pad, guitar double",
    "mixing": "the songs, one by one",
    "mastering": "the EP",
    "delivery": "masters, credits, metadata",
}


def ep_plan(
    songs: int = 3,
    *,
    preproduction: int,
    recording: int,
    editing: int,
    overdubs: int,
    delivery: int = 1,
    start="2026-03-02",
    mixing_days: int | None = None,
    mastering_days: int = 1,
    rates: dict | None = None,
    contingency: float = 0.1,
    budget: float | None = None,
) -> Project:
    """The EP of :func:`ep_budget` as a schedule: its days booked stage after stage, and a release date.

    Each stage starts the day after the one before it ends (days are calendar days, as in
    :meth:`Project.add_session`), because each needs the one before it: the mix starts only when
    the overdubs are done, so a late overdub day moves every date after it. The producer works every
    booked day; the recording engineer and the studio only the recording days; the overdubs (a pad, a
    guitar double) are played or programmed in the producer's own room. The mix takes ``mixing_days``
    (a day a song unless given) and the master ``mastering_days``: the lesson's example figures, paid as
    the fees of :data:`producerkit.business.EP_RATES_GBP`, so the plan's budget is :func:`ep_budget`'s.
    The release is the first Friday at least three weeks after delivery.

    The lead time is the course's planning figure (lesson 04's plans use it): distributors ask for the
    masters weeks ahead, and Spotify's editors can be pitched a song only before it is released, at least
    7 days ahead. Sources: Spotify for Artists, "Pitching music to our playlist editors",
    https://support.spotify.com/artists/article/pitching-music-to-playlist-editors/ (pitch at least 7 days
    before release).

    Args:
        songs, preproduction, recording, editing, overdubs, delivery, rates, contingency, budget: as for
            :func:`ep_budget`.
        start: the first day of pre-production (a date or "2026-03-02").
        mixing_days, mastering_days: how long the mix and the master take.

    Returns:
        A :class:`Project`; ``schedule_figure()`` draws it.

    Raises:
        ParameterError: what :func:`ep_budget` refuses, a bad date, or days that are not whole numbers.

    Lesson: course/11-business.ipynb
    """
    priced = ep_budget(songs, preproduction=preproduction, recording=recording, editing=editing,
                       overdubs=overdubs, delivery=delivery, rates=rates, contingency=contingency, budget=budget)
    songs = whole("songs", songs, 1, 20, hint="an EP has a few songs")
    days = {key: whole(key, value, 0, 60, unit="days") for key, value in zip(
        EP_STAGES, (preproduction, recording, editing, overdubs, delivery), strict=True)}
    days["mixing"] = whole("mixing_days", songs if mixing_days is None else mixing_days, 1, 60, unit="days")
    days["mastering"] = whole("mastering_days", mastering_days, 1, 60, unit="days")
    rates = dict(EP_RATES_GBP if rates is None else rates)
    plan = Project(f"A {songs}-song EP", kind="ep" if songs > 1 else "single", budget=budget,
                   contingency=contingency)
    plan.add_person("artist", "artist", 0)
    plan.add_person("producer", "producer", rates["producer day rate"])
    plan.add_person("recording engineer", "recording engineer", rates["recording engineer day rate"])
    plan.add_person("mixing engineer", "mixing engineer", 0)  # paid a fee per song, below
    plan.add_person("mastering engineer", "mastering engineer", 0)  # paid a fee for the EP, below
    who = {
        "preproduction": ["artist", "producer"],
        "recording": ["artist", "producer", "recording engineer"],
        "editing": ["producer"],
        "overdubs": ["producer", "artist"],
        "mixing": ["mixing engineer"],
        "mastering": ["mastering engineer"],
        "delivery": ["producer"],
    }
    day = _to_date(start, "start")
    for key in sorted(days, key=_STAGE_INDEX.get):
        if not days[key]:
            continue
        studio = {"studio": "Studio", "studio_day_rate": rates["studio day rate"]} if key == "recording" else {}
        session = plan.add_session(key, day, days=days[key], people=who[key], note=_EP_NOTES[key], **studio)
        day = session.end + dt.timedelta(days=1)
    earliest = day - dt.timedelta(days=1) + dt.timedelta(weeks=3)
    plan.release_date = earliest + dt.timedelta(days=(4 - earliest.weekday()) % 7)  # a Friday
    for row in priced.rows:
        if row.stage in ("mixing", "mastering"):
            plan.add_cost(row.item, row.cost, stage=row.stage)
    return plan


_SHORT = {
    "demo": "songwriting",
    "preproduction": "pre-production",
    "recording": "recording",
    "editing": "editing",
    "overdubs": "overdubbing",
    "mixing": "mixing",
    "mastering": "mastering",
    "delivery": "delivery",
}


def _short(key: str) -> str:
    return _SHORT[key]


def _and(keys) -> str:
    names = [_short(k) for k in sorted(keys, key=_STAGE_INDEX.get)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _verb(key: str) -> str:
    return {"editing": "edit", "mixing": "mix", "mastering": "master", "delivery": "deliver"}.get(key, key)

