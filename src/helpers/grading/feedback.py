"""``mhsw feedback ID``: write a feedback file for every graded student.

nbgrader's ``generate_feedback`` turns each notebook in ``autograded/<student>/<ID>/`` into
``feedback/<student>/<ID>/<notebook>.html``: the student's answers, the marks of every cell,
tutors' comments, and the result and message of every test. The course configuration removes
the code of hidden tests (``ClearHiddenTests``) and shortens tracebacks of test cells to their
message (``ShortTestTracebacks``). As a last safeguard each feedback file is checked against
the master notebook; a file that still shows hidden-test code is deleted and reported.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.grading._course import Course, add_course_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", metavar="ID", help="the assignment")
    parser.add_argument(
        "--student",
        action="append",
        default=[],
        metavar="ID",
        help="only this student (repeat for several)",
    )
    add_course_argument(parser)


def run(args: argparse.Namespace) -> int:
    course = Course.find(args.course)
    course.check_assignment(args.assignment)
    written, notes, problems = write_feedback(course, args.assignment, args.student or None)
    print(f"Feedback written for {len(written)} student(s) in {course.feedback}.")
    for note in notes:
        print(f"  - {note}")
    for problem in problems:
        print(f"  - PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


def write_feedback(
    course: Course, assignment_id: str, students: list[str] | None = None
) -> tuple[list[str], list[str], list[str]]:
    """Generate feedback; return (students with feedback, notes, problems).

    Notes are students who get no feedback yet (not graded); problems are failures.
    """
    import nbformat

    from helpers.grading._nbgrader import log_errors, run_converter
    from helpers.grading._notebooks import html_text, leaks

    graded = sorted(
        p.parent.name for p in course.autograded.glob(f"*/{assignment_id}") if p.is_dir()
    )
    wanted = [s for s in graded if not students or s in students]
    notes = [
        f"{s}: not graded yet, so no feedback (run 'mhsw grade {assignment_id}')"
        for s in sorted(set(students or []) - set(graded))
    ]
    submitted = set(course.students(assignment_id))
    notes += [
        f"{s}: submitted but not graded (see 'mhsw grade' summary), so no feedback"
        for s in sorted(submitted - set(graded))
        if not students or s in students
    ]
    problems: list[str] = []
    masters = {
        p.stem: nbformat.read(p, as_version=4)
        for p in (course.source / assignment_id).glob("*.ipynb")
    }
    written = []
    for student in wanted:
        result = run_converter(
            "generate_feedback", course.config, assignment_id=assignment_id, student_id=student
        )
        if not result.get("success"):
            problems.append(
                f"{student}: nbgrader could not write feedback: "
                + "; ".join(log_errors(result) or ["see nbgrader's log"])
            )
            continue
        clean = True
        for html in (course.feedback / student / assignment_id).glob("*.html"):
            master = masters.get(html.stem)
            found = (
                leaks(master, html_text(html.read_text(encoding="utf-8")), hidden_tests_only=True)
                if master
                else []
            )
            if found:
                html.unlink()
                clean = False
                problems.append(
                    f"{student}: {html.name} showed hidden-test code ({found[0]!r}); "
                    "it was deleted — check the feedback settings in nbgrader_config.py"
                )
        if clean:
            written.append(student)
    return written, notes, problems


def feedback_files(course: Course, assignment_id: str) -> list[Path]:
    return sorted(course.feedback.glob(f"*/{assignment_id}/*.html"))
