"""The integration assessment round trip: release, a good and a weak submission, grade, feedback,
export.

The two samples in ``tests/files/m2-submissions/`` are filled student versions with the decision
trace the scenario widget saves (``make_samples.py`` there rebuilds them). Their expected marks are
those of the module's marking guide (see that folder's README).
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

ASSIGNMENT = "m2-integration-assessment"
SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m2-submissions"
MANUAL = ("q4-answer", "q6-answer")
EXPECTED = {
    "sample-good": {"q1-tests": 2.0, "q2-tests": 2.0, "q3-tests": 2.0, "q5-trace": 4.0},
    "sample-weak": {"q1-tests": 0.0, "q2-tests": 0.0, "q3-tests": 2.0, "q5-trace": 1.0},
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
    # The hidden tests' messages reach the student ...
    assert "check the spelling of the value you compared with" in weak
    assert "keep only the rows whose section starts with 7.2" in weak
    assert "capped at 1.25 of 5" in weak  # score_trace's own explanation of the cap
    # ... but never their code, the answers or the marking guide.
    assert_no_secrets(
        weak,
        (
            "BEGIN HIDDEN TESTS",
            "int(n_trust_recs) == 7",
            '"for the individual practitioner"',
            "Marking guide",
        ),
    )


def test_does_the_export_list_both_samples_with_their_autograded_marks(graded):
    marks, scores = exported_scores(graded[0], ASSIGNMENT, EXPECTED)
    assert scores == pytest.approx({"sample-good": 10.0, "sample-weak": 3.0})
    assert {m.max_score for m in marks.values()} == {18.0}
