"""How fast is ``mhsw grade`` compared with plain, serial ``nbgrader autograde``?

Builds a temporary copy of the course with a simulated class, then, in one run:

1. the floor: the time to execute one submitted notebook once in a fresh kernel (median of 3)
   (as nbgrader runs it: ``check_my_work()`` skipped, kernel shutdown not counted);
2. plain ``nbgrader autograde sample-assignment --force``: every student, one after another,
   in one process;
3. ``mhsw grade sample-assignment --force``: the same students, in parallel, sandboxed.

It prints both wall times, the speed-up, and the cost per submission (wall time x cores /
submissions) against the floor. Targets on a 2-core machine: ``mhsw grade`` at least 1.7x
faster than serial nbgrader, and a cost per submission within 1.5x the floor (for
``m3-amhp-assessment``: 2.0x and 1.3x).

The class: for ``sample-assignment`` (the default), simulated submissions (nine in ten fully
correct, one in ten partly wrong); for a real assessed notebook with a sample folder in
``tests/files/<module>-submissions/`` (``m3-amhp-assessment``), copies of its ``good`` and
``weak`` samples (nine in ten good), each with the decision trace the scenario saved, so the
benchmark grades the real notebook and replays real traces.

    python benchmarks/grade_benchmark.py            # 200 submissions (about 15 minutes on 2 cores)
    python benchmarks/grade_benchmark.py --n 20     # a quick look
    python benchmarks/grade_benchmark.py --assignment m3-amhp-assessment --n 60
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "sample-assignment"
SCENARIO = "m3-mha-assessment"
# Real assessed notebooks with filled sample submissions (good/ and weak/ folders).
SAMPLES = {"m3-amhp-assessment": REPO / "tests" / "files" / "m3-submissions"}
# Targets: (speed-up over serial nbgrader at least, cost per submission at most x the floor).
TARGETS = {ASSIGNMENT: (1.7, 1.5), "m3-amhp-assessment": (2.0, 1.3)}


def build_course(folder: Path, n: int, assignment: str = ASSIGNMENT) -> Path:
    from helpers.grading._course import Course
    from helpers.grading._simulate import make_class
    from helpers.grading.release import release_assignment

    root = folder / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy2(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    problems = release_assignment(Course.find(root), assignment)
    if problems:
        raise SystemExit("Release failed: " + "; ".join(problems))
    if assignment in SAMPLES:
        for i in range(n):
            target = root / "submitted" / f"student{i:04d}" / assignment
            shutil.copytree(SAMPLES[assignment] / ("weak" if i % 10 == 9 else "good"), target)
            (target / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
        return root
    if assignment != ASSIGNMENT:
        raise SystemExit(
            f"No sample submissions for {assignment}: use {ASSIGNMENT} or one of "
            + ", ".join(SAMPLES)
        )
    kinds = {f"student{i:04d}": ("partial" if i % 10 == 9 else "perfect") for i in range(n)}
    make_class(root, ASSIGNMENT, kinds, SCENARIO)
    return root


def floor_seconds(root: Path, assignment: str = ASSIGNMENT, repeats: int = 3) -> float:
    """Execute one submission once in a fresh kernel: kernel start to the end of the last cell.

    Run as nbgrader runs it (``NBGRADER_EXECUTION=autograde``, so ``check_my_work()`` is
    skipped); the kernel's shutdown is not counted. Median of ``repeats`` runs.
    """
    import nbformat
    from nbclient import NotebookClient

    folder = root / "submitted" / "student0000" / assignment
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    times = []
    try:
        for _ in range(repeats):
            nb = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
            client = NotebookClient(
                nb,
                timeout=60,
                kernel_name="python3",
                allow_errors=True,
                resources={"metadata": {"path": str(folder)}},
            )
            started = time.perf_counter()
            with client.setup_kernel():
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                times.append(time.perf_counter() - started)
    finally:
        del os.environ["NBGRADER_EXECUTION"]
    return statistics.median(times)


def timed(command: list[str], cwd: Path) -> float:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(
            f"warning: {' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}",
            file=sys.stderr,
        )
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="number of submissions (default 200)")
    parser.add_argument(
        "--assignment",
        default=ASSIGNMENT,
        help=f"the assignment (default {ASSIGNMENT}; also: {', '.join(SAMPLES)})",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="mhsw grade workers (default: cores)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary course copy")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix="mhsw-bench-"))
    try:
        assignment = args.assignment
        print(f"Building a class of {args.n} {assignment} submissions in {folder} ...", flush=True)
        root = build_course(folder, args.n, assignment)
        floor = floor_seconds(root, assignment)
        print(f"floor (one notebook executed once): {floor:.2f} s", flush=True)
        serial = timed([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"], root)
        print(f"serial nbgrader autograde:          {serial:.1f} s", flush=True)
        mhsw = [sys.executable, "-m", "helpers", "grade", assignment, "--force", "--quiet"]
        if args.workers:
            mhsw += ["--workers", str(args.workers)]
        parallel = timed(mhsw, root)
        print(f"mhsw grade:                         {parallel:.1f} s", flush=True)
        n = args.n
        speed_target, floor_target = TARGETS.get(assignment, TARGETS[ASSIGNMENT])
        print()
        print(f"assignment: {assignment}   submissions: {n}   cores: {cores}")
        print(
            f"speed-up of mhsw grade over serial nbgrader: {serial / parallel:.2f}x"
            f" (target >= {speed_target}x)"
        )
        for name, wall in (("serial nbgrader", serial), ("mhsw grade", parallel)):
            cost = wall * cores / n
            print(
                f"cost per submission, {name:16s} {cost:5.2f} core-s"
                f" = {cost / floor:.2f}x the floor"
                + (f" (target <= {floor_target}x)" if name == "mhsw grade" else "")
            )
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
