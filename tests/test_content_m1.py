"""Content tests for module 1 (roles of social workers in mental health): its two scenarios,
its self-check quiz and its assessed notebook, including a round trip of two sample submissions.

The scenarios are played through the engine along realistic paths, to check that earlier
choices have the consequences the debriefs describe.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers.quizzes import lint_quiz, load_quiz
from helpers.scenarios import Session, lint_scenario, load_scenario

REPO = Path(__file__).resolve().parents[1]
MODULE = REPO / "course" / "m1-roles"
FIRST = MODULE / "scenarios" / "first-contact.yaml"
CARE = MODULE / "scenarios" / "care-coordination.yaml"
QUIZ = MODULE / "quizzes" / "roles-self-check.yaml"
GUIDE = MODULE / "lecturer-guide.md"
ASSIGNMENT = "m1-roles-assessment"
MASTER = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m1-submissions"

RATIONALE = (
    "I chose this because the Care Act 2014 asks me to start from what Shona wants, involve "
    "her family and carers, and record my reasons clearly."
)
KEY_AREA = re.compile(r"key areas? [A-D]\b", re.IGNORECASE)
PCF_DOMAINS = (
    "professionalism",
    "values and ethics",
    "diversity",
    "rights, justice and economic wellbeing",
    "knowledge",
    "critical reflection and analysis",
    "skills and interventions",
    "contexts and organisations",
    "professional leadership",
)


def play(path: Path, *labels: str) -> Session:
    """Play ``path`` choosing, at each node, the one available choice whose label starts with
    the next prefix; a rationale is written wherever a node asks for one."""
    session = Session(load_scenario(path))
    for prefix in labels:
        matches = [i for i, c in session.available_choices() if c.label.startswith(prefix)]
        assert len(matches) == 1, (
            f"At node '{session.current.id}' expected one choice starting {prefix!r}; "
            f"available: {[c.label for _, c in session.available_choices()]}"
        )
        session.choose(matches[0], rationale=RATIONALE if session.needs_rationale else None)
    return session


# Stretches of the main case -------------------------------------------------------------
CAREFUL_START = ("Phone Shona today", "Start with Shona", "Ask her calmly", "Acknowledge Shona")
CAREFUL_MIDDLE = ("Tell Donna", "With her permission", "Make the case", "Explain honestly")
CAREFUL_END = (
    "Work through the areas",
    "Start from the presumption",
    "Offer a family group",
    "Review with Shona",
)


# --------------------------------------------------------------------------- the scenarios


@pytest.mark.parametrize("path", [FIRST, CARE], ids=["first-contact", "care-coordination"])
def test_does_each_m1_scenario_pass_the_checker(path):
    assert lint_scenario(path) == []


def test_is_the_first_contact_case_the_right_size():
    scenario = load_scenario(FIRST)
    assert 12 <= len(scenario.nodes) <= 14
    assert 4 <= len(scenario.endings) <= 7
    assert {"good", "acceptable", "poor", "unsafe", "unlawful"} <= {
        e.outcome for e in scenario.endings.values()
    }
    assert 3 <= sum(1 for n in scenario.nodes.values() if n.rationale) <= 5
    assert scenario.max_score == 4
    assert {
        "strengths_explored",
        "carer_identified",
        "children_considered",
        "care_act_assessment_offered",
        "trust",
        "case_closed_early",
    } <= set(scenario.state)


def test_is_going_back_allowed_only_at_the_first_two_steps():
    scenario = load_scenario(FIRST)
    assert scenario.allow_back is False
    assert {n.id for n in scenario.nodes.values() if n.allow_back} == {"referral", "first-visit"}


def test_is_the_care_coordination_case_long_enough():
    scenario = load_scenario(CARE)
    assert len(scenario.nodes) >= 6
    assert {"good", "unsafe"} <= {e.outcome for e in scenario.endings.values()}


@pytest.mark.parametrize("path", [FIRST, CARE], ids=["first-contact", "care-coordination"])
def test_does_every_node_and_ending_cite_the_law(path):
    scenario = load_scenario(path)
    for item in [*scenario.nodes.values(), *scenario.endings.values()]:
        assert item.law, f"{item.id} lists no law"
        assert all(re.search(r"\b(1[89]|20)\d\d\b", ref.act) and ref.section for ref in item.law)


def test_does_every_first_contact_debrief_name_a_key_area_a_pcf_domain_and_an_act():
    for ending in load_scenario(FIRST).endings.values():
        debrief = ending.debrief
        assert KEY_AREA.search(debrief), f"{ending.id}: debrief names no key area (A-D)"
        assert any(d in debrief.lower() for d in PCF_DOMAINS), f"{ending.id}: no PCF domain"
        assert re.search(r"Act\s+\d{4}", debrief), f"{ending.id}: debrief names no Act"


def test_does_every_care_coordination_debrief_name_a_pcf_domain_and_an_act():
    for ending in load_scenario(CARE).endings.values():
        assert any(d in ending.debrief.lower() for d in PCF_DOMAINS), ending.id
        assert re.search(r"Act\s+\d{4}", ending.debrief), ending.id


@pytest.mark.parametrize("path", [FIRST, CARE], ids=["first-contact", "care-coordination"])
def test_are_the_content_notes_brief_and_is_support_signposted(path):
    scenario = load_scenario(path)
    assert len(scenario.content_note) <= 400
    assert "116 123" in scenario.support and "course/README.md#support" in scenario.support


@pytest.mark.parametrize("path", [FIRST, CARE], ids=["first-contact", "care-coordination"])
def test_do_the_scenarios_avoid_outdated_law_and_terms_as_current(path):
    text = path.read_text(encoding="utf-8")
    for term in (
        "Approved Social Worker",
        " ASW",
        "General Social Care Council",
        "NHS and Community Care Act 1990",
        "Clinical Commissioning Group",
    ):
        assert term not in text, f"{path.name} uses the outdated term {term!r}"


def test_does_careful_practice_reach_the_whole_family_plan():
    session = play(FIRST, *CAREFUL_START, *CAREFUL_MIDDLE, *CAREFUL_END)
    assert session.ending.id == "whole-family-plan"
    assert session.ending.outcome == "good"
    assert session.trace()["ending"]["score"] == 4
    assert sum(1 for s in session.steps if s["rationale"]) == 4


def test_does_missing_the_carer_cost_the_good_ending():
    session = play(FIRST, *CAREFUL_START, "Thank Donna", *CAREFUL_MIDDLE[1:], *CAREFUL_END)
    assert session.ending.id == "plan-with-gaps"
    assert session.ending.outcome == "acceptable"


def test_does_closing_early_show_its_costs_and_end_poorly():
    session = play(
        FIRST,
        *CAREFUL_START[:3],
        "Leave it",
        "Thank Donna",
        "Note it for the GP",
        "Agree: close her",
    )
    assert session.current.id == "closure"
    text = session.text
    assert "possession" in text and "give up her job" in text and "school" in text
    session.choose(next(i for i, c in session.available_choices() if c.label.startswith("Advise")))
    assert session.ending.id == "closed-too-soon"
    assert session.ending.outcome == "poor"


def test_does_closing_without_asking_about_risk_end_unsafely():
    session = play(
        FIRST,
        "Phone Shona today",
        "Start with Shona",
        "Move on gently",
        "Acknowledge Shona",
        "Tell Donna",
        "With her permission",
        "Agree: close her",
        "Advise Donna",
    )
    assert session.ending.id == "unsafe-closure"
    assert session.ending.outcome == "unsafe"


def test_does_reopening_lead_back_to_the_work_but_not_to_the_best_ending():
    session = play(
        FIRST, *CAREFUL_START, *CAREFUL_MIDDLE[:2], "Agree: close her", "Reopen the case today"
    )
    assert session.current.id == "offer-assessment"
    assert session.state["reopened"] and session.state["risk_explored"]
    session = play(
        FIRST,
        *CAREFUL_START,
        *CAREFUL_MIDDLE[:2],
        "Agree: close her",
        "Reopen the case today",
        "Explain honestly",
        *CAREFUL_END,
    )
    assert session.ending.id == "plan-with-gaps"


def test_can_a_case_be_reopened_only_once():
    session = play(
        FIRST,
        "Send the standard letter",
        "Work through the trust",
        "Move on gently",
        "Leave it",
        "Thank Donna",
        "Note it for the GP",
        "Agree: close her",
        "Reopen the case today",
        "Explain honestly",
    )
    assert session.current.id == "refused-assessment"  # trust was too low to accept
    session.choose(next(i for i, c in session.available_choices() if c.label.startswith("Close")))
    labels = [c.label for _, c in session.available_choices()]
    assert not any(label.startswith("Reopen") for label in labels)


def test_does_low_trust_lead_to_a_refused_assessment_that_can_still_end_acceptably():
    session = play(
        FIRST,
        "Send the standard letter",
        "Work through the trust",
        "Ask her calmly",
        "Leave it",
        "Thank Donna",
        "Give her the number",
        "Make the case",
        "Explain honestly",
    )
    assert session.current.id == "refused-assessment"
    for label in (
        "Accept her decision",
        "Start from the presumption",
        "Leave family",
        "Review with Shona",
    ):
        session.choose(
            next(i for i, c in session.available_choices() if c.label.startswith(label)),
            rationale=RATIONALE if session.needs_rationale else None,
        )
    assert session.ending.id == "respected-refusal"
    assert session.ending.outcome == "acceptable"


def test_is_donna_never_recorded_as_offered_an_assessment_nobody_offered():
    """The refusal path once set `carer_identified` although nobody had told Donna of her rights."""
    path = (
        "Send the standard letter",
        "Work through the trust",
        "Ask her calmly",
        "Leave it",
        "Thank Donna",
        "Give her the number",
        "Make the case",
        "Explain honestly",
    )
    session = play(FIRST, *path)
    assert session.current.id == "refused-assessment"
    assert not session.state["carer_identified"]
    accept = [c for _, c in session.available_choices() if c.label.startswith("Accept")]
    assert len(accept) == 1 and "tell Donna she has a right" in accept[0].label
    for node in load_scenario(FIRST).nodes.values():
        for choice in node.choices:
            if choice.effects.set.get("carer_identified"):
                assert "Donna" in choice.label and "assessment" in choice.label, (
                    f"{node.id}: {choice.label!r} records an offer it does not make"
                )
                assert choice.when in (None, "not carer_identified"), node.id


@pytest.mark.parametrize(
    "path",
    [
        # assessed against her refusal, where s11(2) did not allow it
        ("Send the standard letter", "Work through the trust", "Ask her calmly", "Leave it",
         "Thank Donna", "Give her the number", "Make the case", "Explain honestly",
         "Carry out the assessment anyway", "Start from the presumption", "Offer a family group",
         "Review with Shona"),
        # turned away from an assessment on a guess about eligibility
        (*CAREFUL_START, *CAREFUL_MIDDLE, "Tell her that as she manages",
         "Start from the presumption", "Offer a family group", "Review with Shona"),
    ],
    ids=["refusal-overridden", "eligibility-guess"],
)
def test_does_an_unlawful_assessment_decision_end_unlawfully_and_score_little(path):
    from helpers.traces import score_trace

    session = play(FIRST, *path)
    assert session.ending.id == "duty-not-followed"
    assert session.ending.outcome == "unlawful"
    assert sum(1 for s in session.steps if s["rationale"]) == 4  # every reason written in full
    result = score_trace(session.trace(), FIRST)
    assert round(4 * result.points / result.max_points, 2) <= 1.0, (
        "an unlawful path must earn at most a quarter of the case marks"
    )


def test_does_a_child_protection_referral_on_diagnosis_alone_lose_shona():
    session = play(
        FIRST, *CAREFUL_START[:3], "Make a child protection referral", *CAREFUL_MIDDLE, *CAREFUL_END
    )
    assert session.state["heavy_handed"]
    assert session.ending.id == "support-fell-away"


def test_does_joined_up_care_coordination_reach_the_good_ending():
    session = play(
        CARE,
        "Read the whole file",
        "Ask Mick whether",
        "Help him renew",
        "Act today",
        "Ask Mick what he wants",
        "Listen, tell her",
        "Give a social",
    )
    assert session.ending.id == "joined-up-plan"
    assert session.ending.outcome == "good"


def test_does_ignoring_the_exploitation_end_unsafely():
    session = play(
        CARE,
        "Read the whole file",
        "Ask Mick whether",
        "Help him renew",
        "Act today",
        "Respect his wishes",
        "Listen, tell her",
        "Give a social",
    )
    assert session.ending.id == "harm-continues"
    assert session.ending.outcome == "unsafe"


def test_does_a_clinical_only_plan_end_poorly_even_with_safeguarding():
    session = play(
        CARE,
        "Book him into",
        "Talk in the living room",
        "Record",
        "Give him a food bank",
        "Ask Mick what he wants",
        "Ask her to visit",
        "Go along with",
    )
    assert session.ending.id == "clinical-only"


def test_does_acting_behind_micks_back_cost_the_good_ending():
    session = play(
        CARE,
        "Read the whole file",
        "Ask Mick whether",
        "Help him renew",
        "Act today",
        "Ring the police",
        "Listen, tell her",
        "Give a social",
    )
    assert session.ending.id == "partly-joined-up"


# --------------------------------------------------------------------------- quiz and guide


def test_is_the_self_check_quiz_complete():
    assert lint_quiz(QUIZ) == []
    quiz = load_quiz(QUIZ)
    assert 12 <= len(quiz.questions) <= 18
    for question in quiz.questions:
        assert question.source.strip()
        assert all(option.feedback.strip() for option in question.options)
    assert {q.type for q in quiz.questions} == {"single", "multiple"}


def test_does_the_quiz_cover_the_module_topics():
    text = QUIZ.read_text(encoding="utf-8")
    for needle in (
        "key area",
        "s9",
        "s10",
        "s11",
        "s42",
        "Mental Capacity Act 2005",
        "Professional Capabilities Framework",
        "001_",
        "003_",
        "004_",
        "000_",
        "002_",
    ):
        assert needle in text, f"the quiz never mentions {needle!r}"


def test_does_the_lecturer_guide_have_a_timed_plan_and_the_parts_of_a_seminar():
    guide = GUIDE.read_text(encoding="utf-8")
    for heading in (
        "## Session plan (2 hours)",
        "## Running a case in seminar mode",
        "## Debrief points",
        "## Common misconceptions",
        "## Sensitive content and supporting students",
    ):
        assert heading in guide
    assert "seminar=True" in guide and "116 123" in guide
    minutes = [int(m) for m in re.findall(r"^\| \d:\d\d \| (\d+) \|", guide, re.MULTILINE)]
    assert sum(minutes) == 120
    quiz_ids = {q.id for q in load_quiz(QUIZ).questions}
    for named in re.findall(r"`([a-z0-9-]+)`", guide.split("## Session plan")[1].split("##")[0]):
        if "-" in named:
            assert named in quiz_ids, (
                f"the guide names a quiz question {named!r} that does not exist"
            )
    assert "CC BY 4.0" in guide.splitlines()[-1]


# --------------------------------------------------------------------------- the assessment


def test_are_the_assessment_cells_marked_as_nbgrader_expects():
    nbformat = pytest.importorskip("nbformat")
    master = nbformat.read(MASTER, as_version=4)
    graded = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
        for c in master.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    assert {g: m["points"] for g, m in graded.items()} == {
        "q1-tests": 2,
        "q2-tests": 2,
        "q3-tests": 2,
        "q4-tests": 2,
        "q5-trace": 4,
        "q6-answer": 6,
    }
    ids = [c.metadata["nbgrader"]["grade_id"] for c in master.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    assert master.cells[0].source.startswith("# ") and "Learning outcomes" in master.cells[0].source
    assert "CC BY 4.0" in master.cells[-1].source
    assert all(not c.get("outputs") for c in master.cells if c.cell_type == "code")


def test_do_the_assessment_masters_hidden_answers_match_the_datasets():
    """Run Parts A and B of the master (answers, visible and hidden tests) on the current data."""
    nbformat = pytest.importorskip("nbformat")
    namespace: dict = {}
    for cell in nbformat.read(MASTER, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        if "play_scenario(" in cell.source:
            break  # Part C needs a trace: tested through the sample traces below
        exec(compile(cell.source, MASTER.name, "exec"), namespace)
    assert namespace["statutory_share"] == 80.6
    assert namespace["silent_groups"] == 4
    assert sorted(namespace["direct_time"]["estimate_id"]) == ["D2", "D3", "D5", "D6", "D8"]
    assert namespace["n_mental_health"] == 1


def test_is_the_release_free_of_solutions_and_hidden_tests():
    nbformat = pytest.importorskip("nbformat")
    released = nbformat.read(REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in released.cells)
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "80.6", '"D5", "D6"', "Marking guide"):
        assert secret not in text, f"the released notebook contains {secret!r}"
    assert not (REPO / "exercises" / ASSIGNMENT / "marking-guide.md").exists()


@pytest.mark.parametrize(
    ("folder", "ending", "mark"),
    [("good", "whole-family-plan", 4.0), ("weak", "closed-too-soon", 0.8)],
)
def test_do_the_sample_traces_score_as_the_marking_guide_says(folder, ending, mark):
    from helpers.traces import load_trace, score_trace

    trace = load_trace("m1-first-contact", SUBMISSIONS / folder)
    assert trace["ending"]["id"] == ending
    result = score_trace(trace, FIRST)
    assert round(4 * result.points / result.max_points, 2) == mark


# The round trip: release, submit the two samples, autograde, read the gradebook.
EXPECTED = {
    "good": {"q1-tests": 2.0, "q2-tests": 2.0, "q3-tests": 2.0, "q4-tests": 2.0, "q5-trace": 4.0},
    "weak": {"q1-tests": 0.0, "q2-tests": 2.0, "q3-tests": 0.0, "q4-tests": 0.0, "q5-trace": 0.8},
}


@pytest.fixture(scope="module")
def graded_samples(tmp_path_factory):
    pytest.importorskip("nbgrader")
    from helpers.grading._course import Course
    from helpers.grading.grade import grade_assignment
    from helpers.grading.release import release_assignment

    root = tmp_path_factory.mktemp("m1-course")
    shutil.copy2(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    course = Course.find(root)
    assert release_assignment(course, ASSIGNMENT) == []
    for folder in ("good", "weak"):
        target = root / "submitted" / f"sample-{folder}" / ASSIGNMENT
        shutil.copytree(SUBMISSIONS / folder, target)
        (target / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC", encoding="utf-8")
    run = grade_assignment(
        course, ASSIGNMENT, workers=2, timeout=20, memory_mb=1024, progress=False
    )
    return course, run


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["good", "weak"])
def test_do_the_sample_submissions_get_the_intended_autograded_marks(graded_samples, folder):
    course, run = graded_samples
    student = f"sample-{folder}"
    assert run.results[student].status in ("graded", "needs manual grading"), run.results[student]
    with course.gradebook() as gb:
        submission = gb.find_submission(ASSIGNMENT, student)
        grades = {g.name: g for nb in submission.notebooks for g in nb.grades}
    autograded = {name: round(g.auto_score, 2) for name, g in grades.items() if name != "q6-answer"}
    assert autograded == EXPECTED[folder]
    assert grades["q6-answer"].needs_manual_grade
    total = sum(EXPECTED[folder].values())
    assert total == pytest.approx(12.0 if folder == "good" else 2.8)
