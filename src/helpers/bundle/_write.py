"""Write a bundle: copy and localise the files, cut the data down, add the wheel and templates."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from fnmatch import fnmatch
from pathlib import Path
from string import Template
from typing import Any

from helpers.local import FILE_NAME as LOCAL_FILE

from ._plan import (
    _SKIP,
    _SUPPORT_BLOCK,
    _TEXT_SUFFIXES,
    COURSE_TITLE,
    MANIFEST,
    MANIFEST_FORMAT,
    SOLUTION_MARKERS,
    START_HERE,
    TEMPLATES,
    BundleError,
    Plan,
)


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
    if src.suffix == ".ipynb":
        # Localise cell by cell (names can contain characters JSON escapes); a notebook with
        # nothing to change is copied byte for byte.
        notebook = json.loads(text)
        changed = False
        for cell in notebook.get("cells", []):
            source = cell.get("source", "")
            joined = "".join(source) if isinstance(source, list) else source
            localised = _localise(joined, plan)
            if localised != joined:
                cell["source"], changed = localised, True
        if changed:
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
    body = DEFAULTS.read_text(encoding="utf-8").split("\n\n", 1)[1]  # after the file's header
    for line in body.splitlines():
        if not line.strip():
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
