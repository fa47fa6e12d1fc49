"""Read a YAML file and remember the line of every field, so problems can be located.

``load_yaml_with_lines(path)`` returns the data and a function ``line_of(path_tuple)`` that gives
the 1-based line of the field at that path (e.g. ``("questions", 2, "options", 0, "feedback")``)
or, when the field is missing, of the nearest enclosing field that exists. A syntax error, an
unreadable file or a repeated key becomes a :class:`~helpers._problems.ContentError` whose problem
names the file and the line.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from helpers._problems import ContentError, Problem

LineOf = Callable[[tuple], int]


def load_yaml_with_lines(path: str | Path) -> tuple[Any, LineOf]:
    """Parse the YAML file at ``path``; return ``(data, line_of)``.

    ``path`` is used as given in every message, so a lecturer sees the name they typed.
    """
    import yaml  # imported here so that ``import helpers`` stays fast

    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(
            [Problem(shown, None, "file not found", "check the path and the file name")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(
            [Problem(shown, None, f"cannot read the file ({exc})", "save it as UTF-8 text")]
        ) from None

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or "the YAML cannot be read"
        raise ContentError(
            [
                Problem(
                    shown,
                    line,
                    f"YAML syntax error: {what}",
                    "check the indentation and quoting on this line and the one before it",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(
            [Problem(shown, None, f"YAML syntax error: {exc}", "check the file's indentation")]
        ) from None
    lines: dict[tuple, int] = {(): 1}
    repeated: list[Problem] = []
    try:
        if node is not None:
            _record_lines(node, data, (), lines, repeated, shown, loader)
    finally:
        loader.dispose()
    if repeated:
        raise ContentError(repeated)

    def line_of(path_tuple: tuple = ()) -> int:
        key = tuple(path_tuple)
        while key not in lines:
            key = key[:-1]
        return lines[key]

    return data, line_of


def _record_lines(
    node: Any,
    value: Any,
    here: tuple,
    lines: dict[tuple, int],
    repeated: list[Problem],
    shown: str,
    loader: Any,
) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
        seen: set[Hashable] = set()
        for key_node, value_node in node.value:
            key = _key_value(key_node, loader)
            where = here + (key,)
            line = key_node.start_mark.line + 1
            if key in seen:
                field = ".".join(str(part) for part in where)
                repeated.append(
                    Problem(
                        shown,
                        line,
                        f"the key '{key}' appears twice in the same place",
                        "keep one of them (YAML silently uses the last one)",
                        field=field,
                    )
                )
                continue
            seen.add(key)
            lines[where] = line
            if key in value:
                _record_lines(value_node, value[key], where, lines, repeated, shown, loader)
    elif isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        for index, (item_node, item) in enumerate(zip(node.value, value, strict=False)):
            lines[here + (index,)] = item_node.start_mark.line + 1
            _record_lines(item_node, item, here + (index,), lines, repeated, shown, loader)


def _key_value(key_node: Any, loader: Any) -> Hashable:
    """The Python value of a mapping key as the safe loader builds it (ints stay ints)."""
    import yaml

    if isinstance(key_node, yaml.ScalarNode):
        return loader.construct_object(key_node, deep=True)
    return repr(key_node.value)


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
