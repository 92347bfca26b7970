"""producerkit.workflow: the stages and roles as data, the production plan, royalties and split sheets.

References: the stage order and leads of the course brief (demo → pre-production → recording →
editing → production → mixing → mastering → delivery; the recording, mixing and mastering engineers
lead their stages), producer points as a percentage of the royalty base paid out of the artist's
royalty (the "all-in" deal), and split sheets that add up to exactly 100 %.
"""

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import ParameterError
from producerkit.workflow import (
    LEAD_ROLES,
    PRODUCER_VS_ENGINEER,
    ROLES,
    STAGES,
    Budget,
    Issue,
    Project,
    SplitSheet,
    royalties,
    stage,
)

# --------------------------------------------------------------------------- facts


def test_stages_are_in_production_order():
    assert [s.key for s in STAGES] == [
        "demo",
        "preproduction",
        "recording",
        "editing",
        "production",
        "mixing",
        "mastering",
        "delivery",
    ]


def test_every_stage_is_led_by_an_allowed_role_and_the_engineers_lead_their_stages():
    assert set(LEAD_ROLES) == {"producer", "recording engineer", "mixing engineer", "mastering engineer", "artist"}
    for s in STAGES:
        assert s.lead in LEAD_ROLES, s.key
    assert stage("demo").lead == "artist"
    assert stage("preproduction").lead == "producer"
    assert stage("recording").lead == "recording engineer"
    assert stage("production").lead == "producer"
    assert stage("mixing").lead == "mixing engineer"
    assert stage("mastering").lead == "mastering engineer"
    assert "producer" in stage("recording").involved  # the producer directs the performances


def test_every_stage_is_complete_data():
    for s in STAGES:
        for name in ("name", "goal", "lead_note"):
            assert getattr(s, name).strip(), (s.key, name)
        for name in ("inputs", "deliverables", "checklist", "common_mistakes"):
            items = getattr(s, name)
            assert isinstance(items, tuple) and items and all(isinstance(i, str) and i for i in items), (s.key, name)
        lo, hi = s.typical_days
        assert 1 <= lo <= hi <= 10, s.key  # a single takes days per stage, not months
        lo_ep, hi_ep = s.typical_days_ep
        assert lo_ep >= lo and hi_ep >= hi and lo_ep <= hi_ep, s.key
        assert s.days_for("ep") == s.typical_days_ep and s.days_for("single") == s.typical_days


def test_stage_inputs_come_from_earlier_deliverables():
    """What mixing and mastering need is what the stage before hands on."""
    assert any("ready to mix" in d for d in stage("production").deliverables)
    assert any("ready to mix" in i for i in stage("mixing").inputs)
    assert any("approved" in d and "mix" in d for d in stage("mixing").deliverables)
    assert any("approved stereo mixes" == i for i in stage("mastering").inputs)
    assert any("-1 dBTP" in d for d in stage("mastering").deliverables)


def test_stage_lookup_and_frozen_data():
    assert stage("mixing").name == "Mixing"
    with pytest.raises(ParameterError, match="unknown stage 'mixdown'.*demo, preproduction"):
        stage("mixdown")
    with pytest.raises(dataclasses.FrozenInstanceError):
        stage("mixing").lead = "artist"


def test_roles_and_the_producer_engineer_split():
    assert [r.key for r in ROLES] == ["creative", "technical", "executive"]
    for r in ROLES:
        assert r.description and r.typical_tasks
    executive = ROLES[2]
    assert "funding" in executive.description and "label" in executive.description
    areas = {row.area: row for row in PRODUCER_VS_ENGINEER}
    assert "vision" in areas["Vision"].producer.lower()
    assert "budget" in areas["Budget and schedule"].producer.lower()
    assert "mics" in areas["Sound capture"].engineer and "levels" in areas["Sound capture"].engineer
    for row in PRODUCER_VS_ENGINEER:
        assert row.producer and row.engineer


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
    assert "€4,800" in text and "Contingency (10%)" in text and "Over budget by" in text and "€280" in text
    assert "<table>" in b._repr_html_() and "Studio B" in b._repr_html_()


def test_check_flags_a_mix_before_the_recording_it_needs():
    p = _small_project()
    p.add_session("recording", "2026-03-03", end="2026-03-05", people=["Ben"])
    p.add_session("mixing", "2026-03-02", days=1, people=["Cleo"])
    p.add_session("mastering", "2026-03-20", days=1, people=["Dev"])
    messages = [i.message for i in p.check() if i.severity == "error"]
    assert any(
        m.startswith("Mixing starts 2026-03-02 but recording ends 2026-03-05: mix after the recording it needs")
        for m in messages
    ), messages


def test_check_flags_over_budget_with_the_amount():
    p = _small_project(budget=1000, contingency=0.0)
    p.add_session("recording", "2026-03-02", days=2, people=["Ana", "Ben"], studio="Room", studio_day_rate=300)
    issues = p.check()
    over = [i for i in issues if i.message.startswith("Over budget")]
    assert len(over) == 1 and over[0].severity == "error"
    assert over[0].message.startswith("Over budget by €1,200")  # 2 × (500 + 300 + 300) = 2200 against 1000
    assert issues[0].severity == "error" and all(isinstance(i, Issue) for i in issues)


def test_check_warns_when_only_the_contingency_breaks_the_budget():
    p = _small_project(budget=1000, contingency=0.2)
    p.add_session("recording", "2026-03-02", days=2, people=["Ana"])
    found = [i for i in p.check() if "contingency" in i.message]
    assert found and found[0].severity == "warning"


def test_check_flags_missing_stages_and_deliverables():
    p = _small_project()
    p.add_session("recording", "2026-03-02", days=2, people=["Ben"])
    p.add_session("mixing", "2026-03-09", days=2, people=["Cleo"])
    p.add_deliverable("Vinyl master", stage="mastering")
    messages = {i.message: i for i in p.check()}
    assert "No mastering session: nothing to deliver." in messages
    assert messages["No mastering session: nothing to deliver."].severity == "error"
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
    assert p.check() == []
    assert {s.stage for s in p.sessions} == {s.key for s in STAGES}
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


# --------------------------------------------------------------------------- money


def test_royalties_points_come_out_of_the_artist_royalty():
    r = royalties(3, streams=1_000_000, rate_per_stream=0.003, artist_royalty_pct=20)
    assert r.revenue == pytest.approx(3000)
    assert r.label_share == pytest.approx(2400)
    assert r.artist_royalty == pytest.approx(600)
    assert r.producer_royalty == pytest.approx(90)  # 3 % of the base
    assert r.artist_net == pytest.approx(510)  # 20 % - 3 % = 17 %
    assert r.producer_paid == pytest.approx(90) and r.unrecouped == 0
    assert "1,000,000 streams" in str(r)


def test_royalties_recoup_the_producer_advance_first():
    r = royalties(4, revenue=50_000, recoupable_advance=1500)
    assert r.producer_royalty == pytest.approx(2000)
    assert r.producer_paid == pytest.approx(500) and r.unrecouped == 0
    early = royalties(4, revenue=10_000, recoupable_advance=1500)
    assert early.producer_paid == 0 and early.unrecouped == pytest.approx(1100)


def test_royalties_warn_outside_the_typical_points_and_refuse_nonsense():
    with pytest.warns(UserWarning, match="outside the usual 0.5–5"):
        r = royalties(8, revenue=1000)
    assert r.notes
    with pytest.raises(ParameterError, match="0–100"):
        royalties(101, revenue=1000, artist_royalty_pct=100)
    with pytest.raises(ParameterError, match="cannot be negative"):
        royalties(-1, revenue=1000)
    with pytest.raises(ParameterError, match="more than the artist's 20 % royalty"):
        royalties(25, revenue=1000)
    with pytest.raises(ParameterError, match="not both or neither"):
        royalties(3, streams=10, revenue=10)
    with pytest.raises(ParameterError, match="not both or neither"):
        royalties(3)
    with pytest.raises(ParameterError, match="cannot be negative"):
        royalties(3, revenue=1000, recoupable_advance=-5)


def test_split_sheet_must_add_up_to_100():
    sheet = SplitSheet("Night Lines", [("Mara", 50, "lyrics and melody"), ("Jonas", 50, "music")], date="2026-02-05")
    assert sheet.total == 100
    assert sheet.share_of(1000) == {"Mara": 500, "Jonas": 500}
    text = sheet.to_text()
    assert "SPLIT SHEET: Night Lines" in text and "Mara" in text and "100.00%" in text and "2026-02-05" in text
    assert "<table>" in sheet._repr_html_()
    with pytest.raises(ParameterError, match=r"add up to 90.00 %, not 100 %: 10.00 % is unassigned"):
        SplitSheet("x", [("A", 40, "lyrics"), ("B", 50, "music")])
    with pytest.raises(ParameterError, match=r"add up to 110.00 %.*10.00 % too much"):
        SplitSheet("x", [("A", 60, "lyrics"), ("B", 50, "music")])
    SplitSheet("x", [("A", 33.33, "w"), ("B", 33.33, "w"), ("C", 33.33, "w")])  # 99.99: within 0.01
    with pytest.raises(ParameterError, match="99.90"):
        SplitSheet("x", [("A", 33.3, "w"), ("B", 33.3, "w"), ("C", 33.3, "w")])
    with pytest.raises(ParameterError, match="listed twice"):
        SplitSheet("x", [("A", 50, "w"), ("A", 50, "w")])
    with pytest.raises(ParameterError, match="positive percentage"):
        SplitSheet("x", [("A", 110, "w"), ("B", -10, "w")])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.5, 100), min_size=1, max_size=6))
def test_split_sheet_accepts_exactly_the_shares_that_add_up(raw):
    shares = [round(x * 100 / sum(raw), 2) for x in raw]
    shares[0] = round(100 - sum(shares[1:]), 2)
    writers = [(f"W{i}", s, "writer") for i, s in enumerate(shares)]
    if min(shares) > 0:
        assert SplitSheet("song", writers).total == pytest.approx(100, abs=0.011)
    off = [(f"W{i}", s * 1.05, "writer") for i, s in enumerate(shares) if s > 0]
    with pytest.raises(ParameterError, match="not 100 %"):
        SplitSheet("song", off)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 12))
def test_equal_split_adds_up_for_any_number_of_writers(n):
    sheet = SplitSheet.equal("song", [f"W{i}" for i in range(n)])
    assert abs(sheet.total - 100) <= 0.01
