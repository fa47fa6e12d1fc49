"""The class debrief: traces gathered from a class folder, counted, and reported anonymously."""

from __future__ import annotations

import json
import random
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from helpers.cli import main as mhsw
from helpers.debrief import excerpt, gather_traces, model_path, summarise
from helpers.debrief_report import render_html
from helpers.scenarios import Session, load_scenario
from helpers.traces import save_trace

FILES = Path(__file__).parent / "files" / "scenarios"
FIXTURE = FILES / "fixture-assessment.yaml"
OTHER = FILES / "minimal-good.yaml"
RATIONALE = (
    "I want the least restrictive option first, so I ask the crisis team and the family "
    "before anything else; write to me at jo.bloggs@example.ac.uk or on 07700900123."
)


class StepClock:
    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIXTURE)


def random_walk(scenario, seed: int, finish: bool = True) -> Session:
    """A learner who picks at random (seeded), sometimes stopping early."""
    chooser = random.Random(seed)
    session = Session(scenario, clock=StepClock(5 + seed % 7))
    limit = 60 if finish else chooser.randint(1, 3)
    while not session.finished and session.decisions_made < limit:
        index = chooser.choice([i for i, _ in session.available_choices()])
        session.choose(index, rationale=RATIONALE if session.needs_rationale else None)
    return session


@pytest.fixture(scope="module")
def class_folder(scenario, tmp_path_factory):
    """A class of 28 as nbgrader leaves it, plus one trace of another scenario, a damaged
    file, a notebook that carries its own trace, and a zip of two more learners."""
    root = tmp_path_factory.mktemp("submitted")
    played = []
    for number in range(26):
        session = random_walk(scenario, number, finish=number % 9 != 4)
        folder = root / f"student-{number:02d}-surname{number}" / "m3-amhp-assessment"
        save_trace(session.trace(), folder)
        played.append(session.trace())
    # the same learner's trace inside the notebook as well as beside it: counted once
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("play_scenario(...)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"application/vnd.mhsw.trace+json": played[0], "text/plain": ""}
        )
    ]
    notebook.cells.append(cell)
    nbformat.write(notebook, root / "student-00-surname0" / "m3-amhp-assessment" / "a.ipynb")
    # one learner who uploaded only the notebook
    alone = random_walk(scenario, 101).trace()
    notebook.cells[0].outputs[0]["data"]["application/vnd.mhsw.trace+json"] = alone
    (root / "only-notebook").mkdir()
    nbformat.write(notebook, root / "only-notebook" / "m3-amhp-assessment.ipynb")
    played.append(alone)
    # two more in a zip, as a VLE download
    with zipfile.ZipFile(root / "vle-download.zip", "w") as archive:
        for seed in (201, 202):
            trace = random_walk(scenario, seed).trace()
            archive.writestr(
                f"Learner {seed}_{seed}_assignsubmission_file_/mhsw-trace-{scenario.id}.json",
                json.dumps(trace),
            )
            played.append(trace)
    other = Session(load_scenario(OTHER))
    save_trace(other.trace(), root / "wrong-case")
    (root / "damaged").mkdir()
    (root / "damaged" / f"mhsw-trace-{scenario.id}.json").write_text("{not json", "utf-8")
    return root, played


def test_does_gathering_count_every_trace_once_and_refuse_the_rest(scenario, class_folder):
    root, played = class_folder
    found = gather_traces(root, scenario)
    assert len(found.accepted) == len(played) == 29
    assert found.refused == Counter({"other-scenario": 1, "damaged": 1, "duplicate": 1})


def test_do_the_counts_match_what_the_class_played(scenario, class_folder):
    root, played = class_folder
    debrief = summarise(scenario, gather_traces(root, scenario))
    assert debrief.traces == 29
    assert debrief.finished == sum(1 for t in played if t["ending"])
    expected_choices: Counter = Counter()
    expected_reached: Counter = Counter()
    for trace in played:
        for node in {s["node"] for s in trace["steps"]}:
            expected_reached[node] += 1
        for step in trace["steps"]:
            expected_choices[step["node"], step["choice"]] += 1
    for decision in debrief.decisions:
        assert decision.reached == expected_reached[decision.node_id]
        for index, option in enumerate(decision.options):
            assert option.count == expected_choices[decision.node_id, index]
    endings = Counter(t["ending"]["id"] for t in played if t["ending"])
    assert {e.ending_id: e.count for e in debrief.endings if e.count} == dict(endings)
    taken = Counter(
        tuple(s["node"] for s in t["steps"]) + (t["steps"][-1]["target"],)
        for t in played
        if t["steps"]
    )
    # The most common paths, most common first, each with how many learners took it.
    assert [count for _, count in debrief.paths] == [n for _, n in taken.most_common(5)]
    assert all(taken[path] == count for path, count in debrief.paths)


def test_does_the_report_name_no_learner_file_or_folder(scenario, class_folder, tmp_path):
    root, _ = class_folder
    report = tmp_path / "report.html"
    assert (
        mhsw(["debrief", str(FIXTURE), "--traces", str(root), "-o", str(report), "--rationales"])
        == 0
    )
    html = report.read_text("utf-8")
    for secret in (
        "student-",
        "surname",
        "Learner 201",
        "assignsubmission",
        "only-notebook",
        "jo.bloggs",
        "07700900123",
        "mhsw-trace-",
        str(root),
    ):
        assert secret not in html, secret
    assert "[removed]" in html  # the rationale excerpts were kept, without their identifiers


def test_are_small_counts_hidden_when_asked(scenario, class_folder):
    root, _ = class_folder
    debrief = summarise(scenario, gather_traces(root, scenario), min_count=5)
    html = render_html(debrief)
    small = [o.count for d in debrief.decisions for o in d.options if 0 < o.count < 5]
    assert small, "the generated class should have some rare choices"
    assert "fewer than 5" in html
    assert 'aria-hidden="true"></span>fewer than' not in html  # no bar gives a hidden count away


def test_are_rationales_left_out_unless_asked(scenario, class_folder):
    root, _ = class_folder
    html = render_html(summarise(scenario, gather_traces(root, scenario)))
    assert "least restrictive option first" not in html
    assert "--rationales" in html


def test_is_the_report_well_formed_accessible_html(scenario, class_folder):
    root, _ = class_folder
    html = render_html(summarise(scenario, gather_traces(root, scenario), rationales=True))

    class Checker(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.tables, self.captions, self.external = [], 0, 0, []

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag not in ("meta", "br", "link", "img"):
                self.stack.append(tag)
            self.tables += tag == "table"
            self.captions += tag == "caption"
            for key in ("src", "href"):
                value = attributes.get(key) or ""
                if value.startswith(("http:", "https:", "//")):
                    self.external.append(value)

        def handle_endtag(self, tag):
            assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
            self.stack.pop()

    checker = Checker()
    checker.feed(html)
    assert checker.stack == []
    assert checker.tables and checker.tables == checker.captions
    assert checker.external == []  # self-contained: nothing loaded from elsewhere
    assert '<html lang="en-GB">' in html and "<title>" in html and "<main>" in html


def test_does_the_held_up_path_reach_the_best_ending(scenario):
    path, ending = model_path(scenario)
    assert ending is not None and path[0] == scenario.start and path[-1] == ending
    assert scenario.endings[ending].score == scenario.max_score


def test_does_an_excerpt_drop_contact_details_and_keep_it_short():
    text = excerpt("Call 07700900123 or mail a.b@uni.ac.uk, see https://x.y/z " + "word " * 80)
    assert "07700900123" not in text and "a.b@uni.ac.uk" not in text and "https" not in text
    assert text.endswith("…") and len(text.split()) <= 41


def test_does_a_missing_folder_get_a_clear_message(scenario, tmp_path, capsys):
    code = mhsw(
        [
            "debrief",
            str(FIXTURE),
            "--traces",
            str(tmp_path / "nowhere"),
            "-o",
            str(tmp_path / "r.html"),
        ]
    )
    assert code == 1
    assert "no such folder or file" in capsys.readouterr().err


def test_does_an_empty_class_give_a_report_that_says_so(scenario, tmp_path):
    report = tmp_path / "r.html"
    assert mhsw(["debrief", str(FIXTURE), "--traces", str(tmp_path), "-o", str(report)]) == 0
    assert "No trace of this scenario was found" in report.read_text("utf-8")


def test_does_the_notebook_view_draw_a_titled_chart_per_decision(scenario, class_folder):
    import matplotlib

    matplotlib.use("Agg")
    from helpers.debrief_view import class_debrief, decision_chart

    root, _ = class_folder
    debrief = class_debrief(scenario, root, show=False)
    figure = decision_chart(debrief, 1)
    ax = figure.axes[0]
    assert ax.get_title(loc="left").startswith("1. ") and "learners" in ax.get_xlabel()
    assert len(ax.patches) == len(debrief.decisions[0].options)


@pytest.fixture
def browser_page():
    """A page in Debian's headless Chromium, as the other browser tests start it."""
    from test_browser import CHROMIUM, CHROMIUM_ARGS, _need_chromium

    _need_chromium()
    pytest.importorskip("axe_playwright_python", reason="pip install axe-playwright-python")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.mark.browser
def test_does_the_report_pass_an_axe_check(scenario, class_folder, tmp_path, browser_page):
    from axe_playwright_python.sync_playwright import Axe

    root, _ = class_folder
    report = tmp_path / "report.html"
    report.write_text(
        render_html(
            summarise(scenario, gather_traces(root, scenario), rationales=True, min_count=3)
        ),
        "utf-8",
    )
    browser_page.goto(report.as_uri())
    results = Axe().run(
        browser_page,
        options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"]},
    )
    violations = results.response["violations"]
    assert violations == [], [(v["id"], v["help"]) for v in violations]
