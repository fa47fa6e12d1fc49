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
    for grade_id in ("q1-answer", "q2-answer", "q3-answer"):
        assert f"'{grade_id}' still has the placeholder" in text
    assert f"mhsw-trace-{SCENARIO}.json" in text
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
        ("delete", "'q1-tests' (2 marks) is missing"),
        ("duplicate", "'q2-tests' appears 2 times"),
        ("retype", "changed from a code cell to a markdown cell"),
        ("metadata", "grading settings of the test cell 'q4-trace' were changed"),
        ("edit-test", "The test cell 'q2-tests' has been edited"),
        ("foreign", "'stray' has grading settings but is not part of this assignment"),
        ("unfinished-trace", "has not been played to an ending yet"),
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


def test_is_check_my_work_skipped_while_grading(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    check_my_work("does-not-matter.ipynb")
    assert "skipped" in capsys.readouterr().out


def test_does_mhsw_validate_exit_non_zero_on_problems(released, tmp_path, capsys):
    from helpers.cli import main

    path = _save(released, tmp_path)
    assert main(["validate", str(path), "--no-run"]) == 1
    assert "YOUR ANSWER HERE" in capsys.readouterr().out
