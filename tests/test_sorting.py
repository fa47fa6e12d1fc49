"""Tests for the sorting-activity engine (helpers.sorting): loading, checking, building."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest
from _content import course_activities

from helpers._problems import ContentError
from helpers.sorting import (
    Category,
    SortingActivity,
    SortingItem,
    lint_sorting,
    load_sorting,
)

REPO = Path(__file__).resolve().parents[1]
COURSE_ACTIVITIES = course_activities("sorting")

GOOD = """\
kind: sorting
id: tiny-sort
title: "Tiny"
instructions: "Sort them."
sources: ["a source"]
categories:
  - id: A
    label: "A. Statutory duties"
    description: "Assessments and so on"
  - id: D
    label: "D. Communities"
items:
  - id: carer
    text: "Assess a carer"
    category: A
    feedback: "Carers' rights are in A."
    source: "001, line 274"
  - id: marac
    text: "Attend MARAC"
    categories: [D, A]
    feedback: "Forums are in D."
"""


def write(tmp_path: Path, text: str, name: str = "activity.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def messages(path: Path) -> list[str]:
    return [str(problem) for problem in lint_sorting(path)]


def test_can_a_valid_file_be_loaded(tmp_path):
    activity = load_sorting(write(tmp_path, GOOD))
    assert activity.id == "tiny-sort"
    assert [c.id for c in activity.categories] == ["A", "D"]
    assert activity.item("marac").categories == ("D", "A")
    assert activity.item("carer").source == "001, line 274"
    assert activity.answer_key() == {"carer": ("A",), "marac": ("D", "A")}


def test_does_check_mark_each_item_and_score(tmp_path):
    activity = load_sorting(write(tmp_path, GOOD))
    result = activity.check({"carer": "D", "marac": "A"})
    assert [r.correct for r in result] == [False, True]
    assert result.score == 1 and result.total == 2
    assert result["carer"].message.startswith("Not quite")
    assert "“A. Statutory duties”" in result["carer"].message
    assert "Carers' rights are in A." in result["carer"].message
    assert result["marac"].message.startswith("Correct")
    assert result.summary() == "1 out of 2 correct."


def test_are_missing_answers_reported_as_not_answered(tmp_path):
    activity = load_sorting(write(tmp_path, GOOD))
    result = activity.check({"carer": None})
    assert result.score == 0
    assert result.unanswered == 2
    assert not result["marac"].answered
    assert "Not answered yet" in result["marac"].message
    assert result.summary() == "0 out of 2 correct (2 not answered yet)."


def test_does_check_reject_unknown_items_and_categories(tmp_path):
    activity = load_sorting(write(tmp_path, GOOD))
    with pytest.raises(ValueError, match="no item 'nobody'"):
        activity.check({"nobody": "A"})
    with pytest.raises(ValueError, match="no category 'Z'"):
        activity.check({"carer": "Z"})


def test_can_results_become_a_table(tmp_path):
    activity = load_sorting(write(tmp_path, GOOD))
    table = activity.check({"carer": "A", "marac": "D"}).to_frame()
    assert list(table.columns) == ["item", "your_answer", "accepted", "correct", "feedback"]
    assert table["correct"].tolist() == [True, True]
    assert table.loc[1, "accepted"] == "D, A"


def test_is_a_missing_feedback_located(tmp_path):
    text = GOOD.replace('    feedback: "Forums are in D."\n', "")
    problems = lint_sorting(write(tmp_path, text))
    assert len(problems) == 1
    problem = problems[0]
    assert problem.field == "items.1.feedback"
    assert problem.line == 18  # the "- id: marac" entry
    assert "is missing" in str(problem)


def test_is_an_unknown_category_located_with_a_suggestion(tmp_path):
    text = GOOD.replace("    category: A\n", "    category: a\n")
    (problem,) = lint_sorting(write(tmp_path, text))
    assert problem.line == 15  # the item's `category:` line
    assert problem.field == "items.0.category"
    assert "unknown category 'a'" in problem.message
    assert "did you mean 'A'?" in problem.fix


def test_is_a_misspelt_field_name_caught(tmp_path):
    text = GOOD.replace("    feedback: \"Carers'", "    feedbak: \"Carers'")
    found = messages(write(tmp_path, text))
    assert any(
        "items.0.feedbak: is not a field" in m and "did you mean `feedback`" in m for m in found
    )
    assert any("items.0.feedback: is missing" in m for m in found)


def test_are_duplicate_ids_caught(tmp_path):
    text = GOOD.replace("  - id: marac", "  - id: carer")
    found = messages(write(tmp_path, text))
    assert any("item id 'carer' is used twice" in m and ":18:" in m for m in found)


def test_are_wrong_kind_and_too_few_categories_caught(tmp_path):
    text = """\
    kind: quiz
    id: x
    title: "x"
    categories:
      - {id: A, label: "A"}
    items:
      - {id: one, text: "one", category: A, feedback: "f"}
    """
    found = messages(write(tmp_path, text))
    assert any(":1: kind: should be `sorting`" in m for m in found)
    assert any("categories: needs a list of at least two categories" in m for m in found)


def test_is_a_yaml_syntax_error_located(tmp_path):
    text = GOOD.replace('title: "Tiny"', 'title: "Tiny')
    (problem,) = lint_sorting(write(tmp_path, text))
    assert problem.line is not None
    assert "YAML" in problem.message


def test_does_a_missing_file_give_a_plain_message(tmp_path):
    with pytest.raises(ContentError, match="file not found"):
        load_sorting(tmp_path / "nowhere.yaml")


def test_can_an_activity_be_built_from_a_long_table():
    frame = pd.DataFrame(
        {
            "role_area": ["CPD", "CPD", "Leadership"],
            "domain": ["Professionalism", "Knowledge", "Professionalism"],
            "note": ["from Appendix Two", "", None],
        }
    )
    activity = SortingActivity.from_frame(
        frame, "role_area", "domain", id="pcf", title="PCF", feedback_col="note"
    )
    assert [c.label for c in activity.categories] == ["Professionalism", "Knowledge"]
    assert [i.text for i in activity.items] == ["CPD", "Leadership"]
    cpd = activity.items[0]
    assert cpd.categories == ("professionalism", "knowledge")
    assert cpd.feedback == "from Appendix Two"
    assert activity.check({cpd.id: "knowledge"}).score == 1


def test_can_from_frame_split_cells_and_use_given_categories():
    frame = pd.DataFrame({"task": ["Assess a carer", "Attend MARAC"], "area": ["A", "D; C"]})
    given = [Category("A", "A. Duties"), Category("C", "C. Complexity"), Category("D", "D. Prev")]
    activity = SortingActivity.from_frame(frame, "task", "area", categories=given, separator=";")
    assert activity.items[1].categories == ("D", "C")
    assert [c.id for c in activity.categories] == ["A", "C", "D"]


def test_does_from_frame_name_a_missing_column():
    frame = pd.DataFrame({"task": ["x"], "area": ["A"]})
    with pytest.raises(ValueError, match="no column 'areas'"):
        SortingActivity.from_frame(frame, "task", "areas")


def test_does_from_frame_reject_a_category_outside_the_given_list():
    frame = pd.DataFrame({"task": ["x", "y"], "area": ["A", "Z"]})
    with pytest.raises(ValueError, match="names category 'Z'"):
        SortingActivity.from_frame(frame, "task", "area", categories={"A": "", "B": ""})


def test_is_an_activity_with_an_unknown_category_refused():
    with pytest.raises(ContentError, match="unknown category 'Z'"):
        SortingActivity(
            id="x",
            title="x",
            categories=(Category("A", "A"), Category("B", "B")),
            items=(SortingItem("one", "one", ("Z",)),),
        )


@pytest.mark.parametrize("path", COURSE_ACTIVITIES, ids=lambda p: p.name)
def test_is_every_course_sorting_activity_valid(path):
    assert lint_sorting(path) == [], "\n".join(map(str, lint_sorting(path)))


@pytest.mark.parametrize(
    "path",
    sorted((REPO / "course" / "m1-roles" / "activities").glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_does_every_m1_item_cite_the_line_that_places_it(path):
    for item in load_sorting(path).items:
        assert item.source, f"{path.name}: item {item.id} should cite its source line"
