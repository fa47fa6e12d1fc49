"""``mhsw export ID --format csv|moodle|canvas``: marks in a file a VLE can import.

Every student appears once: everyone in the gradebook and everyone with a folder in
``submitted/``. Columns are documented in docs/grading.md. By default:

* a student with **no submission** gets 0 (``--missing blank`` leaves the mark empty);
* a student whose work is **not fully graded** (written answers waiting for a tutor, grading
  failed, or not graded yet) gets an empty mark, and is listed in the report printed at the
  end, so a partial mark is never uploaded by mistake (``--partial`` exports the marks so far).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.grading._course import Course, add_course_argument

FORMATS = ("csv", "moodle", "moodle-worksheet", "canvas")
#: Column headers of Moodle's offline grading worksheet (Moodle in English): the importer
#: (mod/assign/feedback/offline/importgradeslib.php) needs the first, "Grade" and the last.
MOODLE_ID, MOODLE_MODIFIED = "Identifier", "Last modified (grade)"


@dataclass
class Mark:
    student: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str
    score: float | None  # after any late penalty
    max_score: float
    status: str  # graded | needs manual grading | grading failed | not graded yet | no submission
    questions: dict[str, tuple[float | None, float, bool]] = field(default_factory=dict)
    vle: Any = None  # helpers.grading.vle.VleRecord, when the work came in through mhsw collect

    @property
    def complete(self) -> bool:
        return self.status in ("graded", "no submission")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", metavar="ID", help="the assignment")
    parser.add_argument(
        "--format", choices=FORMATS, default="csv", help="file layout (default csv)"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write (default exports/<ID>-<format>.csv in the course; '-' for the screen)",
    )
    parser.add_argument(
        "--missing",
        choices=("zero", "blank"),
        default="zero",
        help="mark for a student with no submission (default zero)",
    )
    parser.add_argument(
        "--partial",
        action="store_true",
        help="export marks of work not fully graded yet instead of leaving them empty",
    )
    parser.add_argument(
        "--name", help="assignment name in the VLE (Moodle and Canvas column; default ID)"
    )
    parser.add_argument(
        "--canvas-id", default="", help="Canvas assignment id, for the column 'Name (id)'"
    )
    parser.add_argument("--section", default="", help="Canvas section to put in the Section column")
    parser.add_argument(
        "--per-question",
        action="store_true",
        help="add a column of marks for each graded cell (csv and Moodle formats)",
    )
    add_course_argument(parser)


def run(args: argparse.Namespace) -> int:
    course = Course.find(args.course)
    course.check_assignment(args.assignment)
    if args.per_question and args.format == "canvas":
        raise SystemExit(
            "--per-question does not go with --format canvas: Canvas would add every extra "
            "column to its gradebook as a new assignment. Export per-question marks with "
            "--format csv, and the total with --format canvas."
        )
    marks = collect_marks(course, args.assignment)
    text = render(
        marks,
        args.format,
        args.assignment,
        name=args.name or args.assignment,
        canvas_id=args.canvas_id,
        section=args.section,
        missing=args.missing,
        partial=args.partial,
        per_question=args.per_question,
    )
    if args.output == "-":
        sys.stdout.write(text)
    else:
        out = (
            Path(args.output)
            if args.output
            else course.root / "exports" / f"{args.assignment}-{args.format}.csv"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"Marks of {len(marks)} students written to {out} ({args.format} format).")
    print(
        report(marks, args.partial, args.format),
        file=sys.stderr if args.output == "-" else sys.stdout,
    )
    return 0


def collect_marks(course: Course, assignment_id: str) -> list[Mark]:
    """One mark per student in the gradebook or in submitted/, sorted by student id."""
    from nbgrader.api import MissingEntry

    from helpers.grading.vle import load_records

    records = load_records(course.submitted, assignment_id)
    submitted = set(course.students(assignment_id))
    marks = []
    with course.gradebook() as gb:
        assignment = gb.find_assignment(assignment_id)
        max_score = float(assignment.max_score)
        students = {s.id: s for s in gb.students}
        for student_id in sorted(set(students) | submitted):
            info = students.get(student_id)
            mark = Mark(
                student_id,
                getattr(info, "first_name", None) or "",
                getattr(info, "last_name", None) or "",
                getattr(info, "email", None) or "",
                getattr(info, "lms_user_id", None) or "",
                None,
                max_score,
                "no submission",
            )
            try:
                sub = gb.find_submission(assignment_id, student_id) if info else None
            except MissingEntry:
                sub = None
            graded_folder = course.autograded / student_id / assignment_id
            if sub is None:
                mark.status = "not graded yet" if student_id in submitted else "no submission"
            elif not graded_folder.is_dir():
                mark.status = "grading failed" if student_id in submitted else "no submission"
            else:
                mark.score = max(0.0, float(sub.score) - float(sub.late_submission_penalty or 0))
                mark.status = "needs manual grading" if sub.needs_manual_grade else "graded"
                mark.questions = {
                    g.name: (g.score, float(g.max_score), bool(g.needs_manual_grade))
                    for nb in sub.notebooks
                    for g in nb.grades
                }
            mark.vle = records.get(student_id)
            marks.append(mark)
    return marks


def _value(mark: Mark, missing: str, partial: bool) -> str:
    if mark.status == "no submission":
        return "0" if missing == "zero" else ""
    if mark.score is None or (not mark.complete and not partial):
        return ""
    return f"{mark.score:g}"


def _questions(marks: list[Mark]) -> list[str]:
    names: list[str] = []
    for m in marks:
        names += [q for q in m.questions if q not in names]
    return names


def _question_value(m: Mark, question: str, partial: bool) -> str:
    score, _top, manual = m.questions.get(question, (None, 0.0, False))
    if score is None or (manual and not partial):
        return ""
    return f"{float(score):g}"


def _vle_id(m: Mark, vle: str) -> str:
    record = m.vle
    return record.vle_id if record is not None and record.vle == vle else ""


def render(
    marks: list[Mark],
    fmt: str,
    assignment_id: str,
    name: str = "",
    canvas_id: str = "",
    section: str = "",
    missing: str = "zero",
    partial: bool = False,
    per_question: bool = False,
    now: datetime | None = None,
) -> str:
    """The export file as text (CSV, UTF-8, comma-separated, one header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    name = name or assignment_id
    questions = _questions(marks) if per_question else []
    extra = lambda m: [_question_value(m, q, partial) for q in questions]  # noqa: E731
    if fmt == "csv":
        writer.writerow(
            ["student_id", "last_name", "first_name", "email", "score", "max_score", "status"]
            + questions
        )
        for m in marks:
            writer.writerow(
                [
                    m.student,
                    m.last_name,
                    m.first_name,
                    m.email,
                    _value(m, missing, partial),
                    f"{m.max_score:g}",
                    m.status,
                ]
                + extra(m)
            )
    elif fmt == "moodle":
        writer.writerow(
            ["Username", "Email address", "First name", "Last name", name, "Feedback"] + questions
        )
        for m in marks:
            note = "" if m.complete else f"Not final: {m.status}"
            writer.writerow(
                [m.student, m.email, m.first_name, m.last_name, _value(m, missing, partial), note]
                + extra(m)
            )
    elif fmt == "moodle-worksheet":
        # Moodle's importer reads Identifier, Grade and Last modified (grade), plus feedback
        # columns by their names; every other column is only for people. No "Feedback
        # comments" column: Moodle would overwrite tutors' comments with it.
        stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow(
            [MOODLE_ID, "Full name", "Email address", "Status", "Grade", "Maximum Grade"]
            + [MOODLE_MODIFIED]
            + questions
        )
        for m in marks:
            number = _vle_id(m, "moodle")
            if not number:
                continue  # listed by report(): not collected from Moodle
            full = " ".join(p for p in (m.first_name, m.last_name) if p) or (
                m.vle.vle_name if m.vle else m.student
            )
            writer.writerow(
                [f"Participant {number}", full, m.email, m.status, _value(m, missing, partial)]
                + [f"{m.max_score:g}", stamp]
                + extra(m)
            )
    elif fmt == "canvas":
        column = f"{name} ({canvas_id})" if canvas_id else name
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        top = f"{marks[0].max_score:g}" if marks else ""
        writer.writerow(["Points Possible", "", "", "", "", top])
        for m in marks:
            display = ", ".join(p for p in (m.last_name, m.first_name) if p) or m.student
            record = m.vle
            writer.writerow(
                [
                    display,
                    _vle_id(m, "canvas") or m.lms_user_id,
                    (record.sis_user_id if record else "") or m.student,
                    record.sis_login_id if record else "",
                    section,
                    _value(m, missing, partial),
                ]
            )
    else:
        raise ValueError(f"Unknown format '{fmt}': use one of {', '.join(FORMATS)}.")
    return buffer.getvalue()


def report(marks: list[Mark], partial: bool = False, fmt: str = "csv") -> str:
    """Plain-English summary of what is not final yet."""
    counts: dict[str, list[str]] = {}
    for m in marks:
        counts.setdefault(m.status, []).append(m.student)
    lines = [
        f"{len(marks)} students: " + ", ".join(f"{len(v)} {k}" for k, v in sorted(counts.items()))
    ]
    pending = {k: v for k, v in counts.items() if k not in ("graded", "no submission")}
    if pending:
        what = "exported with the marks so far" if partial else "left EMPTY in the export"
        lines.append(f"Not fully graded ({what}):")
        for status, students in sorted(pending.items()):
            lines.append(f"  {status}: {', '.join(students)}")
        lines.append(
            "Finish grading (formgrader for written answers; 'mhsw grade' for the rest)"
            " and export again."
        )
    else:
        lines.append("All submissions are fully graded.")
    if fmt == "moodle-worksheet":
        absent = [m.student for m in marks if not _vle_id(m, "moodle")]
        if absent:
            lines.append(
                "Left out of the worksheet (no Moodle participant number, because their work "
                f"did not come in through 'mhsw collect' from a Moodle download): "
                f"{', '.join(absent)}. Enter their marks in Moodle by hand."
            )
    return "\n".join(lines)
