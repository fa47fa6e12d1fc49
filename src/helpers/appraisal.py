"""Appraisal activities: rate a piece of evidence against structured questions, then compare.

An appraisal is content, so it is written as data: a YAML file with ``kind: appraisal`` holding
a summary of the evidence, the questions (for example the seven TAPUPAS standards), an ordered
rating scale, and a **model appraisal** with its reasoning for every question. The format is
in ``docs/appraisal-format.md``. This module is the pure engine: no widget import, so it is
tested without Jupyter. ``helpers.appraisal_view`` shows an appraisal as widgets.

Appraisal is a judgement, not a quiz: the engine never marks a rating right or wrong. It
compares the learner's rating with the model appraisal and says how far apart they are and
why the model rates as it does::

    from helpers.appraisal import AppraisalSession, load_appraisal

    path = "course/m4-evidence/activities/appraise-tcru-review.yaml"
    session = AppraisalSession(load_appraisal(path))
    session.rate("accuracy", "high")
    print(session.compare("accuracy").message)
    # You rated accuracy "High"; the model appraisal rates it "Mixed" because ...
    print(session.summary().text)

``lint_appraisal(path)`` returns every problem as a located :class:`~helpers._problems.Problem`
(file, line, field) and never raises for bad content; ``mhsw check`` uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers._problems import ContentError, Problem
from helpers._yaml import LoadedYaml, field_name, load_yaml

__all__ = [
    "APPRAISAL_SCHEMA",
    "Appraisal",
    "AppraisalQuestion",
    "AppraisalSession",
    "AppraisalSummary",
    "Comparison",
    "Evidence",
    "ModelAnswer",
    "ScalePoint",
    "lint_appraisal",
    "load_appraisal",
]

KIND = "appraisal"
_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_ITEM_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
_TEXT = {"type": "string", "minLength": 1}
_SOURCE_KINDS = ["organisational", "practitioner", "user", "research", "policy community"]

# The one schema for an appraisal file. Rules a schema cannot say well (unique ids, ratings
# that name a point on the scale) are checked afterwards in ``_check_rules``.
APPRAISAL_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Appraisal activity",
    "type": "object",
    "required": ["kind", "id", "title", "evidence", "scale", "questions"],
    "additionalProperties": False,
    "properties": {
        "kind": {"const": KIND},
        "id": {"type": "string", "pattern": _ID_PATTERN},
        "title": _TEXT,
        "framework": _TEXT,
        "instructions": _TEXT,
        "sources": {"type": "array", "items": _TEXT},
        "evidence": {
            "type": "object",
            "required": ["title", "source", "summary"],
            "additionalProperties": False,
            "properties": {
                "title": _TEXT,
                "source": _TEXT,
                "knowledge_source": {"enum": _SOURCE_KINDS},
                "claim": _TEXT,
                "summary": _TEXT,
                "lines": _TEXT,
            },
        },
        "scale": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "required": ["id", "label"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": _ITEM_ID_PATTERN},
                    "label": _TEXT,
                    "description": _TEXT,
                    "off_scale": {"type": "boolean"},
                },
            },
        },
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "standard", "question", "model"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": _ITEM_ID_PATTERN},
                    "standard": _TEXT,
                    "question": _TEXT,
                    "look_for": _TEXT,
                    "model": {
                        "type": "object",
                        "required": ["rating", "reasoning"],
                        "additionalProperties": False,
                        "properties": {
                            "rating": {"type": "string", "pattern": _ITEM_ID_PATTERN},
                            "also_defensible": {
                                "type": "array",
                                "items": {"type": "string", "pattern": _ITEM_ID_PATTERN},
                            },
                            "reasoning": _TEXT,
                            "source": _TEXT,
                        },
                    },
                },
            },
        },
    },
}

# What to write when a required field is missing (the scenario messages cover the rest).
_ADD_HINTS = {
    "kind": "add `kind: appraisal` as the first line",
    "evidence": "add `evidence:` with the title, source and a summary of what is appraised",
    "scale": "add `scale:`, a list of at least two ratings from lowest to highest",
    "questions": "add `questions:`, one per standard you appraise against",
    "model": "add `model:` with the model appraisal's `rating:` and `reasoning:`",
    "reasoning": "add `reasoning:` saying why the model appraisal rates it so",
    "rating": "add `rating:` with the id of a point on the scale",
    "standard": "add `standard:`, the name of the standard, e.g. Transparency",
    "question": "add `question:`, what the learner asks of the evidence",
    "summary": "add `summary:`, what the evidence is and says, in a few sentences",
    "source": "add `source:`, who produced the evidence, when, and where to find it",
}


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class ScalePoint:
    """One rating a learner can give, e.g. "Low"; ``off_scale`` for "Cannot tell"."""

    id: str
    label: str
    description: str = ""
    off_scale: bool = False


@dataclass(frozen=True)
class ModelAnswer:
    """The model appraisal of one question: a rating, any others also defensible, and why."""

    rating: str
    reasoning: str
    also_defensible: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class AppraisalQuestion:
    id: str
    standard: str
    question: str
    model: ModelAnswer
    look_for: str = ""


@dataclass(frozen=True)
class Evidence:
    """What is being appraised."""

    title: str
    source: str
    summary: str
    claim: str = ""
    knowledge_source: str = ""
    lines: str = ""


@dataclass(frozen=True)
class Appraisal:
    id: str
    title: str
    evidence: Evidence
    scale: tuple[ScalePoint, ...]
    questions: tuple[AppraisalQuestion, ...]
    framework: str = ""
    instructions: str = ""
    sources: tuple[str, ...] = ()
    path: str | None = field(default=None, compare=False)

    def question(self, question_id: str) -> AppraisalQuestion:
        for question in self.questions:
            if question.id == question_id:
                return question
        known = ", ".join(q.id for q in self.questions)
        raise KeyError(f"This appraisal has no question {question_id!r}. Its questions: {known}.")

    def point(self, rating_id: str) -> ScalePoint:
        for point in self.scale:
            if point.id == rating_id:
                return point
        known = ", ".join(p.id for p in self.scale)
        raise KeyError(f"There is no rating {rating_id!r} on this scale. Use one of: {known}.")

    def position(self, rating_id: str) -> int | None:
        """Place of a rating on the ordered scale (0 = lowest); None for an off-scale rating."""
        ordered = [p.id for p in self.scale if not p.off_scale]
        return ordered.index(rating_id) if rating_id in ordered else None


# --------------------------------------------------------------------------- comparing

AGREES, DEFENSIBLE, CLOSE, DIFFERS, NOT_RATED = (
    "agrees",
    "also defensible",
    "one step apart",
    "differs",
    "not rated",
)


@dataclass(frozen=True)
class Comparison:
    """How a learner's rating of one question sits beside the model appraisal."""

    question: AppraisalQuestion
    rating: str | None
    verdict: str  # agrees | also defensible | one step apart | differs | not rated
    message: str
    note: str = ""

    @property
    def rated(self) -> bool:
        return self.rating is not None


@dataclass(frozen=True)
class AppraisalSummary:
    """All the comparisons of one session, with counts and a sentence for the learner."""

    comparisons: tuple[Comparison, ...]

    def count(self, verdict: str) -> int:
        return sum(c.verdict == verdict for c in self.comparisons)

    @property
    def rated(self) -> int:
        return sum(c.rated for c in self.comparisons)

    @property
    def text(self) -> str:
        total = len(self.comparisons)
        if not self.rated:
            return f"You have not rated any of the {total} questions yet."
        near = self.count(AGREES) + self.count(DEFENSIBLE)
        matched = f"On {near} your rating matches" if near else "None of your ratings matches"
        parts = [
            f"You rated {self.rated} of {total} questions. {matched} the model appraisal or "
            "another rating it accepts as defensible"
        ]
        if self.count(CLOSE):
            parts.append(f"on {self.count(CLOSE)} you are one step apart")
        if self.count(DIFFERS):
            parts.append(
                f"on {self.count(DIFFERS)} you differ more: read the model's reasons and "
                "decide whether they change your mind"
            )
        text = "; ".join(parts) + "."
        if self.rated < total:
            text += f" {total - self.rated} not rated yet."
        return text + (
            " A model appraisal is one reasoned view, not the answer: where you differ, what "
            "matters is whether you can give reasons from the evidence."
        )

    def to_frame(self):
        """The comparisons as a table: standard, your rating, model rating, verdict, reasons."""
        import pandas as pd

        return pd.DataFrame(
            {
                "standard": [c.question.standard for c in self.comparisons],
                "your_rating": [c.rating for c in self.comparisons],
                "model_rating": [c.question.model.rating for c in self.comparisons],
                "verdict": [c.verdict for c in self.comparisons],
                "model_reasoning": [c.question.model.reasoning for c in self.comparisons],
            }
        )


class AppraisalSession:
    """One learner's ratings of one appraisal: ``rate``, ``compare``, ``summary``, ``reset``."""

    def __init__(self, appraisal: Appraisal):
        self.appraisal = appraisal
        self.ratings: dict[str, str] = {}
        self.notes: dict[str, str] = {}

    def rate(self, question_id: str, rating: str | None, note: str = "") -> None:
        """Record a rating (a scale id; ``None`` clears it) and an optional note of reasons."""
        question = self.appraisal.question(question_id)
        if rating is None:
            self.ratings.pop(question.id, None)
        else:
            self.appraisal.point(rating)  # raises KeyError naming the valid ratings
            self.ratings[question.id] = rating
        if note.strip():
            self.notes[question.id] = note.strip()
        else:
            self.notes.pop(question.id, None)

    def compare(self, question_id: str) -> Comparison:
        question = self.appraisal.question(question_id)
        return _compare(
            self.appraisal, question, self.ratings.get(question.id), self.notes.get(question.id, "")
        )

    def summary(self) -> AppraisalSummary:
        return AppraisalSummary(tuple(self.compare(q.id) for q in self.appraisal.questions))

    def reset(self) -> None:
        self.ratings.clear()
        self.notes.clear()

    def record(self) -> dict[str, Any]:
        """The learner's ratings and notes as plain data (e.g. to save or hand in)."""
        return {
            "appraisal": self.appraisal.id,
            "ratings": dict(self.ratings),
            "notes": dict(self.notes),
        }


def _label(appraisal: Appraisal, rating_id: str) -> str:
    return f"“{appraisal.point(rating_id).label}”"


def _compare(
    appraisal: Appraisal, question: AppraisalQuestion, rating: str | None, note: str
) -> Comparison:
    model = question.model
    standard = question.standard.lower()
    model_label = _label(appraisal, model.rating)
    because = f"Its reasons: {model.reasoning.strip()}"
    if rating is None:
        message = f"Not rated yet: choose a rating for {standard} first."
        return Comparison(question, None, NOT_RATED, message, note)
    yours = _label(appraisal, rating)
    if rating == model.rating:
        message = (
            f"You rated {standard} {yours}, as the model appraisal does. {because} "
            "Check that your reasons are the same ones."
        )
        return Comparison(question, rating, AGREES, message, note)
    if rating in model.also_defensible:
        message = (
            f"You rated {standard} {yours}; the model appraisal rates it {model_label} and "
            f"accepts {yours} as defensible. {because}"
        )
        return Comparison(question, rating, DEFENSIBLE, message, note)
    mine, theirs = appraisal.position(rating), appraisal.position(model.rating)
    if mine is None or theirs is None:
        ask = (
            "Is there enough in the evidence to judge after all?"
            if mine is None
            else "What in the evidence let you judge it?"
        )
        message = (
            f"You rated {standard} {yours}; the model appraisal rates it {model_label}. "
            f"{because} {ask}"
        )
        return Comparison(question, rating, DIFFERS, message, note)
    direction = "higher" if mine > theirs else "lower"
    verdict = CLOSE if abs(mine - theirs) == 1 else DIFFERS
    message = (
        f"You rated {standard} {yours}, {direction} than the model appraisal, which rates it "
        f"{model_label}. {because}"
    )
    return Comparison(question, rating, verdict, message, note)


# --------------------------------------------------------------------------- loading and lint


def lint_appraisal(path: str | Path) -> list[Problem]:
    """Every problem in the appraisal file at ``path``, each located (file, line, field)."""
    return _read(path)[1]


def load_appraisal(path: str | Path) -> Appraisal:
    """Load and check an appraisal; raise :class:`ContentError` listing every problem found."""
    appraisal, problems = _read(path)
    if problems:
        raise ContentError(problems)
    assert appraisal is not None
    return appraisal


def _read(path: str | Path) -> tuple[Appraisal | None, list[Problem]]:
    loaded = load_yaml(path)
    if loaded.problems:
        return None, loaded.problems
    if not isinstance(loaded.data, Mapping):
        return None, [
            Problem(
                loaded.path,
                1,
                "this file is not an appraisal (expected 'name: value' fields at the top)",
                "start the file with `kind: appraisal` (see docs/appraisal-format.md)",
            )
        ]
    problems = [] if loaded.prechecked else _schema_problems(loaded)
    if problems:
        return None, problems
    problems = _check_rules(loaded)
    if problems:
        return None, problems
    return _build(loaded.data, loaded.path), []


def _schema_problems(loaded: LoadedYaml) -> list[Problem]:
    # The scenario format's plain-English messages serve every course schema the same way.
    from helpers._yaml import import_jsonschema
    from helpers.scenarios._schema import _to_problems

    validator = import_jsonschema().Draft202012Validator(APPRAISAL_SCHEMA)
    problems: list[Problem] = []
    for error in sorted(validator.iter_errors(loaded.data), key=lambda e: list(map(str, e.path))):
        for problem in _to_problems(loaded, tuple(error.absolute_path), error):
            key = (problem.field or "").rsplit(".", 1)[-1]
            if problem.message == "is missing" and key in _ADD_HINTS:
                problem = Problem(
                    problem.path, problem.line, problem.message, _ADD_HINTS[key], problem.field
                )
            problems.append(problem)
    problems.sort(key=lambda p: (p.line or 0, p.field or ""))
    return problems


def _check_rules(loaded: LoadedYaml) -> list[Problem]:
    data, shown = loaded.data, loaded.path
    problems: list[Problem] = []

    def add(where: tuple, message: str, fix: str) -> None:
        problems.append(Problem(shown, loaded.line_of(where), message, fix, field_name(where)))

    scale_ids: list[str] = []
    for index, point in enumerate(data["scale"]):
        if point["id"] in scale_ids:
            add(
                ("scale", index, "id"),
                f"the rating id '{point['id']}' is used twice",
                "give every point on the scale its own id",
            )
        scale_ids.append(point["id"])
    if sum(not p.get("off_scale", False) for p in data["scale"]) < 2:
        add(
            ("scale",),
            "needs at least two ordered ratings (not off_scale)",
            "list ratings from lowest to highest, e.g. low, mixed, high",
        )
    seen: set[str] = set()
    for q_index, question in enumerate(data["questions"]):
        here = ("questions", q_index)
        if question["id"] in seen:
            add(
                here + ("id",),
                f"the question id '{question['id']}' is used twice",
                "give every question its own id",
            )
        seen.add(question["id"])
        model = question["model"]
        ratings = [("rating", model["rating"])] + [
            (("also_defensible", i), r) for i, r in enumerate(model.get("also_defensible", []))
        ]
        for key, rating in ratings:
            where = here + ("model",) + (key if isinstance(key, tuple) else (key,))
            if rating not in scale_ids:
                add(
                    where,
                    f"'{rating}' is not a rating on the scale",
                    "use one of: " + ", ".join(scale_ids),
                )
        if model["rating"] in model.get("also_defensible", []):
            add(
                here + ("model", "also_defensible"),
                "repeats the model rating itself",
                "list only the other ratings that are also defensible",
            )
    return problems


def _build(data: Mapping[str, Any], shown: str) -> Appraisal:
    evidence = data["evidence"]
    return Appraisal(
        id=data["id"],
        title=data["title"].strip(),
        framework=data.get("framework", "").strip(),
        instructions=data.get("instructions", "").strip(),
        sources=tuple(s.strip() for s in data.get("sources", [])),
        evidence=Evidence(
            title=evidence["title"].strip(),
            source=evidence["source"].strip(),
            summary=evidence["summary"].strip(),
            claim=evidence.get("claim", "").strip(),
            knowledge_source=evidence.get("knowledge_source", ""),
            lines=evidence.get("lines", "").strip(),
        ),
        scale=tuple(
            ScalePoint(
                p["id"],
                p["label"].strip(),
                p.get("description", "").strip(),
                p.get("off_scale", False),
            )
            for p in data["scale"]
        ),
        questions=tuple(
            AppraisalQuestion(
                id=q["id"],
                standard=q["standard"].strip(),
                question=q["question"].strip(),
                look_for=q.get("look_for", "").strip(),
                model=ModelAnswer(
                    rating=q["model"]["rating"],
                    reasoning=q["model"]["reasoning"].strip(),
                    also_defensible=tuple(q["model"].get("also_defensible", [])),
                    source=q["model"].get("source", "").strip(),
                ),
            )
            for q in data["questions"]
        ),
        path=shown,
    )
