"""Where the course's data and content live: a course folder, a source checkout, or a wheel.

A *course folder* holds ``course/`` and ``data/datapackage.json``: the repository itself, or a
module bundle made by ``mhsw bundle``. Work done inside one (a notebook, ``mhsw check``,
``pytest``) reads that folder's data and scenarios, even when the ``helpers`` package was
installed from a wheel that carries a full copy of the course. Outside any course folder, the
source checkout the package runs from is used, then the copy inside the wheel.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# In a source checkout (editable install) the package sits at <repo>/src/helpers.
_REPO = _PACKAGE.parents[1]
# In a wheel, data/ and course/ are bundled inside the package.
_BUNDLED = _PACKAGE / "_bundled"


def is_course_folder(folder: Path) -> bool:
    """Does ``folder`` hold a course (a ``course/`` folder and ``data/datapackage.json``)?"""
    return (folder / "course").is_dir() and (folder / "data" / "datapackage.json").is_file()


def course_root(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest course folder at or above ``start`` (default: the current folder), or None."""
    try:
        here = Path(start if start is not None else os.getcwd()).resolve()
    except (FileNotFoundError, OSError):  # the current folder was deleted
        return None
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if is_course_folder(folder):
            return folder
    return None


@cache
def data_dir() -> Path:
    """The folder holding ``datapackage.json`` and the CSV files.

    In order: ``MHSW_DATA_DIR`` (a partner's local data, or tests); the ``data/`` of the course
    folder around the current folder (a module bundle); the source checkout; the wheel's copy.
    """
    override = os.environ.get("MHSW_DATA_DIR")
    if override:
        return Path(override).resolve()
    here = course_root()
    candidates = ([here / "data"] if here else []) + [_REPO / "data", _BUNDLED / "data"]
    for candidate in candidates:
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError(
        "Cannot find the course data (data/datapackage.json). Open the course from its folder, "
        "reinstall it with 'pip install -e .' from that folder, or set MHSW_DATA_DIR to the "
        "data folder."
    )


def course_dirs() -> list[Path]:
    """Every ``course/`` folder to look in, nearest first, without repeats."""
    here = course_root()
    candidates = ([here / "course"] if here else []) + [_REPO / "course", _BUNDLED / "course"]
    found: list[Path] = []
    for candidate in candidates:
        if candidate not in found:
            found.append(candidate)
    return found


@cache
def course_dir() -> Path | None:
    """The ``course/`` folder (modules, scenarios, quizzes) in use, if there is one."""
    for candidate in course_dirs():
        if candidate.is_dir():
            return candidate
    return None


def repo_root() -> Path | None:
    """The source checkout this package runs from, or None for an installed wheel."""
    return _REPO if (_REPO / "pyproject.toml").is_file() else None
