"""producerkit course / producerkit lab: the student's own copy of the course, never overwriting their work."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from producerkit import course
from producerkit.cli import EXIT_FAILED, EXIT_OK, main
from producerkit.errors import ProducerkitError

ROOT = Path(__file__).resolve().parents[1]


def _notebook(text: str) -> bytes:
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [text]}], "metadata": {},
          "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(nb, indent=1) + "\n").encode()


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A stand-in for the course producerkit ships, so a test can 'upgrade' it."""
    src = tmp_path / "shipped"
    src.mkdir()
    for name in ("00-welcome.ipynb", "01-eq.ipynb", "02-compression.ipynb"):
        (src / name).write_bytes(_notebook(f"{name} v1"))
    monkeypatch.setattr(course, "source", lambda: src)
    return src


def _edit(path: Path, text: str) -> bytes:
    nb = json.loads(path.read_bytes())
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": [text], "outputs": [], "execution_count": 1})
    data = json.dumps(nb).encode()
    path.write_bytes(data)
    return data


def test_first_copy_copies_every_notebook_and_records_what_it_wrote(shipped, tmp_path):
    dest = tmp_path / "mine"
    report = course.copy_course(dest)
    assert report.copied == ("00-welcome.ipynb", "01-eq.ipynb", "02-compression.ipynb")
    for src in shipped.iterdir():
        assert (dest / src.name).read_bytes() == src.read_bytes()
    record = json.loads((dest / course.RECORD).read_text())
    assert set(record["files"]) == {p.name for p in shipped.iterdir()}
    assert "copied    01-eq.ipynb" in str(report)
    assert not [p for p in dest.iterdir() if p.name.endswith(".tmp")]


def test_a_second_run_keeps_a_changed_notebook_and_says_so(shipped, tmp_path):
    dest = tmp_path / "mine"
    course.copy_course(dest)
    mine = _edit(dest / "01-eq.ipynb", "x = 300  # my answer")
    (dest / "02-compression.ipynb").unlink()
    report = course.copy_course(dest)
    assert (dest / "01-eq.ipynb").read_bytes() == mine
    assert report.kept == ("01-eq.ipynb",) and report.copied == ("02-compression.ipynb",)
    assert report.current == ("00-welcome.ipynb",)
    assert "skipped   01-eq.ipynb  (it has your changes; the course has no newer version)" in str(report)
    assert not (dest / "01-eq (new).ipynb").exists()


def test_an_upgrade_updates_untouched_notebooks_and_puts_the_new_version_beside_a_changed_one(shipped, tmp_path):
    dest = tmp_path / "mine"
    course.copy_course(dest)
    mine = _edit(dest / "01-eq.ipynb", "x = 300  # my answer")
    for p in shipped.iterdir():
        p.write_bytes(_notebook(f"{p.name} v2"))
    (shipped / "03-arrangement.ipynb").write_bytes(_notebook("03 v2"))

    report = course.copy_course(dest)
    assert report.updated == ("00-welcome.ipynb", "02-compression.ipynb")
    assert report.copied == ("03-arrangement.ipynb",)
    assert report.beside == ("01-eq.ipynb",)
    assert sorted(report.written) == ["00-welcome.ipynb", "01-eq (new).ipynb", "02-compression.ipynb",
                                      "03-arrangement.ipynb"]
    assert (dest / "01-eq.ipynb").read_bytes() == mine
    assert (dest / "01-eq (new).ipynb").read_bytes() == (shipped / "01-eq.ipynb").read_bytes()
    assert (dest / "00-welcome.ipynb").read_bytes() == (shipped / "00-welcome.ipynb").read_bytes()
    text = str(report)
    assert "skipped   01-eq.ipynb  (it has your changes; the new version is beside it: 01-eq (new).ipynb)" in text

    # run again: nothing new, the '(new)' copy is reported again and not rewritten
    stamp = (dest / "01-eq (new).ipynb").stat().st_mtime_ns
    again = course.copy_course(dest)
    assert again.beside == ("01-eq.ipynb",) and not again.updated and not again.copied and not again.written
    assert not course.copy_course(dest, dry_run=True).pending
    assert (dest / "01-eq (new).ipynb").stat().st_mtime_ns == stamp

    # the student edits the '(new)' copy too, then the course changes again: neither file is touched
    theirs_new = _edit(dest / "01-eq (new).ipynb", "y = 1")
    (shipped / "01-eq.ipynb").write_bytes(_notebook("01 v3"))
    blocked = course.copy_course(dest)
    assert blocked.blocked == ("01-eq.ipynb",)
    assert (dest / "01-eq.ipynb").read_bytes() == mine
    assert (dest / "01-eq (new).ipynb").read_bytes() == theirs_new
    assert "rename or delete that file" in str(blocked)


def test_notebooks_of_unknown_origin_are_kept(shipped, tmp_path):
    dest = tmp_path / "by-hand"
    dest.mkdir()
    (dest / "01-eq.ipynb").write_bytes(b"my own notes")
    (dest / "00-welcome.ipynb").write_bytes((shipped / "00-welcome.ipynb").read_bytes())
    report = course.copy_course(dest)
    assert (dest / "01-eq.ipynb").read_bytes() == b"my own notes"
    assert report.beside == ("01-eq.ipynb",) and report.current == ("00-welcome.ipynb",)


def test_an_unreadable_record_is_moved_aside_and_nothing_is_overwritten(shipped, tmp_path):
    dest = tmp_path / "mine"
    course.copy_course(dest)
    mine = _edit(dest / "01-eq.ipynb", "x = 1")
    (dest / course.RECORD).write_text("{not json")
    report = course.copy_course(dest)
    assert (dest / "01-eq.ipynb").read_bytes() == mine
    assert any("moved aside" in n for n in report.notes)
    aside = [p for p in dest.iterdir() if p.name.startswith(course.RECORD + ".unreadable-")]
    assert len(aside) == 1 and aside[0].read_text() == "{not json"
    assert json.loads((dest / course.RECORD).read_text())["files"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(shipped, tmp_path, monkeypatch):
    dest = tmp_path / "mine"
    course.copy_course(dest)
    old = (dest / "00-welcome.ipynb").read_bytes()
    (shipped / "00-welcome.ipynb").write_bytes(_notebook("v2"))

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(course.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        course.copy_course(dest)
    assert (dest / "00-welcome.ipynb").read_bytes() == old
    assert not [p for p in dest.iterdir() if p.name.endswith(".tmp")]


def test_dry_run_writes_nothing(shipped, tmp_path):
    dest = tmp_path / "mine"
    report = course.copy_course(dest, dry_run=True)
    assert report.pending and len(report.copied) == 3 and not dest.exists()
    assert "to copy" in str(report) and "Nothing was written" in str(report)


def test_bad_folders_are_refused_with_a_reason(shipped, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(ProducerkitError, match="is a file"):
        course.copy_course(a_file)
    with pytest.raises(ProducerkitError, match="reads from"):
        course.copy_course(shipped)


def test_the_command_copies_the_real_course_and_tells_how_to_open_it(tmp_path, capsys):
    dest = tmp_path / "course"
    assert main(["course", str(dest)]) == EXIT_OK
    out = capsys.readouterr().out
    lessons = sorted(p.name for p in (ROOT / "course").glob("*.ipynb"))
    assert lessons and all(f"copied    {name}" in out for name in lessons)
    assert f"producerkit lab {dest}" in out
    for name in lessons:
        assert (dest / name).read_bytes() == (ROOT / "course" / name).read_bytes()
    (tmp_path / "afile").write_text("x")
    assert main(["course", str(tmp_path / "afile")]) == EXIT_FAILED
    assert "is a file" in capsys.readouterr().err


def test_course_and_lab_have_help(capsys):
    for command in ("course", "lab"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: producerkit " + command in capsys.readouterr().out


@pytest.fixture
def launched(monkeypatch):
    calls = []

    def fake_call(command, cwd=None):
        calls.append((command, Path(cwd)))
        return 0

    monkeypatch.setattr("producerkit.cli.subprocess.call", fake_call)
    return calls


@pytest.mark.parametrize("euid", [0, 1000])
def test_lab_from_an_installed_package_makes_and_opens_the_students_folder(shipped, tmp_path, monkeypatch, launched,
                                                                          euid, capsys):
    monkeypatch.setattr(course, "is_installed_copy", lambda: True)
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert main(["lab", "--no-browser"]) == EXIT_OK
    folder = tmp_path / "home" / "producerkit-course"
    (command, cwd), = launched
    assert cwd == folder and command[-1 if euid else -2] == "--no-browser"
    assert str(folder / "00-welcome.ipynb") in command
    assert ("--allow-root" in command) == (euid == 0)
    assert (folder / "01-eq.ipynb").exists() and "copied" in capsys.readouterr().out

    # a second lab does not copy again, but says when the course has something new
    (shipped / "03-arrangement.ipynb").write_bytes(_notebook("new lesson"))
    assert main(["lab", str(folder)]) == EXIT_OK
    assert f"producerkit course {folder}" in capsys.readouterr().out
    assert not (folder / "03-arrangement.ipynb").exists()


def test_lab_in_a_clone_opens_the_clones_course_in_place(launched):
    assert not course.is_installed_copy()
    assert main(["lab"]) == EXIT_OK
    (command, cwd), = launched
    assert cwd == ROOT and command[3] == str(ROOT / "course" / "00-welcome.ipynb")
