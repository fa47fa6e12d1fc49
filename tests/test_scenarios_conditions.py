"""Conditions are read with a whitelist and evaluated without eval."""

from __future__ import annotations

import pytest

from helpers.scenarios import ConditionError, parse_condition
from helpers.scenarios._conditions import to_harlowe

STATE = {"nr_consulted": True, "interpreter": False, "rapport": 2}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("nr_consulted", True),
        ("not nr_consulted", False),
        ("interpreter or nr_consulted", True),
        ("rapport >= 2 and nr_consulted", True),
        ("rapport > 2", False),
        ("rapport == 2", True),
        ("rapport != 2", False),
        ("0 < rapport <= 3", True),
        ("not (interpreter or rapport < 1)", True),
        ("nr_consulted == true", True),
        ("interpreter == false", True),
        ("rapport > -1", True),
    ],
)
def test_does_a_condition_give_the_expected_answer(source, expected):
    assert parse_condition(source).evaluate(STATE) is expected


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('ls')",
        "rapport.real",
        "rapport + 1 > 2",
        "rapport in [1, 2]",
        "rapport is 2",
        "'text' == rapport",
        "rapport >= 1.5",
        "f(rapport)",
        "lambda: 1",
        "rapport[0]",
        "3",
        "rapport >= ",
        "",
    ],
)
def test_is_anything_outside_the_whitelist_refused(source):
    with pytest.raises(ConditionError):
        parse_condition(source)


def test_does_a_condition_know_which_names_it_reads_and_how():
    condition = parse_condition("nr_consulted and (rapport >= 2 or not interpreter)")
    assert condition.names == {"nr_consulted", "rapport", "interpreter"}
    assert condition.compared == {"rapport"}
    assert condition.bare == {"nr_consulted", "interpreter"}


def test_is_a_condition_translated_to_harlowe():
    condition = parse_condition("nr_consulted and not interpreter or 0 < rapport <= 3")
    assert to_harlowe(condition) == (
        "(($nr_consulted and (not $interpreter)) or ((0 < $rapport) and ($rapport <= 3)))"
    )
    assert to_harlowe(parse_condition("rapport == 1")) == "($rapport is 1)"
    assert to_harlowe(parse_condition("rapport != 1")) == "($rapport is not 1)"
