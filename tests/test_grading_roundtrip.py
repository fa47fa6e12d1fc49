"""The assessed-notebook round trip: release, a simulated class, grade, feedback, export.

One temporary copy of the course is released and graded once per module (grading is the slow
part); the tests then look at the result from every side. The class holds one student of each
kind in helpers.grading._simulate.KINDS (correct, partly correct, blank and every kind of
broken submission) plus one student in the gradebook who never submitted.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from _roundtrip import grades

from helpers.grading._course import Course, CourseNotFound, find_course_root
from helpers.grading._notebooks import html_text, leaks, secret_lines
from helpers.grading._simulate import KINDS, make_class, play

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "sample-assignment"
SCENARIO = "m3-mha-assessment"
CELL_TIMEOUT = 8
STUDENTS = {f"s{number:02d}-{kind}": kind for number, kind in enumerate(KINDS)}
ABSENT = "s99-absent"

pytestmark = pytest.mark.slow


def _copy_course(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", target)
    shutil.copytree(REPO / "solutions", target / "solutions")
    return target


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    from helpers.grading.release import release_assignment

    root = _copy_course(tmp_path_factory.mktemp("course"))
    found = Course.find(root)
    for assignment_id in found.assignment_ids():  # all, to compare with the committed exercises
        assert release_assignment(found, assignment_id) == [], assignment_id
    return found


@pytest.fixture(scope="module")
def graded(course: Course):
    from helpers.grading.grade import grade_assignment

    make_class(course.root, ASSIGNMENT, STUDENTS, SCENARIO)
    with course.gradebook() as gb:
        gb.update_or_create_student(
            ABSENT,
            first_name="Ana",
            last_name="Absent",
            email="ana.absent@example.ac.uk",
            lms_user_id="9001",
        )
    before = _tree_digest(course.root / "solutions")
    run = grade_assignment(
        course, ASSIGNMENT, workers=2, timeout=CELL_TIMEOUT, memory_mb=1024, progress=False
    )
    return run, before


def _tree_digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _scores(course: Course, student: str) -> dict[str, tuple[float | None, bool]]:
    return grades(course, ASSIGNMENT, student)


def _expected_trace_marks(defensible: bool) -> float:
    from helpers.scenarios import find_scenario
    from helpers.traces import score_trace

    score = score_trace(play(SCENARIO, defensible=defensible), find_scenario(SCENARIO))
    return round(4 * score.points / score.max_points, 2)


# --------------------------------------------------------------------------- release


def test_is_the_course_found_from_the_current_folder_not_from_the_install(course, tmp_path):
    inner = course.root / "solutions" / ASSIGNMENT
    assert find_course_root(inner) == course.root
    assert find_course_root(course.root) == course.root
    with pytest.raises(CourseNotFound, match="nbgrader_config.py"):
        find_course_root(tmp_path)


def test_does_the_release_land_in_exercises_of_the_course(course):
    released = course.root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert released.is_file()
    with course.gradebook() as gb:
        assert gb.find_assignment(ASSIGNMENT).max_score == 12


def test_are_the_committed_exercises_up_to_date_with_solutions(course):
    fresh = course.root / "exercises"
    committed = REPO / "exercises"
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert committed_files == fresh_files, "exercises/ is out of date: run 'mhsw release'"
    for name in fresh_files:
        if name.suffix == ".ipynb":
            a = nbformat.read(fresh / name, as_version=4)
            b = nbformat.read(committed / name, as_version=4)
            assert a == b, f"exercises/{name} is out of date with solutions/: run 'mhsw release'"
        else:
            assert (fresh / name).read_bytes() == (committed / name).read_bytes()


def test_do_the_committed_exercises_hold_no_solution_or_hidden_test():
    for master_path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        if master_path.parent.name.startswith("_"):
            continue
        master = nbformat.read(master_path, as_version=4)
        released = REPO / "exercises" / master_path.parent.name / master_path.name
        assert released.is_file(), f"{released} is missing: run 'mhsw release'"
        text = released.read_text(encoding="utf-8")
        assert secret_lines(master), f"{master_path} has no solution or hidden-test region"
        assert leaks(master, text) == []
        assert "Marking guide" not in text
        assert not list(released.parent.glob("marking-guide*"))


def test_does_the_release_record_the_graded_cells_in_the_notebook(course):
    nb = nbformat.read(course.root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    manifest = nb.metadata["mhsw"]
    ids = [c["grade_id"] for c in manifest["graded_cells"]]
    assert {"q1-tests", "q2-tests", "q3-answer", "q4-trace"} <= set(ids)
    assert manifest["traces"] == [SCENARIO]


# --------------------------------------------------------------------------- grading


def test_is_every_student_marked_as_expected(graded, course):
    run, _ = graded
    trace_marks = _expected_trace_marks(defensible=True)
    assert trace_marks == 4.0
    full = {
        "q1-tests": (2.0, False),
        "q2-tests": (2.0, False),
        "q3-answer": (None, True),
        "q4-trace": (4.0, False),
    }
    expected = {
        "perfect": full,
        "partial": dict(
            full,
            **{
                "q1-tests": (0.0, False),
                "q4-trace": (_expected_trace_marks(defensible=False), False),
            },
        ),
        "blank": {
            "q1-tests": (0.0, False),
            "q2-tests": (0.0, False),
            "q3-answer": (0.0, False),
            "q4-trace": (0.0, False),
        },
        "deleted-test": dict(full, **{"q1-tests": (None, True)}),
        "duplicated": full,
        "infinite-loop": dict(full, **{"q1-tests": (0.0, False)}),
        "huge-output": full,
        "escape": full,
        "memory-hog": dict(full, **{"q2-tests": (0.0, False)}),
    }
    for student, kind in STUDENTS.items():
        if kind in expected:
            assert _scores(course, student) == expected[kind], f"{student} marked wrongly"
            assert run.results[student].status in ("graded", "needs manual grading")


def test_are_broken_submissions_reported_with_a_reason(graded):
    run, _ = graded
    by_kind = {kind: run.results[student] for student, kind in STUDENTS.items()}
    assert by_kind["invalid-json"].status == "failed"
    assert "not valid JSON" in by_kind["invalid-json"].reasons[0]
    assert by_kind["kernel-crash"].status == "failed"
    assert "kernel died" in by_kind["kernel-crash"].reasons[0]
    assert any("deleted" in r for r in by_kind["deleted-test"].reasons)
    assert any("copied" in r for r in by_kind["duplicated"].reasons)
    assert any("too long" in r for r in by_kind["infinite-loop"].reasons)
    assert any("memory" in r for r in by_kind["memory-hog"].reasons)
    assert by_kind["blank"].status == "graded"
    assert by_kind["perfect"].status == "needs manual grading"
    summary = run.summary()
    assert "could not be graded:    2" in summary
    assert "Written answers for tutors to mark (formgrader): 4 student(s)." in summary
    unusual = (
        "invalid-json",
        "kernel-crash",
        "deleted-test",
        "duplicated",
        "infinite-loop",
        "memory-hog",
    )
    for student, kind in STUDENTS.items():
        assert (student in summary) == (kind in unusual), student


def test_is_printed_output_capped(graded, course):
    nb = nbformat.read(
        course.autograded / "s08-huge-output" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4
    )
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert len(text) < 300_000
    assert "Output cut here" in text


def test_can_student_code_not_read_solutions_or_write_outside_its_folder(graded, course):
    run, solutions_before = graded
    nb = nbformat.read(
        course.autograded / "s09-escape" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4
    )
    answer = next(
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-answer"
    )
    printed = "".join(o.get("text", "") for o in answer.outputs)
    # read solutions, write to the course, write beside its folder, run a program, list solutions
    assert printed.count("PermissionError") == 5, printed
    assert not (course.root / "escaped.txt").exists()
    assert not list(course.root.rglob("escaped.txt"))
    assert not Path("/tmp/mhsw-escaped").exists()
    assert _tree_digest(course.root / "solutions") == solutions_before


def test_does_grading_leave_no_solution_in_graded_folders(graded, course):
    # Hidden tests are put back into graded copies on purpose (that is how they are run), and
    # a student's answer may equal the model answer, so look for what must never be there.
    for path in course.autograded.rglob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "Marking guide" not in text and "BEGIN SOLUTION" not in text, path
    assert not list(course.autograded.rglob("marking-guide*"))


def test_is_grading_again_safe_and_idempotent(graded, course):
    from helpers.grading.grade import grade_assignment

    before = {s: _scores(course, s) for s in STUDENTS}
    again = grade_assignment(course, ASSIGNMENT, workers=2, timeout=CELL_TIMEOUT, progress=False)
    skipped = {s for s, r in again.results.items() if r.status == "skipped (up to date)"}
    assert skipped == {s for s, k in STUDENTS.items() if k not in ("invalid-json", "kernel-crash")}
    forced = grade_assignment(
        course,
        ASSIGNMENT,
        students=["s00-perfect", "s02-blank"],
        force=True,
        workers=2,
        timeout=CELL_TIMEOUT,
        progress=False,
    )
    assert {r.status for r in forced.results.values()} == {"needs manual grading", "graded"}
    after = {s: _scores(course, s) for s in STUDENTS}
    assert after == before


# --------------------------------------------------------------------------- feedback


def test_does_feedback_show_hidden_test_messages_but_never_their_code(graded, course):
    from helpers.grading.feedback import write_feedback

    written, notes, problems = write_feedback(course, ASSIGNMENT)
    assert problems == []
    assert set(written) == {
        s for s, k in STUDENTS.items() if k not in ("invalid-json", "kernel-crash")
    }
    assert any("s03-invalid-json" in n for n in notes)
    master = nbformat.read(course.source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    hidden_code = secret_lines(master, hidden_tests_only=True)
    assert any("101" in line for line in hidden_code)
    for html in course.feedback.rglob("*.html"):
        text = html_text(html.read_text(encoding="utf-8"))
        assert leaks(master, text, hidden_tests_only=True) == [], html
        assert "BEGIN HIDDEN TESTS" not in text and "Marking guide" not in text
    partial = html_text(
        (course.feedback / "s01-partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    )
    assert "q1_total is not the number of answers to Q1" in partial  # the hidden test's message


# --------------------------------------------------------------------------- export


def _mark_written_answers(course: Course, marks: dict[str, float]) -> None:
    with course.gradebook() as gb:
        for student, score in marks.items():
            grade = gb.find_grade("q3-answer", ASSIGNMENT, ASSIGNMENT, student)
            grade.manual_score = score
            grade.needs_manual_grade = False
        gb.db.commit()


def test_does_the_export_list_every_student_with_the_right_mark(graded, course):
    from helpers.grading.export import collect_marks, render, report

    marks = {m.student: m for m in collect_marks(course, ASSIGNMENT)}
    assert set(marks) == set(STUDENTS) | {ABSENT}
    assert marks[ABSENT].status == "no submission"
    assert marks["s03-invalid-json"].status == "grading failed"
    assert marks["s00-perfect"].status == "needs manual grading"
    rows = list(csv.DictReader(io.StringIO(render(list(marks.values()), "csv", ASSIGNMENT))))
    values = {r["student_id"]: r["score"] for r in rows}
    assert values[ABSENT] == "0" and values["s00-perfect"] == "" and values["s02-blank"] == "0"
    assert "left EMPTY" in report(list(marks.values()))

    ready = [
        s
        for s, k in STUDENTS.items()
        if k not in ("invalid-json", "kernel-crash", "deleted-test", "blank")
    ]
    _mark_written_answers(course, dict.fromkeys(ready, 3.0))
    marks = {m.student: m for m in collect_marks(course, ASSIGNMENT)}
    assert marks["s00-perfect"].status == "graded" and marks["s00-perfect"].score == 11.0
    assert marks["s06-infinite-loop"].score == 9.0

    moodle = list(
        csv.reader(io.StringIO(render(list(marks.values()), "moodle", ASSIGNMENT, name="Sample")))
    )
    assert moodle[0] == [
        "Username",
        "Email address",
        "First name",
        "Last name",
        "Sample",
        "Feedback",
    ]
    assert ["s00-perfect", "", "", "", "11", ""] in moodle
    assert [ABSENT, "ana.absent@example.ac.uk", "Ana", "Absent", "0", ""] in moodle
    assert len(moodle) == 1 + len(STUDENTS) + 1

    canvas = list(
        csv.reader(
            io.StringIO(
                render(
                    list(marks.values()),
                    "canvas",
                    ASSIGNMENT,
                    name="Sample",
                    canvas_id="4321",
                    section="A",
                )
            )
        )
    )
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Sample (4321)"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "12"]
    assert ["Absent, Ana", "9001", ABSENT, "", "A", "0"] in canvas
    assert ["s03-invalid-json", "", "s03-invalid-json", "", "A", ""] in canvas
    assert len(canvas) == 2 + len(STUDENTS) + 1


def test_does_the_export_command_write_a_file_without_solutions(graded, course, capsys):
    from helpers.cli import main

    os.chdir(course.root / "solutions")  # any folder inside the course
    try:
        assert main(["export", ASSIGNMENT, "--format", "moodle"]) == 0
    finally:
        os.chdir(REPO)
    out = course.root / "exports" / f"{ASSIGNMENT}-moodle.csv"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Username,")
    master = nbformat.read(course.source / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert leaks(master, text) == []
    assert "Not fully graded" in capsys.readouterr().out


def test_does_the_grading_log_folder_hold_one_log_per_student(graded, course):
    logs = course.root / "grading-logs" / ASSIGNMENT
    assert {p.stem for p in logs.glob("*.log")} == set(STUDENTS) | {"_workers"}
    assert "Timeout waiting for execute reply" in (logs / "s06-infinite-loop.log").read_text(
        encoding="utf-8"
    )


def test_do_grading_kernels_talk_over_their_workers_own_sockets(course, tmp_path):
    # Loopback ports picked by several workers at once can collide (a kernel then dies with
    # "Invalid Signature"); each worker's kernels use Unix sockets under a prefix of its own.
    from helpers.grading._worker import _config

    sockets = tmp_path / "ipc"
    config = _config(tmp_path, course.root, {"db_url": course.db_url, "sockets": str(sockets)})
    assert config.KernelManager.transport == "ipc"
    assert config.KernelManager.ip == str(sockets / f"w{os.getpid()}")


def test_does_the_class_debrief_read_the_graded_class_and_name_no_one(graded, course, tmp_path):
    from helpers.cli import main as mhsw

    with_traces = [s for s, kind in STUDENTS.items() if kind != "blank"]
    report = tmp_path / "debrief.html"
    code = mhsw(["debrief", SCENARIO, "--traces", str(course.root / "submitted"),
                 "-o", str(report), "--min-count", "3"])
    assert code == 0
    html = report.read_text("utf-8")
    assert f"<strong>{len(with_traces)}</strong> decision trace(s) read" in html
    for student in STUDENTS:
        assert student not in html
    assert ABSENT not in html and "ana.absent" not in html
