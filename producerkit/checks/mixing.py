"""Checkers for the mixing lesson: gain staging, panning, the kick and the bass, the chorus mix.

Every number comes from the bundled song (Paper Lanterns), measured over the same chorus excerpt the
lesson's MixerDesk plays (4 bars from the first chorus), so the lesson and its checkers cannot disagree.
The main exercise compares the student's chorus with a mix engineer's reference balance
(:data:`REFERENCE_DB`, :data:`REFERENCE_PANS`): the lead, the drums, the bass and the music (keys, pad and
guitar), each measured as its loudness against the whole mix.

Lesson: course/09-mixing.ipynb
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from ..datasets import shared_session as _session
from ..mix import PEAK_MAX_DBFS
from ._feedback import Feedback, as_number, how_close, is_unanswered, right, unanswered, wrong

# --------------------------------------------------------------------------- exercise data

#: The chorus excerpt every exercise measures: this many bars from the first chorus (MixerDesk's default).
CHORUS_BARS = 4
#: Gain staging: each track's average (RMS) level in dBFS after its trim, as a console or plugin expects.
TRACK_RMS_TARGET_DBFS = -18.0
#: A trim this close (dB) to the one that reaches the target is right; within NEAR it is close.
TRIM_TOLERANCE_DB = 1.0
TRIM_NEAR_DB = 3.0
#: The tracks the gain-staging exercise trims: sustained parts, whose average says how hot they run. Drums are
#: trimmed by their peaks instead (a kick at -18 dBFS RMS would peak over full scale).
TRIM_TRACKS = ("bass", "keys", "lead")

#: Panning: what stays in the centre (low end, backbeat, lead) and the pair that goes to opposite sides.
CENTRE_TRACKS = ("kick", "snare", "bass", "lead")
CENTRE_TOLERANCE = 0.1
SIDE_PAIR = ("guitar", "keys")
#: Each of the pair at least this far from the centre, to be heard as moved.
SIDE_MIN = 0.2

#: Kick and bass: the cut's centre within this many octaves of the kick's fundamental.
KICK_TOLERANCE_OCT = 0.25
#: The cut's depth (dB): deep enough to hear in the mix, shallow enough to keep the bass's weight.
CUT_RANGE_DB = (-6.0, -2.0)
#: The octave above the bass's fundamentals (E1-A1, 41-55 Hz in the chorus), where its harmonics carry its notes
#: on small speakers (Hz); the cut may take at most NOTES_MAX_CUT_DB off there.
NOTES_HZ = 110.0
NOTES_MAX_CUT_DB = 1.5
#: The reference is the reference balance turned up to this loudness, as a streaming master plays.
REFERENCE_LUFS = -14.0

#: The mix engineer's reference balance of the chorus (fader dB) and pans: what the main exercise aims at.
REFERENCE_DB = {"kick": -7.0, "snare": -8.0, "overheads": -3.0, "bass": -7.0, "keys": -11.0, "pad": -14.0,
                "guitar": -10.0, "lead": -4.0}
REFERENCE_PANS = {"guitar": -0.4, "keys": 0.4}
#: The groups the main exercise judges, each measured as its loudness minus the whole mix's.
GROUPS = {"lead": ("lead",), "drums": ("kick", "snare", "overheads"), "bass": ("bass",),
          "music": ("keys", "pad", "guitar")}
#: Each group within this many LU of the reference balance passes.
BALANCE_TOLERANCE_LU = 2.0
#: The lead is intelligible when its loudness minus the rest of the band's is in this range (LU).
LEAD_OVER_REST_LU = (-4.0, 0.0)
#: The chorus a student starts from in the main exercise: a flat desk (every fader where MixerDesk starts).
START_DB = -6.0
#: An answer this close (LU) outside a target range is "close".
NEAR_LU = 1.0
#: A track further than this under the whole mix is effectively switched off.
INAUDIBLE_BELOW_MIX_LU = 30.0


#: Track names read as plurals ("the keys are").
_PLURAL = frozenset({"keys", "overheads"})


def _verb(name: str, singular: str, plural: str) -> str:
    return plural if name in _PLURAL else singular


def _names(names) -> str:
    """``the kick, the snare and the bass``."""
    names = [f"the {n}" for n in names]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _loudness(y, sr) -> float:
    from ..meters import integrated_loudness

    value = integrated_loudness(y, sr)
    return float(value) if math.isfinite(value) else -math.inf


def chorus_bars() -> tuple[int, int]:
    """The exercise's excerpt as song bars ``[first, last)``, counted from 0: the first chorus's first 4 bars.

    Lesson: not yet taught
    """
    chorus = next(s for s in _session().sections if s.name == "chorus")
    return chorus.start_bar, chorus.start_bar + CHORUS_BARS


@lru_cache(maxsize=1)
def chorus_stems() -> dict[str, np.ndarray]:
    """Each stem over the chorus excerpt (read-only arrays).

    Lesson: course/09-mixing.ipynb
    """
    s = _session()
    first, last = chorus_bars()
    out = {}
    for name in s.stems:
        part = np.ascontiguousarray(s.stem_bars(name, first, last))  # decodes only these bars
        part.setflags(write=False)
        out[name] = part
    return out


def chorus_mixer(gains: Mapping | float | None = None, pans: Mapping | None = None):
    """A :class:`producerkit.mix.Mixer` of the chorus excerpt with these faders (dB) and pans.

    ``gains`` is one number for every fader or a dict by stem (missing stems at :data:`START_DB`).

    Lesson: course/09-mixing.ipynb
    """
    from ..mix import Mixer, Track

    stems = chorus_stems()
    if gains is None or isinstance(gains, int | float):
        gains = dict.fromkeys(stems, START_DB if gains is None else float(gains))
    pans = pans or {}
    return Mixer([Track(n, y, gain_db=gains.get(n, START_DB), pan=pans.get(n, 0.0), sr=_session().sr)
                  for n, y in stems.items()], _session().sr)


def track_rms_dbfs() -> dict[str, float]:
    """Each stem's average (RMS) level over the chorus excerpt at 0 dB, in dBFS.

    Lesson: not yet taught
    """
    from ..meters import rms_dbfs

    return {name: float(rms_dbfs(y)) for name, y in chorus_stems().items()}


def right_trims() -> dict[str, float]:
    """The trim (dB) that brings each of :data:`TRIM_TRACKS` to :data:`TRACK_RMS_TARGET_DBFS` on average.

    Lesson: not yet taught
    """
    rms = track_rms_dbfs()
    return {name: TRACK_RMS_TARGET_DBFS - rms[name] for name in TRIM_TRACKS}


def balance(mixer) -> dict:
    """How a mix of the chorus balances: each group's loudness minus the mix's, the lead over the rest, peaks.

    Returns a dict with ``groups`` (name -> LU against the whole mix, for :data:`GROUPS`), ``tracks``
    (each audible track's LU against the whole mix), ``lead_over_rest`` (LU), ``peak_dbfs`` (the mix
    bus's sample peak) and ``mix_lufs``.

    Lesson: course/09-mixing.ipynb
    """
    sr = mixer.sr
    stems = mixer.stems()
    total = mixer.render()
    mix_lufs = _loudness(total, sr)
    tracks = {n: _loudness(y, sr) - mix_lufs for n, y in stems.items()}
    groups = {}
    for group, names in GROUPS.items():
        parts = [stems[n] for n in names if n in stems]
        groups[group] = _loudness(sum(parts), sr) - mix_lufs if parts else -math.inf
    rest = [y for n, y in stems.items() if n != "lead"]
    lead = tracks.get("lead", -math.inf) + mix_lufs
    lead_over_rest = lead - _loudness(sum(rest), sr) if rest else math.inf
    peak = float(20.0 * np.log10(max(float(np.max(np.abs(total))), 1e-12)))
    return {"groups": groups, "tracks": tracks, "lead_over_rest": lead_over_rest, "peak_dbfs": peak,
            "mix_lufs": mix_lufs}


@lru_cache(maxsize=1)
def reference_balance() -> dict:
    """:func:`balance` of the reference mix (:data:`REFERENCE_DB`, :data:`REFERENCE_PANS`).

    Lesson: course/09-mixing.ipynb
    """
    return balance(chorus_mixer(REFERENCE_DB, REFERENCE_PANS))


@lru_cache(maxsize=1)
def reference_track() -> np.ndarray:
    """The reference: the reference balance of the chorus turned up to :data:`REFERENCE_LUFS`, stereo.

    Lesson: course/09-mixing.ipynb
    """
    y = chorus_mixer(REFERENCE_DB, REFERENCE_PANS).render().astype(np.float64)
    gain = 10 ** ((REFERENCE_LUFS - _loudness(y, _session().sr)) / 20.0)
    out = (y * gain).astype(np.float32)
    out.setflags(write=False)
    return out


def chorus_mixer_of(mix):
    """The chorus as ``mix`` sets it: a MixerDesk's or a Mixer's settings, or a dict of faders (dB), on the chorus.

    Raises:
        ParameterError: an unknown channel, a fader outside -60..+12 dB, or something that is not a mix.

    Lesson: course/09-mixing.ipynb
    """
    from ..errors import ParameterError
    from ..mix import Mixer, MixSettings

    if isinstance(mix, Mapping):
        for name, value in mix.items():
            if name not in chorus_stems():
                raise ParameterError(f"there is no channel called {name!r}; the channels are "
                                     f"{', '.join(chorus_stems())}.")
            number = as_number(value)
            if number is None or not -60.0 <= number <= 12.0:
                raise ParameterError(f"the {name} fader must be a number of dB from -60 to +12 (got {value!r}).")
        return chorus_mixer({**dict.fromkeys(chorus_stems(), START_DB), **{k: float(v) for k, v in mix.items()}})
    if isinstance(mix, Mixer) or callable(getattr(mix, "to_mixer", None)):
        return MixSettings.from_mixer(mix).apply(chorus_mixer())
    raise ParameterError(f"give the desk, a Mixer, or a dict of faders in dB (got {type(mix).__name__}).")


# --------------------------------------------------------------------------- 1. gain staging


def check_gain_staging(trims) -> Feedback:
    """Exercise 1: the trim (dB) that brings the bass, the keys and the lead to -18 dBFS average each.

    ``trims`` is a dict ``{"bass": dB, "keys": dB, "lead": dB}``; each is right within
    :data:`TRIM_TOLERANCE_DB` of ``-18 - the track's RMS``.

    Lesson: course/09-mixing.ipynb
    """
    if is_unanswered(trims) or (isinstance(trims, Mapping) and all(is_unanswered(v) for v in trims.values())):
        return unanswered("a trim in dB for each of the bass, the keys and the lead")
    if not isinstance(trims, Mapping):
        return wrong(f"give a dict of trims in dB by track (got {type(trims).__name__}).",
                     'for example {"bass": -1, "keys": 2.5, "lead": 4}.')
    missing = [n for n in TRIM_TRACKS if n not in trims or is_unanswered(trims[n])]
    if missing:
        return wrong(f"no trim yet for the {' and the '.join(missing)}.", "give a number of dB for each.")
    target, rms = right_trims(), track_rms_dbfs()
    off = []
    for name in TRIM_TRACKS:
        value = as_number(trims[name])
        if value is None:
            return wrong(f"the {name}'s trim must be a number of dB (got {trims[name]!r}).")
        after = rms[name] + value
        if abs(value - TRACK_RMS_TARGET_DBFS) <= TRIM_TOLERANCE_DB < abs(value - target[name]):
            return wrong(f"your {name} trim is {value:+g} dB: {TRACK_RMS_TARGET_DBFS:g} dBFS is the level to reach, "
                         "not the trim.", f"the trim is {TRACK_RMS_TARGET_DBFS:g} minus what the track averages now: "
                         f"{TRACK_RMS_TARGET_DBFS:g} - ({rms[name]:.1f}).")
        if abs(value - target[name]) > TRIM_TOLERANCE_DB:
            off.append((name, value, after))
    if not off:
        return right(f"each track now averages {TRACK_RMS_TARGET_DBFS:g} dBFS give or take "
                     f"{TRIM_TOLERANCE_DB:g} dB: plugins see the level they were designed for, and each still peaks "
                     "below full scale.")
    name, value, after = off[0]
    lead_in = how_close(len(off), len(TRIM_TRACKS), "trims", "off")
    miss = after - TRACK_RMS_TARGET_DBFS
    averages, it = _verb(name, "averages", "average"), _verb(name, "it", "them")
    if (value > 0) != (target[name] > 0) and abs(value) > TRIM_TOLERANCE_DB:
        why = (f"the {name} {averages} {rms[name]:.1f} dBFS and your trim of {value:+g} dB moves {it} the wrong "
               f"way, to {after:.1f} dBFS")
    else:
        why = (f"with your trim of {value:+g} dB the {name} {averages} {after:.1f} dBFS, {abs(miss):.1f} dB "
               f"{'over' if miss > 0 else 'under'} {TRACK_RMS_TARGET_DBFS:g}")
    close = " (close)" if abs(miss) <= TRIM_NEAR_DB else ""
    if lead_in.endswith(". "):
        why = why[0].upper() + why[1:]
    return wrong(f"{lead_in}{why}{close}.",
                 f"the trim is the target minus what the track averages now: {TRACK_RMS_TARGET_DBFS:g} - "
                 f"({rms[name]:.1f}).")


# --------------------------------------------------------------------------- 2. panning


def check_panning(pans) -> Feedback:
    """Exercise 2: pan the chorus: kick, snare, bass and lead in the centre, guitar and keys to opposite sides.

    ``pans`` is a dict of track -> position (-1 hard left .. +1 hard right); a track left out is centred.

    Lesson: course/09-mixing.ipynb
    """
    if is_unanswered(pans):
        return unanswered('a pan position for the tracks you move, e.g. {"guitar": -0.5}')
    if not isinstance(pans, Mapping):
        return wrong(f"give a dict of pan positions by track (got {type(pans).__name__}).",
                     'for example {"guitar": -0.5, "keys": 0.5}.')
    values = {}
    for name, value in pans.items():
        if name not in chorus_stems():
            return wrong(f"there is no track called {name!r}; the tracks are {', '.join(chorus_stems())}.")
        number = as_number(value)
        if number is None or not -1.0 <= number <= 1.0:
            return wrong(f"the {name}'s pan must be a number from -1 (hard left) to +1 (hard right) (got {value!r}).")
        values[name] = number
    moved = [n for n in CENTRE_TRACKS if abs(values.get(n, 0.0)) > CENTRE_TOLERANCE]
    if moved:
        name = moved[0]
        verb = _verb(name, "is", "are")
        return wrong(f"the {name} {verb} panned to {values[name]:+.2f}. The low end, the backbeat and the lead "
                     "carry the song: in the centre they come out of both speakers, hold up in mono and share the load "
                     "on the two sides.", f"put the {name} back in the centre (0) and move the guitar and the keys "
                     "instead.")
    if abs(values.get("overheads", 0.0)) > CENTRE_TOLERANCE:
        return wrong(f"the overheads are panned to {values['overheads']:+.2f}, but they are a stereo pair: "
                     "panning them tips the whole kit's cymbals to one side.",
                     "leave the overheads in the centre (0) and move the guitar and the keys instead.")
    a, b = (values.get(n, 0.0) for n in SIDE_PAIR)
    if abs(a) < SIDE_MIN and abs(b) < SIDE_MIN:
        return wrong("the guitar and the keys are still in the middle, on top of the lead: everything fights for "
                     "the same spot.", f"move them to opposite sides, each at least {SIDE_MIN:g} from the centre.")
    for name, pos in zip(SIDE_PAIR, (a, b), strict=True):
        if abs(pos) < SIDE_MIN:
            verb, it = _verb(name, "sits", "sit"), _verb(name, "it", "them")
            return wrong(f"close: the {name} {verb} at {pos:+.2f}, too near the centre to get out of the lead's way.",
                         f"move {it} at least {SIDE_MIN:g} to the side opposite the other.")
    if (a > 0) == (b > 0):
        side = "right" if a > 0 else "left"
        return wrong(f"both the guitar and the keys are on the {side}: the mix leans {side} and the other side is "
                     "empty.", "send one of them to the other side, about as far.")
    return right(f"the guitar at {a:+.2f} and the keys at {b:+.2f} frame the lead, which stays in the centre with "
                 "the kick, the snare and the bass: the mix is wide and still works in mono.")


# --------------------------------------------------------------------------- 3. kick and bass


def check_kick_bass_cut(cut) -> Feedback:
    """Exercise 3: a bell cut on the bass at the kick's thump, a few dB deep, narrow enough to keep its octave.

    ``cut`` is a :class:`producerkit.eq.Peak`. Right when its frequency is within
    :data:`KICK_TOLERANCE_OCT` of the kick's fundamental (:func:`producerkit.checks.eq.kick_fundamental`),
    its gain is within :data:`CUT_RANGE_DB` and it takes less than :data:`NOTES_MAX_CUT_DB` off the bass's
    octave at :data:`NOTES_HZ`.

    Lesson: course/09-mixing.ipynb
    """
    if is_unanswered(cut):
        return unanswered("a bell cut on the bass, Peak(freq, gain_db=..., q=...)")
    from ..eq import HighPass, LowShelf, Peak
    from .eq import kick_fundamental

    if isinstance(cut, HighPass | LowShelf):
        return wrong(f"a {type(cut).__name__} takes everything below its corner out of the bass, its notes as well as "
                     "the clash with the kick: the low end goes thin.",
                     "use a narrow bell instead: Peak(freq, gain_db=..., q=...).")
    if not isinstance(cut, Peak):
        return wrong(f"give a bell EQ band, Peak(freq, gain_db=..., q=...) (got {type(cut).__name__}).")
    sr = _session().sr
    thump = kick_fundamental()
    octaves = float(np.log2(cut.freq / thump))
    low, high = CUT_RANGE_DB
    if cut.gain_db > 0:
        return wrong(f"{cut.gain_db:+g} dB is a boost: it piles more bass on the kick's thump and the two blur even "
                     "more.", "cut instead: a negative gain_db.")
    if abs(octaves) > KICK_TOLERANCE_OCT:
        side = "above" if octaves > 0 else "below"
        close = "close, but " if abs(octaves) <= 2 * KICK_TOLERANCE_OCT else ""
        return wrong(f"{close}{cut.freq:.0f} Hz is {abs(octaves):.2f} octaves {side} the kick's thump, so the cut "
                     "misses where the two collide.",
                     "read the kick's peak off the figure (its highest point below 100 Hz) and cut the bass there.")
    if cut.gain_db > high:
        return wrong(f"close: {cut.gain_db:+g} dB at {cut.freq:.0f} Hz is in the right place but too small to "
                     "hear in the mix.", f"cut {-high:g} to {-low:g} dB.")
    if cut.gain_db < low:
        return wrong(f"{cut.gain_db:+g} dB is in the right place but so deep that the bass loses its weight "
                     "under the kick.", f"a few dB does it: {-high:g} to {-low:g} dB.")
    notes = float(cut.response(np.array([NOTES_HZ]), sr)[0])
    if notes < -NOTES_MAX_CUT_DB:
        return wrong(f"close: the place and the depth are right, but a q of {cut.q:g} is so wide that it takes "
                     f"{-notes:.1f} dB off the bass's octave at {NOTES_HZ:g} Hz too, where small speakers hear its "
                     "notes.",
                     "narrow it: a higher q, 2 or so.")
    return right(f"{cut.gain_db:+g} dB at {cut.freq:.0f} Hz (the kick's thump is at {thump:.0f} Hz): the kick "
                 f"punches through, and the bass keeps its octave at {NOTES_HZ:g} Hz ({notes:+.1f} dB there), where "
                 "small speakers hear its notes.")


# --------------------------------------------------------------------------- 4. the chorus mix


def _loudest_rival(tracks: dict) -> str | None:
    rivals = {n: v for n, v in tracks.items() if n in GROUPS["music"]}
    return max(rivals, key=rivals.get) if rivals else None


def check_chorus_mix(mix) -> Feedback:
    """The main exercise: mix the chorus to the reference balance, with headroom and the lead intelligible.

    ``mix`` is the MixerDesk (or a Mixer, or a dict of faders in dB, the rest at :data:`START_DB`); its
    faders, pans, mutes and solos are applied to the chorus excerpt. Right when nothing is muted or soloed
    away, the mix bus peaks below :data:`~producerkit.mix.PEAK_MAX_DBFS`, the lead, the drums, the bass and
    the music (:data:`GROUPS`) are each within :data:`BALANCE_TOLERANCE_LU` of the reference balance (each
    group's loudness against the whole mix) and the lead's loudness over the rest of the band is within
    :data:`LEAD_OVER_REST_LU`.

    Lesson: course/09-mixing.ipynb
    """
    if is_unanswered(mix):
        return unanswered("the desk with your chorus mix (desk), or a dict of faders")
    from ..errors import ProducerkitError

    try:
        mixer = chorus_mixer_of(mix)
    except ProducerkitError as exc:
        return wrong(str(exc))
    audible = set(mixer.stems())
    silent = [t.name for t in mixer.tracks if t.name not in audible]
    soloed = [t.name for t in mixer.tracks if getattr(t, "solo", False)]
    if silent and soloed:
        who = _names(soloed)
        return wrong(f"{who} {'is' if len(soloed) == 1 and soloed[0] not in _PLURAL else 'are'} soloed, so the "
                     f"other {len(silent)} track{'s are' if len(silent) > 1 else ' is'} silent: a balance is judged "
                     "with the whole band playing.", "clear the solo.")
    if silent:
        verb = _verb(silent[0], "is", "are") if len(silent) == 1 else "are"
        return wrong(f"{_names(silent)} {verb} muted: a balance is judged with the whole band playing.",
                     "unmute everything, then listen again.")
    got, ref = balance(mixer), reference_balance()
    hidden = [n for n, v in got["tracks"].items() if v < -INAUDIBLE_BELOW_MIX_LU]
    if hidden:
        they = _verb(hidden[0], "it is", "they are")
        return wrong(f"you can barely hear the {hidden[0]}: {they} more than {INAUDIBLE_BELOW_MIX_LU:g} LU under "
                     "the mix, as good as switched off.", f"bring {_verb(hidden[0], 'it', 'them')} up until "
                     f"{_verb(hidden[0], 'it takes its', 'they take their')} place in the band.")
    peak = got["peak_dbfs"]
    if peak > 0.0:
        return wrong(f"the mix bus clips: it peaks at {peak:+.1f} dBFS, over full scale.",
                     f"keep the balance and pull every fader down together, by {peak - PEAK_MAX_DBFS:.1f} dB or more.")
    low, high = LEAD_OVER_REST_LU
    rel = got["lead_over_rest"]
    if rel < low:
        amount = f"about {low + 1.5 - rel:.0f} dB"
        close = "close: " if low - rel <= NEAR_LU else ""
        rival = _loudest_rival(got["tracks"])
        gap = got["tracks"]["lead"] - got["tracks"][rival] if rival else 0.0
        if rival and gap <= -0.5:
            return wrong(f"{close}the lead sits {-gap:.1f} LU under the {rival}, and {-rel:.1f} LU under the band: "
                         "the words get lost.", f"bring the lead up {amount}, or pull the {rival} down (in your DAW, "
                         f"carve 2\u20134 kHz in {_verb(rival, 'it', 'them')}, where the voice carries its "
                         "consonants).")
        return wrong(f"{close}the lead is buried {-rel:.1f} LU under the rest of the band; it should sit no more than "
                     f"{-low:g} LU under it.", f"bring the lead up {amount}.")
    if rel > high:
        close = "close: " if rel - high <= NEAR_LU else ""
        return wrong(f"{close}the lead floats {rel:.1f} LU over the rest of the band, like karaoke: the band sounds "
                     f"small behind it.", f"bring the lead down by about {rel - (high - 1.5):.0f} dB, or the band up.")
    diffs = {group: got["groups"][group] - ref["groups"][group] for group in GROUPS}
    off = {group: diff for group, diff in diffs.items() if abs(diff) > BALANCE_TOLERANCE_LU}
    if off:
        group = max(off, key=lambda g: abs(off[g]))
        rhythm = ("drums", "bass")
        # both quieter happens when only the lead (and the music) went up; both louder cannot pass the lead's test
        if group in rhythm and all(g in off and off[g] < 0 for g in rhythm):
            size = -(off["drums"] + off["bass"]) / 2
            return wrong(f"the lead and the music sit on top of the rhythm section: the drums and the bass are both "
                         f"about {size:.1f} LU quieter against the mix than in the reference balance.",
                         f"bring the drums and the bass up together about {size:.0f} dB, or the rest down.")
        diff = off[group]
        what = {"lead": "the lead", "drums": "the drums (kick, snare and overheads together)", "bass": "the bass",
                "music": "the keys, the pad and the guitar together"}
        louder = diff > 0
        move = {"lead": "the lead's fader", "drums": "the drum faders together (or the drum bus)",
                "bass": "the bass fader",
                "music": "the keys, the pad and the guitar together (or the music bus)"}[group]
        extra = {("bass", False): " Check on small speakers: a thin bass vanishes there first.",
                 ("bass", True): " Too much bass swamps the kick and eats the mix's headroom.",
                 ("drums", True): " The drums push the band and the lead back.",
                 ("drums", False): " The chorus loses its drive.",
                 ("music", True): " They crowd the lead.",
                 ("music", False): " The chorus sounds empty around the lead."}.get((group, louder), "")
        close = "close: " if len(off) == 1 and abs(diff) <= BALANCE_TOLERANCE_LU + NEAR_LU else ""
        opening = how_close(len(off), len(GROUPS), "parts", "off the reference")
        verb = "is" if group in ("lead", "bass") else "are"
        body = (f"{close}{what[group]} {verb} {abs(diff):.1f} LU "
                f"{'louder' if louder else 'quieter'} against the mix than in the reference balance.{extra}")
        if opening.endswith(". "):
            body = body[0].upper() + body[1:]
        return wrong(opening + body,
                     f"{'pull' if louder else 'push'} {move} {'down' if louder else 'up'} about {abs(diff):.0f} dB, "
                     "then listen to the whole chorus again.")
    if peak > PEAK_MAX_DBFS:
        return wrong(f"the balance is right, but the mix bus peaks at {peak:.1f} dBFS: less than "
                     f"{-PEAK_MAX_DBFS:g} dB of headroom for mastering.",
                     f"pull every fader down together by {peak - PEAK_MAX_DBFS + 0.5:.1f} dB (the balance stays).")
    parts = ", ".join(f"{g} {got['groups'][g] - ref['groups'][g]:+.1f} LU" for g in GROUPS)
    where = f"{-rel:.1f} LU under" if rel < 0 else f"{rel:.1f} LU over"
    return right(f"the chorus matches the reference balance ({parts} against it), the lead sits {where} the rest "
                 f"of the band, where the words come through, and the mix bus peaks at {peak:.1f} dBFS, with "
                 "headroom for mastering. The next cell saves it for the capstone.")


__all__ = [
    "check_chorus_mix",
    "check_gain_staging",
    "check_kick_bass_cut",
    "check_panning",
]
