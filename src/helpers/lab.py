"""``mhsw lab``: open the course in JupyterLab, for students (default) or for a lecturer.

``make lab`` runs ``mhsw lab``; ``make lab-lecturer`` runs ``mhsw lab --lecturer``. Both start
JupyterLab in the course folder (so nbgrader finds ``nbgrader_config.py``) and open the course
index, rendered. The student mode hides the grader's tools (formgrader, Create Assignment, the
Nbgrader menu) by putting ``helpers/_jupyter/student`` first on ``JUPYTER_CONFIG_PATH``; the
lecturer mode shows them. Plain ``jupyter lab`` from the course folder is the lecturer mode.

What every mode shares, however JupyterLab is started, is installed with the package (see
``helpers._jupyter_server``): nbgrader finds ``alembic``, Markdown opens rendered, no news
pop-up.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

INDEX = "course/README.md"
STUDENT_CONFIG = Path(__file__).resolve().parent / "_jupyter" / "student"


def course_folder(start: Path | None = None) -> Path:
    """The course folder: the one holding ``nbgrader_config.py`` (else the current folder)."""
    from helpers.grading._course import CourseNotFound, find_course_root

    try:
        return find_course_root(start or Path.cwd())
    except CourseNotFound:
        return (start or Path.cwd()).resolve()


def lab_command(
    root: Path, lecturer: bool = False, port: int | None = None, extra: list[str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command and environment that start JupyterLab on the course (used by tests too)."""
    from helpers.grading._nbgrader import ensure_tools_on_path

    ensure_tools_on_path()  # alembic for nbgrader, in the server and in anything it starts
    env = dict(os.environ)
    if not lecturer:
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            filter(None, [str(STUDENT_CONFIG), env.get("JUPYTER_CONFIG_PATH")])
        )
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    if port:
        command.append(f"--ServerApp.port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI often run as root
    command += list(extra or [])
    index = root / INDEX
    if index.is_file():
        command.append(INDEX)
    return command, env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lecturer",
        action="store_true",
        help="show the grader's tools too (formgrader, Create Assignment, the Nbgrader menu)",
    )
    parser.add_argument("--port", type=int, default=None, help="port to serve on (default 8888)")
    parser.add_argument(
        "extra",
        nargs=argparse.REMAINDER,
        help="further options for JupyterLab, after --, e.g. -- --no-browser",
    )


def run(args: argparse.Namespace) -> int:
    root = course_folder()
    extra = [a for a in args.extra if a != "--"]
    command, env = lab_command(root, lecturer=args.lecturer, port=args.port, extra=extra)
    mode = "lecturer mode: grader's tools shown" if args.lecturer else "student mode"
    print(f"Opening the course in JupyterLab ({mode}). Stop it with Ctrl+C.", flush=True)
    os.chdir(root)  # nbgrader reads nbgrader_config.py from the server's working folder
    if os.name == "posix":
        # JupyterLab takes this process's place, so Ctrl+C reaches it alone and it can shut
        # its kernels down cleanly.
        os.execve(command[0], command, env)
    import subprocess

    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0
