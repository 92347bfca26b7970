"""Delivery files as a student gets them: 16-bit files are dithered, and files get ordinary permissions."""

from __future__ import annotations

import os

import numpy as np
import pytest

from producerkit._files import write_atomic
from producerkit.audio import dither_to_16bit, load, save
from producerkit.master import save_master

SR = 48000


def _quiet_tone() -> np.ndarray:
    """One second of 1 kHz about 3 LSB high (-80 dBFS): a reverb tail's level, where cutting to 16 bits shows."""
    t = np.arange(SR) / SR
    return (3.3 / 32768 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)


def _harmonics_over_floor_db(error: np.ndarray) -> list[float]:
    """The 3rd, 5th and 7th harmonic of 1 kHz in the cutting error, in dB over the error's median bin."""
    spectrum = np.abs(np.fft.rfft(error)) ** 2  # 1 s at 48 kHz: bin k is k Hz, the tone exactly periodic
    floor = np.median(spectrum[100:20000]) + 1e-30
    return [float(10 * np.log10(spectrum[k * 1000] / floor + 1e-30)) for k in (3, 5, 7)]


@pytest.mark.parametrize("dither, distorted", [(False, True), (True, False)])
def test_saving_16_bit_dithers_so_the_cutting_error_no_longer_follows_the_music(tmp_path, dither, distorted):
    y = _quiet_tone()
    save(tmp_path / "tail.wav", y, SR, subtype="PCM_16", dither=dither)
    back, _ = load(tmp_path / "tail.wav")
    error = back.astype(np.float64) - y
    harmonics = _harmonics_over_floor_db(error)
    correlation = abs(np.corrcoef(error, np.sign(y))[0, 1])
    if distorted:  # plain rounding: the error is the tone's own odd harmonics
        assert min(harmonics) > 30 and correlation > 0.1, (harmonics, correlation)
    else:  # TPDF dither: no harmonic stands out of the hiss, and the error is independent of the signal
        assert max(harmonics) < 12 and correlation < 0.03, (harmonics, correlation)
        assert np.abs(error).max() <= 1.5 / 32768 + 1e-9  # ±1 LSB of dither plus half a step of rounding


def test_dither_is_the_default_for_16_bit_and_leaves_16_bit_audio_alone(tmp_path):
    y = _quiet_tone()
    save(tmp_path / "default.wav", y, SR, subtype="PCM_16")
    back, _ = load(tmp_path / "default.wav")
    assert max(_harmonics_over_floor_db(back.astype(np.float64) - y)) < 12
    # a file that is already 16-bit comes back sample for sample: no second layer of noise
    save(tmp_path / "again.wav", back, SR, subtype="PCM_16")
    np.testing.assert_array_equal(load(tmp_path / "again.wav")[0], back)
    assert dither_to_16bit(np.array([1.0, -1.0, 0.5], np.float32)).tolist() == [32767, -32768, 16384]


def test_a_master_saved_at_16_bit_is_dithered(tmp_path):
    y = _quiet_tone()
    path = save_master(y, SR, "tail - master - 16-bit 48 kHz.wav", folder=tmp_path, subtype="PCM_16")
    back, _ = load(path)
    assert max(_harmonics_over_floor_db(back.astype(np.float64) - y)) < 12


@pytest.fixture
def umask():
    """Set the process's umask for a test and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_new_files_get_the_mode_the_umask_gives_not_owner_only(tmp_path, umask, mask, mode):
    umask(mask)
    write_atomic(tmp_path / "notes.txt", "hello", replace=False)
    save(tmp_path / "mix.wav", _quiet_tone(), SR)
    path = save_master(_quiet_tone(), SR, "master.wav", folder=tmp_path)
    for p in (tmp_path / "notes.txt", tmp_path / "mix.wav", path):
        assert oct(p.stat().st_mode & 0o777) == oct(mode), p


def test_overwriting_keeps_the_old_files_mode(tmp_path, umask):
    umask(0o022)
    path = tmp_path / "master.wav"
    save(path, _quiet_tone(), SR)
    os.chmod(path, 0o664)
    save(path, _quiet_tone() * 2, SR, overwrite=True)
    assert oct(path.stat().st_mode & 0o777) == oct(0o664)
    write_atomic(path, b"x", replace=True)
    assert oct(path.stat().st_mode & 0o777) == oct(0o664)
