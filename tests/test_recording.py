"""The microphone simulation (producerkit.recording) behaves as the physics it claims (issue 17).

- two mics at different distances, summed, notch where the path difference predicts, within 2 %;
  time-aligning removes the notches, flipping polarity moves them to k / delay;
- the direct sound falls 6 dB per doubling, the room does not: the direct-to-room ratio is
  20 log10(critical distance / distance), 4.8 dB more for a cardioid;
- the proximity effect: a directional mic's bass rises as it gets closer, an omni's does not;
- off axis the highs fall more than the mids;
- levels: clipping on the way in stays after turning down; too little gain raises the noise floor.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import argrelmin

from producerkit import recording as rec
from producerkit.errors import ParameterError

SR = 48000


def _impulse(n: int = SR) -> np.ndarray:
    x = np.zeros(n, np.float32)
    x[1000] = 1.0
    return x


def _measured_response_db(y_out: np.ndarray, y_in: np.ndarray):
    f = np.fft.rfftfreq(y_in.size, 1 / SR)
    return f, 20 * np.log10(np.abs(np.fft.rfft(y_out)) / np.abs(np.fft.rfft(y_in)) + 1e-12)


@pytest.mark.parametrize("near_m, far_m, pattern, from_hz", [
    (0.3, 0.9, "omni", 0), (0.1, 0.45, "omni", 0), (0.5, 0.8, "omni", 0), (0.2, 1.2, "cardioid", 1000),
])
def test_two_mics_notch_where_the_path_difference_predicts(near_m, far_m, pattern, from_hz):
    near, far = rec.Mic(near_m, pattern), rec.Mic(far_m, pattern)
    x = _impulse()
    summed = rec.MicPair(near, far, SR).record(x)
    f, db = _measured_response_db(summed, x)
    predicted = rec.comb_notches((far_m - near_m) / rec.SPEED_OF_SOUND, fmax=8000)
    assert predicted[0] == pytest.approx(rec.SPEED_OF_SOUND / (2 * (far_m - near_m)))
    minima = f[argrelmin(db)[0]]
    # a cardioid's lowest notches move a few %: its proximity effect turns the phase of the lows differently
    # at each distance; above 1 kHz (k r >> 1 at 20 cm) only the path difference is left
    for want in predicted[predicted >= from_hz]:
        got = minima[np.argmin(np.abs(minima - want))]
        assert got == pytest.approx(want, rel=0.02), (want, got)


def test_time_aligning_the_near_mic_removes_the_comb_and_flipping_polarity_moves_it():
    near, far = rec.Mic(0.3, "omni"), rec.Mic(0.9, "omni")
    n = rec.delay_samples(0.3, 0.9, SR)
    assert n == round(0.6 / 343 * SR)
    x = _impulse()
    f, plain = _measured_response_db(rec.MicPair(near, far, SR).record(x), x)
    _, aligned = _measured_response_db(rec.MicPair(near, far, SR, delay_samples=n).record(x), x)
    band = (f > 200) & (f < 4000)
    assert np.ptp(plain[band]) > 5
    assert np.ptp(aligned[band]) < 1.0
    flipped = rec.MicPair(near, far, SR, polarity=-1)
    _, db = _measured_response_db(flipped.record(x), x)
    step = rec.SPEED_OF_SOUND / 0.6
    notches = flipped.notches(fmax=3000)
    np.testing.assert_allclose(notches[:3], [0.0, step, 2 * step])
    minima = f[argrelmin(db)[0]]
    for want in notches[1:]:
        assert minima[np.argmin(np.abs(minima - want))] == pytest.approx(want, rel=0.02)
    # the notch at 0 Hz takes bass: 50 Hz is about 5 dB down on the in-polarity sum
    at = np.argmin(np.abs(f - 50))
    assert db[at] < plain[at] - 4


def test_find_delay_and_align_line_up_two_recordings():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(SR // 2).astype(np.float32)
    near, far = rec.Mic(0.2, "omni").record(x, SR), rec.Mic(1.0, "omni").record(x, SR)
    lag = rec.find_delay(near, far, SR)
    assert lag == rec.delay_samples(0.2, 1.0, SR)
    assert rec.find_delay(rec.align(near, lag), far, SR) == 0
    assert rec.align(np.arange(5.0), 2).tolist() == [0, 0, 0, 1, 2]
    assert rec.align(np.arange(5.0), -2).tolist() == [2, 3, 4, 0, 0]


@pytest.mark.parametrize("pattern", ["omni", "cardioid"])
def test_direct_to_room_ratio_follows_distance(pattern):
    room = rec.Room(decay_s=0.5, critical_distance_m=0.8)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SR * 2).astype(np.float32) * 0.1
    room_levels = []
    for distance in (0.2, 0.4, 0.8, 1.6):
        mic = rec.Mic(distance, pattern)
        direct = mic.record(x, SR)
        both = mic.record(x, SR, room)
        measured = 20 * np.log10(np.std(direct) / np.std(both - direct))
        assert measured == pytest.approx(mic.direct_to_room_db(room), abs=1.0)
        room_levels.append(np.std(both - direct))
    assert np.ptp(20 * np.log10(room_levels)) < 0.01  # the room sounds the same everywhere
    assert rec.Mic(0.8, "omni").direct_to_room_db(room) == pytest.approx(0.0)
    assert rec.Mic(0.8, "cardioid").direct_to_room_db(room) == pytest.approx(10 * np.log10(3))


def _band_db(y, lo, hi):
    f = np.fft.rfftfreq(y.size, 1 / SR)
    p = np.abs(np.fft.rfft(y)) ** 2
    return 10 * np.log10(p[(f >= lo) & (f < hi)].mean())


def test_the_proximity_effect_lifts_a_directional_mics_bass_as_it_gets_closer():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(SR).astype(np.float32)
    lifts = {}
    for pattern in ("omni", "cardioid", "figure8"):
        lifts[pattern] = []
        for d in (0.05, 0.15, 0.5, 2.0):
            y = rec.Mic(d, pattern).record(x, SR)
            lifts[pattern].append(_band_db(y, 80, 125) - _band_db(y, 800, 1250))
    assert np.ptp(lifts["omni"]) < 0.5
    for pattern in ("cardioid", "figure8"):
        assert all(a > b for a, b in zip(lifts[pattern], lifts[pattern][1:], strict=False))
    assert lifts["cardioid"][0] - lifts["cardioid"][-1] > 10
    assert lifts["figure8"][0] > lifts["cardioid"][0]
    assert rec.proximity_boost_db(0.05, 100) == pytest.approx(14.9, abs=0.5)
    assert rec.proximity_boost_db(0.05, 100, "omni") == 0.0


def test_off_axis_dulls_the_highs():
    rng = np.random.default_rng(2)
    x = rng.standard_normal(SR).astype(np.float32)
    tilt = []
    for angle in (0, 45, 90):
        y = rec.Mic(0.3, angle_deg=angle).record(x, SR)
        tilt.append(_band_db(y, 8000, 12000) - _band_db(y, 800, 1250))
    assert tilt[0] == pytest.approx(0, abs=0.5)
    assert tilt[2] < tilt[1] < tilt[0] - 1
    assert tilt[2] < -4
    on, side = rec.Mic(0.3).response([1000])[0], rec.Mic(0.3, angle_deg=90).response([1000])[0]
    assert 20 * np.log10(abs(side / on)) == pytest.approx(-6.0, abs=0.3)  # a cardioid at 90°


def test_clipping_on_the_way_in_is_permanent_and_low_gain_raises_the_noise():
    t = np.arange(SR) / SR
    tone = np.concatenate([np.zeros(SR // 2), 0.3 * np.sin(2 * np.pi * 220 * t)]).astype(np.float32)
    right = rec.capture(tone, 0)
    hot = rec.capture(tone, 14)
    assert rec.clipped_samples(right) == 0 and rec.clipped_samples(hot) > 1000
    assert rec.peak_dbfs(hot) == pytest.approx(0.0, abs=0.01)
    turned_down = hot * 10 ** (-14 / 20)
    assert np.max(np.abs(turned_down - right)) > 0.05  # the flat tops stay flat
    low_up = rec.capture(tone, -30) * 10 ** (30 / 20)
    gap = slice(0, SR // 2)
    assert rec.noise_floor_dbfs(low_up[gap], SR) > rec.noise_floor_dbfs(right[gap], SR) + 15


@pytest.mark.parametrize("make, match", [
    (lambda: rec.Mic(0.0), "distance_m must be"),
    (lambda: rec.Mic(0.3, "shotgun"), "pattern"),
    (lambda: rec.Mic(0.3, angle_deg=200), "angle_deg must be"),
    (lambda: rec.Room(critical_distance_m=-1), "critical_distance_m must be"),
    (lambda: rec.MicPair(rec.Mic(), rec.Mic(1.0), SR, polarity=0), "polarity must be"),
    (lambda: rec.comb_notches(0.0), "delay_s must be"),
    (lambda: rec.capture(np.zeros(10), 100), "gain_db must be"),
])
def test_bad_settings_say_what_was_wrong(make, match):
    with pytest.raises(ParameterError, match=match):
        make()


def test_record_sets_the_gain_like_an_engineer():
    # a close mic at the model's level (0 dB at 1 m) clips; with peak_dbfs its loudest peak sits there
    from producerkit.recording import MicPair, clipped_samples, peak_dbfs

    sr = 44100
    y = np.sin(2 * np.pi * 220 * np.arange(sr) / sr).astype(np.float32) * 0.3
    close = rec.Mic(0.05, "cardioid")
    assert clipped_samples(np.clip(close.record(y, sr), -1, 1)) > 0
    assert peak_dbfs(close.record(y, sr, peak_dbfs=-10)) == pytest.approx(-10, abs=0.01)
    pair = MicPair(rec.Mic(0.3, "omni"), rec.Mic(0.9, "omni"), sr)
    near_alone = pair.near.record(y, sr)
    summed = pair.record(y, peak_dbfs=-10)
    assert peak_dbfs(summed) == pytest.approx(-10, abs=0.01)
    # one gain for the sum: the two mics keep their difference in level
    gain = 10 ** (-10 / 20) / np.max(np.abs(pair.record(y)))
    np.testing.assert_allclose(summed, pair.record(y) * gain, atol=1e-6)
    assert near_alone.shape == summed.shape
    with pytest.raises(ParameterError, match="peak_dbfs"):
        close.record(y, sr, peak_dbfs=3)
