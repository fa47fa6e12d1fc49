"""Stage the course, make the data pages, execute the notebooks and run Sphinx."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

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


def stage(repo: Path, staging: Path) -> tuple[list[Path], dict[str, str], list[str]]:
    """Copy the course and write the generated pages. Returns the notebooks to execute, the
    map from activity file name to its page, and the top-level sections of the site."""
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
        readme.write_text(readme.read_text(encoding="utf-8") + _toctree(entries), "utf-8")
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
    sections = loose + module_entries + ["datasets/index"]
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
) -> dict[str, float | int | list[str]]:
    """Build the website into ``output``; returns figures and any notebook problems."""
    from helpers._paths import repo_root

    repo = repo or repo_root()
    if repo is None:
        raise RuntimeError("The website is built from a copy of the course repository.")
    output = Path(output)
    staging = output.parent / (output.name + "-src")
    started = time.perf_counter()
    notebooks, pages, _ = stage(repo, staging)
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
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    return {
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
    args = parser.parse_args(argv)
    figures = build_site(Path(args.output), execute=not args.no_execute, jobs=args.jobs)
    for problem in figures["problems"]:
        print(f"problem: {problem}", file=sys.stderr)
    for warning in figures["warnings"]:
        print(warning, file=sys.stderr)
    print(
        f"Built {figures['pages']} pages from {figures['notebooks']} notebooks in "
        f"{figures['seconds']} s ({figures['bytes'] / 1e6:.1f} MB) into {args.output}/. "
        "Open index.html, or copy the folder to any static web host."
    )
    return 1 if figures["problems"] else 0
