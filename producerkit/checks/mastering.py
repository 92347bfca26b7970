"""Checkers for lesson 10, mastering and delivery: normalisation, a master for a platform, QC and the delivery files.

Lesson: course/10-mastering.ipynb
"""

from __future__ import annotations

import math

from ._feedback import Feedback, as_number, is_unanswered, right, unanswered, wrong

#: How close a master's loudness must be to the platform's (LU), as mastering engineers deliver.
MASTER_TOLERANCE_LU = 0.5
#: How close a normalisation gain must be (dB).
GAIN_TOLERANCE_DB = 0.5

# --------------------------------------------------------------------------- exercise: the turn-down


def check_turn_down(answer, master_lufs, target="apple") -> Feedback:
    """How many dB a platform turns a loud master down: its reference minus the master's loudness.

    ``answer`` is the turn-down in dB (8 means "8 dB quieter"; -8, the gain, is accepted too);
    ``master_lufs`` the master's integrated loudness; ``target`` the platform.

    Lesson: course/10-mastering.ipynb
    """
    from ..master import get_target

    if is_unanswered(answer):
        return unanswered("how many dB the platform turns the master down")
    value = as_number(answer)
    if value is None:
        return wrong(f"give one number of dB (got {answer!r}).", "e.g. turn_down_db = 3.5")
    platform = get_target(target)
    down = float(master_lufs) - platform.integrated_lufs
    if down <= 0:
        return wrong(f"this master ({master_lufs:.1f} LUFS) is not louder than {platform.name}'s "
                     f"{platform.integrated_lufs:g} LUFS: nothing is turned down.")
    if abs(abs(value) - down) <= GAIN_TOLERANCE_DB:
        as_gain = f" (as a gain, {-down:+.1f} dB)" if value < 0 else ""
        return right(f"{platform.name} plays at {platform.integrated_lufs:g} LUFS, so a {master_lufs:.1f} LUFS master "
                     f"is turned down {down:.1f} dB{as_gain}. All the loudness the limiter bought is given back; "
                     "the squashed peaks stay squashed.")
    for other in ("spotify", "youtube"):
        other_down = float(master_lufs) - get_target(other).integrated_lufs
        if abs(abs(value) - other_down) <= GAIN_TOLERANCE_DB and abs(other_down - down) > GAIN_TOLERANCE_DB:
            return wrong(f"{abs(value):g} dB is what a -14 LUFS platform does; {platform.name} plays at "
                         f"{platform.integrated_lufs:g} LUFS.",
                         f"subtract {platform.name}'s reference from the master's loudness: "
                         f"{master_lufs:.1f} - ({platform.integrated_lufs:g}).")
    if abs(abs(value) - down) <= 2.0:
        return wrong(f"close, but {abs(value):g} dB is off by {abs(abs(value) - down):.1f} dB.",
                     f"the turn-down is {master_lufs:.1f} - ({platform.integrated_lufs:g}): the master's loudness "
                     f"minus {platform.name}'s reference.")
    return wrong(f"{abs(value):g} dB is not it: the turn-down is the master's loudness minus the platform's "
                 "reference.",
                 f"the master reads {master_lufs:.1f} LUFS; look {platform.name} up in the targets table.")


# --------------------------------------------------------------------------- exercise: master for a platform


def check_platform_master(answer, sr=None, target="amazon") -> Feedback:
    """Is the master within ±0.5 LU of the platform's loudness and under its true-peak ceiling?

    ``answer`` is what :func:`producerkit.master.master` returns, ``(audio, report)``, or the audio
    alone. With the report, the limiter's ceiling you set must be at or under the platform's too.

    Lesson: course/10-mastering.ipynb
    """
    from .. import meters
    from ..audio import check_sr, ensure_audio
    from ..errors import ProducerkitError
    from ..master import get_target

    report = None
    if isinstance(answer, tuple) and len(answer) == 2 and hasattr(answer[1], "ceiling_dbtp"):
        answer, report = answer
    if is_unanswered(answer):
        return unanswered("your master (the pair master() returns)")
    platform = get_target(target)
    if sr is None:
        return wrong("give the sample rate too: check_platform_master(my_master, sr).")
    try:
        sr = check_sr(sr)
        y = ensure_audio(answer, allow_transposed=True)
    except ProducerkitError as exc:
        return wrong(f"that is not audio: {exc}", "keep what master() returns: audio, report = master(...).")
    if y.shape[-1] < int(0.4 * sr):
        return wrong("the master is shorter than 400 ms: too short to measure.", "master the whole mix.")
    lufs, tp = float(meters.integrated_loudness(y, sr)), float(meters.true_peak(y, sr))
    if not math.isfinite(lufs) or lufs <= -70:
        return wrong("the master is silent: nothing to deliver.", "master the mix, not an empty array.")
    ref, ceiling, name = platform.integrated_lufs, platform.true_peak_dbtp, platform.name
    off = lufs - ref
    loud_hint = f"set target_lufs to {name}'s LUFS from the table."
    peak_hint = f"set ceiling_dbtp to {name}'s max dBTP from the table."
    if abs(off) > MASTER_TOLERANCE_LU:
        how = "loud" if off > 0 else "quiet"
        near = "close: " if abs(off) <= 1.5 else ""
        return wrong(f"{near}{lufs:.1f} LUFS is {abs(off):.1f} LU too {how} for {name} ({ref:g} LUFS, "
                     f"±{MASTER_TOLERANCE_LU:g} LU).", loud_hint)
    if tp > ceiling + 1e-6:
        return wrong(f"the loudness is right ({lufs:.1f} LUFS), but the true peak is {tp:.2f} dBTP, over {name}'s "
                     f"{ceiling:g} dBTP: its encoder may clip.", peak_hint)
    if report is not None and report.ceiling_dbtp > ceiling + 1e-6:
        return wrong(f"it measures right ({lufs:.1f} LUFS, {tp:.2f} dBTP), but you set the ceiling at "
                     f"{report.ceiling_dbtp:g} dBTP; {name} asks for {ceiling:g}, and a louder song would go over.",
                     peak_hint)
    return right(f"{lufs:.1f} LUFS ({round(off, 1) + 0.0:+.1f} LU) with the true peak at {tp:.2f} dBTP, under {name}'s "
                 f"{ceiling:g} dBTP: ready for {name}.")


# --------------------------------------------------------------------------- exercise: a failing QC line

#: The fixes to choose from for a failing QC line, by letter.
QC_FIXES = {
    "a": "turn the finished master down by 0.5 dB",
    "b": "limit in true-peak mode (4x oversampled), with the ceiling at the figure the report asks for",
    "c": "add a high-pass filter at 30 Hz",
    "d": "export at 16-bit instead of 24-bit",
    "e": "export at 96 kHz so the peaks between samples become samples",
}
#: The right fix for each QC line the exercise can show failing.
_RIGHT_FIX = {"true peak": "b", "DC offset": "c"}
_WHY_NOT = {
    "a": "half a dB down leaves the true peak over the ceiling the report asks for",
    "b": "it keeps the peaks between the samples under the ceiling",
    "c": "a high-pass removes DC offset and rumble, not peaks",
    "d": "bit depth sets the noise floor, not the peak level",
    "e": "the DAC and the encoder still reconstruct the same wave: the overs stay, only the file grows",
}


def _qc_parts(answer) -> tuple[str | None, str | None]:
    if isinstance(answer, dict):
        return answer.get("line"), answer.get("fix")
    if isinstance(answer, tuple | list) and len(answer) == 2:
        return answer[0], answer[1]
    return None, None


def check_qc_failure(answer, report) -> Feedback:
    """Name the QC report's failing line and pick its fix from :data:`QC_FIXES`: ``("true peak", "b")``.

    ``report`` is the :class:`producerkit.master.QCReport` the lesson shows.

    Lesson: course/10-mastering.ipynb
    """
    if is_unanswered(answer):
        return unanswered("the failing line's name and the letter of its fix, e.g. (\"LRA\", \"a\")")
    line, fix = _qc_parts(answer)
    if is_unanswered(line) or is_unanswered(fix):
        return wrong("give two things: the failing line's name, as the report writes it, and a letter from the "
                     "list of fixes.", 'e.g. qc_answer = ("LRA", "a")')
    failing = [f.subject for f in report.failures]
    if not failing:
        return wrong("this report has no failing line; run the cells above again.")
    named = next((f.subject for f in report if str(line).strip().lower() == f.subject.lower()), None)
    fix = str(fix).strip().lower().strip("()")
    if fix not in QC_FIXES:
        return wrong(f"{fix!r} is not one of the fixes; choose a letter from {', '.join(QC_FIXES)}.")
    target = failing[0]
    right_fix = _RIGHT_FIX.get(target)
    if named is None:
        return wrong(f"the report has no line called {line!r}.", "copy the name from the report's first column.")
    if named != target:
        status = report[named].status.upper()
        return wrong(f"'{named}' is a {status} line, not the one that fails: look for FAIL.",
                     f"the failing line reads {report[target].measured} against {report[target].expected}.")
    if fix != right_fix:
        return wrong(f"right line, '{target}'; but ({fix}) {QC_FIXES[fix]} will not fix it: {_WHY_NOT[fix]}.",
                     "what catches a peak that falls between two samples?")
    return right(f"'{target}' fails ({report[target].measured}, expected {report[target].expected}), and "
                 f"({fix}) {QC_FIXES[fix]} fixes it: {_WHY_NOT[fix]}.")


# --------------------------------------------------------------------------- exercise: the delivery files

#: The brief the delivery exercise answers.
DELIVERY_BRIEF = (
    "Paper Lanterns is released as a single on the streaming services, through a distributor, and on the "
    "label's CD compilation. The distributor asks for a lossless master at the session's sample rate "
    "(44.1 kHz), 24-bit. The CD plant needs 16-bit, 44.1 kHz, dithered. Pick the files to send."
)

#: The files on the mastering engineer's drive: letter -> (file name, what it is).
DELIVERY_FILES = {
    "A": ("Paper Lanterns - master - 24-bit 44.1 kHz.wav", "the master, WAV, 24-bit, 44.1 kHz, -14 LUFS, -1 dBTP"),
    "B": ("Paper Lanterns - master - 16-bit 44.1 kHz.wav", "A reduced to 16-bit with dither"),
    "C": ("Paper Lanterns - master - 320 kbps.mp3", "A encoded to MP3 at 320 kbps"),
    "D": ("Paper Lanterns - master - 24-bit 96 kHz.wav", "A resampled up to 96 kHz"),
    "E": ("Paper Lanterns - mix - 24-bit 44.1 kHz.wav", "the mix before mastering, peaking at -4 dBFS"),
    "F": ("Paper Lanterns - master - 16-bit 44.1 kHz (truncated).wav", "A cut to 16-bit without dither"),
    "G": ("final_FINAL_v2.wav", "the same audio as A"),
}
_DELIVERY_RIGHT = {"A": "the distributor's 24-bit lossless master at the session's rate",
                   "B": "the CD's 16-bit file, dithered"}
_DELIVERY_WRONG = {
    "C": "an MP3 is lossy: platforms encode from lossless, and a second encode adds artefacts",
    "D": "resampling 44.1 kHz up to 96 kHz adds no detail; send the session's rate",
    "E": "the unmastered mix goes to the mastering engineer, not to the distributor",
    "F": "cutting to 16 bits without dither turns quiet fades and reverb tails into distortion",
    "G": "the same audio as A under a name nobody can read: title, version and format belong in the name",
}


def check_delivery_files(answer) -> Feedback:
    """Pick the letters of the files :data:`DELIVERY_BRIEF` asks for from :data:`DELIVERY_FILES`: ``["A", "C"]``.

    Lesson: course/10-mastering.ipynb
    """
    if is_unanswered(answer):
        return unanswered("the letters of the files to send, e.g. [\"A\", \"C\"]")
    if isinstance(answer, str):
        answer = [c for c in answer.replace(",", " ").split()] if len(answer) > 1 else [answer]
    if not isinstance(answer, list | tuple | set):
        return wrong(f"give a list of letters (got {answer!r}).", 'e.g. delivery = ["A", "C"]')
    picked = {str(x).strip().upper() for x in answer}
    unknown = sorted(picked - set(DELIVERY_FILES))
    if unknown:
        return wrong(f"there is no file {', '.join(unknown)}; the letters run from A to "
                     f"{max(DELIVERY_FILES)}.")
    extra = sorted(picked - set(_DELIVERY_RIGHT))
    missing = sorted(set(_DELIVERY_RIGHT) - picked)
    if not extra and not missing:
        return right("A for the distributor (lossless, 24-bit, the session's 44.1 kHz) and B for the CD (16-bit, "
                     "dithered), each named so anyone can tell what it is.")
    problems = [f"{x}: {_DELIVERY_WRONG[x]}" for x in extra]
    problems += [f"{x} is missing: {_DELIVERY_RIGHT[x]}" for x in missing]
    near = "close: " if len(extra) + len(missing) == 1 else ""
    return wrong(near + "; ".join(problems) + ".",
                 "one file per destination in the brief: what does the distributor ask for, and the CD plant?")
