"""``mhsw release [ID ...]``: regenerate the student versions of assessed notebooks.

For each assignment, nbgrader's ``generate_assignment`` turns ``solutions/<id>/`` into
``exercises/<id>/`` (solutions replaced by placeholders, hidden tests and mark schemes removed,
test cells locked) and records the assignment in the course gradebook. Each student version
then gets a small manifest in its metadata (``metadata.mhsw``: the graded cells and the
scenario traces it grades), which ``mhsw validate`` uses to check a submission even when the
release folder is not at hand. Finally every student version is checked for leaked solution
or hidden-test text, and the command fails if it finds any.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from helpers.grading._course import Course, add_course_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "ids", nargs="*", metavar="ID", help="assignments to release (default: all)"
    )
    add_course_argument(parser)


def run(args: argparse.Namespace) -> int:
    course = Course.find(args.course)
    ids = args.ids or course.assignment_ids()
    if not ids:
        print(f"No assignments found in {course.source}: nothing to release.")
        return 1
    failures = 0
    for assignment_id in ids:
        course.check_assignment(assignment_id)
        problems = release_assignment(course, assignment_id)
        if problems:
            failures += 1
            print(f"{assignment_id}: NOT released", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
        else:
            print(f"{assignment_id}: released to {course.release / assignment_id}")
    return 1 if failures else 0


def release_assignment(course: Course, assignment_id: str) -> list[str]:
    """Generate ``exercises/<id>/`` from ``solutions/<id>/``; return problems (empty if fine)."""
    from helpers.grading._nbgrader import log_errors, run_converter

    target = course.release / assignment_id
    if target.exists():
        shutil.rmtree(target)  # no stale files from an earlier release
    result = run_converter("generate_assignment", course.config, assignment_id=assignment_id)
    if not result.get("success"):
        return ["nbgrader could not generate the student version:"] + (
            log_errors(result) or [result.get("error", "").strip().splitlines()[-1]]
        )
    return finish_release(course, assignment_id)


def finish_release(course: Course, assignment_id: str) -> list[str]:
    """Add the manifest to each student version and check it for leaks."""
    import nbformat

    from helpers.grading._notebooks import leaks, manifest

    problems = []
    target = course.release / assignment_id
    for released in sorted(target.glob("*.ipynb")):
        nb = nbformat.read(released, as_version=4)
        source_path = course.source / assignment_id / released.name
        _stable_cell_ids(nb, source_path)
        nb.metadata["mhsw"] = manifest(nb, assignment_id, released.stem)
        nbformat.write(nb, released)
        master = nbformat.read(course.source / assignment_id / released.name, as_version=4)
        for hit in leaks(master, released.read_text(encoding="utf-8")):
            problems.append(f"{released}: contains solution or hidden-test text: {hit!r}")
    for path in target.rglob("*"):
        if path.name.startswith("marking-guide"):
            problems.append(f"{path}: a marking guide was released; remove it from exercises/")
    return problems


def _stable_cell_ids(nb, master_path: Path) -> None:
    """Give cells the same ids at every release when the master has none.

    nbformat invents random cell ids for a notebook saved without them (format 4.4 or older),
    which would make every release differ from the last. Such cells get their nbgrader
    grade_id, or ``cell-<number>``, instead.
    """
    import json

    raw = json.loads(master_path.read_text(encoding="utf-8"))
    if all("id" in cell for cell in raw.get("cells", [])) and len(raw.get("cells", [])) == len(
        nb.cells
    ):
        return
    used: set[str] = set()
    for number, cell in enumerate(nb.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        candidate = grade_id if grade_id and len(grade_id) <= 64 else f"cell-{number}"
        if candidate in used or not all(ch.isalnum() or ch in "-_" for ch in candidate):
            candidate = f"cell-{number}"
        cell["id"] = candidate
        used.add(candidate)


def released_notebooks(course: Course, assignment_id: str) -> list[Path]:
    return sorted((course.release / assignment_id).glob("*.ipynb"))
