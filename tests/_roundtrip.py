"""Shared steps of the assessed-notebook round trips: grade a module's sample submissions once
in a temporary course copy, and read back each student's marks from the gradebook."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def grade_samples(root: Path, assignment: str, submissions: Path, students):
    """Release ``assignment`` in a course copy at ``root``, put each sample (``sample-good`` from
    ``submissions/good`` ...) in ``submitted/`` and grade them. Returns ``(course, run)``."""
    from helpers.grading._course import Course
    from helpers.grading.grade import grade_assignment
    from helpers.grading.release import release_assignment

    shutil.copy2(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    course = Course.find(root)
    assert release_assignment(course, assignment) == []
    for student in students:
        target = root / "submitted" / student / assignment
        shutil.copytree(submissions / student.removeprefix("sample-"), target)
        (target / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC", encoding="utf-8")
    run = grade_assignment(
        course, assignment, workers=2, timeout=30, memory_mb=1024, progress=False
    )
    return course, run


def grades(course, assignment: str, student: str) -> dict[str, tuple[float | None, bool]]:
    """``{grade cell: (automatic score, needs a tutor's mark)}`` for one student."""
    with course.gradebook() as gb:
        submission = gb.find_submission(assignment, student)
        return {
            g.name: (g.auto_score, g.needs_manual_grade)
            for nb in submission.notebooks
            for g in nb.grades
        }
