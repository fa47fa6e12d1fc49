"""The one JSON Schema for scenario files, and plain-English messages for its errors.

``jsonschema`` is imported only inside :func:`schema_problems`, so ``import helpers`` stays fast.
"""

from __future__ import annotations

from typing import Any

from helpers._problems import Problem
from helpers._yaml import FieldPath, LoadedYaml, field_name

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ITEM_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
STATE_NAME_PATTERN = r"^[a-z_][a-z0-9_]*$"
CONTENT_NOTE_MAX = 400

_TEXT = {"type": "string", "minLength": 1}
_LAW = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["act", "section"],
        "additionalProperties": False,
        "properties": {
            "act": _TEXT,
            "section": {"type": ["string", "integer"], "minLength": 1},
        },
    },
}
_WHEN = {"type": "string", "minLength": 1}
_TARGET_ID = {"type": "string", "pattern": ITEM_ID_PATTERN}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Branching case scenario",
    "type": "object",
    "required": [
        "kind",
        "id",
        "title",
        "version",
        "setting",
        "learner_role",
        "learning_outcomes",
        "content_note",
        "start",
        "nodes",
        "endings",
    ],
    "additionalProperties": False,
    "properties": {
        "kind": {"const": "scenario"},
        "id": {"type": "string", "pattern": ID_PATTERN},
        "title": _TEXT,
        "version": {"type": ["integer", "string"], "minLength": 1, "minimum": 1},
        "setting": _TEXT,
        "learner_role": _TEXT,
        "learning_outcomes": {"type": "array", "minItems": 1, "items": _TEXT},
        "content_note": {"type": "string", "minLength": 1, "maxLength": CONTENT_NOTE_MAX},
        "support": _TEXT,
        "jurisdiction": _TEXT,
        "allow_back": {"type": "boolean"},
        "sources": {"type": "array", "items": _TEXT},
        "state": {
            "type": "object",
            "propertyNames": {"pattern": STATE_NAME_PATTERN},
            "additionalProperties": {
                "type": "object",
                "required": ["type"],
                "additionalProperties": False,
                "properties": {
                    "type": {"enum": ["flag", "counter"]},
                    "initial": {"type": ["boolean", "integer"]},
                    "min": {"type": "integer"},
                    "max": {"type": "integer"},
                    "label": _TEXT,
                },
            },
        },
        "start": _TARGET_ID,
        "nodes": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": ITEM_ID_PATTERN},
            "additionalProperties": {
                "type": "object",
                "required": ["title", "text"],
                "additionalProperties": False,
                "properties": {
                    "title": _TEXT,
                    "text": _TEXT,
                    "law": _LAW,
                    "conditional_text": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["when", "text"],
                            "additionalProperties": False,
                            "properties": {"when": _WHEN, "text": _TEXT},
                        },
                    },
                    "rationale": {
                        "type": "object",
                        "required": ["prompt"],
                        "additionalProperties": False,
                        "properties": {
                            "prompt": _TEXT,
                            "required": {"type": "boolean"},
                            "min_words": {"type": "integer", "minimum": 1},
                        },
                    },
                    "allow_back": {"type": "boolean"},
                    "choices": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["label", "feedback", "target"],
                            "additionalProperties": False,
                            "properties": {
                                "label": _TEXT,
                                "feedback": _TEXT,
                                "when": _WHEN,
                                "target": {
                                    "type": ["string", "array"],
                                    "pattern": ITEM_ID_PATTERN,
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["goto"],
                                        "additionalProperties": False,
                                        "properties": {"when": _WHEN, "goto": _TARGET_ID},
                                    },
                                },
                                "effects": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {
                                        "set": {
                                            "type": "object",
                                            "additionalProperties": {
                                                "type": ["boolean", "integer"]
                                            },
                                        },
                                        "add": {
                                            "type": "object",
                                            "additionalProperties": {"type": "integer"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "endings": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": ITEM_ID_PATTERN},
            "additionalProperties": {
                "type": "object",
                "required": ["title", "outcome", "debrief"],
                "additionalProperties": False,
                "properties": {
                    "title": _TEXT,
                    "outcome": {"enum": ["good", "acceptable", "poor", "unsafe", "unlawful"]},
                    "score": {"type": "integer", "minimum": 0},
                    "text": _TEXT,
                    "debrief": _TEXT,
                    "law": _LAW,
                },
            },
        },
    },
}

# What to write when a required field is missing.
_ADD_HINTS = {
    "kind": "add `kind: scenario` as the first line",
    "feedback": "add `feedback:` saying what this choice shows about practice and the law",
    "debrief": "add `debrief:` explaining what this ending teaches",
    "content_note": "add `content_note:` naming the sensitive topics in one or two sentences",
    "section": 'add the section, e.g. `section: "13(2)"`',
    "act": 'add the Act with its year, e.g. `act: "Mental Health Act 1983"`',
    "target": "add `target:` with the id of the node or ending this choice leads to",
    "learning_outcomes": "add `learning_outcomes:` with at least one outcome",
    "outcome": "add `outcome:` (good, acceptable, poor, unsafe or unlawful)",
}
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a group of fields",
    "null": "empty",
}


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        short = value if len(value) <= 30 else value[:27] + "..."
        return f"the text '{short}'"
    if isinstance(value, list):
        return "a list"
    return "a group of fields"


def _import_validator():
    """jsonschema's validator, imported lazily and without its slow optional extra."""
    from helpers._yaml import import_jsonschema

    return import_jsonschema().Draft202012Validator


def schema_problems(loaded: LoadedYaml) -> list[Problem]:
    """Check ``loaded.data`` against :data:`SCHEMA`; one located problem per error.

    Content prechecked when the website was built passed this check then (helpers._prechecked).
    """
    if loaded.prechecked:
        return []
    Draft202012Validator = _import_validator()
    validator = Draft202012Validator(SCHEMA)
    problems = []
    for error in sorted(validator.iter_errors(loaded.data), key=lambda e: list(map(str, e.path))):
        problems.extend(_to_problems(loaded, tuple(error.absolute_path), error))
    return problems


def _to_problems(loaded: LoadedYaml, path: FieldPath, error: Any) -> list[Problem]:
    shown = loaded.path
    kind = error.validator
    value = error.instance
    if kind == "required":
        missing = [k for k in error.validator_value if k not in value]
        return [
            Problem(
                shown,
                loaded.line_of(path),
                "is missing",
                _ADD_HINTS.get(key, f"add `{key}:`"),
                field_name(path + (key,)),
            )
            for key in missing
        ]
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in value if k not in allowed]
        return [
            Problem(
                shown,
                loaded.line_of(path + (key,)),
                "is not a field this format knows",
                "check the spelling; allowed here: " + ", ".join(allowed),
                field_name(path + (key,)),
            )
            for key in extra
        ]
    if kind == "propertyNames":
        return [
            Problem(
                shown,
                loaded.line_of(path + (value,)),
                f"'{value}' is not a usable name",
                _pattern_fix(path),
                field_name(path + (value,)),
            )
        ]
    message, fix = _message(kind, error, value, path)
    return [Problem(shown, loaded.line_of(path), message, fix, field_name(path) or None)]


def _pattern_fix(path: FieldPath) -> str:
    if path and path[0] == "state":
        return "use lower-case letters, digits and underscores, starting with a letter"
    return "use lower-case letters, digits and hyphens, e.g. `gather-info`"


def _message(kind: str, error: Any, value: Any, path: FieldPath) -> tuple[str, str]:
    if kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_TYPE_WORDS[t] for t in expected)
        key = next((p for p in reversed(path) if isinstance(p, str)), "value")
        fix = {
            "integer": f"write a whole number without quotes, e.g. `{key}: 1`",
            "boolean": f"write `{key}: true` or `{key}: false`",
            "array": "write a list, one `- item` per line",
            "object": "write the fields on the lines below, indented",
        }.get(expected[0], "correct the value")
        if "string" in expected and isinstance(value, (bool, int, float)):
            fix = "put the value in double quotes so it is read as text"
        elif "string" in expected and value is None:
            fix = "write the text after the colon, or delete the line"
        return f"should be {words}, but it is {_describe(value)}", fix
    if kind == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return f"{_describe(value)} is not allowed", f"use one of: {options}"
    if kind == "const":
        return (
            f"should be '{error.validator_value}'",
            f"write `{path[-1]}: {error.validator_value}`",
        )
    if kind == "pattern":
        if path == ("id",):
            return (
                f"'{value}' is not a usable id",
                "use lower-case letters, digits and single hyphens, e.g. `m3-home-visit`",
            )
        return f"'{value}' is not a usable id", _pattern_fix(path)
    if kind == "minLength":
        return "is empty", "write the text, or delete the line"
    if kind == "maxLength":
        return (
            f"is too long ({len(value)} characters; at most {error.validator_value})",
            "keep it to one or two sentences; put detail in the debrief or module guide",
        )
    if kind in ("minItems", "minProperties"):
        return f"needs at least {error.validator_value} item(s)", "add one"
    if kind == "minimum":
        return f"should be at least {error.validator_value}, not {value}", "correct the number"
    return error.message, ""  # pragma: no cover - every keyword in SCHEMA is handled above
