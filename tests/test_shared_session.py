"""One name and one cached loader for the course's session, used by every checker and drill."""

import ast
from pathlib import Path

from producerkit import _song, datasets

PACKAGE = Path(__file__).resolve().parent.parent / "producerkit"


def test_the_session_is_opened_once_and_shared():
    first = datasets.shared_session()
    assert datasets.shared_session() is first and datasets.shared_session(datasets.SESSION) is first
    assert first.name == datasets.SESSION == _song.SESSION
    assert datasets.load_session() is not first  # a session of your own stays yours


def test_every_checker_and_drill_uses_the_shared_loader():
    from producerkit import training
    from producerkit.checks import arrangement, compression, eq, workflow

    assert eq._session is compression._session is workflow._session is datasets.shared_session
    assert arrangement._session(None) is datasets.shared_session()
    assert training._session(datasets.SESSION) is datasets.shared_session()


def test_the_session_name_is_written_once_in_the_library():
    """The literal lives in producerkit/_song.py (the composition); everything else says SESSION."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == _song.SESSION:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert [f.split(":")[0] for f in found] == ["producerkit/_song.py"], (
        f"write datasets.SESSION (or _song.SESSION) instead of the literal at: {found}")
