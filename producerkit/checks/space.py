"""Checkers for the space lesson: a dotted-eighth delay, a snare reverb, the return high-pass, a ducked delay.

Every checker judges the answer by what it does to the bundled session "Paper Lanterns" (100 BPM,
4/4): the snare and the shared reverb return use the first four bars of chorus 1 (bars 11–14 as a
DAW counts them, 9.6 s), the lead's delay the first four bars of verse 1 (bars 3–6), where the singer
leaves gaps between phrases for the echoes. In code, bars count from 0: chorus 1 starts at 10.

The measurements are the lesson's own: reverberation time by ISO 3382 (:func:`producerkit.space.rt60`),
band levels from the average spectrum (Welch), gain reduction from the compressor's own trace.

Lesson: course/06-space.ipynb
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import datasets
from ..audio import ensure_audio, power_to_db, to_mono
from ..dynamics import Compressor
from ..eq import HighPass
from ..errors import ProducerkitError
from ..space import Delay, Reverb, note_seconds, rt60
from ._feedback import Feedback, as_number, is_unanswered, right, unanswered, wrong

#: Chorus 1's first four bars (bars 11–14 on a DAW's timeline): the snare and the shared reverb.
CHORUS_BARS = (10, 14)
#: Verse 1's first four bars (bars 3–6): the lead with gaps between its phrases, for the delay.
VERSE_BARS = (2, 6)

# The dotted-eighth delay -------------------------------------------------------------------------
#: A delay time typed in ms is right within this much of the exact value (DAWs show whole ms).
DELAY_TOLERANCE_MS = 1.5

# The snare's reverb ------------------------------------------------------------------------------
#: A decay (RT60 at 1 kHz, plus the pre-delay) shorter than this is heard as a tone, not a space.
SNARE_MIN_DECAY_S = 0.3
#: A snare hit is where the snare's 5 ms level peaks above this (dB under the loudest hit) ...
SNARE_HIT_RANGE_DB = 12.0
#: ... at least this far after the previous hit.
SNARE_MIN_GAP_S = 0.3
#: A pre-delay longer than this (ms) is heard as a separate echo before the reverb, not as a space.
ECHO_PRE_DELAY_MS = 100.0

# The return high-pass ----------------------------------------------------------------------------
#: The low-end wash: the reverb return's level below this frequency (Hz) ...
WASH_BELOW_HZ = 150.0
#: ... must come down by at least this much (dB).
WASH_MIN_CUT_DB = 10.0
#: The tail's body: the return's level in this band (Hz) ...
BODY_BAND_HZ = (300.0, 600.0)
#: ... may drop by at most this much (dB), or the tail thins out.
BODY_MAX_LOSS_DB = 1.0
#: The sends into the shared reverb in the lesson (dB, post-fader), and the reverb itself.
SENDS_DB = {"lead": -6.0, "snare": -9.0, "keys": -9.0, "guitar": -12.0}
SHARED_REVERB = Reverb(decay_s=2.2, pre_delay_ms=30, damping=0.4, size=2.0, mix=1.0)

# Ducking the delay under the lead ----------------------------------------------------------------
#: The lead's delay: a dotted eighth at the song's tempo, darker on every repeat, echoes only.
LEAD_DELAY = Delay(note="1/8d", bpm=100, feedback=0.45, repeats_lowpass_hz=3000, mix=1.0)
#: While the lead sings, the echoes must dip by this much (median gain reduction, dB) ...
DUCK_SINGING_DB = (4.0, 12.0)
#: ... and in the gaps between phrases (from GAP_SETTLE_MS after the lead stops) come back to
#: within this many dB of full level (median).
DUCK_GAP_MAX_DB = 1.5
GAP_SETTLE_MS = 150.0
#: The lead sings where its 10 ms level is above this (dBFS); below it is a gap.
SINGING_DB = -40.0
#: Releases faster than this follow the lead's waveform and distort the echoes.
MIN_RELEASE_MS = 20.0


# --------------------------------------------------------------------------- the material


def stem_excerpt(stem: str, bars: tuple[int, int] = CHORUS_BARS) -> np.ndarray:
    """A stem of the bundled session over ``bars`` (counted from 0, end excluded), mono float32.

    Lesson: course/06-space.ipynb
    """
    return datasets.shared_session().stem_bars(stem, bars[0], bars[1])  # decodes only these bars


def levels_db(y, sr: int, window_ms: float = 10.0) -> np.ndarray:
    """The RMS level (dBFS) of ``y`` (summed to mono) in consecutive windows of ``window_ms``.

    Lesson: not yet taught
    """
    mono = to_mono(ensure_audio(y)).astype(np.float64)
    hop = max(1, int(round(window_ms * sr / 1000)))
    n = mono.size // hop
    return power_to_db((mono[: n * hop].reshape(n, hop) ** 2).mean(axis=1))


def band_level_db(y, sr: int, lo_hz: float, hi_hz: float) -> float:
    """The level (dB) of ``y`` (summed to mono) between ``lo_hz`` and ``hi_hz``: the power of its spectrum there.

    Lesson: course/06-space.ipynb
    """
    mono = to_mono(ensure_audio(y)).astype(np.float64)
    power = np.abs(np.fft.rfft(mono)) ** 2 / mono.size**2
    freqs = np.fft.rfftfreq(mono.size, 1 / sr)
    band = (freqs >= lo_hz) & (freqs < hi_hz)
    return float(power_to_db(2 * power[band].sum()))


def snare_hits_s(snare, sr: int) -> np.ndarray:
    """When each snare hit peaks (s): its 5 ms level within SNARE_HIT_RANGE_DB of the loudest hit.

    Lesson: not yet taught
    """
    level = levels_db(snare, sr, 5.0)
    loud = level >= level.max() - SNARE_HIT_RANGE_DB
    hits: list[int] = []
    for i in np.flatnonzero(loud):
        if hits and i - hits[-1] < SNARE_MIN_GAP_S / 0.005:
            if level[i] > level[hits[-1]]:
                hits[-1] = i  # the same hit, still rising: keep its peak
            continue
        hits.append(int(i))
    return np.array(hits) * 0.005


@lru_cache(maxsize=1)
def backbeat_gap_s() -> float:
    """The time from one snare hit to the next in chorus 1 (median, s): 1.2 s, two beats at 100 BPM.

    Lesson: course/06-space.ipynb
    """
    song = datasets.shared_session()
    return float(np.median(np.diff(snare_hits_s(stem_excerpt("snare"), song.sr))))


def reverb_tail_s(reverb: Reverb, sr: int) -> float:
    """How long the reverb sounds after a hit: its pre-delay plus its RT60 at 1 kHz, measured (s).

    Lesson: not yet taught
    """
    return reverb.pre_delay_ms / 1000 + rt60(reverb.impulse_response(sr), sr, band_hz=1000)


@lru_cache(maxsize=1)
def reverb_return() -> np.ndarray:
    """The shared reverb's return over chorus 1's first four bars: the sends of SENDS_DB through SHARED_REVERB.

    Lesson: course/06-space.ipynb
    """
    song = datasets.shared_session()
    send = sum(stem_excerpt(name).astype(np.float64) * 10 ** (db / 20) for name, db in SENDS_DB.items())
    out = SHARED_REVERB(send.astype(np.float32), song.sr)
    out.flags.writeable = False
    return out


def return_highpass_report(highpass) -> dict:
    """What a high-pass does to the shared return: dB taken off below WASH_BELOW_HZ and off the body band.

    Lesson: not yet taught
    """
    sr = datasets.shared_session().sr
    wet = reverb_return()
    filtered = highpass(wet, sr)
    before = (band_level_db(wet, sr, 20, WASH_BELOW_HZ), band_level_db(wet, sr, *BODY_BAND_HZ))
    after = (band_level_db(filtered, sr, 20, WASH_BELOW_HZ), band_level_db(filtered, sr, *BODY_BAND_HZ))
    return {"wash_cut_db": before[0] - after[0], "body_loss_db": before[1] - after[1]}


def reverb_arrival_ms(dry, wet, sr: int, onset_s: float, margin_db: float = 20.0, window_ms: float = 5.0) -> float:
    """How long after ``onset_s`` the reverb first comes within ``margin_db`` of the dry sound (ms).

    Until then the listener hears the note's start on its own: the longer, the clearer the onset.
    Levels are 5 ms RMS windows from ``onset_s`` on; the search stops after 500 ms.

    Lesson: course/06-space.ipynb
    """
    start = int(round(onset_s * sr))
    stop = start + int(0.5 * sr)
    d = levels_db(ensure_audio(dry)[..., start:stop], sr, window_ms)
    w = levels_db(ensure_audio(wet)[..., start:stop], sr, window_ms)
    close = np.flatnonzero(w >= d - margin_db)
    return float((close[0] if close.size else d.size) * window_ms)


def singing(lead, sr: int) -> np.ndarray:
    """For each 10 ms of the lead, whether it sings (its level above SINGING_DB).

    Lesson: course/06-space.ipynb
    """
    return levels_db(lead, sr, 10.0) > SINGING_DB


def echo_ducking_report(compressor) -> dict:
    """The lead's echoes (LEAD_DELAY over verse bars 3–6) through ``compressor`` keyed by the lead.

    Returns the median gain reduction while the lead sings and in its gaps (dB), and the result.

    Lesson: course/06-space.ipynb
    """
    sr = datasets.shared_session().sr
    lead = stem_excerpt("lead", VERSE_BARS)
    echoes = _lead_echoes()
    result = compressor.process(echoes, sr, sidechain=lead)
    hop = int(round(0.01 * sr))
    sings = singing(lead, sr)
    n = sings.size
    gr = result.gain_reduction_db[: n * hop].reshape(n, hop).mean(axis=1)
    settle = int(GAP_SETTLE_MS / 10)
    gap = np.array([not sings[max(0, i - settle):i + 1].any() for i in range(n)])
    return {"singing_db": float(np.median(gr[sings])), "gap_db": float(np.median(gr[gap])),
            "result": result, "echoes": echoes}


@lru_cache(maxsize=1)
def _lead_echoes() -> np.ndarray:
    out = LEAD_DELAY(stem_excerpt("lead", VERSE_BARS), datasets.shared_session().sr)
    out.flags.writeable = False
    return out


# --------------------------------------------------------------------------- 1. a dotted eighth in ms

#: Note values a student may have worked out instead of a dotted eighth, with what went wrong.
_OTHER_NOTES = (
    ("1/8", "a plain eighth: dot it, which makes it half as long again (x 1.5)"),
    ("1/4", "a quarter note, one beat: a dotted eighth is three quarters of a beat"),
    ("1/8t", "an eighth triplet: a dotted eighth is longer, not shorter, than an eighth"),
    ("1/4d", "a dotted quarter, twice too long: dot an eighth, not a quarter"),
    ("1/16d", "a dotted sixteenth, half the length: start from an eighth (half a beat)"),
)


def check_dotted_eighth_ms(answer, bpm: float = 100.0) -> Feedback:
    """Is ``answer`` the length of a dotted eighth at ``bpm`` in milliseconds (within 1.5 ms)?

    Lesson: course/06-space.ipynb
    """
    if is_unanswered(answer):
        return unanswered("set dotted_eighth_ms to a number of milliseconds.")
    value = as_number(answer)
    if value is None:
        return wrong(f"{answer!r} is not a number of milliseconds.",
                     "type the delay time as a number, e.g. dotted_eighth_ms = 275.")
    exact = note_seconds("1/8d", bpm) * 1000
    beat = 60000 / bpm
    if value <= 0:
        return wrong(f"{value:g} ms: a delay time cannot be {'negative' if value < 0 else 'zero'}; it is how long "
                     "after the sound its echo comes.", "work out a dotted eighth at this tempo, in ms.")
    how = (f"a beat at {bpm:g} BPM is 60000 / {bpm:g} = {beat:g} ms, an eighth half of it, and the dot adds "
           "half again: beat x 3/4")
    if abs(value - exact) <= DELAY_TOLERANCE_MS:
        return right(f"{value:g} ms: {how} = {exact:g} ms. The echoes land on the dotted-eighth grid and "
                     "roll against the beat.", "set it on the delay: Delay(time_ms=...) or note=\"1/8d\" with bpm.")
    if abs(value * 1000 - exact) <= DELAY_TOLERANCE_MS:
        return wrong(f"{value:g} is the right length in seconds, but the delay wants milliseconds.",
                     "multiply by 1000.")
    for note, why in _OTHER_NOTES:
        if abs(value - note_seconds(note, bpm) * 1000) <= DELAY_TOLERANCE_MS:
            return wrong(f"{value:g} ms is {why}.", f"{how}.")
    if abs(value - note_seconds("1/8d", 120) * 1000) <= DELAY_TOLERANCE_MS:
        return wrong(f"{value:g} ms is a dotted eighth at 120 BPM, the tempo of many tutorials; this song runs at "
                     f"{bpm:g} BPM.", f"{how}.")
    if abs(value - exact) <= 0.05 * exact:
        return wrong(f"{value:g} ms is close, {value - exact:+.1f} ms off: over a few repeats the echoes drift "
                     "off the grid and blur the rhythm.", f"work it out exactly: {how}.")
    return wrong(f"{value:g} ms is not a dotted eighth at {bpm:g} BPM.", f"{how}.")


# --------------------------------------------------------------------------- 2. a snare reverb that clears


def check_snare_decay(reverb) -> Feedback:
    """Does ``reverb`` (or a decay in seconds) die away before the next snare hit, and still sound like a space?

    The tail is the pre-delay plus the RT60 measured at 1 kHz from the reverb's impulse response; it
    must be at least SNARE_MIN_DECAY_S and at most the gap between snare hits in chorus 1.

    Lesson: course/06-space.ipynb
    """
    if is_unanswered(reverb):
        return unanswered("set snare_verb to a Reverb(decay_s=..., pre_delay_ms=...).")
    if not isinstance(reverb, Reverb):
        seconds = as_number(reverb)
        if seconds is None:
            return wrong(f"{reverb!r} is not a reverb: write Reverb(decay_s=..., pre_delay_ms=...) or a decay in "
                         "seconds.")
        try:
            reverb = Reverb(decay_s=seconds, pre_delay_ms=0)
        except ProducerkitError as exc:
            return wrong(str(exc))
    sr = datasets.shared_session().sr
    gap = backbeat_gap_s()
    try:
        tail = reverb_tail_s(reverb, sr)
    except ProducerkitError as exc:
        return wrong(f"the reverb's decay could not be measured: {exc}")
    ring = tail - reverb.pre_delay_ms / 1000
    numbers = (f"the reverb sounds for {tail * 1000:.0f} ms after a hit (pre-delay {reverb.pre_delay_ms:g} ms + "
               f"RT60 {ring * 1000:.0f} ms, measured at 1 kHz); the next snare hit comes {gap * 1000:.0f} ms later")
    if reverb.pre_delay_ms > ECHO_PRE_DELAY_MS:
        numbers += (f" (a pre-delay over {ECHO_PRE_DELAY_MS:g} ms is heard as an echo before the reverb: 20-80 ms "
                    "keeps it a space)")
    if tail < SNARE_MIN_DECAY_S:
        return wrong(f"{numbers}: at under {SNARE_MIN_DECAY_S * 1000:.0f} ms it is heard as a colour on the hit, "
                     "not as a room around it.", "try a decay of 0.6 to 1 s.")
    if tail > gap * 1.25:
        return wrong(f"{numbers}: the tail is still ringing when the next hit lands, so the hits smear into "
                     "one wash and the backbeat loses its snap.",
                     f"shorten decay_s so that pre-delay + decay stays under {gap:.1f} s.")
    if tail > gap:
        return wrong(f"{numbers}: nearly, but the tail still overlaps the next hit by {(tail - gap) * 1000:.0f} ms "
                     f"(you set decay_s {reverb.decay_s:g} s; measured, it rings {ring:.2f} s: a reverb's measured "
                     "decay runs a little over its setting).",
                     "leave a little margin: take 50-100 ms off decay_s or the pre-delay.")
    return right(f"{numbers}: each hit gets its own space, which has died away before the next one.",
                 "listen with the whole band: a tail that ends just before the next hit also pumps with the groove.")


# --------------------------------------------------------------------------- 3. the return high-pass


def _a(kind: str) -> str:
    """``kind`` with its article: "an int", "a str"."""
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"


def _db(value: float) -> str:
    """A level change to 0.1 dB, never "-0.0"."""
    return f"{round(value, 1) + 0.0:.1f}"


def check_return_highpass(highpass) -> Feedback:
    """Does ``highpass`` (a HighPass, or a cutoff in Hz for a 12 dB/octave one) on the shared return take
    at least 10 dB off the wash below 150 Hz while the 300-600 Hz body loses at most 1 dB?

    Lesson: course/06-space.ipynb
    """
    if is_unanswered(highpass):
        return unanswered("set return_hp to a HighPass(freq, order=...).")
    if not isinstance(highpass, HighPass):
        hz = as_number(highpass)
        if hz is None or isinstance(highpass, str):
            kind = type(highpass).__name__
            return wrong(f"return_hp is {_a(kind)}, not a high-pass: the cure for low-end wash is a HighPass on the "
                         "return, e.g. HighPass(250).")
        try:
            highpass = HighPass(hz)
        except ProducerkitError as exc:
            return wrong(str(exc))
    try:
        report = return_highpass_report(highpass)
    except ProducerkitError as exc:
        return wrong(f"the high-pass could not run on the return: {exc}")
    slope = 6 * highpass.order
    numbers = (f"a {slope} dB/octave high-pass at {highpass.freq:g} Hz takes {_db(report['wash_cut_db'])} dB off the "
               f"return below {WASH_BELOW_HZ:g} Hz and {_db(report['body_loss_db'])} dB off its body "
               f"({BODY_BAND_HZ[0]:g}-{BODY_BAND_HZ[1]:g} Hz)")
    thin = report["body_loss_db"] > BODY_MAX_LOSS_DB
    if thin:
        return wrong(f"{numbers}: the tail thins out and the space sounds small and papery.",
                     "lower the cutoff; a steeper slope (order=4) cuts the lows hard while leaving the body alone.")
    if report["wash_cut_db"] < WASH_MIN_CUT_DB:
        near = report["wash_cut_db"] >= WASH_MIN_CUT_DB - 3
        return wrong(f"{numbers}: {'nearly, but ' if near else ''}the low-end wash is still there under the bass "
                     f"and kick (aim for {WASH_MIN_CUT_DB:g} dB or more).",
                     "raise the cutoff, or make the slope steeper (order=4).")
    return right(f"{numbers}: the wash under the bass is gone and the tail keeps its warmth.",
                 "in a mix, sweep the cutoff up until the tail starts to thin, then back off a little.")


# --------------------------------------------------------------------------- 4. duck the delay


def check_delay_ducking(compressor) -> Feedback:
    """Does ``compressor``, keyed by the lead, pull the echoes down while the lead sings and let them back in its gaps?

    Lesson: course/06-space.ipynb
    """
    if is_unanswered(compressor):
        return unanswered("set echo_duck to a Compressor(...) that the lead will drive.")
    if not isinstance(compressor, Compressor):
        return wrong(f"echo_duck is {_a(type(compressor).__name__)}; it must be a "
                     "Compressor(threshold_db=..., ratio=..., attack_ms=..., release_ms=...).")
    if compressor.release_ms < MIN_RELEASE_MS:
        return wrong(f"a release of {compressor.release_ms:g} ms follows the lead's waveform itself: the echoes "
                     "flutter and distort.", "use a release of 100-300 ms.")
    try:
        report = echo_ducking_report(compressor)
    except ProducerkitError as exc:
        return wrong(f"the compressor could not process the echoes: {exc}")
    sung, gap = report["singing_db"], report["gap_db"]
    numbers = (f"the echoes dip {sung:.1f} dB while the lead sings and stay {gap:.1f} dB down in its gaps "
               "(medians)")
    if sung < DUCK_SINGING_DB[0]:
        return wrong(f"{numbers}: too little, the echoes still crowd the words.",
                     "lower the threshold (the lead sings between about -25 and -18 dBFS) or raise the ratio.")
    if gap > DUCK_GAP_MAX_DB:
        return wrong(f"{numbers}: the echoes are still held down when the lead stops, so the gaps stay empty.",
                     "shorten the release (100-300 ms), or raise the threshold.")
    if sung > DUCK_SINGING_DB[1]:
        return wrong(f"{numbers}: too deep, the echoes vanish under the lead and then jump out of the gaps.",
                     f"raise the threshold or lower the ratio: aim for {DUCK_SINGING_DB[0]:g}-"
                     f"{DUCK_SINGING_DB[1]:g} dB.")
    return right(f"{numbers}: the words stay clear, and the echoes bloom in the gaps between the phrases.",
                 "the same trick works on a reverb return: key it from the vocal.")
