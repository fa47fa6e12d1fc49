"""The objects a scenario is made of. They are built only from content that passed every check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class LawRef:
    """A legal reference: the Act (with its year) and the section, e.g. ``13(2)``."""

    act: str
    section: str

    def __str__(self) -> str:
        # "13(2)" is a section ("s13(2)"); "chapter 14" or "Schedule 2" is written as it is.
        if str(self.section)[:1].isdigit():
            return f"{self.act}, s{self.section}"
        return f"{self.act}, {self.section}"


@dataclass(frozen=True)
class StateVar:
    """A flag (true/false) or a counter (whole number, kept between ``min`` and ``max``)."""

    name: str
    type: str  # "flag" | "counter"
    initial: bool | int
    label: str = ""
    min: int | None = None
    max: int | None = None

    def clamp(self, value: int) -> int:
        if self.min is not None:
            value = max(self.min, value)
        if self.max is not None:
            value = min(self.max, value)
        return value


@dataclass(frozen=True)
class Rationale:
    """A request for the learner to justify the choice made at a node."""

    prompt: str
    required: bool = True
    min_words: int = 1


@dataclass(frozen=True)
class Route:
    """One conditional destination of a choice; ``when`` is None for the fallback."""

    goto: str
    when: str | None = None


@dataclass(frozen=True)
class Effects:
    """What a choice does to the state: ``set`` values, then ``add`` to counters."""

    set: dict[str, Any] = field(default_factory=dict)
    add: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.set or self.add)


@dataclass(frozen=True)
class Choice:
    """An option at a node. ``target`` is a node/ending id or a tuple of :class:`Route`."""

    label: str
    feedback: str
    target: str | tuple[Route, ...]
    effects: Effects = field(default_factory=Effects)
    when: str | None = None

    @property
    def targets(self) -> list[str]:
        """Every id this choice may lead to."""
        if isinstance(self.target, str):
            return [self.target]
        return [route.goto for route in self.target]


@dataclass(frozen=True)
class ConditionalText:
    when: str
    text: str


@dataclass(frozen=True)
class Node:
    """A decision point."""

    is_ending: ClassVar[bool] = False

    id: str
    title: str
    text: str
    choices: tuple[Choice, ...]
    law: tuple[LawRef, ...] = ()
    conditional_text: tuple[ConditionalText, ...] = ()
    rationale: Rationale | None = None
    allow_back: bool | None = None  # None: use the scenario's setting


@dataclass(frozen=True)
class Ending:
    """An end screen: what happened, how defensible it was, and what it teaches."""

    is_ending: ClassVar[bool] = True
    OUTCOMES: ClassVar[tuple[str, ...]] = ("good", "acceptable", "poor", "unsafe", "unlawful")

    id: str
    title: str
    outcome: str
    debrief: str
    score: int | None = None
    text: str = ""
    law: tuple[LawRef, ...] = ()

    @property
    def defensible(self) -> bool:
        return self.outcome in ("good", "acceptable")


@dataclass(frozen=True, eq=False)
class Scenario:
    """A checked branching case scenario (see ``docs/scenario-format.md``)."""

    id: str
    title: str
    version: int | str
    setting: str
    learner_role: str
    learning_outcomes: tuple[str, ...]
    content_note: str
    start: str
    nodes: dict[str, Node]
    endings: dict[str, Ending]
    state: dict[str, StateVar] = field(default_factory=dict)
    support: str | None = None
    jurisdiction: str = "England"
    allow_back: bool = False
    sources: tuple[str, ...] = ()
    path: str = ""
    sha256: str = ""

    @property
    def max_score(self) -> int | None:
        """The highest ending score, or None when no ending has a score."""
        scores = [e.score for e in self.endings.values() if e.score is not None]
        return max(scores) if scores else None

    def get(self, item_id: str) -> Node | Ending:
        """The node or ending called ``item_id``."""
        if item_id in self.nodes:
            return self.nodes[item_id]
        return self.endings[item_id]

    def initial_state(self) -> dict[str, Any]:
        return {name: var.initial for name, var in self.state.items()}

    def node_allows_back(self, node_id: str) -> bool:
        node = self.nodes.get(node_id)
        if node is None or node.allow_back is None:
            return self.allow_back
        return node.allow_back

    def __repr__(self) -> str:
        return (
            f"Scenario(id={self.id!r}, title={self.title!r}, nodes={len(self.nodes)}, "
            f"endings={len(self.endings)}, path={self.path!r})"
        )
