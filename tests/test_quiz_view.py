"""Tests for the quiz widgets (helpers.quiz_view), driven like a learner: set values, click."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import pytest

from helpers.quiz_view import QuizView, play_quiz
from helpers.quizzes import load_quiz

GOOD = Path(__file__).resolve().parent / "files" / "quizzes" / "amhp-basics.yaml"


@pytest.fixture
def view() -> QuizView:
    return QuizView(load_quiz(GOOD))


def answer(view: QuizView, option: int) -> str:
    """Choose ``option`` of the current single-answer question and check it, as a learner
    would; returns the text the view then shows."""
    view.radio.value = option
    view.check_button.click()
    return view.shown_text()


def test_does_a_single_question_show_a_labelled_button_per_option(view):
    # Buttons, not radio buttons: Tab reaches each option and Enter or Space chooses it; inside
    # JupyterLab the arrow keys that radio buttons need move between cells instead.
    assert isinstance(view.radio, widgets.ToggleButtons)
    assert view.radio.description == "Your answer:"
    assert view.radio.value is None  # nothing chosen for the learner
    assert view.radio.options[0] == ("A. A local social services authority", 0)
    shown = view.shown_text()
    assert "Question 1 of 3 · Score so far: 0 of 3 (0 answered)" in shown
    assert "Who approves an individual Approved Mental Health Professional" in shown
    assert "Choose one answer (Tab to an option, Enter or Space to choose it)." in shown
    assert view.previous_button.disabled and not view.next_button.disabled


def test_is_a_wrong_answer_marked_in_words_with_the_option_feedback(view):
    shown = answer(view, 1)
    assert "✘ Not quite: that is not the right answer." in shown
    assert "B. Social Work England — ✘ Not right. Not quite. Social Work England approves" in shown
    assert "Source: Mental Health (Approved Mental Health Professionals)" in shown
    assert "Score so far: 0 of 3 (1 answered)" in shown
    assert "Approval by a local authority" not in shown  # the explanation waits for the answer


def test_is_a_right_answer_marked_with_feedback_explanation_and_score(view):
    shown = answer(view, 0)
    assert "✔ Correct." in shown
    assert "A. A local social services authority — ✔ Right. Yes." in shown
    assert "Approval by a local authority keeps the AMHP's decision independent" in shown
    assert "Score so far: 1 of 3 (1 answered)" in shown
    assert 'role="status"' in view.feedback.value  # announced by screen readers


def test_does_changing_the_answer_clear_old_feedback(view):
    answer(view, 1)
    assert view.feedback.value
    view.radio.value = 0
    assert view.feedback.value == ""


def test_does_a_multiple_question_use_labelled_checkboxes(view):
    view.next_button.click()
    assert view.radio is None
    assert [type(box) for box in view.checkboxes] == [widgets.Checkbox] * 3
    assert view.checkboxes[1].description == "B. In 2013 about 96% of AMHPs were social workers."
    assert "Choose all that apply (Tab to an option, Space to tick it)." in view.shown_text()
    view.checkboxes[0].value = True
    view.check_button.click()
    assert "✘ Not quite: 1 right option is not chosen yet." in view.shown_text()
    view.checkboxes[1].value = True
    view.check_button.click()
    shown = view.shown_text()
    assert "✔ Correct." in shown
    assert "A. Professions other than social work" in shown
    assert "B. In 2013 about 96% of AMHPs were social workers. — ✔ Right." in shown
    assert "Score so far: 1 of 3 (1 answered)" in shown


def test_does_checking_with_nothing_chosen_ask_for_an_answer(view):
    view.check_button.click()
    assert "No option was chosen: choose an answer, then check it." in view.shown_text()
    assert view.session.answered == 0


def test_does_show_answer_reveal_every_option(view):
    view.go(2)
    view.show_answer_button.click()
    shown = view.shown_text()
    assert "The answer" in shown
    assert "A. Least restrictive option and maximising independence — ✔ Right." in shown
    assert "B. Participation — ✘ Not right. This was a principle of the 2008 Code" in shown


def test_are_answers_kept_when_moving_between_questions(view):
    answer(view, 0)
    view.next_button.click()
    view.checkboxes[2].value = True
    view.previous_button.click()
    assert view.radio.value == 0
    assert "✔ Correct." in view.shown_text()  # the feedback still matches the answer
    view.next_button.click()
    assert [box.value for box in view.checkboxes] == [False, False, True]
    view.next_button.click()
    assert view.next_button.disabled  # the last question


def test_does_start_again_clear_answers_and_score(view):
    answer(view, 0)
    view.reset_button.click()
    assert view.index == 0 and view.radio.value is None
    assert "Score so far: 0 of 3 (0 answered)" in view.shown_text()
    assert view.feedback.value == ""


def test_is_every_button_labelled_with_a_tooltip(view):
    buttons = [
        view.check_button,
        view.show_answer_button,
        view.previous_button,
        view.next_button,
        view.reset_button,
    ]
    for button in buttons:
        assert button.description and button.tooltip


def test_does_seminar_mode_use_larger_text(view):
    seminar = QuizView(load_quiz(GOOD), seminar=True)
    assert "mhsw-seminar" in seminar.widget._dom_classes
    assert "mhsw-seminar" not in view.widget._dom_classes
    assert "mhsw-activity" in seminar.widget._dom_classes


def test_does_play_quiz_display_the_quiz_once(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    quiz_view = play_quiz(GOOD)
    assert isinstance(quiz_view, QuizView)
    assert shown == [quiz_view.widget]
    quiz_view._ipython_display_()  # the returned view on a cell's last line shows nothing more
    assert len(shown) == 1
