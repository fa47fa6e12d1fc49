"""Decision traces: saved atomically, loaded with clear errors, summarised, checked and scored."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import nbformat
import pytest
from _traces import FIXTURE, RATIONALE, play

from helpers.scenarios import load_scenario
from helpers.traces import (
    load_trace,
    save_trace,
    score_trace,
    trace_path,
    trace_problems,
    trace_summary,
    validate_trace,
)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIXTURE)


@pytest.fixture
def finished(scenario) -> dict:
    return play(scenario, (0, 0, 0, 0, 0, 0, 0)).trace()


def test_is_a_trace_saved_under_its_scenario_id_and_loaded_back(tmp_path, finished):
    path = save_trace(finished, tmp_path)
    assert (
        path
        == tmp_path / "mhsw-trace-fixture-assessment.json"
        == trace_path("fixture-assessment", tmp_path)
    )
    assert json.loads(path.read_text(encoding="utf-8")) == finished
    assert load_trace("fixture-assessment", tmp_path) == finished
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_does_saving_replace_the_file_in_one_step(tmp_path, finished, monkeypatch):
    save_trace(finished, tmp_path)
    calls = []
    real_replace = os.replace

    def spy(src, dst):
        calls.append((Path(src).parent, Path(dst).name))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    later = dict(finished, restarts=1)
    save_trace(later, tmp_path)
    assert calls == [(tmp_path, "mhsw-trace-fixture-assessment.json")]
    assert load_trace("fixture-assessment", tmp_path)["restarts"] == 1


def test_does_a_failed_save_leave_the_old_trace_in_place(tmp_path, finished, monkeypatch):
    save_trace(finished, tmp_path)

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        save_trace(dict(finished, restarts=5), tmp_path)
    assert load_trace("fixture-assessment", tmp_path)["restarts"] == 0
    assert len(list(tmp_path.iterdir())) == 1


def test_does_a_missing_trace_say_which_file_and_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError) as caught:
        load_trace("fixture-assessment", tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "mhsw-trace-fixture-assessment.json") in message
    assert "Play the scenario in the notebook first" in message


def test_is_a_damaged_trace_file_reported_with_its_line(tmp_path):
    (tmp_path / "mhsw-trace-x.json").write_text('{"format": "mhsw-trace/1",\n oops}')
    with pytest.raises(ValueError, match=r"mhsw-trace-x\.json:2: the decision trace is not valid"):
        load_trace("x", tmp_path)


def test_does_validation_list_every_problem(finished):
    assert trace_problems(finished) == []
    validate_trace(finished)
    broken = copy.deepcopy(finished)
    broken["format"] = "other/1"
    broken["steps"][0]["choice"] = "first"
    broken["restarts"] = -1
    del broken["steps"][2]["seconds"]
    broken["ending"]["id"] = "elsewhere"
    assert trace_problems(broken) == [
        "format: should be 'mhsw-trace/1', not 'other/1'",
        "restarts: should be a whole number, 0 or more",
        "steps[1].choice: is missing or has the wrong type",
        "steps[3].seconds: is missing or has the wrong type",
        "ending: is not where the last step leads",
    ]
    with pytest.raises(ValueError, match="not a valid decision trace"):
        validate_trace(broken)
    assert trace_problems([]) == ["a trace should be a JSON object (a dictionary)"]


def test_is_the_summary_readable_markdown(finished):
    summary = trace_summary(finished)
    assert summary.startswith("## Decision trace: A Mental Health Act assessment: Ms Kowalska")
    assert "7 decision(s) in 1 min 10 s; went back 0 time(s); restarted 0 time(s)." in summary
    assert "**Path:** referral → records → who-is-nr" in summary
    assert "→ alternatives → home-treatment" in summary
    assert "7. At **alternatives** you chose *Ask the home treatment team" in summary
    assert f'   - Your rationale: "{RATIONALE}"' in summary
    assert "**Ending:** Home treatment agreed (outcome: good, score 3 out of 3)." in summary


def test_does_the_summary_name_decisions_by_title_when_given_the_scenario(scenario, finished):
    summary = trace_summary(finished, scenario)
    first = scenario.nodes["referral"].title
    assert f"**Path:** {first} → " in summary
    assert f"7. At **{scenario.nodes['alternatives'].title}** you chose" in summary
    assert "At **alternatives**" not in summary


def test_are_code_chapters_written_without_a_section_sign():
    from helpers.scenarios._model import LawRef

    assert str(LawRef("Mental Health Act 1983", "13(2)")) == "Mental Health Act 1983, s13(2)"
    assert str(LawRef("Mental Health Act 1983: Code of Practice", "chapter 14")) == (
        "Mental Health Act 1983: Code of Practice, chapter 14"
    )


def test_does_the_summary_say_when_the_scenario_is_unfinished(scenario):
    summary = trace_summary(play(scenario, (0, 1)).trace())
    assert "**Ending:** not reached yet" in summary


def test_does_a_defensible_ending_with_a_full_rationale_score_full_marks(scenario, finished):
    result = score_trace(finished, scenario)
    assert (result.points, result.max_points) == (3, 3)
    assert (result.ending_points, result.rationale_points) == (2, 1)
    assert str(result).startswith("3 / 3: ending 'Home treatment agreed' (good): 2 point(s)")


def test_does_a_poor_ending_or_a_short_rationale_lose_points(scenario):
    short = "I think detention is needed now because the risk is high."
    trace = play(scenario, (0, 0, 0, 0, 0, 0, 2, 1), rationale=short).trace()
    assert trace["ending"]["id"] == "s3-questioned"
    result = score_trace(trace, FIXTURE)  # a path is accepted as well as a Scenario
    assert (result.points, result.max_points) == (0, 3)
    assert "rationale at 'Less restrictive options' has 11 word(s); 15 are needed" in result.reasons


def test_can_outcomes_be_scored_differently(scenario):
    trace = play(scenario, (0, 0, 0, 1, 0, 0, 2, 0, 0)).trace()
    assert trace["ending"]["outcome"] == "acceptable"
    result = score_trace(trace, scenario, points_for_ending={"good": 4, "acceptable": 2})
    assert (result.ending_points, result.max_points) == (2, 5)


def _path_to(scenario, outcome: str) -> tuple[int, ...]:
    """The shortest list of choices that reaches an ending with ``outcome``."""
    queue: list[tuple[int, ...]] = [()]
    while queue:
        choices = queue.pop(0)
        session = play(scenario, choices)
        if session.ending is not None:
            if session.ending.outcome == outcome:
                return choices
            continue
        queue += [choices + (index,) for index, _ in session.available_choices()]
    raise AssertionError(f"no path reaches an ending with outcome {outcome!r}")


@pytest.mark.parametrize("outcome", ["unsafe", "unlawful"])
def test_can_an_unsafe_or_unlawful_path_never_earn_most_of_the_case_marks(scenario, outcome):
    trace = play(scenario, _path_to(scenario, outcome)).trace()
    result = score_trace(trace, scenario, points_for_ending=2, points_per_rationale=3)
    assert result.points <= 0.25 * result.max_points
    assert any("capped" in reason and "tutor" in reason for reason in result.reasons)


def test_is_a_poor_but_lawful_ending_not_capped(scenario):
    trace = play(scenario, _path_to(scenario, "poor")).trace()
    result = score_trace(trace, scenario)
    assert result.points == result.ending_points + result.rationale_points
    assert not any("capped" in reason for reason in result.reasons)


def test_does_an_unfinished_trace_score_no_ending_points(scenario):
    result = score_trace(play(scenario, (0, 0)).trace(), scenario)
    assert result.points == 0 and "not finished" in result.reasons[0]


def test_does_scoring_refuse_a_trace_that_claims_a_better_ending(scenario):
    trace = play(scenario, (0, 0, 0, 0, 0, 0, 2, 1)).trace()
    trace["ending"].update(id="s2-admission", outcome="good", score=3)
    trace["steps"][-1]["target"] = "s2-admission"
    with pytest.raises(ValueError):
        score_trace(trace, scenario)


PLAY_CELL = """\
from helpers.scenarios import Session, load_scenario
from helpers.traces import save_trace

session = Session(load_scenario({fixture!r}))
for index in (0, 0, 0, 0, 0, 0):
    session.choose(index)
session.choose(0, rationale={rationale!r})
print(save_trace(session.trace()))
"""

CHECK_CELL = """\
from helpers.scenarios import Session, load_scenario
from helpers.traces import load_trace, score_trace

trace = load_trace("fixture-assessment")
assert trace["ending"]["id"] == "home-treatment", trace["ending"]
assert trace["steps"][-1]["rationale"] == {rationale!r}
scenario = load_scenario({fixture!r})
assert Session.resume(scenario, trace).finished
print(score_trace(trace, scenario).points)
"""


@pytest.mark.slow
def test_does_a_trace_survive_saving_closing_and_reopening_a_notebook(tmp_path):
    from nbclient import NotebookClient

    values = {"fixture": str(FIXTURE), "rationale": RATIONALE}

    def run(name: str, source: str) -> nbformat.NotebookNode:
        notebook = nbformat.v4.new_notebook()
        notebook.cells.append(nbformat.v4.new_code_cell(source.format(**values)))
        NotebookClient(
            notebook,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path)}},
        ).execute()
        nbformat.write(notebook, tmp_path / name)
        return nbformat.read(tmp_path / name, as_version=4)

    played = run("play.ipynb", PLAY_CELL)
    assert played.cells[0].outputs[0]["text"].strip() == "mhsw-trace-fixture-assessment.json"
    assert (tmp_path / "mhsw-trace-fixture-assessment.json").exists()
    checked = run("check.ipynb", CHECK_CELL)  # a fresh kernel: nothing shared but the file
    assert checked.cells[0].outputs[0]["text"].strip() == "3.0"
