"""The course's dataset catalogue (data/datapackage.json), read as the tests see it."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def resource(name: str) -> dict:
    """The resource (description) of one dataset in the catalogue."""
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r for r in package["resources"]}[name]


# The academic years of the PQ awards dataset (pq_awards_2000_2005), in order.
PQ_YEARS = ["2000-01", "2001-02", "2002-03", "2003-04", "2004-05"]


def assert_described(df, name: str, seed: str) -> dict:
    """A loaded dataset matches its catalogue description: the same columns, some rows, its own
    name and file, real (not synthetic) data taken from the ``seed`` document, with caveats.
    Returns the description."""
    described = resource(name)
    columns = [f["name"] for f in described["schema"]["fields"]]
    assert list(df.columns) == columns, f"{name}: the CSV's columns differ from the catalogue's"
    assert len(df) > 0, f"{name}: the CSV has no rows"
    assert described["name"] == name and described["path"] == f"{name}.csv"
    assert described["synthetic"] is False, f"{name}: the data should come from a source"
    assert any(s.get("file") == seed for s in described["sources"]), (
        f"{name}: the catalogue should list {seed} among its sources"
    )
    assert described["caveats"], f"{name} needs caveats"
    return described
