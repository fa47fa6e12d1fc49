"""Content tests for module 3 (AMHP practice): its scenarios and its self-check quiz.

Each scenario is played through the engine along realistic paths to check that earlier
choices have the consequences the debriefs describe.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import _content as content
import pytest

from helpers.quizzes import lint_quiz, load_quiz
from helpers.scenarios import lint_scenario, load_scenario

MODULE = Path(__file__).resolve().parents[1] / "course" / "m3-amhp"
MHA = MODULE / "scenarios" / "mha-assessment.yaml"
S136 = MODULE / "scenarios" / "s136-place-of-safety.yaml"
NR_REQUEST = MODULE / "scenarios" / "nearest-relative-request.yaml"
QUIZ = MODULE / "quizzes" / "amhp-self-check.yaml"

RATIONALE = (
    "I chose this because the law and the 2015 Code ask me to involve Amina and her family, "
    "test the least restrictive option and record my reasons clearly for others."
)
CODE_PRINCIPLES = (
    "least restrictive option",
    "empowerment and involvement",
    "respect and dignity",
    "purpose and effectiveness",
    "efficiency and equity",
)

# Play a case along a path of choice-label prefixes, writing RATIONALE wherever one is asked.
play = functools.partial(content.play, rationale=RATIONALE)


# Reusable stretches of the main scenario -----------------------------------------------
GATHER_ALL = (
    "Accept the referral",
    "Read the records",
    "Note her crisis plan",
    "Phone her sister",
    "Abdi, her son",
    "Find out how Amina",
    "Book a professional",
    "You know enough",
    "Arrange a joint visit",
)
VISIT_WELL = (
    "Phone Abdi",
    "Ask Abdi to tell his mother",
    "Interview her in Somali",
    "Explore alternatives",
)
# An s2 application completed, with dignified travel and everyone informed
S2_DONE_WELL = ("Complete the application", "Book an ambulance", "Do all of it")
# Doctors booked first, the nearest relative left out, the interview in English
RUSHED = (
    "Book two doctors",
    "Arrange a joint visit",
    "Leave the nearest relative",
    "Ask Abdi to tell his mother",
    "Interview her in English",
    "Two doctors will sign",
)


ALL_CASES = pytest.mark.parametrize(
    "path", [MHA, S136, NR_REQUEST], ids=["mha-assessment", "s136", "nr-request"]
)


@ALL_CASES
def test_does_each_m3_scenario_pass_the_checker(path):
    assert lint_scenario(path) == []


def test_is_the_main_assessment_the_right_size():
    scenario = load_scenario(MHA)
    assert 17 <= len(scenario.nodes) <= 20
    assert 6 <= len(scenario.endings) <= 8
    outcomes = {e.outcome for e in scenario.endings.values()}
    assert {"good", "acceptable", "poor", "unsafe", "unlawful"} <= outcomes
    rationale_nodes = [n for n in scenario.nodes.values() if n.rationale]
    assert 3 <= len(rationale_nodes) <= 5
    assert scenario.max_score == 4


def test_is_going_back_allowed_only_while_gathering_information():
    scenario = load_scenario(MHA)
    assert scenario.allow_back is False
    back_nodes = {n.id for n in scenario.nodes.values() if n.allow_back}
    assert back_nodes == {"records", "family-call", "communication"}


def test_is_the_s136_case_long_enough():
    scenario = load_scenario(S136)
    assert len(scenario.nodes) >= 6
    assert {"good", "unlawful"} <= {e.outcome for e in scenario.endings.values()}


@ALL_CASES
def test_does_every_ending_debrief_name_the_law_and_a_code_principle(path):
    for ending in load_scenario(path).endings.values():
        assert ending.law, f"ending {ending.id} lists no law"
        assert all(ref.act and ref.section for ref in ending.law)
        debrief = ending.debrief.lower()
        assert re.search(r"act \d{4}", debrief), f"ending {ending.id}: debrief names no Act"
        assert any(p in debrief for p in CODE_PRINCIPLES), (
            f"ending {ending.id}: debrief names none of the 2015 Code principles"
        )


@ALL_CASES
def test_do_the_scenarios_avoid_outdated_terms_as_current(path):
    dated = ("Approved Social Worker", " ASW", "RMO", "sectioned", "Mental Health Review Tribunal")
    text = content.assert_no_dated_terms(path, dated)
    assert "72 hours" not in text or "before 11 December 2017" in text


HOME_PLAN = ("Offer Amina the home treatment plan", "Ask Dr Ellis to examine her now")
NOT_SAFE_AT_HOME = (
    "Judge home not safe enough",
    "Make an application for admission for assessment",
)


def test_does_careful_practice_reach_home_treatment():
    session = play(MHA, *GATHER_ALL, *VISIT_WELL, *HOME_PLAN, "Go ahead at home", "Write the plan")
    content.assert_ending(session, "home-treatment", "good")
    assert session.state["physical_checked"] is True
    assert session.trace()["ending"]["score"] == 4


def test_does_a_plan_at_home_wait_for_a_same_day_physical_check():
    session = play(
        MHA, *GATHER_ALL, *VISIT_WELL, "Offer Amina the home treatment plan", "Keep the blood tests"
    )
    assert session.current.id == "htt-plan", "tomorrow's blood tests must not be enough"
    assert "check her physical health at the flat today" in " ".join(
        load_scenario(MHA).nodes["alternatives"].text.split()
    )


def test_can_careful_practice_end_in_a_justified_s2_rated_as_highly_as_home_treatment():
    session = play(
        MHA,
        *GATHER_ALL,
        *VISIT_WELL,
        *HOME_PLAN,
        *NOT_SAFE_AT_HOME,
        *S2_DONE_WELL,
    )
    scenario = load_scenario(MHA)
    content.assert_ending(session, "s2-justified", "good")
    assert session.ending.score == scenario.endings["home-treatment"].score == scenario.max_score
    # The fork is the learner's judgement after the physical check, not the trust counter.
    fork = scenario.nodes["physical-check"]
    assert all(choice.when is None for choice in fork.choices)
    assert "trust" not in str([c.target for c in scenario.nodes["informing"].choices])


def test_does_a_police_van_keep_an_otherwise_careful_s2_from_the_top_endings():
    session = play(
        MHA,
        *GATHER_ALL,
        *VISIT_WELL,
        *HOME_PLAN,
        *NOT_SAFE_AT_HOME,
        "Complete the application",
        "Ask the police to take her",
        "Do all of it",
    )
    content.assert_ending(session, "s2-gaps")


def test_do_the_debriefs_claim_only_what_every_path_to_them_did():
    """A debrief must not tell the learner they did something their path did not include."""
    scenario = load_scenario(MHA)
    home = scenario.endings["home-treatment"].debrief
    assert "If you also read her crisis plan and consulted Abdi" in home
    assert "a consulted nearest relative" not in home
    informing = {c.label[:12]: c.target for c in scenario.nodes["informing"].choices}
    routes = {r.goto: r.when for r in informing["Do all of it"]}
    for claim in ("recorded", "interviewed_suitably", "dignified_travel"):
        assert claim in routes["s2-well"] and claim in routes["s2-justified"]
    assert "alternatives_explored" in routes["s2-well"]
    assert "nr_consulted" in routes["s2-justified"]


def test_does_a_delayed_referral_rule_out_home_treatment():
    session = play(
        MHA,
        "Tell the GP to send her to A&E",
        *GATHER_ALL[1:],
        *VISIT_WELL,
        "Offer Amina the home treatment plan",
    )
    assert session.current.id == "decision"
    assert session.state["risk_to_self"] == 3


def test_does_a_refused_alternative_lead_to_a_well_made_s2():
    session = play(
        MHA,
        *GATHER_ALL,
        "Phone Abdi",
        "Tell her through the door",  # trust falls, so home treatment is not accepted
        "Interview her in Somali",
        "Explore alternatives",
        "Offer Amina the home treatment plan",
        "Make an application for admission for assessment",
        *S2_DONE_WELL,
    )
    content.assert_ending(session, "s2-well", "acceptable")
    assert session.ending.score == 3


def test_does_an_s3_over_the_nearest_relatives_objection_end_unlawfully():
    session = play(
        MHA,
        *GATHER_ALL,
        *VISIT_WELL,
        "Offer informal admission only",
        "Make an application for admission for treatment",
        "Make the s3 application anyway",
    )
    content.assert_ending(session, "s3-objection", "unlawful")


def test_does_respecting_the_objection_allow_an_s2():
    session = play(
        MHA,
        *GATHER_ALL,
        *VISIT_WELL,
        "Offer informal admission only",
        "Make an application for admission for treatment",
        "Respect his objection",
        *S2_DONE_WELL,
    )
    content.assert_ending(session, "s2-well")


def test_does_treating_the_sister_as_nearest_relative_block_an_s3():
    session = play(
        MHA,
        "Book two doctors",
        "Arrange a joint visit",
        "Consult Hodan",
        "Ask Abdi to tell his mother",
        "Stop and get a professional",
        "Two doctors will sign",
        "Make an application for admission for treatment",
    )
    assert session.state["nr_wrong_person"] is True
    content.assert_ending(session, "s3-no-consult")


def test_does_an_interview_in_english_leave_the_application_open_to_challenge():
    session = play(MHA, *RUSHED, "Make an application for admission for assessment")
    content.assert_ending(session, "no-suitable-interview")
    # s13(2) asks for an interview "in a suitable manner", judged on the facts: no blanket
    # rule makes an interview without an interpreter unlawful.
    assert session.ending.outcome == "poor"
    assert "no blanket rule" in session.ending.debrief.lower()


def test_is_an_s3_without_consulting_the_nearest_relative_unlawful_whatever_the_interview():
    session = play(MHA, *RUSHED, "Make an application for admission for treatment")
    content.assert_ending(session, "s3-no-consult", "unlawful")


def test_must_the_amhp_interview_in_person_before_going_on():
    session = play(
        MHA, *GATHER_ALL, "Phone Abdi", "Ask Abdi to tell his mother", "Let the doctors examine"
    )
    assert session.current.id == "interview"


def test_do_gaps_in_recording_and_informing_give_the_poor_s2_ending():
    session = play(
        MHA,
        *GATHER_ALL,
        *VISIT_WELL,
        "Offer informal admission only",
        "Make an application for admission for assessment",
        "Sign the application now",
        "Book an ambulance",
        "Tell Amina the ward will explain",
    )
    content.assert_ending(session, "s2-gaps", "poor")


def test_does_not_applying_without_a_plan_end_unsafely():
    session = play(MHA, *GATHER_ALL, *VISIT_WELL, "Offer informal admission only", "Do not apply")
    content.assert_ending(session, "no-plan", "unsafe")


def test_must_a_wrong_nearest_relative_answer_be_tried_again():
    session = play(MHA, "Accept the referral", "Phone her sister", "Hodan, her sister")
    assert session.current.id == "family-call"
    assert session.can_go_back
    assert session.state["nr_identified"] is False


S136_TO_A_AND_E = ("Ask what he sees", "A&E at Westmoor General")
S136_TO_MORNING = ("Agree with the nurse in charge", "Arrange the assessment for 08:30")


def test_does_the_s136_case_reach_a_community_plan():
    session = play(
        S136,
        *S136_TO_A_AND_E,
        "After 72 hours",
        "At 23:40 tomorrow",
        *S136_TO_MORNING,
        "Interview her together",
        "Agree a plan with Jade",
    )
    content.assert_ending(session, "community-plan")
    assert session.trace()["ending"]["max_score"] == 3


def test_does_the_s136_case_punish_a_police_cell_and_a_missed_deadline():
    cell = play(S136, "Ask what he sees", "The custody suite")
    content.assert_ending(cell, "police-cell")
    late = play(
        S136,
        *S136_TO_A_AND_E,
        "At 23:40 tomorrow",
        "Insist that the police stay",
        "Hand it to the day team",
    )
    content.assert_ending(late, "time-limit", "unlawful")


def test_does_discharge_without_an_amhp_interview_leave_jade_without_a_plan():
    session = play(
        S136,
        *S136_TO_A_AND_E,
        "At 23:40 tomorrow",
        *S136_TO_MORNING,
        "Let the doctor assess her alone",
        "Agree a plan with Jade",
    )
    content.assert_ending(session, "discharged-alone")


# The nearest relative's request ----------------------------------------------------------
NR_TO_DECISION = ("Accept the request", "Arrange a visit", "Keep talking through the door")


def test_is_the_nearest_relative_case_short_and_complete():
    scenario = load_scenario(NR_REQUEST)
    assert 6 <= len(scenario.nodes) <= 9
    outcomes = [e.outcome for e in scenario.endings.values()]
    assert outcomes.count("good") >= 2 and {"poor", "unsafe", "unlawful"} <= set(outcomes)
    assert scenario.content_note.strip() and len(scenario.content_note) <= 400
    cited = {ref.section for node in scenario.nodes.values() for ref in node.law}
    assert {"13(4)", "135(1)", "135(2)", "135(4)", "140"} <= cited


def test_can_a_warrant_and_a_wait_for_a_bed_end_in_a_hard_but_good_admission():
    session = play(
        NR_REQUEST, *NR_TO_DECISION, "Apply under s3", "Do not complete", "See Daniel again"
    )
    content.assert_ending(session, "admitted-after-wait", "good")
    assert session.state["warrant"] and session.state["nr_consulted"]
    for section in ("s139", "s140", "s135(4)"):
        assert section in session.ending.debrief


def test_does_not_applying_need_written_reasons_for_the_nearest_relative():
    written = play(
        NR_REQUEST, *NR_TO_DECISION, "Do not apply: agree a plan", "Explain your decision"
    )
    content.assert_ending(written, "plan-with-written-reasons", "good")
    spoken = play(NR_REQUEST, *NR_TO_DECISION, "Do not apply: agree a plan", "Explain it to her")
    content.assert_ending(spoken, "reasons-not-written", "unlawful")
    assert "in writing" in spoken.ending.debrief


def test_do_shortcuts_when_there_is_no_bed_end_badly():
    to_bed = (*NR_TO_DECISION, "Apply under s3")
    assert play(NR_REQUEST, *to_bed, "Complete the application").ending.outcome == "unsafe"
    assert play(NR_REQUEST, *to_bed, "Ask the police to detain").ending.outcome == "unlawful"


def test_must_the_police_wait_for_a_warrant():
    session = play(NR_REQUEST, "Accept the request", "Arrange a visit", "Ask the police to force")
    assert session.current.id == "door"
    assert session.state["warrant"] is False


def test_is_passing_the_request_back_to_the_family_poor_practice():
    session = play(NR_REQUEST, "Tell her she has the right")
    assert session.ending.outcome == "poor"


def test_is_the_self_check_quiz_complete():
    quiz = content.assert_quiz_complete(QUIZ, 12, 16)
    assert {q.type for q in quiz.questions} == {"single", "multiple"}


def test_does_the_quiz_cover_the_module_topics():
    text = " ".join(f"{q.text} {q.source}" for q in load_quiz(QUIZ).questions).lower()
    for topic in (
        "approves",
        "professionals",
        "nearest relative",
        "s2",
        "s136",
        "code of practice",
        "mental health act 2025",
        "96%",
        "skills for care",
        "devon",
    ):
        assert topic in text, f"no quiz question covers {topic!r}"


# The assessed notebook -------------------------------------------------------------------
ASSESSMENT = Path(__file__).resolve().parents[1] / "solutions" / "m3-amhp-assessment"
SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m3-submissions"
MASTER = ASSESSMENT / "m3-amhp-assessment.ipynb"


def test_do_the_assessment_masters_hidden_answers_match_the_datasets():
    """Run Parts A and B of the master (answers and hidden tests) against the current data;
    Part C needs a trace and a running notebook and is tested through the traces below."""
    namespace = content.run_master_answers(MASTER)
    assert namespace["mhsds_change"] == 1761
    assert namespace["ratio_2022_23"] == 3.6
    assert namespace["lowest_detained_source"] == "police (s136)"


def test_are_the_assessment_cells_marked_as_nbgrader_expects():
    graded = content.assert_master_cells_marked(content.read_master(MASTER))
    assert sum(m["points"] for m in graded.values()) == 19


@pytest.mark.parametrize(("folder", "mark"), [("good", 4.0), ("weak", 1.0)])
def test_do_the_sample_traces_score_as_the_marking_guide_says(folder, mark):
    assert content.sample_trace_mark("m3-mha-assessment", SUBMISSIONS / folder, MHA)[1] == mark


def test_does_the_weak_samples_unlawful_path_earn_at_most_a_quarter_of_the_case_marks():
    from helpers.traces import load_trace, score_trace

    result = score_trace(load_trace("m3-mha-assessment", SUBMISSIONS / "weak"), MHA)
    assert result.ending_points == 0 and result.rationale_points == 3  # uncapped it would be 3/5
    assert result.points == 0.25 * result.max_points
    guide = (ASSESSMENT / "marking-guide.md").read_text(encoding="utf-8")
    assert "a quarter" in guide and "| 1.0 |" in guide


def test_does_question_2_ask_for_the_ratio_the_way_its_tests_check_it():
    text = "\n".join(c.source for c in content.read_master(MASTER).cells)
    assert "Divide the Black or Black British rate by the White rate" in text
    assert "1 decimal place" in text and "2 decimal" not in text
    assert "NotImplementedError" not in text
    assert "cap_unsafe=0.25" in text


# Citations students can follow -------------------------------------------------------------
SEED_OR_LINE = re.compile(r"\b00[0-4]_|\blines? \d|\(\d{3}, line|`00[0-4]")


def _visible(text: str) -> str:
    """Text a student sees: HTML comments (maintainers' line numbers) removed."""
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def _student_texts():
    nbformat = pytest.importorskip("nbformat")
    for path in sorted(MODULE.glob("*.ipynb")):
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "markdown":
                yield f"{path.name} cell {i}", _visible(cell.source)
    for path in (MODULE / "README.md", MODULE / "lecturer-guide.md"):
        yield path.name, _visible(path.read_text(encoding="utf-8"))
    for path in sorted(MODULE.glob("*/*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        visible = [line.split("  # ")[0] for line in lines if not line.lstrip().startswith("#")]
        yield path.name, "\n".join(visible)


def test_do_students_see_citations_they_can_follow():
    for where, text in _student_texts():
        match = SEED_OR_LINE.search(text)
        found = text[match.start() : match.start() + 40] if match else ""
        assert match is None, (
            f"{where}: cites a course file or a line number ({found!r}); "
            "cite author or body, year, title and section, and keep line numbers in an HTML "
            "or YAML comment for maintainers"
        )


def test_does_the_module_readme_list_public_references():
    readme = (MODULE / "README.md").read_text(encoding="utf-8")
    references = readme.split("## References", 1)[1]
    for needle in (
        "legislation.gov.uk/ukpga/1983/20",
        "legislation.gov.uk/uksi/2017/1036",
        "gov.uk/government/publications/code-of-practice-mental-health-act-1983",
        "digital.nhs.uk/data-and-information/publications/statistical/mental-health-act-statistics-annual-figures",
        "[2026] UKSC 16",
        "[2014] EWCA Civ 362",
        "No stable public link found",
    ):
        assert needle in references, f"the References section lacks {needle!r}"
    assert "Key Competence" in readme or "key competence areas" in readme


def test_does_the_lecturer_guide_teach_the_interview_test_not_a_blanket_rule():
    guide = (MODULE / "lecturer-guide.md").read_text(encoding="utf-8")
    assert "no interpreter makes any application unlawful" not in guide
    assert "judged on the facts" in guide and "s130D" in guide
    assert "reg. 4(1)(b)" in guide and "inspector" in guide


def test_does_the_mca_notebook_date_the_law_it_teaches():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(MODULE / "05-mca-and-mha.ipynb", as_version=4)
    text = " ".join(" ".join(c.source.split()) for c in nb.cells)
    for needle in (
        "[2026] UKSC 16",
        "2 June 2026",
        "Deprivation of Liberty Safeguards",
        "never brought into force",
        "18 October 2025",
        "s5(2)",
        "s5(4)",
        "s131(4)",
        "chapter 19",
        "play_quiz(QUIZ)",
    ):
        assert needle in text, f"notebook 5 lacks {needle!r}"
    assert lint_quiz(MODULE / "quizzes" / "mca-mha-interface.yaml") == []
