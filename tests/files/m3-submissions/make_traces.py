"""Regenerate the decision traces of the two sample submissions.

Run from the repository root after a change to ``course/m3-amhp/scenarios/mha-assessment.yaml``
that stops the saved traces replaying:

    .venv/bin/python tests/files/m3-submissions/make_traces.py

Each path is a list of (label prefix, rationale) pairs; a rationale is typed only where the
node asks for one. The paths are the ones described in this folder's README.
"""

from __future__ import annotations

from pathlib import Path

from helpers.scenarios import Session, load_scenario
from helpers.traces import save_trace

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parents[2] / "course" / "m3-amhp" / "scenarios" / "mha-assessment.yaml"

GOOD_REASON = (
    "I chose this because the law and the 2015 Code ask me to involve Amina and her family, "
    "test the least restrictive option and record my reasons clearly for others."
)
GOOD = [
    ("Accept the referral", None),
    ("Read the records", None),
    ("Note her crisis plan", None),
    ("Phone her sister", None),
    ("Abdi, her son", None),
    ("Find out how Amina", None),
    ("Book a professional", None),
    ("You know enough", None),
    ("Arrange a joint visit", None),
    ("Phone Abdi", GOOD_REASON),
    ("Ask Abdi to tell his mother", None),
    ("Interview her in Somali", GOOD_REASON),
    ("Explore alternatives", None),
    ("Offer Amina the home treatment plan", GOOD_REASON),
    ("Ask Dr Ellis to examine her now", None),
    (
        "Go ahead at home",
        "She is drinking again, Hodan is with her and the results come tonight, so a plan with "
        "clear triggers is the least restrictive option that is still safe under s13(2).",
    ),
    ("Write the plan", None),
]
WEAK = [
    ("Book two doctors", None),
    ("Arrange a joint visit", None),
    (
        "Leave the nearest relative",
        "I will sort out the family later because the doctors are already booked for this "
        "afternoon anyway.",
    ),
    ("Tell her through the door", None),
    (
        "Interview her in English",
        "She speaks English at work so I think she understood my questions well enough for the "
        "assessment today.",
    ),
    ("Two doctors will sign", None),
    (
        "Make an application for admission for treatment",
        "She has been in hospital before and two doctors said she needs to be there, so treatment "
        "under section three is quickest for everyone.",
    ),
]


def play(path: list[tuple[str, str | None]]) -> Session:
    session = Session(load_scenario(SCENARIO))
    for prefix, reason in path:
        matches = [i for i, c in session.available_choices() if c.label.startswith(prefix)]
        if len(matches) != 1:
            raise SystemExit(f"At '{session.current.id}' no single choice starts {prefix!r}.")
        session.choose(matches[0], rationale=reason)
    return session


if __name__ == "__main__":
    for folder, path in (("good", GOOD), ("weak", WEAK)):
        session = play(path)
        written = save_trace(session.trace(), HERE / folder)
        print(f"{written.relative_to(HERE)}: ending {session.ending.id} ({session.ending.outcome})")
