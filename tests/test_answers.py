"""Plain messages at the slips students make in assessed notebooks (helpers.answers)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.answers import CheckFailed, _plain_message, expect_name, value_for


@pytest.fixture
def rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": ["2021-22", "2021-22", "2022-23", "2022-23"],
            "ethnic_group": ["White", "Black or Black British"] * 2,
            "rate_per_100k": [72.5, 342.4, 62.2, 227.9],
        }
    )


def test_does_expect_name_return_the_answer():
    assert expect_name("mhsds_change", {"mhsds_change": -1234}) == -1234


def test_does_a_misspelt_name_get_named_as_possibly_misspelt():
    space = {"mhsds_chnage": 5, "detentions": object()}
    with pytest.raises(CheckFailed) as caught:
        expect_name("mhsds_change", space)
    message = str(caught.value)
    assert "you have 'mhsds_chnage': the name may be misspelt" in message
    assert "run it, then run this cell again" in message
    assert isinstance(caught.value, AssertionError)  # nbgrader counts it as a failed test


def test_does_a_missing_name_say_run_the_answer_cell_first():
    with pytest.raises(CheckFailed, match="Run your answer cell above first"):
        expect_name("ratio_2022_23", {"pd": pd, "In": [], "_": 1})


def test_is_the_placeholder_named():
    with pytest.raises(CheckFailed, match="still holds the placeholder"):
        expect_name("answer", {"answer": ...})


def test_does_value_for_pick_one_value(rates):
    white = value_for(rates, "rate_per_100k", year="2022-23", ethnic_group="White")
    assert white == 62.2 and type(white) is float  # a plain number, not np.float64(62.2)


def test_does_a_mistyped_year_list_the_years_there_are(rates):
    with pytest.raises(CheckFailed) as caught:
        value_for(rates, "rate_per_100k", year="2022-2023", ethnic_group="White")
    message = str(caught.value)
    assert "There is no year '2022-2023' in this table." in message
    assert "The year values are: 2021-22, 2022-23." in message
    assert "can only convert" not in message


def test_does_a_choice_of_several_rows_say_which_label_to_add(rates):
    with pytest.raises(CheckFailed, match="2 rows have year '2022-23'.*ethnic_group"):
        value_for(rates, "rate_per_100k", year="2022-23")


def test_is_an_unknown_column_named_with_the_columns_there_are(rates):
    with pytest.raises(CheckFailed, match="no column 'rate'. Its columns are: year"):
        value_for(rates, "rate", year="2022-23")


def test_is_a_failed_check_shown_as_its_message_alone():
    class Shell:
        def __init__(self):
            self.shown = []

        def _showtraceback(self, _etype, _value, stb):
            self.shown.append(stb)

        def showtraceback(self, *_args, **_kwargs):
            self.shown.append(["full traceback"])

    shell = Shell()
    _plain_message(shell, AssertionError, AssertionError("Use 2017-18."), None)
    assert any("This check did not pass" in line for line in shell.shown[0])
    assert any("Use 2017-18." in line for line in shell.shown[0])
    _plain_message(shell, AssertionError, AssertionError(), None)
    assert shell.shown[1] == ["full traceback"]  # nothing to say: the usual traceback


@pytest.mark.slow
def test_does_a_notebook_show_the_plain_message_and_still_fail(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from helpers import plain_test_messages\nplain_test_messages()"),
        nbformat.v4.new_code_cell('assert 1 == 2, "Use 2017-18, not 2015-16."'),
    ]
    with pytest.raises(CellExecutionError):
        NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert nb.cells[0].outputs == []  # the setup cell shows nothing
    error = nb.cells[1].outputs[0]
    assert error["output_type"] == "error"  # graders still see a failed test
    text = "\n".join(error["traceback"])
    assert "Use 2017-18, not 2015-16." in text
    assert "Traceback" not in text and "assert 1 == 2" not in text
