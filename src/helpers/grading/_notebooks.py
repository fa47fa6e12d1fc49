"""What an assessed notebook holds: its graded cells, traces it grades, and secret text.

Shared by release (the manifest written into every student version), validate (integrity
checks before submission) and the leak checks of the tests.
"""

from __future__ import annotations

import re
from typing import Any

# A graded trace cell calls load_trace("<scenario id>") (see docs/assessed-notebook-template.md).
TRACE_CALL = re.compile(r"""load_trace\(\s*["']([A-Za-z0-9][A-Za-z0-9_-]*)["']""")
SECRET_REGIONS = (
    ("### BEGIN SOLUTION", "### END SOLUTION"),
    ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
    ("### BEGIN MARK SCHEME", "### END MARK SCHEME"),
)
MARKERS = tuple(m for pair in SECRET_REGIONS for m in pair)


def nbgrader_meta(cell: Any) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_graded(cell: Any) -> bool:
    """A cell nbgrader tracks: answer, test, task or read-only cell with a grade_id."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade_id")) and any(
        meta.get(k) for k in ("grade", "solution", "locked", "task")
    )


def role(meta: dict[str, Any]) -> str:
    """The cell's role in plain words."""
    if meta.get("task"):
        return "task"
    if meta.get("grade") and meta.get("solution"):
        return "written answer (marked by a tutor)"
    if meta.get("grade"):
        return "test"
    if meta.get("solution"):
        return "answer"
    return "read-only"


def manifest(nb: Any, assignment_id: str, notebook: str) -> dict[str, Any]:
    """The graded cells and graded traces of a released notebook, kept in its metadata."""
    cells = []
    traces: list[str] = []
    for cell in nb.cells:
        if not is_graded(cell):
            continue
        meta = nbgrader_meta(cell)
        cells.append(
            {
                "grade_id": meta["grade_id"],
                "cell_type": cell.cell_type,
                "role": role(meta),
                "points": meta.get("points", 0) if meta.get("grade") or meta.get("task") else 0,
                "flags": {k: bool(meta.get(k)) for k in ("grade", "solution", "locked", "task")},
            }
        )
        if cell.cell_type == "code" and meta.get("grade"):
            traces += [t for t in TRACE_CALL.findall(cell.source) if t not in traces]
    return {
        "format": "mhsw-assessed/1",
        "assignment": assignment_id,
        "notebook": notebook,
        "graded_cells": cells,
        "traces": traces,
    }


def secret_lines(nb: Any, min_length: int = 12, hidden_tests_only: bool = False) -> set[str]:
    """Distinctive lines inside solution, hidden-test and mark-scheme regions of a master.

    With ``hidden_tests_only``, only hidden-test lines (a student's own answer may match a
    solution line, so feedback is checked for hidden tests only).
    """
    regions = SECRET_REGIONS[1:2] if hidden_tests_only else SECRET_REGIONS
    found: set[str] = set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if any(begin in text for begin, _ in regions):
                inside = True
                continue
            if any(end in text for _, end in SECRET_REGIONS):
                inside = False
                continue
            distinctive = sum(ch.isalnum() for ch in text) >= min_length // 2
            if inside and len(text) >= min_length and distinctive and not text.startswith("#"):
                if hidden_tests_only and text.lstrip("fFrRbB").startswith(("'", '"')):
                    continue  # a test's message: shown to students in feedback on purpose
                found.add(text)
    return found


def html_text(html: str) -> str:
    """The visible text of an HTML page (code highlighting splits code into many tags)."""
    import html as html_lib
    import re as re_lib

    html = re_lib.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return html_lib.unescape(re_lib.sub(r"<[^>]+>", "", html))


def leaks(master: Any, text: str, hidden_tests_only: bool = False) -> list[str]:
    """Secret lines of ``master`` (or region markers) that appear in ``text``."""
    hits = [m for m in MARKERS if m in text]
    hits += sorted(
        line for line in secret_lines(master, hidden_tests_only=hidden_tests_only) if line in text
    )
    return hits
