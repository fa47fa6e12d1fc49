"""Finding the five source documents, for tests that check figures against their lines.

The documents are not part of the repository. Tests look for them in the folder named by
``MHSW_SEEDS``, then in ``../shared/seeds`` beside the repository, and are skipped with a clear
reason when neither holds them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def seeds_dir(*needed: str) -> Path | None:
    """The folder holding the seed documents (all of ``needed``), or None."""
    for candidate in (os.environ.get("MHSW_SEEDS"), ROOT.parent / "shared" / "seeds"):
        if candidate and Path(candidate).is_dir():
            if all((Path(candidate) / name).is_file() for name in needed):
                return Path(candidate)
    return None


def seed_lines_or_skip(*names: str) -> dict[str, list[str]]:
    """File name -> its lines numbered from 1 (index 0 unused); skips the test if not found."""
    folder = seeds_dir(*names)
    if folder is None:
        pytest.skip(
            "the seed documents are not available: set MHSW_SEEDS to the folder holding "
            f"{', '.join(names)}, or put them in ../shared/seeds next to the repository"
        )
    return {name: [""] + (folder / name).read_text(encoding="utf-8").splitlines() for name in names}


def line_numbers(source_lines: str) -> list[int]:
    """'L55, L116' -> [55, 116]; 'L101-103' -> [101, 102, 103]."""
    numbers: list[int] = []
    for part in source_lines.split(","):
        match = re.fullmatch(r"\s*L(\d+)(?:-(\d+))?\s*", part)
        assert match, f"source_lines '{source_lines}' should look like 'L55' or 'L101-106'"
        first, last = int(match[1]), int(match[2] or match[1])
        assert first <= last, f"source_lines '{source_lines}' runs backwards"
        numbers.extend(range(first, last + 1))
    return numbers
