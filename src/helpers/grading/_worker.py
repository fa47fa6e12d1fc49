"""One grading worker: autogrades the students it is given, one after another, in one process.

Started by ``mhsw grade`` as ``python -m helpers.grading._worker RUN_FOLDER COURSE_ROOT
ASSIGNMENT_ID`` (settings in ``RUN_FOLDER/settings.json``). It reads student ids from standard
input, one a line, and answers each with one JSON line on standard output:
``{"student", "ok", "seconds", "error"}``. nbgrader's full log for each student is written to
the log folder. Keeping one process for many students pays nbgrader's start-up cost once.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _config(run: Path, course_root: Path, settings: dict):
    from helpers.grading._course import load_course_config

    config = load_course_config(course_root)
    sandbox = run / "course"
    config.CourseDirectory.root = str(sandbox)
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.release_directory = "release"
    config.CourseDirectory.submitted_directory = "submitted"
    config.CourseDirectory.autograded_directory = "autograded"
    config.CourseDirectory.feedback_directory = "feedback"
    config.CourseDirectory.db_url = settings["db_url"]
    if settings.get("sandbox", True):
        config.Execute.kernel_name = "mhsw-sandbox"
    if settings.get("timeout"):
        config.Execute.timeout = int(settings["timeout"])
    config.Execute.interrupt_on_timeout = True
    if settings.get("sockets"):
        # One prefix per worker: its kernels' socket files never meet another worker's.
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(settings["sockets"], f"w{os.getpid()}")
    # A grading kernel has nothing to save: stop it at once instead of a polite shutdown
    # (saves about half a second per notebook).
    config.Execute.shutdown_kernel = "immediate"
    from helpers.grading._preprocessors import SANITIZE

    config.Autograde.sanitize_preprocessors = SANITIZE
    return config


def main(argv: list[str]) -> int:
    run, course_root, assignment_id = Path(argv[0]), Path(argv[1]), argv[2]
    settings = json.loads((run / "settings.json").read_text(encoding="utf-8"))
    logs = Path(settings["logs"])
    # Results go to the original standard output; anything else printed goes to stderr.
    results = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from helpers.grading._nbgrader import run_converter

    config = _config(run, course_root, settings)
    for line in sys.stdin:
        student = line.strip()
        if not student:
            continue
        started = time.monotonic()
        try:
            result = run_converter(
                "autograde", config, assignment_id=assignment_id, student_id=student
            )
        except Exception as exc:  # never let one submission stop the worker
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        log = result.get("log", "") + ("\n" + result["error"] if result.get("error") else "")
        (logs / f"{student}.log").write_text(log, encoding="utf-8")
        answer = {
            "student": student,
            "ok": bool(result.get("success")),
            "seconds": round(time.monotonic() - started, 2),
            "error": _reason(result) if not result.get("success") else "",
        }
        results.write(json.dumps(answer) + "\n")
    return 0


def _reason(result: dict) -> str:
    """A short plain-English reason for a failed autograde."""
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text:
        return "the notebook crashed Python (the kernel died) while it was run"
    if (
        "NotJSONError" in text
        or "JSONDecodeError" in text
        or "Notebook does not appear to be JSON" in text
    ):
        return "the notebook file is damaged (not valid JSON)"
    if "UnresponsiveKernelError" in text or "Timeout waiting" in text:
        return "the notebook stopped responding"
    errors = [ln for ln in text.splitlines() if ln.startswith("[ERROR]")]
    last = [ln for ln in text.strip().splitlines() if ln.strip()]
    return (errors[0] if errors else last[-1] if last else "unknown error")[:300]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
