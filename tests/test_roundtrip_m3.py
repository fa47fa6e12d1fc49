"""The AMHP assessment round trip: release, a good and a weak submission, grade, feedback, export.

The two samples in ``tests/files/m3-submissions/`` are filled student versions with the decision
trace the scenario widget saves. Their expected marks are those of the module's marking guide
(see that folder's README).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _roundtrip import (
    assert_no_secrets,
    assert_sample_marks,
    exported_scores,
    graded_samples,
    weak_feedback,
)

ASSIGNMENT = "m3-amhp-assessment"
SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m3-submissions"
MANUAL = ("q3-answer", "q7-answer")
EXPECTED = {
    "sample-good": {
        "q1-tests": 2.0,
        "q2-tests": 2.0,
        "q4-tests": 2.0,
        "q5-tests": 2.0,
        "q6-trace": 4.0,
    },
    "sample-weak": {
        "q1-tests": 0.0,
        "q2-tests": 0.0,
        "q4-tests": 0.0,
        "q5-tests": 2.0,
        "q6-trace": 1.0,
    },
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return graded_samples(tmp_path_factory, ASSIGNMENT, SUBMISSIONS, EXPECTED)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_does_each_sample_get_the_marks_the_marking_guide_intends(graded, student):
    assert_sample_marks(graded, ASSIGNMENT, student, EXPECTED[student], MANUAL)


def test_does_the_weak_feedback_explain_each_lost_mark_without_hidden_code(graded):
    weak = weak_feedback(graded[0], ASSIGNMENT, EXPECTED)
    assert "in_hours is False" in weak  # the hidden test's message reaches the student
    assert "did you subtract" in weak  # Q2's visible message names the mistake actually made
    assert_no_secrets(
        weak, ("BEGIN HIDDEN TESTS", "assert int(mhsds_change) == 1761", "57.9", "Marking guide")
    )


def test_does_the_export_list_both_samples_with_their_autograded_marks(graded):
    marks, scores = exported_scores(graded[0], ASSIGNMENT, EXPECTED)
    assert scores == pytest.approx({"sample-good": 12.0, "sample-weak": 3.0})
