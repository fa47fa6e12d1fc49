"""Decision traces inside the notebook: found, chosen when they disagree, refused when edited."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from _traces import FIXTURE, play

from helpers.notebook_traces import (
    TRACE_MIME,
    TraceDisplay,
    put_trace_in_notebook,
    status_line,
    traces_in_notebook,
    write_sidecars,
)
from helpers.scenarios import load_scenario
from helpers.traces import find_trace, has_saved_trace, load_trace, save_trace, score_trace

HERE = Path(__file__).parent
M3 = HERE / "files" / "m3-submissions" / "good"
M3_NOTEBOOK = "m3-amhp-assessment.ipynb"
M3_SCENARIO = "m3-mha-assessment"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIXTURE)


def _one_file_submission(folder: Path) -> Path:
    """The good m3 sample as a VLE upload: the notebook carries its trace, no file beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    trace = json.loads((M3 / f"mhsw-trace-{M3_SCENARIO}.json").read_text(encoding="utf-8"))
    nb = json.loads((M3 / M3_NOTEBOOK).read_text(encoding="utf-8"))
    target = folder / M3_NOTEBOOK
    target.write_text(json.dumps(put_trace_in_notebook(nb, trace)), encoding="utf-8")
    return target


def test_is_a_trace_kept_in_a_notebook_output_found_again(tmp_path):
    notebook = _one_file_submission(tmp_path)
    found = traces_in_notebook(notebook)
    assert list(found) == [M3_SCENARIO]
    assert found[M3_SCENARIO][0]["ending"]["outcome"] == "good"
    raw = json.loads(notebook.read_text(encoding="utf-8"))
    outputs = [o for c in raw["cells"] for o in c.get("outputs", []) if TRACE_MIME in o["data"]]
    assert len(outputs) == 1 and "kept in this notebook" in outputs[0]["data"]["text/plain"]
    # putting it in again replaces it, never duplicates it
    put_trace_in_notebook(raw, found[M3_SCENARIO][0])
    assert len(traces_in_notebook(raw)[M3_SCENARIO]) == 1


def test_does_load_trace_read_the_notebook_when_there_is_no_file(tmp_path):
    _one_file_submission(tmp_path)
    assert not (tmp_path / f"mhsw-trace-{M3_SCENARIO}.json").exists()
    assert has_saved_trace(M3_SCENARIO, tmp_path)
    trace = load_trace(M3_SCENARIO, folder=tmp_path)
    from helpers.scenarios import find_scenario

    assert score_trace(trace, find_scenario(M3_SCENARIO)).points > 0
    assert find_trace(M3_SCENARIO, tmp_path).kind == "notebook"


def test_does_a_missing_trace_say_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="inside the notebook"):
        load_trace("no-such-case", folder=tmp_path)


def test_does_the_finished_trace_count_when_notebook_and_file_disagree(tmp_path, scenario):
    finished = play(scenario, (0, 0, 0, 0, 0, 0, 0)).trace()
    unfinished = play(scenario, (0, 0)).trace()
    save_trace(unfinished, tmp_path)  # a stale file beside the notebook
    (tmp_path / "work.ipynb").write_text(
        json.dumps(put_trace_in_notebook(_empty_notebook(), finished)), encoding="utf-8"
    )
    found = find_trace(scenario.id, tmp_path)
    assert found.kind == "notebook" and found.trace == finished
    assert "reached an ending" in found.note and "work.ipynb" in found.note
    # the other way round: the file finished, the notebook was saved earlier
    save_trace(finished, tmp_path)
    (tmp_path / "work.ipynb").write_text(
        json.dumps(put_trace_in_notebook(_empty_notebook(), unfinished)), encoding="utf-8"
    )
    found = find_trace(scenario.id, tmp_path)
    assert found.kind == "file" and found.trace == finished and found.note


def test_does_the_later_of_two_finished_traces_count(tmp_path, scenario):
    first = play(scenario, (0, 0, 0, 0, 0, 0, 0)).trace()
    later = copy.deepcopy(first)
    later["finished_at"] = "2030-01-01T00:00:00+00:00"
    later["restarts"] = 1
    save_trace(first, tmp_path)
    (tmp_path / "work.ipynb").write_text(
        json.dumps(put_trace_in_notebook(_empty_notebook(), later)), encoding="utf-8"
    )
    found = find_trace(scenario.id, tmp_path)
    assert found.trace == later and "finished later" in found.note
    # identical traces in both places: no note
    save_trace(later, tmp_path)
    assert find_trace(scenario.id, tmp_path).note == ""


def test_is_a_hand_edited_trace_in_a_notebook_still_refused(tmp_path):
    from helpers.scenarios import find_scenario

    trace = json.loads((M3 / f"mhsw-trace-{M3_SCENARIO}.json").read_text(encoding="utf-8"))
    trace["steps"][0]["target"] = "no-such-node"
    (tmp_path / M3_NOTEBOOK).write_text(
        json.dumps(put_trace_in_notebook(json.loads((M3 / M3_NOTEBOOK).read_text()), trace)),
        encoding="utf-8",
    )
    with pytest.raises(ValueError):
        score_trace(load_trace(M3_SCENARIO, folder=tmp_path), find_scenario(M3_SCENARIO))


def test_are_trace_files_written_beside_the_notebook_for_grading(tmp_path):
    _one_file_submission(tmp_path)
    assert write_sidecars(tmp_path) == []
    written = json.loads((tmp_path / f"mhsw-trace-{M3_SCENARIO}.json").read_text())
    assert written == json.loads((M3 / f"mhsw-trace-{M3_SCENARIO}.json").read_text())


def test_does_check_my_work_accept_a_notebook_that_carries_its_trace(tmp_path):
    from helpers.grading.validate import check_notebook

    repo = HERE.parent
    notebook = _one_file_submission(tmp_path / "one" / "m3-amhp-assessment")
    report = check_notebook(notebook, course_root=repo, run_tests=False)
    assert "released version" in report.reference
    assert not [p for p in report.problems if "trace" in p.message], report.text()
    bare = tmp_path / "bare" / "m3-amhp-assessment"
    bare.mkdir(parents=True)
    shutil.copy(M3 / M3_NOTEBOOK, bare / M3_NOTEBOOK)
    report = check_notebook(bare / M3_NOTEBOOK, course_root=repo, run_tests=False)
    assert any("not in this notebook" in p.message for p in report.problems), report.text()


def test_does_the_view_update_the_trace_in_the_notebook_after_each_choice(tmp_path, scenario):
    from helpers.scenario_view import build_scenario_view

    class Handle:
        def __init__(self):
            self.bundles = []

        def update(self, data, raw=False):
            self.bundles.append(data)

    view = build_scenario_view(scenario, folder=tmp_path)
    view.trace_display = TraceDisplay()
    view.trace_display.handle = Handle()
    view.show_current()
    view.choose(0)
    bundles = view.trace_display.handle.bundles
    assert bundles and bundles[-1][TRACE_MIME] == view.session.trace()
    assert "1 decision(s)" in bundles[-1]["text/plain"]
    # a notebook reopened elsewhere without the file resumes from what the notebook holds
    (tmp_path / "work.ipynb").write_text(
        json.dumps(put_trace_in_notebook(_empty_notebook(), bundles[-1][TRACE_MIME]))
    )
    (tmp_path / f"mhsw-trace-{scenario.id}.json").unlink()
    again = build_scenario_view(scenario, folder=tmp_path)
    assert again.screen == "resume" and again.session.decisions_made == 1


def test_does_the_status_line_tell_the_student_to_save():
    assert "Save the notebook" in status_line(None)
    assert "no ending reached yet" in status_line({"steps": [{}], "ending": None})


def _empty_notebook() -> dict:
    return {
        "cells": [{"cell_type": "code", "source": "play_scenario(...)", "outputs": []}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
