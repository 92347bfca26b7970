"""Checkers of course/04-workflow.ipynb, and the lesson's claims proved with the library.

References: the bundled session's manifest (datasets/manifest.json: which take flubs which phrase, the hum's
lines and levels), producerkit.stages.STAGES (who leads each stage, the mixing stage's "-3 dBFS"
deliverable), producerkit.mix's gain-staging rule, the platforms' published figures in
producerkit.master.PLATFORM_TARGETS (Spotify -14 LUFS / -1 dBTP, Apple Music -16 LUFS, EBU R 128 -23 LUFS
±0.5 LU), and the notebook itself (its approved balance and its plan, read from its cells so the tests and the
lesson cannot drift apart).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import editing, master, meters, mix, planning, stages
from producerkit.checks import (
    check_hum_removed,
    check_master,
    check_mix_balance,
    check_project,
    check_stage_leads,
    check_take_choice,
)
from producerkit.checks import workflow as wf
from producerkit.datasets import load_session
from producerkit.eq import HighPass

from .lesson_cells import Expr, code_cells, function, literal, markdown, notebook, notebook_path, run_lesson, select

LESSON = "04-workflow"
NOTEBOOK = notebook_path(LESSON)
MISSING = (None, ...)


# --------------------------------------------------------------------------- the notebook's own values


def _notebook_literal(name: str):
    """The literal value the notebook assigns to ``name`` (e.g. its approved balance)."""
    return literal(LESSON, name)


def _notebook_function(name: str):
    """A function defined in the notebook, run after the notebook's imports (the rest of its cell is not run)."""
    return function(LESSON, name)


@pytest.fixture(scope="module")
def session():
    return load_session("paper_lanterns")


@pytest.fixture(scope="module")
def approved_mixer():
    """The notebook's approved balance on the exercise's excerpt (what MixerDesk.to_mixer() holds)."""
    mixer = wf.mixer_from_faders(_notebook_literal("APPROVED_MIX_DB"))
    pans = _notebook_literal("APPROVED_PANS")
    for track in mixer.tracks:
        track.pan = pans.get(track.name, 0.0)
    return mixer


@pytest.fixture(scope="module")
def premaster(approved_mixer):
    return editing.fade(approved_mixer.render(), approved_mixer.sr, in_ms=20, out_ms=1000)


@pytest.fixture(scope="module")
def spotify_master(premaster, session):
    spotify = master.PLATFORM_TARGETS["spotify"]
    return master.master(premaster, session.sr, target_lufs=spotify.integrated_lufs,
                         ceiling_dbtp=spotify.true_peak_dbtp, eq=HighPass(30))


# --------------------------------------------------------------------------- check_take_choice


@pytest.mark.parametrize("take", [2, 1, "take 2", "lead_take1", 2.0])
def test_take_choice_right_for_a_clean_take_with_the_performance_reason(take):
    fb = check_take_choice(take, "b")
    assert fb.correct is True
    assert "right notes" in fb.message


def test_take_choice_rejects_the_flubbed_take_named_in_the_manifest():
    fb = check_take_choice(3, "b")
    assert fb.correct is False
    assert "flubs verse 1c" in fb.message and "wrong note" in fb.message and "210 ms late" in fb.message
    assert "take 1 or take 2" in fb.hint


@pytest.mark.parametrize("reason, words", [("a", "clip gain"), ("c", "order the takes")])
def test_take_choice_right_take_wrong_reason(reason, words):
    fb = check_take_choice(2, reason)
    assert fb.correct is False and words in fb.message


@pytest.mark.parametrize("missing", MISSING)
def test_take_choice_unanswered(missing):
    assert check_take_choice(missing, missing).correct is None
    assert check_take_choice(missing).correct is None


def test_take_choice_take_without_reason_asks_for_the_reason():
    fb = check_take_choice(2, None)
    assert fb.correct is None and "say why" in fb.message


@pytest.mark.parametrize("take", [0, 4, "take", True, 1.5, [2]])
def test_take_choice_malformed_take(take):
    fb = check_take_choice(take, "b")
    assert fb.correct is False and "number from 1 to 3" in fb.message


def test_take_choice_unknown_reason_and_phrase():
    assert "a, b, c" in check_take_choice(2, "d").message
    assert check_take_choice(2, "b", phrase="chorus 9").correct is False


# --------------------------------------------------------------------------- check_hum_removed


@pytest.fixture(scope="module")
def hum():
    return wf.hum_reference()


def test_hum_removed_right_with_remove_hum_on_50_hz(hum):
    take, _clean, sr, _lines = hum
    fb = check_hum_removed(editing.remove_hum(take, sr, freq=50, harmonics=3), sr)
    assert fb.correct is True
    assert "50 Hz down" in fb.message and "150 Hz down" in fb.message


@pytest.mark.parametrize("missing", MISSING)
def test_hum_removed_unanswered(missing):
    assert check_hum_removed(missing).correct is None


def test_hum_removed_wrong_mains_frequency(hum):
    take, _clean, sr, _lines = hum
    fb = check_hum_removed(editing.remove_hum(take, sr, freq=60), sr)
    assert fb.correct is False and "50 Hz hum is only" in fb.message and "freq=50" in fb.hint


def test_hum_removed_fundamental_only_leaves_the_harmonics(hum):
    take, _clean, sr, _lines = hum
    fb = check_hum_removed(editing.remove_hum(take, sr, harmonics=1), sr)
    assert fb.correct is False and "100 Hz" in fb.message and "harmonics=3" in fb.hint


def test_hum_removed_a_120_hz_high_pass_leaves_the_100_hz_harmonic(hum):
    """A high-pass at 120 Hz is not a hum fix (the manifest says so): it takes only ~7 dB off the 100 Hz line."""
    take, _clean, sr, _lines = hum
    fb = check_hum_removed(HighPass(120, order=4)(take, sr), sr)
    assert fb.correct is False and "100 Hz" in fb.message


def test_hum_removed_wide_notches_damage_the_voice(hum):
    take, _clean, sr, _lines = hum
    fb = check_hum_removed(editing.remove_hum(take, sr, q=3), sr)
    assert fb.correct is False and "voice" in fb.message and "250–500 Hz" in fb.message


@pytest.mark.parametrize(("q", "verdict"), [(1000, "narrow"), (300, True), (100, True), (30, True), (5, True),
                                             (2, "wide")])
def test_hum_removed_judges_the_notch_width_from_both_sides(hum, q, verdict):
    """On the right frequency, too narrow a notch (q=1000: it rings for seconds, so the hum of the clip's first
    seconds stays) is told to keep q=30, not to notch 50 Hz again; too wide (q=2) cuts between the lines, which
    the voice octaves alone never saw (this voice has nothing there). remove_hum lets its notches settle on a
    second of the clip's own signal before the clip starts, so q=300 (0.17 Hz wide) takes this steady hum out."""
    take, _clean, sr, _lines = hum
    fb = check_hum_removed(editing.remove_hum(take, sr, freq=50, harmonics=3, q=q), sr)
    if verdict is True:
        assert fb.correct is True, fb
    elif verdict == "narrow":
        assert fb.correct is False and "too narrow" in fb.message and "keep q=30" in fb.hint
        assert "freq=50" not in fb.hint
    else:
        assert fb.correct is False and "between its lines" in fb.message and "keep q=30" in fb.hint


def test_hum_removed_a_notch_beside_the_line_is_told_to_read_the_frequency(hum):
    take, _clean, sr, _lines = hum
    fb = check_hum_removed(editing.remove_hum(take, sr, freq=49, harmonics=3), sr)
    assert fb.correct is False and "not on it" in fb.message and "freq=50" in fb.hint


def test_hum_removed_wrong_shape_or_rate(hum):
    take, _clean, sr, _lines = hum
    assert "long" in check_hum_removed(take[: sr], sr).message
    assert check_hum_removed(editing.remove_hum(take, sr), 48000).correct is False
    assert "not audio" in check_hum_removed("hum", sr).message


# --------------------------------------------------------------------------- check_mix_balance


def test_mix_balance_right_for_the_notebooks_approved_balance(approved_mixer):
    fb = check_mix_balance(approved_mixer)
    assert fb.correct is True and "headroom" in fb.message


def test_mix_balance_right_for_a_fader_dict():
    assert check_mix_balance(_notebook_literal("APPROVED_MIX_DB")).correct is True


@pytest.mark.parametrize("missing", [*MISSING, {}])
def test_mix_balance_unanswered(missing):
    assert check_mix_balance(missing).correct is None


def test_mix_balance_the_rough_mix_buries_the_lead_and_runs_hot():
    fb = check_mix_balance({"snare": wf.ROUGH_MIX_DB["snare"]})  # the rough mix as it is
    assert fb.correct is False and "buried" in fb.message and "mix bus is hot" in fb.hint


def test_mix_balance_clipping_mix_bus():
    fb = check_mix_balance({"kick": 8, "snare": 8, "bass": 8, "lead": 8})
    assert fb.correct is False and "clips" in fb.message


@pytest.mark.parametrize(("faders", "balance"), [
    ({"lead": 12, "kick": -6, "snare": -6, "overheads": -6, "bass": -6, "keys": -6, "pad": -6, "guitar": -6},
     "floats"),
    ({"lead": 12}, "floats"),
    ({"kick": 8, "snare": 8, "bass": 8, "lead": -20}, "is buried"),
    ({"kick": 8, "snare": 8, "bass": 8, "lead": 8}, None),
])
def test_mix_balance_a_clipping_bus_with_a_wrong_balance_says_both(faders, balance):
    """"Keep the balance" only when the balance is right; otherwise the balance comes first."""
    fb = check_mix_balance(faders)
    assert fb.correct is False and "clips" in fb.message
    if balance is None:
        assert "keep the balance" in fb.hint
    else:
        assert f"the lead {balance}" in fb.message and "keep the balance" not in fb.hint
        assert fb.hint.startswith("fix the balance first")


def test_mix_balance_good_balance_without_headroom():
    faders = {k: v + 7.0 for k, v in _notebook_literal("APPROVED_MIX_DB").items()}
    fb = check_mix_balance(faders)
    assert fb.correct is False and "-3 dBFS" in fb.message


def test_mix_balance_lead_on_top():
    fb = check_mix_balance({**_notebook_literal("APPROVED_MIX_DB"), "lead": 6})
    assert fb.correct is False and "floats" in fb.message


def test_mix_balance_muted_and_faded_parts(approved_mixer):
    approved_mixer["pad"].mute = True
    try:
        fb = check_mix_balance(approved_mixer)
    finally:
        approved_mixer["pad"].mute = False
    assert fb.correct is False and "pad is muted" in fb.message
    fb = check_mix_balance({**_notebook_literal("APPROVED_MIX_DB"), "guitar": -60})
    assert fb.correct is False and "barely hear guitar" in fb.message


@pytest.mark.parametrize("answer, words", [({"vocals": -3}, "no channel"), ({"lead": "loud"}, "number of dB"),
                                           ({"lead": 20}, "number of dB"), ([1, 2], "dict of fader")])
def test_mix_balance_malformed(answer, words):
    fb = check_mix_balance(answer)
    assert fb.correct is False and words in fb.message


def test_mix_balance_desk_and_dict_judge_the_same_excerpt(session):
    """The desk the lesson shows (MixerDesk's default excerpt) holds the audio a dict answer is judged on."""
    from producerkit.widgets import MixerDesk

    desk = MixerDesk(session, gains=wf.ROUGH_MIX_DB)
    np.testing.assert_array_equal(desk.to_mixer().render(), wf.mixer_from_faders({}).render())
    assert check_mix_balance(desk).message == check_mix_balance({"lead": wf.ROUGH_MIX_DB["lead"]}).message


# --------------------------------------------------------------------------- check_master


def test_master_right_for_the_lessons_spotify_master(spotify_master, session):
    audio, report = spotify_master
    assert check_master(audio, session.sr).correct is True
    assert check_master((audio, report), session.sr).correct is True  # the pair master() returns


def test_master_right_for_apple_music(premaster, session):
    apple = master.PLATFORM_TARGETS["apple"]
    audio, _ = master.master(premaster, session.sr, target_lufs=apple.integrated_lufs,
                             ceiling_dbtp=apple.true_peak_dbtp, eq=HighPass(30))
    assert check_master(audio, session.sr, target="apple").correct is True
    assert check_master(audio, session.sr, target="spotify").correct is False  # 2 LU quiet for Spotify


@pytest.mark.parametrize(("ceiling", "ok"), [(0.0, False), (-0.5, False), (-0.9, False), (-1.0, True), (-2.0, True)])
def test_master_judges_the_ceiling_the_student_set_not_only_the_peak(premaster, session, ceiling, ok):
    """At -16 LUFS the limiter never reaches any ceiling (peaks about -2.45 dBTP), so only the report tells
    a 0 dBTP ceiling from Apple's -1 dBTP: wrong, near and right settings, all with the same audio."""
    pair = master.master(premaster, session.sr, target_lufs=-16, ceiling_dbtp=ceiling, eq=HighPass(30))
    assert pair[1].output_true_peak_dbtp < -2.0  # the ceiling never bit
    fb = check_master(pair, session.sr, target="apple")
    assert fb.correct is ok, fb
    if not ok:
        assert f"ceiling to {ceiling:g} dBTP, above Apple Music's -1 dBTP" in fb.message
        assert fb.hint == "set the ceiling to the platform's: ceiling_dbtp=-1."
    else:
        assert "the limiter had nothing to do" in fb.message


def test_master_audio_alone_says_the_ceiling_was_not_tested(premaster, session):
    audio, _ = master.master(premaster, session.sr, target_lufs=-16, ceiling_dbtp=0.0, eq=HighPass(30))
    fb = check_master(audio, session.sr, target="apple")
    assert fb.correct is True and "the limiter had nothing to do" in fb.message
    assert "(audio, report) pair" in fb.message


def test_master_exercise_in_the_lesson_hands_the_checker_the_report():
    """The lesson's exercise keeps master()'s pair, so a 0 dBTP ceiling fails as the student runs it."""
    answer = Expr("mastering.master(premaster, sr, target_lufs=-16, ceiling_dbtp=0, eq=HighPass(30))")
    ns = run_lesson(LESSON, tags=("setup", "exercise", "check"), upto='stage_card("delivery")',
                    answers={"apple_master": answer})
    fb = ns["Out"][ns.cell_of('check_master(apple_master, sr, target="apple")')]
    assert fb.correct is False and "ceiling_dbtp=-1" in fb.hint
    exercise = next(c.source for c in code_cells(LESSON) if c.source.startswith("apple_master = ..."))
    assert not exercise.rstrip().endswith("[0]")


@pytest.mark.parametrize("missing", MISSING)
def test_master_unanswered(missing):
    assert check_master(missing, 44100).correct is None


def test_master_too_loud_says_by_how_much_and_what_spotify_does(spotify_master, session):
    audio, _ = spotify_master
    fb = check_master(audio * np.float32(10 ** (2.3 / 20)), session.sr)
    assert fb.correct is False and "2.3 LU too loud" in fb.message and "turn it down by 2.3 dB" in fb.message


def test_master_too_quiet(premaster, session):
    fb = check_master(premaster, session.sr)
    assert fb.correct is False and "too quiet" in fb.message and "as far as their peaks allow" in fb.message


def test_master_peak_over_the_ceiling(premaster, session):
    loud, report = master.master(premaster, session.sr, target_lufs=-14, ceiling_dbtp=-0.1, eq=HighPass(30))
    assert report.output_true_peak_dbtp > -1.0  # the limiter left the peak above Spotify's ceiling
    fb = check_master(loud, session.sr)
    assert fb.correct is False and "true peak" in fb.message and "ceiling_dbtp=-1" in fb.hint


def test_master_broadcast_and_malformed(spotify_master, session):
    audio, _ = spotify_master
    assert "broadcast delivery" in check_master(audio, session.sr, target="ebu_r128").message
    assert check_master(audio, None).correct is False
    assert check_master(audio, session.sr, target="mars").correct is False
    assert "silent" in check_master(np.zeros_like(audio), session.sr).message


# --------------------------------------------------------------------------- check_project


@pytest.fixture(scope="module")
def plan_single():
    return _notebook_function("plan_single")


def test_project_right_when_the_mix_follows_the_editing(plan_single):
    fb = check_project(plan_single(mixing_start="2026-02-24"))
    assert fb.correct is True and "the plan works" in fb.message and "to spare" in fb.message


def test_project_the_notebooks_draft_mixes_before_recording_ends(plan_single):
    fb = check_project(plan_single())
    assert fb.correct is False and "recording ends 2026-02-18" in fb.message
    assert "move mixing to 2026-02-24 or later" in fb.hint


@pytest.mark.parametrize("start", ["2026-02-16", "2026-02-19", "2026-02-21", "2026-02-23"])
def test_project_hint_names_the_one_date_after_the_last_stage_mixing_needs(plan_single, start):
    """Every too-early date gets the same hint: after the overdubs (the last need), not one need at a time."""
    fb = check_project(plan_single(mixing_start=start), moving="mixing")
    assert fb.correct is False and "the overdubbing ends 2026-02-23" in fb.message
    assert fb.hint == "move mixing to 2026-02-24 or later (after the overdubbing)."
    assert check_project(plan_single(mixing_start="2026-02-24"), moving="mixing").correct is True


@pytest.mark.parametrize("start", ["2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-20"])
def test_project_mix_that_runs_into_mastering_asks_to_move_the_mix_not_the_mastering(plan_single, start):
    fb = check_project(plan_single(mixing_start=start), moving="mixing")
    if start <= "2026-03-07":  # the 2 days end by 2026-03-08: calendar days, weekends count like any day
        assert fb.correct is True, fb
        return
    assert fb.correct is False and "mastering that needs it finished starts 2026-03-09" in fb.message
    assert "start mixing earlier" in fb.hint and "start it by 2026-03-07" in fb.hint
    assert "move mastering" not in fb.hint


def test_project_the_lesson_checks_the_plan_moving_only_the_mix():
    assert 'check_project(my_plan, moving="mixing")' in [c.source.strip() for c in code_cells(LESSON)]


def test_project_moving_an_unknown_stage():
    plan = planning.Project.example()
    assert "don't recognise" in check_project(plan, moving="lunch").message


def test_project_the_de_hum_session_books_the_recording_engineer(plan_single):
    """FACTS.md: the recording engineer fixes technical problems such as hum; the producer chooses the takes."""
    plan = plan_single(mixing_start="2026-02-24")
    editing_session = next(s for s in plan.sessions if s.stage == "editing")
    assert "de-hum" in editing_session.note
    roles = {plan.people[n].role for n in editing_session.people}
    assert {"producer", "recording engineer"} <= roles


@pytest.mark.parametrize("missing", MISSING)
def test_project_unanswered(missing):
    assert check_project(missing).correct is None


def test_project_a_single_without_overdubs_fails(plan_single):
    """Lesson 00 says every record goes through every stage: the plan check agrees (it used to pass)."""
    plan = plan_single(mixing_start="2026-02-24")
    plan.sessions = [s for s in plan.sessions if s.stage != "overdubs"]
    fb = check_project(plan)
    assert fb.correct is False and "No overdubbing session" in fb.message
    assert "every record goes through every stage" in fb.message.lower()


def test_project_not_a_project():
    assert "give a Project" in check_project("2026-02-23").message


# --------------------------------------------------------------------------- check_stage_leads


def test_stage_leads_right_for_every_stage_from_the_data():
    fb = check_stage_leads({s.key: s.lead for s in stages.STAGES})
    assert fb.correct is True and f"all {len(stages.STAGES)} right" in fb.message
    assert "the producer leads the recording session" in fb.message and "runs the capture" in fb.message


def test_stage_leads_understands_names_and_role_variants():
    answer = {"Demo": "the artist", "Pre-production": "producer", "tracking": "the producer",
              "Mixing": "mix engineer", "mastering": "Mastering Engineer"}
    assert check_stage_leads(answer).correct is True


def test_stage_leads_wrong_names_the_real_lead_and_why():
    fb = check_stage_leads({"editing": "recording engineer", "mixing": "producer"})
    assert fb.correct is False
    assert "led by the producer" in fb.message and "1 more to fix" in fb.message
    assert stages.stage("editing").lead_note in fb.message


def test_stage_leads_recording_is_led_by_the_producer_and_captured_by_the_engineer():
    fb = check_stage_leads({"recording": "recording engineer"})
    assert fb.correct is False and "led by the producer" in fb.message
    assert "runs the capture" in fb.message and "presses record" in fb.message


def test_stage_leads_hint_does_not_send_the_student_scrolling_up():
    """The exercise says "without scrolling up": the hint asks who decides, and offers the table only if stuck."""
    fb = check_stage_leads({"editing": "recording engineer"})
    assert fb.hint.startswith("think about who makes each stage's decisions")
    assert "if you're stuck, the stages table" in fb.hint.lower()
    assert not fb.hint.startswith("look at the lead column")


@pytest.mark.parametrize(("stage_key", "engineers_offered"), [("editing", False), ("recording", False),
                                                               ("mixing", True), ("mastering", True)])
def test_stage_leads_bare_engineer_suggests_engineers_only_where_one_leads(stage_key, engineers_offered):
    fb = check_stage_leads({stage_key: "engineer"})
    assert fb.correct is False
    assert ("say 'recording engineer'" in fb.hint) is engineers_offered
    if not engineers_offered:
        assert "does an engineer make its decisions?" in fb.message


def test_stage_leads_unanswered_asks_a_question():
    assert check_stage_leads(None).message.endswith("who leads each stage?")


@pytest.mark.parametrize("missing", [*MISSING, {"demo": ..., "mixing": None}])
def test_stage_leads_unanswered(missing):
    assert check_stage_leads(missing).correct is None


def test_stage_leads_partly_answered():
    fb = check_stage_leads({"demo": "artist", "mixing": ...})
    assert fb.correct is None and "1 right so far" in fb.message and "mixing" in fb.message


@pytest.mark.parametrize("answer, words", [({"mixing": "engineer"}, "which engineer"), ({"mixing": "DJ"}, "roles"),
                                           ({"vocals": "artist"}, "as a stage"), (["artist"], "dict")])
def test_stage_leads_malformed(answer, words):
    fb = check_stage_leads(answer)
    assert fb.correct is False and words in fb.message


# --------------------------------------------------------------------------- the lesson's claims


def test_claim_take_3_is_the_only_flubbed_take_of_verse_1c(session):
    verse_1c = next(p for p in session.phrases if p.name == "verse 1c")
    assert [t for t, info in verse_1c.takes.items() if info["flub"]] == ["lead_take3"]
    assert verse_1c.best_take != "lead_take3"


def _comp(session, names):
    takes = [session.takes[f"lead_take{i}"] for i in (1, 2, 3)]
    phrases = [p for p in session.phrases if p.name in names]
    lo, hi = round(phrases[0].take_start_s * session.sr), round(phrases[-1].take_end_s * session.sr)
    start = phrases[0].take_start_s
    return editing.comp_takes([y[lo:hi] for y in takes], session.sr,
                              [(p.take_start_s - start, p.take_end_s - start, p.name) for p in phrases],
                              bpm=session.bpm, names=["take 1", "take 2", "take 3"])


@pytest.mark.parametrize("names", [("verse 1b", "verse 1c"), ("verse 1a", "verse 1b", "verse 1c", "verse 1d")])
def test_claim_comp_takes_never_picks_take_3_for_the_flubbed_phrase(session, names):
    """The lesson's excerpt (verse 1b–1c) and the whole verse: take 3 never makes the comp of verse 1c."""
    comp = _comp(session, names)
    choice = next(c for c in comp.choices if c.phrase.name == "verse 1c")
    assert choice.take_number != 3
    assert "take 3" in choice.reason and "notes" in choice.reason  # the wrong notes are the reason given
    assert comp.audio.shape == (round(sum(c.phrase.duration for c in comp.choices) * session.sr),)


def _good_takes(phrase) -> set[int]:
    """The takes check_take_choice accepts for a phrase: the right notes, within the timing limit."""
    names = sorted(phrase.takes)
    return {i + 1 for i, n in enumerate(names)
            if not phrase.takes[n]["flub"] and abs(float(phrase.takes[n]["offset_ms"])) <= wf.TAKE_TIMING_LIMIT_MS}


@pytest.mark.parametrize("names", [("verse 1b", "verse 1c"), ("verse 1a", "verse 1b", "verse 1c", "verse 1d")])
def test_comp_follows_the_lessons_rule_level_is_never_a_reason(session, names):
    """Exercise 1's rule: level is fixed with clip gain, so it never counts against a take. comp_takes used to
    keep take 1 over take 2 in verse 1c "because take 2 is 2.8 dB louder"."""
    comp = _comp(session, names)
    phrases = {p.name: p for p in session.phrases}
    for choice in comp.choices:
        assert choice.take_number in _good_takes(phrases[choice.phrase.name]), choice.reason
        assert "pitch, timing and noise" in choice.reason
        others = choice.reason.split(". Level is not a reason")[0]
        assert "louder" not in others and "quieter" not in others, choice.reason
        for score in choice.scores:
            assert not any("louder" in p or "quieter" in p or "level" in p for p in score.problems), score


def test_comp_says_when_the_chosen_take_needs_clip_gain(session):
    comp = _comp(session, ("verse 1a", "verse 1b", "verse 1c", "verse 1d"))
    for choice in comp.choices:
        dev = choice.scores[choice.take_index].level_dev_db
        if abs(dev) > 1.5:
            assert f"Level is not a reason: it is {abs(dev):.1f} dB" in choice.reason and "clip gain" in choice.reason
        else:
            assert "clip gain" not in choice.reason


def test_comp_report_is_one_finding_per_phrase(session):
    comp = _comp(session, ("verse 1b", "verse 1c"))
    report = comp.report
    assert [f.subject for f in report] == [c.phrase.label() for c in comp.choices]
    assert [f.measured for f in report] == [comp.take_names[c.take_index] for c in comp.choices]
    assert str(comp) == str(report) and 'data-status="' in comp._repr_html_()


def test_comp_and_take_checker_tell_the_same_story_about_verse_1c(session):
    """The manifest's take 3 of verse 1c is flubbed AND about 210 ms late: the comp's reason says both, as the
    take checker does (the comp once lined takes up within 150 ms only, and missed the late entry)."""
    offset = next(p for p in session.phrases if p.name == "verse 1c").takes["lead_take3"]["offset_ms"]
    comp = _comp(session, ("verse 1b", "verse 1c"))
    choice = next(c for c in comp.choices if c.phrase.name == "verse 1c")
    take3 = choice.scores[2]
    assert take3.timing_signed_ms == pytest.approx(offset, abs=15)
    assert "take 3 is" in choice.reason and "ms late" in choice.reason and "notes" in choice.reason
    checker = check_take_choice(3, "b")
    assert f"comes in {abs(offset):.0f} ms late" in checker.message


def test_gain_staging_one_rule_for_every_line_of_the_rough_mix():
    """Issue 11 item 4: the buried lead (-39.5 dBFS RMS) and the overheads (-40.1) used to get different
    verdicts ("ok, healthy" against "very quiet"), and the mix bus advice said "about 6 dB of headroom" while
    the exercise asks for peaks below -3 dBFS. Now one rule, on peaks, for every line."""
    report = wf.mixer_from_faders({}).gain_staging()
    lead, overheads = report["lead"], report["overheads"]
    assert lead.data["rms_dbfs"] == pytest.approx(-39.5, abs=0.3)
    assert overheads.data["rms_dbfs"] == pytest.approx(-40.1, abs=0.3)
    assert lead.status == overheads.status
    for f in report:
        peak = f.data["peak_dbfs"]
        expected = "fail" if peak > 0 else "warn" if peak >= mix.PEAK_MAX_DBFS or peak <= -120 else "pass"
        assert f.status == expected, str(f)
        assert f.expected == f"peak < {mix.PEAK_MAX_DBFS:g} dBFS"
    words = " ".join(f.message + " " + f.fix for f in report)
    assert "about 6 dB" not in words and "quiet" not in words and "healthy" not in words
    for f in report.problems:  # every fix is enough to meet the rule
        cut = float(f.fix.split("down by ")[1].split(" dB")[0])
        assert f.data["peak_dbfs"] - cut < mix.PEAK_MAX_DBFS and cut >= 0.1
    assert wf.MIX_PEAK_MAX_DBFS == mix.PEAK_MAX_DBFS  # the exercise's number is the rule's number


def test_gain_staging_rule_is_stated_in_the_lesson_with_the_libraries_numbers():
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert f"peaks below {mix.PEAK_MAX_DBFS:g} dBFS" in text
    assert f"peaks below {mix.PEAK_MAX_DBFS:g} dBFS" in mix.GAIN_STAGING_RULE
    assert "about 6 dB of headroom" not in text


def test_claim_the_hum_is_where_the_manifest_says(hum):
    """Measured line levels of the hum take match the manifest (-32, -42, -46 dBFS at 50, 100, 150 Hz)."""
    take, clean, sr, lines = hum
    problem = load_session().problem("lead_take2_hum")
    for f in lines:
        assert wf._line_db(take.astype(np.float64), sr, f) == pytest.approx(problem.details["harmonics_dbfs"][
            f"{f:g}"], abs=0.5)
        assert wf._line_db(clean.astype(np.float64), sr, f) < -80  # the clean take has no hum


def _line_in_figure(fig, f0: float) -> tuple[float, float, float]:
    """(peak frequency, lowest, highest frequency within 10 dB of the peak) of the hum curve's line near f0."""
    x, y = np.asarray(fig.data[0].x, dtype=float), np.asarray(fig.data[0].y, dtype=float)
    near = np.flatnonzero(np.abs(x / f0 - 1) < 0.1)
    top = near[np.argmax(y[near])]
    lo = hi = top
    while lo > 0 and y[lo - 1] > y[top] - 10:
        lo -= 1
    while hi < x.size - 1 and y[hi + 1] > y[top] - 10:
        hi += 1
    return x[top], x[lo], x[hi]


def test_claim_the_hum_figure_draws_lines_as_lines(hum):
    """The lesson's hum spectrum (its own cell) zooms to 20-400 Hz and each hum line is narrow: 10 dB down the
    50 Hz line spans about 47-54 Hz as the prose says (the full-range default drew it 44-56 Hz wide)."""
    _take, _clean, sr, lines = hum
    ns = run_lesson(LESSON, tags=("setup", "figure"), upto="dehummed = ...")
    fig = ns["Out"][ns.cell_of('plots.spectrum_figure({"with hum": hum_take')]
    assert (fig.data[0].x[0], fig.data[0].x[-1]) == pytest.approx((20, 400))
    for f in lines:
        _top, lo, hi = _line_in_figure(fig, f)  # a flat top as wide as the smoothing: its centre is the line
        assert abs(np.sqrt(lo * hi) / f - 1) < 0.02 and (hi - lo) / f < 0.16, (f, lo, hi)
    _top, lo, hi = _line_in_figure(fig, lines[0])
    text = markdown(LESSON)
    assert f"the {lines[0]:g} Hz line spans about {lo:.0f}–{hi:.0f} Hz" in text.replace("\n", " ")
    assert f"(65536 samples: bins {sr / 65536:.1f} Hz apart)" in text.replace("\n", " ")


def test_claim_remove_hum_lowers_every_hum_line_25_db_and_keeps_the_voice(hum):
    take, clean, sr, lines = hum
    fixed = editing.remove_hum(take, sr, freq=50, harmonics=3).astype(np.float64)
    for f in lines:
        assert wf._line_db(take.astype(np.float64), sr, f) - wf._line_db(fixed, sr, f) >= 25.0
    diff = wf._octave_levels(fixed, sr) - wf._octave_levels(clean.astype(np.float64), sr)
    assert np.max(np.abs(diff)) <= 1.0


def test_claim_the_master_lands_on_spotifys_target(spotify_master):
    """Spotify: -14 LUFS integrated, true peak at most -1 dBTP (Spotify for Artists, loudness normalization)."""
    audio, report = spotify_master
    sr = 44100
    assert abs(meters.integrated_loudness(audio, sr) - (-14.0)) <= 0.5
    assert meters.true_peak(audio, sr) <= -1.0
    assert report.within_target
    assert master.qc(audio, sr, target="spotify").verdict == "pass"


def test_claim_the_limiter_took_off_what_the_listening_text_says():
    """The "Listen" text after the Spotify master quotes the limiter's gain reduction from the lesson's own report."""
    ns = run_lesson(LESSON, tags=("setup",), upto='ABPlayer(premaster, mastered, sr')
    gr = ns["report"].stage("Limiter").details["max_gain_reduction_db"]
    assert gr < 1.0  # "almost no difference" is only true for a gentle master
    text = markdown(LESSON).replace("\n", " ")
    assert f"The report says it took off at most {gr:.1f} dB: on this mix you should hear almost no difference" in text


def test_the_overdubs_text_points_at_the_desk_in_section_6():
    text = markdown(LESSON).replace("\n", " ")
    assert "on the mixing desk in section 6 below (raise the lead first" in text
    assert "## 6 · Mixing" in markdown(LESSON)


def test_claim_a_dc_offset_is_caught_by_qc_and_removed_by_the_masters_high_pass(premaster, spotify_master):
    """The lesson: our premaster is clean at DC; a DC offset is flagged by QC and the 30 Hz high-pass removes it."""
    sr = 44100
    assert master.qc(premaster, sr)["DC offset"].status == "pass"
    offset_copy = premaster + np.float32(0.05)
    assert master.qc(offset_copy, sr)["DC offset"].status in ("warn", "fail")
    assert master.qc(HighPass(30)(offset_copy, sr), sr)["DC offset"].status == "pass"
    assert master.qc(spotify_master[0], sr)["DC offset"].status == "pass"


def test_claim_the_streaming_master_fails_broadcast_and_a_gain_fixes_it(spotify_master):
    """EBU R 128: -23 LUFS ±0.5 LU; the -14 LUFS master fails on loudness only, 9 dB down passes."""
    audio, _ = spotify_master
    sr = 44100
    report = master.qc(audio, sr, target="ebu_r128")
    assert [i.subject for i in report.failures] == ["integrated loudness"]
    gain_db = -23.0 - meters.integrated_loudness(audio, sr)
    assert master.qc((audio * 10 ** (gain_db / 20)).astype(np.float32), sr, target="ebu_r128").verdict == "pass"


def test_claim_the_checkers_numbers_are_the_lessons_and_the_datas():
    text = NOTEBOOK.read_text(encoding="utf-8")
    low, high = wf.LEAD_RANGE_LU
    assert f"no more than {-low:g} LU below" in text and f"no more than {high:g} LU above" in text
    assert f"below {wf.MIX_PEAK_MAX_DBFS:g} dBFS" in text
    assert any(f"peaks below {wf.MIX_PEAK_MAX_DBFS:g} dBFS" in d for d in stages.stage("mixing").deliverables)
    assert f"at least {wf.HUM_REDUCTION_DB:g} dB down" in text


def test_claim_the_example_plan_has_no_issues_and_the_draft_has_errors(plan_single):
    assert list(planning.Project.example().check()) == []
    assert any(i.status == "fail" and "Mixing starts" in i.message for i in plan_single().check())


def test_notebook_is_a_lesson_without_outputs():
    nb = notebook(LESSON)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert len(select(LESSON, tags=("check",))) >= 3
    assert not any("IPython.display import Audio" in c.source or "Audio(" in c.source for c in code_cells(LESSON))
    assert "## Summary" in markdown(LESSON)


# --------------------------------------------------------------------------- never raises

_answers = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True) | st.text(max_size=12)
    | st.just(...),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None)
@given(answer=_answers)
def test_checkers_never_raise_whatever_the_answer(answer):
    """A student can type anything: every checker answers with a Feedback, it never raises."""
    for fb in (check_take_choice(answer, answer), check_hum_removed(answer, 44100), check_master(answer, 44100),
               check_project(answer), check_stage_leads(answer), check_mix_balance(answer)):
        assert fb.correct in (True, False, None) and fb.message


def test_stage_leads_knows_every_name_the_stages_have():
    """"Adding production elements (overdubs, sound design)": each part names the stage, as in lesson 00."""
    for name in ("overdubs", "sound design", "production elements", "Adding production elements"):
        fb = check_stage_leads({name: "producer"})
        assert fb.correct is True, (name, fb.message)
    fb = check_stage_leads({"production": "producer"})  # the whole job, not a stage inside it
    assert fb.correct is False and "adding production elements" in fb.message
