"""The work folder lessons write the student's files into, and the free names that keep earlier files."""

import os

import pytest

from producerkit import course
from producerkit._files import free_path
from producerkit.errors import ProducerkitError


def test_work_folder_follows_the_environment_and_is_created(tmp_path, monkeypatch):
    target = tmp_path / "class" / "work"
    monkeypatch.setenv(course.WORK_ENV, str(target))
    assert course.work_folder() == target and target.is_dir()


def test_work_folder_defaults_to_my_work_beside_the_notebooks(tmp_path, monkeypatch):
    monkeypatch.delenv(course.WORK_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert course.work_folder() == tmp_path / "my-work"


def test_the_tests_never_write_into_the_checkouts_work_folder():
    assert os.environ[course.WORK_ENV] and "my-work" not in os.environ[course.WORK_ENV]


def test_a_file_in_the_way_is_a_clear_error(tmp_path):
    (tmp_path / "taken").write_text("mine")
    with pytest.raises(ProducerkitError, match="is a file, not a folder"):
        course.work_folder(tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "mine"


def test_free_path_never_names_an_existing_file(tmp_path):
    assert free_path(tmp_path, "master.wav") == tmp_path / "master.wav"
    (tmp_path / "master.wav").write_bytes(b"1")
    (tmp_path / "master (2).wav").write_bytes(b"2")
    assert free_path(tmp_path, "master.wav") == tmp_path / "master (3).wav"
    (tmp_path / "notes").write_text("x")
    assert free_path(tmp_path, "notes") == tmp_path / "notes (2)"
