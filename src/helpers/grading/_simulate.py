"""A simulated class of submissions, for the grading tests and the grading benchmark.

Builds ``submitted/<student>/<assignment>/`` folders from the released notebook: correct,
partly correct and blank work, and every kind of broken submission ``mhsw grade`` must survive
(damaged JSON, deleted or copied graded cells, an endless loop, a crash that kills Python, a
flood of output, a memory hog, and code that tries to read the solutions and write outside its
folder). Scenario decision traces are played with the real scenario engine.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from helpers.traces import trace_path

# Answers for the sample assignment (grade_id -> source).
SAMPLE_CORRECT = {
    "q1-answer": 'q1_total = answers.loc[answers["question"] == "Q1", "answers"].sum()',
    "q2-answer": (
        'fewest_answered = answers.groupby("question", observed=True)["answers"].sum().idxmin()'
    ),
    "q3-answer": (
        "The table counts answers to each question, not organisations or agreement: 103 "
        "responses gave 1,071 answers. Answering Q1 shows only that a body replied, not what it "
        "said. Some answers were collective. The report is from 2006, before the AMHP replaced "
        "the ASW in 2008, so I would check current law first."
    ),
}
RATIONALE = (
    "I chose this because the law asks me to consider all the circumstances, involve the "
    "nearest relative and look for the least restrictive safe option before deciding."
)

KINDS = (
    "perfect",
    "partial",
    "blank",
    "invalid-json",
    "deleted-test",
    "duplicated",
    "infinite-loop",
    "kernel-crash",
    "huge-output",
    "escape",
    "memory-hog",
)


def play(scenario_id: str, defensible: bool = True, rationale: str = RATIONALE) -> dict[str, Any]:
    """A finished trace of ``scenario_id`` reaching a defensible (or an indefensible) ending."""
    from helpers.scenarios import Session, find_scenario, load_scenario

    scenario = load_scenario(find_scenario(scenario_id))
    path = _find_path(scenario, defensible)
    if path is None:
        raise LookupError(
            f"No {'defensible' if defensible else 'indefensible'} ending in {scenario_id}"
        )
    session = Session(scenario, clock=_FakeClock())
    for index in path:
        session.choose(index, rationale=rationale if session.needs_rationale else None)
    return session.trace()


class _FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 30.0
        return self.now


def _find_path(scenario: Any, defensible: bool) -> list[int] | None:
    """Depth-first search over choices (replaying sessions) for a wanted kind of ending."""
    from helpers.scenarios import Session

    seen: set[str] = set()

    def replay(path: list[int]) -> Any:
        session = Session(scenario)
        for index in path:
            session.choose(index, rationale=RATIONALE if session.needs_rationale else None)
        return session

    def search(path: list[int]) -> list[int] | None:
        session = replay(path)
        if session.finished:
            return path if session.ending.defensible == defensible else None
        key = json.dumps([session.current.id, session.state], sort_keys=True, default=str)
        if key in seen or len(path) > 40:
            return None
        seen.add(key)
        for index, _choice in session.available_choices():
            found = search(path + [index])
            if found is not None:
                return found
        return None

    return search([])


def answered(released: Any, answers: dict[str, str]) -> Any:
    """A copy of the released notebook with ``answers`` written into the answer cells."""
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _cell_index(nb: Any, grade_id: str) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


def submission(
    kind: str, released: Any, course_root: Path, scenario_id: str
) -> tuple[Any, dict | None]:
    """The notebook (or raw text for damaged JSON) and trace of one simulated student."""
    good = dict(SAMPLE_CORRECT)
    trace = play(scenario_id)
    if kind == "perfect":
        return answered(released, good), trace
    if kind == "partial":
        wrong = dict(
            good, **{"q1-answer": "q1_total = 100  # passes the visible tests, not the hidden one"}
        )
        return answered(released, wrong), play(scenario_id, defensible=False)
    if kind == "blank":
        return copy.deepcopy(released), None
    if kind == "invalid-json":
        import nbformat

        text = nbformat.writes(answered(released, good))
        return text[: len(text) // 2], trace
    if kind == "deleted-test":
        nb = answered(released, good)
        del nb.cells[_cell_index(nb, "q1-tests")]
        return nb, trace
    if kind == "duplicated":
        nb = answered(released, good)
        index = _cell_index(nb, "q2-tests")
        twin = copy.deepcopy(nb.cells[index])
        twin["id"] = "copied-test"
        nb.cells.insert(index + 1, twin)
        return nb, trace
    if kind == "infinite-loop":
        return answered(released, dict(good, **{"q1-answer": "while True:\n    pass"})), trace
    if kind == "kernel-crash":
        return answered(released, dict(good, **{"q2-answer": "import os\nos._exit(1)"})), trace
    if kind == "huge-output":
        flood = 'print("x" * 50_000_000)\n' + good["q1-answer"]
        return answered(released, dict(good, **{"q1-answer": flood})), trace
    if kind == "escape":
        return answered(released, dict(good, **{"q1-answer": _escape_code(course_root)})), trace
    if kind == "memory-hog":
        hog = "hog = bytearray(3 * 1024**3)\n" + good["q2-answer"]
        return answered(released, dict(good, **{"q2-answer": hog})), trace
    raise ValueError(f"unknown kind of submission: {kind}")


def _escape_code(course_root: Path) -> str:
    """Answer code that first tries to read the solutions and write outside its folder."""
    solution = course_root / "solutions" / "sample-assignment" / "sample-assignment.ipynb"
    return f"""attempts = []
for action in (
    lambda: open({str(solution)!r}).read(),
    lambda: open({str(course_root / "escaped.txt")!r}, "w").write("escaped"),
    lambda: open("../../escaped.txt", "w").write("escaped"),
    lambda: __import__("os").system("touch /tmp/mhsw-escaped"),
    lambda: __import__("os").listdir({str(course_root / "solutions")!r}),
):
    try:
        attempts.append(str(action())[:40])
    except Exception as exc:
        attempts.append(type(exc).__name__)
print(attempts)
{SAMPLE_CORRECT["q1-answer"]}"""


def make_class(
    course_root: Path,
    assignment_id: str,
    kinds: dict[str, str],
    scenario_id: str,
    release_dir: str = "exercises",
) -> None:
    """Write ``submitted/<student>/<assignment_id>/`` for each ``student -> kind``."""
    import nbformat

    notebook = next((Path(course_root) / release_dir / assignment_id).glob("*.ipynb"))
    released = nbformat.read(notebook, as_version=4)
    cache: dict[str, tuple[Any, dict | None]] = {}
    for student, kind in kinds.items():
        if kind not in cache:
            cache[kind] = submission(kind, released, Path(course_root), scenario_id)
        nb, trace = cache[kind]
        folder = Path(course_root) / "submitted" / student / assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / notebook.name
        if isinstance(nb, str):
            target.write_text(nb, encoding="utf-8")
        else:
            nbformat.write(nb, target)
        if trace is not None:
            trace_path(scenario_id, folder).write_text(json.dumps(trace), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC", encoding="utf-8")
