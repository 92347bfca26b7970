"""Checkers for the business lesson: an EP's budget, a producer's royalty, a split sheet, who to hire, the career.

Every answer is judged against the course's own data, the same the lesson prints:
:func:`producerkit.planning.ep_budget` and :data:`producerkit.business.EP_RATES_GBP` for the EP,
:func:`producerkit.business.royalties` for the points, :class:`producerkit.business.SplitSheet`'s
rule that shares add up to 100 %, :data:`producerkit.business.WHO_TO_HIRE` for the scenarios and
:data:`producerkit.business.CAREER_STEPS` for the career.

Lesson: course/11-business.ipynb
"""

from __future__ import annotations

import re
import warnings

from ..business import CAREER_PATH, CAREER_STEPS, WHO_TO_HIRE, SplitSheet, money, royalties
from ..planning import EP_STAGES, ep_budget
from ..stages import EVERY_STAGE, stage
from ._feedback import Feedback, as_number, how_close, is_unanswered, right, unanswered, wrong

__all__ = [
    "EP_LIMIT_GBP",
    "EP_SONGS",
    "HIRE_SCENARIOS",
    "ROYALTY_EXERCISE",
    "SPLIT_AGREEMENT",
    "SPLIT_DRAFT",
    "check_career_order",
    "check_ep_budget",
    "check_producer_royalty",
    "check_split_sheet",
    "check_who_to_hire",
]

# --------------------------------------------------------------------------- an EP to a limit

#: The EP of the budget exercise: three songs, and the money the artist has, in pounds.
EP_SONGS = 3
EP_LIMIT_GBP = 6_500


def _near_limit(total: float, limit: float) -> bool:
    return total <= limit * 1.10


def check_ep_budget(days, limit: float = EP_LIMIT_GBP, songs: int = EP_SONGS) -> Feedback:
    """Book an EP within a budget: ``{"preproduction": 1, "recording": 3, ...}`` days per stage.

    Right when every stage has at least a day, the recording has at least a day per song (a single
    needs at least one: :func:`producerkit.stages.stage`'s ``typical_days``), and the total with the
    10 % contingency fits ``limit``.

    Lesson: course/11-business.ipynb
    """
    what = "days for " + ", ".join(EP_STAGES)
    if is_unanswered(days):
        return unanswered(f"give the {what}.")
    if not isinstance(days, dict):
        return wrong(f"I expected a dict of stage -> days, got {type(days).__name__}.",
                     'keep the dict from the exercise and put a number of days after each stage.')
    unknown = [k for k in days if k not in EP_STAGES]
    if unknown:
        return wrong(f"{unknown[0]!r} is not one of the stages to book here ({', '.join(EP_STAGES)}).",
                     "keep the stage names exactly as the exercise gives them; only change the numbers.")
    todo = [k for k in EP_STAGES if is_unanswered(days.get(k))]
    if len(todo) == len(EP_STAGES):
        return unanswered(f"give the {what}.")
    if todo:
        return Feedback(None, f"still to book: {', '.join(todo)}.",
                        "put a number of days after every stage and run the cell again.")
    counts = {}
    for key in EP_STAGES:
        n = as_number(days[key])
        if n is None or n < 0 or n != int(n):
            return wrong(f"{days[key]!r} days for {key} is not a whole number of days.",
                         "book whole days: 0, 1, 2, ...")
        counts[key] = int(n)
    empty = [k for k in EP_STAGES if counts[k] == 0]
    if empty:
        return wrong(f"nothing is booked for {empty[0]}: {EVERY_STAGE}.",
                     f"give {empty[0]} at least one day, and save the money elsewhere.")
    per_song = stage("recording").typical_days[0]
    need = per_song * songs
    budget = ep_budget(songs, **counts, budget=limit)
    if counts["recording"] < need:
        return wrong(
            f"{counts['recording']} recording day{'s' if counts['recording'] != 1 else ''} for {songs} songs: at "
            f"least {per_song} day a song, or the singer is rushed and the takes show it. The studio is the "
            "expensive part, so it is tempting to cut it; cut elsewhere.",
            f"book {need} recording days and take the money from the producer's other days.",
        )
    total, left = budget.total, budget.remaining
    if left < 0:
        over = money(-left)
        close = "close: " if _near_limit(total, limit) else ""
        if counts["recording"] > need:
            hint = (f"a studio day costs {money(_studio_day())} with the engineer and the producer, plus 10 %: book "
                    f"one a song ({need}) and cut the extra studio days first, then the producer's days.")
        else:
            hint = (f"cut the producer's days (each costs {money(_producer_day())} with its contingency); the "
                    "studio days are already one a song.")
        if budget.subtotal <= limit:
            return wrong(
                f"{close}{money(total)} with the contingency: {over} over the {money(limit)} the artist has. Without "
                f"the reserve it fits ({money(budget.subtotal)}), but something always takes an extra day.", hint)
        return wrong(f"{close}{money(total)} with the contingency is {over} over the {money(limit)} the artist has.",
                     hint)
    return right(
        f"{money(total)} with the 10 % contingency, {money(left)} left of {money(limit)}: every stage is "
        f"booked and the recording has a day per song. The studio days cost most ({money(_studio_day())} each "
        "with the engineer and the producer), which is why pre-production happens before the studio.",
    )


def _producer_day() -> float:
    one = ep_budget(1, preproduction=1, recording=0, editing=0, overdubs=0, delivery=0)
    return sum(r.cost for r in one.rows if r.stage == "preproduction") * (1 + one.contingency_rate)


def _studio_day() -> float:
    one = ep_budget(1, preproduction=0, recording=1, editing=0, overdubs=0, delivery=0)
    return sum(r.cost for r in one.rows if r.stage == "recording")


# --------------------------------------------------------------------------- a producer's royalty

def _pounds(answer) -> float | None:
    """An amount as a number: 720, 720.0, "720", "£720", "£1,200.50" or "720 pounds"; None if it is not one."""
    if isinstance(answer, str):
        text = re.sub(r"\s*(pounds?|gbp)$", "", answer.strip().lower())
        text = text.removeprefix("£").strip()
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        answer = text
    return as_number(answer)


#: The release of the royalty exercise: its master revenue in pounds and the producer's points.
ROYALTY_EXERCISE = {"revenue": 24_000, "points": 3, "artist_royalty_pct": 20}


def check_producer_royalty(answer, revenue: float = ROYALTY_EXERCISE["revenue"],
                           points: float = ROYALTY_EXERCISE["points"],
                           artist_royalty_pct: float = ROYALTY_EXERCISE["artist_royalty_pct"]) -> Feedback:
    """What the producer's points earn from a release's master revenue, in pounds.

    Lesson: course/11-business.ipynb
    """
    if is_unanswered(answer):
        return unanswered("how many pounds do the producer's points earn?")
    value = _pounds(answer.producer_royalty if hasattr(answer, "producer_royalty") else answer)
    if value is None:
        return wrong(f"{answer!r} is not an amount of money.", "answer with a number of pounds, e.g. 100 or "
                     '"£100".')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = royalties(points, revenue=revenue, artist_royalty_pct=artist_royalty_pct)
    truth = r.producer_royalty
    how = f"{points:g} points are {points:g} % of the {money(revenue)}: {money(truth)}"
    if abs(value - truth) <= 1:
        return right(
            f"{how}. In an all-in deal that comes out of the artist's {artist_royalty_pct:g} % "
            f"({money(r.artist_royalty)}), who keeps {money(r.artist_net)}; any advance the producer had is "
            "recouped from it first.")
    traps = {
        revenue * points / 100 * artist_royalty_pct / 100: (
            f"that is {points:g} % of the artist's royalty. A point is 1 % of the whole royalty base (here the "
            "master revenue), even though it is paid out of the artist's share.",
            f"take {points:g} % of {money(revenue)}."),
        revenue * points / 10: ("a factor of 10 out: 3 % is 0.03 of the amount, not 0.3.",
                                f"multiply {money(revenue)} by {points:g} / 100."),
        revenue * points / 1000: ("a factor of 10 out: 3 % is 0.03 of the amount, not 0.003.",
                                  f"multiply {money(revenue)} by {points:g} / 100."),
        revenue * points: ("that is the revenue times the points: a point is a percent, so divide by 100.",
                           f"multiply {money(revenue)} by {points:g} / 100."),
        r.artist_net: ("that is what the artist keeps after the producer's points, not the points themselves.",
                       f"take {points:g} % of {money(revenue)}."),
        r.artist_royalty: ("that is the artist's whole royalty; the producer's points are a part of it.",
                           f"take {points:g} % of {money(revenue)}."),
    }
    for wrong_value, (message, hint) in traps.items():
        if abs(value - wrong_value) <= max(1, 0.005 * wrong_value):
            return wrong(message, hint)
    if abs(value - truth) <= 0.05 * truth:
        return wrong(f"close: {money(value)} is within 5 % of it, but the points earn an exact amount.",
                     f"{points:g} % of {money(revenue)} is {money(revenue)} × {points:g} / 100.")
    return wrong(f"{money(value)} is not what {points:g} points earn on {money(revenue)}.",
                 f"a point is 1 % of the royalty base: multiply {money(revenue)} by {points:g} / 100.")


# --------------------------------------------------------------------------- a split sheet

#: The draft split sheet of the exercise: Kai's bridge was added on top, so it adds up to 110 %.
SPLIT_DRAFT = (("Noor Haddad", 60, "lyrics and melody"), ("Ana Ruiz", 40, "music"), ("Kai Moreno", 10, "the bridge"))
#: What the writers agreed: Kai's bridge is 10 %; Noor and Ana share the rest 60:40, as they did before.
SPLIT_AGREEMENT = {"Kai Moreno": 10.0, "ratio": ("Noor Haddad", "Ana Ruiz", 60, 40)}


def _agreed_shares() -> dict[str, float]:
    kai = SPLIT_AGREEMENT["Kai Moreno"]
    a, b, ra, rb = SPLIT_AGREEMENT["ratio"]
    rest = 100.0 - kai
    return {a: rest * ra / (ra + rb), b: rest * rb / (ra + rb), "Kai Moreno": kai}


def _writer(name) -> str | None:
    text = re.sub(r"[^a-z]", "", str(name).lower())
    for full, *_ in SPLIT_DRAFT:
        first, last = full.lower().split()
        if text in (first, last, first + last):
            return full
    return None


def _shares(answer) -> dict | str | Feedback:
    """{writer: share} from a SplitSheet, a list of (name, share[, role]) or a dict; or why it cannot be read
    (a string), or the Feedback for an answer not finished yet."""
    if isinstance(answer, SplitSheet):
        rows = [(n, s) for n, s, _ in answer.writers]
    elif isinstance(answer, dict):
        rows = list(answer.items())
    elif isinstance(answer, list | tuple):
        rows = []
        for row in answer:
            if not isinstance(row, list | tuple) or len(row) not in (2, 3):
                return f"each writer is (name, share, role); {row!r} is not."
            rows.append((row[0], row[1]))
    else:
        return f"I expected a list of (name, share, role), got {type(answer).__name__}."
    if rows and all(is_unanswered(share) for _, share in rows):
        return unanswered("write the fixed split sheet: each writer's share, adding up to 100 %.")
    out = {}
    for name, share in rows:
        who = _writer(name)
        if who is None:
            return f"{name!r} is not one of the writers ({', '.join(n for n, *_ in SPLIT_DRAFT)})."
        value = as_number(share)
        if is_unanswered(share):
            return Feedback(None, f"{who}'s share is still to do.", "give every writer a percentage and run the "
                            "cell again.")
        if value is None or value <= 0:
            return f"{who}'s share must be a positive percentage (got {share!r})."
        if who in out:
            return f"{who} is listed twice; give each writer one row with their whole share."
        out[who] = value
    return out


def check_split_sheet(answer) -> Feedback:
    """Fix the draft split sheet: every writer, shares that add up to 100 %, as the writers agreed.

    Accepts a :class:`producerkit.business.SplitSheet`, a list of ``(name, share, role)`` or a dict
    ``{name: share}``.

    Lesson: course/11-business.ipynb
    """
    if is_unanswered(answer):
        return unanswered("write the fixed split sheet: each writer's share, adding up to 100 %.")
    shares = _shares(answer)
    if isinstance(shares, Feedback):
        return shares
    if isinstance(shares, str):
        return wrong(shares, "keep the three writers' rows from the draft and change only the shares.")
    missing = [n for n, *_ in SPLIT_DRAFT if n not in shares]
    if missing:
        return wrong(f"{missing[0]} is missing: a writer left off the split sheet is paid nothing for the song.",
                     "keep all three writers on the sheet.")
    total = sum(shares.values())
    agreed = _agreed_shares()
    wanted = ", ".join(f"{n.split()[0]} {v:g} %" for n, v in agreed.items())
    if abs(total - 1.0) <= 0.01:
        noor = shares[SPLIT_DRAFT[0][0]]
        return wrong(f"the shares add up to {total:g}: those are fractions of the song, and a split sheet is "
                     "written in percentages that add up to 100.",
                     f"write percentages, not fractions: {100 * noor:g}, not {noor:g}.")
    if abs(total - 100.0) > SplitSheet.TOLERANCE + 1e-9:
        gap = 100.0 - total
        if gap > 0:
            a, b, ra, rb = SPLIT_AGREEMENT["ratio"]
            kai = SPLIT_AGREEMENT["Kai Moreno"]
            return wrong(f"the shares add up to {total:.2f} %, not 100 %: {gap:.2f} % is unassigned, and a share "
                         "nobody holds is paid to nobody.",
                         f"the three shares must add up to 100: Kai {kai:g}, and the other {100 - kai:g} split "
                         f"{ra}:{rb}.")
        return wrong(f"the shares add up to {total:.2f} %, not 100 %: {-gap:.2f} % too much is promised.",
                     "Kai's 10 % must come out of Noor's and Ana's shares, not on top of them.")
    kai = SPLIT_AGREEMENT["Kai Moreno"]
    if abs(shares["Kai Moreno"] - kai) > 0.01:
        return wrong(f"it adds up to 100 %, but Kai agreed to {kai:g} % for the bridge, not "
                     f"{shares['Kai Moreno']:g} %.", f"give Kai {kai:g} % and share the rest 60:40.")
    off = [n for n in agreed if abs(shares[n] - agreed[n]) > 0.01]
    if off:
        a, b, ra, rb = SPLIT_AGREEMENT["ratio"]
        return wrong(
            f"close: it adds up to 100 % and Kai has {kai:g} %, but Noor and Ana agreed to keep their {ra}:{rb} "
            f"split of what is left, and {shares[a]:g}:{shares[b]:g} is not {ra}:{rb}.",
            f"the {100 - kai:g} % left splits {ra}:{rb}: {a.split()[0]} gets {ra}/{ra + rb} of it and "
            f"{b.split()[0]} {rb}/{ra + rb}.",
        )
    return right(f"{wanted}: 100 %, as agreed. Everyone signs it now, while they remember the same story.")


# --------------------------------------------------------------------------- engineer or producer

#: The scenarios of the hiring exercise: (what the artist says, who they need, why).
HIRE_SCENARIOS = {
    "A": ("A four-piece band has played these songs live for two years and rehearsed every part. They know "
          "exactly how the record should sound and want it captured cleanly in two days.", "engineer",
          WHO_TO_HIRE["engineer"] + "."),
    "B": ("A singer-songwriter has twelve voice memos and a notebook of lyrics, and no idea yet how the songs "
          "should sound or which of them belong on the EP.", "producer",
          "choosing the songs, shaping the arrangements and finding the sound is a producer's job: most artists "
          "want a producer to guide them."),
    "C": ("A rapper has finished songs but keeps losing the energy of a verse between takes, and needs someone "
          "to coach the delivery, pick the best takes and keep the sessions on schedule and to budget.",
          "producer",
          "coaching performances, choosing takes and keeping the schedule and budget are the producer's job; an "
          "engineer captures the takes but does not direct them."),
}


def _parse_hire(value) -> str | None:
    text = re.sub(r"^(an|a|the|just an?)\s+", "", " ".join(str(value).lower().split()))
    text = re.sub(r"[^a-z]", "", text)
    if text in ("engineer", "recordingengineer", "soundengineer", "audioengineer", "justanengineer", "eng"):
        return "engineer"
    if text in ("producer", "musicproducer", "recordproducer", "prod"):
        return "producer"
    return None


def check_who_to_hire(answers) -> Feedback:
    """Who each artist of :data:`HIRE_SCENARIOS` needs: ``{"A": "engineer" | "producer", ...}``.

    Lesson: course/11-business.ipynb
    """
    if is_unanswered(answers):
        return unanswered('answer "engineer" or "producer" for scenarios A, B and C.')
    if not isinstance(answers, dict):
        return wrong(f"I expected a dict of scenario -> who, got {type(answers).__name__}.",
                     'keep the dict from the exercise: {"A": ..., "B": ..., "C": ...}.')
    keys = {str(k).strip().upper(): v for k, v in answers.items()}
    unknown = [k for k in keys if k not in HIRE_SCENARIOS]
    if unknown:
        return wrong(f"there is no scenario {unknown[0]!r}; the scenarios are A, B and C.",
                     "only change the values after each letter.")
    todo = [k for k in HIRE_SCENARIOS if is_unanswered(keys.get(k))]
    if len(todo) == len(HIRE_SCENARIOS):
        return unanswered('answer "engineer" or "producer" for scenarios A, B and C.')
    for k, v in keys.items():
        if k not in todo and _parse_hire(v) is None:
            return wrong(f"{v!r} (for {k}) is neither an engineer nor a producer.",
                         'answer "engineer" or "producer" for each scenario.')
    mistakes = [k for k in HIRE_SCENARIOS if k not in todo and _parse_hire(keys[k]) != HIRE_SCENARIOS[k][1]]
    if mistakes:
        k = mistakes[0]
        _, who, why = HIRE_SCENARIOS[k]
        lead = how_close(len(mistakes), len(HIRE_SCENARIOS) - len(todo), "scenarios", "off")
        article = "an" if who[0] in "aeiou" else "a"
        which = "scenario" if lead.endswith(": ") else "Scenario"
        return wrong(f"{lead}{which} {k} needs {article} {who}: {why}",
                     "ask of each artist: do they already know how the record should sound (an engineer captures "
                     "it), or do they need someone to guide the songs, the performances and the sessions "
                     "(a producer)?")
    if todo:
        return Feedback(None, f"{len(HIRE_SCENARIOS) - len(todo)} of {len(HIRE_SCENARIOS)} answered; still to do: "
                        f"{', '.join(todo)}.", "answer every scenario and run the cell again.")
    return right("A needs an engineer to capture a record the band already hears; B and C need a producer to guide "
                 "the songs, the performances and the sessions. Many producers also engineer, but the jobs differ.")


# --------------------------------------------------------------------------- the career

_STEP_WORDS = {
    "runner or intern": ("runner", "intern", "runnerorintern", "assistantengineer", "runnerinternorassistantengineer"),
    "assistant producer": ("assistantproducer", "assistant"),
    "producer": ("producer",),
    "labels, studios and production deals": ("labelsstudiosandproductiondeals", "labels", "productiondeals",
                                             "labelsandstudios", "deals", "studios"),
    "senior roles": ("seniorroles", "senior", "seniorrole"),
}


def _step(value) -> str | None:
    text = re.sub(r"[^a-z]", "", str(value).lower())
    for key, words in _STEP_WORDS.items():
        if text in words:
            return key
    return None


def _twice(key: str, first, second) -> Feedback:
    """Two answers that are the same career step: name what the student wrote, and which step it is."""
    if re.sub(r"[^a-z]", "", str(first).lower()) == re.sub(r"[^a-z]", "", str(second).lower()):
        return wrong(f"{second!r} is in the list twice.", "give each step once.")
    n = CAREER_STEPS.index(key)
    what = CAREER_PATH[n].split(":")[0].split(", plus")[0]
    which = "the first step" if n == 0 else f"step {n + 1}"
    message = f"{second!r} is part of {which} ({what[0].lower() + what[1:]}), the same step as {first!r}."
    if n + 1 < len(CAREER_STEPS):
        nxt = CAREER_PATH[n + 1].split(":")
        return wrong(f"{message} Step {n + 2} is {CAREER_STEPS[n + 1]!r}: {nxt[1].strip()}.",
                     f"give each step once, as the exercise words it: {', '.join(map(repr, CAREER_STEPS))}.")
    return wrong(message, f"give each step once, as the exercise words it: {', '.join(map(repr, CAREER_STEPS))}.")


def check_career_order(order) -> Feedback:
    """Put :data:`producerkit.business.CAREER_STEPS` in the order a career usually takes them.

    Lesson: course/11-business.ipynb
    """
    if is_unanswered(order):
        return unanswered("list the career steps, first to last.")
    if isinstance(order, str) or not isinstance(order, list | tuple):
        return wrong(f"I expected a list of the steps, got {type(order).__name__}.",
                     'a list of strings, e.g. ["runner or intern", ...].')
    steps, written = [], {}
    for item in order:
        key = _step(item)
        if key is None:
            return wrong(f"{item!r} is not one of the steps: {', '.join(map(repr, CAREER_STEPS))}.",
                         "use the steps exactly as the exercise lists them.")
        if key in written:
            return _twice(key, written[key], item)
        written[key] = item
        steps.append(key)
    missing = [s for s in CAREER_STEPS if s not in steps]
    if missing:
        return wrong(f"{len(steps)} of the {len(CAREER_STEPS)} steps; missing: {', '.join(map(repr, missing))}.",
                     "put every step in the list.")
    if steps == list(CAREER_STEPS):
        return right("runner or intern, assistant producer, producer, then labels, studios and production deals, "
                     "and senior roles: running a studio, executive producer, or moving into mixing, mastering, "
                     "A&R or creative direction. Networking and a signature sound help at every step.")
    first_wrong = next(i for i, (a, b) in enumerate(zip(steps, CAREER_STEPS, strict=True)) if a != b)
    should = CAREER_STEPS[first_wrong]
    swapped = [i for i in range(len(steps) - 1) if steps[i] == CAREER_STEPS[i + 1] and steps[i + 1] == CAREER_STEPS[i]]
    rest_right = swapped and all(steps[i] == CAREER_STEPS[i] for i in range(len(steps))
                                 if i not in (swapped[0], swapped[0] + 1))
    why = CAREER_PATH[first_wrong]
    if rest_right:
        i = swapped[0]
        return wrong(f"close: only {CAREER_STEPS[i]!r} and {CAREER_STEPS[i + 1]!r} are swapped. Step {i + 1} is "
                     f"{CAREER_STEPS[i]!r}: {why[0].lower() + why[1:]}.",
                     f"swap {CAREER_STEPS[i]!r} and {CAREER_STEPS[i + 1]!r}.")
    return wrong(f"step {first_wrong + 1} is {should!r}, not {steps[first_wrong]!r}: {why[0].lower() + why[1:]}.",
                 "each step builds on the one before: you learn the workflow, then contribute ideas beside a "
                 "producer, then take your own clients, then deals, then senior roles.")

