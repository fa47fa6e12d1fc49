"""A real class on a real JupyterHub, live on loopback: the reference deployment in deploy/hub/.

One hub is set up with ``deploy/hub/mhsw_hub.py`` (the documented commands) in a temporary
folder, with its own PostgreSQL, two students and one marker, each a Unix account. The whole
cycle then runs through the hub, as the people would do it:

* the lecturer releases ``sample-assignment`` (``mhsw release`` as the course account, then
  nbgrader's release through the formgrader service, as a marker);
* each student fetches it through their own server, writes answers, plays the assessed
  scenario in their own kernel (its decision trace is saved beside the notebook), runs
  ``check_my_work()`` and submits;
* the marker collects through the formgrader service; ``mhsw grade`` grades as root with
  student code running as the unprivileged sandbox account, into the PostgreSQL gradebook;
  feedback is written, released, and each student fetches their own.

Needs root, PostgreSQL, configurable-http-proxy (npm) and a Python every account can run;
without them it is skipped with what to install, or fails when ``MHSW_REQUIRE_HUB=1``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "hub"))

import live  # noqa: E402
import mhsw_hub  # noqa: E402

from helpers.grading._simulate import RATIONALE, SAMPLE_CORRECT, _find_path, play  # noqa: E402

pytestmark = [pytest.mark.hub, pytest.mark.slow]

ASSIGNMENT = "sample-assignment"
SCENARIO = "m3-mha-assessment"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
WRONG_Q1 = "q1_total = 100  # passes the visible tests, not the hidden one"


def _requirements() -> None:
    missing = live.missing_requirements()
    if not missing:
        return
    message = "The live hub test needs: " + "; ".join(missing)
    if os.environ.get("MHSW_REQUIRE_HUB") == "1":
        pytest.fail(message + " (MHSW_REQUIRE_HUB=1: it may not be skipped)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def hub():
    _requirements()
    with live.trial_hub(students=["sa", "sb"], markers=["mk"]) as trial:
        yield trial


@pytest.fixture(scope="module")
def ops(hub):
    return live.HubClient(hub.url, hub.settings.secret("ops-token"))


def _formgrader(hub, token: str, method: str, path: str):
    import requests

    return requests.request(
        method,
        f"{hub.url}/services/{hub.course.id}/formgrader/api{path}",
        headers={"Authorization": f"token {token}"},
        timeout=120,
    )


def _scenario_driver() -> str:
    """Code a student's kernel runs to play the assessed scenario through its widgets."""
    from helpers.scenarios import find_scenario, load_scenario

    path = _find_path(load_scenario(find_scenario(SCENARIO)), True)
    return f"""
scenario.start_button.click()
for index in {path!r}:
    if scenario.session.rationale_prompt:
        scenario.rationale_box.value = {RATIONALE!r}
    assert scenario.choose(index), scenario.message.value
    scenario.continue_button.click()
print(scenario.screen, scenario.saved_path)
"""


_PROBES = """
import os, pwd
def probe(action):
    try:
        action()
        return "allowed"
    except PermissionError:
        return "refused"
print("me:", pwd.getpwuid(os.getuid()).pw_name)
print("other:", probe(lambda: os.listdir({other!r})))
print("solutions:", probe(lambda: os.listdir({solutions!r})))
print("gradebook:", probe(lambda: open({gradebook!r}).read()))
print("inbound:", probe(lambda: os.listdir({inbound!r})))
"""


@pytest.fixture(scope="module")
def cycle(hub, ops):
    """Run the whole class cycle once; the tests below check its results."""
    timings = {}
    started = time.monotonic()
    course, python = hub.course, str(hub.settings.python)
    students = course.students
    marker = course.markers[0]
    answers = {
        students[0]: SAMPLE_CORRECT,
        students[1]: dict(SAMPLE_CORRECT, **{"q1-answer": WRONG_Q1}),
    }
    for user in students:
        ops.start_server(user)

    # The lecturer: record the assignment in the gradebook, then release it to the exchange.
    hub.as_user(course.grader, [python, "-m", "helpers", "release", ASSIGNMENT], cwd=course.folder)
    marker_token = ops.user_token(marker)
    released = _formgrader(hub, marker_token, "POST", f"/assignment/{ASSIGNMENT}/release")
    assert released.status_code == 200 and released.json()["success"], released.text
    timings["release"] = time.monotonic() - started

    sessions, outputs = {}, {}
    for user in students:
        ops.wait_ready(user)
        sessions[user] = live.UserSession(hub.url, user, ops.user_token(user))
    timings["servers ready"] = time.monotonic() - started
    for user, session in sessions.items():
        listed = session.request("GET", f"/assignments?course_id={course.id}").json()
        assert [a["assignment_id"] for a in listed["value"]] == [ASSIGNMENT], listed
        data = {"assignment_id": ASSIGNMENT, "course_id": course.id}
        session.request("POST", "/assignments/fetch", data=data)
        fetched = nbformat.from_dict(session.read_file(NOTEBOOK)["content"])
        from helpers.grading._simulate import answered

        session.put_notebook(NOTEBOOK, answered(fetched, answers[user]))

    # Live voting: the marker, who leads the seminar, opens a vote on the case's first
    # decision; the students' choices in their own servers reach it anonymously.
    from helpers.scenarios import find_scenario, load_scenario

    first = load_scenario(find_scenario(SCENARIO)).start
    seminar = hub.settings.state_dir / "seminar"
    hub.as_user(marker, [python, "-c", (
        "from helpers.live_vote import LiveVote\n"
        f"vote = LiveVote({str(seminar)!r}, {SCENARIO!r}); vote.new_round(); vote.open({first!r})"
    )], cwd="/tmp")
    kernels = {user: session.kernel(NOTEBOOK) for user, session in sessions.items()}
    other = {students[0]: students[1], students[1]: students[0]}
    for user, kernel in kernels.items():
        out = outputs[user] = []
        notebook = nbformat.from_dict(sessions[user].read_file(NOTEBOOK)["content"])
        for cell in notebook.cells:
            if cell.cell_type != "code" or "check_my_work()" in cell.source:
                continue
            if "q4-trace" == cell.metadata.get("nbgrader", {}).get("grade_id"):
                out.append(kernel.run(_scenario_driver()))
            out.append(kernel.run(cell.source))
        out.append(kernel.run("check_my_work()", timeout=180))
        probes = _PROBES.format(
            other=str(hub.settings.home_base / other[user]),
            solutions=str(course.folder / "solutions"),
            gradebook=str(course.folder / ".gradebook-url"),
            inbound=str(hub.settings.exchange / course.id / "inbound"),
        )
        votes = str(seminar / SCENARIO / "votes")
        probes += f"print('votes:', probe(lambda: os.listdir({votes!r})))\n"
        out.append(kernel.run(probes))
        kernel.close()
    timings["students worked"] = time.monotonic() - started
    tally = hub.as_user(marker, [python, "-c", (
        "from helpers.live_vote import LiveVote\n"
        f"vote = LiveVote({str(seminar)!r}, {SCENARIO!r})\n"
        f"print(sum(vote.tally({first!r}, 1, 10).values()))"
    )], cwd="/tmp")
    for session in sessions.values():
        data = {"assignment_id": ASSIGNMENT, "course_id": course.id}
        submitted = session.request("POST", "/assignments/submit", data=data).json()
        assert submitted["success"], submitted

    # The marker collects through the formgrader service; grading runs as root.
    collected = _formgrader(hub, marker_token, "POST", f"/assignment/{ASSIGNMENT}/collect")
    assert collected.status_code == 200 and collected.json()["success"], collected.text
    graded = subprocess.run(
        [python, "-m", "helpers", "grade", ASSIGNMENT, "--quiet", "--timeout", "15"],
        cwd=course.folder,
        capture_output=True,
        text=True,
        env=dict(os.environ, PATH=f"{Path(python).parent}:/usr/bin:/bin"),
    )
    timings["graded"] = time.monotonic() - started
    hub.as_user(course.grader, [python, "-m", "helpers", "feedback", ASSIGNMENT], cwd=course.folder)
    fed = _formgrader(hub, marker_token, "POST", f"/assignment/{ASSIGNMENT}/release_feedback")
    assert fed.status_code == 200 and fed.json()["success"], fed.text
    feedback = {}
    for user, session in sessions.items():
        data = {"assignment_id": ASSIGNMENT, "course_id": course.id}
        session.request("POST", "/assignments/fetch_feedback", data=data)
        folder = session.read_file(f"{ASSIGNMENT}/feedback")["content"]
        pages = []
        for stamp in folder:
            for item in session.read_file(stamp["path"])["content"]:
                if item["name"].endswith(".html"):
                    pages.append(session.read_file(item["path"])["content"])
        feedback[user] = pages
    timings["feedback fetched"] = time.monotonic() - started
    print("hub cycle timings (s):", {k: round(v, 1) for k, v in timings.items()})
    return {
        "outputs": outputs,
        "graded": graded,
        "feedback": feedback,
        "sessions": sessions,
        "marker_token": marker_token,
        "votes": int(tally.stdout.strip().splitlines()[-1]),
    }


def _psql(hub, sql: str) -> list[list[str]]:
    course = hub.course
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-h", str(hub.postgres.socket_dir),
         "-p", str(hub.postgres.port), "-d", course.database, "-AtF", "|", "-c", sql],
        capture_output=True, text=True, check=True, cwd="/",
    )  # fmt: skip
    return [line.split("|") for line in done.stdout.strip().splitlines()]


def _expected_trace_marks(defensible: bool) -> float:
    from helpers.scenarios import find_scenario
    from helpers.traces import score_trace

    score = score_trace(play(SCENARIO, defensible=defensible), find_scenario(SCENARIO))
    return round(4 * score.points / score.max_points, 2)


def test_does_each_student_work_in_their_own_server_as_themselves(hub, cycle):
    for user, out in cycle["outputs"].items():
        errors = [o for o in out if o["error"]]
        assert not errors, f"{user}: {errors}"
        text = "".join(o["stdout"] for o in out)
        assert f"me: {user}" in text
        assert "ending" in text and "mhsw-trace-m3-mha-assessment.json" in text
        assert "No problems found. You can submit this notebook." in text, text[-2000:]


def test_does_each_students_choice_reach_the_lecturers_live_vote_once(cycle):
    assert cycle["votes"] == len(cycle["outputs"])  # one vote per student, none lost


def test_can_a_student_not_read_other_students_solutions_or_the_gradebook(cycle):
    for user, out in cycle["outputs"].items():
        text = out[-1]["stdout"]
        for what in ("other", "solutions", "gradebook", "inbound", "votes"):
            assert f"{what}: refused" in text, f"{user} could reach {what}:\n{text}"


def test_do_students_get_no_formgrader_and_markers_get_the_course_service(hub, cycle):
    student = next(iter(cycle["sessions"].values()))
    assert student.request("GET", "/formgrader", ok=(404,)).status_code == 404
    denied = _formgrader(hub, student.token, "GET", "/assignments")
    assert denied.status_code == 403, denied.status_code
    allowed = _formgrader(hub, cycle["marker_token"], "GET", "/assignments")
    assert allowed.status_code == 200
    assignments = {a["name"]: a for a in allowed.json()}
    assert assignments[ASSIGNMENT]["num_submissions"] == 2  # read from the PostgreSQL gradebook


def test_are_the_marks_right_and_in_the_postgresql_gradebook(hub, cycle):
    graded = cycle["graded"]
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "student code ran as the unprivileged account 'mhsw-sandbox'" in graded.stdout
    rows = _psql(
        hub,
        "SELECT sa.student_id, bc.name, g.auto_score FROM grade g "
        "JOIN submitted_notebook sn ON g.notebook_id = sn.id "
        "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
        "JOIN base_cell bc ON g.cell_id = bc.id ORDER BY 1, 2",
    )
    scores = {(student, cell): score for student, cell, score in rows}
    good, weak = hub.course.students
    full = {"q1-tests": 2.0, "q2-tests": 2.0, "q4-trace": 4.0}
    for cell, points in full.items():
        assert float(scores[(good, cell)]) == points, (good, cell, scores)
    assert float(scores[(weak, "q1-tests")]) == 0.0  # the hidden test catches the wrong total
    assert float(scores[(weak, "q2-tests")]) == 2.0
    assert float(scores[(weak, "q4-trace")]) == 4.0
    assert scores[(good, "q3-answer")] == ""  # a written answer, left for the tutor
    # nbgrader may quietly keep a SQLite gradebook (nbgrader issue 1661): there must be none.
    assert not list(hub.course.folder.rglob("*.db")), list(hub.course.folder.rglob("*.db"))
    assert mhsw_hub.check(hub.settings) == []


def test_does_each_student_fetch_only_their_own_feedback(hub, cycle):
    good, weak = hub.course.students
    feedback = cycle["feedback"]
    assert len(feedback[good]) == 1 and len(feedback[weak]) == 1
    hidden_message = "q1_total is not the number of answers to Q1"
    assert hidden_message in feedback[weak][0]
    assert hidden_message not in feedback[good][0]
    for page in feedback[good] + feedback[weak]:
        assert "BEGIN HIDDEN TESTS" not in page


def test_can_someone_log_in_with_the_hub_password_and_not_without(hub):
    import requests

    user = hub.course.students[0]
    for password, expected in ((hub.settings.secret("dummy-password"), True), ("wrong", False)):
        browser = requests.Session()
        browser.get(f"{hub.url}/hub/login", timeout=30)
        answer = browser.post(
            f"{hub.url}/hub/login",
            data={"username": user, "password": password, "_xsrf": browser.cookies["_xsrf"]},
            allow_redirects=False,
            timeout=30,
        )
        logged_in = answer.status_code == 302 and "jupyterhub-hub-login" in browser.cookies
        assert logged_in == expected, (password == "wrong", answer.status_code)


def test_can_the_gradebook_be_backed_up_and_restored_with_pg_dump(hub, cycle):
    """The backup commands in docs/deploy-hub.md, on the live gradebook."""
    course = hub.course
    dump = hub.base / "gradebook.dump"
    where = ["-h", str(hub.postgres.socket_dir), "-p", str(hub.postgres.port)]
    as_postgres = ["runuser", "-u", "postgres", "--"]
    with open(dump, "wb") as out:
        subprocess.run(
            [*as_postgres, "pg_dump", *where, "-Fc", course.database],
            stdout=out, check=True, cwd="/",
        )  # fmt: skip
    os.chmod(dump, 0o644)
    restored = f"{course.database}_restore_check"
    subprocess.run([*as_postgres, "createdb", *where, restored], check=True, cwd="/")
    subprocess.run(
        [*as_postgres, "pg_restore", *where, "--no-owner", "-d", restored, str(dump)],
        check=True, cwd="/",
    )  # fmt: skip
    done = subprocess.run(
        [*as_postgres, "psql", *where, "-d", restored, "-Atc",
         "SELECT student_id FROM submitted_assignment ORDER BY 1"],
        capture_output=True, text=True, check=True, cwd="/",
    )  # fmt: skip
    assert done.stdout.split() == sorted(course.students)
