"""Show a sorting activity as widgets: one labelled drop-down per item, a Check button, feedback.

The view is a thin layer over ``helpers.sorting``: it reads the learner's choices from the
drop-downs, asks the engine to mark them and writes the engine's messages back. Feedback is
given in words ("Correct", "Not quite") as well as with a symbol, so it does not depend on
colour. Drop-downs and buttons are native form controls, so the activity works with the
keyboard alone (Tab to move, arrow keys to choose, Enter or Space to press a button).

Tests drive it like a learner: set ``view.dropdowns[item_id].value`` and call
``view.check_button.click()``.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from helpers.sorting import SortingActivity, SortingResult, load_sorting

_CHOOSE = "— choose —"
_MARKS = {True: "✔ Correct", False: "✘ Not quite", None: "○ Not answered"}


class SortingView:
    """Widgets for one sorting activity. ``widget`` is the box to display."""

    def __init__(self, activity: SortingActivity):
        self.activity = activity
        self.result: SortingResult | None = None
        options = [(_CHOOSE, None)] + [(c.label, c.id) for c in activity.categories]
        self.dropdowns: dict[str, widgets.Dropdown] = {}
        self.feedback: dict[str, widgets.HTML] = {}
        rows = []
        for number, item in enumerate(activity.items, start=1):
            prompt = widgets.HTML(f"<b>{number}.</b> {html.escape(item.text)}")
            dropdown = widgets.Dropdown(
                options=options,
                value=None,
                description=f"Item {number}:",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="max-content", min_width="22em"),
            )
            dropdown.observe(self._on_change(item.id), names="value")
            feedback = widgets.HTML("")
            self.dropdowns[item.id] = dropdown
            self.feedback[item.id] = feedback
            rows.append(
                widgets.VBox(
                    [prompt, dropdown, feedback],
                    layout=widgets.Layout(margin="0 0 0.8em 0"),
                )
            )
        self.check_button = widgets.Button(
            description="Check my answers",
            button_style="primary",
            tooltip="Mark every item and show feedback",
            layout=widgets.Layout(width="auto"),
        )
        self.reset_button = widgets.Button(
            description="Start again",
            tooltip="Clear every answer and all feedback",
            layout=widgets.Layout(width="auto"),
        )
        self.score = widgets.HTML("")
        self.check_button.on_click(lambda _button: self.check())
        self.reset_button.on_click(lambda _button: self.reset())
        self.widget = widgets.VBox(
            [
                widgets.HTML(self._header_html()),
                *rows,
                widgets.HBox([self.check_button, self.reset_button]),
                self.score,
            ]
        )

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
        return {item_id: dropdown.value for item_id, dropdown in self.dropdowns.items()}

    def check(self) -> SortingResult:
        """Mark the current answers and show feedback on every item and the score."""
        result = self.activity.check(self.assignments())
        for item_result in result:
            mark = _MARKS[item_result.correct if item_result.answered else None]
            text = html.escape(item_result.message)
            source = item_result.item.source
            if item_result.answered and source:
                text += f" <small>(Source: {html.escape(source)})</small>"
            self.feedback[item_result.item.id].value = f"<b>{mark}.</b> {text}"
        self.score.value = f"<p><b>Score: {html.escape(result.summary())}</b></p>"
        self.result = result
        return result

    def reset(self) -> None:
        """Clear every answer, the feedback and the score."""
        self.result = None
        for item_id, dropdown in self.dropdowns.items():
            dropdown.value = None
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
