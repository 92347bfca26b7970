"""Checkers of course/09-mixing.ipynb, each with right, near, wrong and missing answers.

References: the bundled song's stems over the first chorus's first 4 bars (bars 11-14 as a DAW counts),
measured with producerkit.meters (RMS and BS.1770 loudness); the gain-staging target of -18 dBFS average per
track; the reference balance in producerkit.checks.mixing (REFERENCE_DB, REFERENCE_PANS).
"""

from __future__ import annotations

import numpy as np
import pytest

from producerkit.checks import check_chorus_mix, check_gain_staging, check_kick_bass_cut, check_panning
from producerkit.checks import mixing as mx
from producerkit.eq import HighPass, LowShelf, Peak
from producerkit.meters import integrated_loudness, rms_dbfs
from producerkit.mix import Mixer, MixSettings, Track

MISSING = (None, ..., "", {})


def _says(feedback, *words):
    text = f"{feedback.message} {feedback.hint}".lower()
    return all(w.lower() in text for w in words)


# --------------------------------------------------------------------------- the exercise data, measured


def test_the_excerpt_is_the_first_chorus_and_the_trims_reach_minus_18():
    first, last = mx.chorus_bars()
    assert (first, last) == (10, 14)  # bars 11-14 as a DAW counts
    stems = mx.chorus_stems()
    assert all(y.shape[-1] == 4 * 2.4 * 44100 for y in stems.values())
    for name, trim in mx.right_trims().items():
        trimmed = stems[name].astype(np.float64) * 10 ** (trim / 20)
        assert rms_dbfs(trimmed) == pytest.approx(-18.0, abs=0.01)
        assert 20 * np.log10(np.abs(trimmed).max()) < -3.0  # "each still peaks below full scale", with room


def test_the_reference_plays_at_minus_14_lufs_and_louder_than_the_start():
    ref = mx.reference_track()
    assert integrated_loudness(ref, 44100) == pytest.approx(-14.0, abs=0.05)
    assert 20 * np.log10(np.abs(ref).max()) < 0.0  # turning it up does not clip it
    assert integrated_loudness(mx.chorus_mixer().render(), 44100) < -14.0 - 3


def test_the_reference_balance_passes_its_own_targets_and_the_start_does_not():
    ref = mx.reference_balance()
    low, high = mx.LEAD_OVER_REST_LU
    assert low + 1 <= ref["lead_over_rest"] <= high - 1  # not on an edge of the range
    assert ref["peak_dbfs"] < mx.PEAK_MAX_DBFS
    assert check_chorus_mix(dict(mx.REFERENCE_DB))
    assert not check_chorus_mix({})  # unanswered
    start = mx.balance(mx.chorus_mixer())
    assert start["lead_over_rest"] < low  # the flat desk buries the lead: there is something to do


# --------------------------------------------------------------------------- 1. gain staging


def test_gain_staging_right_near_wrong_missing():
    trims = mx.right_trims()
    assert check_gain_staging({k: round(v, 1) for k, v in trims.items()})
    assert check_gain_staging({k: v + 0.9 for k, v in trims.items()})
    near = check_gain_staging({**trims, "lead": trims["lead"] + 2.0})
    assert near.correct is False and _says(near, "lead", "close", "over -18")
    assert set(trims) == {"bass", "keys", "lead"}  # sustained parts: drums are trimmed by their peaks
    wrong_way = check_gain_staging({**trims, "lead": -trims["lead"]})
    assert wrong_way.correct is False and _says(wrong_way, "lead", "wrong way")
    keys_off = check_gain_staging({**trims, "keys": trims["keys"] + 2.0})
    assert _says(keys_off, "the keys average", "close")
    assert _says(check_gain_staging({**trims, "keys": -3}), "moves them the wrong way")
    slip = check_gain_staging({**trims, "keys": -18})  # the target written as the trim
    assert slip.correct is False and _says(slip, "level to reach, not the trim", "keys")
    far = check_gain_staging({k: 0 for k in trims})
    assert far.correct is False and "close" not in far.message and _says(far, "keys")
    for missing in MISSING:
        assert check_gain_staging(missing).correct is None
    assert check_gain_staging({"bass": ..., "keys": ..., "lead": ...}).correct is None
    partly = check_gain_staging({"bass": trims["bass"], "keys": ..., "lead": 3})
    assert partly.correct is False and _says(partly, "keys")
    assert check_gain_staging({"keys": "loud", "bass": 0, "lead": 3}).correct is False
    assert check_gain_staging([6, 0, 3]).correct is False


# --------------------------------------------------------------------------- 2. panning


def test_panning_right_near_wrong_missing():
    assert check_panning({"guitar": -0.5, "keys": 0.5})
    assert check_panning({"guitar": 0.3, "keys": -0.8, "pad": 0.2, "kick": 0.05})
    near = check_panning({"guitar": -0.5, "keys": 0.1})
    assert near.correct is False and _says(near, "close", "keys", "too near the centre")
    same_side = check_panning({"guitar": 0.5, "keys": 0.5})
    assert same_side.correct is False and _says(same_side, "both", "right")
    lead_moved = check_panning({"guitar": -0.5, "keys": 0.5, "lead": 0.6})
    assert lead_moved.correct is False and _says(lead_moved, "lead", "centre", "mono")
    overheads = check_panning({"overheads": 1, "guitar": -0.4, "keys": 0.4})  # a stereo pair, tipped right
    assert overheads.correct is False and _says(overheads, "overheads", "stereo pair", "centre")
    bass_moved = check_panning({"guitar": -0.5, "keys": 0.5, "bass": -1})
    assert bass_moved.correct is False and _says(bass_moved, "bass")
    centred = check_panning({"guitar": 0, "keys": 0})
    assert centred.correct is False and _says(centred, "middle")
    for missing in MISSING:
        assert check_panning(missing).correct is None
    assert check_panning({"guitar": 2, "keys": -0.5}).correct is False
    assert check_panning({"vocal": 0.5}).correct is False
    assert check_panning(0.5).correct is False


# --------------------------------------------------------------------------- 3. kick and bass


def test_kick_bass_cut_right_near_wrong_missing():
    from producerkit.checks.eq import kick_fundamental

    thump = kick_fundamental()
    assert thump == pytest.approx(53, abs=1)
    assert check_kick_bass_cut(Peak(thump, gain_db=-4, q=1.4))
    assert check_kick_bass_cut(Peak(50, gain_db=-3, q=2))
    assert check_kick_bass_cut(Peak(thump * 2 ** 0.24, gain_db=-5.9, q=3))
    near_freq = check_kick_bass_cut(Peak(thump * 2 ** 0.35, gain_db=-4, q=1.4))
    assert near_freq.correct is False and _says(near_freq, "close", "above the kick's thump")
    shallow = check_kick_bass_cut(Peak(thump, gain_db=-1, q=1.4))
    assert shallow.correct is False and _says(shallow, "close", "too small")
    wide = check_kick_bass_cut(Peak(thump, gain_db=-4, q=0.4))
    assert wide.correct is False and _says(wide, "close", "wide", "octave at 110 hz")
    assert _says(check_kick_bass_cut(Peak(thump, gain_db=-4, q=1.4)), "its octave at 110 hz")
    deep = check_kick_bass_cut(Peak(thump, gain_db=-12, q=1.4))
    assert deep.correct is False and _says(deep, "deep", "weight")
    boost = check_kick_bass_cut(Peak(thump, gain_db=4, q=1.4))
    assert boost.correct is False and _says(boost, "boost")
    far = check_kick_bass_cut(Peak(200, gain_db=-4, q=1.4))
    assert far.correct is False and "close" not in far.message and _says(far, "above")
    below = check_kick_bass_cut(Peak(30, gain_db=-4, q=1.4))
    assert below.correct is False and _says(below, "below")
    for filt in (HighPass(80), LowShelf(80, gain_db=-4)):
        fb = check_kick_bass_cut(filt)
        assert fb.correct is False and _says(fb, "thin", "bell")
    for missing in (None, ..., ""):
        assert check_kick_bass_cut(missing).correct is None
    assert check_kick_bass_cut(53).correct is False


# --------------------------------------------------------------------------- 4. the chorus mix


def test_chorus_mix_right_with_any_overall_level_within_headroom():
    assert check_chorus_mix({k: v + 4 for k, v in mx.REFERENCE_DB.items()})
    nudged = {**mx.REFERENCE_DB, "lead": mx.REFERENCE_DB["lead"] + 1, "bass": mx.REFERENCE_DB["bass"] - 1}
    assert check_chorus_mix(nudged)


def test_chorus_mix_buried_lead_names_the_track_it_sits_under():
    fb = check_chorus_mix({**mx.REFERENCE_DB, "lead": -10, "keys": -3})
    assert fb.correct is False
    assert _says(fb, "the lead sits", "under the keys", "in your daw, carve 2\u20134 khz in them")
    gap = mx.balance(mx.chorus_mixer_of({**mx.REFERENCE_DB, "lead": -10, "keys": -3}))["tracks"]
    assert f"{gap['keys'] - gap['lead']:.1f} LU under the keys" in fb.message  # a loudness gap, in LU


def test_chorus_mix_buried_lead_gets_an_amount_and_close_when_near():
    far = check_chorus_mix({"lead": -20})  # the flat desk with the lead pulled right down
    rel = mx.balance(mx.chorus_mixer_of({"lead": -20}))["lead_over_rest"]
    assert far.correct is False and "close" not in far.message.lower()
    assert f"bring the lead up about {mx.LEAD_OVER_REST_LU[0] + 1.5 - rel:.0f} dB" in far.hint
    near = check_chorus_mix({"lead": -3})  # 0.2 LU past the edge
    assert near.correct is False and _says(near, "close:", "buried", "bring the lead up about")


def test_chorus_mix_judges_the_music_group_and_the_lessons_example_fails():
    for answer in ({"lead": -2}, {"lead": -3, "pad": -12}):  # the lead alone, the old example
        fb = check_chorus_mix(answer)
        assert fb.correct is False and _says(fb, "the keys, the pad and the guitar together", "louder", "crowd",
                                             "music bus", "down")
    example = check_chorus_mix({"kick": -8, "bass": -7})  # the lesson's format example
    assert example.correct is False
    quiet_music = {**mx.REFERENCE_DB, **{k: mx.REFERENCE_DB[k] - 5 for k in ("keys", "pad", "guitar")}}
    fb = check_chorus_mix(quiet_music)
    assert fb.correct is False and _says(fb, "the keys, the pad and the guitar", "quieter", "up")
    assert check_chorus_mix({"lead": -2, "keys": -9, "pad": -9, "guitar": -9})  # the music down with the lead up


def test_chorus_mix_names_the_drums_and_the_bass_together():
    fb = check_chorus_mix({"lead": 0})  # only the lead pushed: the rhythm section falls behind
    assert fb.correct is False
    assert _says(fb, "the drums and the bass are both", "quieter", "bring the drums and the bass up together")
    thin_bass = check_chorus_mix({**mx.REFERENCE_DB, "bass": mx.REFERENCE_DB["bass"] - 5})  # the bass alone
    assert "drums and the bass" not in thin_bass.message


def test_chorus_mix_near_and_wrong_balances_say_which_part_and_which_way():
    loud_drums = {**mx.REFERENCE_DB, **{k: mx.REFERENCE_DB[k] + 3.5 for k in ("kick", "snare", "overheads")}}
    fb = check_chorus_mix(loud_drums)
    assert fb.correct is False and _says(fb, "drums", "louder", "pull", "down")
    thin_bass = {**mx.REFERENCE_DB, "bass": mx.REFERENCE_DB["bass"] - 5}
    fb = check_chorus_mix(thin_bass)
    assert fb.correct is False and _says(fb, "bass", "quieter", "push", "up", "small speakers")
    karaoke = {**mx.REFERENCE_DB, "lead": mx.REFERENCE_DB["lead"] + 6}
    fb = check_chorus_mix(karaoke)
    assert fb.correct is False and _says(fb, "floats", "karaoke")
    flat = check_chorus_mix({"kick": -6})  # the start: a flat desk
    assert flat.correct is False and _says(flat, "lead")


def test_chorus_mix_clipping_and_headroom():
    hot = check_chorus_mix({k: v + 10 for k, v in mx.REFERENCE_DB.items()})
    assert hot.correct is False and _says(hot, "clips", "pull every fader down")
    close = {k: v + 7 for k, v in mx.REFERENCE_DB.items()}
    peak = mx.balance(mx.chorus_mixer_of(close))["peak_dbfs"]
    assert mx.PEAK_MAX_DBFS < peak <= 0.0
    fb = check_chorus_mix(close)
    assert fb.correct is False and _says(fb, "headroom", "balance is right")


def test_chorus_mix_missing_muted_and_bad_answers():
    for missing in (None, ..., "", {}):
        assert check_chorus_mix(missing).correct is None
    muted = Mixer([Track(n, y, gain_db=mx.REFERENCE_DB[n], mute=(n == "pad")) for n, y in mx.chorus_stems().items()],
                  44100)
    fb = check_chorus_mix(muted)
    assert fb.correct is False and _says(fb, "pad", "muted")
    assert _says(check_chorus_mix({**mx.REFERENCE_DB, "pad": -60}), "barely hear the pad")
    soloed = Mixer([Track(n, y, gain_db=mx.REFERENCE_DB[n], solo=(n == "lead")) for n, y in mx.chorus_stems().items()],
                   44100)
    fb = check_chorus_mix(soloed)
    assert fb.correct is False and _says(fb, "the lead is soloed", "other 7 tracks are silent", "clear the solo")
    assert " and the kick and " not in fb.message
    assert check_chorus_mix({"vocal": -3}).correct is False
    assert check_chorus_mix({"lead": 40}).correct is False
    assert check_chorus_mix(42).correct is False


def test_chorus_mix_takes_a_mixerdesk_and_its_saved_settings(tmp_path):
    from producerkit.datasets import shared_session
    from producerkit.widgets import MixerDesk

    desk = MixerDesk(shared_session(), gains=mx.REFERENCE_DB, pans=mx.REFERENCE_PANS)
    fb = check_chorus_mix(desk)
    assert fb and "next cell saves it" in fb.message and "from_mixer(desk)" not in fb.message
    desk.update("lead", gain_db=-16)
    assert not check_chorus_mix(desk)
    desk.update("lead", gain_db=mx.REFERENCE_DB["lead"])
    path = MixSettings.from_mixer(desk).save(tmp_path)
    assert check_chorus_mix(MixSettings.load(path).apply(mx.chorus_mixer()))
