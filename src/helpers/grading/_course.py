"""Find the course a grading command acts on, and build nbgrader's configuration for it.

The course is the folder holding ``nbgrader_config.py``: the current folder or the nearest
parent that has one. It is never taken from where the ``helpers`` package is installed, so a
lecturer can keep one copy of the course per cohort and run ``mhsw`` inside the right one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_NAME = "nbgrader_config.py"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class CourseNotFound(FileNotFoundError):
    """No ``nbgrader_config.py`` in the folder or any parent."""


def find_course_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: here) holding nbgrader_config.py."""
    here = Path(start or os.getcwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise CourseNotFound(
        f"No course found: there is no {CONFIG_NAME} in {here} or any folder above it. "
        "Go to the folder of the course copy for this cohort (the one with nbgrader_config.py) "
        "and run the command again, or pass --course PATH."
    )


def load_course_config(root: Path) -> Any:
    """nbgrader's configuration from ``root/nbgrader_config.py``, with ``root`` as the root."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG_NAME, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


@dataclass(frozen=True)
class Course:
    """A course copy on disk, with the folder names its nbgrader configuration uses."""

    root: Path
    config: Any

    @classmethod
    def find(cls, start: str | os.PathLike[str] | None = None) -> Course:
        root = find_course_root(start)
        return cls(root, load_course_config(root))

    def _dir(self, trait: str, default: str) -> Path:
        value = self.config.CourseDirectory.get(trait, default)
        return self.root / value

    @property
    def source(self) -> Path:
        return self._dir("source_directory", "source")

    @property
    def release(self) -> Path:
        return self._dir("release_directory", "release")

    @property
    def submitted(self) -> Path:
        return self._dir("submitted_directory", "submitted")

    @property
    def autograded(self) -> Path:
        return self._dir("autograded_directory", "autograded")

    @property
    def feedback(self) -> Path:
        return self._dir("feedback_directory", "feedback")

    @property
    def db_url(self) -> str:
        return self.config.CourseDirectory.get("db_url", f"sqlite:///{self.root / 'gradebook.db'}")

    @property
    def course_id(self) -> str:
        return self.config.CourseDirectory.get("course_id", "")

    def assignment_ids(self) -> list[str]:
        """Every assignment in the source folder (a folder holding at least one notebook)."""
        if not self.source.is_dir():
            return []
        return sorted(
            p.name
            for p in self.source.iterdir()
            if p.is_dir() and not p.name.startswith(("_", ".")) and any(p.glob("*.ipynb"))
        )

    def check_assignment(self, assignment_id: str) -> None:
        known = self.assignment_ids()
        if assignment_id not in known:
            listed = ", ".join(known) or "none yet"
            raise SystemExit(
                f"There is no assignment '{assignment_id}' in {self.source}. "
                f"The assignments are: {listed}."
            )

    def students(self, assignment_id: str) -> list[str]:
        """Students with a submission folder for this assignment, sorted."""
        if not self.submitted.is_dir():
            return []
        return sorted(
            p.name
            for p in self.submitted.iterdir()
            if (p / assignment_id).is_dir() and not p.name.startswith(".")
        )

    def gradebook(self) -> Any:
        from helpers._yaml import import_jsonschema

        import_jsonschema()  # before nbgrader: saves seconds per process (see its docstring)
        from nbgrader.api import Gradebook

        from helpers.grading._nbgrader import ensure_tools_on_path

        ensure_tools_on_path()
        return Gradebook(self.db_url, self.course_id)


def valid_id(text: str) -> bool:
    """True for a safe assignment or student id (no slashes, no leading dot)."""
    return bool(_ID.match(text))


def add_course_argument(parser: Any) -> None:
    parser.add_argument(
        "--course",
        metavar="PATH",
        help="the course folder (default: the current folder or the nearest parent with "
        "nbgrader_config.py)",
    )
