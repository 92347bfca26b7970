"""The capstone: its project file (restarts, damage, interrupted writes), its files (never written over),
its stages, and the lesson's claims, held to the lesson's own cells."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from producerkit import _files, capstone, datasets
from producerkit.capstone import PROJECT_FILE, CapstoneProject
from producerkit.errors import ParameterError, ProducerkitError
from tests.lesson_cells import Expr, run_lesson

SESSION = datasets.shared_session()
SR = SESSION.sr
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODUCERKIT_WORK", str(tmp_path))
    return tmp_path


# --------------------------------------------------------------------------- the project file


def test_a_new_project_starts_empty_and_writes_nothing_until_a_decision(work):
    p = CapstoneProject.open()
    assert p.path == work / PROJECT_FILE
    assert p.done == [] and p.next_stage == "demo"
    assert not p.path.exists()
    p.decide("demo", layers=["keys", "lead"])
    assert json.loads(p.path.read_text())["decisions"] == {"demo": {"layers": ["keys", "lead"]}}


def test_decisions_survive_a_new_object(work):
    p = CapstoneProject.open()
    p.decide("demo", layers=["guitar", "lead"])
    p.decide("arrangement", edits=[["mute", "bass", "verse"]])
    p.decide("master", platform="apple")
    again = CapstoneProject.open()  # what the first cell does after a kernel restart
    assert again.decisions == p.decisions
    assert again.done == ["demo", "arrangement", "master"] and again.next_stage == "hum"
    assert again.created == p.created


def test_decisions_survive_a_fresh_process(work):
    p = CapstoneProject.open()
    p.decide("hum", freq=50)
    p.decide("lead", tune_cents=31)
    code = ("import json; from producerkit.capstone import CapstoneProject; "
            "print(json.dumps(CapstoneProject.open().decisions))")
    env = {**os.environ, "PRODUCERKIT_WORK": str(work)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True, timeout=120)
    assert json.loads(out.stdout) == {"hum": {"freq": 50}, "lead": {"tune_cents": 31}}


def test_choose_saves_an_answer_recalls_it_when_unanswered_and_uses_the_default_first(work):
    p = CapstoneProject.open()
    assert p.choose("master", "platform", ..., "spotify") == "spotify"  # nothing decided: the default, saved
    assert CapstoneProject.open().get("master", "platform") == "spotify"
    assert p.choose("master", "platform", "apple", "spotify") == "apple"  # an answer replaces it
    restarted = CapstoneProject.open()
    assert restarted.choose("master", "platform", ..., "spotify") == "apple"  # ... keeps the earlier answer
    # an answer the checker turns down is not used: the earlier decision stays
    assert restarted.choose("master", "platform", "myspace", "spotify", accept=capstone.known_platform) == "apple"
    assert CapstoneProject.open().get("master", "platform") == "apple"


def test_decisions_must_be_plain_data(work):
    p = CapstoneProject.open()
    with pytest.raises(ParameterError, match="plain data"):
        p.decide("mix", faders=np.zeros(3))
    with pytest.raises(ParameterError, match="not a capstone stage"):
        p.decide("vocals", take=1)
    assert not p.path.exists()


def test_defaults_are_recorded_as_defaults_and_next_stays_on_the_first_unanswered_stage(work):
    p = CapstoneProject.open()
    assert p.choose("demo", "layers", ..., ["keys", "lead"]) == ["keys", "lead"]
    p.decide("delivery", file=None)
    again = CapstoneProject.open()
    assert again.by("demo", "layers") == "default" and again.state("demo") == "default"
    assert again.done == ["delivery"] and again.next_stage == "demo"
    assert "the default" in again.source("demo", "layers")
    html = again._repr_html_()
    assert "1 of 8 stages decided by you" in html and ">next (default)<" in html
    assert again.answer("demo", "layers", ...) is Ellipsis  # a default is not the student's answer to check
    assert again.choose("demo", "layers", ["guitar", "lead"], ["keys", "lead"]) == ["guitar", "lead"]
    back = CapstoneProject.open()
    assert back.by("demo", "layers") == "you" and back.next_stage == "arrangement"
    assert back.source("demo", "layers").startswith("your answer, saved 20")
    assert back.answer("demo", "layers", ...) == ["guitar", "lead"]  # the check cell judges the saved answer
    assert back.answer("demo", "layers", ["keys"]) == ["keys"]  # a new answer is judged as it is


def test_a_default_follows_a_changed_default_but_an_answer_stays(work):
    p = CapstoneProject.open()
    assert p.choose("mix", "lead_db", ..., -4.0) == -4.0
    assert p.choose("mix", "lead_db", ..., -2.0) == -2.0  # e.g. a mix saved in lesson 09 since: still a default
    assert p.choose("mix", "lead_db", -1.0, -2.0) == -1.0
    assert p.choose("mix", "lead_db", ..., -6.0) == -1.0


def test_redo_forgets_a_stage_and_every_stage_after_it(work):
    p = CapstoneProject.open()
    for stage in ("demo", "arrangement", "hum", "lead", "mix"):
        p.decide(stage, x=1)
    p.redo("lead")
    assert CapstoneProject.open().done == ["demo", "arrangement", "hum"]


@pytest.mark.parametrize("content", [
    b"{\"format\": 1, \"decisions\": {\"demo\": ",                           # cut off mid-write (not valid JSON)
    b"\xff\xfe\x00garbage",                                                   # not text
    b"[1, 2, 3]",                                                              # JSON, but not a project
    b'{"format": 99, "decisions": {}}',                                        # a format this version does not read
    b'{"format": 1, "decisions": {"vocals": {"take": 1}}}',                    # a stage the course does not know
    b'{"format": 1, "decisions": {"demo": ["keys"]}}',                         # decisions that are not a table
])
def test_a_damaged_file_is_backed_up_with_a_clear_message_never_overwritten(work, content):
    path = work / PROJECT_FILE
    path.write_bytes(content)
    with pytest.raises(ProducerkitError) as err:
        CapstoneProject.open()
    message = str(err.value)
    backup = work / f"{PROJECT_FILE}.bak"
    assert backup.read_bytes() == content  # every byte kept
    assert backup.name in message and "could not be read" in message and "Run this cell again" in message
    assert not path.exists()
    fresh = CapstoneProject.open()  # running the cell again starts afresh
    assert fresh.done == []
    fresh.decide("demo", layers=["keys", "lead"])
    assert backup.read_bytes() == content


def test_a_second_damaged_file_gets_its_own_backup(work):
    path = work / PROJECT_FILE
    path.write_text("first damage")
    with pytest.raises(ProducerkitError):
        CapstoneProject.open()
    path.write_text("second damage")
    with pytest.raises(ProducerkitError, match=r"\(2\)"):
        CapstoneProject.open()
    assert (work / f"{PROJECT_FILE}.bak").read_text() == "first damage"
    assert (work / f"{PROJECT_FILE} (2).bak").read_text() == "second damage"


def test_an_interrupted_write_leaves_the_old_file(work, monkeypatch):
    p = CapstoneProject.open()
    p.decide("demo", layers=["keys", "lead"])
    before = p.path.read_bytes()

    def power_cut(fd):
        raise OSError("power cut")

    with monkeypatch.context() as m:
        m.setattr(_files.os, "fsync", power_cut)
        with pytest.raises(OSError, match="power cut"):
            p.decide("arrangement", edits=[["mute", "bass", "verse"]])
    assert p.done == ["demo"]  # the object holds what the file holds
    assert p.path.read_bytes() == before
    assert sorted(f.name for f in work.iterdir()) == [PROJECT_FILE]  # no half-written temporary file left
    assert CapstoneProject.open().done == ["demo"]


# --------------------------------------------------------------------------- files for the student


def test_delivery_never_writes_over_a_file(work):
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(3 * SR) / SR)).astype(np.float32)
    mastered, _ = capstone.master_for(capstone.premaster(np.stack([tone, tone]), SR), SR, "spotify")
    (work / capstone.MASTER_NAME).write_bytes(b"the student's own file")
    p = CapstoneProject.open()
    report, path = capstone.deliver(p, mastered, SR, "spotify")
    assert report.passed and path.name == "paper-lanterns-master (2).wav"
    assert (work / capstone.MASTER_NAME).read_bytes() == b"the student's own file"
    assert capstone.deliver(p, mastered, SR, "spotify")[1] == path  # the same master: the same file, kept
    louder, _ = capstone.master_for(capstone.premaster(np.stack([tone, tone]), SR), SR, "apple")
    assert capstone.deliver(p, louder, SR, "apple")[1].name == "paper-lanterns-master (3).wav"
    assert CapstoneProject.open().get("delivery", "platform") == "apple"


def test_a_master_that_fails_qc_is_not_delivered(work):
    p = CapstoneProject.open()
    crushed = np.clip(np.random.default_rng(1).standard_normal((2, 3 * SR)), -1, 1).astype(np.float32)
    report, path = capstone.deliver(p, crushed, SR, "spotify")
    assert not report.passed and path is None
    assert not any(work.glob("*.wav"))
    assert p.get("delivery", "file") is None


def test_the_report_never_writes_over_a_file(work):
    p = CapstoneProject.open()
    (work / capstone.REPORT_NAME).write_text("mine")
    first = capstone.write_report(p, "<html>one</html>")
    second = capstone.write_report(p, "<html>two</html>")
    assert (work / capstone.REPORT_NAME).read_text() == "mine"
    # its own earlier report is replaced, not piled up as (3), (4), ... on every run
    assert first == second == work / "paper-lanterns-release-report (2).html"
    assert second.read_text() == "<html>two</html>"
    assert sorted(f.name for f in work.glob("*.html")) == sorted([capstone.REPORT_NAME, second.name])
    assert CapstoneProject.open().get("report", "file") == second.name  # relative: the folder can move
    second.write_text("the student edited it")  # no longer the file it wrote: never written over
    third = capstone.write_report(CapstoneProject.open(), "<html>three</html>")
    assert third.name == "paper-lanterns-release-report (3).html"
    assert second.read_text() == "the student edited it"


def test_delivery_reuses_a_master_with_the_same_audio_after_the_project_was_reset(work):
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(3 * SR) / SR)).astype(np.float32)
    mastered, _ = capstone.master_for(capstone.premaster(np.stack([tone, tone]), SR), SR, "spotify")
    _, first = capstone.deliver(CapstoneProject.open(), mastered, SR, "spotify")
    (work / PROJECT_FILE).unlink()  # a fresh project (e.g. after a damaged file was moved aside)
    p = CapstoneProject.open()
    _, again = capstone.deliver(p, mastered, SR, "spotify")
    assert again == first and [f.name for f in work.glob("*.wav")] == [capstone.MASTER_NAME]
    assert p.get("delivery", "file") == capstone.MASTER_NAME


def test_delivered_files_are_recorded_relative_so_the_work_folder_can_move(work, tmp_path_factory):
    import shutil

    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(3 * SR) / SR)).astype(np.float32)
    mastered, _ = capstone.master_for(capstone.premaster(np.stack([tone, tone]), SR), SR, "spotify")
    capstone.deliver(CapstoneProject.open(), mastered, SR, "spotify")
    moved = tmp_path_factory.mktemp("laptop") / "my-work"
    shutil.copytree(work, moved)
    _, path = capstone.deliver(CapstoneProject.open(moved / PROJECT_FILE), mastered, SR, "spotify")
    assert path == moved / capstone.MASTER_NAME and len(list(moved.glob("*.wav"))) == 1


# --------------------------------------------------------------------------- the stages


def test_the_excerpt_is_verse_1_and_half_of_chorus_1():
    song = capstone.excerpt_arrangement(SESSION)
    assert [(s.name, s.bars, s.source_bar) for s in song.sections] == [("verse", 8, 2), ("chorus", 4, 10)]
    stems = capstone.arranged_stems(SESSION, song)
    n = SESSION.bar_to_sample(12)
    assert all(y.shape == (2, n) for y in stems.values())
    # straight through from the song's bar 3: the kick's arranged part is the stem's own bars 3-14
    a = SESSION.bar_to_sample(2)
    mid = slice(SR, SESSION.bar_to_sample(8) - SR)  # inside the verse, clear of the fades at its edges
    assert np.allclose(stems["kick"][0][mid], SESSION.stems["kick"][a:a + n][mid], atol=1e-6)


def test_arrangement_edits_are_checked():
    song = capstone.excerpt_arrangement(SESSION)
    assert "guitar" not in capstone.apply_edits(song, [["mute", "guitar", "chorus"]]).sections[1].layers
    assert capstone.apply_edits(song, [["drop", "chorus", 1]]).bars == song.bars + 1
    for bad, words in ((["mute", "bass", "verse"], "each one a list"), ([["solo", "bass", "verse"]], "not an edit"),
                       ([["mute", "bass"]], "two more items"), ([["mute", "bass", "bridge"]], "bridge")):
        with pytest.raises(ProducerkitError, match=words):
            capstone.apply_edits(song, bad)


def test_the_hum_fix_reaches_the_comp_no_hum_left_on_take_2():
    def hum_findings(fix):
        comp = capstone.comp_lead(SESSION, capstone.recorded_takes(SESSION, fix))
        return [c.reason for c in comp.choices if "Hz hum" in c.reason]

    assert hum_findings(None)  # as recorded, the comp hears the hum on take 2
    assert hum_findings({"freq": 50}) == []  # notched from the clip's first sample (no filter start-up left)


def test_the_hum_notch_works_from_the_first_sample():
    from producerkit import editing
    from producerkit.meters import rms_dbfs as rms_db

    hum = SESSION.variants[capstone.HUM_VARIANT]
    clean = SESSION.takes[capstone.HUM_TAKE][: len(hum)]
    fixed = editing.remove_hum(hum, SR, freq=50)
    head = slice(0, SR // 2)
    from scipy.signal import butter, sosfilt

    band = butter(2, [45, 55], "bandpass", fs=SR, output="sos")
    def level(y):
        return rms_db(sosfilt(band, np.asarray(y, np.float64)[head])[2000:])

    assert level(fixed) < level(clean) + 6  # the first half second is as clean at 50 Hz as the clean take


def test_hum_fix_takes_the_hum_out_of_take_2():
    from producerkit.checks.workflow import check_hum_removed

    n = len(SESSION.variants[capstone.HUM_VARIANT])
    assert not check_hum_removed(capstone.recorded_takes(SESSION)[capstone.HUM_TAKE][:n], SR)
    assert check_hum_removed(capstone.recorded_takes(SESSION, {"freq": 50})[capstone.HUM_TAKE][:n], SR)


def test_tuning_by_the_measured_amount_brings_the_flat_phrase_within_10_cents():
    lead = capstone.recorded_takes(SESSION)["lead_take1"]
    flat = capstone.flat_lead(SESSION, lead)
    measured = capstone.cents_off(SESSION, flat.audio)
    assert -45 < measured < -25  # pushed 35 cents flat, as the lesson says
    tuned = capstone.tune_phrase(SESSION, flat.audio, -measured)
    assert abs(capstone.cents_off(SESSION, tuned)) <= capstone.IN_TUNE_CENTS
    a, _ = capstone._phrase_span(SESSION, capstone.FLAT_PHRASE)
    assert np.array_equal(tuned[: a - SR // 10], flat.audio[: a - SR // 10])  # the rest of the lead is untouched


def test_default_mix_reads_the_mixing_lessons_settings_when_saved(work):
    from producerkit.mix import ChannelMix, MixSettings

    assert capstone.default_mix() == (capstone.DEFAULT_FADERS_DB, capstone.DEFAULT_PANS, "the default balance")
    MixSettings({"lead": ChannelMix(-2.5, 0.0), "guitar": ChannelMix(-12.0, -0.5)}).save()
    faders, pans, source = capstone.default_mix()
    assert source == "your settings from the mixing lesson"
    assert faders["lead"] == -2.5 and faders["guitar"] == -12.0 and pans["guitar"] == -0.5
    assert faders["kick"] == capstone.DEFAULT_FADERS_DB["kick"]  # a channel not saved keeps the default


def test_the_arrangement_spends_the_overdub_day_so_a_finished_project_spends_the_whole_plan():
    budget = capstone.plan().budget()
    p = CapstoneProject(Path("unused.json"))
    p.decisions = {key: {"x": 1} for key in capstone.STAGE_KEYS}
    assert capstone.spent(p, budget)[0] == sum(budget.by_stage().values())


def test_headroom_trim_pulls_every_fader_down_to_leave_3_db():
    loud = np.full((2, 100), 10 ** (-1.0 / 20), np.float32)  # peaks at -1 dBFS, as a lesson-09 mix can
    trim = capstone.headroom_trim(loud)
    assert trim == 2.0 and capstone.headroom_trim(loud * np.float32(10 ** (-trim / 20))) == 0.0
    assert capstone.headroom_trim(loud * np.float32(0.5)) == 0.0


def test_the_report_names_the_schedule_the_credits_the_release_date_and_platforms_in_pounds(work):
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(3 * SR) / SR)).astype(np.float32)
    master, _ = capstone.master_for(capstone.premaster(np.stack([tone, tone]), SR), SR, "apple")
    p = CapstoneProject.open()
    qc_report, delivered = capstone.deliver(p, master, SR, "apple")
    assert delivered is not None
    p.choose("demo", "layers", ..., ["keys", "lead"])
    budget = capstone.plan().budget()
    text = capstone.release_report(p, budget=budget, loudness=[], qc_report=qc_report, demo_audio=tone * 0.1,
                                   final_audio=master, sr=SR, ab_start_s=1.0, chorus_s=4.0)
    assert "release date 2026-04-24" in text and "Schedule and credits" in text
    assert "Ruth Adler (mastering engineer)" in text and "16 Feb – 18 Feb" in text
    assert "for Apple Music)" in text and "for apple)" not in text
    import re

    words = re.sub(r"data:audio/wav;base64,[A-Za-z0-9+/=]+", "", text)  # the A/B's audio is not text
    assert "GBP" not in words and "£" in words and "Planned cost of the stages done" in text
    assert "keys + lead <i>(default: not answered)</i>" in words  # a default is not passed off as a decision
    assert "LU louder than A" in text and "mono previews" in text and "chorus comes in at 3.0 s" in text


def test_spent_counts_the_stages_done():
    budget = capstone.plan().budget()
    p = CapstoneProject(Path("unused.json"))
    assert capstone.spent(p, budget)[0] == 0
    p.decisions = {"demo": {"x": 1}, "mix": {"x": 1}}
    by_stage = budget.by_stage()
    assert capstone.spent(p, budget) == (by_stage["demo"] + by_stage["mixing"], budget.total)


def test_a_stage_carried_out_on_defaults_is_spent_in_the_budget_and_the_report(work):
    """Run All with no answers delivers a master: the report must not call the stages before it "not yet"."""
    budget = capstone.plan().budget()
    p = CapstoneProject.open()
    p.choose("demo", "layers", ..., ["keys", "lead"])  # a default: the exercise was left unanswered
    assert p.state("demo") == "default" and p.done == [] and p.carried_out == ["demo"]
    assert capstone.spent(p, budget)[0] == budget.by_stage()["demo"]
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(2 * SR) / SR)).astype(np.float32)
    from producerkit.master import qc

    text = capstone.release_report(p, budget=budget, loudness=[], qc_report=qc(np.stack([tone, tone]), SR),
                                   demo_audio=tone, final_audio=tone, sr=SR)
    assert "<td>demo</td><td style='text-align:right'>£600</td><td>done</td>" in text


# --------------------------------------------------------------------------- the lesson's claims


def test_claim_the_chorus_lifts_about_3_lu_as_written():
    from producerkit.checks.capstone import arrangement_lift

    ns = run_lesson("12-capstone", upto="verse_edits = ...")
    assert 2.5 <= arrangement_lift([], ns["session"]) <= 3.5 < capstone.CHORUS_LIFT_LU
    from producerkit.checks.workflow import LEAD_RANGE_LU

    assert LEAD_RANGE_LU == (-6.0, 1.0)  # "between 6 LU under and 1 LU over the rest of the band"
    verse, chorus = ns["song"].sections
    assert set(verse.layers) == {"kick", "snare", "overheads", "bass", "keys", "lead"}
    assert set(chorus.layers) - set(verse.layers) == {"pad", "guitar"}


def test_claim_take_2_is_the_tightest():
    offsets = {take: np.mean([abs(p.takes[take]["offset_ms"]) for p in SESSION.phrases]) for take in SESSION.takes}
    assert min(offsets, key=offsets.get) == "lead_take2"


def test_lesson_with_default_choices_delivers_a_master_that_passes_qc(work):
    ns = run_lesson("12-capstone", tags=("setup", "exercise", "check", "claim"), cache=False)
    final = ns["Out"][ns.cell_of("check_delivered_master(delivered, platform)")]
    assert final.correct is True
    assert ns["delivered"].parent == work and ns["report_path"].parent == work
    assert ns["Out"][ns.cell_of("check_mix_headroom(mix)")].correct is True
    assert ns["Out"][ns.cell_of("check_release_report(report_path)")].correct is True
    assert ns["Out"][ns.cell_of("check_demo_layers(project.answer")].correct is None  # unanswered: no giveaway


def test_lesson_answers_are_saved_and_picked_up_after_a_restart(work):
    answers = {"demo_layers": ["guitar", "lead"], "verse_edits": [["mute", "bass", "verse"]], "hum_hz": 50,
               "tune_cents": Expr("-measured")}
    ns = run_lesson("12-capstone", tags=("setup", "exercise", "check"), upto="lead_fader_db = ...",
                    answers=answers, cache=False)
    assert ns["Out"][ns.cell_of("check_tuning_cents(project.answer")].correct is True
    after = capstone.cents_off(SESSION, ns["lead"])
    assert abs(after) <= capstone.IN_TUNE_CENTS
    # a restart: the same cells with every exercise unanswered pick the decisions up from the file
    again = run_lesson("12-capstone", tags=("setup", "exercise", "check"), upto="lead_fader_db = ...", cache=False)
    assert again["layers"] == ["guitar", "lead"]
    assert again["edits"] == [["mute", "bass", "verse"]]
    assert again["hum_freq"] == 50
    assert again["cents"] == ns["cents"] and again["cents"] > 20
    assert np.array_equal(again["lead"], ns["lead"])
    # the check cells judge the saved answers, and the project says the decisions are the student's
    assert again["Out"][again.cell_of("check_demo_layers(project.answer")].correct is True
    assert again["Out"][again.cell_of("check_hum_frequency(project.answer")].correct is True
    assert again["project"].by("demo", "layers") == "you" and again["project"].next_stage == "mix"


def test_the_demo_is_measured_as_it_is_heard():
    mono = capstone.demo(SESSION)
    from producerkit.meters import integrated_loudness

    as_played = integrated_loudness(np.stack([mono, mono]), SR)  # the players play mono on both speakers
    assert abs(capstone.VersionLoudness.of("demo", mono, SR).lufs - as_played) < 0.01
