"""The class debrief as one self-contained, accessible HTML page.

No scripts, no fonts or images from elsewhere: the page opens from a file, a VLE or a USB stick.
Bars are drawn with CSS beside the number they show (never colour alone), every table has a
caption and header cells, and the page works at 200 % zoom and on a projector.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from helpers.debrief import REFUSAL_REASONS

if TYPE_CHECKING:  # pragma: no cover
    from helpers.debrief import Debrief

_STYLE = """
:root { --ink: #1b1b1b; --muted: #4a4a4a; --bar: #0b5cad; --good: #1a6b32; --line: #c8c8c8; }
* { box-sizing: border-box; }
body { font: 1.05rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 1.8rem; margin-top: 0; } h2 { margin-top: 2.2rem; font-size: 1.4rem; }
h3 { font-size: 1.15rem; margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
         border-bottom: 1px solid var(--line); }
td.num, th.num { text-align: right; white-space: nowrap; }
.bar { display: inline-block; height: .9rem; background: var(--bar); vertical-align: middle;
       margin-right: .4rem; min-width: 1px; }
.model { font-weight: 600; }
.tag { font-size: .85rem; border: 1px solid var(--good); color: var(--good); padding: 0 .3rem;
       border-radius: .2rem; white-space: nowrap; }
.note { color: var(--muted); }
blockquote { margin: .4rem 0; padding: .3rem .8rem; border-left: 4px solid var(--line); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem;
        background: #fff; padding: .3rem; outline: 3px solid var(--bar); }
@media print { .bar { background: #555; -webkit-print-color-adjust: exact; } }
"""


def _bar(debrief: Debrief, count: int, total: int) -> str:
    if not total or (debrief.min_count and 0 < count < debrief.min_count):
        return ""  # a hidden count draws no bar, or its length would tell it
    width = round(12 * count / total, 2)
    return f'<span class="bar" style="width:{width}rem" aria-hidden="true"></span>'


def _percent(debrief: Debrief, count: int, total: int) -> str:
    if not total or (debrief.min_count and 0 < count < debrief.min_count):
        return ""
    return f" ({round(100 * count / total)} %)"


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    value = round(value)
    minutes, seconds = divmod(value, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _path_text(debrief: Debrief, path: tuple[str, ...]) -> str:
    return " → ".join(escape(debrief.titles.get(node, node)) for node in path)


def render_html(debrief: Debrief) -> str:
    """The report as a complete HTML document."""
    title = f"Class debrief: {debrief.title}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        '<a class="skip" href="#decisions">Skip to the decision points</a>',
        "<main>",
        f"<h1>{escape(title)}</h1>",
    ]
    parts += _overview(debrief)
    parts += _endings(debrief)
    parts += _paths(debrief)
    parts += _decisions(debrief)
    parts += [
        "<h2>About this report</h2>",
        '<p class="note">Made from learners\' decision traces with <code>mhsw debrief</code>. '
        "It holds no names, student numbers, file or folder names. "
        + (
            f"Counts from 1 to {debrief.min_count - 1} are shown as "
            f"&ldquo;fewer than {debrief.min_count}&rdquo; so that a small group is not "
            "identifiable. "
            if debrief.min_count
            else ""
        )
        + (
            "Excerpts of rationales are shortened, shuffled and have e-mail addresses, links "
            "and long numbers removed; read them before showing them, as a learner may have "
            "written a name.</p>"
            if debrief.with_rationales
            else "Written rationales are not included (ask for them with "
            "<code>--rationales</code>).</p>"
        ),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _overview(debrief: Debrief) -> list[str]:
    refused = [
        f"<li>{escape(debrief.shown(count))} {escape(REFUSAL_REASONS.get(reason, reason))}</li>"
        for reason, count in sorted(debrief.refused.items())
        if count
    ]
    lines = [
        "<h2>Overview</h2>",
        f"<p>Scenario <code>{escape(debrief.scenario_id)}</code>, version "
        f"{escape(debrief.version)}. <strong>{escape(debrief.shown(debrief.traces))}</strong> "
        f"decision trace(s) read; {escape(debrief.shown(debrief.finished))} reached an ending.</p>",
    ]
    if not debrief.traces:
        lines.append("<p><strong>No trace of this scenario was found.</strong></p>")
    if refused:
        lines += ["<p>Not counted:</p>", "<ul>", *refused, "</ul>"]
    return lines


def _endings(debrief: Debrief) -> list[str]:
    total = debrief.finished
    rows = [
        "<tr>"
        f'<th scope="row">{escape(e.title)}</th>'
        f"<td>{escape(e.outcome)}"
        + (' <span class="tag">path held up</span>' if e.ending_id == debrief.model_ending else "")
        + "</td>"
        f'<td class="num">{_bar(debrief, e.count, total)}{escape(debrief.shown(e.count))}'
        f"{_percent(debrief, e.count, total)}</td>"
        "</tr>"
        for e in debrief.endings
    ]
    return [
        "<h2>Endings reached</h2>",
        "<table>",
        f"<caption>Endings reached by the {escape(debrief.shown(total))} learner(s) who "
        "finished</caption>",
        '<thead><tr><th scope="col">Ending</th><th scope="col">Outcome</th>'
        '<th scope="col" class="num">Learners</th></tr></thead>',
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        '<p class="note">An outcome describes the ending, not the learner: a hard ending can '
        "follow careful practice. Discuss the reasons, not the labels.</p>",
    ]


def _paths(debrief: Debrief) -> list[str]:
    lines = ["<h2>Paths most often taken</h2>"]
    if debrief.model_path:
        lines.append(
            "<p><strong>The path the debrief holds up</strong> (the most direct route to the "
            f"best-scoring ending): {_path_text(debrief, debrief.model_path)}.</p>"
        )
    if not debrief.paths:
        lines.append("<p>No paths to show.</p>")
        return lines
    lines += [
        "<table>",
        "<caption>The most common routes through the case, from the start to where each "
        "learner stopped</caption>",
        '<thead><tr><th scope="col">Path</th><th scope="col" class="num">Learners</th>'
        "</tr></thead>",
        "<tbody>",
    ]
    for path, count in debrief.paths:
        same = " (the path held up)" if path == debrief.model_path else ""
        lines.append(
            f"<tr><td>{_path_text(debrief, path)}{same}</td>"
            f'<td class="num">{escape(debrief.shown(count))}</td></tr>'
        )
    lines += ["</tbody>", "</table>"]
    return lines


def _decisions(debrief: Debrief) -> list[str]:
    lines = ['<h2 id="decisions">Decision points</h2>']
    if not debrief.decisions:
        lines.append("<p>No decisions to show.</p>")
    for number, decision in enumerate(debrief.decisions, start=1):
        marker = ' <span class="tag">on the path held up</span>' if decision.on_model_path else ""
        revisits = decision.visits - decision.reached
        lines += [
            f"<h3>{number}. {escape(decision.title)}{marker}</h3>",
            f"<p>Reached by {escape(debrief.shown(decision.reached))} learner(s)"
            + (
                f"; visited {escape(debrief.shown(revisits))} more time(s) by learners who came "
                "back to it"
                if revisits > 0
                else ""
            )
            + f". Median time here: {_seconds(decision.median_seconds)}.</p>",
            "<table>",
            f"<caption>Choices at &ldquo;{escape(decision.title)}&rdquo;</caption>",
            '<thead><tr><th scope="col">Option</th><th scope="col" class="num">Chosen</th>'
            "</tr></thead>",
            "<tbody>",
        ]
        for option in decision.options:
            on_path = _on_path(debrief, decision.node_id, option.target)
            label = escape(option.label)
            label = f'<span class="model">{label}</span> (the path held up)' if on_path else label
            lines.append(
                f"<tr><td>{label}</td>"
                f'<td class="num">{_bar(debrief, option.count, decision.visits)}'
                f"{escape(debrief.shown(option.count))}"
                f"{_percent(debrief, option.count, decision.visits)}</td></tr>"
            )
        lines += ["</tbody>", "</table>"]
        if decision.rationales:
            lines.append(f"<p>What learners wrote ({len(decision.rationales)} excerpt(s)):</p>")
            lines += [f"<blockquote>{escape(text)}</blockquote>" for text in decision.rationales]
    return lines


def _on_path(debrief: Debrief, node_id: str, target: str) -> bool:
    path = debrief.model_path
    for here, there in zip(path, path[1:], strict=False):
        if here == node_id and there == target:
            return True
    return False
