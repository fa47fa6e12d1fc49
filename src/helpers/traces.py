"""Decision traces: save, load, check, summarise and score a learner's play-through.

A trace is the JSON dictionary made by :meth:`helpers.scenarios.Session.trace` (format
``mhsw-trace/1``, described in ``docs/scenario-format.md``). It is saved beside the notebook as
``mhsw-trace-<scenario id>.json`` and kept inside the notebook itself (an output of the scenario
cell, see :mod:`helpers.notebook_traces`), so a notebook uploaded alone still carries it.
:func:`find_trace` looks in both places and says which one counts when they differ.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from helpers.scenarios import Scenario

TRACE_FORMAT = "mhsw-trace/1"
DEFENSIBLE_OUTCOMES = ("good", "acceptable")
#: Endings that no number of written words may redeem: their case marks are capped.
CAPPED_OUTCOMES = ("unsafe", "unlawful")


def trace_path(scenario_id: str, folder: str | Path = ".") -> Path:
    """Where the trace of ``scenario_id`` is kept in ``folder``."""
    return Path(folder) / f"mhsw-trace-{scenario_id}.json"


def save_trace(trace: dict[str, Any], folder: str | Path = ".") -> Path:
    """Write ``trace`` to ``folder/mhsw-trace-<id>.json`` and return the path.

    The file is written to a temporary name first and then renamed, so a crash or a full disk
    never leaves half a trace behind.
    """
    validate_trace(trace)
    target = trace_path(trace["scenario"]["id"], folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".mhsw-trace-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(trace, stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def load_trace(
    scenario_id: str, folder: str | Path = ".", notebook: str | Path | None = None
) -> dict[str, Any]:
    """Read the saved trace of ``scenario_id``: from ``folder`` (the notebook's folder).

    The trace is looked for in the file ``mhsw-trace-<id>.json`` and in the notebooks of the
    folder (``notebook`` names one), where ``play_scenario`` also keeps it. When they disagree,
    :func:`find_trace` chooses one and this function prints a plain note saying which.
    """
    found = find_trace(scenario_id, folder, notebook=notebook)
    if found.note:
        print(found.note)
    return found.trace


@dataclass(frozen=True)
class FoundTrace:
    """A trace and where it was found (``kind`` is ``"file"`` or ``"notebook"``)."""

    trace: dict[str, Any]
    path: Path
    kind: str
    note: str = ""  # set when a notebook and the file beside it held different traces

    @property
    def where(self) -> str:
        if self.kind == "notebook":
            return f"the notebook {self.path.name}"
        return f"the file {self.path.name} beside the notebook"


def _progress(trace: dict[str, Any]) -> tuple:
    """Orders two traces of the same scenario: the one that counts sorts last.

    A finished trace beats an unfinished one; of two finished traces, the one that finished
    later; of two unfinished ones, the one further along (each restart, step and step back
    moves a trace forward, so a later save of the same play-through always sorts later).
    """
    from datetime import datetime

    finished = trace.get("finished_at")
    when = 0.0
    if finished:
        try:
            when = datetime.fromisoformat(str(finished)).timestamp()
        except ValueError:
            when = 0.0
    steps = len(trace.get("steps") or [])
    back = int(trace.get("back_steps") or 0)
    return (bool(trace.get("ending")), when, int(trace.get("restarts") or 0), steps + back, back)


def _describe(trace: dict[str, Any]) -> str:
    steps = len(trace.get("steps") or [])
    ending = trace.get("ending")
    if ending:
        name = ending.get("title") or ending.get("id")
        return f"{steps} decision(s), ending '{name}' reached at {trace.get('finished_at')}"
    return f"{steps} decision(s), no ending reached"


def find_trace(
    scenario_id: str, folder: str | Path = ".", notebook: str | Path | None = None
) -> FoundTrace:
    """Find the trace of ``scenario_id`` that counts, beside or inside the notebook.

    Looks in ``folder/mhsw-trace-<id>.json`` and in the outputs of the notebooks in ``folder``
    (only ``notebook`` if given; see :mod:`helpers.notebook_traces`). **When both hold a trace
    and they differ, the one that counts is the more complete:** a trace that reached an ending
    beats one that did not; of two that reached an ending, the one that finished later; of two
    unfinished ones, the one further along. On a tie the file beside the notebook counts. The
    result's ``note`` then says, in plain words, which one is used and why.

    Raises ``FileNotFoundError`` (saying where it looked) when there is no trace, and
    ``ValueError`` when the only trace found is damaged.
    """
    from helpers.notebook_traces import notebooks_in, traces_in_notebook

    folder = Path(folder)
    candidates: list[FoundTrace] = []
    damaged: str | None = None
    path = trace_path(scenario_id, folder)
    if path.is_file():
        try:
            trace = json.loads(path.read_text(encoding="utf-8"))
            validate_trace(trace)
            candidates.append(FoundTrace(trace, path, "file"))
        except (UnicodeDecodeError, OSError) as exc:
            damaged = f"{path}: the decision trace cannot be read ({exc})."
        except json.JSONDecodeError as exc:
            damaged = (
                f"{path}:{exc.lineno}: the decision trace is not valid JSON ({exc.msg}). "
                "It may have been edited by hand: delete it and play the scenario again."
            )
        except ValueError as exc:
            damaged = f"{path}: {exc}"
    notebooks = [Path(notebook)] if notebook else notebooks_in(folder)
    for nb_path in notebooks:
        for trace in traces_in_notebook(nb_path).get(scenario_id, []):
            if not trace_problems(trace):
                candidates.append(FoundTrace(trace, nb_path, "notebook"))
    if not candidates:
        if damaged:
            raise ValueError(damaged)
        raise FileNotFoundError(
            f"No decision trace found for the scenario '{scenario_id}': looked for the file "
            f"{path} and inside the notebook(s) in {folder.resolve()}. Play the scenario in the "
            "notebook first (run the cell that shows it and make your choices until you reach "
            "an ending), save the notebook, then run this cell again."
        )
    # max() keeps the first of equals, and the file (if any) comes first: a tie goes to it.
    best = max(candidates, key=lambda c: _progress(c.trace))
    others = [c for c in candidates if c.trace != best.trace]
    if not others:
        return best
    other = max(others, key=lambda c: _progress(c.trace))
    reason = (
        "it reached an ending"
        if best.trace.get("ending") and not other.trace.get("ending")
        else "it finished later"
        if best.trace.get("ending")
        else "it went further"
    )
    note = (
        f"Note: two different decision traces of the case '{scenario_id}' were found: one in "
        f"{best.where} ({_describe(best.trace)}) and one in {other.where} "
        f"({_describe(other.trace)}). The one in {best.where} is used because {reason}. "
        "If that is not the attempt you want marked, play the case again in this notebook, "
        f"save it, and delete the file {path.name} if there is one."
    )
    if damaged:
        note += f" (The file beside the notebook is damaged: {damaged})"
    return FoundTrace(best.trace, best.path, best.kind, note)


def has_saved_trace(scenario_id: str, folder: str | Path = ".") -> bool:
    """True if a trace of ``scenario_id`` is saved beside or inside a notebook in ``folder``."""
    from helpers.notebook_traces import notebooks_in, traces_in_notebook

    return trace_path(scenario_id, folder).is_file() or any(
        scenario_id in traces_in_notebook(p) for p in notebooks_in(folder)
    )


# --- checking -------------------------------------------------------------------------------
_STEP_FIELDS: dict[str, tuple[type, ...]] = {
    "node": (str,),
    "choice": (int,),
    "label": (str,),
    "target": (str,),
    "seconds": (int, float),
    "state": (dict,),
}


def trace_problems(trace: Any) -> list[str]:
    """Every way ``trace`` differs from the format; an empty list means it is valid."""
    if not isinstance(trace, dict):
        return ["a trace should be a JSON object (a dictionary)"]
    problems = []
    if trace.get("format") != TRACE_FORMAT:
        problems.append(f"format: should be '{TRACE_FORMAT}', not {trace.get('format')!r}")
    scenario = trace.get("scenario")
    if not isinstance(scenario, dict) or not isinstance(scenario.get("id"), str):
        problems.append("scenario: should give at least the scenario's id")
    if not isinstance(trace.get("started_at"), str):
        problems.append("started_at: should be a date and time")
    if trace.get("finished_at") is not None and not isinstance(trace["finished_at"], str):
        problems.append("finished_at: should be a date and time, or null")
    for key in ("back_steps", "restarts"):
        if not _is_count(trace.get(key, 0)):
            problems.append(f"{key}: should be a whole number, 0 or more")
    if not isinstance(trace.get("state", {}), dict):
        problems.append("state: should be a dictionary of state values")
    steps = trace.get("steps")
    if not isinstance(steps, list):
        problems.append("steps: should be a list")
        steps = []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            problems.append(f"steps[{number}]: should be a dictionary")
            continue
        for key, types in _STEP_FIELDS.items():
            value = step.get(key)
            if isinstance(value, bool) or not isinstance(value, types):
                problems.append(f"steps[{number}].{key}: is missing or has the wrong type")
        if step.get("rationale") is not None and not isinstance(step["rationale"], str):
            problems.append(f"steps[{number}].rationale: should be text or null")
    ending = trace.get("ending")
    if ending is not None:
        if not isinstance(ending, dict) or not isinstance(ending.get("id"), str):
            problems.append("ending: should give the id of the ending reached, or be null")
        elif steps and isinstance(steps[-1], dict) and steps[-1].get("target") != ending["id"]:
            problems.append("ending: is not where the last step leads")
    return problems


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def validate_trace(trace: Any) -> None:
    """Raise ``ValueError`` listing every problem if ``trace`` is not a valid decision trace."""
    problems = trace_problems(trace)
    if problems:
        raise ValueError("This is not a valid decision trace:\n- " + "\n- ".join(problems))


# --- reading --------------------------------------------------------------------------------
def _duration(seconds: float) -> str:
    seconds = round(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def trace_summary(trace: dict[str, Any], scenario: Scenario | None = None) -> str:
    """The trace as Markdown for a reflective log: path, choices, rationales, time, ending.

    Pass the ``scenario`` to name each decision point by its title rather than its id.
    """
    validate_trace(trace)
    titles: dict[str, str] = {}
    if scenario is not None:
        titles = {key: node.title for key, node in {**scenario.nodes, **scenario.endings}.items()}
    name = lambda node_id: titles.get(node_id) or node_id  # noqa: E731
    scenario = trace["scenario"]
    steps = trace["steps"]
    lines = [f"## Decision trace: {scenario.get('title') or scenario['id']}", ""]
    total = sum(float(s["seconds"]) for s in steps)
    lines.append(
        f"Started {trace['started_at']}; {len(steps)} decision(s) in {_duration(total)}; "
        f"went back {trace.get('back_steps', 0)} time(s); "
        f"restarted {trace.get('restarts', 0)} time(s)."
    )
    lines.append("")
    if steps:
        path = " → ".join(name(n) for n in [s["node"] for s in steps] + [steps[-1]["target"]])
        lines += [f"**Path:** {path}", ""]
    for number, step in enumerate(steps, start=1):
        lines.append(
            f"{number}. At **{name(step['node'])}** you chose *{step['label']}* "
            f"({_duration(float(step['seconds']))})."
        )
        if step.get("rationale"):
            lines.append(f'   - Your rationale: "{step["rationale"]}"')
    if steps:
        lines.append("")
    ending = trace.get("ending")
    if ending:
        score = ending.get("score")
        out_of = f", score {score} out of {ending.get('max_score')}" if score is not None else ""
        lines.append(
            f"**Ending:** {ending.get('title', ending['id'])} (outcome: {ending.get('outcome')}"
            f'{out_of}). Read its debrief, "{ending.get("title", ending["id"])}", again '
            "before you write your reflection."
        )
    else:
        lines.append("**Ending:** not reached yet: the scenario is unfinished.")
    return "\n".join(lines)


# --- scoring --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TraceScore:
    """Points earned by a trace, with the reasons in plain English."""

    points: float
    max_points: float
    ending_points: float
    rationale_points: float
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.points:g} / {self.max_points:g}: " + "; ".join(self.reasons)


def score_trace(
    trace: dict[str, Any],
    scenario: Scenario | str | Path,
    points_for_ending: float | dict[str, float] = 2,
    points_per_rationale: float = 1,
    min_words: int = 15,
    cap_unsafe: float = 0.25,
) -> TraceScore:
    """Score a trace for a graded test cell.

    - **Ending:** ``points_for_ending`` if the ending reached is defensible (outcome ``good`` or
      ``acceptable``), else 0. Give a dictionary such as ``{"good": 2, "acceptable": 1}`` to
      score outcomes differently.
    - **Rationales:** ``points_per_rationale`` for every decision made at a node that asks for
      a rationale, when the rationale has at least ``min_words`` words.
    - **Cap:** a path that ends ``unsafe`` or ``unlawful`` earns at most ``cap_unsafe`` of the
      best possible points on that path (a quarter by default), however many words its
      rationales have: an unsafe path never earns most of the case marks. Whether its written
      reasoning shows learning is for the tutor to judge in the written questions.
    - The trace is replayed against the scenario first, so a trace that was edited by hand, or
      belongs to another scenario, raises ``ValueError`` instead of scoring.

    ``max_points`` is the best possible ending's points plus the rationale points available on
    the path taken. In a graded notebook (the trace file sits beside the notebook)::

        from helpers.scenarios import find_scenario
        from helpers.traces import load_trace, score_trace
        result = score_trace(load_trace("m3-amhp-assessment"), find_scenario("m3-amhp-assessment"))
        assert result.ending_points > 0, "Play the scenario again and aim for a defensible ending."
    """
    from helpers.scenarios import Scenario, Session, load_scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    session = Session.resume(scenario, trace)
    table = (
        points_for_ending
        if isinstance(points_for_ending, dict)
        else dict.fromkeys(DEFENSIBLE_OUTCOMES, points_for_ending)
    )
    reasons = []
    ending = session.ending
    ending_points = float(table.get(ending.outcome, 0)) if ending else 0.0
    if ending is None:
        reasons.append("the scenario was not finished: no points for an ending")
    else:
        reasons.append(f"ending '{ending.title}' ({ending.outcome}): {ending_points:g} point(s)")
    rationale_points = 0.0
    asked = 0
    for step in session.steps:
        node = scenario.nodes[step["node"]]
        if node.rationale is None:
            continue
        asked += 1
        words = len((step.get("rationale") or "").split())
        if words >= min_words:
            rationale_points += points_per_rationale
        else:
            reasons.append(
                f"rationale at '{node.title}' has {words} word(s); {min_words} are needed"
            )
    reasons.append(f"{rationale_points:g} point(s) for rationales")
    best_ending = max(table.values(), default=0)
    max_points = float(best_ending) + asked * points_per_rationale
    points = ending_points + rationale_points
    if ending is not None and ending.outcome in CAPPED_OUTCOMES:
        cap = round(cap_unsafe * max_points, 2)
        if points > cap:
            reasons.append(
                f"this path ends {ending.outcome}, so the case marks are capped at {cap:g} of "
                f"{max_points:g}: your tutor judges the reasoning in your written answers"
            )
            points = cap
    return TraceScore(
        points=points,
        max_points=max_points,
        ending_points=ending_points,
        rationale_points=rationale_points,
        reasons=tuple(reasons),
    )
