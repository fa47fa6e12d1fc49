"""Show a quiz as widgets: one question at a time, a Check button, feedback on every option chosen.

One question at a time, because it reads the same on a laptop and on a projector (the question,
its options and the feedback fit on one screen at 1.45rem), keyboard use stays short (options,
Check, Next) and a seminar can discuss one question before moving on. Previous and Next keep the
answers already given, and the score so far is always shown.

Single-answer questions show one button per option (``view.radio``, a ToggleButtons widget),
multiple-answer questions one labelled checkbox per option. Keyboard: **Tab** reaches each
option and **Enter** or **Space** chooses it (Space ticks a checkbox). Radio buttons are not
used on purpose: inside JupyterLab the arrow keys they rely on move between notebook cells
instead, and the keyboard focus leaves the quiz. Feedback is written in words with a symbol,
never by colour alone, and sits in a live region so a screen reader announces it.

Tests drive it like a learner: set ``view.radio.value`` (or ``view.checkboxes[i].value``),
call ``view.check_button.click()`` and read ``view.shown_text()``.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from helpers._widgets_style import (
    BASE_CLASS,
    SEMINAR_CLASS,
    button,
    esc,
    focus,
    markdown_to_html,
    style_widget,
    visible_text,
)
from helpers.quizzes import AnswerResult, Question, Quiz, QuizSession, load_quiz

__all__ = ["QuizView", "play_quiz"]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _letter(index: int) -> str:
    return _LETTERS[index] if index < len(_LETTERS) else str(index + 1)


class QuizView:
    """Widgets for one quiz. ``widget`` is the box to display; ``session`` does the marking."""

    def __init__(self, quiz: Quiz, seminar: bool = False):
        self.quiz = quiz
        self.seminar = seminar
        self.session = QuizSession(quiz)
        self.index = 0
        self._chosen: dict[str, frozenset[int]] = {}
        self._revealed: set[str] = set()
        self.result: AnswerResult | None = None
        self._displayed = False

        self.header = widgets.HTML(self._header_html())
        self.progress = widgets.HTML()
        self.progress.add_class("mhsw-progress")
        self.question_html = widgets.HTML()
        self.answer_box = widgets.VBox()
        self.radio: widgets.ToggleButtons | None = None
        self.checkboxes: list[widgets.Checkbox] = []
        self.check_button = self._button(
            "Check my answer", "Mark your answer and show feedback", "mhsw-check", primary=True
        )
        self.show_answer_button = self._button(
            "Show the answer",
            "Show which options are right, with the feedback on each",
            "mhsw-show-answer",
        )
        self.feedback = widgets.HTML()
        self.feedback.add_class("mhsw-quiz-feedback")
        self.previous_button = self._button(
            "◀ Previous", "Go to the previous question", "mhsw-previous"
        )
        self.next_button = self._button("Next ▶", "Go to the next question", "mhsw-next")
        self.reset_button = self._button(
            "Start again", "Clear every answer and the score", "mhsw-restart"
        )
        self.check_button.on_click(lambda _b: self.check())
        self.show_answer_button.on_click(lambda _b: self.show_answer())
        self.previous_button.on_click(lambda _b: self.go(self.index - 1))
        self.next_button.on_click(lambda _b: self.go(self.index + 1))
        self.reset_button.on_click(lambda _b: self.reset())

        self.widget = widgets.VBox(
            [
                style_widget(),
                self.header,
                self.progress,
                self.question_html,
                self.answer_box,
                widgets.HBox([self.check_button, self.show_answer_button]),
                self.feedback,
                widgets.HBox([self.previous_button, self.next_button, self.reset_button]),
            ]
        )
        self.widget.add_class(BASE_CLASS)
        self.widget.add_class("mhsw-quiz")
        if seminar:
            self.widget.add_class(SEMINAR_CLASS)
        self._show_question()

    # ------------------------------------------------------------------ building blocks

    _button = staticmethod(button)

    def _header_html(self) -> str:
        parts = [f"<h3>{esc(self.quiz.title)}</h3>"]
        if self.quiz.description:
            parts.append(markdown_to_html(self.quiz.description))
        return "".join(parts)

    @property
    def question(self) -> Question:
        return self.quiz.questions[self.index]

    # ------------------------------------------------------------------ showing a question

    def _show_question(self) -> None:
        question = self.question
        how = (
            "Choose one answer (Tab to an option, Enter or Space to choose it)."
            if question.type == "single"
            else "Choose all that apply (Tab to an option, Space to tick it)."
        )
        self.question_html.value = (
            f'<div role="group" aria-label="Question {self.index + 1}">'
            f"<p><b>Question {self.index + 1}.</b></p>{markdown_to_html(question.text)}"
            f'<p class="mhsw-muted"><i>{how}</i></p></div>'
        )
        chosen = self._chosen.get(question.id, frozenset())
        if question.type == "single":
            self.checkboxes = []
            self.radio = widgets.ToggleButtons(
                options=[(f"{_letter(i)}. {o.text}", i) for i, o in enumerate(question.options)],
                value=next(iter(chosen), None),
                description="Your answer:",
                tooltips=[f"Answer {_letter(i)}" for i in range(len(question.options))],
                style={"description_width": "initial", "button_width": "auto"},
                layout=widgets.Layout(width="auto"),
            )
            self.radio.add_class("mhsw-options")
            self.radio.observe(self._on_change, names="value")
            self.answer_box.children = [self.radio]
        else:
            self.radio = None
            self.checkboxes = []
            for i, option in enumerate(question.options):
                box = widgets.Checkbox(
                    value=i in chosen,
                    description=f"{_letter(i)}. {option.text}",
                    indent=False,
                    layout=widgets.Layout(width="auto"),
                )
                box.add_class("mhsw-option")
                box.observe(self._on_change, names="value")
                self.checkboxes.append(box)
            self.answer_box.children = self.checkboxes
        self.result = self.session.results.get(question.id)
        if question.id in self._revealed:
            self.feedback.value = self._answer_html(question)
        elif self.result is not None and self.result.selected == chosen:
            self.feedback.value = self._result_html(self.result)
        else:
            self.feedback.value = ""
        self._update_progress()
        focus(self.radio if self.radio is not None else self.checkboxes[0])

    def _update_progress(self) -> None:
        total = len(self.quiz.questions)
        self.progress.value = (
            f'<p aria-live="polite">Question {self.index + 1} of {total} · '
            f"Score so far: {self.session.score} of {self.session.max_score} "
            f"({self.session.answered} answered)</p>"
        )
        self.previous_button.disabled = self.index == 0
        self.next_button.disabled = self.index == total - 1

    def selected(self) -> frozenset[int]:
        """The options the learner has chosen on the current question."""
        if self.radio is not None:
            return frozenset() if self.radio.value is None else frozenset([self.radio.value])
        return frozenset(i for i, box in enumerate(self.checkboxes) if box.value)

    def _on_change(self, _change: dict) -> None:
        self._chosen[self.question.id] = self.selected()
        if self.question.id not in self._revealed:
            self.feedback.value = ""  # old feedback would describe a different answer

    # ------------------------------------------------------------------ actions

    def check(self) -> AnswerResult:
        question = self.question
        self._revealed.discard(question.id)
        result = self.session.answer(question.id, self.selected())
        self.result = result
        self.feedback.value = self._result_html(result)
        self._update_progress()
        focus(
            self.next_button
            if result.correct and not self.next_button.disabled
            else self.check_button
        )
        return result

    def show_answer(self) -> None:
        self._revealed.add(self.question.id)
        self.feedback.value = self._answer_html(self.question)

    def go(self, index: int) -> None:
        if 0 <= index < len(self.quiz.questions):
            self.index = index
            self._show_question()

    def reset(self) -> None:
        self.session.reset()
        self._chosen.clear()
        self._revealed.clear()
        self.index = 0
        self._show_question()

    def shown_text(self) -> str:
        """Plain text of what is on screen now."""
        return visible_text(self.widget)

    def _ipython_display_(self) -> None:
        # ``play_quiz`` has already shown the widget; returning the view from the last line
        # of a cell must not show it a second time. Use ``display(view.widget)`` to repeat it.
        if not self._displayed:
            self._displayed = True
            from IPython.display import display

            display(self.widget)

    # ------------------------------------------------------------------ feedback

    def _result_html(self, result: AnswerResult) -> str:
        mark = "✔" if result.correct else "✘"
        items = []
        for option in result.selected_feedback:
            verdict = "✔ Right" if option.correct else "✘ Not right"
            items.append(
                f"<li><b>{_letter(option.index)}. {esc(option.text)}</b> — {verdict}. "
                f"{esc(option.feedback)}</li>"
            )
        body = f"<ul>{''.join(items)}</ul>" if items else ""
        explanation = (
            markdown_to_html(result.explanation) if result.correct and result.explanation else ""
        )
        return (
            f'<div class="mhsw-box" role="status" aria-live="polite">'
            f"<p><b>{mark} {esc(result.summary)}</b></p>{body}{explanation}"
            f'<p class="mhsw-muted">Source: {esc(result.source)}</p></div>'
        )

    def _answer_html(self, question: Question) -> str:
        items = []
        for i, option in enumerate(question.options):
            verdict = "✔ Right" if option.correct else "✘ Not right"
            items.append(
                f"<li><b>{_letter(i)}. {esc(option.text)}</b> — {verdict}. "
                f"{esc(option.feedback)}</li>"
            )
        explanation = markdown_to_html(question.explanation) if question.explanation else ""
        return (
            f'<div class="mhsw-box" role="status" aria-live="polite">'
            f"<p><b>The answer</b></p><ul>{''.join(items)}</ul>{explanation}"
            f'<p class="mhsw-muted">Source: {esc(question.source)}</p></div>'
        )


def play_quiz(path: str | Path | Quiz, seminar: bool = False) -> QuizView:
    """Show the quiz at ``path`` in the notebook and return its view.

    ``seminar=True`` shows it in larger text for a projector.
    """
    from IPython.display import display

    quiz = path if isinstance(path, Quiz) else load_quiz(path)
    view = QuizView(quiz, seminar=seminar)
    display(view.widget)
    view._displayed = True
    return view
