"""The lecturer's live-vote panel: open a vote on a decision, watch votes arrive, reveal, reset.

    from helpers.live_vote_view import live_vote_panel
    live_vote_panel("scenarios/mha-assessment.yaml")      # on a hub with a seminar folder

The panel counts how many votes are in while the vote is open, and shows what was chosen only
when the lecturer presses Reveal, so the room is not steered by the first few votes. Counts are
written as numbers beside their bars, never shown by length or colour alone, and sit in a live
region for screen readers. Without a seminar folder (no hub), the panel says so and seminar
mode's hand tallies remain the way to count.
"""

from __future__ import annotations

import threading
from pathlib import Path

import ipywidgets as widgets

from helpers._widgets_style import BASE_CLASS, SEMINAR_CLASS, button, esc, style_widget
from helpers.live_vote import LiveVote, seminar_folder
from helpers.scenarios import Scenario, load_scenario

__all__ = ["LiveVotePanel", "live_vote_panel"]

REFRESH_SECONDS = 2.0


class LiveVotePanel:
    """Widgets for a lecturer's live vote on one scenario (``widget`` is the box to show)."""

    def __init__(self, scenario: Scenario, folder: str | Path, seminar: bool = True):
        self.scenario = scenario
        self.vote = LiveVote(folder, scenario.id)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        options = [(f"{node.title}", key) for key, node in scenario.nodes.items()]
        self.decision = widgets.Dropdown(options=options, description="Decision")
        self.visit = widgets.BoundedIntText(value=1, min=1, max=20, description="Visit")
        self.decision.style.description_width = "initial"
        self.visit.style.description_width = "initial"
        self.open_button = button(
            "Open vote", "Let the class vote on this decision", "mhsw-vote-open", primary=True
        )
        self.close_button = button("Close vote", "Stop taking votes", "mhsw-vote-close")
        self.reveal_button = button(
            "Reveal results", "Show what the class chose", "mhsw-vote-reveal"
        )
        self.reset_button = button(
            "New round", "Start afresh for the next group", "mhsw-vote-reset"
        )
        self.status = widgets.HTML()
        self.results = widgets.HTML()
        self.open_button.on_click(lambda _: self.open())
        self.close_button.on_click(lambda _: self.close())
        self.reveal_button.on_click(lambda _: self.reveal())
        self.reset_button.on_click(lambda _: self.reset())
        controls = widgets.HBox(
            [self.open_button, self.close_button, self.reveal_button, self.reset_button],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.widget = widgets.VBox(
            [
                style_widget(),
                widgets.HTML(f"<h3>Live vote: {esc(scenario.title)}</h3>"),
                widgets.HBox([self.decision, self.visit]),
                controls,
                self.status,
                self.results,
            ]
        )
        self.widget.add_class(BASE_CLASS)
        if seminar:
            self.widget.add_class(SEMINAR_CLASS)
        self.refresh()

    # --- actions ---------------------------------------------------------------------------
    def open(self) -> None:
        self.vote.open(self.decision.value, self.visit.value)
        self.refresh()
        self._watch()

    def close(self) -> None:
        self.vote.close()
        self._stop.set()
        self.refresh()

    def reveal(self) -> None:
        self.vote.reveal(True)
        self.refresh()

    def reset(self) -> None:
        self._stop.set()
        self.vote.new_round()
        self.refresh()

    def _watch(self) -> None:
        """Refresh every few seconds while the vote is open (the kernel stays usable)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=REFRESH_SECONDS * 2)
        self._stop = threading.Event()

        def loop(stop: threading.Event) -> None:
            while not stop.wait(REFRESH_SECONDS):
                self.refresh()

        self._thread = threading.Thread(target=loop, args=(self._stop,), daemon=True)
        self._thread.start()

    # --- what is shown ---------------------------------------------------------------------
    def counts(self) -> list[int]:
        state = self.vote.state()
        node_id = state.node or self.decision.value
        node = self.scenario.nodes[node_id]
        tally = self.vote.tally(node_id, state.visit or self.visit.value, len(node.choices))
        return [tally.get(index, 0) for index in range(len(node.choices))]

    def refresh(self) -> None:
        state = self.vote.state()
        counts = self.counts()
        total = sum(counts)
        node_id = state.node or self.decision.value
        title = self.scenario.nodes[node_id].title
        if not state.round:
            words = "No vote yet. Choose a decision and press <b>Open vote</b>."
        elif state.is_open:
            words = f"Vote open on <b>{esc(title)}</b>: <b>{total}</b> vote(s) in."
        else:
            words = f"Vote closed on <b>{esc(title)}</b>: {total} vote(s)."
        self.status.value = f'<p role="status">{words}</p>'
        if state.revealed and state.round:
            self.results.value = self._bars(node_id, counts)
        else:
            self.results.value = "<p>Results are hidden until you press <b>Reveal results</b>.</p>"

    def _bars(self, node_id: str, counts: list[int]) -> str:
        total = sum(counts) or 1
        rows = []
        for choice, count in zip(self.scenario.nodes[node_id].choices, counts, strict=True):
            width = round(20 * count / total, 2)
            rows.append(
                f"<tr><td>{esc(choice.label)}</td><td style='white-space:nowrap'>"
                f"<span aria-hidden='true' style='display:inline-block;height:0.8em;"
                f"width:{width}em;background:#0b5cad;margin-right:0.4em'></span>"
                f"{count} ({round(100 * count / total)} %)</td></tr>"
            )
        return (
            f"<table><caption>What the class chose at {esc(self.scenario.nodes[node_id].title)}"
            "</caption><thead><tr><th scope='col'>Option</th><th scope='col'>Votes</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def stop(self) -> None:
        """Stop refreshing (also done by Close and New round)."""
        self._stop.set()


def live_vote_panel(
    scenario: str | Path | Scenario, folder: str | Path | None = None, seminar: bool = True
) -> LiveVotePanel | None:
    """Show the live-vote panel for ``scenario``. ``folder`` defaults to the hub's seminar
    folder; without one, explain that live voting needs a hub and return None."""
    from IPython.display import Markdown, display

    folder = folder or seminar_folder()
    if folder is None:
        display(
            Markdown(
                "**Live voting needs a shared seminar folder**, which a course JupyterHub provides "
                "(`MHSW_SEMINAR_DIR`). Here, use seminar mode's vote boxes to count hands: "
                "`play_scenario(..., seminar=True)`."
            )
        )
        return None
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    panel = LiveVotePanel(scenario, folder, seminar=seminar)
    display(panel.widget)
    return panel
