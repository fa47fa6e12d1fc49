"""Helpers for the mental health social work course.

Everything a notebook needs is importable from here, for example::

    from helpers import load_dataset, describe_dataset, play_scenario

Imports are lazy so that ``import helpers`` stays fast: pandas, ipywidgets and the YAML and
schema libraries load only when a function that needs them is first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # datasets
    "load_dataset": "helpers.datasets",
    "list_datasets": "helpers.datasets",
    "describe_dataset": "helpers.datasets",
    "DatasetError": "helpers.datasets",
    # plotting
    "PALETTE": "helpers.plotting",
    "bar_chart": "helpers.plotting",
    "line_chart": "helpers.plotting",
    # scenarios
    "load_scenario": "helpers.scenarios",
    "Scenario": "helpers.scenarios",
    "Session": "helpers.scenarios",
    "lint_scenario": "helpers.scenarios",
    "find_scenario": "helpers.scenarios",
    "play_scenario": "helpers.scenario_view",
    "load_trace": "helpers.traces",
    "save_trace": "helpers.traces",
    "trace_summary": "helpers.traces",
    "score_trace": "helpers.traces",
    "validate_trace": "helpers.traces",
    # class debrief (seminars)
    "class_debrief": "helpers.debrief_view",
    # quizzes
    "load_quiz": "helpers.quizzes",
    "play_quiz": "helpers.quiz_view",
    # sorting activities
    "load_sorting": "helpers.sorting",
    "play_sorting": "helpers.sorting_view",
    # local settings (a teaching partnership's names and support contacts)
    "support": "helpers.local",
    "local_settings": "helpers.local",
    # appraisal activities
    "load_appraisal": "helpers.appraisal",
    "play_appraisal": "helpers.appraisal_view",
    # assessed work
    "check_my_work": "helpers.grading.validate",
    "expect_name": "helpers.answers",
    "value_for": "helpers.answers",
    "plain_test_messages": "helpers.answers",
    "CheckFailed": "helpers.answers",
    # keeping work (the practice tier in the browser keeps files inside the browser)
    "download_my_work": "helpers.downloads",
    # problems
    "Problem": "helpers._problems",
    "ContentError": "helpers._problems",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
