"""The evidence assessment round trip (module 4). The samples are in
``tests/files/m4-submissions/``; their expected marks are those of the module's marking guide
(see that folder's README)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _roundtrip import RoundTrip

pytestmark = pytest.mark.slow


class TestEvidenceRoundTrip(RoundTrip):
    ASSIGNMENT = "m4-evidence-assessment"
    SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m4-submissions"
    MANUAL = ("q6-answer",)
    EXPECTED = {
        "sample-good": {"q1-tests": 2.0, "q2-tests": 2.0, "q3-tests": 2.0, "q4-tests": 2.0,
                        "q5-trace": 4.0},
        "sample-weak": {"q1-tests": 0.0, "q2-tests": 0.0, "q3-tests": 2.0, "q4-tests": 0.0,
                        "q5-trace": 1.0},
    }
    WEAK_FEEDBACK_SAYS = (
        # hidden tests' messages reach the student ...
        "If you used the text's figure, compute it from the table instead",
        "not the falls in numbers",
        # ... a visible test's message too, and the cap on the unsafe ending is explained
        "multiply the share by 100",
        "capped at",
    )
    SECRETS = ("BEGIN HIDDEN TESTS", "abs(cca_fall_pct - 11.8)", '== "AASW"', "38.8")
    SECRETS += ("Marking guide",)
    EXPORTED = {"sample-good": 12.0, "sample-weak": 3.0}
    MAX_SCORE = 18.0
