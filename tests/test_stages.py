"""producerkit.stages: the stages of a production and the roles, as data; the one role vocabulary.

References: the stage order and leads of ../shared/FACTS.md (demo → pre-production → recording →
editing → adding production elements → mixing → mastering → delivery; the producer leads the
recording session while the engineer runs the capture; the mixing and mastering engineers lead
their stages). The figures themselves are held to FACTS.md in tests/test_facts.py.
"""

import dataclasses

import pytest

from producerkit import ParameterError
from producerkit.stages import (
    LEAD_ROLES,
    PRODUCER_VS_ENGINEER,
    ROLE_ALIASES,
    ROLES,
    STAGES,
    lead_role,
    stage,
    stage_keys,
)

# --------------------------------------------------------------------------- facts


def test_stages_are_in_production_order():
    assert [s.key for s in STAGES] == [
        "demo",
        "preproduction",
        "recording",
        "editing",
        "overdubs",
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
    assert stage("recording").lead == "producer"
    assert stage("overdubs").lead == "producer"
    assert stage("mixing").lead == "mixing engineer"
    assert stage("mastering").lead == "mastering engineer"
    assert "recording engineer" in stage("recording").involved  # the engineer runs the capture


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
    assert any("ready to mix" in d for d in stage("overdubs").deliverables)
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
    assert "funding" in executive.description and "high-level creative decisions" in executive.description
    areas = {row.area: row for row in PRODUCER_VS_ENGINEER}
    assert "vision" in areas["Vision"].producer.lower()
    assert "budget" in areas["Budget and schedule"].producer.lower()
    assert "mics" in areas["Sound capture"].engineer and "levels" in areas["Sound capture"].engineer
    assert "leads the session" in areas["The recording session"].producer.lower()
    assert "presses record" in areas["The recording session"].engineer
    for row in PRODUCER_VS_ENGINEER:
        assert row.producer and row.engineer




def test_stage_keys_are_the_stages_in_order():
    assert stage_keys() == tuple(s.key for s in STAGES)


@pytest.mark.parametrize("text, role", [
    ("mix engineer", "mixing engineer"), ("Mixing Engineer", "mixing engineer"), ("the mixer", "mixing engineer"),
    ("The producer", "producer"), ("music producer", "producer"), ("tracking engineer", "recording engineer"),
    ("mastering engineer", "mastering engineer"), ("the band", "artist"), ("Artist & songwriters", "artist"),
])
def test_one_role_vocabulary_reads_the_common_names(text, role):
    assert lead_role(text) == role


@pytest.mark.parametrize("text", ["engineer", "the engineer", "drummer", "", 3, None])
def test_role_vocabulary_refuses_what_names_no_lead(text):
    assert lead_role(text) is None


def test_every_role_has_its_aliases_and_no_alias_names_two_roles():
    assert set(ROLE_ALIASES) == set(LEAD_ROLES)
    names = [n for role in LEAD_ROLES for n in (role, *ROLE_ALIASES[role])]
    assert len(names) == len(set(names))
