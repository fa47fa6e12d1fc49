"""Content tests for module 4 (Evidence): scenarios, appraisals, quiz, notebooks, assessment.

Each scenario is played through the engine along realistic paths to check that earlier
choices have the consequences the debriefs describe; figures the module quotes are checked
against the source documents' lines and the course datasets.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import _content as content
import pytest
from _seeds import seed_lines_or_skip

from helpers.checks import check_paths
from helpers.scenarios import lint_scenario, load_scenario
from helpers.traces import score_trace

REPO = Path(__file__).resolve().parents[1]
MODULE = REPO / "course" / "m4-evidence"
MEETING = MODULE / "scenarios" / "team-meeting.yaml"
ADOPT = MODULE / "scenarios" / "adopt-intervention.yaml"
QUIZ = MODULE / "quizzes" / "evidence-self-check.yaml"
MASTER = REPO / "solutions" / "m4-evidence-assessment" / "m4-evidence-assessment.ipynb"
NOTEBOOKS = sorted(MODULE.glob("[0-9][0-9]-*.ipynb"))

REASON = (
    "I weighed the research figure against our own data, what people who use the service told "
    "us and a colleague's practice knowledge, and recorded what would change the decision."
)

MEETING_CAREFUL = (
    "Ask where the 15%",
    "Tell the team what the 15%",
    "Explain that the two-thirds",
    "Look at the team's own data",
    "Ask Jo and the forum",
    "Treat it as practice knowledge",
    "Support it, on conditions",
    "Offer to draft",
    "Also ask people",
    "Read out the minute",
)
ADOPT_CAREFUL = (
    "Read the report properly",
    "Start from Northvale's problem",
    "Ask what happened to similar people",
    "Note the interest",
    "Search for independent evaluations",
    "Thank him",
    "Ask the council's lived-experience",
    "Advise against closing",
)
# The figure taken on trust and nobody's view sought (meeting); a trial recommended (adoption)
FIGURE_TAKEN = ("Say the figure is probably right", "Say nothing")
TRIAL = ("Recommend a small, time-limited trial", "Submit the advice")
# Leaving the equality check to the trust and counting appointments, then the minute
NO_CHECK_END = ("Leave it to the trust", "Appointments per worker", "Read out the minute")

# Play a case along a path of choice-label prefixes, writing REASON wherever one is asked.
play = functools.partial(content.play, rationale=REASON)


# --- the scenarios -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [MEETING, ADOPT], ids=["team-meeting", "adopt-intervention"])
def test_does_each_m4_scenario_pass_the_checker(path):
    assert lint_scenario(path) == []


@pytest.mark.parametrize("path", [MEETING, ADOPT], ids=["team-meeting", "adopt-intervention"])
def test_is_each_scenario_big_enough_with_graded_endings(path):
    scenario = load_scenario(path)
    assert len(scenario.nodes) >= 10
    outcomes = [e.outcome for e in scenario.endings.values()]
    assert {"good", "acceptable", "poor", "unsafe"} <= set(outcomes)
    assert sum(1 for n in scenario.nodes.values() if n.rationale) >= 3


@pytest.mark.parametrize("path", [MEETING, ADOPT], ids=["team-meeting", "adopt-intervention"])
def test_does_every_debrief_name_the_evidence_principle_at_stake(path):
    for ending in load_scenario(path).endings.values():
        assert "**The principle:" in ending.debrief, f"{ending.id}: no principle named"
        assert ending.law, f"{ending.id}: lists no law"


@pytest.mark.parametrize("path", [MEETING, ADOPT], ids=["team-meeting", "adopt-intervention"])
def test_are_the_people_in_each_case_said_to_be_fictional(path):
    scenario = load_scenario(path)
    assert "fictional" in scenario.setting.lower()
    assert any("fictional" in s for s in scenario.sources)


def test_does_careful_practice_reach_the_pilot_with_safeguards():
    session = play(MEETING, *MEETING_CAREFUL)
    content.assert_ending(session, "pilot-with-safeguards", "good")
    assert score_trace(session.trace(), MEETING).points == 5


def test_is_backing_the_managers_change_a_good_ending():
    """The hard-but-defensible ending: the evidence reasonably supports the change."""
    session = play(
        MEETING,
        *FIGURE_TAKEN,
        "Explain that the two-thirds",
        "Look at the team's own data",
        "Ask Jo and the forum",
        "Say that one story",
        "Support it, on conditions",
        "Offer to draft",
        "Appointments per worker",
        "Read out the minute",
    )
    content.assert_ending(session, "change-accepted", "good")
    assert "evidence can support a change you would rather not make" in session.ending.debrief


def test_does_averaging_the_figures_end_with_the_wrong_number():
    session = play(
        MEETING,
        "Ask where the 15%",
        "Say the studies disagree",
        "Suggest averaging",
        "Look at the team's own data",
        "Leave it",
        "Treat it as practice knowledge",
        "Support it, on conditions",
        "Leave it to the trust",
        "Also ask people",
        "Read out the minute",
    )
    content.assert_ending(session, "wrong-number", "poor")


def test_does_opposing_every_change_without_local_data_end_in_stalemate():
    session = play(
        MEETING,
        "Say that research cannot tell",
        "Tell the team what the 15%",
        "Agree with Sam",
        "Rely on what everyone",
        "Leave it",
        "Say Priya's story settles it",
        "Oppose it",
        *NO_CHECK_END,
    )
    content.assert_ending(session, "stalemate")


def test_is_a_blanket_cut_without_an_equality_check_unsafe_and_capped():
    session = play(
        MEETING,
        *FIGURE_TAKEN,
        "Suggest averaging",
        "Rely on what everyone",
        "Leave it",
        "Say that one story",
        "Suggest going further",
        *NO_CHECK_END,
    )
    content.assert_ending(session, "missed-signs", "unsafe")
    result = score_trace(session.trace(), MEETING)
    assert result.points <= 0.25 * result.max_points


def test_does_a_blanket_cut_after_an_equality_check_end_poorly_not_unsafely():
    session = play(
        MEETING,
        *MEETING_CAREFUL[:6],
        "Suggest going further",
        "Offer to draft",
        "Also ask people",
        "Read out the minute",
    )
    content.assert_ending(session, "blanket-cut", "poor")


@pytest.mark.parametrize(
    "recommendation",
    ["Recommend a small, time-limited trial", "Recommend not buying BridgeWays now"],
)
def test_are_a_trial_and_declining_both_good_after_careful_appraisal(recommendation):
    session = play(ADOPT, *ADOPT_CAREFUL, recommendation, "Submit the advice")
    content.assert_ending(session, "trial-or-decline", "good")


def test_does_being_swayed_by_the_testimony_buy_on_a_story():
    session = play(
        ADOPT,
        "Say it sounds strong",
        "Start from the programme",
        "Accept the 60%",
        "It does not matter",
        "Use the company's list",
        "Say that his story shows",
        "Mr Okafor has spoken",
        "Advise against closing",
        *TRIAL,
    )
    content.assert_ending(session, "bought-on-a-story", "poor")


def test_does_dismissing_lived_experience_cost_the_ending():
    session = play(
        ADOPT,
        *ADOPT_CAREFUL[:5],
        "Point out that testimonies are anecdotes",
        "Ask the council's lived-experience",
        "Advise against closing",
        *TRIAL,
    )
    content.assert_ending(session, "evidence-without-people")


def test_does_closing_the_drop_in_end_unsafely():
    session = play(
        ADOPT,
        *ADOPT_CAREFUL[:7],
        "Agree: the figures suggest",
        *TRIAL,
    )
    content.assert_ending(session, "drop-in-closed", "unsafe")


def test_does_skipping_parts_of_the_appraisal_give_the_acceptable_ending():
    session = play(
        ADOPT,
        "Say that a company selling",
        *ADOPT_CAREFUL[1:],
        "Recommend not buying BridgeWays now",
        "Submit the advice",
    )
    content.assert_ending(session, "cautious-but-thin", "acceptable")


# --- quiz, activities, notebooks -------------------------------------------------------


def test_does_the_quiz_have_twelve_sourced_questions_with_feedback():
    quiz = content.assert_quiz_complete(QUIZ, 12)
    for question in quiz.questions:
        assert re.search(r"https?://|\.org|\.uk|course file|dataset", question.source), (
            f"question {question.id}: its source should name a public address, a course file "
            "or a dataset"
        )
        assert all(option.feedback for option in question.options)


def test_does_all_of_module_4_pass_mhsw_check():
    problems, checked = check_paths([MODULE])
    assert problems == [], "\n".join(map(str, problems))
    assert checked >= 4 + 2 + 3 + 1  # notebooks, scenarios, activities, quiz


def test_are_there_four_notebooks_each_linked_from_the_readme_with_a_time():
    assert len(NOTEBOOKS) == 4
    readme = (MODULE / "README.md").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert f"({notebook.name})" in readme, f"README does not link {notebook.name}"
    assert "## References" in readme
    for notebook in NOTEBOOKS:
        first = "".join(json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]["source"])
        minutes = int(re.search(r"About (\d+) minutes", first)[1])
        assert 20 <= minutes <= 40, f"{notebook.name}: {minutes} minutes"


def test_does_time_use_notebook_link_to_module_1_rather_than_repeat_it():
    text = (MODULE / "02-time-use-evidence.ipynb").read_text(encoding="utf-8")
    assert "../m1-roles/04-how-social-workers-spend-time.ipynb" in text
    assert "bar_chart" not in text  # module 1 draws the task chart; this notebook does not


def test_do_charts_in_module_4_come_with_a_text_alternative():
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "plt.show()" in source:
                assert "set_title" in source and "set_xlabel" in source, notebook.name
                assert "Text alternative" in source, (
                    f"{notebook.name}: a chart has no text alternative"
                )


# --- figures checked against the sources and the datasets ------------------------------


def test_do_the_quoted_figures_stand_at_their_source_lines():
    lines = seed_lines_or_skip("004_427684377df95b1f.txt", "003_e7ab70de27f164c0.txt")
    review = lines["004_427684377df95b1f.txt"]
    report = lines["003_e7ab70de27f164c0.txt"]
    assert "34 managers" in review[55] and "15%" in review[55] and "39%" in review[55]
    assert "two thirds" in review[71]
    assert review[89].strip() == "Total\t22.9"
    assert "decline in registrations of 15% for the CCA" in review[397]
    assert "bias towards social work with children and families" in review[31]
    assert "very short time scale" in review[29]
    assert "we did not conduct a literature search" in review[308]
    assert "Advanced Mental Health Practitioners" in review[147]
    assert "£800,000" in report[498] and "approximately 50 people" in report[498]
    assert "£6.5 million" in report[500] and "£1.8 million" in report[500]
    assert "forecast" in report[500]


def test_do_the_module_figures_agree_with_the_datasets(load):
    core = load("core_assessment_time")
    tasks = core[~core["is_printed_total"]]
    assert int(tasks["minutes"].sum()) - round(22.9 * 60) == 116
    pq = load("pq_awards_2000_2005")
    reg = pq[pq["measure"] == "registrations"].pivot_table(
        index="year", columns="award", values="count", aggfunc="sum", observed=True
    )
    falls = (reg.loc["2003-04"] - reg.loc["2004-05"]) / reg.loc["2003-04"]
    assert round(100 * falls["CCA"], 1) == 11.8
    assert falls.idxmax() == "AASW" and round(100 * falls["AASW"], 1) == 22.6
    register = load("evidence_register")
    assert len(register) == 85
    assert int((~register["in_reference_list"]).sum()) == 7
    assert int(register["by_review_authors"].sum()) == 6


def test_do_the_assessment_answers_still_agree_with_the_datasets():
    """Run the master's setup, data, answer and test cells (hidden tests included)."""
    cells = json.loads(MASTER.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {}
    for cell in cells:
        source = "".join(cell["source"])
        interactive = ("play_scenario(find_scenario", "score_trace(", "check_my_work()")
        if (
            cell["cell_type"] != "code"
            or source.strip().startswith(interactive)
            or ("score_trace(" in source)
        ):
            continue
        source = re.sub(r"^### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\n", "", source, flags=re.M)
        exec(compile(source, f"{MASTER.name}", "exec"), namespace)  # noqa: S102
    assert namespace["cca_fall_pct"] == 11.8
    assert namespace["largest_fall_award"] == "AASW"
    assert namespace["empirical_pct"] == 38.8
