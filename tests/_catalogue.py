"""The course's dataset catalogue (data/datapackage.json), read as the tests see it."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def resource(name: str) -> dict:
    """The resource (description) of one dataset in the catalogue."""
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r for r in package["resources"]}[name]
