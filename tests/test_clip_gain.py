"""ClipGain (producerkit.mix): a gain per stretch of a clip, joined by short ramps, as a DAW's clip gain.

Reference: a DAW's clip gain multiplies each part of a clip by its own gain; the ramp is a moving
average of the gain in dB, so at a region's edge it sits halfway between the two gains.
"""

from __future__ import annotations

import numpy as np
import pytest

from producerkit.errors import ParameterError
from producerkit.mix import ClipGain

SR = 48000


def test_each_region_gets_its_gain_and_the_rest_stays():
    y = np.full(3 * SR, 0.25, dtype=np.float32)
    out = ClipGain([(0.0, 1.0, -6.0), (1.0, 2.0, 6.0)], ramp_ms=10)(y, SR)
    level = 20 * np.log10(out / 0.25)
    assert level[SR // 2] == pytest.approx(-6.0, abs=1e-4)
    assert level[3 * SR // 2] == pytest.approx(6.0, abs=1e-4)
    assert level[5 * SR // 2] == pytest.approx(0.0, abs=1e-4)
    # the edge is a 10 ms ramp in dB, halfway at the boundary, nowhere a jump
    assert level[SR] == pytest.approx(0.0, abs=0.2)
    steps = np.abs(np.diff(level))
    assert steps.max() < 12.0 / (0.010 * SR) * 1.01


def test_multichannel_and_regions_past_the_end():
    y = np.ones((2, SR // 2), dtype=np.float32)
    out = ClipGain([(0.0, 0.25, -20.0), (0.25, 9.0, 0.0)], ramp_ms=0)(y, SR)
    assert out.shape == (2, SR // 2) and out.dtype == np.float32
    np.testing.assert_allclose(out[:, : SR // 8], 0.1, rtol=1e-5)
    np.testing.assert_allclose(out[:, -10:], 1.0, rtol=1e-6)


@pytest.mark.parametrize(
    ("regions", "words"),
    [
        ([(1.0, 0.5, 3.0)], "before it starts"),
        ([(0.0, 1.0, 3.0), (0.5, 2.0, -3.0)], "overlap"),
        ([(0.0, 1.0)], "(start_s, end_s, gain_db)"),
        ([(0.0, float("nan"), 1.0)], "end_s"),
        ([(0.0, 1.0, 60.0)], "between"),
        (3, "list of (start_s, end_s, gain_db)"),
    ],
)
def test_bad_regions_say_what_is_wrong(regions, words):
    with pytest.raises(ParameterError, match=None) as err:
        ClipGain(regions)
    assert words in str(err.value)
    if "nan" in repr(regions):
        assert "nan" in str(err.value)  # the message shows the value it refused


def test_ramp_is_checked():
    with pytest.raises(ParameterError, match="ramp_ms"):
        ClipGain([(0.0, 1.0, 1.0)], ramp_ms=900)
