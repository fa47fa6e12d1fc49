"""Rules for the datasets: every resource described, sourced, licensed and matching its CSV."""

from __future__ import annotations

import json
from pathlib import Path

from helpers._problems import Problem

_REQUIRED = ("title", "description", "sources", "licenses", "schema")
_FIELD_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year"}


def _line_finder(text: str):
    lines = text.splitlines()

    def find(needle: str, start: int = 0) -> int | None:
        for i in range(start, len(lines)):
            if needle in lines[i]:
                return i + 1
        return None

    return find


def check_datapackage(path: Path, shown: str) -> list[Problem]:
    """Check ``datapackage.json`` and every CSV it describes (``path`` is the descriptor)."""
    text = path.read_text(encoding="utf-8")
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(shown, exc.lineno, f"is not valid JSON ({exc.msg})", "fix the syntax")]
    find = _line_finder(text)
    problems: list[Problem] = []
    folder = path.parent
    described = set()
    for resource in package.get("resources", []):
        name = resource.get("name", "?")
        line = find(f'"name": "{name}"')
        described.add(resource.get("path"))
        for key in _REQUIRED:
            if not resource.get(key):
                problems.append(
                    Problem(
                        shown,
                        line,
                        f"dataset '{name}' has no {key}",
                        f"add '{key}' to its resource",
                        key,
                    )
                )
        if "caveats" not in resource:
            problems.append(
                Problem(
                    shown,
                    line,
                    f"dataset '{name}' has no caveats list",
                    "add 'caveats' (an empty list if there are truly none)",
                    "caveats",
                )
            )
        sources = resource.get("sources", [])
        if sources and not any(src.get("file") or src.get("path") for src in sources):
            problems.append(
                Problem(
                    shown,
                    line,
                    f"dataset '{name}' names no source document file or web address",
                    "add 'file' or 'path' to a source",
                    "sources",
                )
            )
        for i, src in enumerate(sources):
            if not src.get("title"):
                problems.append(
                    Problem(
                        shown,
                        line,
                        f"dataset '{name}' source {i + 1} has no title",
                        "name the document",
                        "sources",
                    )
                )
            if src.get("file") and not (src.get("section") or src.get("lines")):
                problems.append(
                    Problem(
                        shown,
                        line,
                        f"dataset '{name}' source {i + 1} names no section or lines",
                        "say where in the document",
                        "sources",
                    )
                )
        for spec in resource.get("schema", {}).get("fields", []):
            fname = spec.get("name", "?")
            fline = find(f'"name": "{fname}"', (line or 1) - 1)
            if not spec.get("description"):
                problems.append(
                    Problem(
                        shown,
                        fline,
                        f"field '{fname}' of '{name}' has no description",
                        "say what it means and its unit",
                        "description",
                    )
                )
            if spec.get("type") not in _FIELD_TYPES:
                problems.append(
                    Problem(
                        shown,
                        fline,
                        f"field '{fname}' of '{name}' has type {spec.get('type')!r}",
                        "use one of " + ", ".join(sorted(_FIELD_TYPES)),
                        "type",
                    )
                )
        if resource.get("path") and (folder / resource["path"]).is_file():
            problems.extend(_check_rows(folder, name))
        elif resource.get("path"):
            problems.append(
                Problem(
                    shown,
                    line,
                    f"the file {resource['path']} of '{name}' is missing",
                    "restore it or remove the resource",
                    "path",
                )
            )
    for csv in sorted(folder.glob("*.csv")):
        if csv.name not in described:
            problems.append(
                Problem(
                    str(Path(shown).parent / csv.name),
                    None,
                    "is not described in datapackage.json",
                    "add a resource for it (title, source, fields)",
                )
            )
    readme = folder / "README.md"
    if readme.is_file():
        listed = readme.read_text(encoding="utf-8")
        for resource in package.get("resources", []):
            if f"`{resource.get('name')}`" not in listed:
                problems.append(
                    Problem(
                        str(Path(shown).parent / "README.md"),
                        None,
                        f"dataset '{resource.get('name')}' has no row",
                        "add it to the table (python data/scripts/build_readme.py)",
                    )
                )
    return problems


def _check_rows(folder: Path, name: str) -> list[Problem]:
    import os

    from helpers import _paths, datasets

    # Check the package that was asked about, wherever it is.
    previous = os.environ.get("MHSW_DATA_DIR")
    os.environ["MHSW_DATA_DIR"] = str(folder)
    _paths.data_dir.cache_clear()
    datasets._package.cache_clear()
    try:
        return datasets.validate_dataset(name)
    finally:
        if previous is None:
            os.environ.pop("MHSW_DATA_DIR", None)
        else:
            os.environ["MHSW_DATA_DIR"] = previous
        _paths.data_dir.cache_clear()
        datasets._package.cache_clear()
