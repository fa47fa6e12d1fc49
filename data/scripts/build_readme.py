"""Rebuild the dataset table in data/README.md from data/datapackage.json.

Run after adding or editing a dataset description:  python data/scripts/build_readme.py
Everything above the line '<!-- datasets -->' in README.md is kept as written.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]
MARK = "<!-- datasets -->"


def _source(resource: dict) -> str:
    parts = []
    for src in resource.get("sources", []):
        where = ", ".join(str(src[k]) for k in ("section", "lines") if src.get(k))
        doc = src.get("file") or src.get("path", "")
        label = src.get("title", "")
        if src.get("year"):
            label += f" ({src['year']})"
        located = f"`{doc}`" if doc else "(cited, not seen)"
        parts.append(f"{label}: {located}" + (f" {where}" if where else ""))
    return "; ".join(parts).replace("|", "\\|")


def table(package: dict) -> str:
    rows = [
        "| dataset | title | rows | modules | source | synthetic |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in sorted(package["resources"], key=lambda r: r["name"]):
        with open(DATA / r["path"], encoding="utf-8") as fh:
            n = sum(1 for _ in fh) - 1
        rows.append(
            f"| `{r['name']}` | {r.get('title', '')} | {n} | {', '.join(r.get('modules', []))} "
            f"| {_source(r)} | {'yes' if r.get('synthetic') else 'no'} |"
        )
    return "\n".join(rows) + "\n"


def main() -> None:
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    readme = DATA / "README.md"
    head = readme.read_text(encoding="utf-8").split(MARK)[0] if readme.exists() else ""
    readme.write_text(head.rstrip() + "\n\n" + MARK + "\n\n" + table(package), encoding="utf-8")


if __name__ == "__main__":
    main()
