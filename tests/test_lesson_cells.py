"""Every lesson tags its code cells, and tests/lesson_cells.py runs them by tag.

The tags (setup, exercise, check, widget, claim, figure) are how the test suite finds a lesson's
code; a cell without the tag it needs fails here with the cell's index, first line and the tag.
"""

import pytest

from producerkit import lessons

from .lesson_cells import (
    TAGS,
    Cell,
    Expr,
    function,
    infer_tags,
    literal,
    missing_tags,
    needed_by_later,
    run_cells,
    run_lesson,
    select,
)


@pytest.mark.parametrize("lesson", [item.name for item in lessons.ready()])
def test_every_code_cell_carries_the_tags_it_needs(lesson):
    problems = missing_tags(lesson)
    assert not problems, "\n".join(problems)


def _cells(*specs) -> tuple[Cell, ...]:
    return tuple(Cell(i, source, tuple(tags)) for i, (source, tags) in enumerate(specs))


def test_a_missing_tag_is_named_with_the_cell_and_the_tag():
    cells = _cells(
        ("from producerkit.widgets import ABPlayer\nimport numpy as np\ny = np.zeros(10)", ()),
        ("ABPlayer(y, y, 44100)", ("claim",)),
        ("answer = ...  # Hz", ()),
        ("check_thing(answer)", ()),
        ("check_other(answer)", ("check",)),
        ("fig = spectrum_figure(y)\nfig", ("audio",)),
    )
    problems = "\n".join(missing_tags("01-eq", cells))
    assert "01-eq has no cell tagged 'setup'" in problems
    assert ("01-eq cell 0 ('from producerkit.widgets import ABPlayer'): needs tag 'setup': "
            "later cells read what it builds: ABPlayer (cell 1), y (cell 1)") in problems
    assert "01-eq cell 1 ('ABPlayer(y, y, 44100)'): needs tag 'widget'" in problems
    assert "01-eq cell 2 ('answer = ...  # Hz'): needs tag 'exercise'" in problems
    assert "01-eq cell 3 ('check_thing(answer)'): needs tag 'check'" in problems
    assert "01-eq cell 4 ('check_other(answer)'): a check must follow its exercise" in problems
    assert "01-eq cell 5 ('fig = spectrum_figure(y)'): unknown tag 'audio'" in problems
    assert "01-eq cell 5 ('fig = spectrum_figure(y)'): no tag" in problems
    assert "01-eq cell 5 ('fig = spectrum_figure(y)'): needs tag 'figure'" in problems


def test_what_each_cell_does_is_read_from_its_code():
    cells = _cells(
        ("import ipywidgets as widgets\nfrom producerkit.widgets import ABPlayer\nplayer = ABPlayer(1, 2, 3)", ()),
        ("player.set_audio(b=2)", ()),
        ("slider = widgets.IntSlider(2)\nwidgets.VBox([slider, player])", ()),
        ("print(f'{3:.1f} dB')", ()),
        ("tools = {'a': ...}\ncheck_tools(tools)", ()),
        ("approved = {'lead': -4}\ncheck_balance(approved)", ()),
        ("plots.loudness_figure(approved)", ()),
        ("fig = make_subplots(rows=2)\nfig.show()", ()),
        ("from producerkit import widgets as pkw\npkw.LoudnessView(1, 2)", ()),
        ("pkw.abx_p_value(9, 10)", ()),
    )
    tags = infer_tags(cells)
    assert tags == {0: {"setup"}, 1: {"widget"}, 2: {"widget"}, 3: {"claim"},
                    4: {"exercise", "check"}, 5: {"setup", "claim"}, 6: {"claim", "figure"},
                    7: {"claim", "figure"}, 8: {"setup", "widget"}, 9: {"claim"}}
    assert set().union(*tags.values()) <= set(TAGS)


def test_a_name_a_later_cell_binds_for_itself_is_not_taken_from_above():
    """Loop and comprehension variables, and names bound again before anyone reads them, need no setup."""
    cells = _cells(
        ("for name, gain in {'a': 1}.items():\n    print(name, gain)", ()),
        ("spaces = {name: 1 for name in 'ab'}\nfor name in spaces:\n    print(name)", ()),
        ("gain = 2\nprint(gain)", ()),
        ("gain = 3\nprint(gain * 2)", ()),
        ("total = 0", ()),
        ("total = total + 1\nprint(total)", ()),
        ("def louder(x, by=2):\n    y = x * by\n    return y * 10", ()),
        ("print(louder(1))", ()),
    )
    tags = infer_tags(cells)
    assert "setup" not in tags[0] and "setup" not in tags[1]  # name: every later cell binds it for itself
    assert "setup" not in tags[2]  # gain: cell 3 binds it again before reading it
    assert "setup" in tags[4]  # total = total + 1 reads the total above first
    assert "setup" in tags[6]  # cell 7 calls louder(); x, by and y are the function's own
    assert needed_by_later(cells, 2) == []  # cell 3 binds gain again before reading it
    assert needed_by_later(cells, 4) == [("total", 5)]


def test_run_lesson_runs_tagged_cells_and_takes_a_students_answer():
    blank = run_lesson("01-eq", tags=("setup", "exercise", "check"), upto="check_mud_cut(mud_cut)")
    check = blank.cell_of("check_mud_frequency(mud_hz)")
    assert blank["mud_hz"] is ... and blank["Out"][check].correct is None
    right = run_lesson("01-eq", tags=("setup", "exercise", "check"), upto="check_mud_cut(mud_cut)",
                       answers={"mud_hz": 315, "mud_cut": Expr("Peak(315, gain_db=-9, q=1.2)")})
    assert right["Out"][check].correct is True and right["mud_cut"].freq == 315
    wrong = run_lesson("01-eq", tags=("setup", "exercise", "check"), upto="check_mud_cut(mud_cut)",
                       answers={"mud_hz": 2000})
    assert wrong["Out"][check].correct is False
    assert blank["mud_hz"] is ...  # a run never changes another's namespace
    with pytest.raises(KeyError, match=r"no exercise cell \(among those run\) that assigns \['kick_hz'\]"):
        run_lesson("01-eq", tags=("setup", "exercise"), upto="check_mud_cut(mud_cut)", answers={"kick_hz": 50})


def test_select_and_run_cells_name_cells_by_index_id_or_text():
    setup = select("03-arrangement", tags=("setup",))
    assert setup and all("setup" in c.tags for c in setup)
    ns, value = run_cells("03-arrangement", [setup[0].id])
    assert "song" in ns and value is not None
    with pytest.raises(LookupError, match="no code cell of 03-arrangement contains 'no such text'"):
        run_cells("03-arrangement", ["no such text"])
    with pytest.raises(ValueError, match="unknown tags"):
        select("03-arrangement", tags=("audio",))


def test_a_lessons_literal_and_function_are_read_from_its_cells():
    approved = literal("04-workflow", "APPROVED_MIX_DB")
    assert approved["lead"] > approved["keys"]
    plan = function("04-workflow", "plan_single")
    assert callable(plan) and plan().check()
    with pytest.raises(LookupError, match="nope is not defined in 04-workflow.ipynb"):
        function("04-workflow", "nope")
