"""End to end in a real browser: the course's first hour in JupyterLab and headless Chromium.

What these tests prove that the widget tests cannot, each on the server that ``make lab``
starts (the same ``helpers.lab.lab_command``, lecturer mode so formgrader is there, and with
this environment's scripts removed from ``PATH``, as when ``.venv/bin/jupyter lab`` is run
without activating anything):

* formgrader lists the assignments (nbgrader finds ``alembic``) and does not warn about a
  missing exchange;
* the course index opens rendered, its start-here link opens the notebook, and the notebook's
  support link lands on the index's Support section; JupyterLab's news check is off;
* the quiz and the sorting activity can be answered with the keyboard alone, and focus stays
  in the activity;
* seminar mode starts on the start screen although a finished attempt is saved, and a
  decision screen fits a 1920 x 1080 projector;
* typing into an answer cell (double-click, type, Shift+Enter, save) puts the text in it;
* a learner plays the fixture scenario to an ending and the decision trace is written.

How they stay fast and reliable:
* one JupyterLab server and one Chromium for the whole module, on a copy of the course under a
  temporary folder with its own settings, workspace, runtime and config folders; the server
  is stopped by its process id (its own process group) in the fixture's teardown;
* every page opens with ``?reset`` so no earlier tabs are restored;
* every wait is on a selector or on text, never a fixed sleep; the only retry is starting the
  server again if another process took the port between choosing it and binding it.

Needs ``/usr/bin/chromium`` (Debian: ``sudo apt-get install chromium``); it never downloads a
browser. Without it the tests are skipped, unless ``MHSW_REQUIRE_BROWSER=1`` makes that a
failure. Run them with ``pytest -m browser tests/test_browser.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NOTEBOOK = HERE / "files" / "notebooks" / "play-fixture-scenario.ipynb"
SCENARIO = HERE / "files" / "scenarios" / "fixture-assessment.yaml"
QUIZ = HERE / "files" / "quizzes" / "amhp-basics.yaml"
SEMINAR_CASE = "m3-mha-assessment"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "mhsw-browser-test"
RATIONALE = (
    "I want to try the least restrictive option first, as the Code of Practice's "
    "first guiding principle asks, and involve her mother in the plan."
)
PRACTICE_ANSWER = "I hope to learn how the law and social models of distress meet in practice."
SERVER_START_TIMEOUT = 120  # seconds
UI_TIMEOUT = 60_000  # milliseconds, for each wait in the page
KERNEL_TIMEOUT = 120_000  # a cold kernel on a busy machine can be slow to start
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\) \| Idle")
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1280, "height": 900}


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} is missing, so the browser test cannot run. Install Debian's Chromium "
        "with: sudo apt-get install chromium"
    )
    if os.environ.get("MHSW_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (MHSW_REQUIRE_BROWSER=1 makes this a failure).")
    pytest.skip(message)


def _free_port() -> int:
    from _kernel_ports import free_port

    return free_port()


def _server_ready(url: str, process: subprocess.Popen, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=5) as reply:
                if reply.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)  # polling interval while the server starts, not a wait for the UI
    return False


def _stop(process: subprocess.Popen) -> None:
    """Stop the server we started, with its kernels (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _without_this_environment_on_path(env: dict[str, str]) -> dict[str, str]:
    scripts = str(Path(sys.executable).parent)
    parts = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != scripts]
    return dict(env, PATH=os.pathsep.join(parts))


def _fixtures(folder: Path) -> None:
    """Notebooks and files the tests open, beside a copy of the course."""
    import nbformat

    from helpers.grading._simulate import play
    from helpers.scenarios import find_scenario

    folder.mkdir()
    shutil.copy(NOTEBOOK, folder / NOTEBOOK.name)
    shutil.copy(SCENARIO, folder / SCENARIO.name)
    shutil.copy(QUIZ, folder / QUIZ.name)
    meta = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    keys = nbformat.v4.new_notebook(metadata=meta)
    keys.cells = [
        nbformat.v4.new_code_cell(
            f'from helpers import play_quiz, play_sorting\nplay_quiz("{QUIZ.name}")'
        ),
        nbformat.v4.new_code_cell('play_sorting("../course/m1-roles/activities/key-areas.yaml")'),
    ]
    nbformat.write(keys, folder / "keyboard.ipynb")
    # A finished attempt saved beside the seminar notebook: seminar mode must not open on it.
    trace = play(SEMINAR_CASE)
    (folder / f"mhsw-trace-{SEMINAR_CASE}.json").write_text(json.dumps(trace), encoding="utf-8")
    case = find_scenario(SEMINAR_CASE)
    seminar = nbformat.v4.new_notebook(metadata=meta)
    seminar.cells = [
        nbformat.v4.new_code_cell(
            "from helpers import play_scenario\n"
            f'view = play_scenario("../{case.relative_to(REPO).as_posix()}", seminar=True, '
            "save=False)"
        )
    ]
    nbformat.write(seminar, folder / "seminar.ipynb")
    # Every kind of course widget in one notebook, for the accessibility checks.
    views = nbformat.v4.new_notebook(metadata=meta)
    views.cells = [
        nbformat.v4.new_code_cell(
            "from helpers import play_appraisal, play_quiz, play_scenario, play_sorting\n"
            f'play_scenario("{SCENARIO.name}", save=False, resume=False)'
        ),
        nbformat.v4.new_code_cell(
            f'play_scenario("../{case.relative_to(REPO).as_posix()}", seminar=True, save=False)'
        ),
        nbformat.v4.new_code_cell(f'play_quiz("{QUIZ.name}")'),
        nbformat.v4.new_code_cell('play_sorting("../course/m1-roles/activities/key-areas.yaml")'),
        nbformat.v4.new_code_cell(
            'play_appraisal("../course/m4-evidence/activities/appraise-tcru-review.yaml")'
        ),
    ]
    nbformat.write(views, folder / "all-views.ipynb")
    # A case that never saves, so it always opens on its start screen.
    fresh = nbformat.v4.new_notebook(metadata=meta)
    fresh.cells = [
        nbformat.v4.new_code_cell(
            "from helpers import play_scenario\n"
            f'play_scenario("{SCENARIO.name}", save=False, resume=False)'
        )
    ]
    nbformat.write(fresh, folder / "keyboard-case.ipynb")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server for the module, started as ``make lab-lecturer`` starts it."""
    _need_chromium()
    pytest.importorskip(
        "playwright.sync_api",
        reason="pip install playwright (no browser "
        "download needed: the test uses /usr/bin/chromium)",
    )
    from helpers.lab import lab_command

    base = tmp_path_factory.mktemp("lab")
    root = base / "course-copy"
    root.mkdir()
    for name in ("course", "solutions", "exercises"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("mhsw-trace-*"))
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    _fixtures(root / "fixtures")
    log_path = base / "jupyterlab.log"
    process = None
    url = ""
    started = time.perf_counter()
    for _attempt in range(3):  # retried only if the chosen port was taken meanwhile
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        command, env = lab_command(
            root,
            lecturer=True,
            port=port,
            extra=[
                "--no-browser",
                "--ServerApp.open_browser=False",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={TOKEN}",
                f"--LabApp.user_settings_dir={base / 'lab-settings'}",
                f"--LabApp.workspaces_dir={base / 'lab-workspaces'}",
            ],
        )
        env = _without_this_environment_on_path(env)
        env.update(
            JUPYTER_CONFIG_DIR=str(base / "jupyter-config"),
            JUPYTER_RUNTIME_DIR=str(base / "jupyter-runtime"),
            IPYTHONDIR=str(base / "ipython"),
        )
        env.pop("JUPYTER_NO_CONFIG", None)  # the installed configuration is what is tested
        log = log_path.open("a")
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if _server_ready(url, process, time.monotonic() + SERVER_START_TIMEOUT):
            break
        _stop(process)
        if "already in use" not in log_path.read_text():
            pytest.fail("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
    else:
        pytest.fail("JupyterLab could not find a free port:\n" + log_path.read_text()[-3000:])
    print(f"JupyterLab server ready in {time.perf_counter() - started:.1f} s")
    try:
        yield {"url": url, "root": root, "work": root / "fixtures", "log": log_path}
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def chromium(lab):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT)  # a busy machine: generous waits, never sleeps
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium, lab, request, tmp_path):
    """A fresh page; a screenshot is kept in the test's folder whatever happens."""
    viewport = getattr(request, "param", LAPTOP)
    opened = chromium.new_page(viewport=viewport)
    opened.set_default_timeout(UI_TIMEOUT)
    try:
        yield opened
    finally:
        opened.screenshot(path=str(tmp_path / "page.png"))
        opened.close()


def _open(page, lab, path: str = "") -> None:
    where = f"/tree/{path}" if path else ""
    page.goto(f"{lab['url']}/lab{where}?reset&token={TOKEN}", wait_until="domcontentloaded")


def _run_all(page) -> None:
    from playwright.sync_api import expect

    # The toolbar's indicator says "idle" before any kernel exists; the status bar names the
    # kernel and its state, so wait for the kernel itself to be idle.
    expect(page.locator("#jp-main-statusbar")).to_contain_text(KERNEL_IDLE, timeout=KERNEL_TIMEOUT)
    page.locator(".jp-NotebookPanel:visible .jp-Cell").first.click()  # focus the notebook
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def _focused_class(page) -> str:
    return page.evaluate("document.activeElement ? String(document.activeElement.className) : ''")


def _tab_to(page, css_class: str, limit: int = 15) -> None:
    """Press Tab until the element with ``css_class`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        if css_class in _focused_class(page).split():
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached .{css_class}; focus is on {_focused_class(page)!r}")


def _current_tab(page):
    return page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")


def _plan_route(scenario):
    """A shortest route to a defensible ending that passes a rationale prompt.

    Returns the route, one ``(position on screen, choice index, label, rationale asked)`` per
    decision, and the ending it reaches; found with the engine, so every click in the browser
    is known before the page opens.
    """
    from helpers.scenarios import Session

    def replay(route):
        session = Session(scenario)
        for _pos, index, _label, asked in route:
            session.choose(index, rationale=RATIONALE if asked else None)
        return session

    queue = deque([[]])
    while queue:
        route = queue.popleft()
        session = replay(route)
        if session.finished:
            if session.ending.defensible and any(asked for *_, asked in route):
                return route, session.ending
            continue
        if len(route) >= 30:
            continue
        asked = session.rationale_prompt is not None
        for position, (index, choice) in enumerate(session.available_choices()):
            queue.append(route + [(position, index, choice.label, asked)])
    raise AssertionError("the fixture has no defensible ending after a rationale prompt")


def test_does_a_missing_chromium_skip_or_fail_with_how_to_install_it(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("MHSW_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="sudo apt-get install chromium"):
        _need_chromium()
    monkeypatch.setenv("MHSW_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="MHSW_REQUIRE_BROWSER=1 makes this a failure"):
        _need_chromium()


@pytest.mark.browser
@pytest.mark.slow
def test_does_formgrader_list_the_assignments_under_make_lab(lab, page, record_property):
    """Item: formgrader stayed on "Loading, please wait..." (no ``alembic`` on PATH)."""
    started = time.perf_counter()
    _open(page, lab)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Formgrader$")).click()
    frame = page.frame_locator("iframe[src*='formgrader']")
    for assignment in ("m1-roles-assessment", "m3-amhp-assessment", "sample-assignment"):
        frame.locator("a", has_text=assignment).first.wait_for(timeout=KERNEL_TIMEOUT)
    seconds = time.perf_counter() - started
    text = frame.locator("body").inner_text()
    assert "exchange" not in text.lower() or "does not exist" not in text.lower(), text[:2000]
    log = lab["log"].read_text()
    assert "FileNotFoundError" not in log and " 500 GET /formgrader" not in log, log[-3000:]
    assert (lab["root"] / "gradebook.db").is_file()
    assert (lab["root"] / "exchange").is_dir()  # the course's own, git-ignored exchange
    record_property("seconds until formgrader lists assignments", round(seconds, 1))
    print(f"formgrader listed the assignments {seconds:.1f} s after the page was opened")


@pytest.mark.browser
@pytest.mark.slow
def test_does_the_course_index_open_rendered_with_working_links(lab, page, record_property):
    """Item: the first screen was raw Markdown in the text editor."""
    from playwright.sync_api import expect

    started = time.perf_counter()
    _open(page, lab, "course/README.md")  # what `make lab` opens
    index = page.locator(".jp-MarkdownViewer .jp-RenderedMarkdown")
    expect(index.locator("h1")).to_have_text(re.compile("Course index"))
    seconds = time.perf_counter() - started
    assert page.locator(".jp-FileEditor:visible").count() == 0  # not the text editor
    record_property("seconds until the rendered index", round(seconds, 1))
    print(f"rendered course index {seconds:.1f} s after the page was opened")

    # JupyterLab's news check is off (the settings overrides installed with the course).
    request = urllib.request.Request(
        f"{lab['url']}/lab/api/settings/@jupyterlab/apputils-extension:notification",
        headers={"Authorization": f"token {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        schema = json.loads(reply.read())["schema"]
    assert schema["properties"]["fetchNews"]["default"] == "false"

    # The start-here link opens the notebook ...
    index.locator("a", has_text="00-start-here").first.click()
    expect(_current_tab(page)).to_contain_text("00-start-here.ipynb")
    notebook = page.locator(".jp-NotebookPanel:visible")
    expect(notebook.locator(".jp-RenderedMarkdown h1").first).to_contain_text("Start here")

    # ... and its support link lands on the index's Support section.
    support = notebook.locator("a", has_text="where to find support")
    support.scroll_into_view_if_needed()
    support.click()
    expect(_current_tab(page)).to_contain_text("README.md")
    heading = page.locator(".jp-MarkdownViewer:visible h2", has_text="Support")
    expect(heading).to_be_in_viewport()


@pytest.mark.browser
@pytest.mark.slow
def test_can_the_quiz_and_sorting_be_answered_with_the_keyboard_alone(lab, page):
    """Item: arrow keys did not choose answers; JupyterLab took them and focus left."""
    from playwright.sync_api import expect

    _open(page, lab, "fixtures/keyboard.ipynb")
    _run_all(page)
    quiz = page.locator(".mhsw-quiz")
    options = quiz.locator(".mhsw-options button")
    options.first.wait_for(timeout=KERNEL_TIMEOUT)
    page.locator(".mhsw-sorting .mhsw-options button").first.wait_for(timeout=KERNEL_TIMEOUT)
    cells = page.locator(".jp-NotebookPanel:visible .jp-Cell").count()

    options.first.focus()  # where Tab brings a keyboard user
    page.keyboard.press("Enter")
    expect(quiz.locator(".mhsw-options button.mod-active")).to_have_text(re.compile("^A\\. "))
    page.keyboard.press("Tab")
    page.keyboard.press(" ")
    expect(quiz.locator(".mhsw-options button.mod-active")).to_have_text(re.compile("^B\\. "))
    _tab_to(page, "mhsw-check")
    page.keyboard.press("Enter")
    expect(quiz.locator(".mhsw-quiz-feedback")).to_contain_text("Not quite")
    _tab_to(page, "mhsw-next")
    page.keyboard.press("Enter")
    expect(quiz.locator(".mhsw-progress")).to_contain_text("Question 2 of")
    checkbox = quiz.locator("input[type=checkbox]").first
    checkbox.focus()
    page.keyboard.press(" ")
    expect(checkbox).to_be_checked()

    first_item = page.locator(".mhsw-sorting .mhsw-options").first.locator("button")
    first_item.first.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(first_item.nth(1)).to_have_class(re.compile("mod-active"))
    assert "widget-toggle-button" in _focused_class(page)  # focus stayed in the activity
    assert page.locator(".jp-NotebookPanel:visible .jp-Cell").count() == cells


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", [PROJECTOR], indirect=True)
def test_does_seminar_mode_start_fresh_and_fit_a_projector(lab, page, record_property):
    """Item: seminar mode opened on a saved attempt; a decision was 1,381 px tall."""
    from playwright.sync_api import expect

    _open(page, lab, "fixtures/seminar.ipynb")
    _run_all(page)
    start = page.locator(".mhsw-start")
    start.wait_for(timeout=KERNEL_TIMEOUT)  # the start screen, not the saved ending
    assert page.locator(".mhsw-resume").count() == 0
    page.keyboard.press("Escape")
    start.click()
    expect(page.locator(".mhsw-progress")).to_contain_text("Decision 1 ·")
    page.locator(".mhsw-tally-input").first.wait_for()
    visible = page.locator(".jp-NotebookPanel:visible .jp-WindowedPanel-outer").bounding_box()
    screen = page.locator(".mhsw-scenario").bounding_box()
    record_property("seminar decision height (px)", round(screen["height"]))
    record_property("notebook area height (px)", round(visible["height"]))
    print(f"seminar decision screen: {screen['height']:.0f} px in {visible['height']:.0f} px")
    assert screen["height"] <= visible["height"], (
        f"the decision screen is {screen['height']:.0f} px tall; the notebook area at "
        f"1920 x 1080 is {visible['height']:.0f} px"
    )


@pytest.mark.browser
@pytest.mark.slow
def test_does_typing_in_an_answer_cell_put_the_text_in_it(lab, page):
    """Item: writing in text cells was never taught; typing after one click fired shortcuts."""
    from playwright.sync_api import expect

    path = "course/00-start-here/00-start-here.ipynb"
    _open(page, lab, path)
    notebook = page.locator(".jp-NotebookPanel:visible")
    # Opening a notebook does not mark it modified (the kernel's details are already there).
    expect(page.locator("#jp-main-statusbar")).to_contain_text(KERNEL_IDLE, timeout=KERNEL_TIMEOUT)
    expect(_current_tab(page)).not_to_have_class(re.compile("jp-mod-dirty"))
    before = len(json.loads((lab["root"] / path).read_text(encoding="utf-8"))["cells"])
    practice = notebook.locator(".jp-MarkdownCell", has_text="YOUR ANSWER HERE").last
    practice.scroll_into_view_if_needed()
    # What start-here teaches: click the cell once, press Enter to edit. (A double-click shows
    # the text but leaves JupyterLab in command mode, where typing fires shortcuts.)
    practice.click()
    page.keyboard.press("Enter")
    expect(practice.locator(".cm-content")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(PRACTICE_ANSWER)
    page.keyboard.press("Shift+Enter")
    answered = notebook.locator(".jp-MarkdownCell .jp-RenderedMarkdown", has_text=PRACTICE_ANSWER)
    expect(answered).to_have_count(1)
    page.keyboard.press("ControlOrMeta+s")
    expect(_current_tab(page)).not_to_have_class(re.compile("jp-mod-dirty"))
    saved = json.loads((lab["root"] / path).read_text(encoding="utf-8"))
    assert len(saved["cells"]) == before  # no shortcut fired: no cell appeared or vanished
    tagged = [c for c in saved["cells"] if "practice-answer" in c["metadata"].get("tags", [])]
    assert "".join(tagged[0]["source"]) == PRACTICE_ANSWER


@pytest.mark.browser
@pytest.mark.slow
def test_can_a_learner_play_the_fixture_scenario_in_jupyterlab(lab, page, record_property):
    from playwright.sync_api import expect

    from helpers.scenarios import load_scenario

    scenario = load_scenario(SCENARIO)
    route, ending = _plan_route(scenario)
    work: Path = lab["work"]
    trace_path = work / f"mhsw-trace-{scenario.id}.json"
    timings: dict[str, float] = {}
    started = time.perf_counter()

    _open(page, lab, f"fixtures/{NOTEBOOK.name}")
    _run_all(page)
    timings["kernel idle"] = time.perf_counter() - started
    start = page.locator(".mhsw-start")
    start.wait_for(state="visible", timeout=KERNEL_TIMEOUT)
    timings["widget shown"] = time.perf_counter() - started
    expect(page.locator(".mhsw-start-screen")).to_contain_text("Content note:")
    start.click()

    for number, (position, _index, label, asked) in enumerate(route, start=1):
        expect(page.locator(".mhsw-progress")).to_contain_text(f"Decision {number} ·")
        if asked:
            page.locator(".mhsw-rationale textarea").fill(RATIONALE)
        button = page.locator(".mhsw-choice").nth(position)
        expect(button).to_contain_text(label)
        button.click()
        expect(page.locator(".mhsw-feedback")).to_contain_text(label)
        # Keyboard use: the view moves focus to Continue, so Enter carries on.
        expect(page.locator(".mhsw-continue")).to_be_focused()
        page.keyboard.press("Enter")

    debrief = page.locator(".mhsw-debrief")
    debrief.wait_for(state="visible")
    expect(debrief).to_contain_text("Debrief")
    expect(page.locator(".mhsw-ending")).to_contain_text(ending.title)
    expect(page.locator(".mhsw-summary textarea")).to_have_value(re.compile(re.escape(RATIONALE)))
    timings["ending shown"] = time.perf_counter() - started

    assert trace_path.exists(), f"no trace was written in {work}: {sorted(os.listdir(work))}"
    trace = json.loads(trace_path.read_text())
    assert trace["ending"]["id"] == ending.id
    assert [step["label"] for step in trace["steps"]] == [label for _, _, label, _ in route]
    assert RATIONALE in [step["rationale"] for step in trace["steps"]]

    timings["total"] = time.perf_counter() - started
    for name, seconds in timings.items():
        record_property(f"seconds until {name}", round(seconds, 1))
    print(
        "browser test timings (s): "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in timings.items())
    )


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.mark.browser
@pytest.mark.a11y
@pytest.mark.slow
def test_do_the_course_widgets_pass_axe_inside_jupyterlab(lab, page, record_property):
    """axe-core on the course's own output (scenario, seminar mode, quiz, sorting, appraisal).

    JupyterLab's own interface is checked too, but only recorded: its failures are upstream.
    """
    pytest.importorskip("axe_playwright_python", reason="pip install axe-playwright-python")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    _open(page, lab, "fixtures/all-views.ipynb")
    _run_all(page)
    expect(page.locator(".mhsw-activity")).to_have_count(5, timeout=KERNEL_TIMEOUT)
    page.locator(".mhsw-start").first.click()  # a decision screen, not only the start screen
    expect(page.locator(".mhsw-choice").first).to_be_visible()
    axe = Axe()
    ours = axe.run(page, context={"include": [[".mhsw-activity"]]}, options={"runOnly": AXE_TAGS})
    violations = ours.response["violations"]
    whole = axe.run(page, options={"runOnly": AXE_TAGS}).response["violations"]
    upstream = sorted({v["id"] for v in whole} - {v["id"] for v in violations})
    record_property("JupyterLab's own axe failures (upstream)", ", ".join(upstream))
    print("JupyterLab's own axe failures (upstream, recorded not hidden):", upstream)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["html"][:200]) for v in violations]


@pytest.mark.browser
@pytest.mark.a11y
@pytest.mark.slow
def test_can_a_scenario_be_played_to_its_end_with_the_keyboard_alone(lab, page):
    """Tab and Enter only: start, each choice, the rationale, Continue, to the debrief; the
    feedback sits in a live region, and focus moves to Continue after each choice."""
    from playwright.sync_api import expect

    from helpers.scenarios import load_scenario

    scenario = load_scenario(SCENARIO)
    route, ending = _plan_route(scenario)
    _open(page, lab, "fixtures/keyboard-case.ipynb")
    _run_all(page)
    page.locator(".mhsw-start").wait_for(state="visible", timeout=KERNEL_TIMEOUT)
    page.locator(".mhsw-start").focus()  # where Tab from the cell would land
    page.keyboard.press("Enter")
    for position, _index, label, asked in route:
        expect(page.locator(".mhsw-choice").first).to_be_visible()
        if asked:
            for _ in range(40):  # Tab until the rationale box has the focus
                if page.evaluate("!!document.activeElement?.closest('.mhsw-rationale')"):
                    break
                page.keyboard.press("Tab")
            page.keyboard.type(RATIONALE)
        page.locator(".mhsw-choice").first.focus()
        for _ in range(position):
            page.keyboard.press("Tab")
        expect(page.locator(".mhsw-choice").nth(position)).to_be_focused()
        page.keyboard.press("Enter")
        feedback = page.locator(".mhsw-feedback [role=status]")
        expect(feedback).to_contain_text(label)
        expect(page.locator(".mhsw-continue")).to_be_focused()
        page.keyboard.press("Enter")
    expect(page.locator(".mhsw-ending")).to_contain_text(ending.title)
    expect(page.locator(".mhsw-debrief")).to_contain_text("Debrief")
