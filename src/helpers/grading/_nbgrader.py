"""Run nbgrader's own converters in this process, quietly, and return what they said."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from typing import Any


def ensure_tools_on_path() -> None:
    """Put this Python's scripts folder on PATH: nbgrader runs ``alembic`` from there when it
    creates or upgrades a gradebook, which fails if the virtual environment is not activated."""
    scripts = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join(filter(None, [scripts, path]))


def run_converter(kind: str, config: Any, **attrs: Any) -> dict[str, Any]:
    """Run one nbgrader converter (``generate_assignment``, ``autograde``, ``generate_feedback``).

    ``attrs`` are CourseDirectory settings (assignment_id, student_id, ...). Returns nbgrader's
    result dict: ``success``, ``log`` and, on failure, ``error`` (a traceback).
    """
    from helpers._yaml import import_jsonschema

    import_jsonschema()  # before nbgrader: saves seconds per process (see its docstring)
    from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    ensure_tools_on_path()
    classes = {
        "generate_assignment": GenerateAssignment,
        "autograde": Autograde,
        "generate_feedback": GenerateFeedback,
    }
    coursedir = CourseDirectory(config=config)
    for name, value in attrs.items():
        setattr(coursedir, name, value)
    app = classes[kind](coursedir=coursedir, config=config)
    app.force = True
    if kind == "generate_assignment":
        app.create_assignment = True
    if kind == "autograde":
        app.create_student = True
    if kind == "generate_feedback":
        from traitlets.config import Config

        extra = Config()
        extra.HTMLExporter.template_name = "feedback"
        app.update_config(extra)
    # nbgrader also logs to stderr; keep the terminal for our own plain-English report.
    app.log.propagate = False
    for handler in list(app.log.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            getattr(handler, "stream", None), io.StringIO
        ):
            app.log.removeHandler(handler)
    with contextlib.redirect_stdout(io.StringIO()):
        return capture_log(app)


def log_errors(result: dict[str, Any], limit: int = 5) -> list[str]:
    """The ERROR and WARNING lines of a converter's log, for a short report."""
    lines = [
        line
        for line in result.get("log", "").splitlines()
        if line.startswith(("[ERROR]", "[WARNING]"))
    ]
    return lines[:limit]
