"""Lesson 11's text says what its cells show and what the course's data holds, and the data is the fact sheet's.

- the money: salaries, day rates and royalty points in the prose are ``producerkit.business``'s figures, in pounds,
  and those are the fact sheet's (FACTS.md, "Money");
- the EP: the rates, the £6,500, the draft's days, its £7,865 total and £1,365 overspend, and the £950 studio day
  are what the lesson's own cells compute with ``ep_budget``;
- the royalty example: "£90 of the £3,000, out of the artist's £600, £410 still to recoup" is what its cell prints;
- the exercises' figures (the £24,000 and 3 points, Kai's 10 % and the 60:40, the shuffled career steps) are the
  checkers' data, and the lesson's own exercise cells, answered right, are judged right;
- the timeline: one bar per era of ``HISTORY``, 1950 to 2030, with every change in its hover text; the eras, the
  notable producers, the day, the search for a producer and who to hire are the fact sheet's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from producerkit import business, stages
from producerkit.checks.business import (
    EP_LIMIT_GBP,
    EP_SONGS,
    HIRE_SCENARIOS,
    ROYALTY_EXERCISE,
    SPLIT_AGREEMENT,
    SPLIT_DRAFT,
)
from producerkit.planning import ep_budget, ep_plan
from producerkit.plots import history_figure

from .lesson_cells import Expr, code_cells, markdown, run_cells, run_lesson

LESSON = "11-business"
FACT_SHEET = Path(__file__).resolve().parents[2] / "shared" / "FACTS.md"


def _prose() -> str:
    return " ".join(markdown(LESSON).split())


def _facts() -> str:
    if not FACT_SHEET.exists():
        pytest.skip(f"{FACT_SHEET} is not next to this checkout")
    return " ".join(FACT_SHEET.read_text(encoding="utf-8").split())


def _section(text: str, heading: str) -> str:
    return text.split(f"## {heading}")[1].split(" ## ")[0]


@pytest.fixture(scope="module")
def setup():
    return run_cells(LESSON, ["b11-setup"])[0]


# --------------------------------------------------------------------------- money


def test_the_money_in_the_prose_is_the_courses_data():
    text = _prose()
    (entry_lo, entry_hi), (mid_lo, mid_hi) = sorted(business.SALARIES_GBP.values())
    day_lo, day_hi = business.FREELANCE_DAY_RATE_GBP
    pts_lo, pts_hi = business.ROYALTY_POINTS
    for said in (f"£{entry_lo:,}–£{entry_hi:,} a year", f"£{mid_lo:,}–£{mid_hi:,} a year",
                 f"£{day_lo}–£{day_hi} a day", f"{pts_lo:g}–{pts_hi:g} %"):
        assert said in text, said
        assert said in text.split("## Summary")[1], f"the summary says {said!r} too"
    # every range of money in the text is one of the course's
    for low, high, unit in re.findall(r"£([\d,]+)–£([\d,]+) a (day|year)", text):
        pair = (int(low.replace(",", "")), int(high.replace(",", "")))
        assert pair in ({(day_lo, day_hi)} if unit == "day" else set(business.SALARIES_GBP.values())), pair
    assert "€" not in text and "$" not in text
    assert "typical UK figures, which vary widely" in text and "not as rules" in text


def test_the_money_is_the_fact_sheets():
    facts = _section(_facts(), "Money (typical UK figures; they vary widely)")
    (entry_lo, entry_hi), (mid_lo, mid_hi) = sorted(business.SALARIES_GBP.values())
    assert f"£{entry_lo:,}–£{entry_hi:,} a year" in facts and f"£{mid_lo:,}–£{mid_hi:,} a year" in facts
    assert "£{}–£{} a day".format(*business.FREELANCE_DAY_RATE_GBP) in facts
    assert "typically {:g}–{:g} %".format(*business.ROYALTY_POINTS) in facts
    for rate in ("producer day rate", "recording engineer day rate"):  # people are paid freelance day rates
        assert business.FREELANCE_DAY_RATE_GBP[0] <= business.EP_RATES_GBP[rate] <= business.FREELANCE_DAY_RATE_GBP[1]


def test_the_income_table_shows_the_data(setup):
    ns, shown = run_cells(LESSON, ["b11-income-table"], dict(setup))
    page = shown.data
    for lo, hi in business.SALARIES_GBP.values():
        assert f"£{lo:,}–£{hi:,} a year" in page
    assert "£200–£350 a day" in page and "0.5–5 % (points)" in page


# --------------------------------------------------------------------------- the EP


def test_the_ep_figures_in_the_text_are_what_the_cells_compute(setup):
    text = _prose()
    rates = business.EP_RATES_GBP
    assert f"The studio's £{rates['studio day rate']} a day" in text
    assert f"The artist has **£{EP_LIMIT_GBP:,}**" in text
    assert f"### Exercise 2 · Budget the EP to £{EP_LIMIT_GBP:,}" in text
    ns, budget = run_cells(LESSON, ["b11-draft"], dict(setup))
    assert ns["draft"] == {"preproduction": 2, "recording": 4, "editing": 2, "overdubs": 2, "delivery": 1}
    assert "two days of pre-production, four in the studio, two of editing, two of overdubs and a delivery day" in text
    assert budget == ep_budget(EP_SONGS, **ns["draft"], budget=EP_LIMIT_GBP)
    assert f"The draft costs £{budget.total:,.0f} with its contingency: £{-budget.remaining:,.0f} over" in text
    assert budget.contingency_rate == 0.10 and "10 % here" in text
    studio_day = rates["studio day rate"] + rates["recording engineer day rate"] + rates["producer day rate"]
    assert f"£{studio_day} before the contingency" in text
    assert "three-song EP" in text and EP_SONGS == 3


def test_the_ep_exercise_cell_answered_right_is_judged_right():
    ns = run_lesson(LESSON, tags=("setup", "exercise", "check"), upto="producer_royalty = ...",
                    answers={"ep_days": {"preproduction": 2, "recording": 3, "editing": 1, "overdubs": 1,
                                         "delivery": 1}}, cache=False)
    fb = ns["Out"][ns.cell_of("check_ep_budget(ep_days)")]
    assert fb.correct is True, str(fb)
    unanswered = run_lesson(LESSON, tags=("setup", "exercise", "check"), upto="producer_royalty = ...")
    assert unanswered["Out"][unanswered.cell_of("check_ep_budget(ep_days)")].correct is None


def test_the_budget_sliders_start_at_the_draft_and_reprice(setup):
    ns, _ = run_cells(LESSON, ["b11-draft", "b11-budget-tweak"], dict(setup))
    assert {k: s.value for k, s in ns["day_sliders"].items()} == ns["draft"]
    assert "Over budget by</th><th>£1,365" in ns["budget_view"].value
    ns["day_sliders"]["recording"].value = 3
    ns["day_sliders"]["overdubs"].value = 1
    expected = ep_budget(EP_SONGS, **{**ns["draft"], "recording": 3, "overdubs": 1}, budget=EP_LIMIT_GBP)
    assert f"£{abs(expected.remaining):,.0f}" in ns["budget_view"].value


def test_the_ep_is_shown_as_a_schedule_stage_after_stage(setup):
    """W11 item 1: the EP's days in order on a schedule; the mix waits for the overdubs; delivery 3-4 weeks ahead."""
    import datetime as dt

    ns, fig = run_cells(LESSON, ["b11-draft", "b11-schedule-fig"], dict(setup))
    plan = ep_plan(EP_SONGS, **ns["draft"])
    order = [s.stage for s in sorted(plan.sessions, key=lambda s: s.start)]
    assert order == ["preproduction", "recording", "editing", "overdubs", "mixing", "mastering", "delivery"]
    spans = {s.stage: s for s in plan.sessions}
    for key, session in spans.items():
        if key in ns["draft"]:
            assert session.days == ns["draft"][key], key
    for before, after in zip(order[:-1], order[1:], strict=True):
        assert spans[after].start == spans[before].end + dt.timedelta(days=1), (before, after)
    assert spans["mixing"].days == EP_SONGS and spans["mastering"].days == 1
    assert spans["preproduction"].start == dt.date(2026, 3, 2) and "from Monday 2 March" in _prose()
    lead = (plan.release_date - spans["delivery"].end).days
    assert 21 <= lead <= 28 and plan.release_date.weekday() == 4  # a Friday, three to four weeks on
    # the figure is that plan: every stage a bar, the release marked
    assert {t.name for t in fig.data} == {stages.stage(k).name for k in order}
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == plan.release_date.isoformat()
    assert fig.layout.xaxis.title.text == "date" and fig.layout.yaxis.title.text == "session"
    # the overdubs are in the producer's own room: no studio, no engineer, as the text says
    assert spans["overdubs"].studio is None and "recording engineer" not in spans["overdubs"].people
    assert spans["recording"].studio and "recording engineer" in spans["recording"].people
    text = _prose()
    assert ("The overdubs here (the pad, a guitar double) are played or programmed in the producer's own room, so "
            "they need neither the studio nor the engineer.") in text
    assert "The mix can start only when the overdubs are done, so a late overdub day moves every date after it" in text
    assert "three to four weeks before the release" in text and "at least 7 days ahead" in text
    # a late overdub day moves every date after it
    late = ep_plan(EP_SONGS, **{**ns["draft"], "overdubs": ns["draft"]["overdubs"] + 1})
    later = {s.stage: s for s in late.sessions}
    for key in ("mixing", "mastering", "delivery"):
        assert later[key].start == spans[key].start + dt.timedelta(days=1), key
    # the schedule and the budget are one plan
    assert plan.budget().total == ep_budget(EP_SONGS, **ns["draft"]).total


def test_the_income_widget_reads_as_a_sentence_and_the_freelancers_costs_are_said(setup):
    """W11 item 9: one colon per line, and a day rate's hidden costs."""
    ns, _ = run_cells(LESSON, ["b11-income-widget"], dict(setup))
    shown = ns["income_view"].value
    assert ("entry level (assistant, runner, junior engineer), £18,000–£25,000 a year: 84 booked days reach the "
            "top of it") in shown
    assert "mid-level and experienced, in studio roles, £28,000–£45,000 a year: 150 booked days reach" in shown
    for line in shown.split("<br>")[1:]:
        assert line.count(":") == 1, line
    assert ("A day rate is paid only for the days you are booked, and the freelancer pays for their own gear, time "
            "off and pension: employment gives stability.") in _prose()


def test_facts_beyond_the_fact_sheet_cite_a_source():
    """W11 item 7: points, the all-in deal, the advance, the pitch before release: each with a primary source."""
    import inspect

    from producerkit import planning

    doc = inspect.getdoc(business.royalties)
    assert "Sources:" in doc and "Passman" in doc and "all-in" in doc
    assert "Sources:" in inspect.getdoc(planning.ep_plan) and "support.spotify.com" in inspect.getdoc(planning.ep_plan)
    text = _prose()
    points = _section(markdown(LESSON), "8 · Producer points and how royalties flow")
    assert "*Sources:*" in points and "Passman" in points and "example figures" in points
    assert "Spotify for Artists" in text and "support.spotify.com" in text
    assert "£0.003 (an example rate" in text


# --------------------------------------------------------------------------- royalties


def test_the_royalty_example_says_what_its_cell_prints(setup, capsys):
    run_cells(LESSON, ["b11-points-flow"], dict(setup))
    printed = capsys.readouterr().out
    r = business.royalties(3, streams=1_000_000, rate_per_stream=0.003, artist_royalty_pct=20, recoupable_advance=500)
    assert printed.strip() == str(r)
    text = _prose()
    assert (f"The producer's 3 points earn £{r.producer_royalty:,.0f} of the £{r.revenue:,.0f}, which comes out of "
            f"the artist's £{r.artist_royalty:,.0f}") in text
    assert f"£{r.unrecouped:,.0f} is still to recoup" in text and r.producer_paid == 0
    assert "a million times" in text and "£0.003" in text and "a £500 advance" in text and "3 points" in text


def test_the_royalty_exercise_is_the_checkers():
    text = _prose()
    ex = ROYALTY_EXERCISE
    assert (f"An EP earns **£{ex['revenue']:,}** of master revenue in its first year. The artist's royalty is "
            f"{ex['artist_royalty_pct']} % and the producer has **{ex['points']} points**") in text
    ns = run_lesson(LESSON, tags=("setup", "exercise", "check"), upto="fixed_splits = [",
                    answers={"producer_royalty": 720}, cache=False)
    assert ns["Out"][ns.cell_of("check_producer_royalty(producer_royalty)")].correct is True


# --------------------------------------------------------------------------- split sheets


def test_the_split_sheet_story_is_the_checkers(setup, capsys):
    text = _prose()
    kai = SPLIT_AGREEMENT["Kai Moreno"]
    a, b, ra, rb = SPLIT_AGREEMENT["ratio"]
    assert f"Kai's bridge is worth **{kai:g} %**, and Noor and Ana share the rest **{ra}:{rb}**" in text
    ns, sheet = run_cells(LESSON, ["b11-splits-sheet"], dict(setup))
    assert {n: s for n, s, _ in sheet.writers} == {a: ra, b: rb}  # the 60:40 they had before Kai
    from .lesson_cells import literal
    assert literal(LESSON, "fixed_splits")[0][0] == SPLIT_DRAFT[0][0]
    run_cells(LESSON, ["b11-splits-refused"], dict(setup))
    assert "add up to 110.00 %, not 100 %" in capsys.readouterr().out
    assert sum(s for _, s, _ in SPLIT_DRAFT) == 110
    right = [(n, {a: 54, b: 36, "Kai Moreno": 10}[n], r) for n, _, r in SPLIT_DRAFT]
    ns = run_lesson(LESSON, tags=("setup", "exercise", "check"), upto="career = ...",
                    answers={"fixed_splits": right}, cache=False)
    assert ns["Out"][ns.cell_of("check_split_sheet(fixed_splits)")].correct is True


# --------------------------------------------------------------------------- who to hire, the career


def test_the_hire_and_career_exercises_answered_right_are_judged_right():
    hires = {k: who for k, (_, who, _) in HIRE_SCENARIOS.items()}
    ns = run_lesson(LESSON, tags=None, answers={"hire": hires, "career": list(business.CAREER_STEPS)}, cache=False)
    assert ns["Out"][ns.cell_of("check_who_to_hire(hire)")].correct is True
    assert ns["Out"][ns.cell_of("check_career_order(career)")].correct is True
    shuffled = re.search(r"shuffled: (.*?)\. Put them in order", _prose()).group(1)
    steps = re.findall(r'`"([^"]+)"`', shuffled)
    assert sorted(steps) == sorted(business.CAREER_STEPS) and steps != list(business.CAREER_STEPS)


def test_the_scenarios_and_who_to_hire_are_the_fact_sheets():
    facts = _section(_facts(), "Producer compared with recording engineer")
    assert "already hears the finished record in their head" in facts and "may need only an engineer" in facts
    assert "Most artists want a producer to guide them" in facts
    assert "already hears the finished record in their head" in business.WHO_TO_HIRE["engineer"]
    assert "rehearsed every part" in HIRE_SCENARIOS["A"][0] and HIRE_SCENARIOS["A"][1] == "engineer"


def test_the_career_is_the_fact_sheets():
    facts = _section(_facts(), "Career path")
    steps = re.findall(r"\d\. ([^:.]+)", facts)
    assert len(steps) == len(business.CAREER_PATH) == len(business.CAREER_STEPS) == 5
    for step, short in zip(steps, business.CAREER_STEPS, strict=True):
        assert short.split()[0].rstrip(",").lower() in step.lower(), (short, step)
    for branch in business.CAREER_BRANCHES:
        assert branch.split()[0].lower() in facts.lower(), branch
    text = _prose()
    assert "most opportunities come through recommendations and relationships" in text


# --------------------------------------------------------------------------- the timeline and the job


def test_the_timeline_has_one_bar_per_era_with_what_changed_on_hover(setup):
    _, fig = run_cells(LESSON, ["b11-history-fig"], dict(setup))
    bars = fig.data[0]
    eras = business.HISTORY
    assert list(bars.base) == [e.start for e in eras] and [b + x for b, x in zip(bars.base, bars.x, strict=True)] == [
        e.end for e in eras]
    assert eras[0].start == 1950 and eras[-1].name == "2020s"
    assert list(fig.layout.xaxis.range) == [1950, 2030] and fig.layout.xaxis.dtick == 10
    for era, label, hover in zip(eras, bars.y, bars.customdata, strict=True):
        assert label.startswith(era.name)
        for change in era.changes:
            assert change in hover
        for name in era.producers:
            assert name in hover
    assert fig.layout.xaxis.title.text == "when (year)" and fig.layout.yaxis.title.text == "era"
    assert "Hover over an era" in _prose()
    # W11 item 2: the notable producers are on the timeline, and the text says which eras name producers
    on_bars = " ".join(bars.customdata)
    for name in business.NOTABLE_PRODUCERS:
        assert name in on_bars, name
    named = [e.name for e in eras if e.producers]
    assert named == ["1950s–60s", "1980s"]
    assert f"the {named[0]} and the {named[1]} also name producers who shaped them" in _prose()
    assert "who shaped it." not in _prose()


def test_the_history_is_the_fact_sheets():
    facts = _section(_facts(), "History of the role")
    decades = re.findall(r"\*\*(\d{4}s(?:–\d\ds)?):\*\*", facts)
    assert decades == [e.name for e in business.HISTORY]
    for era in business.HISTORY:
        line = facts.split(f"**{era.name}:**")[1].split("**")[0].lower()
        for change in era.changes:
            words = [w for w in re.findall(r"[a-z]{4,}", change.lower()) if w not in ("becomes", "record", "only")]
            assert any(w in line for w in words), (era.name, change)
        for name in era.producers:
            who, _, what = name.partition(" (")
            if who.lower() in line:
                continue
            # otherwise a notable producer, with what the fact sheet says they did (Thriller; early Def Jam)
            entry = facts.split(f"**{who}:**")[1].split("**")[0].replace("*", "").lower()
            assert what and what.rstrip(")").lower() in entry, (era.name, name)
    for name, known_for in business.NOTABLE_PRODUCERS.items():
        entry = facts.split(f"**{name}:**")[1].split("**")[0]
        assert known_for.split(":")[0].split(";")[0].strip('"') in entry.replace("*", ""), name
    text = _prose()
    assert "Phil Spector and George Martin" in text and "creative architect" in text
    assert "AI-assisted composition, mastering and editing" in text


def test_the_day_and_the_search_for_a_producer_are_the_fact_sheets():
    facts = _facts()
    day = _section(facts, "A day in the life").lower()
    for _, what in business.DAY_IN_THE_LIFE:
        for phrase in re.split(r"[;,:] ", what):
            assert phrase.split()[0].lower()[:6] in day, phrase  # a stem: "communicate", "communicating"
    finding = _section(facts, "Finding a producer").lower() + _section(facts, "Money (typical UK figures; they vary "
                                                                               "widely)").lower()
    for step in business.FINDING_A_PRODUCER:
        key = re.findall(r"[a-z]{4,}", step.lower())
        assert sum(w in finding for w in key) >= 2, step
    text = _prose()
    for word in ("**research**", "**budget**", "**past work**"):
        assert word in text


def test_the_kinds_of_producer_and_the_engineer_are_said_as_the_facts_say():
    text = _prose()
    assert "the **creative producer** holds the vision and the sound" in text
    assert "the **technical producer** gets it recorded, edited and engineered well" in text
    assert "the **executive producer** oversees the whole project from a managerial or strategic position" in text
    # W11 item 6: the table under it (stages.ROLES) says the same as the prose and the fact sheet
    executive = next(r for r in stages.ROLES if r.key == "executive")
    assert "oversees the whole project from a managerial or strategic position" in executive.description
    assert "sometimes makes high-level creative decisions" in executive.description
    assert "rather than the sound" not in executive.description and "investor" not in executive.description
    assert re.search(r"recording session the producer leads", text)
    assert "the engineer runs the capture (the mics, the levels, pressing record)" in text
    assert "tech against creativity, details against the big picture" in text


def test_the_split_sheet_is_signed_again_when_a_writer_joins_and_exercise_5_says_where_the_list_is():
    """W11 items 10, 11 and 13: the signing fits the story; the exercise names the list; the DAW paths are exact."""
    text = _prose()
    assert "signs it as soon as the song is written, usually at the demo stage" in text
    assert "signs a new one whenever another writer joins" in text and "Then Kai Moreno wrote the song's bridge" in text
    assert "Try it without scrolling up to the list in section 10" in text and "## 10 · Career paths" in text
    daw = _section(text, "In your DAW")
    assert "File > Save Copy In, with Items To Copy: Audio Files" in daw and "All audio files" not in daw
    assert "a subfolder of FL Studio's Projects\\Templates folder" in daw


def test_the_lesson_holds_every_topic_of_the_issue():
    headings = [c.split("\n", 1)[0] for c in markdown(LESSON).split("\n\n") if c.startswith("## ")]
    for words in ("Three kinds of producer", "Producer or engineer", "Finding and choosing a producer",
                  "How the role grew", "A day in the life", "Budgets and schedules", "Income", "Producer points",
                  "Split sheets", "Career paths", "A portfolio and a signature sound"):
        assert any(words in h for h in headings), words
    assert sum("exercise" in c.tags for c in code_cells(LESSON)) == 5


def test_exercise_answers_are_unanswered_in_the_lesson():
    ns = run_lesson(LESSON, tags=("setup", "exercise", "check"))
    for call in ("check_who_to_hire(hire)", "check_ep_budget(ep_days)", "check_producer_royalty(producer_royalty)",
                 "check_split_sheet(fixed_splits)", "check_career_order(career)"):
        assert ns["Out"][ns.cell_of(call)].correct is None, call
    assert isinstance(Expr("1"), Expr)


def test_the_two_signatures_sound_as_the_text_says(setup):
    """A is "close and dry" (parts near the middle, almost no reverb), B "wide and deep" (far apart, a long reverb);
    the player matches their loudness; neither clips."""
    import numpy as np

    ns, player = run_cells(LESSON, ["b11-signature-listen"], dict(setup))
    a, b = ns["close_and_dry"], ns["wide_and_deep"]

    def side_to_mid_db(y):
        mid, side = (y[0] + y[1]) / 2, (y[0] - y[1]) / 2
        return 10 * np.log10(np.mean(side**2) / np.mean(mid**2))

    assert side_to_mid_db(b) - side_to_mid_db(a) > 6.0
    assert a.shape == b.shape and a.shape[1] == ns["song"].bar_to_sample(14) - ns["song"].bar_to_sample(10)
    assert max(np.abs(a).max(), np.abs(b).max()) < 1.0
    assert player.match_loudness and abs(player.loudness_a - player.loudness_b) < 0.5
    text = _prose()
    assert "(the first four bars of the first chorus, bars 11–14 as a DAW counts them)" in text
    chorus = next(s for s in ns["song"].sections if s.name == "chorus")
    assert chorus.start_bar == 10  # bar 11 as a DAW counts
    assert chorus.end_bar - chorus.start_bar > 4, "the excerpt is part of the chorus, as the text says"


def test_the_timeline_refuses_no_eras_with_a_clear_message():
    from producerkit import ParameterError

    with pytest.raises(ParameterError, match="at least one era"):
        history_figure([])
    one = history_figure(business.HISTORY[:1])
    assert list(one.layout.xaxis.range) == [1950, 1970]
