"""Show an appraisal activity as widgets: the evidence, one labelled rating per question, a
box for reasons, and a Compare button that sets each rating beside the model appraisal.

A thin layer over ``helpers.appraisal``: it reads the learner's ratings from labelled radio
buttons, asks the session to compare them and writes the session's messages back. Comparisons
are in words with a symbol, never colour alone, in a live region a screen reader announces.
Radio buttons, text boxes and buttons are native form controls, so the activity works with the
keyboard alone (Tab to move, arrow keys to rate, Enter or Space to press a button).

Tests drive it like a learner: set ``view.ratings[question_id].value`` and call
``view.compare_button.click()``; ``view.shown_text()`` is what is on screen.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from helpers._widgets_style import (
    BASE_CLASS,
    SEMINAR_CLASS,
    button,
    esc,
    markdown_to_html,
    style_widget,
    visible_text,
)
from helpers.appraisal import (
    AGREES,
    CLOSE,
    DEFENSIBLE,
    DIFFERS,
    Appraisal,
    AppraisalSession,
    AppraisalSummary,
    load_appraisal,
)

__all__ = ["AppraisalView", "play_appraisal"]

_MARKS = {
    AGREES: "● Same as the model",
    DEFENSIBLE: "◐ Also defensible",
    CLOSE: "◑ One step apart",
    DIFFERS: "○ Different from the model",
}


class AppraisalView:
    """Widgets for one appraisal. ``widget`` is the box to display; ``session`` compares."""

    def __init__(self, appraisal: Appraisal, seminar: bool = False):
        self.appraisal = appraisal
        self.session = AppraisalSession(appraisal)
        self.summary: AppraisalSummary | None = None
        options = [(p.label, p.id) for p in appraisal.scale]
        self.ratings: dict[str, widgets.RadioButtons] = {}
        self.notes: dict[str, widgets.Textarea] = {}
        self.feedback: dict[str, widgets.HTML] = {}
        rows = []
        for number, question in enumerate(appraisal.questions, start=1):
            prompt = widgets.HTML(
                f"<p><b>{number}. {esc(question.standard)}.</b> {esc(question.question)}</p>"
                + (
                    f"<p><small>Look for: {esc(question.look_for)}</small></p>"
                    if question.look_for
                    else ""
                )
            )
            radio = widgets.RadioButtons(
                options=options,
                value=None,
                description=f"Your rating for {question.standard}:",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            )
            note = widgets.Textarea(
                value="",
                placeholder="Your reasons, from the evidence (optional but worth writing)",
                description=f"Reasons ({question.standard}):",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="95%"),
            )
            feedback = widgets.HTML("")
            feedback.add_class("mhsw-appraisal-feedback")
            radio.observe(self._on_change(question.id), names="value")
            self.ratings[question.id] = radio
            self.notes[question.id] = note
            self.feedback[question.id] = feedback
            rows.append(
                widgets.VBox(
                    [prompt, radio, note, feedback], layout=widgets.Layout(margin="0 0 1em 0")
                )
            )
        self.compare_button = button(
            "Compare with the model appraisal",
            "Set each of your ratings beside the model appraisal and its reasons",
            "mhsw-compare",
            primary=True,
        )
        self.reset_button = button("Start again", "Clear every rating and note", "mhsw-restart")
        self.summary_html = widgets.HTML("")
        self.summary_html.add_class("mhsw-appraisal-summary")
        self.compare_button.on_click(lambda _b: self.compare())
        self.reset_button.on_click(lambda _b: self.reset())
        self.widget = widgets.VBox(
            [
                style_widget(),
                widgets.HTML(self._header_html()),
                *rows,
                widgets.HBox([self.compare_button, self.reset_button]),
                self.summary_html,
            ]
        )
        self.widget.add_class(BASE_CLASS)
        self.widget.add_class("mhsw-appraisal")
        if seminar:
            self.widget.add_class(SEMINAR_CLASS)

    def _header_html(self) -> str:
        a, evidence = self.appraisal, self.appraisal.evidence
        parts = [f"<h3>{esc(a.title)}</h3>"]
        if a.framework:
            parts.append(f"<p><i>Framework: {esc(a.framework)}</i></p>")
        if a.instructions:
            parts.append(markdown_to_html(a.instructions))
        parts.append(f"<h4>The evidence: {esc(evidence.title)}</h4>")
        parts.append(f"<p><small>Source: {esc(evidence.source)}</small></p>")
        if evidence.claim:
            parts.append(f"<p><b>The claim:</b> {esc(evidence.claim)}</p>")
        parts.append(f'<div class="mhsw-box">{markdown_to_html(evidence.summary)}</div>')
        scale = "".join(
            f"<li><b>{esc(p.label)}</b>"
            + (f": {esc(p.description)}" if p.description else "")
            + "</li>"
            for p in a.scale
        )
        parts.append(f"<p>The ratings:</p><ul>{scale}</ul>")
        return "".join(parts)

    def _on_change(self, question_id: str):
        def stale(_change) -> None:
            # A changed rating has not been compared yet: do not leave the old comparison up.
            if self.summary is not None:
                self.feedback[
                    question_id
                ].value = "<i>Changed: press Compare to see it beside the model again.</i>"

        return stale

    def compare(self) -> AppraisalSummary:
        """Record the current ratings and notes, compare each with the model, show the summary."""
        for question in self.appraisal.questions:
            self.session.rate(
                question.id, self.ratings[question.id].value, self.notes[question.id].value
            )
        summary = self.session.summary()
        for comparison in summary.comparisons:
            mark = _MARKS.get(comparison.verdict)  # none for "not rated": the message says so
            text = esc(comparison.message)
            source = comparison.question.model.source
            if comparison.rated and source:
                text += f" <small>(Source: {esc(source)})</small>"
            lead = f"<b>{mark}.</b> " if mark else ""
            box = f'<div role="status" class="mhsw-box">{lead}{text}</div>'
            self.feedback[comparison.question.id].value = box
        self.summary_html.value = f'<p role="status"><b>{esc(summary.text)}</b></p>'
        self.summary = summary
        return summary

    def reset(self) -> None:
        """Clear every rating, note and comparison."""
        self.session.reset()
        self.summary = None
        for question_id, radio in self.ratings.items():
            radio.value = None
            self.notes[question_id].value = ""
            self.feedback[question_id].value = ""
        self.summary_html.value = ""

    def shown_text(self) -> str:
        """The plain text a learner sees now."""
        return visible_text(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def play_appraisal(
    appraisal_or_path: Appraisal | str | Path, seminar: bool = False
) -> AppraisalView:
    """Show an appraisal (an object, or the path of its YAML file) in the notebook.

    Returns the ``AppraisalView``; as the last line of a cell it displays itself.
    """
    if isinstance(appraisal_or_path, str | Path):
        appraisal = load_appraisal(appraisal_or_path)
    else:
        appraisal = appraisal_or_path
    return AppraisalView(appraisal, seminar=seminar)
