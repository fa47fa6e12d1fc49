"""Turn a checked scenario file into :class:`Scenario` objects, and find course scenarios by id."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from helpers._problems import ContentError
from helpers._yaml import load_yaml

from . import _model as model
from .lint import lint_loaded


def load_scenario(path: str | Path) -> model.Scenario:
    """Read, check and return the scenario at ``path``.

    Raises :class:`helpers.ContentError` listing every problem (``file:line: field: ...``) if
    the file cannot be used; fix them one by one, or run ``mhsw check FILE`` to see them.
    """
    loaded = load_yaml(path)
    problems = lint_loaded(loaded)
    if problems:
        raise ContentError(sorted(problems, key=lambda p: p.line or 0))
    sha256 = loaded.sha256 or hashlib.sha256(loaded.raw).hexdigest()
    return _scenario(loaded.data, str(path), sha256)


def _law(items: Any) -> tuple[model.LawRef, ...]:
    return tuple(model.LawRef(str(i["act"]), str(i["section"])) for i in items or ())


def _choice(data: dict) -> model.Choice:
    target = data["target"]
    if isinstance(target, list):
        target = tuple(model.Route(r["goto"], r.get("when")) for r in target)
    effects = data.get("effects") or {}
    return model.Choice(
        label=data["label"],
        feedback=data["feedback"],
        target=target,
        effects=model.Effects(dict(effects.get("set") or {}), dict(effects.get("add") or {})),
        when=data.get("when"),
    )


def _node(node_id: str, data: dict) -> model.Node:
    rationale = data.get("rationale")
    return model.Node(
        id=node_id,
        title=data["title"],
        text=data["text"],
        choices=tuple(_choice(c) for c in data.get("choices") or ()),
        law=_law(data.get("law")),
        conditional_text=tuple(
            model.ConditionalText(c["when"], c["text"]) for c in data.get("conditional_text") or ()
        ),
        rationale=model.Rationale(
            rationale["prompt"], rationale.get("required", True), rationale.get("min_words", 1)
        )
        if rationale
        else None,
        allow_back=data.get("allow_back"),
    )


def _ending(ending_id: str, data: dict) -> model.Ending:
    return model.Ending(
        id=ending_id,
        title=data["title"],
        outcome=data["outcome"],
        debrief=data["debrief"],
        score=data.get("score"),
        text=data.get("text", ""),
        law=_law(data.get("law")),
    )


def _state(name: str, data: dict) -> model.StateVar:
    kind = data["type"]
    initial = data.get("initial", False if kind == "flag" else 0)
    return model.StateVar(
        name, kind, initial, data.get("label", name), data.get("min"), data.get("max")
    )


def _scenario(data: dict, path: str, sha256: str) -> model.Scenario:
    return model.Scenario(
        id=data["id"],
        title=data["title"],
        version=data["version"],
        setting=data["setting"],
        learner_role=data["learner_role"],
        learning_outcomes=tuple(data["learning_outcomes"]),
        content_note=data["content_note"],
        start=data["start"],
        nodes={k: _node(k, v) for k, v in data["nodes"].items()},
        endings={k: _ending(k, v) for k, v in data["endings"].items()},
        state={k: _state(k, v) for k, v in (data.get("state") or {}).items()},
        support=data.get("support"),
        jurisdiction=data.get("jurisdiction", "England"),
        allow_back=data.get("allow_back", False),
        sources=tuple(data.get("sources") or ()),
        path=path,
        sha256=sha256,
    )


_ID_LINE = re.compile(r"^id:\s*['\"]?([a-z0-9-]+)['\"]?\s*(?:#.*)?$", re.MULTILINE)


def course_roots() -> list[Path]:
    """Where course folders are looked for: the course folder around the current folder (a
    module bundle, or the repository), then the repository, then an installed wheel."""
    from helpers._paths import course_dirs

    return course_dirs()


def find_scenario(scenario_id: str) -> Path:
    """The file ``course/*/scenarios/*.yaml`` whose ``id`` is ``scenario_id``.

    Looks in the course of the repository (editable install) first, then in the course bundled
    with an installed wheel. Raises :class:`LookupError` listing the known ids.
    """
    known: dict[str, Path] = {}
    for root in course_roots():
        for path in sorted(root.glob("*/scenarios/*.yaml")):
            try:
                match = _ID_LINE.search(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            if match:
                known.setdefault(match.group(1), path)
        if scenario_id in known:
            return known[scenario_id]
    listed = ", ".join(sorted(known)) or "none found"
    raise LookupError(
        f"No course scenario has the id '{scenario_id}'. Known scenario ids: {listed}. "
        "Check the spelling of the id (it is the `id:` line of the scenario file)."
    )
