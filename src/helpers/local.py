"""Local settings: a teaching partnership's own names and support contacts, in one file.

The course's own values live in the package (``_local_defaults.yaml``). A partnership writes a
small ``local.yaml`` at the root of its course folder or module bundle (or names one with the
``MHSW_LOCAL`` environment variable) and overrides what it needs::

    kind: local
    institution:
      name: "the University of Anytown"
    support:
      contacts:
        - name: "Anytown Student Wellbeing"
          details: "call 01632 960 000 (Monday to Friday, 9am to 5pm)"
    place:            # every field, so no case mixes your names with the course's
      area: "Anyshire"
      ...

Rules: a section you leave out keeps the course's values; inside ``institution`` and
``support`` each field you write replaces the course's (``contacts`` as a whole list); a
``place`` is always written whole. The place of a module's cases is, first found: your
``modules: {<module>: {place}}``, your ``place``, the course's place for that module, the
course's ``place``.

Scenario text may use tokens such as ``{{ place.town }}`` (see :data:`TOKENS`);
:func:`fill_loaded` replaces them when a scenario is loaded, so cases follow ``local.yaml``
without anyone editing the scenario files.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers._problems import ContentError, Problem
from helpers._yaml import FieldPath, LoadedYaml, field_name, load_yaml

__all__ = [
    "FILE_NAME",
    "PLACE_FIELDS",
    "TOKENS",
    "LocalSettings",
    "SupportInfo",
    "fill_loaded",
    "fill_text",
    "find_local_file",
    "lint_local",
    "load_local",
    "local_settings",
    "module_of",
    "support",
]

FILE_NAME = "local.yaml"
ENV_FILE = "MHSW_LOCAL"
DEFAULTS = Path(__file__).resolve().parent / "_local_defaults.yaml"

# What each place field names, for messages and docs.
PLACE_FIELDS: dict[str, str] = {
    "area": "the fictional local authority area (e.g. Westmoor)",
    "area_kind": "what kind of area it is: county, borough, city or district",
    "town": "the main town of the cases (e.g. Eastbrook)",
    "council": "the local authority (e.g. Westmoor County Council)",
    "trust": "the NHS mental health trust (e.g. Westmoor NHS Foundation Trust)",
    "cmht": "the community mental health team of the cases",
    "hospital": "the mental health inpatient hospital",
    "general_hospital": "the general hospital with an emergency department (A&E)",
}
# Every token content may use, and what it is replaced with.
TOKENS: dict[str, str] = {
    **{f"place.{key}": meaning for key, meaning in PLACE_FIELDS.items()},
    "institution.name": "the partner university, as it reads in a sentence",
    "support.summary": "one sentence on where to get support at any hour",
}
_TOKEN = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
_MODULE = re.compile(r"^m\d+-[a-z0-9-]+$")

_TEXT = {"type": "string", "minLength": 1}
# Place names are written into scenario YAML, CSV and notebook text: no quotes, backslashes,
# braces or line breaks, which would change those files' meaning.
_NAME = {"type": "string", "minLength": 1, "pattern": '^[^"\\\\{}\\n]+$'}
_PLACE = {
    "type": "object",
    "additionalProperties": False,
    "required": list(PLACE_FIELDS),
    "properties": {key: _NAME for key in PLACE_FIELDS},
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "kind": {"const": "local"},
        "institution": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"name": _TEXT},
        },
        "support": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "people": _TEXT,
                "summary": _TEXT,
                "contacts": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "details"],
                        "properties": {
                            "name": _TEXT,
                            "details": _TEXT,
                            "url": {"type": "string", "pattern": "^https?://\\S+$"},
                        },
                    },
                },
            },
        },
        "place": _PLACE,
        "modules": {
            "type": "object",
            "propertyNames": {"pattern": _MODULE.pattern},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"place": _PLACE},
            },
        },
    },
}


# --------------------------------------------------------------------------- reading


def lint_local(path: str | Path) -> list[Problem]:
    """Every problem in a local settings file, located by line and field (empty when fine)."""
    loaded = load_yaml(path)
    return _problems(loaded)


def _problems(loaded: LoadedYaml) -> list[Problem]:
    problems = list(loaded.problems)
    if problems or loaded.data is None:
        return problems
    if not isinstance(loaded.data, dict):
        return [
            Problem(
                loaded.path,
                1,
                "is not a settings file: it should be a set of `field: value` lines",
                "start it with `kind: local`; see docs/partners.md",
            )
        ]
    from helpers._yaml import import_jsonschema
    from helpers.scenarios._schema import _to_problems

    validator = import_jsonschema().Draft202012Validator(SCHEMA)
    for error in sorted(validator.iter_errors(loaded.data), key=lambda e: list(map(str, e.path))):
        path = tuple(error.absolute_path)
        if error.validator == "pattern" and path and path[-1] == "url":
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line_of(path),
                    f"'{error.instance}' is not a web address",
                    "write the full address starting with https://, or delete the line",
                    field_name(path),
                )
            )
        elif error.validator == "pattern" and len(path) >= 2 and path[-2] == "place":
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line_of(path),
                    f"'{error.instance}' has a character a place name cannot use",
                    'write the name without double quotes ("), backslashes, braces or line breaks',
                    field_name(path),
                )
            )
        elif error.validator in ("pattern", "propertyNames") and path == ("modules",):
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line_of(path + (error.instance,)),
                    f"'{error.instance}' is not a module folder name",
                    "use the module's folder name, e.g. `m1-roles` or `m3-amhp`",
                    field_name(path + (error.instance,)),
                )
            )
        else:
            problems.extend(_to_problems(loaded, path, error))
    return sorted(dict.fromkeys(problems), key=lambda p: p.line or 0)


def _read(path: Path) -> dict[str, Any]:
    loaded = load_yaml(path)
    problems = _problems(loaded)
    if problems:
        raise ContentError(problems)
    return loaded.data or {}


@dataclass(frozen=True)
class LocalSettings:
    """The course's local settings with a partner's file (if any) laid over them."""

    partner: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None  # the partner's file, or None for the course's own values

    # -- sections
    def _section(self, name: str) -> dict[str, Any]:
        merged = dict(self.defaults.get(name) or {})
        merged.update(self.partner.get(name) or {})
        return merged

    @property
    def institution(self) -> dict[str, str]:
        return self._section("institution")

    @property
    def support(self) -> dict[str, Any]:
        return self._section("support")

    def place(self, module: str | None = None) -> dict[str, str]:
        """The place of ``module``'s cases (see the module docstring for the order)."""
        for layer in (self.partner, self.defaults):
            if module:
                own = ((layer.get("modules") or {}).get(module) or {}).get("place")
                if own:
                    return dict(own)
            if layer is self.partner and layer.get("place"):
                return dict(layer["place"])
        return dict(self.defaults["place"])

    def tokens(self, module: str | None = None) -> dict[str, str]:
        """Token name (``place.town``) -> text, for ``module``'s files."""
        values = {f"place.{k}": v for k, v in self.place(module).items()}
        values["institution.name"] = self.institution["name"]
        values["support.summary"] = self.support["summary"]
        return values

    def replacements(self, module: str | None = None) -> list[tuple[str, str]]:
        """(course's name, partner's name) pairs for text that names places literally.

        Longest first, so "Westmoor County Council" is replaced before "Westmoor". Only names
        the partner changed are listed; ``area_kind`` is an ordinary word and never replaced.
        """
        ours = LocalSettings(defaults=self.defaults)
        pairs: dict[str, str] = {}
        modules = {module} if module else set(self.defaults.get("modules") or {}) | {None}
        for mod in sorted(modules, key=str):
            before, after = ours.place(mod), self.place(mod)
            for key in PLACE_FIELDS:
                if key != "area_kind" and before[key] != after[key]:
                    pairs.setdefault(before[key], after[key])
        return sorted(pairs.items(), key=lambda pair: -len(pair[0]))

    def support_markdown(self) -> str:
        """The support list as Markdown bullets, for the Support section of a course index."""
        info = self.support
        lines = [
            "- You can stop at any point and come back later; nothing is lost.",
            f"- Talk to {info['people']}.",
        ]
        for contact in info["contacts"]:
            line = f"- **{contact['name']}**: {contact['details']}"
            if contact.get("url"):
                line += f" ({contact['url']})"
            lines.append(line + ("" if line.endswith(".") else "."))
        return "\n".join(lines)


def find_local_file(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The partner's settings file: ``MHSW_LOCAL``, else ``local.yaml`` at the course root."""
    override = os.environ.get(ENV_FILE)
    if override:
        return Path(override).resolve()
    from helpers._paths import course_root

    root = course_root(start)
    if root and (root / FILE_NAME).is_file():
        return root / FILE_NAME
    return None


_CACHE: dict[tuple[str, int], LocalSettings] = {}


def load_local(path: str | os.PathLike[str] | None = None) -> LocalSettings:
    """The settings in ``path`` over the course's own; with no path, the course's own only.

    Raises :class:`helpers.ContentError` naming the file, line and field of every problem.
    """
    defaults = _defaults()
    if path is None:
        return LocalSettings(defaults=defaults)
    path = Path(path)
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise ContentError(
            [Problem(str(path), None, "file not found", f"check the path, or unset {ENV_FILE}")]
        ) from None
    key = (str(path.resolve()), stamp)
    if key not in _CACHE:
        _CACHE[key] = LocalSettings(partner=_read(path), defaults=defaults, source=path)
    return _CACHE[key]


def _defaults() -> dict[str, Any]:
    key = (str(DEFAULTS), 0)
    if key not in _CACHE:
        _CACHE[key] = LocalSettings(defaults=_read(DEFAULTS))
    return copy.deepcopy(_CACHE[key].defaults)


def local_settings(start: str | os.PathLike[str] | None = None) -> LocalSettings:
    """The settings in force for a file or folder (default: the current folder)."""
    return load_local(find_local_file(start))


def module_of(path: str | os.PathLike[str]) -> str | None:
    """The module folder a file belongs to (``m3-amhp``), if any."""
    for part in reversed(Path(path).resolve().parts):
        if _MODULE.match(part):
            return part
    return None


# --------------------------------------------------------------------------- tokens


def fill_text(text: str, tokens: dict[str, str]) -> tuple[str, list[str]]:
    """``text`` with every known ``{{ token }}`` replaced; also the unknown tokens found."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in tokens:
            return tokens[name]
        unknown.append(name)
        return match.group(0)

    return _TOKEN.sub(replace, text), unknown


def fill_loaded(loaded: LoadedYaml, settings: LocalSettings | None = None) -> list[Problem]:
    """Replace tokens in every text value of ``loaded.data``, in place; return located problems.

    The settings are those of the file's course folder (``local.yaml``) unless given. A
    settings file with problems is reported, and the course's own values are used meanwhile.
    """
    if loaded.data is None or "{{" not in loaded.raw.decode("utf-8", "replace"):
        return []
    problems: list[Problem] = []
    if settings is None:
        try:
            settings = local_settings(Path(loaded.path).parent)
        except ContentError as exc:
            problems.extend(exc.problems)
            settings = load_local(None)
    tokens = settings.tokens(module_of(loaded.path))

    def walk(value: Any, where: FieldPath) -> Any:
        if isinstance(value, str):
            filled, unknown = fill_text(value, tokens)
            for name in unknown:
                problems.append(_unknown(loaded, where, name))
            if not unknown and "{{" in filled:
                problems.append(
                    Problem(
                        loaded.path,
                        loaded.line_of(where),
                        "has '{{' that does not start a token",
                        "write a token as {{ place.town }} (see docs/partners.md), "
                        "or remove the braces",
                        field_name(where),
                    )
                )
            return filled
        if isinstance(value, dict):
            for key in value:
                value[key] = walk(value[key], where + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                value[index] = walk(item, where + (index,))
        return value

    loaded.data = walk(loaded.data, ())
    return problems


def _unknown(loaded: LoadedYaml, where: FieldPath, name: str) -> Problem:
    import difflib

    close = difflib.get_close_matches(name, list(TOKENS), n=1)
    hint = f"did you mean {{{{ {close[0]} }}}}? " if close else ""
    return Problem(
        loaded.path,
        loaded.line_of(where),
        f"{{{{ {name} }}}} is not a local name the course knows",
        hint + "the tokens are " + ", ".join(f"{{{{ {t} }}}}" for t in TOKENS),
        field_name(where),
    )


# --------------------------------------------------------------------------- support


@dataclass(frozen=True)
class SupportInfo:
    """Where to get support, from the local settings; prints as text, shows as Markdown."""

    markdown: str

    def __str__(self) -> str:
        return self.markdown.replace("**", "")

    def _repr_markdown_(self) -> str:
        return "### Where to get support\n\n" + self.markdown


def support(start: str | os.PathLike[str] | None = None) -> SupportInfo:
    """Support contacts for this course folder; put ``support()`` last in a cell to show them."""
    return SupportInfo(local_settings(start).support_markdown())
