"""End to end in a real browser: JupyterLab in headless Chromium plays the fixture scenario.

What it proves that the widget tests cannot: the notebook runs in a real kernel, the widgets
render in JupyterLab, clicks and typing reach the kernel, the ending and debrief appear, and the
decision trace is written beside the notebook.

How it stays reliable:
* its own JupyterLab server on a free port, with its own settings, workspace, runtime and config
  folders under ``tmp_path`` (no user state leaks in, news and update checks off), stopped in
  the fixture's teardown;
* a known token; the test polls ``/api/status`` until the server answers;
* the route is planned with the engine first, so each click is known in advance;
* Continue is pressed with the Enter key once it has the focus, which also checks that the
  view moves keyboard focus sensibly;
* every wait is on a selector or on text (the status bar saying the kernel is idle: the
  toolbar's indicator already says "idle" before a kernel exists; ``.mhsw-progress`` showing
  "Decision n", ``.mhsw-continue``, ``.mhsw-debrief``), never a fixed sleep, with generous
  timeouts; the only retry is starting the server again if another process took the port
  between choosing it and binding it.

Needs ``/usr/bin/chromium`` (Debian: ``sudo apt-get install chromium``); it never downloads a
browser. Without it the test is skipped, unless ``MHSW_REQUIRE_BROWSER=1`` makes that a failure.
Run it with ``pytest -m browser tests/test_browser.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "files" / "notebooks" / "play-fixture-scenario.ipynb"
SCENARIO = HERE / "files" / "scenarios" / "fixture-assessment.yaml"
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
SERVER_START_TIMEOUT = 90  # seconds
UI_TIMEOUT = 60_000  # milliseconds, for each wait in the page
KERNEL_TIMEOUT = 120_000  # a cold kernel on a busy machine can be slow to start
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\) \| Idle")


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
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _quiet_settings(settings_dir: Path) -> None:
    """User settings that switch off JupyterLab's news and update notifications."""
    plugin = settings_dir / "@jupyterlab" / "apputils-extension"
    plugin.mkdir(parents=True, exist_ok=True)
    (plugin / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )


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


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server of our own, serving a work folder under ``tmp_path``."""
    _need_chromium()
    pytest.importorskip(
        "playwright.sync_api",
        reason="pip install playwright (no browser "
        "download needed: the test uses /usr/bin/chromium)",
    )
    work = tmp_path / "work"
    work.mkdir()
    settings = tmp_path / "lab-settings"
    _quiet_settings(settings)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        JUPYTER_NO_CONFIG="1",
    )
    log_path = tmp_path / "jupyterlab.log"
    process = None
    url = ""
    for _attempt in range(3):  # retried only if the chosen port was taken meanwhile
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = log_path.open("a")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--allow-root",
                "--ServerApp.open_browser=False",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={TOKEN}",
                f"--ServerApp.root_dir={work}",
                f"--LabApp.user_settings_dir={settings}",
                f"--LabApp.workspaces_dir={tmp_path / 'lab-workspaces'}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ],
            cwd=work,
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
    try:
        yield {"url": url, "work": work, "log": log_path}
    finally:
        _stop(process)


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
def test_can_a_learner_play_the_fixture_scenario_in_jupyterlab(lab, tmp_path, record_property):
    from playwright.sync_api import expect, sync_playwright

    from helpers.scenarios import load_scenario

    scenario = load_scenario(SCENARIO)
    route, ending = _plan_route(scenario)
    work: Path = lab["work"]
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    shutil.copy(SCENARIO, work / SCENARIO.name)
    trace_path = work / f"mhsw-trace-{scenario.id}.json"
    timings: dict[str, float] = {}
    started = time.perf_counter()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(UI_TIMEOUT)
            try:
                page.goto(
                    f"{lab['url']}/lab/tree/{NOTEBOOK.name}?token={TOKEN}",
                    wait_until="domcontentloaded",
                )
                # The toolbar's indicator says "idle" before any kernel exists; the status bar
                # names the kernel and its state, so wait for the kernel itself to be idle.
                expect(page.locator("#jp-main-statusbar")).to_contain_text(
                    KERNEL_IDLE, timeout=KERNEL_TIMEOUT
                )
                timings["kernel idle"] = time.perf_counter() - started

                page.locator(".jp-Notebook .jp-Cell").first.click()  # focus the notebook
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
                page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
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
                expect(page.locator(".mhsw-summary textarea")).to_have_value(
                    re.compile(re.escape(RATIONALE))
                )
                timings["ending shown"] = time.perf_counter() - started
            finally:
                page.screenshot(path=str(tmp_path / "jupyterlab-scenario.png"), full_page=True)
        finally:
            browser.close()

    assert trace_path.exists(), f"no trace was written in {work}: {sorted(os.listdir(work))}"
    trace = json.loads(trace_path.read_text())
    assert trace["ending"]["id"] == ending.id
    assert [step["label"] for step in trace["steps"]] == [label for _, _, label, _ in route]
    assert RATIONALE in [step["rationale"] for step in trace["steps"]]
    assert (tmp_path / "jupyterlab-scenario.png").stat().st_size > 0

    timings["total"] = time.perf_counter() - started
    for name, seconds in timings.items():
        record_property(f"seconds until {name}", round(seconds, 1))
    print(
        "browser test timings (s): "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in timings.items())
    )
