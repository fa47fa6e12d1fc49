"""Rebuild the two sample submissions of ``m2-integration-assessment`` (good and weak).

Run from the repository root after ``mhsw release m2-integration-assessment``, or after changing
the scenario ``m2-mdt-review`` in a way that breaks the saved traces::

    .venv/bin/python tests/files/m2-submissions/make_samples.py

Each sample is the released student notebook with its answer cells filled in, and the decision
trace made by playing the scenario through ``helpers.scenarios.Session`` (the same engine the
widget uses) and saving it with ``helpers.traces.save_trace``. What each sample should score is
in this folder's README.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers.scenarios import Session, find_scenario, load_scenario
from helpers.traces import save_trace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
EXERCISE = ROOT / "exercises" / "m2-integration-assessment" / "m2-integration-assessment.ipynb"

GOOD_PATH = [
    ("Visit Joanne", None),
    ("Ask her permission", None),
    ("Offer Pat a carer's assessment", None),
    ("Agree she is clinically well",
     "Dr Lindqvist is right that Joanne is clinically well, but her room ends in four weeks and "
     "losing it would cost her weekends with Kai and the group that keeps her well."),
    ("Explain that after-care lasts",
     "Under s117(2) the ICB and the council decide jointly when after-care ends, on whether she "
     "still needs it; closing a team episode is not that decision and needs a review with her."),
    ("Say you will review her care and support needs", None),
    ("Take it to professional supervision", None),
    ("Agree, and ask Joanne who she wants", None),
    ("Propose a step-down plan",
     "The group reduces the risk of relapse, which is a need arising from her mental disorder, so "
     "I would keep it for six months; floating support has done its job once she moves into the "
     "flat, so it can end, with a review date agreed with Joanne and Pat."),
    ("Accept the decision", None),
    ("Record the social formulation", None),
]
WEAK_PATH = [
    ("Read the file carefully", None),
    ("Thank her and say you will mention her", None),
    ("Say nothing: the consultant", "The consultant knows Joanne best and the manager has a long "
     "waiting list, so it is not my place to argue with them in the meeting."),
    ("Agree: discharge from the team ends", "She is being discharged from the team so her s117 "
     "naturally closes at the same time, which is how the team has always done it here."),
    ("Agree to give Joanne the housing options phone number", None),
    ("Let it go", None),
    ("Agree to end all after-care", "She has got a flat now so she does not need any more help "
     "from after-care services and the money can go to people on the waiting list instead."),
    ("Tell Joanne the decision is wrong", None),
    ("Write \"Discharged to GP, stable\"", None),
]

ANSWERS = {
    "good": {
        "q1-answer": 'n_trust_recs = int((recs["audience"] == "health trusts and partnerships").sum())',
        "q2-answer": (
            'from_practice = attributes[attributes["section"].astype(str).str.startswith("7.2")]\n'
            'top_level_72 = str(from_practice["level"].value_counts().idxmax())'
        ),
        "q3-answer": 'pct_placeholder = round(100 * float(indicators["is_placeholder"].mean()), 1)',
        "q4-answer": (
            "Neither source proves that integration works for people who use services. BASW's "
            "2010 paper tells a council what social workers experienced and what support they "
            "asked for: seven of its recommendations are addressed to health trusts and "
            "partnerships, mostly about governance and supervision, and most of what "
            "practitioners said helped was support for the individual practitioner. But its "
            "evidence is a self-selected seminar of 80 social workers and some interviews, and "
            "it calls its main finding anecdotal. The outcome indicators tell a council what "
            "national frameworks in 2011-2016 set out to measure for whole populations: "
            "employment, accommodation, carers' experience. They do not compare integrated and "
            "non-integrated services, none mentions integration or social work, they are dated "
            "(they come from a 2013 consultation draft) and about 6.5% were still placeholders. "
            "A better source for Northvale would be its own evidence: a case-file audit of Care "
            "Act assessments, carers' assessments and s117 reviews, with the 'How are we doing?' "
            "self-assessment from Social work for better mental health and feedback from people "
            "who use the teams and their carers, repeated after any change. I would watch for "
            "bias in who answers and for small numbers."
        ),
        "q6-answer": (
            "At 'Closing s117' I said that discharge from the team does not end after-care. "
            "Under the Mental Health Act 1983 s117(2) the integrated care board and the council "
            "must provide after-care until they are jointly satisfied that Joanne no longer needs "
            "it; that is a needs-based decision made with her, reasoned and recorded, and being "
            "well because of the services is not a reason to stop them. Her housing-related "
            "needs and Pat's needs were the council's duties under the Care Act 2014 (s9 "
            "assessment, s27 review, s10 carers); the section 75 agreement under the National "
            "Health Service Act 2006 meant I carried them out inside an NHS team, but it did not "
            "move the duty to the trust. I agreed with Dr Lindqvist that Joanne was clinically "
            "well before adding what the social perspective saw: the four-week deadline, Kai, "
            "Pat and the group. The generic-role risk would have been staying silent and acting "
            "as a lead practitioner who only tracks medication, as BASW (2010) warned. The "
            "panel funded the group for three months, not the six I argued for. I think that was "
            "defensible: the right bodies decided, with Joanne, on her needs, gave reasons and a "
            "route to review, and a free group she liked exists. It fits the Community Mental "
            "Health Framework's shift to care across the NHS, the council and the voluntary "
            "sector, and the Care Act wellbeing principle, which puts her views first; I "
            "recorded my view, as Social Work England standard 3 expects."
        ),
    },
    "weak": {
        "q1-answer": 'n_trust_recs = int((recs["audience"] == "managers").sum())',
        "q2-answer": 'top_level_72 = str(attributes["level"].value_counts().idxmax())',
        "q3-answer": 'pct_placeholder = round(100 * float(indicators["is_placeholder"].mean()), 1)',
        "q4-answer": (
            "BASW says integration is good and the indicators show what is measured so together "
            "they show it works. The council should carry on with the agreement."
        ),
        "q6-answer": (
            "I agreed that s117 ends when Joanne is discharged because that is how the team "
            "does it. Housing is for the housing department. I did not want to argue with the "
            "consultant. The panel decision was fine because she has a flat now."
        ),
    },
}


def play(path: list[tuple[str, str | None]]) -> dict:
    session = Session(load_scenario(find_scenario("m2-mdt-review")))
    for prefix, rationale in path:
        matches = [i for i, c in session.available_choices() if c.label.startswith(prefix)]
        if len(matches) != 1:
            raise SystemExit(f"At {session.current.id!r} no single choice starts {prefix!r}")
        session.choose(matches[0], rationale=rationale)
    return session.trace()


def fill(folder: str) -> None:
    notebook = json.loads(EXERCISE.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in ANSWERS[folder]:
            cell["source"] = ANSWERS[folder][grade_id]
    target = HERE / folder
    target.mkdir(exist_ok=True)
    (target / EXERCISE.name).write_text(
        json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    save_trace(play(GOOD_PATH if folder == "good" else WEAK_PATH), target)


if __name__ == "__main__":
    for name in ("good", "weak"):
        fill(name)
        print(f"wrote {HERE / name}")
