"""The bundled song, "Paper Lanterns", written as code and rendered with the FluidR3 GM SoundFont.

Private: :func:`producerkit.datasets.build` calls :func:`render_session` and writes what it returns.
Everything here is deterministic: the humanisation draws from fixed seeds and the renderer
(TinySoundFont) is driven sample-accurately, so two builds give the same samples.

Bars are counted from 0 (bar 0 starts at 0 s); beats are quarter notes; at 100 BPM in 4/4 a bar
lasts 2.4 s.

Lesson: course/03-arrangement.ipynb
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

SESSION = "paper_lanterns"
TITLE = "Paper Lanterns"
SR = 44100
BPM = 100
KEY = "A minor"
TIME_SIGNATURE = (4, 4)
BEATS_PER_BAR = 4
SECONDS_PER_BEAT = 60.0 / BPM
SECONDS_PER_BAR = BEATS_PER_BAR * SECONDS_PER_BEAT

#: (name, start bar, length in bars). The two choruses are the same music, so structure
#: analysis can find them as a repeat.
SECTIONS = (
    ("intro", 0, 2),
    ("verse", 2, 8),
    ("chorus", 10, 8),
    ("bridge", 18, 4),
    ("chorus", 22, 8),
    ("outro", 30, 2),
)
TOTAL_BARS = sum(bars for _, _, bars in SECTIONS)
NUM_SAMPLES = int(round(TOTAL_BARS * SECONDS_PER_BAR * SR))

#: One chord per bar.
CHORDS = (
    ["Am", "G"]  # intro
    + ["Am", "F", "C", "G"] * 2  # verse
    + ["F", "G", "Em", "Am", "F", "G", "E", "E"]  # chorus
    + ["Dm", "Am", "F", "E"]  # bridge
    + ["F", "G", "Em", "Am", "F", "G", "E", "E"]  # chorus
    + ["Am", "Am"]  # outro
)

# MIDI note numbers. Keys voicings move by step or common tone from chord to chord.
BASS_ROOT = {"Am": 33, "F": 29, "C": 36, "G": 31, "Em": 28, "E": 28, "Dm": 38}
KEYS_LEFT = {"Am": 45, "F": 41, "C": 48, "G": 43, "Em": 40, "E": 40, "Dm": 38}
KEYS_RIGHT = {
    "Am": (57, 60, 64),
    "F": (57, 60, 65),
    "C": (55, 60, 64),
    "G": (55, 59, 62),
    "Em": (55, 59, 64),
    "E": (56, 59, 64),
    "Dm": (57, 62, 65),
}
GUITAR_ARP = {
    "Am": (57, 64, 69, 72),
    "F": (53, 60, 65, 69),
    "C": (48, 55, 60, 64),
    "G": (55, 62, 67, 71),
    "Em": (52, 59, 64, 67),
    "E": (52, 59, 64, 68),
    "Dm": (50, 57, 62, 65),
}

# General MIDI drum notes (channel 10).
KICK, SIDE_STICK, SNARE, CLAP = 36, 37, 38, 39
HAT_CLOSED, HAT_PEDAL, HAT_OPEN, CRASH, RIDE = 42, 44, 46, 49, 51
TOM_LOW, TOM_LOW_MID, TOM_HIGH_MID, TOM_HIGH = 45, 47, 48, 50

# ---------------------------------------------------------------------------- the lead melody

# Each phrase: (name, start bar, notes as (beat in phrase, length in beats, MIDI note)).
_V_A = [(0.5, 0.5, 64), (1, 0.5, 64), (1.5, 0.5, 67), (2, 1, 69), (3, 0.5, 67), (3.5, 0.5, 64),
        (4, 1, 69), (5, 0.5, 67), (5.5, 1.5, 65)]
_V_B = [(0.5, 0.5, 64), (1, 0.5, 64), (1.5, 0.5, 67), (2, 1, 72), (3, 0.5, 71), (3.5, 0.5, 67),
        (4, 1, 71), (5, 0.5, 69), (5.5, 1.5, 67)]
_V_C = [(0.5, 0.5, 64), (1, 0.5, 64), (1.5, 0.5, 67), (2, 1, 69), (3, 0.5, 67), (3.5, 0.5, 64),
        (4, 1, 69), (5, 0.5, 72), (5.5, 1.5, 69)]
_V_D = [(0.5, 0.5, 64), (1, 0.5, 67), (1.5, 0.5, 69), (2, 1, 67), (3, 0.5, 64), (3.5, 0.5, 62),
        (4, 0.5, 64), (4.5, 2.5, 62)]
_C_HOOK = [(0, 0.5, 69), (0.5, 0.5, 72), (1, 2, 76), (3, 0.5, 74), (3.5, 0.5, 72),
           (4, 1.5, 74), (5.5, 0.5, 72), (6, 1.5, 71)]
_C_B = [(0, 0.5, 67), (0.5, 0.5, 71), (1, 2, 76), (3, 0.5, 74), (3.5, 0.5, 72),
        (4, 1.5, 72), (5.5, 0.5, 71), (6, 1.5, 69)]
_C_END = [(0, 1, 76), (1, 0.5, 74), (1.5, 0.5, 72), (2, 1, 71), (3, 1, 68), (4, 3, 71)]
_B_A = [(0, 1, 65), (1, 1, 69), (2, 2, 74), (4, 1, 72), (5, 1, 71), (6, 1.5, 69)]
_B_B = [(0, 1, 69), (1, 1, 72), (2, 2, 77), (4, 1, 76), (5, 1, 74), (6, 1.5, 71)]

LEAD_PHRASES = (
    ("verse 1a", 2, _V_A),
    ("verse 1b", 4, _V_B),
    ("verse 1c", 6, _V_C),
    ("verse 1d", 8, _V_D),
    ("chorus 1a", 10, _C_HOOK),
    ("chorus 1b", 12, _C_B),
    ("chorus 1c", 14, _C_HOOK),
    ("chorus 1d", 16, _C_END),
    ("bridge a", 18, _B_A),
    ("bridge b", 20, _B_B),
    ("chorus 2a", 22, _C_HOOK),
    ("chorus 2b", 24, _C_B),
    ("chorus 2c", 26, _C_HOOK),
    ("chorus 2d", 28, _C_END),
)
PHRASE_BARS = 2

#: The takes cover verse 1 and chorus 1, the way a singer records a section at a time.
TAKES_START_BAR, TAKES_END_BAR = 2, 10
#: (take, mean timing offset ms, timing spread ms, level dB, seed). Take 3 drags and flubs a phrase.
TAKE_SPECS = (
    ("lead_take1", -12.0, 9.0, -1.0, 101),
    ("lead_take2", 5.0, 6.0, 0.5, 102),
    ("lead_take3", 24.0, 15.0, -2.5, 103),
)
FLUB_TAKE, FLUB_PHRASE = "lead_take3", "verse 1c"
FLUB_LATE_BEATS = 0.3  # 180 ms late entrance
FLUB_WRONG_NOTES = {3: 1, 6: 2}  # note index in the phrase -> semitones sharp


@dataclass(frozen=True)
class Note:
    """A note in musical time: start and length in beats from bar 0, MIDI key and velocity."""

    beat: float
    beats: float
    key: int
    velocity: int


@dataclass(frozen=True)
class Event:
    """A note in clock time, ready for the synthesiser."""

    start_s: float
    dur_s: float
    key: int
    velocity: int


@dataclass(frozen=True)
class Instrument:
    """A General MIDI preset of FluidR3 GM."""

    name: str
    bank: int
    program: int
    drums: bool = False


GRAND_PIANO = Instrument("Yamaha Grand Piano (GM 1, Acoustic Grand Piano)", 0, 0)
FINGERED_BASS = Instrument("Fingered Bass (GM 34, Electric Bass finger)", 0, 33)
WARM_PAD = Instrument("Warm Pad (GM 90, Pad 2 warm)", 0, 89)
CLEAN_GUITAR = Instrument("Clean Guitar (GM 28, Electric Guitar clean)", 0, 27)
VOICE_OOHS = Instrument("Ohh Voices (GM 54, Voice Oohs)", 0, 53)
DRUM_KIT = Instrument("Standard drum kit (GM percussion, channel 10)", 128, 0, drums=True)


def bar_start_beat(bar: float) -> float:
    return bar * BEATS_PER_BAR


def section_of(bar: int) -> str:
    for name, start, bars in SECTIONS:
        if start <= bar < start + bars:
            return name
    raise ValueError(f"bar {bar} is outside the song (0..{TOTAL_BARS - 1})")


# ---------------------------------------------------------------------------- the parts


def _drums() -> dict[str, list[Note]]:
    kick: list[Note] = []
    snare: list[Note] = []
    cymbals: list[Note] = []

    def add(target, bar, beat, key, vel, beats=0.5):
        target.append(Note(bar_start_beat(bar) + beat, beats, key, vel))

    for bar in range(TOTAL_BARS):
        section = section_of(bar)
        if section == "intro":
            for i in range(8):
                add(cymbals, bar, i * 0.5, HAT_CLOSED, 66 if i % 2 == 0 else 42)
            if bar == 1:
                add(kick, bar, 0, KICK, 96)
                for j, vel in enumerate((48, 60, 76, 92)):
                    add(snare, bar, 3 + j * 0.25, SNARE, vel)
        elif section == "verse":
            fill = bar == 9
            for beat, vel in ((0, 106), (2, 94), (2.5, 78)):
                add(kick, bar, beat, KICK, vel)
            add(snare, bar, 1, SNARE, 100)
            add(snare, bar, 3, SNARE, 102)
            add(snare, bar, 1.75, SNARE, 30)
            if bar % 2 == 1:
                add(snare, bar, 3.25, SNARE, 26)
            for i, vel in enumerate((82, 52, 70, 50, 80, 52, 70, 56)):
                beat = i * 0.5
                if fill and beat >= 3:
                    continue
                if bar == 5 and beat == 3.5:
                    add(cymbals, bar, beat, HAT_OPEN, 40)
                else:
                    add(cymbals, bar, beat, HAT_CLOSED, vel)
            if fill:
                for j, vel in enumerate((66, 78, 90, 104)):
                    add(snare, bar, 3 + j * 0.25, SNARE, vel)
        elif section == "chorus":
            first = bar - (10 if bar < 18 else 22)
            if first in (0, 4):
                add(cymbals, bar, 0, CRASH, 104, beats=5)
            for beat, vel in ((0, 112), (1.5, 86), (2, 102), (3.5, 82)):
                add(kick, bar, beat, KICK, vel)
            for beat in (1, 3):
                add(snare, bar, beat, SNARE, 112)
                add(snare, bar, beat + 0.02, CLAP, 92)  # the clap flams a hair late, as layered claps do
            add(snare, bar, 2.75, SNARE, 34)
            fill = first == 7
            accents = (88, 40, 64, 44)
            for i in range(16):
                beat = i * 0.25
                if fill and beat >= 2:
                    continue
                if beat in (1.5, 3.5):
                    add(cymbals, bar, beat, HAT_OPEN, 36)
                elif beat - 0.25 in (1.5, 3.5):
                    add(cymbals, bar, beat, HAT_PEDAL, 40)
                else:
                    add(cymbals, bar, beat, HAT_CLOSED, accents[i % 4])
            if fill:
                toms = (TOM_HIGH, TOM_HIGH, TOM_HIGH_MID, TOM_HIGH_MID, TOM_LOW_MID, TOM_LOW_MID, TOM_LOW, TOM_LOW)
                for j, tom in enumerate(toms):
                    add(cymbals, bar, 2 + j * 0.25, tom, 84 + 2 * j)
        elif section == "bridge":
            add(kick, bar, 0, KICK, 96)
            add(kick, bar, 2.5, KICK, 74)
            add(snare, bar, 2, SIDE_STICK, 86)
            for i, vel in enumerate((84, 58, 72, 60)):
                add(cymbals, bar, i, RIDE, vel, beats=2)
            if bar == 21:
                for j in range(8):
                    add(snare, bar, 2 + j * 0.25, SNARE, 56 + 7 * j)
        elif section == "outro" and bar == 30:
            add(kick, bar, 0, KICK, 110)
            add(cymbals, bar, 0, CRASH, 108, beats=8)
    return {"kick": kick, "snare": snare, "overheads": cymbals}


def _approach(root: int, next_root: int) -> int:
    if next_root == root:
        return root + 7
    return next_root - 1 if next_root > root else next_root + 1


def _bass() -> list[Note]:
    notes: list[Note] = []
    for bar, chord in enumerate(CHORDS):
        section = section_of(bar)
        r = BASS_ROOT[chord]
        nxt = BASS_ROOT[CHORDS[bar + 1]] if bar + 1 < TOTAL_BARS else r
        b0 = bar_start_beat(bar)
        if section == "verse":
            pattern = [(0, 1.3, r, 100), (1.5, 0.45, r, 76), (2.5, 0.45, r, 92), (3, 0.45, r + 12, 70),
                       (3.5, 0.45, _approach(r, nxt), 82)]
        elif section == "chorus":
            vels = (106, 70, 88, 72, 102, 70, 90, 80)
            pattern = [(i * 0.5, 0.42, r + 12 if i == 6 else r, v) for i, v in enumerate(vels)]
        elif section == "bridge":
            pattern = [(0, 2.9, r, 92), (3, 0.45, r + 7, 70), (3.5, 0.45, r + 12, 76)]
        elif section == "outro" and bar == 30:
            pattern = [(0, 6, r, 96)]
        else:
            pattern = []
        notes += [Note(b0 + beat, beats, key, vel) for beat, beats, key, vel in pattern]
    return notes


def _keys() -> list[Note]:
    notes: list[Note] = []
    for bar, chord in enumerate(CHORDS):
        section = section_of(bar)
        b0 = bar_start_beat(bar)
        left, right = KEYS_LEFT[chord], KEYS_RIGHT[chord]
        if section in ("intro", "verse"):
            soft = -14 if section == "intro" else 0
            notes.append(Note(b0, 3.9, left, 80 + soft))
            for beat, beats, vel in ((0, 1.4, 86), (1.5, 0.9, 68), (2.5, 1.4, 78)):
                notes += [Note(b0 + beat, beats, k, vel + soft) for k in right]
        elif section == "chorus":
            for beat in (0, 2):
                notes.append(Note(b0 + beat, 1.9, left, 86))
                notes.append(Note(b0 + beat, 1.9, left - 12, 80))
            for beat, vel in zip((0, 1, 2, 3), (94, 72, 86, 74), strict=True):
                notes += [Note(b0 + beat, 0.9, k, vel) for k in (*right, right[0] + 12)]
        elif section == "bridge":
            notes.append(Note(b0, 3.95, left, 74))
            notes += [Note(b0, 3.95, k, 70) for k in right]
        elif section == "outro" and bar == 30:
            notes.append(Note(b0, 6, left, 76))
            notes += [Note(b0, 6, k, 70) for k in (*right, 69)]
    return notes


def _pad() -> list[Note]:
    notes: list[Note] = []
    for bar, chord in enumerate(CHORDS):
        section = section_of(bar)
        b0 = bar_start_beat(bar)
        if section in ("chorus", "bridge"):
            vel = 84 if section == "chorus" else 72
            notes += [Note(b0, 4.05, k + 12, vel) for k in KEYS_RIGHT[chord]]
        elif section == "outro" and bar == 30:
            notes += [Note(b0, 5, k + 12, 70) for k in KEYS_RIGHT[chord]]
    return notes


def _guitar() -> list[Note]:
    notes: list[Note] = []
    order = (0, 1, 2, 3, 2, 1, 2, 3)
    vels = (92, 62, 76, 64, 86, 62, 76, 70)
    for bar, chord in enumerate(CHORDS):
        if section_of(bar) != "chorus":
            continue
        b0 = bar_start_beat(bar)
        arp = GUITAR_ARP[chord]
        notes += [Note(b0 + i * 0.5, 0.95, arp[o], v) for i, (o, v) in enumerate(zip(order, vels, strict=True))]
    return notes


def _lead_phrase_notes(start_bar: int, notes, velocity: int = 92) -> list[Note]:
    b0 = bar_start_beat(start_bar)
    out = []
    for i, (beat, beats, key) in enumerate(notes):
        accent = 8 if beat % 2 == 0 else 0
        shorten = 0.08 if beats <= 0.5 else 0.12  # breaths between syllables
        out.append(Note(b0 + beat, beats - shorten, key, velocity - 6 + accent + (i % 3)))
    return out


def _lead() -> list[Note]:
    notes: list[Note] = []
    for _name, start, phrase in LEAD_PHRASES:
        notes += _lead_phrase_notes(start, phrase, 98 if start >= 10 else 90)
    return notes


# ---------------------------------------------------------------------------- humanising


def _seed(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def humanise(notes, seed_name: str, timing_ms: float, velocity_sd: float, offset_ms: float = 0.0,
             chord_roll_ms: float = 0.0) -> list[Event]:
    """Notes to clock time with deterministic timing and velocity scatter (seeded by name)."""
    rng = np.random.default_rng(_seed(seed_name))
    events = []
    previous_beat, roll_index = None, 0
    for note in sorted(notes, key=lambda n: (n.beat, n.key)):
        roll_index = roll_index + 1 if note.beat == previous_beat else 0
        previous_beat = note.beat
        jitter = float(np.clip(rng.normal(0.0, timing_ms), -2.5 * timing_ms, 2.5 * timing_ms)) if timing_ms else 0.0
        vel_jitter = float(rng.normal(0.0, velocity_sd)) if velocity_sd else 0.0
        start = note.beat * SECONDS_PER_BEAT + (offset_ms + jitter + roll_index * chord_roll_ms) / 1000.0
        events.append(Event(max(0.0, start), note.beats * SECONDS_PER_BEAT, note.key,
                            int(np.clip(round(note.velocity + vel_jitter), 1, 127))))
    return events


# ---------------------------------------------------------------------------- rendering


def render(soundfont: str | bytes, instrument: Instrument, events, num_samples: int, drum_hold_s=None) -> np.ndarray:
    """Render events with one preset of the soundfont to mono float64 (the average of L and R).

    Events are sent at their exact sample positions: the synthesiser renders up to each event,
    then the event is applied, so the result does not depend on a buffer size.
    """
    import tinysoundfont

    synth = tinysoundfont.Synth(gain=0.0, samplerate=SR)
    sfid = synth.sfload(soundfont)
    channel = 9 if instrument.drums else 0
    synth.program_select(channel, sfid, instrument.bank, instrument.program, is_drums=instrument.drums)
    synth.control_change(channel, 10, 64)  # pan centre
    synth.control_change(channel, 7, 100)  # volume
    synth.control_change(channel, 11, 127)  # expression
    schedule = []
    for e in events:
        on = int(round(e.start_s * SR))
        dur = e.dur_s
        if drum_hold_s is not None:
            dur = drum_hold_s.get(e.key, 0.8)
        off = max(on + 1, int(round((e.start_s + dur) * SR)))
        schedule.append((on, 1, e.key, e.velocity))
        schedule.append((off, 0, e.key, 0))
    schedule.sort(key=lambda s: (s[0], s[1], s[2]))  # at one instant, note-offs before note-ons
    out = np.zeros((num_samples, 2), dtype=np.float32)
    pos = 0
    for sample, is_on, key, vel in schedule:
        sample = min(sample, num_samples)
        if sample > pos:
            out[pos:sample] = np.frombuffer(synth.generate_simple(sample - pos), dtype=np.float32).reshape(-1, 2)
            pos = sample
        if pos >= num_samples:
            break
        if is_on:
            synth.noteon(channel, key, vel)
        else:
            synth.noteoff(channel, key)
    if pos < num_samples:
        out[pos:] = np.frombuffer(synth.generate_simple(num_samples - pos), dtype=np.float32).reshape(-1, 2)
    return remove_dc(out.astype(np.float64).mean(axis=1))


#: Below this, nothing musical: some FluidR3 samples (the Warm Pad's) sit far off zero.
DC_BLOCK_HZ = 15.0


def remove_dc(y: np.ndarray) -> np.ndarray:
    """Remove DC offset with a zero-phase high-pass at DC_BLOCK_HZ (a 2nd-order Butterworth run both ways).

    A DC offset wastes headroom, thumps at every edit and fade, and would teach students a
    defect as if it were the sound of the instrument. Zero-phase keeps every onset in place.
    """
    from scipy.signal import butter, sosfiltfilt

    sos = butter(2, DC_BLOCK_HZ, btype="highpass", fs=SR, output="sos")
    return sosfiltfilt(sos, y)


DRUM_HOLD_S = {CRASH: 3.5, RIDE: 2.0, HAT_OPEN: 1.0}

#: Level trims (dB) of kit pieces that share a stem, so the quiet FluidR3 hats are not buried under
#: the toms. Pieces that choke each other (the hi-hats) share a trim: they are rendered together.
KIT_TRIM_DB = {
    HAT_CLOSED: 8.0, HAT_PEDAL: 8.0, HAT_OPEN: 8.0, CRASH: 4.0, RIDE: 8.0,
    TOM_LOW: -6.0, TOM_LOW_MID: -6.0, TOM_HIGH_MID: -6.0, TOM_HIGH: -6.0,
}


def render_kit(soundfont, events, num_samples: int) -> np.ndarray:
    """Render drum events, each group of kit pieces with its level trim (see :data:`KIT_TRIM_DB`)."""
    out = np.zeros(num_samples)
    for trim in sorted({KIT_TRIM_DB.get(e.key, 0.0) for e in events}):
        group = [e for e in events if KIT_TRIM_DB.get(e.key, 0.0) == trim]
        out += 10 ** (trim / 20) * render(soundfont, DRUM_KIT, group, num_samples, DRUM_HOLD_S)
    return out


def fade_out(y: np.ndarray, seconds: float = 0.4) -> np.ndarray:
    n = int(seconds * SR)
    y = y.copy()
    y[-n:] *= 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, n))
    return y


def peak_db(y: np.ndarray) -> float:
    return float(20 * np.log10(max(np.max(np.abs(y)), 1e-12)))


def scale_to_peak(y: np.ndarray, target_db: float) -> tuple[np.ndarray, float]:
    gain = 10 ** ((target_db - peak_db(y)) / 20)
    return y * gain, gain


# ---------------------------------------------------------------------------- the session

#: stem -> (instrument, part, timing spread ms, velocity spread, chord roll ms, peak dBFS, pan, description)
STEMS = {
    "kick": (DRUM_KIT, "kick", 3.0, 3.0, 0.0, -4.0, 0.0,
             "Kick drum (GM note 36): 1, 3 and a push on the and-of-3 in the verses; four hits a bar in the "
             "choruses; sparse in the bridge."),
    "snare": (DRUM_KIT, "snare", 4.0, 4.0, 0.0, -5.0, 0.0,
              "Snare (38) on the backbeat with ghost notes, a hand clap (39) layered in the choruses, "
              "side-stick (37) in the half-time bridge, and fills into each new section."),
    "overheads": (DRUM_KIT, "overheads", 5.0, 5.0, 0.0, -10.0, 0.0,
                  "Hi-hats (42/44/46), crash (49), ride (51) and a tom fill: eighths in the verses, sixteenths "
                  "with open hats in the choruses, ride in the bridge."),
    "bass": (FINGERED_BASS, "bass", 6.0, 5.0, 0.0, -5.0, 0.0,
             "Fingered electric bass: roots with approach notes in the verses, driving eighths in the "
             "choruses, long notes in the bridge."),
    "keys": (GRAND_PIANO, "keys", 7.0, 5.0, 6.0, -6.0, -0.25,
             "Grand piano: syncopated triads over a left-hand root in the intro and verses, quarter-note "
             "chords with octaves in the choruses, held chords in the bridge and outro."),
    "pad": (WARM_PAD, "pad", 0.0, 0.0, 0.0, -9.0, 0.0,
            "Warm synth pad holding the chords an octave above the piano, in the choruses, bridge and outro."),
    "guitar": (CLEAN_GUITAR, "guitar", 6.0, 6.0, 0.0, -7.0, 0.35,
               "Clean electric guitar picking eighth-note arpeggios, in the choruses only."),
    "lead": (VOICE_OOHS, "lead", 10.0, 4.0, 0.0, -9.0, 0.0,
             "The vocal-like lead (Voice Oohs): the sung melody in two-bar phrases through verse, choruses and "
             "bridge. This is the comped, tight performance."),
}


def parts() -> dict[str, list[Note]]:
    drums = _drums()
    return {**drums, "bass": _bass(), "keys": _keys(), "pad": _pad(), "guitar": _guitar(), "lead": _lead()}


def render_stems(soundfont: str | bytes) -> dict[str, tuple[np.ndarray, float]]:
    """Every stem at its peak level, and the gain that put it there."""
    all_parts = parts()
    stems = {}
    for name, (inst, part, timing, vel_sd, roll, peak, _pan, _desc) in STEMS.items():
        events = humanise(all_parts[part], name, timing, vel_sd, chord_roll_ms=roll)
        y = render_kit(soundfont, events, NUM_SAMPLES) if inst.drums else render(soundfont, inst, events, NUM_SAMPLES)
        stems[name] = scale_to_peak(fade_out(y), peak)
    return stems


# ---------------------------------------------------------------------------- takes

SAMPLES_PER_BAR = int(round(SECONDS_PER_BAR * SR))


def bars_to_samples(start_bar: float, end_bar: float) -> slice:
    return slice(int(round(start_bar * SAMPLES_PER_BAR)), int(round(end_bar * SAMPLES_PER_BAR)))


def take_phrases():
    return [(name, start) for name, start, _ in LEAD_PHRASES if TAKES_START_BAR <= start < TAKES_END_BAR]


def _phrase_gain_curve(num_samples: int, boundaries_gains, ramp_s: float = 0.03) -> np.ndarray:
    """A gain curve (linear) that steps to each (sample, dB) at its boundary over a short ramp."""
    curve = np.ones(num_samples)
    ramp = int(ramp_s * SR)
    for i, (start, gain_db) in enumerate(boundaries_gains):
        end = boundaries_gains[i + 1][0] if i + 1 < len(boundaries_gains) else num_samples
        curve[start:end] = 10 ** (gain_db / 20)
    # smooth the steps so a gain change never clicks
    kernel = np.hanning(2 * ramp + 1)
    padded = np.concatenate([np.full(ramp, curve[0]), curve, np.full(ramp, curve[-1])])
    return np.convolve(padded, kernel / kernel.sum(), mode="valid")


def render_takes(soundfont: str | bytes, lead_gain: float):
    """Three takes of the lead over verse 1, each with its own timing and level; take 3 flubs a phrase.

    Returns ({take: audio}, {phrase: {take: {"offset_ms", "gain_db", "flub"}}}).
    """
    num = (TAKES_END_BAR - TAKES_START_BAR) * SAMPLES_PER_BAR
    origin_beat = bar_start_beat(TAKES_START_BAR)
    phrases = {name: (start, notes) for name, start, notes in LEAD_PHRASES}
    takes, report = {}, {}
    for take, mean_ms, spread_ms, level_db, seed in TAKE_SPECS:
        rng = np.random.default_rng(seed)
        events, gains = [], []
        for name, start in take_phrases():
            _, melody = phrases[name]
            offset_ms = mean_ms + float(rng.normal(0.0, 6.0))
            gain_db = level_db + float(rng.normal(0.0, 1.2))
            flub = take == FLUB_TAKE and name == FLUB_PHRASE
            notes = _lead_phrase_notes(start, melody, 88 + int(round(level_db * 2)))
            if flub:
                notes = [Note(n.beat, n.beats, n.key + FLUB_WRONG_NOTES.get(i, 0), n.velocity)
                         for i, n in enumerate(notes)]
                offset_ms += FLUB_LATE_BEATS * SECONDS_PER_BEAT * 1000
            shifted = [Note(n.beat - origin_beat, n.beats, n.key, n.velocity) for n in notes]
            events += humanise(shifted, f"{take}/{name}", spread_ms, 4.0, offset_ms=offset_ms)
            gains.append(((start - TAKES_START_BAR) * SAMPLES_PER_BAR, gain_db))
            report.setdefault(name, {})[take] = {
                "offset_ms": round(offset_ms, 1), "gain_db": round(gain_db, 2), "flub": flub}
        y = render(soundfont, VOICE_OOHS, events, num) * lead_gain
        takes[take] = fade_out(y, 0.1) * _phrase_gain_curve(num, gains)
    return takes, report


# ---------------------------------------------------------------------------- the problems


def _excerpt(y: np.ndarray, start_bar: int, end_bar: int) -> np.ndarray:
    return y[bars_to_samples(start_bar, end_bar)].copy()


def _band_noise(num: int, low_hz: float, high_hz: float, seed: int) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(seed)
    sos = butter(4, [low_hz, high_hz], btype="bandpass", fs=SR, output="sos")
    noise = sosfilt(sos, rng.standard_normal(num + SR))[SR:]  # drop the filter's settling second
    return noise / np.sqrt(np.mean(noise**2))


def _thump(num: int, at_s: float, freq: float, peak: float, decay_s: float = 0.09) -> np.ndarray:
    out = np.zeros(num)
    start = int(at_s * SR)
    n = min(num - start, int(decay_s * 8 * SR))
    t = np.arange(n) / SR
    attack = np.minimum(1.0, t / 0.012) ** 2
    out[start:start + n] = peak * attack * np.exp(-t / decay_s) * np.sin(2 * np.pi * freq * t)
    return out


#: The problems, each baked into an excerpt of one clean item. Bars are song bars (0-based).
PROBLEMS = (
    {"variant": "keys_mud", "clean": "keys", "kind": "mud", "freq_hz": 315.0, "gain_db": 9.0, "q": 1.2,
     "bars": [2, 6],
     "description": "Low-mid mud on the piano in the first half of verse 1: a broad +9 dB "
                    "bell at 315 Hz (q 1.2, about 250-400 Hz) makes the chords boxy and woolly and "
                    "clouds the bass and the lead.",
     "fix": "Cut it back with a bell: eq.Peak(315, gain_db=-9, q=1.2) restores the clean keys."},
    {"variant": "guitar_harsh", "clean": "guitar", "kind": "resonance", "freq_hz": 3400.0, "gain_db": 12.0,
     "q": 8.0, "bars": [10, 14],
     "description": "A harsh, whistling resonance on the clean guitar in the first half of chorus 1: "
                    "a narrow +12 dB peak at 3.4 kHz (q 8) that pokes out on every picked note.",
     "fix": "Sweep a narrow boost to find it, then cut: eq.Peak(3400, gain_db=-12, q=8)."},
    {"variant": "lead_rumble", "clean": "lead", "kind": "rumble", "freq_hz": 30.0, "gain_db": None, "q": None,
     "level_dbfs": -34.0, "bars": [2, 6],
     "description": "Rumble under the vocal-like lead in the first half of verse 1: "
                    "band-limited noise at 20-38 Hz (RMS -34 dBFS, like traffic or air conditioning "
                    "through a mic stand) plus three handling thumps at about 22 Hz. It eats headroom "
                    "and muddies the low end without adding anything musical.",
     "fix": "High-pass the lead: eq.HighPass(80, order=4); the melody has nothing below 280 Hz."},
    {"variant": "lead_uneven", "clean": "lead", "kind": "uneven_dynamics", "freq_hz": None, "gain_db": 6.0,
     "q": None, "bars": [10, 18],
     "description": "Uneven dynamics on the lead in chorus 1: the two-bar phrases "
                    "alternate +6 dB and -6 dB (a singer moving on and off the mic), so every other "
                    "line jumps out or gets lost.",
     "fix": "Ride the phrase gains back (-6 dB on the loud lines, +6 dB on the quiet ones), or level "
            "them with a compressor and make-up gain."},
    {"variant": "lead_take2_hum", "clean": "lead_take2", "kind": "hum", "freq_hz": 50.0, "gain_db": None,
     "q": None, "level_dbfs": -32.0, "bars": [2, 6],
     "description": "Mains hum on take 2 of the lead (its first two phrases, verse 1a and 1b): a steady 50 Hz "
                    "tone at -32 dBFS with weaker harmonics at 100 Hz (-42 dBFS) and 150 Hz "
                    "(-46 dBFS), as from a ground loop. It runs under the whole clip and is plain in "
                    "the gaps between phrases.",
     "fix": "Notch the hum and its harmonics: editing.remove_hum(y, sr, freq=50), or by hand "
            "eq.Notch(50, q=10), eq.Notch(100, q=10), eq.Notch(150, q=10). A high-pass is not enough: "
            "the 150 Hz harmonic sits too close to the voice to filter away without thinning it."},
)
HUM_HARMONICS_DBFS = {50.0: -32.0, 100.0: -42.0, 150.0: -46.0}
RUMBLE_THUMPS = ((1.3, -15.0), (4.9, -13.0), (8.2, -16.0))  # (seconds into the excerpt, peak dBFS)
UNEVEN_GAINS_DB = (6.0, -6.0, 6.0, -6.0)


def bake_problems(stems: dict, takes: dict) -> tuple[dict[str, np.ndarray], list[dict]]:
    """Make each problem variant from its clean source; returns the variants and the problem entries."""
    from . import eq

    variants, entries = {}, []
    for problem in PROBLEMS:
        entry = dict(problem)
        start, end = problem["bars"]
        kind = problem["kind"]
        if problem["clean"] in takes:
            y = _excerpt(takes[problem["clean"]], start - TAKES_START_BAR, end - TAKES_START_BAR)
        else:
            y = _excerpt(stems[problem["clean"]], start, end)
        num = len(y)
        if kind in ("mud", "resonance"):
            band = eq.Peak(problem["freq_hz"], gain_db=problem["gain_db"], q=problem["q"])
            y = band(y.astype(np.float32), SR).astype(np.float64)
        elif kind == "rumble":
            y = y + 10 ** (problem["level_dbfs"] / 20) * _band_noise(num, 20.0, 38.0, seed=4040)
            for at_s, peak in RUMBLE_THUMPS:
                y = y + _thump(num, at_s, 22.0, 10 ** (peak / 20))
            entry["thumps_s"] = [at for at, _ in RUMBLE_THUMPS]
        elif kind == "hum":
            t = np.arange(num) / SR
            for freq, level in HUM_HARMONICS_DBFS.items():
                y = y + 10 ** (level / 20) * np.sin(2 * np.pi * freq * t)
            entry["harmonics_dbfs"] = {f"{f:g}": v for f, v in HUM_HARMONICS_DBFS.items()}
        elif kind == "uneven_dynamics":
            starts = [(s - start) * SAMPLES_PER_BAR for _, s in take_phrases_in(start, end)]
            gains = list(zip(starts, UNEVEN_GAINS_DB, strict=True))
            y = y * _phrase_gain_curve(num, gains)
            entry["phrase_gains_db"] = list(UNEVEN_GAINS_DB)
            entry["phrases"] = [[s, s + PHRASE_BARS] for _, s in take_phrases_in(start, end)]
        variants[problem["variant"]] = y
        entries.append(entry)
    return variants, entries


def take_phrases_in(start_bar: int, end_bar: int):
    return [(name, s) for name, s, _ in LEAD_PHRASES if start_bar <= s < end_bar]


# ---------------------------------------------------------------------------- one-shots

ONE_SHOTS = {
    "oneshot_kick": (KICK, 1.0, "Kick drum hit (GM 36), velocity 112."),
    "oneshot_snare": (SNARE, 1.0, "Snare hit (GM 38), velocity 112."),
    "oneshot_hat": (HAT_CLOSED, 0.5, "Closed hi-hat hit (GM 42), velocity 100."),
    "oneshot_clap": (CLAP, 1.0, "Hand clap (GM 39), velocity 112."),
}


def render_one_shots(soundfont: str | bytes) -> dict[str, np.ndarray]:
    shots = {}
    for name, (key, seconds, _desc) in ONE_SHOTS.items():
        num = int(seconds * SR)
        vel = 100 if key == HAT_CLOSED else 112
        y = render(soundfont, DRUM_KIT, [Event(0.0, seconds * 0.8, key, vel)], num)
        shots[name] = scale_to_peak(fade_out(y, 0.05), -3.0)[0]
    return shots


# ---------------------------------------------------------------------------- everything

TAKE_DESCRIPTIONS = {
    "lead_take1": "Take 1 of the lead over verse 1: a little ahead of the beat (about 12 ms early) and 1 dB down.",
    "lead_take2": "Take 2 of the lead over verse 1: the tightest timing, slightly louder. (Its hum-ridden twin is "
                  "the variant lead_take2_hum.)",
    "lead_take3": "Take 3 of the lead over verse 1: dragging (about 24 ms late), 2.5 dB down, and the third phrase "
                  "(verse 1c) is flubbed: a late entrance and two sharp notes.",
}


def render_session(soundfont: str) -> tuple[dict[str, dict], dict]:
    """Render every item of the session and describe it.

    Returns ``(items, session)``: items maps a manifest name to ``{"role", "audio", "description", ...}``
    (audio float64 mono at :data:`SR`); session is the song's metadata for the manifest.
    """
    with open(soundfont, "rb") as fh:  # parse from memory each time: read the 148 MB file once
        soundfont = fh.read()
    stems = render_stems(soundfont)
    items: dict[str, dict] = {}
    for name, (y, _gain) in stems.items():
        inst, _part, _t, _v, _r, peak, pan, desc = STEMS[name]
        items[name] = {"role": "stem", "audio": y, "description": desc, "instrument": inst.name,
                       "pan": pan, "start_bar": 0, "end_bar": TOTAL_BARS}
    takes, take_report = render_takes(soundfont, stems["lead"][1])
    for name, y in takes.items():
        items[name] = {"role": "take", "audio": y, "description": TAKE_DESCRIPTIONS[name],
                       "instrument": VOICE_OOHS.name, "pan": 0.0,
                       "start_bar": TAKES_START_BAR, "end_bar": TAKES_END_BAR}
    for name, y in render_one_shots(soundfont).items():
        items[name] = {"role": "one_shot", "audio": y, "description": ONE_SHOTS[name][2],
                       "instrument": DRUM_KIT.name}
    variants, problems = bake_problems({k: v[0] for k, v in stems.items()}, takes)
    for entry in problems:
        name = entry["variant"]
        start, end = entry["bars"]
        items[name] = {"role": "variant", "audio": variants[name], "description": entry["description"],
                       "clean": entry["clean"], "problem": entry["kind"], "start_bar": start, "end_bar": end}

    phrases = []
    for name, start in take_phrases():
        offsets = take_report[name]
        usable = {t: abs(v["offset_ms"]) for t, v in offsets.items() if not v["flub"]}
        phrases.append({"name": name, "start_bar": start, "end_bar": start + PHRASE_BARS,
                        "best_take": min(usable, key=usable.get), "takes": offsets})
    session = {
        "title": TITLE,
        "description": "A short pop song in A minor: piano, bass, drums, pad, clean guitar and a vocal-like "
                       "lead (Voice Oohs), composed in code and played by FluidR3 GM instruments.",
        "bpm": BPM,
        "key": KEY,
        "time_signature": list(TIME_SIGNATURE),
        "bars": TOTAL_BARS,
        "bar_numbering": "0-based: bar 0 starts at 0 s, bar b at b * 60 / bpm * 4 s; end bars are exclusive",
        "duration_s": NUM_SAMPLES / SR,
        "sections": [{"name": n, "start_bar": s, "bars": b} for n, s, b in SECTIONS],
        "chords": list(CHORDS),
        "takes": {"start_bar": TAKES_START_BAR, "end_bar": TAKES_END_BAR,
                  "flubbed": {"take": FLUB_TAKE, "phrase": FLUB_PHRASE},
                  "phrases": phrases},
        "problems": problems,
    }
    return items, session
