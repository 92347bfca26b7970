"""The capstone: Paper Lanterns from demo to delivery, one decision at a time, saved as you go.

A :class:`CapstoneProject` is the student's project file (``paper-lanterns-capstone.json`` in
:func:`producerkit.course.work_folder`). Every decision (the demo's layers, the arrangement edits, the
comp, the tuning, the hum notch, the mix, the platform, the delivered files) is written to it atomically
the moment it is made, so a restarted kernel, or a student back next week, picks up where they stopped.
A file that cannot be read is moved aside to a ``.bak`` name, never overwritten, and the error says so.

The audio stages are plain functions of the session and those decisions (:func:`demo`, :func:`arranged_stems`,
:func:`recorded_takes`, :func:`comp_lead`, :func:`mixdown`, :func:`premaster`), so the same decisions always
give the same sound. The lesson works on an excerpt (:data:`EXCERPT_BARS`: verse 1 and the first half of
chorus 1) to stay quick; the code takes any bars of the song.

Lesson: course/12-capstone.ipynb
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ._files import free_path, write_atomic
from ._song import SESSION
from ._validate import in_range
from .errors import ParameterError, ProducerkitError

#: The project file's name in the student's work folder.
PROJECT_FILE = "paper-lanterns-capstone.json"
#: The project file's format number (a file with another number is not ours to guess at).
FORMAT = 1
#: The capstone's stages, in order, and what each decides.
STAGES: tuple[tuple[str, str], ...] = (
    ("demo", "the demo: which parts carry the song"),
    ("arrangement", "the arrangement: the edits that shape the excerpt"),
    ("hum", "the hum: the mains frequency notched out of take 2"),
    ("lead", "the lead: the comp, and the tuning of the flat phrase"),
    ("mix", "the mix: faders and pans, from the mixing lesson or the default balance"),
    ("master", "the master: the platform it is made for"),
    ("delivery", "QC and the delivered master file"),
    ("report", "the release report"),
)
STAGE_KEYS = tuple(key for key, _ in STAGES)
#: Song bars ``[start, end)`` the capstone produces: verse 1 (bars 3-10) and the first half of chorus 1 (11-14).
EXCERPT_BARS = (2, 14)
#: The parts a demo is made of in this course (lesson 04's sketch: the chords and the tune).
DEMO_LAYERS = ("keys", "lead")
#: A demo is a sketch: the parts at this level (dB), as lesson 04's.
DEMO_GAIN_DB = -6.0
#: The arrangement edits the lesson offers (JSON-friendly lists); see :func:`apply_edits`.
EDIT_KINDS = ("mute", "unmute", "build_up", "drop")
#: How much louder (LU) the chorus must land than the verse before it (lesson 03 asks the same 5 LU).
CHORUS_LIFT_LU = 5.0
#: The phrase of the comp that is sung flat, and by how much (cents). The bundled takes are in tune: the
#: capstone makes this phrase flat in code (:func:`flat_lead`, the recording lesson's flat phrase) to tune it.
FLAT_PHRASE = "verse 1b"
FLAT_CENTS = -35.0
#: Tuning within this many cents of the note is in tune (the tolerance the recording lesson's tests use).
IN_TUNE_CENTS = 10.0
#: The take that was recorded with mains hum over its first two phrases (the session's variant).
HUM_TAKE = "lead_take2"
HUM_VARIANT = "lead_take2_hum"
#: The balance the capstone starts from when the mixing lesson left no saved settings (lesson 04's approved mix).
DEFAULT_FADERS_DB = {"kick": -7.0, "snare": -8.0, "overheads": -3.0, "bass": -7.0, "keys": -10.0, "pad": -13.0,
                     "guitar": -10.0, "lead": -4.0}
DEFAULT_PANS = {"guitar": -0.35, "keys": 0.3}
#: The premaster's fades (ms): a tight start, and a fade-out so the excerpt does not end with a click.
FADE_IN_MS, FADE_OUT_MS = 20.0, 1500.0
#: The default platform.
DEFAULT_PLATFORM = "spotify"
#: The names the delivered files start from (``free_path`` adds " (2)" and so on: nothing is written over).
MASTER_NAME = "paper-lanterns-master.wav"
REPORT_NAME = "paper-lanterns-release-report.html"
#: Seconds of each side of the report's A/B (from the chorus), and its sample rate.
AB_SECONDS = 8.0
AB_SR = 22050
#: Which plan stages each capstone stage spends (the budget in the report).
#: The arrangement stage spends the overdub day too: the chorus's pad and guitar are overdubs.
PLAN_STAGES = {"demo": ("demo",), "arrangement": ("preproduction", "overdubs"), "hum": ("recording",),
               "lead": ("editing",),
               "mix": ("mixing",), "master": ("mastering",), "delivery": ("delivery",)}


def _jsonable(value, where: str):
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{where} must be plain data (numbers, text, lists, dicts) to go in the project file: "
                             f"{exc}.") from None


def _is_unanswered(value) -> bool:
    return value is None or value is Ellipsis or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


# --------------------------------------------------------------------------- the project file


class CapstoneProject:
    """The student's capstone project: every decision so far, kept in a JSON file that survives restarts.

    Open it with :meth:`open` (it reads the file if there is one). :meth:`choose` is the one call a
    lesson cell makes per decision: the student's answer if they gave one (saved at once), else the saved
    decision from an earlier session, else the default (saved too). Every save replaces the file atomically.

    Lesson: course/12-capstone.ipynb
    """

    def __init__(self, path: Path, decisions: dict | None = None, created: str | None = None,
                 sources: dict | None = None):
        self.path = Path(path)
        self.decisions: dict[str, dict] = {k: dict(v) for k, v in (decisions or {}).items()}
        #: where each chosen value came from: ``{"demo.layers": {"by": "you" | "default", "on": "2026-11-27"}}``
        self.sources: dict[str, dict] = {k: dict(v) for k, v in (sources or {}).items()}
        self.created = created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    @classmethod
    def open(cls, path=None) -> CapstoneProject:
        """The project in ``path`` (default: the work folder's :data:`PROJECT_FILE`), or a new one.

        Raises:
            ProducerkitError: the file exists but cannot be read. It has been moved to a ``.bak`` name first
                (never overwritten, never deleted), so running the cell again starts a fresh project.

        Lesson: course/12-capstone.ipynb
        """
        if path is None:
            from .course import work_folder

            path = work_folder() / PROJECT_FILE
        path = Path(path).expanduser()
        if path.is_dir():
            raise ProducerkitError(f"{path} is a folder, not a project file: pass a file name such as "
                                   f"{path / PROJECT_FILE}.")
        if not path.exists():
            return cls(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ProducerkitError(f"cannot read the project file {path} ({exc.strerror or exc}): check its "
                                   "permissions.") from None
        try:
            return cls._parse(path, data)
        except (ValueError, TypeError, KeyError) as exc:
            backup = _back_up(path, data)
            raise ProducerkitError(
                f"the capstone project file {path.name} could not be read ({exc}). It was moved aside, not deleted, "
                f"to {backup.name} in {backup.parent}. Run this cell again to start a fresh project, then run the "
                "lesson's cells: the answers in your exercise cells are saved again."
            ) from None

    @classmethod
    def _parse(cls, path: Path, data: bytes) -> CapstoneProject:
        try:
            doc = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValueError("it is not text") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"it is not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(doc, dict):
            raise ValueError("it holds no project")
        if doc.get("format") != FORMAT:
            raise ValueError(f"its format is {doc.get('format')!r}, this version reads format {FORMAT}")
        decisions = doc.get("decisions")
        if not isinstance(decisions, dict) or not all(isinstance(v, dict) for v in decisions.values()):
            raise ValueError("its decisions are not a table of stages")
        unknown = sorted(set(decisions) - set(STAGE_KEYS))
        if unknown:
            raise ValueError(f"it has stages this course does not know: {', '.join(unknown)}")
        sources = doc.get("sources", {})
        if not isinstance(sources, dict) or not all(isinstance(v, dict) for v in sources.values()):
            raise ValueError("its sources are not a table of decisions")
        return cls(path, decisions, doc.get("created"), sources)

    # -- reading

    def get(self, stage: str, key: str, default=None):
        """The saved decision ``key`` of ``stage``, or ``default``."""
        return self.decisions.get(_stage(stage), {}).get(key, default)

    def has(self, stage: str, key: str) -> bool:
        return key in self.decisions.get(_stage(stage), {})

    def by(self, stage: str, key: str) -> str | None:
        """Who decided ``stage``/``key``: "you" (an answer), "default" (no answer yet), or None (nothing saved).

        A value saved by :meth:`decide` (worked out, not chosen) counts as "you".
        """
        if not self.has(stage, key):
            return None
        return self.sources.get(f"{_stage(stage)}.{key}", {}).get("by", "you")

    def state(self, stage: str) -> str:
        """"done" (every value decided by you), "default" (running on a default), or "" (nothing saved)."""
        d = self.decisions.get(_stage(stage))
        if not d:
            return ""
        return "default" if any(self.by(stage, k) == "default" for k in d) else "done"

    @property
    def done(self) -> list[str]:
        """The stages you have decided (no value left at its default), in course order."""
        return [k for k in STAGE_KEYS if self.state(k) == "done"]

    @property
    def carried_out(self) -> list[str]:
        """The stages whose work has been done, on your answers or on defaults, in course order: what is spent.

        Lesson: not yet taught
        """
        return [k for k in STAGE_KEYS if self.state(k)]

    @property
    def next_stage(self) -> str | None:
        """The first stage you have not decided yet: nothing saved, or a default in use (None when all are done)."""
        return next((k for k in STAGE_KEYS if self.state(k) != "done"), None)

    def answer(self, stage: str, key: str, answer):
        """The exercise's ``answer``, or, while it is ``...``, the answer you saved earlier (``...`` when none).

        For a check cell: ``check_demo_layers(project.answer("demo", "layers", demo_layers))`` judges the
        saved answer after a restart, and says so.

        Lesson: course/12-capstone.ipynb
        """
        if not _is_unanswered(answer) or self.by(stage, key) != "you":
            return answer
        print(f"Checking your saved answer ({self.source(stage, key)}):")
        return self.get(stage, key)

    def source(self, stage: str, key: str) -> str:
        """Where the value of ``stage``/``key`` came from, in words: "your answer, saved 2026-11-27", "the default ..."

        Lesson: course/12-capstone.ipynb
        """
        by = self.by(stage, key)
        if by is None:
            return "nothing saved yet"
        if by == "default":
            return "the default: answer the exercise above to choose your own"
        on = self.sources.get(f"{_stage(stage)}.{key}", {}).get("on")
        return f"your answer, saved {on}" if on else "your answer"

    # -- deciding

    def decide(self, stage: str, **choices) -> None:
        """Save decisions for ``stage`` (merged with what it holds) and write the file atomically.

        Lesson: course/12-capstone.ipynb
        """
        stage = _stage(stage)
        choices = _jsonable(choices, f"the decisions for {stage}")
        old = self.decisions.get(stage)
        self.decisions[stage] = {**(old or {}), **choices}
        try:
            self.save()
        except BaseException:  # not saved: the project keeps what the file holds
            if old is None:
                self.decisions.pop(stage, None)
            else:
                self.decisions[stage] = old
            raise

    def choose(self, stage: str, key: str, answer, default, accept=None):
        """The decision for ``stage``/``key``: the answer if given (and saved), else the saved one, else the default.

        A lesson's exercise left as ``...`` keeps whatever was decided before, so a kernel restart never
        loses a choice; a new answer replaces the old one. With ``accept`` (a checker, or any function
        that is truthy for a usable answer) an answer it turns down is not used: the earlier decision stays.

        Lesson: course/12-capstone.ipynb
        """
        if not _is_unanswered(answer) and (accept is None or accept(answer)):
            value, by = answer, "you"
        elif self.by(stage, key) == "you":
            return self.get(stage, key)
        else:  # nothing saved, or a default: the default (it may have changed, e.g. a mix saved since)
            value, by = default, "default"
        if self.by(stage, key) != by or self.get(stage, key) != _jsonable(value, key):
            old = self.sources.get(f"{stage}.{key}")
            self.sources[f"{_stage(stage)}.{key}"] = {"by": by, "on": dt.date.today().isoformat()}
            try:
                self.decide(stage, **{key: value})
            except BaseException:
                if old is None:
                    self.sources.pop(f"{stage}.{key}", None)
                else:
                    self.sources[f"{stage}.{key}"] = old
                raise
        return self.get(stage, key)

    def redo(self, stage: str) -> None:
        """Forget ``stage`` and every stage after it (to make those decisions again), and save.

        Lesson: not yet taught
        """
        i = STAGE_KEYS.index(_stage(stage))
        for key in STAGE_KEYS[i:]:
            self.decisions.pop(key, None)
            self.sources = {k: v for k, v in self.sources.items() if k.split(".", 1)[0] != key}
        self.save()

    def save(self) -> None:
        """Write the project file atomically: a reader sees the old file or the new one, never a part."""
        doc = {"format": FORMAT, "song": SESSION, "created": self.created,
               "saved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "decisions": self.decisions,
               "sources": self.sources}
        write_atomic(self.path, json.dumps(doc, indent=2, sort_keys=True) + "\n")

    # -- showing

    def _rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for n, (key, what) in enumerate(STAGES, 1):
            d = self.decisions.get(key)
            summary = decision_text(key, d)
            state = "next" if key == self.next_stage else self.state(key)
            if state == "next" and d and self.state(key) == "default":
                state = "next (default)"
            rows.append((f"{n} {key}", state, summary or what))
        return rows

    def __str__(self) -> str:
        lines = [f"Capstone project: {self.path}"]
        lines += [f"  {a:<14} {b:<5} {c}" for a, b, c in self._rows()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"CapstoneProject({str(self.path)!r}, done={self.done})"

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(a)}</td><td style='color:{'#2e7d32' if b == 'done' else '#ef6c00'}'>"
            f"<b>{html.escape(b)}</b></td><td>{html.escape(c)}</td></tr>" for a, b, c in self._rows())
        return (f"<div><b>Capstone project</b> <code>{html.escape(self.path.name)}</code> "
                f"({len(self.done)} of {len(STAGES)} stages decided by you; "
                f"<span style='color:#ef6c00'>default</span>: "
                f"no answer yet, the project runs on a default)<table><tr><th>stage</th><th></th>"
                f"<th>decision</th></tr>{body}</table></div>")


def decision_text(stage: str, d: dict | None) -> str:
    """One stage's decisions in a producer's words, for the project table and the report ("" when undecided).

    Lesson: not yet taught
    """
    if not d:
        return ""
    if stage == "demo" and "layers" in d:
        return " + ".join(d["layers"])
    if stage == "arrangement" and "edits" in d:
        edits = d["edits"]
        words = {"mute": "mute {} in the {}", "unmute": "bring {} into the {}",
                 "build_up": "a build-up into the {}, {} bar(s)", "drop": "a drop before the {}, {} bar(s)"}
        return "; ".join(words[e[0]].format(*e[1:]) if len(e) == 3 and e[0] in words else str(e)
                         for e in edits) if edits else "as written"
    if stage == "hum" and "freq" in d:
        return f"notched at {d['freq']:g} Hz and its harmonics" if d["freq"] else "not removed"
    if stage == "lead":
        parts = [", ".join(d.get("comp", []))] if d.get("comp") else []
        if "tune_cents" in d:
            parts.append(f"{FLAT_PHRASE} tuned {d['tune_cents']:+g} cents" if d["tune_cents"] else "not tuned")
        return "; ".join(parts)
    if stage == "mix" and "faders" in d:
        return f"from {d.get('source', 'the default balance')}; lead fader {d['faders'].get('lead', 0):+g} dB"
    if stage == "master" and "platform" in d:
        from .master import get_target

        return get_target(d["platform"]).name if known_platform(d["platform"]) else str(d["platform"])
    if stage == "delivery":
        name = Path(d["file"]).name if d.get("file") else "nothing delivered"
        where = d.get("platform", "?")
        where = platform_name(where) if known_platform(where) else str(where)
        return f"{name} (QC {str(d.get('qc', '?')).upper()} for {where})"
    if stage == "report" and d.get("file"):
        return Path(d["file"]).name
    return "; ".join(f"{k}: {_short(v)}" for k, v in d.items())


def _short(value) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 70 else text[:67] + "..."


def _stage(stage) -> str:
    if stage not in STAGE_KEYS:
        raise ParameterError(f"{stage!r} is not a capstone stage; the stages are {', '.join(STAGE_KEYS)}.")
    return stage


def _back_up(path: Path, data: bytes) -> Path:
    """Copy an unreadable project file to a free ``.bak`` name (never over a file), then remove the original."""
    while True:
        backup = free_path(path.parent, path.name + ".bak")
        try:
            write_atomic(backup, data, replace=False)
            break
        except FileExistsError:  # another process took the name meanwhile: pick the next
            continue
    path.unlink(missing_ok=True)
    return backup


# --------------------------------------------------------------------------- audio stages


def excerpt_arrangement(session, bars=EXCERPT_BARS):
    """The song's arrangement for ``bars`` (song bars ``[start, end)``): its sections cut to those bars.

    Lesson: course/12-capstone.ipynb
    """
    from .arrange import Arrangement, Section

    start, end = _bars(session, bars)
    full = Arrangement.from_session(session)
    sections = []
    for sec, s0 in zip(full.sections, full.start_bars(), strict=True):
        a, b = max(start, s0), min(end, s0 + sec.bars)
        if a < b:
            sections.append(Section(sec.name, int(b - a), sec.layers, source=sec.name, source_bar=int(a)))
    return Arrangement(full.bpm, full.time_signature, tuple(sections))


def _bars(session, bars) -> tuple[int, int]:
    try:
        start, end = (int(b) for b in bars)
    except (TypeError, ValueError):
        raise ParameterError(f"bars must be (start, end) song bars, e.g. {EXCERPT_BARS} (got {bars!r}).") from None
    if not 0 <= start < end <= session.bars:
        raise ParameterError(f"bars {bars} are outside the song: it has bars 0-{session.bars} (start < end).")
    return start, end


def apply_edits(arrangement, edits):
    """The arrangement after ``edits``: a list like ``[["mute", "guitar", "verse"], ["drop", "chorus", 1]]``.

    ``["mute", layer, section]``, ``["unmute", layer, section]``, ``["build_up", before_section, bars]``
    and ``["drop", at_section, bars]`` call :mod:`producerkit.arrange`'s edits of the same names.

    Lesson: course/12-capstone.ipynb
    """
    if edits is None:
        return arrangement
    if not isinstance(edits, list | tuple):
        raise ParameterError(f"edits must be a list of edits such as ['mute', 'guitar', 'verse'] (got {edits!r}).")
    if edits and isinstance(edits[0], str):
        raise ParameterError(f"edits is a list of edits, each one a list: write [{list(edits)!r}] for one edit "
                             f"(got {edits!r}).")
    for edit in edits:
        if not isinstance(edit, list | tuple) or not edit or edit[0] not in EDIT_KINDS:
            raise ParameterError(f"{edit!r} is not an edit: start each with one of {', '.join(EDIT_KINDS)}, "
                                 "e.g. ['mute', 'guitar', 'verse'].")
        kind, *args = edit
        if len(args) != 2:
            example = ["mute", "guitar", "verse"] if kind in ("mute", "unmute") else [kind, "chorus", 1]
            raise ParameterError(f"{edit!r}: a {kind} edit takes two more items, e.g. {example}.")
        if kind == "mute":
            arrangement = arrangement.mute(args[0], args[1])
        elif kind == "unmute":
            arrangement = arrangement.unmute(args[0], args[1])
        elif kind == "build_up":
            arrangement = arrangement.with_build_up(args[0], bars=args[1])
        else:
            arrangement = arrangement.with_drop(args[0], bars=args[1])
    return arrangement


def arranged_stems(session, arrangement, stems=None) -> dict[str, np.ndarray]:
    """Each stem played through ``arrangement`` on its own (stereo ``(2, n)``), ready for the mixer.

    ``stems`` replaces some of the session's stems (the comped lead) before arranging.

    Lesson: course/12-capstone.ipynb
    """
    from .arrange import Arrangement

    source = replace(session, stems={**{n: session.stems[n] for n in session.stems}, **(stems or {})})
    out = {}
    for name in source.stems:
        only = tuple(replace(s, layers=tuple(x for x in s.layers if x == name)) for s in arrangement.sections)
        out[name] = Arrangement(arrangement.bpm, arrangement.time_signature, only).render(source)
    return out


def rough_mix(session, arrangement) -> np.ndarray:
    """``arrangement`` played with the default balance's faders (:data:`DEFAULT_FADERS_DB`), stereo: to listen to.

    At unity gain the stems sum past full scale; this is the band at a rough balance, with headroom.

    Lesson: course/12-capstone.ipynb
    """
    return arrangement.render(session, gains_db=DEFAULT_FADERS_DB)


def demo(session, layers=DEMO_LAYERS, bars=EXCERPT_BARS) -> np.ndarray:
    """The demo of ``bars``: only ``layers`` (stem names), each at :data:`DEMO_GAIN_DB`, mono.

    Lesson: course/12-capstone.ipynb
    """
    start, end = _bars(session, bars)
    layers = _check_layers(session, layers)
    a, b = session.bar_to_sample(start), session.bar_to_sample(end)
    gain = np.float32(10 ** (DEMO_GAIN_DB / 20))
    return (sum(np.asarray(session.stems[n][a:b], np.float32) for n in layers) * gain).astype(np.float32)


def _check_layers(session, layers) -> list[str]:
    if isinstance(layers, str) or not isinstance(layers, list | tuple) or not layers:
        raise ParameterError(f"layers must be a list of stem names such as ['keys', 'lead'] (got {layers!r}).")
    unknown = [n for n in layers if n not in session.stems]
    if unknown:
        raise ParameterError(f"{', '.join(map(str, unknown))}: not stems of the song; they are "
                             f"{', '.join(session.stems)}.")
    return list(layers)


def _phrase_span(session, name: str) -> tuple[int, int]:
    p = next((p for p in session.phrases if p.name == name), None)
    if p is None:
        raise ParameterError(f"{name!r} is not a phrase of the takes; they are "
                             f"{', '.join(p.name for p in session.phrases)}.")
    return int(round(p.take_start_s * session.sr)), int(round(p.take_end_s * session.sr))


def recorded_takes(session, hum_fix: dict | None = None) -> dict[str, np.ndarray]:
    """The lead takes as this session recorded them: take 2 with mains hum over its first two phrases.

    Take 2's first two phrases are the session's hum variant (a ground loop on that take).
    ``hum_fix`` (``{"freq": 50, "harmonics": 8}``) runs ``editing.remove_hum`` on them first.

    Lesson: course/12-capstone.ipynb
    """
    from . import editing

    takes = {name: np.array(session.takes[name], dtype=np.float32) for name in session.takes}
    hummed = np.asarray(session.variants[HUM_VARIANT], np.float32)
    if hum_fix:
        hummed = np.asarray(editing.remove_hum(hummed, session.sr, freq=float(hum_fix["freq"]),
                                               harmonics=int(hum_fix.get("harmonics", 8))), np.float32)
    takes[HUM_TAKE][: len(hummed)] = hummed
    return takes


def comp_lead(session, takes: dict[str, np.ndarray]):
    """Comp ``takes`` phrase by phrase with ``editing.comp_takes`` (its picks and reasons).

    Lesson: course/12-capstone.ipynb
    """
    from .editing import comp_takes

    phrases = [(p.take_start_s, p.take_end_s, p.name) for p in session.phrases]
    names = [f"take {n[-1]}" if n[-1].isdigit() else n for n in takes]
    return comp_takes(list(takes.values()), session.sr, phrases, bpm=session.bpm, names=names)


def flat_lead(session, lead: np.ndarray):
    """The comped ``lead`` with :data:`FLAT_PHRASE` sung :data:`FLAT_CENTS` flat (``editing.flat_phrase_demo``).

    The bundled takes are in tune; this makes the flat phrase in code, as the recording lesson does.

    Lesson: course/12-capstone.ipynb
    """
    from .editing import flat_phrase_demo

    return flat_phrase_demo(np.asarray(lead, np.float32), session.sr, phrase=FLAT_PHRASE, cents=FLAT_CENTS,
                            session=session)


def cents_off(session, lead: np.ndarray, phrase: str = FLAT_PHRASE) -> float:
    """How far ``phrase`` of ``lead`` (lined up with the takes) sits off its notes, in cents (negative: flat).

    ``editing.note_pitches`` on the phrase, then ``editing.phrase_cents`` (each note weighted by its length).

    Lesson: not yet taught
    """
    from .editing import note_pitches
    from .editing import phrase_cents as average_cents

    a, b = _phrase_span(session, phrase)
    return average_cents(note_pitches(_mono(lead, "lead")[a:b], session.sr, fmin=200.0, fmax=900.0))


def tune_phrase(session, lead: np.ndarray, cents: float, phrase: str = FLAT_PHRASE) -> np.ndarray:
    """``lead`` with ``phrase`` shifted by ``cents`` (``editing.tune`` over that span, crossfaded in and out).

    Lesson: course/12-capstone.ipynb
    """
    from .editing import tune

    p = next(p for p in session.phrases if p.name == _phrase_name(session, phrase))
    y = _mono(lead, "lead")
    cents = in_range("cents", cents, -1200.0, 1200.0, unit="cents", hint="100 cents is a semitone")
    if not cents:
        return y.copy()
    return np.asarray(tune(y, session.sr, cents, start_s=p.take_start_s,
                           end_s=min(p.take_end_s, len(y) / session.sr)), np.float32)


def _mono(y, name: str) -> np.ndarray:
    """``y`` checked (finite numbers) as mono float32, as the takes are; anything else refused with what to pass."""
    from .audio import ensure_audio
    from .errors import AudioError

    x = ensure_audio(y, name=name)
    if x.ndim != 1:
        raise AudioError(f"{name} must be mono audio (n,) like the takes (got shape {x.shape}): pass the comp's "
                         "audio, or audio.to_mono(...) of it.")
    return x


def _phrase_name(session, name: str) -> str:
    _phrase_span(session, name)
    return name


def lead_stem(session, lead: np.ndarray) -> np.ndarray:
    """The session's lead stem with the takes' bars replaced by ``lead`` (the comped, tuned verse).

    Lesson: course/12-capstone.ipynb
    """
    lead = _mono(lead, "lead")
    y = np.array(session.stems["lead"], dtype=np.float32)
    a = session.bar_to_sample(session.takes_start_bar)
    y[a:a + len(lead)] = lead[: len(y) - a]
    return y


def default_mix() -> tuple[dict, dict, str]:
    """The faders (dB) and pans to start the mix from, and where they came from.

    The mixing lesson's saved settings (``mix.MixSettings.load()``) when the student saved some, else the
    default balance (:data:`DEFAULT_FADERS_DB`, :data:`DEFAULT_PANS`).

    Lesson: course/12-capstone.ipynb
    """
    from . import mix

    settings = mix.MixSettings.load()
    if settings is None:
        return dict(DEFAULT_FADERS_DB), dict(DEFAULT_PANS), "the default balance"
    mixer = _mixer({n: np.zeros((2, 8), np.float32) for n in DEFAULT_FADERS_DB}, 44100, DEFAULT_FADERS_DB, {})
    settings.apply(mixer, strict=False)
    faders = {t.name: float(t.gain_db) for t in mixer.tracks}
    pans = {t.name: float(t.pan) for t in mixer.tracks if t.pan}
    return faders, pans, "your settings from the mixing lesson"


def _mixer(stems: dict, sr: int, faders: dict, pans: dict):
    from .mix import Mixer, Track

    return Mixer([Track(n, y, gain_db=float(faders.get(n, 0.0)), pan=float(pans.get(n, 0.0)), sr=sr)
                  for n, y in stems.items()], sr)


def mixdown(stems: dict, sr: int, faders: dict, pans: dict | None = None):
    """The mix of ``stems`` at ``faders`` (dB) and ``pans``: the mixer, and its stereo render.

    Lesson: course/12-capstone.ipynb
    """
    for name, value in faders.items():
        if name not in stems:
            raise ParameterError(f"{name!r} is not a track of the mix; the tracks are {', '.join(stems)}.")
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise ParameterError(f"the fader for {name} must be a number of dB (got {value!r}).")
    for name, value in (pans or {}).items():
        if name not in stems:
            raise ParameterError(f"{name!r} is not a track of the mix; the tracks are {', '.join(stems)}.")
        in_range(f"the pan of {name}", value, -1.0, 1.0, hint="-1 is hard left, 0 the centre, 1 hard right")
    mixer = _mixer(stems, sr, faders, pans or {})
    return mixer, mixer.render()


def headroom_trim(mix: np.ndarray, peak_dbfs: float = -3.0) -> float:
    """How many dB every fader must come down so ``mix`` peaks at ``peak_dbfs`` or below (0 when it already does).

    Gain staging: the balance stays, only the level drops, leaving mastering its headroom.

    Lesson: course/12-capstone.ipynb
    """
    from .audio import ensure_audio

    peak = float(np.max(np.abs(ensure_audio(mix, name="mix", allow_empty=True)), initial=0.0))
    peak_dbfs = in_range("peak_dbfs", peak_dbfs, -60.0, 0.0, unit="dBFS", hint="-3 leaves mastering its headroom")
    if peak <= 0:
        return 0.0
    over = 20 * math.log10(peak) - float(peak_dbfs)
    return 0.0 if over <= 0 else math.ceil(over * 2) / 2  # in half-dB steps, as a fader moves


def premaster(mix: np.ndarray, sr: int) -> np.ndarray:
    """The mix as it goes to mastering: a 20 ms fade in and a fade out, so the excerpt starts and ends clean.

    Lesson: course/12-capstone.ipynb
    """
    from .editing import fade

    return np.asarray(fade(mix, sr, in_ms=FADE_IN_MS, out_ms=FADE_OUT_MS), np.float32)


def known_platform(platform) -> bool:
    """True when ``platform`` names a delivery target of ``master.targets()`` ("spotify", "Apple Music", ...).

    Lesson: course/12-capstone.ipynb
    """
    from .master import get_target

    try:
        get_target(platform)
    except (ProducerkitError, TypeError, AttributeError):
        return False
    return True


def platform_name(platform) -> str:
    """How people write a platform's name ("Apple Music" for "apple").

    Lesson: course/12-capstone.ipynb
    """
    from .master import get_target

    return get_target(platform).name


def master_for(y: np.ndarray, sr: int, platform: str):
    """Master ``y`` to ``platform``'s loudness and true-peak ceiling (``master.master``, high-passed at 30 Hz).

    Lesson: course/12-capstone.ipynb
    """
    from .eq import HighPass
    from .master import get_target, master

    target = get_target(platform)
    return master(y, sr, target_lufs=target.integrated_lufs, ceiling_dbtp=target.true_peak_dbtp, eq=HighPass(30))


def deliver(project: CapstoneProject, mastered: np.ndarray, sr: int, platform: str, folder=None):
    """QC the master for ``platform`` and, when it passes, write it (24-bit WAV) under a free name.

    Once delivered, the file is kept: running again returns the same file (and its QC) unless the
    master changed, in which case the new one gets the next free name. Never written over.

    Returns:
        (QC report, path of the delivered file or None when QC failed)

    Lesson: course/12-capstone.ipynb
    """
    from .audio import save
    from .master import qc

    report = qc(mastered, sr, target=platform)
    digest = hashlib.sha256(np.ascontiguousarray(mastered).tobytes()).hexdigest()[:16]
    if not report.passed:
        project.decide("delivery", qc=report.verdict, platform=platform, file=None, audio=digest)
        return report, None
    old = _project_file(project, project.get("delivery", "file"))
    if old is not None and project.get("delivery", "audio") == digest and old.exists():
        return report, old
    folder = Path(folder) if folder is not None else project.path.parent
    same = _same_master(folder, mastered, sr)
    if same is not None:  # delivered before (e.g. before the project file was reset): keep that file
        project.decide("delivery", qc=report.verdict, platform=platform, file=_relative(project, same), audio=digest)
        return report, same
    while True:
        path = free_path(Path(folder), MASTER_NAME)
        try:
            save(path, mastered, sr, subtype="PCM_24", overwrite=False, clip="error")
            break
        except FileExistsError:
            continue
        except ProducerkitError as exc:
            if path.exists() or "exists" in str(exc):
                continue
            raise
    project.decide("delivery", qc=report.verdict, platform=platform, file=_relative(project, path), audio=digest)
    return report, path


def _relative(project: CapstoneProject, path: Path) -> str:
    """``path`` as the project file records it: its name when it sits beside the project file (so the folder
    can move, Binder to laptop), else in full."""
    path = Path(path)
    return path.name if path.parent.resolve() == project.path.parent.resolve() else str(path)


def _project_file(project: CapstoneProject, recorded) -> Path | None:
    """A file the project recorded (a name beside the project file, or a full path from an older project)."""
    if not recorded:
        return None
    path = Path(recorded)
    return path if path.is_absolute() else project.path.parent / path


def _same_master(folder: Path, mastered: np.ndarray, sr: int) -> Path | None:
    """An earlier master in ``folder`` (``paper-lanterns-master*.wav``) holding this audio, to 24 bits; or None."""
    import soundfile as sf

    y = np.atleast_2d(np.asarray(mastered, np.float32))
    stem = Path(MASTER_NAME).stem
    for path in sorted(folder.glob(f"{stem}*.wav")):
        try:
            info = sf.info(str(path))
            if info.samplerate != sr or info.channels != y.shape[0] or info.frames != y.shape[-1]:
                continue
            data, _ = sf.read(str(path), dtype="float32", always_2d=True)
        except (RuntimeError, OSError, sf.LibsndfileError):
            continue
        if float(np.max(np.abs(data.T - y), initial=0.0)) <= 2.0 ** -22:  # within a 24-bit step: the same master
            return path
    return None


# --------------------------------------------------------------------------- the plan and the report


def plan():
    """Paper Lanterns as a single: the plan the capstone follows (lesson 04's, with its budget).

    Lesson: course/12-capstone.ipynb
    """
    from .planning import Project

    p = Project("Paper Lanterns (single)", kind="single", budget=8_500, release_date="2026-04-24")
    p.add_person("Noor Haddad", "artist", 0)
    p.add_person("Ana Ruiz", "producer", 300)
    p.add_person("Lea Brandt", "recording engineer", 250)
    p.add_person("Sam Petit", "mixing engineer", 300)
    p.add_person("Ruth Adler", "mastering engineer", 350)
    p.add_session("demo", "2026-02-02", days=2, people=["Noor Haddad", "Ana Ruiz"], note="finish the song")
    p.add_session("preproduction", "2026-02-05", days=2, people=["Noor Haddad", "Ana Ruiz"],
                  studio="Rehearsal room", studio_day_rate=60, note="tempo, key, parts")
    p.add_session("recording", "2026-02-16", days=3, people=["Noor Haddad", "Ana Ruiz", "Lea Brandt"],
                  studio="Studio B", studio_day_rate=400, note="band, then lead vocal")
    p.add_session("editing", "2026-02-19", days=2, people=["Ana Ruiz", "Lea Brandt"], note="comp, tune, de-hum")
    p.add_session("overdubs", "2026-02-23", days=1, people=["Noor Haddad", "Ana Ruiz"], note="pad, guitar")
    p.add_session("mixing", "2026-03-02", days=2, people=["Sam Petit", "Ana Ruiz"])
    p.add_session("mastering", "2026-03-09", days=1, people=["Ruth Adler"])
    p.add_session("delivery", "2026-03-16", days=1, people=["Ana Ruiz"], note="masters, credits, metadata")
    return p


def spent(project: CapstoneProject, budget) -> tuple[float, float]:
    """What the stages carried out so far (on your answers or on defaults) have spent of ``budget``, and the total.

    Lesson: course/12-capstone.ipynb
    """
    by_stage = budget.by_stage()
    done = {s for key in project.carried_out for s in PLAN_STAGES.get(key, ())}
    return float(sum(v for k, v in by_stage.items() if k in done)), float(budget.total)


def _wav_data_uri(y: np.ndarray, sr: int) -> str:
    import soundfile as sf

    from .audio import resample, to_mono

    mono = np.asarray(to_mono(y), np.float32)
    mono = np.asarray(resample(mono, sr, AB_SR), np.float32) if sr != AB_SR else mono
    peak = float(np.max(np.abs(mono))) if mono.size else 0.0
    if peak > 1.0:
        mono = mono / peak
    buf = io.BytesIO()
    sf.write(buf, mono, AB_SR, format="WAV", subtype="PCM_16")
    return "data:audio/wav;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@dataclass(frozen=True)
class VersionLoudness:
    """Integrated loudness (LUFS) and true peak (dBTP) of one version, for the report.

    Lesson: course/12-capstone.ipynb
    """

    label: str
    lufs: float
    dbtp: float

    @classmethod
    def of(cls, label: str, y, sr: int) -> VersionLoudness:
        """Measured as it is heard: mono plays on both speakers, so it counts as two channels (+3 dB)."""
        from .audio import ensure_audio
        from .meters import integrated_loudness, true_peak

        y = ensure_audio(y)
        if y.ndim == 1:
            y = np.stack([y, y])
        return cls(label, float(integrated_loudness(y, sr)), float(true_peak(y, sr)))


def release_report(project: CapstoneProject, *, budget, loudness, qc_report, demo_audio, final_audio, sr: int,
                   ab_start_s: float = 0.0, chorus_s: float | None = None) -> str:
    """The one-page release report (HTML): the plan, the budget spent, loudness before and after, QC, an A/B.

    Args:
        project: the capstone project (its decisions become the plan's "what we did" column).
        budget: the plan's :class:`producerkit.planning.Budget`.
        loudness: :class:`VersionLoudness` rows, e.g. demo, mix, master.
        qc_report: the master's QC report.
        demo_audio, final_audio: the two sides of the A/B; :data:`AB_SECONDS` from ``ab_start_s`` of each.
        chorus_s: where the chorus starts in the excerpt (s), to say where it lands in the A/B.

    Lesson: course/12-capstone.ipynb
    """
    esc = html.escape
    total_spent, total = spent(project, budget)
    cur = "£" if budget.currency == "GBP" else budget.currency + " "
    the_plan = plan()
    schedule_rows = "".join(
        f"<tr><td>{esc(s.stage)}</td><td style='white-space:nowrap'>{s.start:%d %b}"
        f"{'' if s.end == s.start else f' – {s.end:%d %b}'}</td>"
        f"<td>{esc(', '.join(f'{who} ({the_plan.people[who].role})' for who in s.people))}</td>"
        f"<td>{esc(s.note)}</td></tr>" for s in the_plan.sessions)
    release = the_plan.release_date.isoformat() if the_plan.release_date else "not set"
    plan_rows = "".join(
        f"<tr><td>{n}</td><td>{esc(key)}</td><td>{esc(what.split(': ', 1)[-1])}</td>"
        f"<td>{esc('this page' if key == 'report' else decision_text(key, project.decisions.get(key)) or '—')}"
        f"{' <i>(default: not answered)</i>' if key != 'report' and project.state(key) == 'default' else ''}"
        f"</td></tr>" for n, (key, what) in enumerate(STAGES, 1))
    done = {s for key in project.carried_out for s in PLAN_STAGES.get(key, ())}
    budget_rows = "".join(
        f"<tr><td>{esc(stage)}</td><td style='text-align:right'>{cur}{cost:,.0f}</td>"
        f"<td>{'done' if stage in done else 'not yet'}</td></tr>" for stage, cost in budget.by_stage().items())
    loud_rows = "".join(
        f"<tr><td>{esc(r.label)}</td><td style='text-align:right'>{r.lufs:.1f} LUFS</td>"
        f"<td style='text-align:right'>{r.dbtp:.1f} dBTP</td></tr>" for r in loudness)
    a = int(round(ab_start_s * sr))
    n = int(round(AB_SECONDS * sr))
    sides = {label: VersionLoudness.of(label, np.asarray(y)[..., a:a + n], sr).lufs
             for label, y in (("A", demo_audio), ("B", final_audio))}
    gap = sides["B"] - sides["A"]
    ab_note = (f"B is about {abs(gap):.0f} LU {'louder' if gap > 0 else 'quieter'} than A here, and the louder side "
               "tends to sound better: judge the music, not the level. " if abs(gap) >= 1 else "")
    ab_note += (f"Both are mono previews at {AB_SR // 1000:g} kHz to keep this page small; listen to the delivered WAV "
                "for the master itself.")
    ab = "".join(
        f"<div style='display:inline-block;margin-right:24px'><b>{label}</b><br>"
        f"<audio controls preload='none' src='{_wav_data_uri(np.asarray(y)[..., a:a + n], sr)}'></audio></div>"
        for label, y in (("A: the demo", demo_audio), ("B: the master", final_audio)))
    verdict = qc_report.verdict.upper()
    colour = {"PASS": "#2e7d32", "WARN": "#ef6c00", "FAIL": "#c62828"}[verdict]
    delivered = project.get("delivery", "file")
    delivered_text = esc(Path(delivered).name) if delivered else "nothing yet (QC has not passed)"
    date = dt.date.today().isoformat()
    chorus_note = "" if chorus_s is None else f" The chorus comes in at {chorus_s - ab_start_s:.1f} s."
    limit = "" if budget.planned is None else f"; the budget is {cur}{budget.planned:,.0f}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Paper Lanterns: release report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 900px; margin: 24px auto; color: #222; font-size: 14px; }}
h1 {{ font-size: 22px; margin-bottom: 0; }} h2 {{ font-size: 16px; margin: 18px 0 6px; border-bottom: 1px solid #ccc; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left;
  vertical-align: top; }}
.sub {{ color: #666; }}
</style></head><body>
<h1>Paper Lanterns: release report</h1>
<p class="sub">Noor Haddad, produced by you · excerpt: bars {EXCERPT_BARS[0] + 1}–{EXCERPT_BARS[1]} (verse 1 and the
first half of chorus 1) · release date {release} · report of {date}</p>
<h2>1 · The plan, and what was decided</h2>
<h3 style="font-size:14px">Schedule and credits</h3>
<table><tr><th>stage</th><th>dates</th><th>who</th><th>note</th></tr>{schedule_rows}</table>
<h3 style="font-size:14px">Decisions</h3>
<table><tr><th></th><th>stage</th><th>what it decides</th><th>your decision</th></tr>{plan_rows}</table>
<h2>2 · Budget</h2>
<p>Planned cost of the stages done: <b>{cur}{total_spent:,.0f}</b> of the plan's {cur}{total:,.0f} (with
{budget.contingency_rate:.0%} contingency){limit}.</p>
<table><tr><th>plan stage</th><th>cost</th><th></th></tr>{budget_rows}</table>
<h2>3 · Loudness, before and after mastering</h2>
<table><tr><th>version</th><th>integrated loudness</th><th>true peak</th></tr>{loud_rows}</table>
<h2>4 · QC: <span style="color:{colour}">{verdict}</span> for {esc(qc_report.target.name)}</h2>
<p>Delivered file: <b>{delivered_text}</b></p>
{qc_report.table_html()}
<h2>5 · A/B: the demo against the master ({AB_SECONDS:g} s from {ab_start_s:.1f} s into the excerpt)</h2>
<p>{ab_note}{chorus_note}</p>
{ab}
</body></html>
"""


def write_report(project: CapstoneProject, text: str, folder=None) -> Path:
    """Write the release report under a free name (never over a file) and record it in the project.

    Lesson: course/12-capstone.ipynb
    """
    folder = Path(folder) if folder is not None else project.path.parent
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    old = _project_file(project, project.get("report", "file"))
    if old is not None and old.parent.resolve() == folder.resolve() and old.is_file():
        try:
            ours = hashlib.sha256(old.read_bytes()).hexdigest()[:16] == project.get("report", "sha")
        except OSError:
            ours = False
        if ours:  # the report this project wrote, unchanged since: replace it with the new one
            write_atomic(old, text)
            project.decide("report", file=_relative(project, old), sha=digest)
            return old
    while True:  # no report yet, or someone edited ours: a new name, never over a file we did not write
        path = free_path(folder, REPORT_NAME)
        try:
            write_atomic(path, text, replace=False)
            break
        except FileExistsError:
            continue
    project.decide("report", file=_relative(project, path), sha=digest)
    return path


__all__ = [
    "CapstoneProject", "PROJECT_FILE", "STAGES", "STAGE_KEYS", "VersionLoudness", "apply_edits",
    "arranged_stems", "cents_off", "comp_lead", "decision_text", "default_mix", "deliver", "demo",
    "excerpt_arrangement", "flat_lead", "headroom_trim", "known_platform", "lead_stem", "master_for", "mixdown", "plan",
    "platform_name", "premaster", "recorded_takes", "release_report", "rough_mix", "spent", "tune_phrase",
    "write_report",
]
