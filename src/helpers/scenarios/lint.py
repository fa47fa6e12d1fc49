"""Checks that a scenario file can be played and taught from: one located message per problem.

The checks run on the raw data (after the schema) and guard every access, so a file with
several mistakes gets all its messages at once. Graph checks treat every ``when`` as "may be
true": a node counts as reachable, and a path as ending, if some choices could make it so.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any

from helpers._problems import Problem
from helpers._yaml import FieldPath, LoadedYaml, field_name, load_yaml

from ._conditions import RESERVED_NAMES, ConditionError, parse_condition

# "s13", "s.136", "s 2", "ss2", "section 117", "sections 2 and 3" (the first number is checked).
# Not a section of a document: "section 7.2" (statutes number subsections "13(2)"), or a section
# named in a citation of a paper, e.g. "BASW (2010), Social Work in ..., section 4".
SECTION_MENTION = re.compile(r"(?:\b[Ss]ections?|\bss?)\.?\s?(\d+[A-Z]?)(?![\w]|\.\d)")
_CITATION_BEFORE = re.compile(r"\(\d{4}[a-z]?\)[^.;()]*,\s*$")


def law_section_mentions(text: str) -> list[str]:
    """The section numbers of Acts that ``text`` mentions, in order, each once."""
    found = []
    for match in SECTION_MENTION.finditer(text):
        if _CITATION_BEFORE.search(text[max(0, match.start() - 160) : match.start()]):
            continue  # a section of a cited document, e.g. "BASW (2010), ..., section 4"
        found.append(match.group(1))
    return list(dict.fromkeys(found))
_LAW_SECTION = re.compile(
    r"^(?:(?P<kind>s{1,2}\.?|sections?|chapter|ch\.|paragraphs?|paras?\.?|regulations?|reg\.|"
    r"schedule|sch\.|part|articles?|art\.)\s*)?(?P<number>\d+[A-Z]?)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(1[6-9]|20)\d\d\b")


def lint_scenario(path: str | Path) -> list[Problem]:
    """Every problem in the scenario file at ``path``, in line order; never raises for content."""
    loaded = load_yaml(path)
    problems = lint_loaded(loaded)
    return sorted(problems, key=lambda p: p.line or 0)


def lint_loaded(loaded: LoadedYaml) -> list[Problem]:
    problems = list(loaded.problems)
    if loaded.data is None:
        return problems
    if not isinstance(loaded.data, dict):
        problems.append(
            Problem(
                loaded.path,
                1,
                "is not a scenario: the file should be a set of `field: value` lines",
                "start the file with `kind: scenario`",
            )
        )
        return problems
    from helpers.local import fill_loaded

    from ._schema import schema_problems

    # Local names ({{ place.town }} and the like) first, so every later check reads the text
    # the learner will see.
    problems.extend(fill_loaded(loaded))
    problems.extend(schema_problems(loaded))
    problems.extend(_Semantics(loaded).run())
    return _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    result = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


class _Semantics:
    def __init__(self, loaded: LoadedYaml):
        self.loaded = loaded
        self.data: dict = loaded.data
        self.nodes = {k: _dict(v) for k, v in _dict(self.data.get("nodes")).items()}
        self.endings = {k: _dict(v) for k, v in _dict(self.data.get("endings")).items()}
        self.state = {
            k: _dict(v) for k, v in _dict(self.data.get("state")).items() if isinstance(k, str)
        }
        self.problems: list[Problem] = []

    def add(self, path: FieldPath, message: str, fix: str = "") -> None:
        self.problems.append(
            Problem(self.loaded.path, self.loaded.line_of(path), message, fix, field_name(path))
        )

    def run(self) -> list[Problem]:
        self.check_state()
        self.check_ids()
        self.check_nodes()
        self.check_law_everywhere()
        self.check_graph()
        return self.problems

    # --- state -----------------------------------------------------------------------------
    def check_state(self) -> None:
        for name, var in self.state.items():
            path = ("state", name)
            if name in RESERVED_NAMES:
                self.add(path, f"'{name}' is a reserved word", "choose another name")
            kind, initial = var.get("type"), var.get("initial")
            if kind == "flag":
                if "initial" in var and not isinstance(initial, bool):
                    self.add(
                        path + ("initial",),
                        "a flag starts as true or false",
                        "write `initial: false` or `initial: true`",
                    )
                for bound in ("min", "max"):
                    if bound in var:
                        self.add(
                            path + (bound,),
                            "a flag has no minimum or maximum",
                            f"delete `{bound}:` or make the variable a counter",
                        )
            elif kind == "counter":
                if "initial" in var and (isinstance(initial, bool) or not isinstance(initial, int)):
                    self.add(
                        path + ("initial",),
                        "a counter starts at a whole number",
                        "write e.g. `initial: 0`",
                    )
                    continue
                low, high = var.get("min"), var.get("max")
                start = initial if isinstance(initial, int) else 0
                ints = all(isinstance(b, int) and not isinstance(b, bool) for b in (low, high))
                if ints and low > high:
                    self.add(path, f"min ({low}) is greater than max ({high})", "swap them")
                elif isinstance(low, int) and start < low or isinstance(high, int) and start > high:
                    self.add(
                        path + ("initial",),
                        f"starts at {start}, outside min/max",
                        "set `initial:` between `min:` and `max:`",
                    )

    # --- ids -------------------------------------------------------------------------------
    def check_ids(self) -> None:
        for item_id in self.nodes.keys() & self.endings.keys():
            self.add(
                ("endings", item_id),
                f"duplicate id: '{item_id}' is used for a node and for an ending",
                "rename one of them (and the targets that lead to it)",
            )
        start = self.data.get("start")
        if isinstance(start, str) and start not in self.nodes:
            where = "an ending" if start in self.endings else "not a node"
            self.add(
                ("start",),
                f"'{start}' is {where}",
                "set `start:` to the id of the first node" + self._suggest(start, self.nodes),
            )

    def _suggest(self, name: str, known) -> str:
        import difflib

        close = difflib.get_close_matches(name, list(known), n=1)
        return f" (did you mean '{close[0]}'?)" if close else ""

    # --- nodes, choices, conditions, effects -------------------------------------------------
    def check_nodes(self) -> None:
        for node_id, node in self.nodes.items():
            base = ("nodes", node_id)
            for i, item in enumerate(_list(node.get("conditional_text"))):
                self.check_condition(
                    _dict(item).get("when"), base + ("conditional_text", i, "when")
                )
            choices = node.get("choices")
            for i, choice in enumerate(_list(choices)):
                self.check_choice(_dict(choice), base + ("choices", i))

    def check_choice(self, choice: dict, path: FieldPath) -> None:
        self.check_condition(choice.get("when"), path + ("when",))
        target = choice.get("target")
        if isinstance(target, str):
            self.check_target(target, path + ("target",))
        elif isinstance(target, list):
            for i, route in enumerate(target):
                route = _dict(route)
                route_path = path + ("target", i)
                self.check_condition(route.get("when"), route_path + ("when",))
                if isinstance(route.get("goto"), str):
                    self.check_target(route["goto"], route_path + ("goto",))
                last = i == len(target) - 1
                if last and "when" in route:
                    self.add(
                        route_path + ("when",),
                        "the last route has a `when`, so the learner may have nowhere to go",
                        "delete `when:` from the last route so it always applies",
                    )
                elif not last and "when" not in route:
                    self.add(
                        route_path,
                        "only the last route may leave out `when`; the routes after it "
                        "would never be used",
                        "add `when:` or move this route to the end",
                    )
        self.check_effects(_dict(choice.get("effects")), path + ("effects",))

    def check_target(self, target: str, path: FieldPath) -> None:
        if target not in self.nodes and target not in self.endings:
            known = list(self.nodes) + list(self.endings)
            self.add(
                path,
                f"'{target}' is not a node or an ending",
                "use an id listed under `nodes:` or `endings:`" + self._suggest(target, known),
            )

    def unknown_state(self, name: str, path: FieldPath) -> None:
        declared = ", ".join(self.state) or "none"
        self.add(
            path,
            f"'{name}' is not a declared state variable",
            f"declare it under `state:` or fix the spelling{self._suggest(name, self.state)}"
            f" (declared: {declared})",
        )

    def check_condition(self, source: Any, path: FieldPath) -> None:
        if not isinstance(source, str) or not source.strip():
            return  # the schema reports a missing or empty condition
        try:
            condition = parse_condition(source)
        except ConditionError as exc:
            from ._conditions import ALLOWED_HELP

            self.add(path, f"{exc}", ALLOWED_HELP)
            return
        for name in sorted(condition.names):
            var = self.state.get(name)
            if var is None:
                self.unknown_state(name, path)
            elif var.get("type") == "flag" and name in condition.compared:
                self.add(
                    path,
                    f"'{name}' is a flag (true/false) but is compared with a number",
                    f"write `{name}` or `not {name}`",
                )
            elif var.get("type") == "counter" and name in condition.bare:
                self.add(
                    path,
                    f"'{name}' is a counter but is used as true/false",
                    f"compare it with a number, e.g. `{name} >= 1`",
                )

    def check_effects(self, effects: dict, path: FieldPath) -> None:
        for name, value in _dict(effects.get("set")).items():
            var = self.state.get(name)
            where = path + ("set", name)
            if var is None:
                self.unknown_state(name, where)
            elif var.get("type") == "flag" and not isinstance(value, bool):
                self.add(
                    where,
                    f"'{name}' is a flag, so it can only be set to true or false",
                    f"write `{name}: true` or `{name}: false`",
                )
            elif var.get("type") == "counter" and (
                isinstance(value, bool) or not isinstance(value, int)
            ):
                self.add(
                    where,
                    f"'{name}' is a counter, so it can only be set to a whole number",
                    f"write e.g. `{name}: 0`, or use `set:` only for flags",
                )
        for name in _dict(effects.get("add")):
            var = self.state.get(name)
            where = path + ("add", name)
            if var is None:
                self.unknown_state(name, where)
            elif var.get("type") == "flag":
                self.add(
                    where,
                    f"'{name}' is a flag (true/false), so nothing can be added to it",
                    f"use `set: {{{name}: true}}` instead",
                )

    # --- law -------------------------------------------------------------------------------
    def check_law_everywhere(self) -> None:
        for group, items in (("nodes", self.nodes), ("endings", self.endings)):
            for item_id, item in items.items():
                self.check_law(item, (group, item_id))

    def check_law(self, item: dict, base: FieldPath) -> None:
        listed: set[str] = set()
        for i, ref in enumerate(_list(item.get("law"))):
            ref = _dict(ref)
            act, section = ref.get("act"), ref.get("section")
            if isinstance(act, str) and act.strip() and not _YEAR.search(act):
                self.add(
                    base + ("law", i, "act"),
                    f"'{act}' does not name the Act in full",
                    'write its full title with the year, e.g. "Mental Health Act 1983"',
                )
            if isinstance(section, (str, int)) and not isinstance(section, bool):
                match = _LAW_SECTION.match(str(section).strip())
                if match:
                    kind = (match.group("kind") or "s").lower()
                    if kind.startswith("s") and not kind.startswith("sch"):
                        listed.add(match.group("number"))
                elif str(section).strip():
                    self.add(
                        base + ("law", i, "section"),
                        f"'{section}' does not give a section number",
                        'write the section, e.g. `section: "13(2)"`, or for a Code of '
                        'Practice its chapter or paragraph, e.g. `"chapter 14"`',
                    )
        texts = [("text", item.get("text")), ("debrief", item.get("debrief"))]
        texts += [
            (("conditional_text", i, "text"), _dict(c).get("text"))
            for i, c in enumerate(_list(item.get("conditional_text")))
        ]
        for key, text in texts:
            if not isinstance(text, str):
                continue
            for number in law_section_mentions(text):
                if number not in listed:
                    key_path = key if isinstance(key, tuple) else (key,)
                    self.add(
                        base + key_path,
                        f"mentions section {number} but `law` does not list it",
                        f'add `- {{act: "...", section: "{number}"}}` under `law:`',
                    )

    # --- graph -----------------------------------------------------------------------------
    def edges(self, node: dict) -> list[str]:
        result = []
        for choice in _list(node.get("choices")):
            target = _dict(choice).get("target")
            if isinstance(target, str):
                result.append(target)
            else:
                result.extend(_dict(r).get("goto") for r in _list(target))
        return [t for t in result if isinstance(t, str)]

    def check_graph(self) -> None:
        start = self.data.get("start")
        if not isinstance(start, str) or start not in self.nodes:
            return  # reported already; nothing can be said about reachability
        graph = {node_id: self.edges(node) for node_id, node in self.nodes.items()}
        reachable = _search([start], graph)
        for group, items in (("nodes", self.nodes), ("endings", self.endings)):
            for item_id in items:
                if item_id not in reachable and not (group == "endings" and item_id in self.nodes):
                    self.add(
                        (group, item_id),
                        "cannot be reached from the start",
                        f"make a choice lead to '{item_id}', or delete it",
                    )
        # Unknown targets count as exits, so a typo is reported once, as an unknown target.
        exits = {t for targets in graph.values() for t in targets if t not in self.nodes}
        reverse: dict[str, list[str]] = {}
        for node_id, targets in graph.items():
            for target in targets:
                reverse.setdefault(target, []).append(node_id)
        finishing = _search(list(exits), reverse)
        stuck = [n for n in self.nodes if n in reachable and n not in finishing]
        dead_ends = [n for n in stuck if not graph[n]]
        for node_id in dead_ends:
            self.add(
                ("nodes", node_id),
                "is a dead end: it has no choices, so the learner is stuck",
                "add choices, or move it under `endings:` with a debrief",
            )
        leads_to_dead_end = _search(dead_ends, reverse)
        looping = [n for n in stuck if n not in leads_to_dead_end]
        for group in _groups(looping, graph):
            others = [n for n in group[1:]]
            names = f"'{group[0]}'" + (
                " and " + ", ".join(f"'{n}'" for n in others) if others else ""
            )
            self.add(
                ("nodes", group[0]),
                f"loop without an exit: from {names} no choice ever leads to an ending",
                "give one of these nodes a choice that leads towards an ending",
            )


def _search(starts: list[str], graph: dict[str, list[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for nxt in graph.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _groups(members: list[str], graph: dict[str, list[str]]) -> list[list[str]]:
    """Connected groups (ignoring direction) of ``members``, each in file order."""
    member_set = set(members)
    neighbours: dict[str, set[str]] = {m: set() for m in members}
    for m in members:
        for t in graph.get(m, []):
            if t in member_set:
                neighbours[m].add(t)
                neighbours[t].add(m)
    groups, seen = [], set()
    for m in members:
        if m in seen:
            continue
        group = _search([m], {k: list(v) for k, v in neighbours.items()})
        seen |= group
        groups.append([n for n in members if n in group])
    return groups
