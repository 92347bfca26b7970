"""producerkit.report: one finding type and one renderer for every report (QC, plan check, gain staging, comping)."""

import json

import pytest

from producerkit import ParameterError
from producerkit.report import FAIL, PASS, STATUSES, WARN, Finding, Report


def _report():
    return Report(
        [
            Finding(PASS, "true peak", "enough headroom for lossy encoding.", measured="-1.2 dBTP",
                    expected="<= -1 dBTP"),
            Finding(WARN, "LRA", "very wide & <loud>", fix="compress gently", value=18.0),
            Finding(FAIL, "clipping", "3 runs at full scale.", fix="lower the level into the limiter"),
        ],
        title="QC for Spotify",
    )


def test_statuses_and_verdict_is_the_worst():
    assert STATUSES == ("pass", "warn", "fail")
    r = _report()
    assert r.verdict == FAIL and not r.passed
    assert [f.subject for f in r.failures] == ["clipping"] and [f.subject for f in r.warnings] == ["LRA"]
    assert [f.subject for f in r.problems] == ["clipping", "LRA"]
    assert Report([Finding(PASS, "a", "fine"), Finding(WARN, "b", "hm")]).verdict == WARN
    assert Report().verdict == PASS and Report().passed


def test_index_by_position_or_subject():
    r = _report()
    assert r[0].subject == "true peak" and r["LRA"].value == 18.0
    with pytest.raises(KeyError, match="no finding about 'DC offset'"):
        r["DC offset"]


def test_text_is_a_table_with_the_verdict_and_only_the_columns_in_use():
    text = str(_report())
    lines = text.splitlines()
    assert lines[0] == "QC for Spotify: FAIL"
    assert lines[1].split() == ["check", "status", "measured", "expected", "finding", "what", "to", "do"]
    assert "clipping" in text and "lower the level into the limiter" in text
    bare = str(Report([Finding(PASS, "lead", "peaks at -12 dBFS.")], title="Gain staging", subject_label="channel"))
    assert bare.splitlines()[1].split() == ["channel", "status", "finding"]
    assert str(Report(title="Plan", empty="no problems found")) == "Plan: no problems found"


def test_html_escapes_and_marks_every_row_with_its_status():
    page = _report()._repr_html_()
    assert page.count('data-status="') == 3 and 'data-verdict="fail"' in page
    assert "&amp; &lt;loud&gt;" in page and "<loud>" not in page
    assert "QC for Spotify: FAIL" in page
    table = _report().table_html()  # what a widget embeds: the same rows, without the heading
    assert table.startswith("<table>") and table.count('data-status="') == 3 and "QC for Spotify" not in table


def test_to_dict_is_json():
    data = json.loads(json.dumps(_report().to_dict()))
    assert data["verdict"] == "fail" and len(data["findings"]) == 3
    assert data["findings"][1]["status"] == "warn" and data["findings"][1]["fix"] == "compress gently"


def test_bad_findings_are_refused_with_a_clear_error():
    with pytest.raises(ParameterError, match="status must be one of pass, warn, fail"):
        Finding("error", "x", "y")
    with pytest.raises(ParameterError, match="holds Finding objects"):
        Report(["not a finding"])


def test_str_of_a_finding_reads_as_a_line():
    assert str(Finding(FAIL, "budget", "Over budget by £280.", "cut a day")) == \
        "[fail] budget: Over budget by £280. → cut a day"
    assert str(Finding(PASS, "lead", "fine.")) == "[pass] lead: fine."


def test_every_report_the_library_makes_is_a_report_of_findings():
    """QC, the plan check, gain staging and comping share the type (no QCItem, Issue or GainStagingRow)."""
    import numpy as np

    from producerkit import editing, master, mix, planning
    from producerkit.signals import sine

    sr = 44100
    y = sine(440, 1.0, sr, level_dbfs=-12.0)
    reports = [
        master.qc(y, sr),
        planning.Project.example().check(),
        mix.Mixer([mix.Track("tone", y)], sr).gain_staging(),
        editing.comp_takes([y, y.copy()], sr, [(0.0, 1.0)]).report,
    ]
    for r in reports:
        assert isinstance(r, Report) and all(isinstance(f, Finding) for f in r)
        assert r._repr_html_().startswith('<div class="producerkit-report"') or "no problems" in r._repr_html_()
    assert not hasattr(master, "QCItem") and not hasattr(mix, "GainStagingRow") and not hasattr(planning, "Issue")
    assert np.isfinite(reports[2]["tone"].data["peak_dbfs"])
