"""Keep your work: decision traces and answers as files on your own computer.

In the practice tier that runs in the browser (JupyterLite) files live inside the browser, not
on the computer: clearing the browser's data removes them. ``download_my_work`` writes the
answers of the quizzes and activities shown in the notebook to ``mhsw-answers.json`` beside
it, and shows one download link for that file and for each saved decision trace
(``mhsw-trace-<case>.json``). The links carry the file itself (a ``data:`` address), so they
work with no server and send nothing anywhere. A trace can later be uploaded into the same
folder to carry on, in the browser or in JupyterLab: ``play_scenario`` offers to resume it.

Works the same in JupyterLab; nothing here needs pandas, PyYAML or jsonschema.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

ANSWERS_FORMAT = "mhsw-answers/1"
ANSWERS_FILE = "mhsw-answers.json"

__all__ = ["answers_record", "download_link", "download_my_work"]


def _quiz_answers(view: Any) -> dict[str, Any]:
    session = view.session
    return {
        "kind": "quiz",
        "id": view.quiz.id,
        "title": view.quiz.title,
        "score": session.score,
        "out_of": session.max_score,
        "answers": {
            question_id: {
                "chosen": [chr(65 + i) for i in sorted(result.selected)],
                "correct": result.correct,
                "attempts": result.attempt,
            }
            for question_id, result in session.results.items()
        },
    }


def _sorting_answers(view: Any) -> dict[str, Any]:
    result = view.activity.check(view.assignments())
    return {
        "kind": "sorting",
        "id": view.activity.id,
        "title": view.activity.title,
        "score": result.score,
        "out_of": result.total,
        "answers": view.assignments(),
    }


def _appraisal_answers(view: Any) -> dict[str, Any]:
    record = view.session.record()
    return {
        "kind": "appraisal",
        "id": record["appraisal"],
        "title": view.appraisal.title,
        "ratings": record["ratings"],
        "notes": record["notes"],
    }


def answers_record(*views: Any) -> dict[str, Any]:
    """The answers given in quiz, sorting and appraisal views, as plain data to keep."""
    from helpers.appraisal_view import AppraisalView
    from helpers.quiz_view import QuizView
    from helpers.sorting_view import SortingView

    activities = []
    for view in views:
        if isinstance(view, QuizView):
            activities.append(_quiz_answers(view))
        elif isinstance(view, SortingView):
            activities.append(_sorting_answers(view))
        elif isinstance(view, AppraisalView):
            activities.append(_appraisal_answers(view))
        else:
            raise TypeError(
                f"download_my_work() keeps the answers of quizzes and activities; "
                f"{type(view).__name__} is not one. Give it what play_quiz, play_sorting or "
                "play_appraisal returned (case scenarios save their own traces)."
            )
    return {
        "format": ANSWERS_FORMAT,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "activities": activities,
    }


def download_link(content: bytes | str, filename: str, label: str | None = None) -> str:
    """HTML for a link that saves ``content`` as ``filename`` on the reader's computer."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    encoded = base64.b64encode(data).decode("ascii")
    kind = "application/json" if filename.endswith(".json") else "application/octet-stream"
    return (
        f'<a class="mhsw-download" download="{escape(filename)}" '
        f'href="data:{kind};base64,{encoded}">{escape(label or "Download " + filename)}</a>'
    )


def download_my_work(*views: Any, folder: str | Path = ".") -> Any:
    """Save the answers of ``views`` beside the notebook and show links to download your work.

    ``views`` are what ``play_quiz``, ``play_sorting`` and ``play_appraisal`` returned. The
    links are one per saved decision trace in ``folder`` and one for the answers file. Run the
    cell again after more work: the links always carry the latest files.
    """
    import ipywidgets as widgets

    from helpers.traces import trace_problems

    folder = Path(folder)
    files: list[tuple[str, bytes, str]] = []
    for path in sorted(folder.glob("mhsw-trace-*.json")):
        raw = path.read_bytes()
        try:
            trace = json.loads(raw)
        except ValueError:
            continue  # a damaged file is not offered as work to keep
        if trace_problems(trace):
            continue
        ending = (trace.get("ending") or {}).get("title")
        what = f"ending reached: {ending}" if ending else "not finished yet"
        title = trace["scenario"].get("title") or trace["scenario"]["id"]
        files.append((path.name, raw, f"the case '{title}' ({what})"))
    if views:
        record = answers_record(*views)
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        (folder / ANSWERS_FILE).write_text(text, encoding="utf-8")
        files.append((ANSWERS_FILE, text.encode("utf-8"), "your quiz and activity answers"))
    if not files:
        body = (
            "<p>There is nothing to keep yet: play a case or answer a quiz first, then run "
            "this cell again.</p>"
        )
    else:
        items = "".join(
            f"<li>{download_link(raw, name)}: {escape(what)}</li>" for name, raw, what in files
        )
        body = (
            "<p><b>Keep your work.</b> Each link saves a file to your computer (usually your "
            f"Downloads folder).</p><ul>{items}</ul>"
        )
    from helpers._widgets_style import BASE_CLASS, style_widget

    links = widgets.HTML(f'<div class="mhsw-box">{body}</div>')
    links.add_class("mhsw-downloads")
    box = widgets.VBox([style_widget(), links])
    box.add_class(BASE_CLASS)
    return box
