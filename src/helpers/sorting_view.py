"""Show a sorting activity as widgets: a row of category buttons per item, a Check button.

The view is a thin layer over ``helpers.sorting``: it reads the learner's choices from the
button rows, asks the engine to mark them and writes the engine's messages back. Feedback is
given in words ("Correct", "Not quite") as well as with a symbol, so it does not depend on
colour.

Keyboard: every category is a button, so **Tab** reaches it and **Enter** or **Space**
chooses it. Drop-downs and radio buttons are not used on purpose: inside JupyterLab the arrow
keys they rely on move between notebook cells instead, and the keyboard focus leaves the
activity.

Tests drive it like a learner: set ``view.choices[item_id].value`` and call
``view.check_button.click()``.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from helpers._widgets_style import BASE_CLASS, button, style_widget
from helpers.sorting import SortingActivity, SortingResult, load_sorting

# The engine's message says "Correct", "Not quite" or "Not answered yet"; the symbol repeats it
# for the eye without repeating the word.
_MARKS = {True: "✔", False: "✘", None: "○"}


class SortingView:
    """Widgets for one sorting activity. ``widget`` is the box to display."""

    def __init__(self, activity: SortingActivity):
        self.activity = activity
        self.result: SortingResult | None = None
        options = [(c.label, c.id) for c in activity.categories]
        self.choices: dict[str, widgets.ToggleButtons] = {}
        self.feedback: dict[str, widgets.HTML] = {}
        rows = []
        for number, item in enumerate(activity.items, start=1):
            prompt = widgets.HTML(f"<b>{number}.</b> {html.escape(item.text)}")
            choice = widgets.ToggleButtons(
                options=options,
                value=None,
                description=f"Item {number}:",
                tooltips=[
                    f"Item {number}: {c.label}" + (f" ({c.description})" if c.description else "")
                    for c in activity.categories
                ],
                style={"description_width": "initial", "button_width": "auto"},
                layout=widgets.Layout(width="auto"),
            )
            choice.add_class("mhsw-options")
            choice.observe(self._on_change(item.id), names="value")
            feedback = widgets.HTML("")
            feedback.add_class("mhsw-item-feedback")
            self.choices[item.id] = choice
            self.feedback[item.id] = feedback
            rows.append(
                widgets.VBox(
                    [prompt, choice, feedback],
                    layout=widgets.Layout(margin="0 0 0.8em 0"),
                )
            )
        self.check_button = button(
            "Check my answers", "Mark every item and show feedback", "mhsw-check", primary=True
        )
        self.reset_button = button(
            "Start again", "Clear every answer and all feedback", "mhsw-restart"
        )
        self.score = widgets.HTML("")
        self.score.add_class("mhsw-score")
        self.check_button.on_click(lambda _button: self.check())
        self.reset_button.on_click(lambda _button: self.reset())
        self.widget = widgets.VBox(
            [
                style_widget(),
                widgets.HTML(self._header_html()),
                *rows,
                widgets.HBox([self.check_button, self.reset_button]),
                self.score,
            ]
        )
        self.widget.add_class(BASE_CLASS)
        self.widget.add_class("mhsw-sorting")

    @property
    def dropdowns(self) -> dict[str, widgets.ToggleButtons]:
        """The answer controls by item id (old name of :attr:`choices`)."""
        return self.choices

    def _header_html(self) -> str:
        activity = self.activity
        parts = [f"<h3>{html.escape(activity.title)}</h3>"]
        if activity.instructions:
            parts.append(f"<p>{html.escape(activity.instructions)}</p>")
        keys = "".join(
            f"<li><b>{html.escape(c.label)}</b>"
            + (f": {html.escape(c.description)}" if c.description else "")
            + "</li>"
            for c in activity.categories
        )
        parts.append(f"<p>The categories:</p><ul>{keys}</ul>")
        parts.append(
            '<p class="mhsw-muted"><i>With the keyboard: press Tab to move to a category '
            "button and Enter or Space to choose it.</i></p>"
        )
        if activity.sources:
            sources = "; ".join(html.escape(s) for s in activity.sources)
            parts.append(f"<p><small>Sources: {sources}</small></p>")
        return "".join(parts)

    def _on_change(self, item_id: str):
        def clear(_change) -> None:
            # A changed answer has not been checked yet: remove its stale feedback.
            if self.result is not None:
                self.feedback[item_id].value = "<i>Changed: press Check to mark it again.</i>"

        return clear

    def assignments(self) -> dict[str, str | None]:
        """The learner's current answers, ``{item id: category id or None}``."""
        return {item_id: choice.value for item_id, choice in self.choices.items()}

    def check(self) -> SortingResult:
        """Mark the current answers and show feedback on every item and the score."""
        result = self.activity.check(self.assignments())
        for item_result in result:
            mark = _MARKS[item_result.correct if item_result.answered else None]
            text = html.escape(item_result.message)
            source = item_result.item.source
            if item_result.answered and source:
                text += f" <small>(Source: {html.escape(source)})</small>"
            self.feedback[item_result.item.id].value = f'<p role="status"><b>{mark}</b> {text}</p>'
        self.score.value = f'<p role="status"><b>Score: {html.escape(result.summary())}</b></p>'
        self.result = result
        return result

    def reset(self) -> None:
        """Clear every answer, the feedback and the score."""
        self.result = None
        for item_id, choice in self.choices.items():
            choice.value = None
            self.feedback[item_id].value = ""
        self.score.value = ""

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def play_sorting(activity_or_path: SortingActivity | str | Path) -> SortingView:
    """Show a sorting activity (an object, or the path of its YAML file) in the notebook.

    Returns the ``SortingView``; as the last line of a cell it displays itself.
    """
    if isinstance(activity_or_path, str | Path):
        activity = load_sorting(activity_or_path)
    else:
        activity = activity_or_path
    return SortingView(activity)


__all__ = ["SortingView", "play_sorting"]
