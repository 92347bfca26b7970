"""beats' kick layering (sub_kick, layer_kick) and chopping (chop, chop_pattern), and the beats figures."""

from __future__ import annotations

import numpy as np
import pytest

from producerkit.beats import Kit, Pattern, chop, chop_pattern, groove_of, layer_kick, preset, render, sub_kick
from producerkit.errors import ParameterError
from producerkit.plots import groove_figure, pattern_figure

SR = 44100


def _peak_hz(y, sr=SR):
    power = np.abs(np.fft.rfft(y)) ** 2
    return np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(power)]


def test_sub_kick_falls_to_its_pitch_and_decays():
    y = sub_kick(SR, pitch_hz=45, decay_ms=300)
    assert y.dtype == np.float32 and y.ndim == 1
    assert _peak_hz(y) == pytest.approx(45, abs=1.5)
    n = int(0.3 * SR)
    late = np.max(np.abs(y[n - 500: n]))
    assert 20 * np.log10(late / np.max(np.abs(y))) < -35  # about 40 dB down at decay_ms
    assert abs(y[0]) < 1e-3  # no click of its own
    with pytest.raises(ParameterError, match="pitch_hz"):
        sub_kick(SR, pitch_hz=10)


def test_sub_kick_peaks_where_it_is_asked_to():
    """``peak`` sets the sub's highest sample, so a sub made at a kick's peak layers at 0 dB as equal peaks."""
    assert np.abs(sub_kick(SR)).max() == pytest.approx(1.0, abs=1e-6)
    assert np.abs(sub_kick(SR, peak=0.355)).max() == pytest.approx(0.355, abs=1e-6)
    with pytest.raises(ParameterError, match="peak"):
        sub_kick(SR, peak=2.0)


def test_layer_kick_splits_at_the_crossover_and_lines_up_the_attacks():
    rng = np.random.default_rng(0)
    click = np.zeros(SR // 2, dtype=np.float32)
    click[1000:1100] = rng.uniform(-1, 1, 100)  # a burst of noise 1000 samples in
    sub = sub_kick(SR)
    y = layer_kick(sub, click, SR, crossover_hz=120)
    assert y.ndim == 1
    # the click's attack now sits at the start, with the sub's: both transients at sample 0-ish
    assert np.argmax(np.abs(y) > 0.1 * np.abs(y).max()) < 50
    # below the crossover the sub, above it the click
    spec = np.abs(np.fft.rfft(y[:SR // 4])) ** 2
    freqs = np.fft.rfftfreq(SR // 4, 1 / SR)
    assert _peak_hz(y) == pytest.approx(50, abs=2)
    assert spec[freqs > 2000].sum() > 0.01 * spec.sum()
    only_sub = layer_kick(sub, click, SR, click_gain_db=-60)
    spec_sub = np.abs(np.fft.rfft(only_sub[:SR // 4])) ** 2
    assert spec_sub[freqs > 2000].sum() < 1e-6 * spec_sub.sum()
    louder = layer_kick(sub, click, SR, sub_gain_db=6)
    assert np.abs(louder).max() > np.abs(y).max()


def test_layer_kick_keeps_stereo_and_refuses_bad_input():
    stereo = np.stack([sub_kick(SR), sub_kick(SR)])
    assert layer_kick(stereo, sub_kick(SR), SR).shape[0] == 2
    with pytest.raises(ParameterError, match="crossover_hz"):
        layer_kick(sub_kick(SR), sub_kick(SR), SR, crossover_hz=5)


def _beat(bpm=100.0):
    kit = Kit.recorded()
    return render(preset("rock"), kit, bpm=bpm, bars=2, tail=False), kit.sr


def test_chop_in_order_gives_back_the_bar():
    y, sr = _beat()
    kit, in_order = chop(y, sr, 100, slices=8)
    assert kit.pieces == [f"s{k}" for k in range(1, 9)]
    assert in_order.hits("s1") == [0] and in_order.hits("s8") == [14]
    back = render(in_order, kit, bpm=100, tail=False)
    bar = y[: len(back)]
    residual = np.sum((back - bar) ** 2) / np.sum(bar ** 2)
    assert 10 * np.log10(residual) < -20
    # a later bar, by start_s, gives the second bar
    kit2, _ = chop(y, sr, 100, slices=16, start_s=2.4)
    assert np.allclose(kit2.layer("s1", 1.0)[0][0, 100:200], y[int(2.4 * sr) + 100: int(2.4 * sr) + 200])


def test_chop_refuses_too_short_audio_and_odd_slices():
    y, sr = _beat()
    with pytest.raises(ParameterError, match="must hold a whole bar"):
        chop(y, sr, 100, start_s=4.0)
    with pytest.raises(ParameterError, match="slices"):
        chop(y, sr, 100, slices=6)


def test_chop_pattern_places_slices_in_their_slots():
    p = chop_pattern([1, 2, 3, 4, 5, 4, 7, 3])
    assert p.hits("s4") == [6, 10] and p.hits("s3") == [4, 14] and "s6" not in p
    assert chop_pattern([1, 0, 0, 1]).hits("s1") == [0, 12]
    assert chop_pattern(list(range(1, 17))).hits("s16") == [15]
    for bad, says in (([1, 2, 3], "4, 8 or 16"), ([0, 0, 0, 0], "at least one slice"), ([1, 2, 3, 9], "order\\[3\\]"),
                      ("1234", "4, 8 or 16")):
        with pytest.raises(ParameterError, match=says):
            chop_pattern(bad)


def test_pattern_figure_draws_rows_and_counts_steps():
    fig = pattern_figure(preset("trap"))
    assert list(fig.data[0].y) == ["hat", "clap", "kick"]
    assert len(fig.layout.xaxis.tickvals) == 32 and fig.layout.xaxis.ticktext[8] == "1.2"
    assert fig.layout.xaxis.ticktext[1] == "·"  # 32nds between 16ths
    z = np.asarray(fig.data[0].z, dtype=float)
    assert np.nanmax(z) == 127 and np.isnan(z[2, 1])  # a rest is empty, not zero
    assert fig.layout.xaxis.zeroline is False  # no stray line through the first step


def test_groove_figure_plots_each_steps_offset():
    kit = Kit.recorded()
    shuffle = Pattern.from_text("kick: x.......x.......\nhat: xoxoxoxoxoxoxoxo")
    y = render(shuffle, kit, bpm=90, swing=62, bars=2, tail=False)
    fig = groove_figure({"62 %": groove_of(y, kit.sr, 90)})
    line = fig.data[0]
    assert list(line.x) == list(range(16)) and max(line.y) == pytest.approx(40.0, abs=1.0)
    with pytest.raises(ParameterError, match="at least one Groove"):
        groove_figure({})
