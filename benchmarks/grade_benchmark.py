"""How fast is ``mhsw grade`` compared with plain, serial ``nbgrader autograde``?

Builds a temporary copy of the course with a simulated class of the sample assignment (all
valid submissions: nine in ten fully correct, one in ten partly wrong), then, in one run:

1. the floor: the time to execute one submitted notebook once in a fresh kernel (median of 3)
   (as nbgrader runs it: ``check_my_work()`` skipped, kernel shutdown not counted);
2. plain ``nbgrader autograde sample-assignment --force``: every student, one after another,
   in one process;
3. ``mhsw grade sample-assignment --force``: the same students, in parallel, sandboxed.

It prints both wall times, the speed-up, and the cost per submission (wall time x cores /
submissions) against the floor. Targets on a 2-core machine: ``mhsw grade`` at least 1.7x
faster than serial nbgrader, and a cost per submission within 1.5x the floor.

    python benchmarks/grade_benchmark.py            # 200 submissions (about 15 minutes on 2 cores)
    python benchmarks/grade_benchmark.py --n 20     # a quick look
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


def build_course(folder: Path, n: int) -> Path:
    from helpers.grading._course import Course
    from helpers.grading._simulate import make_class
    from helpers.grading.release import release_assignment

    root = folder / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy2(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    problems = release_assignment(Course.find(root), ASSIGNMENT)
    if problems:
        raise SystemExit("Release failed: " + "; ".join(problems))
    kinds = {f"student{i:04d}": ("partial" if i % 10 == 9 else "perfect") for i in range(n)}
    make_class(root, ASSIGNMENT, kinds, SCENARIO)
    return root


def floor_seconds(root: Path, repeats: int = 3) -> float:
    """Execute one submission once in a fresh kernel: kernel start to the end of the last cell.

    Run as nbgrader runs it (``NBGRADER_EXECUTION=autograde``, so ``check_my_work()`` is
    skipped); the kernel's shutdown is not counted. Median of ``repeats`` runs.
    """
    import nbformat
    from nbclient import NotebookClient

    folder = next((root / "submitted").iterdir()) / ASSIGNMENT
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    times = []
    try:
        for _ in range(repeats):
            nb = nbformat.read(folder / f"{ASSIGNMENT}.ipynb", as_version=4)
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
        "--workers", type=int, default=0, help="mhsw grade workers (default: cores)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary course copy")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    folder = Path(tempfile.mkdtemp(prefix="mhsw-bench-"))
    try:
        print(f"Building a class of {args.n} submissions in {folder} ...", flush=True)
        root = build_course(folder, args.n)
        floor = floor_seconds(root)
        print(f"floor (one notebook executed once): {floor:.2f} s", flush=True)
        serial = timed([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"], root)
        print(f"serial nbgrader autograde:          {serial:.1f} s", flush=True)
        mhsw = [sys.executable, "-m", "helpers", "grade", ASSIGNMENT, "--force", "--quiet"]
        if args.workers:
            mhsw += ["--workers", str(args.workers)]
        parallel = timed(mhsw, root)
        print(f"mhsw grade:                         {parallel:.1f} s", flush=True)
        n = args.n
        print()
        print(f"submissions: {n}   cores: {cores}")
        print(
            f"speed-up of mhsw grade over serial nbgrader: {serial / parallel:.2f}x"
            " (target >= 1.7x)"
        )
        for name, wall in (("serial nbgrader", serial), ("mhsw grade", parallel)):
            cost = wall * cores / n
            print(
                f"cost per submission, {name:16s} {cost:5.2f} core-s"
                f" = {cost / floor:.2f}x the floor"
                + (" (target <= 1.5x)" if name == "mhsw grade" else "")
            )
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
