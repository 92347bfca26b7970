"""Tuning in producerkit.editing: note_pitches (YIN), tune (length kept), flat_phrase_demo (issue 17)."""

import numpy as np
import pytest

from producerkit import editing
from producerkit.errors import ParameterError

SR = 22050


def _tone(midi: float, seconds: float, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    hz = 440.0 * 2 ** ((midi - 69) / 12)
    # a voice-like tone: a few harmonics, so YIN sees a real pitch rather than a lone sine
    return (0.3 * sum(np.sin(2 * np.pi * k * hz * t) / k for k in (1, 2, 3))).astype(np.float32)


def _melody(cents: float = 0.0) -> np.ndarray:
    gap = np.zeros(int(0.1 * SR), np.float32)
    return np.concatenate([_tone(m + cents / 100, 0.5) if m else gap for m in (67, 0, 71, 0, 62)])


def test_note_pitches_names_notes_and_measures_cents():
    notes = editing.note_pitches(_melody(-35), SR, fmin=150, fmax=700)
    assert [n.note for n in notes] == ["G4", "B4", "D4"]
    assert [n.midi for n in notes] == [67, 71, 62]
    for n in notes:
        assert n.cents == pytest.approx(-35, abs=3)
        assert n.duration == pytest.approx(0.5, abs=0.1)
    assert notes[1].start == pytest.approx(0.6, abs=0.06)


def test_a_flat_note_beyond_half_a_semitone_is_named_after_the_nearer_note():
    (note,) = editing.note_pitches(_tone(69 - 0.7, 0.6), SR, fmin=150, fmax=700)
    assert (note.note, note.midi) == ("G#4", 68)
    assert note.cents == pytest.approx(30, abs=3)


def test_note_pitches_of_silence_is_empty():
    assert editing.note_pitches(np.zeros(SR, np.float32), SR) == []


def test_phrase_cents_weights_by_duration():
    notes = [editing.NotePitch(0, 3, "A4", 69, -30, 430), editing.NotePitch(3, 4, "B4", 71, 10, 500)]
    assert editing.phrase_cents(notes) == pytest.approx(-20)
    with pytest.raises(ParameterError, match="no notes"):
        editing.phrase_cents([])


def test_tune_keeps_length_and_moves_pitch():
    y = _tone(69, 1.0)
    up = editing.tune(y, SR, 40)
    assert up.shape == y.shape and up.dtype == np.float32
    assert 20 * np.log10(np.std(up) / np.std(y)) == pytest.approx(0, abs=0.2)  # the level stays
    (note,) = editing.note_pitches(up, SR, fmin=150, fmax=700)
    assert note.cents == pytest.approx(40, abs=4)


def test_tune_a_span_leaves_the_rest_untouched():
    y = _melody()
    out = editing.tune(y, SR, -50, start_s=0.6, end_s=1.1)
    assert out.shape == y.shape
    keep = int(0.55 * SR)
    np.testing.assert_array_equal(out[:keep], y[:keep])
    notes = editing.note_pitches(out, SR, fmin=150, fmax=700)
    assert [round(n.cents / 10) for n in notes] == [0, -5, 0]


@pytest.mark.parametrize("kwargs, match", [
    ({"cents": 5000}, "cents must be"),
    ({"cents": 10, "start_s": 0.4, "end_s": 0.2}, "end_s must be after start_s"),
    ({"cents": 10, "start_s": -1}, "start_s must be"),
])
def test_tune_refuses_bad_input(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        editing.tune(_tone(69, 0.5), SR, **kwargs)


def test_note_pitches_refuses_a_range_upside_down():
    with pytest.raises(ParameterError, match="fmax"):
        editing.note_pitches(_tone(69, 0.5), SR, fmin=700, fmax=150)


def test_flat_phrase_demo_is_flat_and_tuning_brings_it_within_10_cents():
    demo = editing.flat_phrase_demo()
    assert (demo.phrase, demo.take, demo.cents) == ("verse 1b", "lead_take1", -35.0)
    assert demo.audio.shape == demo.original.shape
    before = editing.phrase_cents(editing.note_pitches(demo.original_phrase, demo.sr, fmin=150, fmax=700))
    flat = editing.phrase_cents(editing.note_pitches(demo.phrase_audio, demo.sr, fmin=150, fmax=700))
    assert flat - before == pytest.approx(-35, abs=5)
    assert flat < -20
    fixed = editing.tune(demo.audio, demo.sr, -flat, start_s=demo.start_s, end_s=demo.end_s)
    lo, hi = int(demo.start_s * demo.sr), int(demo.end_s * demo.sr)
    notes = editing.note_pitches(fixed[lo:hi], demo.sr, fmin=150, fmax=700)
    assert abs(editing.phrase_cents(notes)) <= 10
    # outside the phrase (and its crossfade) the take is as recorded
    np.testing.assert_array_equal(fixed[: lo - demo.sr // 100], demo.original[: lo - demo.sr // 100])


def test_flat_phrase_demo_refuses_an_unknown_phrase():
    with pytest.raises(ParameterError, match="phrase must be one of"):
        editing.flat_phrase_demo(phrase="chorus 9")


def test_flat_phrase_demo_flattens_given_audio_and_needs_its_sample_rate():
    from producerkit import datasets

    session = datasets.shared_session()
    take = np.array(session.takes["lead_take2"])
    demo = editing.flat_phrase_demo(take, session.sr, phrase="verse 1c", cents=-20)
    assert demo.take == "the given audio" and (demo.start_s, demo.cents) == (9.6, -20.0)
    lo = int(round(demo.start_s * session.sr))
    np.testing.assert_array_equal(demo.audio[: lo - session.sr // 50], take[: lo - session.sr // 50])
    assert not np.allclose(demo.phrase_audio, demo.original_phrase)
    with pytest.raises(ParameterError, match="give sr with y"):
        editing.flat_phrase_demo(take)
    with pytest.raises(ParameterError, match="lines up with the whole takes"):
        editing.flat_phrase_demo(take[: session.sr * 5], session.sr, phrase="verse 1d")
