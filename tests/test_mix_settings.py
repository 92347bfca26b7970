"""The mix-settings file: what lesson 09 saves and the capstone reads back (producerkit.mix.MixSettings)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from producerkit import course
from producerkit.errors import ParameterError, ProducerkitError
from producerkit.mix import MIX_SETTINGS_FILE, ChannelMix, Mixer, MixSettings, Track

SR = 8000


def _mixer(**gains):
    t = np.linspace(0, 1, SR, endpoint=False)
    tone = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    tracks = [Track(n, tone, gain_db=gains.get(n, 0.0)) for n in ("kick", "bass", "lead")]
    return Mixer(tracks, SR)


def _studied_mixer():
    m = _mixer(kick=-7.5, bass=-9.0, lead=-3.5)
    m.track("lead").pan = 0.0
    m.track("bass").pan = -0.25
    m.track("kick").mute = True
    m.pan_law = "-6dB"
    return m


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.setenv(course.WORK_ENV, str(tmp_path / "work"))
    return tmp_path / "work"


def test_round_trip_through_the_default_file(work):
    m = _studied_mixer()
    saved = MixSettings.from_mixer(m)
    path = saved.save()
    assert path == work / MIX_SETTINGS_FILE and path.exists()
    loaded = MixSettings.load()
    assert loaded == saved
    fresh = loaded.apply(_mixer())
    for name in ("kick", "bass", "lead"):
        a, b = fresh.track(name), m.track(name)
        assert (a.gain_db, a.pan, a.mute, a.solo) == (b.gain_db, b.pan, b.mute, b.solo)
    assert fresh.pan_law == "-6dB"
    np.testing.assert_array_equal(fresh.render(), m.render())


def test_saving_again_replaces_your_own_settings(work):
    MixSettings.from_mixer(_mixer(lead=-10)).save()
    MixSettings.from_mixer(_mixer(lead=-2)).save()
    assert MixSettings.load().channels["lead"].gain_db == -2
    assert sorted(p.name for p in work.iterdir()) == [MIX_SETTINGS_FILE]


def test_no_file_yet_is_none(work):
    assert MixSettings.load() is None
    assert MixSettings.load(work / "elsewhere.json") is None


def test_the_settings_survive_a_restart(work):
    MixSettings.from_mixer(_studied_mixer()).save()
    code = ("from producerkit.mix import MixSettings; s = MixSettings.load(); "
            "print(s.channels['bass'].gain_db, s.channels['bass'].pan, s.channels['kick'].mute, s.pan_law)")
    env = {**os.environ, course.WORK_ENV: str(work)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["-9.0", "-0.25", "True", "-6dB"]


@pytest.mark.parametrize("text", ["{\"schema\": \"producerkit-mix-settings\", \"ver", "[1, 2, 3]",
                                  json.dumps({"schema": "producerkit-mix-settings", "version": 1,
                                              "channels": {"lead": {"gain_db": "loud"}}}),
                                  json.dumps({"schema": "producerkit-mix-settings", "version": 1,
                                              "channels": {"lead": {"pan": 3}}})])
def test_a_corrupt_file_is_backed_up_with_a_clear_error(work, text):
    work.mkdir(parents=True)
    path = work / MIX_SETTINGS_FILE
    path.write_text(text)
    with pytest.raises(ProducerkitError, match=r"could not be read.*moved aside to .*\.bak.*save your mix again"):
        MixSettings.load()
    assert not path.exists()
    backups = list(work.glob("*.bak"))
    assert len(backups) == 1 and backups[0].read_text() == text
    # the next save starts a fresh file and a second damaged file never replaces the first backup
    MixSettings.from_mixer(_mixer()).save()
    assert MixSettings.load() is not None
    path.write_text("nonsense")
    with pytest.raises(ProducerkitError):
        MixSettings.load()
    assert len(list(work.glob("*.bak"))) == 2 and backups[0].read_text() == text


def test_an_interrupted_write_leaves_the_old_file(work, monkeypatch):
    MixSettings.from_mixer(_mixer(lead=-4)).save()
    before = (work / MIX_SETTINGS_FILE).read_bytes()

    def power_cut(fd):
        raise OSError("power cut")

    with monkeypatch.context() as patch, pytest.raises(OSError, match="power cut"):
        patch.setattr(os, "fsync", power_cut)
        MixSettings.from_mixer(_mixer(lead=-12)).save()
    assert (work / MIX_SETTINGS_FILE).read_bytes() == before
    assert [p.name for p in work.iterdir()] == [MIX_SETTINGS_FILE]  # no half-written temporary file left
    assert MixSettings.load().channels["lead"].gain_db == -4


def test_from_a_desk_and_bad_input(work):
    class Desk:  # anything with to_mixer(), as MixerDesk has
        def to_mixer(self):
            return _mixer(bass=-5)

    assert MixSettings.from_mixer(Desk()).channels["bass"] == ChannelMix(-5.0, 0.0, False, False)
    with pytest.raises(ParameterError, match="takes a Mixer or a MixerDesk"):
        MixSettings.from_mixer({"bass": -5})
    with pytest.raises(ParameterError, match="pan"):
        MixSettings({"lead": {"pan": 2}})
    with pytest.raises(ParameterError, match="no track in the mixer: \\['vocal'\\]"):
        MixSettings({"vocal": {"gain_db": -3}}).apply(_mixer())
    m = MixSettings({"vocal": {"gain_db": -3}, "lead": {"gain_db": -8}}).apply(_mixer(), strict=False)
    assert m.track("lead").gain_db == -8


def test_slider_noise_is_not_saved(tmp_path):
    path = MixSettings({"snare": {"gain_db": -8.000000000000007, "pan": 0.30000000000000004}}).save(tmp_path)
    assert '"gain_db": -8.0,' in path.read_text() and '"pan": 0.3,' in path.read_text()


def test_a_folder_as_path_means_the_file_in_it(tmp_path):
    path = MixSettings({"lead": ChannelMix(-3)}).save(tmp_path)
    assert path == tmp_path / MIX_SETTINGS_FILE
    assert MixSettings.load(tmp_path).channels["lead"].gain_db == -3
