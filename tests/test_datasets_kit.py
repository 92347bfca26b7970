"""The recorded drum kit in datasets/: AVL Drumkits' Black Pearl, rendered by datasets.build_kit()."""

from __future__ import annotations

import numpy as np
import pytest

from producerkit import datasets
from producerkit.errors import DatasetError

PIECES = ["kick", "snare", "rimshot", "clap", "hat", "open_hat", "pedal_hat", "rack_tom", "floor_tom", "crash", "ride"]
KIT = datasets.load_kit("avl_black_pearl")


def test_the_kit_has_every_piece_at_three_velocities():
    assert datasets.kits() == ["avl_black_pearl"]
    assert KIT.pieces == PIECES and KIT.sr == 44100
    assert all(list(KIT.hits[p]) == [40, 80, 127] for p in PIECES)
    assert KIT.choke_groups == (("hat", "open_hat", "pedal_hat"),)
    assert "Glen MacArthur" in KIT.credit and KIT.licence == "CC-BY-SA-3.0"
    assert len(datasets.items(role="kit")) == 33


def test_harder_hits_are_louder_and_start_at_once():
    for piece, layers in KIT.hits.items():
        peaks = [float(np.max(np.abs(y))) for y in layers.values()]
        assert peaks[0] < peaks[1] < peaks[2], (piece, peaks)
        assert -14 <= 20 * np.log10(peaks[2]) <= -6, (piece, peaks)  # the kit's balance, 6 dB down
        for y in layers.values():
            assert y.dtype == np.float32 and y.ndim == 1 and not y.flags.writeable
            onset = int(np.argmax(np.abs(y) > 0.1 * np.max(np.abs(y))))
            assert onset < 0.01 * KIT.sr, piece
            assert abs(float(y[-1])) < 1e-3 and 0.2 < len(y) / KIT.sr < 4  # faded out, trimmed
            assert 20 * np.log10(abs(float(np.mean(y, dtype=np.float64))) + 1e-12) < -60, piece  # no DC


def test_unknown_kit_lists_the_known_ones():
    with pytest.raises(DatasetError, match="avl_black_pearl"):
        datasets.load_kit("red_zeppelin")
    with pytest.raises(DatasetError, match="never used as paths"):
        datasets.load_kit("../kits")


def test_missing_soundfont_says_what_to_install(tmp_path):
    with pytest.raises(DatasetError, match="apt-get install avldrums.lv2-soundfont"):
        datasets.find_kit_soundfont(tmp_path / "missing.sf2")


def test_build_kit_renders_the_shipped_samples_again(tmp_path):
    try:
        import tinysoundfont  # noqa: F401

        datasets.find_kit_soundfont()
    except (ImportError, DatasetError):
        pytest.skip("needs tinysoundfont and avldrums.lv2-soundfont (make renderer)")
    shipped = datasets.manifest()
    files, kits = datasets.build_kit(tmp_path)
    assert kits == shipped["kits"]
    assert sorted(files) == sorted(datasets.items(role="kit"))
    for name, entry in files.items():
        assert entry["pcm_sha256"] == shipped["files"][name]["pcm_sha256"], name
        assert entry["file"] == shipped["files"][name]["file"], name
        assert (tmp_path / entry["file"]).is_file()
    assert not (tmp_path / "manifest.json").exists()  # build_kit alone leaves the manifest to build()
