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

Seminar mode shows larger text and, at each decision, one row per option: the option's button,
a labelled number box, a "+1" button and the option's share of the room as a text bar. The
lecturer counts hands, then clicks the option the room wants to follow. A seminar starts on the
start screen even if a saved attempt exists (its ending would spoil the case), unless
``resume=True``. ``view.tallies`` keeps the counts per visit to a decision (a decision the story
comes back to is a new vote) and ``view.tallies_frame()`` returns them as a table for the
debrief.

The trace is saved with :func:`helpers.traces.save_trace` after every choice and every step
back. Restart asks for confirmation first and, after a finished attempt, says that the new
attempt will replace it; it does not save at once, so only the next choice saves the new
attempt.

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


def _when(stamp: str | None) -> str:
    """An ISO time stamp as people write it: "2 December 2026, 14:05" (local time)."""
    from datetime import datetime

    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment.day} {moment:%B %Y, %H:%M}"


def remaining_decisions(scenario: Scenario) -> dict[str, tuple[int, int]]:
    """``{node id: (fewest, most)}`` decisions from each node to an ending, this one included.

    Found once per scenario by graph search: the fewest by breadth-first search backwards from
    the endings, the most as the longest path once loops are cut (a loop back to an earlier
    decision is counted once). Conditions are ignored, so both are what the map allows; the
    figures do not jump about as the learner moves on.
    """
    nodes = scenario.nodes
    targets = {
        node_id: sorted({t for choice in node.choices for t in choice.targets})
        for node_id, node in nodes.items()
    }
    fewest: dict[str, int] = {}
    frontier = [e for e in scenario.endings]
    depth = 0
    reached = set(frontier)
    while frontier:
        depth += 1
        nxt = []
        for node_id, outs in targets.items():
            if node_id not in reached and any(t in reached for t in outs):
                nxt.append(node_id)
        for node_id in nxt:
            fewest[node_id] = depth
            reached.add(node_id)
        frontier = nxt

    most: dict[str, int] = {}
    on_path: set[str] = set()

    def longest(node_id: str) -> int:
        if node_id in scenario.endings:
            return 0
        if node_id in most:
            return most[node_id]
        on_path.add(node_id)
        best = 0
        for target in targets.get(node_id, []):
            if target not in on_path:
                best = max(best, longest(target))
        on_path.discard(node_id)
        most[node_id] = best + 1
        return most[node_id]

    for node_id in nodes:
        longest(node_id)
    return {n: (fewest.get(n, most[n]), most[n]) for n in nodes}


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
        # Seminar votes, one entry per visit to a decision: "node" for the first visit,
        # "node (visit 2)" when the story comes back to it, so counts are never pooled.
        self.tallies: dict[str, dict[int, int]] = {}
        self._visit_node: dict[str, str] = {}  # tally key -> node id
        self._arrivals: dict[str, int] = {}  # node id -> times the story has come to it
        self._remaining = remaining_decisions(self.scenario)
        self.screen = ""
        self._displayed = False
        self._choice_of: dict[int, int] = {}  # id(button) -> choice index
        self.voter = None  # a helpers.live_vote.Voter when the seminar runs live on a hub

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
        self.message = _html("mhsw-message")  # next to the rationale box: it is about it
        self.choice_buttons: list[widgets.Button] = []
        self.choices_box = widgets.VBox()
        self.choices_box.add_class("mhsw-choices")
        self.back_button = _button("◀ Back one decision", "Undo your last decision", "mhsw-back")
        self.restart_button = _button(
            "↺ Restart", "Start the scenario again from the first decision", "mhsw-restart"
        )
        self.confirm_restart_button = _button(
            "Yes, start again",
            "Start a new attempt from the first decision",
            "mhsw-confirm-restart",
        )
        self.cancel_restart_button = _button(
            "No, carry on", "Go back to where you were", "mhsw-cancel-restart", primary=True
        )
        self.confirm_box = widgets.VBox()
        self.confirm_box.add_class("mhsw-confirm")
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
        self.tally_counts: list[widgets.HTML] = []  # each option's bar and share
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
        self.restart_button.on_click(lambda _b: self.ask_restart())
        self.confirm_restart_button.on_click(lambda _b: self.restart())
        self.cancel_restart_button.on_click(lambda _b: self._cancel_restart())
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
        started = esc(_when(trace.get("started_at")))
        finished = esc(_when(trace.get("finished_at")))
        when = f"Started {started}" + (f", finished {finished}" if finished else "") + "."
        again = (
            "Starting again replaces this finished attempt as soon as you make your first "
            "choice; in an assessed notebook the saved attempt is the one that is marked."
            if ending
            else "Starting again keeps a record that you restarted."
        )
        text = _html(
            "mhsw-resume-screen",
            f'<div class="mhsw-box" role="status"><p><b>You have a saved attempt at this '
            f"scenario.</b> {where}</p><p class='mhsw-muted'>{when} {esc(again)}</p></div>",
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
            # The warning about a short rationale sits right under the box it is about.
            parts += [self.rationale_prompt, self.rationale_box, self.message]
            first = self.rationale_box
        if self.seminar:
            self._build_tally(node.id)
            parts.append(self.tally_box)
        else:
            parts.append(self.choices_box)
        if not prompt:
            parts.append(self.message)
        parts.append(self._nav_row())
        self.confirm_box.children = []
        self._show("decision", parts, focus_on=first)

    def _nav_row(self) -> widgets.VBox:
        buttons = [self.back_button] if self.session.can_go_back else []
        if self.seminar and not self.session.finished:
            buttons = [self.tally_chart, *buttons]  # the total beside the buttons saves a line
        row = widgets.HBox(buttons + [self.restart_button])
        row.add_class("mhsw-nav")
        return widgets.VBox([row, self.confirm_box])

    def _progress_text(self) -> str:
        number = self.session.decisions_made + 1
        fewest, most = self._remaining.get(self.session.current.id, (1, 1))
        more = most - 1
        if more <= 0:
            rest = "the last decision: this choice leads to an ending"
        elif fewest <= 1:
            rest = f"this choice can end the case; otherwise up to {more} more"
        elif fewest == most:
            rest = f"{more} more to an ending"
        else:
            rest = f"between {fewest - 1} and {more} more to an ending"
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
        self.confirm_box.children = []
        parts.append(widgets.VBox([widgets.HBox([self.restart_button]), self.confirm_box]))
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
        node_id = self.session.current.id
        visit = 1 + sum(1 for step in self.session.steps if step["node"] == node_id)
        try:
            choice = self.session.choose(index, rationale=rationale)
        except ValueError as exc:
            self.message.value = (
                f'<div class="mhsw-box" role="status" aria-live="polite"><b>⚠ {esc(exc)}</b></div>'
            )
            focus(self.rationale_box if self.session.rationale_prompt else self.restart_button)
            return False
        self.message.value = ""
        self._save()
        if self.voter is not None:  # live seminar: the anonymous vote never stops play
            self.voter.cast(node_id, visit, index)
        self._show_feedback(choice.label)
        return True

    def go_back(self) -> None:
        if self.session.can_go_back:
            self.session.back()
            self._save()
            self.show_current()

    def ask_restart(self) -> None:
        """Restart asks first: an accidental click must not throw an attempt away."""
        finished = self.session.finished or self._saved_attempt_finished()
        warning = (
            "Your attempt has reached an ending and is saved. Starting again replaces it as soon "
            "as you make your first choice; in an assessed notebook the saved attempt is the one "
            "that is marked."
            if finished and self.save_folder is not None
            else "Your choices so far will be replaced by the new attempt (the record notes that "
            "you restarted)."
        )
        question = _html(
            "mhsw-confirm-text",
            f'<div class="mhsw-box" role="status"><p><b>Start again from the first decision?'
            f"</b> {esc(warning)}</p></div>",
        )
        self.confirm_box.children = [
            question,
            widgets.HBox([self.cancel_restart_button, self.confirm_restart_button]),
        ]
        focus(self.cancel_restart_button)

    def _cancel_restart(self) -> None:
        self.confirm_box.children = []
        focus(self.restart_button)

    def _saved_attempt_finished(self) -> bool:
        if self.save_folder is None:
            return False
        import json

        try:
            saved = json.loads(trace_path(self.scenario.id, self.save_folder).read_text("utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(saved, dict) and bool(saved.get("ending"))

    def restart(self) -> None:
        """Start again at once (the Restart button asks first, see :meth:`ask_restart`)."""
        self.confirm_box.children = []
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
        """One row per option: the option's button, its vote count and a +1 button.

        Each arrival at a decision gets fresh counts (a decision the story comes back to is a
        new vote); the counts of earlier visits stay in ``tallies`` for the debrief.
        """
        visit = self._arrivals[node_id] = self._arrivals.get(node_id, 0) + 1
        key = node_id if visit == 1 else f"{node_id} (visit {visit})"
        self._visit_node[key] = node_id
        counts = self.tallies.setdefault(key, {})
        for old in [*self.tally_inputs, *self.tally_plus_buttons]:
            old.close()
        self.tally_inputs = []
        self.tally_plus_buttons = []
        self.tally_counts = []
        rows = []
        available = self.session.available_choices()
        for position, ((index, choice), choose) in enumerate(
            zip(available, self.choice_buttons, strict=True)
        ):
            letter = _letter(position)
            counts.setdefault(index, 0)
            box = widgets.BoundedIntText(
                value=counts[index],
                min=0,
                max=9999,
                description=f"Votes for {letter}:",
                tooltip=f"How many in the room chose {letter}: {choice.label}",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="11em", flex="0 0 auto"),
            )
            box.add_class("mhsw-tally-input")
            box.observe(self._on_tally(key, index), names="value")
            plus = _button("+1", f"Add one vote for {letter}: {choice.label}", "mhsw-tally-plus")
            plus.layout.flex = "0 0 auto"
            plus.on_click(lambda _b, box=box: setattr(box, "value", box.value + 1))
            choose.layout = widgets.Layout(flex="1 1 auto", width="auto")
            count = _html("mhsw-tally-count")
            count.layout = widgets.Layout(flex="0 0 auto", width="11em")
            self.tally_inputs.append(box)
            self.tally_plus_buttons.append(plus)
            self.tally_counts.append(count)
            row = widgets.HBox([choose, box, plus, count])
            row.add_class("mhsw-seminar-row")
            rows.append(row)
        heading = _html(
            "mhsw-tally-heading",
            "<p><b>Count the room, then follow its choice.</b> Type each option's votes or "
            "press +1 for each hand; then press the option the room chose.</p>",
        )
        self._refresh_tally(key)
        self.tally_box.children = [heading, *rows]

    def _on_tally(self, key: str, index: int):
        def update(change: dict) -> None:
            self.tallies[key][index] = int(change["new"] or 0)
            self._refresh_tally(key)

        return update

    def _refresh_tally(self, key: str) -> None:
        """Each option's votes as a text bar beside it (readable on a projector and by a
        screen reader), and the total."""
        counts = self.tallies.get(key, {})
        total = sum(counts.values())
        top = max(counts.values(), default=0)
        for count, index in zip(self.tally_counts, sorted(counts), strict=False):
            votes = counts.get(index, 0)
            share = f"{round(100 * votes / total)}%" if total else "–"
            width = round(_BAR_WIDTH * votes / top) if top else 0
            count.value = (
                f'<span aria-hidden="true" style="font-family: monospace">{"█" * width}</span> '
                f"{votes} vote{'s' if votes != 1 else ''} ({share})"
            )
        self.tally_chart.value = (
            f'<p class="mhsw-muted" role="status">{total} vote{"s" if total != 1 else ""} '
            "in all.</p>"
        )

    def _tallies_html(self) -> str:
        parts = ["<h4>How the room chose</h4>"]
        for key, counts in self.tallies.items():
            if not any(counts.values()):
                continue
            node = self.scenario.nodes[self._visit_node.get(key, key)]
            total = sum(counts.values())
            items = "".join(
                f"<li>{esc(node.choices[i].label)}: {n} ({round(100 * n / total)}%)</li>"
                for i, n in sorted(counts.items())
            )
            again = key[len(node.id) :].strip()
            title = f"{node.title} {again}" if again else node.title
            parts.append(f"<p><b>{esc(title)}</b></p><ul>{items}</ul>")
        return "".join(parts)

    def tallies_frame(self):
        """The room's votes as a table: one row per option at each visit to a decision."""
        import pandas as pd

        followed = {(step["node"], step["choice"]) for step in self.session.steps}
        rows = []
        for key, counts in self.tallies.items():
            node_id = self._visit_node.get(key, key)
            node = self.scenario.nodes[node_id]
            visit = int(key.rsplit("visit ", 1)[1].rstrip(")")) if key != node_id else 1
            total = sum(counts.values())
            for index, votes in sorted(counts.items()):
                rows.append(
                    {
                        "node": node_id,
                        "visit": visit,
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
            "visit",
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
    resume: bool | None = None,
    live: str | Path | bool | None = None,
) -> ScenarioView:
    """Play a scenario in the notebook and return its view.

    ``save``: save the decision trace as ``mhsw-trace-<id>.json`` in ``folder`` (default: the
    notebook's folder) after every choice, and keep it in the notebook too, as an output of
    this cell (so a notebook uploaded alone carries it). ``resume``: if a saved trace exists,
    offer to continue it or start again (the default for a learner). ``seminar=True``: larger
    text for a projector, tallies of the room's votes and feedback revealed by the lecturer; a
    seminar starts fresh, never on a saved attempt (whose ending would spoil the case for the
    room), unless ``resume=True`` is given. Pass ``save=False`` if the seminar's run should
    leave no trace file. ``live``: on a course JupyterHub with a seminar folder
    (``MHSW_SEMINAR_DIR``), each choice is also sent, anonymously, to the lecturer's live-vote
    panel (see docs/seminars.md); give a folder to use another one, or ``False`` to send none.
    """
    from IPython.display import display

    from helpers.live_vote import Voter, seminar_folder

    view = build_scenario_view(
        path_or_scenario, seminar=seminar, save=save, folder=folder, resume=resume
    )
    target = seminar_folder() if live is None or live is True else (live or None)
    if target is not None and not seminar:
        view.voter = Voter(target, view.scenario.id)
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
    resume: bool | None = None,
) -> ScenarioView:
    """The view ``play_scenario`` would show, without displaying it (used by tests)."""
    if resume is None:
        resume = not seminar
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
