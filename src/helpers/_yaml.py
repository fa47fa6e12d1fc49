"""Read a YAML file into plain Python data while remembering the line of every field.

One loader for all course content written in YAML (scenarios, quizzes, sorting activities).

PyYAML's composer keeps a mark (line, column) on every node. We build the data ourselves from
the composed node tree so that each field path, e.g. ``("nodes", "referral", "choices", 1)``,
maps to the line it was written on. Duplicate keys, which PyYAML would silently overwrite, are
reported instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers._problems import ContentError, Problem

FieldPath = tuple[Any, ...]


@dataclass
class LoadedYaml:
    """The data of a YAML file, the line of each field path, and problems found while reading."""

    path: str
    data: Any = None
    lines: dict[FieldPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    raw: bytes = b""
    #: True for content checked when the website was built (helpers._prechecked): its schema
    #: was checked then, and places without jsonschema (the browser) need not check it again.
    prechecked: bool = False
    #: the hash of the YAML file the data came from ("" means: the hash of ``raw``)
    sha256: str = ""

    def line_of(self, path: FieldPath) -> int | None:
        """Line of ``path``, or of its nearest written parent when the field itself is missing."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def field_name(path: FieldPath) -> str:
    """``("nodes", "a", "choices", 1, "feedback")`` -> ``"nodes.a.choices[1].feedback"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def load_yaml(path: str | Path) -> LoadedYaml:
    """Read ``path``; never raises for bad content (problems are collected instead).

    A ``.json`` file made by the website build (see :mod:`helpers._prechecked`) is read as the
    YAML it was made from, without PyYAML.
    """
    shown = str(path)
    result = LoadedYaml(path=shown)
    if str(path).endswith(".json"):
        from helpers._prechecked import read_prechecked

        read_prechecked(path, result)
        return result
    import yaml

    try:
        result.raw = Path(path).read_bytes()
    except FileNotFoundError:
        result.problems.append(
            Problem(shown, None, "file not found", "check the path and the file name")
        )
        return result
    except OSError as exc:
        result.problems.append(Problem(shown, None, f"cannot be read ({exc.strerror})"))
        return result
    try:
        text = result.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = result.raw[: exc.start].count(b"\n") + 1
        result.problems.append(
            Problem(shown, line, "is not UTF-8 text", "save the file with UTF-8 encoding")
        )
        return result

    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            result.problems.append(
                Problem(shown, 1, "the file is empty", "start it with its `kind:` line")
            )
            return result
        result.data = _build(root, (), result, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "unreadable YAML"
        result.problems.append(
            Problem(
                shown,
                line,
                f"YAML syntax error: {what}",
                "check indentation, colons and quotes on this line and the one before; "
                "put text containing ': ' or '#' in double quotes",
            )
        )
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly every error
        result.problems.append(Problem(shown, None, f"YAML syntax error: {exc}"))
    finally:
        loader.dispose()
    return result


def _build(node: Any, path: FieldPath, result: LoadedYaml, loader: Any) -> Any:
    import yaml

    result.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        data: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = key if isinstance(key, str) else str(key)
            key_line = key_node.start_mark.line + 1
            if key in first_line:
                result.problems.append(
                    _duplicate(result.path, path, key, first_line[key], key_line)
                )
                continue
            first_line[key] = key_line
            result.lines[path + (key,)] = key_line
            data[key] = _build(value_node, path + (key,), result, loader)
        return data
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            result.lines[path + (index,)] = item.start_mark.line + 1
            items.append(_build(item, path + (index,), result, loader))
        return items
    return loader.construct_object(node, deep=True)


def _duplicate(shown: str, parent: FieldPath, key: str, first: int, again: int) -> Problem:
    where = field_name(parent + (key,))
    if parent in {("nodes",), ("endings",), ("state",)}:
        kind = {"nodes": "node", "endings": "ending", "state": "state variable"}[parent[0]]
        return Problem(
            shown,
            again,
            f"duplicate id: the {kind} '{key}' is already defined on line {first}",
            f"give each {kind} its own id, or merge the two",
            where,
        )
    return Problem(
        shown,
        again,
        f"is written twice (first on line {first}); only one would be used",
        "delete one of the two",
        where,
    )


LineOf = Callable[[tuple], int]


def load_yaml_with_lines(path: str | Path) -> tuple[Any, LineOf]:
    """Parse the YAML file at ``path``; return ``(data, line_of)``.

    ``line_of(path_tuple)`` gives the 1-based line of a field such as
    ``("questions", 2, "options", 0, "feedback")`` or, when the field is missing, of its nearest
    written parent. A syntax error, an unreadable file or a repeated key raises a
    :class:`~helpers._problems.ContentError` naming the file (as given) and the line.
    """
    loaded = load_yaml(path)
    if loaded.problems:
        raise ContentError(loaded.problems)
    return loaded.data, lambda path_tuple=(): loaded.line_of(path_tuple) or 1


def import_jsonschema() -> Any:
    """Import ``jsonschema`` without its slowest optional extra; return the module.

    ``jsonschema`` imports ``rfc3987_syntax`` if it is installed (JupyterLab's dependencies
    install it), and that package compiles dozens of grammars at import time: 4-10 seconds on a
    shared teaching server, paid by every fresh kernel that loads a scenario or quiz. It only
    adds checks for the ``iri`` formats, which the course's schemas do not use, so it is kept
    out while ``jsonschema`` loads; anything that imports it later still gets it.
    """
    import sys

    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes it ImportError
    try:
        import jsonschema
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", False) is None:
            del sys.modules["rfc3987_syntax"]
    return jsonschema
