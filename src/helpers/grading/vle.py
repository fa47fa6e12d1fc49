"""What the course knows about a class on the VLE: the roster, and who was collected from where.

``mhsw collect`` reads a **roster** (CSV, one row per student) and writes what it learnt from
the VLE's file names (Moodle participant numbers, Canvas user and file ids, the names the VLE
used) to ``submitted/.mhsw-vle/<ID>.json``, so ``mhsw export`` and ``mhsw feedback --vle`` can
send marks and feedback back under the identifiers that came in. Columns of the roster are
documented in docs/grading.md ("Collect from a VLE download").
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROSTER_COLUMNS = (
    "student_id",
    "first_name",
    "last_name",
    "name",
    "email",
    "vle_id",
    "sis_user_id",
    "sis_login_id",
)


class RosterError(ValueError):
    """The roster file cannot be used; the message names the file, line and column."""


@dataclass
class Person:
    """One row of the roster."""

    student_id: str
    first_name: str = ""
    last_name: str = ""
    name: str = ""
    email: str = ""
    vle_id: str = ""  # Moodle participant number or Canvas user id
    sis_user_id: str = ""
    sis_login_id: str = ""
    line: int = 0

    @property
    def full_name(self) -> str:
        return self.name or " ".join(p for p in (self.first_name, self.last_name) if p)


def plain(text: str) -> str:
    """A name reduced for comparison: no accents, no case, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def vle_number(text: str) -> str:
    """``"Participant 1234"`` or ``"1234"`` -> ``"1234"`` (Moodle's worksheet writes the first)."""
    match = re.fullmatch(r"\s*(?:participant\s*)?(\d+)\s*", text or "", flags=re.IGNORECASE)
    return match.group(1) if match else (text or "").strip()


def read_roster(path: str | Path) -> list[Person]:
    """Read a roster CSV; raise :class:`RosterError` naming file, line and column."""
    from helpers.grading._course import valid_id

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"{path}: there is no such roster file. Check the name.") from None
    except UnicodeDecodeError:
        raise RosterError(
            f"{path}: the roster is not UTF-8 text. Save it from your spreadsheet as "
            "'CSV UTF-8 (comma delimited)'."
        ) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "student_id" not in header:
        raise RosterError(
            f"{path}:1: student_id: the roster has no 'student_id' column (found: "
            f"{', '.join(header) or 'nothing'}). Its first row must name the columns: "
            f"student_id and some of {', '.join(ROSTER_COLUMNS[1:])}."
        )
    unknown = [h for h in header if h and h not in ROSTER_COLUMNS]
    if unknown:
        raise RosterError(
            f"{path}:1: {unknown[0]}: unknown column. The columns are: {', '.join(ROSTER_COLUMNS)}."
        )
    people: list[Person] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        values = {
            (k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None
        }
        if not any(values.values()):
            continue
        student = values.get("student_id", "")
        if not valid_id(student):
            raise RosterError(
                f"{path}:{line}: student_id: {student!r} is not a usable student id (letters, "
                "digits, '.', '-' and '_' only, not starting with a dot). Correct that row."
            )
        if student in seen:
            raise RosterError(
                f"{path}:{line}: student_id: '{student}' is listed twice (also on line "
                f"{seen[student]}). Keep one row per student."
            )
        seen[student] = line
        person = Person(line=line, **{k: values.get(k, "") for k in ROSTER_COLUMNS})
        person.vle_id = vle_number(person.vle_id)
        people.append(person)
    if not people:
        raise RosterError(f"{path}: the roster lists no students.")
    return people


@dataclass
class VleRecord:
    """What came in from the VLE for one student of one assignment."""

    student_id: str
    vle: str  # moodle | canvas
    vle_id: str = ""  # Moodle participant number or Canvas user id
    vle_name: str = ""  # the name as the VLE wrote it in the file name
    file_id: str = ""  # Canvas: id of the uploaded file (needed to re-upload feedback)
    original: str = ""  # the file name in the download
    late: bool = False
    notes: list[str] = field(default_factory=list)
    sis_user_id: str = ""  # from the roster, for Canvas's gradebook import
    sis_login_id: str = ""


def vle_file(submitted: Path, assignment_id: str) -> Path:
    return submitted / ".mhsw-vle" / f"{assignment_id}.json"


def load_records(submitted: Path, assignment_id: str) -> dict[str, VleRecord]:
    path = vle_file(submitted, assignment_id)
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {s: VleRecord(**r) for s, r in data.get("students", {}).items()}


def save_records(submitted: Path, assignment_id: str, records: dict[str, VleRecord]) -> Path:
    path = vle_file(submitted, assignment_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "format": "mhsw-vle/1",
        "assignment": assignment_id,
        "students": {s: asdict(r) for s, r in sorted(records.items())},
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
