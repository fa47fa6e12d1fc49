"""The AMHP assessment round trip (module 3). The samples are in ``tests/files/m3-submissions/``;
their expected marks are those of the module's marking guide (see that folder's README)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _roundtrip import RoundTrip

pytestmark = pytest.mark.slow


class TestAmhpRoundTrip(RoundTrip):
    ASSIGNMENT = "m3-amhp-assessment"
    SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m3-submissions"
    MANUAL = ("q3-answer", "q7-answer")
    EXPECTED = {
        "sample-good": {"q1-tests": 2.0, "q2-tests": 2.0, "q4-tests": 2.0, "q5-tests": 2.0,
                        "q6-trace": 4.0},
        "sample-weak": {"q1-tests": 0.0, "q2-tests": 0.0, "q4-tests": 0.0, "q5-tests": 2.0,
                        "q6-trace": 1.0},
    }
    WEAK_FEEDBACK_SAYS = (
        "in_hours is False",  # the hidden test's message reaches the student
        "did you subtract",  # Q2's visible message names the mistake actually made
    )
    SECRETS = ("BEGIN HIDDEN TESTS", "assert int(mhsds_change) == 1761", "57.9", "Marking guide")
    EXPORTED = {"sample-good": 12.0, "sample-weak": 3.0}
    MAX_SCORE = 19.0
