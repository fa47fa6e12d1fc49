"""Tests for the sorting-activity widgets (helpers.sorting_view), driven like a learner would."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import pytest

from helpers.sorting import Category, SortingActivity, SortingItem
from helpers.sorting_view import SortingView, play_sorting

REPO = Path(__file__).resolve().parents[1]
KEY_AREAS = REPO / "course" / "m1-roles" / "activities" / "key-areas.yaml"


@pytest.fixture
def activity() -> SortingActivity:
    return SortingActivity(
        id="tiny",
        title="Tiny <sort>",
        instructions="Sort them.",
        categories=(
            Category("A", "A. Duties", "Assessments"),
            Category("D", "D. Communities"),
        ),
        items=(
            SortingItem("carer", "Assess a carer", ("A",), "Carers are in A.", "001, line 274"),
            SortingItem("marac", "Attend MARAC", ("D",), "Forums are in D."),
        ),
    )


def test_does_each_item_get_a_labelled_button_per_category(activity):
    view = SortingView(activity)
    assert list(view.choices) == ["carer", "marac"]
    first = view.choices["carer"]
    # Buttons, not a drop-down: Tab reaches each one and Enter or Space chooses it, where
    # JupyterLab would take a drop-down's arrow keys to move between cells.
    assert isinstance(first, widgets.ToggleButtons)
    assert first.description == "Item 1:"  # a visible label, read out by screen readers
    assert first.value is None
    assert list(first.options) == [("A. Duties", "A"), ("D. Communities", "D")]
    assert first.tooltips[0] == "Item 1: A. Duties (Assessments)"
    assert "Tab to move to a category button and Enter or Space" in view.widget.children[1].value


def test_does_feedback_say_correct_once(activity):
    view = SortingView(activity)
    view.choices["carer"].value = "A"
    view.check_button.click()
    text = view.feedback["carer"].value
    assert "✔" in text and text.count("Correct") == 1


def test_does_clicking_check_give_feedback_in_words_and_a_score(activity):
    view = SortingView(activity)
    view.choices["carer"].value = "A"
    view.choices["marac"].value = "A"
    view.check_button.click()
    assert "Correct" in view.feedback["carer"].value
    assert "Source: 001, line 274" in view.feedback["carer"].value
    assert "Not quite" in view.feedback["marac"].value
    assert "Forums are in D." in view.feedback["marac"].value
    assert "1 out of 2 correct" in view.score.value
    assert view.result is not None and view.result.score == 1


def test_is_an_unanswered_item_named_as_such(activity):
    view = SortingView(activity)
    view.choices["carer"].value = "A"
    view.check_button.click()
    assert "Not answered" in view.feedback["marac"].value
    assert "1 not answered yet" in view.score.value


def test_does_changing_an_answer_after_checking_clear_its_feedback(activity):
    view = SortingView(activity)
    view.choices["carer"].value = "D"
    view.check_button.click()
    view.choices["carer"].value = "A"
    assert "press Check" in view.feedback["carer"].value
    view.check_button.click()
    assert "Correct" in view.feedback["carer"].value


def test_does_start_again_clear_everything(activity):
    view = SortingView(activity)
    view.choices["carer"].value = "A"
    view.check_button.click()
    view.reset_button.click()
    assert view.assignments() == {"carer": None, "marac": None}
    assert view.feedback["carer"].value == ""
    assert view.score.value == ""
    assert view.result is None


def test_is_text_from_the_activity_escaped(activity):
    view = SortingView(activity)
    header = view.widget.children[1].value  # after the style block
    assert "Tiny &lt;sort&gt;" in header
    assert "Assessments" in header  # category descriptions are shown as a key


def test_can_play_sorting_open_a_course_file():
    view = play_sorting(KEY_AREAS)
    assert isinstance(view, SortingView)
    key = view.activity.answer_key()
    for item_id, accepted in key.items():
        view.choices[item_id].value = accepted[0]
    view.check_button.click()
    assert view.result.score == len(key)
    assert f"{len(key)} out of {len(key)} correct" in view.score.value


def test_does_the_view_display_as_a_widget(activity):
    bundle = SortingView(activity)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
