"""``mhsw feedback ID``: write a feedback file for every graded student.

nbgrader's ``generate_feedback`` turns each notebook in ``autograded/<student>/<ID>/`` into
``feedback/<student>/<ID>/<notebook>.html``: the student's answers, the marks of every cell,
tutors' comments, and the result and message of every test. The course configuration removes
the code of hidden tests (``ClearHiddenTests``) and shortens tracebacks of test cells to their
message (``ShortTestTracebacks``). As a last safeguard each feedback file is checked against
the master notebook; a file that still shows hidden-test code is deleted and reported.

With ``--vle moodle`` or ``--vle canvas`` the files are also packed into one zip, named so that
the VLE gives each file to the right student (see :func:`vle_feedback_zip`).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
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
    parser.add_argument(
        "--vle",
        choices=("moodle", "canvas"),
        help="also write exports/<ID>-feedback-<vle>.zip, ready to upload to that VLE",
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
    if args.vle:
        path, included, left_out = vle_feedback_zip(course, args.assignment, args.vle, written)
        print(f"{len(included)} feedback file(s) packed for {args.vle} in {path}.")
        for line in left_out:
            print(f"  - not in the zip: {line}")
        print(UPLOAD_HELP[args.vle])
    return 1 if problems else 0


UPLOAD_HELP = {
    "moodle": (
        "Upload it in Moodle on the assignment's submissions page with 'Upload multiple "
        "feedback files in a zip' (in the grading actions menu; where the menu sits varies "
        "between Moodle versions). The assignment needs the feedback type 'Feedback files'."
    ),
    "canvas": (
        "Upload it in Canvas on the assignment's page with 'Re-Upload Submissions'. Each file "
        "is attached as a comment to that student's submission; it works only for work that "
        "came from a Canvas download (the numbers in the names are Canvas's own)."
    ),
}


def vle_feedback_zip(
    course: Course, assignment_id: str, vle: str, students: list[str]
) -> tuple[Path, list[str], list[str]]:
    """Pack the feedback files of ``students`` into a zip the VLE sorts by student.

    * Moodle ("Upload multiple feedback files in a zip") reads the participant number from
      names in its own download form, ``<name>_<participant>_assignsubmission_file_<file>``
      (``mod/assign/feedback/file/importziplib.php``); the name may not contain ``_``.
    * Canvas ("Re-Upload Submissions") reads the first two numbers between underscores as the
      user id and the id of a file the student submitted, as in its own download
      (``Assignment#infer_comment_context_from_filename``).

    Students whose work did not come in through ``mhsw collect`` from that VLE are left out
    and listed. Returns (zip path, students included, lines about those left out).
    """
    from helpers.grading.vle import load_records

    records = load_records(course.submitted, assignment_id)
    out = course.root / "exports" / f"{assignment_id}-feedback-{vle}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    included: list[str] = []
    left_out: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for student in sorted(students):
            record = records.get(student)
            files = sorted((course.feedback / student / assignment_id).glob("*.html"))
            if record is None or record.vle != vle or not files:
                why = "no feedback file" if not files else f"did not come from a {vle} download"
                left_out.append(f"{student} ({why}): return their feedback another way")
                continue
            for html in files:
                name = f"{html.stem}-feedback.html"
                if vle == "moodle":
                    person = (record.vle_name or student).replace("_", " ")
                    entry = f"{person}_{record.vle_id}_assignsubmission_file_{name}"
                else:
                    if not record.file_id:
                        left_out.append(f"{student} (no Canvas file id in the download)")
                        break
                    person = re.sub(r"\W", "", record.vle_name) or "student"
                    entry = f"{person}_{record.vle_id}_{record.file_id}_{name}"
                archive.write(html, entry)
            else:
                included.append(student)
    return out, included, left_out


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
