"""producerkit.audio: layout convention, decibels, loading and atomic saving."""

import os
import warnings

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from producerkit import AudioError, DatasetError, ParameterError, ProducerkitError
from producerkit.audio import (
    ClippingWarning,
    amp_to_db,
    check_sr,
    db_to_amp,
    ensure_audio,
    load,
    power_to_db,
    resample,
    save,
    to_mono,
    to_stereo,
)
from producerkit.signals import sine

SR = 44100


# ---------------------------------------------------------------- errors


def test_error_hierarchy_is_exported_at_top_level():
    assert issubclass(AudioError, ProducerkitError)
    assert issubclass(DatasetError, ProducerkitError)
    assert issubclass(ParameterError, ProducerkitError)
    assert issubclass(ParameterError, ValueError)


# ---------------------------------------------------------------- decibels


def test_db_amp_round_trip_and_known_values():
    assert db_to_amp(0) == pytest.approx(1.0)
    assert db_to_amp(-20) == pytest.approx(0.1)
    assert amp_to_db(0.5) == pytest.approx(-6.0206, abs=1e-4)
    assert amp_to_db(-0.5) == pytest.approx(-6.0206, abs=1e-4)  # magnitude, sign ignored
    levels = np.linspace(-100, 20, 13)
    np.testing.assert_allclose(amp_to_db(db_to_amp(levels)), levels, atol=1e-9)


def test_silence_reads_as_the_floor_not_minus_infinity():
    assert amp_to_db(0.0) == -120.0
    assert amp_to_db(0.0, floor_db=-90) == -90.0
    assert power_to_db(0.0) == -120.0
    assert power_to_db(0.01) == pytest.approx(-20.0)


# ---------------------------------------------------------------- layout


def test_ensure_audio_keeps_float32_mono_and_channels_first():
    y = np.zeros(100, np.float32)
    assert ensure_audio(y) is y or np.shares_memory(ensure_audio(y), y)
    st2 = np.zeros((2, 100), np.float32)
    assert ensure_audio(st2).shape == (2, 100)
    assert ensure_audio(np.zeros((1, 100))).shape == (100,)  # one channel is mono


def test_ensure_audio_converts_dtypes_to_float32_full_scale():
    y16 = np.array([-32768, 0, 16384], dtype=np.int16)
    np.testing.assert_allclose(ensure_audio(y16), [-1.0, 0.0, 0.5])
    assert ensure_audio(y16).dtype == np.float32
    y32 = np.array([2**30], dtype=np.int32)
    np.testing.assert_allclose(ensure_audio(y32), [0.5])
    assert ensure_audio(np.ones(4, np.float64)).dtype == np.float32
    u8 = np.array([0, 128, 255], dtype=np.uint8)
    np.testing.assert_allclose(ensure_audio(u8), [-1.0, 0.0, 127 / 128], atol=1e-6)


def test_samples_by_channels_is_refused_with_the_fix_or_transposed_at_the_edge():
    y = np.zeros((1000, 2), np.float32)
    with pytest.raises(AudioError, match=r"\(samples, channels\).*y\.T"):
        ensure_audio(y)
    assert ensure_audio(y, allow_transposed=True).shape == (2, 1000)


@pytest.mark.parametrize(
    "bad, pattern",
    [
        (np.zeros((100, 100)), "neither axis looks like channels"),
        (np.zeros((2, 3, 4)), "3 dimensions"),
        (np.float32(1.0), "single number"),
        (np.zeros(0), "empty"),
        (np.array([0.0, np.nan]), "NaN or infinite"),
        (np.array([0.0, np.inf]), "NaN or infinite"),
        (np.array(["a", "b"]), "array of numbers"),
        (np.array([1 + 1j]), "complex"),
        (np.array([True, False]), "boolean"),
        ((np.zeros(10), 44100), r"\(y, sr\) tuple"),
    ],
)
def test_ensure_audio_rejects_with_a_message_that_says_what_to_pass(bad, pattern):
    with pytest.raises(AudioError, match=pattern):
        ensure_audio(bad)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64, np.int16, np.int32]),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=40),
        elements={"allow_nan": True, "allow_infinity": True} if False else None,
    )
)
def test_ensure_audio_either_returns_the_convention_or_raises_audio_error(arr):
    """Property: any array comes back float32 in (n,) or (channels <= 16, n), finite; or AudioError."""
    try:
        out = ensure_audio(arr)
    except AudioError:
        return
    assert out.dtype == np.float32
    assert out.ndim in (1, 2)
    if out.ndim == 2:
        assert 2 <= out.shape[0] <= 16
    assert out.shape[-1] > 0
    assert np.isfinite(out).all()
    assert out.flags.c_contiguous


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([np.nan, np.inf, -np.inf, 0.1]), min_size=1, max_size=30))
def test_any_non_finite_sample_is_rejected(values):
    arr = np.array(values, dtype=np.float64)
    if np.isfinite(arr).all():
        assert ensure_audio(arr).shape == arr.shape
    else:
        with pytest.raises(AudioError, match="NaN or infinite"):
            ensure_audio(arr)


def test_check_sr():
    assert check_sr(44100) == 44100
    assert check_sr(48000.0) == 48000
    for bad in (0, -44100, 44100.5, float("nan"), "44100", True, 10):
        with pytest.raises(ParameterError):
            check_sr(bad)


def test_to_mono_averages_and_to_stereo_duplicates():
    left = np.ones(10, np.float32)
    right = np.zeros(10, np.float32)
    np.testing.assert_allclose(to_mono(np.stack([left, right])), 0.5)
    mono = np.arange(5, dtype=np.float32) / 10
    st2 = to_stereo(mono)
    assert st2.shape == (2, 5)
    np.testing.assert_array_equal(st2[0], st2[1])


def test_to_stereo_folds_5_0_down_with_itu_bs775_coefficients():
    n = 8
    y = np.zeros((5, n), np.float32)
    y[2] = 1.0  # centre only
    out = to_stereo(y)
    np.testing.assert_allclose(out, 10 ** (-3 / 20), rtol=1e-6)
    with pytest.raises(AudioError, match="cannot fold 3 channels"):
        to_stereo(np.zeros((3, n), np.float32))


def test_resample_keeps_a_tone_at_its_frequency_and_level():
    y = sine(1000, 1.0, 48000, level_dbfs=-6)
    out = resample(y, 48000, 44100)
    assert out.dtype == np.float32 and out.shape == (44100,)
    spectrum = np.abs(np.fft.rfft(out * np.hanning(out.size)))
    peak_hz = np.argmax(spectrum) * 44100 / out.size
    assert abs(peak_hz - 1000) < 2
    assert amp_to_db(np.max(np.abs(out[1000:-1000]))) == pytest.approx(-6, abs=0.1)


# ---------------------------------------------------------------- files


@pytest.mark.parametrize("ext, subtype", [("wav", "PCM_24"), ("flac", "PCM_16"), ("ogg", None), ("wav", "FLOAT")])
def test_save_then_load_round_trips(tmp_path, ext, subtype):
    y = sine(440, 0.5, SR, level_dbfs=-6, channels=2)
    y[1] *= 0.5
    path = tmp_path / f"tone.{ext}"
    save(path, y, SR, **({"subtype": subtype} if subtype else {}))
    back, sr = load(path)
    assert sr == SR and back.dtype == np.float32 and back.shape == y.shape
    tol = {"PCM_24": 1e-6, "FLOAT": 1e-7, "PCM_16": 1e-4}.get(subtype, 0.05)
    if ext != "ogg":
        np.testing.assert_allclose(back, y, atol=tol)
    else:  # lossy: compare levels
        assert abs(np.std(back[0]) - np.std(y[0])) < 0.02


def test_load_mono_and_resample(tmp_path):
    path = save(tmp_path / "st.wav", sine(440, 0.25, SR, channels=2), SR)
    y, sr = load(path, mono=True)
    assert y.ndim == 1
    y2, sr2 = load(path, sr=22050)
    assert sr2 == 22050 and y2.shape[0] == 2 and abs(y2.shape[1] - 0.25 * 22050) <= 1


def test_load_reads_mp3(tmp_path):
    path = tmp_path / "tone.mp3"
    try:
        save(path, sine(440, 0.5, SR), SR)
    except AudioError as exc:  # libsndfile without MP3 support
        pytest.skip(f"this libsndfile cannot write MP3: {exc}")
    y, sr = load(path)
    assert sr == SR and y.ndim == 1 and y.size > 0.4 * SR


def test_load_errors_name_the_file_and_the_problem(tmp_path):
    with pytest.raises(AudioError, match="missing.wav: file not found"):
        load(tmp_path / "missing.wav")
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")
    with pytest.raises(AudioError, match="corrupt.wav: could not read it as audio"):
        load(corrupt)
    text = tmp_path / "notes.flac"
    text.write_text("not audio")
    with pytest.raises(AudioError, match="notes.flac"):
        load(text)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros((0, 1)), SR)
    with pytest.raises(AudioError, match="empty.wav: the file holds no samples"):
        load(empty)
    nan = tmp_path / "nan.wav"
    sf.write(nan, np.array([0.0, np.nan, 0.1]), SR, subtype="FLOAT")
    with pytest.raises(AudioError, match="nan.wav: the file contains NaN"):
        load(nan)
    with pytest.raises(AudioError, match="is a folder"):
        load(tmp_path)


def test_save_never_overwrites_without_permission(tmp_path):
    path = tmp_path / "mix.wav"
    save(path, sine(440, 0.1, SR), SR)
    before = path.read_bytes()
    with pytest.raises(AudioError, match="already exists.*overwrite=True"):
        save(path, sine(880, 0.1, SR), SR)
    assert path.read_bytes() == before
    save(path, sine(880, 0.1, SR), SR, overwrite=True)
    assert path.read_bytes() != before
    assert [p.name for p in tmp_path.iterdir()] == ["mix.wav"]  # no temporary files left behind


def test_save_refuses_bad_audio_and_leaves_nothing_behind(tmp_path):
    with pytest.raises(AudioError, match="NaN or infinite"):
        save(tmp_path / "bad.wav", np.array([0.0, np.nan]), SR)
    with pytest.raises(AudioError, match="unknown extension"):
        save(tmp_path / "bad.xyz", sine(440, 0.1, SR), SR)
    with pytest.raises(AudioError, match="does not exist"):
        save(tmp_path / "nope" / "a.wav", sine(440, 0.1, SR), SR)
    with pytest.raises(AudioError, match="cannot hold subtype"):
        save(tmp_path / "a.flac", sine(440, 0.1, SR), SR, subtype="FLOAT")
    assert list(tmp_path.iterdir()) == []


def test_save_warns_on_clipping_or_refuses_with_clip_error(tmp_path):
    loud = np.array([0.0, 1.5, -1.2, 0.3], np.float32)
    with pytest.warns(ClippingWarning, match="2 sample\\(s\\) exceed"):
        save(tmp_path / "loud.wav", loud, SR)
    with pytest.raises(AudioError, match="exceed"):
        save(tmp_path / "loud2.wav", loud, SR, clip="error")
    assert not (tmp_path / "loud2.wav").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        save(tmp_path / "float.wav", loud, SR, subtype="FLOAT")  # float files hold overs: no warning


def test_save_failure_midway_keeps_the_existing_file(tmp_path, monkeypatch):
    path = tmp_path / "keep.wav"
    save(path, sine(440, 0.1, SR), SR)
    before = path.read_bytes()

    def broken_write(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(sf, "write", broken_write)
    with pytest.raises(AudioError, match="could not write the file \\(disk full\\); nothing was changed"):
        save(path, sine(880, 0.1, SR), SR, overwrite=True)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["keep.wav"]
