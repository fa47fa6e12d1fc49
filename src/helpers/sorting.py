"""Sorting activities: place practice items into categories and get feedback on each one.

A sorting activity is content, so it is written as data: either a YAML file that a lecturer
edits (``load_sorting(path)``) or a table from a course dataset
(``SortingActivity.from_frame(df, item_col, category_col)``). This module is the pure engine:
it has no widget import, so it is tested without Jupyter. ``helpers.sorting_view`` shows an
activity as widgets.

The YAML format::

    kind: sorting
    id: m1-key-areas                  # lower-case letters, digits and hyphens
    title: "Which key area of practice?"
    instructions: "Choose the area that fits each item best."   # optional
    sources: ["001_… (TCSW 2013), section 5, lines 260-305"]     # optional
    categories:
      - id: A
        label: "A. Statutory social care duties"
        description: "Assessments, eligibility, safeguarding, carers' rights ..."   # optional
    items:
      - id: carer-assessment
        text: "Assess the needs of a mother who cares for her adult son"
        category: A                   # or `categories: [A, C]` when more than one is right
        feedback: "Carers' rights and assessments are listed under area A."
        source: "001_…, line 274"     # optional
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers._problems import ContentError, Problem
from helpers._yaml import load_yaml_with_lines

KIND = "sorting"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TOP_KEYS = ("kind", "id", "title", "instructions", "sources", "categories", "items")
_CATEGORY_KEYS = ("id", "label", "description")
_ITEM_KEYS = ("id", "text", "category", "categories", "feedback", "source")


@dataclass(frozen=True)
class Category:
    """A place an item can be sorted into, e.g. a key area of practice or a PCF domain."""

    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class SortingItem:
    """One thing to sort, with the category or categories the source puts it in."""

    id: str
    text: str
    categories: tuple[str, ...]
    feedback: str = ""
    source: str = ""


@dataclass(frozen=True)
class ItemResult:
    """How one item was sorted, and what to tell the learner about it."""

    item: SortingItem
    chosen: str | None
    correct: bool
    message: str

    @property
    def answered(self) -> bool:
        return self.chosen is not None


@dataclass(frozen=True)
class SortingResult:
    """The per-item results of one check, in the activity's order, with a score."""

    items: tuple[ItemResult, ...]

    def __iter__(self) -> Iterator[ItemResult]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, item_id: str) -> ItemResult:
        for result in self.items:
            if result.item.id == item_id:
                return result
        raise KeyError(f"No item with id {item_id!r} in this result.")

    @property
    def score(self) -> int:
        return sum(result.correct for result in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def unanswered(self) -> int:
        return sum(not result.answered for result in self.items)

    def summary(self) -> str:
        text = f"{self.score} out of {self.total} correct"
        if self.unanswered:
            text += f" ({self.unanswered} not answered yet)"
        return text + "."

    def to_frame(self):
        """The results as a table: item, your answer, accepted answers, correct, feedback."""
        import pandas as pd

        return pd.DataFrame(
            {
                "item": [r.item.text for r in self.items],
                "your_answer": [r.chosen for r in self.items],
                "accepted": [", ".join(r.item.categories) for r in self.items],
                "correct": [r.correct for r in self.items],
                "feedback": [r.message for r in self.items],
            }
        )


@dataclass(frozen=True)
class SortingActivity:
    """Items to sort into categories; ``check(assignments)`` marks a set of answers."""

    id: str
    title: str
    categories: tuple[Category, ...]
    items: tuple[SortingItem, ...]
    instructions: str = ""
    sources: tuple[str, ...] = ()
    path: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        problems = _check_structure(self)
        if problems:
            raise ContentError(problems)

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(
            f"No category {category_id!r}; the categories are {[c.id for c in self.categories]}."
        )

    def item(self, item_id: str) -> SortingItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"No item {item_id!r}; the items are {[i.id for i in self.items]}.")

    def answer_key(self) -> dict[str, tuple[str, ...]]:
        """Item id -> the accepted category ids (for lecturers and tests)."""
        return {item.id: item.categories for item in self.items}

    def check(self, assignments: Mapping[str, str | None]) -> SortingResult:
        """Mark answers given as ``{item id: category id or None}``.

        Items missing from ``assignments`` count as not answered. An unknown item or category
        id raises ``ValueError`` naming it, because it means the caller has a typo.
        """
        valid_items = {item.id for item in self.items}
        valid_categories = {category.id for category in self.categories}
        for item_id, chosen in assignments.items():
            if item_id not in valid_items:
                raise ValueError(
                    f"There is no item {item_id!r} in '{self.title}'. "
                    f"Use one of: {', '.join(sorted(valid_items))}."
                )
            if chosen is not None and chosen not in valid_categories:
                raise ValueError(
                    f"Item {item_id!r}: there is no category {chosen!r}. "
                    f"Use one of: {', '.join(c.id for c in self.categories)}."
                )
        return SortingResult(
            tuple(self._mark(item, assignments.get(item.id)) for item in self.items)
        )

    def _mark(self, item: SortingItem, chosen: str | None) -> ItemResult:
        accepted = " or ".join(f"“{self.category(c).label}”" for c in item.categories)
        extra = f" {item.feedback}" if item.feedback else ""
        if chosen is None:
            message = "Not answered yet: choose a category for this item."
            return ItemResult(item, None, False, message)
        if chosen in item.categories:
            message = f"Correct: “{self.category(chosen).label}”.{extra}"
            return ItemResult(item, chosen, True, message)
        message = (
            f"Not quite: you chose “{self.category(chosen).label}”; "
            f"the source places it under {accepted}.{extra}"
        )
        return ItemResult(item, chosen, False, message)

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        item_col: str,
        category_col: str,
        *,
        id: str = "sorting-activity",
        title: str = "Sort the items",
        categories: Mapping[str, str] | Iterable[Category] | None = None,
        feedback_col: str | None = None,
        source_col: str | None = None,
        separator: str | None = None,
        instructions: str = "",
        sources: Iterable[str] = (),
    ) -> SortingActivity:
        """Build an activity from a table with one row per item (or per item and category).

        Rows that share the same item text are merged, so a long table such as "role area,
        PCF domain" becomes one item with several accepted domains. ``separator`` splits a
        cell that lists several categories (e.g. ``"A; C"``). ``categories`` gives the order
        and descriptions of the categories, as ``{label: description}`` or ``Category``
        objects; by default every category found in the table is used, in order of appearance.
        """
        missing = [c for c in (item_col, category_col, feedback_col, source_col) if c]
        missing = [c for c in missing if c not in frame.columns]
        if missing:
            raise ValueError(
                f"The table has no column {missing[0]!r}. Its columns are: "
                f"{', '.join(map(str, frame.columns))}."
            )
        order: list[str] = []
        merged: dict[str, dict[str, Any]] = {}
        for _, row in frame.iterrows():
            text = str(row[item_col]).strip()
            cell = str(row[category_col]).strip()
            cats = [c.strip() for c in cell.split(separator)] if separator else [cell]
            entry = merged.setdefault(text, {"cats": [], "feedback": [], "source": []})
            if text not in order:
                order.append(text)
            for cat in cats:
                if cat and cat not in entry["cats"]:
                    entry["cats"].append(cat)
            for key, col in (("feedback", feedback_col), ("source", source_col)):
                value = _clean(row[col]) if col else ""
                if value and value not in entry[key]:
                    entry[key].append(value)
        category_objects = _categories_for(categories, merged, order)
        label_to_id = {c.label: c.id for c in category_objects}
        label_to_id.update({c.id: c.id for c in category_objects})
        items = []
        for number, text in enumerate(order, start=1):
            entry = merged[text]
            unknown = [c for c in entry["cats"] if c not in label_to_id]
            if unknown:
                raise ValueError(
                    f"Row for {text!r} names category {unknown[0]!r}, which is not among the "
                    f"categories given: {', '.join(label_to_id)}."
                )
            items.append(
                SortingItem(
                    id=f"item-{number}",
                    text=text,
                    categories=tuple(dict.fromkeys(label_to_id[c] for c in entry["cats"])),
                    feedback=" ".join(entry["feedback"]),
                    source="; ".join(entry["source"]),
                )
            )
        return cls(
            id=id,
            title=title,
            categories=tuple(category_objects),
            items=tuple(items),
            instructions=instructions,
            sources=tuple(sources),
        )


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    text = str(value).strip()
    return "" if text in ("nan", "<NA>", "None") else text


def _slug(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "category"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _categories_for(given, merged, order) -> list[Category]:
    if given is None:
        labels = list(dict.fromkeys(c for text in order for c in merged[text]["cats"]))
        given = {label: "" for label in labels}
    if isinstance(given, Mapping):
        taken: set[str] = set()
        return [Category(_slug(str(k), taken), str(k), str(v or "")) for k, v in given.items()]
    return list(given)


def _check_structure(activity: SortingActivity) -> list[Problem]:
    """Problems that make an activity unusable, whichever way it was built."""
    where = activity.path or f"<activity {activity.id}>"
    problems = []
    if len(activity.categories) < 2:
        problems.append(Problem(where, None, "fewer than two categories", "add categories"))
    if not activity.items:
        problems.append(Problem(where, None, "there are no items to sort", "add items"))
    for kind, things in (("category", activity.categories), ("item", activity.items)):
        seen: set[str] = set()
        for thing in things:
            if thing.id in seen:
                problems.append(
                    Problem(where, None, f"{kind} id {thing.id!r} is used twice", "rename one")
                )
            seen.add(thing.id)
    category_ids = {c.id for c in activity.categories}
    for item in activity.items:
        if not item.categories:
            problems.append(Problem(where, None, f"item {item.id!r} has no correct category"))
        for cat in item.categories:
            if cat not in category_ids:
                problems.append(
                    Problem(where, None, f"item {item.id!r} names unknown category {cat!r}")
                )
    return problems


class _Located:
    """Collects problems for one file, looking up the line of each field."""

    def __init__(self, path: str, line_of):
        self.path, self.line, self.problems = path, line_of, []

    def add(self, where: tuple, message: str, fix: str = "") -> None:
        field_name = ".".join(str(p) for p in where) or None
        self.problems.append(Problem(self.path, self.line(where), message, fix, field_name))

    def text(self, data: Mapping, key: str, where: tuple, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.add(where + (key,), "is missing", f"add a `{key}:` line")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.add(where + (key,), "should be text", "write it as a quoted string")
            return ""
        if required and not str(value).strip():
            self.add(where + (key,), "is empty", f"write the {key}")
        return str(value).strip()

    def unknown_keys(self, data: Mapping, allowed: tuple[str, ...], where: tuple) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                fix = (
                    f"did you mean `{close[0]}`?" if close else f"use one of: {', '.join(allowed)}"
                )
                self.add(where + (key,), "is not a field of a sorting activity", fix)


def _parse(data: Any, where: _Located) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        where.add(
            (), "the file should be a set of `key: value` fields", "start with `kind: sorting`"
        )
        return {}
    where.unknown_keys(data, _TOP_KEYS, ())
    if data.get("kind") != KIND:
        where.add(("kind",), f"should be `{KIND}`", f"put `kind: {KIND}` on the first line")
    activity_id = where.text(data, "id", ())
    if activity_id and not _ID.match(activity_id):
        where.add(
            ("id",), f"{activity_id!r} is not a valid id", "use lower-case letters, digits, -"
        )
    title = where.text(data, "title", ())
    instructions = where.text(data, "instructions", (), required=False)
    sources = data.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        where.add(("sources",), "should be a list of text lines", 'write `- "..."` per source')
        sources = []
    categories = _parse_categories(data.get("categories"), where)
    items = _parse_items(data.get("items"), {c.id for c in categories}, where)
    return {
        "id": activity_id,
        "title": title,
        "instructions": instructions,
        "sources": tuple(sources),
        "categories": tuple(categories),
        "items": tuple(items),
    }


def _parse_categories(raw: Any, where: _Located) -> list[Category]:
    if not isinstance(raw, list) or len(raw) < 2:
        where.add(("categories",), "needs a list of at least two categories", "add `- id: ...`")
        return []
    categories, seen = [], set()
    for index, entry in enumerate(raw):
        here = ("categories", index)
        if not isinstance(entry, Mapping):
            where.add(here, "should have `id:` and `label:` fields", "see the format in the docs")
            continue
        where.unknown_keys(entry, _CATEGORY_KEYS, here)
        cat_id = where.text(entry, "id", here)
        if cat_id in seen:
            where.add(here + ("id",), f"category id {cat_id!r} is used twice", "rename one")
        seen.add(cat_id)
        label = where.text(entry, "label", here)
        description = where.text(entry, "description", here, required=False)
        if cat_id and label:
            categories.append(Category(cat_id, label, description))
    return categories


def _parse_items(raw: Any, category_ids: set[str], where: _Located) -> list[SortingItem]:
    if not isinstance(raw, list) or not raw:
        where.add(("items",), "needs a list of items to sort", "add `- id: ...` entries")
        return []
    items, seen = [], set()
    for index, entry in enumerate(raw):
        here = ("items", index)
        if not isinstance(entry, Mapping):
            where.add(here, "should have `id`, `text`, `category` and `feedback` fields")
            continue
        where.unknown_keys(entry, _ITEM_KEYS, here)
        item_id = where.text(entry, "id", here)
        if item_id and not _ITEM_ID.match(item_id):
            where.add(here + ("id",), f"{item_id!r} is not a valid id", "use letters, digits, -")
        if item_id in seen:
            where.add(here + ("id",), f"item id {item_id!r} is used twice", "rename one")
        seen.add(item_id)
        text = where.text(entry, "text", here)
        feedback = where.text(entry, "feedback", here)
        source = where.text(entry, "source", here, required=False)
        cats = _item_categories(entry, category_ids, here, where)
        if item_id and text and cats:
            items.append(SortingItem(item_id, text, cats, feedback, source))
    return items


def _item_categories(entry, category_ids, here, where: _Located) -> tuple[str, ...]:
    if "category" in entry and "categories" in entry:
        where.add(here + ("categories",), "give `category` or `categories`, not both")
        return ()
    if "category" in entry:
        key, raw = "category", [entry["category"]]
    elif "categories" in entry:
        key, raw = "categories", entry["categories"]
        if not isinstance(raw, list) or not raw:
            where.add(here + (key,), "should be a non-empty list", "write `categories: [A, C]`")
            return ()
    else:
        where.add(here + ("category",), "is missing", "add `category:` with a category id")
        return ()
    cats = []
    for value in raw:
        value = str(value)
        if category_ids and value not in category_ids:
            same_case = [c for c in sorted(category_ids) if c.lower() == value.lower()]
            close = same_case or difflib.get_close_matches(value, sorted(category_ids), n=1)
            fix = f"did you mean {close[0]!r}?" if close else f"use one of: {sorted(category_ids)}"
            where.add(here + (key,), f"names unknown category {value!r}", fix)
        else:
            cats.append(value)
    return tuple(dict.fromkeys(cats))


def lint_sorting(path: str | Path) -> list[Problem]:
    """Every problem in a sorting activity file, located by line (empty list: all good)."""
    try:
        load_sorting(path)
    except ContentError as exc:
        return exc.problems
    return []


def load_sorting(path: str | Path) -> SortingActivity:
    """Read a sorting activity from YAML; raise ``ContentError`` listing located problems."""
    shown = str(path)
    data, line_of = load_yaml_with_lines(path)
    where = _Located(shown, line_of)
    fields = _parse(data, where)
    if where.problems:
        raise ContentError(where.problems)
    return SortingActivity(path=shown, **fields)


__all__ = [
    "Category",
    "ItemResult",
    "SortingActivity",
    "SortingItem",
    "SortingResult",
    "lint_sorting",
    "load_sorting",
]
