"""Load the course datasets by name, with typed columns and their provenance.

Every dataset is a CSV file in ``data/`` described by a resource in ``data/datapackage.json``
(Frictionless Data Package): title, description, source document and section, licence,
caveats, and the type and meaning of every field. ``load_dataset`` checks each CSV against
that description as it loads it, so a file that has drifted from its schema fails with the
file, row and column rather than producing a quietly wrong table.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers._paths import data_dir
from helpers._problems import Problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DatasetError",
    "DatasetDescription",
    "describe_dataset",
    "list_datasets",
    "load_dataset",
]

_TRUE = {"true", "yes", "1", "t", "y"}
_FALSE = {"false", "no", "0", "f", "n"}
_WHAT_TO_DO = "correct the CSV value, or the field's type in data/datapackage.json"


class DatasetError(LookupError, ValueError):
    """A dataset name is unknown, or a dataset's file does not match its description."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


# --------------------------------------------------------------------------- the package


@cache
def _package() -> dict[str, Any]:
    path = data_dir() / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{path}:{exc.lineno}: the dataset descriptions are not valid JSON ({exc.msg}) — "
            "fix the file, for example with a JSON-aware editor"
        ) from exc


def _resources() -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in _package().get("resources", [])}


def list_datasets() -> list[str]:
    """The names of all course datasets, in alphabetical order; pass one to ``load_dataset``."""
    return sorted(_resources())


def _resource(name: str) -> dict[str, Any]:
    resources = _resources()
    if name in resources:
        return resources[name]
    if not isinstance(name, str):
        raise DatasetError(
            f"A dataset name is text in quotes, e.g. load_dataset('{min(resources)}')."
        )
    close = difflib.get_close_matches(name, list(resources), n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise DatasetError(
        f"There is no dataset called '{name}'.{hint} The datasets are: "
        + ", ".join(sorted(resources))
        + ". Check the spelling, or run list_datasets()."
    )


# --------------------------------------------------------------------------- loading


def load_dataset(name: str) -> pd.DataFrame:
    """Load one of the course datasets as a table (a pandas DataFrame).

    Example::

        pq = load_dataset("pq_awards_2000_2005")
        pq.head()

    ``list_datasets()`` lists the names; a misspelt name gets a suggestion. Before you use the
    figures, run ``describe_dataset(name)``: it says where they came from, what each column
    means and what the figures leave out. An empty cell in a table (shown as ``<NA>``) means
    the source gives no figure there.
    """
    resource = _resource(name)
    frame, problems = _read(resource)
    if problems:
        shown = "\n".join(str(p) for p in problems[:10])
        more = f"\n… and {len(problems) - 10} more problems" if len(problems) > 10 else ""
        raise DatasetError(
            f"The dataset '{name}' does not match its description:\n{shown}{more}", problems
        )
    frame.attrs.update(
        name=name,
        title=resource.get("title", name),
        source=_source_text(resource),
        caveats=list(resource.get("caveats", [])),
    )
    return frame


def validate_dataset(name: str) -> list[Problem]:
    """All the ways a dataset's CSV differs from its schema (empty when it is fine)."""
    return _read(_resource(name))[1]


def _read(resource: dict[str, Any]) -> tuple[pd.DataFrame, list[Problem]]:
    import pandas as pd

    path = data_dir() / resource["path"]
    shown = f"data/{resource['path']}"
    if not path.is_file():
        return pd.DataFrame(), [
            Problem(shown, None, "the file is missing", "restore it or remove its resource")
        ]
    schema = resource.get("schema", {})
    fields = schema.get("fields", [])
    missing_values = set(schema.get("missingValues", [""]))
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        return pd.DataFrame(), [Problem(shown, None, f"cannot be read as CSV ({exc})", _WHAT_TO_DO)]

    problems: list[Problem] = []
    expected = [f["name"] for f in fields]
    for col in expected:
        if col not in raw.columns:
            problems.append(
                Problem(shown, 1, f"the column '{col}' is missing", "add it to the header row", col)
            )
    for col in raw.columns:
        if col not in expected:
            problems.append(
                Problem(
                    shown,
                    1,
                    f"the column '{col}' is not described",
                    "describe it in data/datapackage.json or remove it",
                    col,
                )
            )
    if problems:
        return raw, problems

    typed = {}
    for spec in fields:
        typed[spec["name"]] = _convert(raw[spec["name"]], spec, missing_values, shown, problems)
    frame = pd.DataFrame(typed, index=raw.index)
    _check_primary_key(frame, schema.get("primaryKey"), shown, problems)
    return frame, problems


def _convert(values, spec: dict[str, Any], missing: set[str], shown: str, problems: list[Problem]):
    import pandas as pd

    name, kind = spec["name"], spec.get("type", "string")
    constraints = spec.get("constraints", {})
    is_missing = values.isin(missing)

    def report(mask, what: str, fix: str = _WHAT_TO_DO) -> None:
        for idx in values.index[mask][:5]:
            # row 1 of the file is the header; the first record is line 2
            problems.append(Problem(shown, int(idx) + 2, f"'{values[idx]}' {what}", fix, name))

    if constraints.get("required"):
        report(is_missing, "is empty but a value is required", "fill it in")

    if spec.get("categories") is not None:
        cats = [c if isinstance(c, str) else c.get("value") for c in spec["categories"]]
        cats = [str(c) for c in cats]
        report(~is_missing & ~values.isin(cats), f"is not one of the categories {cats}")
        clean = values.where(~is_missing & values.isin(cats))
        return pd.Categorical(clean, categories=cats, ordered=bool(spec.get("categoriesOrdered")))

    enum = constraints.get("enum")
    if enum is not None:
        report(~is_missing & ~values.isin([str(e) for e in enum]), f"is not one of {enum}")

    if kind in ("integer", "year"):
        numbers = pd.to_numeric(values.where(~is_missing), errors="coerce")
        bad = ~is_missing & (numbers.isna() | (numbers % 1 != 0))
        report(bad, "is not a whole number")
        result = numbers.where(~bad).astype("Int64")
    elif kind == "number":
        numbers = pd.to_numeric(values.where(~is_missing), errors="coerce")
        bad = ~is_missing & numbers.isna()
        report(bad, "is not a number")
        result = numbers.astype("Float64")
    elif kind == "boolean":
        lowered = values.str.strip().str.lower()
        bad = ~is_missing & ~lowered.isin(_TRUE | _FALSE)
        report(bad, "is not true or false")
        result = lowered.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None))
        result = result.where(~is_missing & ~bad).astype("boolean")
    elif kind in ("date", "datetime"):
        parsed = pd.to_datetime(values.where(~is_missing), errors="coerce", format="ISO8601")
        bad = ~is_missing & parsed.isna()
        report(bad, "is not a date in the form YYYY-MM-DD" + ("" if kind == "date" else "Thh:mm"))
        result = parsed
    else:
        result = values.where(~is_missing).astype("string")

    if kind in ("integer", "number", "year"):
        low, high = constraints.get("minimum"), constraints.get("maximum")
        if low is not None:
            report(result.notna() & (result < low), f"is below the minimum {low}")
        if high is not None:
            report(result.notna() & (result > high), f"is above the maximum {high}")
    return result


def _check_primary_key(frame, key, shown: str, problems: list[Problem]) -> None:
    if not key:
        return
    key = [key] if isinstance(key, str) else list(key)
    dupes = frame.duplicated(subset=key, keep="first")
    for idx in frame.index[dupes][:5]:
        values = ", ".join(f"{k}={frame.at[idx, k]}" for k in key)
        problems.append(
            Problem(
                shown,
                int(idx) + 2,
                f"repeats the key ({values}) of an earlier row",
                "each row must be unique on " + ", ".join(key),
                key[0],
            )
        )


# --------------------------------------------------------------------------- describing


def _source_text(resource: dict[str, Any]) -> str:
    """The sources as people cite them: body (year), title, section, and a link where there is
    one. The course's copies of the source documents (file and line numbers) stay in
    datapackage.json for maintainers and tests; a reader cannot follow a file name."""
    parts = []
    for src in resource.get("sources", []):
        who = str(src.get("publisher", ""))
        if src.get("year"):
            who = f"{who} ({src['year']})" if who else f"({src['year']})"
        bits = [who, src.get("title", ""), src.get("section", ""), src.get("path", "")]
        parts.append(", ".join(str(b) for b in bits if b))
    return "; ".join(parts)


@dataclass(frozen=True)
class DatasetDescription:
    """What a dataset is, where it came from and what each column means.

    Prints as plain text, and as a formatted table in a notebook.
    """

    name: str
    title: str
    description: str
    source: str
    licence: str
    synthetic: bool
    caveats: list[str] = field(default_factory=list)
    fields: list[dict[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.title} ({self.name})", "", self.description, ""]
        if self.synthetic:
            lines += [
                "SYNTHETIC DATA: invented for teaching; describes no real person or service.",
                "",
            ]
        lines += [f"Source: {self.source}", f"Licence: {self.licence}", ""]
        if self.caveats:
            lines += ["Caveats:"] + [f"  - {c}" for c in self.caveats] + [""]
        lines.append("Columns:")
        for f in self.fields:
            lines.append(f"  {f['name']} ({f['type']}): {f['description']}")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        out = [f"### {self.title}", f"`{self.name}`", "", self.description, ""]
        if self.synthetic:
            out += ["> **Synthetic data**: invented for teaching; describes no real person.", ""]
        out += [f"**Source:** {self.source}  ", f"**Licence:** {self.licence}", ""]
        if self.caveats:
            out += ["**Caveats**", ""] + [f"- {c}" for c in self.caveats] + [""]
        out += ["| column | type | meaning |", "| --- | --- | --- |"]
        for f in self.fields:
            meaning = f["description"].replace("|", "\\|").replace("\n", " ")
            out.append(f"| `{f['name']}` | {f['type']} | {meaning} |")
        return "\n".join(out)


def describe_dataset(name: str) -> DatasetDescription:
    """Where a dataset came from, its licence, its caveats and what every column means.

    Example: ``describe_dataset("pq_awards_2000_2005")``. Read it before you use the figures.
    """
    resource = _resource(name)
    fields = []
    for spec in resource.get("schema", {}).get("fields", []):
        kind = spec.get("type", "string")
        if spec.get("categories") is not None:
            kind = "ordered category" if spec.get("categoriesOrdered") else "category"
        fields.append(
            {"name": spec["name"], "type": kind, "description": spec.get("description", "")}
        )
    licences = ", ".join(x.get("title") or x.get("name", "") for x in resource.get("licenses", []))
    return DatasetDescription(
        name=name,
        title=resource.get("title", name),
        description=resource.get("description", ""),
        source=_source_text(resource),
        licence=licences or "see data/README.md",
        synthetic=bool(resource.get("synthetic")),
        caveats=list(resource.get("caveats", [])),
        fields=fields,
    )


def datapackage_path() -> Path:
    """Where ``datapackage.json`` was found."""
    return data_dir() / "datapackage.json"
