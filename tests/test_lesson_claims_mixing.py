"""Lesson 09's text says what its cells show, computed from the lesson's own tagged cells.

- gain staging: the bass averages -18 dBFS, the kick about -24, the lead about -21.5, the keys about -21, the
  overheads -37; at 0 dB the mix bus peaks about -1.3 dBFS (under 3 dB of headroom); trimmed to -18 dBFS RMS the
  kick would peak about +1.7 dBFS and, every track so, the mix bus about +6.6 dBFS; the desk starts at -6 dB;
- the static balance: flat, the pad about 1 LU louder than the lead, the guitar and the keys about as loud as it,
  about 8 LU under the mix;
  balanced, the lead about 4 LU under the mix and the pad about 13 LU under;
- the pan laws: -3 dB keeps a centred sound's power and comes up 3 dB in mono, -6 dB dips 3 dB and stays level
  in mono; the players pan the guitar one bar each as the text says;
- in context: the high-pass takes about 9 dB off the keys below 150 Hz and about 1 LU soloed, the music about
  9 dB below 150 Hz in the mix while the chorus moves < 0.5 LU; the lead's swings go from about 6 to about 4 LU
  at the same loudness within 0.5 LU;
- buses: the glue takes the drums down about 1 LU and raises the crest factor about 1 dB; -3 dB on the bus moves
  the three drums -3.0 dB;
- kick and bass: the kick's thump at about 53 Hz, the cut 4 dB there, the bass under 1 LU quieter; the bass's
  fundamentals in bars 11-14 are E1 to A1 (41-55 Hz, from the song's chords) and lose 2.5 to 4 dB to the cut;
- the reference: the start at -20 LUFS, the reference at -14 LUFS, unmatched, then matched;
- mono: correlation about +0.98, the lead moves < 0.5 LU against the band in mono;
- the main exercise: the stated targets are the checker's (the music group too), the desk starts flat on
  bars 11-14, the format example is not already an answer; saving writes the settings file only once the
  exercise is answered, and says so when the mix has not passed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from producerkit import course, meters
from producerkit.checks import mixing as mx
from producerkit.mix import MIX_SETTINGS_FILE, PEAK_MAX_DBFS, MixSettings
from producerkit.widgets.mixer_desk import START_FADER_DB

from .lesson_cells import Expr, markdown, run_cells, run_lesson

LESSON = "09-mixing"


def _prose() -> str:
    return " ".join(markdown(LESSON).split())


@pytest.fixture(scope="module")
def setup():
    return run_cells(LESSON, ["m9-setup"])[0]


def _lu(y, sr=44100):
    return meters.integrated_loudness(y, sr)


def test_gain_staging_numbers(setup):
    ns, _ = run_cells(LESSON, ["m9-staging"], dict(setup))
    staging = ns["staging"]
    rms = {t.name: staging[t.name].data["rms_dbfs"] for t in ns["raw"].tracks}
    assert rms["bass"] == pytest.approx(-18.0, abs=0.25)
    assert rms["kick"] == pytest.approx(-24.0, abs=0.5)
    assert rms["lead"] == pytest.approx(-21.5, abs=0.25)
    assert rms["overheads"] == pytest.approx(-37.0, abs=0.5)
    assert rms["keys"] == pytest.approx(-21.0, abs=0.5)
    assert ns["kick_peak"] == pytest.approx(1.7, abs=0.05) and ns["kick_peak"] > 0  # over full scale
    assert ns["bus_peak"] == pytest.approx(6.6, abs=0.05)
    assert set(mx.TRIM_TRACKS) == {"bass", "keys", "lead"}  # the exercise leaves the drums to their peaks
    peak = staging["mix bus"].data["peak_dbfs"]
    assert peak == pytest.approx(-1.3, abs=0.1) and peak > PEAK_MAX_DBFS
    assert START_FADER_DB == -6.0
    text = _prose()
    assert "The bass already averages −18 dBFS; the kick (about −24) and the lead (about −21.5) come in low" in text
    assert "the overheads at −37" in text and "the mix bus peaks at about −1.3 dBFS: less than 3 dB of headroom" in text
    assert "the MixerDesk starts every fader at −6 dB" in text
    assert "the keys about −21" in text
    assert "the kick would peak at about +1.7 dBFS, over full scale" in text
    assert "this mix bus would peak near +6.6 dBFS" in text
    assert "Give the trim, in dB, that brings the **bass**, the **keys** and the **lead**" in text
    assert "faders then start near 0 dB" not in text


def test_the_static_balance_figure(setup):
    ns, fig = run_cells(LESSON, ["m9-balance", "m9-balance-fig"], dict(setup))
    flat, balanced = ns["balances"]["flat faders"], ns["balances"]["static balance"]
    for name in ("pad", "guitar", "keys"):
        assert abs(flat[name] - flat["lead"]) < 1.5, name  # as loud as the lead
        assert flat[name] == pytest.approx(-8, abs=1.2), name
    assert flat["pad"] - flat["lead"] == pytest.approx(1, abs=0.3)  # "even a little louder than the lead"
    assert balanced["lead"] == pytest.approx(-4, abs=0.5) and max(balanced.values()) == balanced["lead"]
    assert balanced["pad"] == pytest.approx(-13, abs=0.5)
    assert [t.name for t in fig.data] == ["flat faders", "static balance"]
    assert "(LU)" in fig.layout.yaxis.title.text and fig.layout.yaxis.dtick == 5
    assert ns["balance_player"].match_loudness is True
    assert all(t.pan == 0 for t in ns["faders_only"].tracks)  # "still all in the centre"
    text = _prose()
    assert "the pad is even a little louder than the lead (by about 1 LU)" in text
    assert "about 8 LU under the mix" in text and "the lead leads, about 4 LU under the mix" in text
    assert "about 13 LU under" in text


def test_the_pan_laws(setup):
    ns, _ = run_cells(LESSON, ["m9-panlaw", "m9-panlaw-numbers"], dict(setup))
    a, b = ns["walk"]("-3dB"), ns["walk"]("-6dB")
    bar = ns["bar"]
    # bar 1 hard left: nothing on the right
    assert np.abs(a[1, :bar]).max() == 0 and np.abs(a[0, :bar]).max() > 0
    # the centre bar under -6 dB is 3 dB lower in power than under -3 dB
    power = lambda y: 10 * np.log10(np.mean(np.square(y.astype(np.float64))))  # noqa: E731
    assert power(a[:, bar:2 * bar]) - power(b[:, bar:2 * bar]) == pytest.approx(3.01, abs=0.01)
    # hard left is the same under both laws; in mono the -6 dB centre equals hard left's level
    assert np.allclose(a[:, :bar], b[:, :bar])
    mono = lambda y: y.sum(axis=0)  # noqa: E731
    centre, side = mono(b[:, bar:2 * bar]), ns["guitar"][bar:2 * bar]
    assert np.allclose(centre, side, atol=1e-6)
    assert ns["law_player"].match_loudness is False
    text = _prose()
    assert "with the −3 dB law the centred guitar keeps its power (+0.0 dB) but comes up 3 dB in mono" in text
    assert "with the −6 dB law it dips 3 dB in stereo and stays level in mono" in text
    assert "The overheads are already a stereo pair: they stay centred" in text
    assert not mx.check_panning({"overheads": 1, "guitar": -0.4, "keys": 0.4})  # and the checker holds to it


@pytest.fixture(scope="module")
def context(setup):
    return run_cells(LESSON, ["m9-balance", "m9-solo", "m9-context", "m9-context-numbers"], dict(setup))[0]


def test_eq_and_compression_in_context(context):
    ns = context
    below = ns["below"]
    keys, keys_hp = ns["chorus"]["keys"], ns["keys_hp"]
    assert below(keys_hp) - below(keys) == pytest.approx(-9, abs=0.5)
    assert _lu(keys_hp) - _lu(keys) == pytest.approx(-1, abs=0.3)
    assert ns["music_low"](ns["in_context"]) - ns["music_low"](ns["panned"]) == pytest.approx(-9, abs=0.5)
    assert abs(_lu(ns["in_context"].render()) - _lu(ns["panned"].render())) < 0.5
    before, after = ns["swing_lu"](ns["lead_before"]), ns["swing_lu"](ns["lead_after"])
    assert before == pytest.approx(6, abs=0.5) and after == pytest.approx(4, abs=0.5)
    assert abs(_lu(ns["lead_after"]) - _lu(ns["lead_before"])) < 0.5
    c = ns["steady_lead"]
    assert (c.ratio, c.threshold_db, c.makeup_db) == (3, -30, 7)
    text = _prose()
    assert "3:1 from −30 dBFS, with 7 dB of makeup gain so it plays as loud as before" in text
    assert "The high-pass takes about 9 dB off the keys below 150 Hz, and soloed they lose about 1 LU" in text
    assert "put about 9 dB less into the low end" in text and "moves by less than 0.5 LU" in text
    assert "from about 6 LU to about 4 LU, at the same overall loudness within 0.5 LU" in text


@pytest.fixture(scope="module")
def buses(context):
    return run_cells(LESSON, ["m9-buses", "m9-buses-numbers"], dict(context))[0]


def test_the_buses(buses):
    ns = buses
    drums_in, glued = ns["drums_in"], ns["drums_glued"]
    assert _lu(glued) - _lu(drums_in) == pytest.approx(-1, abs=0.4)
    assert meters.crest_factor_db(glued) - meters.crest_factor_db(drums_in) == pytest.approx(1, abs=0.4)
    assert ns["glue"].ratio == 2 and ns["glue"].attack_ms == 30
    quiet = ns["through_buses"](-3.0).stems()["drum bus"]
    np.testing.assert_allclose(quiet, ns["bused"].stems()["drum bus"] * 10 ** (-3 / 20), atol=1e-6)
    assert [t.name for t in ns["bused"].tracks] == ["drum bus", "music bus", "bass", "lead"]
    text = _prose()
    assert "the drum bus comes down about 1 LU" in text
    assert "the crest factor (peak over average) rises by about 1 dB" in text
    assert "exactly −3.0 dB on the bus fader moves all three drums" in text
    assert "2:1, a slow 30 ms attack" in text


def test_the_kick_figure_shows_its_thump_highest_and_its_body_near_100_hz(setup):
    ns, fig = run_cells(LESSON, ["m9-kickbass-look-fig"], dict(setup))
    kick = next(t for t in fig.data if t.name == "kick")
    freqs, level = np.asarray(kick.x), np.asarray(kick.y)
    assert freqs[np.argmax(level)] == pytest.approx(mx_thump(), rel=2 ** 0.1 - 1)  # the highest point: the thump
    body = (freqs > 80) & (freqs < 130)
    assert freqs[body][np.argmax(level[body])] == pytest.approx(100, rel=0.1) and level[body].max() < level.max()
    assert len(fig.data) == 2 and "30–300 Hz" in fig.layout.title.text
    text = _prose()
    assert "its low thump, the highest point of its curve, and its body, a little lower, near 100 Hz" in text
    assert "the octave above, where the bass's harmonics carry its notes on small speakers (110 Hz), loses no more " \
           "than 1.5 dB" in text and mx.NOTES_HZ == 110
    assert mx.NOTES_MAX_CUT_DB == 1.5 and mx.CUT_RANGE_DB == (-6.0, -2.0) and "(2 to 6 dB)" in text


def mx_thump():
    from producerkit.checks.eq import kick_fundamental

    return kick_fundamental()


def test_kick_and_bass(buses):
    ns, fig = run_cells(LESSON, ["m9-kickbass", "m9-kickbass-fig"], dict(buses))
    assert ns["thump"] == pytest.approx(53, abs=1)
    assert ns["make_room"].response(np.array([ns["thump"]]), 44100)[0] == pytest.approx(-4, abs=0.05)
    assert -1 < _lu(ns["bass_carved"]) - _lu(ns["chorus"]["bass"]) < 0
    assert ns["make_room"].response(np.array([120.0]), 44100)[0] > -1  # its notes above 100 Hz are left alone
    assert "Hz" in fig.layout.xaxis.title.text
    text = _prose()
    assert "The kick's peak sits at about 53 Hz; the cut takes 4 dB out of the bass right there" in text
    assert "the bass loses under 1 LU of loudness" in text
    from producerkit import _song

    first, last = mx.chorus_bars()
    roots = {_song.BASS_ROOT[c] for c in _song.CHORDS[first:last]}
    hz = sorted(440 * 2 ** ((m - 69) / 12) for m in roots)
    assert sorted(ns["fundamentals"].values()) == pytest.approx(hz, abs=0.1)  # E1, F1, G1, A1
    assert min(hz) == pytest.approx(41.2, abs=0.1) and max(hz) == pytest.approx(55.0, abs=0.1)
    cuts = ns["make_room"].response(np.array(hz), 44100)
    assert all(-4.05 <= c <= -2.5 for c in cuts) and min(cuts) < -3.9 and max(cuts) < -2.5
    assert "the bass's own fundamentals (E1 to A1, 41–55 Hz: it plays F, G, Em and Am)" in text
    assert [_song.CHORDS[b] for b in range(first, last)] == ["F", "G", "Em", "Am"]
    assert "the cut thins them by 2.5 to 4 dB too" in text and "sidechain compressor from lesson 02" in text


def test_the_reference_is_louder_then_matched(setup):
    ns, _ = run_cells(LESSON, ["m9-balance", "m9-reference", "m9-reference-fair-player"], dict(setup))
    assert _lu(ns["start_mix"]) == pytest.approx(-20.0, abs=0.05)
    assert _lu(ns["reference"]) == pytest.approx(-14.0, abs=0.05)
    assert ns["unfair_player"].match_loudness is False
    assert ns["Out"][max(ns["Out"])].match_loudness is True
    assert "turned up to −14 LUFS as a streaming master plays" in _prose()


def test_mono_and_quiet(buses):
    ns, _ = run_cells(LESSON, ["m9-kickbass", "m9-mono"], dict(buses))
    assert meters.correlation(ns["final"]) == pytest.approx(0.98, abs=0.01)
    assert abs(ns["lead_over_band"]["mono"] - ns["lead_over_band"]["stereo"]) < 0.5
    quiet = ns["quiet_player"]
    assert quiet.match_loudness is False
    text = _prose()
    assert "about +0.98" in text and "in mono the lead moves by less than 0.5 LU against the band" in text
    assert "the stereo mix 20 dB down" in text


def test_the_main_exercise_states_the_checkers_targets(setup):
    ns, desk = run_cells(LESSON, ["m9-desk"], dict(setup))
    assert desk.excerpt == "bars 11–14 (9.6 s)"
    assert all(s.gain_db == -6.0 and s.pan == 0.0 for s in desk.settings.values())
    assert not mx.check_chorus_mix(desk)  # the flat start is not already the answer
    text = _prose()
    assert mx.BALANCE_TOLERANCE_LU == 2.0 and "within **2 LU** of the reference balance" in text
    assert mx.LEAD_OVER_REST_LU == (-4.0, 0.0)
    assert "no more than 4 LU under the rest of the band, and not above it" in text
    assert PEAK_MAX_DBFS == -3.0 and "the mix bus peaks below −3 dBFS" in text
    assert mx.START_DB == -6.0 and mx.TRACK_RMS_TARGET_DBFS == -18.0
    assert mx.GROUPS["music"] == ("keys", "pad", "guitar")
    assert "the **music** (keys, pad and guitar together)" in text
    example = 'e.g. `{"kick": -8, "bass": -7}`'
    assert example in text and not mx.check_chorus_mix({"kick": -8, "bass": -7})  # copying it is not an answer


def test_saving_only_once_answered_and_what_the_capstone_reads(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(course.WORK_ENV, str(tmp_path))
    ns = run_lesson(LESSON, tags=("setup", "exercise", "check"), cache=False)
    assert not (tmp_path / MIX_SETTINGS_FILE).exists()
    answer = {**mx.REFERENCE_DB}
    ns = run_lesson(LESSON, tags=("setup", "exercise", "check"), cache=False, answers={"my_mix": answer})
    saved = json.loads((tmp_path / MIX_SETTINGS_FILE).read_text())
    assert saved["channels"]["lead"]["gain_db"] == mx.REFERENCE_DB["lead"]
    assert MixSettings.load().channels["pad"].gain_db == mx.REFERENCE_DB["pad"]
    assert ns["Out"][ns.cell_of("check_chorus_mix(my_mix)")].correct is True
    assert "has not passed" not in capsys.readouterr().out
    unpassed = run_lesson(LESSON, tags=("setup", "exercise", "check"), cache=False, answers={"my_mix": {"lead": -2}})
    assert unpassed["Out"][unpassed.cell_of("check_chorus_mix(my_mix)")].correct is False
    out = capsys.readouterr().out
    assert "Saved, though the checker has not passed this mix yet: the capstone will use it as it is." in out
    assert MixSettings.load().channels["lead"].gain_db == -2  # saved anyway, replacing the earlier one
    assert "a mix the checker has not passed yet is saved too, with a line saying so" in _prose()
    desk_answer = run_lesson(LESSON, tags=("setup", "exercise", "check"), cache=False,
                             answers={"my_mix": Expr("desk")})
    assert desk_answer["Out"][desk_answer.cell_of("check_chorus_mix(my_mix)")].correct is False  # the flat desk
