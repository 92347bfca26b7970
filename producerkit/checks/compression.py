"""Checkers for the compression lesson: even out a lead, parallel drums, duck the bass, limiter or compressor.

Every checker judges the answer by what it does to the bundled session "Paper Lanterns": the
uneven lead's phrases come from ``datasets/manifest.json`` (``Session.problem("lead_uneven")``),
and the drum, bass and kick excerpts are the first four bars of chorus 1 (bars 11–14 as a DAW
counts them, 9.6 s). In code, bars count from 0 as the manifest's do: chorus 1 starts at 10.

Lesson: course/02-compression.ipynb
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import datasets, meters
from ..audio import amp_to_db, power_to_db
from ..dynamics import Compressor, Expander, Gate, Limiter
from ..errors import ProducerkitError
from ..mix import ClipGain, Parallel
from ._feedback import Feedback, is_unanswered, right, unanswered, wrong

LEAD_VARIANT = "lead_uneven"

#: The drum, bass and kick excerpt the lesson and the checkers use: song bars [10, 14) counted
#: from 0, the first four bars of chorus 1 (bars 11–14 on a DAW's timeline).
EXCERPT_BARS = (10, 14)

# Evening out the lead ------------------------------------------------------------------------
#: The lead's notes are measured in slices this long (about a syllable)...
NOTE_SLICE_MS = 100.0
#: ... those within this many dB of the loudest slice are the sung ones (the rest is breaths and gaps).
SUNG_RANGE_DB = 30.0
#: The notes' spread: the 90th minus the 10th percentile of the sung slices' levels (dB). The
#: clip-gained lead's notes spread over about 6 dB; the compressor must bring that to at most this.
LEAD_MAX_NOTE_RANGE_DB = 4.5
#: The loudest notes' gain reduction (95th percentile over the sung slices, dB): more than this is
#: squashing, not levelling (3-6 dB is the usual amount on a vocal).
LEAD_MAX_GR_DB = 8.0
#: ... and at least this much (shown to 0.1 dB): less is too gentle to even out a lead. The lesson asks for
#: 3-6 dB on the loudest notes, and Compressor()'s defaults (-18 dBFS, 4:1) give only about 2 dB here.
LEAD_MIN_GR_DB = 3.0
#: Below this the compressor is hardly working: it only touches the odd peak.
LEAD_IDLE_GR_DB = 2.0
#: Ratios above this are limiting, not compressing.
LEAD_MAX_RATIO = 10.0
#: Faster attacks clamp the front of every note.
LEAD_MIN_ATTACK_MS = 1.0
#: Faster releases follow the waveform itself (distortion).
MIN_RELEASE_MS = 20.0
#: The phrases' own crest factor (their shape inside a line) may drop by at most this much.
LEAD_MAX_CREST_LOSS_DB = 3.0

# Parallel compression on drums ---------------------------------------------------------------
#: How much closer the body must come to the peaks (body rise minus peak rise, dB).
PARALLEL_LIFT_DB = (3.0, 9.0)
#: The hits may not come down more than this (dB): the dry path stays at full level.
PARALLEL_MAX_PEAK_DROP_DB = 0.5
#: The "body" is the median of the clip's 10 ms RMS levels.
BODY_WINDOW_MS = 10.0

# Sidechain ducking ---------------------------------------------------------------------------
#: Ducking depth: the bass's mean gain reduction over the 100 ms after each kick, median over hits.
DUCK_DEPTH_DB = (3.0, 8.0)
DUCK_WINDOW_MS = 100.0
#: Before the next kick lands, the bass must be back within this many dB of full level.
DUCK_MAX_LEFT_DB = 1.5
#: ... measured over the last 20 ms before it.
DUCK_LEFT_WINDOW_MS = 20.0
#: A kick hit starts where the kick rises above this level after at least KICK_GAP_MS of quiet.
KICK_ONSET_DB = -20.0
KICK_GAP_MS = 100.0

#: The scenarios of the "limiter or compressor?" exercise and the right tool for each, with why.
LIMITER_OR_COMPRESSOR = {
    "a": ("Stop the master's peaks from ever going over -1 dBTP before you upload it.",
          "limiter", "a hard ceiling needs an infinite ratio, lookahead and true-peak detection."),
    "b": ("Even out the louder and quieter notes inside a singer's lines.",
          "compressor", "evening out notes needs a moderate ratio (3-6:1) that turns the louder notes down "
          "gradually; a limiter would only shave the peaks."),
    "c": ("Make the bass dip each time the kick hits.",
          "compressor", "ducking is a compressor keyed from the kick (sidechain); a limiter has no sidechain "
          "and reacts only to its own peaks."),
    "d": ("Thicken the drums while keeping the hits sharp.",
          "compressor", "that is parallel compression: a heavily compressed copy under the dry drums."),
    "e": ("Catch the odd stray peak on the mix bus without changing how anything else sounds.",
          "limiter", "a limiter set just above the normal peaks does nothing until a stray peak arrives, "
          "then holds it at the ceiling."),
}


# --------------------------------------------------------------------------- the session's facts


_session = datasets.shared_session


def lead_phrases() -> list[tuple[int, int]]:
    """The uneven lead's phrases as song bars ``[(start, end), ...]`` (from the manifest).

    Lesson: not yet taught
    """
    return [tuple(p) for p in _session().problem(LEAD_VARIANT).details["phrases"]]


def _lead_uneven() -> tuple[np.ndarray, int, int]:
    """The uneven lead (chorus 1), its sample rate and the song bar it starts at (from 0: 10)."""
    session = _session()
    return session.variants[LEAD_VARIANT], session.sr, session.problem(LEAD_VARIANT).bars[0]


def phrase_regions_s(start_bar: int | None = None) -> list[tuple[float, float]]:
    """The uneven lead's phrases as ``(start_s, end_s)`` in seconds from the start of a clip.

    The clip starts at song bar ``start_bar`` (counted from 0; default: where the uneven lead
    starts, the first bar of chorus 1). Use them for clip gain: ``ClipGain([(start, end, gain), ...])``.

    Lesson: course/02-compression.ipynb
    """
    session = _session()
    start_bar = session.problem(LEAD_VARIANT).bars[0] if start_bar is None else start_bar
    spb = session.seconds_per_bar
    return [(round((a - start_bar) * spb, 6), round((b - start_bar) * spb, 6)) for a, b in lead_phrases()]


def clip_gain_fix() -> ClipGain:
    """The clip gain that undoes the uneven lead's phrase jumps: each phrase back by what the manifest added.

    Lesson: not yet taught
    """
    gains = _session().problem(LEAD_VARIANT).details["phrase_gains_db"]
    return ClipGain([(a, b, -g) for (a, b), g in zip(phrase_regions_s(), gains, strict=True)])


@lru_cache(maxsize=1)
def clip_gained_lead() -> np.ndarray:
    """The uneven lead after :func:`clip_gain_fix`: the lead Exercise 1's compressor works on.

    Lesson: course/02-compression.ipynb
    """
    y, sr, _ = _lead_uneven()
    out = clip_gain_fix()(y, sr)
    out.flags.writeable = False
    return out


def note_levels_db(y, sr: int) -> np.ndarray:
    """The level (RMS, dBFS) of each 100 ms slice of ``y``: how loud each syllable is.

    Lesson: not yet taught
    """
    y = np.asarray(y, dtype=np.float64)
    y = y if y.ndim == 1 else y.mean(axis=0)
    win = max(1, int(sr * NOTE_SLICE_MS / 1000))
    usable = (y.size // win) * win
    return power_to_db(np.mean(y[:usable].reshape(-1, win) ** 2, axis=1))


def _slice_means(x: np.ndarray, sr: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    x = x if x.ndim == 1 else x.max(axis=0)
    win = max(1, int(sr * NOTE_SLICE_MS / 1000))
    usable = (x.size // win) * win
    return x[:usable].reshape(-1, win).mean(axis=1)


def _spread(levels: np.ndarray) -> float:
    return float(np.subtract(*np.percentile(levels, [90, 10])))


def _phrase_slices(start_bar: int) -> list[slice]:
    session = _session()
    offset = session.bar_to_sample(start_bar)
    return [slice(session.bar_to_sample(a) - offset, session.bar_to_sample(b) - offset) for a, b in lead_phrases()]


def phrase_loudness(y, sr: int, start_bar: int = 10) -> list[float]:
    """Integrated loudness (LUFS) of each of the uneven lead's phrases in ``y``.

    ``y`` starts at song bar ``start_bar``, counted from 0 as in code (the variant starts with
    chorus 1, at 10); phrases beyond its end are left out.

    Lesson: course/02-compression.ipynb
    """
    return [meters.integrated_loudness(y[s], sr) for s in _phrase_slices(start_bar) if s.stop <= len(y)]


def phrase_spread_db(y, sr: int, start_bar: int = 10) -> float:
    """Loudest minus quietest phrase of the uneven lead in ``y``, in LU (= dB).

    Lesson: not yet taught
    """
    levels = phrase_loudness(y, sr, start_bar)
    return float(max(levels) - min(levels))


def excerpt(name: str, bars: tuple[int, int] = EXCERPT_BARS) -> np.ndarray:
    """A stem over song bars ``[start, end)`` (read-only float32 mono; copy before changing it).

    Lesson: not yet taught
    """
    session = _session()
    return session.stems[name][session.bar_to_sample(bars[0]) : session.bar_to_sample(bars[1])]


def drum_excerpt(bars: tuple[int, int] = EXCERPT_BARS) -> np.ndarray:
    """Kick, snare and overheads summed over ``bars``: the drum bus the lesson compresses.

    Lesson: not yet taught
    """
    total = excerpt("kick", bars).astype(np.float64) + excerpt("snare", bars) + excerpt("overheads", bars)
    return total.astype(np.float32)


def kick_hits(kick, sr: int) -> np.ndarray:
    """Sample indices where each kick hit starts: the kick rises above -20 dBFS after >= 100 ms quiet.

    Lesson: course/02-compression.ipynb
    """
    above = np.flatnonzero(np.abs(np.asarray(kick)) > 10 ** (KICK_ONSET_DB / 20))
    if above.size == 0:
        return above
    gap = int(KICK_GAP_MS * sr / 1000)
    starts = np.concatenate([[True], np.diff(above) > gap])
    return above[starts]


def body_level_db(y, sr: int) -> float:
    """The "body" of a clip: the median of its 10 ms RMS levels in dBFS (what sits between the hits).

    Lesson: course/02-compression.ipynb
    """
    y = np.asarray(y, dtype=np.float64).reshape(-1) if np.ndim(y) == 1 else np.asarray(y, np.float64).mean(axis=0)
    win = max(1, int(sr * BODY_WINDOW_MS / 1000))
    usable = (y.size // win) * win
    levels = power_to_db(np.mean(y[:usable].reshape(-1, win) ** 2, axis=1))
    return float(np.median(levels))


def _peak_db(y) -> float:
    return float(amp_to_db(np.max(np.abs(y))))


def _kind(obj) -> str:
    return type(obj).__name__ if not isinstance(obj, type) else obj.__name__


def _not_a_compressor(answer, what: str, sidechain: bool = False) -> Feedback | None:
    """Feedback for an answer that is not a Compressor instance, or None if it is one."""
    if isinstance(answer, Compressor):
        return None
    if answer is Compressor:
        return wrong("that is the Compressor class itself, not a compressor with settings.",
                     f"create one: {what}")
    if isinstance(answer, Limiter):
        keyed = " (and it has no sidechain for the kick to drive)" if sidechain else ""
        return wrong("that is a Limiter: it only holds peaks at a ceiling, it cannot shape levels "
                     f"with a threshold and a ratio{keyed}.", f"use {what}")
    if isinstance(answer, Gate | Expander):
        return wrong(f"a {_kind(answer)} turns quiet parts down; here you need a compressor, which turns "
                     "loud parts down.", f"use {what}")
    return wrong(f"expected a Compressor, got {_kind(answer)} {answer!r:.60}.", f"write {what}")


# --------------------------------------------------------------------------- 1. even out the lead


def even_lead_report(compressor: Compressor) -> dict:
    """What ``compressor`` does to the clip-gained lead: the numbers :func:`check_even_lead` judges.

    The lead is the uneven lead of chorus 1 after :func:`clip_gain_fix` (the phrases already sit
    together). Returns a dict with ``note_range_before``/``note_range_after`` (the spread of the
    sung 100 ms slices' levels, 90th minus 10th percentile, dB), ``notes_low``/``notes_mid``/
    ``notes_high`` (10th, 50th and 90th percentile of those levels before, dBFS), ``loudest_gr``
    (95th percentile of the slices' gain reduction, dB), ``typical_gr`` (median), ``max_gr``
    (the most on any sample), ``phrases_after`` (LUFS), ``spread_after`` (dB between the loudest
    and quietest phrase), ``crest_loss`` (dB off the lead's crest factor), ``peak_after`` (dBFS)
    and ``loudness_change`` (LU).

    Lesson: not yet taught
    """
    y = clip_gained_lead()
    sr, start_bar = _session().sr, _lead_uneven()[2]
    result = compressor.process(y, sr)
    out, gr = result.audio, result.gain_reduction_db
    before, after = note_levels_db(y, sr), note_levels_db(out, sr)
    sung = before > before.max() - SUNG_RANGE_DB
    gr_slices = _slice_means(gr, sr)[: sung.size][sung]
    low, mid, high = np.percentile(before[sung], [10, 50, 90])
    phrases = phrase_loudness(out, sr, start_bar)
    return {
        "note_range_before": _spread(before[sung]),
        "note_range_after": _spread(after[sung]),
        "notes_low": float(low),
        "notes_mid": float(mid),
        "notes_high": float(high),
        "loudest_gr": float(np.percentile(gr_slices, 95)),
        "typical_gr": float(np.median(gr_slices)),
        "max_gr": float(np.max(gr)),
        "phrases_after": phrases,
        "spread_after": float(max(phrases) - min(phrases)),
        "crest_loss": float(meters.crest_factor_db(y) - meters.crest_factor_db(out)),
        "peak_after": _peak_db(out),
        "loudness_change": meters.integrated_loudness(out, sr) - meters.integrated_loudness(y, sr),
    }


def check_even_lead(compressor) -> Feedback:
    """Does ``compressor`` even out the clip-gained lead's notes, with a sensible amount of gain reduction?

    Clip gain has already brought the phrases together (:func:`clip_gained_lead`); the compressor
    looks after the notes. Right when the sung notes' spread (90th minus 10th percentile of their
    100 ms levels, about 6 dB) comes down to at most 4.5 dB while the loudest notes are turned
    down 3-8 dB (3-6 dB is usual on a vocal), with a ratio of at most 10:1, an attack of at least 1 ms, a release
    of at least 20 ms, no more than 3 dB off the crest factor, and no peak over 0 dBFS.

    Lesson: course/02-compression.ipynb
    """
    if is_unanswered(compressor):
        return unanswered("set lead_comp to a Compressor(...) for the clip-gained lead.")
    problem = _not_a_compressor(compressor, "Compressor(threshold_db=..., ratio=..., attack_ms=..., release_ms=...)")
    if problem is not None:
        return problem
    ratio, attack, release = compressor.ratio, compressor.attack_ms, compressor.release_ms
    if ratio > LEAD_MAX_RATIO:
        return wrong(f"ratio {ratio:g}:1 is limiting, not compressing: every loud note gets pinned to the "
                     "threshold and the line loses its shape.",
                     f"keep the ratio at {LEAD_MAX_RATIO:g}:1 or less; a vocal-like lead usually evens out with "
                     "3:1 to 6:1, so start at 4:1.")
    if attack < LEAD_MIN_ATTACK_MS:
        return wrong(f"an attack of {attack:g} ms clamps down on the very start of every note: the fronts "
                     "of the notes go dull and the waveform distorts.",
                     "give it 5-30 ms: the start of each note passes, the rest of the note is evened out.")
    if release < MIN_RELEASE_MS:
        return wrong(f"a release of {release:g} ms lets go between the cycles of the waveform: the gain "
                     "wobbles with the pitch, which you hear as distortion.",
                     "use 100-300 ms, so the gain follows the notes, not the wave.")
    try:
        report = even_lead_report(compressor)
    except ProducerkitError as exc:
        return wrong(f"the compressor could not process the lead: {exc}")
    loudest, before, after = report["loudest_gr"], report["note_range_before"], report["note_range_after"]
    change = report["loudness_change"]
    numbers = (f"the loudest notes are turned down {loudest:.1f} dB (typical {report['typical_gr']:.1f} dB), and "
               f"the notes now spread over {after:.1f} dB (they started at {before:.1f} dB)")
    notes = (f"the sung notes sit between about {report['notes_low']:.0f} and {report['notes_high']:.0f} dBFS "
             "in 100 ms slices")
    if loudest > LEAD_MAX_GR_DB:
        return wrong(f"{numbers}: evened out, but squashed. That much gain reduction flattens every note, and the "
                     f"lead comes out {-change:.0f} dB quieter; make that up and the breaths and noise come up too.",
                     f"raise the threshold to just under the louder notes ({notes}: try about "
                     f"{5 * round(report['notes_mid'] / 5):.0f} dBFS) or ease the ratio, for 3-6 dB on the "
                     "loudest notes.")
    gentle = round(loudest, 1) < LEAD_MIN_GR_DB
    if gentle or after > LEAD_MAX_NOTE_RANGE_DB:
        if loudest < LEAD_IDLE_GR_DB and compressor.mix >= 1 and ratio >= 2:
            return wrong(f"{numbers}: the compressor is hardly working. Your threshold "
                         f"({compressor.threshold_db:g} dBFS) sits above nearly all of the lead ({notes}), so it "
                         "only catches the odd peak.",
                         f"lower it into the notes, to about {5 * round(report['notes_mid'] / 5):.0f} dBFS, with a "
                         "ratio around 4:1.")
        if compressor.mix < 1:
            return wrong(f"{numbers}. With mix = {compressor.mix:g} the dry lead is blended back in, so the notes "
                         "stay nearly as uneven as they were.", "set mix=1.0 to even out a lead.")
        if ratio < 2:
            return wrong(f"{numbers}. At {ratio:g}:1 the compressor barely changes anything above the threshold.",
                         "raise the ratio to about 3:1 or 4:1.")
        if gentle:
            ratio_too = ", or raise the ratio a little" if ratio < 6 else ""
            return wrong(f"{numbers}: a start, but too gentle to even out a lead: the loudest notes need at least "
                         f"{LEAD_MIN_GR_DB:g} dB of gain reduction (3-6 dB is usual on a vocal).",
                         f"lower the threshold a couple of dB at a time ({notes}){ratio_too}, until the loudest "
                         "notes are turned down 3-6 dB.")
        return wrong(f"{numbers}: nearly, but still more than {LEAD_MAX_NOTE_RANGE_DB:g} dB.",
                     "lower the threshold a couple of dB or raise the ratio a little (4:1 to 6:1), for 3-6 dB "
                     "of gain reduction on the loudest notes.")
    if report["crest_loss"] > LEAD_MAX_CREST_LOSS_DB:
        return wrong(f"{numbers}; but the lead lost {report['crest_loss']:.1f} dB of crest factor: the "
                     "compressor is flattening the front of every note, not just evening the notes.",
                     "slow the attack (10-30 ms) so note starts pass, or ease the ratio.")
    if report["peak_after"] > 0.0:
        return wrong(f"{numbers}; but the makeup gain pushes peaks to {report['peak_after']:+.1f} dBFS: "
                     "they would clip.",
                     f"lower makeup_db by at least {report['peak_after']:.1f} dB.")
    level = (f"it is {-change:.0f} dB quieter overall: about that much makeup gain brings it back"
             if change < -1 else "its overall level is about where it was")
    return right(f"{numbers}. Clip gain set the phrases, the compressor evens the notes: every line reads at a "
                 "steady level, and the notes keep their shape.",
                 f"{level}; always compare before and after loudness-matched.")


# --------------------------------------------------------------------------- 2. parallel drums


def parallel_report(drum_bus) -> dict:
    """What ``drum_bus`` does to the drum excerpt: body and peak changes, crest factors (dB).

    Lesson: not yet taught
    """
    sr = _session().sr
    dry = drum_excerpt()
    out = np.asarray(drum_bus(dry, sr))
    body_up = body_level_db(out, sr) - body_level_db(dry, sr)
    peak_up = _peak_db(out) - _peak_db(dry)
    return {
        "body_up": body_up,
        "peak_up": peak_up,
        "lift": body_up - peak_up,
        "crest_before": meters.crest_factor_db(dry),
        "crest_after": meters.crest_factor_db(out),
        "loudness_up": meters.integrated_loudness(out, sr) - meters.integrated_loudness(dry, sr),
    }


def _has_compressor(processor) -> bool:
    if isinstance(processor, Compressor):
        return True
    try:
        return any(isinstance(p, Compressor) for p in processor)
    except TypeError:
        return False


def check_parallel(drum_bus) -> Feedback:
    """Is ``drum_bus`` a parallel compression that adds body to the drums and keeps their hits?

    Measured on the drum excerpt (chorus 1, bars 11–14): the body (median 10 ms level) must come up 3-9 dB
    more than the peaks, and the peaks must not come down (the dry path stays at full level).

    Lesson: course/02-compression.ipynb
    """
    if is_unanswered(drum_bus):
        return unanswered("set drum_bus to Parallel(squash, wet_db=...).")
    template = "Parallel(squash, wet_db=-6)"
    if isinstance(drum_bus, Compressor):
        return wrong("that is straight compression: the whole drum bus goes through the compressor, so the "
                     "hits get squashed too.", f"keep the dry drums and add the squashed copy under them: {template}")
    if isinstance(drum_bus, int | float) and not isinstance(drum_bus, bool):
        return wrong(f"{drum_bus!r} is a number; drum_bus is the whole parallel processor.",
                     f"write drum_bus = Parallel(squash, wet_db={drum_bus!r})")
    if not isinstance(drum_bus, Parallel):
        return wrong(f"expected a Parallel(...), got {_kind(drum_bus)}.", f"write drum_bus = {template}")
    if not _has_compressor(drum_bus.processor):
        return wrong(f"the parallel path holds {_kind(drum_bus.processor)}, not a compressor.",
                     f"put the heavy compressor in the parallel path: {template}")
    try:
        report = parallel_report(drum_bus)
    except ProducerkitError as exc:
        return wrong(f"the drum bus could not process the drums: {exc}")
    body, peak, lift = report["body_up"], report["peak_up"], report["lift"]
    numbers = (f"the body came up {body:+.1f} dB and the peaks {peak:+.1f} dB (crest factor "
               f"{report['crest_before']:.1f} -> {report['crest_after']:.1f} dB)")
    if peak < -PARALLEL_MAX_PEAK_DROP_DB:
        return wrong(f"{numbers}: the hits got quieter, so the dry drums are not at full level.",
                     "keep the dry path at unity (dry_db=0; don't use mix=1, which is all wet) and only "
                     "choose how loud the squashed copy is with wet_db.")
    if lift < PARALLEL_LIFT_DB[0]:
        return wrong(f"{numbers}: the squashed copy is too quiet (or not squashed enough) to thicken "
                     "anything; you would hardly hear the difference.",
                     "raise wet_db (try -9 to -3 dB), and keep the copy heavily compressed.")
    if lift > PARALLEL_LIFT_DB[1]:
        return wrong(f"{numbers}: the squashed copy dominates; the ghost notes, hats and room roar up and "
                     "the kit starts to sound like it was straight-compressed.",
                     "pull wet_db down by a few dB (around -6 dB is a good start).")
    return right(f"{numbers}: the hits keep their punch and the quieter parts between them come up. "
                 "That is parallel compression.",
                 "compare it loudness-matched with the dry drums: it sounds fuller, not just louder.")


# --------------------------------------------------------------------------- 3. sidechain ducking


def ducking_report(compressor: Compressor) -> dict:
    """How ``compressor`` keyed from the kick ducks the bass over chorus 1's first four bars (11–14).

    Returns ``depth`` (median over kick hits of the mean gain reduction in the 100 ms after each
    hit, dB), ``left`` (the most gain reduction left in the 20 ms before any next hit, dB),
    ``hits`` (how many hits were measured) and ``closest_ms`` (the shortest gap between hits).

    Lesson: course/02-compression.ipynb
    """
    sr = _session().sr
    kick, bass = excerpt("kick"), excerpt("bass")
    gr = compressor.process(bass, sr, sidechain=kick).gain_reduction_db
    hits = kick_hits(kick, sr)
    window, before = int(DUCK_WINDOW_MS * sr / 1000), int(DUCK_LEFT_WINDOW_MS * sr / 1000)
    hits = hits[hits + window <= len(kick)]
    depth = [float(gr[h : h + window].mean()) for h in hits]
    left = [float(gr[n - before : n].mean()) for n in hits[1:]]
    return {
        "depth": float(np.median(depth)),
        "depths": depth,
        "left": float(max(left)),
        "hits": len(hits),
        "closest_ms": float(np.diff(hits).min() * 1000 / sr),
    }


def check_ducking(compressor) -> Feedback:
    """Does ``compressor``, keyed from the kick, duck the bass 3-8 dB and let go before the next kick?

    Lesson: course/02-compression.ipynb
    """
    if is_unanswered(compressor):
        return unanswered("set duck to a Compressor(...) that the kick will drive.")
    template = "Compressor(threshold_db=..., ratio=..., attack_ms=..., release_ms=...)"
    problem = _not_a_compressor(compressor, template, sidechain=True)
    if problem is not None:
        return problem
    if compressor.release_ms < MIN_RELEASE_MS:
        return wrong(f"a release of {compressor.release_ms:g} ms follows each cycle of the kick's low "
                     "thump: the bass's level flutters at the kick's pitch, which sounds like distortion.",
                     "use a release of 50-150 ms.")
    try:
        report = ducking_report(compressor)
    except ProducerkitError as exc:
        return wrong(f"the compressor could not process the bass: {exc}")
    depth, left = report["depth"], report["left"]
    numbers = (f"on each kick the bass dips {depth:.1f} dB (median over {report['hits']} hits) and is at most "
               f"{left:.1f} dB down just before the next kick")
    if depth < DUCK_DEPTH_DB[0]:
        return wrong(f"{numbers}: too shallow, you will barely hear the kick punch through.",
                     "lower the threshold (the kick peaks near -4 dBFS and its body falls through -10 to "
                     "-25 dBFS), e.g. -20 dBFS, or raise the ratio to about 4:1.")
    slow = left > DUCK_MAX_LEFT_DB
    if depth > DUCK_DEPTH_DB[1] and not (slow and compressor.release_ms > 150):
        return wrong(f"{numbers}: too deep, the bass drops out on every kick and the low end pumps.",
                     "raise the threshold or lower the ratio: aim for a 3-8 dB dip.")
    if slow:
        return wrong(f"{numbers}: the release is too slow, so the bass never fully comes back before the "
                     f"next kick (the closest kicks are {report['closest_ms']:.0f} ms apart; a beat at 100 BPM "
                     "is 600 ms) and the whole bass line sits lower.",
                     "shorten the release to 50-150 ms.")
    return right(f"{numbers}: the kick punches through and the bass swells back in between. Classic ducking.",
                 "listen for it on the loop: subtle is good, you should feel it more than hear it.")


# --------------------------------------------------------------------------- 4. limiter or compressor


def _tool(answer) -> str | None:
    if not isinstance(answer, str):
        return None
    word = answer.strip().lower()
    if word in ("limiter", "limit", "l"):
        return "limiter"
    if word in ("compressor", "compress", "comp", "c"):
        return "compressor"
    return None


def check_limiter_or_compressor(answers) -> Feedback:
    """For each scenario in LIMITER_OR_COMPRESSOR, is the answer "limiter" or "compressor" right?

    ``answers`` maps each scenario's letter to ``"limiter"`` or ``"compressor"``.

    Lesson: course/02-compression.ipynb
    """
    if is_unanswered(answers):
        return unanswered('map each letter to "limiter" or "compressor".')
    if not isinstance(answers, dict):
        return wrong(f"expected a dict such as {{'a': 'limiter', 'b': 'compressor', ...}}, got {_kind(answers)}.")
    given = {str(k).strip().lower(): v for k, v in answers.items()}
    unknown = sorted(set(given) - set(LIMITER_OR_COMPRESSOR))
    if unknown:
        return wrong(f"there is no scenario {', '.join(map(repr, unknown))}; the letters are "
                     f"{', '.join(LIMITER_OR_COMPRESSOR)}.")
    missing = [k for k in LIMITER_OR_COMPRESSOR if is_unanswered(given.get(k))]
    if len(missing) == len(LIMITER_OR_COMPRESSOR):
        return unanswered('map each letter to "limiter" or "compressor".')
    unclear = [k for k in LIMITER_OR_COMPRESSOR if k not in missing and _tool(given[k]) is None]
    if unclear:
        return wrong(f"answer {', '.join(unclear)} with the word \"limiter\" or \"compressor\" "
                     f"(got {', '.join(repr(given[k]) for k in unclear)}).")
    wrong_ones = [k for k, (_, tool, _) in LIMITER_OR_COMPRESSOR.items()
                  if k not in missing and _tool(given[k]) != tool]
    if wrong_ones:
        k = wrong_ones[0]
        more = f" ({len(wrong_ones) - 1} more to rethink)" if len(wrong_ones) > 1 else ""
        return wrong(f"{k}) calls for a {LIMITER_OR_COMPRESSOR[k][1]}: {LIMITER_OR_COMPRESSOR[k][2]}{more}",
                     f"rethink {', '.join(wrong_ones)}: is it about a hard ceiling on peaks (limiter) or "
                     "about shaping level over time (compressor)?")
    if missing:
        return wrong(f"so far so good, but {', '.join(missing)} still need an answer.", "fill them in.")
    return right("all five right: a limiter is a ceiling for peaks; a compressor shapes level, tone and groove.")
