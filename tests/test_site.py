"""The course website: every module, notebook, dataset and scenario has a page; nothing is
loaded from outside the site; links resolve; the build needs no network; pages pass axe."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from html.parser import HTMLParser
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from conftest import offline_prefix

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "course"

pytestmark = pytest.mark.slow


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []  # things the browser fetches to show the page
        self.links: list[str] = []  # places a reader can go

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video") and attributes.get("src"):
            self.loads.append(attributes["src"])
        if tag == "link" and attributes.get("href"):
            self.loads.append(attributes["href"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _pages(site: Path, lite: bool = True) -> list[Path]:
    """The site's pages; ``lite=False`` leaves out the practice tier's JupyterLite screens
    (tests/test_lite.py checks those, scoped to the course's own output)."""
    pages = sorted(site.rglob("*.html"))
    return [p for p in pages if lite or p.relative_to(site).parts[0] != "lite"]


def test_was_the_site_built_with_no_network(site):
    if not offline_prefix():
        pytest.skip("cannot cut the network here (needs root and unshare); built normally")
    assert (site / "README.html").exists()


def test_does_every_module_notebook_dataset_and_scenario_have_a_page(site):
    import json

    expected = [site / "README.html", site / "index.html", site / "datasets" / "index.html"]
    for notebook in COURSE.glob("*/*.ipynb"):
        expected.append(site / notebook.parent.name / f"{notebook.stem}.html")
    for readme in COURSE.glob("*/README.md"):
        expected.append(site / readme.parent.name / "README.html")
        if (readme.parent / "lecturer-guide.md").exists():
            expected.append(site / readme.parent.name / "lecturer-guide.html")
    for scenario in COURSE.glob("*/scenarios/*.yaml"):
        expected.append(site / scenario.parts[-3] / "pages" / f"scenarios-{scenario.stem}.html")
    for quiz in COURSE.glob("*/quizzes/*.yaml"):
        expected.append(site / quiz.parts[-3] / "pages" / f"quizzes-{quiz.stem}.html")
    package = json.loads((REPO / "data" / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        expected.append(site / "datasets" / f"{resource['name']}.html")
        expected.append(site / "data" / resource["path"])
    missing = [str(p.relative_to(site)) for p in expected if not p.exists()]
    assert missing == []


def test_does_no_page_load_anything_from_outside_the_site(site):
    outside = {}
    for page in _pages(site):
        loads = [u for u in _parse(page).loads if urlparse(u).scheme or u.startswith("//")]
        loads = [u for u in loads if not u.startswith(("data:", "file:"))]
        if loads:
            outside[str(page.relative_to(site))] = loads
    assert outside == {}


def test_does_every_link_inside_the_site_lead_somewhere(site):
    broken = []
    for page in _pages(site):
        for href in _parse(page).links:
            parsed = urlparse(href)
            if parsed.scheme or href.startswith(("#", "//", "mailto:")) or not parsed.path:
                continue
            target = (page.parent / unquote(parsed.path)).resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert broken == []


def test_does_a_case_file_show_every_decision_and_ending(site):
    from helpers.scenarios import load_scenario

    for path in COURSE.glob("*/scenarios/*.yaml"):
        scenario = load_scenario(path)
        page = site / path.parts[-3] / "pages" / f"scenarios-{path.stem}.html"
        text = page.read_text("utf-8")
        for item in list(scenario.nodes.values()) + list(scenario.endings.values()):
            title = item.title.replace("&", "&amp;").replace("'", "&#8217;")
            assert title.split(":")[0].replace("'", "&#8217;") in text or item.id in text, (
                path.name,
                item.id,
            )
        assert "Content note" in text and "Debrief" in text


def test_are_quiz_answers_behind_a_disclosure(site):
    from helpers.quizzes import load_quiz

    for path in COURSE.glob("*/quizzes/*.yaml"):
        quiz = load_quiz(path)
        text = (site / path.parts[-3] / "pages" / f"quizzes-{path.stem}.html").read_text("utf-8")
        assert text.count("<details><summary>Show the answer") == len(quiz.questions)


def test_does_a_widget_note_link_to_the_activity_page_from_the_notebook_folder(tmp_path):
    from helpers.site._execute import WIDGET_MIME, sanitise

    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('view = play_scenario("scenarios/mha-assessment.yaml")')
    widget = {WIDGET_MIME: {"model_id": "x", "version_major": 2}, "text/plain": "VBox()"}
    cell.outputs = [nbformat.v4.new_output("display_data", data=widget)] * 2
    notebook.cells.append(cell)
    pages = {"mha-assessment.yaml": "m3-amhp/pages/scenarios-mha-assessment.html"}
    assert sanitise(notebook, tmp_path / "m3-amhp" / "02.ipynb", tmp_path, pages) == 2
    (note,) = notebook.cells[0].outputs  # one note, however many widgets the cell showed
    assert 'href="pages/scenarios-mha-assessment.html"' in note["data"]["text/html"]
    assert "a branching case scenario" in note["data"]["text/html"]


def test_does_executing_a_notebook_for_the_site_keep_its_outputs_and_drop_widgets(tmp_path):
    from helpers.site._execute import WIDGET_MIME, execute_all

    folder = tmp_path / "m9"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("print('figures: 43,361')"),
        nbformat.v4.new_code_cell(
            "import ipywidgets\n"
            '# play_scenario("scenarios/case.yaml") would show this\n'
            "ipywidgets.Button(description='Start')"
        ),
    ]
    nbformat.write(notebook, folder / "01.ipynb")
    problems = execute_all([folder / "01.ipynb"], tmp_path, {}, jobs=1, timeout=120)
    assert problems == []
    ran = nbformat.read(folder / "01.ipynb", as_version=4)
    assert "43,361" in ran.cells[0].outputs[0]["text"]
    data = ran.cells[1].outputs[0]["data"]
    assert WIDGET_MIME not in data and "Interactive here" in data["text/html"]


def _axe_pages(pages: list[str]) -> dict[str, list[str]]:
    """axe-core's WCAG A and AA rules on each page, in one headless Chromium, with every
    request outside the site blocked. Returns ``{rule: [pages that fail it]}``."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    axe = Axe()
    failures: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort()
                       if not route.request.url.startswith("file:") else route.continue_())
            for html in pages:
                page.goto(Path(html).as_uri())
                result = axe.run(page, options={
                    "resultTypes": ["violations"],
                    "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
                })
                for violation in result.response["violations"]:
                    failures.setdefault(violation["id"], []).append(html)
        finally:
            browser.close()
    return failures


@pytest.mark.a11y
@pytest.mark.browser
def test_does_every_site_page_pass_axe(site):
    """WCAG 2.2 AA rules of axe-core, on every page, in Debian's Chromium."""
    from test_browser import _need_chromium

    _need_chromium()
    pytest.importorskip("axe_playwright_python", reason="pip install axe-playwright-python")
    pages = [
        str(html) for html in _pages(site, lite=False)
        if 'http-equiv="refresh"' not in html.read_text("utf-8")  # index.html only redirects
    ]
    # Two browsers side by side (axe is CPU-bound; the machine has two cores).
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        parts = list(pool.map(_axe_pages, [pages[0::2], pages[1::2]]))
    failures: dict[str, list[str]] = {}
    for part in parts:
        for rule, found in part.items():
            failures.setdefault(rule, []).extend(
                str(Path(page).relative_to(site)) for page in found
            )
    assert failures == {}, {k: v[:5] for k, v in failures.items()}
