"""In a real browser: the decision trace survives in the saved notebook, and grading reads it.

A learner opens the sample assignment in JupyterLab (headless Chromium), plays the case
``m3-mha-assessment`` to a defensible ending and saves. Only the ``.ipynb`` is then copied into
a course copy's ``submitted/`` folder, as a VLE upload would be, and graded: the case keeps its
marks. This checks what no unit test can: that JupyterLab keeps an output of an unknown MIME
type (``application/vnd.mhsw.trace+json``), replaced by a display update from a widget's
callback, in the file it saves.

Reuses the JupyterLab server fixture and route planner of ``tests/test_browser.py``. Needs
``/usr/bin/chromium`` (Debian: ``sudo apt-get install chromium``); without it the test is
skipped, unless ``MHSW_REQUIRE_BROWSER=1``. Run it with
``pytest -m browser tests/test_browser_vle.py``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from test_browser import (  # noqa: F401  (lab, chromium and page are fixtures used by name)
    KERNEL_TIMEOUT,
    RATIONALE,
    _open,
    _plan_route,
    _run_all,
    chromium,
    lab,
    page,
)

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "sample-assignment"
SCENARIO = "m3-mha-assessment"
STUDENT = "vle-upload"
SAVE_TIMEOUT = 60  # seconds for JupyterLab to write the notebook after Ctrl+S


def _saved_trace(path: Path) -> dict | None:
    from helpers.notebook_traces import traces_in_notebook

    found = traces_in_notebook(path).get(SCENARIO, [])
    return found[-1] if found and found[-1].get("ending") else None


@pytest.mark.browser
@pytest.mark.vle
@pytest.mark.slow
def test_does_a_saved_notebook_alone_carry_its_case_marks(lab, page, tmp_path, record_property):  # noqa: F811, E501
    from playwright.sync_api import expect

    from helpers.grading._course import Course
    from helpers.grading._simulate import SAMPLE_CORRECT, answered
    from helpers.grading.grade import grade_assignment
    from helpers.grading.release import release_assignment
    from helpers.scenarios import find_scenario, load_scenario
    from helpers.traces import score_trace

    scenario = load_scenario(find_scenario(SCENARIO))
    route, ending = _plan_route(scenario)
    work: Path = lab["work"] / "vle"  # a folder of its own: no other test's trace beside it
    work.mkdir(exist_ok=True)
    notebook = work / f"{ASSIGNMENT}.ipynb"
    released = nbformat.read(REPO / "exercises" / ASSIGNMENT / notebook.name, as_version=4)
    nbformat.write(answered(released, SAMPLE_CORRECT), notebook)
    started = time.perf_counter()

    _open(page, lab, f"fixtures/vle/{notebook.name}")
    # Run All stops at the trace cell (no trace yet); the scenario is shown above it.
    _run_all(page)
    page.locator(".mhsw-start").wait_for(state="visible", timeout=KERNEL_TIMEOUT)
    holder = page.locator(".jp-OutputArea-output", has_text="kept in this notebook")
    expect(holder).to_contain_text("as you play")
    page.locator(".mhsw-start").click()
    for number, (position, _index, label, asked) in enumerate(route, start=1):
        expect(page.locator(".mhsw-progress")).to_contain_text(f"Decision {number} ·")
        if asked:
            page.locator(".mhsw-rationale textarea").fill(RATIONALE)
        button = page.locator(".mhsw-choice").nth(position)
        expect(button).to_contain_text(label)
        button.click()
        expect(page.locator(".mhsw-continue")).to_be_focused()
        expect(holder).to_contain_text(f"{number} decision(s)")
        page.keyboard.press("Enter")
    page.locator(".mhsw-debrief").wait_for(state="visible")
    expect(holder).to_contain_text(f"ending reached: {ending.title}")

    page.locator(".jp-NotebookPanel:visible .jp-Cell").first.click()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + SAVE_TIMEOUT
    while _saved_trace(notebook) is None and time.monotonic() < deadline:
        time.sleep(0.5)  # polling the file JupyterLab writes, not waiting for the UI

    trace = _saved_trace(notebook)
    assert trace is not None, "JupyterLab did not keep the decision trace in the saved notebook"
    assert trace["ending"]["id"] == ending.id
    assert [s["label"] for s in trace["steps"]] == [label for _, _, label, _ in route]
    played_seconds = time.perf_counter() - started

    # Only the notebook goes to the lecturer, as through a VLE.
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy2(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    course = Course.find(root)
    assert release_assignment(course, ASSIGNMENT) == []
    folder = course.submitted / STUDENT / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy2(notebook, folder / notebook.name)
    assert [p.name for p in folder.iterdir()] == [notebook.name]
    run = grade_assignment(course, ASSIGNMENT, workers=1, timeout=30, progress=False)
    assert run.results[STUDENT].status in ("graded", "needs manual grading"), run.summary()
    expected = score_trace(trace, scenario)
    with course.gradebook() as gb:
        marks = gb.find_grade("q4-trace", ASSIGNMENT, ASSIGNMENT, STUDENT).score
    assert marks == round(4 * expected.points / expected.max_points, 2) > 0
    assert list(folder.iterdir()) == [folder / notebook.name]  # the submission is untouched
    record_property("seconds to play and save", round(played_seconds, 1))
    record_property("seconds in all", round(time.perf_counter() - started, 1))
    print(
        f"browser VLE test: played and saved in {played_seconds:.1f} s, "
        f"{time.perf_counter() - started:.1f} s with grading"
    )
