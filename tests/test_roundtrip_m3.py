"""The AMHP assessment round trip: release, a good and a weak submission, grade, feedback, export.

The two samples in ``tests/files/m3-submissions/`` are filled student versions with the decision
trace the scenario widget saves. Their expected marks are those of the module's marking guide
(see that folder's README).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from _roundtrip import grade_samples
from _roundtrip import grades as gradebook_grades

ASSIGNMENT = "m3-amhp-assessment"
SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m3-submissions"
MANUAL = ("q3-answer", "q7-answer")
EXPECTED = {
    "sample-good": {"q1-tests": 2.0, "q2-tests": 2.0, "q4-tests": 2.0, "q5-tests": 2.0,
                    "q6-trace": 4.0},
    "sample-weak": {"q1-tests": 0.0, "q2-tests": 0.0, "q4-tests": 0.0, "q5-tests": 2.0,
                    "q6-trace": 1.0},
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    pytest.importorskip("nbgrader")
    root = tmp_path_factory.mktemp("m3-course")
    return grade_samples(root, ASSIGNMENT, SUBMISSIONS, EXPECTED)


def _grades(course, student):
    return gradebook_grades(course, ASSIGNMENT, student)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_does_each_sample_get_the_marks_the_marking_guide_intends(graded, student):
    course, run = graded
    assert run.results[student].status in ("graded", "needs manual grading"), run.results[student]
    grades = _grades(course, student)
    autograded = {name: round(score or 0.0, 2) for name, (score, _) in grades.items()
                  if name not in MANUAL}
    assert autograded == EXPECTED[student]
    for name in MANUAL:
        assert grades[name][1], f"{name} should wait for a tutor's mark"


def test_does_the_weak_feedback_explain_each_lost_mark_without_hidden_code(graded):
    from helpers.grading._notebooks import html_text
    from helpers.grading.feedback import write_feedback

    course, _ = graded
    written, _, problems = write_feedback(course, ASSIGNMENT)
    assert problems == [] and set(written) == set(EXPECTED)
    weak = html_text(
        (course.feedback / "sample-weak" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    )
    assert "in_hours is False" in weak  # the hidden test's message reaches the student
    assert "did you subtract" in weak  # Q2's visible message names the mistake actually made
    for secret in ("BEGIN HIDDEN TESTS", "assert int(mhsds_change) == 1761", "57.9",
                   "Marking guide"):
        assert secret not in weak, f"feedback shows {secret!r}"


def test_does_the_export_list_both_samples_with_their_autograded_marks(graded):
    from helpers.grading.export import collect_marks, render

    course, _ = graded
    marks = {m.student: m for m in collect_marks(course, ASSIGNMENT)}
    assert set(marks) == set(EXPECTED)
    assert all(m.status == "needs manual grading" for m in marks.values())
    rows = csv.DictReader(io.StringIO(render(list(marks.values()), "csv", ASSIGNMENT,
                                             partial=True)))
    scores = {row["student_id"]: float(row["score"]) for row in rows}
    assert scores == pytest.approx({"sample-good": 12.0, "sample-weak": 3.0})
