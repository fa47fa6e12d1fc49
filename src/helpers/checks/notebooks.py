"""Rules for course notebooks: valid, stripped, outcomes first, licence last, no shadowing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers._problems import Problem

_OUTCOMES = re.compile(r"learning outcomes|by the end of this notebook|you will be able to", re.I)
_LICENCE = re.compile(r"CC[ -]BY[ -]4\.0", re.I)


def _cell_lines(text: str) -> list[int]:
    """Line number where each cell starts in the notebook's JSON (for located messages)."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if '"cell_type"' in line:
            lines.append(number)
    return lines


def check_notebook(path: Path, shown: str, *, content_rules: bool = True) -> list[Problem]:
    """Problems with one notebook. ``shown`` is the path as the user should see it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [Problem(shown, None, "is not UTF-8 text", "re-save it from Jupyter")]
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return [
            Problem(
                shown,
                exc.lineno,
                f"is not valid notebook JSON ({exc.msg})",
                "undo the last manual edit, or restore the file from git",
            )
        ]
    import nbformat

    problems: list[Problem] = []
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several kinds; all mean "not a valid notebook"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [
            Problem(
                shown,
                None,
                f"is not a valid Jupyter notebook ({first})",
                "open and re-save it in JupyterLab, or restore it from git",
            )
        ]

    cells = raw.get("cells", [])
    starts = _cell_lines(text)
    line_of = lambda i: starts[i] if i < len(starts) else None  # noqa: E731

    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(
                Problem(
                    shown,
                    line_of(i),
                    f"cell {i + 1} has saved outputs",
                    "clear them (Edit > Clear Outputs of All Cells, or run nbstripout) and save",
                )
            )
    if not content_rules:
        return problems
    if not cells:
        return problems + [Problem(shown, None, "has no cells", "add the learning outcomes first")]
    first, last = cells[0], cells[-1]
    first_text = "".join(first.get("source", ""))
    if first.get("cell_type") != "markdown" or not _OUTCOMES.search(first_text):
        problems.append(
            Problem(
                shown,
                line_of(0),
                "the first cell is not the learning outcomes",
                "start with a Markdown cell with a '# Title' and a 'Learning outcomes' list",
            )
        )
    if last.get("cell_type") != "markdown" or not _LICENCE.search("".join(last.get("source", ""))):
        problems.append(
            Problem(
                shown,
                line_of(len(cells) - 1),
                "the last cell is not the licence footer",
                "end with a Markdown cell that names the licence (CC BY 4.0)",
            )
        )
    for i, cell in enumerate(cells):
        src = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "code" and re.search(r"from\s+helpers\s+import\s+\*", src):
            problems.append(
                Problem(
                    shown,
                    line_of(i),
                    f"cell {i + 1} uses 'from helpers import *'",
                    "import the names you use, e.g. 'from helpers import load_dataset'",
                )
            )
    return problems


def check_shadowing(path: Path, shown: str) -> list[Problem]:
    """A file called helpers.py next to course material hides the installed package."""
    return [
        Problem(
            shown,
            None,
            "a file called helpers.py hides the course's helpers package",
            "rename it (e.g. my_helpers.py) so 'import helpers' finds the course package",
        )
    ]
