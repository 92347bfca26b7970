"""The bundled course audio: a multitrack session with known problems, checksummed and loaded safely.

The repo ships the song "Paper Lanterns" in ``datasets/``: eight stems (kick, snare, overheads, bass,
keys, pad, guitar and a vocal-like lead), three takes of the lead for comping, four drum one-shots,
and variants with a teaching problem baked in (mud, a harsh resonance, rumble, mains hum, uneven
dynamics). ``datasets/manifest.json`` lists every file with its sha256 and says what each problem
is and where (Hz, dB, bars).

    >>> from producerkit import datasets
    >>> song = datasets.load_session("paper_lanterns")
    >>> song.bpm, song.key, [s.name for s in song.sections]
    (100, 'A minor', ['intro', 'verse', 'chorus', 'bridge', 'chorus', 'outro'])
    >>> kick = song.stems["kick"]          # float32 mono, loaded (and checksummed) on first use

Names are looked up in the manifest only, and nothing outside ``datasets/`` is ever opened. An installed
producerkit reads the copy its wheel carries (through ``importlib.resources``); a checkout reads the repo's
``datasets/`` folder in place.
Bars are counted from 0: bar 0 starts at 0 s, and at 100 BPM in 4/4 each bar lasts 2.4 s.

Lessons: 00, 01, 02, 03, 04
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

import numpy as np

from ._bundled import bundled_dir, restore_hint
from ._files import write_atomic
from ._song import SESSION
from .errors import DatasetError

#: The bundled audio: ``producerkit/_data/datasets`` in an installed wheel, the repo's ``datasets/`` in a checkout.
DATASETS_DIR = bundled_dir("datasets")[0]
_RESTORE = restore_hint("datasets")
MANIFEST = "manifest.json"

#: Where build() looks for FluidR3 GM, after the ``PRODUCERKIT_SOUNDFONT`` environment variable.
SOUNDFONT_ENV = "PRODUCERKIT_SOUNDFONT"
SOUNDFONT_PATHS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/local/share/soundfonts/FluidR3_GM.sf2",
    "/opt/homebrew/share/soundfonts/FluidR3_GM.sf2",
)

AUDIO_LICENCE = "MIT"
AUDIO_LICENCE_TEXT = (
    "MIT. Rendered from an original composition (c) producerkit contributors with samples of the "
    "FluidR3 GM SoundFont (c) 2000-2002, 2008 Frank Wen, 2008 Toby Smithe (MIT); see datasets/LICENSE."
)

#: Where build() looks for the AVL Drumkits' Black Pearl SoundFont (Debian: avldrums.lv2-soundfont).
KIT_SOUNDFONT_ENV = "PRODUCERKIT_KIT_SOUNDFONT"
KIT_SOUNDFONT_PATHS = (
    "/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2",
    "/usr/lib/lv2/avldrums.lv2/Black_Pearl_4_LV2.sf2",
    "/usr/local/lib/lv2/avldrums.lv2/Black_Pearl_4_LV2.sf2",
)
#: The recorded kits (role "kit") are not MIT: they carry their SoundFont's licence.
KIT_LICENCE_TEXT = (
    "CC-BY-SA-3.0. The recorded drum kit's one-shots were rendered from the AVL Drumkits Black Pearl SoundFont, "
    "(c) 2015 Glen MacArthur, licensed under CC-BY-SA-3.0; see datasets/LICENSE."
)

ROLES = ("stem", "take", "one_shot", "variant", "kit")


def shared_session(name: str = SESSION) -> Session:
    """The bundled session opened once per process and shared (its audio loads once): for checkers and drills.

    Treat it as read-only; :func:`load_session` opens a session of your own.

    Lesson: course/07-beats.ipynb
    """
    return _shared_session(name)


@lru_cache(maxsize=4)
def _shared_session(name: str) -> Session:
    return load_session(name)


# --------------------------------------------------------------------------- the manifest


def _root(root) -> Path:
    return DATASETS_DIR if root is None else Path(root)


@lru_cache(maxsize=8)
def _read_manifest(path: str, mtime_ns: int, size: int) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path} is not valid JSON ({exc}); {_RESTORE}, or run datasets.build().") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict) \
            or not isinstance(manifest.get("sessions"), dict):
        raise DatasetError(f"{path} has no 'files' and 'sessions'; {_RESTORE}, or run datasets.build().")
    return manifest


def manifest(root=None) -> dict:
    """The parsed ``datasets/manifest.json`` (cached until the file changes).

    Lesson: not yet taught
    """
    path = _root(root) / MANIFEST
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DatasetError(
            f"{path} is missing: the course audio is not there. To fix it, {_RESTORE}, "
            "or re-render it with producerkit.datasets.build()."
        ) from None
    return _read_manifest(str(path), st.st_mtime_ns, st.st_size)


def _check_name(name, known, what: str = "item") -> str:
    listing = ", ".join(sorted(known))
    if not isinstance(name, str) or not name:
        raise DatasetError(f"{what} names are non-empty strings (got {name!r}); known: {listing}.")
    if "/" in name or "\\" in name or ".." in name or "\0" in name or os.path.isabs(name) \
            or PurePosixPath(name).is_absolute():
        raise DatasetError(
            f"{name!r} is not a {what} name: names are looked up in the manifest and never used as paths "
            f"(no '/', '\\' or '..'). Known: {listing}."
        )
    if name not in known:
        raise DatasetError(f"no {what} called {name!r}; the manifest has: {listing}.")
    return name


def _file_path(root: Path, name: str, entry: dict) -> Path:
    rel = entry.get("file")
    if not isinstance(rel, str) or not rel or "\\" in rel or ".." in PurePosixPath(rel).parts \
            or PurePosixPath(rel).is_absolute():
        raise DatasetError(f"the manifest entry of {name!r} has an unsafe file path {rel!r}; restore manifest.json.")
    base = root.resolve()
    path = (base / rel).resolve()
    if not path.is_relative_to(base):
        raise DatasetError(f"the manifest entry of {name!r} points outside {base}; restore manifest.json.")
    return path


def _read_checked(root: Path, name: str, entry: dict) -> bytes:
    path = _file_path(root, name, entry)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(
            f"{name}: {path} is missing. To fix it, {_RESTORE}, or re-render it with "
            "producerkit.datasets.build()."
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.get("sha256"):
        raise DatasetError(
            f"{name}: {path} does not match its checksum in the manifest (sha256 {digest[:12]}..., expected "
            f"{str(entry.get('sha256'))[:12]}...). The file is damaged or was changed: run "
            f"producerkit.datasets.verify() to see every such file; to fix them, {_RESTORE}, or re-render "
            "with producerkit.datasets.build()."
        )
    return data


def items(role: str | None = None, session: str | None = None, root=None) -> list[str]:
    """The manifest names of the files, optionally only one role (stem, take, one_shot, variant, kit) or session.

    Lesson: not yet taught
    """
    files = manifest(root)["files"]
    if role is not None and role not in ROLES:
        raise DatasetError(f"role must be one of {', '.join(ROLES)} (got {role!r}).")
    return [n for n, e in files.items()
            if (role is None or e.get("role") == role) and (session is None or e.get("session") == session)]


def info(item: str, root=None) -> dict:
    """The manifest entry of one file: role, description, sample rate, channels, duration, sha256, licence.

    Lesson: not yet taught
    """
    files = manifest(root)["files"]
    return dict(files[_check_name(item, files)])


def load_item(item: str, root=None) -> tuple[np.ndarray, int]:
    """Load one file by its manifest name as float32 ``(y, sr)``; its sha256 is checked first.

    Raises:
        DatasetError: an unknown name or one that looks like a path (the message lists the known
            names), a missing file, or a file that does not match its checksum.

    Lesson: not yet taught
    """
    import soundfile as sf

    root = _root(root)
    files = manifest(root)["files"]
    entry = files[_check_name(item, files)]
    data = _read_checked(root, item, entry)
    try:
        y, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except Exception as exc:
        raise DatasetError(f"{item}: could not decode the file ({exc}); re-render it with datasets.build().") from None
    y = y[:, 0] if y.shape[1] == 1 else y.T
    return np.ascontiguousarray(y), int(sr)


def verify(root=None) -> list[str]:
    """Check every file in the manifest against its sha256 and return the names checked.

    Raises:
        DatasetError: listing every missing or changed file, with what to do about it.

    Lesson: not yet taught
    """
    root = _root(root)
    files = manifest(root)["files"]
    problems = []
    for name, entry in files.items():
        try:
            _read_checked(root, name, entry)
        except DatasetError as exc:
            problems.append(str(exc).split(". ")[0])
    if problems:
        raise DatasetError(
            f"{len(problems)} of {len(files)} dataset files are missing or changed:\n  - "
            + "\n  - ".join(problems)
            + f"\nTo fix them, {_RESTORE}, or re-render with producerkit.datasets.build()."
        )
    return list(files)


# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class SectionMarker:
    """Where a section of the session's song lies, like a DAW's arrangement marker.

    ``name``, ``start_bar`` (0-based) and length in ``bars``. What plays in a section is an
    :class:`producerkit.arrange.Section`.

    Lesson: not yet taught
    """

    name: str
    start_bar: int
    bars: int
    seconds_per_bar: float

    @property
    def end_bar(self) -> int:
        return self.start_bar + self.bars

    @property
    def start_s(self) -> float:
        return self.start_bar * self.seconds_per_bar

    @property
    def end_s(self) -> float:
        return self.end_bar * self.seconds_per_bar


@dataclass(frozen=True)
class Problem:
    """A teaching problem baked into a variant: what, where (Hz, dB, bars) and how to fix it.

    ``clean`` names the item the variant was made from; ``bars`` are song bars ``[start, end)``,
    which is also the span the variant covers. ``level_dbfs`` is the level of an added noise (hum,
    rumble); ``details`` holds the rest (phrase gains, harmonics, thump times).

    Lesson: not yet taught
    """

    variant: str
    clean: str
    kind: str
    freq: float | None
    gain_db: float | None
    q: float | None
    bars: tuple[int, int]
    description: str
    fix: str
    level_dbfs: float | None = None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LeadPhrase:
    """A phrase of the lead that the takes cover, for comping: song bars and seconds into the takes.

    It is the session's answer key; the span a student asks ``comp_takes`` for is an
    :class:`producerkit.editing.Phrase`.

    ``takes`` maps each take to its timing offset (ms), level (dB) and whether it is flubbed;
    ``best_take`` is the tightest take that is not flubbed.

    Lesson: not yet taught
    """

    name: str
    start_bar: int
    end_bar: int
    take_start_s: float
    take_end_s: float
    best_take: str
    takes: dict


#: Decoded audio shared by every session of this process, read-only: (path, mtime, size, sha256) -> samples.
#: A second session (a lesson's load_session beside the checkers' shared_session) reuses the first one's
#: samples instead of decoding and checksumming the file again; a changed file has a new key and is checked.
_DECODED: dict[tuple[str, int, int, str], np.ndarray] = {}


def _load_shared(item: str, root: Path) -> np.ndarray:
    """One manifest item as read-only float32 samples, decoded (and checksummed) once per process and file."""
    files = manifest(root)["files"]
    entry = files[_check_name(item, files)]
    path = _file_path(root, item, entry)
    try:
        st = path.stat()
    except OSError:
        st = None  # missing: load_item says what to do
    key = (str(path), st.st_mtime_ns, st.st_size, str(entry.get("sha256"))) if st else None
    if key is not None and key in _DECODED:
        return _DECODED[key]
    y, _sr = load_item(item, root=root)
    y.flags.writeable = False  # shared by every lesson that asks: copy before changing
    if key is not None:
        _DECODED[key] = y
    return y


def _load_range(item: str, root: Path, start: int, stop: int) -> np.ndarray:
    """Samples ``[start, stop)`` of one mono item, decoding only those; the whole file is still checksummed."""
    import soundfile as sf

    files = manifest(root)["files"]
    entry = files[_check_name(item, files)]
    data = _read_checked(root, item, entry)
    try:
        with sf.SoundFile(io.BytesIO(data)) as fh:
            start = min(start, fh.frames)
            fh.seek(start)
            y = fh.read(max(0, min(stop, fh.frames) - start), dtype="float32", always_2d=True)
    except Exception as exc:
        raise DatasetError(f"{item}: could not decode the file ({exc}); re-render it with datasets.build().") from None
    y = np.ascontiguousarray(y[:, 0] if y.shape[1] == 1 else y.T)
    y.flags.writeable = False
    return y


class _LazyAudio(Mapping):
    """A read-only dict of name -> float32 audio, each file loaded (and checksummed) on first access.

    Sessions of the same files share the decoded samples (see :data:`_DECODED`).
    """

    def __init__(self, names, root: Path):
        self._names = list(names)
        self._root = root
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(f"{name!r}; this holds: {', '.join(self._names)}")
        if name not in self._cache:
            self._cache[name] = _load_shared(name, self._root)
        return self._cache[name]

    def __contains__(self, name) -> bool:
        return name in self._names  # without loading it (Mapping's would)

    def part(self, name: str, start: int, stop: int) -> np.ndarray:
        """Samples ``[start, stop)`` of one file: a slice when it is loaded already, else only those decoded."""
        if name not in self._names:
            raise KeyError(f"{name!r}; this holds: {', '.join(self._names)}")
        if name not in self._cache:
            files = manifest(self._root)["files"]
            path = _file_path(self._root, name, files[name])
            try:
                st = path.stat()
                key = (str(path), st.st_mtime_ns, st.st_size, str(files[name].get("sha256")))
            except OSError:
                key = None
            if key not in _DECODED:
                return _load_range(name, self._root, start, stop)
        return self[name][start:stop]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"<{len(self)} audio files: {', '.join(self._names)}>"


@dataclass
class Session:
    """A multitrack session: stems, takes, one-shots, problem variants and the song's map.

    Audio is float32 mono at ``sr``, loaded on first access and read-only (``y.copy()`` to change it).
    Variants and takes cover the bars given by ``info(name)["start_bar"]``/``["end_bar"]``.

    Lessons: 00, 01, 02, 03, 04
    """

    name: str
    title: str
    sr: int
    bpm: float
    key: str
    time_signature: tuple[int, int]
    sections: list[SectionMarker]
    problems: list[Problem]
    phrases: list[LeadPhrase]
    stems: Mapping[str, np.ndarray]
    takes: Mapping[str, np.ndarray]
    one_shots: Mapping[str, np.ndarray]
    variants: Mapping[str, np.ndarray]
    chords: list[str]
    takes_start_bar: int
    root: Path

    @property
    def seconds_per_bar(self) -> float:
        return self.time_signature[0] * 60.0 / self.bpm * (4 / self.time_signature[1])

    @property
    def bars(self) -> int:
        return sum(s.bars for s in self.sections)

    @property
    def duration_s(self) -> float:
        return self.bars * self.seconds_per_bar

    def bar_to_seconds(self, bar: float) -> float:
        """Seconds from the start of the song to bar ``bar`` (0-based; fractions are beats/4).

        Lesson: not yet taught
        """
        return float(bar) * self.seconds_per_bar

    def bar_to_sample(self, bar: float) -> int:
        """The sample index where bar ``bar`` starts."""
        return int(round(self.bar_to_seconds(bar) * self.sr))

    def stem_bars(self, stem: str, first: float, end: float) -> np.ndarray:
        """Bars ``first`` to ``end`` of one stem (counted from 0, ``end`` excluded), read-only float32.

        The same samples as ``stems[stem][bar_to_sample(first):bar_to_sample(end)]``, but when the whole
        stem is not loaded yet only those bars are decoded (the file is still checksummed whole). Lesson 06's
        stem excerpts read through it (``checks.space.stem_excerpt``).

        Raises:
            DatasetError: a stem this session does not have, or bars outside the song or out of order.

        Lesson: not yet taught
        """
        if stem not in self.stems:
            raise DatasetError(f"no stem called {stem!r}; this session has: {', '.join(self.stems)}.")
        try:
            first, end = float(first), float(end)
        except (TypeError, ValueError):
            raise DatasetError(f"bars are numbers counted from 0, such as 10 and 14 (got {first!r}, {end!r}).") \
                from None
        if not (0 <= first < end <= self.bars):
            raise DatasetError(f"bars {first:g} to {end:g} are not inside the song's {self.bars} bars, in order; "
                               "count from 0 with the end excluded: 10 and 14 are bars 11-14 as a DAW counts them.")
        return self.stems.part(stem, self.bar_to_sample(first), self.bar_to_sample(end))

    def info(self, item: str) -> dict:
        """The manifest entry of one of this session's files."""
        return info(item, root=self.root)

    def problem(self, variant: str) -> Problem:
        """The problem baked into ``variant``."""
        for p in self.problems:
            if p.variant == variant:
                return p
        raise DatasetError(f"no variant called {variant!r}; this session has: "
                           f"{', '.join(p.variant for p in self.problems)}.")

    def stems_with(self, *variants: str) -> dict[str, np.ndarray]:
        """The stems with each named variant dropped into its bars, for hearing a problem in the mix.

        Lesson: course/01-eq.ipynb
        """
        stems = {name: self.stems[name] for name in self.stems}
        for variant in variants:
            problem = self.problem(variant)
            if problem.clean not in stems:
                raise DatasetError(f"{variant} is a problem on {problem.clean}, which is not a stem; "
                                   "compare it with that take directly.")
            y = stems[problem.clean].copy()
            start = self.bar_to_sample(problem.bars[0])
            part = self.variants[variant]
            y[start:start + len(part)] = part[: len(y) - start]
            stems[problem.clean] = y
        return stems

    def mix(self, headroom_db: float = 3.0, stems: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """A plain unity-gain sum of the stems, scaled so its peak sits ``headroom_db`` below 0 dBFS.

        No panning, EQ or compression: the raw balance, e.g. for finding the song's sections.

        Lesson: course/03-arrangement.ipynb
        """
        stems = self.stems if stems is None else stems
        total = np.zeros(max(len(y) for y in stems.values()), dtype=np.float64)
        for y in stems.values():
            total[: len(y)] += y
        peak = float(np.max(np.abs(total)))
        if peak > 0:
            total *= 10 ** (-abs(headroom_db) / 20) / peak
        return total.astype(np.float32)

    def __repr__(self) -> str:
        return (f"Session({self.name!r}: {self.title!r}, {self.bpm:g} BPM, {self.key}, "
                f"{self.time_signature[0]}/{self.time_signature[1]}, {self.bars} bars, sr={self.sr}; "
                f"stems {list(self.stems)}; takes {list(self.takes)}; one-shots {list(self.one_shots)}; "
                f"variants {list(self.variants)})")


def sessions(root=None) -> list[str]:
    """The names of the bundled sessions.

    Lesson: not yet taught
    """
    return list(manifest(root)["sessions"])


def load_session(name: str = SESSION, root=None) -> Session:
    """Open a session by name. Fast: the audio loads (and is checksummed) when first used.

    Lessons: 00, 01, 02, 03, 04
    """
    root = _root(root)
    man = manifest(root)
    meta = man["sessions"][_check_name(name, man["sessions"], "session")]
    files = {n: e for n, e in man["files"].items() if e.get("session") == name}

    def role(r):
        return _LazyAudio([n for n, e in files.items() if e.get("role") == r], root)

    bpm = meta["bpm"]
    ts = tuple(meta["time_signature"])
    spb = ts[0] * 60.0 / bpm * (4 / ts[1])
    takes_start = meta["takes"]["start_bar"]
    sections = [SectionMarker(s["name"], s["start_bar"], s["bars"], spb) for s in meta["sections"]]
    core = ("variant", "clean", "kind", "freq_hz", "gain_db", "q", "bars", "description", "fix", "level_dbfs")
    problems = [
        Problem(p["variant"], p["clean"], p["kind"], p.get("freq_hz"), p.get("gain_db"), p.get("q"),
                tuple(p["bars"]), p["description"], p["fix"], p.get("level_dbfs"),
                {k: v for k, v in p.items() if k not in core})
        for p in meta["problems"]
    ]
    phrases = [
        LeadPhrase(p["name"], p["start_bar"], p["end_bar"], (p["start_bar"] - takes_start) * spb,
               (p["end_bar"] - takes_start) * spb, p["best_take"], p["takes"])
        for p in meta["takes"]["phrases"]
    ]
    rates = {e["sample_rate"] for e in files.values()}
    if len(rates) != 1:
        raise DatasetError(f"session {name!r} mixes sample rates {sorted(rates)}; re-render it with build().")
    return Session(
        name=name, title=meta["title"], sr=rates.pop(), bpm=bpm, key=meta["key"], time_signature=ts,
        sections=sections, problems=problems, phrases=phrases,
        stems=role("stem"), takes=role("take"), one_shots=role("one_shot"), variants=role("variant"),
        chords=list(meta.get("chords", [])), takes_start_bar=takes_start, root=root,
    )


# --------------------------------------------------------------------------- recorded drum kits


@dataclass(frozen=True)
class DrumKit:
    """A recorded drum kit: each piece's one-shots at a few velocities, and which pieces choke each other.

    ``hits[piece][velocity]`` is float32 mono audio at ``sr`` (read-only); velocities are MIDI (1-127).
    ``beats.Kit.recorded()`` turns it into a kit a pattern can play.

    Lesson: not yet taught
    """

    name: str
    title: str
    sr: int
    hits: dict[str, dict[int, np.ndarray]]
    descriptions: dict[str, str]
    choke_groups: tuple[tuple[str, ...], ...]
    licence: str
    credit: str

    @property
    def pieces(self) -> list[str]:
        return list(self.hits)


def kits(root=None) -> list[str]:
    """The names of the bundled recorded drum kits.

    Lesson: not yet taught
    """
    return list(manifest(root).get("kits", {}))


def load_kit(name: str = "avl_black_pearl", root=None) -> DrumKit:
    """Load a bundled recorded drum kit by name; every file's sha256 is checked.

    Raises:
        DatasetError: an unknown kit (the message lists the known ones), or a missing or changed file.

    Lesson: not yet taught
    """
    root = _root(root)
    man = manifest(root)
    known = man.get("kits", {})
    meta = known[_check_name(name, known, "kit")]
    hits: dict[str, dict[int, np.ndarray]] = {}
    rates = set()
    for piece, entry in meta["pieces"].items():
        hits[piece] = {}
        for item in entry["files"].values():
            y, sr = load_item(item, root=root)
            y.flags.writeable = False
            rates.add(sr)
            hits[piece][int(man["files"][item]["velocity"])] = y
        hits[piece] = dict(sorted(hits[piece].items()))
    if len(rates) != 1:
        raise DatasetError(f"kit {name!r} mixes sample rates {sorted(rates)}; re-render it with build().")
    return DrumKit(
        name=name, title=meta["title"], sr=rates.pop(), hits=hits,
        descriptions={p: e["description"] for p, e in meta["pieces"].items()},
        choke_groups=tuple(tuple(g) for g in meta.get("choke_groups", [])), licence=meta["licence"],
        credit=f"{meta['title']} by {meta['author']} ({meta['licence']}), from {meta['source']}",
    )


# --------------------------------------------------------------------------- building


def find_kit_soundfont(path=None) -> Path:
    """The AVL Drumkits' Black Pearl SoundFont: ``path``, else ``$PRODUCERKIT_KIT_SOUNDFONT``, else Debian's.

    Raises:
        DatasetError: none found, with the command that installs it.

    Lesson: not yet taught
    """
    return _find_soundfont_file(path, KIT_SOUNDFONT_ENV, KIT_SOUNDFONT_PATHS, "the AVL Drumkits Black Pearl SoundFont",
                                "avldrums.lv2-soundfont", "Black_Pearl_4_LV2.sf2")


def find_soundfont(path=None) -> Path:
    """The FluidR3 GM SoundFont: ``path``, else ``$PRODUCERKIT_SOUNDFONT``, else the usual places.

    Raises:
        DatasetError: none found, with the command that installs it.

    Lesson: not yet taught
    """
    return _find_soundfont_file(path, SOUNDFONT_ENV, SOUNDFONT_PATHS, "the FluidR3 GM SoundFont",
                                "fluid-soundfont-gm", "FluidR3_GM.sf2")


def _find_soundfont_file(path, env: str, defaults, what: str, package: str, example: str) -> Path:
    """``path``, else ``$env``, else the first of ``defaults`` that is a file; else an error saying how to get it."""
    candidates = [path] if path is not None else [os.environ.get(env), *defaults]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).resolve()
    where = path if path is not None else f"${env} or {', '.join(defaults)}"
    raise DatasetError(
        f"{what} was not found ({where}). Install it with "
        f"'sudo apt-get install {package}' (Debian/Ubuntu), or point "
        f"{env} at a {example}."
    )


def _require_renderer() -> None:
    try:
        import tinysoundfont  # noqa: F401
    except ImportError:
        raise DatasetError(
            "re-rendering the course audio needs tinysoundfont: pip install --no-deps tinysoundfont "
            "(--no-deps: its pyaudio dependency is only for live playback and does not build here), "
            "and pip install -e '.[build-data]' for the rest."
        ) from None


def _to_pcm16(y: np.ndarray) -> np.ndarray:
    peak = float(np.max(np.abs(y)))
    if peak >= 1.0:
        raise DatasetError(f"a rendered file peaks at {20 * np.log10(peak):+.2f} dBFS and would clip; "
                           "lower its level in producerkit/_song.py.")
    return np.clip(np.round(np.asarray(y, dtype=np.float64) * 32768.0), -32768, 32767).astype(np.int16)


def _flac_bytes(pcm: np.ndarray, sr: int) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, pcm, sr, format="FLAC", subtype="PCM_16", compression_level=1.0)
    return buf.getvalue()


_FOLDERS = {"stem": "stems", "take": "takes", "one_shot": "one_shots", "variant": "variants"}


def _file_entry(rel: str, pcm: np.ndarray, data: bytes, sr: int, item: dict, licence: str) -> dict:
    entry = {
        "role": item["role"],
        "file": rel,
        "description": item["description"],
        "sample_rate": sr,
        "channels": 1,
        "frames": int(len(pcm)),
        "duration_s": round(len(pcm) / sr, 6),
        "bit_depth": 16,
        "peak_dbfs": round(float(20 * np.log10(max(np.max(np.abs(pcm.astype(np.int32))), 1) / 32768)), 2),
        "sha256": hashlib.sha256(data).hexdigest(),
        "pcm_sha256": hashlib.sha256(pcm.astype("<i2").tobytes()).hexdigest(),
        "licence": licence,
    }
    entry.update({k: v for k, v in item.items() if k not in ("audio", "role", "description")})
    return entry


def build_kit(target=None, kit_soundfont=None) -> tuple[dict, dict]:
    """Render the recorded drum kit's one-shots into ``target``/kits/ and return ``(files, kit)`` for the manifest.

    :func:`build` calls it; on its own it leaves manifest.json alone (for a test that the render is repeatable).

    Lesson: not yet taught
    """
    from . import _kit

    _require_renderer()
    sf2 = find_kit_soundfont(kit_soundfont)
    target = _root(target)
    items, kit_meta = _kit.render_kit(str(sf2))
    files = {}
    for name, item in items.items():
        pcm = _to_pcm16(item["audio"])
        data = _flac_bytes(pcm, _kit.SR)
        rel = f"kits/{_kit.KIT}/{item['piece']}_{name.rsplit('_', 1)[1]}.flac"
        write_atomic(target / rel, data)
        files[name] = _file_entry(rel, pcm, data, _kit.SR, item, _kit.LICENCE)
    return files, {_kit.KIT: kit_meta}


def build(target=None, soundfont=None, kit_soundfont=None) -> dict:
    """Re-render the whole session from the composition, and the recorded drum kit, into ``target``.

    ``target`` defaults to the repo's datasets/. Needs tinysoundfont (``pip install --no-deps tinysoundfont``),
    Debian's fluid-soundfont-gm (the session) and avldrums.lv2-soundfont (the kit, see :func:`build_kit`).
    Every file is written to a temporary file and renamed into place, and manifest.json is rewritten
    last. The rendering is deterministic: a second build writes byte-identical files. Existing dataset
    files in ``target`` are replaced; nothing else there is touched. Returns the new manifest.

    Lesson: not yet taught
    """
    from . import _song

    _require_renderer()
    sf2 = find_soundfont(soundfont)
    find_kit_soundfont(kit_soundfont)  # before minutes of rendering, not after
    target = _root(target)
    target.mkdir(parents=True, exist_ok=True)
    rendered, session_meta = _song.render_session(str(sf2))
    files = {}
    for name, item in rendered.items():
        pcm = _to_pcm16(item["audio"])
        data = _flac_bytes(pcm, _song.SR)
        rel = f"{_song.SESSION}/{_FOLDERS[item['role']]}/{name}.flac"
        write_atomic(target / rel, data)
        files[name] = {"session": _song.SESSION, **_file_entry(rel, pcm, data, _song.SR, item, AUDIO_LICENCE)}
    kit_files, kit_meta = build_kit(target, kit_soundfont)
    files.update(kit_files)
    man = {
        "format": 1,
        "description": "The course audio of producerkit: one multitrack session rendered from code, and a "
                       "recorded drum kit. Re-render with producerkit.datasets.build(); check with "
                       "producerkit.datasets.verify().",
        "licence": f"{AUDIO_LICENCE_TEXT} Except the recorded drum kit (role 'kit', kits/): {KIT_LICENCE_TEXT}",
        "renderer": {"synth": "TinySoundFont (PyPI tinysoundfont)", "soundfont": "FluidR3_GM.sf2",
                     "soundfont_bytes": sf2.stat().st_size, "soundfont_licence": "MIT"},
        "sessions": {_song.SESSION: session_meta},
        "kits": kit_meta,
        "files": files,
    }
    text = json.dumps(man, indent=2, ensure_ascii=False) + "\n"
    write_atomic(target / MANIFEST, text.encode("utf-8"))
    return man
