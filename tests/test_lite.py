"""The practice tier in the browser (JupyterLite): playable with nothing installed and nothing
fetched from outside the site.

The session's website build (tests/conftest.py) holds ``lite/`` when ``make site-deps`` has
fetched what it needs. The built site is served on a free loopback port (stopped by its process
id) and opened in Debian's Chromium with every request outside that origin aborted, and host
names resolved to nothing as well. One page for the module: the practice notebook of module 1
is opened and run; a case is played to an ending with clicks; a quiz question is answered; the
trace and answers are downloaded and the trace is replayed against the case (nothing a student
hands back is trusted); axe checks the course's own output. The cold start (page opened to the
first widget on screen) is printed.

Without the practice tier or Chromium these tests are skipped, saying how to get them, unless
``MHSW_REQUIRE_BROWSER=1`` (CI) makes that a failure. The tests of the prechecked content and
of the generated notebooks run without a browser.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from test_browser import (
    AXE_TAGS,
    CHROMIUM,
    CHROMIUM_ARGS,
    RATIONALE,
    _free_port,
    _need_chromium,
    _plan_route,
)

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "course"
MODULE = "m1-roles"
PAGE_TIMEOUT = 60_000  # milliseconds, each wait in the page
COLD_START_TIMEOUT = 180_000  # Python starting inside the page, on a busy 2-core machine


# ------------------------------------------------------------------ without a browser
def test_does_prechecked_content_load_as_the_yaml_does(tmp_path):
    from helpers._prechecked import write_prechecked
    from helpers.appraisal import load_appraisal
    from helpers.quizzes import load_quiz
    from helpers.scenarios import load_scenario
    from helpers.sorting import load_sorting

    loaders = {"scenario": load_scenario, "quiz": load_quiz, "sorting": load_sorting,
               "appraisal": load_appraisal}  # fmt: skip
    checked = 0
    for source in sorted(COURSE.glob("*/*/*.yaml")):
        target = write_prechecked(source, tmp_path / f"{source.stem}.json")
        kind = json.loads(target.read_text("utf-8"))["kind"]
        from_yaml, from_json = loaders[kind](source), loaders[kind](target)
        # where it was read from is the only difference allowed
        fields = [f.name for f in dataclasses.fields(from_yaml) if f.name != "path"]
        for name in fields:
            assert getattr(from_json, name) == getattr(from_yaml, name), (source.name, name)
        checked += 1
    assert checked >= 20


def test_does_prechecked_content_load_without_yaml_or_jsonschema(tmp_path):
    """In the browser there is no PyYAML, jsonschema, pandas or matplotlib."""
    from helpers._prechecked import write_prechecked

    module = COURSE / MODULE
    case = write_prechecked(module / "scenarios" / "first-contact.yaml", tmp_path / "c.json")
    quiz = write_prechecked(module / "quizzes" / "roles-self-check.yaml", tmp_path / "q.json")
    code = (
        "import sys\n"
        "for name in ('yaml', 'jsonschema', 'pandas', 'matplotlib', 'numpy'):\n"
        "    sys.modules[name] = None\n"
        "from helpers import download_my_work, load_quiz, load_scenario\n"
        "from helpers.scenario_view import build_scenario_view\n"
        f"view = build_scenario_view({str(case)!r}, save=False)\n"
        f"print(view.scenario.id, len(load_quiz({str(quiz)!r}).questions))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("m1-first-contact ")


def test_is_a_file_that_is_not_prechecked_content_refused_in_plain_words(tmp_path):
    from helpers import ContentError, load_scenario

    fake = tmp_path / "case.json"
    fake.write_text(json.dumps({"id": "x", "nodes": {}}), encoding="utf-8")
    with pytest.raises(ContentError, match="not prepared course content"):
        load_scenario(fake)


def test_does_a_trace_made_from_prechecked_content_count_in_jupyterlab(tmp_path):
    """The JSON keeps the YAML's hash, so a browser trace resumes and scores on the YAML."""
    from helpers._prechecked import write_prechecked
    from helpers.scenarios import Session, load_scenario
    from helpers.traces import score_trace

    source = COURSE / MODULE / "scenarios" / "first-contact.yaml"
    browser = load_scenario(write_prechecked(source, tmp_path / "case.json"))
    route, ending = _plan_route(browser)
    session = Session(browser)
    for _position, index, _label, asked in route:
        session.choose(index, rationale=RATIONALE if asked else None)
    trace = session.trace()
    lab = load_scenario(source)
    assert trace["scenario"]["sha256"] == lab.sha256
    assert Session.resume(lab, trace).ending.id == ending.id
    assert score_trace(trace, lab).ending_points > 0


def test_does_each_module_get_a_practice_notebook_in_house_style(tmp_path):
    from helpers.site.lite import write_contents

    notebooks = write_contents(COURSE, tmp_path / "files")
    modules = {p.parent.parent.name for p in COURSE.glob("m*/*/*.yaml")}
    assert set(notebooks) == modules
    for module, relative in notebooks.items():
        notebook = nbformat.read(tmp_path / "files" / relative, as_version=4)
        first, last = notebook.cells[0].source, notebook.cells[-1].source
        assert "**Learning outcomes.**" in first and "**Content note.**" in first
        assert "cannot do" in first and "make lab" in first  # what does not run here
        assert "CC BY 4.0" in last
        code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        assert "import *" not in code and "download_my_work(" in code
        for item in (COURSE / module).glob("*/*.yaml"):
            assert f"/{item.stem}.json" in code, item  # every case, quiz and activity
        for path in re.findall(r'"([^"]+\.json)"', code):
            assert (tmp_path / "files" / module / path).is_file()
        assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


@pytest.mark.slow
def test_do_the_practice_notebooks_run_top_to_bottom(tmp_path):
    """Each module's practice notebook, run in an ordinary kernel on the prechecked files."""
    from helpers.site._execute import execute_all
    from helpers.site.lite import write_contents

    notebooks = write_contents(COURSE, tmp_path / "files")
    paths = [tmp_path / "files" / relative for relative in notebooks.values()]
    assert execute_all(paths, tmp_path / "files", {}, jobs=2, timeout=120) == []


def test_does_download_my_work_offer_the_traces_and_answers(tmp_path):
    import base64

    from helpers import download_my_work, load_quiz
    from helpers.grading._simulate import play
    from helpers.quiz_view import QuizView

    trace = play("m1-first-contact")
    (tmp_path / "mhsw-trace-m1-first-contact.json").write_text(json.dumps(trace), "utf-8")
    (tmp_path / "mhsw-trace-broken.json").write_text("{not json", "utf-8")
    quiz = QuizView(load_quiz(COURSE / MODULE / "quizzes" / "roles-self-check.yaml"))
    quiz.session.answer(quiz.quiz.questions[0].id, [0])
    box = download_my_work(quiz, folder=tmp_path)
    html = box.children[-1].value
    links = dict(re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html))
    assert sorted(links) == ["mhsw-answers.json", "mhsw-trace-m1-first-contact.json"]
    assert json.loads(base64.b64decode(links["mhsw-trace-m1-first-contact.json"])) == trace
    answers = json.loads(base64.b64decode(links["mhsw-answers.json"]))
    assert answers["format"] == "mhsw-answers/1"
    assert answers["activities"][0]["answers"][quiz.quiz.questions[0].id]["chosen"] == ["A"]
    assert (tmp_path / "mhsw-answers.json").is_file()
    with pytest.raises(TypeError, match="play_quiz, play_sorting or play_appraisal"):
        download_my_work(object(), folder=tmp_path)


def test_does_the_site_say_plainly_when_the_practice_tier_was_skipped(tmp_path):
    from helpers.site.build import practice_page
    from helpers.site.lite import status

    problem = status(tmp_path)  # a folder with no .venv-lite/ and no downloads
    assert problem and "make site-deps" in problem and "Python 3.12" in problem
    text = practice_page(tmp_path, [], problem)
    assert "built without the practice tier" in text and "make lab" in text


def test_do_the_site_pages_lead_to_the_practice_tier(site):
    practice = (site / "practice.html").read_text("utf-8")
    modules = sorted({p.parent.parent.name for p in COURSE.glob("m*/*/*.yaml")})
    if not (site / "lite" / "index.html").is_file():
        assert "built without the practice tier" in practice
        return
    for module in modules:
        assert f'href="lite/notebooks/index.html?path={module}/practice.ipynb"' in practice
        assert (site / "lite" / "files" / module / "practice.ipynb").is_file()
        assert "practice.html" in (site / module / "README.html").read_text("utf-8")
    assert "Practise in your browser" in (site / "README.html").read_text("utf-8")  # the menu
    lock = json.loads((site / "lite/static/pyodide-lock/pyodide-lock.json").read_text("utf-8"))
    names = [spec["file_name"] for spec in lock["packages"].values()]
    assert not [n for n in names if re.match(r"^[a-z]+:", n)], "files from outside the site"
    assert not list((site / "lite").rglob("console*.html"))  # Pyodide's CDN-loading demos


# ------------------------------------------------------------------ in Chromium
def _need_lite(site: Path) -> None:
    _need_chromium()
    if (site / "lite" / "index.html").is_file():
        return
    from helpers.site.lite import status

    message = f"The practice tier was not built: {status(REPO) or 'see the build output'}"
    if os.environ.get("MHSW_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (MHSW_REQUIRE_BROWSER=1 makes this a failure).")
    pytest.skip(message)


@pytest.fixture(scope="module")
def served(site):
    """The built site on a free loopback port, stopped by its process id afterwards."""
    _need_lite(site)
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    for _attempt in range(3):  # retried only if another process took the port meanwhile
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
             "--directory", str(site)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"{url}/index.html", timeout=5):
                    break
            except OSError:
                time.sleep(0.2)  # polling while the server starts
        if process.poll() is None:
            break
    else:
        pytest.fail("could not start a web server for the site on a loopback port")
    try:
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def practice(served, tmp_path_factory):
    """Chromium with everything outside the site blocked; module 1's practice notebook open
    and run. Yields the page, the blocked requests and the cold-start time."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PAGE_TIMEOUT)
    blocked: list[str] = []

    def guard(route):
        if route.request.url.startswith(served + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    args = CHROMIUM_ARGS + ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT)
        shot = tmp_path_factory.mktemp("lite") / "page.png"
        try:
            started = time.perf_counter()
            page.goto(f"{served}/lite/notebooks/index.html?path={MODULE}/practice.ipynb")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for()
            # The indicator says "idle" before the kernel exists, "unknown" while Python
            # starts in the page, then "idle" again: run the cells once it is ready (cells
            # run while it starts may be lost).
            indicator = page.locator(".jp-Notebook-ExecutionIndicator").first
            expect(indicator).to_have_attribute("data-status", "unknown")
            expect(indicator).to_have_attribute("data-status", "idle", timeout=COLD_START_TIMEOUT)
            ready = time.perf_counter() - started
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
            page.locator(".mhsw-start").first.wait_for(state="visible", timeout=COLD_START_TIMEOUT)
            cold = time.perf_counter() - started
            print(
                f"practice tier cold start in Chromium: kernel ready {ready:.1f} s, first "
                f"widget {cold:.1f} s after the page was opened"
            )
            yield {"page": page, "blocked": blocked, "cold": cold, "ready": ready, "url": served}
        finally:
            page.screenshot(path=str(shot))
            print(f"screenshot of the practice page: {shot}")
            browser.close()


@pytest.mark.lite
@pytest.mark.browser
@pytest.mark.slow
def test_can_a_case_and_a_quiz_be_played_and_the_work_downloaded(
    practice, tmp_path, record_property
):
    from playwright.sync_api import expect

    from helpers.scenarios import Session, load_scenario
    from helpers.traces import score_trace, validate_trace

    page = practice["page"]
    record_property("cold start to first widget (s)", round(practice["cold"], 1))
    record_property("cold start to kernel ready (s)", round(practice["ready"], 1))
    # the case as the site serves it (prechecked JSON), planned with the engine
    served_case = practice["url"] + f"/lite/files/{MODULE}/cases/care-coordination.json"
    local = tmp_path / "care-coordination.json"
    with urllib.request.urlopen(served_case, timeout=30) as reply:
        local.write_bytes(reply.read())
    scenario = load_scenario(local)
    route, ending = _plan_route(scenario)

    case = page.locator(".mhsw-scenario").first
    case.locator(".mhsw-start").click()
    for number, (position, _index, label, asked) in enumerate(route, start=1):
        expect(case.locator(".mhsw-progress")).to_contain_text(f"Decision {number} ·")
        if asked:
            case.locator(".mhsw-rationale textarea").fill(RATIONALE)
        button = case.locator(".mhsw-choice").nth(position)
        expect(button).to_contain_text(label)
        button.click()
        expect(case.locator(".mhsw-feedback")).to_contain_text(label)
        case.locator(".mhsw-continue").click()
    expect(case.locator(".mhsw-ending")).to_contain_text(ending.title)
    expect(case.locator(".mhsw-debrief")).to_contain_text("Debrief")

    quiz = page.locator(".mhsw-quiz").first
    quiz.locator(".mhsw-options button").first.click()
    quiz.locator(".mhsw-check").click()
    expect(quiz.locator(".mhsw-quiz-feedback")).not_to_be_empty()

    # Run the "keep your work" cell again now that there is work to keep.
    cell = page.locator(".jp-CodeCell", has_text="download_my_work(").first
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    trace_link = page.locator(f"a.mhsw-download[download='mhsw-trace-{scenario.id}.json']")
    expect(trace_link).to_be_visible()
    with page.expect_download() as download:
        trace_link.click()
    saved = tmp_path / "trace.json"
    download.value.save_as(saved)
    with page.expect_download() as answers_download:
        page.locator("a.mhsw-download[download='mhsw-answers.json']").click()
    answers_download.value.save_as(tmp_path / "answers.json")

    trace = json.loads(saved.read_text("utf-8"))  # a student's file: checked, then replayed
    validate_trace(trace)
    lab_case = load_scenario(COURSE / MODULE / "scenarios" / "care-coordination.yaml")
    assert Session.resume(lab_case, trace).ending.id == ending.id
    assert RATIONALE in [step.get("rationale") for step in trace["steps"]]
    assert score_trace(trace, lab_case).ending_points > 0
    answers = json.loads((tmp_path / "answers.json").read_text("utf-8"))
    quiz_answers = [a for a in answers["activities"] if a["kind"] == "quiz"][0]["answers"]
    assert list(quiz_answers.values())[0]["chosen"] == ["A"]
    assert practice["blocked"] == [], practice["blocked"][:10]


@pytest.mark.lite
@pytest.mark.browser
@pytest.mark.slow
def test_can_a_saved_trace_be_uploaded_and_the_case_carried_on(practice, tmp_path):
    """A trace saved earlier (one decision made) is uploaded in the file list; running the
    case's cell again offers to continue it, and it continues at the next decision."""
    from playwright.sync_api import expect

    from helpers.scenarios import Session, load_scenario

    page = practice["page"]
    served_case = practice["url"] + f"/lite/files/{MODULE}/cases/first-contact.json"
    local = tmp_path / "first-contact.json"
    with urllib.request.urlopen(served_case, timeout=30) as reply:
        local.write_bytes(reply.read())
    scenario = load_scenario(local)
    session = Session(scenario)
    (index, _choice), *_ = session.available_choices()
    session.choose(index, rationale=RATIONALE if session.rationale_prompt else None)
    saved = tmp_path / f"mhsw-trace-{scenario.id}.json"
    saved.write_text(json.dumps(session.trace()), encoding="utf-8")

    files = page.context.new_page()
    try:
        files.goto(f"{practice['url']}/lite/tree/index.html")
        files.locator(".jp-DirListing-item", has_text=MODULE).first.dblclick()
        expect(files.locator(".jp-DirListing-item", has_text="practice.ipynb")).to_be_visible()
        with files.expect_file_chooser() as chooser:
            files.locator("jp-button[title='Upload Files']").first.click()
        chooser.value.set_files(str(saved))
        expect(files.locator(".jp-DirListing-item", has_text=saved.name)).to_be_visible()
    finally:
        files.close()

    cell = page.locator(".jp-CodeCell", has_text="case_2 = play_scenario(").first
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    case = page.locator(".mhsw-scenario").nth(1)
    expect(case.locator(".mhsw-resume-screen")).to_contain_text("You have made 1 decision")
    case.locator(".mhsw-resume").click()
    expect(case.locator(".mhsw-progress")).to_contain_text("Decision 2 ·")
    assert practice["blocked"] == [], practice["blocked"][:10]


@pytest.mark.lite
@pytest.mark.a11y
@pytest.mark.browser
@pytest.mark.slow
def test_does_the_course_output_in_the_practice_tier_pass_axe(practice, record_property):
    """axe-core on the course's widgets in JupyterLite; JupyterLite's own screens are
    recorded, not hidden (their failures are upstream)."""
    pytest.importorskip("axe_playwright_python", reason="pip install axe-playwright-python")
    from axe_playwright_python.sync_playwright import Axe

    page = practice["page"]
    axe = Axe()
    ours = axe.run(page, context={"include": [[".mhsw-activity"]]}, options={"runOnly": AXE_TAGS})
    violations = ours.response["violations"]
    whole = axe.run(page, options={"runOnly": AXE_TAGS}).response["violations"]
    ours_ids = {v["id"] for v in violations}
    upstream = {v["id"]: v["nodes"][0]["html"][:120] for v in whole if v["id"] not in ours_ids}
    record_property("JupyterLite's own axe failures (upstream)", ", ".join(sorted(upstream)))
    print("JupyterLite's own axe failures (upstream, recorded not hidden):", upstream)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["html"][:200]) for v in violations]
    assert practice["blocked"] == [], practice["blocked"][:10]
