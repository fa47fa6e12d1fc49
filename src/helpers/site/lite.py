"""The practice tier: the course's case scenarios, quizzes and activities running in the browser.

JupyterLite with the Pyodide kernel runs Python compiled to WebAssembly inside the reader's web
browser: nothing to install, no server beyond the static website, and nothing requested from
anywhere else. The website build puts it in ``build/site/lite/``:

* one practice notebook per module (``<module>/practice.ipynb``, made here from the module's
  files, so a new case or quiz appears without editing a notebook), playing each scenario,
  quiz and sorting or appraisal activity with the course's own views;
* the module's content as *prechecked* JSON (:mod:`helpers._prechecked`): PyYAML and
  jsonschema have no WebAssembly wheels the site could serve, so the content is checked and
  its local names filled when the site is built;
* the course package as a pure-Python wheel, with the pure-Python wheels it needs there
  (ipywidgets, mistune) and Pyodide's core, all served from the site (``pyodide-lock.json``).

What needs the network is fetched once by ``make site-deps`` (``python -m helpers.site.lite
setup``): a build environment ``.venv-lite/`` (Python 3.12 or newer, JupyterLite 0.8.6),
Pyodide's core from npm and the wheels from PyPI, kept in ``build/cache/lite/``. ``make site``
then builds offline; without that cache it builds the rest of the site and says how to get the
practice tier.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

JUPYTERLITE_VERSION = "0.8.6"
PYODIDE_VERSION = "314.0.6"  # the Pyodide that jupyterlite-pyodide-kernel 0.8.6 is made for
#: Pyodide's own packages the kernel needs (these and what they depend on, as in its lock file)
PYODIDE_SEEDS = ("micropip", "packaging", "ipython", "traitlets", "jedi", "typing-extensions")
#: The course package's dependencies that cannot run in the browser (the data notebooks,
#: grading and YAML checking need them; the practice tier does not)
NOT_IN_BROWSER = (
    "jupyterlab", "nbgrader", "pandas", "matplotlib", "pyyaml", "jsonschema", "nbformat", "tqdm",
)  # fmt: skip
#: Pure-Python packages the course's views need in the browser (versions: this environment's)
BROWSER_PACKAGES = ("ipywidgets", "comm", "mistune", "jupyterlab_widgets")
KERNEL = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
LICENCE = (
    "---\n*This notebook is part of the Mental Health Social Work course. Text and content "
    "licensed CC BY 4.0; code MIT. See LICENSE-CONTENT.*"
)
INSTALL_HINT = (
    "Run `make site-deps` once with the network on (it needs Python 3.12 or newer, e.g. "
    "`python3.12`, and npm), then `make site` again."
)


def paths(repo: Path) -> dict[str, Path]:
    cache = repo / "build" / "cache" / "lite"
    return {
        "venv": repo / ".venv-lite",
        "cache": cache,
        "pyodide": cache / "pyodide",  # holds pyodide/ (the layout JupyterLite expects)
        "wheels": cache / "wheels",
        "stamp": cache / "ready.json",
    }


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in BROWSER_PACKAGES}


def _wanted() -> dict[str, Any]:
    return {"jupyterlite": JUPYTERLITE_VERSION, "pyodide": PYODIDE_VERSION, **_versions()}


# --------------------------------------------------------------------------------- setup
def find_python() -> Path | None:
    """A Python 3.12 or newer for the build environment (JupyterLite's lock needs it)."""
    candidates = [os.environ.get("MHSW_LITE_PYTHON", "")]
    if sys.version_info >= (3, 12):
        candidates.append(sys.executable)
    candidates += [shutil.which(f"python3.{minor}") or "" for minor in (12, 13, 14)]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-4]*/bin/python3")))
    for candidate in filter(None, candidates):
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys, venv; print(sys.version_info >= (3, 12))"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if probe.stdout.strip() == "True":
            return Path(candidate)
    return None


def status(repo: Path) -> str | None:
    """None if the practice tier can be built offline here; else why not, and what to do."""
    import importlib.util

    where = paths(repo)
    if not (where["venv"] / "bin" / "jupyter-lite").exists():
        return f"its build environment {where['venv'].name}/ is missing. {INSTALL_HINT}"
    if importlib.util.find_spec("hatchling") is None:
        return "the course's wheel cannot be built here: pip install -e '.[dev]' (hatchling)."
    try:
        stamp = json.loads(where["stamp"].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"its downloads in {where['cache']} are missing. {INSTALL_HINT}"
    if stamp != _wanted():
        return (
            f"its downloads in {where['cache']} are for other versions ({stamp}; this course "
            f"needs {_wanted()}). {INSTALL_HINT}"
        )
    return None


def _run(command: list[str], **kwargs: Any) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(
            f"This command failed:\n  {' '.join(map(str, command))}\n"
            + (result.stderr or result.stdout)[-3000:]
        )


def setup(repo: Path, say=print) -> None:
    """Fetch everything the practice tier needs (network on); quick when already done."""
    where = paths(repo)
    if status(repo) is None:
        say("The practice tier's downloads are ready (nothing to do).")
        return
    python = find_python()
    if python is None:
        raise RuntimeError(
            "The practice tier needs Python 3.12 or newer to build (JupyterLite's lock file "
            "tool needs it); none was found. Install one (e.g. `sudo apt-get install "
            "python3.12`, or `pyenv install 3.12`) or set MHSW_LITE_PYTHON to its path, then "
            "run `make site-deps` again. `make site` still builds the rest of the website."
        )
    if shutil.which("npm") is None:
        raise RuntimeError(
            "npm is needed once to fetch Pyodide's core (sudo apt-get install npm); then run "
            "`make site-deps` again."
        )
    versions = _versions()
    venv = where["venv"]
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    if not (venv / "bin" / "jupyter-lite").exists():
        say(f"Making {venv.name}/ with {python} ...")
        _run([str(python), "-m", "venv", str(venv)])
        _run(
            pip
            + [
                "install",
                f"jupyterlite-core=={JUPYTERLITE_VERSION}",
                f"jupyterlite-pyodide-kernel[lock]=={JUPYTERLITE_VERSION}",
                "jupyter_server",  # JupyterLite reads notebooks for the contents with it
                f"jupyterlab_widgets=={versions['jupyterlab_widgets']}",  # the widget manager
            ]
        )
    where["cache"].mkdir(parents=True, exist_ok=True)
    dist = where["pyodide"] / "pyodide"
    original = dist / "pyodide-lock.original.json"
    if not original.exists():
        say(f"Fetching Pyodide {PYODIDE_VERSION} (core only) from npm ...")
        with tempfile.TemporaryDirectory() as tmp:
            _run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent"], cwd=tmp)
            (tarball,) = Path(tmp).glob("pyodide-*.tgz")
            shutil.rmtree(where["pyodide"], ignore_errors=True)
            dist.mkdir(parents=True)
            with tarfile.open(tarball) as archive:
                for member in archive.getmembers():
                    if member.isfile() and member.name.startswith("package/"):
                        member.name = member.name[len("package/") :]
                        # not source maps, type files or the demo consoles (those load
                        # scripts from CDNs and are not part of the practice tier)
                        if not re.search(r"\.map$|\.d\.ts$|^console.*\.html$", member.name):
                            archive.extract(member, dist, filter="data")
        (dist / "pyodide-lock.json").rename(original)
    lock = json.loads(original.read_text(encoding="utf-8"))
    keep = _closure(lock["packages"], PYODIDE_SEEDS)
    say(f"Fetching {len(keep) + len(versions)} pure-Python wheels from PyPI ...")
    wheels = where["wheels"]
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir(parents=True)
    python_minor = ".".join(lock["info"]["python"].split(".")[:2])
    _run(
        pip
        + ["download", "--only-binary=:all:", "--platform=any", "--implementation=py"]
        + ["--abi=none", f"--python-version={python_minor}", "-d", str(wheels)]
        + [f"{name}=={lock['packages'][name]['version']}" for name in sorted(keep)]
        + [f"{name}=={version}" for name, version in versions.items()]
    )
    _write_lock(lock, keep, dist, wheels)
    where["stamp"].write_text(json.dumps(_wanted(), indent=1) + "\n", encoding="utf-8")
    say(f"The practice tier can now be built offline: make site ({status(repo) or 'ready'}).")


def _closure(packages: dict[str, Any], seeds: tuple[str, ...]) -> set[str]:
    by_name = {_normal(name): name for name in packages}
    keep: set[str] = set()
    todo = list(seeds)
    while todo:
        name = by_name[_normal(todo.pop())]
        if name not in keep:
            keep.add(name)
            todo += packages[name]["depends"]
    return keep


def _write_lock(lock: dict[str, Any], keep: set[str], dist: Path, wheels: Path) -> None:
    """Pyodide's lock file cut down to the packages served from the site, with their files."""
    found = {_normal(p.name.split("-")[0]): p for p in wheels.glob("*.whl")}
    packages = {}
    for name in sorted(keep):
        wheel = found.get(_normal(name))
        if wheel is None:
            raise RuntimeError(f"PyPI gave no pure-Python wheel of {name}: cannot serve it")
        shutil.copy2(wheel, dist / wheel.name)
        spec = dict(lock["packages"][name])
        spec["file_name"] = wheel.name
        spec["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
        packages[name] = spec
    cut = dict(lock, packages=packages)
    (dist / "pyodide-lock.json").write_text(json.dumps(cut, indent=1) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------- contents
def _module_title(folder: Path) -> str:
    for line in (folder / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return folder.name


def _md(text: str) -> Any:
    import nbformat

    return nbformat.v4.new_markdown_cell(text.strip())


def _code(text: str) -> Any:
    import nbformat

    return nbformat.v4.new_code_cell(text.strip())


def practice_notebook(title: str, items: list[tuple[str, str, Any]], support: str = "") -> Any:
    """The practice notebook of a module: ``items`` are ``(kind, json path, loaded object)``;
    ``support`` is the course index's Support section (Markdown)."""
    import nbformat

    cases = [(p, o) for k, p, o in items if k == "scenario"]
    quizzes = [(p, o) for k, p, o in items if k == "quiz"]
    sortings = [(p, o) for k, p, o in items if k == "sorting"]
    appraisals = [(p, o) for k, p, o in items if k == "appraisal"]
    outcomes = []
    if cases:
        outcomes.append(
            f"make and explain decisions in {_count(len(cases), 'case scenario')} from this "
            "module, and say what each ending's debrief teaches;"
        )
    if quizzes:
        outcomes.append("check your understanding of the module with its self-check quiz;")
    if sortings:
        outcomes.append("sort statements into the groups the module uses, and say why;")
    if appraisals:
        outcomes.append("judge the quality of a source and compare your ratings with a model;")
    outcomes.append(
        "keep your decision traces and answers as files on your own computer, and carry on a "
        "case later."
    )
    numbered = "\n".join(f"{i}. {text}" for i, text in enumerate(outcomes, start=1))
    imports = ["download_my_work"]
    imports += ["play_scenario"] if cases else []
    imports += ["play_quiz"] if quizzes else []
    imports += ["play_sorting"] if sortings else []
    imports += ["play_appraisal"] if appraisals else []
    cells = [
        _md(f"""
# Practise in your browser: {title}

**About 20-40 minutes.** This notebook runs inside your web browser: nothing is installed,
and nothing you choose or write is sent anywhere.

**Learning outcomes.** By the end of this notebook you will be able to:
{numbered}

**Content note.** Some cases deal with mental distress, risk and compulsory powers such as
detention. Each case gives its own content note on its first screen. If anything here affects
you, see *Support* at the end of this notebook.

**How to use it.** Run the cells in order: click a cell and press Shift+Enter, or choose
*Run* then *Run All Cells*. The first cell takes a few seconds while Python starts inside your
browser. Everything else in the course works the same way in JupyterLab.

**What this browser version cannot do.** The data notebooks (tables and charts from public
reports) and the assessed notebooks need packages that do not run in a browser. Use
JupyterLab (`make lab` on your own computer) or your university's JupyterHub for those.
"""),
        _code("from helpers import " + ", ".join(sorted(imports))),
    ]
    for number, (path, case) in enumerate(cases, start=1):
        cells += [
            _md(f"""
## Case {number}: {case.title}

Press **Start**, make your choices and write your reasons where you are asked. Your decisions
are saved as you go in the file `mhsw-trace-{case.id}.json` next to this notebook (inside
your browser): see *Keep your work* below to save it to your computer.
"""),
            _code(f'case_{number} = play_scenario("{path}")'),
        ]
    views: list[str] = []
    for number, (path, quiz) in enumerate(quizzes, start=1):
        name = "quiz" if len(quizzes) == 1 else f"quiz_{number}"
        views.append(name)
        cells += [
            _md(f"## Quiz: {quiz.title}\n\nChoose an answer, then press **Check** for feedback."),
            _code(f'{name} = play_quiz("{path}")'),
        ]
    for kind, found, verb in (
        ("sorting", sortings, "play_sorting"),
        ("appraisal", appraisals, "play_appraisal"),
    ):
        for number, (path, activity) in enumerate(found, start=1):
            name = kind if len(found) == 1 else f"{kind}_{number}"
            views.append(name)
            what = "Sorting activity" if kind == "sorting" else "Appraisal"
            cells += [
                _md(f"## {what}: {activity.title}"),
                _code(f'{name} = {verb}("{path}")\n{name}'),
            ]
    cells += [
        _md("""
## Keep your work

Files made here are kept **inside this browser** only: clearing the browser's data, or using
another computer, loses them. Run the next cell: it saves your quiz and activity answers in
`mhsw-answers.json` and shows a link for each file (your case traces and your answers). Click
a link to save that file to your computer, usually in your *Downloads* folder. Run it again
after more work: the links always carry the latest version.

You can also download any file from the file list: open it with *File* then *Open...*,
right-click the file and choose *Download*.
"""),
        _code(f"download_my_work({', '.join(views)})"),
        _md(
            """
## Carry on later

To carry on a case you saved: open the file list (*File* then *Open...*), go to this
module's folder, press **Upload** and choose your `mhsw-trace-....json` file. Then open this
notebook and run the cells again: the case offers to continue where you left off. The same
file carries on in JupyterLab too: put it next to the notebook that plays the case. A trace
is checked against the case before it is used, so a damaged or edited file is refused with a
message, and you start the case again.
"""
        ),
        _md(f"{support or '## Support'}\n\n{LICENCE}"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    return notebook


def _count(n: int, word: str) -> str:
    return f"one {word}" if n == 1 else f"{n} {word}s"


READ_ME = """# Practise in your browser

This is the practice tier of the course *Mental health social work (England)*: the case
scenarios, quizzes and activities of each module, running inside your web browser with
nothing installed.

Open a module's practice notebook:

{links}

Your work (case traces and answers) is kept inside this browser. Each notebook ends with links
that save your work as files on your computer, and says how to upload a saved case to carry
on later.

The data notebooks and assessed notebooks do not run here: use JupyterLab (`make lab`) or
your university's JupyterHub for those.
"""


def write_contents(course: Path, contents: Path) -> dict[str, str]:
    """Practice notebooks and prechecked content for each module of ``course`` (the staged
    copy, with local names as the site uses them). Returns ``{module: notebook path}``."""
    import nbformat

    from helpers._prechecked import precheck
    from helpers.appraisal import load_appraisal
    from helpers.quizzes import load_quiz
    from helpers.scenarios import load_scenario
    from helpers.sorting import load_sorting

    loaders = {"scenario": load_scenario, "quiz": load_quiz, "sorting": load_sorting,
               "appraisal": load_appraisal}  # fmt: skip
    folders = {"scenario": "cases", "quiz": "quizzes", "sorting": "activities",
               "appraisal": "activities"}  # fmt: skip
    shutil.rmtree(contents, ignore_errors=True)
    notebooks: dict[str, str] = {}
    modules = sorted(
        p for p in course.iterdir() if re.match(r"m\d", p.name) and (p / "README.md").is_file()
    )
    for module in modules:
        items: list[tuple[str, str, Any]] = []
        for sub in ("scenarios", "quizzes", "activities"):
            for source in sorted((module / sub).glob("*.yaml")):
                prepared = precheck(source)
                kind = prepared["kind"]
                relative = f"{folders[kind]}/{source.stem}.json"
                target = contents / module.name / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(prepared, ensure_ascii=False) + "\n", "utf-8")
                items.append((kind, relative, loaders[kind](target)))
        if not items:
            continue
        notebook = practice_notebook(_module_title(module), items, _support(course))
        nbformat.write(notebook, contents / module.name / "practice.ipynb")
        notebooks[module.name] = f"{module.name}/practice.ipynb"
    links = "\n".join(
        f"- [{_module_title(course / name)}]({path})" for name, path in notebooks.items()
    )
    (contents / "README.md").write_text(READ_ME.format(links=links), encoding="utf-8")
    return notebooks


def _support(course: Path) -> str:
    """The Support section of the course index (its heading and text), for the notebooks."""
    text = (course / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Support\n.*?(?=^## |^```|^---|\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(0).strip() if match else ""


# ---------------------------------------------------------------------------- build
def _course_wheel(repo: Path, folder: Path) -> Path:
    """The course package as a wheel, built here without the network."""
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "--disable-pip-version-check", "-w", str(folder), str(repo)]
    )  # fmt: skip
    (wheel,) = folder.glob("mhsw_course-*.whl")
    return wheel


def build_lite(repo: Path, course: Path, output: Path, work: Path) -> dict[str, Any]:
    """Build the practice tier into ``output`` (e.g. build/site/lite); needs no network.

    ``course`` is the staged course folder; ``work`` a folder for the build's own files.
    """
    started = time.perf_counter()
    where = paths(repo)
    output, work = Path(output).resolve(), Path(work).resolve()  # the build runs in ``work``
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    notebooks = write_contents(course, work / "files")
    wheel = _course_wheel(repo, work / "wheel")
    config = {
        "LiteBuildConfig": {
            "contents": ["files"],
            "output_dir": str(output),
            "no_sourcemaps": True,
        },
        "PyodideAddon": {"pyodide_url": str(where["pyodide"])},
        "PyodideLockAddon": {
            "enabled": True,
            "pyodide_lock_url": (where["pyodide"] / "pyodide" / "pyodide-lock.json").as_uri(),
            "wheels": [str(wheel.parent)],
            "excludes_extra": list(NOT_IN_BROWSER),
            "pyodide_lock_uv_options": {
                "extra_uv_args": ["--offline", "--no-index", f"--find-links={where['wheels']}"]
            },
        },
    }
    (work / "jupyter_lite_config.json").write_text(json.dumps(config, indent=1), "utf-8")
    settings = {
        "jupyter-config-data": {
            "appName": "Mental health social work: practice",
            "litePluginSettings": {
                # `%pip install` must not reach out to PyPI: the site serves everything
                "@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}
            },
        }
    }
    (work / "jupyter-lite.json").write_text(json.dumps(settings, indent=1), "utf-8")
    shutil.rmtree(output, ignore_errors=True)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(work / ".jupyter"), JUPYTER_PLATFORM_DIRS="1")
    env.pop("JUPYTER_PATH", None)
    command = [str(where["venv"] / "bin" / "jupyter-lite"), "build", "--lite-dir", str(work)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=work, env=env)
    if result.returncode != 0:
        raise RuntimeError(
            "The practice tier (JupyterLite) did not build:\n"
            + (result.stdout + result.stderr)[-4000:]
            + f"\nIf it says a download failed: {INSTALL_HINT}"
        )
    _localise_lock(output)
    for demo in (output / "static" / "pyodide").glob("console*.html"):
        demo.unlink()  # Pyodide's demo consoles load scripts from CDNs; the course needs none
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "notebooks": notebooks,
        "bytes": sum(p.stat().st_size for p in output.rglob("*") if p.is_file()),
    }


def _localise_lock(output: Path) -> None:
    """Point the lock file's entries that the build left as ``file:`` addresses at the copies
    served from the site, and refuse any address outside it."""
    lock_path = output / "static" / "pyodide-lock" / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    served = output / "static" / "pyodide"
    outside = []
    for spec in lock["packages"].values():
        name = spec["file_name"]
        if name.startswith("file:"):
            local = Path(name).name
            if not (served / local).is_file():
                outside.append(name)
            spec["file_name"] = f"../../static/pyodide/{local}"
        elif re.match(r"^[a-z]+://", name):
            outside.append(name)
    if outside:
        raise RuntimeError(f"The practice tier would load files from outside the site: {outside}")
    lock_path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    # Pyodide's own folder keeps only the wheels the lock file points at (the others were
    # copied next to the lock file by the build): about 7 MB less to publish.
    names = [spec["file_name"] for spec in lock["packages"].values()]
    used = {Path(n).name for n in names if "/" not in n or "/static/pyodide/" in n}
    for wheel in served.glob("*.whl"):
        if wheel.name not in used:
            wheel.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.site.lite", description=__doc__)
    parser.add_argument("action", choices=["setup", "status"])
    args = parser.parse_args(argv)
    from helpers._paths import repo_root

    repo = repo_root()
    if repo is None:
        print("The practice tier is built from a copy of the course repository.", file=sys.stderr)
        return 1
    if args.action == "status":
        problem = status(repo)
        print("ready" if problem is None else f"not ready: {problem}")
        return 0 if problem is None else 1
    try:
        setup(repo)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
