"""Self-check quizzes: load and check a quiz file, and mark answers (no widgets here).

A quiz is a YAML file (format in ``docs/scenario-format.md``, section Quizzes)::

    from helpers.quizzes import load_quiz, QuizSession
    quiz = load_quiz("course/m3-amhp/quizzes/amhp-role.yaml")
    session = QuizSession(quiz)
    result = session.answer("q1", [0])
    result.correct, result.feedback_for(0), session.score

``lint_quiz(path)`` returns every problem found as a located
:class:`~helpers._problems.Problem` and never raises for bad content; ``mhsw check`` uses it.
``load_quiz(path)`` raises :class:`~helpers._problems.ContentError` carrying the same problems.
The widget view lives in :mod:`helpers.quiz_view`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers._problems import ContentError, Problem
from helpers._yaml import import_jsonschema, load_yaml

__all__ = [
    "AnswerResult",
    "Option",
    "OptionFeedback",
    "Question",
    "Quiz",
    "QuizSession",
    "QUIZ_SCHEMA",
    "lint_quiz",
    "load_quiz",
]

_ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
_QUESTION_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]*$"
_TEXT = {"type": "string", "pattern": r"\S"}

# The one schema for a quiz file. Rules a schema cannot say well (how many options are
# correct, unique ids) are checked afterwards in ``_check_rules``.
QUIZ_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Course quiz",
    "type": "object",
    "required": ["kind", "id", "title", "questions"],
    "additionalProperties": False,
    "properties": {
        "kind": {"const": "quiz"},
        "id": {"type": "string", "pattern": _ID_PATTERN},
        "title": _TEXT,
        "description": {"type": "string"},
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "type", "text", "source", "options"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": ["string", "integer"], "pattern": _QUESTION_ID_PATTERN},
                    "type": {"enum": ["single", "multiple"]},
                    "text": _TEXT,
                    "source": _TEXT,
                    "explanation": {"type": "string"},
                    "options": {
                        "type": "array",
                        "minItems": 2,
                        "items": {
                            "type": "object",
                            "required": ["text", "correct", "feedback"],
                            "additionalProperties": False,
                            "properties": {
                                "text": _TEXT,
                                "correct": {"type": "boolean"},
                                "feedback": _TEXT,
                            },
                        },
                    },
                },
            },
        },
    },
}

# Plain words for the schema's types, used in messages.
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list (lines starting with '- ')",
    "object": "a set of 'name: value' fields",
}

# What to do when a required field is missing, per field name.
_MISSING_FIX = {
    "kind": "add 'kind: quiz' as the first line",
    "id": "add an id: lower-case letters, digits and hyphens",
    "title": "add a title",
    "questions": "add a list of questions",
    "type": "add 'type: single' or 'type: multiple'",
    "text": "add the text",
    "source": "add the source of the answer, e.g. the Act and section or the document",
    "options": "add a list of options (at least two)",
    "correct": "add 'correct: true' or 'correct: false'",
    "feedback": "add feedback that explains why this option is right or wrong",
}


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str  # "single" or "multiple"
    text: str
    source: str
    options: tuple[Option, ...]
    explanation: str = ""

    @property
    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, option in enumerate(self.options) if option.correct)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    questions: tuple[Question, ...]
    description: str = ""
    path: Path | None = None

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == str(question_id):
                return question
        known = ", ".join(q.id for q in self.questions)
        raise KeyError(f"This quiz has no question '{question_id}'. Its questions are: {known}.")


@dataclass(frozen=True)
class OptionFeedback:
    index: int
    text: str
    selected: bool
    correct: bool
    feedback: str


@dataclass(frozen=True)
class AnswerResult:
    """The marking of one answer to one question."""

    question_id: str
    selected: frozenset[int]
    correct: bool
    options: tuple[OptionFeedback, ...]
    missed: int  # correct options not selected
    wrongly_selected: int  # incorrect options selected
    explanation: str = ""
    source: str = ""
    attempt: int = 1
    question_type: str = "single"

    def feedback_for(self, index: int) -> str:
        return self.options[index].feedback

    @property
    def selected_feedback(self) -> list[OptionFeedback]:
        return [option for option in self.options if option.selected]

    @property
    def summary(self) -> str:
        """One plain sentence on the answer as a whole."""
        if self.correct:
            return "Correct."
        if not self.selected:
            return "No option was chosen: choose an answer, then check it."
        if self.question_type == "single":
            return "Not quite: that is not the right answer. Read the feedback and try again."
        parts = []
        if self.wrongly_selected:
            parts.append(
                _count(self.wrongly_selected, "option you chose is", "options you chose are")
                + " not right"
            )
        if self.missed:
            parts.append(
                _count(self.missed, "right option is", "right options are") + " not chosen yet"
            )
        return "Not quite: " + " and ".join(parts) + ". Read the feedback and try again."


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


@dataclass
class QuizSession:
    """Marks answers to a quiz and keeps the score so far (the latest answer to each question).

    ``answer(question_id, selected)`` takes the indices of the chosen options and returns an
    :class:`AnswerResult`. ``score`` counts questions whose latest answer is right, out of
    ``max_score`` (one point per question); ``reset()`` starts again.
    """

    quiz: Quiz
    results: dict[str, AnswerResult] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)

    def answer(self, question_id: str, selected: Iterable[int]) -> AnswerResult:
        question = self.quiz.question(question_id)
        chosen = frozenset(int(i) for i in selected)
        bad = sorted(i for i in chosen if not 0 <= i < len(question.options))
        if bad:
            raise ValueError(
                f"Question '{question.id}' has options 0 to {len(question.options) - 1}; "
                f"there is no option {bad[0]}."
            )
        if question.type == "single" and len(chosen) > 1:
            raise ValueError(f"Question '{question.id}' takes one answer; choose only one option.")
        right = question.correct_indices
        options = tuple(
            OptionFeedback(i, option.text, i in chosen, option.correct, option.feedback)
            for i, option in enumerate(question.options)
        )
        self.attempts[question.id] = self.attempts.get(question.id, 0) + 1
        result = AnswerResult(
            question_id=question.id,
            selected=chosen,
            correct=chosen == right,
            options=options,
            missed=len(right - chosen),
            wrongly_selected=len(chosen - right),
            explanation=question.explanation,
            source=question.source,
            attempt=self.attempts[question.id],
            question_type=question.type,
        )
        if chosen:  # an empty answer is a prompt to choose, not an attempt that counts
            self.results[question.id] = result
        else:
            self.attempts[question.id] -= 1
        return result

    @property
    def score(self) -> int:
        return sum(1 for result in self.results.values() if result.correct)

    @property
    def max_score(self) -> int:
        return len(self.quiz.questions)

    @property
    def answered(self) -> int:
        return len(self.results)

    def reset(self) -> None:
        self.results.clear()
        self.attempts.clear()


# --------------------------------------------------------------------------- loading and lint


def lint_quiz(path: str | Path) -> list[Problem]:
    """Every problem in the quiz file at ``path``, each located (file, line, field)."""
    return _read(path)[1]


def load_quiz(path: str | Path) -> Quiz:
    """Load and check a quiz; raise :class:`ContentError` listing every problem found."""
    quiz, problems = _read(path)
    if problems:
        raise ContentError(problems)
    assert quiz is not None
    return quiz


def _read(path: str | Path) -> tuple[Quiz | None, list[Problem]]:
    shown = str(path)
    loaded = load_yaml(path)
    if loaded.problems:
        return None, loaded.problems
    data = loaded.data
    line_of = lambda where=(): loaded.line_of(where) or 1  # noqa: E731
    # prechecked content (helpers._prechecked) passed the schema when the website was built
    problems = [] if loaded.prechecked else _schema_problems(data, line_of, shown)
    if problems:
        return None, problems
    problems = _check_rules(data, line_of, shown)
    if problems:
        return None, problems
    return _build(data, Path(path)), []


def _field_name(path_parts: Iterable[Any]) -> str:
    name = ""
    for part in path_parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _schema_problems(data: Any, line_of, shown: str) -> list[Problem]:
    # imported here, so ``import helpers`` stays fast; see import_jsonschema for the speed-up
    Draft202012Validator = import_jsonschema().Draft202012Validator

    if not isinstance(data, dict):
        return [
            Problem(
                shown,
                1,
                "this file is not a quiz (expected 'name: value' fields at the top)",
                "start the file with 'kind: quiz' (see docs/scenario-format.md)",
            )
        ]
    validator = Draft202012Validator(QUIZ_SCHEMA)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = tuple(error.absolute_path)
        message, fix, where = _explain(error, where)
        problems.append(
            Problem(shown, line_of(where), message, fix, field=_field_name(where) or None)
        )
    problems.sort(key=lambda p: (p.line or 0, p.field or ""))
    return problems


def _explain(error: Any, where: tuple) -> tuple[str, str, tuple]:
    """Turn one jsonschema error into plain words: (message, fix, path of the field)."""
    kind = error.validator
    if kind == "required":
        missing = next(name for name in error.validator_value if name not in (error.instance or {}))
        return (
            f"the field '{missing}' is missing",
            _MISSING_FIX.get(missing, f"add '{missing}'"),
            where + (missing,),
        )
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed), key=str)
        name = extra[0] if extra else "?"
        return (
            f"unknown field '{name}'",
            "check the spelling or remove it; allowed here: " + ", ".join(allowed),
            where + (name,),
        )
    if kind == "type":
        wanted = error.validator_value
        wanted = wanted if isinstance(wanted, list) else [wanted]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
        if "string" in wanted and isinstance(error.instance, bool | int | float):
            # YAML reads unquoted Yes/No/On/Off as true/false and 2008 as a number.
            return (
                f"should be text, but YAML read it as {str(error.instance).lower()}",
                'put the text in quotes, e.g. "Yes."',
                where,
            )
        return f"should be {words}", f"write {words} here", where
    if kind == "enum":
        choices = ", ".join(str(v) for v in error.validator_value)
        return (
            f"'{error.instance}' is not allowed",
            f"use one of: {choices}",
            where,
        )
    if kind == "const":
        return (
            f"should be '{error.validator_value}', not '{error.instance}'",
            f"write '{error.validator_value}'",
            where,
        )
    if kind == "minItems":
        what = "options" if where and where[-1] == "options" else "items"
        return (
            f"needs at least {error.validator_value} {what}, has {len(error.instance)}",
            f"add {what} until there are at least {error.validator_value}",
            where,
        )
    if kind == "pattern":
        if error.validator_value == r"\S":
            return "is empty", "write some text here", where
        return (
            f"'{error.instance}' is not a valid id",
            "use lower-case letters, digits and hyphens only, e.g. 'm3-amhp-self-check'"
            if error.validator_value == _ID_PATTERN
            else "use letters, digits, hyphens and underscores only, e.g. 'q1'",
            where,
        )
    return error.message, "see docs/scenario-format.md (Quizzes)", where


def _check_rules(data: dict, line_of, shown: str) -> list[Problem]:
    problems = []
    first_line_of_id: dict[str, int] = {}
    for q_index, question in enumerate(data["questions"]):
        here = ("questions", q_index)
        qid = str(question["id"])
        if qid in first_line_of_id:
            problems.append(
                Problem(
                    shown,
                    line_of(here + ("id",)),
                    f"the question id '{qid}' is used twice "
                    f"(first on line {first_line_of_id[qid]})",
                    "give every question its own id",
                    field=_field_name(here + ("id",)),
                )
            )
        else:
            first_line_of_id[qid] = line_of(here + ("id",))
        n_correct = sum(1 for option in question["options"] if option["correct"])
        if question["type"] == "single" and n_correct != 1:
            problems.append(
                Problem(
                    shown,
                    line_of(here + ("options",)),
                    "a 'single' question needs exactly one correct option, "
                    f"this one has {n_correct}",
                    "mark exactly one option 'correct: true', or make it 'type: multiple'"
                    if n_correct > 1
                    else "mark the right option 'correct: true'",
                    field=_field_name(here + ("options",)),
                )
            )
        if question["type"] == "multiple" and n_correct == 0:
            problems.append(
                Problem(
                    shown,
                    line_of(here + ("options",)),
                    "a 'multiple' question needs at least one correct option, this one has none",
                    "mark the right options 'correct: true'",
                    field=_field_name(here + ("options",)),
                )
            )
    return problems


def _build(data: dict, path: Path) -> Quiz:
    questions = tuple(
        Question(
            id=str(q["id"]),
            type=q["type"],
            text=q["text"].strip(),
            source=q["source"].strip(),
            options=tuple(
                Option(o["text"].strip(), o["correct"], o["feedback"].strip()) for o in q["options"]
            ),
            explanation=q.get("explanation", "").strip(),
        )
        for q in data["questions"]
    )
    return Quiz(
        id=data["id"],
        title=data["title"].strip(),
        questions=questions,
        description=data.get("description", "").strip(),
        path=path,
    )
