"""``mhsw check``: one place that checks all course content.

Each kind of file has its own rules module; this module finds the files and sends each to the
right rules. Scenario, quiz and sorting-activity YAML files say what they are in their first
key (``kind: scenario``), so a file can be checked wherever it lives.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from pathlib import Path

from helpers._problems import Problem

__all__ = ["check_paths", "find_course_root"]

# YAML kind -> (module, function returning list[Problem] for a path)
YAML_RULES: dict[str, tuple[str, str]] = {
    "scenario": ("helpers.scenarios", "lint_scenario"),
    "quiz": ("helpers.quizzes", "lint_quiz"),
    "sorting": ("helpers.sorting", "lint_sorting"),
    "appraisal": ("helpers.appraisal", "lint_appraisal"),
}
_SKIP_DIRS = {
    ".venv",
    ".git",
    "node_modules",
    ".ipynb_checkpoints",
    "__pycache__",
    "submitted",
    "autograded",
    "feedback",
    "release",
    "source",
    "build",
    "dist",
    ".pytest_cache",
}
_CONTENT_DIRS = ("course", "solutions", "exercises", "data")


def find_course_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds a course (course/ or data/)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "course").is_dir() or (folder / "data" / "datapackage.json").is_file():
            return folder
    from helpers._paths import repo_root

    return repo_root() or here


def _walk(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            yield Path(dirpath) / name


def _files_for(paths: list[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _yaml_kind(path: Path) -> str | None:
    """The value of the top-level ``kind:`` key, read without a YAML parser (fast, tolerant)."""
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("kind:"):
                return line.split(":", 1)[1].split("#")[0].strip().strip("'\"")
    except (OSError, UnicodeDecodeError):
        return None
    return None


def check_file(path: Path, shown: str) -> list[Problem] | None:
    """Problems with one file, or None when the file is not course content we check."""
    from helpers.checks import notebooks

    if path.name == "helpers.py" and "src" not in path.parts:
        return notebooks.check_shadowing(path, shown)
    if path.suffix == ".ipynb":
        generated = "exercises" in path.parts  # student versions: generated, checked for outputs
        return notebooks.check_notebook(path, shown, content_rules=not generated)
    if path.name == "datapackage.json":
        from helpers.checks.datapackage import check_datapackage

        return check_datapackage(path, shown)
    if path.suffix in (".yaml", ".yml"):
        kind = _yaml_kind(path)
        if kind == "local" or (kind is None and path.name == "local.yaml"):
            # a partner's settings (see helpers.local); checked even without its kind line
            from helpers.local import lint_local

            return lint_local(path)
        if kind is None:
            if path.parent.name in ("scenarios", "quizzes", "activities"):
                return [
                    Problem(
                        shown,
                        1,
                        "has no 'kind:' line",
                        "start the file with 'kind: scenario', 'kind: quiz' or 'kind: sorting'",
                        "kind",
                    )
                ]
            return None
        if kind not in YAML_RULES:
            return [
                Problem(
                    shown,
                    1,
                    f"kind '{kind}' is not one the course knows",
                    "use one of: " + ", ".join(YAML_RULES),
                    "kind",
                )
            ]
        module_name, func = YAML_RULES[kind]
        module = importlib.import_module(module_name)
        return getattr(module, func)(path)
    return None


def check_paths(paths: list[str | Path] | None = None) -> tuple[list[Problem], int]:
    """Check files and folders (default: the whole course); return (problems, files checked)."""
    if not paths:
        root = find_course_root()
        targets = [root / d for d in _CONTENT_DIRS if (root / d).exists()]
        targets += [p for p in root.iterdir() if p.name in ("helpers.py", "local.yaml")]
    else:
        targets = [Path(p) for p in paths]
    problems: list[Problem] = []
    checked = 0
    for target in targets:
        if not target.exists():
            problems.append(Problem(str(target), None, "does not exist", "check the path"))
    for path in _files_for([t for t in targets if t.exists()]):
        shown = os.path.relpath(path) if not Path(str(path)).is_absolute() else str(path)
        if paths and len(targets) == 1 and targets[0].is_file():
            shown = str(paths[0])  # name the path exactly as the user gave it
        found = check_file(path, shown)
        if found is None:
            continue
        checked += 1
        problems.extend(found)
    return problems, checked
