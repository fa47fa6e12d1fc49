"""Tests for the appraisal view (helpers.appraisal_view), driven as a learner would."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from helpers.appraisal import load_appraisal
from helpers.appraisal_view import AppraisalView, play_appraisal

REPO = Path(__file__).resolve().parents[1]
TCRU = REPO / "course" / "m4-evidence" / "activities" / "appraise-tcru-review.yaml"


def view() -> AppraisalView:
    return play_appraisal(TCRU)


def test_does_every_question_have_a_labelled_rating_and_reasons_box():
    shown = view()
    appraisal = shown.appraisal
    assert set(shown.ratings) == {q.id for q in appraisal.questions}
    for question in appraisal.questions:
        radio = shown.ratings[question.id]
        assert isinstance(radio, widgets.RadioButtons)
        assert radio.description == f"Your rating for {question.standard}:"
        assert radio.value is None
        assert question.standard in shown.notes[question.id].description
    assert shown.compare_button.description == "Compare with the model appraisal"
    text = shown.shown_text()
    assert "The evidence: The tasks and roles of social workers" in text
    assert "The claim:" in text


def test_does_compare_set_each_rating_beside_the_model_with_its_reasons():
    shown = view()
    shown.ratings["accuracy"].value = "high"
    shown.notes["accuracy"].value = "The figures come from published studies."
    shown.ratings["accessibility"].value = "high"
    shown.compare_button.click()
    accuracy = shown.feedback["accuracy"].value
    assert "One step apart" in accuracy
    assert "You rated accuracy “High”, higher than the model appraisal" in accuracy
    assert "22.9" in accuracy  # the model's reasons are shown, not just its rating
    assert "Same as the model" in shown.feedback["accessibility"].value
    assert "Not rated yet" in shown.feedback["utility"].value
    assert "○" not in shown.feedback["utility"].value  # said once, in words
    assert 'role="status"' in shown.summary_html.value
    assert "You rated 2 of 7 questions" in shown.shown_text()
    assert shown.session.notes["accuracy"] == "The figures come from published studies."


def test_does_a_changed_rating_lose_its_old_comparison():
    shown = view()
    shown.ratings["utility"].value = "high"
    shown.compare_button.click()
    assert "Different from the model" in shown.feedback["utility"].value
    shown.ratings["utility"].value = "low"
    assert "press Compare" in shown.feedback["utility"].value
    shown.compare_button.click()
    assert "Same as the model" in shown.feedback["utility"].value


def test_does_start_again_clear_everything():
    shown = view()
    shown.ratings["propriety"].value = "cannot-tell"
    shown.notes["propriety"].value = "No ethics statement."
    shown.compare_button.click()
    assert "Also defensible" in shown.feedback["propriety"].value
    shown.reset_button.click()
    assert shown.ratings["propriety"].value is None
    assert shown.notes["propriety"].value == ""
    assert shown.feedback["propriety"].value == "" and shown.summary_html.value == ""
    assert shown.session.ratings == {}


def test_does_seminar_mode_use_the_projector_style():
    shown = AppraisalView(load_appraisal(TCRU), seminar=True)
    assert "mhsw-seminar" in shown.widget._dom_classes
    assert "mhsw-activity" in shown.widget._dom_classes
