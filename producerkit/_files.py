"""Writing files so that a crash never leaves half of one: the one atomic writer behind the course copy,
the dataset build and the ear-training progress file.

Lesson: not yet taught
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entry list to disk, so a rename into it survives a power cut (where the OS allows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | str, *, replace: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it and move it into place.

    Text is written as UTF-8 with the newlines it has. A reader sees the old file or the new one,
    never a part of either; if writing fails, the old file is left as it was and the temporary
    file is removed. With ``replace=False`` an existing ``path`` is never touched: the move is a
    hard link that fails if the file exists (even one that appeared while writing), and
    :class:`FileExistsError` is raised. A new file gets the mode any program would give it (0644 under
    the usual umask 022), not the owner-only 0600 of a temporary file; a replaced file keeps its mode.

    Lesson: not yet taught
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777 if replace else None
    except OSError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.chmod(tmp, _umask_mode() if mode is None else mode)
        except OSError:  # a filesystem without modes (FAT, some network shares): nothing to keep
            pass
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            _move_without_replacing(Path(tmp), path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    fsync_dir(path.parent)


def _umask_mode() -> int:
    """0666 less the process's umask: the mode ``open()`` gives a new file (reading the umask means setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _move_without_replacing(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)  # atomic, and fails if the target exists: never clobbers
    except FileExistsError:
        raise
    except OSError:  # filesystems without hard links: a small race is the best they allow
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(tmp, path)


def free_path(folder: Path, name: str) -> Path:
    """``folder/name`` if no such file exists, else the first free ``stem (2).ext``, ``stem (3).ext``, ...

    What a lesson writes for the student (a master, a report) goes to a name nobody has used, so running
    a cell again never replaces the file from the last run.

    Lesson: not yet taught
    """
    folder = Path(folder)
    path = folder / name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while path.exists():
        path = folder / (f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})")
        n += 1
    return path
