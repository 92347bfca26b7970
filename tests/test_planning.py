"""producerkit.planning: the production plan, its budget, its schedule and its check.

References: every stage must be planned (lesson 00: every record goes through every stage), mixing after
the recording, editing and overdubs it needs, mastering after the mix, and a budget that adds up.
"""

import datetime as dt

import pytest

from producerkit import ParameterError
from producerkit.business import FREELANCE_DAY_RATE_GBP
from producerkit.planning import Budget, Project
from producerkit.report import Finding, Report
from producerkit.stages import STAGES

# --------------------------------------------------------------------------- the plan


def _small_project(**kwargs):
    p = Project("Night Lines", **kwargs)
    p.add_person("Ana", "producer", 500)
    p.add_person("Ben", "recording engineer", 300)
    p.add_person("Cleo", "mixing engineer", 400)
    p.add_person("Dev", "mastering engineer", 600)
    return p


def test_sessions_take_dates_iso_strings_days_or_end():
    p = _small_project()
    a = p.add_session("recording", "2026-03-02", days=3, people=["Ana", "Ben"], studio="B", studio_day_rate=450)
    b = p.add_session("mixing", dt.date(2026, 3, 9), end="2026-03-10", people=["Cleo"])
    assert (a.start, a.end, a.days) == (dt.date(2026, 3, 2), dt.date(2026, 3, 4), 3)
    assert b.days == 2
    assert p.stage_span("recording") == (dt.date(2026, 3, 2), dt.date(2026, 3, 4))


def test_budget_is_itemised_days_times_rates_with_contingency():
    p = _small_project(budget=5000, contingency=0.1)
    p.add_session("recording", "2026-03-02", days=3, people=["Ana", "Ben"], studio="Studio B", studio_day_rate=450)
    p.add_session("mixing", "2026-03-09", days=2, people=["Cleo"])
    p.add_cost("Artwork", 250)
    b = p.budget()
    assert isinstance(b, Budget)
    items = [(r.item, r.stage, r.days, r.rate, r.cost) for r in b.rows]
    assert items == [
        ("Ana (producer)", "recording", 3, 500, 1500),
        ("Ben (recording engineer)", "recording", 3, 300, 900),
        ("Studio B", "recording", 3, 450, 1350),
        ("Cleo (mixing engineer)", "mixing", 2, 400, 800),
        ("Artwork", "other", 0, 0, 250),
    ]
    assert b.subtotal == 4800
    assert b.contingency == pytest.approx(480)
    assert b.total == pytest.approx(5280)
    assert b.remaining == pytest.approx(-280)
    assert b.by_stage() == {"recording": 3750, "mixing": 800, "other": 250}
    text = str(b)
    assert "£4,800" in text and "Contingency (10%)" in text and "Over budget by" in text and "£280" in text
    assert "<table>" in b._repr_html_() and "Studio B" in b._repr_html_()


def test_check_flags_a_mix_before_the_recording_it_needs():
    p = _small_project()
    p.add_session("recording", "2026-03-03", end="2026-03-05", people=["Ben"])
    p.add_session("mixing", "2026-03-02", days=1, people=["Cleo"])
    p.add_session("mastering", "2026-03-20", days=1, people=["Dev"])
    messages = [i.message for i in p.check() if i.status == "fail"]
    assert any(
        m.startswith("Mixing starts 2026-03-02 but recording ends 2026-03-05: mix after the recording it needs")
        for m in messages
    ), messages


def test_check_gives_one_finding_per_stage_with_the_date_after_its_last_need():
    """A mix booked before three stages it needs is one problem with one date, not three hints in turn."""
    p = _small_project()
    p.add_session("recording", "2026-03-02", days=3, people=["Ben"])
    p.add_session("editing", "2026-03-05", days=2, people=["Ana"])
    p.add_session("overdubs", "2026-03-09", days=1, people=["Ana"])
    p.add_session("mixing", "2026-03-03", days=2, people=["Cleo"])
    order = [i for i in p.check() if i.status == "fail" and i.subject == "order"]
    assert len(order) == 1, order
    assert "recording ends 2026-03-04, editing ends 2026-03-06, overdubbing ends 2026-03-09" in order[0].message
    assert order[0].fix.startswith("move mixing to 2026-03-10 or later (after the overdubbing)")


def test_check_flags_over_budget_with_the_amount():
    p = _small_project(budget=1000, contingency=0.0)
    p.add_session("recording", "2026-03-02", days=2, people=["Ana", "Ben"], studio="Room", studio_day_rate=300)
    issues = p.check()
    over = [i for i in issues if i.message.startswith("Over budget")]
    assert len(over) == 1 and over[0].status == "fail" and over[0].subject == "budget"
    assert over[0].message.startswith("Over budget by £1,200")  # 2 × (500 + 300 + 300) = 2200 against 1000
    assert issues[0].status == "fail" and all(isinstance(i, Finding) for i in issues)
    assert isinstance(issues, Report) and issues.verdict == "fail"


def test_check_warns_when_only_the_contingency_breaks_the_budget():
    p = _small_project(budget=1000, contingency=0.2)
    p.add_session("recording", "2026-03-02", days=2, people=["Ana"])
    found = [i for i in p.check() if "contingency" in i.message]
    assert found and found[0].status == "warn"


def test_check_flags_missing_stages_and_deliverables():
    p = _small_project()
    p.add_session("recording", "2026-03-02", days=2, people=["Ben"])
    p.add_session("mixing", "2026-03-09", days=2, people=["Cleo"])
    p.add_deliverable("Vinyl master", stage="mastering")
    messages = {i.message.split(" Every record")[0]: i for i in p.check()}
    assert "No mastering session: nothing to deliver." in messages
    assert messages["No mastering session: nothing to deliver."].status == "fail"
    assert any(m.startswith("Missing deliverable: 'Vinyl master'") for m in messages)
    assert any(m.startswith("No delivery session") for m in messages)
    assert any(m.startswith("No pre-production session") for m in messages)


def test_check_flags_order_double_bookings_due_dates_and_the_release_lead_time():
    p = _small_project(release_date="2026-03-25")
    p.add_session("preproduction", "2026-03-05", days=1, people=["Ana"])
    p.add_session("recording", "2026-03-02", days=2, people=["Ana", "Ben"])  # before pre-production
    p.add_session("editing", "2026-03-03", days=1, people=["Ana"])  # Ana double-booked, edits during recording
    p.add_session("mixing", "2026-03-09", days=2, people=["Cleo"])
    p.add_session("mastering", "2026-03-12", days=1, people=["Dev"])
    p.add_session("delivery", "2026-03-13", days=1, people=["Ana"])
    p.add_deliverable("Stems", stage="mixing", due="2026-03-09")
    text = "\n".join(str(i) for i in p.check())
    assert "Recording starts 2026-03-02, before pre-production (2026-03-05): the stages are out of order." in text
    assert "Ana is double-booked" in text
    assert "Editing starts 2026-03-03 but recording ends 2026-03-03" in text
    assert "'Stems' is due 2026-03-09 but mixing ends 2026-03-10." in text
    assert "Only 12 days between the last session and the release" in text


def test_check_flags_a_session_without_its_engineer():
    p = _small_project()
    p.add_session("mixing", "2026-03-09", days=1, people=["Ana"])
    assert any(i.message.startswith("No mixing engineer booked on the Mixing") for i in p.check())


def test_the_example_ep_is_a_clean_realistic_plan():
    p = Project.example()
    assert p.kind == "ep"
    assert list(p.check()) == [] and p.check().verdict == "pass"
    assert "no problems found" in str(p.check())
    assert {s.stage for s in p.sessions} == {s.key for s in STAGES}
    assert p.currency == "GBP"
    low, high = FREELANCE_DAY_RATE_GBP
    assert all(low <= person.day_rate <= high for person in p.people.values() if person.day_rate)
    b = p.budget()
    assert 0 < b.remaining < 0.2 * b.planned
    for s in STAGES:  # each stage within the typical range for an EP
        span = sum(x.days for x in p.sessions if x.stage == s.key)
        lo, hi = s.typical_days_ep
        assert lo <= span <= hi, s.key
    assert "Night Lines EP" in repr(p)


def test_schedule_figure_draws_one_bar_per_session_coloured_by_stage_in_order():
    p = Project.example()
    fig = p.schedule_figure()
    names = [t.name for t in fig.data]
    assert names == [s.name for s in STAGES]
    assert sum(len(t.y) for t in fig.data) == len(p.sessions)
    mixing = fig.data[names.index("Mixing")]
    assert list(mixing.base) == ["2026-03-16", "2026-03-23"]
    assert list(mixing.x) == [5 * 86_400_000, 86_400_000]
    assert fig.layout.xaxis.type == "date"
    assert len({t.marker.color for t in fig.data}) == len(STAGES)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda p: p.add_person("Eve", "session drummer", -100), "cannot be negative"),
        (lambda p: p.add_person("Ana", "producer", 100), "already on the project"),
        (lambda p: p.add_session("mixing", "2026-03-05", end="2026-03-02"), "dates are out of order"),
        (lambda p: p.add_session("mixing", "2026-03-05", days=2, end="2026-03-06"), "not both"),
        (lambda p: p.add_session("mixing", "2026-03-05", days=0), "at least 1"),
        (lambda p: p.add_session("mixing", "5 March", days=1), "a date such as"),
        (lambda p: p.add_session("mixdown", "2026-03-05", days=1), "unknown stage"),
        (lambda p: p.add_session("mixing", "2026-03-05", days=1, people=["Zed"]), "not on the project"),
        (lambda p: p.add_session("mixing", "2026-03-05", days=1, studio="X", studio_day_rate=-5), "negative"),
        (lambda p: p.add_cost("Artwork", -1), "negative"),
    ],
)
def test_bad_plans_get_clear_errors(call, match):
    with pytest.raises(ParameterError, match=match):
        call(_small_project())


def test_bad_projects_get_clear_errors():
    with pytest.raises(ParameterError, match="single.*ep"):
        Project("x", kind="album")
    with pytest.raises(ParameterError, match="cannot be negative"):
        Project("x", budget=-1)
    with pytest.raises(ParameterError, match="contingency"):
        Project("x", contingency=1.5)




def _every_stage_but(missing: str, **kwargs) -> Project:
    """A single with a day on every stage in order, except ``missing``."""
    p = _small_project(**kwargs)
    day = dt.date(2026, 3, 2)
    people = {"recording": ["Ana", "Ben"], "mixing": ["Cleo", "Ana"], "mastering": ["Dev"]}
    for s in STAGES:
        if s.key != missing:
            p.add_session(s.key, day, days=1, people=people.get(s.key, ["Ana"]))
        day += dt.timedelta(days=1)
    return p


def test_a_plan_with_every_stage_in_order_passes():
    report = _every_stage_but("none").check()
    assert report.verdict == "pass" and list(report) == []


@pytest.mark.parametrize("missing", [s.key for s in STAGES])
def test_every_stage_must_be_planned(missing):
    """Lesson 00: every record goes through every stage. A plan without one (a single without overdubs
    used to pass) fails the check, and says which stage and why."""
    report = _every_stage_but(missing).check()
    assert report.verdict == "fail"
    failures = [f for f in report.failures if f.subject == "stages"]
    assert len(failures) == 1 and "Every record goes through every stage" in failures[0].message
    assert failures[0].fix


def test_plan_check_renders_as_one_report_in_text_and_html():
    p = _small_project()
    p.add_session("mixing", "2026-03-09", days=1, people=["Ana"])
    report = p.check()
    text, page = str(report), report._repr_html_()
    assert text.startswith("Night Lines: plan check: FAIL")
    assert 'data-status="fail"' in page and 'data-status="warn"' in page
    assert "No mixing engineer booked" in text and "No mixing engineer booked" in page
