"""The recorded drum kit of the course: one-shots rendered from the AVL Drumkits' Black Pearl SoundFont.

Private: :func:`producerkit.datasets.build` calls :func:`render_kit` and writes what it returns; students
load the result with ``datasets.load_kit("avl_black_pearl")`` or ``beats.Kit.recorded()``.

Debian's ``avldrums.lv2-soundfont`` holds two acoustic kits recorded by Glen MacArthur (CC-BY-SA-3.0):
Black Pearl (a Pearl kit: 22" kick, 12" rack tom, 16" floor tom, Sabian hats and cymbals) and Red Zeppelin
(a vintage Ludwig kit with a 26" kick and Zildjian A cymbals). The course uses Black Pearl: its tighter
kick and snare sit in every genre the beats lesson programs (house, boom bap, trap, rock, dembow), where the
huge, roomy 26" kick of Red Zeppelin is a vintage rock sound; it is also the smaller file.

Each piece is rendered at three velocities that land on three of the kit's five recorded velocity layers
(soft 40, medium 80, hard 127), one note held until its sample ends, through TinySoundFont at 44.1 kHz, and
averaged to mono. The kit's own balance between pieces is kept (one gain for the whole kit, 6 dB down, so a
full pattern has headroom); each file starts 2 ms before its attack and ends where its sound has decayed
60 dB below its peak, with a 10 ms fade. Everything is deterministic: a second render gives the same samples.

Lesson: not yet taught
"""

from __future__ import annotations

import numpy as np

KIT = "avl_black_pearl"
TITLE = "AVL Drumkits: Black Pearl"
SOUNDFONT_FILE = "Black_Pearl_4_LV2.sf2"
SR = 44100
AUTHOR = "Glen MacArthur"
LICENCE = "CC-BY-SA-3.0"
SOURCE = "Debian package avldrums.lv2-soundfont (AVL Drumkits, https://github.com/x42/avldrums.lv2)"

#: velocity name -> MIDI velocity. Each picks a different recorded layer of the SoundFont (1-26, 27-52,
#: 53-77, 78-102, 103-127): soft is layer 2, medium layer 4, hard layer 5.
VELOCITIES = {"soft": 40, "medium": 80, "hard": 127}

#: piece -> (MIDI note in the AVL map, description)
PIECES = {
    "kick": (36, "Pearl 22-inch kick drum"),
    "snare": (38, "Pearl snare, centre hit"),
    "rimshot": (37, "Pearl snare, cross-stick (side stick): the click a drum machine's 'rim shot' imitates"),
    "clap": (39, "Hand clap"),
    "hat": (42, "Sabian hi-hat, closed"),
    "open_hat": (46, "Sabian hi-hat, open (half-open, as the kit records it)"),
    "pedal_hat": (44, "Sabian hi-hat closed with the foot pedal"),
    "rack_tom": (45, "Pearl 12-inch rack tom"),
    "floor_tom": (41, "Pearl 16-inch floor tom"),
    "crash": (49, "Sabian AA 16-inch crash"),
    "ride": (51, "Sabian AAX 20-inch ride, bow"),
}

#: Pieces that cut each other off, as one hi-hat does: a closed or pedal hat stops a ringing open hat.
CHOKE_GROUPS = (("hat", "open_hat", "pedal_hat"),)

KIT_GAIN_DB = -6.0
DECAY_DB = -60.0
ATTACK_DB = -20.0
LEAD_S = 0.002
FADE_S = 0.01
MAX_S = 6.0


def item_name(piece: str, velocity: str) -> str:
    """The manifest name of one rendered hit, e.g. ``avl_black_pearl_kick_hard``."""
    return f"{KIT}_{piece}_{velocity}"


def _render_hit(soundfont: bytes, key: int, velocity: int) -> np.ndarray:
    import tinysoundfont

    synth = tinysoundfont.Synth(gain=0.0, samplerate=SR)
    sfid = synth.sfload(soundfont)
    synth.program_select(0, sfid, 0, 0)
    synth.control_change(0, 10, 64)  # pan centre
    synth.control_change(0, 7, 127)  # volume
    synth.control_change(0, 11, 127)  # expression
    synth.noteon(0, key, velocity)  # held: the sample plays to its end
    out = np.frombuffer(synth.generate_simple(int(MAX_S * SR)), dtype=np.float32).reshape(-1, 2)
    return out.astype(np.float64).mean(axis=1)


def _trim(y: np.ndarray) -> np.ndarray:
    """Start LEAD_S before the sound first reaches ATTACK_DB below its peak (a linear fade-in over that lead),
    and cut where it has decayed DECAY_DB below its peak, with a FADE_S linear fade to the cut.

    The start matters for the pedal hat, whose recording holds ~20 ms of the foot's movement before the chick:
    trimmed, every piece's attack lands within a few ms of the grid, as a producer trims one-shots."""
    level = np.abs(y)
    peak = level.max()
    lead = int(LEAD_S * SR)
    start = max(0, int(np.argmax(level >= peak * 10 ** (ATTACK_DB / 20))) - lead)
    end = int(np.nonzero(level >= peak * 10 ** (DECAY_DB / 20))[0][-1]) + 1
    fade = int(FADE_S * SR)
    y = y[start:end].copy()
    if start > 0:
        y[:lead] *= np.linspace(0.0, 1.0, lead + 1)[1:]
    y[-fade:] *= np.linspace(1.0, 0.0, fade + 1)[1:]
    return y


def render_kit(soundfont: str | bytes) -> tuple[dict[str, dict], dict]:
    """Render every piece at every velocity.

    Returns ``(items, kit)``: items maps a manifest name to ``{"role": "kit", "audio", "description",
    "kit", "piece", "velocity", "midi_note"}`` (audio float64 mono at :data:`SR`); kit is the kit's metadata
    for the manifest's ``kits`` section.
    """
    if isinstance(soundfont, str):
        with open(soundfont, "rb") as fh:
            soundfont = fh.read()
    gain = 10 ** (KIT_GAIN_DB / 20)
    items: dict[str, dict] = {}
    pieces = {}
    for piece, (key, description) in PIECES.items():
        files = {}
        for label, velocity in VELOCITIES.items():
            name = item_name(piece, label)
            items[name] = {
                "role": "kit", "audio": gain * _trim(_render_hit(soundfont, key, velocity)),
                "description": f"{description}, {label} hit (MIDI velocity {velocity}), from {TITLE}.",
                "kit": KIT, "piece": piece, "velocity": velocity, "midi_note": key,
            }
            files[label] = name
        pieces[piece] = {"description": description, "midi_note": key, "files": files}
    kit = {
        "title": TITLE,
        "description": "A recorded acoustic drum kit (Pearl drums, Sabian cymbals) as one-shots at three "
                       "velocities, for beat making. Rendered from the AVL Drumkits SoundFont by TinySoundFont.",
        "author": AUTHOR,
        "licence": LICENCE,
        "source": SOURCE,
        "soundfont": SOUNDFONT_FILE,
        "soundfont_bytes": len(soundfont),
        "sample_rate": SR,
        "velocities": dict(VELOCITIES),
        "choke_groups": [list(g) for g in CHOKE_GROUPS],
        "pieces": pieces,
    }
    return items, kit
