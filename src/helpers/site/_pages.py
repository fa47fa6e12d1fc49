"""Pages the website makes from the course's data files (MyST Markdown, one string each).

- a *case file* per scenario: every decision, option, feedback, ending and debrief with its
  law, readable by a lecturer preparing a seminar and by anyone who cannot use the widgets;
- a page per quiz, with each answer and its feedback behind a disclosure;
- a page per sorting activity, with the expected answers behind a disclosure;
- the dataset catalogue: one page per dataset (fields, sources, caveats, download link).

Text from the files is Markdown already; titles and labels are escaped where they sit in HTML.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

_OUTCOME_WORDS = {
    "good": "good practice",
    "acceptable": "acceptable, with gaps",
    "poor": "poor practice or open to challenge",
    "unsafe": "unsafe",
    "unlawful": "unlawful",
}


def _law(refs: Any) -> str:
    items = [f"{ref.act}, {ref.section}" for ref in refs]
    return "**Law:** " + "; ".join(items) + "." if items else ""


def _effects(choice: Any, labels: dict[str, str]) -> str:
    words = []
    for name, value in choice.effects.set.items():
        label = labels.get(name) or name
        words.append(f"{label}: {'yes' if value is True else 'no' if value is False else value}")
    for name, value in choice.effects.add.items():
        label = labels.get(name) or name
        words.append(f"{label} {'+' if value >= 0 else '−'}{abs(value)}")
    return "; ".join(words)


def case_file(scenario: Any) -> str:
    """The whole scenario as one readable page, in the order a learner meets it."""
    from helpers.debrief import _node_order

    labels = {name: var.label for name, var in scenario.state.items()}
    lines = [
        f"# Case file: {scenario.title}",
        "",
        f"```{{admonition}} Content note\n:class: warning\n{scenario.content_note.strip()}\n```",
        "",
        "This page sets out the whole case: every decision, what each option leads to, the "
        "feedback a learner sees and every ending with its debrief. Play it first if you can "
        "(in JupyterLab, on your university's hub or in the practice tier): reading the "
        "endings first spoils the case.",
        "",
        f"- **Setting:** {scenario.setting.strip()}",
        f"- **You are:** {scenario.learner_role.strip()}",
        f"- **Scenario id:** `{scenario.id}`, version {scenario.version}",
        "",
        "## Learning outcomes",
        "",
        *[f"- {outcome}" for outcome in scenario.learning_outcomes],
        "",
    ]
    if scenario.state:
        lines += ["## What the case keeps track of", ""]
        lines += [
            f"- **{var.label or name}** ({'yes or no' if var.type == 'flag' else 'a count'}, "
            f"starts at {var.initial})"
            for name, var in scenario.state.items()
        ]
        lines.append("")
    lines += ["## Decisions", ""]
    for number, node_id in enumerate(_node_order(scenario), start=1):
        node = scenario.nodes[node_id]
        lines += [
            f"({scenario.id}-{node_id})=",
            f"### {number}. {node.title}",
            "",
            node.text.strip(),
            "",
        ]
        for extra in node.conditional_text:
            lines += [f"*Shown only when {escape(extra.when)}:* {extra.text.strip()}", ""]
        if node.rationale:
            lines += [f"**Learners are asked to write:** {node.rationale.prompt.strip()}", ""]
        if node.law:
            lines += [_law(node.law), ""]
        for index, choice in enumerate(node.choices, start=1):
            if isinstance(choice.target, str):
                goes = _target_link(scenario, choice.target)
            else:
                goes = "; ".join(
                    (f"if {route.when}: " if route.when else "otherwise: ")
                    + _target_link(scenario, route.goto)
                    for route in choice.target
                )
            condition = f" *(offered only when {choice.when})*" if choice.when else ""
            effect = _effects(choice, labels)
            lines += [
                f"{index}. **{choice.label.strip()}**{condition}",
                f"   - Feedback: {' '.join(choice.feedback.split())}",
                f"   - Leads to: {goes}" + (f"; changes {effect}" if effect else ""),
            ]
        lines.append("")
    lines += ["## Endings", ""]
    for ending in scenario.endings.values():
        score = (
            f", score {ending.score} of {scenario.max_score}" if ending.score is not None else ""
        )
        lines += [
            f"({scenario.id}-{ending.id})=",
            f"### {ending.title}",
            "",
            f"**Outcome:** {_OUTCOME_WORDS.get(ending.outcome, ending.outcome)}{score}.",
            "",
        ]
        if ending.text.strip():
            lines += [ending.text.strip(), ""]
        lines += ["**Debrief.** " + ending.debrief.strip(), ""]
        if ending.law:
            lines += [_law(ending.law), ""]
    if scenario.sources:
        lines += ["## Sources", "", *[f"- {source}" for source in scenario.sources], ""]
    return "\n".join(lines)


def _target_link(scenario: Any, target: str) -> str:
    item = scenario.get(target)
    kind = "ending" if item.is_ending else "decision"
    return f"[{item.title}](#{scenario.id}-{target}) ({kind})"


def quiz_page(quiz: Any) -> str:
    title = (
        quiz.title if quiz.title.lower().startswith("self-check") else f"Self-check: {quiz.title}"
    )
    lines = [f"# {title}", ""]
    if quiz.description:
        lines += [quiz.description.strip(), ""]
    lines += [
        "Try each question before you open its answer. In the notebook version the quiz gives "
        "the same feedback one question at a time.",
        "",
    ]
    for number, question in enumerate(quiz.questions, start=1):
        kind = "Choose one." if question.type == "single" else "Choose all that apply."
        lines += [f"## Question {number}", "", question.text.strip(), "", f"*{kind}*", ""]
        lines += [
            f"{chr(65 + i)}. {option.text.strip()}" for i, option in enumerate(question.options)
        ]
        items = "".join(
            f"<li><p><strong>{chr(65 + i)}: {'correct' if option.correct else 'not correct'}."
            f"</strong> {escape(' '.join(option.feedback.split()))}</p></li>"
            for i, option in enumerate(question.options)
        )
        explanation = (
            f"<p>{escape(' '.join(question.explanation.split()))}</p>"
            if question.explanation
            else ""
        )
        lines += [
            "",
            f"<details><summary>Show the answer to question {number}</summary>"
            f"<ul>{items}</ul>{explanation}"
            f"<p><em>Source:</em> {escape(' '.join(question.source.split()))}</p></details>",
            "",
        ]
    return "\n".join(lines)


def sorting_page(activity: Any) -> str:
    lines = [f"# Sorting activity: {activity.title}", ""]
    if getattr(activity, "instructions", ""):
        lines += [activity.instructions.strip(), ""]
    lines += ["## The groups", ""]
    lines += [
        f"- **{c.label}**" + (f": {c.description.strip()}" if c.description else "")
        for c in activity.categories
    ]
    labels = {c.id: c.label for c in activity.categories}
    lines += ["", "## The items", ""]
    for number, item in enumerate(activity.items, start=1):
        answer = " or ".join(labels.get(c, c) for c in item.categories)
        feedback = f" {escape(' '.join(item.feedback.split()))}" if item.feedback else ""
        lines += [
            f"{number}. {item.text.strip()}",
            "",
            f"   <details><summary>Where item {number} belongs</summary>"
            f"<p><strong>{escape(answer)}.</strong>{feedback}</p></details>",
            "",
        ]
    return "\n".join(lines)


def dataset_page(resource: dict[str, Any]) -> str:
    name = resource["name"]
    lines = [f"# {resource.get('title', name)}", "", f"Dataset `{name}`.", ""]
    lines += [resource.get("description", "").strip(), ""]
    lines += [
        f'<p><a href="../data/{escape(resource["path"])}" download>Download '
        f"{escape(resource['path'])}</a> (CSV, UTF-8). In a notebook: "
        f'<code>load_dataset("{escape(name)}")</code>.</p>',
        "",
        "## Sources",
        "",
    ]
    for source in resource.get("sources", []):
        parts = [
            source.get("publisher"),
            str(source.get("year", "")).strip() or None,
            f"*{source['title']}*" if source.get("title") else None,
            source.get("section"),
        ]
        text = ", ".join(p for p in parts if p)
        if source.get("path"):
            text += f" <{source['path']}>"
        lines.append(f"- {text}")
    licences = ", ".join(
        item.get("title") or item.get("name", "") for item in resource.get("licenses", [])
    )
    if licences:
        lines += ["", f"**Licence:** {licences}."]
    if resource.get("synthetic"):
        lines += ["", "**Synthetic data:** made for teaching from a fixed seed; no real people."]
    if resource.get("caveats"):
        lines += ["", "## Caveats: read before you use it", ""]
        lines += [f"- {caveat}" for caveat in resource["caveats"]]
    lines += ["", "## Fields", ""]
    rows = []
    for field in resource.get("schema", {}).get("fields", []):
        values = field.get("categories") or field.get("constraints", {}).get("enum") or []
        shown = ", ".join(
            str(v if not isinstance(v, dict) else v.get("label", v.get("value")))
            for v in values[:12]
        )
        if len(values) > 12:
            shown += f", … ({len(values)} in all)"
        rows.append(
            f'<tr><th scope="row"><code>{escape(field["name"])}</code></th>'
            f"<td>{escape(field.get('type', ''))}</td>"
            f"<td>{escape(field.get('description', ''))}"
            + (f"<br><em>Values:</em> {escape(shown)}" if shown else "")
            + "</td></tr>"
        )
    lines += [
        "<table><caption>The fields of " + escape(name) + "</caption><thead><tr>"
        '<th scope="col">Field</th><th scope="col">Type</th><th scope="col">Meaning</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>",
        "",
    ]
    return "\n".join(lines)


def catalogue_page(package: dict[str, Any]) -> str:
    lines = [
        "# Datasets",
        "",
        package.get("description", "").strip(),
        "",
        "Every dataset has a page with its fields, where each figure comes from, its licence and "
        "its caveats. Read the caveats before you draw conclusions.",
        "",
        "<table><caption>The course datasets</caption><thead><tr>"
        '<th scope="col">Dataset</th><th scope="col">What it holds</th>'
        '<th scope="col">Modules</th></tr></thead><tbody>',
    ]
    for resource in package["resources"]:
        lines.append(
            f'<tr><th scope="row"><a href="{escape(resource["name"])}.html">'
            f"{escape(resource['name'])}</a></th><td>{escape(resource.get('title', ''))}</td>"
            f"<td>{escape(', '.join(resource.get('modules', [])))}</td></tr>"
        )
    lines += ["</tbody></table>", "", "```{toctree}", ":hidden:", ""]
    lines += [resource["name"] for resource in package["resources"]]
    lines += ["```", ""]
    return "\n".join(lines)


def read_package(data_dir: Path) -> dict[str, Any]:
    return json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
