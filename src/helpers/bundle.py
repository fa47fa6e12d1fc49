"""``mhsw bundle MODULE -o DIR``: one module as a self-contained folder for a teaching partnership.

A bundle holds the module (notebooks, scenarios, quizzes, activities, lecturer guide, README),
``00-start-here``, only the datasets the module uses (with ``datapackage.json`` cut down to
them), the course package as a wheel of this release, its own ``Makefile`` (``make lab``,
``make test``), a README that starts with them, the licences, ``CITATION.cff``, attribution
ready to copy, a ``local.yaml`` for the partnership's names and support contacts, and
``bundle.json`` (what was built, with a checksum of every file).

What a module uses is found, not listed: dataset names in ``load_dataset("…")`` and
``describe_dataset("…")`` calls (or any quoted catalogue name in a code cell) and in YAML
``data:`` fields, in the module, in ``00-start-here`` and in the module's assessed notebook.

The default bundle is for students: no solutions, hidden tests or marking guides.
``--instructor`` adds the assessed notebook's master, its marking guide and
``nbgrader_config.py`` in ``instructor/``. ``--local FILE`` builds with a partner's settings;
``--update DIR`` rebuilds an existing bundle from this release and keeps its ``local.yaml``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from string import Template
from typing import Any

from helpers.local import FILE_NAME as LOCAL_FILE
from helpers.local import LocalSettings, load_local

MANIFEST = "bundle.json"
MANIFEST_FORMAT = 1
START_HERE = "00-start-here"
TEMPLATES = Path(__file__).resolve().parent / "_bundle_templates"
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


# --------------------------------------------------------------------------- discovery


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


# --------------------------------------------------------------------------- the plan


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


# --------------------------------------------------------------------------- writing


def _localise(text: str, plan: Plan) -> str:
    """Partner's names for the course's, and the partner's support contacts in marked blocks."""
    for before, after in plan.settings.replacements(plan.module):
        text = text.replace(before, after)
    if "<!-- local:support -->" in text:
        block = plan.settings.support_markdown()
        text = _SUPPORT_BLOCK.sub(lambda m: m.group(1) + block + m.group(2), text)
    return text


def _copy_file(src: Path, dst: Path, plan: Plan) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix not in _TEXT_SUFFIXES:
        shutil.copy2(src, dst)
        return
    text = src.read_text(encoding="utf-8")
    if src.suffix == ".ipynb" and plan.settings.partner:
        notebook = json.loads(text)
        for cell in notebook.get("cells", []):
            source = cell.get("source", "")
            joined = "".join(source) if isinstance(source, list) else source
            cell["source"] = _localise(joined, plan)
        text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    else:
        text = _localise(text, plan)
    dst.write_text(text, encoding="utf-8")


def _skipped(rel: Path) -> bool:
    return any(fnmatch(part, pattern) for part in rel.parts for pattern in _SKIP)


def _copy_tree(src: Path, dst: Path, plan: Plan) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_file() and not _skipped(rel):
            _copy_file(path, dst / rel, plan)


def _section(markdown: str, heading: str) -> str | None:
    """The ``## heading`` section of ``markdown`` (to the next ``## `` or ``---``), if any."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |^---|\Z)", markdown, re.M | re.S)
    return f"## {heading}\n{match.group(1).rstrip()}\n" if match else None


def _support_section(plan: Plan) -> str:
    """The course index's Support section with the partner's contacts as its list."""
    index = plan.source / "course" / "README.md"
    section = _section(index.read_text(encoding="utf-8"), "Support") if index.is_file() else None
    rendered = plan.settings.support_markdown()
    if not section:
        return "## Support\n\n" + rendered + "\n"
    lines = section.splitlines()
    bullets = [i for i, line in enumerate(lines) if line.startswith("- ")]
    if not bullets:
        return section.rstrip() + "\n\n" + rendered + "\n"
    first, last = bullets[0], bullets[-1]
    while last + 1 < len(lines) and lines[last + 1].startswith("  "):
        last += 1  # a bullet's continuation lines
    return "\n".join(lines[:first] + [rendered] + lines[last + 1 :]) + "\n"


def _project(source: Path) -> dict[str, Any]:
    import tomllib

    pyproject = source / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    return tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})


def _where_from(plan: Plan) -> str:
    urls = _project(plan.source).get("urls") or {}
    for key in ("Source", "Repository", "Homepage"):
        if urls.get(key):
            return f"{urls[key]} (release {plan.version})"
    return f"mhsw-course release {plan.version}, module folder `course/{plan.module}`"


def _fill(template: str, **values: Any) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


def build_wheel(source: Path, into: Path) -> Path:
    """Build the course's wheel from ``source`` into ``into`` (no network: hatchling is local)."""
    into.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(into)]
    try:
        import hatchling  # noqa: F401  (present in the development install)

        command.append("--no-build-isolation")
    except ImportError:
        pass  # pip fetches hatchling into an isolated build environment
    result = subprocess.run(
        [*command, str(source)], capture_output=True, text=True, cwd=source, check=False
    )
    wheels = sorted(into.glob("mhsw_course-*.whl"))
    if result.returncode or not wheels:
        raise BundleError(
            "Could not build the course wheel:\n"
            + (result.stderr.strip() or result.stdout.strip())
            + "\nInstall the development tools (`pip install -e '.[dev]'`) or pass --wheel FILE."
        )
    return wheels[-1]


def write_bundle(plan: Plan, out: Path, *, wheel: Path | None = None) -> dict[str, Any]:
    """Write the bundle of ``plan`` into the empty folder ``out``; return its manifest."""
    src = plan.source
    course = out / "course"
    _copy_tree(src / "course" / plan.module, course / plan.module, plan)
    if (src / "course" / START_HERE).is_dir():
        _copy_tree(src / "course" / START_HERE, course / START_HERE, plan)
    _write_data(plan, out / "data")

    sections = [
        _section((src / "course" / "README.md").read_text(encoding="utf-8"), name)
        if (src / "course" / "README.md").is_file()
        else None
        for name in ("How a notebook works here",)
    ]
    body = "\n".join(s for s in sections if s) + "\n" + _support_section(plan)
    body += "\n---\n*Course text licensed CC BY 4.0; code MIT. See `../LICENSE-CONTENT` and "
    body += "`../LICENSE`.*"
    index = _fill(
        "course-README.md",
        title=plan.title,
        course_title=COURSE_TITLE,
        version=plan.version,
        module=plan.module,
        sections=_localise(body, plan),
    )
    (course / "README.md").write_text(index, encoding="utf-8")

    wheels = out / "wheels"
    wheels.mkdir()
    if wheel is None:
        with tempfile.TemporaryDirectory() as tmp:
            built = build_wheel(src, Path(tmp))
            wheel = Path(shutil.copy2(built, wheels / built.name))
    else:
        wheel = Path(shutil.copy2(wheel, wheels / wheel.name))

    instructor_row = ""
    if plan.instructor:
        _write_instructor(plan, out / "instructor")
        instructor_row = (
            "| `instructor/` | for lecturers only, never for students: the assessed notebook's "
            "master (solutions, hidden tests), its marking guide and `nbgrader_config.py` "
            "(see `instructor/README.md`) |\n"
        )
    values = dict(
        title=plan.title,
        module=plan.module,
        version=plan.version,
        n_datasets=len(plan.datasets),
        support=_support_section(plan).split("\n", 1)[1].strip(),
        instructor_row=instructor_row,
        wheel_name=f"wheels/{wheel.name}",
        course_title=COURSE_TITLE,
        authors=", ".join(a.get("name", "") for a in _project(src).get("authors", []))
        or "the MHSW course authors",
        source=_where_from(plan),
    )
    (out / "README.md").write_text(_localise(_fill("README.md", **values), plan), "utf-8")
    (out / "ATTRIBUTION.md").write_text(_fill("ATTRIBUTION.md", **values), encoding="utf-8")
    for name in ("Makefile", "pytest.ini"):
        shutil.copy2(TEMPLATES / name, out / name)
    for name in ("LICENSE", "LICENSE-CONTENT", "CITATION.cff"):
        if (src / name).is_file():
            shutil.copy2(src / name, out / name)
    (out / LOCAL_FILE).write_text(
        plan.local_text if plan.local_text is not None else starter_local(), encoding="utf-8"
    )
    manifest = {
        "format": MANIFEST_FORMAT,
        "module": plan.module,
        "course_version": plan.version,
        "instructor": plan.instructor,
        "built_from": _commit(src),
        "datasets": plan.datasets,
        "wheel": f"wheels/{wheel.name}",
        "files": {},
    }
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and rel != LOCAL_FILE:
            manifest["files"][rel] = _sha256(path)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _write_data(plan: Plan, data: Path) -> None:
    src = plan.source / "data"
    package = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    keep = set(plan.datasets)
    package["resources"] = [r for r in package.get("resources", []) if r["name"] in keep]
    package["description"] = (
        package.get("description", "")
        + f" This copy holds only the datasets of module {plan.module} (made by mhsw bundle)."
    ).strip()
    data.mkdir(parents=True)
    for resource in package["resources"]:
        _copy_file(src / resource["path"], data / resource["path"], plan)
        for source in resource.get("sources", []):
            script = str(source.get("path", ""))
            if script.startswith("scripts/") and (src / script).is_file():
                _copy_file(src / script, data / script, plan)
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    (data / "datapackage.json").write_text(_localise(text, plan), encoding="utf-8")
    if (src / "README.md").is_file():
        lines = []
        for line in (src / "README.md").read_text(encoding="utf-8").splitlines():
            row = re.match(r"^\| `([a-z0-9_]+)` \|", line)
            if row and row.group(1) not in keep:
                continue
            lines.append(line)
        (data / "README.md").write_text(_localise("\n".join(lines) + "\n", plan), "utf-8")


def _write_instructor(plan: Plan, folder: Path) -> None:
    for assessment in plan.assessments:
        _copy_tree(assessment, folder / "solutions" / assessment.name, plan)
    config = plan.source / "nbgrader_config.py"
    if config.is_file():
        shutil.copy2(config, folder / "nbgrader_config.py")
    ids = ", ".join(f"`{a.name}`" for a in plan.assessments)
    (folder / "README.md").write_text(
        "# For lecturers only\n\n"
        "Do not give this folder to students: it holds the assessed notebook's master "
        f"({ids}) with its solutions and hidden tests, and the marking guide.\n\n"
        "This folder is an nbgrader course of its own (`nbgrader_config.py`: `solutions/` is the "
        "source, `exercises/` the student release). From this folder, with the bundle's "
        "environment active (`source ../.venv/bin/activate`):\n\n"
        "```bash\n"
        f"mhsw release                 # writes the student version to exercises/\n"
        f"mhsw grade ID                # after collecting submissions into submitted/\n"
        "mhsw feedback ID\n"
        "mhsw export ID --format moodle\n"
        "```\n\n"
        "The notebooks read the bundle's data and scenarios (the folder above). The course's "
        "`docs/grading.md` explains each step.\n",
        encoding="utf-8",
    )


def starter_local() -> str:
    """A ``local.yaml`` that changes nothing, with the course's values as comments to edit."""
    from helpers.local import DEFAULTS

    lines = [
        "kind: local",
        "# Your partnership's settings: uncomment what you change (a `place` is written whole).",
        "# `make check` checks this file. The course's own values, for reference:",
        "#",
    ]
    for line in DEFAULTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("kind:") or not line.strip():
            continue
        lines.append(line if line.startswith("#") else "# " + line)
    return "\n".join(lines) + "\n"


def _commit(source: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip ``folder`` (its name as the top folder) into ``target``, in a stable order."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(folder.name) / path.relative_to(folder))
    return target


# --------------------------------------------------------------------------- updating


def update_bundle(folder: Path, source: Path, *, wheel: Path | None = None) -> dict[str, list[str]]:
    """Rebuild the bundle in ``folder`` from ``source``, keeping ``local.yaml`` and added files.

    Files the previous build wrote and the partner then edited are moved to
    ``backup-<old version>/`` first. Returns what happened to which files.
    """
    folder = folder.resolve()
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(
            f"{folder} has no {MANIFEST}, so it is not a bundle made by `mhsw bundle`. "
            "Build a new one with `mhsw bundle MODULE -o DIR` and copy your local.yaml into it."
        )
    old = json.loads(manifest_path.read_text(encoding="utf-8"))
    local = folder / LOCAL_FILE
    plan = make_plan(
        source,
        old["module"],
        instructor=bool(old.get("instructor")),
        local_file=local if local.is_file() else None,
    )
    report: dict[str, list[str]] = {"written": [], "removed": [], "backed_up": [], "kept": []}
    backup = folder / f"backup-{old.get('course_version', 'old')}"
    n = 1
    while backup.exists():
        n += 1
        backup = folder / f"backup-{old.get('course_version', 'old')}-{n}"
    old_files: dict[str, str] = old.get("files", {})

    def save(rel: str) -> None:
        target = backup / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / rel, target)
        report["backed_up"].append(rel)

    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "bundle"
        staged.mkdir()
        new = write_bundle(plan, staged, wheel=wheel)
        new_files = set(new["files"]) | {MANIFEST}
        for rel, digest in old_files.items():
            path = folder / rel
            if rel in new_files or not path.is_file():
                continue
            if _sha256(path) != digest:
                save(rel)
            path.unlink()
            report["removed"].append(rel)
        for rel in sorted(new_files):
            target = folder / rel
            if target.is_file() and rel != MANIFEST:
                edited = rel not in old_files or _sha256(target) != old_files[rel]
                if edited and _sha256(target) != new["files"][rel]:
                    save(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(staged / rel, target)
            report["written"].append(rel)
    _prune_empty(folder)
    report["kept"] = [LOCAL_FILE] if local.is_file() else []
    return report


def _prune_empty(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: -len(p.parts)):
        if path.is_dir() and not any(path.iterdir()) and ".venv" not in path.parts:
            path.rmdir()


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", nargs="?", help="module folder name, e.g. m3-amhp")
    parser.add_argument("-o", "--output", type=Path, help="folder to create (or .zip with --zip)")
    parser.add_argument("--zip", action="store_true", help="write a zip file instead of a folder")
    parser.add_argument(
        "--instructor",
        action="store_true",
        help="add the assessed notebook's master, marking guide and nbgrader_config.py in "
        "instructor/ (never give this bundle to students)",
    )
    parser.add_argument(
        "--local", type=Path, metavar="FILE", help="a partnership's local.yaml to build with"
    )
    parser.add_argument(
        "--update",
        type=Path,
        metavar="DIR",
        help="rebuild the bundle in DIR from this release, keeping its local.yaml",
    )
    parser.add_argument(
        "--source",
        type=Path,
        metavar="PATH",
        help="the course copy to bundle from (default: the course around this folder)",
    )
    parser.add_argument(
        "--wheel", type=Path, metavar="FILE", help="use this course wheel instead of building one"
    )


def _default_source() -> Path:
    from helpers._paths import course_root, repo_root

    here = course_root()
    if here and (here / "pyproject.toml").is_file():
        return here
    root = repo_root()
    if root:
        return root
    raise BundleError(
        "mhsw bundle works from a copy of the course's source (the folder with pyproject.toml, "
        "course/ and data/). Run it there, or pass --source PATH."
    )


def run(args: argparse.Namespace) -> int:
    from helpers._problems import ContentError

    try:
        return _run(args)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        print("Fix the settings file above, then run the command again.", file=sys.stderr)
    except BundleError as exc:
        print(exc, file=sys.stderr)
    return 1


def _run(args: argparse.Namespace) -> int:
    source = (args.source or _default_source()).resolve()
    if args.wheel and not args.wheel.is_file():
        raise BundleError(f"{args.wheel}: no such wheel file")
    if args.update:
        if args.module or args.output or args.local or args.zip or args.instructor:
            raise BundleError(
                "--update takes only the bundle folder: the module and options are those it was "
                "built with, and its local.yaml is kept (edit that file to change settings)."
            )
        report = update_bundle(args.update, source, wheel=args.wheel)
        print(
            f"Updated {args.update} to release {_version(source)}: "
            f"{len(report['written'])} files written, {len(report['removed'])} removed."
        )
        if report["kept"]:
            print("Kept unchanged: local.yaml")
        if report["backed_up"]:
            print("You had edited these files; your versions are in backup-*/:")
            for rel in report["backed_up"]:
                print(f"  {rel}")
        return 0
    if not args.module or not args.output:
        raise BundleError(
            "Say which module and where: `mhsw bundle m3-amhp -o m3-amhp-bundle` "
            "(or --update DIR to refresh an existing bundle)."
        )
    plan = make_plan(source, args.module, instructor=args.instructor, local_file=args.local)
    out = args.output.resolve()
    target_zip = None
    if args.zip:
        target_zip = out if out.suffix == ".zip" else out.with_name(out.name + ".zip")
        out = target_zip.with_suffix("")
    if (target_zip or out).exists():
        raise BundleError(
            f"{target_zip or out} already exists. Choose a new name, or refresh an existing "
            "bundle with `mhsw bundle --update DIR`."
        )
    # Built in a temporary folder first, so a failed build leaves nothing half-written.
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / out.name
        staged.mkdir()
        write_bundle(plan, staged, wheel=args.wheel)
        if target_zip:
            zip_folder(staged, target_zip)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged, out)
    where = target_zip or out
    size = _size(where)
    print(f"Bundle of {plan.module} (release {plan.version}) written to {where} ({size}).")
    print("Datasets: " + (", ".join(plan.datasets) or "none"))
    if plan.unknown_datasets:
        print(
            "Named in the module but not in the catalogue (left out): "
            + ", ".join(plan.unknown_datasets)
        )
    if plan.declared_unused:
        print(
            "Listed for this module in datapackage.json but not used by its files (left out): "
            + ", ".join(plan.declared_unused)
        )
    print(
        "Students' bundle: no solutions, hidden tests or marking guides."
        if not plan.instructor
        else "INSTRUCTOR bundle: instructor/ holds solutions; never give it to students."
    )
    print(f"Next: cd {where if not target_zip else out.name} && make test")
    return 0


def _size(path: Path) -> str:
    total = (
        path.stat().st_size
        if path.is_file()
        else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    )
    return f"{total / 1024:.0f} KB" if total < 1024 * 1024 else f"{total / 1024 / 1024:.1f} MB"


def check_student_bundle(folder: Path) -> list[str]:
    """Files in a bundle that a student must not get: solution markers, hidden tests, guides."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or rel.parts[0] in (".venv", "instructor"):
            continue
        if "marking-guide" in path.name or rel.parts[0] == "solutions":
            found.append(f"{rel}: a marking guide or solutions folder")
            continue
        if path.suffix in _TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{rel}: contains '{m}'" for m in SOLUTION_MARKERS if m in text]
        elif path.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if "marking-guide" in name or "/solutions/" in name:
                        found.append(f"{rel}!{name}: a marking guide or solution")
    return found
