"""The integration assessment round trip (module 2). The samples are in
``tests/files/m2-submissions/`` (``make_samples.py`` there rebuilds them); their expected marks
are those of the module's marking guide (see that folder's README)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _roundtrip import RoundTrip

pytestmark = pytest.mark.slow


class TestIntegrationRoundTrip(RoundTrip):
    ASSIGNMENT = "m2-integration-assessment"
    SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m2-submissions"
    MANUAL = ("q4-answer", "q6-answer")
    EXPECTED = {
        "sample-good": {"q1-tests": 2.0, "q2-tests": 2.0, "q3-tests": 2.0, "q5-trace": 4.0},
        "sample-weak": {"q1-tests": 0.0, "q2-tests": 0.0, "q3-tests": 2.0, "q5-trace": 1.0},
    }
    # The hidden tests' messages reach the student, and score_trace's own explanation of the cap
    WEAK_FEEDBACK_SAYS = (
        "check the spelling of the value you compared with",
        "keep only the rows whose section starts with 7.2",
        "capped at 1.25 of 5",
    )
    # ... but never their code, the answers or the marking guide.
    SECRETS = (
        "BEGIN HIDDEN TESTS",
        "int(n_trust_recs) == 7",
        '"for the individual practitioner"',
        "Marking guide",
    )
    EXPORTED = {"sample-good": 10.0, "sample-weak": 3.0}
    MAX_SCORE = 18.0
