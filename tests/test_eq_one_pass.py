"""The EQ's one-pass split cascade and EQExplorer's per-band cache (issue 18: widget updates).

References: scipy.signal.sosfilt in float64 for the filtering; two separate ``filter_sos`` passes
for the split (bit for bit: the split rounds to float32 where the second pass would start).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import sosfilt

from producerkit import eq, signals
from producerkit.errors import ParameterError
from producerkit.widgets import EQExplorer

SR = 44100


def _clip(channels: int) -> np.ndarray:
    noise = signals.noise(0.5, SR, "pink", level_dbfs=-20.0, channels=max(channels, 2), decorrelated=True)
    return np.concatenate([noise] * ((channels + 1) // 2))[:channels]


def _active_bands():
    return [eq.HighPass(40), eq.LowShelf(150, gain_db=3), eq.Peak(1000, gain_db=-4, q=2), eq.Notch(3000, q=5),
            eq.HighShelf(7000, gain_db=2), eq.LowPass(12000, order=4)]


@pytest.mark.parametrize("channels", [1, 2, 3])
def test_split_equals_two_passes_bit_for_bit_and_sosfilt(channels):
    x = _clip(channels)
    sos = eq.EQ(_active_bands()).sos(SR)
    for split in range(sos.shape[0] + 1):
        mid, out = eq.filter_sos_split(sos, split, x)
        assert mid.dtype == out.dtype == np.float32 and mid.shape == out.shape == x.shape
        assert np.array_equal(mid, eq.filter_sos(sos[:split], x))
        assert np.array_equal(out, eq.filter_sos(sos[split:], mid))
        assert out is not mid
    ref = sosfilt(sos, x.astype(np.float64), axis=-1)
    np.testing.assert_allclose(eq.filter_sos(sos, x), ref, atol=2e-7)


def test_flat_bands_are_skipped_without_changing_the_output():
    x = _clip(2)
    flat = [eq.Peak(500), eq.LowShelf(100), eq.HighShelf(9000)]  # 0 dB: [1, 0, 0, 1, 0, 0] each
    bands = _active_bands()
    mixed = eq.EQ(flat[:1] + bands[:3] + flat[1:] + bands[3:]).sos(SR)
    assert np.array_equal(eq.filter_sos(mixed, x), eq.filter_sos(eq.EQ(bands).sos(SR), x))
    only_flat = eq.EQ(flat).sos(SR)
    assert np.array_equal(eq.filter_sos(only_flat, x), x)


def test_split_says_what_to_pass():
    sos = eq.EQ(_active_bands()).sos(SR)
    with pytest.raises(ParameterError, match="split must be from 0"):
        eq.filter_sos_split(sos, sos.shape[0] + 1, _clip(2))
    with pytest.raises(ParameterError, match=r"shape \(channels, n\)"):
        eq.filter_sos_split(sos, 1, _clip(2)[0])


def test_explorer_designs_only_the_changed_band(monkeypatch):
    """A different band each time: the clip goes through the bands once and only the moved band is designed."""
    x = _clip(2)
    explorer = EQExplorer(x, SR, bands=[eq.HighPass(30), eq.LowShelf(120, gain_db=3), eq.Peak(500, gain_db=-4),
                                        eq.Peak(3000, gain_db=2), eq.HighShelf(8000, gain_db=-3)])
    designed, passes = [], []
    real_sos, real_split, real_filter = eq.Band.sos, eq.filter_sos_split, eq.filter_sos

    def counting_sos(self, sr):
        designed.append(type(self).__name__)
        return real_sos(self, sr)

    monkeypatch.setattr(eq.Band, "sos", counting_sos)
    monkeypatch.setattr(eq, "filter_sos_split", lambda *a: passes.append("split") or real_split(*a))
    monkeypatch.setattr(eq, "filter_sos", lambda *a: passes.append("one") or real_filter(*a))
    for band, freq in [(0, 40.0), (3, 2500.0), (1, 150.0)]:
        designed.clear()
        passes.clear()
        assert explorer.update(band=band, freq=freq), explorer.error
        assert len(designed) == 1 and passes == ["split"], (designed, passes)
        np.testing.assert_allclose(explorer.processed, sosfilt(explorer.eq.sos(SR), x.astype(np.float64), axis=-1),
                                   atol=1e-6)
    passes.clear()
    assert explorer.update(band=1, gain_db=1.0)  # the same band again: the others' copy is cached
    assert passes == ["one"]
