"""Your own track: a mix uploaded as bytes, decoded with clear errors, mastered and saved, in the lesson and the CLI.

Real files are made here: a WAV, a FLAC and an MP3 (libsndfile encodes MP3 from 1.1.0; the test says so if not),
a damaged WAV, FLAC and MP3, a WAV cut off mid-upload, an empty file, a file that is not audio and an over-long one.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from producerkit import master as mastering
from producerkit import meters
from producerkit.cli import main
from producerkit.errors import AudioError

SR = 44100


@pytest.fixture(scope="module")
def mix() -> np.ndarray:
    """3 s of a stereo 'mix': a chord with a beat, peaking well under full scale."""
    t = np.arange(3 * SR) / SR
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    beat = 0.4 + 0.6 * np.exp(-((t * 2) % 1) * 6)
    left = 0.3 * chord * beat
    return np.stack([left, 0.8 * left]).astype(np.float32)


def encode(y: np.ndarray, fmt: str, subtype: str | None = None, sr: int = SR) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, y.T, sr, format=fmt, subtype=subtype)
    return buf.getvalue()


def needs_mp3():
    if "MP3" not in sf.available_formats():
        pytest.skip(f"this libsndfile ({sf.__libsndfile_version__}) cannot write MP3 (it needs 1.1.0 or later)")


# --------------------------------------------------------------------------- decode_mix: real files


@pytest.mark.parametrize("fmt, subtype", [("WAV", "PCM_16"), ("WAV", "PCM_24"), ("WAV", "FLOAT"), ("FLAC", "PCM_24")])
def test_lossless_files_decode_to_the_same_audio(mix, fmt, subtype):
    y, sr = mastering.decode_mix(encode(mix, fmt, subtype), f"mix.{fmt.lower()}")
    assert sr == SR and y.shape == mix.shape and y.dtype == np.float32
    assert np.max(np.abs(y - mix)) < 1e-4


def test_an_mp3_decodes_to_the_same_loudness(mix):
    needs_mp3()
    data = encode(mix, "MP3")
    assert data[:3] == b"ID3" or data[0] == 0xFF
    y, sr = mastering.decode_mix(memoryview(data), "mix.mp3")  # as a FileUpload hands it over
    assert sr == SR and y.shape[0] == 2
    assert abs(y.shape[1] - mix.shape[1]) < 0.1 * SR  # an encoder pads a little
    assert abs(meters.integrated_loudness(y, SR) - meters.integrated_loudness(mix, SR)) < 0.5


def test_a_mono_file_and_another_rate(mix):
    y, sr = mastering.decode_mix(encode(mix[:1], "WAV", sr=48000), "mono.wav")
    assert sr == 48000 and y.shape == (1, mix.shape[1])


# --------------------------------------------------------------------------- decode_mix: what goes wrong


def test_an_empty_file_says_the_upload_did_not_finish():
    with pytest.raises(AudioError, match=r"empty \(0 bytes\).*Export the mix again"):
        mastering.decode_mix(b"", "empty.wav")


def test_a_file_that_is_not_audio():
    for data, name in ((b"%PDF-1.7 a contract, not a mix" * 20, "contract.pdf"),
                       (b'{"project": "my song"}' * 30, "song.als"),
                       (bytes(range(256)) * 8, "picture.png")):
        with pytest.raises(AudioError, match=r"is not an audio file.*WAV, FLAC or MP3"):
            mastering.decode_mix(data, name)


def test_damaged_files_say_they_are_damaged(mix):
    rng = np.random.default_rng(1)
    wav = encode(mix, "WAV")
    bad_fmt = wav[:20] + b"\xff" * 16 + wav[36:]  # the 'fmt ' chunk overwritten
    with pytest.raises(AudioError, match=r"starts like a WAV file but could not be read.*damaged"):
        mastering.decode_mix(bad_fmt, "bad.wav")
    flac = encode(mix, "FLAC")
    with pytest.raises(AudioError, match=r"FLAC.*damaged"):
        mastering.decode_mix(flac[:len(flac) // 2], "half.flac")
    garbled = flac[:200] + bytes(rng.integers(0, 256, len(flac) - 200, dtype=np.uint8))
    with pytest.raises(AudioError, match=r"FLAC.*damaged"):
        mastering.decode_mix(garbled, "garbled.flac")


def test_a_damaged_mp3(mix):
    needs_mp3()
    mp3 = encode(mix, "MP3")
    garbled = mp3[:100] + bytes(np.random.default_rng(2).integers(0, 256, len(mp3) - 100, dtype=np.uint8))
    with pytest.raises(AudioError, match=r"an MP3 file.*damaged"):
        mastering.decode_mix(garbled, "garbled.mp3")


def test_a_wav_cut_off_mid_upload(mix):
    wav = encode(mix, "WAV")
    with pytest.raises(AudioError, match=r"incomplete: its header promises \d+ more bytes.*cut off"):
        mastering.decode_mix(wav[: len(wav) // 3], "cut.wav")


def test_a_file_with_no_samples_and_one_with_nan(mix):
    with pytest.raises(AudioError, match="no samples"):
        mastering.decode_mix(encode(mix[:, :0], "WAV"), "nothing.wav")
    broken = mix.copy()
    broken[0, 100] = np.nan
    with pytest.raises(AudioError, match="NaN"):
        mastering.decode_mix(encode(broken, "WAV", "FLOAT"), "nan.wav")


def test_an_over_long_file_is_refused_before_it_is_decoded():
    # a real 10 min 1 s file (8 kHz mono, 9.6 MB) against the default limit of 10 minutes
    long = np.zeros(int((mastering.MAX_MIX_SECONDS + 1) * 8000), np.int16)
    long[::97] = 1000
    buf = io.BytesIO()
    sf.write(buf, long, 8000, format="WAV", subtype="PCM_16")
    with pytest.raises(AudioError, match=r"is 10 min 01 s long; the course takes mixes up to 10 min 00 s"):
        mastering.decode_mix(buf.getvalue(), "long.wav")


def test_the_limit_can_be_set(mix):
    with pytest.raises(AudioError, match="3 s long; the course takes mixes up to 2 s"):
        mastering.decode_mix(encode(mix, "FLAC"), "mix.flac", max_seconds=2)


def test_not_bytes():
    with pytest.raises(AudioError, match="expected the file's bytes"):
        mastering.decode_mix("mix.wav", "mix.wav")


# --------------------------------------------------------------------------- names and saving


def test_delivery_names_say_what_the_file_is():
    assert mastering.delivery_name("Paper Lanterns") == "Paper Lanterns - master - 24-bit 44.1 kHz.wav"
    assert (mastering.delivery_name("a/b: c?", "master for Spotify", sr=48000, bits=16)
            == "a-b- c - master for Spotify - 16-bit 48 kHz.wav")
    assert mastering.delivery_name("  ", sr=96000).startswith("untitled - master - 24-bit 96 kHz")


def test_save_master_never_overwrites(mix, tmp_path):
    first = mastering.save_master(mix, SR, "song - master.wav", folder=tmp_path)
    (tmp_path / "song - master (2).wav").write_bytes(b"the student's own file")
    second = mastering.save_master(mix * 0.5, SR, "song - master.wav", folder=tmp_path)
    assert first.name == "song - master.wav" and second.name == "song - master (3).wav"
    assert (tmp_path / "song - master (2).wav").read_bytes() == b"the student's own file"
    assert sf.info(str(second)).subtype == "PCM_24"
    y, _ = sf.read(str(first), always_2d=True)
    assert np.max(np.abs(y.T - mix)) < 1e-4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song - master (2).wav", "song - master (3).wav",
                                                           "song - master.wav"]  # no temporary files left


def test_save_master_defaults_to_the_work_folder(mix, tmp_path, monkeypatch):
    monkeypatch.setenv("PRODUCERKIT_WORK", str(tmp_path / "work"))
    path = mastering.save_master(mix, SR, "x.wav")
    assert path.parent == tmp_path / "work"


# --------------------------------------------------------------------------- the widget


@pytest.fixture()
def upload(mix, tmp_path):
    from producerkit.widgets import TrackUpload

    return TrackUpload(mix, SR, example_title="Example", target="spotify", folder=tmp_path)


def test_the_widget_shows_the_example_until_an_upload(upload, mix):
    assert upload.mix is mix and upload.error == "" and "Showing the example" in upload.status.value
    assert abs(upload.master_report.output_lufs + 14) <= 0.1
    assert upload.view.target.key == "spotify" and upload.player.match_loudness
    assert upload.view.player.label_a == "The mix" == upload.player.label_a
    assert upload.player.label_b == "Master for Spotify"
    assert upload.view._dropdown.layout.display == "none"  # one platform menu, above both parts


@pytest.mark.parametrize("fmt", ["WAV", "FLAC", "MP3"])
def test_an_upload_is_measured_checked_mastered_and_saved(upload, mix, fmt, tmp_path):
    if fmt == "MP3":
        needs_mp3()
    quiet = mix * 0.25
    assert upload.load(encode(quiet, fmt), f"My Song.{fmt.lower()}")
    assert upload.error == "" and upload.title == "My Song" and "Your mix" in upload.status.value
    lufs = meters.integrated_loudness(quiet, SR)
    assert abs(upload.view.loudness.integrated_lufs - lufs) < 0.5
    assert upload.qc_report.target.key == "spotify"
    assert abs(upload.master_report.output_lufs + 14) <= 0.5
    assert upload.master_report.output_true_peak_dbtp <= -1.0
    assert upload.set_target("apple")
    assert abs(upload.master_report.output_lufs + 16) <= 0.5 and upload.platform.value == "apple"
    assert upload.qc_report.target.key == "apple"
    first, second = upload.save(), upload.save()
    assert first.name == "My Song - master for Apple Music - 24-bit 44.1 kHz.wav"
    assert second.name == "My Song - master for Apple Music - 24-bit 44.1 kHz (2).wav"
    assert first.parent == tmp_path and "Saved" in upload.saved_line.value
    y, sr = sf.read(str(first), always_2d=True)
    assert sr == SR and abs(meters.integrated_loudness(y.T.astype(np.float32), sr) + 16) <= 0.5


def test_a_bad_upload_shows_its_error_and_keeps_the_last_mix(upload, mix):
    assert upload.load(encode(mix * 0.5, "FLAC"), "good.flac")
    for data, name, said in ((b"", "empty.wav", "empty"), (b"not audio" * 50, "notes.txt", "not an audio file"),
                             (encode(mix, "WAV")[:5000], "cut.wav", "incomplete")):
        assert not upload.load(data, name)
        assert said in upload.error and said in upload.error_line.value
        assert upload.title == "good" and "Still showing" in upload.status.value
    assert upload.load(encode(mix, "WAV"), "fixed.wav") and upload.error == "" and upload.error_line.value == ""


def test_a_mix_too_big_for_the_button_loads_from_a_file(upload, mix, tmp_path):
    path = tmp_path / "big mix.flac"
    sf.write(str(path), mix.T, SR)
    assert upload.load_file(path) and upload.title == "big mix" and upload.error == ""
    assert not upload.load_file(tmp_path / "nowhere.wav")
    assert "nowhere.wav: cannot read it" in upload.error and upload.title == "big mix"


def test_producerkit_lab_lets_a_whole_mix_through_the_upload(monkeypatch):
    import json

    from producerkit import cli

    seen = []
    monkeypatch.setattr(cli.subprocess, "call", lambda command, cwd=None: seen.append(command) or 0)
    assert main(["lab", "--no-browser"]) == 0
    flag = next(arg for arg in seen[0] if arg.startswith("--ServerApp.tornado_settings="))
    settings = json.loads(flag.split("=", 1)[1])
    assert settings["websocket_max_message_size"] >= 200 * 1024 * 1024  # a 10-minute 24-bit stereo WAV is 160 MiB


def test_a_silent_upload_cannot_be_mastered(upload, mix):
    assert not upload.load(encode(np.zeros_like(mix), "WAV"), "silence.wav")
    assert "silent" in upload.error and upload.title == "Example"


def test_the_upload_button_feeds_load(upload, mix):
    upload._on_upload({"new": ({"name": "button.flac", "content": memoryview(encode(mix, "FLAC")), "size": 1},)})
    assert upload.title == "button" and upload.error == ""


def test_the_platform_dropdown_remasters(upload):
    upload.platform.value = "ebu_r128"
    assert abs(upload.master_report.output_lufs + 23) <= 0.5 and upload.view.target.key == "ebu_r128"


def test_changing_the_platform_says_so_while_it_works(upload, monkeypatch):
    seen = []
    original = upload._set_mix

    def spy(*args, **kwargs):
        seen.append(upload.status.value)
        return original(*args, **kwargs)

    monkeypatch.setattr(upload, "_set_mix", spy)
    assert upload.set_target("apple")
    assert seen == ["Checking and mastering for Apple Music ..."]
    assert "Checking" not in upload.status.value  # and the line is back to the mix when done


def test_a_master_for_a_platform_has_no_dc_offset_left_by_the_limiter(mix):
    loud = np.asarray(mix) * 4.0  # a hot mix: the limiter works hard and its gain leaves DC behind
    plain, _ = mastering.master(loud, SR, target_lufs=-14, ceiling_dbtp=-1)
    out, report = mastering.master_to_platform(loud, SR, "spotify")
    dc = [float(np.abs(y.astype(np.float64).mean(axis=-1)).max()) for y in (plain, out)]
    assert dc[1] < 1e-6 and dc[1] < dc[0], dc
    assert mastering.qc(out, SR, "spotify")["DC offset"].status == "pass"
    assert report.stages[-1].name == "DC" and report.output_true_peak_dbtp <= -1.0
    assert abs(report.output_lufs + 14) <= 0.5


# --------------------------------------------------------------------------- the command line


def test_cli_qc_and_master_with_a_platform(mix, tmp_path, capsys):
    src = tmp_path / "my mix.wav"
    sf.write(str(src), mix.T, SR, subtype="PCM_24")
    assert main(["qc", str(src), "--target", "spotify"]) == 0  # a quiet mix warns, it does not fail
    assert "QC for Spotify" in capsys.readouterr().out
    out = tmp_path / "my master.wav"
    assert main(["master", str(src), str(out), "--platform", "amazon"]) == 0
    y, sr = sf.read(str(out), always_2d=True)
    assert abs(meters.integrated_loudness(y.T.astype(np.float32), sr) + 14) <= 0.5
    assert meters.true_peak(y.T.astype(np.float32), sr) <= -2.0 + 0.05  # 24-bit rounding
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my master.wav", "my mix.wav"]  # nothing half-written


def test_cli_master_never_overwrites_without_overwrite(mix, tmp_path, capsys):
    src, out = tmp_path / "mix.flac", tmp_path / "master.wav"
    sf.write(str(src), mix.T, SR)
    out.write_bytes(b"last week's master")
    assert main(["master", str(src), str(out), "--platform", "spotify"]) == 1
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"last week's master"
    assert main(["master", str(src), str(out), "--platform", "spotify", "--overwrite"]) == 0
    assert sf.info(str(out)).frames > 0


def test_cli_master_platform_figures_can_be_overridden(mix, tmp_path):
    src, out = tmp_path / "mix.wav", tmp_path / "m.wav"
    sf.write(str(src), mix.T, SR)
    assert main(["master", str(src), str(out), "--platform", "spotify", "--target", "-16"]) == 0
    y, sr = sf.read(str(out), always_2d=True)
    assert abs(meters.integrated_loudness(y.T.astype(np.float32), sr) + 16) <= 0.5


def test_cli_master_unknown_platform(mix, tmp_path, capsys):
    src = tmp_path / "mix.wav"
    sf.write(str(src), mix.T, SR)
    assert main(["master", str(src), str(tmp_path / "m.wav"), "--platform", "myspace"]) == 1
    assert "unknown target 'myspace'" in capsys.readouterr().err
    assert not (tmp_path / "m.wav").exists()


def test_the_master_report_names_the_high_pass(mix):
    from producerkit.eq import EQ, HighShelf

    _, report = mastering.master_to_platform(mix, SR, "apple")
    assert report.stages[0].action == "EQ: high-pass 20 Hz (rumble)" and report.stages[-1].name == "DC"
    _, report = mastering.master_to_platform(mix, SR, "apple", eq=EQ([HighShelf(8000, gain_db=1.0)]),
                                             highpass_hz=30)
    assert report.stages[0].action == "EQ: 1 band, then high-pass 30 Hz"
    _, report = mastering.master_to_platform(mix, SR, "apple", highpass_hz=None)
    assert [s.name for s in report.stages] == ["Gain", "Limiter"]
