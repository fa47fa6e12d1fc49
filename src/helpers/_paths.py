"""Where the course's data and content live, in a source checkout and in an installed wheel."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# In a source checkout (editable install) the package sits at <repo>/src/helpers.
_REPO = _PACKAGE.parents[1]
# In a wheel, data/ and course/ are bundled inside the package.
_BUNDLED = _PACKAGE / "_bundled"


@cache
def data_dir() -> Path:
    """The folder holding ``datapackage.json`` and the CSV files.

    ``MHSW_DATA_DIR`` overrides it (useful for a partner's local data or for tests).
    """
    override = os.environ.get("MHSW_DATA_DIR")
    if override:
        return Path(override).resolve()
    for candidate in (_REPO / "data", _BUNDLED / "data"):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError(
        "Cannot find the course data (data/datapackage.json). Reinstall the course with "
        "'pip install -e .' from its folder, or set MHSW_DATA_DIR to the data folder."
    )


@cache
def course_dir() -> Path | None:
    """The installed course's ``course/`` folder (modules, scenarios, quizzes), if present."""
    for candidate in (_REPO / "course", _BUNDLED / "course"):
        if candidate.is_dir():
            return candidate
    return None


def repo_root() -> Path | None:
    """The source checkout this package runs from, or None for an installed wheel."""
    return _REPO if (_REPO / "pyproject.toml").is_file() else None
