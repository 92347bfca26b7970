"""Lesson 11's checkers, each with right, near, wrong and missing answers, judged against the course's data.

The EP budget is :func:`producerkit.planning.ep_budget` at :data:`producerkit.business.EP_RATES_GBP`; the
royalty is :func:`producerkit.business.royalties`; a split sheet adds up to 100 % as
:class:`producerkit.business.SplitSheet` requires; the career is :data:`producerkit.business.CAREER_STEPS`.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from producerkit.business import CAREER_STEPS, SplitSheet, royalties
from producerkit.checks import Feedback
from producerkit.checks.business import (
    EP_LIMIT_GBP,
    EP_SONGS,
    HIRE_SCENARIOS,
    ROYALTY_EXERCISE,
    SPLIT_DRAFT,
    check_career_order,
    check_ep_budget,
    check_producer_royalty,
    check_split_sheet,
    check_who_to_hire,
)
from producerkit.planning import EP_STAGES, ep_budget
from tests.feedback_words import said

ALL_CHECKERS = [check_ep_budget, check_producer_royalty, check_split_sheet, check_who_to_hire, check_career_order]




# --------------------------------------------------------------------------- missing, and any input


@pytest.mark.parametrize("checker", ALL_CHECKERS)
@pytest.mark.parametrize("blank", [None, ..., "", [], {}])
def test_every_checker_waits_for_an_answer(checker, blank):
    fb = checker(blank)
    assert fb.correct is None and not fb
    said(fb, "no answer yet")


def test_the_exercise_cells_placeholders_are_unanswered():
    assert check_ep_budget(dict.fromkeys(EP_STAGES, ...)).correct is None
    assert check_who_to_hire({"A": ..., "B": ..., "C": ...}).correct is None
    assert check_split_sheet([(n, ..., r) for n, _, r in SPLIT_DRAFT]).correct is None
    assert check_producer_royalty(...).correct is None
    assert check_career_order(...).correct is None


@settings(max_examples=80, deadline=None)
@given(st.one_of(
    st.none(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.lists(st.one_of(st.text(max_size=12), st.integers(), st.tuples(st.text(max_size=8), st.floats())),
             max_size=6),
    st.dictionaries(st.one_of(st.text(max_size=20), st.sampled_from(EP_STAGES + ("A", "B", "Noor"))),
                    st.one_of(st.text(max_size=20), st.integers(-5, 50), st.floats(), st.none()), max_size=6)))
def test_no_checker_raises_on_any_input(value):
    for checker in ALL_CHECKERS:
        assert isinstance(checker(value), Feedback)


# --------------------------------------------------------------------------- budget an EP to a limit


def _days(**change):
    days = {"preproduction": 1, "recording": 3, "editing": 1, "overdubs": 1, "delivery": 1}
    days.update(change)
    return days


def test_ep_budget_right_within_the_limit_with_the_contingency():
    for days in (_days(), _days(preproduction=2, editing=2)):  # £5,830 and £6,490 of £6,500
        assert ep_budget(EP_SONGS, **days).total <= EP_LIMIT_GBP
        fb = check_ep_budget(days)
        assert fb.correct is True, str(fb)
        said(fb, "left of £6,500", "a day per song")
    assert "£10 left" in check_ep_budget(_days(preproduction=2, editing=2)).message


def test_ep_budget_near_fits_only_without_the_reserve():
    days = _days(preproduction=2, editing=2, overdubs=2)  # £6,200 + £620
    budget = ep_budget(EP_SONGS, **days)
    assert budget.subtotal <= EP_LIMIT_GBP < budget.total
    fb = check_ep_budget(days)
    assert fb.correct is False
    said(fb, "close", "£320 over", "without the reserve it fits", "producer's days (each costs £330")


def test_ep_budget_wrong_over_the_limit_names_the_studio_days():
    fb = check_ep_budget(_days(recording=4))  # £6,875: a studio day too many
    assert fb.correct is False
    said(fb, "close", "over the £6,500", "studio day costs £950")
    far = check_ep_budget(_days(preproduction=5, recording=5, editing=3, overdubs=3))
    assert far.correct is False and "close" not in far.message


def test_ep_budget_wrong_when_a_stage_is_empty_or_the_singer_is_rushed():
    fb = check_ep_budget(_days(overdubs=0))
    assert fb.correct is False
    said(fb, "nothing is booked for overdubs", "every record goes through every stage")
    rushed = check_ep_budget(_days(recording=2))  # cheap enough, but 2 days for 3 songs
    assert rushed.correct is False
    said(rushed, "2 recording days for 3 songs", "book 3 recording days")
    assert check_ep_budget(_days(recording=2.5)).correct is False
    assert check_ep_budget(_days(recording="three")).correct is False
    assert check_ep_budget({"mixing": 2}).correct is False


def test_ep_budget_partial_answers_wait():
    fb = check_ep_budget(_days(editing=...))
    assert fb.correct is None
    said(fb, "still to book: editing")


def test_ep_budget_prices_each_day_and_fee_as_the_rates_say():
    b = ep_budget(3, preproduction=1, recording=3, editing=1, overdubs=1, delivery=1)
    assert b.subtotal == 5300 and b.total == pytest.approx(5830)
    by = b.by_stage()
    assert by["recording"] == 3 * (300 + 250 + 400)
    assert by["mixing"] == 900 and by["mastering"] == 350
    from producerkit import ParameterError
    with pytest.raises(ParameterError, match="whole number"):
        ep_budget(3, preproduction=1.5, recording=3, editing=1, overdubs=1)
    with pytest.raises(ParameterError, match="rates needs"):
        ep_budget(3, preproduction=1, recording=3, editing=1, overdubs=1, rates={"studio day rate": 1})


# --------------------------------------------------------------------------- a producer's royalty


def test_royalty_right_is_the_points_of_the_revenue():
    truth = ROYALTY_EXERCISE["revenue"] * ROYALTY_EXERCISE["points"] / 100
    assert truth == 720
    for answer in (720, 720.0, "720", 720.4):
        assert check_producer_royalty(answer).correct is True
    fb = check_producer_royalty(720)
    said(fb, "3 % of the £24,000", "£720", "keeps £4,080")
    breakdown = royalties(3, revenue=24_000)
    assert check_producer_royalty(breakdown).correct is True


@pytest.mark.parametrize("answer", ["£720", "£720.00", " £ 720 ", "720 pounds", "£720 GBP"])
def test_royalty_right_written_with_the_pound_sign(answer):
    """W11 item 4: "£720" is the right amount of money, not "not an amount of money"."""
    fb = check_producer_royalty(answer)
    assert fb.correct is True, str(fb)
    said(fb, "£720")


def test_royalty_written_in_pounds_is_judged_like_the_number():
    said(check_producer_royalty("£7,200"), "factor of 10")
    said(check_producer_royalty("£700"), "close")
    assert check_producer_royalty("£7,20").correct is False
    said(check_producer_royalty("€720"), "not an amount of money", "£100")


def test_royalty_near_is_close_but_not_right():
    fb = check_producer_royalty(700)
    assert fb.correct is False
    said(fb, "close", "within 5 %")


@pytest.mark.parametrize(("answer", "words"), [
    (144, "3 % of the artist's royalty"),
    (7200, "factor of 10"),
    (72, "factor of 10"),
    (72_000, "divide by 100"),
    (4080, "what the artist keeps"),
    (4800, "artist's whole royalty"),
    (100, "a point is 1 % of the royalty base"),
    ("lots", "not an amount of money"),
])
def test_royalty_wrong_says_what_went_wrong(answer, words):
    fb = check_producer_royalty(answer)
    assert fb.correct is False
    said(fb, words)


# --------------------------------------------------------------------------- a split sheet


RIGHT_SPLITS = [("Noor Haddad", 54, "lyrics and melody"), ("Ana Ruiz", 36, "music"), ("Kai Moreno", 10, "the bridge")]


def test_split_sheet_right_in_every_form_a_student_might_write():
    assert check_split_sheet(RIGHT_SPLITS).correct is True
    assert check_split_sheet({"Noor": 54, "Ana": 36, "Kai": 10}).correct is True
    assert check_split_sheet(SplitSheet("Paper Lanterns", RIGHT_SPLITS)).correct is True
    assert check_split_sheet([("noor haddad", 54.0), ("ANA RUIZ", 36), ("Kai Moreno", 10)]).correct is True
    said(check_split_sheet(RIGHT_SPLITS), "noor 54 %", "ana 36 %", "kai 10 %")


def test_split_sheet_near_adds_up_but_not_as_agreed():
    fb = check_split_sheet({"Noor": 55, "Ana": 35, "Kai": 10})
    assert fb.correct is False
    said(fb, "close", "adds up to 100 %", "60:40")
    kai = check_split_sheet({"Noor": 48, "Ana": 32, "Kai": 20})
    assert kai.correct is False
    said(kai, "kai agreed to 10 %")


def test_split_sheet_wrong_when_it_does_not_add_up_or_drops_a_writer():
    draft = check_split_sheet(list(SPLIT_DRAFT))
    assert draft.correct is False
    said(draft, "110.00 %", "10.00 % too much", "out of noor's and ana's shares")
    under = check_split_sheet({"Noor": 50, "Ana": 30, "Kai": 10})
    said(under, "90.00 %", "10.00 % is unassigned")
    dropped = check_split_sheet({"Noor": 60, "Ana": 40})
    assert dropped.correct is False
    said(dropped, "kai moreno is missing", "paid nothing")
    assert check_split_sheet({"Noor": 54, "Ana": 36, "Kai": 10, "Sam": 0}).correct is False
    assert check_split_sheet({"Noor": 54, "Ana": 36, "Kai": -10}).correct is False
    assert check_split_sheet("Noor 54, Ana 36, Kai 10").correct is False


def test_split_sheet_fractions_are_told_to_be_percentages():
    """W11 item 3: 0.54 / 0.36 / 0.10 is the right split written as fractions, not 99 % unassigned."""
    fb = check_split_sheet([("Noor Haddad", 0.54, "l"), ("Ana Ruiz", 0.36, "m"), ("Kai Moreno", 0.10, "b")])
    assert fb.correct is False
    said(fb, "write percentages, not fractions: 54, not 0.54")
    assert "on top" not in fb.hint and "unassigned" not in fb.message
    said(check_split_sheet({"Noor": 0.6, "Ana": 0.3, "Kai": 0.1}), "percentages, not fractions: 60, not 0.6")


def test_split_sheet_under_100_is_not_told_about_shares_on_top():
    """W11 item 3: a total under 100 % put nothing "on top"; the hint says what the three add up to."""
    fb = check_split_sheet({"Noor": 50, "Ana": 30, "Kai": 10})
    assert fb.correct is False and "on top" not in fb.hint
    said(fb, "the three shares must add up to 100: kai 10, and the other 90 split 60:40")
    over = check_split_sheet({"Noor": 60, "Ana": 36, "Kai": 10})
    said(over, "106.00 %", "not on top of them")


def test_split_sheet_partial_waits():
    fb = check_split_sheet([("Noor Haddad", 54, "l"), ("Ana Ruiz", ..., "m"), ("Kai Moreno", 10, "b")])
    assert fb.correct is None
    said(fb, "ana ruiz's share is still to do")


# --------------------------------------------------------------------------- engineer or producer


RIGHT_HIRES = {k: who for k, (_, who, _) in HIRE_SCENARIOS.items()}


def test_who_to_hire_right():
    assert RIGHT_HIRES == {"A": "engineer", "B": "producer", "C": "producer"}
    assert check_who_to_hire(RIGHT_HIRES).correct is True
    assert check_who_to_hire({"a": "an engineer", "b": "The producer", "c": "Producer"}).correct is True


def test_who_to_hire_near_one_off_explains_it():
    fb = check_who_to_hire({"A": "producer", "B": "producer", "C": "producer"})
    assert fb.correct is False
    said(fb, "only one of the 3 scenarios is off", "scenario a needs an engineer", "already hears the finished record")


def test_who_to_hire_wrong_and_partial():
    fb = check_who_to_hire({"A": "producer", "B": "engineer", "C": "engineer"})
    assert fb.correct is False and "only one" not in fb.message
    said(fb, "3 of the 3 scenarios are off", "start with this one", "scenario a needs an engineer")
    c = check_who_to_hire({"A": "engineer", "B": "producer", "C": "engineer"})
    said(c, "scenario c needs a producer", "coaching performances")
    assert check_who_to_hire({"A": "drummer", "B": "producer", "C": "producer"}).correct is False
    assert check_who_to_hire({"D": "producer"}).correct is False
    partial = check_who_to_hire({"A": "engineer", "B": ..., "C": ...})
    assert partial.correct is None
    said(partial, "1 of 3", "b, c")


# --------------------------------------------------------------------------- the career


def test_career_order_right():
    assert check_career_order(list(CAREER_STEPS)).correct is True
    assert check_career_order(["Runner", "assistant producer", "Producer", "labels", "senior"]).correct is True


def test_career_order_near_one_swap():
    order = list(CAREER_STEPS)
    order[1], order[2] = order[2], order[1]
    fb = check_career_order(order)
    assert fb.correct is False
    said(fb, "close", "only 'assistant producer' and 'producer' are swapped", "contribute ideas")


def test_career_order_wrong_missing_or_twice():
    fb = check_career_order(list(reversed(CAREER_STEPS)))
    assert fb.correct is False and "close" not in fb.message
    said(fb, "step 1 is 'runner or intern'", "learn the workflows")
    said(check_career_order(list(CAREER_STEPS[:4])), "missing", "senior roles")
    said(check_career_order(list(CAREER_STEPS) + ["producer"]), "twice")
    said(check_career_order(["runner", "astronaut"]), "not one of the steps")
    assert check_career_order("runner, assistant, producer").correct is False


def test_career_order_two_words_for_the_first_step_names_what_was_written():
    """W11 item 5: "assistant engineer" is part of step 1; the student never wrote "runner or intern" twice."""
    fb = check_career_order(["runner or intern", "assistant engineer", "producer", "labels", "senior roles"])
    assert fb.correct is False
    said(fb, "'assistant engineer' is part of the first step (runner, intern or assistant engineer)",
          "step 2 is 'assistant producer'")
    assert "'runner or intern' is in the list twice" not in fb.message
    deals = check_career_order(["runner", "assistant producer", "producer", "labels", "studios"])
    said(deals, "'studios' is part of step 4", "the same step as 'labels'", "step 5 is 'senior roles'")
    said(check_career_order(["Runner", "runner", "producer", "labels", "senior"]), "'runner' is in the list twice")
