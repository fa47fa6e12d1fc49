"""Stage the course, make the data pages, execute the notebooks and run Sphinx."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from html import escape
from pathlib import Path
from typing import Any

from helpers.site import _pages
from helpers.site._execute import execute_all

CONF = """\
# Sphinx configuration of the course website (written by helpers.site; do not edit here).
project = "Mental health social work: an open Jupyter course"
author = "MHSW course authors"
copyright = "course text CC BY 4.0; code MIT"
root_doc = "README"
language = "en"
extensions = ["myst_nb"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "**/scenarios/**", "**/quizzes/**",
                    "**/activities/**"]
nb_execution_mode = "off"          # executed beforehand, each notebook in its own folder
nb_ipywidgets_js = {}              # widget outputs are replaced by notes: no scripts from CDNs
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "misc.highlighting_failure"]
html_theme = "sphinx_book_theme"
html_title = "Mental health social work (England)"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_extra_path = ["_extra"]
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
}
html_last_updated_fmt = None
# The course has no mathematics; a page that had some would load this local, empty file rather
# than MathJax from a CDN.
mathjax_path = "no-math.js"
"""

CSS = """
/* course additions: readable notes in place of widgets, visible focus, captions */
.mhsw-static-note { border-left: 4px solid #0b5cad; padding: .4rem .8rem; margin: .5rem 0;
                    background: #eef4fb; color: #1b1b1b; }
.mhsw-static-note a { color: #0a4f94; text-decoration: underline; }
details { margin: .4rem 0 1rem; } summary { cursor: pointer; font-weight: 600; }
a:focus-visible, summary:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
table caption { caption-side: top; text-align: left; font-weight: 600; }
"""

REDIRECT = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=README.html">
<title>Mental health social work course</title></head>
<body><main><p><a href="README.html">Open the course index</a>.</p></main></body></html>
"""


def _toctree(entries: list[str]) -> str:
    return "\n```{toctree}\n:hidden:\n\n" + "\n".join(entries) + "\n```\n"


def stage(
    repo: Path, staging: Path, lite_problem: str | None = "not built"
) -> tuple[list[Path], dict[str, str], list[str]]:
    """Copy the course and write the generated pages. Returns the notebooks to execute, the
    map from activity file name to its page, and the top-level sections of the site.
    ``lite_problem`` is None when the practice tier will be built, else why it will not."""
    from helpers.quizzes import load_quiz
    from helpers.scenarios import load_scenario
    from helpers.sorting import load_sorting

    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(
        repo / "course",
        staging,
        ignore=shutil.ignore_patterns(
            ".ipynb_checkpoints", "mhsw-trace-*.json", "__pycache__", "local.yaml"
        ),
    )
    (staging / "_static").mkdir()
    (staging / "_static" / "course.css").write_text(CSS, encoding="utf-8")
    (staging / "_static" / "no-math.js").write_text("", encoding="utf-8")
    extra = staging / "_extra"
    shutil.copytree(
        repo / "data", extra / "data", ignore=shutil.ignore_patterns("scripts", "README.md")
    )
    (extra / "index.html").write_text(REDIRECT, encoding="utf-8")

    pages: dict[str, str] = {}
    modules = sorted(p for p in staging.iterdir() if p.is_dir() and (p / "README.md").exists())
    module_entries: list[str] = []
    for folder in modules:
        entries = [nb.stem for nb in sorted(folder.glob("*.ipynb"))]
        for name in ("lecturer-guide",):
            if (folder / f"{name}.md").exists():
                entries.append(name)
        for kind, loader, writer in (
            ("scenarios", load_scenario, _pages.case_file),
            ("quizzes", load_quiz, _pages.quiz_page),
            ("activities", None, None),
        ):
            for path in sorted((folder / kind).glob("*.yaml")):
                if kind == "activities":
                    text = path.read_text(encoding="utf-8")
                    if "kind: sorting" not in text:
                        continue  # other activity kinds get pages when their writer exists
                    item, write = load_sorting(path), _pages.sorting_page
                else:
                    item, write = loader(path), writer
                target = folder / "pages" / f"{kind}-{path.stem}.md"
                target.parent.mkdir(exist_ok=True)
                target.write_text(write(item), encoding="utf-8")
                pages[path.name] = str(target.relative_to(staging).with_suffix(".html"))
                entries.append(str(target.relative_to(folder).with_suffix("")))
        readme = folder / "README.md"
        text = readme.read_text(encoding="utf-8")
        if any((folder / kind).glob("*.yaml") for kind in ("scenarios", "quizzes", "activities")):
            text += (
                "\n**Practise in your browser:** this module's cases, quiz and activities also "
                "run in your web browser with nothing installed; see "
                "[Practise in your browser](../practice.md).\n"
            )
        readme.write_text(text + _toctree(entries), "utf-8")
        module_entries.append(f"{folder.name}/README")

    # the dataset catalogue
    package = _pages.read_package(repo / "data")
    (staging / "datasets").mkdir()
    (staging / "datasets" / "index.md").write_text(_pages.catalogue_page(package), "utf-8")
    for resource in package["resources"]:
        (staging / "datasets" / f"{resource['name']}.md").write_text(
            _pages.dataset_page(resource), "utf-8"
        )

    for doc in ("accessibility.md",):
        if (repo / "docs" / doc).exists():
            shutil.copy2(repo / "docs" / doc, staging / doc)
    loose = [
        f"{nb.parent.name}/{nb.stem}"
        for nb in sorted(staging.glob("*/*.ipynb"))
        if not (nb.parent / "README.md").exists()
    ]
    (staging / "practice.md").write_text(
        practice_page(staging, modules, lite_problem), encoding="utf-8"
    )
    sections = loose + module_entries + ["practice", "datasets/index"]
    if (staging / "accessibility.md").exists():
        sections.append("accessibility")
    index = staging / "README.md"
    index.write_text(index.read_text(encoding="utf-8") + _toctree(sections), "utf-8")
    _point_links_at_the_site(staging)
    (staging / "conf.py").write_text(CONF, encoding="utf-8")
    notebooks = sorted(staging.glob("*/*.ipynb"))
    return notebooks, pages, sections


def _point_links_at_the_site(staging: Path) -> None:
    """Links to the data README (outside the course folder) go to the dataset catalogue."""
    for page in list(staging.rglob("*.md")) + list(staging.rglob("*.ipynb")):
        depth = len(page.relative_to(staging).parts) - 1
        up = "../" * depth
        text = page.read_text(encoding="utf-8")
        changed = text.replace(f"{up}../data/README.md", f"{up}datasets/index.md")
        if changed != text:
            page.write_text(changed, encoding="utf-8")


def practice_page(staging: Path, modules: list[Path], lite_problem: str | None) -> str:
    """The page that opens the practice tier (or says why this build has none)."""
    from helpers.site.lite import _module_title

    lines = [
        "# Practise in your browser",
        "",
        "Each module's case scenarios, self-check quiz and sorting or appraisal activities also "
        "run inside your web browser, with nothing to install: Python runs in the page itself "
        "(JupyterLite with the Pyodide kernel). Nothing you choose or write is sent anywhere; "
        "the whole practice tier is part of this website.",
        "",
    ]
    kinds = ("scenarios", "quizzes", "activities")
    playable = [m for m in modules if any((m / k).glob("*.yaml") for k in kinds)]
    if lite_problem is None:
        items = "".join(
            f'<li><a href="lite/notebooks/index.html?path={m.name}/practice.ipynb">'
            f"{escape(_module_title(m))}: practice notebook</a></li>"
            for m in playable
        )
        lines += [
            f"<ul>{items}</ul>",
            "",
            '<p>All files of the practice tier: <a href="lite/tree/index.html">the file list'
            "</a> (upload a saved case or download your files there).</p>",
            "",
            "## How it works",
            "",
            "- Python has to start inside the page before the first cell runs: in our tests about "
            "20 to 35 seconds on a shared two-core computer (over a minute when it was very "
            "busy). The kernel indicator at the top right turns from a lightning bolt to a "
            "circle when it is ready.",
            "- Run the cells in order (Shift+Enter, or *Run* then *Run All Cells*). The cases, "
            "quizzes and activities are the same as in JupyterLab and work with the keyboard "
            "alone.",
            "- **Keep your work.** Your decisions and answers are kept inside this browser. The "
            "last cells of each notebook show links that save them as files on your computer "
            "(`mhsw-trace-<case>.json` for each case, `mhsw-answers.json` for the quiz and "
            "activities). In the file list you can also right-click a file and choose "
            "*Download*.",
            "- **Carry on later.** Upload a saved `mhsw-trace-<case>.json` into the module's "
            "folder in the file list, then run the notebook again: the case offers to continue "
            "where you left off. The same file carries on in JupyterLab.",
            "",
            "## What does not run here",
            "",
            "The data notebooks (tables and charts from public reports, with pandas and "
            "matplotlib) and the assessed notebooks need packages that this website cannot "
            "serve to a browser. Use JupyterLab on your own computer (`make lab`) or your "
            "university's JupyterHub for those; every page of this site shows them read-only.",
            "",
            "JupyterLite's own screens (menus, file list) have known accessibility gaps; the "
            "course's activities do not. See [Accessibility](accessibility.md).",
        ]
    else:
        lines += [
            "```{admonition} Not in this copy of the website",
            ":class: note",
            f"This copy was built without the practice tier: {lite_problem}",
            "```",
            "",
            "Meanwhile, play the cases and quizzes in JupyterLab (`make lab`) or on your "
            "university's JupyterHub; every case also has a readable case file on this site.",
        ]
    return "\n".join(lines) + "\n"


_TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
_NAMED_TOGGLE = (
    '<summary aria-label="Show or hide the pages in this section">'
    '<span class="toctree-toggle" role="presentation">'
)


def finish(output: Path) -> None:
    """Mend what the theme leaves: its navigation toggles have no accessible name (WCAG 4.1.2),
    and two template files it copies are not pages."""
    for template in ("webpack-macros.html", "sbt-webpack-macros.html"):
        (output / "_static" / template).unlink(missing_ok=True)
    for page in output.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if _TOGGLE in text:
            page.write_text(text.replace(_TOGGLE, _NAMED_TOGGLE), encoding="utf-8")


def build_site(
    output: Path,
    repo: Path | None = None,
    execute: bool = True,
    jobs: int = 2,
    quiet: bool = True,
    lite: bool = True,
) -> dict[str, Any]:
    """Build the website into ``output``; returns figures and any notebook problems.

    ``lite``: also build the practice tier into ``output/lite`` when its downloads are there
    (``make site-deps``); ``figures["lite_skipped"]`` says why it was not built otherwise."""
    from helpers._paths import repo_root
    from helpers.site import lite as practice

    repo = repo or repo_root()
    if repo is None:
        raise RuntimeError("The website is built from a copy of the course repository.")
    output = Path(output)
    staging = output.parent / (output.name + "-src")
    started = time.perf_counter()
    lite_problem = practice.status(repo) if lite else "it was left out (--no-lite)."
    notebooks, pages, _ = stage(repo, staging, lite_problem)
    problems: list[str] = []
    if execute:
        problems = execute_all(notebooks, staging, pages, jobs=jobs)
    else:
        import nbformat

        from helpers.site._execute import sanitise

        for path in notebooks:
            notebook = nbformat.read(path, as_version=4)
            sanitise(notebook, path, staging, pages)
            nbformat.write(notebook, path)
    executed = time.perf_counter() - started
    if output.exists():
        shutil.rmtree(output)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-j",
        str(max(1, jobs)),
        "-q",
        str(staging),
        str(output),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("Sphinx failed:\n" + (result.stderr or result.stdout)[-4000:])
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    finish(output)
    lite_figures: dict[str, Any] = {}
    if lite_problem is None:
        work = output.parent / (output.name + "-lite")
        lite_figures = practice.build_lite(repo, staging, output / "lite", work)
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    return {
        "lite_skipped": lite_problem,
        "lite_seconds": lite_figures.get("seconds"),
        "lite_bytes": lite_figures.get("bytes"),
        "seconds": round(time.perf_counter() - started, 1),
        "seconds_executing": round(executed, 1),
        "notebooks": len(notebooks),
        "pages": sum(1 for _ in output.rglob("*.html")),
        "bytes": size,
        "problems": problems,
        "warnings": warnings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.site", description=__doc__)
    parser.add_argument("-o", "--output", default="build/site", help="where (build/site)")
    parser.add_argument("--no-execute", action="store_true", help="skip running the notebooks")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (2)")
    parser.add_argument("--no-lite", action="store_true", help="leave out the practice tier")
    args = parser.parse_args(argv)
    figures = build_site(
        Path(args.output), execute=not args.no_execute, jobs=args.jobs, lite=not args.no_lite
    )
    for problem in figures["problems"]:
        print(f"problem: {problem}", file=sys.stderr)
    for warning in figures["warnings"]:
        print(warning, file=sys.stderr)
    print(
        f"Built {figures['pages']} pages from {figures['notebooks']} notebooks in "
        f"{figures['seconds']} s ({figures['bytes'] / 1e6:.1f} MB) into {args.output}/. "
        "Open index.html, or copy the folder to any static web host."
    )
    if figures["lite_skipped"]:
        print(f"Practice tier (lite/) skipped: {figures['lite_skipped']}")
    else:
        print(
            f"Practice tier built in {figures['lite_seconds']} s "
            f"({figures['lite_bytes'] / 1e6:.1f} MB) into {args.output}/lite/: serve the site "
            "over http(s) to use it (python -m http.server -d build/site)."
        )
    return 1 if figures["problems"] else 0
