"""Shared steps of the assessed-notebook round trips: grade a module's sample submissions once
in a temporary course copy, and read back each student's marks from the gradebook.

A module's round trip is a subclass of :class:`RoundTrip` naming its assignment, its samples and
what the marking guide expects of them (see ``tests/test_roundtrip_m3.py``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


def graded_samples(tmp_path_factory, assignment: str, submissions: Path, students):
    """For a module-scoped fixture: :func:`grade_samples` in a fresh temporary course copy
    (skipped where nbgrader is not installed). Returns ``(course, run)``."""
    pytest.importorskip("nbgrader")
    root = tmp_path_factory.mktemp(assignment.split("-")[0] + "-course")
    return grade_samples(root, assignment, submissions, students)


def grades(course, assignment: str, student: str) -> dict[str, tuple[float | None, bool]]:
    """``{grade cell: (automatic score, needs a tutor's mark)}`` for one student."""
    with course.gradebook() as gb:
        submission = gb.find_submission(assignment, student)
        return {
            g.name: (g.auto_score, g.needs_manual_grade)
            for nb in submission.notebooks
            for g in nb.grades
        }


def assert_sample_marks(graded, assignment: str, student: str, expected: dict, manual) -> None:
    """``student``'s notebook was graded, its autograded cells have the ``expected`` marks (as
    the marking guide gives them) and each ``manual`` cell waits for a tutor's mark."""
    course, run = graded
    assert run.results[student].status in ("graded", "needs manual grading"), run.results[student]
    marks = grades(course, assignment, student)
    unscored = [name for name, (score, _) in marks.items() if score is None and name not in manual]
    assert not unscored, f"{student}: the autograder gave no score for {unscored}"
    autograded = {
        name: round(score or 0.0, 2) for name, (score, _) in marks.items() if name not in manual
    }
    assert autograded == expected, f"{student} got {autograded}; the marking guide says {expected}"
    for name in manual:
        assert marks[name][1], f"{name} should wait for a tutor's mark"


def weak_feedback(course, assignment: str, students) -> str:
    """Write every student's feedback (each of ``students`` gets a file, with no problems) and
    return the text of the weak sample's feedback page."""
    from helpers.grading._notebooks import html_text
    from helpers.grading.feedback import write_feedback

    written, _, problems = write_feedback(course, assignment)
    assert problems == [] and set(written) == set(students)
    page = course.feedback / "sample-weak" / assignment / f"{assignment}.html"
    return html_text(page.read_text())


def assert_no_secrets(feedback: str, secrets) -> None:
    """No hidden test code, answer or marking guide text shows in a student's ``feedback``."""
    for secret in secrets:
        assert secret not in feedback, f"feedback shows {secret!r}"


def exported_scores(course, assignment: str, students) -> tuple[dict, dict[str, float]]:
    """Export the marks as CSV: ``({student: marks}, {student id: score in the CSV})``. Every one
    of ``students`` is listed and waits for a tutor's marks."""
    import csv
    import io

    from helpers.grading.export import collect_marks, render

    marks = {m.student: m for m in collect_marks(course, assignment)}
    assert set(marks) == set(students)
    assert all(m.status == "needs manual grading" for m in marks.values())
    table = render(list(marks.values()), "csv", assignment, partial=True)
    scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(io.StringIO(table))}
    return marks, scores


class RoundTrip:
    """The round trip of one assessed notebook: release, the ``sample-good`` and ``sample-weak``
    submissions (filled student versions with the decision trace the scenario widget saves),
    grade, feedback, export. A subclass named ``Test...`` sets:

    ``ASSIGNMENT`` and ``SUBMISSIONS`` (the folder holding ``good/`` and ``weak/``);
    ``EXPECTED``: ``{student: {grade cell: autograded mark}}`` as the marking guide gives them;
    ``MANUAL``: the grade cells a tutor marks;
    ``WEAK_FEEDBACK_SAYS``: words of test messages the weak sample's feedback must show;
    ``SECRETS``: hidden test code, answers and guide text it must never show;
    ``EXPORTED``: ``{student: score}`` in the exported CSV (autograded marks only), out of
    ``MAX_SCORE``, the points of all the notebook's graded cells.
    """

    ASSIGNMENT: str
    SUBMISSIONS: Path
    EXPECTED: dict[str, dict[str, float]]
    MANUAL: tuple[str, ...]
    WEAK_FEEDBACK_SAYS: tuple[str, ...]
    SECRETS: tuple[str, ...]
    EXPORTED: dict[str, float]
    MAX_SCORE: float

    @pytest.fixture(scope="class")
    @classmethod
    def graded(cls, tmp_path_factory):
        return graded_samples(tmp_path_factory, cls.ASSIGNMENT, cls.SUBMISSIONS, cls.EXPECTED)

    @pytest.mark.parametrize("student", ["sample-good", "sample-weak"])
    def test_does_each_sample_get_the_marks_the_marking_guide_intends(self, graded, student):
        assert_sample_marks(graded, self.ASSIGNMENT, student, self.EXPECTED[student], self.MANUAL)

    def test_does_the_weak_feedback_explain_each_lost_mark_without_hidden_code(self, graded):
        weak = weak_feedback(graded[0], self.ASSIGNMENT, self.EXPECTED)
        for words in self.WEAK_FEEDBACK_SAYS:
            assert words in weak, f"the weak sample's feedback should say {words!r}"
        assert_no_secrets(weak, self.SECRETS)

    def test_does_the_export_list_both_samples_with_their_autograded_marks(self, graded):
        marks, scores = exported_scores(graded[0], self.ASSIGNMENT, self.EXPECTED)
        assert scores == pytest.approx(self.EXPORTED)
        assert {m.max_score for m in marks.values()} == {self.MAX_SCORE}
