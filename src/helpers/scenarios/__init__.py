"""Branching case scenarios: load and check YAML scenarios, and play them as a :class:`Session`.

Pure Python: nothing here imports ipywidgets (the widget view is ``helpers.scenario_view``).
The file format is described in ``docs/scenario-format.md``.

    from helpers.scenarios import Session, load_scenario

    session = Session(load_scenario("tests/files/scenarios/fixture-assessment.yaml"))
    for index, choice in session.available_choices():
        print(index, choice.label)
    session.choose(0)
"""

from __future__ import annotations

from ._build import find_scenario, load_scenario
from ._conditions import Condition, ConditionError, parse_condition
from ._model import (
    Choice,
    ConditionalText,
    Effects,
    Ending,
    LawRef,
    Node,
    Rationale,
    Route,
    Scenario,
    StateVar,
)
from ._session import TRACE_FORMAT, Session
from .lint import lint_scenario

__all__ = [
    "TRACE_FORMAT",
    "Choice",
    "Condition",
    "ConditionError",
    "ConditionalText",
    "Effects",
    "Ending",
    "LawRef",
    "Node",
    "Rationale",
    "Route",
    "Scenario",
    "Session",
    "StateVar",
    "find_scenario",
    "lint_scenario",
    "load_scenario",
    "parse_condition",
]
