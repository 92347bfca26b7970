"""The course as a student's own copy: ``producerkit course DIR`` and ``producerkit lab``.

producerkit ships its lessons (``course/*.ipynb``) inside the package. :func:`copy_course` copies them
into a folder the student owns, and can be run again after an upgrade: it never replaces a notebook
the student has changed. It tells a changed notebook from an untouched one by a small record it keeps
in the folder (``.producerkit-course.json``: the sha256 of every file it wrote). A notebook whose
bytes still match the record is replaced by the new version; one that does not is kept, and the
new version, if there is one, is written beside it as ``NN-topic (new).ipynb``.

    >>> from producerkit import course
    >>> print(course.copy_course("~/producerkit-course"))          # doctest: +SKIP

Lesson: not yet taught
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ._bundled import bundled_dir, restore_hint
from ._files import write_atomic
from .errors import ProducerkitError

#: The record of what copy_course wrote, kept in the student's folder.
RECORD = ".producerkit-course.json"
#: Where ``producerkit course`` and an installed ``producerkit lab`` put the course when no folder is given.
DEFAULT_FOLDER = "~/producerkit-course"
#: The environment variable that moves the work folder (the tests point it at a temporary folder).
WORK_ENV = "PRODUCERKIT_WORK"
#: The work folder's name, beside the lesson notebooks.
WORK_FOLDER = "my-work"


def source() -> Path:
    """The course folder producerkit ships: inside the installed package, or ``course/`` in a checkout.

    Lesson: not yet taught
    """
    folder = bundled_dir("course")[0]
    if not any(folder.glob("*.ipynb")):
        raise ProducerkitError(f"the course is missing from {folder}: {restore_hint('course')}.")
    return folder


def work_folder(path=None) -> Path:
    """Where lessons write what the student makes (masters, mix settings, the capstone's project file).

    ``path`` if given, else ``$PRODUCERKIT_WORK``, else ``my-work/`` in the kernel's working directory,
    which is the folder the lesson notebooks are in. The folder is created if it is missing.

    Raises:
        ProducerkitError: the folder cannot be created (the message says where, and how to pick another).

    Lesson: not yet taught
    """
    folder = Path(path or os.environ.get(WORK_ENV) or Path.cwd() / WORK_FOLDER).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ProducerkitError(f"the work folder {folder} is a file, not a folder: pass another folder, or set "
                               f"{WORK_ENV} to one.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProducerkitError(f"cannot create the work folder {folder} ({exc.strerror or exc}): pass another "
                               f"folder, or set {WORK_ENV} to one you can write to.") from None
    return folder


def first_lesson() -> str:
    """The notebook a course folder opens at: the registry's first lesson (``00-welcome.ipynb``).

    Lesson: not yet taught
    """
    from .lessons import ready

    return ready()[0].filename


def is_installed_copy() -> bool:
    """True when the course comes from an installed wheel, False in a checkout of the repository.

    Lesson: not yet taught
    """
    return bundled_dir("course")[1]


def new_name(name: str) -> str:
    """The name the new version of a changed notebook is written under: ``01-eq (new).ipynb``.

    Lesson: not yet taught
    """
    stem, dot, ext = name.rpartition(".")
    return f"{stem} (new).{ext}" if dot else f"{name} (new)"


@dataclass(frozen=True)
class CopyReport:
    """What :func:`copy_course` did (or, with ``dry_run=True``, would do), notebook by notebook.

    ``copied``: new in the folder. ``updated``: replaced by the new version (the student had not
    changed them). ``current``: already the shipped version. ``kept``: changed by the student and left
    alone, with nothing newer shipped. ``beside``: changed by the student and left alone, the new
    version written as ``NN-topic (new).ipynb``. ``blocked``: changed by the student, and so is the
    ``(new)`` file, so the new version could not be written anywhere. ``written``: every file written
    (or, in a dry run, to be written), the ``(new)`` ones included.

    Lesson: not yet taught
    """

    folder: Path
    copied: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    current: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    beside: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    dry_run: bool = False

    @property
    def pending(self) -> bool:
        """True when a dry run found notebooks to write (new lessons, updates, new versions beside changed ones)."""
        return bool(self.written)

    def __str__(self) -> str:
        words = ("to copy", "to update", "to skip") if self.dry_run else ("copied", "updated", "skipped")
        copied, updated, skipped = words
        lines = [f"Course folder: {self.folder}"]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  {copied:<9} {n}" for n in self.copied]
        lines += [f"  {updated:<9} {n}  (you had not changed it)" for n in self.updated]
        lines += [f"  {skipped:<9} {n}  (it has your changes; the new version is beside it: {new_name(n)})"
                  for n in self.beside]
        lines += [f"  {skipped:<9} {n}  (it has your changes; the course has no newer version)" for n in self.kept]
        lines += [f"  {skipped:<9} {n}  (it has your changes, and so has {new_name(n)}: rename or delete that "
                  "file and run producerkit course again to get the new version)" for n in self.blocked]
        if self.current:
            lines.append(f"  {len(self.current)} notebook(s) already up to date")
        if self.dry_run and self.pending:
            lines.append(f"Nothing was written: run  producerkit course {self.folder}  to do this.")
        elif self.beside:
            lines.append("Your notebooks are never replaced. Open the '(new)' notebook beside yours to see what "
                         "changed; to switch to it, delete yours and run producerkit course again.")
        return "\n".join(lines)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_record(folder: Path, notes: list[str], dry_run: bool) -> dict[str, str]:
    path = folder / RECORD
    if not path.exists():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        files = record["files"]
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise TypeError
        return files
    except (OSError, ValueError, KeyError, TypeError):
        aside = path.with_name(f"{RECORD}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        if not dry_run:
            os.replace(path, aside)
        notes.append(f"{RECORD} could not be read and was moved aside to {aside.name}; every notebook that differs "
                     "from the course is treated as yours and kept.")
        return {}


def copy_course(folder=DEFAULT_FOLDER, dry_run: bool = False) -> CopyReport:
    """Copy the shipped lessons into ``folder``, never replacing a notebook the student has changed.

    Args:
        folder: the student's course folder; created if missing. ``~`` is expanded.
        dry_run: only say what would happen, write nothing.

    Returns:
        A :class:`CopyReport`; ``print()`` it for the student.

    Raises:
        ProducerkitError: ``folder`` is a file, or is the shipped course itself.

    Lesson: not yet taught
    """
    src = source()
    folder = Path(folder).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise ProducerkitError(f"{folder} is a file, not a folder: choose a folder for the course.")
    if folder == src.resolve():
        raise ProducerkitError(f"{folder} is the course producerkit reads from; choose another folder to copy it into.")
    if not dry_run:
        folder.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    old = _read_record(folder, notes, dry_run)
    record = dict(old)
    done: dict[str, list[str]] = {
        k: [] for k in ("copied", "updated", "current", "kept", "beside", "blocked", "written")
    }

    def write(name: str, data: bytes, digest: str) -> None:
        if not dry_run:
            write_atomic(folder / name, data)
        record[name] = digest
        done["written"].append(name)

    for shipped in sorted(src.glob("*.ipynb")):
        name = shipped.name
        data = shipped.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        mine = folder / name
        if not mine.exists():
            write(name, data, digest)
            done["copied"].append(name)
            continue
        have = _sha256(mine)
        if have == digest:
            record[name] = digest
            done["current"].append(name)
        elif old.get(name) == have:  # the student's copy is what we wrote last time: safe to replace
            write(name, data, digest)
            done["updated"].append(name)
        elif old.get(name) == digest:  # changed by the student, and the course has not changed since
            done["kept"].append(name)
        else:  # changed by the student (or of unknown origin), and the course has a newer version
            beside = folder / new_name(name)
            if not beside.exists() or _sha256(beside) in (digest, old.get(beside.name)):
                if not beside.exists() or _sha256(beside) != digest:
                    write(beside.name, data, digest)
                record[beside.name] = digest
                done["beside"].append(name)
            else:
                done["blocked"].append(name)
    if not dry_run:
        from . import __version__

        text = json.dumps({"format": 1, "producerkit": __version__, "files": record}, indent=2)
        write_atomic(folder / RECORD, (text + "\n").encode("utf-8"))
    return CopyReport(folder, **{k: tuple(v) for k, v in done.items()}, notes=tuple(notes), dry_run=dry_run)
