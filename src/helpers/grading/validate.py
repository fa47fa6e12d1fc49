"""Check an assessed notebook before submission: ``mhsw validate FILE`` and ``check_my_work()``.

Two kinds of check, each problem explained in plain English with what to do:

* **Integrity**, against the released version of the assignment (``exercises/<id>/`` of the
  course, or the manifest that ``mhsw release`` writes into every student version): every
  graded cell is still there, once, with its type and grading settings unchanged; test and
  read-only cells are not edited; no answer is left as a placeholder (``...``,
  ``raise NotImplementedError``, ``YOUR ANSWER HERE``); and the decision trace of every graded
  scenario has been saved beside the notebook.
* **Visible tests**: the notebook is run from top to bottom in a fresh kernel with nbgrader's
  validator, and every test cell that fails is reported with its message.

In a notebook a student calls ``check_my_work()``; it finds the notebook it is called from.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.grading._course import add_course_argument
from helpers.traces import trace_path

__all__ = ["CheckReport", "Finding", "check_my_work", "check_notebook"]

_PLACEHOLDER_LINE = re.compile(
    r"^\s*(\.\.\.|raise NotImplementedError(\(\))?)\s*$|=\s*\.\.\.\s*(#.*)?$"
)


@dataclass(frozen=True)
class Finding:
    """One problem with a notebook, for a student: what is wrong and what to do."""

    message: str
    fix: str = ""
    cell: str | None = None  # grade_id of the cell concerned (for tools, never shown)
    question: str | None = None  # "Question 3": how students know the cell
    unanswered: bool = False  # an answer still holds its placeholder

    def __str__(self) -> str:
        if self.question:
            text = f"{self.question}: {self.message}"
        else:
            text = self.message[:1].upper() + self.message[1:]
        return text + (f"\n    What to do: {self.fix}" if self.fix else "")


@dataclass
class CheckReport:
    """Everything found when checking one notebook."""

    path: Path
    problems: list[Finding] = field(default_factory=list)
    tests_run: int = 0
    tests_failed: int = 0
    reference: str = ""  # where the released version came from
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        lines = [
            f"Checking {self.path.name}. This checks the saved file: answers typed since you "
            "last saved are not included, so save first (Ctrl+S) and run this cell again if "
            "you are not sure."
        ]
        lines += self.notes
        if self.tests_run:
            passed = self.tests_run - self.tests_failed
            lines.append(f"Visible tests: {passed} of {self.tests_run} test cells passed.")
        if self.ok:
            lines.append("✔ No problems found. You can submit this notebook.")
            lines.append(
                "  (Passing the visible tests does not guarantee full marks: there are more "
                "tests at grading, and written answers are marked by a tutor.)"
            )
        else:
            count = len(self.problems)
            lines.append(f"✘ {count} problem{'s' if count != 1 else ''} to fix before you submit:")
            for number, problem in enumerate(self.problems, 1):
                lines.append(f"{number}. {problem}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def _read(path: Path, report: CheckReport) -> Any | None:
    import nbformat

    try:
        raw = path.read_text(encoding="utf-8")
        json.loads(raw)
    except UnicodeDecodeError:
        report.problems.append(
            Finding(
                "The file is not a notebook (it is not text).",
                "Check you picked the right file; it should end in .ipynb.",
            )
        )
        return None
    except json.JSONDecodeError as exc:
        report.problems.append(
            Finding(
                f"The notebook file is damaged: it is not valid JSON"
                f" (line {exc.lineno}: {exc.msg}).",
                "Open it in JupyterLab; if it will not open, use File > Revert Notebook to "
                "Checkpoint, or download a fresh copy of the assignment and paste your answers in.",
            )
        )
        return None
    try:
        return nbformat.reads(raw, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for malformed notebooks
        report.problems.append(
            Finding(
                f"The notebook file is damaged: {exc}.",
                "Download a fresh copy of the assignment and paste your answers in.",
            )
        )
        return None


def _reference(path: Path, nb: Any, course_root: Path | None) -> tuple[dict | None, str]:
    """The manifest of the released version: from exercises/ if found, else the embedded one."""
    import nbformat

    from helpers.grading._course import CourseNotFound, find_course_root
    from helpers.grading._notebooks import manifest

    embedded = nb.metadata.get("mhsw") if isinstance(nb.metadata.get("mhsw"), dict) else None
    assignment = (embedded or {}).get("assignment") or path.parent.name
    roots: list[Path] = []
    if course_root:
        roots.append(Path(course_root))
    else:
        try:
            roots.append(find_course_root(path.parent))
        except CourseNotFound:
            pass
    for root in roots:
        try:
            from helpers.grading._course import load_course_config

            release = load_course_config(root).CourseDirectory.get("release_directory", "release")
        except Exception:
            release = "exercises"
        candidate = root / release / assignment / path.name
        if candidate.is_file() and candidate.resolve() != path.resolve():
            released = nbformat.read(candidate, as_version=4)
            return manifest(released, assignment, path.stem), f"the released version {candidate}"
    if embedded and embedded.get("format") == "mhsw-assessed/1":
        return embedded, "the list of graded cells saved in the notebook when it was released"
    return None, ""


# --------------------------------------------------------------------------- integrity

_QUESTION_IN_TEXT = re.compile(r"\W*(?:#+\s*)?(?:\*\*)?Question\s+(\d+)\b")
_QUESTION_IN_ID = re.compile(r"^q(\d+)(?:\b|[-_])", re.IGNORECASE)
_NAMED_CELLS = {"intro": "the introduction at the top", "setup": "the setup cell at the top"}


def question_names(nb: Any) -> dict[str, str]:
    """``{grade_id: "Question 3"}``: graded cells named as students know them.

    A cell belongs to the last "Question N" that a Markdown cell above it starts with (the
    course's assessed notebooks write "**Question 3 (4 marks) ...**"); cells before the first
    question (introduction, setup) belong to none.
    """
    from helpers.grading._notebooks import nbgrader_meta

    names: dict[str, str] = {}
    current = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _QUESTION_IN_TEXT.match(cell.source)
            if found and not nbgrader_meta(cell).get("solution"):
                current = f"Question {found.group(1)}"
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id and current:
            names.setdefault(grade_id, current)
    return names


def _question(grade_id: str, names: dict[str, str]) -> str | None:
    if grade_id in names:
        return names[grade_id]
    found = _QUESTION_IN_ID.match(grade_id)
    return f"Question {found.group(1)}" if found else None


def _what(grade_id: str, role: str, names: dict[str, str]) -> str:
    """How a student would name a graded cell: "the test cell", "the setup cell at the top"."""
    if _question(grade_id, names):
        return f"the {role} cell"
    if grade_id in _NAMED_CELLS:
        return _NAMED_CELLS[grade_id]
    return f"a {role} cell"


def _integrity(nb: Any, ref: dict, report: CheckReport) -> None:
    from helpers.grading._notebooks import is_graded, nbgrader_meta

    names = question_names(nb)
    by_id: dict[str, list[Any]] = {}
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id and is_graded(cell):
            by_id.setdefault(grade_id, []).append(cell)
    expected = {c["grade_id"]: c for c in ref.get("graded_cells", [])}
    assignment = ref.get("assignment", "<assignment>")
    fresh = f"exercises/{assignment}/{ref.get('notebook', assignment)}.ipynb"

    def found(grade_id: str, message: str, fix: str) -> None:
        report.problems.append(Finding(message, fix, grade_id, _question(grade_id, names)))

    for grade_id, want in expected.items():
        cells = by_id.get(grade_id, [])
        what = _what(grade_id, want["role"], names)
        marks = f" ({want['points']} marks)" if want.get("points") else ""
        if not cells:
            found(
                grade_id,
                f"{what.capitalize()}{marks} is missing: it seems to have been deleted.",
                f"Copy that cell back, in the same place, from a fresh copy of the assignment "
                f"({fresh}); a missing cell scores no marks.",
            )
            continue
        if len(cells) > 1:
            found(
                grade_id,
                f"{what.capitalize()} appears {len(cells)} times: it seems to have been copied.",
                "Keep the original cell (with your answer) and delete the copies;"
                " only one can be marked.",
            )
        cell = cells[0]
        if cell.cell_type != want["cell_type"]:
            found(
                grade_id,
                f"{what.capitalize()} was changed from a {want['cell_type']} cell to a "
                f"{cell.cell_type} cell.",
                f"Select the cell and change its type back to "
                f"{'Code' if want['cell_type'] == 'code' else 'Markdown'} in the toolbar menu.",
            )
        flags = {
            k: bool(nbgrader_meta(cell).get(k)) for k in ("grade", "solution", "locked", "task")
        }
        points = nbgrader_meta(cell).get("points", 0) if flags["grade"] or flags["task"] else 0
        if flags != want["flags"] or float(points or 0) != float(want.get("points") or 0):
            found(
                grade_id,
                f"The grading settings of {what} were changed.",
                f"Replace the cell with the one from a fresh copy ({fresh}),"
                " then put your answer back.",
            )
    for grade_id in sorted(set(by_id) - set(expected)):
        report.problems.append(
            Finding(
                "A cell has grading settings but is not part of this assignment (it starts: "
                f"'{_first_words(by_id[grade_id][0].source)}').",
                "It was probably pasted from another notebook: delete it, or copy your work into "
                "an ordinary cell.",
                grade_id,
            )
        )
    _edited_and_placeholders(by_id, expected, names, report)


def _first_words(source: str, limit: int = 60) -> str:
    text = " ".join(source.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _edited_and_placeholders(
    by_id: dict, expected: dict, names: dict[str, str], report: CheckReport
) -> None:
    from nbgrader.utils import compute_checksum

    from helpers.grading._notebooks import nbgrader_meta

    for grade_id, cells in by_id.items():
        if grade_id not in expected:
            continue
        cell = cells[0]
        meta = nbgrader_meta(cell)
        question = _question(grade_id, names)
        if cell.cell_type != expected[grade_id]["cell_type"]:
            continue
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            checksum = meta.get("checksum")
            if checksum and compute_checksum(cell) != checksum:
                kind = "test" if meta.get("grade") else "read-only"
                what = _what(grade_id, kind, names)
                report.problems.append(
                    Finding(
                        f"{what.capitalize()} has been edited.",
                        "Undo your changes (Edit > Undo, or copy the cell from a fresh copy). At "
                        "grading the original cell is put back, so your edits would not count.",
                        grade_id,
                        question,
                    )
                )
        if meta.get("solution") and _is_placeholder(cell):
            written = cell.cell_type == "markdown"
            report.problems.append(
                Finding(
                    "not answered yet: "
                    + (
                        "the written answer still says 'YOUR ANSWER HERE'."
                        if written
                        else "the answer cell still has the placeholder '...' in it."
                    ),
                    "Double-click the 'YOUR ANSWER HERE' cell, replace the text with your "
                    "answer, then press Shift+Enter."
                    if written
                    else "Replace the '...' (or 'raise NotImplementedError()') with your code,"
                    " run the cell, then run the test cell below it.",
                    grade_id,
                    question,
                    unanswered=True,
                )
            )


def _is_placeholder(cell: Any) -> bool:
    source = cell.source
    if cell.cell_type == "markdown":
        return "YOUR ANSWER HERE" in source or not source.strip()
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return not lines or any(_PLACEHOLDER_LINE.search(ln) for ln in lines)


def _trace_questions(nb: Any) -> dict[str, tuple[str, str | None]]:
    """``{scenario id: (grade_id, "Question 6")}`` for the graded cells that read a trace."""
    from helpers.grading._notebooks import TRACE_CALL, nbgrader_meta

    names = question_names(nb)
    found: dict[str, tuple[str, str | None]] = {}
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id and cell.cell_type == "code":
            for scenario_id in TRACE_CALL.findall(cell.source):
                found.setdefault(scenario_id, (grade_id, _question(grade_id, names)))
    return found


def _traces(path: Path, ref: dict, report: CheckReport, nb: Any) -> None:
    from helpers.traces import find_trace

    where = _trace_questions(nb)
    for scenario_id in ref.get("traces", []):
        grade_id, question = where.get(scenario_id, (None, None))
        trace = trace_path(scenario_id, path.parent)

        def found(message: str, fix: str, grade_id=grade_id, question=question) -> None:
            report.problems.append(Finding(message, fix, grade_id, question, unanswered=True))

        try:
            located = find_trace(scenario_id, path.parent, notebook=path)
        except FileNotFoundError:
            found(
                f"your decisions in the scenario '{scenario_id}' have not been saved yet "
                f"(they are not in this notebook, and there is no file {trace.name} beside it).",
                "Run the scenario cell in the notebook and play the scenario to an ending; "
                "your choices are kept in the notebook automatically. Then save the notebook.",
            )
            continue
        except ValueError:
            found(
                f"the file of your decisions ({trace.name}) is damaged.",
                "Delete it and play the scenario again in the notebook.",
            )
            continue
        if located.note:
            report.notes.append(located.note)
        if not located.trace.get("ending"):
            found(
                f"the scenario '{scenario_id}' has not been played to an ending yet.",
                "Carry on playing the scenario in the notebook until you reach an ending.",
            )


# --------------------------------------------------------------------------- visible tests


def _visible_tests(path: Path, nb: Any, course_root: Path | None, report: CheckReport) -> None:
    from nbgrader.utils import is_grade, is_solution
    from nbgrader.validator import Validator
    from traitlets.config import Config

    from helpers.grading._course import CourseNotFound, load_course_config

    config = Config()
    try:
        from helpers.grading._course import find_course_root

        root = Path(course_root) if course_root else find_course_root(path.parent)
        config.Execute = load_course_config(root).get("Execute", Config())
    except CourseNotFound:
        config.Execute.timeout = 30
    config.Validator.ignore_checksums = True  # edited cells are reported above, in plain words
    # The check's own kernel must not print its start-up warnings (e.g. "Kernel is running over
    # TCP without encryption") into the student's notebook: only errors.
    config.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
    tests = [c for c in nb.cells if is_grade(c) and not is_solution(c) and c.cell_type == "code"]
    report.tests_run = len(tests)
    if not tests:
        return
    validator = Validator(config=config)
    try:
        results = validator.validate(str(path))
    except Exception as exc:  # e.g. the kernel died or a cell timed out
        report.problems.append(
            Finding(
                f"Your notebook could not be run from top to bottom: {_one_line(exc)}",
                "Restart the kernel and run all cells (Kernel > Restart Kernel and Run All Cells); "
                "fix the first cell that fails or never finishes.",
            )
        )
        report.tests_failed = report.tests_run
        return
    by_source = {c.source.strip(): c for c in tests}
    names = question_names(nb)
    already = {p.cell for p in report.problems if p.unanswered} | {
        p.question for p in report.problems if p.unanswered and p.question
    }
    for failed in results.get("failed", []):
        cell = by_source.get(failed["source"])
        grade_id = cell.metadata.nbgrader.grade_id if cell else None
        question = _question(grade_id, names) if grade_id else None
        report.tests_failed += 1
        if question in already or grade_id in already:
            continue  # the question is reported once, as not answered yet
        raw = failed.get("raw_error", "")
        what = "its test" if question else "a test cell"
        if "Partial credit" in raw:
            report.problems.append(
                Finding(
                    f"{what} gives only part of the marks.",
                    "Run the test cell: what it prints says which marks you have and what is "
                    "missing.",
                    grade_id,
                    question,
                )
            )
            continue
        report.problems.append(
            Finding(
                f"{what} did not pass: {_error_message(raw)}",
                "Fix your answer above the test, run it, then run the test cell again.",
                grade_id,
                question,
            )
        )


def _error_message(raw: str) -> str:
    """The last line of a traceback, without colour codes: usually the plain-English assertion."""
    from nbconvert.filters import strip_ansi

    lines = [ln.strip() for ln in strip_ansi(raw).splitlines() if ln.strip()]
    if not lines:
        return "it gave an error."
    if lines[0].startswith("✘ This check did not pass"):  # helpers.answers.plain_test_messages
        return " ".join(lines[1:]) or "a check in it did not pass."
    last = lines[-1]
    for prefix in ("AssertionError: ", "CheckFailed: ", "AssertionError", "CheckFailed"):
        if last.startswith(prefix):
            return last[len(prefix) :] or "a check in it did not pass."
    name, _, detail = last.partition(": ")
    plain = _PLAIN_ERRORS.get(name)
    if plain:
        return f"{plain}{f' ({detail})' if detail else ''}."
    return last


# Python's error names, for people (the last line of a traceback starts with one of them).
_PLAIN_ERRORS = {
    "NameError": "the test uses a name that does not exist yet: run the cells above it first",
    "FileNotFoundError": "a file it needs is missing",
    "TypeError": "a value has the wrong type (for example text where a number is needed)",
    "ValueError": "a value is not what the test expected",
    "KeyError": "a column or label it looks for is not there",
    "ZeroDivisionError": "something was divided by zero",
}


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[-1] if text else type(exc).__name__)[:300]


# --------------------------------------------------------------------------- entry points


def check_notebook(
    path: str | os.PathLike[str],
    course_root: str | os.PathLike[str] | None = None,
    run_tests: bool = True,
) -> CheckReport:
    """Check one notebook; return a :class:`CheckReport` (``.ok``, ``.problems``, ``.text()``)."""
    path = Path(path).resolve()
    report = CheckReport(path)
    if not path.is_file():
        report.problems.append(Finding(f"There is no file {path}.", "Check the name and folder."))
        return report
    nb = _read(path, report)
    if nb is None:
        return report
    ref, where = _reference(path, nb, Path(course_root) if course_root else None)
    report.reference = where
    if ref is None:
        report.notes.append(
            "Could not find the released version of this assignment, so only the tests were run."
        )
    else:
        _integrity(nb, ref, report)
        _traces(path, ref, report, nb)
    if run_tests:
        _visible_tests(path, nb, Path(course_root) if course_root else None, report)
    return report


def _find_current_notebook() -> Path:
    """The notebook this kernel belongs to, from what Jupyter tells the kernel."""
    candidates: list[str] = []
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            for name in ("__session__", "__vsc_ipynb_file__"):
                value = shell.user_ns.get(name)
                if isinstance(value, str):
                    candidates.append(value)
    except ImportError:
        pass
    candidates.append(os.environ.get("JPY_SESSION_NAME", ""))
    cwd = Path.cwd()
    for name in filter(None, candidates):
        for option in (Path(name), cwd / name, cwd / Path(name).name):
            if option.suffix == ".ipynb" and option.is_file():
                return option
    notebooks = sorted(cwd.glob("*.ipynb"))
    if len(notebooks) == 1:
        return notebooks[0]
    listed = ", ".join(p.name for p in notebooks[:5]) or "none"
    raise FileNotFoundError(
        "I could not tell which notebook to check (notebooks in this folder: "
        f"{listed}). Give its name, for example: check_my_work('sample-assignment.ipynb')"
    )


def check_my_work(path: str | os.PathLike[str] | None = None, run_tests: bool = True) -> None:
    """Check this notebook before you submit it, and print what to fix.

    Save the notebook first (Ctrl+S): the saved file is what gets checked and submitted.
    ``path`` is only needed if the notebook cannot be found automatically.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        print("check_my_work() is skipped while the notebook is being validated or graded.")
        return
    try:
        notebook = Path(path) if path else _find_current_notebook()
    except FileNotFoundError as exc:
        print(f"✘ {exc}")
        return
    print(check_notebook(notebook, run_tests=run_tests).text())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="notebook(s) to check")
    parser.add_argument(
        "--no-run", action="store_true", help="only the integrity checks; do not run the tests"
    )
    add_course_argument(parser)


def run(args: argparse.Namespace) -> int:
    worst = 0
    for name in args.files:
        report = check_notebook(name, course_root=args.course, run_tests=not args.no_run)
        print(report.text())
        worst = max(worst, 0 if report.ok else 1)
    return worst
