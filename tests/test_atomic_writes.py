"""Every file producerkit writes survives its writer being killed half-way (issue 18, robustness).

Each writer runs in a subprocess that is SIGKILLed in the middle of writing: either after half of the
bytes went out (``stage="write"``: file objects, pathlib and soundfile write half, then the process kills
itself) or after the data is written but before it is renamed into place (``stage="rename"``). The file
that was there before must then hold exactly its old bytes. A control test runs a plain, non-atomic
``Path.write_bytes`` through the same harness and finds the file broken, so the harness can fail.
Each writer also refuses to replace a file it was not asked to.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Runs PREPARE (imports, data), arms the kill for STAGE, then runs WRITE, which must not finish.
HARNESS = r'''
import os, signal, sys, pathlib
stage, prepare, write = sys.argv[1], sys.argv[2], sys.argv[3]
exec(prepare)


def die(*args, **kwargs):
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


if stage == "rename":
    os.replace = os.rename = os.link = die
    pathlib.Path.replace = pathlib.Path.rename = die
else:
    class Half:
        """A file whose first write puts out half of the bytes, flushes them to disk, and dies."""

        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            os.fsync(self.fh.fileno())
            die()

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.fh.__exit__(*exc)

    real_fdopen, real_open = os.fdopen, pathlib.Path.open
    os.fdopen = lambda *a, **k: Half(real_fdopen(*a, **k))
    pathlib.Path.open = lambda self, *a, **k: Half(real_open(self, *a, **k))
    try:
        import soundfile

        real_sf_write = soundfile.SoundFile.write

        def half_frames(self, data):
            real_sf_write(self, data[: len(data) // 2])
            self.flush()
            die()

        soundfile.SoundFile.write = half_frames
    except ImportError:
        pass
exec(write)
print("FINISHED")
'''


def kill_while_writing(stage: str, prepare: str, write: str, env: dict | None = None) -> None:
    """Run ``write`` in a subprocess armed to SIGKILL itself at ``stage``; assert that it was killed there."""
    run_env = {**os.environ, "NUMBA_CACHE_DIR": os.environ.get("NUMBA_CACHE_DIR", "/tmp/producerkit-numba"),
               **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", HARNESS, stage, textwrap.dedent(prepare), textwrap.dedent(write)],
        cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, (
        f"the writer was not killed mid-write (exit {done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}"
    )
    assert "FINISHED" not in done.stdout


STAGES = ["write", "rename"]


def _old(path: Path, data: bytes) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def test_the_harness_catches_a_writer_that_is_not_atomic(tmp_path):
    target = tmp_path / "notes.txt"
    old = _old(target, b"the old notes\n" * 100)
    kill_while_writing("write", "", f"pathlib.Path({str(target)!r}).write_bytes(b'new notes' * 1000)")
    assert target.read_bytes() != old  # a plain write is caught half-way: this is what the tests below rule out


@pytest.mark.parametrize("stage", STAGES)
def test_write_atomic_leaves_the_old_file_when_killed(tmp_path, stage):
    target = tmp_path / "data.bin"
    old = _old(target, b"old" * 1000)
    kill_while_writing(stage, "from producerkit._files import write_atomic",
                       f"write_atomic(pathlib.Path({str(target)!r}), b'new' * 100000)")
    assert target.read_bytes() == old


def _wav(path: Path, level: float) -> bytes:
    import soundfile as sf

    sf.write(str(path), np.full(4410, level, np.float32), 44100, subtype="PCM_24")
    return path.read_bytes()


@pytest.mark.parametrize("stage", STAGES)
def test_save_with_overwrite_leaves_the_old_file_when_killed(tmp_path, stage):
    target = tmp_path / "mix.wav"
    old = _wav(target, 0.25)
    kill_while_writing(stage, "import numpy as np; from producerkit.audio import save",
                       f"save({str(target)!r}, np.full(441000, 0.5, np.float32), 44100, overwrite=True)")
    assert target.read_bytes() == old


def test_save_never_replaces_a_file_unasked(tmp_path):
    from producerkit.audio import save
    from producerkit.errors import AudioError

    target = tmp_path / "mix.wav"
    old = _wav(target, 0.25)
    with pytest.raises(AudioError, match="overwrite=True"):
        save(target, np.zeros(100, np.float32), 44100)
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.wav"]  # no temporary file left behind


@pytest.mark.parametrize("stage", STAGES)
def test_a_master_from_the_command_line_leaves_the_old_file_when_killed(tmp_path, stage):
    source, target = tmp_path / "mix.wav", tmp_path / "master.wav"
    import soundfile as sf

    t = np.arange(44100 * 2) / 44100
    sf.write(str(source), (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 44100)
    old = _wav(target, 0.25)
    kill_while_writing(stage, "from producerkit import cli, master, dynamics, meters",
                       f"cli.main(['master', {str(source)!r}, {str(target)!r}, '--overwrite'])")
    assert target.read_bytes() == old


def test_a_master_from_the_command_line_never_replaces_a_file_unasked(tmp_path, capsys):
    from producerkit import cli

    source, target = tmp_path / "mix.wav", tmp_path / "master.wav"
    _wav(source, 0.1)
    old = _wav(target, 0.25)
    assert cli.main(["master", str(source), str(target)]) != 0
    assert "overwrite" in capsys.readouterr().err.lower()
    assert target.read_bytes() == old


def _progress(path: Path) -> bytes:
    from producerkit import training

    progress = training.Progress(path)
    progress.set_student("Sam")
    return path.read_bytes()


@pytest.mark.parametrize("stage", STAGES)
def test_the_progress_file_survives_a_kill_while_an_answer_is_recorded(tmp_path, stage):
    target = tmp_path / "progress.json"
    old = _progress(target)
    kill_while_writing(stage, f"from producerkit import training; p = training.Progress({str(target)!r})",
                       "p.set_student('Alex')")
    assert target.read_bytes() == old
    assert json.loads(target.read_text())["student"] == "Sam"


@pytest.mark.parametrize("stage", STAGES)
def test_an_exported_progress_file_survives_a_kill(tmp_path, stage):
    source, target = tmp_path / "progress.json", tmp_path / "backup.json"
    _progress(source)
    old = _old(target, b'{"an": "older export"}\n')
    kill_while_writing(stage, "from producerkit import training",
                       f"training.export_progress({str(target)!r}, source={str(source)!r}, overwrite=True)")
    assert target.read_bytes() == old


def test_export_progress_never_replaces_a_file_unasked(tmp_path):
    from producerkit import training

    source, target = tmp_path / "progress.json", tmp_path / "backup.json"
    _progress(source)
    old = _old(target, b'{"an": "older export"}\n')
    with pytest.raises(training.ProgressError, match="overwrite=True"):
        training.export_progress(target, source=source)
    assert target.read_bytes() == old


@pytest.mark.parametrize("stage", STAGES)
def test_the_class_report_survives_a_kill(tmp_path, stage):
    folder = tmp_path / "class"
    _progress(folder / "sam.json")
    old = _old(folder / "class.csv", b"student,trials\nSam,3\n")
    kill_while_writing(stage, "from producerkit import training", f"training.class_report({str(folder)!r})")
    assert (folder / "class.csv").read_bytes() == old


@pytest.mark.parametrize("stage", STAGES)
def test_the_course_copy_survives_a_kill(tmp_path, stage):
    from producerkit import course

    folder = tmp_path / "course"
    course.copy_course(folder)
    record = folder / course.RECORD
    lesson = sorted(folder.glob("*.ipynb"))[0]
    # the copy the student has not touched is what producerkit wrote last time: an update may replace it
    stale = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    lesson.write_bytes(stale)
    data = json.loads(record.read_text())
    import hashlib

    data["files"][lesson.name] = hashlib.sha256(stale).hexdigest()
    record.write_text(json.dumps(data))
    old_record = record.read_bytes()
    kill_while_writing(stage, "from producerkit import course", f"course.copy_course({str(folder)!r})")
    assert lesson.read_bytes() == stale
    assert record.read_bytes() == old_record


def test_the_course_copy_never_replaces_a_lesson_the_student_changed(tmp_path):
    from producerkit import course

    folder = tmp_path / "course"
    course.copy_course(folder)
    lesson = sorted(folder.glob("*.ipynb"))[0]
    mine = lesson.read_bytes().replace(b'"cells": [', b'"cells": [\n', 1) + b"\n"
    lesson.write_bytes(mine)
    course.copy_course(folder)
    assert lesson.read_bytes() == mine


@pytest.mark.parametrize("stage", STAGES)
def test_the_generated_course_map_survives_a_kill(tmp_path, stage):
    target = tmp_path / "README.md"
    old = _old(target, b"# the old README\n" * 50)
    prepare = f"""
    from producerkit import lessons
    lessons.generated = lambda root: {{pathlib.Path({str(target)!r}): "# the new README\\n" * 5000}}
    """
    kill_while_writing(stage, prepare, "lessons.write('.')")
    assert target.read_bytes() == old


def test_every_writer_in_the_library_is_one_of_these(tmp_path):
    """A new writer (open for writing, write_text, sf.write to a path, ...) must join this file's tests."""
    import re

    writes = re.compile(r"open\([^)]*['\"][wax]b?['\"]|\.write_text\(|\.write_bytes\(|sf\.write\(str|to_csv\(|"
                        r"json\.dump\(|shutil\.copy")
    known = {"audio.py": "save", "_files.py": "write_atomic", "training.py": "corrupt-file backup (copy2)"}
    found = {}
    for path in sorted((ROOT / "producerkit").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if writes.search(line) and not line.lstrip().startswith("#"):
                found.setdefault(path.name, []).append(f"{number}: {line.strip()}")
    assert set(found) <= set(known), f"writers not covered by tests/test_atomic_writes.py: {found}"
