"""Decision traces kept inside the notebook file, so that one ``.ipynb`` carries everything.

Students who hand in through a VLE (Moodle, Canvas, Blackboard) usually upload the notebook
alone. ``play_scenario`` therefore also shows the trace as an output of the scenario cell, with
its own MIME type (:data:`TRACE_MIME`) and a one-line text version, and replaces that output
after every choice (a display ``update`` on a display id). JupyterLab keeps every MIME type of
an output in the saved file even when it cannot draw it (checked in a real browser by
``tests/test_browser_vle.py``), so saving the notebook saves the trace.

This module reads traces back out of notebook files and, before grading, writes them beside
the notebook as ``mhsw-trace-<id>.json`` (nbgrader clears outputs before it runs a notebook,
so the graded kernel could not read them from the notebook itself).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: The MIME type of a decision trace inside a notebook output.
TRACE_MIME = "application/vnd.mhsw.trace+json"
#: Notebooks larger than this are not searched for traces (a notebook is normally < 1 MB).
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


def traces_in_notebook(notebook: str | Path | dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every trace stored in a notebook's outputs, by scenario id, in cell order.

    ``notebook`` is a path or an already parsed notebook (a dictionary). A file that is missing,
    too large or not a notebook gives an empty result: the caller reports what it looked for.
    """
    if not isinstance(notebook, dict):
        path = Path(notebook)
        try:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                return {}
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return {}
    found: dict[str, list[dict[str, Any]]] = {}
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        for output in cell.get("outputs") or []:
            data = output.get("data") if isinstance(output, dict) else None
            trace = data.get(TRACE_MIME) if isinstance(data, dict) else None
            if isinstance(trace, dict):
                scenario = trace.get("scenario")
                scenario_id = scenario.get("id") if isinstance(scenario, dict) else None
                if isinstance(scenario_id, str):
                    found.setdefault(scenario_id, []).append(trace)
    return found


def notebooks_in(folder: str | Path) -> list[Path]:
    """The notebooks of a folder that may carry traces (not checkpoints or hidden files)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.glob("*.ipynb") if p.is_file() and not p.name.startswith((".", "~"))
    )


def status_line(trace: dict[str, Any] | None) -> str:
    """The one line students see under the scenario: what the notebook now holds."""
    save = "Save the notebook (Ctrl+S) to keep them; the saved notebook is what you submit."
    if not trace:
        return f"Your decisions in this case will be kept in this notebook as you play. {save}"
    steps = len(trace.get("steps") or [])
    ending = trace.get("ending") or {}
    where = (
        f"ending reached: {ending.get('title') or ending.get('id')}"
        if ending
        else "no ending reached yet"
    )
    return (
        f"Your decisions in this case are kept in this notebook: {steps} decision(s), {where}. "
        f"{save}"
    )


def bundle(trace: dict[str, Any] | None) -> dict[str, Any]:
    """The MIME bundle shown under the scenario: the trace and a line of plain text."""
    data: dict[str, Any] = {"text/plain": status_line(trace)}
    if trace:
        data[TRACE_MIME] = trace
    return data


class TraceDisplay:
    """The output of the scenario cell that holds the trace; updated after every choice."""

    def __init__(self) -> None:
        self.handle: Any = None

    def show(self, trace: dict[str, Any] | None) -> None:
        """Show the holder under the scenario; outside IPython there is nowhere to keep it."""
        from IPython.core.display_functions import display
        from IPython.core.interactiveshell import InteractiveShell

        if InteractiveShell.initialized():
            self.handle = display(bundle(trace), raw=True, display_id=True)

    def update(self, trace: dict[str, Any]) -> None:
        if self.handle is not None:
            self.handle.update(bundle(trace), raw=True)


def scenario_ids(folder: str | Path) -> list[str]:
    """Scenarios whose traces the notebooks in ``folder`` carry."""
    ids: set[str] = set()
    for notebook in notebooks_in(folder):
        ids |= set(traces_in_notebook(notebook))
    return sorted(ids)


def write_sidecars(folder: str | Path) -> list[str]:
    """Before grading: write the trace that counts, for every scenario found, beside the notebook.

    For each scenario whose trace is carried by a notebook in ``folder``, the trace chosen by
    :func:`helpers.traces.find_trace` (the rule is in its docstring) is written as
    ``mhsw-trace-<id>.json``. Returns notes for the lecturer, one per scenario whose notebook
    and file disagreed.
    """
    from helpers.traces import save_trace, trace_path

    notes: list[str] = []
    for scenario_id, found in _traces_that_count(folder):
        if found.note:
            notes.append(found.note)
        if found.kind == "notebook" or not trace_path(scenario_id, folder).is_file():
            save_trace(found.trace, folder)
    return notes


def trace_notes(folder: str | Path) -> list[str]:
    """Notes for the lecturer where a notebook and the trace file beside it disagree."""
    return [found.note for _, found in _traces_that_count(folder) if found.note]


def _traces_that_count(folder: str | Path):
    """``(scenario id, found trace)`` for every scenario in ``folder`` with a usable trace, as
    :func:`helpers.traces.find_trace` chooses it; scenarios without one are passed over."""
    from helpers.traces import find_trace

    for scenario_id in scenario_ids(folder):
        try:
            found = find_trace(scenario_id, folder)
        except (FileNotFoundError, ValueError):
            continue
        yield scenario_id, found


def put_trace_in_notebook(notebook: dict[str, Any], trace: dict[str, Any]) -> dict[str, Any]:
    """Store ``trace`` in a parsed notebook as ``play_scenario`` does, and return the notebook.

    The output goes to the code cell that calls ``play_scenario`` (the first one), replacing
    any trace of the same scenario there; without such a cell, to the last code cell. Used to
    build one-file submissions in tests, and to fold an old trace file into a notebook.
    """
    code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    if not code:
        raise ValueError("The notebook has no code cell to keep the trace in.")
    source = lambda cell: "".join(cell.get("source") or "")  # noqa: E731
    cell = next((c for c in code if "play_scenario(" in source(c)), code[-1])
    scenario_id = trace["scenario"]["id"]
    cell["outputs"] = [
        o
        for o in cell.get("outputs") or []
        if ((o.get("data") or {}).get(TRACE_MIME) or {}).get("scenario", {}).get("id")
        != scenario_id
    ]
    cell["outputs"].append({"output_type": "display_data", "data": bundle(trace), "metadata": {}})
    return notebook
