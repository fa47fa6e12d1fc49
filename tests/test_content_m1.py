"""Content tests for module 1 (roles of social workers in mental health): its two scenarios,
its self-check quiz and its assessed notebook, including a round trip of two sample submissions.

The scenarios are played through the engine along realistic paths, to check that earlier
choices have the consequences the debriefs describe.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import _content as content
import pytest
from _roundtrip import assert_sample_marks, graded_samples

from helpers.quizzes import load_quiz
from helpers.scenarios import lint_scenario, load_scenario

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

# Play a case along a path of choice-label prefixes, writing RATIONALE wherever one is asked.
play = functools.partial(content.play, rationale=RATIONALE)


# Stretches of the main case -------------------------------------------------------------
CAREFUL_START = ("Phone Shona today", "Start with Shona", "Ask her calmly", "Acknowledge Shona")
CAREFUL_MIDDLE = ("Tell Donna", "With her permission", "Make the case", "Explain honestly")
CAREFUL_END = (
    "Work through the areas",
    "Start from the presumption",
    "Offer a family group",
    "Review with Shona",
)
# Risk passed over at the first visit
QUIET_START = ("Phone Shona today", "Start with Shona", "Move on gently", "Acknowledge Shona")
# Closed in supervision without asking about risk
CLOSED_IN_SUPERVISION = (*QUIET_START, *CAREFUL_MIDDLE[:2], "Agree: close her", "Advise Donna")
# A standard letter, risk asked about, Donna's role missed: Shona refuses the assessment
TO_REFUSAL = (
    "Send the standard letter",
    "Work through the trust",
    "Ask her calmly",
    "Leave it",
    "Thank Donna",
    "Give her the number",
    "Make the case",
    "Explain honestly",
)
# The care-coordination case, done carefully up to Mick's choice about the exploitation
CARE_START = ("Read the whole file", "Ask Mick whether", "Help him renew", "Act today")
CARE_END = ("Listen, tell her", "Give a social")


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
    content.assert_no_dated_terms(
        path,
        (
            "Approved Social Worker",
            " ASW",
            "General Social Care Council",
            "NHS and Community Care Act 1990",
            "Clinical Commissioning Group",
        ),
    )


def test_does_careful_practice_reach_the_whole_family_plan():
    session = play(FIRST, *CAREFUL_START, *CAREFUL_MIDDLE, *CAREFUL_END)
    content.assert_ending(session, "whole-family-plan", "good")
    assert session.trace()["ending"]["score"] == 4
    assert sum(1 for s in session.steps if s["rationale"]) == 4


def test_does_missing_the_carer_cost_the_good_ending():
    session = play(FIRST, *CAREFUL_START, "Thank Donna", *CAREFUL_MIDDLE[1:], *CAREFUL_END)
    content.assert_ending(session, "plan-with-gaps", "acceptable")


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
    content.assert_ending(session, "closed-too-soon", "poor")


def test_does_closing_without_asking_about_risk_end_unsafely():
    content.assert_ending(play(FIRST, *CLOSED_IN_SUPERVISION), "unsafe-closure", "unsafe")


def test_does_reopening_lead_back_to_the_work_but_not_to_the_best_ending():
    reopened = (*CAREFUL_MIDDLE[:2], "Agree: close her", "Reopen the case today")
    session = play(FIRST, *CAREFUL_START, *reopened)
    assert session.current.id == "offer-assessment"
    assert session.state["reopened"] and session.state["risk_explored"]
    session = play(FIRST, *CAREFUL_START, *reopened, "Explain honestly", *CAREFUL_END)
    content.assert_ending(session, "plan-with-gaps")


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
    assert play(FIRST, *TO_REFUSAL).current.id == "refused-assessment"
    accepted = ("Accept her decision", "Start from the presumption", "Leave family")
    session = play(FIRST, *TO_REFUSAL, *accepted, "Review with Shona")
    content.assert_ending(session, "respected-refusal", "acceptable")


def test_is_donna_never_recorded_as_offered_an_assessment_nobody_offered():
    """The refusal path once set `carer_identified` although nobody had told Donna of her rights."""
    session = play(FIRST, *TO_REFUSAL)
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
        (*TO_REFUSAL, "Carry out the assessment anyway", *CAREFUL_END[1:]),
        # turned away from an assessment on a guess about eligibility
        (*CAREFUL_START, *CAREFUL_MIDDLE, "Tell her that as she manages", *CAREFUL_END[1:]),
    ],
    ids=["refusal-overridden", "eligibility-guess"],
)
def test_does_an_unlawful_assessment_decision_end_unlawfully_and_score_little(path):
    from helpers.traces import score_trace

    session = play(FIRST, *path)
    content.assert_ending(session, "duty-not-followed", "unlawful")
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
    content.assert_ending(session, "support-fell-away")


def test_does_joined_up_care_coordination_reach_the_good_ending():
    session = play(CARE, *CARE_START, "Ask Mick what he wants", *CARE_END)
    content.assert_ending(session, "joined-up-plan", "good")


def test_does_ignoring_the_exploitation_end_unsafely():
    session = play(CARE, *CARE_START, "Respect his wishes", *CARE_END)
    content.assert_ending(session, "harm-continues", "unsafe")


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
    content.assert_ending(session, "clinical-only")


def test_does_acting_behind_micks_back_cost_the_good_ending():
    session = play(CARE, *CARE_START, "Ring the police", *CARE_END)
    content.assert_ending(session, "partly-joined-up")


# --------------------------------------------------------------------------- quiz and guide


def test_is_the_self_check_quiz_complete():
    quiz = content.assert_quiz_complete(QUIZ, 12, 18)
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
    master = content.read_master(MASTER)
    graded = content.assert_master_cells_marked(master)
    assert {g: m["points"] for g, m in graded.items()} == {
        "q1-tests": 2,
        "q2-tests": 2,
        "q3-tests": 2,
        "q4-tests": 2,
        "q5-trace": 4,
        "q6-answer": 6,
    }
    assert all(not c.get("outputs") for c in master.cells if c.cell_type == "code")


def test_do_the_assessment_masters_hidden_answers_match_the_datasets():
    """Run Parts A and B of the master (answers, visible and hidden tests) on the current data;
    Part C needs a trace and is tested through the sample traces below."""
    namespace = content.run_master_answers(MASTER)
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
    trace, case_mark = content.sample_trace_mark("m1-first-contact", SUBMISSIONS / folder, FIRST)
    assert trace["ending"]["id"] == ending
    assert case_mark == mark


# The round trip: release, submit the two samples, autograde, read the gradebook.
EXPECTED = {
    "good": {"q1-tests": 2.0, "q2-tests": 2.0, "q3-tests": 2.0, "q4-tests": 2.0, "q5-trace": 4.0},
    "weak": {"q1-tests": 0.0, "q2-tests": 2.0, "q3-tests": 0.0, "q4-tests": 0.0, "q5-trace": 0.8},
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    students = [f"sample-{folder}" for folder in EXPECTED]
    return graded_samples(tmp_path_factory, ASSIGNMENT, SUBMISSIONS, students)


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["good", "weak"])
def test_do_the_sample_submissions_get_the_intended_autograded_marks(graded, folder):
    student = f"sample-{folder}"
    assert_sample_marks(graded, ASSIGNMENT, student, EXPECTED[folder], ("q6-answer",))
    total = sum(EXPECTED[folder].values())
    assert total == pytest.approx(12.0 if folder == "good" else 2.8)


# --------------------------------------------------------------------------- review fixes
# Findings of the independent review of module 1, and the same kind of error looked for
# everywhere in the module.

NOTEBOOKS = sorted(MODULE.glob("*.ipynb"))
ACTIVITY = MODULE / "activities" / "key-areas.yaml"
README = MODULE / "README.md"
MARKING_GUIDE = REPO / "solutions" / ASSIGNMENT / "marking-guide.md"


def markdown_of(path: Path) -> str:
    """All cell text of a notebook, with line breaks and runs of spaces read as one space."""
    nbformat = pytest.importorskip("nbformat")
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    return " ".join(text.split())


def text_of(path: Path) -> str:
    """A notebook's or a text file's words, with wrapped lines joined."""
    if path.suffix == ".ipynb":
        return markdown_of(path)
    return " ".join(path.read_text(encoding="utf-8").split())


def test_does_no_quiz_say_the_2006_respondents_were_not_individual_social_workers():
    text = QUIZ.read_text(encoding="utf-8").lower()
    assert "not individual social workers" not in text
    question = next(q for q in load_quiz(QUIZ).questions if q.id == "answers-not-people")
    wrong = next(o for o in question.options if o.text.startswith("Social workers"))
    assert "individual staff" in wrong.feedback and "ASWs and social workers" in wrong.feedback


@pytest.mark.parametrize("path", [QUIZ, *NOTEBOOKS], ids=lambda p: p.name)
def test_are_the_development_centres_given_five_to_eight_answers_not_eight(path):
    text = text_of(path)
    assert "8 answers per question" not in text and "eight answers per question" not in text
    if "development centres" in text and "answers" in text and path.name.startswith("03"):
        assert "between 5 and 8 answers" in text and "78 in all" in text


@pytest.mark.parametrize(
    "path",
    [ACTIVITY, QUIZ, README, MODULE / "02-four-key-areas.ipynb", GUIDE],
    ids=lambda p: p.name,
)
def test_does_every_text_on_deprivation_of_liberty_give_the_2026_law(path):
    text = text_of(path)
    assert "[2026] UKSC 16" in text, f"{path.name}: name the Supreme Court's 2026 judgment"
    assert "Cheshire West" in text
    if path in (ACTIVITY, QUIZ, README, MODULE / "02-four-key-areas.ipynb"):
        assert "multi-factorial" in text
        assert "October 2025" in text, f"{path.name}: date the announced LPS consultation"


def test_is_the_acid_test_never_taught_as_current():
    question = next(q for q in load_quiz(QUIZ).questions if q.id == "dols-2026")
    acid = next(o for o in question.options if "always deprived" in o.text)
    assert not acid.correct and "overruled" in acid.feedback


@pytest.mark.parametrize(
    "path",
    [ACTIVITY, QUIZ, README, GUIDE, FIRST, CARE, MASTER, MARKING_GUIDE, *NOTEBOOKS[:2]],
    ids=lambda p: p.name,
)
def test_is_the_2013_framework_taught_as_a_superseded_draft(path):
    """Wherever areas A-D are taught or assessed, the text says they come from a draft that the
    2014 final paper (five areas, adding promoting recovery) replaced."""
    text = text_of(path)
    assert "draft" in text, f"{path.name}: say the key areas come from a consultation draft"
    assert "2014" in text, f"{path.name}: say when the final paper came out"
    assert re.search(r"recovery", text, re.IGNORECASE), f"{path.name}: name the fifth area"
    assert re.search(r"five (key )?areas|five\*\* areas|\*\*five\*\*", text), (
        f"{path.name}: say the final paper has five areas"
    )


def test_does_the_first_contact_case_say_its_key_areas_are_the_drafts():
    scenario = load_scenario(FIRST)
    assert any("superseded" in outcome for outcome in scenario.learning_outcomes)
    for ending in scenario.endings.values():
        if KEY_AREA.search(ending.debrief):
            assert "draft" in ending.debrief, f"{ending.id}: the key areas are the 2013 draft's"


def test_does_the_sorting_activity_say_the_draft_is_superseded():
    from helpers.sorting import load_sorting

    activity = load_sorting(ACTIVITY)
    assert "superseded" in activity.instructions and "five areas" in activity.instructions
    assert any("Superseded" in source for source in activity.sources)


# Students cite as people do: author or body, year, section. A bare course file and line
# ("`004_…`, line 43", "001 line 128") is for maintainers (YAML source fields, comments, data).
BARE_CITATION = re.compile(
    r"`?00[0-4]_(?:…|\.\.\.|[0-9a-f]{16}\.txt)`?,? lines? \d|\b00[0-4],? lines? \d|\(line \d"
)


@pytest.mark.parametrize("path", [*NOTEBOOKS, README, GUIDE, MASTER], ids=lambda p: p.name)
def test_does_student_facing_text_cite_sources_people_can_follow(path):
    if path.suffix == ".ipynb":
        nbformat = pytest.importorskip("nbformat")
        text = "\n".join(
            c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
        )
    else:
        text = path.read_text(encoding="utf-8")
        if path == README:  # the course-file table is for maintainers and partners
            text = text.split("## Sources and what has changed")[0]
    found = BARE_CITATION.findall(text)
    assert not found, f"{path.name} cites by file and line only: {found[:3]}"


@pytest.mark.parametrize("path", [FIRST, CARE], ids=["first-contact", "care-coordination"])
def test_do_the_cases_cite_sources_people_can_follow(path):
    scenario = load_scenario(path)
    texts = [n.text for n in scenario.nodes.values()]
    texts += [c.feedback for n in scenario.nodes.values() for c in n.choices]
    texts += [e.debrief for e in scenario.endings.values()]
    for text in texts:
        found = BARE_CITATION.findall(text)
        assert not found, f"{path.name} cites by file and line only: {found[:3]}"


def test_do_quiz_feedback_and_sources_cite_public_sources_not_course_notes():
    for question in load_quiz(QUIZ).questions:
        assert "notes" not in question.source.lower(), f"{question.id}: cite a public source"
        assert "Seed README" not in question.source, question.id
        for option in question.options:
            assert not BARE_CITATION.findall(option.feedback), f"{question.id}: {option.text}"
        if re.search(r"00[0-4]_", question.source):
            assert re.search(r"\(\d{4}", question.source), (
                f"{question.id}: give author or body and year before the course file"
            )


def test_is_the_more_than_care_coordinators_quotation_cited_at_its_line():
    from _seeds import seed_lines_or_skip

    seed = seed_lines_or_skip("002_9a81c5450eb8a6e1.txt")["002_9a81c5450eb8a6e1.txt"]
    assert "more than care co-ordinators" in seed[227]
    for path in (QUIZ, CARE, GUIDE):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"002[^\n]{0,40}\b22[46]\b", text), f"{path.name}: it is line 227"
    question = next(q for q in load_quiz(QUIZ).questions if q.id == "more-than-care-coordinators")
    assert "lines 227-231" in question.source


def test_is_suicide_risk_tied_to_mental_health_wellbeing_not_to_abuse():
    """Care Act 2014 s1(2)(b) is physical and mental health and emotional wellbeing; (c) is
    protection from abuse and neglect."""
    ending = load_scenario(FIRST).endings["unsafe-closure"]
    assert "s1(2)(b)" in ending.debrief and "s1(2)(c)" not in ending.debrief
    for path in [*MODULE.rglob("*.yaml"), *MODULE.glob("*.md"), *NOTEBOOKS]:
        text = path.read_text(encoding="utf-8")
        assert "1(2)(c)" not in text or "abuse" in text, path.name


def test_is_imha_information_never_cited_to_section_132():
    for path in [*MODULE.rglob("*.yaml"), *MODULE.glob("*.md"), *NOTEBOOKS, MASTER]:
        text = path.read_text(encoding="utf-8")
        if "IMHA" in text or "independent mental health advocate" in text.lower():
            assert "s132" not in text and "section 132" not in text, path.name


def test_is_the_care_programme_approach_dated():
    text = markdown_of(MODULE / "01-what-mhsw-is-for.ipynb")
    assert "Care Programme Approach" in text
    assert "Community Mental Health Framework" in text and "2021" in text


def test_does_notebook_01_promise_as_many_examples_as_it_gives():
    text = markdown_of(MODULE / "01-what-mhsw-is-for.ipynb")
    assert "describe three examples of strengths-based practice" in text
    assert "Three examples from the report:" in text


def test_is_one_set_of_pcf_domain_names_used():
    """The course uses BASW's 2018 names; the 2012 names appear only where the 2013 draft is
    described as using them."""
    for path in (FIRST, CARE, GUIDE, MARKING_GUIDE):
        text = path.read_text(encoding="utf-8")
        assert "Intervention and skills" not in text or "2012" in text, path.name
        assert "Skills and interventions" in text, path.name
    readme = README.read_text(encoding="utf-8")
    assert "| 7 | Skills and interventions | Intervention and skills" in readme
    assert "| 3 | Diversity and equality | Diversity |" in readme
    assert "7 Intervention and skills" not in readme


def test_is_the_self_check_quiz_in_notebook_04():
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(MODULE / "04-how-social-workers-spend-time.ipynb", as_version=4)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert any('play_quiz("quizzes/roles-self-check.yaml")' in c for c in code)
    assert any("play_quiz" in c and "import" in c for c in code[:1])
    others = [markdown_of(p) for p in NOTEBOOKS if not p.name.startswith("04")]
    assert not any('play_quiz("quizzes/roles-self-check.yaml")' in t for t in others)


@pytest.mark.parametrize(
    "path",
    [
        # closed in supervision without asking about risk: three rationales
        (
            "Phone Shona today",
            "Start with Shona",
            "Move on gently",
            "Acknowledge Shona",
            "Tell Donna",
            "With her permission",
            "Agree: close her",
            "Advise Donna",
        ),
        # everything done but risk, then closed at the review: four rationales
        (
            "Phone Shona today",
            "Start with Shona",
            "Move on gently",
            "Acknowledge Shona",
            *CAREFUL_MIDDLE,
            "Work through the areas",
            "Start from the presumption",
            "Offer a family group",
            "Close the case by letter",
        ),
    ],
    ids=["closed-in-supervision", "closed-at-review"],
)
def test_does_an_unsafe_ending_earn_at_most_a_quarter_of_the_case_marks(path):
    from helpers.traces import score_trace

    session = play(FIRST, *path)
    assert session.ending.outcome == "unsafe"
    asked = sum(1 for s in session.steps if s["rationale"])
    result = score_trace(session.trace(), FIRST)
    assert result.rationale_points == asked  # every reason written in full ...
    assert round(4 * result.points / result.max_points, 2) == 1.0  # ... and still capped
    assert any("capped" in reason for reason in result.reasons)


def test_do_the_notebook_and_the_marking_guide_explain_the_cap():
    master = markdown_of(MASTER)
    assert "unsafe" in master and "unlawful" in master and "at most a quarter" in master
    guide = MARKING_GUIDE.read_text(encoding="utf-8")
    assert "cap_unsafe" in guide and "at most a quarter" in guide
    assert "| 1.0 (capped; 2.4 uncapped) |" in guide
    assert "(unsafe) | 3 of 3 | 2.4 |" not in guide
    released = markdown_of(REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert "at most a quarter of the case marks" in released
