"""Course content checked once and kept as JSON, for places that cannot read YAML.

The practice tier that runs in the browser (JupyterLite, with Python compiled to WebAssembly)
has no PyYAML and no ``jsonschema``: neither has a WebAssembly wheel that the site could serve
itself. So when the website is built, every scenario, quiz and activity it offers for practice
is read and checked here with the full loaders, its ``{{ place.* }}`` tokens are filled as the
loader fills them, and the result is written as a *prechecked* JSON file::

    {"format": "mhsw-prechecked/1", "kind": "scenario", "source": "mha-assessment.yaml",
     "sha256": "<of the YAML file>", "data": {...}, "lines": [[["nodes", "a"], 12], ...]}

``helpers._yaml.load_yaml`` reads such a file as if it were the YAML (the same data, the same
line of every field), so ``load_scenario("cases/x.json")``, ``play_quiz("quizzes/y.json")``
and the rest work unchanged; only the schema check is skipped, because the file was made from
content that passed it. The engines' own rules (a reachable node, a valid answer) still run.
A scenario keeps the hash of its YAML file, so a trace made in the browser continues in
JupyterLab and is graded there like any other.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from helpers._problems import ContentError, Problem

FORMAT = "mhsw-prechecked/1"
KINDS = ("scenario", "quiz", "sorting", "appraisal")


def _check_with_loader(kind: str, path: Path) -> None:
    """Run the full loader of ``kind`` (schema, rules, local names); raises ContentError."""
    if kind == "scenario":
        from helpers.scenarios import load_scenario as load
    elif kind == "quiz":
        from helpers.quizzes import load_quiz as load
    elif kind == "sorting":
        from helpers.sorting import load_sorting as load
    else:
        from helpers.appraisal import load_appraisal as load
    load(path)


def precheck(path: str | Path) -> dict[str, Any]:
    """Check the YAML file at ``path`` with its loader and return its prechecked form.

    Raises :class:`ContentError` (file, line, field) when the file has problems, as its loader
    does; the problems must be fixed before the file can be offered for practice.
    """
    from helpers._yaml import load_yaml

    path = Path(path)
    loaded = load_yaml(path)
    if loaded.problems:
        raise ContentError(loaded.problems)
    kind = loaded.data.get("kind") if isinstance(loaded.data, dict) else None
    if kind not in KINDS:
        raise ContentError(
            [
                Problem(
                    str(path),
                    loaded.line_of(("kind",)),
                    f"has kind {kind!r}, which cannot be prepared for practice",
                    "give it `kind:` scenario, quiz, sorting or appraisal",
                    "kind",
                )
            ]
        )
    _check_with_loader(kind, path)
    if kind == "scenario":  # the scenario loader fills local names; the others do not
        from helpers.local import fill_loaded

        problems = fill_loaded(loaded)
        if problems:  # pragma: no cover - the loader above has already reported them
            raise ContentError(problems)
    return {
        "format": FORMAT,
        "kind": kind,
        "source": path.name,
        "sha256": hashlib.sha256(loaded.raw).hexdigest(),
        "data": loaded.data,
        "lines": [[list(field), line] for field, line in loaded.lines.items()],
    }


def write_prechecked(source: str | Path, target: str | Path) -> Path:
    """Precheck ``source`` (YAML) and write it to ``target`` (JSON); returns ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(precheck(source), ensure_ascii=False, indent=1)
    target.write_text(text + "\n", encoding="utf-8")
    return target


def read_prechecked(path: str | Path, loaded: Any) -> None:
    """Fill ``loaded`` (a ``LoadedYaml``) from the prechecked JSON file at ``path``.

    Problems (not JSON, not a prechecked file) are added to ``loaded.problems`` in plain words,
    never raised, as ``load_yaml`` does for YAML.
    """
    shown = str(path)
    try:
        loaded.raw = Path(path).read_bytes()
        content = json.loads(loaded.raw.decode("utf-8"))
    except FileNotFoundError:
        loaded.problems.append(
            Problem(shown, None, "file not found", "check the path and the file name")
        )
        return
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        loaded.problems.append(
            Problem(
                shown,
                getattr(exc, "lineno", None),
                f"cannot be read as prepared course content ({exc})",
                "use the file as the website built it, or the YAML file in JupyterLab",
            )
        )
        return
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        loaded.problems.append(
            Problem(
                shown,
                1,
                "is not prepared course content (a JSON file made by the website build)",
                "open the scenario, quiz or activity from its YAML file instead",
            )
        )
        return
    loaded.data = content.get("data")
    loaded.sha256 = str(content.get("sha256") or "")
    loaded.prechecked = True
    for field, line in content.get("lines") or []:
        loaded.lines[tuple(field)] = int(line)
