"""producerkit.editing: comping, crossfades, fades, trimming and hum removal.

References: the equal-power crossfade law (cos² + sin² = 1), scipy.signal.iirnotch notches on the
mains harmonics, A-weighting (IEC 61672-1) for noise floors, and synthetic takes whose faults are known
by construction (a late phrase, a wrong note, a quiet phrase, 50/60 Hz hum, hiss).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit import AudioError, ParameterError
from producerkit.editing import (
    CompResult,
    Phrase,
    comp_takes,
    crossfade,
    fade,
    remove_hum,
    trim_silence,
)

SR = 44100
BPM = 120
MELODY = [220, 247, 262, 294, 330, 294, 262, 247, 220, 247, 262, 294]  # A3 B3 C4 D4 E4 ...


def _take(notes, delay_ms=0.0, gain_db=0.0, hum_db=None, hum_freq=50.0, hiss_db=-70.0, seed=0, dur=6.0):
    """A sung-like line: one harmonic note per beat (0.4 s of each 0.5 s), a noise floor, optional hum."""
    n = int(dur * SR)
    t = np.arange(n) / SR
    y = np.zeros(n)
    beat = 60.0 / BPM
    for i, f in enumerate(notes):
        start = i * beat + delay_ms / 1000.0
        end = start + 0.8 * beat
        m = (t >= start) & (t < end)
        tt = t[m] - start
        env = np.minimum(1.0, tt / 0.005) * np.minimum(1.0, (end - start - tt) / 0.02)
        y[m] += env * sum(0.3 / k * np.sin(2 * np.pi * k * f * tt) for k in (1, 2, 3))
    y *= 10 ** (gain_db / 20)
    y += np.random.default_rng(seed).standard_normal(n) * 10 ** (hiss_db / 20)
    if hum_db is not None:
        y += 10 ** (hum_db / 20) * (np.sin(2 * np.pi * hum_freq * t) + 0.3 * np.sin(2 * np.pi * 3 * hum_freq * t))
    return y.astype(np.float32)


@pytest.fixture(scope="module")
def session():
    """Three takes with known faults: take 1 flubs phrase 2 (C#, D# instead of D, E... a semitone off),
    take 2 is 35 ms late in phrase 1 and 6 dB quiet in phrase 3, take 3 has 50 Hz hum throughout."""
    wrong = list(MELODY)
    wrong[4], wrong[5] = 311, 277  # D#4 and C#4 where the others sing E4 and D4
    take1 = _take(wrong, seed=1)
    late, quiet, take2 = _take(MELODY, 35, seed=2), _take(MELODY, gain_db=-6, seed=2), _take(MELODY, seed=2)
    take2[: 2 * SR] = late[: 2 * SR]
    take2[4 * SR :] = quiet[4 * SR :]
    take3 = _take(MELODY, hum_db=-45, seed=3)
    return [take1, take2, take3]


PHRASES = [(0, 2, "verse 1a"), (2, 4, "verse 1b"), (4, 6, "verse 1c")]


# --------------------------------------------------------------------------- comping


def test_comp_picks_the_take_without_the_known_fault_in_each_phrase(session):
    result = comp_takes(session, SR, PHRASES, bpm=BPM)
    assert isinstance(result, CompResult)
    assert result.takes == [0, 1, 0]
    first, second, third = result.choices
    assert first.reason.startswith("take 1, chosen on pitch, timing and noise:")
    assert "take 2 is" in first.reason and "ms late against the grid" in first.reason
    assert "take 3 has 50 Hz hum" in first.reason and "dB above its neighbours" in first.reason
    assert "take 1 disagrees with the other takes' notes" in second.reason
    assert "quieter" not in third.reason and "take 3 has 50 Hz hum" in third.reason  # level is not a reason
    assert second.take_number == 2 and second.phrase.name == "verse 1b"


def test_comp_scores_measure_the_faults_that_were_built_in(session):
    result = comp_takes(session, SR, PHRASES, bpm=BPM)
    s = result.choices[0].scores
    assert s[1].timing_signed_ms == pytest.approx(35, abs=6)  # 35 ms late by construction
    assert abs(s[0].timing_signed_ms) < 6
    assert s[2].hum_db > 25 and s[2].hum_freq == 50
    assert s[0].hum_db < 6
    flub = result.choices[1].scores[0]
    assert flub.flub > 0.3 and flub.flub_note[1] in ("D", "E")
    quiet = result.choices[2].scores[1]
    assert quiet.level_dev_db == pytest.approx(-6.0, abs=0.3)  # the median of the 3 takes is a full-level one
    assert result.choices[2].scores[1].level_db - result.choices[2].scores[0].level_db == pytest.approx(-6, abs=0.3)


def test_comp_audio_is_the_chosen_take_inside_each_phrase(session):
    result = comp_takes(session, SR, PHRASES, bpm=BPM)
    assert result.audio.dtype == np.float32 and result.audio.shape == session[0].shape
    margin = int(0.05 * SR)
    for choice in result.choices:
        lo, hi = int(choice.phrase.start * SR) + margin, int(choice.phrase.end * SR) - margin
        np.testing.assert_array_equal(result.audio[lo:hi], session[choice.take_index][lo:hi])


def test_comp_crossfades_are_equal_power_and_centred_on_the_switch(session):
    """Equal-power law: the outgoing take is weighted cos(πx/2), the incoming sin(πx/2)."""
    result = comp_takes(session, SR, PHRASES, bpm=BPM, crossfade_ms=10)
    b = result.boundaries[0]
    assert b == 2 * SR
    n = int(round(0.010 * SR))
    lo = b - n // 2
    x = (np.arange(n) + 0.5) / n
    expected = session[0][lo : lo + n] * np.cos(np.pi * x / 2) + session[1][lo : lo + n] * np.sin(np.pi * x / 2)
    np.testing.assert_allclose(result.audio[lo : lo + n], expected, atol=1e-6)
    assert np.allclose(np.cos(np.pi * x / 2) ** 2 + np.sin(np.pi * x / 2) ** 2, 1.0)


def test_comp_without_bpm_times_takes_against_each_other(session):
    result = comp_takes(session, SR, [(0, 2), (2, 4), (4, 6)])
    assert result.takes == [0, 1, 0]
    assert "take 2 is 35 ms late against the other takes" in result.choices[0].reason


def test_comp_hears_60_hz_hum_and_hiss():
    takes = [
        _take(MELODY, seed=1, dur=3.0),
        _take(MELODY, seed=2, dur=3.0, hum_db=-45, hum_freq=60.0),
        _take(MELODY, seed=3, dur=3.0, hiss_db=-45),
    ]
    result = comp_takes(takes, SR, [(0, 3)])
    assert result.takes == [0]
    reason = result.choices[0].reason
    assert "take 2 has 60 Hz hum" in reason
    assert "take 3 is noisy in the gaps" in reason
    scores = result.choices[0].scores
    assert scores[2].noise_floor_db - scores[0].noise_floor_db > 15
    # hum is scored as hum, not counted again as noise (A-weighting takes 26 dB off 60 Hz)
    assert scores[1].noise_floor_db - scores[0].noise_floor_db < 6


def test_comp_accepts_bars_dicts_names_and_stereo(session):
    stereo = [np.stack([t, 0.5 * t]) for t in session]
    phrases = [{"bars": (0, 1), "name": "bar 1"}, {"start": 2.0, "end": 4.0}, Phrase(4.0, 6.0, "end")]
    result = comp_takes(stereo, SR, phrases, bpm=BPM, names=["Mon", "Tue", "Wed"])
    assert result.audio.shape == (2, session[0].size)
    assert result.choices[0].phrase == Phrase(0.0, 2.0, "bar 1")  # a 4/4 bar at 120 BPM is 2 s
    assert result.take_sheet()[0][1] == "Mon"
    assert "Tue is" in result.choices[0].reason
    assert "<table>" in result._repr_html_() and "Mon" in str(result)


def test_comp_bars_count_from_0_end_exclusive_as_code_does(session):
    """Bars in code count from 0 and exclude the end (they used to count from 1, inclusive)."""
    result = comp_takes(session, SR, [{"bars": (0, 1)}, {"bars": (1, 3)}], bpm=BPM)
    assert [(c.phrase.start, c.phrase.end) for c in result.choices] == [(0.0, 2.0), (2.0, 6.0)]


@pytest.mark.parametrize("bars", [(1, 1), (2, 1), (-1, 2), (0.5, 2), "0-2", (True, 2)])
def test_comp_refuses_bars_that_are_not_start_end_from_0(session, bars):
    with pytest.raises(ParameterError, match=r"counted from 0 with the end bar excluded.*bars=\(0, 4\)"):
        comp_takes(session, SR, [{"bars": bars}], bpm=BPM)


def test_a_single_take_is_its_own_comp():
    take = _take(MELODY[:4], dur=2.0)
    result = comp_takes([take], SR, [(0, 1), (1, 2)])
    assert result.takes == [0, 0]
    assert result.choices[0].reason == "take 1: the only take"
    np.testing.assert_array_equal(result.audio, take)


def test_level_is_never_a_reason_to_choose_a_take():
    """Lesson 04's rule: level is fixed with clip gain, so the comp chooses on pitch, timing and noise.
    Take 2 is 6 dB louder and on time, take 1 is 11 ms late, take 3 flubs: take 2 wins, and its level
    is named only as a clip-gain note. (Level used to cost points, and take 1 won "because take 2 is louder".)"""
    wrong = list(MELODY)
    wrong[1], wrong[2] = 233, 277
    takes = [_take(MELODY, 11, seed=1), _take(MELODY, gain_db=6, seed=2), _take(wrong, seed=3)]
    choice = comp_takes(takes, SR, [(0, 6, "verse")], bpm=BPM).choices[0]
    assert choice.take_number == 2, choice.reason
    assert "take 1 is" in choice.reason and "ms late against the grid" in choice.reason
    assert "take 3 disagrees with the other takes' notes" in choice.reason
    assert "chosen on pitch, timing and noise" in choice.reason
    assert "Level is not a reason: it is 6.0 dB louder than the other takes, so match it with clip gain" \
        in choice.reason
    assert all("louder" not in p and "quieter" not in p for s in choice.scores for p in s.problems)


def test_a_louder_or_quieter_take_alone_changes_nothing():
    quiet, loud = _take(MELODY, gain_db=-8, seed=1), _take(MELODY, gain_db=8, seed=2)
    result = comp_takes([quiet, loud, _take(MELODY, seed=3)], SR, [(0, 6)], bpm=BPM)
    assert [s.penalty for s in result.choices[0].scores] == [0.0, 0.0, 0.0]
    assert result.takes == [0]  # a tie: the earliest take, whatever its level
    assert "clip gain" in result.choices[0].reason


def test_comp_report_is_a_report_of_findings(session):
    from producerkit.report import Report

    result = comp_takes(session, SR, PHRASES, bpm=BPM)
    report = result.report
    assert isinstance(report, Report) and len(report) == 3
    assert [f.subject for f in report] == [c.phrase.label() for c in result.choices]
    assert [f.value for f in report] == [1.0, 2.0, 1.0]
    assert report["verse 1b (2.00–4.00 s)"].message == result.choices[1].reason


def test_comp_refuses_a_take_of_the_wrong_length(session):
    with pytest.raises(AudioError, match=r"take 2 is \d+ samples long but take 1 is \d+"):
        comp_takes([session[0], session[1][:-10]], SR, [(0, 1)])


@pytest.mark.parametrize(
    "phrases, match",
    [
        ([(0, 2), (1.5, 3)], "overlap"),
        ([(0, 7)], "only 6.000 s long"),
        ([(2, 1)], "end after it starts"),
        ([(-1, 1)], "start at or after 0"),
        ([], "non-empty list"),
        ([{"bars": (1, 2)}], "pass bpm="),
        ([{"begin": 0}], '"start" and "end"'),
        (["0-2"], r"\(start_s, end_s\)"),
    ],
)
def test_comp_refuses_bad_phrases(session, phrases, match):
    with pytest.raises(ParameterError, match=match):
        comp_takes(session, SR, phrases)


def test_comp_refuses_other_bad_input(session):
    with pytest.raises(AudioError, match="same channels"):
        comp_takes([session[0], np.stack([session[1], session[1]])], SR, [(0, 1)])
    with pytest.raises(AudioError, match="non-empty list"):
        comp_takes([], SR, [(0, 1)])
    with pytest.raises(ParameterError, match="one name per take"):
        comp_takes(session, SR, [(0, 1)], names=["a"])
    with pytest.raises(ParameterError, match="bpm"):
        comp_takes(session, SR, [(0, 1)], bpm=0)
    with pytest.raises(ParameterError, match="unknown weights"):
        comp_takes(session, SR, [(0, 1)], weights={"vibe": 1})


# --------------------------------------------------------------------------- crossfade and fade


def test_linear_crossfade_of_a_signal_with_itself_is_seamless():
    """Linear gains add to 1: crossfading phase-aligned copies reproduces the original exactly."""
    x = np.sin(2 * np.pi * 440 * np.arange(SR) / SR).astype(np.float32)
    n = int(0.02 * SR)
    k = 20000
    joined = crossfade(x[: k + n], x[k:], SR, duration_ms=20, shape="linear")
    assert joined.size == x.size
    np.testing.assert_allclose(joined, x, atol=1e-6)


def test_equal_power_crossfade_keeps_the_level_of_uncorrelated_takes():
    """Equal power: cos² + sin² = 1, so two unrelated noises keep their power through the overlap."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal(SR).astype(np.float32) * 0.1
    b = rng.standard_normal(SR).astype(np.float32) * 0.1
    n = SR // 2
    joined = crossfade(a, b, SR, duration_ms=500)
    overlap = joined[SR - n : SR]
    assert 10 * np.log10(np.mean(overlap**2) / 0.01) == pytest.approx(0.0, abs=0.3)
    linear = crossfade(a, b, SR, duration_ms=500, shape="linear")[SR - n : SR]
    assert 10 * np.log10(np.mean(linear**2) / 0.01) == pytest.approx(-1.76, abs=0.3)  # the linear dip


def test_crossfade_layouts_and_errors():
    a = np.ones((2, 1000), np.float32)
    out = crossfade(a, a, SR, duration_ms=10)
    assert out.shape == (2, 2000 - 441)
    with pytest.raises(AudioError, match="same channels"):
        crossfade(a, np.ones(1000), SR)
    with pytest.raises(ParameterError, match="longer than the shorter clip"):
        crossfade(np.ones(100), np.ones(1000), SR, duration_ms=10)
    with pytest.raises(ParameterError, match="shape"):
        crossfade(np.ones(1000), np.ones(1000), SR, shape="log")


def test_fade_shapes_start_and_end_on_silence():
    y = np.ones(SR, np.float32)
    n = int(0.1 * SR)
    for shape, half in (("linear", 0.5), ("equal_power", np.sqrt(0.5)), ("s_curve", 0.5)):
        out = fade(y, SR, in_ms=100, out_ms=100, shape=shape)
        assert out[0] == 0 and out[-1] == 0
        assert out[n // 2] == pytest.approx(half, abs=1e-3)
        assert out[n : SR - n].min() == 1.0


def test_fade_errors():
    with pytest.raises(ParameterError, match="longer than the clip"):
        fade(np.ones(100), SR, in_ms=10)
    with pytest.raises(ParameterError, match="in_ms"):
        fade(np.ones(100), SR, in_ms=-1)


@settings(max_examples=25, deadline=None)
@given(
    n_a=st.integers(50, 3000),
    n_b=st.integers(50, 3000),
    ms=st.floats(0, 1.0),
    stereo=st.booleans(),
    shape=st.sampled_from(["linear", "equal_power", "s_curve"]),
)
def test_crossfade_length_and_layout_property(n_a, n_b, ms, stereo, shape):
    shape_a = (2, n_a) if stereo else (n_a,)
    shape_b = (2, n_b) if stereo else (n_b,)
    out = crossfade(np.full(shape_a, 0.5), np.full(shape_b, 0.25), SR, duration_ms=ms, shape=shape)
    n = int(round(ms * SR / 1000))
    assert out.shape[-1] == n_a + n_b - n and out.ndim == (2 if stereo else 1) and out.dtype == np.float32
    assert out[..., 0].max() == pytest.approx(0.5) and out[..., -1].max() == pytest.approx(0.25)


# --------------------------------------------------------------------------- trim


def test_trim_silence_keeps_the_sound_and_the_padding():
    y = np.zeros(SR, np.float32)
    y[10000:20000] = 0.5
    out, (start, end) = trim_silence(y, SR, threshold_db=-60, pad_ms=10, return_bounds=True)
    pad = int(0.01 * SR)
    assert (start, end) == (10000 - pad, 20000 + pad)
    np.testing.assert_array_equal(out, y[start:end])
    stereo = np.stack([y, np.zeros(SR, np.float32)])
    assert trim_silence(stereo, SR, pad_ms=0).shape == (2, 10000)
    assert trim_silence(np.zeros(100), SR).size == 0
    with pytest.raises(ParameterError, match="threshold_db"):
        trim_silence(y, SR, threshold_db=6)


# --------------------------------------------------------------------------- hum


def _line_db(y, sr, f):
    """Amplitude of the sinusoid at an integer frequency f over a 1 s window (exact FFT bin)."""
    seg = np.asarray(y[int(1.5 * sr) : int(2.5 * sr)], np.float64)
    return 20 * np.log10(np.abs(np.fft.rfft(seg))[int(f)] * 2 / seg.size + 1e-30)


@pytest.mark.parametrize("mains", [50, 60])
def test_remove_hum_cuts_the_line_30_db_and_leaves_the_music_within_half_a_db(mains):
    """scipy.signal.iirnotch notches on the harmonics: the hum goes, 200–5000 Hz between them stays."""
    sr = 48000
    t = np.arange(4 * sr) / sr
    music_freqs = [230, 470, 1010, 2990, 4730]  # between the mains harmonics
    music = sum(0.1 * np.sin(2 * np.pi * f * t) for f in music_freqs)
    hum = 0.05 * np.sin(2 * np.pi * mains * t) + 0.02 * np.sin(2 * np.pi * 3 * mains * t)
    y = (music + hum).astype(np.float32)
    out = remove_hum(y, sr, freq=mains)
    assert out.dtype == np.float32 and out.shape == y.shape
    assert _line_db(y, sr, mains) - _line_db(out, sr, mains) >= 30
    assert _line_db(y, sr, 3 * mains) - _line_db(out, sr, 3 * mains) >= 30
    for f in music_freqs:
        assert abs(_line_db(out, sr, f) - _line_db(y, sr, f)) <= 0.5


def test_remove_hum_stops_below_nyquist_and_keeps_stereo():
    y = np.random.default_rng(0).standard_normal((2, 8000)).astype(np.float32) * 0.1
    out = remove_hum(y, 8000, freq=1000, harmonics=10)  # only 1, 2, 3 kHz fit below 4 kHz
    assert out.shape == (2, 8000) and np.isfinite(out).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [({"freq": 30000}, "above 0 and below"), ({"harmonics": 0}, "harmonics"), ({"q": 0}, "q must be above 0")],
)
def test_remove_hum_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        remove_hum(np.zeros(1000), SR, **kwargs)


def test_phrase_ends_a_sample_past_the_takes_are_clamped_not_refused():
    """Bars computed in floats (14.399999...) and sliced with int() can lose one sample."""
    sr = 44100
    takes = [np.random.default_rng(k).standard_normal(sr - 1).astype(np.float32) * 0.1 for k in range(2)]
    result = comp_takes(takes, sr, [(0.0, 0.5), (0.5, 1.0)])
    assert result.audio.shape[-1] == sr - 1
    with pytest.raises(ParameterError, match="ends at 1.010 s"):
        comp_takes(takes, sr, [(0.0, 0.5), (0.5, 1.01)])
