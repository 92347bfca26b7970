"""Checkers for the capstone: every stage of Paper Lanterns, from the demo to the delivered master.

Each stage has a check: the demo's parts, the arrangement's lift into the chorus, the tuning, the hum's
frequency, the lead's place in the mix, the mix's headroom, the platform's loudness target, and last the
one that matters: QC passes on the master file the student delivered.

Lesson: course/12-capstone.ipynb
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import ProducerkitError
from ._feedback import Feedback, as_number, is_unanswered, right, unanswered, wrong

__all__ = [
    "check_arrangement_lift",
    "check_delivered_master",
    "check_demo_layers",
    "check_hum_frequency",
    "check_lead_fader",
    "check_mix_headroom",
    "check_platform_target",
    "check_release_report",
    "check_tuning_cents",
]

_HARMONY = ("keys", "guitar", "pad")
_DRUMS = ("kick", "snare", "overheads")
#: A demo of more than this many parts is an arrangement already.
DEMO_MAX_LAYERS = 3


def _session(session):
    if session is None:
        from ..datasets import shared_session

        return shared_session()
    return session


def _number(value, *units: str):
    """``as_number``, also for text with a trailing unit: "50 Hz", "-4 dB", "-14 LUFS", "+31 cents"."""
    if isinstance(value, str):
        text = value.strip()
        for unit in units:
            if text.lower().endswith(unit.lower()):
                text = text[: -len(unit)].strip()
                break
        value = text.replace("−", "-")
    return as_number(value)


def _db(x: float) -> str:
    return f"{x:+.1f}".replace("-", "−")


# --------------------------------------------------------------------------- 1 the demo


def check_demo_layers(layers, session=None) -> Feedback:
    """Which parts make the demo? The song in its smallest form: the tune and one part that carries the chords.

    Lesson: course/12-capstone.ipynb
    """
    if is_unanswered(layers):
        return unanswered("a list of the stems the demo keeps, e.g. ['...', '...']")
    if isinstance(layers, str):
        layers = [layers]
    if not isinstance(layers, list | tuple) or not all(isinstance(x, str) for x in layers):
        return wrong(f"give a list of stem names (got {layers!r}).", "for example ['keys', 'lead'].")
    stems = list(_session(session).stems)
    unknown = [x for x in layers if x not in stems]
    if unknown:
        return wrong(f"{', '.join(unknown)}: not stems of the song.", f"the stems are {', '.join(stems)}.")
    harmony = [x for x in layers if x in _HARMONY]
    if "lead" not in layers and not harmony:
        return wrong(f"{' and '.join(layers)} is a groove with no song in it: a demo is the tune and its chords.",
                     "keep the lead (the melody) and one part that plays the chords.")
    if "lead" not in layers:
        return wrong("chords with no tune: the artist needs to hear the melody above all.", "add the lead.")
    if not harmony:
        return wrong("a melody alone leaves the chords to the listener's imagination.",
                     f"add one part that plays the chords: {', '.join(_HARMONY)}.")
    if len(layers) > DEMO_MAX_LAYERS:
        return wrong(f"{len(layers)} parts is the arrangement already; a demo is a sketch.",
                     f"keep the lead and one chord part, {DEMO_MAX_LAYERS} parts at most.")
    smaller = "" if len(layers) <= 2 else f" {' + '.join(['lead', harmony[0]])} alone would do too."
    return right(f"{' + '.join(layers)}: the song in its smallest form. If it works like this, the arrangement "
                 f"can only make it better; if it does not, no mix will save it.{smaller}")


# --------------------------------------------------------------------------- 2 the arrangement


def arrangement_lift(edits, session=None) -> float:
    """How many LU louder the first chorus lands than the verse, in the capstone's excerpt after ``edits``.

    Lesson: course/12-capstone.ipynb
    """
    import json

    from ..capstone import apply_edits, excerpt_arrangement

    session = _session(session)
    try:
        key = (id(session), json.dumps(edits or [], sort_keys=True))
    except (TypeError, ValueError):
        key = None
    if key is not None and key in _LIFTS and _LIFTS[key][0] is session:  # the check and the stage cell ask twice
        return _LIFTS[key][1]
    arr = apply_edits(excerpt_arrangement(session), edits or [])
    energy = {}
    for e in arr.energy(session):
        energy.setdefault(e.name, e.loudness_lufs)
    if "verse" not in energy or "chorus" not in energy:
        raise ProducerkitError("the excerpt needs its verse and its chorus: the edits removed one.")
    lift = float(energy["chorus"] - energy["verse"])
    if key is not None:
        if len(_LIFTS) > 64:
            _LIFTS.clear()
        _LIFTS[key] = (session, lift)
    return lift


#: Lifts already measured, by (session, edits): the session is kept so an id is never reused for another.
_LIFTS: dict = {}


def check_arrangement_lift(edits, session=None, lift_lu: float | None = None) -> Feedback:
    """Do the arrangement edits make the chorus land at least :data:`CHORUS_LIFT_LU` louder than the verse?

    Lesson: course/12-capstone.ipynb
    """
    from ..capstone import CHORUS_LIFT_LU

    need = CHORUS_LIFT_LU if lift_lu is None else lift_lu
    if is_unanswered(edits):
        return unanswered("a list of arrangement edits, e.g. [['mute', '...', 'verse']]")
    try:
        lift = arrangement_lift(edits, session)
    except ProducerkitError as exc:
        return wrong(str(exc), "write each edit as ['mute', layer, section], ['build_up', section, bars] or "
                     "['drop', section, bars].")
    edits = [list(e) for e in edits]
    chorus_mutes = [e[1] for e in edits if e[0] == "mute" and len(e) == 3 and e[2] == "chorus"]
    lead_muted = any(e[0] == "mute" and len(e) == 3 and e[1] == "lead" and e[2] == "verse" for e in edits)
    shapes_only = bool(edits) and all(e[0] in ("drop", "build_up") for e in edits)
    if lead_muted:
        return wrong(f"the chorus lands {lift:.1f} LU above the verse, but the verse has lost its lead: the lead is "
                     "the song.", "keep the lead in the verse; take out a part that only supports it.")
    if lift >= need:
        return right(f"the chorus now lands {lift:.1f} LU above the verse (at least {need:g}): the listener feels "
                     "it arrive. Taking parts out of the verse is the cheapest lift there is.")
    if chorus_mutes:
        return wrong(f"the chorus is only {lift:.1f} LU above the verse: muting {', '.join(chorus_mutes)} in the "
                     "chorus lowers the chorus.", "mute in the verse instead, so the chorus brings the part back.")
    if shapes_only:
        return wrong(f"the chorus is only {lift:.1f} LU above the verse: a drop or a build-up makes the chorus feel "
                     "bigger, but it is a bar or two; the verse's level is what the lift measures.",
                     "take a part out of the verse (a mute), e.g. one the chorus can bring back.")
    if lift > 0:
        return wrong(f"the chorus is only {lift:.1f} LU above the verse; it should land at least {need:g} LU above.",
                     "take one more part out of the verse (a mute): the bigger the part, the bigger the lift.")
    return wrong(f"the chorus is {-lift:.1f} LU quieter than the verse: it falls in instead of lifting.",
                 "mute parts in the verse, not in the chorus.")


# --------------------------------------------------------------------------- 3 the lead: tuning


def check_tuning_cents(cents, measured_cents: float) -> Feedback:
    """The correction, in cents, that brings a phrase measured ``measured_cents`` off its notes back in tune.

    Lesson: course/12-capstone.ipynb
    """
    from ..capstone import IN_TUNE_CENTS

    if is_unanswered(cents):
        return unanswered("how many cents to shift the flat phrase by")
    value = _number(cents, "cents", "cent")
    if value is None:
        return wrong(f"{cents!r} is not a number of cents.", "write a number, e.g. 20 (up) or -20 (down).")
    after = measured_cents + value
    if abs(after) <= IN_TUNE_CENTS:
        return right(f"{value:+g} cents brings the phrase to about {after:+.0f} cents off its notes (as measured "
                     f"before tuning; the retuned notes measure within a few cents of that), within "
                     f"{IN_TUNE_CENTS:g}: in tune. Correct by what you measured, no more; a singer's natural "
                     "slides stay.")
    if abs(value) < 1 and abs(value * 100 + measured_cents) <= IN_TUNE_CENTS:
        return wrong(f"{value:g} looks like semitones; tuning is measured in cents (100 to a semitone).",
                     f"write {value * 100:+g}.")
    if np.sign(value) == np.sign(measured_cents) and value:
        return wrong(f"the phrase is {abs(measured_cents):.0f} cents {'flat' if measured_cents < 0 else 'sharp'}; "
                     f"{value:+g} moves it further the same way, to {after:+.0f} cents.",
                     "shift the other way: up for a flat phrase, down for a sharp one.")
    return wrong(f"{value:+g} cents leaves the phrase {after:+.1f} cents off (in tune is within "
                 f"{IN_TUNE_CENTS:g}).", "shift by the whole amount you measured, the other way round: the "
                 "printed average with its sign flipped.")


# --------------------------------------------------------------------------- 4 the hum


def check_hum_frequency(hz, session=None) -> Feedback:
    """Which mains frequency is humming under take 2? Read it off the spectrum.

    Lesson: course/12-capstone.ipynb
    """
    from ..capstone import HUM_VARIANT

    if is_unanswered(hz):
        return unanswered("the hum's frequency in Hz")
    value = _number(hz, "Hz")
    if value is None:
        return wrong(f"{hz!r} is not a frequency.", "write a number of Hz, e.g. 120.")
    truth = float(_session(session).problem(HUM_VARIANT).freq)
    if math.isclose(value, truth, abs_tol=1.0):
        return right(f"{truth:g} Hz: mains hum from a ground loop, with its harmonics at {2 * truth:g} and "
                     f"{3 * truth:g} Hz. Notch it at {truth:g} Hz and its harmonics; a high-pass would thin the voice.")
    if any(math.isclose(value, k * truth, abs_tol=1.0) for k in (2, 3, 4)):
        return wrong(f"{value:g} Hz is one of the hum's harmonics, not where it starts.",
                     "find the lowest of the evenly spaced spikes: the others are its multiples.")
    if value in (50, 60):
        return wrong(f"{value:g} Hz is the other mains frequency (Europe and the UK run at 50 Hz, North America at "
                     "60 Hz); the spectrum says which one this studio has.", "look for the lowest spike.")
    if any(abs(value - mains) <= 0.1 * mains for mains in (50, 60)):
        return wrong(f"close: {value:g} Hz is where the lowest spike is drawn, but mains hum sits exactly on the mains "
                     "frequency, 50 Hz (UK, Europe) or 60 Hz (North America).", "which is nearest?")
    return wrong(f"there is no hum at {value:g} Hz.", "look for the lowest of the evenly spaced spikes, below 200 Hz.")


# --------------------------------------------------------------------------- 5 the mix


def lead_against_band_lu(mixer, lead_db: float | None = None) -> float:
    """The lead's loudness minus the rest of the band's (LU) in ``mixer``, with the lead's fader at ``lead_db``.

    Lesson: not yet taught
    """
    from .. import meters

    stems = mixer.stems()
    if "lead" not in stems:
        raise ProducerkitError("the mix has no audible track called 'lead'.")
    rest = sum(y for name, y in stems.items() if name != "lead")
    shift = 0.0 if lead_db is None else float(lead_db) - float(mixer.track("lead").gain_db)
    return float(meters.integrated_loudness(stems["lead"], mixer.sr) + shift
                 - meters.integrated_loudness(rest, mixer.sr))


def check_lead_fader(lead_db, mixer) -> Feedback:
    """Where does the lead's fader go, in dB, so the lead sits on top of the band without floating over it?

    ``mixer`` is the capstone's mix; only the lead's fader changes. Right when the lead's loudness minus
    the band's is inside lesson 04's range (:data:`producerkit.checks.workflow.LEAD_RANGE_LU`).

    Lesson: course/12-capstone.ipynb
    """
    from .workflow import LEAD_RANGE_LU

    if is_unanswered(lead_db):
        return unanswered("the lead's fader in dB")
    value = _number(lead_db, "dB")
    if value is None or not -60 <= value <= 12:
        return wrong(f"{lead_db!r} is not a fader position.", "write a number of dB between -60 and +12, e.g. -6.")
    rel = lead_against_band_lu(mixer, value)
    low, high = LEAD_RANGE_LU
    if low <= rel <= high:
        return right(f"at {_db(value)} dB the lead sits {rel:+.1f} LU against the band: on top, every word clear, "
                     "still part of the record.")
    if rel < low:
        return wrong(f"at {_db(value)} dB the lead is buried {-rel:.1f} LU under the band "
                     f"(it should sit between {-low:g} LU under and {high:g} LU over).",
                     f"push it up about {low - rel + 1:.0f} dB.")
    return wrong(f"at {_db(value)} dB the lead floats {rel:.1f} LU over the band, like karaoke "
                 f"(at most {high:g} LU over).", f"pull it down about {rel - high + 1:.0f} dB.")


def check_mix_headroom(mix) -> Feedback:
    """Does the mix leave mastering its headroom: peaks at or below -3 dBFS, never over full scale?

    Lesson: course/12-capstone.ipynb
    """
    from ..mix import PEAK_MAX_DBFS

    if is_unanswered(mix) or (isinstance(mix, np.ndarray) and mix.size == 0):
        return unanswered("the rendered mix")
    try:
        y = np.asarray(mix, dtype=np.float64)
    except (TypeError, ValueError):
        return wrong(f"give the rendered mix, an array of samples (got {type(mix).__name__}).")
    if not np.all(np.isfinite(y)):
        return wrong("the mix holds NaN or infinite samples: something upstream blew up.")
    peak = float(20 * np.log10(max(float(np.max(np.abs(y))), 1e-12)))
    if peak <= PEAK_MAX_DBFS:
        return right(f"the mix peaks at {_db(peak)} dBFS: headroom for the mastering engineer to work in.")
    if peak <= 0:
        return wrong(f"the mix peaks at {_db(peak)} dBFS: no clipping, but too little headroom for mastering "
                     f"(peaks at {PEAK_MAX_DBFS:g} dBFS or below).",
                     f"pull every fader down {peak - PEAK_MAX_DBFS:.1f} dB: keep the balance, lose the level.")
    return wrong(f"the mix peaks at {_db(peak)} dBFS, over full scale: it clips.",
                 f"pull every fader down {peak - PEAK_MAX_DBFS:.1f} dB or more.")


# --------------------------------------------------------------------------- 6 the master


def check_platform_target(target_lufs, platform) -> Feedback:
    """What loudness does ``platform`` play music at (LUFS)? Mastering aims there.

    Lesson: course/12-capstone.ipynb
    """
    from ..master import PLATFORM_TARGETS, get_target

    if is_unanswered(platform):
        return unanswered("a platform from the table, and its loudness in LUFS")
    try:
        target = get_target(platform)
    except ProducerkitError:
        return wrong(f"{platform!r} is not a platform in mastering.targets().",
                     f"choose one of its keys: {', '.join(PLATFORM_TARGETS)}.")
    if is_unanswered(target_lufs):
        return unanswered(f"{target.name}'s loudness in LUFS")
    value = _number(target_lufs, "LUFS")
    if value is None:
        return wrong(f"{target_lufs!r} is not a loudness.", "write a number of LUFS, e.g. -16.")
    truth = target.integrated_lufs
    if abs(value - truth) <= 0.5:
        return right(f"{truth:g} LUFS, true peak at most {target.true_peak_dbtp:g} dBTP: {target.name}'s target. "
                     "Master there and the platform plays your record as you made it.")
    if abs(-value - truth) <= 0.5:
        return wrong(f"{value:g}: loudness in LUFS is below zero (full scale is 0).", f"write {-value:g}.")
    other = next((t for t in PLATFORM_TARGETS.values() if abs(t.integrated_lufs - value) <= 0.5), None)
    if other is not None:
        return wrong(f"{value:g} LUFS is {other.name}'s target, not {target.name}'s.",
                     f"look up {target.name} in mastering.targets().")
    return wrong(f"{value:g} LUFS is not {target.name}'s target.", f"look up {target.name} in mastering.targets().")


# --------------------------------------------------------------------------- 7 delivery


def check_delivered_master(path, platform) -> Feedback:
    """The final check: does the master file you delivered pass QC for ``platform``? Read from disk.

    Lesson: course/12-capstone.ipynb
    """
    from ..audio import load
    from ..master import qc

    if path is None:
        return wrong("nothing was delivered: QC failed, and a master that fails QC is not delivered.",
                     "read the QC table above, fix what it names and run the cells again.")
    if is_unanswered(path):
        return unanswered("the delivered master file (QC has to pass before a file is delivered)")
    path = Path(path)
    if not path.is_file():
        return wrong(f"there is no file at {path}.", "run the delivery cell: it writes the master once QC passes.")
    try:
        y, sr = load(path)
        import soundfile as sf

        info = sf.info(str(path))
        report = qc(y, sr, target=platform, file_info=info)
    except ProducerkitError as exc:
        return wrong(f"{path.name} could not be checked: {exc}")
    if report.passed:
        warned = f" ({len(report.warnings)} warning(s) to read)" if report.warnings else ""
        return right(f"{path.name} passes QC for {report.target.name}{warned}. Delivered: that is the producer's "
                     "last signature on the record.")
    first = report.failures[0]
    return wrong(f"{path.name} fails QC for {report.target.name}: {first.subject} measured {first.measured}, "
                 f"expected {first.expected}.", first.message)


def check_release_report(path) -> Feedback:
    """Is the release report written and complete: the plan, the budget, the loudness, QC and the A/B?

    Lesson: course/12-capstone.ipynb
    """
    if is_unanswered(path):
        return unanswered("the release report's file")
    path = Path(path)
    if not path.is_file():
        return wrong(f"there is no report at {path}.", "run the report cell.")
    text = path.read_text(encoding="utf-8", errors="replace")
    parts = {"the plan": "The plan", "the budget": "Budget", "the loudness": "Loudness, before and after",
             "the QC result": "QC:", "the A/B": "<audio"}
    missing = [name for name, marker in parts.items() if marker not in text]
    if missing:
        return wrong(f"the report is missing {', '.join(missing)}.", "build it again with capstone.release_report.")
    if text.count("<audio") < 2:
        return wrong("the A/B needs both sides: the demo and the master.")
    return right(f"{path.name}: one page with the plan, the money, the loudness, QC and the A/B. Send it with the "
                 "files; it answers the label's questions before they ask.")
