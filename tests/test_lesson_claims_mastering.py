"""Lesson 10's text says what its cells show, computed from the lesson's own tagged cells.

- the loudness war: "the -8 LUFS master plays 6 dB quieter than before on a -14 LUFS platform", the -14 LUFS
  master plays unchanged, at the same loudness the loud master's peaks are lower and its crest factor about
  5 dB lower, its limiter took "up to 11 dB" (printed);
- true peak: the sample-peak limiter leaves every sample under 0 dBFS and the true peak over 0 dBTP, and the
  zoom draws exactly that (the dots inside full scale, the 4x wave over it);
- limiting against clipping: the clipped push fails the QC clipping line, the true-peak limited one passes
  and peaks under -1 dBTP;
- the gentle chain: what the text says of each stage (EQ, glue compressor, gain, limiter);
- the targets table: every target has a source, printed; Spotify's -2 dBTP for loud masters is in the table and
  the text, and is what the hot master's report and the -8 LUFS master's true-peak line expect;
- the upload sizes the text gives are what such files measure;
- the command lines the lesson shows end without a DC offset warning;
- the QC report of the hot master fails one line, true peak, and the lesson's fix list holds its fix;
- each exercise's right answer, computed from the lesson's values, passes its check cell;
- "Your own track" runs with nothing uploaded and shows the lesson's own mix as the example.
"""

from __future__ import annotations

import numpy as np
import pytest

from producerkit import meters

from .lesson_cells import markdown, run_cells

LESSON = "10-mastering"


@pytest.fixture(scope="module")
def ns():
    ns, _ = run_cells(LESSON, ["m10-setup", "m10-war", "m10-normalised", "m10-hot", "m10-clip", "m10-chain",
                               "m10-hot-qc"])
    return ns


def _prose() -> str:
    return " ".join(markdown(LESSON).split())


def _gr(report) -> float:
    return report.stage("Limiter").details["max_gain_reduction_db"]


def test_the_mix_is_the_four_chorus_bars_the_text_names(ns):
    song, sr = ns["song"], ns["sr"]
    assert ns["mix"].shape == (2, song.bar_to_sample(14) - song.bar_to_sample(10))
    assert song.sections[2].name == "chorus" and song.sections[2].start_bar == 10  # bar 11 as a DAW counts
    assert "the first four bars of the chorus (bars 11–14)" in _prose()
    assert ns["mix_peak"] < -6  # a mix with headroom, as the delivery section asks for
    assert abs(ns["mix"].shape[1] / sr - 9.6) < 0.01


def test_the_minus_8_master_plays_6_db_quieter_on_a_minus_14_platform(ns):
    sr, loud, gentle = ns["sr"], ns["loud"], ns["gentle"]
    on = ns["on_spotify"]
    assert abs(ns["loud_lufs"] - (-8)) <= 0.1 and abs(ns["gentle_lufs"] - (-14)) <= 0.1
    before = meters.integrated_loudness(loud, sr)
    after = meters.integrated_loudness(on["-8 LUFS master"], sr)
    assert after == pytest.approx(before - 6.0, abs=0.2)
    assert after == pytest.approx(-14.0, abs=0.05)
    unchanged = meters.integrated_loudness(on["-14 LUFS master"], sr) - meters.integrated_loudness(gentle, sr)
    assert abs(unchanged) < 0.1
    text = _prose()
    assert "the -8 LUFS master is turned down by about 6 dB, so it plays 6 dB quieter" in text
    assert "a -8 LUFS master plays 6 dB quieter than it left the studio on a -14 LUFS platform" in text


def test_at_the_same_loudness_the_loud_master_is_the_flatter_one(ns, capsys):
    loud, gentle, on = ns["loud"], ns["gentle"], ns["on_spotify"]
    assert np.abs(on["-8 LUFS master"]).max() < np.abs(on["-14 LUFS master"]).max() - 0.05
    crest_gap = meters.crest_factor_db(gentle) - meters.crest_factor_db(loud)
    assert 4.5 <= crest_gap <= 6.0, crest_gap
    assert 10.5 <= _gr(ns["loud_report"]) < 11.5  # "up to 11 dB of gain reduction", as the cell prints it
    assert "crest factor (peak over RMS) is about 5 dB lower" in _prose()
    assert "up to 11 dB of gain reduction, printed above" in _prose()
    capsys.readouterr()
    run_cells(LESSON, ["m10-war"], dict(ns))
    assert f"up to {_gr(ns['loud_report']):.1f} dB gain reduction" in capsys.readouterr().out


def test_the_waveform_figure_draws_both_masters_as_spotify_plays_them(ns):
    _, fig = run_cells(LESSON, ["m10-war-fig"], dict(ns))
    assert [t.name for t in fig.data] == list(ns["on_spotify"])
    assert fig.layout.xaxis2.title.text == "time (s)" or fig.layout.xaxis.title.text == "time (s)"


def test_every_sample_under_full_scale_and_the_true_peak_over_it(ns):
    sr, hot = ns["sr"], ns["hot"]
    assert np.abs(hot).max() < 1.0
    assert meters.true_peak(hot, sr) > 0.0
    assert meters.integrated_loudness(hot, sr) > -9.5  # pushed toward -8 LUFS
    _, fig = run_cells(LESSON, ["m10-tp-fig"], dict(ns))
    wave, dots = fig.data
    assert np.abs(np.asarray(dots.y)).max() < 1.0 < np.abs(np.asarray(wave.y)).max()
    assert fig.layout.yaxis.title.text == "amplitude near the peak (FS)" and "ms" in fig.layout.xaxis.title.text
    span = np.asarray(dots.x)
    assert span.min() < 0 < span.max() and span.max() - span.min() <= 1.1  # "a zoom of one millisecond"
    # the over is plain to see: the axis is zoomed to the peak's side, and the over takes a visible part of it
    low, high = sorted(fig.layout.yaxis.range)
    peak = np.asarray(wave.y)[np.argmax(np.abs(np.asarray(wave.y)))]
    assert peak < 0 and low <= peak and high <= -0.5  # "the peak is a negative one ... from -0.6 down to just past -1"
    assert (abs(peak) - 1.0) / (high - low) > 0.04 and abs(low + 1) <= 0.1 + 1e-9 and abs(high + 0.6) < 1e-9
    assert "Here the peak is a negative one (full scale is ±1)" in _prose()
    assert f"loudness reads {meters.integrated_loudness(hot, sr):.1f} LUFS, not -8" in _prose()


def test_the_limiter_passes_qc_where_clipping_fails(ns):
    from producerkit import master as mastering

    sr = ns["sr"]
    assert mastering.qc(ns["clipped"], sr)["clipping"].status == "fail"
    assert mastering.qc(ns["loud"], sr)["clipping"].status == "pass"
    assert meters.true_peak(ns["loud"], sr) <= -1.0
    assert meters.true_peak(ns["clipped"], sr) > 0.0


def test_each_stage_of_the_gentle_chain_does_what_the_text_says(ns):
    sr, stages, report = ns["sr"], ns["stages"], ns["chain_report"]
    lufs = {name: meters.integrated_loudness(y, sr) for name, y in stages.items()}
    crest = {name: meters.crest_factor_db(y) for name, y in stages.items()}
    assert abs(lufs["EQ"] - lufs["mix"]) < 0.2  # "leaves the loudness where it was"
    assert 0.5 <= crest["EQ"] - crest["mix"] <= 1.5  # "lifts the crest factor by about 1 dB"
    from producerkit.eq import HighPass, HighShelf

    mix = stages["mix"]
    shelf_only = meters.crest_factor_db(HighShelf(8000, gain_db=1.0)(mix, sr)) - crest["mix"]
    highpass_only = meters.crest_factor_db(HighPass(30)(mix, sr)) - crest["mix"]
    assert abs(shelf_only) < 0.2 and 0.5 <= highpass_only <= 1.5  # "not because of the shelf (it adds 0.1 dB)"
    glue_gr = report.stage("Compressor").details["max_gain_reduction_db"]
    assert 3.0 <= glue_gr <= 4.5  # "up to 4 dB off the loudest hits"
    assert 1.5 <= lufs["EQ"] - lufs["glue compressor"] <= 3.0  # "about 2 LU"
    assert 0.0 < crest["EQ"] - crest["glue compressor"] < 1.0  # "under 1 dB"
    assert 9.5 <= lufs["gain"] - lufs["glue compressor"] <= 10.5  # "adds 10 dB"
    assert abs(crest["gain"] - crest["glue compressor"]) < 0.01  # "changes nothing else"
    assert meters.true_peak(stages["gain"], sr) < -1.0  # "already under -1 dBTP"
    assert _gr(report) < 0.1  # "passes it untouched"
    assert abs(lufs["limiter"] + 14) <= 0.1 and meters.true_peak(stages["limiter"], sr) <= -1.0
    assert min(crest.values()) > 14.0
    assert crest["mix"] - meters.crest_factor_db(ns["loud"]) >= 5.0  # "lost 5 dB of crest factor"
    text = _prose()
    for said in ("lifts the crest factor by about 1 dB", "not because of the shelf (it adds 0.1 dB)",
                 "takes up to 4 dB off the loudest hits",
                 "The gain adds 10 dB of loudness and changes nothing else", "passes it untouched",
                 "needed up to 11 dB of it"):
        assert said in text, said


def test_the_chain_figure_shows_the_stages_in_order(ns):
    _, fig = run_cells(LESSON, ["m10-chain-fig"], dict(ns))
    assert list(fig.data[0].x) == ["mix", "EQ", "glue compressor", "gain", "limiter"]
    assert fig.layout.yaxis.title.text == "loudness (LUFS)" and fig.layout.yaxis2.title.text == "crest factor (dB)"


def test_every_target_has_a_source(ns):
    out, _ = run_cells(LESSON, ["m10-targets"], dict(ns))
    table = out["table"]
    assert {t.key for t in table} >= {"spotify", "apple", "youtube", "amazon", "ebu_r128"}
    assert all(t.source for t in table)


def test_spotifys_ceiling_for_loud_masters_is_in_the_table_and_the_text(ns):
    from producerkit import master as mastering

    out, _ = run_cells(LESSON, ["m10-targets"], dict(ns))
    spotify = next(row for row in out["table"]._rows() if row[0] == "spotify")
    assert spotify[3:5] == ("-1", "-2")
    assert ns["hot_qc"]["true peak"].expected == "<= -2 dBTP"
    loud_line = mastering.qc(ns["loud"], ns["sr"], "spotify")["true peak"]
    assert loud_line.status == "warn" and loud_line.measured == "-1.03 dBTP"
    text = _prose()
    for said in ('Read the "max dBTP if louder" column too', "Spotify asks for -1 dBTP, and for -2 dBTP when a master "
                 "is louder than -14 LUFS", "The hot master's report below expects -2",
                 "the -8 LUFS master from the loudness war (true peak -1.03 dBTP) gets a warning on that line"):
        assert said in text, said


def test_the_upload_sizes_are_what_the_files_measure(tmp_path):
    import soundfile as sf

    plain_limit = 10 * 1024 * 1024  # a plain jupyter lab: tornado's websocket_max_message_size
    path = tmp_path / "four minutes.wav"
    sf.write(path, np.zeros((240 * 44100, 2), np.float32), 44100, subtype="PCM_24")
    size = path.stat().st_size
    assert round(size / 1e6) == 64  # "a 4-minute 24-bit WAV is about 64 MB"
    seconds = plain_limit / (44100 * 2 * 3)
    assert 38 <= seconds <= 42  # "about 40 seconds of 24-bit stereo WAV"
    assert round(320_000 / 8 * 240 / 1e6) == 10  # "a 320 kbps MP3 of it about 10 MB" (constant bit rate)
    text = _prose()
    for said in ("takes at most 10 MB that way: about 40 seconds of 24-bit stereo WAV",
                 "A 4-minute 24-bit WAV is about 64 MB, and a 320 kbps MP3 of it about 10 MB"):
        assert said in text, said


def test_the_lessons_command_lines_end_without_a_dc_offset_warning(ns, tmp_path, monkeypatch, capsys):
    import json
    import shlex

    from producerkit.audio import save
    from producerkit.cli import main

    monkeypatch.chdir(tmp_path)
    save(tmp_path / "my mix.wav", ns["mix"], ns["sr"])
    cell = markdown(LESSON).split("```bash")[1].split("```")[0]
    commands = [shlex.split(line.split("#")[0])[1:] for line in cell.strip().splitlines()]
    assert [c[0] for c in commands] == ["meter", "qc", "master", "qc"]
    for command in commands:
        assert main(command) in (0, 1), command
    capsys.readouterr()
    main(commands[-1] + ["--json"])
    findings = {f["subject"]: f["status"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert findings["DC offset"] == "pass" and findings["true peak"] == "pass"
    assert findings["integrated loudness"] == "pass"


def test_an_unmastered_mix_warns_on_loudness_as_the_text_says(ns):
    from producerkit import master as mastering

    report = mastering.qc(ns["mix"], ns["sr"], "spotify")
    assert report["integrated loudness"].status == "warn" and report.verdict == "warn"
    assert "A mix with headroom is quieter than the platform's figure, so its loudness line warns" in _prose()


def test_the_hot_master_fails_one_line_and_the_fix_list_holds_its_fix(ns):
    from producerkit.checks import check_qc_failure

    report = ns["hot_qc"]
    assert [f.subject for f in report.failures] == ["true peak"]
    assert check_qc_failure(("true peak", "b"), report).correct is True
    assert check_qc_failure(("true peak", "e"), report).correct is False


def test_each_exercise_passes_with_the_right_answer(ns):
    from producerkit import master as mastering
    from producerkit.checks.mastering import DELIVERY_FILES

    answers = dict(ns)
    answers["turn_down_db"] = ns["loud_lufs"] - mastering.PLATFORM_TARGETS["apple"].integrated_lufs
    answers["amazon_master"] = mastering.master(ns["mix"], ns["sr"], target_lufs=-14, ceiling_dbtp=-2)
    answers["qc_answer"] = ("true peak", "b")
    answers["delivery"] = ["A", "B"]
    assert set(DELIVERY_FILES) >= {"A", "B"}
    for cell in ("m10-check1", "m10-check2", "m10-check3", "m10-check4"):
        _, feedback = run_cells(LESSON, [cell], answers)
        assert feedback.correct is True, (cell, feedback)


def test_unanswered_exercises_say_so(ns):
    out, _ = run_cells(LESSON, ["m10-ex1", "m10-ex2", "m10-ex3", "m10-ex4"], dict(ns))
    for cell in ("m10-check1", "m10-check2", "m10-check3", "m10-check4"):
        _, feedback = run_cells(LESSON, [cell], out)
        assert feedback.correct is None, (cell, feedback)


def test_your_own_track_shows_the_example_with_nothing_uploaded(ns, tmp_path, monkeypatch):
    monkeypatch.setenv("PRODUCERKIT_WORK", str(tmp_path))
    _, view = run_cells(LESSON, ["m10-upload"], dict(ns))
    assert view.error == "" and view.mix is ns["mix"] and view.title == "Paper Lanterns (chorus)"
    assert "Showing the example" in view.status.value
    assert abs(view.master_report.output_lufs + 14) <= 0.1
    assert view.player.match_loudness
    assert list(tmp_path.iterdir()) == []  # nothing is written until the student asks
    assert '"my mix.wav" "my master.wav" --platform spotify' in markdown(LESSON)


def test_the_file_names_the_text_shows_are_the_helpers(ns, capsys):
    run_cells(LESSON, ["m10-names"], dict(ns))
    printed = capsys.readouterr().out.splitlines()
    assert printed[-2:] == ["Paper Lanterns - master - 24-bit 44.1 kHz.wav",
                            "Paper Lanterns - master - 16-bit 44.1 kHz.wav"]
    assert "`Paper Lanterns - master - 24-bit 44.1 kHz.wav` survives an email chain" in _prose()


def test_dither_turns_the_cutting_error_into_a_steady_hiss(ns):
    out, player = run_cells(LESSON, ["m10-dither"], dict(ns))
    tail, sr = out["tail"], ns["sr"]
    assert -63 <= 20 * np.log10(np.abs(tail).max()) <= -57  # "about -60 dBFS"
    assert (player.label_a, player.label_b) == ("Cut to 16 bits, +40 dB", "Dithered to 16 bits, +40 dB")

    def error_db(cut, part):
        error = (cut - tail)[:, part].astype(np.float64)
        return 10 * np.log10(np.mean(error ** 2))

    def follows_the_waveform(cut) -> float:
        return abs(np.corrcoef((cut - tail).ravel(), np.sign(tail).ravel())[0, 1])

    rounded, dithered = out["rounded"], out["dithered"]
    # rounding: an error made from the music ("it follows the waveform"), and dead silence at the end
    assert follows_the_waveform(rounded) > 0.03
    sounding = np.nonzero(np.any(rounded != 0, axis=0))[0][-1]
    assert np.all(rounded[:, sounding + 1:] == 0) and sr - sounding > sr // 50  # over 20 ms of dead silence
    assert np.any(tail[:, sounding + 1:] != 0)  # while the fade still has sound in it
    # dither: independent of the music, the same hiss from start to end, never silent
    assert follows_the_waveform(dithered) < 0.015
    early, late = slice(0, sr // 2), slice(sr - sr // 5, sr)
    assert abs(error_db(dithered, early) - error_db(dithered, late)) < 1
    # where A is dead silent, B's hiss goes on as before (TPDF noise on silence is 0 three times in four)
    assert abs(error_db(dithered, slice(sounding + 1, sr)) - error_db(dithered, early)) < 1.5
    text = _prose()
    for said in ("A's error is made from the music itself: it follows the waveform",
                 "the fade's last moments drop into dead silence",
                 "B's error is a steady, soft hiss that has nothing to do with the music"):
        assert said in text, said
