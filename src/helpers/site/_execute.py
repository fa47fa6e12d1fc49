"""Execute course notebooks for the website, and make their widget outputs readable offline.

A widget needs a running kernel; on a static page it would be an empty box. Each widget output
is replaced by a short note saying what the activity is and linking to its readable page (the
case file of a scenario, the answers page of a quiz or sorting activity).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_ACTIVITY = re.compile(
    r"play_(scenario|quiz|sorting|appraisal)\(\s*[\"']([^\"']+\.ya?ml)[\"']", re.MULTILINE
)


def activity_links(source: str, pages: dict[str, str]) -> list[tuple[str, str]]:
    """``(kind, page)`` for each activity a code cell plays, where a page exists for it."""
    found = []
    for kind, path in _ACTIVITY.findall(source):
        page = pages.get(Path(path).name)
        if page:
            found.append((kind, page))
    return found


def _note(kind: str, page: str | None) -> dict[str, Any]:
    what = {
        "scenario": "a branching case scenario",
        "quiz": "a self-check quiz",
        "sorting": "a sorting activity",
        "appraisal": "an appraisal activity",
    }.get(kind, "an interactive activity")
    link = {
        "scenario": "Read the whole case as a case file",
        "quiz": "Read the questions, answers and feedback",
        "sorting": "Read the items and where they belong",
        "appraisal": "Read the appraisal and the model answers",
    }.get(kind, "Read it as a page")
    html = (
        '<div class="mhsw-static-note" role="note"><p><strong>Interactive here: '
        f"{what}.</strong> It runs in JupyterLab (<code>make lab</code>), on your university's "
        "JupyterHub, or in the practice tier."
        + (f' <a href="{page}">{link}</a>.' if page else "")
        + "</p></div>"
    )
    return nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": what})


def sanitise(notebook: Any, notebook_path: Path, site_root: Path, pages: dict[str, str]) -> int:
    """Replace widget outputs in place; returns how many were replaced."""
    replaced = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        links = activity_links(cell.source, pages)
        outputs, noted = [], False
        for output in cell.get("outputs", []):
            if WIDGET_MIME not in output.get("data", {}):
                outputs.append(output)
                continue
            replaced += 1
            if noted:
                continue  # one note per cell, however many widgets it showed
            kind, page = links[0] if links else ("", None)
            relative = os.path.relpath(site_root / page, notebook_path.parent) if page else None
            outputs.append(_note(kind, relative))
            noted = True
        cell.outputs = outputs
    notebook.metadata.pop("widgets", None)
    return replaced


def execute_all(
    notebooks: list[Path],
    site_root: Path,
    pages: dict[str, str],
    jobs: int = 2,
    timeout: int = 300,
) -> list[str]:
    """Execute each notebook in its own folder and sanitise it; returns problems (one a line)."""
    from nbclient import NotebookClient

    def run(path: Path) -> str | None:
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute()
        except Exception as exc:  # one failing notebook must not stop the whole site
            first = str(exc).strip().splitlines()[-1:] or ["(no message)"]
            problem = f"{path.relative_to(site_root)}: did not run to the end: {first[0]}"
        else:
            problem = None
        sanitise(notebook, path, site_root, pages)
        nbformat.write(notebook, path)
        return problem

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return [problem for problem in pool.map(run, notebooks) if problem]
