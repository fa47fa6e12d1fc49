"""Export a scenario as Twee 3 (Harlowe 3) so it can be opened, played and edited in Twine.

``mhsw twee SCENARIO [-o OUT]`` writes the story; ``to_twee(scenario)`` returns it as text.
The mapping and its limits are described in ``docs/twee-export.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import uuid
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from helpers.scenarios import Choice, Ending, Node, Scenario

HARLOWE_VERSION = "3.3.9"
START_PASSAGE = "Start"


def story_ifid(scenario_id: str) -> str:
    """A stable IFID for the scenario: a version-4-shaped UUID derived from its id."""
    digest = hashlib.sha256(f"mhsw-course/scenario/{scenario_id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4)).upper()


# --- Markdown to Harlowe markup ---------------------------------------------------------------
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_ESCAPES = [
    ("&", "&amp;"),
    ("<", "&lt;"),
    ("[", "&#91;"),
    ("]", "&#93;"),
    ("{", "&#123;"),
    ("}", "&#125;"),
    ("//", "/&#47;"),
    ("''", "'&#39;"),
    ("^^", "^&#94;"),
    ("~~", "~&#126;"),
]
_VARIABLE = re.compile(r"(?<![\w&#])([$_])(?=[A-Za-z])")
_MACRO = re.compile(r"\((?=[\w-]+:)")


def markup(text: str) -> str:
    """Markdown (as used in scenarios) as Harlowe markup: paragraphs joined, lists converted,
    and characters that Harlowe would read as code shown as plain text."""
    links: list[tuple[str, str]] = []

    def keep_link(match: re.Match) -> str:
        links.append((match.group(1), match.group(2)))
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, text.strip())
    for old, new in _ESCAPES:
        text = text.replace(old, new)
    text = _VARIABLE.sub(lambda m: "&#36;" if m.group(1) == "$" else "&#95;", text)
    text = _MACRO.sub("&#40;", text)
    for number, (label, url) in enumerate(links):
        text = text.replace(f"\x00{number}\x00", f'<a href="{url}">{markup(label)}</a>')
    return "\n".join(_join_paragraphs(text.splitlines()))


def _join_paragraphs(lines: list[str]) -> list[str]:
    result: list[str] = []
    joinable = False
    for raw in lines:
        line = raw.strip()
        if line.startswith(":"):
            line = "&#58;" + line[1:]  # a line starting "::" would start a new passage
        if not line:
            result.append("")
            joinable = False
            continue
        if re.match(r"^[-+] ", line):
            line = "* " + line[2:]
        elif re.match(r"^\d+[.)] ", line):
            line = "0. " + line.split(" ", 1)[1]
        block = line.startswith(("* ", "0. ", "#"))
        if joinable and not block:
            result[-1] += " " + line
        else:
            result.append(line)
        joinable = not line.startswith("#")
    return result


def _link_label(label: str) -> str:
    label = " ".join(label.split())
    for old, new in (("->", "→"), ("<-", "←"), ("[", "("), ("]", ")"), ("|", "/")):
        label = label.replace(old, new)
    return label


# --- passages ---------------------------------------------------------------------------------
def _choice_passage(node_id: str, index: int) -> str:
    return f"{node_id}-choice-{index + 1}"


def _condition(source: str) -> str:
    from helpers.scenarios._conditions import parse_condition, to_harlowe

    return to_harlowe(parse_condition(source))


def _law_line(law) -> list[str]:
    if not law:
        return []
    return ["", "''Law:'' " + markup("; ".join(str(ref) for ref in law))]


def _start(scenario: Scenario) -> list[str]:
    lines = [f"# {markup(scenario.title)}", ""]
    lines.append(f"''Setting:'' {markup(scenario.setting)}")
    lines += ["", f"''Your role:'' {markup(scenario.learner_role)}", "", "''Learning outcomes''"]
    lines += [f"* {markup(outcome)}" for outcome in scenario.learning_outcomes]
    lines += ["", f"''Content note:'' {markup(scenario.content_note)}"]
    if scenario.support:
        lines += ["", markup(scenario.support)]
    if scenario.sources:
        lines += ["", "''Sources''"] + [f"* {markup(source)}" for source in scenario.sources]
    settings = [f"(set: ${name} to {_value(var.initial)})" for name, var in scenario.state.items()]
    if settings:
        lines += ["", "".join(settings)]
    lines += ["", f"[[Begin->{scenario.start}]]"]
    return lines


def _value(value: bool | int) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _node(scenario: Scenario, node: Node) -> list[str]:
    lines = [f"# {markup(node.title)}", "", markup(node.text)]
    for extra in node.conditional_text:
        lines += ["", f"(if: {_condition(extra.when)})[{markup(extra.text)}]"]
    lines += _law_line(node.law)
    if node.rationale:
        variable = "$why_" + node.id.replace("-", "_")
        lines += [
            "",
            f"''Your rationale:'' {markup(node.rationale.prompt)}",
            f'(input-box: bind {variable}, "X", 3)',
        ]
    lines.append("")
    for index, choice in enumerate(node.choices):
        link = f"[[{_link_label(choice.label)}->{_choice_passage(node.id, index)}]]"
        lines.append(f"(if: {_condition(choice.when)})[{link}]" if choice.when else link)
    return lines


def _effects(scenario: Scenario, choice: Choice) -> str:
    macros = []
    for name, value in choice.effects.set.items():
        var = scenario.state[name]
        value = var.clamp(value) if var.type == "counter" else value
        macros.append(f"(set: ${name} to {_value(value)})")
    for name, amount in choice.effects.add.items():
        var = scenario.state[name]
        expression = f"${name} {'-' if amount < 0 else '+'} {abs(amount)}"
        if var.max is not None:
            expression = f"(min: {var.max}, {expression})"
        if var.min is not None:
            expression = f"(max: {var.min}, {expression})"
        macros.append(f"(set: ${name} to {expression})")
    return "".join(macros)


def _feedback(scenario: Scenario, node: Node, choice: Choice) -> list[str]:
    lines = [f"''You chose:'' {markup(choice.label)}", ""]
    effects = _effects(scenario, choice)
    if effects:
        lines += [effects, ""]
    lines += [markup(choice.feedback), ""]
    if isinstance(choice.target, str):
        lines.append(f"[[Continue->{choice.target}]]")
    else:
        parts = []
        for number, route in enumerate(choice.target):
            go = f'[(link-goto: "Continue", "{route.goto}")]'
            if route.when is None:
                parts.append(f"(else:){go}" if number else go)
            else:
                macro = "if" if number == 0 else "else-if"
                parts.append(f"({macro}: {_condition(route.when)}){go}")
        lines.append("".join(parts))
    if scenario.node_allows_back(node.id):
        lines += ["", '(link-undo: "Go back and choose again")']
    return lines


def _ending(scenario: Scenario, ending: Ending) -> list[str]:
    lines = [f"# {markup(ending.title)}", ""]
    if ending.text:
        lines += [markup(ending.text), ""]
    result = f"''Outcome:'' {ending.outcome}"
    if ending.score is not None:
        result += f". ''Score:'' {ending.score} out of {scenario.max_score}"
    lines += [result, "", "## Debrief", "", markup(ending.debrief)]
    lines += _law_line(ending.law)
    lines += ["", '(link: "Play again")[(restart:)]']
    return lines


def _depths(scenario: Scenario) -> dict[str, int]:
    depth = {scenario.start: 0}
    queue = deque([scenario.start])
    while queue:
        item = queue.popleft()
        if item in scenario.nodes:
            for choice in scenario.nodes[item].choices:
                for target in choice.targets:
                    if target not in depth:
                        depth[target] = depth[item] + 1
                        queue.append(target)
    return depth


def to_twee(scenario: Scenario) -> str:
    """The scenario as a Twee 3 story in the Harlowe 3 story format."""
    data = {
        "ifid": story_ifid(scenario.id),
        "format": "Harlowe",
        "format-version": HARLOWE_VERSION,
        "start": START_PASSAGE,
        "tag-colors": {"ending": "green", "feedback": "blue"},
        "zoom": 1,
    }
    depth = _depths(scenario)
    row_count: dict[int, int] = {}

    def place(row: int) -> str:
        column = row_count.get(row, 0)
        row_count[row] = column + 1
        return json.dumps(
            {"position": f"{100 + column * 150},{100 + row * 150}", "size": "100,100"}
        )

    passages = [
        f":: StoryTitle\n{scenario.title}",
        ":: StoryData\n" + json.dumps(data, indent=2),
        f":: {START_PASSAGE} [start] {place(0)}\n" + "\n".join(_start(scenario)),
    ]
    for node in scenario.nodes.values():
        row = 2 * depth.get(node.id, 0) + 1
        passages.append(f":: {node.id} {place(row)}\n" + "\n".join(_node(scenario, node)))
        for index, choice in enumerate(node.choices):
            passages.append(
                f":: {_choice_passage(node.id, index)} [feedback] {place(row + 1)}\n"
                + "\n".join(_feedback(scenario, node, choice))
            )
    for ending in scenario.endings.values():
        row = 2 * depth.get(ending.id, 0) + 1
        passages.append(
            f":: {ending.id} [ending] {place(row)}\n" + "\n".join(_ending(scenario, ending))
        )
    return "\n\n\n".join(passages) + "\n"


# --- command line -----------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="the scenario YAML file")
    parser.add_argument("-o", "--output", help="where to write the .twee file (default: print it)")


def run(args: argparse.Namespace) -> int:
    from helpers._problems import ContentError
    from helpers.scenarios import load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(error.problems)} problem(s): fix them and run `mhsw twee` again.",
            file=sys.stderr,
        )
        return 1
    text = to_twee(scenario)
    if not args.output:
        sys.stdout.write(text)
        return 0
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    count = text.count("\n:: ") - 1  # StoryTitle and StoryData are not story passages
    print(f"Wrote {out} ({count} passages). Import it into Twine with Library > Import.")
    return 0
