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
from dataclasses import dataclass
from pathlib import Path

from helpers.grading._course import Course, add_course_argument

FORMATS = ("csv", "moodle", "canvas")


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
    add_course_argument(parser)


def run(args: argparse.Namespace) -> int:
    course = Course.find(args.course)
    course.check_assignment(args.assignment)
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
    print(report(marks, args.partial), file=sys.stderr if args.output == "-" else sys.stdout)
    return 0


def collect_marks(course: Course, assignment_id: str) -> list[Mark]:
    """One mark per student in the gradebook or in submitted/, sorted by student id."""
    from nbgrader.api import MissingEntry

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
            marks.append(mark)
    return marks


def _value(mark: Mark, missing: str, partial: bool) -> str:
    if mark.status == "no submission":
        return "0" if missing == "zero" else ""
    if mark.score is None or (not mark.complete and not partial):
        return ""
    return f"{mark.score:g}"


def render(
    marks: list[Mark],
    fmt: str,
    assignment_id: str,
    name: str = "",
    canvas_id: str = "",
    section: str = "",
    missing: str = "zero",
    partial: bool = False,
) -> str:
    """The export file as text (CSV, UTF-8, comma-separated, one header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    name = name or assignment_id
    if fmt == "csv":
        writer.writerow(
            ["student_id", "last_name", "first_name", "email", "score", "max_score", "status"]
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
            )
    elif fmt == "moodle":
        writer.writerow(["Username", "Email address", "First name", "Last name", name, "Feedback"])
        for m in marks:
            note = "" if m.complete else f"Not final: {m.status}"
            writer.writerow(
                [m.student, m.email, m.first_name, m.last_name, _value(m, missing, partial), note]
            )
    elif fmt == "canvas":
        column = f"{name} ({canvas_id})" if canvas_id else name
        writer.writerow(["Student", "ID", "SIS User ID", "Section", column])
        writer.writerow(["Points Possible", "", "", "", f"{marks[0].max_score:g}" if marks else ""])
        for m in marks:
            display = ", ".join(p for p in (m.last_name, m.first_name) if p) or m.student
            writer.writerow(
                [display, m.lms_user_id, m.student, section, _value(m, missing, partial)]
            )
    else:
        raise ValueError(f"Unknown format '{fmt}': use one of {', '.join(FORMATS)}.")
    return buffer.getvalue()


def report(marks: list[Mark], partial: bool = False) -> str:
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
    return "\n".join(lines)
