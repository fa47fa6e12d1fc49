"""Content tests for module 2 (integration): its cases, sorting activities, quiz, notebooks,
the quotations it takes from the source documents, and its assessed notebook.

The cases are played through the engine along realistic paths to check that earlier choices
have the consequences the debriefs describe.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import _content as content
import pytest
from _seeds import seed_lines_or_skip

from helpers.scenarios import lint_scenario, load_scenario
from helpers.sorting import load_sorting

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "course" / "m2-integration"
REVIEW = MODULE / "scenarios" / "mdt-review.yaml"
S75 = MODULE / "scenarios" / "s75-review.yaml"
QUIZ = MODULE / "quizzes" / "integration-self-check.yaml"
ATTRIBUTES = MODULE / "activities" / "partnership-attributes.yaml"
CHARACTERISTICS = MODULE / "activities" / "integration-characteristics.yaml"
ASSESSMENT = ROOT / "solutions" / "m2-integration-assessment"
SUBMISSIONS = Path(__file__).resolve().parent / "files" / "m2-submissions"

RATIONALE = (
    "I chose this because the law gives the council and the integrated care board duties to "
    "Joanne and her mother, and the team needs the whole picture to decide well."
)
POLICIES = (
    "community mental health framework",
    "statutory guidance",
    "social work for better mental health",
    "national guidance",
    "basw (2010",
)
PRINCIPLES = ("wellbeing principle", "professional standard", "integration does not mean")

# Play a case along a path of choice-label prefixes, writing RATIONALE wherever one is asked.
play = functools.partial(content.play, rationale=RATIONALE)


# The team review case --------------------------------------------------------------------
CAREFUL_START = (
    "Visit Joanne",
    "Ask her permission",
    "Offer Pat a carer's assessment",
    "Agree she is clinically well",
    "Explain that after-care lasts",
    "Say you will review",
    "Take it to professional supervision",
    "Agree, and ask Joanne",
    "Propose a step-down plan",
)


@pytest.mark.parametrize("path", [REVIEW, S75], ids=["mdt-review", "s75-review"])
def test_does_each_m2_scenario_pass_the_checker(path):
    assert lint_scenario(path) == []


def test_is_the_team_review_long_enough_with_endings_from_good_to_unlawful():
    scenario = load_scenario(REVIEW)
    assert len(scenario.nodes) >= 10
    outcomes = {e.outcome for e in scenario.endings.values()}
    assert {"good", "acceptable", "poor", "unsafe", "unlawful"} <= outcomes
    assert len([n for n in scenario.nodes.values() if n.rationale]) == 3
    assert scenario.max_score == 3
    assert scenario.content_note and len(scenario.content_note) <= 400


def test_does_the_organisational_case_rate_ending_the_agreement_as_good():
    scenario = load_scenario(S75)
    assert len(scenario.nodes) >= 6
    good = {e.id for e in scenario.endings.values() if e.outcome == "good"}
    assert good == {"renewed-with-safeguards", "ended-well"}
    assert "unsafe" in {e.outcome for e in scenario.endings.values()}


@pytest.mark.parametrize("path", [REVIEW, S75], ids=["mdt-review", "s75-review"])
def test_does_every_debrief_name_law_policy_and_a_principle(path):
    for ending in load_scenario(path).endings.values():
        assert ending.law and all(ref.act and ref.section for ref in ending.law), ending.id
        debrief = ending.debrief.lower()
        assert re.search(r"act \d{4}", debrief), f"ending {ending.id}: debrief names no Act"
        assert any(p in debrief for p in POLICIES), f"ending {ending.id}: no policy named"
        assert any(p in debrief for p in PRINCIPLES), f"ending {ending.id}: no principle named"


@pytest.mark.parametrize("path", [REVIEW, S75], ids=["mdt-review", "s75-review"])
def test_do_the_cases_avoid_dated_terms_as_current(path):
    dated = ("Primary Care Trust", " PCT", "clinical commissioning group", " CCG",
             "Approved Social Worker", "Payment by Results")
    text = content.assert_no_dated_terms(path, dated, ignore_case=True)
    if "Care Programme Approach" in text:
        assert "has gone" in text or "ended the CPA" in text, (
            f"{path.name} names the Care Programme Approach without saying it has ended"
        )


def test_does_careful_practice_reach_the_hard_but_good_ending():
    session = play(REVIEW, *CAREFUL_START, "Accept the decision", "Record the social formulation")
    content.assert_ending(session, "lawful-step-down", "good")
    # The panel's decision went against the social worker's six-month proposal, and it is
    # still the best ending: a hard but defensible outcome.
    panel = load_scenario(REVIEW).nodes["panel-decision"]
    assert any("not what you wanted" in extra.text for extra in panel.conditional_text)
    assert session.state["step_down"] is True
    assert session.trace()["ending"]["score"] == 3


def test_does_closing_s117_with_the_team_end_unlawfully_whatever_the_record():
    for record in ("Record the social formulation", 'Write "Discharged'):
        session = play(
            REVIEW,
            "Read the file carefully",
            "Thank her",
            "Say nothing",
            "Agree: discharge from the team ends",
            "Agree to give Joanne",
            "Let it go",
            "Agree to end all after-care",
            "Accept the decision",
            record,
        )
        assert session.state["s117_dropped"] is True
        content.assert_ending(session, "after-care-lost", "unlawful")


def test_does_silence_lead_to_the_generic_role():
    session = play(
        REVIEW,
        "Visit Joanne",
        "Note the housing date",
        "Thank her",
        "Say nothing",
        "Explain that after-care lasts",
        "Agree to give Joanne",
        "Let it go",
        "Propose keeping everything",
        "Accept the decision",
        "Record the social formulation",
    )
    content.assert_ending(session, "generic-role", "poor")


def test_does_dismissing_colleagues_rupture_the_team():
    session = play(
        REVIEW,
        "Visit Joanne",
        "Ask her permission",
        "Offer Pat",
        "Tell the team the medical model",
        "Explain that after-care lasts",
        "Say you will review",
        "Email the director",
        "Propose a step-down plan",
        "Tell the panel",
        "Record the social formulation",
    )
    assert session.state["team_trust"] <= 1
    content.assert_ending(session, "team-rupture")


def test_does_an_uninformed_discharge_end_unsafely():
    session = play(
        REVIEW,
        "Ask the consultant",
        "Thank her",
        "Agree she is clinically well",
        "Say you are not sure",
        "Agree to give Joanne",
        "Let it go",
        "Propose a step-down plan",
        "Accept the decision",
        'Write "Discharged',
    )
    content.assert_ending(session, "unsafe-discharge", "unsafe")


def test_does_a_gap_in_the_plan_give_the_acceptable_ending():
    session = play(
        REVIEW,
        *CAREFUL_START[:2],
        "Thank her",  # Pat is not offered a carer's assessment
        *CAREFUL_START[3:],
        "Accept the decision",
        "Record the social formulation",
    )
    content.assert_ending(session, "partial-plan", "acceptable")


def test_does_holding_on_to_everything_fall_short_of_the_best_ending():
    session = play(
        REVIEW,
        *CAREFUL_START[:-1],
        "Propose keeping everything",
        "Accept the decision",
        "Record the social formulation",
    )
    assert session.state["step_down"] is False
    content.assert_ending(session, "partial-plan")


# The section 75 case ------------------------------------------------------------------------
def test_does_evidence_and_conditions_lead_to_a_checked_renewal():
    session = play(
        S75,
        "Plan a review",
        "An audit of 30 case files",
        "Draft conditions",
        "Explain why professional supervision",
        "Recommend renewal on the new terms",
        "Recommend renewal on the agreed new terms",
    )
    content.assert_ending(session, "renewed-with-safeguards")


def test_does_a_refusal_lead_to_a_well_planned_ending_of_the_agreement():
    session = play(
        S75,
        "Plan a review",
        "An audit of 30 case files",
        "Draft conditions",
        "Tell him the council will walk away",
        "Take the answer",
        "Recommend ending the agreement",
        "Keep social workers co-located",
    )
    content.assert_ending(session, "ended-well", "good")


def test_is_renewal_on_new_terms_offered_only_when_the_trust_agreed():
    session = play(S75, "Plan a review", "A survey of social workers only", "Draft conditions",
                   "Explain why professional supervision", "Take the answer")
    labels = [c.label for _, c in session.available_choices()]
    assert not any(label.startswith("Recommend renewal on the agreed") for label in labels)


def test_do_the_poor_and_unsafe_organisational_endings_follow_from_their_choices():
    unchanged = play(S75, "Read the trust's quarterly", "Nothing more", "Conclude that",
                     "Accept one supervision", "Recommend renewal on the current terms")
    content.assert_ending(unchanged, "renewed-unchanged")
    abrupt = play(S75, "Plan a review", "An audit of 30 case files", "Conclude that",
                  "Accept one supervision", "Recommend ending", "Move all social workers")
    content.assert_ending(abrupt, "abrupt-withdrawal", "unsafe")
    early = play(S75, "Tell the director now", "A survey of social workers only", "Conclude",
                 "Accept one supervision", "Recommend ending", "Keep social workers co-located")
    content.assert_ending(early, "ended-without-evidence")


# Sorting activities ----------------------------------------------------------------------
def test_do_the_attribute_items_match_the_dataset(load):
    activity = load_sorting(ATTRIBUTES)
    data = load("partnership_attributes").set_index("attribute_id")
    assert len(activity.items) >= 10
    for item in activity.items:
        row = data.loc[int(item.id.removeprefix("a"))]
        assert item.categories == (item.categories[0],)
        level = {"between-organisations": "between organisations",
                 "within-the-team": "within the team",
                 "for-the-practitioner": "for the individual practitioner"}[item.categories[0]]
        assert str(row["level"]) == level, f"item {item.id} is coded {row['level']} in the data"
        first_line = re.search(r"\d+", str(row["source_lines"])).group()
        assert first_line in item.source, f"item {item.id} should cite line {first_line}"


def test_do_the_characteristics_match_the_dataset_and_the_distractors_are_not_listed(load):
    activity = load_sorting(CHARACTERISTICS)
    data = load("integrated_org_characteristics").set_index("characteristic_id")
    listed = [i for i in activity.items if i.id.startswith("c")]
    assert len(listed) == len(data) == 8
    for item in listed:
        assert str(data.loc[int(item.id[1:]), "dimension"]) == item.categories[0]
    distractors = [i for i in activity.items if i.id.startswith("x")]
    assert distractors and all(i.categories == ("not-listed",) for i in distractors)


# Quiz ---------------------------------------------------------------------------------------
def test_is_the_self_check_quiz_complete_and_on_topic():
    quiz = content.assert_quiz_complete(QUIZ, 12)
    text = " ".join(f"{q.text} {q.source}" for q in quiz.questions).lower()
    for topic in ("section 75", "s117", "care programme approach", "integrated care board",
                  "payment by results", "principal social worker", "consultation draft",
                  "social work for better mental health", "7.2"):
        assert topic in text, f"no quiz question covers {topic!r}"


# Quotations from the source documents ---------------------------------------------------------
# (seed file, line, words quoted in the module). Each quotation must be on that line of the
# seed and must appear in the module's text, so a student who follows a citation finds it.
BASW, TCSW, CSW, CSIP, TCRU = (
    "002_9a81c5450eb8a6e1.txt",
    "001_c023e8abb9917f2e.txt",
    "003_e7ab70de27f164c0.txt",
    "000_ad3e28551ab1ea7f.txt",
    "004_427684377df95b1f.txt",
)
QUOTES = [
    (BASW, 49, "gaps and fissures"),
    (BASW, 101, "Tensions between professions can be healthy"),
    (BASW, 136, "believing that one has the right to address certain client issues"),
    (BASW, 140, "developed from the disability rights movement"),
    (BASW, 140, "has been in some places reduced"),
    (BASW, 148, "a continuum of integration and collaboration"),
    (BASW, 155, "many, if not most, of the benefits"),
    (BASW, 155, "specifiable group of people with complex needs"),
    (BASW, 178, "Glendenning (2008)"),
    (BASW, 227, "more than care co-ordinators"),
    (BASW, 231, "all things to all people"),
    (BASW, 237, "homogenous beast"),
    (BASW, 268, "80 mental health social workers"),
    (BASW, 270, "17 nurses"),
    (BASW, 270, "was used for her statutory role"),
    (BASW, 272, "in line with the clinical supervision that the nurses received"),
    (BASW, 295, "control and inappropriate operating of authority"),
    (BASW, 295, "entirely positive"),
    (BASW, 295, "anecdotally"),
    (BASW, 305, "victims of their own success"),
    (BASW, 337, "is very variable"),
    (BASW, 358, "oversee section 75 agreements"),
    (BASW, 375, "Robust arrangements"),
    (BASW, 381, "not reliant on personalities"),
    (CSIP, 57, "Professional isolation in small teams is of some concern"),
    (TCRU, 359, "reluctant to voice their opinions"),
    (CSW, 157, "The first group of 96 recruits"),
    (CSW, 187, "Calderdale, Camden, Hertfordshire, Liverpool, Nottingham and Sheffield"),
    (CSW, 202, "A total of 15 partnerships"),
    (CSW, 202, "approximately £12million"),
    (TCSW, 126, "have been largely deployed within integrated services managed by NHS Trusts"),
    (TCSW, 126, "some local authorities have recently taken back direct management"),
    (TCSW, 126, "delivery of local authority legal duties"),
    (TCSW, 126, "drift in social work roles away from attention to social outcomes"),
    (TCSW, 263, "ensuring citizens have access to statutory social care and social work services"),
    (TCSW, 263, "in line with local and national social care and health outcomes frameworks"),
    (TCSW, 128, "NHS activities and data capture priorities"),
    (CSW, 155, "over 20 mental health trusts and local authorities"),
    (CSW, 675, "37,600"),
]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def _module_text() -> str:
    """Every notebook cell, YAML file and Markdown file of the module, as one string."""
    parts = []
    for path in sorted(MODULE.rglob("*")):
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            parts.extend("".join(cell["source"]) for cell in cells)
        elif path.suffix in {".yaml", ".md"}:
            parts.append(path.read_text(encoding="utf-8"))
    return _normalise(" ".join(parts))


@pytest.mark.parametrize(("seed", "line", "quote"), QUOTES,
                         ids=[f"{s[:3]}-L{n}-{q[:20]}" for s, n, q in QUOTES])
def test_is_each_quotation_on_its_cited_line_of_the_seed(seed, line, quote):
    lines = seed_lines_or_skip(seed)[seed]
    assert _normalise(quote) in _normalise(lines[line]), (
        f"{seed} line {line} does not say {quote!r}"
    )


def test_does_the_module_use_every_checked_quotation():
    text = _module_text()
    for _, _, quote in QUOTES:
        assert _normalise(quote) in text, f"the module no longer quotes {quote!r}: update QUOTES"


def test_do_the_maintainer_line_comments_point_at_the_right_lines():
    """Line references left for maintainers in the case files name lines that hold the words."""
    lines = seed_lines_or_skip("002_9a81c5450eb8a6e1.txt")["002_9a81c5450eb8a6e1.txt"]
    header = REVIEW.read_text(encoding="utf-8").split("kind:")[0]
    assert "L227 (\"more than care co-ordinators\")" in header
    assert "more than care co-ordinators" in lines[227]


# Notebooks and README ----------------------------------------------------------------------
def test_does_the_readme_list_notebooks_that_exist_and_only_those():
    readme = (MODULE / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((\d\d-[\w-]+\.ipynb)\)", readme))
    on_disk = {p.name for p in MODULE.glob("*.ipynb")}
    assert linked == on_disk and len(on_disk) == 4
    assert "## References" in readme
    for heading in ("Learning outcomes", "Notebooks and timings", "Datasets", "Content notes",
                    "Reuse notes"):
        assert f"## {heading}" in readme, f"README lacks the section {heading!r}"


@pytest.mark.parametrize("name", sorted(p.name for p in MODULE.glob("*.ipynb")))
def test_is_each_notebook_shaped_as_the_course_expects(name):
    notebook = json.loads((MODULE / name).read_text(encoding="utf-8"))
    cells = notebook["cells"]
    first, setup, last = ("".join(cells[i]["source"]) for i in (0, 1, -1))
    assert first.startswith("# ") and "Learning outcomes" in first and "Content note" in first
    assert "../README.md#support" in first
    assert setup.startswith("# Run this cell first") and "import *" not in setup
    assert "CC BY 4.0" in last
    minutes = int(re.search(r"about (\d+) minutes", first).group(1))
    assert 20 <= minutes <= 40
    assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code"), (
        f"{name} is committed with outputs: run nbstripout on it"
    )


def test_is_the_course_index_row_ready():
    index = (ROOT / "course" / "README.md").read_text(encoding="utf-8")
    row = next(line for line in index.splitlines() if "m2 Integration" in line)
    assert "m2-integration/README.md" in row and "ready" in row


# The assessed notebook -------------------------------------------------------------------
def test_do_the_assessment_masters_hidden_answers_match_the_datasets():
    """Run Part A of the master (answers and hidden tests) against the current data; Part B
    needs a trace and a running notebook and is tested through the samples."""
    namespace = content.run_master_answers(ASSESSMENT / "m2-integration-assessment.ipynb")
    assert namespace["n_trust_recs"] == 7
    assert namespace["top_level_72"] == "for the individual practitioner"
    assert namespace["pct_placeholder"] == 6.5


def test_are_the_assessment_cells_marked_as_nbgrader_expects():
    graded = content.assert_master_cells_marked(
        content.read_master(ASSESSMENT / "m2-integration-assessment.ipynb")
    )
    assert sum(m["points"] for m in graded.values()) == 18
    guide = (ASSESSMENT / "marking-guide.md").read_text(encoding="utf-8")
    for grade_id in graded:
        assert f"`{grade_id}`" in guide, f"the marking guide does not cover {grade_id}"


@pytest.mark.parametrize(("folder", "mark"), [("good", 4.0), ("weak", 1.0)])
def test_do_the_sample_traces_score_as_the_marking_guide_says(folder, mark):
    assert content.sample_trace_mark("m2-mdt-review", SUBMISSIONS / folder, REVIEW)[1] == mark
