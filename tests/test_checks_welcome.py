"""Checkers and claims of the welcome lesson (course/00-welcome.ipynb).

References: the stages, roles, leads and producer/engineer split are producerkit.stages' data
(STAGES, ROLES, LEAD_ROLES, PRODUCER_VS_ENGINEER), which the lesson's tables are drawn from; the
safe-listening rule is NIOSH's recommended exposure limit (DHHS (NIOSH) Publication 98-126: 85 dBA
for 8 hours, 3 dB exchange rate: 88 dBA 4 h, 94 dBA 60 min, 100 dBA 15 min); loudness matching uses
ITU-R BS.1770 integrated loudness; the ABX score is a one-sided binomial test.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit.checks import (
    Feedback,
    check_producer_or_engineer,
    check_producer_roles,
    check_safe_listening_minutes,
    check_stage_order,
    check_who_leads,
)
from producerkit.checks.welcome import safe_listening_minutes, stage_aliases
from producerkit.stages import LEAD_ROLES, PRODUCER_VS_ENGINEER, ROLES, STAGES
from tests.feedback_words import said

from .lesson_cells import code_cells, markdown, markdown_cells, notebook, run_lesson, select

LESSON = "00-welcome"
ALL_CHECKERS = [check_producer_roles, check_producer_or_engineer, check_stage_order, check_who_leads,
                check_safe_listening_minutes]




# --------------------------------------------------------------------------- unanswered


@pytest.mark.parametrize("checker", ALL_CHECKERS)
@pytest.mark.parametrize("blank", [None, ..., "", [], {}])
def test_every_checker_waits_for_an_answer(checker, blank):
    fb = checker(blank)
    assert fb.correct is None and not fb
    said(fb, "no answer yet")


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
                 st.lists(st.text(max_size=12), max_size=10),
                 st.dictionaries(st.text(max_size=20), st.one_of(st.text(max_size=20), st.integers(), st.none()),
                                 max_size=6)))
def test_no_checker_raises_on_any_input(value):
    for checker in ALL_CHECKERS:
        assert isinstance(checker(value), Feedback)


# --------------------------------------------------------------------------- roles


def _role_answers():
    return {task: role.key for role in ROLES for task in role.typical_tasks}


def test_producer_roles_right_for_every_task_in_workflow():
    fb = check_producer_roles(_role_answers())
    assert fb.correct is True
    # names and casing a student might use
    assert check_producer_roles({"Find and approve the budget": "Executive Producer"})
    assert check_producer_roles({"find and approve the budget.": "exec"})


def test_producer_roles_wrong_names_the_right_role_in_a_producers_words():
    fb = check_producer_roles({"Find and approve the budget": "creative",
                               "Engineer, edit and comp the sessions": "technical"})
    assert fb.correct is False
    said(fb, "find and approve the budget", "executive producer's job", "makes the project possible")


def test_producer_roles_unknown_role_or_task_and_partial():
    said(check_producer_roles({"Find and approve the budget": "mixing engineer"}), "not one of the producer's roles")
    assert check_producer_roles({"Find and approve the budget": "mixing engineer"}).correct is False
    assert check_producer_roles({"Make the tea": "creative"}).correct is False
    partial = check_producer_roles({"Find and approve the budget": "executive",
                                    "Engineer, edit and comp the sessions": ...})
    assert partial.correct is None
    said(partial, "1 of 2", "engineer, edit and comp")
    assert check_producer_roles("creative").correct is False


# --------------------------------------------------------------------------- producer or engineer


def test_producer_or_engineer_right_for_both_columns():
    answers = {r.producer: "producer" for r in PRODUCER_VS_ENGINEER}
    answers.update({r.engineer: "engineer" for r in PRODUCER_VS_ENGINEER})
    assert check_producer_or_engineer(answers).correct is True
    assert check_producer_or_engineer({PRODUCER_VS_ENGINEER[0].engineer: "the recording engineer"})


def test_producer_or_engineer_wrong_explains_both_sides():
    row = next(r for r in PRODUCER_VS_ENGINEER if r.area == "Sound capture")
    fb = check_producer_or_engineer({row.engineer: "producer"})
    assert fb.correct is False
    said(fb, "engineer's side of sound capture", "the producer approves the sounds", "captured well")
    session = next(r for r in PRODUCER_VS_ENGINEER if r.area == "The recording session")
    assert check_producer_or_engineer({session.producer: "producer", session.engineer: "engineer"}).correct is True
    assert check_producer_or_engineer({session.producer: "engineer"}).correct is False
    assert check_producer_or_engineer({row.engineer: "drummer"}).correct is False
    assert check_producer_or_engineer({"Plays the drums": "engineer"}).correct is False
    assert check_producer_or_engineer({row.engineer: "engineer", row.producer: None}).correct is None


# --------------------------------------------------------------------------- stages


def test_stage_order_right_by_key_name_or_alias():
    assert check_stage_order([s.key for s in STAGES]).correct is True
    assert check_stage_order([s.name for s in STAGES]).correct is True
    assert check_stage_order(
        "demo → pre-production → tracking → comping → overdubs → mixing → mastering → delivery"
    ).correct is True


def test_stage_aliases_cover_every_stage_without_clashes():
    aliases = stage_aliases()
    assert set(aliases.values()) == {s.key for s in STAGES}
    assert aliases["tracking"] == "recording" and aliases["comping"] == "editing"
    assert aliases["preproduction"] == "preproduction" and aliases["overdubs"] == "overdubs"
    assert aliases["sounddesign"] == "overdubs" and aliases["productionelements"] == "overdubs"
    # "production" is the whole job, not a stage inside it
    assert "production" not in aliases


def test_production_is_not_a_stage_and_the_checkers_say_which_stage_is_meant():
    keys = [s.key for s in STAGES]
    fb = check_stage_order([k if k != "overdubs" else "production" for k in keys])
    assert fb.correct is False
    said(fb, "every stage is part of the production", "adding production elements (overdubs, sound design)")
    said(check_who_leads({"production": "producer"}), "adding production elements")


def test_stage_order_wrong_says_what_the_later_stage_needs():
    keys = [s.key for s in STAGES]
    swapped = keys.copy()
    swapped[5], swapped[6] = swapped[6], swapped[5]  # mastering before mixing
    fb = check_stage_order(swapped)
    assert fb.correct is False
    said(fb, "mastering comes after mixing", "approved stereo mixes", "which mixing hands on")


def test_stage_order_missing_duplicate_unknown_and_partial():
    keys = [s.key for s in STAGES]
    fb = check_stage_order(keys[:-1])
    assert fb.correct is False
    said(fb, "missing", "delivery")
    assert check_stage_order(keys + ["mixing"]).correct is False
    said(check_stage_order(keys + ["mixing"]), "twice")
    assert check_stage_order(keys[:3] + ["busking"] + keys[3:]).correct is False
    assert check_stage_order(["demo", ...]).correct is None
    assert check_stage_order(42).correct is False


def test_who_leads_right_for_every_stage():
    assert check_who_leads({s.key: s.lead for s in STAGES}).correct is True
    assert set(s.lead for s in STAGES) <= set(LEAD_ROLES)
    assert check_who_leads({"Mastering": "the mastering engineer", "demo": "singer"}).correct is True


def test_who_leads_the_producer_leads_recording_and_the_engineer_runs_the_capture():
    """FACTS.md: the producer leads the session (direction, pace, takes); the engineer runs the capture."""
    assert check_who_leads({"recording": "producer"}).correct is True
    fb = check_who_leads({"recording": "recording engineer"})
    assert fb.correct is False
    said(fb, "the producer leads recording", "the recording engineer runs the capture", "presses record")


def test_who_leads_speaks_the_same_role_vocabulary_as_lesson_04():
    """One vocabulary: "mix engineer" is right in lesson 00 as in lesson 04, and bare "engineer" asks which."""
    from producerkit.checks import check_stage_leads

    for answer in ({"mixing": "mix engineer"}, {"mixing": "the mixer"}, {"mastering": "master engineer"},
                   {"recording": "the producer"}, {"demo": "the band"}):
        assert check_who_leads(answer).correct is True, answer
        assert check_stage_leads(answer).correct is True, answer
    for checker in (check_who_leads, check_stage_leads):
        fb = checker({"mixing": "engineer"})
        assert fb.correct is False
        said(fb, "which engineer")


def test_who_leads_wrong_uses_the_stage_note():
    fb = check_who_leads({"mastering": "producer"})
    assert fb.correct is False
    said(fb, "the mastering engineer leads mastering", "the producer and artist approve")
    which = check_who_leads({"mastering": "engineer"})
    assert which.correct is False
    said(which, "which engineer")
    assert check_who_leads({"mastering": "drummer"}).correct is False
    assert check_who_leads({"busking": "artist"}).correct is False
    assert check_who_leads({"mastering": "mastering engineer", "mixing": ...}).correct is None


# --------------------------------------------------------------------------- safe listening


@pytest.mark.parametrize("level, minutes", [(85, 480), (88, 240), (91, 120), (94, 60), (97, 30), (100, 15)])
def test_niosh_table(level, minutes):
    assert safe_listening_minutes(level) == pytest.approx(minutes)


def test_safe_listening_right_wrong_and_units():
    assert check_safe_listening_minutes(60).correct is True
    assert check_safe_listening_minutes("60").correct is True
    assert check_safe_listening_minutes(15, level_dba=100).correct is True
    hours = check_safe_listening_minutes(1)
    assert hours.correct is False
    said(hours, "hours")
    long = check_safe_listening_minutes(240)
    assert long.correct is False
    said(long, "too long", "halve")
    osha = check_safe_listening_minutes(480 / 2 ** ((94 - 90) / 5))
    said(osha, "osha")
    assert check_safe_listening_minutes("loud").correct is False
    assert check_safe_listening_minutes(30).correct is False


@pytest.mark.parametrize("minutes", [64, 65, 67.5, 70, 75, 80, 90])
def test_safe_listening_never_calls_longer_than_the_limit_safe(minutes):
    """W1 item 1: 65-90 minutes at 94 dBA were "shorter than the limit; safe". Past 60 minutes is too long."""
    fb = check_safe_listening_minutes(minutes)
    assert fb.correct is False
    said(fb, "too long", "not safe", "halv")
    assert "shorter" not in fb.message and "safe," not in fb.message, fb


@pytest.mark.parametrize("minutes", [30, 45, 55])
def test_safe_listening_shorter_is_safe_but_not_the_rule(minutes):
    fb = check_safe_listening_minutes(minutes)
    assert fb.correct is False
    said(fb, "shorter than the limit")
    assert "too long" not in fb.message


def test_safe_listening_near_and_right_and_a_hint_without_a_wrong_example():
    for near in (57.5, 60, 62.5):
        assert check_safe_listening_minutes(near).correct is True, near
    assert check_safe_listening_minutes(63.5).correct is False
    junk = check_safe_listening_minutes("an hour")
    assert junk.correct is False
    assert not re.search(r"\d", junk.hint), junk  # "e.g. 120" was itself a wrong answer


# --------------------------------------------------------------------------- the notebook


def test_notebook_is_a_lesson_without_outputs():
    nb = notebook(LESSON)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    text = markdown(LESSON)
    assert text.startswith("# 00 · Welcome")
    assert "By the end of this lesson you can" in text
    assert "## Summary" in text
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None
    for cell in code_cells(LESSON):
        assert "IPython.display.Audio" not in cell.source and "Audio(" not in cell.source
    assert len(select(LESSON, tags=("check",))) >= 3


def test_notebook_stage_chains_follow_workflow():
    """Every 'a → b → c' chain of stages in the prose is in STAGES order (and the full one is complete)."""
    aliases = stage_aliases()
    order = {s.key: i for i, s in enumerate(STAGES)}
    chains = re.findall(r"[\w-]+(?:\s*→\s*[\w-]+){2,}", markdown(LESSON))
    full = []
    for chain in chains:
        keys = [aliases.get(re.sub(r"[^a-z0-9]", "", w.lower())) for w in re.split(r"\s*→\s*", chain)]
        known = [k for k in keys if k is not None]
        if len(known) < 3:
            continue
        assert [order[k] for k in known] == sorted(order[k] for k in known), chain
        full.append(known)
    assert [s.key for s in STAGES] in full


def test_notebook_lead_claims_follow_workflow():
    """'The <lead> leads <stages>' in the prose agrees with each stage's lead in STAGES."""
    aliases = stage_aliases()
    leads = "|".join(sorted(LEAD_ROLES, key=len, reverse=True))
    claims = re.findall(rf"\b[Tt]he ({leads}) leads ([^;.]+)", markdown(LESSON))
    assert claims
    checked = 0
    for who, what in claims:
        for word in re.split(r",\s*|\s+and\s+|\s+", what):
            key = aliases.get(re.sub(r"[^a-z0-9]", "", word.lower()))
            if key is not None:
                assert next(s for s in STAGES if s.key == key).lead == who, (who, word)
                checked += 1
    assert checked >= 5


def test_notebook_exercises_start_blank_and_their_tasks_are_known():
    """Each exercise cell leaves ... in place; filled with workflow's answers, each checker says right."""
    assert len(select(LESSON, tags=("exercise",))) >= 3
    ns = run_lesson(LESSON, tags=("exercise",))
    roles, jobs, leads = ns["roles_answer"], ns["jobs_answer"], ns["leads_answer"]
    assert all(v is ... for d in (roles, jobs, leads) for v in d.values())
    assert ns["stage_order"] is ... and ns["safe_minutes"] is ...
    truth_roles = _role_answers()
    assert check_producer_roles({t: truth_roles[t] for t in roles}).correct is True
    assert {_role_answers()[t] for t in roles} == {r.key for r in ROLES}
    sides = {r.producer: "producer" for r in PRODUCER_VS_ENGINEER}
    sides |= {r.engineer: "engineer" for r in PRODUCER_VS_ENGINEER}
    assert check_producer_or_engineer({t: sides[t] for t in jobs}).correct is True
    lead_of = {s.key: s.lead for s in STAGES}
    assert check_who_leads({k: lead_of[k] for k in leads}).correct is True
    # the stage list given in the exercise's text is every stage
    words = re.findall(r'`"(\w+)"`', next(s for s in markdown_cells(LESSON) if "### 3 · The stages" in s))
    assert sorted(words) == sorted(s.key for s in STAGES)


def test_the_stage_table_shows_days_as_a_reader_writes_them():
    """W1 item 15: mastering's days read "1–1"; a single number when fewest and most agree."""
    from .lesson_cells import run_cells

    _, table = run_cells(LESSON, ["0f970814", "fa9d2824", "s.days_text()"])
    rows = re.findall(r"<tr>(.*?)</tr>", table.data)[1:]
    days = [re.findall(r"<td[^>]*>(.*?)</td>", row)[-1] for row in rows]
    assert len(days) == len(STAGES)
    for text, s in zip(days, STAGES, strict=True):
        lo, hi = s.typical_days
        assert text == (f"{lo}" if lo == hi else f"{lo}–{hi}"), (s.key, text)
        assert not re.fullmatch(r"(\d+)–\1", text), text
    assert days[[s.key for s in STAGES].index("mastering")] == "1"


@pytest.fixture(scope="module")
def lesson_audio():
    """The lesson's demo and produced excerpts, computed by its own cells."""
    return run_lesson(LESSON)


def test_listening_clips_are_short_and_do_not_clip(lesson_audio):
    sr = lesson_audio["sr"]
    for name in ("demo", "produced"):
        y = lesson_audio[name]
        assert y.shape[-1] / sr <= 15.0
        assert np.max(np.abs(y)) < 1.0, name


def test_produced_version_is_wider_and_has_the_lead_forward(lesson_audio):
    """The lesson's answer: B is stereo where the demo is mono, and the lead sits further forward."""
    from producerkit.meters import correlation, integrated_loudness

    ns = lesson_audio
    sr, desk, parts = ns["sr"], ns["desk"], ns["parts"]
    assert ns["demo"].ndim == 1  # mono
    assert correlation(ns["produced"]) < 0.95
    stems = desk.stems()
    for name, side in (("guitar", 0), ("keys", 1)):  # guitar left, keys right
        left, right = (float(np.sqrt(np.mean(ch.astype(np.float64) ** 2))) for ch in stems[name])
        assert 20 * np.log10((left, right)[side] / (left, right)[1 - side]) >= 3.0, name
    # lead against the band, in LU, in each version
    demo_lead = parts["lead"] * 10 ** (ns["rough_db"]["lead"] / 20)
    demo_band = sum(parts[n] * 10 ** (g / 20) for n, g in ns["rough_db"].items() if n != "lead")
    demo_gap = integrated_loudness(demo_lead, sr) - integrated_loudness(demo_band, sr)
    lead = stems["lead"]
    band = sum(v for k, v in stems.items() if k not in ("lead", "reverb"))
    produced_gap = integrated_loudness(lead, sr) - integrated_loudness(band, sr)
    assert produced_gap - demo_gap >= 3.0, (demo_gap, produced_gap)


def test_the_same_clip_one_db_louder_is_matched_by_turning_it_down_one_db(lesson_audio):
    from producerkit.widgets import ABPlayer
    from producerkit.widgets.abplayer import DEFAULT_VOLUME_DB, VOLUME_RANGE_DB, abx_p_value

    clip = lesson_audio["produced"][:, : lesson_audio["song"].bar_to_sample(4)]
    player = ABPlayer(clip, clip * 10 ** (1 / 20), lesson_audio["sr"], match_loudness=False)
    assert player.match_gain_db == 0.0
    player.update(match_loudness=True)
    assert player.gain_b_db == pytest.approx(-1.0, abs=0.02) and player.gain_a_db == 0.0
    # the prose: volume starts at -12 dB and never boosts; 9 of 10 right by guessing is about 1 %
    assert DEFAULT_VOLUME_DB == -12.0 and VOLUME_RANGE_DB[1] == 0.0
    assert abx_p_value(9, 10) == pytest.approx(0.0107, abs=0.001)


def test_the_first_player_says_already_equal_rather_than_minus_zero_db(lesson_audio):
    """W1 item 15: both versions measure -18.1 LUFS and the player read "Demo −0.0 dB". Under 0.05 dB apart
    (what the display rounds to 0.0), no gain is applied and the view says "already equal"; 0.2 dB is matched."""
    from pathlib import Path

    import producerkit.widgets.abplayer as abplayer
    from producerkit.widgets import ABPlayer

    player = lesson_audio["player"]
    assert abs(player.loudness_a - player.loudness_b) < 0.05
    assert (player.gain_a_db, player.gain_b_db) == (0.0, 0.0)
    view = Path(abplayer.__file__).with_name("abplayer.js").read_text(encoding="utf-8")
    assert re.search(r"ga === 0 && gb === 0\) return `Loudness matched: already equal", view)
    clip = lesson_audio["produced"][:, : lesson_audio["song"].bar_to_sample(2)]
    near = ABPlayer(clip, clip * 10 ** (0.2 / 20), lesson_audio["sr"])
    assert near.gain_b_db == pytest.approx(-0.2, abs=0.02) and near.gain_a_db == 0.0
