"""From a VLE download to marks and feedback files: Moodle and Canvas round trips.

One course copy is built once: a Moodle "download all submissions" zip of the AMHP assessment
made from the course's sample submissions (``tests/files/m3-submissions``) and a Canvas zip of
the sample assignment (the simulated class of ``helpers.grading._simulate``), each with the
awkward cases a lecturer meets: a notebook uploaded alone (its decision trace inside it), one
with the trace file beside it, a renamed notebook, a notebook in a zip of its own, two uploads
by one student, a Word file, late work, a stranger, and a file whose name points outside the
download. Both are collected, graded once, exported and turned into feedback zips; the tests
look at the result from every side.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from helpers.grading._course import Course
from helpers.notebook_traces import put_trace_in_notebook

pytestmark = [pytest.mark.vle, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
M3 = "m3-amhp-assessment"
SAMPLE = "sample-assignment"
SAMPLES = REPO / "tests" / "files" / "m3-submissions"
M3_TRACE = "mhsw-trace-m3-mha-assessment.json"
SCENARIO = "m3-mha-assessment"
OLD = (2026, 11, 19, 9, 0, 0)
NEW = (2026, 11, 20, 9, 0, 0)

ROSTER = """student_id,first_name,last_name,email,vle_id
ak101,Amira,Khan,amira.khan@example.ac.uk,
bo102,Ben,Okoro,ben.okoro@example.ac.uk,Participant 102
cj103,Cara,Jones,cara.jones@example.ac.uk,
dp104,Dev,Patel,dev.patel@example.ac.uk,
es105,Eve,Smith,eve.smith@example.ac.uk,
fw106,Finn,Walsh,finn.walsh@example.ac.uk,
gn107,Grace,Nowak,grace.nowak@example.ac.uk,
cs201,Chloe,Reid,chloe.reid@example.ac.uk,5001
cs202,Omar,Farah,omar.farah@example.ac.uk,5002
cs203,Lena,Hughes,lena.hughes@example.ac.uk,
"""


def _one_file(folder: Path) -> bytes:
    """A sample notebook as a VLE upload: its decision trace inside it, no file beside it."""
    nb = json.loads((folder / f"{M3}.ipynb").read_text(encoding="utf-8"))
    trace = json.loads((folder / M3_TRACE).read_text(encoding="utf-8"))
    return json.dumps(put_trace_in_notebook(nb, trace)).encode()


def _add(archive: zipfile.ZipFile, name: str, data: bytes, when=NEW) -> None:
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _moodle_zip(path: Path) -> Path:
    good, weak = SAMPLES / "good", SAMPLES / "weak"
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as own:
        own.writestr("my work/m3-amhp-assessment.ipynb", _one_file(weak))
    blank = (REPO / "exercises" / M3 / f"{M3}.ipynb").read_bytes()
    folder = "{}_assignsubmission_file/{}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        # the notebook alone (VLE upload) and the notebook with its trace file: same marks
        _add(z, folder.format("Amira Khan_101", f"{M3}.ipynb"), _one_file(good))
        _add(z, folder.format("Ben Okoro_102", f"{M3}.ipynb"), (good / f"{M3}.ipynb").read_bytes())
        _add(z, folder.format("Ben Okoro_102", M3_TRACE), (good / M3_TRACE).read_bytes())
        # renamed by the student; a notebook inside the student's own zip
        _add(z, folder.format("Cara Jones_103", "AMHP work FINAL (2).ipynb"), _one_file(weak))
        _add(z, folder.format("Dev Patel_104", "my-work.zip"), inner.getvalue())
        # a Word file only; two uploads (the later one counts); flat naming of Moodle < 3.1
        _add(z, folder.format("Eve Smith_105", "essay.docx"), b"PK\x03\x04 not a notebook")
        _add(z, folder.format("Finn Walsh_106", f"{M3} (1).ipynb"), blank, when=OLD)
        _add(z, folder.format("Finn Walsh_106", f"{M3}.ipynb"), _one_file(good))
        _add(z, f"Grace Nowak_107_assignsubmission_file_{M3}.ipynb", _one_file(weak))
        # not on the roster; a name pointing outside the download
        _add(z, folder.format("Zed Stranger_999", f"{M3}.ipynb"), _one_file(good))
        _add(z, f"../Amira Khan_101_assignsubmission_file_{M3}.ipynb", b"{}")
    return path


def _canvas_zip(path: Path, course: Course) -> Path:
    from helpers.grading._simulate import play, submission

    released = nbformat.read(course.release / SAMPLE / f"{SAMPLE}.ipynb", as_version=4)
    perfect, _ = submission("perfect", released, course.root, SCENARIO)
    partial, _ = submission("partial", released, course.root, SCENARIO)
    blank, _ = submission("blank", released, course.root, SCENARIO)

    def one_file(nb, trace) -> bytes:
        return json.dumps(put_trace_in_notebook(json.loads(nbformat.writes(nb)), trace)).encode()

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        _add(z, f"reidchloe_5001_70001_{SAMPLE}.ipynb", one_file(perfect, play(SCENARIO)))
        _add(
            z,
            f"farahomar_late_5002_70002_{SAMPLE}-1.ipynb",
            one_file(partial, play(SCENARIO, defensible=False)),
        )
        _add(z, f"hugheslena_5003_70003_{SAMPLE}.ipynb", nbformat.writes(blank).encode())
        _add(z, "hugheslena_5003_70004_notes.pdf", b"%PDF-1.4")
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    from helpers.grading.release import release_assignment

    root = tmp_path_factory.mktemp("vle-course")
    shutil.copy2(REPO / "nbgrader_config.py", root)
    for assignment in (M3, SAMPLE):
        shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    found = Course.find(root)
    for assignment in (M3, SAMPLE):
        assert release_assignment(found, assignment) == []
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return found


@pytest.fixture(scope="module")
def collected(course):
    from helpers.grading.collect import collect

    moodle = _moodle_zip(course.root / "moodle.zip")
    canvas = _canvas_zip(course.root / "canvas.zip", course)
    roster = course.root / "roster.csv"
    return {
        "moodle": collect(course, M3, moodle, roster),
        "canvas": collect(course, SAMPLE, canvas, roster),
    }


@pytest.fixture(scope="module")
def graded(course, collected):
    from helpers.grading.grade import grade_assignment

    runs = {
        a: grade_assignment(course, a, workers=3, timeout=30, memory_mb=1024, progress=False)
        for a in (M3, SAMPLE)
    }
    return runs


def _auto(course, assignment, student) -> float:
    with course.gradebook() as gb:
        return round(gb.find_submission(assignment, student).score, 2)


# --------------------------------------------------------------------------- collect


def test_does_collect_place_every_moodle_student_it_can_and_say_why_not(collected, course):
    report = collected["moodle"]
    assert set(report.placed) == {"ak101", "bo102", "cj103", "dp104", "fw106", "gn107"}
    for student in report.placed:
        assert (course.submitted / student / M3 / f"{M3}.ipynb").is_file()
    assert (course.submitted / "bo102" / M3 / M3_TRACE).is_file()  # the uploaded trace file
    assert not (course.submitted / "ak101" / M3 / M3_TRACE).exists()  # notebook alone
    assert "renamed from 'AMHP work FINAL (2).ipynb'" in report.placed["cj103"]
    assert "taken out of the student's own zip" in report.placed["dp104"]
    assert any("kept the latest" in n for n in report.placed["fw106"])
    text = report.text(M3, course.submitted)
    reasons = dict(report.not_placed)
    assert "not a notebook" in reasons["Eve Smith_105_assignsubmission_file/essay.docx"]
    assert (
        "no student on the roster" in reasons[f"Zed Stranger_999_assignsubmission_file/{M3}.ipynb"]
    )
    assert any("outside the download" in why for why in reasons.values())
    assert "es105 uploaded a .docx file" in text
    assert report.missing == ["cs201", "cs202", "cs203"]


def test_does_collect_read_canvas_names_with_late_markers(collected, course):
    report = collected["canvas"]
    assert set(report.placed) == {"cs201", "cs202", "cs203"}
    assert any("late" in n for n in report.placed["cs202"])
    assert "renamed from" in " ".join(report.placed["cs202"])
    from helpers.grading.vle import load_records

    records = load_records(course.submitted, SAMPLE)
    assert records["cs203"].vle_id == "5003" and records["cs203"].file_id == "70003"
    assert records["cs202"].late
    with course.gradebook() as gb:
        assert gb.find_student("cs201").lms_user_id == "5001"
        assert gb.find_student("cs201").email == "chloe.reid@example.ac.uk"


def test_is_collecting_twice_safe_and_nothing_overwritten_without_force(collected, course):
    from helpers.grading.collect import collect

    again = collect(course, M3, course.root / "moodle.zip", course.root / "roster.csv")
    assert again.placed == {} and set(again.unchanged) == set(collected["moodle"].placed)
    mine = course.submitted / "ak101" / M3 / f"{M3}.ipynb"
    before = mine.read_bytes()
    other = course.root / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        _add(
            z,
            f"Amira Khan_101_assignsubmission_file/{M3}.ipynb",
            (SAMPLES / "weak" / f"{M3}.ipynb").read_bytes(),
        )
    report = collect(course, M3, other, course.root / "roster.csv")
    assert mine.read_bytes() == before
    assert any("--force" in w for w in report.warnings)


def test_is_a_zip_bomb_or_a_zip_in_a_zip_refused(tmp_path):
    from helpers.grading import collect as collect_module

    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as inner:
        inner.writestr("deeper.zip", b"PK")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        _add(z, f"Amira Khan_101_assignsubmission_file/{M3}.ipynb", b"0" * (8 * 1024 * 1024))
        _add(z, "Ben Okoro_102_assignsubmission_file/work.zip", nested.getvalue())
    uploads, refused = collect_module.read_download(bomb)
    assert uploads == []
    why = " ".join(reason for _, reason in refused)
    assert "zip bomb" in why and "a zip inside a zip" in why


def test_does_a_bad_roster_get_a_located_error(tmp_path):
    from helpers.grading.vle import RosterError, read_roster

    bad = tmp_path / "roster.csv"
    bad.write_text("student_id,name\nab1,Ann\nab1,Ann Again\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"roster.csv:3: student_id: 'ab1' is listed twice"):
        read_roster(bad)
    bad.write_text("id,name\nab1,Ann\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"roster.csv:1: student_id"):
        read_roster(bad)


# --------------------------------------------------------------------------- grading


def test_does_every_collected_student_get_the_right_marks(graded, course):
    from helpers.grading._simulate import play
    from helpers.scenarios import find_scenario
    from helpers.traces import score_trace

    run = graded[M3]
    weak = json.loads((SAMPLES / "weak" / M3_TRACE).read_text(encoding="utf-8"))
    weak_score = score_trace(weak, find_scenario(SCENARIO))
    weak_total = round(2.0 + round(4 * weak_score.points / weak_score.max_points, 2), 2)
    for student in ("ak101", "bo102", "fw106"):
        assert _auto(course, M3, student) == 12.0, run.results[student]
    for student in ("cj103", "dp104", "gn107"):  # Q5 right, the case capped (unlawful ending)
        assert _auto(course, M3, student) == weak_total, run.results[student]
    score = score_trace(play(SCENARIO, defensible=False), find_scenario(SCENARIO))
    partial_trace = round(4 * score.points / score.max_points, 2)
    assert _auto(course, SAMPLE, "cs201") == 8.0
    assert _auto(course, SAMPLE, "cs202") == round(2.0 + partial_trace, 2)
    assert _auto(course, SAMPLE, "cs203") == 0.0


def test_does_the_notebook_alone_score_the_same_as_notebook_and_trace_file(graded, course):
    def q6(student):
        with course.gradebook() as gb:
            return gb.find_grade("q6-trace", M3, M3, student).score

    assert q6("ak101") == q6("bo102") == 4.0


# --------------------------------------------------------------------------- marks and feedback out


def _rows(text: str) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(text)))


def test_does_the_moodle_worksheet_carry_the_participant_numbers_that_came_in(graded, course):
    from helpers.grading.export import collect_marks, render, report

    marks = collect_marks(course, M3)
    rows = _rows(render(marks, "moodle-worksheet", M3, partial=True, per_question=True))
    header = rows[0]
    # the columns Moodle's importer looks for (importgradeslib.php), in Moodle's English names
    assert header[:7] == [
        "Identifier",
        "Full name",
        "Email address",
        "Status",
        "Grade",
        "Maximum Grade",
        "Last modified (grade)",
    ]
    assert "Feedback comments" not in header  # would overwrite tutors' comments in Moodle
    assert {"q1-tests", "q6-trace"} <= set(header[7:])
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_id["Participant 101"]["Full name"] == "Amira Khan"
    assert by_id["Participant 101"]["Grade"] == "12"
    assert by_id["Participant 102"]["q6-trace"] == "4"
    assert by_id["Participant 101"]["Maximum Grade"] == "19"
    assert set(by_id) == {f"Participant {n}" for n in (101, 102, 103, 104, 106, 107)}
    # without --partial, work still waiting for a tutor has an empty grade (Moodle skips it)
    final = _rows(render(marks, "moodle-worksheet", M3))
    assert {r[4] for r in final[1:]} == {""}
    assert "Left out of the worksheet" in report(marks, fmt="moodle-worksheet")


def test_does_the_canvas_export_carry_the_canvas_ids_that_came_in(graded, course):
    from helpers.grading.export import collect_marks, render

    marks = collect_marks(course, SAMPLE)
    rows = _rows(
        render(marks, "canvas", SAMPLE, name="Sample", canvas_id="777", section="A", partial=True)
    )
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Sample (777)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "12"]
    by_id = {r[1]: r for r in rows[2:]}
    assert by_id["5001"][:5] == ["Reid, Chloe", "5001", "cs201", "", "A"]
    assert by_id["5001"][5] == "8" and by_id["5003"][5] == "0"
    assert by_id["5002"][0] == "Farah, Omar"


def test_does_the_export_command_refuse_per_question_marks_for_canvas(graded, course, capsys):
    from helpers.cli import main

    with pytest.raises(SystemExit, match="new assignment"):
        main(
            ["export", SAMPLE, "--format", "canvas", "--per-question", "--course", str(course.root)]
        )
    out = course.root / "m3.csv"
    assert main(["export", M3, "--per-question", "-o", str(out), "--course", str(course.root)]) == 0
    assert "q6-trace" in out.read_text(encoding="utf-8").splitlines()[0]


def test_are_feedback_zips_named_so_each_vle_finds_the_student(graded, course):
    import re

    from helpers.grading.feedback import vle_feedback_zip, write_feedback

    written, _, problems = write_feedback(course, M3)
    assert problems == [] and "ak101" in written
    path, included, left_out = vle_feedback_zip(course, M3, "moodle", written)
    names = zipfile.ZipFile(path).namelist()
    assert "Amira Khan_101_assignsubmission_file_m3-amhp-assessment-feedback.html" in names
    for name in names:  # Moodle splits on "_": name, participant, plugin type, plugin, file
        parts = name.split("_", 4)
        assert parts[1].isdigit() and parts[2:4] == ["assignsubmission", "file"], name
    assert len(included) == 6 and left_out == []

    written, _, problems = write_feedback(course, SAMPLE)
    path, included, _ = vle_feedback_zip(course, SAMPLE, "canvas", written)
    names = zipfile.ZipFile(path).namelist()
    assert "reidchloe_5001_70001_sample-assignment-feedback.html" in names
    for name in names:  # Canvas takes the first two numbers between underscores
        numbers = [p for p in name.split("_") if re.fullmatch(r"\d+", p)]
        assert numbers[:2] in (["5001", "70001"], ["5002", "70002"], ["5003", "70003"]), name
    text = zipfile.ZipFile(path).read("reidchloe_5001_70001_sample-assignment-feedback.html")
    assert b"BEGIN HIDDEN TESTS" not in text


def test_are_damaged_foreign_and_ambiguous_uploads_explained(tmp_path):
    from helpers.grading.collect import collect

    root = tmp_path / "course"
    root.mkdir()
    shutil.copy2(REPO / "nbgrader_config.py", root)
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO / folder / M3, root / folder / M3)
    course = Course.find(root)
    other = (REPO / "exercises" / SAMPLE / f"{SAMPLE}.ipynb").read_bytes()
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as z:
        _add(z, f"Dan Damaged_301_assignsubmission_file/{M3}.ipynb", b'{"cells": [')
        _add(z, f"Olly Other_302_assignsubmission_file/{M3}.ipynb", other)
        _add(z, f"Sam Lee_303_assignsubmission_file/{M3}.ipynb", _one_file(SAMPLES / "good"))
        _add(z, "marks-2024.xlsx", b"not from the VLE")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,name\ndd301,Dan Damaged\noo302,Olly Other\nsl1,Sam Lee\nsl2,Sam Lee\n",
        encoding="utf-8",
    )
    report = collect(course, M3, download, roster)
    assert "damaged" in " ".join(report.placed["dd301"])
    reasons = dict(report.not_placed)
    assert (
        "another assignment (sample-assignment)"
        in reasons[f"Olly Other_302_assignsubmission_file/{M3}.ipynb"]
    )
    assert (
        "fits several students (sl1, sl2)"
        in reasons[f"Sam Lee_303_assignsubmission_file/{M3}.ipynb"]
    )
    assert "does not follow Moodle's or Canvas's naming" in reasons["marks-2024.xlsx"]
