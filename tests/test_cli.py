"""The producerkit command: help per subcommand, tables and JSON, exit codes, never overwriting."""

import json
import subprocess
import sys

import numpy as np
import pytest

from producerkit.audio import save
from producerkit.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from producerkit.meters import integrated_loudness, true_peak
from producerkit.signals import noise

SR = 44100


@pytest.fixture
def mix_file(tmp_path):
    y = noise(6.0, SR, color="pink", level_dbfs=-24, seed=2, channels=2, decorrelated=True)
    return save(tmp_path / "mix.wav", y, SR)


@pytest.mark.parametrize("command", ["lab", "meter", "qc", "master", "datasets"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: producerkit " + command in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == EXIT_USAGE
    assert "meter" in capsys.readouterr().out


def test_a_bad_command_line_exits_2():
    with pytest.raises(SystemExit) as exit_info:
        main(["master", "only-one-file.wav"])
    assert exit_info.value.code == EXIT_USAGE


def test_meter_prints_a_table_and_json(mix_file, capsys):
    assert main(["meter", str(mix_file)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "LUFS" in out and "dBTP" in out and "mix.wav" in out
    assert main(["meter", "--json", str(mix_file)]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    from producerkit.audio import load

    y, sr = load(mix_file)
    assert rows[0]["integrated_lufs"] == pytest.approx(integrated_loudness(y, sr), abs=1e-6)
    assert rows[0]["true_peak_dbtp"] == pytest.approx(true_peak(y, sr), abs=1e-6)


def test_meter_reports_unreadable_files_and_exits_1(mix_file, tmp_path, capsys):
    assert main(["meter", str(mix_file), str(tmp_path / "missing.wav")]) == EXIT_FAILED
    captured = capsys.readouterr()
    assert "missing.wav: file not found" in captured.err
    assert "mix.wav" in captured.out  # the good file is still measured


def test_master_reaches_the_target_and_never_overwrites(mix_file, tmp_path, capsys):
    out = tmp_path / "master.wav"
    assert main(["master", str(mix_file), str(out), "--target", "-14", "--ceiling", "-1"]) == EXIT_OK
    from producerkit.audio import load

    y, sr = load(out)
    assert integrated_loudness(y, sr) == pytest.approx(-14, abs=0.5)
    assert true_peak(y, sr) <= -1.0 + 0.1
    before = out.read_bytes()
    assert main(["master", str(mix_file), str(out)]) == EXIT_FAILED
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert main(["master", str(mix_file), str(mix_file)]) == EXIT_FAILED


def test_qc_exit_code_follows_the_verdict(mix_file, tmp_path, capsys):
    # -21 LUFS pink noise is quiet for Spotify (a warning at most), so it does not fail...
    code = main(["qc", str(mix_file), "--target", "spotify", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["target"] and report["findings"]
    assert code == (EXIT_FAILED if report["verdict"] == "fail" else EXIT_OK)
    # ...but a file clipped hard at full scale fails
    clipped = np.clip(noise(6.0, SR, level_dbfs=0, seed=1, channels=2), -1, 1)
    path = save(tmp_path / "clipped.wav", clipped, SR)
    assert main(["qc", str(path)]) == EXIT_FAILED
    assert "FAIL" in capsys.readouterr().out.upper()
    assert main(["qc", str(path), "--target", "nowhere"]) == EXIT_FAILED


def test_datasets_verify_passes_on_the_shipped_audio(capsys):
    assert main(["datasets", "verify"]) == EXIT_OK
    assert "match their sha256" in capsys.readouterr().out


def test_datasets_verify_fails_with_exit_1_on_a_changed_file(tmp_path, monkeypatch, capsys):
    import shutil

    from producerkit import datasets

    copy = tmp_path / "datasets"
    shutil.copytree(datasets._root(None), copy)
    victim = next(copy.rglob("*.flac"))
    victim.write_bytes(victim.read_bytes()[:-100])
    monkeypatch.setattr(datasets, "_root", lambda root=None: copy)
    assert main(["datasets", "verify"]) == EXIT_FAILED
    assert "changed" in capsys.readouterr().err


def test_the_console_script_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "producerkit.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("producerkit ")


# ---------------------------------------------------------------- lesson 10's walkthrough (W10 s4)


def _kick_mix(seconds: float = 6.0) -> np.ndarray:
    """Pink noise under a kick whose first swing is positive: its peaks lean to one side, as many kicks' do."""
    y = noise(seconds, SR, color="pink", level_dbfs=-30, seed=3, channels=2, decorrelated=True).astype(np.float64)
    t = np.arange(int(0.25 * SR)) / SR
    kick = 0.5 * np.sin(2 * np.pi * 55 * t) * np.exp(-t / 0.06)
    for start in range(0, y.shape[1] - kick.size, SR // 2):
        y[:, start:start + kick.size] += kick
    return y.astype(np.float32)


def test_a_loud_master_from_the_command_line_has_no_dc_offset_warning(tmp_path, capsys):
    mix = save(tmp_path / "kick mix.wav", _kick_mix(), SR)
    out = tmp_path / "master.wav"
    assert main(["master", str(mix), str(out), "--target", "-8", "--ceiling", "-1"]) == EXIT_OK
    capsys.readouterr()
    main(["qc", str(out), "--json"])
    findings = {f["subject"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    assert findings["DC offset"]["status"] == "pass", findings["DC offset"]
    from producerkit.audio import load

    y, sr = load(out)
    assert integrated_loudness(y, sr) == pytest.approx(-8, abs=0.5) and true_peak(y, sr) <= -1.0 + 0.05


def test_master_refuses_a_lossy_output(mix_file, tmp_path, capsys):
    for name in ("master.mp3", "master.OGG"):
        assert main(["master", str(mix_file), str(tmp_path / name)]) == EXIT_FAILED
        assert "lossless" in capsys.readouterr().err
        assert not (tmp_path / name).exists()


@pytest.mark.parametrize("command", ["qc", "master"])
def test_a_truncated_wav_is_refused_with_the_uploads_message(mix_file, tmp_path, capsys, command):
    cut = tmp_path / "truncated.wav"
    data = mix_file.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    args = [command, str(cut)] + ([str(tmp_path / "out.wav")] if command == "master" else [])
    assert main(args) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "truncated.wav is incomplete: its header promises" in err and "more bytes of audio" in err
    assert not (tmp_path / "out.wav").exists()


def test_a_16_bit_master_is_dithered_unless_asked_not_to(mix_file, tmp_path, capsys):
    import soundfile as sf

    assert "PCM_16 is dithered" in " ".join(subprocess.run(
        [sys.executable, "-m", "producerkit.cli", "master", "--help"], capture_output=True, text=True).stdout.split())
    plain, dithered = tmp_path / "plain.wav", tmp_path / "dithered.wav"
    assert main(["master", str(mix_file), str(plain), "--subtype", "PCM_16", "--no-dither"]) == EXIT_OK
    assert main(["master", str(mix_file), str(dithered), "--subtype", "PCM_16"]) == EXIT_OK
    a, b = sf.read(plain, dtype="int16")[0].astype(int), sf.read(dithered, dtype="int16")[0].astype(int)
    diff = b - a  # the dither: about a third of an LSB of spread, never more than 2 steps, centred on 0
    assert sf.info(dithered).subtype == "PCM_16" and np.abs(diff).max() <= 2
    assert 0.3 < diff.std() < 0.8 and abs(diff.mean()) < 0.02
