"""``mhsw collect ID ZIP --roster FILE``: put a VLE's "download all submissions" zip in submitted/.

File names handled (details and sources in docs/grading.md):

* **Moodle** (``mod/assign``, "Download all submissions"): each student's files are in a folder
  ``Full Name_<participant>_assignsubmission_file/`` (the default since Moodle 3.1), or, with
  "Download submissions in folders" switched off, flat as
  ``Full Name_<participant>_assignsubmission_file_<original name>``. Moodle replaces ``_`` in
  names with a space; with blind marking the name is "Participant".
* **Canvas** ("Download Submissions"): flat, ``<name>_<user id>_<file id>_<original name>``,
  with ``late_`` before the user id for late work; the name is the student's sortable name
  lower-cased with everything but letters and digits removed (``smithjane``).

Each file is matched to a student of the roster by the VLE's number (the roster's ``vle_id``)
or else by name; the notebook goes to ``submitted/<student>/<ID>/<ID>.ipynb`` (whatever the
student called it), with any decision-trace file the student uploaded beside it. A notebook
inside a zip of the student's own is taken out of it. When a student has several notebooks,
the latest is kept and the report says so. Nothing already in ``submitted/`` is overwritten
unless ``--force`` is given; collecting the same zip twice changes nothing.

The zip is treated as untrusted: nothing is extracted by the names inside it (no zip-slip),
each file and the whole are size-limited, and a zip inside a student's zip is refused.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from helpers.grading._course import Course, add_course_argument
from helpers.grading.vle import (
    Person,
    RosterError,
    VleRecord,
    load_records,
    plain,
    read_roster,
    save_records,
)

MAX_FILE_BYTES = 100 * 1024 * 1024  # one submitted file, uncompressed
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024  # the whole download, uncompressed
MAX_MEMBERS = 20_000
MAX_RATIO = 200  # uncompressed / compressed: more than this is a zip bomb
TRACE_FILE = re.compile(r"^mhsw-trace-[A-Za-z0-9][A-Za-z0-9_-]*\.json$")

MOODLE = re.compile(
    r"^(?P<name>[^_/]*)_(?P<id>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)"
    r"(?:_(?P<file>.+))?$"
)
CANVAS = re.compile(
    r"^(?:(?P<name>[^/]*?)_)??(?:(?P<late>late|LATE)_)?(?P<id>\d+)_(?P<file_id>\d+)_(?P<file>.+)$"
)


@dataclass
class Upload:
    """One file from the download, with who sent it (as far as its name says)."""

    path: str  # its name inside the download (and inside a student's own zip, after '!')
    vle: str
    vle_id: str
    vle_name: str
    filename: str
    data: bytes
    when: tuple = ()
    file_id: str = ""
    late: bool = False


@dataclass
class CollectReport:
    placed: dict[str, list[str]] = field(default_factory=dict)  # student -> notes
    unchanged: list[str] = field(default_factory=list)
    not_placed: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def text(self, assignment_id: str, submitted: Path) -> str:
        lines = [
            f"Collected {assignment_id}: {len(self.placed)} submission(s) placed in {submitted}, "
            f"{len(self.unchanged)} unchanged since the last collect, "
            f"{len(self.not_placed)} file(s) not placed."
        ]
        for student, notes in sorted(self.placed.items()):
            lines.append(f"  {student}: " + ("; ".join(notes) if notes else "placed"))
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  {w}" for w in self.warnings]
        if self.not_placed:
            lines.append("Not placed (nothing was written for these files):")
            lines += [f"  {name}: {why}" for name, why in self.not_placed]
        if self.ignored:
            lines.append("Ignored (the student's notebook was placed without them):")
            lines += [f"  {name}: {why}" for name, why in self.ignored]
        if self.missing:
            lines.append(f"No submission in this download: {', '.join(self.missing)}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading the zip


class UnsafeZip(ValueError):
    pass


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return not (path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name))


def _members(archive: zipfile.ZipFile, where: str, budget: list[int]) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnsafeZip(f"{where} holds {len(infos)} files, more than the {MAX_MEMBERS} allowed")
    return [i for i in infos if not i.is_dir()]


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    """The member's bytes, read in bounded pieces whatever its header claims."""
    if info.file_size > MAX_FILE_BYTES:
        raise UnsafeZip(
            f"it is {info.file_size // 2**20} MB, over the {MAX_FILE_BYTES // 2**20} MB limit"
        )
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise UnsafeZip("it is compressed suspiciously well (a 'zip bomb'?)")
    out = bytearray()
    with archive.open(info) as stream:
        while chunk := stream.read(1 << 20):
            out += chunk
            budget[0] -= len(chunk)
            if len(out) > MAX_FILE_BYTES or budget[0] < 0:
                raise UnsafeZip("it is larger than the limits allow")
    return bytes(out)


def parse_name(path: str, vle: str = "auto") -> tuple[str, dict] | None:
    """Which VLE named this file and what the name says: ``(vle, fields)`` or None."""
    parts = PurePosixPath(path).parts
    if vle in ("auto", "moodle"):
        for depth, part in enumerate(parts):
            match = MOODLE.match(part)
            if match:
                rest = parts[depth + 1 :]
                filename = "/".join(rest) if rest else match.group("file")
                if filename:
                    return "moodle", {**match.groupdict(), "file": filename}
    if vle in ("auto", "canvas"):
        match = CANVAS.match(parts[-1])
        if match:
            return "canvas", match.groupdict()
    return None


def read_download(zip_path: Path, vle: str = "auto") -> tuple[list[Upload], list[tuple[str, str]]]:
    """Every file of the download with what its name says, and the files it cannot read."""
    uploads: list[Upload] = []
    refused: list[tuple[str, str]] = []
    budget = [MAX_TOTAL_BYTES]
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SystemExit(
            f"{zip_path}: this is not a zip file that can be read ({exc}). Download it from the "
            "VLE again ('Download all submissions')."
        ) from None
    with archive:
        for info in _members(archive, str(zip_path), budget):
            name = info.filename
            base = PurePosixPath(name).name
            if base.startswith(".") or "__MACOSX" in name:
                continue
            if not _safe_name(name):
                refused.append((name, "refused: its name points outside the download"))
                continue
            parsed = parse_name(name, vle)
            if parsed is None:
                refused.append(
                    (
                        name,
                        "the name does not follow Moodle's or Canvas's naming, so it cannot "
                        "be matched to a student; was the zip renamed or rebuilt by hand?",
                    )
                )
                continue
            kind, fields = parsed
            wanted = PurePosixPath(fields["file"]).name
            data = b""  # other files (Word, PDF ...) are only reported, never read
            if wanted.lower().endswith((".ipynb", ".zip")) or TRACE_FILE.match(wanted):
                try:
                    data = _read(archive, info, budget)
                except (UnsafeZip, zipfile.BadZipFile, OSError) as exc:
                    refused.append((name, f"refused: {exc}"))
                    continue
            upload = Upload(
                path=name,
                vle=kind,
                vle_id=fields["id"],
                vle_name=(fields.get("name") or "").strip(),
                filename=PurePosixPath(fields["file"]).name,
                data=data,
                when=info.date_time,
                file_id=fields.get("file_id") or "",
                late=bool(fields.get("late")),
            )
            if upload.filename.lower().endswith(".zip"):
                inner, problems = _open_inner_zip(upload, budget)
                uploads += inner
                refused += problems
            else:
                uploads.append(upload)
    return uploads, refused


def _open_inner_zip(outer: Upload, budget: list[int]) -> tuple[list[Upload], list[tuple[str, str]]]:
    """A student's own zip: its notebooks and trace files, one level deep only."""
    found: list[Upload] = []
    refused: list[tuple[str, str]] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(outer.data))
    except zipfile.BadZipFile:
        return [], [(outer.path, "the student's .zip file is damaged")]
    with archive:
        try:
            members = _members(archive, outer.path, budget)
        except UnsafeZip as exc:
            return [], [(outer.path, f"refused: {exc}")]
        for info in members:
            name = info.filename
            base = PurePosixPath(name).name
            where = f"{outer.path}!{name}"
            if base.startswith(".") or "__MACOSX" in name or not _safe_name(name):
                continue
            if base.lower().endswith(".zip"):
                refused.append((where, "refused: a zip inside a zip inside the download"))
                continue
            if not (base.endswith(".ipynb") or TRACE_FILE.match(base)):
                continue
            try:
                data = _read(archive, info, budget)
            except (UnsafeZip, OSError) as exc:
                refused.append((where, f"refused: {exc}"))
                continue
            found.append(
                Upload(
                    where,
                    outer.vle,
                    outer.vle_id,
                    outer.vle_name,
                    base,
                    data,
                    info.date_time,
                    outer.file_id,
                    outer.late,
                )
            )
    if not found:
        refused.append((outer.path, "the student's .zip holds no notebook (.ipynb)"))
    return found, refused


# --------------------------------------------------------------------------- matching


def match_student(upload: Upload, roster: list[Person]) -> tuple[Person | None, str]:
    """The roster row for an upload, or None with the reason."""
    by_id = [p for p in roster if p.vle_id and p.vle_id == upload.vle_id]
    if len(by_id) == 1:
        return by_id[0], ""
    if len(by_id) > 1:
        return None, f"VLE number {upload.vle_id} is on several rows of the roster"
    if upload.vle == "moodle":
        wanted = plain(upload.vle_name)
        names = lambda p: {  # noqa: E731  Moodle may show "First Last" or "Last First"
            plain(p.full_name),
            plain(f"{p.last_name} {p.first_name}"),
        }
        blind = wanted == "participant"
    else:
        wanted = re.sub(r"\W", "", plain(upload.vle_name)).lower()
        names = lambda p: {  # noqa: E731  Canvas writes the sortable name "Last, First" squashed
            re.sub(r"\W", "", plain(f"{p.last_name} {p.first_name}")),
            re.sub(r"\W", "", plain(p.full_name)),
        }
        blind = not wanted
    if blind:
        return None, (
            f"the VLE hid the name (blind or anonymous marking) and no roster row has vle_id "
            f"{upload.vle_id}: add the VLE numbers to the roster's vle_id column"
        )
    by_name = [p for p in roster if wanted and wanted in names(p)]
    if len(by_name) == 1:
        return by_name[0], ""
    if len(by_name) > 1:
        listed = ", ".join(p.student_id for p in by_name)
        return None, (
            f"the name '{upload.vle_name}' fits several students ({listed}): add their VLE "
            f"numbers to the roster's vle_id column ({upload.vle_id} is this one)"
        )
    return None, (
        f"no student on the roster has the VLE number {upload.vle_id} or the name "
        f"'{upload.vle_name}': add them to the roster (student_id, name, vle_id)"
    )


# --------------------------------------------------------------------------- placing


def _notebook_problem(data: bytes, assignment_id: str) -> str:
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "damaged"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "damaged"
    meta = nb.get("metadata", {}).get("mhsw", {}) if isinstance(nb.get("metadata"), dict) else {}
    other = meta.get("assignment") if isinstance(meta, dict) else None
    if other and other != assignment_id:
        return f"assignment:{other}"
    return ""


def collect(
    course: Course,
    assignment_id: str,
    zip_path: Path,
    roster_path: Path,
    vle: str = "auto",
    force: bool = False,
) -> CollectReport:
    """Collect one download into ``submitted/``; see the module docstring."""
    try:
        roster = read_roster(roster_path)
    except RosterError as exc:
        raise SystemExit(str(exc)) from None
    released = sorted((course.release / assignment_id).glob("*.ipynb"))
    if len(released) != 1:
        raise SystemExit(
            f"'mhsw collect' needs exactly one notebook in {course.release / assignment_id} "
            f"(found {len(released)}): run 'mhsw release {assignment_id}' first."
        )
    notebook_name = released[0].name
    report = CollectReport()
    uploads, refused = read_download(Path(zip_path), vle)
    report.not_placed += refused

    by_student: dict[str, list[Upload]] = {}
    people: dict[str, Person] = {}
    for upload in uploads:
        person, why = match_student(upload, roster)
        if person is None:
            report.not_placed.append((upload.path, why))
            continue
        people[person.student_id] = person
        by_student.setdefault(person.student_id, []).append(upload)

    records = load_records(course.submitted, assignment_id)
    for student, files in sorted(by_student.items()):
        _place(course, assignment_id, notebook_name, student, files, force, report, records)
    report.missing = sorted(p.student_id for p in roster if p.student_id not in by_student)
    for student, person in people.items():
        if student in records:
            records[student].sis_user_id = person.sis_user_id
            records[student].sis_login_id = person.sis_login_id
    save_records(course.submitted, assignment_id, records)
    _update_gradebook(course, [people[s] for s in report.placed], records)
    return report


def _place(course, assignment_id, notebook_name, student, files, force, report, records) -> None:
    notebooks = [f for f in files if f.filename.lower().endswith(".ipynb")]
    traces = [f for f in files if TRACE_FILE.match(f.filename)]
    others = [f for f in files if f not in notebooks and f not in traces]
    if not notebooks:
        for f in others:
            kind = PurePosixPath(f.filename).suffix or "without an extension"
            report.not_placed.append(
                (
                    f.path,
                    f"{student} uploaded a {kind} file, not a notebook (.ipynb): ask them "
                    "to download the notebook from Jupyter (File > Download) and upload that",
                )
            )
        for f in traces:
            report.not_placed.append((f.path, f"{student} uploaded a trace file but no notebook"))
        return
    notes: list[str] = []
    good = [f for f in notebooks if not _notebook_problem(f.data, assignment_id)]
    wrong = [
        f for f in notebooks if _notebook_problem(f.data, assignment_id).startswith("assignment:")
    ]
    for f in wrong:
        other = _notebook_problem(f.data, assignment_id).split(":", 1)[1]
        message = f"this is the notebook of another assignment ({other}), not {assignment_id}"
        (report.ignored if good else report.not_placed).append((f.path, message))
    if not good:
        damaged = [f for f in notebooks if f not in wrong]
        if not damaged:
            return
        good = damaged  # placed so that grading records it as damaged, with the reason
        notes.append("the notebook file is damaged (not valid JSON): grading will say so")
    # The latest upload counts: by the time stored in the zip, then the VLE's file id.
    chosen = max(good, key=lambda f: (f.when, int(f.file_id or 0), f.path))
    if len(good) > 1:
        older = ", ".join(PurePosixPath(f.path).name for f in good if f is not chosen)
        notes.append(f"uploaded {len(good)} notebooks: kept the latest, ignored {older}")
        report.ignored += [
            (f.path, "an earlier notebook of the same student") for f in good if f is not chosen
        ]
    for f in others:
        report.ignored.append(
            (f.path, f"not a notebook ({PurePosixPath(f.filename).suffix or 'no extension'})")
        )
    if chosen.filename != notebook_name:
        notes.append(f"renamed from '{chosen.filename}'")
    if "!" in chosen.path:
        notes.append("taken out of the student's own zip")
    if chosen.late:
        notes.append("late (marked LATE by the VLE)")
    files_out = {notebook_name: chosen.data}
    for t in sorted(traces, key=lambda f: f.when):
        files_out[t.filename] = t.data
    target = course.submitted / student / assignment_id
    if target.exists():
        current = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
        if all(current.get(name) == data for name, data in files_out.items()):
            report.unchanged.append(student)
            _remember(records, student, chosen, notes)
            return
        if not force:
            report.warnings.append(
                f"{student}: {target} already holds a different submission; kept it. Run again "
                "with --force to replace it with this download."
            )
            return
        report.warnings.append(f"{student}: replaced the earlier submission in {target} (--force)")
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, data in files_out.items():
        (target / name).write_bytes(data)
    report.placed[student] = notes
    _remember(records, student, chosen, notes)


def _remember(
    records: dict[str, VleRecord], student: str, upload: Upload, notes: list[str]
) -> None:
    records[student] = VleRecord(
        student_id=student,
        vle=upload.vle,
        vle_id=upload.vle_id,
        vle_name=upload.vle_name,
        file_id=upload.file_id,
        original=upload.path,
        late=upload.late,
        notes=list(notes),
    )


def _update_gradebook(course: Course, people: list[Person], records: dict[str, VleRecord]) -> None:
    """Names and emails from the roster; the Canvas user id as nbgrader's lms_user_id."""
    if not people:
        return
    with course.gradebook() as gb:
        for p in people:
            record = records.get(p.student_id)
            extra = {}
            if record and record.vle == "canvas":
                extra["lms_user_id"] = record.vle_id
            first = p.first_name or (p.name.split(" ", 1)[0] if p.name else "")
            last = p.last_name or (p.name.split(" ", 1)[1] if " " in p.name else "")
            gb.update_or_create_student(
                p.student_id,
                first_name=first or None,
                last_name=last or None,
                email=p.email or None,
                **extra,
            )


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", metavar="ID", help="the assignment")
    parser.add_argument("zip", metavar="ZIP", help="the VLE's 'download all submissions' zip")
    parser.add_argument(
        "--roster",
        required=True,
        metavar="FILE",
        help="CSV: student_id and some of first_name, last_name, name, email, vle_id",
    )
    parser.add_argument(
        "--vle",
        choices=("auto", "moodle", "canvas"),
        default="auto",
        help="which VLE made the zip (default: recognise it from the file names)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace submissions already in submitted/"
    )
    add_course_argument(parser)


def run(args: argparse.Namespace) -> int:
    course = Course.find(args.course)
    course.check_assignment(args.assignment)
    report = collect(
        course, args.assignment, Path(args.zip), Path(args.roster), args.vle, args.force
    )
    print(report.text(args.assignment, course.submitted))
    return 1 if report.not_placed else 0
