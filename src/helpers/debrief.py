"""A class debrief: what a group did in a scenario, read from their decision traces.

``gather_traces(path, scenario)`` finds every decision trace under ``path`` (a folder tree such
as nbgrader's ``submitted/`` or an unzipped VLE download, a ``.zip``, trace files, and traces
kept inside notebooks), replays each against the scenario and keeps those that fit. Traces of
another scenario, of another version of it, or that are damaged are refused and counted.
``summarise(scenario, traces)`` turns the accepted traces into a :class:`Debrief`: for each
decision point, how many reached it and chose each option, the endings reached, time spent,
and the paths most often taken. Nothing in a debrief names a learner: traces carry no names,
and file and folder names are never kept.

The HTML report is written by :mod:`helpers.debrief_report`; the notebook view for a seminar
is :func:`helpers.debrief_view.class_debrief`; the command line is ``mhsw debrief``.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import re
import statistics
import sys
import zipfile
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.traces import TRACE_FORMAT, trace_problems

if TYPE_CHECKING:  # pragma: no cover
    from helpers.scenarios import Scenario, Session

#: Files larger than this are not read (a trace is a few kilobytes; a notebook rarely 20 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: How deep zips inside zips are opened (a VLE download may wrap a student's own zip).
MAX_ZIP_DEPTH = 2
#: Words kept from one rationale in a report excerpt.
EXCERPT_WORDS = 40

REFUSAL_REASONS = {
    "other-scenario": "belonged to another scenario",
    "other-version": "were made with another version of this scenario and no longer fit it",
    "damaged": "were damaged or not valid decision traces",
    "duplicate": "were copies of a trace already read (e.g. a trace file and the same trace "
    "inside its notebook)",
}


# --- finding traces --------------------------------------------------------------------------
@dataclass
class ClassTraces:
    """The traces accepted for one scenario, and how many of each kind were refused."""

    scenario_id: str
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)
    files_read: int = 0

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())


def _traces_in_json(value: Any, depth: int = 0) -> Iterator[Any]:
    """Every object in a JSON value that says it is a decision trace (format mhsw-trace/1).

    Notebooks keep a trace in a cell output or in metadata; this finds it wherever it is, so a
    change in where the player writes it does not lose a class's traces.
    """
    if depth > 12:
        return
    if isinstance(value, dict):
        if value.get("format") == TRACE_FORMAT:
            yield value
            return
        for item in value.values():
            yield from _traces_in_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _traces_in_json(item, depth + 1)
    elif isinstance(value, str) and depth > 0 and TRACE_FORMAT in value[:200]:
        # a trace stored as JSON text (e.g. an output's text/plain or a string field)
        try:
            yield from _traces_in_json(json.loads(value), depth + 1)
        except ValueError:
            return


def _candidates(name: str, data: bytes, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """``(kind, value)`` for each trace-like thing in one file's bytes: kind is ``trace``, or
    ``damaged`` for a trace file that cannot be read."""
    lower = name.lower()
    if lower.endswith(".zip"):
        if depth >= MAX_ZIP_DEPTH:
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            if "mhsw-trace" in lower:
                yield "damaged", None
            return
        yield from _zip_candidates(archive, depth + 1)
        return
    is_trace_file = lower.rsplit("/", 1)[-1].startswith("mhsw-trace") and lower.endswith(".json")
    if not (is_trace_file or lower.endswith(".ipynb")):
        return
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        if is_trace_file:
            yield "damaged", None
        return
    found = list(_traces_in_json(value))
    if is_trace_file and not found:
        yield "damaged", None
    for trace in found:
        yield "trace", trace


def _zip_candidates(archive: zipfile.ZipFile, depth: int) -> Iterator[tuple[str, Any]]:
    for info in archive.infolist():
        if info.is_dir() or info.file_size > MAX_FILE_BYTES:
            continue
        name = info.filename
        if not name.lower().endswith((".zip", ".json", ".ipynb")):
            continue
        with archive.open(info) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) <= MAX_FILE_BYTES:
            yield from _candidates(name, data, depth)


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for candidate in sorted(path.rglob("*")):
        if ".ipynb_checkpoints" in candidate.parts or not candidate.is_file():
            continue
        if candidate.suffix.lower() in (".zip", ".json", ".ipynb"):
            yield candidate


def _fingerprint(trace: dict[str, Any]) -> str:
    steps = [(s.get("node"), s.get("choice"), s.get("rationale")) for s in trace.get("steps", [])]
    return json.dumps([trace.get("started_at"), steps], sort_keys=True, default=str)


def gather_traces(paths: str | Path | list[str | Path], scenario: Scenario) -> ClassTraces:
    """Read every decision trace for ``scenario`` under ``paths`` (folders, zips or files).

    A trace is accepted only if it replays against the scenario (:meth:`Session.resume`), so a
    trace edited by hand is refused like a damaged one. Raises ``FileNotFoundError`` naming a
    path that does not exist.
    """
    from helpers.scenarios import Session

    if isinstance(paths, str | Path):
        paths = [paths]
    result = ClassTraces(scenario.id)
    seen: set[str] = set()
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise FileNotFoundError(
                f"{root}: no such folder or file. Give the folder of submissions (for example "
                "submitted/), a zip downloaded from the VLE, or trace files."
            )
        for file in _files(root):
            try:
                if file.stat().st_size > MAX_FILE_BYTES:
                    continue
                data = file.read_bytes()
            except OSError:
                continue
            result.files_read += 1
            for kind, trace in _candidates(file.name, data):
                if kind == "damaged" or trace_problems(trace):
                    result.refused["damaged"] += 1
                    continue
                if trace["scenario"].get("id") != scenario.id:
                    result.refused["other-scenario"] += 1
                    continue
                if str(trace["scenario"].get("version")) != str(scenario.version):
                    result.refused["other-version"] += 1
                    continue
                key = _fingerprint(trace)
                if key in seen:
                    result.refused["duplicate"] += 1
                    continue
                try:
                    Session.resume(scenario, trace)
                except ValueError:
                    result.refused[
                        "other-version"
                        if trace["scenario"].get("sha256") != (scenario.sha256)
                        else "damaged"
                    ] += 1
                    continue
                seen.add(key)
                result.accepted.append(trace)
    return result


# --- summarising -----------------------------------------------------------------------------
@dataclass(frozen=True)
class OptionCount:
    label: str
    count: int
    target: str


@dataclass(frozen=True)
class DecisionSummary:
    """One decision point: how many learners reached it and what they chose."""

    node_id: str
    title: str
    reached: int
    visits: int
    options: tuple[OptionCount, ...]
    median_seconds: float | None
    on_model_path: bool
    rationales: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndingCount:
    ending_id: str
    title: str
    outcome: str
    count: int


@dataclass(frozen=True)
class Debrief:
    """What a class did in one scenario. Holds no names, files or identifiers."""

    scenario_id: str
    title: str
    version: str
    traces: int
    finished: int
    refused: dict[str, int]
    decisions: tuple[DecisionSummary, ...]
    endings: tuple[EndingCount, ...]
    paths: tuple[tuple[tuple[str, ...], int], ...]
    model_path: tuple[str, ...]
    model_ending: str | None
    titles: dict[str, str]
    min_count: int = 0
    with_rationales: bool = False

    def shown(self, count: int) -> str:
        """A count as the report shows it: small counts hidden when a threshold is set."""
        if self.min_count and 0 < count < self.min_count:
            return f"fewer than {self.min_count}"
        return str(count)


def model_path(scenario: Scenario) -> tuple[tuple[str, ...], str | None]:
    """The shortest route to the best-scoring ending (ties: a ``good`` ending first).

    This is the path the debrief holds up for comparison: one well-made route, not the only
    defensible one (a case can have several good endings).
    """
    from helpers.scenarios import Session

    def rank(ending) -> tuple[int, int]:
        return (ending.score if ending.score is not None else -1, ending.outcome == "good")

    best = max(scenario.endings.values(), key=rank, default=None)
    if best is None:
        return (), None
    queue: deque[Session] = deque([Session(scenario)])
    seen: set[str] = set()
    while queue:
        session = queue.popleft()
        key = json.dumps([session.current.id, session.state], sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        if session.ending is not None:
            if rank(session.ending) == rank(best):
                nodes = [s["node"] for s in session.steps] + [session.ending.id]
                return tuple(nodes), session.ending.id
            continue
        node = session.current
        filler = None
        if session.needs_rationale:
            filler = " ".join(["reason"] * max(1, node.rationale.min_words))
        for index, _ in session.available_choices():
            branch = _branch(session)
            branch.choose(index, rationale=filler)
            queue.append(branch)
    return (), None


def _branch(session: Session) -> Session:
    """A copy of ``session`` that can go its own way (the scenario itself is shared)."""
    twin = copy.copy(session)
    twin._state = dict(session._state)
    twin._steps = list(session._steps)
    return twin


_IDENTIFYING = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+"  # e-mail addresses
    r"|https?://\S+"  # links
    r"|\b\d{5,}\b"  # long numbers (student, candidate or phone numbers)
)


def excerpt(text: str, words: int = EXCERPT_WORDS) -> str:
    """A rationale shortened for a report, with e-mail addresses, links and long numbers
    (student or phone numbers) removed."""
    cleaned = _IDENTIFYING.sub("[removed]", " ".join(text.split()))
    parts = cleaned.split(" ")
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def summarise(
    scenario: Scenario,
    traces: ClassTraces | list[dict[str, Any]],
    min_count: int = 0,
    rationales: bool = False,
    top_paths: int = 5,
) -> Debrief:
    """Count what the class did. ``min_count`` hides counts below it (1 … min_count - 1);
    ``rationales`` adds anonymised, shuffled excerpts of what learners wrote."""
    refused: dict[str, int] = {}
    if isinstance(traces, ClassTraces):
        refused = dict(traces.refused)
        traces = traces.accepted
    reached: dict[str, set[int]] = {}
    visits: Counter = Counter()
    chosen: dict[str, Counter] = {}
    seconds: dict[str, list[float]] = {}
    written: dict[str, list[str]] = {}
    endings: Counter = Counter()
    paths: Counter = Counter()
    for number, trace in enumerate(traces):
        steps = trace["steps"]
        for step in steps:
            node = step["node"]
            reached.setdefault(node, set()).add(number)
            visits[node] += 1
            chosen.setdefault(node, Counter())[step["choice"]] += 1
            seconds.setdefault(node, []).append(float(step["seconds"]))
            if rationales and step.get("rationale"):
                written.setdefault(node, []).append(excerpt(step["rationale"]))
        if trace.get("ending"):
            endings[trace["ending"]["id"]] += 1
        if steps:
            paths[tuple(s["node"] for s in steps) + (steps[-1]["target"],)] += 1
    best_path, best_ending = model_path(scenario)
    order = _node_order(scenario)
    decisions = []
    shuffler = random.Random(len(traces))  # a fixed order per class, unrelated to who wrote
    for node_id in order:
        if node_id not in reached:
            continue
        node = scenario.nodes[node_id]
        options = tuple(
            OptionCount(
                choice.label,
                chosen[node_id].get(index, 0),
                choice.target if isinstance(choice.target, str) else "(depends on the case)",
            )
            for index, choice in enumerate(node.choices)
        )
        notes = written.get(node_id, [])
        shuffler.shuffle(notes)
        decisions.append(
            DecisionSummary(
                node_id=node_id,
                title=node.title,
                reached=len(reached[node_id]),
                visits=visits[node_id],
                options=options,
                median_seconds=statistics.median(seconds[node_id]) if seconds[node_id] else None,
                on_model_path=node_id in best_path,
                rationales=tuple(notes),
            )
        )
    ending_counts = tuple(
        EndingCount(key, ending.title, ending.outcome, endings.get(key, 0))
        for key, ending in scenario.endings.items()
    )
    titles = {key: item.title for key, item in {**scenario.nodes, **scenario.endings}.items()}
    return Debrief(
        scenario_id=scenario.id,
        title=scenario.title,
        version=str(scenario.version),
        traces=len(traces),
        finished=sum(1 for t in traces if t.get("ending")),
        refused=refused,
        decisions=tuple(decisions),
        endings=ending_counts,
        paths=tuple(paths.most_common(top_paths)),
        model_path=best_path,
        model_ending=best_ending,
        titles=titles,
        min_count=min_count,
        with_rationales=rationales,
    )


def _node_order(scenario: Scenario) -> list[str]:
    """Decision points in the order a learner meets them (breadth first from the start)."""
    order: list[str] = []
    queue = deque([scenario.start])
    while queue:
        node_id = queue.popleft()
        if node_id in order or node_id not in scenario.nodes:
            continue
        order.append(node_id)
        for choice in scenario.nodes[node_id].choices:
            targets = (
                [choice.target]
                if isinstance(choice.target, str)
                else [route.goto for route in choice.target]
            )
            queue.extend(targets)
    order += [key for key in scenario.nodes if key not in order]
    return order


# --- command line ----------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="the scenario's id (e.g. m3-mha-assessment) or its file")
    parser.add_argument(
        "--traces",
        required=True,
        nargs="+",
        metavar="PATH",
        help="folders, zips or files to read traces from (e.g. submitted/ or a VLE download)",
    )
    parser.add_argument("-o", "--output", required=True, help="the HTML report to write")
    parser.add_argument(
        "--rationales",
        action="store_true",
        help="include anonymised excerpts of what learners wrote (off by default)",
    )
    parser.add_argument(
        "--min-count",
        type=int,
        default=0,
        metavar="K",
        help="show counts from 1 to K-1 as 'fewer than K' (e.g. 5 for small groups)",
    )


def load_scenario_arg(value: str) -> Scenario:
    """A scenario from an id (looked up in the course) or a file path."""
    from helpers.scenarios import find_scenario, load_scenario

    path = Path(value)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_scenario(path)
    return load_scenario(find_scenario(value))


def run(args: argparse.Namespace) -> int:
    from helpers.debrief_report import render_html

    try:
        scenario = load_scenario_arg(args.scenario)
        traces = gather_traces(args.traces, scenario)
    except (FileNotFoundError, LookupError, ValueError) as exc:
        print(f"mhsw debrief: {exc}", file=sys.stderr)
        return 1
    if args.min_count < 0:
        print("mhsw debrief: --min-count should be 0 or more.", file=sys.stderr)
        return 2
    report = summarise(scenario, traces, min_count=args.min_count, rationales=args.rationales)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_html(report), encoding="utf-8")
    print(f"Read {traces.files_read} file(s): {len(traces.accepted)} trace(s) of '{scenario.id}'.")
    for reason, count in sorted(traces.refused.items()):
        print(f"  Not counted: {count} that {REFUSAL_REASONS.get(reason, reason)}.")
    if not traces.accepted:
        print("No trace of this scenario was found: the report says so.", file=sys.stderr)
    print(f"Wrote {output}")
    return 0
