"""The business side of producing: what producers earn, royalties, split sheets and the career path.

The figures are typical UK ones and vary widely: :data:`FREELANCE_DAY_RATE_GBP` (a freelance
producer's day rate), :data:`SALARIES_GBP` (employed studio roles) and :data:`ROYALTY_POINTS` (a
producer's royalty on a commercial release). :func:`royalties` works out what a producer's points
earn and what is left for the artist; a :class:`SplitSheet` records who wrote the song and their
share; :data:`CAREER_PATH` lists the usual steps into the job (:data:`CAREER_STEPS` names them in a
word or two) and :data:`CAREER_BRANCHES` where a career can turn. :data:`HISTORY` is the role from the
1950s studio producer to the 2020s hybrid and AI-assisted workflow, :data:`NOTABLE_PRODUCERS` three
producers who shaped it, :data:`DAY_IN_THE_LIFE` a producer's day, :data:`FINDING_A_PRODUCER` how an
artist chooses one and :data:`WHO_TO_HIRE` when an engineer is enough; :data:`EP_RATES_GBP` are the
rates :func:`producerkit.planning.ep_budget` prices an EP with. The facts are the project's fact sheet
(FACTS.md, condensed from the articles the project started from).

Lessons: 04, 11
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from ._validate import finite, in_range, whole
from .errors import ParameterError

__all__ = [
    "CAREER_BRANCHES",
    "CAREER_PATH",
    "CAREER_STEPS",
    "CURRENCY",
    "DAY_IN_THE_LIFE",
    "EP_RATES_GBP",
    "FINDING_A_PRODUCER",
    "HISTORY",
    "NOTABLE_PRODUCERS",
    "STUDIO_OR_FREELANCE",
    "WHO_TO_HIRE",
    "Era",
    "FREELANCE_DAY_RATE_GBP",
    "ROYALTY_POINTS",
    "SALARIES_GBP",
    "RoyaltyBreakdown",
    "SplitSheet",
    "money",
    "royalties",
]

# --------------------------------------------------------------------------- typical figures

#: The course's currency: its figures are typical UK ones.
CURRENCY = "GBP"
#: A freelance producer's typical day rate in the UK, (low, high) in pounds. Producers with known
#: credits charge much more, usually as a fee per track or per project.
FREELANCE_DAY_RATE_GBP = (200, 350)
#: Typical UK salaries of employed studio roles, (low, high) in pounds a year.
SALARIES_GBP = {
    "entry level (assistant, runner, junior engineer)": (18_000, 25_000),
    "mid-level and experienced, in studio roles": (28_000, 45_000),
}
#: A producer's royalty on a commercial release, in points (% of the royalty base), (low, high):
#: it depends on experience and negotiation, and is unpredictable early in a career.
ROYALTY_POINTS = (0.5, 5.0)
#: The usual way into the job, step by step.
CAREER_PATH = (
    "Runner, intern or assistant engineer, plus home-studio projects: learn the workflows, watch "
    "professionals, gain first credits",
    "Assistant producer: contribute ideas beside an experienced producer",
    "Producer: client projects, collaborating with artists, building a portfolio",
    "Labels, studios, production deals, media companies: more income and visibility",
    "Senior roles: running a studio, lead or executive producer, or moving into mixing, mastering, A&R or "
    "creative direction",
)
#: :data:`CAREER_PATH`'s steps in a word or two, in the same order (the career exercise orders these).
CAREER_STEPS = (
    "runner or intern",
    "assistant producer",
    "producer",
    "labels, studios and production deals",
    "senior roles",
)
#: Where a career can turn from producing (the senior roles of :data:`CAREER_PATH`).
CAREER_BRANCHES = (
    "running a studio",
    "lead producer",
    "executive producer",
    "mixing engineer",
    "mastering engineer",
    "A&R",
    "creative direction",
)
#: Employed in a studio against freelance: what each gives (typical UK figures, they vary widely).
STUDIO_OR_FREELANCE = {
    "studio (employed)": "stability: a salary, £18,000–£25,000 a year at entry level and £28,000–£45,000 "
    "mid-level and experienced",
    "freelance": "more per project and flexibility: £200–£350 a day, much more as a track or project fee with "
    "known credits, but only for the days you are booked",
}

# --------------------------------------------------------------------------- the job, as data


@dataclass(frozen=True)
class Era:
    """A period in the history of the producer's role: from ``start`` up to (not including) ``end``.

    Lesson: not yet taught
    """

    start: int
    end: int
    name: str
    headline: str
    changes: tuple[str, ...]
    producers: tuple[str, ...] = ()


#: The producer's role from the 1950s studio producer to the 2020s hybrid and AI-assisted workflow. The
#: 1980s' producers are the fact sheet's notable producers, dated by their work: Thriller, produced by Quincy
#: Jones, won the Grammy for Album of the Year at the 26th Grammy Awards, held in February 1984 for the records of
#: 1983 (Source: the Recording Academy, https://www.grammy.com/grammys/awards/26th-annual-grammy-awards), and
#: Rick Rubin co-founded Def Jam Recordings in 1984 (Source: Def Jam Recordings, https://www.defjam.com).
HISTORY: tuple[Era, ...] = (
    Era(1950, 1970, "1950s–60s", "the studio producer becomes a creative architect",
        ("the producer shapes the record's sound, not only the session", "multitrack recording begins"),
        ("Phil Spector", "George Martin")),
    Era(1970, 1980, "1970s", "big studios: tape, consoles, layering",
        ("tape machines and large consoles", "analogue synthesis", "layering and complex arrangements")),
    Era(1980, 1990, "1980s", "digital synths, drum machines, samplers, MIDI",
        ("digital synthesisers", "drum machines and samplers", "MIDI", "early workstations"),
        ("Quincy Jones (Michael Jackson's Thriller)", "Rick Rubin (early Def Jam)")),
    Era(1990, 2000, "1990s", "DAWs become standard",
        ("DAWs become standard (Pro Tools)", "precise digital editing", "home studios begin")),
    Era(2000, 2010, "2000s", "home production becomes common",
        ("affordable audio interfaces", "virtual instruments", "laptops make home production common",
         "electronic music and hip-hop grow")),
    Era(2010, 2020, "2010s", "remote collaboration and streaming",
        ("remote collaboration over the internet",
         "streaming changes the economics and the demand for frequent releases")),
    Era(2020, 2030, "2020s", "hybrid and AI-assisted workflows",
        ("AI-assisted composition, mastering and editing", "hybrid hardware and software setups",
         "social media brings artists and producers together faster")),
)
#: Three producers who shaped the role, and what each is known for.
NOTABLE_PRODUCERS = {
    "George Martin": '"the fifth Beatle": arrangements, studio experimentation, orchestral writing',
    "Quincy Jones": "produced Michael Jackson's Thriller, the best-selling album of all time; blended genres",
    "Rick Rubin": "minimalist: early Def Jam, Red Hot Chili Peppers, Johnny Cash, Kanye West",
}
#: A producer's day, in order: (when, what).
DAY_IN_THE_LIFE = (
    ("early", "emails and urgent requests, listening to demos, feedback to artists and songwriters"),
    ("studio hours", "guide the artist and the band; capture the vocalist's tone and the drummer's beat correctly"),
    ("later", "edit and refine the tracks, work with the mixing engineer, oversee mastering"),
    ("all day", "communicate with the artist: feedback, encouragement, support"),
)
#: How an artist finds and chooses a producer.
FINDING_A_PRODUCER = (
    "Ask industry professionals and other musicians who they worked with.",
    "Research: check that the producer's background and sound fit your vision.",
    "Budget: check that their fees fit your budget.",
    "Past work: ask about their experience and listen to records they made.",
    "Ask what services they provide, what they charge and when payment is due, before you choose.",
)
#: When an artist needs a producer and when a recording engineer is enough.
WHO_TO_HIRE = {
    "engineer": "an artist who already hears the finished record in their head (for example a band that has "
    "rehearsed every part) may need only an engineer, to capture it well",
    "producer": "most artists want a producer to guide them: the song and its arrangement, the performances, "
    "the decisions, the budget and the schedule",
}

# --------------------------------------------------------------------------- an EP at day rates

#: The example rates the course prices an EP with, in pounds: people at freelance day rates inside
#: :data:`FREELANCE_DAY_RATE_GBP`; the studio's day rate and the fees are the course's example figures
#: (studio rates and fees vary widely). A mixing fee is charged per song, a mastering fee for the EP.
EP_RATES_GBP = {
    "producer day rate": 300,
    "recording engineer day rate": 250,
    "studio day rate": 400,
    "mixing fee per song": 300,
    "mastering fee": 350,
}

# --------------------------------------------------------------------------- money

_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def money(amount: float, currency: str = CURRENCY) -> str:
    """An amount as people write it: ``money(4800)`` is "£4,800", ``money(12.5, "EUR")`` "€12.50".

    Lesson: course/11-business.ipynb
    """
    amount = finite("amount", amount, hint="an amount of money such as 4800 or 12.5")
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    digits = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


def _check_amount(value, name: str, allow_zero: bool = True) -> float:
    hint = "money and days cannot be negative"
    return in_range(name, finite(name, value, hint=hint), 0, lo_open=not allow_zero, hint=hint)


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


# --------------------------------------------------------------------------- money after release


@dataclass(frozen=True)
class RoyaltyBreakdown:
    """Where the master revenue goes, with producer points paid out of the artist's royalty.

    Lesson: course/11-business.ipynb
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
    currency: str = CURRENCY
    streams: int | None = None
    notes: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        c = self.currency
        lines = []
        if self.streams is not None:
            lines.append(f"{self.streams:,} streams")
        lines += [
            f"Master revenue             {money(self.revenue, c):>12}",
            f"Label / master owner       {money(self.label_share, c):>12}  ({100 - self.artist_royalty_pct:g} %)",
            f"Artist royalty             {money(self.artist_royalty, c):>12}  ({self.artist_royalty_pct:g} %)",
            f"  producer points          {money(self.producer_royalty, c):>12}  ({self.producer_points:g} %)",
            f"  artist after producer    {money(self.artist_net, c):>12}",
            f"Producer advance           {money(self.advance, c):>12}",
            f"Producer paid now          {money(self.producer_paid, c):>12}",
            f"Still to recoup            {money(self.unrecouped, c):>12}",
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
    currency: str = CURRENCY,
) -> RoyaltyBreakdown:
    """What the producer's points earn from a record's master revenue, and what is left for the artist.

    A producer "point" is 1 % of the record's royalty base (traditionally the retail or dealer price,
    PPD; here simply the master revenue). Points are usually paid out of the artist's royalty (an
    "all-in" deal): with a 20 % artist royalty and 3 producer points, the artist keeps 17 %. Typical
    deals give the producer 2–5 points; :data:`ROYALTY_POINTS` (0.5–5) is the usual range. The
    producer's advance (the fee paid up front) is recouped from the producer's royalties: nothing
    more is paid until they exceed it.
    Real contracts add details (payment only after the artist recoups the recording costs,
    "retroactive to record one"); read the contract. The stream rate and the artist's royalty are the
    lesson's example figures, not market data.

    Sources: Donald S. Passman, *All You Need to Know About the Music Business* (Simon & Schuster), the
    chapter on record producers, summarised in his "Producer Deals" for TAXI,
    https://www.taxi.com/music-business-faq/makemoney/producer-deals-1 (points as a royalty percentage, the
    artist's "all-in" royalty that the producer is paid from, advances recouped from the producer's
    royalties, "record one"); Chris Castle, "Record Producer Agreements, Part 2: Recoupable vs.
    Nonrecoupable Payments and All-in vs. Net Artist Rate" (the producer royalty is payable only once the
    advance is recouped),
    https://musictechpolicy.wordpress.com/2012/01/02/twenty-more-questions-for-artists-record-producer-agreements-part-2

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

    Lesson: course/11-business.ipynb
    """
    if (streams is None) == (revenue is None):
        raise ParameterError("give either streams= or revenue=, not both or neither.")
    if streams is not None:
        whole("streams", streams, 0)
        rate = _check_amount(rate_per_stream, "rate_per_stream")
        base = streams * rate
    else:
        base = _check_amount(revenue, "revenue")
    points = in_range("producer_points", _check_amount(producer_points, "producer_points"), 0, 100, unit="%",
                      hint="points are a percentage of the royalty base (0–100), usually 2 to 5")
    artist_pct = in_range("artist_royalty_pct", _check_amount(artist_royalty_pct, "artist_royalty_pct"), 0, 100,
                          unit="%", hint="the artist's share of the master revenue (0–100), often 15 to 25")
    if points > artist_pct:
        raise ParameterError(
            f"{points:g} producer points are more than the artist's {artist_pct:g} % royalty they are paid from; "
            "give fewer points or a higher artist_royalty_pct."
        )
    advance = _check_amount(recoupable_advance, "recoupable_advance")
    notes = []
    low, high = ROYALTY_POINTS
    if points and not low <= points <= high:
        advice = f"{points:g} points is outside the usual {low:g}–{high:g} for a producer: " + (
            "check it is not a fee split or a co-writing share." if points > high else "is it worth writing down?"
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

    Lessons: 04, 11
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
            raise ParameterError(f"the splits add up to {total:.2f} %, not 100 %: {what}. Agree the shares again and "
                                 "give shares that add up to 100.")
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
