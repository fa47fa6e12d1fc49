"""Playing the small fixture scenario to make decision traces, for the tests of
``helpers.traces`` and ``helpers.notebook_traces``."""

from __future__ import annotations

from pathlib import Path

from helpers.scenarios import Session

FIXTURE = Path(__file__).parent / "files" / "scenarios" / "fixture-assessment.yaml"
RATIONALE = (
    "The Code's first principle asks me to try the least restrictive option first, so I "
    "ask the home treatment team before any application."
)


class StepClock:
    """Each reading is ten seconds after the one before."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self) -> float:
        self.seconds += 10.0
        return self.seconds


def play(scenario, choices, rationale=RATIONALE) -> Session:
    """Play ``scenario`` choosing the given choice indexes in turn, on a clock that moves ten
    seconds a step; ``rationale`` is written wherever a node asks for one."""
    session = Session(scenario, clock=StepClock())
    for index in choices:
        needs = session.needs_rationale
        session.choose(index, rationale=rationale if needs else None)
    return session
