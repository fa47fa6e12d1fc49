"""Tests for the appraisal engine (helpers.appraisal): loading, located errors, comparing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from _content import course_activities

from helpers._problems import ContentError
from helpers.appraisal import (
    AGREES,
    CLOSE,
    DEFENSIBLE,
    DIFFERS,
    NOT_RATED,
    AppraisalSession,
    lint_appraisal,
    load_appraisal,
)

REPO = Path(__file__).resolve().parents[1]
COURSE_APPRAISALS = course_activities("appraisal")

GOOD = """\
kind: appraisal
id: tiny-appraisal
title: "Tiny"
framework: "TAPUPAS"
evidence:
  title: "A leaflet"
  source: "A council, 2020"
  summary: "It says a service works."
  claim: "The service saves money."
scale:
  - {id: low, label: "Low"}
  - {id: mixed, label: "Mixed"}
  - {id: high, label: "High"}
  - {id: cannot-tell, label: "Cannot tell", off_scale: true}
questions:
  - id: transparency
    standard: "Transparency"
    question: "Is it open about how it was made?"
    model:
      rating: low
      reasoning: "No method is given."
      source: "the leaflet, page 2"
  - id: accuracy
    standard: "Accuracy"
    question: "Are the claims faithful to the findings?"
    model:
      rating: mixed
      also_defensible: [cannot-tell]
      reasoning: "Some figures can be checked."
"""


def write(tmp_path: Path, text: str, name: str = "appraisal.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_can_a_valid_file_be_loaded(tmp_path):
    appraisal = load_appraisal(write(tmp_path, GOOD))
    assert appraisal.id == "tiny-appraisal"
    assert [p.id for p in appraisal.scale] == ["low", "mixed", "high", "cannot-tell"]
    assert appraisal.point("cannot-tell").off_scale
    assert appraisal.question("accuracy").model.also_defensible == ("cannot-tell",)
    assert appraisal.evidence.claim == "The service saves money."
    assert appraisal.position("high") == 2 and appraisal.position("cannot-tell") is None


def test_does_the_same_rating_agree_and_quote_the_models_reasons(tmp_path):
    session = AppraisalSession(load_appraisal(write(tmp_path, GOOD)))
    session.rate("transparency", "low", note="  There is no method.  ")
    comparison = session.compare("transparency")
    assert comparison.verdict == AGREES
    assert "as the model appraisal does" in comparison.message
    assert "No method is given." in comparison.message
    assert comparison.note == "There is no method."


def test_does_feedback_say_which_way_and_why_the_model_differs(tmp_path):
    session = AppraisalSession(load_appraisal(write(tmp_path, GOOD)))
    session.rate("accuracy", "high")
    comparison = session.compare("accuracy")
    assert comparison.verdict == CLOSE
    assert comparison.message.startswith(
        "You rated accuracy “High”, higher than the model appraisal, which rates it “Mixed”."
    )
    assert "Some figures can be checked." in comparison.message
    session.rate("transparency", "high")
    assert session.compare("transparency").verdict == DIFFERS
    assert "higher than the model" in session.compare("transparency").message


def test_is_an_also_defensible_rating_accepted_rather_than_marked_wrong(tmp_path):
    session = AppraisalSession(load_appraisal(write(tmp_path, GOOD)))
    session.rate("accuracy", "cannot-tell")
    comparison = session.compare("accuracy")
    assert comparison.verdict == DEFENSIBLE
    assert "accepts “Cannot tell” as defensible" in comparison.message


def test_is_an_off_scale_rating_compared_without_a_direction(tmp_path):
    session = AppraisalSession(load_appraisal(write(tmp_path, GOOD)))
    session.rate("transparency", "cannot-tell")
    comparison = session.compare("transparency")
    assert comparison.verdict == DIFFERS
    assert "higher" not in comparison.message and "lower" not in comparison.message
    assert "enough in the evidence to judge" in comparison.message


def test_does_the_summary_count_and_never_give_a_score(tmp_path):
    session = AppraisalSession(load_appraisal(write(tmp_path, GOOD)))
    assert "not rated any" in session.summary().text
    session.rate("transparency", "low")
    summary = session.summary()
    assert summary.rated == 1 and summary.count(AGREES) == 1 and summary.count(NOT_RATED) == 1
    assert "1 not rated yet" in summary.text
    assert "one reasoned view, not the answer" in summary.text
    assert "score" not in summary.text.lower()
    table = summary.to_frame()
    assert list(table.columns) == [
        "standard",
        "your_rating",
        "model_rating",
        "verdict",
        "model_reasoning",
    ]
    assert table["verdict"].tolist() == [AGREES, NOT_RATED]


def test_can_a_rating_be_cleared_and_the_session_reset(tmp_path):
    session = AppraisalSession(load_appraisal(write(tmp_path, GOOD)))
    session.rate("transparency", "low", "reasons")
    session.rate("transparency", None)
    assert session.compare("transparency").verdict == NOT_RATED
    session.rate("accuracy", "mixed")
    assert session.record() == {
        "appraisal": "tiny-appraisal",
        "ratings": {"accuracy": "mixed"},
        "notes": {},
    }
    session.reset()
    assert session.ratings == {} and session.notes == {}


def test_do_unknown_questions_and_ratings_name_the_valid_ones(tmp_path):
    session = AppraisalSession(load_appraisal(write(tmp_path, GOOD)))
    with pytest.raises(KeyError, match="Its questions: transparency, accuracy"):
        session.rate("utility", "low")
    with pytest.raises(KeyError, match="Use one of: low, mixed, high, cannot-tell"):
        session.rate("accuracy", "very high")


def test_is_a_missing_reasoning_located_with_what_to_do(tmp_path):
    text = GOOD.replace('      reasoning: "No method is given."\n', "")
    (problem,) = lint_appraisal(write(tmp_path, text))
    assert problem.field == "questions[0].model.reasoning"
    assert problem.line == 19  # the `model:` line of the first question
    assert "is missing" in problem.message
    assert "reasoning:" in problem.fix


def test_is_a_model_rating_off_the_scale_located(tmp_path):
    text = GOOD.replace("      rating: mixed\n", "      rating: medium\n")
    (problem,) = lint_appraisal(write(tmp_path, text))
    assert problem.line == 27
    assert problem.field == "questions[1].model.rating"
    assert "'medium' is not a rating on the scale" in problem.message
    assert "low, mixed, high, cannot-tell" in problem.fix


def test_are_duplicate_ids_and_a_one_point_scale_caught(tmp_path):
    text = (
        GOOD.replace("  - id: accuracy", "  - id: transparency")
        .replace('  - {id: mixed, label: "Mixed"}\n  - {id: high, label: "High"}\n', "")
        .replace("rating: mixed", "rating: low")
    )
    found = [str(p) for p in lint_appraisal(write(tmp_path, text))]
    assert any("question id 'transparency' is used twice" in m for m in found)
    assert any("needs at least two ordered ratings" in m for m in found)


def test_are_wrong_kind_misspelt_fields_and_syntax_errors_reported(tmp_path):
    found = [
        str(p)
        for p in lint_appraisal(
            write(
                tmp_path,
                GOOD.replace("kind: appraisal", "kind: appraisel").replace(
                    "framework:", "framwork:"
                ),
            )
        )
    ]
    assert any(":1: kind: should be 'appraisal'" in m for m in found)
    assert any("framwork: is not a field this format knows" in m for m in found)
    broken = write(tmp_path, GOOD.replace('title: "Tiny"', 'title: "Tiny'), "broken.yaml")
    (problem,) = lint_appraisal(broken)
    assert "YAML syntax error" in problem.message and problem.line
    with pytest.raises(ContentError, match="YAML syntax error"):
        load_appraisal(broken)


def test_does_mhsw_check_dispatch_appraisal_files(tmp_path):
    from helpers.checks import check_paths

    good = write(tmp_path, GOOD, "good.yaml")
    bad = write(tmp_path, GOOD.replace("rating: mixed", "rating: medium"), "bad.yaml")
    problems, checked = check_paths([good, bad])
    assert checked == 2
    assert [p.path for p in problems] == [str(bad)]


def test_are_there_at_least_two_course_appraisals():
    assert len(COURSE_APPRAISALS) >= 2


@pytest.mark.parametrize("path", COURSE_APPRAISALS, ids=lambda p: p.stem)
def test_does_each_course_appraisal_load_with_reasoned_models(path):
    assert lint_appraisal(path) == []
    appraisal = load_appraisal(path)
    assert len(appraisal.questions) >= 5
    for question in appraisal.questions:
        assert len(question.model.reasoning.split()) >= 25, (
            f"{path.name}: the model reasoning for {question.id} is too short to teach from"
        )
