"""Playing a scenario: a pure state machine that records a decision trace.

The widget view drives a :class:`Session` and shows what it says; tests drive it directly.
"""

from __future__ import annotations

import copy
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from helpers.traces import TRACE_FORMAT

from ._conditions import parse_condition
from ._model import Choice, Ending, Node, Scenario


def _utc_now() -> datetime:
    return datetime.now(UTC)


def word_count(text: str | None) -> int:
    return len(text.split()) if text else 0


class Session:
    """One learner's play-through of a scenario.

    ``clock`` measures seconds spent at each node (monotonic); ``now`` gives the wall-clock
    start and finish times written to the trace. Both can be replaced in tests.
    """

    def __init__(
        self,
        scenario: Scenario,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ):
        self.scenario = scenario
        self._clock = clock
        self._now = now
        self.started_at = now().isoformat()
        self.back_steps = 0
        self.restarts = 0
        self._reset()

    def _reset(self) -> None:
        self._current_id = self.scenario.start
        self._state = self.scenario.initial_state()
        self._steps: list[dict[str, Any]] = []
        self.finished_at: str | None = None
        self.last_feedback: str | None = None
        self._entered = self._clock()

    # --- where the learner is ------------------------------------------------------------
    @property
    def current(self) -> Node | Ending:
        return self.scenario.get(self._current_id)

    @property
    def finished(self) -> bool:
        return self.current.is_ending

    @property
    def ending(self) -> Ending | None:
        current = self.current
        return current if isinstance(current, Ending) else None

    @property
    def state(self) -> dict[str, Any]:
        return dict(self._state)

    @property
    def steps(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._steps)

    @property
    def decisions_made(self) -> int:
        return len(self._steps)

    def _holds(self, condition: str | None) -> bool:
        return condition is None or parse_condition(condition).evaluate(self._state)

    @property
    def text(self) -> str:
        """The current node's Markdown, with the conditional text that applies now appended."""
        current = self.current
        if isinstance(current, Ending):
            return current.text
        parts = [current.text.rstrip()]
        parts += [c.text.rstrip() for c in current.conditional_text if self._holds(c.when)]
        return "\n\n".join(parts)

    def available_choices(self) -> list[tuple[int, Choice]]:
        """``(index, choice)`` for each choice shown now; index is the position in the node."""
        current = self.current
        if isinstance(current, Ending):
            return []
        return [(i, c) for i, c in enumerate(current.choices) if self._holds(c.when)]

    @property
    def needs_rationale(self) -> bool:
        current = self.current
        return isinstance(current, Node) and bool(current.rationale and current.rationale.required)

    @property
    def rationale_prompt(self) -> str | None:
        current = self.current
        if isinstance(current, Node) and current.rationale:
            return current.rationale.prompt
        return None

    # --- moving --------------------------------------------------------------------------
    def choose(self, index: int, rationale: str | None = None) -> Choice:
        """Take choice ``index`` (its position in the node), apply its effects and move on."""
        current = self.current
        if isinstance(current, Ending):
            raise ValueError("The scenario has ended. Restart it to play again.")
        available = dict(self.available_choices())
        if index not in available:
            raise ValueError(
                f"Choice {index} is not one of the options shown at '{current.title}'. "
                "Pick one of the options on screen."
            )
        rationale = rationale.strip() if isinstance(rationale, str) else None
        if current.rationale and current.rationale.required:
            needed = current.rationale.min_words
            words = word_count(rationale)
            if words == 0:
                raise ValueError(
                    f"Write a short rationale before you choose: {current.rationale.prompt}"
                )
            if words < needed:
                raise ValueError(
                    f"Your rationale has {words} word(s); write at least {needed} words "
                    f"before you choose: {current.rationale.prompt}"
                )
        seconds = round(max(0.0, self._clock() - self._entered), 1)
        return self._apply(index, available[index], rationale or None, seconds)

    def _apply(self, index: int, choice: Choice, rationale: str | None, seconds: float) -> Choice:
        for name, value in choice.effects.set.items():
            var = self.scenario.state[name]
            self._state[name] = var.clamp(value) if var.type == "counter" else value
        for name, amount in choice.effects.add.items():
            var = self.scenario.state[name]
            self._state[name] = var.clamp(self._state[name] + amount)
        target = self.resolve_target(choice)
        self._steps.append(
            {
                "node": self._current_id,
                "choice": index,
                "label": choice.label,
                "target": target,
                "rationale": rationale,
                "seconds": seconds,
                "state": dict(self._state),
            }
        )
        self._current_id = target
        self.last_feedback = choice.feedback
        self._entered = self._clock()
        if self.finished:
            self.finished_at = self._now().isoformat()
        return choice

    def resolve_target(self, choice: Choice) -> str:
        """Where ``choice`` leads from the current state (first matching route wins).

        Routes are read after the choice's own effects have been applied."""
        if isinstance(choice.target, str):
            return choice.target
        for route in choice.target:
            if self._holds(route.when):
                return route.goto
        return choice.target[-1].goto  # checked scenarios end with a route without `when`

    @property
    def can_go_back(self) -> bool:
        """True if the last decision may be undone: the author allowed going back at the node
        where it was made, and the scenario has not ended (an ending is final; restart instead)."""
        if not self._steps or self.finished:
            return False
        return self.scenario.node_allows_back(self._steps[-1]["node"])

    def back(self) -> None:
        """Undo the last decision (its effects too); counted in the trace as a back step."""
        if not self.can_go_back:
            raise ValueError("You cannot go back from here. Carry on, or restart the scenario.")
        step = self._steps.pop()
        self._current_id = step["node"]
        self._state = (
            dict(self._steps[-1]["state"]) if self._steps else self.scenario.initial_state()
        )
        self.back_steps += 1
        self.last_feedback = None
        self._entered = self._clock()

    def restart(self) -> None:
        """Start again from the first node with the initial state; counted in the trace."""
        self.restarts += 1
        self._reset()

    def decisions_left_estimate(self) -> int:
        """The fewest decisions from the current node to any ending (conditions ignored)."""
        queue = deque([(self._current_id, 0)])
        seen = {self._current_id}
        while queue:
            item_id, depth = queue.popleft()
            if item_id in self.scenario.endings:
                return depth
            for choice in self.scenario.nodes[item_id].choices:
                for target in choice.targets:
                    if target not in seen:
                        seen.add(target)
                        queue.append((target, depth + 1))
        return 0  # pragma: no cover - checked scenarios always reach an ending

    # --- traces --------------------------------------------------------------------------
    def trace(self) -> dict[str, Any]:
        """The decision trace (format ``mhsw-trace/1``, see docs/scenario-format.md)."""
        ending = self.ending
        return {
            "format": TRACE_FORMAT,
            "scenario": {
                "id": self.scenario.id,
                "title": self.scenario.title,
                "version": self.scenario.version,
                "sha256": self.scenario.sha256,
            },
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "steps": self.steps,
            "back_steps": self.back_steps,
            "restarts": self.restarts,
            "ending": None
            if ending is None
            else {
                "id": ending.id,
                "title": ending.title,
                "outcome": ending.outcome,
                "score": ending.score,
                "max_score": self.scenario.max_score,
            },
            "state": self.state,
        }

    @classmethod
    def resume(
        cls,
        scenario: Scenario,
        trace: dict[str, Any],
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> Session:
        """Rebuild a session from a saved trace by replaying its steps.

        Works when the scenario file is unchanged, or changed in ways that keep every recorded
        step possible. Raises ``ValueError`` saying which step no longer fits otherwise.
        """
        from helpers.traces import validate_trace

        validate_trace(trace)
        recorded = trace["scenario"]
        if recorded["id"] != scenario.id:
            raise ValueError(
                f"This decision trace belongs to the scenario '{recorded['id']}', "
                f"not '{scenario.id}'. Load the trace of the scenario you want to continue."
            )
        changed = recorded.get("sha256") != scenario.sha256
        session = cls(scenario, clock=clock, now=now)
        for number, step in enumerate(trace["steps"], start=1):
            problem = session._replay_problem(step)
            if problem is None:
                session._apply(
                    step["choice"],
                    session.current.choices[step["choice"]],
                    step.get("rationale"),
                    float(step.get("seconds", 0)),
                )
                if session._current_id != step["target"]:
                    problem = f"choice {step['choice']} at '{step['node']}' now leads elsewhere"
            if problem:
                if changed:
                    raise ValueError(
                        f"The scenario '{scenario.id}' has changed since this trace was saved "
                        f"and step {number} no longer fits it: {problem}. "
                        "The trace cannot be continued; restart the scenario to play it again."
                    )
                raise ValueError(
                    f"Step {number} of this decision trace does not match the scenario "
                    f"'{scenario.id}': {problem}. The trace file may have been edited by hand; "
                    "restart the scenario to play it again."
                )
        claimed = (trace.get("ending") or {}).get("id")
        reached = session.ending.id if session.ending else None
        if claimed != reached:
            raise ValueError(
                f"The trace says it ended at '{claimed}', but its steps lead to '{reached}'. "
                "The trace file may have been edited by hand; restart the scenario."
            )
        session.started_at = trace["started_at"]
        session.finished_at = trace.get("finished_at") if session.finished else None
        session.back_steps = trace.get("back_steps", 0)
        session.restarts = trace.get("restarts", 0)
        session.last_feedback = None
        session._entered = session._clock()
        return session

    def _replay_problem(self, step: dict[str, Any]) -> str | None:
        if self._current_id != step["node"]:
            return f"it was made at '{step['node']}', but the path leads to '{self._current_id}'"
        current = self.current
        if isinstance(current, Ending):  # pragma: no cover - the node check above catches this
            return "the scenario had already ended"
        index = step["choice"]
        if index not in dict(self.available_choices()):
            return f"choice {index} at '{current.id}' no longer exists or is not available"
        choice = current.choices[index]
        if choice.label != step["label"]:
            return (
                f"choice {index} at '{current.id}' is now '{choice.label}', not '{step['label']}'"
            )
        return None
