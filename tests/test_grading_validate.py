"""The pre-submission check: ``mhsw validate FILE`` and ``check_my_work()``.

Broken notebooks are made from the committed student version of the sample assignment, in a
temporary folder, so every check is tested on exactly what students receive.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest

from helpers.grading._simulate import SAMPLE_CORRECT, answered, play
from helpers.grading.validate import _find_current_notebook, check_my_work, check_notebook

REPO = Path(__file__).resolve().parents[1]
RELEASED = REPO / "exercises" / "sample-assignment" / "sample-assignment.ipynb"
SCENARIO = "m3-mha-assessment"


@pytest.fixture(scope="module")
def trace() -> dict:
    return play(SCENARIO)


@pytest.fixture
def released():
    return nbformat.read(RELEASED, as_version=4)


def _save(
    nb, folder: Path, trace: dict | None = None, name: str = "sample-assignment.ipynb"
) -> Path:
    path = folder / name
    nbformat.write(nb, path)
    if trace is not None:
        (folder / f"mhsw-trace-{SCENARIO}.json").write_text(json.dumps(trace), encoding="utf-8")
    return path


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _messages(report) -> str:
    return "\n".join(str(p) for p in report.problems)


def test_does_an_untouched_release_list_every_unanswered_part(released, tmp_path):
    report = check_notebook(_save(released, tmp_path), run_tests=False)
    text = _messages(report)
    assert "Question 1: not answered yet: the answer cell still has the placeholder" in text
    assert "Question 2: not answered yet" in text
    assert "Question 3: not answered yet: the written answer still says 'YOUR ANSWER HERE'" in text
    assert f"Question 4: your decisions in the scenario '{SCENARIO}' have not been saved" in text
    assert f"mhsw-trace-{SCENARIO}.json" in text
    assert "-answer'" not in text and "q4-trace" not in text  # no grader ids for students
    assert "the list of graded cells saved in the notebook" in report.reference
    assert not report.ok


def test_does_a_complete_notebook_pass_the_integrity_checks(released, tmp_path, trace):
    report = check_notebook(
        _save(answered(released, SAMPLE_CORRECT), tmp_path, trace), run_tests=False
    )
    assert report.problems == []
    assert "No problems found" in report.text()


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        ("delete", "Question 1: The test cell (2 marks) is missing"),
        ("duplicate", "Question 2: The test cell appears 2 times"),
        ("retype", "Question 1: The answer cell was changed from a code cell to a markdown cell"),
        ("metadata", "Question 4: The grading settings of the test cell were changed"),
        ("edit-test", "Question 2: The test cell has been edited"),
        ("foreign", "A cell has grading settings but is not part of this assignment"),
        ("unfinished-trace", "Question 4: the scenario 'm3-mha-assessment' has not been played"),
    ],
)
def test_is_each_broken_notebook_explained(released, tmp_path, trace, breakage, expected):
    nb = answered(released, SAMPLE_CORRECT)
    saved_trace = copy.deepcopy(trace)
    if breakage == "delete":
        nb.cells.remove(_cell(nb, "q1-tests"))
    elif breakage == "duplicate":
        twin = copy.deepcopy(_cell(nb, "q2-tests"))
        twin["id"] = "twin"
        nb.cells.append(twin)
    elif breakage == "retype":
        cell = _cell(nb, "q1-answer")
        cell["cell_type"] = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    elif breakage == "metadata":
        _cell(nb, "q4-trace").metadata.nbgrader["points"] = 40
    elif breakage == "edit-test":
        _cell(nb, "q2-tests").source += "\nassert True"
    elif breakage == "foreign":
        stray = copy.deepcopy(_cell(nb, "q1-answer"))
        stray["id"] = "stray"
        stray.metadata.nbgrader["grade_id"] = "stray"
        nb.cells.append(stray)
    elif breakage == "unfinished-trace":
        saved_trace["ending"] = None
    report = check_notebook(_save(nb, tmp_path, saved_trace), run_tests=False)
    assert expected in _messages(report)
    assert all(p.fix for p in report.problems), "every problem says what to do"
    assert "stray'" not in _messages(report)  # grader ids are not shown


def test_are_questions_named_as_students_see_them(released):
    from helpers.grading.validate import question_names

    names = question_names(released)
    assert names["q1-answer"] == names["q1-tests"] == "Question 1"
    assert names["q3-answer"] == "Question 3" and names["q4-trace"] == "Question 4"
    assert "intro" not in names and "setup" not in names


@pytest.mark.slow
def test_is_an_unanswered_question_reported_once(released, tmp_path, trace, capfd):
    unanswered = {k: v for k, v in SAMPLE_CORRECT.items() if k != "q1-answer"}
    report = check_notebook(_save(answered(released, unanswered), tmp_path, trace))
    about_q1 = [p for p in report.problems if p.question == "Question 1"]
    assert len(about_q1) == 1 and about_q1[0].unanswered
    assert report.tests_failed >= 1  # its test still failed; it is just not listed twice
    text = report.text()
    assert "save first (Ctrl+S)" in text and "this checks the saved file" in text.lower()
    # The check's own kernel prints no start-up warning into the student's notebook.
    assert "without encryption" not in capfd.readouterr().err


def test_is_a_missing_trace_reported_once_without_a_bare_error(released, tmp_path):
    nb = answered(released, SAMPLE_CORRECT)
    report = check_notebook(_save(nb, tmp_path), run_tests=False)
    about_trace = [p for p in report.problems if p.question == "Question 4"]
    assert len(about_trace) == 1
    assert "FileNotFoundError" not in report.text()


def test_are_python_errors_put_in_plain_words():
    from helpers.grading.validate import _error_message

    raw = "Traceback ...\nFileNotFoundError: No decision trace found for 'x'"
    assert _error_message(raw).startswith("a file it needs is missing (No decision trace")
    assert _error_message("AssertionError: Use 2017-18.") == "Use 2017-18."
    assert _error_message("✘ This check did not pass.\nUse 2017-18.") == "Use 2017-18."


def test_is_a_damaged_file_explained(tmp_path):
    path = tmp_path / "sample-assignment.ipynb"
    path.write_text(RELEASED.read_text(encoding="utf-8")[:500], encoding="utf-8")
    report = check_notebook(path)
    assert "damaged: it is not valid JSON" in _messages(report)


@pytest.mark.slow
def test_are_the_visible_tests_run_with_their_messages(released, tmp_path, trace):
    wrong = dict(SAMPLE_CORRECT, **{"q2-answer": "fewest_answered = 11"})
    report = check_notebook(_save(answered(released, wrong), tmp_path, trace))
    assert report.tests_run == 3
    assert report.tests_failed == 1
    assert 'fewest_answered should be text in quotes, like "Q7"' in _messages(report)
    assert "Question 2: its test did not pass" in _messages(report)
    assert "q1_total is not" not in _messages(report)  # hidden tests are not in the student version


def test_is_the_current_notebook_found(tmp_path, monkeypatch, released):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with pytest.raises(FileNotFoundError, match="check_my_work\\('sample-assignment.ipynb'\\)"):
        _find_current_notebook()
    only = _save(released, tmp_path)
    assert _find_current_notebook() == only
    _save(released, tmp_path, name="another.ipynb")
    with pytest.raises(FileNotFoundError, match="another.ipynb"):
        _find_current_notebook()
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "another.ipynb"))
    assert _find_current_notebook() == tmp_path / "another.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", "some/server/folder/sample-assignment.ipynb")
    assert _find_current_notebook() == tmp_path / "sample-assignment.ipynb"


def test_does_check_my_work_print_plain_english(tmp_path, monkeypatch, released, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    _save(released, tmp_path)
    assert check_my_work(run_tests=False) is None
    out = capsys.readouterr().out
    assert "problems to fix before you submit" in out and "What to do:" in out


def test_does_check_my_work_explain_a_notebook_it_cannot_find(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    check_my_work(run_tests=False)
    out = capsys.readouterr().out
    assert out.startswith("✘ I could not tell which notebook to check")
    assert "FileNotFoundError" not in out


def test_is_check_my_work_skipped_while_grading(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    check_my_work("does-not-matter.ipynb")
    assert "skipped" in capsys.readouterr().out


def test_does_mhsw_validate_exit_non_zero_on_problems(released, tmp_path, capsys):
    from helpers.cli import main

    path = _save(released, tmp_path)
    assert main(["validate", str(path), "--no-run"]) == 1
    assert "YOUR ANSWER HERE" in capsys.readouterr().out
