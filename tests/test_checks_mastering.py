"""Lesson 10's checkers, each with a right, a near, a wrong and a missing answer, and the feedback they give."""

from __future__ import annotations

import numpy as np
import pytest

from producerkit import master as mastering
from producerkit.checks import check_delivery_files, check_platform_master, check_qc_failure, check_turn_down
from producerkit.checks.mastering import DELIVERY_FILES, QC_FIXES

SR = 44100


@pytest.fixture(scope="module")
def mix():
    rng = np.random.default_rng(10)
    n = 4 * SR
    t = np.arange(n) / SR
    beat = 0.3 + 0.7 * np.exp(-((t * 2) % 1) * 8)  # a hit every half second over a steady bed
    left = rng.standard_normal(n) * beat * 0.05
    right = 0.7 * left + 0.3 * rng.standard_normal(n) * beat * 0.05
    return np.stack([left, right]).astype(np.float32)


# --------------------------------------------------------------------------- check_turn_down


def test_turn_down_right_in_either_sign():
    assert check_turn_down(8.0, -8.0, "apple").correct is True
    fb = check_turn_down(-8.1, -8.0, "apple")
    assert fb.correct is True and "as a gain" in fb.message


def test_turn_down_near_names_the_platform_mixed_up():
    fb = check_turn_down(6.0, -8.0, "apple")  # Spotify's figure
    assert fb.correct is False and "-14 LUFS platform" in fb.message and "-16" in fb.hint
    fb = check_turn_down(9.0, -8.0, "apple")
    assert fb.correct is False and fb.message.startswith("close")


def test_turn_down_near_points_at_the_subtraction_not_at_a_target_the_student_never_set():
    for near in (7.2, 10):
        fb = check_turn_down(near, -7.95, "apple")
        assert fb.correct is False and fb.message.startswith("close")
        assert "-8.0 - (-16)" in fb.hint and "Apple Music's reference" in fb.hint
        assert "not the target you asked for" not in fb.hint


def test_turn_down_wrong_and_missing():
    fb = check_turn_down(16.0, -8.0, "apple")
    assert fb.correct is False and "loudness minus" in fb.message
    assert check_turn_down("loud", -8.0, "apple").correct is False
    for missing in (..., None, ""):
        assert check_turn_down(missing, -8.0, "apple").correct is None


# --------------------------------------------------------------------------- check_platform_master


def test_platform_master_right(mix):
    fb = check_platform_master(mastering.master(mix, SR, target_lufs=-14, ceiling_dbtp=-2), SR, "amazon")
    assert fb.correct is True and "Amazon Music" in fb.message


def test_platform_master_near_loudness_and_ceiling(mix):
    near = mastering.master(mix, SR, target_lufs=-15, ceiling_dbtp=-2)
    fb = check_platform_master(near, SR, "amazon")
    assert fb.correct is False and fb.message.startswith("close") and "too quiet" in fb.message
    # the hint points at the table; it does not hand over the call with the answer in it
    assert "target_lufs" in fb.hint and "from the table" in fb.hint
    assert "-14" not in fb.hint and "-2" not in fb.hint
    # Spotify's ceiling on an Amazon master: the loudness is right, the setting is not
    loose = mastering.master(mix, SR, target_lufs=-14, ceiling_dbtp=-1)
    fb = check_platform_master(loose, SR, "amazon")
    assert fb.correct is False and ("-2 dBTP" in fb.message or "asks for -2" in fb.message)
    assert "ceiling_dbtp" in fb.hint and "max dBTP from the table" in fb.hint and "-2" not in fb.hint


def test_platform_master_wrong(mix):
    fb = check_platform_master(mastering.master(mix, SR, target_lufs=-8, ceiling_dbtp=-2), SR, "amazon")
    assert fb.correct is False and "too loud" in fb.message and not fb.message.startswith("close")
    assert check_platform_master(mix, None, "amazon").correct is False  # no sample rate
    assert check_platform_master("master.wav", SR, "amazon").correct is False
    assert check_platform_master(np.zeros((2, SR), np.float32), SR, "amazon").correct is False


def test_platform_master_missing():
    for missing in (..., None):
        assert check_platform_master(missing, SR, "amazon").correct is None


# --------------------------------------------------------------------------- check_qc_failure


@pytest.fixture(scope="module")
def hot_report(mix):
    from producerkit.dynamics import Limiter
    from producerkit.meters import integrated_loudness

    gain = 10 ** ((-8 - integrated_loudness(mix, SR)) / 20)
    hot = Limiter(ceiling_dbtp=0.0, release_ms=30, true_peak=False)(mix * gain, SR)
    report = mastering.qc(hot, SR, target="spotify")
    assert [f.subject for f in report.failures] == ["true peak"]
    return report


def test_qc_failure_right(hot_report):
    fb = check_qc_failure(("true peak", "b"), hot_report)
    assert fb.correct is True
    assert check_qc_failure({"line": "True Peak", "fix": "(B)"}, hot_report).correct is True


def test_qc_failure_near(hot_report):
    fb = check_qc_failure(("true peak", "e"), hot_report)  # the right line, a tempting fix
    assert fb.correct is False and "right line" in fb.message and "reconstruct" in fb.message
    fb = check_qc_failure(("integrated loudness", "b"), hot_report)  # a WARN line, not the FAIL
    assert fb.correct is False and "WARN" in fb.message


def test_qc_failure_wrong(hot_report):
    assert check_qc_failure(("clipping", "c"), hot_report).correct is False
    fb = check_qc_failure(("loudness war", "b"), hot_report)
    assert fb.correct is False and "no line called" in fb.message
    fb = check_qc_failure(("true peak", "z"), hot_report)
    assert fb.correct is False and all(letter in fb.message for letter in QC_FIXES)
    assert check_qc_failure("true peak", hot_report).correct is False


def test_qc_failure_missing(hot_report):
    for missing in (..., None, ()):
        assert check_qc_failure(missing, hot_report).correct is None


# --------------------------------------------------------------------------- check_delivery_files


def test_delivery_right():
    assert check_delivery_files(["A", "B"]).correct is True
    assert check_delivery_files(("b", "a")).correct is True
    assert check_delivery_files("A, B").correct is True


def test_delivery_near_says_what_is_off():
    fb = check_delivery_files(["A"])
    assert fb.correct is False and fb.message.startswith("close") and "B is missing" in fb.message
    fb = check_delivery_files(["A", "B", "C"])
    assert fb.correct is False and fb.message.startswith("close") and "lossy" in fb.message
    fb = check_delivery_files(["A", "F"])
    assert fb.correct is False and "dither" in fb.message


def test_delivery_wrong():
    fb = check_delivery_files(["C", "D", "G"])
    assert fb.correct is False and not fb.message.startswith("close")
    assert "96 kHz" in fb.message and "name" in fb.message
    fb = check_delivery_files(["A", "Z"])
    assert fb.correct is False and "no file Z" in fb.message
    assert check_delivery_files(7).correct is False
    assert set(DELIVERY_FILES) == set("ABCDEFG")


def test_delivery_missing():
    for missing in (..., None, [], ""):
        assert check_delivery_files(missing).correct is None


def test_the_true_peak_fix_points_at_the_figure_the_report_asks_for_and_the_table_shows_it(hot_report):
    from producerkit.checks.mastering import QC_FIXES

    assert "the figure the report asks for" in QC_FIXES["b"] and "platform's figure" not in QC_FIXES["b"]
    line = hot_report["true peak"]
    assert line.expected == "<= -2 dBTP" and "true-peak limiter with its ceiling at -2 dBTP" in line.message + line.fix
    table = mastering.targets()
    assert "max dBTP if louder" in str(table) and "max dBTP if louder" in table._repr_html_()
    spotify = next(row for row in table._rows() if row[0] == "spotify")
    assert spotify[3:5] == ("-1", "-2")
    assert all(row[4] == "" for row in table._rows() if row[0] != "spotify")
