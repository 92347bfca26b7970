"""The facts about the producer's job, held to the project's fact sheet in prose (lessons 00 and 04) and in data.

The reference is the project's fact sheet, ``../shared/FACTS.md`` ("The producer's job: the facts the course
teaches"), condensed from the articles the project started from. Its figures are written out below so that
the tests run on a clean clone; where the sheet is present next to the repository,
``test_the_figures_here_are_the_fact_sheets`` checks them against it. The facts held:

- the workflow, in order: demos or writing; shaping the arrangement (pre-production); recording; editing and
  comping; adding production elements (overdubs, sound design); mixing; mastering; delivery;
- the producer manages the recording session (leads the workflow, manages pace and energy, selects the takes);
  the recording engineer sets up the mics, presses record and sets levels;
- money, typical UK figures: freelancers £200–350 a day; entry level £18,000–25,000 and mid-level
  £28,000–45,000 a year; producer royalties typically 0.5–5 %;
- kinds of producer: creative, technical, executive.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from producerkit import business, planning, stages
from producerkit.checks import check_stage_leads, check_stage_order, check_who_leads

from .lesson_cells import function

ROOT = Path(__file__).resolve().parents[1]
FACT_SHEET = ROOT.parent / "shared" / "FACTS.md"
LESSONS = {"00": ROOT / "course" / "00-welcome.ipynb", "04": ROOT / "course" / "04-workflow.ipynb"}

#: The fact sheet's figures (FACTS.md, "Money (typical UK figures; they vary widely)").
FREELANCE_DAY_GBP = (200, 350)
ENTRY_SALARY_GBP = (18_000, 25_000)
MID_SALARY_GBP = (28_000, 45_000)
ROYALTY_PCT = (0.5, 5.0)
#: FACTS.md, "The workflow, in order": the stage each of STAGES must be, as words its name must contain.
WORKFLOW = (
    ("demo",),
    ("pre-production", "arrangement"),
    ("recording",),
    ("editing", "comping"),
    ("adding production elements", "overdubs", "sound design"),
    ("mixing",),
    ("mastering",),
    ("delivery",),
)
KINDS_OF_PRODUCER = ("creative", "technical", "executive")


def _cells(lesson: str, kind: str) -> list[str]:
    nb = json.loads(LESSONS[lesson].read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind]


def _prose(lesson: str) -> str:
    return " ".join("\n\n".join(_cells(lesson, "markdown")).split())  # one line: claims may wrap


# --------------------------------------------------------------------------- the fact sheet itself


def test_the_figures_here_are_the_fact_sheets():
    if not FACT_SHEET.exists():
        pytest.skip(f"{FACT_SHEET} is not next to this checkout; the figures above are its copy")
    text = " ".join(FACT_SHEET.read_text(encoding="utf-8").split())
    assert f"£{FREELANCE_DAY_GBP[0]}–£{FREELANCE_DAY_GBP[1]} a day" in text
    assert f"£{ENTRY_SALARY_GBP[0]:,}–£{ENTRY_SALARY_GBP[1]:,} a year" in text
    assert f"£{MID_SALARY_GBP[0]:,}–£{MID_SALARY_GBP[1]:,} a year" in text
    assert f"typically {ROYALTY_PCT[0]:g}–{ROYALTY_PCT[1]:g} %" in text
    workflow = text.split("## The workflow, in order")[1].split("##")[0]
    steps = re.findall(r"\d\. ([^;.]+)[;.]", workflow)
    assert len(steps) == len(WORKFLOW) == 8
    for step, words in zip(steps, WORKFLOW, strict=True):
        assert words[0].split("-")[0].rstrip("s") in step.lower(), (step, words)
    assert "adding production elements (overdubs, sound design)" in workflow


# --------------------------------------------------------------------------- the data


def test_the_stages_are_the_eight_of_the_workflow_in_order():
    assert len(stages.STAGES) == len(WORKFLOW)
    for s, words in zip(stages.STAGES, WORKFLOW, strict=True):
        assert all(w in s.name.lower() for w in words), (s.name, words)
    after_editing = stages.STAGES[4]
    assert after_editing.name == "Adding production elements (overdubs, sound design)"
    assert after_editing.key != "production" and not after_editing.name.lower().startswith("production")
    assert stages.stage_keys()[-2:] == ("mastering", "delivery")  # mastering is the final step before delivery


def test_the_producer_leads_the_session_and_the_engineer_runs_the_capture():
    recording = stages.stage("recording")
    assert recording.lead == "producer" and "recording engineer" in recording.involved
    note = recording.lead_note.lower()
    for words in ("the producer leads the session", "pace", "which takes to keep"):
        assert words in note
    for words in ("the recording engineer runs the capture", "mics", "levels", "presses record"):
        assert words in note
    rows = {r.area: r for r in stages.PRODUCER_VS_ENGINEER}
    session = rows["The recording session"]
    assert "leads the session" in session.producer.lower() and "pace" in session.producer
    assert "mics" in session.engineer and "levels" in session.engineer and "presses record" in session.engineer
    # nobody else "runs the session on time" or "keeps the session flowing": the producer keeps the schedule
    engineer_side = " ".join(r.engineer for r in stages.PRODUCER_VS_ENGINEER).lower()
    assert "runs the session" not in engineer_side and "keeps the session flowing" not in engineer_side
    assert "schedule" in rows["Budget and schedule"].producer


def test_who_leads_the_crafts_and_the_kinds_of_producer():
    assert stages.stage("mixing").lead == "mixing engineer"
    assert stages.stage("mastering").lead == "mastering engineer"
    assert "producer" in stages.stage("mastering").involved  # the producer oversees mastering
    assert tuple(r.key for r in stages.ROLES) == KINDS_OF_PRODUCER


def test_the_kinds_of_producer_split_the_work_as_the_fact_sheet_does():
    """FACTS.md: the creative producer has the songwriting, the sound and the arrangement; the technical producer
    the recording, engineering, editing, audio quality and industry standards (W1 item 4: the data, lesson 00
    and its exercise gave "the sound" to the technical producer)."""
    creative, technical, executive = stages.ROLES
    assert "sound" in creative.description.split(":")[0].lower()
    head = technical.description.split(":")[0].lower()
    for word in ("recorded", "edited", "engineered", "professional standard"):
        assert word in head, (word, head)
    assert "sound" not in head
    assert any("standards" in t for t in technical.typical_tasks)
    # sound and sound design are not the technical producer's; "funding" stays the executive's
    assert not any(re.search(r"\bsounds?\b", t, re.I) for t in technical.typical_tasks), technical.typical_tasks
    assert any("sound of the record" in t for t in creative.typical_tasks)
    assert "funding" in executive.description
    prose = _prose("00")
    assert "*technical* producer makes the sound" not in prose
    assert re.search(r"\*creative\* producer holds the vision and the sound", prose)
    assert re.search(r"\*technical\* producer gets it recorded, edited and engineered", prose)


def test_the_business_figures_are_the_fact_sheets():
    assert business.CURRENCY == "GBP"
    assert business.FREELANCE_DAY_RATE_GBP == FREELANCE_DAY_GBP
    assert sorted(business.SALARIES_GBP.values()) == [ENTRY_SALARY_GBP, MID_SALARY_GBP]
    assert business.ROYALTY_POINTS == ROYALTY_PCT
    assert business.royalties(3, revenue=1000).currency == "GBP"
    low, high = ROYALTY_PCT
    for inside in (low, 2.0, high):
        assert business.royalties(inside, revenue=1000).notes == ()
    for outside in (0.25, 6.0):
        with pytest.warns(UserWarning, match=f"outside the usual {low:g}–{high:g}"):
            business.royalties(outside, revenue=1000)
    assert len(business.CAREER_PATH) == 5 and "Runner" in business.CAREER_PATH[0]


def _plan_single():
    return function("04-workflow", "plan_single")()


@pytest.mark.parametrize("plan", [planning.Project.example, _plan_single], ids=["Project.example", "plan_single"])
def test_example_plans_pay_typical_uk_day_rates_in_pounds(plan):
    project = plan()
    assert project.currency == "GBP" and "£" in str(project.budget()) and "€" not in str(project.budget())
    low, high = FREELANCE_DAY_GBP
    for person in project.people.values():
        if person.role != "artist":
            assert low <= person.day_rate <= high, person
    producer = next(p for p in project.people.values() if p.role == "producer")
    assert low <= producer.day_rate <= high


def test_every_stage_is_planned_because_every_record_goes_through_every_stage():
    """Lesson 00: every record goes through every stage. A plan that leaves one out fails the check."""
    example = planning.Project.example()
    assert {s.stage for s in example.sessions} == set(stages.stage_keys())
    without = planning.Project.example()
    without.sessions = [s for s in without.sessions if s.stage != "overdubs"]
    report = without.check()
    assert report.verdict == "fail" and any("Every record goes through every stage" in f.message
                                            for f in report.failures)


def test_the_checkers_agree_with_the_facts():
    assert check_who_leads({"recording": "producer"}).correct is True
    assert check_stage_leads({"recording": "producer"}).correct is True
    for checker in (check_who_leads, check_stage_leads):
        fb = checker({"recording": "recording engineer"})
        assert fb.correct is False and "runs the capture" in fb.message
    assert check_stage_order(list(stages.stage_keys())).correct is True
    assert check_stage_order([k if k != "overdubs" else "production" for k in stages.stage_keys()]).correct is False


# --------------------------------------------------------------------------- the prose


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_the_lessons_say_who_leads_recording_as_the_facts_do(lesson):
    text = _prose(lesson)
    assert not re.search(r"engineers? leads? (the )?(recording|tracking)", text, re.I), lesson
    assert not re.search(r"engineers lead recording", text, re.I)
    assert re.search(r"producer leads[^.;]* recording session|recording session the producer leads", text, re.I), lesson
    assert re.search(r"engineer runs the capture", text, re.I), lesson
    assert "pressing record" in text


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_the_lessons_do_not_call_a_stage_production(lesson):
    text = _prose(lesson)
    assert not re.search(r"editing\s*(→|,)\s*production\b", text, re.I), lesson
    assert not re.search(r"#+ \d+ · Production\b", "\n".join(_cells(lesson, "markdown")))
    assert "adding production elements" in text.lower()


def test_lesson_00_says_every_record_goes_through_every_stage():
    assert "Every record goes through every stage" in _prose("00")


def test_lesson_04_summary_lists_the_eight_stages_in_order():
    summary = _prose("04").split("## Summary")[1]
    first = summary.split("- ")[1]
    positions = [first.lower().find(words[0]) for words in WORKFLOW]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), first


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_money_in_the_lessons_is_in_pounds_and_within_the_typical_figures(lesson):
    text = _prose(lesson) + " ".join(_cells(lesson, "code"))
    assert "€" not in text and "EUR" not in text
    for low, high in re.findall(r"£(\d[\d,]*)–£?(\d[\d,]*) a day", text):
        assert (int(low.replace(",", "")), int(high.replace(",", ""))) == FREELANCE_DAY_GBP
    if lesson == "04":
        assert "typical UK figures" in text and "£200–350 a day" in text
