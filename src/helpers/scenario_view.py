"""Show a branching case scenario as widgets, for a learner or for a seminar on a projector.

This is a thin layer over :class:`helpers.scenarios.Session`: every rule (which choices are
shown, whether a rationale is long enough, going back, scores) lives in the engine; the view only
draws what the session says and passes clicks on. Screens, in order:

* **resume** (only when a saved trace exists): continue where you left off, or start again;
* **start**: title, setting, who the learner is, learning outcomes, content note, support;
* **decision**: progress, the node's text, a labelled rationale box where the node asks for one,
  one button per available choice, Back (where the author allows it) and Restart;
* **feedback** after each choice, with Continue (in seminar mode hidden until the lecturer
  clicks "Reveal feedback");
* **ending**: outcome in words, score, debrief, the law, and a summary to copy into a
  reflective log.

Seminar mode shows larger text and, at each decision, a tally panel: one labelled number box
and a "+1" button per option, with the spread of the room drawn as text bars. The lecturer then
clicks the option the room wants to follow. ``view.tallies`` keeps the counts per node and
``view.tallies_frame()`` returns them as a table for the debrief.

The trace is saved with :func:`helpers.traces.save_trace` after every choice and every step
back. Restart does not save at once, so an accidental click cannot wipe a finished attempt;
the next choice saves the new attempt.

All controls are native buttons, text boxes and number boxes with visible labels and
tooltips, so the scenario works with the keyboard alone; after each step the keyboard focus
moves to the next thing to do. Outcomes are given in words with a symbol, never by colour alone.
CSS classes (``mhsw-choice``, ``mhsw-continue``, ``mhsw-debrief`` ...) give tests stable selectors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets

from helpers._widgets_style import (
    BASE_CLASS,
    OUTCOME_LABELS,
    SEMINAR_CLASS,
    esc,
    focus,
    markdown_to_html,
    style_widget,
    visible_text,
)
from helpers._widgets_style import button as _button
from helpers.scenarios import Scenario, Session, load_scenario
from helpers.traces import trace_path

__all__ = ["ScenarioView", "play_scenario", "trace_file"]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BAR_WIDTH = 20  # characters in the longest tally bar


def _letter(index: int) -> str:
    return _LETTERS[index] if index < len(_LETTERS) else str(index + 1)


# Where ``save_trace`` keeps a scenario's trace (one definition, in helpers.traces).
trace_file = trace_path


def _law_text(refs) -> str:
    """Legal references for people: "Mental Health Act 1983, s13(2); ..." (sections get "s",
    other divisions such as "chapter 1" are written as they are)."""
    return "; ".join(str(ref) for ref in refs)


def _html(css: str, value: str = "") -> widgets.HTML:
    box = widgets.HTML(value)
    box.add_class(css)
    return box


class ScenarioView:
    """Widgets for one scenario session. ``widget`` is the box to display.

    ``save_folder`` is where the decision trace is saved after each choice (None: never save).
    ``saved_trace`` is a trace found on disk: the view then opens on the resume screen.
    """

    def __init__(
        self,
        session: Session,
        seminar: bool = False,
        save_folder: str | Path | None = ".",
        saved_trace: dict | None = None,
        notice: str = "",
    ):
        self.session = session
        self.scenario: Scenario = session.scenario
        self.seminar = seminar
        self.save_folder = None if save_folder is None else Path(save_folder)
        self.saved_path: Path | None = None
        self.tallies: dict[str, dict[int, int]] = {}
        self.screen = ""
        self._displayed = False
        self._choice_of: dict[int, int] = {}  # id(button) -> choice index

        self.title = _html("mhsw-title", f"<h2>{esc(self.scenario.title)}</h2>")
        self.notice = _html("mhsw-notice", self._notice_html(notice))
        self.body = widgets.VBox()
        self.body.add_class("mhsw-body")
        self.status = _html("mhsw-status")  # save problems, shown under every screen

        # start and resume screens
        self.start_button = _button(
            "Start the scenario", "Begin at the first decision", "mhsw-start", primary=True
        )
        self.resume_button = _button(
            "Continue where you left off",
            "Carry on from your saved decisions",
            "mhsw-resume",
            primary=True,
        )
        self.start_over_button = _button(
            "Start again", "Begin a new attempt from the start", "mhsw-start-over"
        )
        # decision screen
        self.progress = _html("mhsw-progress")
        self.node_html = _html("mhsw-node")
        self.rationale_prompt = _html("mhsw-rationale-prompt")
        self.rationale_box = widgets.Textarea(
            description="Your reasoning:",
            placeholder="Write your reasoning here, then choose an option below.",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", height="7em"),
            continuous_update=True,
        )
        self.rationale_box.add_class("mhsw-rationale")
        self.message = _html("mhsw-message")
        self.choice_buttons: list[widgets.Button] = []
        self.choices_box = widgets.VBox()
        self.choices_box.add_class("mhsw-choices")
        self.back_button = _button("◀ Back one decision", "Undo your last decision", "mhsw-back")
        self.restart_button = _button(
            "↺ Restart", "Start the scenario again from the first decision", "mhsw-restart"
        )
        # feedback screen
        self.feedback = _html("mhsw-feedback")
        self.continue_button = _button(
            "Continue ▶", "Go on to what happens next", "mhsw-continue", primary=True
        )
        self.reveal_button = _button(
            "Reveal feedback",
            "Show the room the feedback on the option you followed",
            "mhsw-reveal",
            primary=True,
        )
        # seminar tally panel
        self.tally_inputs: list[widgets.BoundedIntText] = []
        self.tally_plus_buttons: list[widgets.Button] = []
        self.tally_chart = _html("mhsw-tally-chart")
        self.tally_box = widgets.VBox()
        self.tally_box.add_class("mhsw-tally")
        # ending screen
        self.ending_html = _html("mhsw-ending")
        self.debrief = _html("mhsw-debrief")
        self.summary_heading = _html(
            "mhsw-summary-heading",
            "<h4>Copy summary for your reflective log</h4><p class='mhsw-muted'>Select the "
            "text in the box (Ctrl+A, then Ctrl+C) and paste it into your log.</p>",
        )
        self.summary_box = widgets.Textarea(
            description="Summary:",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", height="14em"),
        )
        self.summary_box.add_class("mhsw-summary")
        self.tally_summary = _html("mhsw-tally-summary")

        self.start_button.on_click(lambda _b: self.show_current())
        self.resume_button.on_click(lambda _b: self.show_current())
        self.start_over_button.on_click(lambda _b: self._start_over())
        self.back_button.on_click(lambda _b: self.go_back())
        self.restart_button.on_click(lambda _b: self.restart())
        self.continue_button.on_click(lambda _b: self.show_current())
        self.reveal_button.on_click(lambda _b: self.reveal())

        self.widget = widgets.VBox(
            [style_widget(), self.title, self.notice, self.body, self.status]
        )
        self.widget.add_class(BASE_CLASS)
        self.widget.add_class("mhsw-scenario")
        if seminar:
            self.widget.add_class(SEMINAR_CLASS)
        if saved_trace is not None:
            self.show_resume(saved_trace)
        else:
            self.show_start()

    # ------------------------------------------------------------------ screens

    def show_start(self) -> None:
        scenario = self.scenario
        outcomes = "".join(f"<li>{esc(item)}</li>" for item in scenario.learning_outcomes)
        parts = [
            f"<p><b>Setting:</b> {esc(scenario.setting)}</p>",
            f"<p><b>Your role:</b> {esc(scenario.learner_role)}</p>",
            f"<p><b>Learning outcomes</b></p><ul>{outcomes}</ul>",
            f'<div class="mhsw-box" role="note"><b>Content note:</b> '
            f"{esc(scenario.content_note)}</div>",
        ]
        if scenario.support:
            parts.append(f"<p><b>Support:</b> {esc(scenario.support)}</p>")
        if scenario.sources:
            sources = "".join(f"<li>{esc(source)}</li>" for source in scenario.sources)
            parts.append(f"<details><summary>Sources</summary><ul>{sources}</ul></details>")
        how = (
            "Choose an option at each decision; you will get feedback after each one."
            if not self.seminar
            else "Seminar mode: count the room's choices at each decision, follow one, then "
            "reveal the feedback."
        )
        parts.append(f'<p class="mhsw-muted">{esc(how)}</p>')
        intro = _html("mhsw-start-screen", "".join(parts))
        self._show("start", [intro, self.start_button], focus_on=self.start_button)

    def show_resume(self, trace: dict) -> None:
        steps = len(trace.get("steps", []))
        ending = trace.get("ending")
        if ending:
            where = f"You reached an ending: <b>{esc(ending.get('title', ''))}</b>."
            self.resume_button.description = "See your ending again"
        else:
            where = (
                f"You have made {steps} decision{'s' if steps != 1 else ''} so far "
                f"at {esc(self.session.current.title)}."
            )
            self.resume_button.description = "Continue where you left off"
        saved = esc(trace.get("finished_at") or trace.get("started_at") or "")
        text = _html(
            "mhsw-resume-screen",
            f'<div class="mhsw-box" role="status"><p><b>You have a saved attempt at this '
            f"scenario.</b> {where}</p><p class='mhsw-muted'>Started {saved}. Starting again "
            f"keeps a record that you restarted.</p></div>",
        )
        self._show(
            "resume",
            [text, widgets.HBox([self.resume_button, self.start_over_button])],
            focus_on=self.resume_button,
        )

    def show_current(self) -> None:
        """Show where the session is now: a decision, or the ending."""
        self.message.value = ""
        if self.session.finished:
            self._show_ending()
        else:
            self._show_decision()

    def _show_decision(self) -> None:
        session = self.session
        node = session.current
        self.progress.value = f'<p role="status">{esc(self._progress_text())}</p>'
        law = ""
        if node.law:
            refs = esc(_law_text(node.law))
            law = f'<p class="mhsw-muted"><b>Law:</b> {refs}</p>'
        self.node_html.value = f"<h3>{esc(node.title)}</h3>{markdown_to_html(session.text)}{law}"

        for old in self.choice_buttons:  # buttons of the last decision are gone for good
            old.close()
        self.choice_buttons = []
        self._choice_of = {}
        for index, choice in session.available_choices():
            label = f"{_letter(len(self.choice_buttons))}. {choice.label}"
            button = _button(label, f"Choose: {choice.label}", "mhsw-choice")
            button.layout = widgets.Layout(width="100%")
            button.on_click(self._on_choice)
            self._choice_of[id(button)] = index
            self.choice_buttons.append(button)
        heading = "Follow the option the room chooses:" if self.seminar else "What do you do?"
        self.choices_box.children = [
            _html("mhsw-choices-heading", f"<p><b>{heading}</b></p>"),
            *self.choice_buttons,
        ]

        parts: list[Any] = [self.progress, self.node_html]
        first: Any = self.choice_buttons[0] if self.choice_buttons else self.restart_button
        prompt = session.rationale_prompt
        if prompt:
            node_rationale = node.rationale
            need = ""
            if session.needs_rationale:
                words = getattr(node_rationale, "min_words", 1) or 1
                need = (
                    f" (required: at least {words} word{'s' if words != 1 else ''})"
                    if words > 1
                    else " (required)"
                )
            whose = "The room's rationale" if self.seminar else "Your rationale"
            self.rationale_prompt.value = f"<p><b>{whose}{esc(need)}:</b> {esc(prompt)}</p>"
            self.rationale_box.value = ""
            self.rationale_box.tooltip = prompt
            self.rationale_box.description = (
                "The room's reasoning:" if self.seminar else "Your reasoning:"
            )
            parts += [self.rationale_prompt, self.rationale_box]
            first = self.rationale_box
        if self.seminar:
            self._build_tally(node.id)
            parts.append(self.tally_box)
        parts += [self.choices_box, self.message, self._nav_row()]
        self._show("decision", parts, focus_on=first)

    def _nav_row(self) -> widgets.HBox:
        buttons = [self.back_button] if self.session.can_go_back else []
        return widgets.HBox(buttons + [self.restart_button])

    def _progress_text(self) -> str:
        number = self.session.decisions_made + 1
        more = max(0, self.session.decisions_left_estimate() - 1)
        if more == 0:
            rest = "this choice can lead to an ending"
        else:
            rest = f"about {more} more to an ending"
        return f"Decision {number} · {rest}"

    def _show_feedback(self, label: str) -> None:
        feedback = self.session.last_feedback or ""
        self.feedback.value = (
            f'<div class="mhsw-box" role="status" aria-live="polite">'
            f"<p><b>{'The room chose' if self.seminar else 'You chose'}:</b> {esc(label)}</p>"
            f"{markdown_to_html(feedback)}</div>"
        )
        if self.seminar:
            hidden = _html(
                "mhsw-feedback-hidden",
                f'<div class="mhsw-box" role="status"><p><b>The room followed:</b> {esc(label)}'
                "</p><p>Feedback is hidden. Discuss the choice, then reveal it.</p></div>",
            )
            self._show("feedback-hidden", [hidden, self.reveal_button], focus_on=self.reveal_button)
        else:
            self._show(
                "feedback", [self.feedback, self.continue_button], focus_on=self.continue_button
            )

    def reveal(self) -> None:
        """Seminar mode: show the feedback on the option the room followed."""
        if self.screen == "feedback-hidden":
            self._show(
                "feedback", [self.feedback, self.continue_button], focus_on=self.continue_button
            )

    def _show_ending(self) -> None:
        from helpers.traces import trace_summary

        ending = self.session.ending
        assert ending is not None
        outcome = OUTCOME_LABELS.get(ending.outcome, ending.outcome)
        score = ""
        if ending.score is not None:
            top = self.scenario.max_score
            score = f"<p><b>Score:</b> {ending.score} out of {top}</p>"
        self.ending_html.value = (
            f'<div class="mhsw-box" role="status"><p><b>{esc(outcome)}</b></p>'
            f"<h3>The end: {esc(ending.title)}</h3>{score}</div>"
            + (markdown_to_html(ending.text) if ending.text else "")
        )
        law = ""
        if ending.law:
            refs = esc(_law_text(ending.law))
            law = f'<p class="mhsw-muted"><b>Law:</b> {refs}</p>'
        self.debrief.value = f"<h4>Debrief</h4>{markdown_to_html(ending.debrief)}{law}"
        self.summary_box.value = trace_summary(self.session.trace(), self.session.scenario)
        parts: list[Any] = [self.ending_html, self.debrief, self.summary_heading, self.summary_box]
        if self.seminar and self.tallies:
            self.tally_summary.value = self._tallies_html()
            parts.append(self.tally_summary)
        parts.append(widgets.HBox([self.restart_button]))
        self._show("ending", parts, focus_on=self.summary_box)

    def _show(self, screen: str, children: list, focus_on: Any = None) -> None:
        self.screen = screen
        self.body.children = children
        if focus_on is not None:
            focus(focus_on)

    # ------------------------------------------------------------------ actions

    def _on_choice(self, button: widgets.Button) -> None:
        self.choose(self._choice_of[id(button)])

    def choose(self, index: int) -> bool:
        """Take choice ``index`` (position in the node); False if the engine refused it."""
        rationale = self.rationale_box.value if self.session.rationale_prompt else None
        try:
            choice = self.session.choose(index, rationale=rationale)
        except ValueError as exc:
            self.message.value = f'<div class="mhsw-box" role="alert"><b>⚠ {esc(exc)}</b></div>'
            focus(self.rationale_box if self.session.rationale_prompt else self.restart_button)
            return False
        self.message.value = ""
        self._save()
        self._show_feedback(choice.label)
        return True

    def go_back(self) -> None:
        if self.session.can_go_back:
            self.session.back()
            self._save()
            self.show_current()

    def restart(self) -> None:
        self.session.restart()
        self.show_current()

    def _start_over(self) -> None:
        self.session.restart()
        self.show_start()

    def _save(self) -> None:
        if self.save_folder is None:
            return
        from helpers.traces import save_trace

        # The notebook itself carries the trace too (helpers.notebook_traces), so a notebook
        # uploaded alone to a VLE keeps it.
        if getattr(self, "trace_display", None) is not None:
            self.trace_display.update(self.session.trace())

        try:
            self.saved_path = save_trace(self.session.trace(), folder=self.save_folder)
        except OSError as exc:
            self.status.value = (
                f'<p role="alert">⚠ Your decisions could not be saved to '
                f"{esc(self.save_folder)}: {esc(exc)}. Carry on; ask your tutor if this "
                "happens in an assessed notebook.</p>"
            )
        else:
            self.status.value = ""

    # ------------------------------------------------------------------ seminar tallies

    def _build_tally(self, node_id: str) -> None:
        counts = self.tallies.setdefault(node_id, {})
        for old in [*self.tally_inputs, *self.tally_plus_buttons]:
            old.close()
        self.tally_inputs = []
        self.tally_plus_buttons = []
        rows = []
        for position, (index, choice) in enumerate(self.session.available_choices()):
            letter = _letter(position)
            counts.setdefault(index, 0)
            box = widgets.BoundedIntText(
                value=counts[index],
                min=0,
                max=9999,
                description=f"Votes for {letter}:",
                tooltip=f"How many in the room chose {letter}: {choice.label}",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="14em"),
            )
            box.add_class("mhsw-tally-input")
            box.observe(self._on_tally(node_id, index), names="value")
            plus = _button("+1", f"Add one vote for {letter}: {choice.label}", "mhsw-tally-plus")
            plus.on_click(lambda _b, box=box: setattr(box, "value", box.value + 1))
            self.tally_inputs.append(box)
            self.tally_plus_buttons.append(plus)
            rows.append(widgets.HBox([box, plus]))
        heading = _html(
            "mhsw-tally-heading",
            "<p><b>How did the room choose?</b> Type the "
            "count for each option, or press +1 for each hand.</p>",
        )
        self.tally_chart.value = self._chart_html(node_id)
        self.tally_box.children = [heading, *rows, self.tally_chart]

    def _on_tally(self, node_id: str, index: int):
        def update(change: dict) -> None:
            self.tallies[node_id][index] = int(change["new"] or 0)
            self.tally_chart.value = self._chart_html(node_id)

        return update

    def _chart_html(self, node_id: str) -> str:
        """The spread of votes as text bars: readable on a projector and by a screen reader."""
        counts = self.tallies.get(node_id, {})
        total = sum(counts.values())
        node = self.scenario.nodes[node_id]
        shown = (
            [i for i, _ in self.session.available_choices()]
            if (self.session.current.id == node_id)
            else sorted(counts)
        )
        top = max(counts.values(), default=0)
        rows = []
        for position, index in enumerate(shown):
            votes = counts.get(index, 0)
            share = f"{round(100 * votes / total)}%" if total else "–"
            width = round(_BAR_WIDTH * votes / top) if top else 0
            bar = "█" * width
            rows.append(
                f"<tr><td><b>{_letter(position)}</b></td>"
                f'<td aria-hidden="true"><span style="font-family: monospace">{bar}</span></td>'
                f"<td>{votes} vote{'s' if votes != 1 else ''} ({share})</td>"
                f"<td>{esc(node.choices[index].label)}</td></tr>"
            )
        return (
            f'<table class="mhsw-tally" aria-label="Votes so far">{"".join(rows)}</table>'
            f"<p class='mhsw-muted'>{total} vote{'s' if total != 1 else ''} in all.</p>"
        )

    def _tallies_html(self) -> str:
        parts = ["<h4>How the room chose</h4>"]
        for node_id, counts in self.tallies.items():
            if not any(counts.values()):
                continue
            node = self.scenario.nodes[node_id]
            total = sum(counts.values())
            items = "".join(
                f"<li>{esc(node.choices[i].label)}: {n} ({round(100 * n / total)}%)</li>"
                for i, n in sorted(counts.items())
            )
            parts.append(f"<p><b>{esc(node.title)}</b></p><ul>{items}</ul>")
        return "".join(parts)

    def tallies_frame(self):
        """The room's votes as a table: one row per option at each decision counted."""
        import pandas as pd

        followed = {(step["node"], step["choice"]) for step in self.session.steps}
        rows = []
        for node_id, counts in self.tallies.items():
            node = self.scenario.nodes[node_id]
            total = sum(counts.values())
            for index, votes in sorted(counts.items()):
                rows.append(
                    {
                        "node": node_id,
                        "decision": node.title,
                        "choice_index": index,
                        "choice": node.choices[index].label,
                        "votes": votes,
                        "share_percent": round(100 * votes / total, 1) if total else 0.0,
                        "followed": (node_id, index) in followed,
                    }
                )
        columns = [
            "node",
            "decision",
            "choice_index",
            "choice",
            "votes",
            "share_percent",
            "followed",
        ]
        return pd.DataFrame(rows, columns=columns)

    # ------------------------------------------------------------------ reading the screen

    def shown_text(self) -> str:
        """Plain text of what is on screen now."""
        return visible_text(self.widget)

    @staticmethod
    def _notice_html(notice: str) -> str:
        return f'<div class="mhsw-box" role="status"><p>{esc(notice)}</p></div>' if notice else ""

    def _ipython_display_(self) -> None:
        # ``play_scenario`` has already shown the widget; returning the view from the last line
        # of a cell must not show it twice. ``display(view.widget)`` shows it again on purpose.
        if not self._displayed:
            self._displayed = True
            from IPython.display import display

            display(self.widget)


def play_scenario(
    path_or_scenario: str | Path | Scenario,
    seminar: bool = False,
    save: bool = True,
    folder: str | Path | None = None,
    resume: bool = True,
) -> ScenarioView:
    """Play a scenario in the notebook and return its view.

    ``save``: save the decision trace as ``mhsw-trace-<id>.json`` in ``folder`` (default: the
    notebook's folder) after every choice, and keep it in the notebook too, as an output of
    this cell (so a notebook uploaded alone carries it). ``resume``: if a saved trace exists,
    offer to continue it or start again. ``seminar=True``: larger text for a projector,
    tallies of the room's votes and feedback revealed by the lecturer (pass ``save=False`` if
    the seminar's run should leave no trace file).
    """
    from IPython.display import display

    view = build_scenario_view(
        path_or_scenario, seminar=seminar, save=save, folder=folder, resume=resume
    )
    display(view.widget)
    view._displayed = True
    if save:
        from helpers.notebook_traces import TraceDisplay

        view.trace_display = TraceDisplay()
        view.trace_display.show(view.session.trace() if view.session.steps else None)
    return view


def build_scenario_view(
    path_or_scenario: str | Path | Scenario,
    seminar: bool = False,
    save: bool = True,
    folder: str | Path | None = None,
    resume: bool = True,
) -> ScenarioView:
    """The view ``play_scenario`` would show, without displaying it (used by tests)."""
    scenario = (
        path_or_scenario
        if isinstance(path_or_scenario, Scenario)
        else load_scenario(path_or_scenario)
    )
    save_folder = Path(folder) if folder is not None else Path(".")
    saved = trace_file(scenario.id, save_folder)
    from helpers.traces import find_trace, has_saved_trace

    if resume and has_saved_trace(scenario.id, save_folder):
        try:
            found = find_trace(scenario.id, folder=save_folder)
            trace, saved = found.trace, found.path
            session = Session.resume(scenario, trace)
        except (ValueError, KeyError, TypeError, OSError) as exc:
            notice = (
                f"Your saved attempt ({saved.name}) cannot be continued: {exc} "
                "A new attempt starts below; your next choice replaces the old file."
            )
            return ScenarioView(
                Session(scenario),
                seminar=seminar,
                save_folder=save_folder if save else None,
                notice=notice,
            )
        return ScenarioView(
            session,
            seminar=seminar,
            save_folder=save_folder if save else None,
            saved_trace=trace,
            notice=found.note,
        )
    return ScenarioView(
        Session(scenario), seminar=seminar, save_folder=save_folder if save else None
    )
