"""Tests for the quiz engine and lint (helpers.quizzes) and the YAML line tracker (_yaml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers._problems import ContentError
from helpers._yaml import load_yaml_with_lines
from helpers.quizzes import QuizSession, lint_quiz, load_quiz

FILES = Path(__file__).resolve().parent / "files" / "quizzes"
GOOD = FILES / "amhp-basics.yaml"


def bad(name: str) -> str:
    """The path of a malformed fixture, as a string (messages must name it as given)."""
    return str(FILES / f"bad-{name}.yaml")


# ----------------------------------------------------------------------------- loading


def test_can_a_quiz_be_loaded():
    quiz = load_quiz(GOOD)
    assert quiz.id == "fixture-amhp-basics"
    assert [q.id for q in quiz.questions] == ["q1", "q2", "q3"]
    first = quiz.questions[0]
    assert first.type == "single"
    assert first.source.startswith("Mental Health (Approved Mental Health Professionals)")
    assert [o.correct for o in first.options] == [True, False, False]
    assert first.options[1].feedback.startswith("Not quite.")
    assert quiz.questions[1].correct_indices == frozenset({0, 1})
    assert quiz.path == GOOD


def test_does_a_good_quiz_lint_clean():
    assert lint_quiz(GOOD) == []
    assert lint_quiz(str(GOOD)) == []


def test_does_load_quiz_raise_with_every_located_problem():
    with pytest.raises(ContentError) as caught:
        load_quiz(bad("missing-feedback"))
    assert [str(p) for p in caught.value.problems] == [
        f"{bad('missing-feedback')}:13: questions[0].options[1].feedback: "
        "the field 'feedback' is missing — add feedback that explains why this option is "
        "right or wrong"
    ]
    assert str(caught.value) == str(caught.value.problems[0])


# ----------------------------------------------------------------------------- lint cases
# Each malformed fixture gives exactly one located, plain-English message.

LINT_CASES = {
    "syntax": (
        8,
        None,
        "YAML syntax error: expected <block end>, but found '<block mapping start>'",
    ),
    "missing-source": (5, "questions[0].source", "the field 'source' is missing"),
    "one-option": (9, "questions[0].options", "needs at least 2 options, has 1"),
    "missing-feedback": (13, "questions[0].options[1].feedback", "the field 'feedback' is missing"),
    "single-two-correct": (
        9,
        "questions[0].options",
        "a 'single' question needs exactly one correct option, this one has 2",
    ),
    "multiple-none-correct": (
        9,
        "questions[0].options",
        "a 'multiple' question needs at least one correct option, this one has none",
    ),
    "duplicate-id": (
        12,
        "questions[1].id",
        "the question id 'q1' is used twice (first on line 5)",
    ),
    "type": (6, "questions[0].type", "'true-or-false' is not allowed"),
}


@pytest.mark.parametrize("name", sorted(LINT_CASES))
def test_is_each_malformed_quiz_reported_at_the_right_line_and_field(name):
    line, field, message = LINT_CASES[name]
    problems = lint_quiz(bad(name))
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert (problem.path, problem.line, problem.field, problem.message) == (
        bad(name),
        line,
        field,
        message,
    )
    assert problem.fix, "every problem says what to do"
    assert str(problem).startswith(f"{bad(name)}:{line}: ")


def test_does_a_single_question_with_no_correct_option_say_which_to_mark(tmp_path):
    text = (
        Path(bad("single-two-correct"))
        .read_text()
        .replace(
            'correct: true\n        feedback: "No."', 'correct: false\n        feedback: "No."'
        )
        .replace("correct: true", "correct: false")
    )
    path = tmp_path / "none.yaml"
    path.write_text(text)
    [problem] = lint_quiz(path)
    assert problem.message.endswith("this one has 0")
    assert problem.fix == "mark the right option 'correct: true'"


def test_are_unknown_fields_empty_text_and_unquoted_yes_reported(tmp_path):
    path = tmp_path / "typos.yaml"
    path.write_text(
        "kind: quiz\n"
        "id: typos\n"
        "title: Typos\n"
        "questions:\n"
        "  - id: q1\n"
        "    type: single\n"
        "    text: ' '\n"
        "    source: AMHP Regulations 2008, reg. 3\n"
        "    options:\n"
        "      - {text: A, correct: true, feedback: Yes}\n"
        "      - {text: B, corect: false, feedback: No}\n"
    )
    messages = [str(p) for p in lint_quiz(path)]
    assert messages == [
        f"{path}:7: questions[0].text: is empty — write some text here",
        f"{path}:10: questions[0].options[0].feedback: should be text, but YAML read it as "
        'true — put the text in quotes, e.g. "Yes."',
        f"{path}:11: questions[0].options[1].corect: unknown field 'corect' — check the "
        "spelling or remove it; allowed here: correct, feedback, text",
        f"{path}:11: questions[0].options[1].correct: the field 'correct' is missing — "
        "add 'correct: true' or 'correct: false'",
        f"{path}:11: questions[0].options[1].feedback: should be text, but YAML read it as "
        'false — put the text in quotes, e.g. "Yes."',
    ]


def test_is_a_file_that_is_not_a_mapping_or_missing_reported(tmp_path):
    listing = tmp_path / "list.yaml"
    listing.write_text("- just\n- a list\n")
    [problem] = lint_quiz(listing)
    assert problem.line == 1 and "not a quiz" in problem.message
    missing = tmp_path / "nowhere.yaml"
    [problem] = lint_quiz(missing)
    assert str(problem) == f"{missing}: file not found — check the path and the file name"


def test_does_lint_quiz_run_through_mhsw_check(tmp_path):
    """``mhsw check FILE`` finds quizzes by their ``kind`` and prints our located messages."""
    result = subprocess.run(
        [sys.executable, "-m", "helpers", "check", bad("duplicate-id")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"{bad('duplicate-id')}:12: questions[1].id:" in result.stdout + result.stderr
    assert result.returncode != 0


# ----------------------------------------------------------------------------- marking


def test_is_a_right_single_answer_marked_right_with_its_feedback():
    session = QuizSession(load_quiz(GOOD))
    result = session.answer("q1", [0])
    assert result.correct
    assert result.summary == "Correct."
    assert [o.feedback for o in result.selected_feedback] == [result.feedback_for(0)]
    assert result.feedback_for(0).startswith("Yes.")
    assert result.explanation.startswith("Approval by a local authority")
    assert (session.score, session.answered, session.max_score) == (1, 1, 3)


def test_is_a_wrong_answer_marked_wrong_and_can_be_tried_again():
    session = QuizSession(load_quiz(GOOD))
    wrong = session.answer("q1", [2])
    assert not wrong.correct
    assert wrong.summary.startswith("Not quite: that is not the right answer.")
    assert wrong.selected_feedback[0].feedback.startswith("No. An AMHP may work in an NHS team")
    assert session.score == 0
    again = session.answer("q1", [0])
    assert again.correct and again.attempt == 2
    assert session.score == 1  # the latest answer counts


def test_does_a_multiple_answer_need_every_right_option():
    session = QuizSession(load_quiz(GOOD))
    partial = session.answer("q2", [0])
    assert not partial.correct
    assert (partial.missed, partial.wrongly_selected) == (1, 0)
    assert "1 right option is not chosen yet" in partial.summary
    mixed = session.answer("q2", [0, 2])
    assert "1 option you chose is not right and 1 right option is not chosen yet" in mixed.summary
    assert session.answer("q2", [1, 0]).correct


def test_is_an_empty_answer_not_counted():
    session = QuizSession(load_quiz(GOOD))
    result = session.answer("q1", [])
    assert not result.correct
    assert result.summary.startswith("No option was chosen")
    assert session.answered == 0 and session.attempts.get("q1", 0) == 0


def test_are_impossible_answers_refused_in_plain_english():
    session = QuizSession(load_quiz(GOOD))
    with pytest.raises(ValueError, match="there is no option 7"):
        session.answer("q1", [7])
    with pytest.raises(ValueError, match="takes one answer"):
        session.answer("q1", [0, 1])
    with pytest.raises(KeyError, match="Its questions are: q1, q2, q3"):
        session.answer("q9", [0])


def test_does_reset_clear_the_score():
    session = QuizSession(load_quiz(GOOD))
    session.answer("q1", [0])
    session.answer("q3", [0])
    assert session.score == 2
    session.reset()
    assert (session.score, session.answered, session.attempts) == (0, 0, {})


# ----------------------------------------------------------------------------- YAML lines


def test_does_line_of_find_nested_fields_and_fall_back_to_the_parent():
    data, line_of = load_yaml_with_lines(GOOD)
    assert data["questions"][1]["id"] == "q2"
    assert line_of(("questions", 1, "id")) == 21
    assert line_of(("questions", 0, "options", 1, "feedback")) == 16
    assert line_of(("questions", 0, "no-such-field")) == line_of(("questions", 0)) == 6
    assert line_of(()) == 1


def test_is_a_repeated_key_reported(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("kind: quiz\ntitle: A\ntitle: B\n")
    with pytest.raises(ContentError) as caught:
        load_yaml_with_lines(path)
    assert str(caught.value) == (
        f"{path}:3: title: is written twice (first on line 2); only one would be used — "
        "delete one of the two"
    )


def test_does_importing_quizzes_leave_jsonschema_unloaded():
    code = (
        "import sys, helpers.quizzes; "
        "print('jsonschema' in sys.modules, 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_does_import_jsonschema_skip_the_slow_optional_grammar_package():
    code = (
        "import sys; from helpers._yaml import import_jsonschema; js = import_jsonschema(); "
        "print(hasattr(js, 'Draft202012Validator'), 'rfc3987_syntax' in sys.modules, "
        "sys.modules.get('rfc3987_syntax', 'absent') is None)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # jsonschema works, the grammar package was not loaded, and it is not blocked for later use
    assert out.stdout.split() == ["True", "False", "False"]
