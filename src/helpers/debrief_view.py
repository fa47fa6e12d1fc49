"""The class debrief in a notebook, for a seminar on a projector.

``class_debrief("m3-mha-assessment", "submitted/")`` reads the class's traces and shows, for
each decision point, a chart that reads from the back of a room, with the same figures as a
table beneath it (the chart's text alternative), then the endings reached.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from helpers.debrief import Debrief
    from helpers.scenarios import Scenario

#: Colour-blind-safe blue; the option on the path held up is hatched as well as darker.
_BAR = "#5b8fd1"
_MODEL = "#0b3d78"


def decision_chart(debrief: Debrief, number: int) -> Figure:
    """A horizontal bar chart of the choices at decision point ``number`` (1-based)."""
    import textwrap

    import matplotlib.pyplot as plt

    from helpers.debrief_report import _on_path

    decision = debrief.decisions[number - 1]
    labels = [textwrap.fill(o.label, 38) for o in decision.options]
    counts = [o.count for o in decision.options]
    hidden = [bool(debrief.min_count and 0 < c < debrief.min_count) for c in counts]
    shown = [0 if h else c for c, h in zip(counts, hidden, strict=True)]
    on_path = [_on_path(debrief, decision.node_id, o.target) for o in decision.options]
    height = 1.2 + 0.9 * len(labels)
    figure, ax = plt.subplots(figsize=(11, height), layout="constrained")
    bars = ax.barh(
        range(len(labels)),
        shown,
        color=[_MODEL if p else _BAR for p in on_path],
        hatch=["//" if p else "" for p in on_path],
        edgecolor="white",
    )
    ax.set_yticks(range(len(labels)), labels, fontsize=14)
    ax.invert_yaxis()
    for bar, count, hide in zip(bars, counts, hidden, strict=True):
        text = f"fewer than {debrief.min_count}" if hide else str(count)
        ax.text(
            bar.get_width() + 0.1,
            bar.get_y() + bar.get_height() / 2,
            text,
            va="center",
            fontsize=14,
        )
    ax.set_xlabel("learners who chose it (number)", fontsize=13)
    ax.set_title(
        f"{number}. {decision.title}: reached by {debrief.shown(decision.reached)}",
        fontsize=16,
        loc="left",
    )
    ax.set_xlim(0, max(shown + [1]) * 1.25)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if any(on_path):
        ax.text(
            0,
            -0.12,
            "Dark, hatched bar: the option on the path held up.",
            transform=ax.transAxes,
            fontsize=11,
            va="top",
        )
    return figure


def class_debrief(
    scenario: Scenario | str | Path,
    traces: str | Path | list[str | Path],
    min_count: int = 0,
    rationales: bool = False,
    charts: bool = True,
    show: bool = True,
) -> Debrief:
    """Read a class's traces and show the debrief (charts, then the figures as tables).

    - ``scenario``: its id (e.g. ``"m3-mha-assessment"``), its file, or a loaded Scenario.
    - ``traces``: where the traces are (e.g. ``"submitted/"`` or a VLE zip).
    - ``min_count``: show counts below it as "fewer than" (for small groups).
    - ``rationales``: include anonymised excerpts of what learners wrote.

    Returns the :class:`~helpers.debrief.Debrief`, so its figures can be used in code.
    """
    from helpers.debrief import gather_traces, load_scenario_arg, summarise
    from helpers.scenarios import Scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario_arg(str(scenario))
    found = gather_traces(traces, scenario)
    debrief = summarise(scenario, found, min_count=min_count, rationales=rationales)
    if show:
        _display(debrief, charts)
    return debrief


def _display(debrief: Debrief, charts: bool) -> None:
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    from helpers.debrief_report import _endings, _overview, _paths

    display(HTML("\n".join(_overview(debrief))))
    for number in range(1, len(debrief.decisions) + 1):
        if charts:
            figure = decision_chart(debrief, number)
            display(figure)
            plt.close(figure)
        # the table is the chart's text alternative: the same figures in words
        display(HTML(_one_decision(debrief, number)))
    display(HTML("\n".join(_endings(debrief) + _paths(debrief))))


def _one_decision(debrief: Debrief, number: int) -> str:
    from dataclasses import replace

    from helpers.debrief_report import _decisions

    single: Any = replace(debrief, decisions=(debrief.decisions[number - 1],))
    html = "\n".join(_decisions(single)[1:])  # without the section heading
    return html.replace("<h3>1. ", f"<h3>{number}. ", 1)
