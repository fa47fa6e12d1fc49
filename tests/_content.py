"""Checks every module's content tests make: playing a case along a path, the self-check quiz,
the cases' wording, and the assessed notebook's master and sample traces.

A module's test file names its own files, paths and expected figures and calls these, so the
content tests of a new module are a few lines each.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.quizzes import lint_quiz, load_quiz
from helpers.scenarios import Session, load_scenario

REPO = Path(__file__).resolve().parents[1]

# Cells of an assessed master that need a running notebook (a trace, the check cell): the
# answers are tested up to the first of them, and the rest through the sample submissions.
INTERACTIVE = ("play_scenario(", "check_my_work()")


def play(path: Path, *labels: str, rationale: str) -> Session:
    """Play ``path`` choosing, at each node, the one available choice whose label starts with
    the next prefix; ``rationale`` is written wherever a node asks for one."""
    session = Session(load_scenario(path))
    for prefix in labels:
        matches = [i for i, c in session.available_choices() if c.label.startswith(prefix)]
        assert len(matches) == 1, (
            f"At node '{session.current.id}' expected one choice starting {prefix!r}; "
            f"available: {[c.label for _, c in session.available_choices()]}"
        )
        session.choose(matches[0], rationale=rationale if session.needs_rationale else None)
    return session


def assert_ending(session: Session, ending: str, outcome: str | None = None) -> None:
    """The played ``session`` ended at ``ending`` (and, if given, with that ``outcome``)."""
    assert session.ending is not None, (
        f"the path stopped at node '{session.current.id}' instead of reaching '{ending}'"
    )
    assert session.ending.id == ending, f"the path ended at '{session.ending.id}', not '{ending}'"
    if outcome is not None:
        assert session.ending.outcome == outcome, (
            f"ending '{ending}' is rated {session.ending.outcome!r}, not {outcome!r}"
        )


def assert_no_dated_terms(path: Path, terms, *, ignore_case: bool = False) -> str:
    """None of ``terms`` appears in the file at ``path``; returns the file's text."""
    text = path.read_text(encoding="utf-8")
    for term in terms:
        found = term.lower() in text.lower() if ignore_case else term in text
        assert not found, f"{path.name} uses the outdated term {term!r}"
    return text


def assert_quiz_complete(path: Path, fewest: int, most: int | None = None):
    """The quiz at ``path`` passes the checker, has ``fewest`` to ``most`` questions, and every
    question gives its source and feedback on every option. Returns the quiz."""
    assert lint_quiz(path) == []
    quiz = load_quiz(path)
    count = len(quiz.questions)
    assert count >= fewest, f"{path.name} has {count} questions; it should have at least {fewest}"
    if most is not None:
        assert count <= most, f"{path.name} has {count} questions; it should have at most {most}"
    for question in quiz.questions:
        assert question.source.strip(), f"question {question.id} gives no source"
        assert all(option.feedback.strip() for option in question.options), (
            f"question {question.id} has an option without feedback"
        )
    return quiz


def read_master(path: Path):
    """An assessed notebook's master, read with nbformat (the test is skipped without it)."""
    nbformat = pytest.importorskip("nbformat")
    return nbformat.read(path, as_version=4)


def assert_master_cells_marked(master) -> dict[str, dict]:
    """The master's nbgrader cells have unique grade ids, and it opens with a title and learning
    outcomes and closes with the licence. Returns ``{grade id: nbgrader metadata}`` of the cells
    that carry marks."""
    graded = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
        for c in master.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    ids = [c.metadata["nbgrader"]["grade_id"] for c in master.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    assert "CC BY 4.0" in master.cells[-1].source
    assert master.cells[0].source.startswith("# ") and "Learning outcomes" in master.cells[0].source
    return graded


def run_master_answers(path: Path) -> dict:
    """Run the master's code cells (answers, visible and hidden tests) up to the first cell that
    needs a running notebook, and return the names they define."""
    namespace: dict = {}
    for cell in read_master(path).cells:
        if cell.cell_type != "code":
            continue
        if any(marker in cell.source for marker in INTERACTIVE):
            break
        exec(compile(cell.source, path.name, "exec"), namespace)
    return namespace


def sample_trace_mark(scenario_id: str, folder: Path, scenario: Path):
    """The trace of a sample submission in ``folder`` and its case mark out of 4, as the marking
    guides give it: ``(trace, mark)``."""
    from helpers.traces import load_trace, score_trace

    trace = load_trace(scenario_id, folder)
    result = score_trace(trace, scenario)
    return trace, round(4 * result.points / result.max_points, 2)


def course_activities(kind: str) -> list[Path]:
    """Every activity file of that ``kind`` (sorting, appraisal ...) in the course's modules;
    activities of other kinds live in the same folders."""
    return sorted(
        path
        for path in (REPO / "course").glob("*/activities/*.yaml")
        if re.search(rf"^kind:\s*{kind}\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    )
