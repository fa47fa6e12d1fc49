"""``mhsw grade ID``: autograde every submission of an assignment, in parallel and safely.

How it works (details and limits in docs/grading.md):

1. Each submission in ``submitted/<student>/<ID>/`` is checked first (damaged JSON, deleted or
   copied graded cells) so the summary can say what is wrong in plain words.
2. The submissions are copied into a temporary grading folder that holds only them and the
   released support files: no solutions, no other course files. The marks go to the course's
   gradebook.
3. Worker processes (by default one more than the cores) each autograde many students
   with nbgrader's own autograder, one after another, so nbgrader's start-up is paid once per
   worker. Workers take the next student when they finish one, so a slow notebook does not
   hold up the rest.
4. Student code runs in a kernel with a time limit per cell, a memory limit, a CPU-time limit,
   a cap on printed output, and a guard against reading the course's protected files, writing
   outside its own folder and starting programs (see ``_sandbox``). Run as root (as on a hub),
   each kernel also runs as an unprivileged account in a private copy of the submission, so
   the operating system keeps it away from the solutions, the gradebook and other submissions.
5. Each result is moved into ``autograded/``; an end-of-run summary lists who was graded, who
   needs manual grading and why, and who could not be graded and why.

Running it again is safe: submissions already graded and unchanged since are skipped, unless
``--force`` is given, which regrades everything (manual marks given in formgrader are kept,
but nbgrader flags those cells for a tutor to confirm again).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.grading._course import Course, add_course_argument, valid_id

DEFAULT_MEMORY_MB = 2048
DEFAULT_OUTPUT_CHARS = 200_000
DEFAULT_FILE_MB = 64
# The account student code runs as when grading is run by root (created by the hub's setup;
# `nobody` when it does not exist).
SANDBOX_ACCOUNT = "mhsw-sandbox"
_WRITTEN = "written answer for a tutor to mark"


@dataclass
class StudentResult:
    """What happened to one student's submission."""

    student: str
    status: str = "pending"  # graded | needs manual grading | failed | skipped (up to date)
    score: float | None = None
    max_score: float | None = None
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class GradeRun:
    assignment_id: str
    results: dict[str, StudentResult] = field(default_factory=dict)
    wall_seconds: float = 0.0
    workers: int = 0
    account: str = ""  # the unprivileged account student code ran as ("" = the caller's)

    def by_status(self, status: str) -> list[StudentResult]:
        return [r for r in self.results.values() if r.status == status]

    @property
    def failed(self) -> list[StudentResult]:
        return self.by_status("failed")

    def summary(self) -> str:
        graded = self.by_status("graded")
        manual = self.by_status("needs manual grading")
        skipped = self.by_status("skipped (up to date)")
        lines = [
            f"Assignment {self.assignment_id}: {len(self.results)} submissions in "
            f"{self.wall_seconds:.1f} s with {self.workers} worker(s).",
            f"  graded completely:      {len(graded)}",
            f"  needs manual grading:   {len(manual)}",
            f"  could not be graded:    {len(self.failed)}",
        ]
        if self.account:
            lines.append(f"  student code ran as the unprivileged account '{self.account}'")
        if skipped:
            lines.append(
                f"  skipped (already graded, unchanged; use --force to regrade): {len(skipped)}"
            )
        # Written answers waiting for a tutor are normal: count them, list only the unusual.
        routine = [r for r in manual if all(_WRITTEN in reason for reason in r.reasons)]
        if routine:
            lines.append(
                f"Written answers for tutors to mark (formgrader): {len(routine)} student(s)."
            )
        unusual = [r for r in manual if r not in routine]
        for title, group in (("Needs a look", unusual), ("Could not be graded", self.failed)):
            if group:
                lines.append(f"{title}:")
                for r in sorted(group, key=lambda r: r.student):
                    lines.append(f"  {r.student}: " + "; ".join(r.reasons or ["see the log"]))
        notes = [r for r in graded if r.reasons]
        if notes:
            lines.append("Graded, with notes:")
            for r in sorted(notes, key=lambda r: r.student):
                lines.append(f"  {r.student}: " + "; ".join(r.reasons))
        return "\n".join(lines)


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", metavar="ID", help="the assignment to grade")
    parser.add_argument(
        "--student",
        action="append",
        default=[],
        metavar="ID",
        help="grade only this student (repeat for several)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="regrade every submission, even those already graded and unchanged",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="worker processes (default: cores + 1)"
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=0,
        help="seconds each cell may run (default: Execute.timeout of the course config)",
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=DEFAULT_MEMORY_MB,
        help=f"memory limit of each student's kernel (default {DEFAULT_MEMORY_MB})",
    )
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student code in a plain kernel (no limits, no guard): for debugging",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary grading folder (printed at the end) for inspection",
    )
    parser.add_argument(
        "--sandbox-user",
        default="",
        metavar="NAME",
        help=f"when run as root: the account student code runs as (default {SANDBOX_ACCOUNT}, "
        "or nobody if it does not exist)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_course_argument(parser)


def run(args: argparse.Namespace) -> int:
    course = Course.find(args.course)
    course.check_assignment(args.assignment)
    result = grade_assignment(
        course,
        args.assignment,
        students=args.student or None,
        force=args.force,
        workers=args.workers or None,
        timeout=args.timeout or None,
        memory_mb=args.memory_mb,
        sandbox=not args.no_sandbox,
        keep=args.keep,
        progress=not args.quiet,
        sandbox_user=args.sandbox_user or None,
    )
    print(result.summary())
    return 1 if result.failed else 0


# --------------------------------------------------------------------------- grading


def grade_assignment(
    course: Course,
    assignment_id: str,
    students: list[str] | None = None,
    force: bool = False,
    workers: int | None = None,
    timeout: int | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    sandbox: bool = True,
    keep: bool = False,
    progress: bool = True,
    sandbox_user: str | None = None,
) -> GradeRun:
    """Autograde the submissions of ``assignment_id``; see the module docstring.

    Run as root with ``sandbox`` on, student code runs as ``sandbox_user`` (default
    ``mhsw-sandbox``, or ``nobody`` when that account does not exist).
    """
    started = time.monotonic()
    _require_release(course, assignment_id)
    run = GradeRun(assignment_id)
    if sandbox and os.geteuid() == 0:
        run.account = _isolation_account(sandbox_user)
        if run.account:
            _warn_if_readable(course)
    everyone = course.students(assignment_id)
    wanted = [s for s in everyone if not students or s in students]
    for missing in sorted(set(students or []) - set(everyone)):
        run.results[missing] = StudentResult(missing, "failed", reasons=["no submission folder"])
    todo: list[str] = []
    for student in wanted:
        result = run.results[student] = StudentResult(student)
        if not valid_id(student):
            result.status = "failed"
            result.reasons.append("the folder name is not a valid student id")
        elif not force and _up_to_date(course, assignment_id, student):
            result.status = "skipped (up to date)"
        else:
            result.reasons += _precheck(course, assignment_id, student)
            todo.append(student)
    if todo:
        _grade_in_sandbox(
            course, assignment_id, todo, run, workers, timeout, memory_mb, sandbox, keep, progress
        )
    _read_marks(course, assignment_id, run)
    run.wall_seconds = time.monotonic() - started
    return run


def _isolation_account(name: str | None) -> str:
    """The unprivileged account student code runs as when grading runs as root."""
    import pwd

    for candidate in [name] if name else [SANDBOX_ACCOUNT, "nobody"]:
        try:
            entry = pwd.getpwnam(candidate)
        except KeyError:
            continue
        if entry.pw_uid == 0:
            raise SystemExit(f"--sandbox-user {candidate} is root; name an unprivileged account.")
        python = os.path.realpath(sys.executable)
        if not _reachable_by_all(python) or not _reachable_by_all(os.__file__):
            print(
                f"Warning: student code cannot run as '{candidate}': that account cannot run "
                f"this Python ({python}; a folder above it is private), so it runs as root "
                "with the in-kernel guard only. Install the course in a virtual environment "
                "every account can read (docs/deploy-hub.md), or grade as an ordinary user.",
                file=sys.stderr,
            )
            return ""
        return candidate
    raise SystemExit(
        f"There is no account '{name}' to run student code as. Create it with "
        f"'useradd --system --no-create-home --shell /usr/sbin/nologin {name}' or leave out "
        "--sandbox-user."
    )


def _reachable_by_all(path: str) -> bool:
    import stat

    return all(
        folder.stat().st_mode & stat.S_IXOTH for folder in Path(os.path.realpath(path)).parents
    )


def _warn_if_readable(course: Course) -> None:
    """Say so when other accounts can read the solutions (the kernel's account could too)."""
    import stat

    for folder in [course.root, *course.root.parents]:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return  # not reachable by other accounts: fine
    if course.source.is_dir() and course.source.stat().st_mode & (stat.S_IROTH | stat.S_IXOTH):
        print(
            f"Warning: {course.source} can be read by every account on this machine, so the "
            "account student code runs as could read it too (the guard in the kernel still "
            f"refuses). Run 'chmod o-rwx {course.root}' to close it.",
            file=sys.stderr,
        )


def _require_release(course: Course, assignment_id: str) -> None:
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            gb.find_assignment(assignment_id)
        except MissingEntry:
            raise SystemExit(
                f"The assignment '{assignment_id}' is not in the gradebook yet: run "
                f"'mhsw release {assignment_id}' first."
            ) from None


def _newest(folder: Path) -> float:
    times = [p.stat().st_mtime for p in folder.rglob("*") if p.is_file()]
    return max(times, default=0.0)


def _up_to_date(course: Course, assignment_id: str, student: str) -> bool:
    graded = course.autograded / student / assignment_id
    submitted = course.submitted / student / assignment_id
    marker = graded / ".mhsw-graded"
    return marker.is_file() and marker.stat().st_mtime >= _newest(submitted)


def _precheck(course: Course, assignment_id: str, student: str) -> list[str]:
    """Problems nbgrader will not explain well: damaged files, deleted or copied graded cells."""
    from helpers.grading.validate import check_notebook
    from helpers.notebook_traces import trace_notes

    folder = course.submitted / student / assignment_id
    notes = trace_notes(folder)
    for released in sorted((course.release / assignment_id).glob("*.ipynb")):
        submitted = folder / released.name
        if not submitted.is_file():
            notes.append(f"{released.name} was not submitted (its marks are 0)")
            continue
        report = check_notebook(submitted, course_root=course.root, run_tests=False)
        for problem in report.problems:
            if (
                "missing" in problem.message
                or "appears" in problem.message
                or "damaged" in problem.message
            ):
                notes.append(f"{released.name}: {problem.message}")
    return notes


def _prepare_run_folder(course: Course, assignment_id: str, students: list[str]) -> Path:
    from helpers.notebook_traces import write_sidecars

    run = Path(tempfile.mkdtemp(prefix="mhsw-grade-"))
    sandbox = run / "course"
    # Support files come from the release (what students had), never from solutions/.
    source = sandbox / "source" / assignment_id
    source.mkdir(parents=True)
    for path in (course.release / assignment_id).rglob("*"):
        if path.is_file() and path.suffix != ".ipynb":
            target = source / path.relative_to(course.release / assignment_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    for student in students:
        shutil.copytree(
            course.submitted / student / assignment_id,
            sandbox / "submitted" / student / assignment_id,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
            symlinks=True,
        )
        # nbgrader clears outputs before running a notebook, so a trace kept only inside the
        # notebook (a VLE upload) is written beside it in the grading copy first.
        write_sidecars(sandbox / "submitted" / student / assignment_id)
    (sandbox / "autograded").mkdir()
    (run / "tmp").mkdir()
    kernel = run / "jupyter" / "kernels" / "mhsw-sandbox"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-m",
                    "helpers.grading._sandbox",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "Python 3 (course grading sandbox)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return run


def _worker_env(course: Course, run: Path, timeout: int, memory_mb: int) -> dict[str, str]:
    from helpers.grading import _sandbox as sb

    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(run / "jupyter"), env.get("JUPYTER_PATH")])
    )
    env["TMPDIR"] = str(run / "tmp")
    allow = [course.root / name for name in ("data", "course", "src", "exercises", ".venv", "venv")]
    allow.append(course.release)
    env[sb.ENV_PROTECT] = os.pathsep.join([str(course.root), str(run)])
    env[sb.ENV_ALLOW] = os.pathsep.join(str(p) for p in allow)
    env[sb.ENV_MEMORY_MB] = str(memory_mb)
    env[sb.ENV_CPU_SECONDS] = str(max(120, 10 * timeout))
    env[sb.ENV_FILE_MB] = str(DEFAULT_FILE_MB)
    env[sb.ENV_OUTPUT_CHARS] = str(DEFAULT_OUTPUT_CHARS)
    env.pop("JPY_SESSION_NAME", None)
    return env


def _cell_timeout(course: Course, timeout: int | None) -> int:
    if timeout:
        return timeout
    return int(course.config.get("Execute", {}).get("timeout", 30) or 30)


def _grade_in_sandbox(
    course,
    assignment_id,
    students,
    run_result,
    workers,
    timeout,
    memory_mb,
    sandbox,
    keep,
    progress,
) -> None:
    from tqdm import tqdm

    timeout = _cell_timeout(course, timeout)
    run = _prepare_run_folder(course, assignment_id, students)
    logs = course.root / "grading-logs" / assignment_id
    logs.mkdir(parents=True, exist_ok=True)
    env = _worker_env(course, run, timeout, memory_mb)
    private = None
    sockets = run / "ipc"
    if sandbox and run_result.account:
        from helpers.grading import _sandbox as sb

        # The kernels' private folders: root's, but passable (not listable) by the account.
        private = Path(tempfile.mkdtemp(prefix="mhsw-kernels-"))
        os.chmod(private, 0o711)
        env[sb.ENV_USER] = run_result.account
        env[sb.ENV_PRIVATE] = str(private)
        sockets = private / "ipc"
    # Kernels talk to their worker over Unix sockets in this folder, not loopback ports: workers
    # starting kernels at the same moment can otherwise be given the same free port, and a
    # kernel then receives another kernel's messages and dies ("Invalid Signature").
    sockets.mkdir()
    # The account may create its kernel's sockets here, but not list or remove others'.
    os.chmod(sockets, 0o1733 if private is not None else 0o700)
    (run / "settings.json").write_text(
        json.dumps(
            {
                "db_url": course.db_url,
                "timeout": timeout,
                "sandbox": sandbox,
                "logs": str(logs),
                "sockets": str(sockets),
            }
        ),
        encoding="utf-8",
    )
    # One more worker than cores: while one worker waits for its kernel to start or stop,
    # another uses the core (measured: about 20% less time per submission on 2 cores).
    count = max(1, min(workers or (os.cpu_count() or 1) + 1, len(students)))
    run_result.workers = count
    # A whole notebook gets at most this long before its worker is stopped.
    per_student_limit = 60 + 15 * timeout
    queue = list(students)
    pool = _Pool(run, course.root, assignment_id, env, count, logs)
    try:
        with tqdm(
            total=len(students),
            desc=f"Grading {assignment_id}",
            unit="student",
            disable=not progress,
            file=sys.stderr,
        ) as bar:
            for answer in pool.results(queue, per_student_limit):
                _record(course, assignment_id, run, answer, run_result.results[answer["student"]])
                bar.update(1)
    finally:
        pool.stop()
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)
        if os.geteuid() == 0:
            owner = course.root.stat()
            for path in [logs.parent, logs, *logs.iterdir()]:
                os.lchown(path, owner.st_uid, owner.st_gid)
        if keep:
            print(f"Grading folder kept: {run}", file=sys.stderr)
        else:
            shutil.rmtree(run, ignore_errors=True)


class _Pool:
    """Worker processes fed one student at a time through their standard input."""

    def __init__(self, run: Path, root: Path, assignment_id: str, env: dict, size: int, logs: Path):
        self.args = [
            sys.executable,
            "-m",
            "helpers.grading._worker",
            str(run),
            str(root),
            assignment_id,
        ]
        self.env = env
        self.size = size
        self.workers: list[dict[str, Any]] = []
        # Workers' own messages (not the per-student logs), kept with the grading logs.
        self.log = open(logs / "_workers.log", "ab")  # noqa: SIM115 (closed in stop)

    def _start(self) -> dict[str, Any]:
        proc = subprocess.Popen(
            self.args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=self.env,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        worker = {"proc": proc, "student": None, "since": 0.0}
        self.workers.append(worker)
        return worker

    def _give(self, worker: dict[str, Any], queue: list[str]) -> None:
        if queue:
            worker["student"], worker["since"] = queue.pop(0), time.monotonic()
            worker["proc"].stdin.write(worker["student"] + "\n")
            worker["proc"].stdin.flush()
        else:
            worker["student"] = None
            worker["proc"].stdin.close()

    def results(self, queue: list[str], limit: float):
        import selectors

        selector = selectors.DefaultSelector()
        for _ in range(self.size):
            worker = self._start()
            selector.register(worker["proc"].stdout, selectors.EVENT_READ, worker)
            self._give(worker, queue)
        busy = lambda: [w for w in self.workers if w["student"]]  # noqa: E731
        while busy():
            for key, _ in selector.select(timeout=1.0):
                worker = key.data
                line = worker["proc"].stdout.readline()
                if line:
                    answer = json.loads(line)
                    self._give(worker, queue)
                    yield answer
                    continue
                # The worker ended without answering: report its student, start another worker.
                selector.unregister(worker["proc"].stdout)
                student = worker["student"]
                worker["student"] = None
                worker["proc"].wait()
                if student:
                    yield {
                        "student": student,
                        "ok": False,
                        "seconds": 0,
                        "error": "the grading process stopped while grading this submission",
                    }
                    if queue:
                        fresh = self._start()
                        selector.register(fresh["proc"].stdout, selectors.EVENT_READ, fresh)
                        self._give(fresh, queue)
            now = time.monotonic()
            for worker in busy():
                if now - worker["since"] > limit:
                    student = worker["student"]
                    self._kill(worker)
                    selector.unregister(worker["proc"].stdout)
                    worker["student"] = None
                    yield {
                        "student": student,
                        "ok": False,
                        "seconds": round(now - worker["since"], 1),
                        "error": f"grading this notebook took longer than {limit:.0f} s"
                        " and was stopped",
                    }
                    if queue:
                        fresh = self._start()
                        selector.register(fresh["proc"].stdout, selectors.EVENT_READ, fresh)
                        self._give(fresh, queue)

    @staticmethod
    def _kill(worker: dict[str, Any]) -> None:
        proc = worker["proc"]
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the worker and the kernel it started
        except ProcessLookupError:
            pass
        proc.wait()

    def stop(self) -> None:
        for worker in self.workers:
            proc = worker["proc"]
            if proc.poll() is None:
                try:
                    proc.stdin.close()
                    proc.wait(timeout=10)
                except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
                    self._kill(worker)
            # kernels of finished workers are gone; make sure of it for stopped ones
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.log.close()


def _record(
    course: Course, assignment_id: str, run: Path, answer: dict, result: StudentResult
) -> None:
    """Move one graded submission into the course's autograded/ folder and note what happened."""
    student = answer["student"]
    result.seconds = answer.get("seconds", 0)
    source = run / "course" / "autograded" / student / assignment_id
    target = course.autograded / student / assignment_id
    if target.exists():
        shutil.rmtree(target)  # an older grading must not be mistaken for this one
    if not answer["ok"]:
        result.status = "failed"
        result.reasons.insert(0, answer.get("error") or "nbgrader could not grade it")
        return
    if not source.is_dir():
        result.status = "failed"
        result.reasons.insert(0, "nbgrader reported success but wrote no graded copy")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))
    result.reasons += _notes_from_outputs(target)
    (target / ".mhsw-graded").write_text(time.strftime("%Y-%m-%dT%H:%M:%S"), encoding="utf-8")
    if os.geteuid() == 0:
        _give_to_course_owner(course, target)
    result.status = "graded"


def _give_to_course_owner(course: Course, target: Path) -> None:
    """Graded by root: the graded copy belongs to the course's owner (who runs formgrader)."""
    owner = course.root.stat()
    for path in [course.autograded, target.parent, target, *target.rglob("*")]:
        os.lchown(path, owner.st_uid, owner.st_gid)


def _notes_from_outputs(folder: Path) -> list[str]:
    """Errors in the graded notebooks that a lecturer should know about."""
    import nbformat

    notes: list[str] = []
    explain = {
        "CellTimeoutError": "a cell ran too long and was stopped",
        "MemoryError": "a cell ran out of memory",
        "PermissionError": (
            "the notebook tried to read or write files it may not, or start a program"
        ),
    }
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:
            continue
        seen = set()
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                name = output.get("ename") if output.get("output_type") == "error" else None
                if name in explain and name not in seen:
                    seen.add(name)
                    notes.append(f"{path.name}: {explain[name]}")
    return notes


def _read_marks(course: Course, assignment_id: str, run: GradeRun) -> None:
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        for result in run.results.values():
            if result.status == "failed":
                continue
            try:
                submission = gb.find_submission(assignment_id, result.student)
            except MissingEntry:
                continue
            result.score, result.max_score = submission.score, submission.max_score
            manual = _manual_reasons(submission)
            if manual:
                result.status = (
                    "needs manual grading"
                    if result.status != "skipped (up to date)"
                    else result.status
                )
                result.reasons += manual


def _manual_reasons(submission: Any) -> list[str]:
    reasons = []
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            if not grade.needs_manual_grade:
                continue
            if grade.cell.cell_type == "markdown" or grade.cell.__class__.__name__ == "TaskCell":
                reasons.append(f"{grade.name}: {_WRITTEN}")
            elif grade.auto_score is None:
                reasons.append(
                    f"{grade.name}: test cell missing or not run (deleted?) — mark by hand"
                )
            else:
                reasons.append(f"{grade.name}: needs a tutor's check")
    return reasons
