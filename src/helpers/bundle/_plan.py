"""What a module's bundle holds: the module's files, the datasets it uses, its assessed work."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.local import LocalSettings, load_local

MANIFEST = "bundle.json"
MANIFEST_FORMAT = 1
START_HERE = "00-start-here"
TEMPLATES = Path(__file__).resolve().parents[1] / "_bundle_templates"
COURSE_TITLE = "Mental Health Social Work: an open Jupyter course"
# Never copied: editor and Python leftovers, learners' saved decision traces, hidden files.
_SKIP = (".ipynb_checkpoints", "__pycache__", "*.pyc", "mhsw-trace-*.json", ".*")
_TEXT_SUFFIXES = {".md", ".ipynb", ".yaml", ".yml", ".json", ".csv", ".txt", ".py", ".cff"}
_CALL = re.compile(r"""(?:load_dataset|describe_dataset)\(\s*["']([A-Za-z0-9_]+)["']""")
_QUOTED = re.compile(r"""["']([a-z0-9_]+)["']""")
# Marks a block of Markdown that the bundle replaces with the partner's support contacts.
_SUPPORT_BLOCK = re.compile(r"(<!-- local:support -->\n).*?(\n<!-- /local:support -->)", re.S)
# Text no student version may carry (nbgrader markers and marking guides).
SOLUTION_MARKERS = (
    "### BEGIN SOLUTION",
    "### END SOLUTION",
    "### BEGIN HIDDEN TESTS",
    "### END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "Marking guide for tutors",
)


class BundleError(RuntimeError):
    """The bundle cannot be built; the message says why and what to do."""


def assessment_dirs(source: Path, module: str) -> list[Path]:
    """The module's assessed notebooks' folders: ``solutions/<module>-assessment*``."""
    return sorted(p for p in (source / "solutions").glob(f"{module}-assessment*") if p.is_dir())


def _code_and_text(path: Path) -> tuple[list[str], list[str]]:
    """(code, other text) of a notebook's cells, or ([], [file text]) for other files."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return [], [text]
    try:
        cells = json.loads(text).get("cells", [])
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"{path}:{exc.lineno}: is not valid notebook JSON ({exc.msg}); run `mhsw check` "
            "and fix it before bundling"
        ) from exc
    code = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    other = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") != "code"]
    return code, other


def _yaml_data_names(path: Path) -> set[str]:
    from helpers._yaml import load_yaml

    names: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "data":
                    items = item if isinstance(item, list) else [item]
                    names.update(i for i in items if isinstance(i, str))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(load_yaml(path).data)
    return names


def datasets_used(folders: list[Path], catalogue: set[str]) -> tuple[set[str], set[str]]:
    """(catalogue names used in ``folders``, names called for that are not in the catalogue)."""
    used: set[str] = set()
    unknown: set[str] = set()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix not in {".ipynb", ".yaml", ".yml", ".py"}:
                continue
            if any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            code, other = _code_and_text(path)
            if path.suffix == ".py":
                code, other = other, []
            for text in code + other:
                for name in _CALL.findall(text.replace('\\"', '"')):
                    (used if name in catalogue else unknown).add(name)
            for text in code:
                used.update(n for n in _QUOTED.findall(text) if n in catalogue)
            if path.suffix in (".yaml", ".yml"):
                for name in _yaml_data_names(path):
                    (used if name in catalogue else unknown).add(name)
    return used, unknown


@dataclass
class Plan:
    """Everything one bundle is made of, worked out before anything is written."""

    source: Path
    module: str
    version: str
    settings: LocalSettings
    local_text: str | None  # the partner's local.yaml, copied verbatim
    instructor: bool = False
    datasets: list[str] = field(default_factory=list)
    unknown_datasets: list[str] = field(default_factory=list)
    declared_unused: list[str] = field(default_factory=list)
    assessments: list[Path] = field(default_factory=list)
    title: str = ""


def _version(source: Path) -> str:
    import tomllib

    pyproject = source / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("version"):
            return str(project["version"])
    import helpers

    return helpers.__version__


def modules_in(source: Path) -> list[str]:
    return sorted(
        p.name
        for p in (source / "course").iterdir()
        if p.is_dir() and re.match(r"^m\d+-", p.name) and (p / "README.md").is_file()
    )


def make_plan(
    source: Path,
    module: str,
    *,
    instructor: bool = False,
    local_file: Path | None = None,
) -> Plan:
    """Check the source and work out what the bundle of ``module`` holds."""
    source = source.resolve()
    if not (source / "course").is_dir() or not (source / "data" / "datapackage.json").is_file():
        raise BundleError(
            f"{source} is not a copy of the course (it needs course/ and data/datapackage.json). "
            "Run `mhsw bundle` inside the course folder, or pass --source PATH."
        )
    known = modules_in(source)
    if module not in known:
        raise BundleError(
            f"There is no module '{module}' in {source / 'course'}. Modules: "
            + (", ".join(known) or "none")
            + ". Use the module's folder name, e.g. `mhsw bundle m3-amhp -o m3-bundle`."
        )
    settings = load_local(local_file)  # raises ContentError with located problems
    plan = Plan(
        source=source,
        module=module,
        version=_version(source),
        settings=settings,
        local_text=local_file.read_text(encoding="utf-8") if local_file else None,
        instructor=instructor,
        assessments=assessment_dirs(source, module),
    )
    package = json.loads((source / "data" / "datapackage.json").read_text(encoding="utf-8"))
    catalogue = {r["name"] for r in package.get("resources", [])}
    folders = [source / "course" / module, source / "course" / START_HERE, *plan.assessments]
    used, unknown = datasets_used([f for f in folders if f.is_dir()], catalogue)
    plan.datasets = sorted(used)
    plan.unknown_datasets = sorted(unknown)
    plan.declared_unused = sorted(
        r["name"]
        for r in package.get("resources", [])
        if module in (r.get("modules") or []) and r["name"] not in used
    )
    readme = (source / "course" / module / "README.md").read_text(encoding="utf-8")
    heading = re.search(r"^# (.+)$", readme, re.M)
    plan.title = heading.group(1).strip() if heading else module
    if instructor and not plan.assessments:
        raise BundleError(
            f"--instructor needs the assessed notebook of {module} in "
            f"solutions/{module}-assessment/, and there is none. Build without --instructor."
        )
    return plan
