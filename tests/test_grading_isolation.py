"""Grading isolation: run by root, student code runs as an unprivileged account.

A notebook whose answer cell gets round Python's audit hook (it opens files through the C
library with ``ctypes``) shows what actually protects the solutions, the gradebook and other
submissions:

* ``mhsw grade`` run as root: the kernel is the ``mhsw-sandbox`` account (or ``nobody``) in a
  private copy of the submission, so the operating system refuses every one of those files;
* ``mhsw grade`` run as an ordinary user (today's behaviour, unchanged): the kernel is that
  user and the guard refuses Python's own file access; native code is not stopped (the
  documented limit of grading without a separate account).

Both runs grade the correct answers fully. The root run needs root and a Python every
account can run (the hub's ``.venv-hub``); otherwise it is skipped with what to do.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from helpers.grading._simulate import SAMPLE_CORRECT, answered, make_class, play

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "hub"))

import live  # noqa: E402

pytestmark = pytest.mark.slow
ASSIGNMENT = "sample-assignment"
SCENARIO = "m3-mha-assessment"
PROBE = "s01-probe"

_PROBE_CODE = """import ctypes, os, pwd
libc = ctypes.CDLL(None, use_errno=True)
def native_open(path):  # the C library directly: Python's audit hook does not see it
    fd = libc.open(path.encode(), os.O_RDONLY)
    if fd < 0:
        return "refused"
    libc.close(fd)
    return "read"
def python_open(path):
    try:
        open(path).close()
        return "read"
    except PermissionError:
        return "refused"
print("account:", pwd.getpwuid(os.getuid()).pw_name)
for name, path in {paths!r}.items():
    print(f"native {{name}}:", native_open(path))
    print(f"python {{name}}:", python_open(path))
"""


def _make_course(root: Path) -> Path:
    """A course copy with one correct submission and one probing submission."""
    from helpers.grading._course import Course
    from helpers.grading.release import release_assignment

    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    assert release_assignment(Course.find(root), ASSIGNMENT) == []
    make_class(root, ASSIGNMENT, {"s00-perfect": "perfect"}, SCENARIO)
    paths = {
        "solutions": str(root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        "gradebook": str(root / "gradebook.db"),
        "other submission": str(
            root / "submitted" / "s00-perfect" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        ),
    }
    released = nbformat.read(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    probe = _PROBE_CODE.format(paths=paths) + SAMPLE_CORRECT["q1-answer"]
    folder = root / "submitted" / PROBE / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(
        answered(released, dict(SAMPLE_CORRECT, **{"q1-answer": probe})),
        folder / f"{ASSIGNMENT}.ipynb",
    )
    (folder / f"mhsw-trace-{SCENARIO}.json").write_text(json.dumps(play(SCENARIO)))
    return root


def _grade(root: Path, python: str, user: str | None = None) -> subprocess.CompletedProcess:
    command = [python, "-m", "helpers", "grade", ASSIGNMENT, "--quiet", "--timeout", "15"]
    env = dict(os.environ, PATH=f"{Path(python).parent}:/usr/bin:/bin")
    kwargs = {}
    if user:
        entry = pwd.getpwnam(user)
        env.update(HOME=str(root.parent), USER=user, LOGNAME=user)
        kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, **kwargs)


def _probe_output(root: Path) -> str:
    graded = nbformat.read(root / "autograded" / PROBE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    for cell in graded.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer":
            return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    raise AssertionError("the probing answer cell is missing from the graded notebook")


def _auto_scores(root: Path) -> dict[str, dict[str, float]]:
    from helpers.grading._course import Course

    with Course.find(root).gradebook() as gb:
        return {
            student: {
                g.name: g.auto_score
                for nb in gb.find_submission(ASSIGNMENT, student).notebooks
                for g in nb.grades
                if g.name in ("q1-tests", "q2-tests")
            }
            for student in ("s00-perfect", PROBE)
        }


def _hub_python_or_skip() -> str:
    python = live.hub_python()
    if os.geteuid() != 0 or python is None:
        message = (
            "Grading as root needs root and a Python every account can run: "
            '/usr/bin/python3 -m venv .venv-hub && .venv-hub/bin/pip install -e ".[dev,hub]"'
        )
        if os.environ.get("MHSW_REQUIRE_HUB") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return str(python)


def test_does_root_grading_run_student_code_as_an_unprivileged_account(tmp_path):
    python = _hub_python_or_skip()
    root = _make_course(tmp_path / "course")  # under pytest's private (0700) folder
    done = _grade(root, python)
    assert done.returncode == 0, done.stdout + done.stderr
    # mhsw-sandbox when it exists, else nobody (the live hub test may create it meanwhile).
    said = re.search(r"student code ran as the unprivileged account '([^']+)'", done.stdout)
    assert said and said.group(1) in ("mhsw-sandbox", "nobody"), done.stdout
    account = said.group(1)
    text = _probe_output(root)
    assert f"account: {account}" in text
    for name in ("solutions", "gradebook", "other submission"):
        assert f"native {name}: refused" in text, text  # the operating system refuses
        assert f"python {name}: refused" in text, text
    full = {"q1-tests": 2.0, "q2-tests": 2.0}
    assert _auto_scores(root) == {"s00-perfect": full, PROBE: full}
    owner = root.stat().st_uid
    graded = root / "autograded" / PROBE / ASSIGNMENT
    assert all(p.stat().st_uid == owner for p in [graded, *graded.rglob("*")])


def test_does_an_ordinary_user_grade_as_before_with_the_guard(tmp_path):
    if os.geteuid() == 0:
        # Root: play an ordinary lecturer with a temporary account owning the course copy.
        python = _hub_python_or_skip()
        user = f"mhswlect{os.getpid() % 10000}"
        subprocess.run(["useradd", "--no-create-home", user], check=True)
        base = Path(tempfile.mkdtemp(prefix="mhsw-lecturer-"))
        try:
            os.chmod(base, 0o755)
            root = _make_course(base / "course")
            entry = pwd.getpwnam(user)
            for path in [base, *base.rglob("*")]:
                os.lchown(path, entry.pw_uid, entry.pw_gid)
            done = _grade(root, python, user=user)
            text = _probe_output(root) if done.returncode == 0 else ""
        finally:
            subprocess.run(["userdel", user], capture_output=True)
    else:
        user = pwd.getpwuid(os.getuid()).pw_name
        root = _make_course(tmp_path / "course")
        done = _grade(root, sys.executable)
        text = _probe_output(root) if done.returncode == 0 else ""
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "unprivileged account" not in done.stdout
        assert f"account: {user}" in text
        for name in ("solutions", "gradebook", "other submission"):
            assert f"python {name}: refused" in text, text  # the guard, as before
        assert "native solutions: read" in text  # the documented limit without an account
        full = {"q1-tests": 2.0, "q2-tests": 2.0}
        assert _auto_scores(root) == {"s00-perfect": full, PROBE: full}
    finally:
        if os.geteuid() == 0:
            shutil.rmtree(base, ignore_errors=True)
