"""The bundled session: manifest, files and loader agree; the problems are where the manifest says.

References: the FLAC format (RFC 9639) as read by libsndfile for sample rate, channels and frames;
SHA-256 (FIPS 180-4) through hashlib for the checksums; Welch's method (scipy.signal.welch) for
the spectra; R. Bristow-Johnson's Audio EQ Cookbook peaking-EQ definition (gain_db at freq, a cut
of the same q undoing the boost) for the mud and resonance problems.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate, welch

from producerkit import datasets
from producerkit.errors import DatasetError

ROOT = datasets.DATASETS_DIR
MAN = datasets.manifest()
FILES = MAN["files"]
SESSION = datasets.load_session("paper_lanterns")


def _spectrum(y, sr):
    return welch(y, sr, nperseg=16384)


def _clean_part(session, problem):
    """The clean audio under a variant, cut to the variant's bars."""
    a, b = problem.bars
    if problem.clean in session.stems:
        return session.stems[problem.clean][session.bar_to_sample(a) : session.bar_to_sample(b)]
    off = session.takes_start_bar
    return session.takes[problem.clean][session.bar_to_sample(a - off) : session.bar_to_sample(b - off)]


# --------------------------------------------------------------------------- manifest and files


def test_verify_checks_every_sha256():
    assert sorted(datasets.verify()) == sorted(FILES)


def test_manifest_entries_match_the_flac_files():
    """Each entry's sample rate, channels, frames and duration are what libsndfile reads from the FLAC."""
    for name, entry in FILES.items():
        for key in ("role", "description", "sample_rate", "channels", "duration_s", "sha256", "licence", "file"):
            assert entry.get(key) not in (None, ""), (name, key)
        path = ROOT / entry["file"]
        info = sf.info(str(path))
        assert info.format == "FLAC" and info.subtype == "PCM_16", name
        assert info.samplerate == entry["sample_rate"] == 44100, name
        assert info.channels == entry["channels"] == 1, name
        assert info.frames == entry["frames"], name
        assert entry["duration_s"] == pytest.approx(info.frames / info.samplerate, abs=1e-6), name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], name


def test_roles_cover_the_brief():
    roles = {r: datasets.items(role=r) for r in datasets.ROLES}
    assert roles["stem"] == ["kick", "snare", "overheads", "bass", "keys", "pad", "guitar", "lead"]
    assert len(roles["take"]) == 3
    assert sorted(roles["one_shot"]) == ["oneshot_clap", "oneshot_hat", "oneshot_kick", "oneshot_snare"]
    kinds = {p["kind"] for p in MAN["sessions"]["paper_lanterns"]["problems"]}
    assert kinds == {"mud", "resonance", "rumble", "hum", "uneven_dynamics"}
    assert sorted(roles["variant"]) == sorted(p.variant for p in SESSION.problems)


def test_no_unlisted_files_and_under_20_mb():
    listed = {ROOT / e["file"] for e in FILES.values()} | {ROOT / "manifest.json", ROOT / "LICENSE", ROOT / "README.md"}
    present = {p for p in ROOT.rglob("*") if p.is_file()}
    assert present == listed
    assert sum(p.stat().st_size for p in present) <= 20 * 1024 * 1024


def test_licence_credits_fluidr3():
    text = (ROOT / "LICENSE").read_text()
    assert "FluidR3" in text and "Frank Wen" in text and "MIT" in text
    assert all(e["licence"] == "MIT" for e in FILES.values() if e["role"] != "kit")


def test_licence_credits_the_recorded_kit():
    """The recorded kit is CC-BY-SA-3.0, by Glen MacArthur, and says so in LICENSE and on every file."""
    text = (ROOT / "LICENSE").read_text()
    assert "Glen MacArthur" in text and "CC-BY-SA-3.0" in text and "kits/avl_black_pearl" in text
    kit_files = [e for e in FILES.values() if e["role"] == "kit"]
    assert len(kit_files) == 33 and all(e["licence"] == "CC-BY-SA-3.0" for e in kit_files)
    assert MAN["kits"]["avl_black_pearl"]["author"] == "Glen MacArthur"


def test_sections_match_the_rendered_length():
    """Sections run back to back from bar 0, and their bars at 100 BPM 4/4 are exactly the stems' length."""
    s = SESSION
    assert (s.bpm, s.key, s.time_signature) == (100, "A minor", (4, 4))
    assert [x.name for x in s.sections] == ["intro", "verse", "chorus", "bridge", "chorus", "outro"]
    bar = 0
    for section in s.sections:
        assert section.start_bar == bar
        bar = section.end_bar
    assert s.bars == bar == 32
    assert s.bar_to_seconds(1) == pytest.approx(2.4)
    assert 60 <= s.duration_s <= 80
    for name in s.stems:
        assert FILES[name]["frames"] == round(s.bars * 2.4 * s.sr), name
        assert FILES[name]["duration_s"] == pytest.approx(s.sections[-1].end_s)
    for name in s.takes:
        assert FILES[name]["frames"] == s.bar_to_sample(FILES[name]["end_bar"] - FILES[name]["start_bar"])


def test_levels_leave_headroom():
    for name in [*SESSION.stems, *SESSION.takes, *SESSION.variants]:
        y = datasets.load_item(name)[0]
        peak = 20 * np.log10(np.max(np.abs(y)))
        assert -16 <= peak <= -2.5, (name, peak)
    for name in SESSION.stems:
        assert -11 <= FILES[name]["peak_dbfs"] <= -3, name


# --------------------------------------------------------------------------- loading


def test_load_session_is_fast_and_lazy():
    start = time.perf_counter()
    s = datasets.load_session("paper_lanterns")
    assert time.perf_counter() - start < 1.0
    assert datasets.sessions() == ["paper_lanterns"]
    assert s.sr == 44100 and list(s.stems)[0] == "kick"
    y, sr = datasets.load_item("kick")
    assert sr == s.sr and y.dtype == np.float32 and y.ndim == 1
    np.testing.assert_array_equal(y, s.stems["kick"])
    with pytest.raises(ValueError):
        s.stems["kick"][0] = 1.0  # shared arrays are read-only


def test_mix_is_a_plain_sum_with_headroom():
    mix = SESSION.mix()
    assert mix.shape == SESSION.stems["kick"].shape
    assert 20 * np.log10(np.max(np.abs(mix))) == pytest.approx(-3.0, abs=0.01)
    total = sum(SESSION.stems[n].astype(np.float64) for n in SESSION.stems)
    assert abs(np.corrcoef(total, mix)[0, 1] - 1) < 1e-9


def test_stems_with_drops_a_variant_into_its_bars():
    stems = SESSION.stems_with("keys_mud")
    p = SESSION.problem("keys_mud")
    a, b = SESSION.bar_to_sample(p.bars[0]), SESSION.bar_to_sample(p.bars[1])
    np.testing.assert_array_equal(stems["keys"][a:b], SESSION.variants["keys_mud"])
    np.testing.assert_array_equal(stems["keys"][:a], SESSION.stems["keys"][:a])
    np.testing.assert_array_equal(stems["bass"], SESSION.stems["bass"])


@pytest.mark.parametrize(
    "name",
    ["../manifest.json", "stems/kick", "kick/..", "..", "/etc/passwd", "C:\\kick", "..\\kick", "kick.flac", "", "nope"],
)
def test_bad_names_raise_and_list_what_exists(name):
    with pytest.raises(DatasetError, match="kick"):
        datasets.load_item(name)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=20))
def test_any_unknown_name_raises_dataset_error(name):
    if name in FILES:
        return
    with pytest.raises(DatasetError):
        datasets.load_item(name)
    with pytest.raises(DatasetError):
        datasets.load_session(name)


def test_non_string_name_raises():
    with pytest.raises(DatasetError):
        datasets.load_item(None)


def _copy(tmp_path: Path, names) -> Path:
    man = json.loads((ROOT / "manifest.json").read_text())
    man["files"] = {n: man["files"][n] for n in names}
    for n in names:
        dest = tmp_path / man["files"][n]["file"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / man["files"][n]["file"], dest)
    (tmp_path / "manifest.json").write_text(json.dumps(man))
    return tmp_path


def test_checksum_mismatch_says_verify_or_build(tmp_path):
    root = _copy(tmp_path, ["kick", "snare"])
    path = root / FILES["kick"]["file"]
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"verify\(\).*build\(\)"):
        datasets.load_item("kick", root=root)
    assert datasets.load_item("snare", root=root)[0].size > 0
    with pytest.raises(DatasetError, match="1 of 2"):
        datasets.verify(root=root)


def test_manifest_pointing_outside_is_refused(tmp_path):
    outside = tmp_path / "secret.flac"
    shutil.copyfile(ROOT / FILES["kick"]["file"], outside)
    root = tmp_path / "datasets"
    root.mkdir()
    man = {
        "sessions": {},
        "files": {"kick": dict(FILES["kick"], file="../secret.flac"), "snare": dict(FILES["snare"], file=str(outside))},
    }
    (root / "manifest.json").write_text(json.dumps(man))
    for name in ("kick", "snare"):
        with pytest.raises(DatasetError, match="unsafe|outside"):
            datasets.load_item(name, root=root)


def test_missing_manifest_says_what_to_do(tmp_path):
    with pytest.raises(DatasetError, match="build"):
        datasets.load_item("kick", root=tmp_path)


# --------------------------------------------------------------------------- the problems


def test_mud_and_resonance_are_the_stated_bells_and_the_fix_undoes_them():
    """Variant/clean spectrum ratio is gain_db at freq, ~0 dB two octaves away; the stated cut restores it."""
    from producerkit import eq

    for variant in ("keys_mud", "guitar_harsh"):
        p = SESSION.problem(variant)
        clean, bad = _clean_part(SESSION, p), SESSION.variants[variant]
        f, pc = _spectrum(clean, SESSION.sr)
        _, pb = _spectrum(bad, SESSION.sr)
        ratio = 10 * np.log10(pb / np.maximum(pc, 1e-20))
        at = np.argmin(np.abs(f - p.freq))
        far = np.argmin(np.abs(f - p.freq / 4))
        assert ratio[at] == pytest.approx(p.gain_db, abs=1.0), variant
        assert abs(ratio[far]) < 1.0, variant
        assert p.bars[0] >= 0 and p.bars[1] <= SESSION.bars
        fixed = eq.Peak(p.freq, gain_db=-p.gain_db, q=p.q)(bad, SESSION.sr)
        residual = np.sqrt(np.mean((fixed - clean) ** 2)) / np.sqrt(np.mean(clean**2))
        assert 20 * np.log10(residual) < -50, variant


def test_mud_sits_in_the_low_mids_and_resonance_near_3_to_4_khz():
    mud, harsh = SESSION.problem("keys_mud"), SESSION.problem("guitar_harsh")
    assert 250 <= mud.freq <= 400 and 8 <= mud.gain_db <= 10
    assert 3000 <= harsh.freq <= 4000 and 10 <= harsh.gain_db <= 12 and harsh.q >= 4


def test_rumble_is_below_40_hz():
    p = SESSION.problem("lead_rumble")
    clean, bad = _clean_part(SESSION, p), SESSION.variants["lead_rumble"]
    f, pc = _spectrum(clean, SESSION.sr)
    _, pb = _spectrum(bad, SESSION.sr)
    low, high = f < 40, f > 200
    assert 10 * np.log10(pb[low].sum() / pc[low].sum()) > 30
    assert abs(10 * np.log10(pb[high].sum() / pc[high].sum())) < 0.1
    added = bad.astype(np.float64) - clean
    assert 20 * np.log10(np.sqrt(np.mean(added**2))) == pytest.approx(p.level_dbfs, abs=2.0)


def test_hum_stands_20_db_above_its_neighbours():
    p = SESSION.problem("lead_take2_hum")
    assert p.clean == "lead_take2" and p.freq == 50
    f, pb = _spectrum(SESSION.variants["lead_take2_hum"], SESSION.sr)

    def level(freq):
        return 10 * np.log10(pb[np.argmin(np.abs(f - freq))])

    neighbours = 10 * np.log10(np.mean(pb[((f > 35) & (f < 45)) | ((f > 55) & (f < 65))]))
    assert level(50) - neighbours >= 20
    assert level(50) > level(100) > level(150)
    _, pc = _spectrum(_clean_part(SESSION, p), SESSION.sr)
    assert level(50) - 10 * np.log10(pc[np.argmin(np.abs(f - 50))]) >= 20


def test_uneven_dynamics_alternate_by_phrase():
    p = SESSION.problem("lead_uneven")
    clean, bad = _clean_part(SESSION, p), SESSION.variants["lead_uneven"]
    gains = p.details["phrase_gains_db"]
    assert len(gains) >= 4 and all(6 <= abs(g) <= 9 for g in gains)
    assert all(np.sign(a) == -np.sign(b) for a, b in zip(gains, gains[1:], strict=False))
    for (start, end), gain in zip(p.details["phrases"], gains, strict=True):
        a = SESSION.bar_to_sample(start - p.bars[0]) + 4410  # skip the gain ramp
        b = SESSION.bar_to_sample(end - p.bars[0]) - 4410
        measured = 20 * np.log10(np.sqrt(np.mean(bad[a:b] ** 2)) / np.sqrt(np.mean(clean[a:b] ** 2)))
        assert measured == pytest.approx(gain, abs=0.3)


# --------------------------------------------------------------------------- takes, one-shots, arrangement


def _envelope(y, sr, hop=0.005):
    n = int(hop * sr)
    y = y[: len(y) // n * n].reshape(-1, n)
    return np.sqrt((y.astype(np.float64) ** 2).mean(axis=1))


def test_takes_differ_in_timing_and_the_flub_is_late():
    """Cross-correlating each phrase's envelope with the tight lead finds the stated offsets."""
    s = SESSION
    assert [ph.name for ph in s.phrases] == ["verse 1a", "verse 1b", "verse 1c", "verse 1d"]
    hop = 0.005
    for ph in s.phrases:
        assert not ph.takes[ph.best_take]["flub"]
        ref = s.stems["lead"][s.bar_to_sample(ph.start_bar) : s.bar_to_sample(ph.end_bar)]
        a, b = int(ph.take_start_s * s.sr), int(ph.take_end_s * s.sr)
        assert ph.take_start_s == pytest.approx((ph.start_bar - s.takes_start_bar) * 2.4)
        for take, y in s.takes.items():
            e_ref, e_take = _envelope(ref, s.sr), _envelope(y[a:b], s.sr)
            xc = correlate(e_take - e_take.mean(), e_ref - e_ref.mean(), mode="full")
            lag_ms = (np.argmax(xc) - (len(e_ref) - 1)) * hop * 1000
            stated = ph.takes[take]["offset_ms"]
            assert lag_ms == pytest.approx(stated, abs=30), (ph.name, take, lag_ms, stated)
    flubbed = [(ph.name, t) for ph in s.phrases for t, v in ph.takes.items() if v["flub"]]
    assert flubbed == [("verse 1c", "lead_take3")]
    assert s.phrases[2].takes["lead_take3"]["offset_ms"] > 150


def test_one_shots_start_at_once():
    for name, y in SESSION.one_shots.items():
        onset = np.argmax(np.abs(y) > 0.05 * np.max(np.abs(y)))
        assert onset < 0.01 * SESSION.sr, name


def test_choruses_are_distinct_from_verses_and_repeat():
    s = SESSION

    def rms_db(y, sec):
        part = y[s.bar_to_sample(sec.start_bar) : s.bar_to_sample(sec.end_bar)].astype(np.float64)
        return 10 * np.log10(np.mean(part**2) + 1e-20)

    verse, chorus1, chorus2 = s.sections[1], s.sections[2], s.sections[4]
    for layer in ("pad", "guitar"):
        assert rms_db(s.stems[layer], verse) < -100
        assert rms_db(s.stems[layer], chorus1) > -30
    assert rms_db(s.stems["overheads"], chorus1) > rms_db(s.stems["overheads"], verse) + 5
    # beat-by-beat spectra in 24 log-spaced bands (the features a structure analysis compares)
    mix = s.mix().astype(np.float64)
    beat = int(0.6 * s.sr)
    freqs = np.fft.rfftfreq(beat, 1 / s.sr)
    edges = np.geomspace(40, 16000, 25)

    def bands_db(sec):
        y = mix[s.bar_to_sample(sec.start_bar):s.bar_to_sample(sec.end_bar)]
        power = np.abs(np.fft.rfft(y.reshape(-1, beat) * np.hanning(beat), axis=1)) ** 2
        return 10 * np.log10(np.stack([power[:, (freqs >= lo) & (freqs < hi)].sum(axis=1)
                                       for lo, hi in zip(edges[:-1], edges[1:], strict=True)], axis=1) + 1e-12)

    c1, c2, v = bands_db(chorus1), bands_db(chorus2), bands_db(verse)
    assert np.corrcoef(c1.ravel(), c2.ravel())[0, 1] > 0.95
    assert np.corrcoef(c1.ravel(), v.ravel())[0, 1] < 0.8
    assert np.mean(np.abs(c1 - c2)) < 3 and np.mean(np.abs(c1 - v)) > 5


# --------------------------------------------------------------------------- building


def test_build_says_how_to_get_the_soundfont(tmp_path):
    with pytest.raises(DatasetError, match="apt-get install fluid-soundfont-gm"):
        datasets.find_soundfont(tmp_path / "missing.sf2")


def test_build_says_how_to_get_tinysoundfont(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "tinysoundfont", None)
    with pytest.raises(DatasetError, match="--no-deps tinysoundfont"):
        datasets.build(tmp_path)
    assert not any(tmp_path.iterdir())


def _renderer_or_skip():
    try:
        import tinysoundfont  # noqa: F401
    except ImportError:
        pytest.skip("tinysoundfont is not installed (pip install --no-deps tinysoundfont)")
    try:
        datasets.find_soundfont()
    except DatasetError:
        pytest.skip("the FluidR3 GM SoundFont is missing (apt-get install fluid-soundfont-gm)")
    try:
        datasets.find_kit_soundfont()
    except DatasetError:
        pytest.skip("the AVL Drumkits SoundFont is missing (apt-get install avldrums.lv2-soundfont)")


@pytest.mark.slow
def test_build_twice_is_byte_identical_to_the_shipped_files(tmp_path):
    _renderer_or_skip()
    first = datasets.build(tmp_path / "a")
    second = datasets.build(tmp_path / "b")
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (tmp_path / "b" / "manifest.json").read_bytes()
    for name, entry in first["files"].items():
        assert second["files"][name]["sha256"] == entry["sha256"], name
        # the samples are the shipped ones; the FLAC bytes too unless another libFLAC encoded them
        assert entry["pcm_sha256"] == FILES[name]["pcm_sha256"], name
        assert entry["sha256"] == FILES[name]["sha256"], name
    assert sorted(first["files"]) == sorted(FILES)  # the session and the recorded kit, nothing missing
    assert first["kits"] == MAN["kits"] and first["sessions"] == MAN["sessions"]
    assert datasets.verify(root=tmp_path / "a")


def test_no_stem_take_or_one_shot_carries_a_dc_offset():
    """Every clean file sits on zero (a DC offset wastes headroom and thumps at edits)."""
    from producerkit.datasets import load_session

    session = load_session("paper_lanterns")
    offsets = {}
    for group in (session.stems, session.takes, session.one_shots):
        for name, y in group.items():
            offsets[name] = 20 * np.log10(abs(float(np.mean(np.asarray(y, np.float64)))) + 1e-12)
    assert max(offsets.values()) < -60, {k: round(v, 1) for k, v in offsets.items() if v >= -60}


def test_sessions_share_decoded_audio_and_a_changed_file_is_checked_again(tmp_path, monkeypatch):
    """A lesson's session and the checkers' shared one decode each file once; a file changed since is re-verified."""
    root = _copy(tmp_path, ["kick", "snare"])
    man = json.loads((root / "manifest.json").read_text())
    man["sessions"] = json.loads((ROOT / "manifest.json").read_text())["sessions"]
    for n in man["files"]:
        man["files"][n]["session"] = "paper_lanterns"
    (root / "manifest.json").write_text(json.dumps(man))
    decoded = []
    real = datasets.load_item
    monkeypatch.setattr(datasets, "load_item", lambda item, root=None: decoded.append(item) or real(item, root))
    first, second = datasets.load_session(root=root), datasets.load_session(root=root)
    assert first.stems["kick"] is second.stems["kick"] and decoded == ["kick"]
    with pytest.raises(ValueError):
        second.stems["kick"][0] = 1.0  # shared, so read-only
    path = root / FILES["kick"]["file"]
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    with pytest.raises(DatasetError, match="checksum"):
        datasets.load_session(root=root).stems["kick"]


def test_stem_bars_decodes_only_those_bars_and_matches_the_whole_stem(monkeypatch):
    """Session.stem_bars: the same samples as slicing the stem, without decoding the whole file first."""
    fresh = datasets.load_session()
    whole = []
    real = datasets.load_item
    monkeypatch.setattr(datasets, "load_item", lambda item, root=None: whole.append(item) or real(item, root))
    monkeypatch.setattr(datasets, "_DECODED", {})
    part = fresh.stem_bars("snare", 10, 14)
    assert whole == [] and "snare" in fresh.stems and whole == []  # neither the read nor `in` decoded it whole
    assert part.size == fresh.bar_to_sample(14) - fresh.bar_to_sample(10) and not part.flags.writeable
    np.testing.assert_array_equal(part, fresh.stems["snare"][fresh.bar_to_sample(10):fresh.bar_to_sample(14)])
    assert whole == ["snare"]
    np.testing.assert_array_equal(fresh.stem_bars("snare", 10, 14), part)  # now a slice of the loaded stem
    for bad in [("nope", 1, 2), ("snare", 5, 2), ("snare", 0, 99), ("snare", float("nan"), 2), ("snare", "x", 2)]:
        with pytest.raises(DatasetError, match="stem|bars"):
            fresh.stem_bars(*bad)
