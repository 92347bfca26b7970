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
import re
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


# --------------------------------------------------------------------------- session 4's writers


def _settings(path: Path, gain_db: float) -> bytes:
    from producerkit import mix

    mix.MixSettings({"kick": {"gain_db": gain_db}, "bass": {"pan": -0.25}}).save(path)
    return path.read_bytes()


@pytest.mark.parametrize("stage", STAGES)
def test_the_mix_settings_survive_a_kill_while_they_are_saved(tmp_path, stage):
    target = tmp_path / "mix-settings.json"
    old = _settings(target, -6.0)
    channels = {f"track {i}": {"gain_db": -1.0} for i in range(500)}
    kill_while_writing(stage, f"from producerkit import mix; s = mix.MixSettings({channels!r})",
                       f"s.save({str(target)!r})")
    assert target.read_bytes() == old
    from producerkit import mix

    assert mix.MixSettings.load(target).channels["kick"].gain_db == -6.0


def _project(path: Path) -> bytes:
    from producerkit import capstone

    project = capstone.CapstoneProject.open(path)
    project.decide("demo", layers=["drums", "bass"])
    return path.read_bytes()


@pytest.mark.parametrize("stage", STAGES)
def test_the_capstone_project_file_survives_a_kill_while_a_decision_is_saved(tmp_path, stage):
    target = tmp_path / "capstone-project.json"
    old = _project(target)
    kill_while_writing(stage, f"from producerkit import capstone; p = capstone.CapstoneProject.open({str(target)!r})",
                       "p.decide('demo', layers=['drums', 'bass', 'keys'], note='x' * 100000)")
    assert target.read_bytes() == old
    from producerkit import capstone

    assert capstone.CapstoneProject.open(target).get("demo", "layers") == ["drums", "bass"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_release_report_survives_a_kill_while_it_is_replaced(tmp_path, stage):
    from producerkit import capstone

    project_file = tmp_path / "capstone-project.json"
    _project(project_file)
    report = capstone.write_report(capstone.CapstoneProject.open(project_file), "<html>the old report</html>\n")
    old_report, old_project = report.read_bytes(), project_file.read_bytes()
    prepare = f"from producerkit import capstone; p = capstone.CapstoneProject.open({str(project_file)!r})"
    kill_while_writing(stage, prepare, "capstone.write_report(p, '<html>' + 'the new report ' * 20000)")
    assert report.read_bytes() == old_report
    assert project_file.read_bytes() == old_project


def test_the_release_report_never_replaces_a_report_the_student_changed(tmp_path):
    from producerkit import capstone

    project = capstone.CapstoneProject.open(tmp_path / "capstone-project.json")
    report = capstone.write_report(project, "<html>ours</html>\n")
    report.write_text("<html>ours, with my notes</html>\n")
    again = capstone.write_report(project, "<html>the new one</html>\n")
    assert again != report and report.read_text() == "<html>ours, with my notes</html>\n"
    assert again.read_text() == "<html>the new one</html>\n"


def _finished_files(folder: Path) -> list[str]:
    """The files a reader sees in ``folder``: a killed writer's temporary file (hidden, .tmp) does not count."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


@pytest.mark.parametrize("stage", STAGES)
def test_a_saved_master_survives_a_kill_and_leaves_no_half_file(tmp_path, stage):
    """save_master (TrackUpload's Save button, and lesson 10) never replaces: the old master stays, and a kill
    leaves no half-written file under the new name."""
    name = "Song - master for Spotify - 24-bit 44.1 kHz.wav"
    old = _wav(tmp_path / name, 0.25)
    kill_while_writing(stage, "import numpy as np; from producerkit import master",
                       f"master.save_master(np.full((2, 441000), 0.5, np.float32), 44100, {name!r}, "
                       f"folder={str(tmp_path)!r})")
    assert (tmp_path / name).read_bytes() == old
    assert _finished_files(tmp_path) == [name]


def test_save_master_never_replaces_a_file(tmp_path):
    from producerkit import master

    name = "Song - master - 24-bit 44.1 kHz.wav"
    old = _wav(tmp_path / name, 0.25)
    path = master.save_master(np.full((2, 4410), 0.1, np.float32), 44100, name, folder=tmp_path)
    assert path.name == "Song - master - 24-bit 44.1 kHz (2).wav"
    assert (tmp_path / name).read_bytes() == old


#: Every function in producerkit that writes a file (it calls write_atomic, audio.save or os.replace, or writes
#: directly), and the tests in this file that kill it half-way or show it never replaces unasked.
WRITERS = {
    ("_files.py", "write_atomic"): ["test_write_atomic_leaves_the_old_file_when_killed"],
    ("_files.py", "_move_without_replacing"): ["test_write_atomic_leaves_the_old_file_when_killed",
                                               "test_save_never_replaces_a_file_unasked"],
    ("audio.py", "save"): ["test_save_with_overwrite_leaves_the_old_file_when_killed",
                           "test_save_never_replaces_a_file_unasked"],
    ("cli.py", "cmd_master"): ["test_a_master_from_the_command_line_leaves_the_old_file_when_killed",
                               "test_a_master_from_the_command_line_never_replaces_a_file_unasked"],
    ("training.py", "record"): ["test_the_progress_file_survives_a_kill_while_an_answer_is_recorded"],
    ("training.py", "set_student"): ["test_the_progress_file_survives_a_kill_while_an_answer_is_recorded"],
    ("training.py", "_load_locked"): ["test_the_progress_file_survives_a_kill_while_an_answer_is_recorded"],
    ("training.py", "export_progress"): ["test_an_exported_progress_file_survives_a_kill",
                                         "test_export_progress_never_replaces_a_file_unasked"],
    ("training.py", "class_report"): ["test_the_class_report_survives_a_kill"],
    ("course.py", "write"): ["test_the_course_copy_survives_a_kill"],
    ("course.py", "copy_course"): ["test_the_course_copy_survives_a_kill",
                                   "test_the_course_copy_never_replaces_a_lesson_the_student_changed"],
    ("course.py", "_read_record"): ["test_the_course_copy_survives_a_kill"],
    ("lessons.py", "write"): ["test_the_generated_course_map_survives_a_kill"],
    ("mix.py", "save"): ["test_the_mix_settings_survive_a_kill_while_they_are_saved"],
    ("mix.py", "load"): ["test_the_mix_settings_survive_a_kill_while_they_are_saved"],  # moves a damaged file aside
    ("capstone.py", "save"): ["test_the_capstone_project_file_survives_a_kill_while_a_decision_is_saved"],
    ("capstone.py", "_back_up"): ["test_the_capstone_project_file_survives_a_kill_while_a_decision_is_saved"],
    ("capstone.py", "write_report"): ["test_the_release_report_survives_a_kill_while_it_is_replaced",
                                      "test_the_release_report_never_replaces_a_report_the_student_changed"],
    # deliver writes the capstone's master only through audio.save(overwrite=False), as save_master does
    ("capstone.py", "deliver"): ["test_a_saved_master_survives_a_kill_and_leaves_no_half_file",
                                 "test_save_never_replaces_a_file_unasked"],
    ("master.py", "save_master"): ["test_a_saved_master_survives_a_kill_and_leaves_no_half_file",
                                   "test_save_master_never_replaces_a_file"],
    # the maintainers' tools that rebuild the bundled course audio (never run by a student), via write_atomic
    ("datasets.py", "build"): ["test_write_atomic_leaves_the_old_file_when_killed"],
    ("datasets.py", "build_kit"): ["test_write_atomic_leaves_the_old_file_when_killed"],
}


def _writers_in_the_library() -> dict[tuple[str, str], list[str]]:
    """(file, function) of every call that writes a file, with the lines: write_atomic, audio.save (``save(`` with
    a path), os.replace/rename/link, shutil copies, and a direct write (open for writing, write_text, sf.write)."""
    import ast

    direct = re.compile(r"open\([^)]*['\"][wax]b?['\"]|\.write_text\(|\.write_bytes\(|sf\.write\(str|to_csv\(|"
                        r"json\.dump\(|shutil\.copy")
    found: dict[tuple[str, str], list[str]] = {}
    calls = {"write_atomic", "_files.write_atomic", "os.replace", "os.rename", "os.link", "save", "audio.save",
             "shutil.copy2", "shutil.copyfile", "shutil.move"}

    def visit(node, function, where: str, lines: list[str]):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call):
            line = lines[node.lineno - 1].strip()
            if ast.unparse(node.func) in calls or direct.search(line):
                found.setdefault((where, function or "<module>"), []).append(f"{node.lineno}: {line}")
        for child in ast.iter_child_nodes(node):
            visit(child, function, where, lines)

    for path in sorted((ROOT / "producerkit").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        visit(ast.parse(source), None, path.name, source.splitlines())
    return found


def test_every_writer_in_the_library_is_one_of_these(tmp_path):
    """A new writer (a function that calls write_atomic, audio.save, os.replace, or opens a file for writing)
    must join this file's tests: WRITERS names the tests that kill it half-way or show it never replaces."""
    found = _writers_in_the_library()
    missing = {key: lines for key, lines in found.items() if key not in WRITERS}
    assert not missing, f"writers not covered by tests/test_atomic_writes.py (add a test and a WRITERS row): {missing}"
    stale = sorted(set(WRITERS) - set(found))
    assert not stale, f"WRITERS names functions that no longer write (remove them): {stale}"
    for key, tests in WRITERS.items():
        for name in tests:
            assert callable(globals().get(name)), f"WRITERS[{key}] names {name}, which is not a test in this file"
