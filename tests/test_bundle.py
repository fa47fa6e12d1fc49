"""mhsw bundle: one module as a self-contained bundle, adapted in local.yaml, updated in place."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from helpers.bundle import (
    MANIFEST,
    BundleError,
    build_wheel,
    check_student_bundle,
    make_plan,
    update_bundle,
    write_bundle,
)
from helpers.cli import main

ROOT = Path(__file__).resolve().parents[1]
FILES = Path(__file__).parent / "files"
FIXTURE = FILES / "bundle-source"
PARTNER = FILES / "partner" / "local.yaml"
COURSE_NAMES = (
    "Westmoor County Council",
    "Westmoor General",
    "Westmoor Hospital",
    "Westmoor",
    "Eastbrook",
)
TEXT = {".md", ".ipynb", ".yaml", ".json", ".csv", ".py", ".ini", ".cff", ""}


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch):
    monkeypatch.delenv("MHSW_LOCAL", raising=False)
    monkeypatch.delenv("MHSW_DATA_DIR", raising=False)


@pytest.fixture
def fake_wheel(tmp_path) -> Path:
    """A stand-in for the course wheel (tests of layout and text need no real build)."""
    path = tmp_path / "wheel" / "mhsw_course-0.0.0-py3-none-any.whl"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("helpers/__init__.py", "")
    return path


@pytest.fixture(scope="session")
def real_wheel(tmp_path_factory) -> Path:
    return build_wheel(ROOT, tmp_path_factory.mktemp("wheel"))


def build(source: Path, module: str, out: Path, wheel: Path, **options) -> Path:
    out.mkdir(parents=True)
    write_bundle(make_plan(source, module, **options), out, wheel=wheel)
    return out


def files_of(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def texts(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in TEXT and path.name not in ("local.yaml", MANIFEST):
            yield path, path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- fixtures


def test_does_a_bundle_hold_the_module_start_here_and_only_the_data_it_uses(tmp_path, fake_wheel):
    out = build(FIXTURE, "m9-fixture", tmp_path / "b", fake_wheel)
    assert files_of(out) == {
        "ATTRIBUTION.md",
        "LICENSE",
        "LICENSE-CONTENT",
        "Makefile",
        "README.md",
        MANIFEST,
        "local.yaml",
        "pytest.ini",
        "course/README.md",
        "course/00-start-here/00-start-here.ipynb",
        "course/m9-fixture/01-local.ipynb",
        "course/m9-fixture/README.md",
        "course/m9-fixture/lecturer-guide.md",
        "course/m9-fixture/scenarios/local-case.yaml",
        "data/README.md",
        "data/datapackage.json",
        "data/fixture_counts.csv",  # used by 00-start-here
        "data/fixture_graded.csv",  # used by the assessed notebook (students get it released)
        "data/fixture_places.csv",  # used by the module
        "wheels/mhsw_course-0.0.0-py3-none-any.whl",
    }
    package = json.loads((out / "data" / "datapackage.json").read_text())
    assert [r["name"] for r in package["resources"]] == [
        "fixture_counts",
        "fixture_graded",
        "fixture_places",
    ]
    readme = (out / "data" / "README.md").read_text()
    assert "`fixture_places`" in readme and "`fixture_unused`" not in readme
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["module"] == "m9-fixture" and manifest["instructor"] is False
    assert set(manifest["files"]) == files_of(out) - {MANIFEST, "local.yaml"}
    top = (out / "README.md").read_text()
    assert top.splitlines()[2:6] == [
        "```bash",
        "make lab     # set up (first time only) and open this module in JupyterLab",
        "make test    # set up (first time only), run every notebook and check all content",
        "```",
    ]
    attribution = (out / "ATTRIBUTION.md").read_text()
    for part in ("**Module 9: A fixture module**", "Source:", "CC BY 4.0", "Changes made:"):
        assert part in attribution


def test_does_a_bundle_read_its_own_data_and_scenarios(tmp_path, fake_wheel):
    out = build(FIXTURE, "m9-fixture", tmp_path / "b", fake_wheel)
    probe = (
        "import json; from helpers import list_datasets; from helpers._paths import data_dir;"
        "from helpers.scenarios import find_scenario;"
        "print(json.dumps([list_datasets(), str(data_dir()), str(find_scenario('m9-local-case'))]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=out / "course" / "m9-fixture",
        capture_output=True,
        text=True,
        check=True,
    )
    names, data, scenario = json.loads(result.stdout)
    assert names == ["fixture_counts", "fixture_graded", "fixture_places"]
    assert data == str(out / "data")
    assert scenario == str(out / "course" / "m9-fixture" / "scenarios" / "local-case.yaml")


def test_is_a_students_bundle_free_of_solutions_hidden_tests_and_marking_guides(
    tmp_path, fake_wheel
):
    out = build(FIXTURE, "m9-fixture", tmp_path / "b", fake_wheel)
    assert check_student_bundle(out) == []
    for _, text in texts(out):
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    # the check finds what it looks for
    (out / "course" / "m9-fixture" / "notes.md").write_text("### BEGIN HIDDEN TESTS\n")
    (out / "course" / "m9-fixture" / "marking-guide.md").write_text("guide\n")
    assert check_student_bundle(out) == [
        "course/m9-fixture/marking-guide.md: a marking guide or solutions folder",
        "course/m9-fixture/notes.md: contains '### BEGIN HIDDEN TESTS'",
    ]


def test_does_instructor_put_the_master_and_guide_in_instructor_only(tmp_path, fake_wheel):
    out = build(FIXTURE, "m9-fixture", tmp_path / "b", fake_wheel, instructor=True)
    assert {f for f in files_of(out) if f.startswith("instructor/")} == {
        "instructor/README.md",
        "instructor/nbgrader_config.py",
        "instructor/solutions/m9-fixture-assessment/m9-fixture-assessment.ipynb",
        "instructor/solutions/m9-fixture-assessment/marking-guide.md",
    }
    master = out / "instructor/solutions/m9-fixture-assessment/m9-fixture-assessment.ipynb"
    assert "### BEGIN SOLUTION" in master.read_text()
    assert check_student_bundle(out) == []  # nothing outside instructor/
    assert "never for students" in (out / "README.md").read_text()
    assert json.loads((out / MANIFEST).read_text())["instructor"] is True


def test_does_a_partner_file_change_support_and_names_everywhere(tmp_path, fake_wheel):
    out = build(FIXTURE, "m9-fixture", tmp_path / "b", fake_wheel, local_file=PARTNER)
    assert (out / "local.yaml").read_text() == PARTNER.read_text()
    seen = {}
    for path, text in texts(out):
        for name in COURSE_NAMES:
            assert name not in text, f"{path.relative_to(out)} still says {name}"
        seen[path.relative_to(out).as_posix()] = text
    # names, in every kind of file that had them
    assert "set in Anyshire, where Anyshire County Council" in seen["course/m9-fixture/README.md"]
    assert "St Anne's Hospital" in seen["course/m9-fixture/README.md"]
    assert "Millbridge Royal Infirmary" in seen["course/m9-fixture/README.md"]
    assert "Anyshire and Millbridge are invented" in seen["course/m9-fixture/lecturer-guide.md"]
    notebook = json.loads(seen["course/m9-fixture/01-local.ipynb"])
    assert notebook["cells"][0]["source"].startswith("# Referrals in Anyshire")
    assert "Referrals, Anyshire (synthetic)" in notebook["cells"][1]["source"]
    assert seen["data/fixture_places.csv"] == "area,town\nAnyshire,Millbridge\n"
    assert "Anyshire is the fictional county" in seen["data/datapackage.json"]
    # support: the course index, the bundle README and every marked block
    for where in ("course/README.md", "README.md", "course/m9-fixture/README.md"):
        assert "- **Anyshire Student Wellbeing**: call 01632 960 000" in seen[where], where
        assert "- **Anyshire Nightline**: call 01632 960 111" in seen[where], where
    assert "Anyshire Nightline" in seen["course/m9-fixture/lecturer-guide.md"]
    index = seen["course/README.md"]
    assert "Shout" not in index and "Talk to your **personal academic tutor**" in index
    assert "Some of this material deals with detention." in index  # the course's own words stay
    assert "Samaritans" not in seen["course/m9-fixture/README.md"]


def test_does_the_bundled_scenario_follow_the_bundles_local_yaml(tmp_path, fake_wheel):
    from helpers.scenarios import load_scenario

    out = build(FIXTURE, "m9-fixture", tmp_path / "b", fake_wheel, local_file=PARTNER)
    case = out / "course" / "m9-fixture" / "scenarios" / "local-case.yaml"
    assert load_scenario(case).title == "A referral in Millbridge"
    text = (out / "local.yaml").read_text().replace("Millbridge", "Dale End")
    (out / "local.yaml").write_text(text)
    assert load_scenario(case).title == "A referral in Dale End"


def test_does_a_default_bundle_keep_the_course_names_and_a_starter_local_yaml(tmp_path, fake_wheel):
    from helpers.local import lint_local, load_local

    out = build(FIXTURE, "m9-fixture", tmp_path / "b", fake_wheel)
    assert "Westmoor County Council" in (out / "course/m9-fixture/README.md").read_text()
    assert lint_local(out / "local.yaml") == []
    assert load_local(out / "local.yaml").partner == {"kind": "local"}
    assert "- **Samaritans**: call 116 123" in (out / "course/README.md").read_text()
    for notebook in ("m9-fixture/01-local.ipynb", "00-start-here/00-start-here.ipynb"):
        shipped = (out / "course" / notebook).read_bytes()
        assert shipped == (FIXTURE / "course" / notebook).read_bytes(), notebook


def test_does_update_keep_local_yaml_added_files_and_back_up_edits(tmp_path, fake_wheel):
    source = tmp_path / "release"
    shutil.copytree(FIXTURE, source)
    out = build(source, "m9-fixture", tmp_path / "b", fake_wheel, local_file=PARTNER)
    local = (out / "local.yaml").read_text() + "# our own note\n"
    (out / "local.yaml").write_text(local)
    (out / "course" / "m9-fixture" / "our-session-plan.md").write_text("ours\n")
    guide = out / "course" / "m9-fixture" / "lecturer-guide.md"
    guide.write_text(guide.read_text() + "\nOur edit.\n")
    # the new release: one notebook changed, one file gone
    notebook = source / "course" / "m9-fixture" / "01-local.ipynb"
    notebook.write_text(notebook.read_text().replace("Referrals in", "Referrals made in"))
    (source / "course" / "m9-fixture" / "lecturer-guide.md").unlink()

    report = update_bundle(out, source, wheel=fake_wheel)

    assert (out / "local.yaml").read_text() == local
    assert (out / "course" / "m9-fixture" / "our-session-plan.md").read_text() == "ours\n"
    assert not guide.exists()
    backup = out / "backup-0.2.0" / "course" / "m9-fixture" / "lecturer-guide.md"
    assert backup.read_text().endswith("Our edit.\n")
    assert report["backed_up"] == ["course/m9-fixture/lecturer-guide.md"]
    assert "course/m9-fixture/lecturer-guide.md" in report["removed"]
    text = (out / "course" / "m9-fixture" / "01-local.ipynb").read_text()
    assert "Referrals made in Anyshire" in text  # new release, partner's names
    manifest = json.loads((out / MANIFEST).read_text())
    assert "course/m9-fixture/lecturer-guide.md" not in manifest["files"]


def test_does_the_command_write_a_zip_and_refuse_to_overwrite(tmp_path, fake_wheel, capsys):
    target = tmp_path / "m9.zip"
    args = ["bundle", "m9-fixture", "-o", str(target), "--zip"]
    args += ["--source", str(FIXTURE), "--wheel", str(fake_wheel)]
    assert main(args) == 0
    names = zipfile.ZipFile(target).namelist()
    assert "m9/Makefile" in names and "m9/course/m9-fixture/01-local.ipynb" in names
    assert "Students' bundle" in capsys.readouterr().out
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err


def test_is_an_unknown_module_named_with_the_modules_there(tmp_path, capsys):
    code = main(["bundle", "m2-integratoin", "-o", str(tmp_path / "x"), "--source", str(ROOT)])
    assert code == 1
    err = capsys.readouterr().err
    assert "There is no module 'm2-integratoin'" in err and "m1-roles" in err
    with pytest.raises(BundleError, match="--instructor needs the assessed notebook"):
        shutil.copytree(FIXTURE, tmp_path / "src")
        shutil.rmtree(tmp_path / "src" / "solutions")
        make_plan(tmp_path / "src", "m9-fixture", instructor=True)


def test_does_a_bad_partner_file_stop_the_build_with_its_location(tmp_path, capsys):
    bad = tmp_path / "partner.yaml"
    bad.write_text("kind: local\nplace:\n  area: Anyshire\n")
    code = main(["bundle", "m9-fixture", "-o", str(tmp_path / "x"), "--source", str(FIXTURE)])
    assert code == 1  # no wheel can be built from the fixture: a clear message, not a crash
    code = main(
        ["bundle", "m9-fixture", "-o", str(tmp_path / "y"), "--source", str(FIXTURE)]
        + ["--local", str(bad)]
    )
    assert code == 1
    assert f"{bad}:2: place.town: is missing" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()


# --------------------------------------------------------------------------- the real modules


@pytest.mark.parametrize("module", ["m1-roles", "m3-amhp"])
def test_does_a_course_module_bundle_carry_what_it_needs(module, tmp_path, real_wheel):
    out = build(ROOT, module, tmp_path / module, real_wheel)
    source = ROOT / "course" / module
    shipped = files_of(out / "course" / module)
    expected = {
        p.relative_to(source).as_posix()
        for p in source.rglob("*")
        if p.is_file()
        and not p.name.startswith("mhsw-trace-")
        and ".ipynb_checkpoints" not in p.parts
    }
    assert shipped == expected
    for kind in ("scenarios", "quizzes", "activities"):
        assert any(f.startswith(kind + "/") for f in shipped), kind
    assert "lecturer-guide.md" in shipped and "README.md" in shipped
    assert "00-start-here.ipynb" in {p.name for p in (out / "course" / "00-start-here").iterdir()}
    # every dataset the module README lists is there, described, and nothing undescribed
    readme = (source / "README.md").read_text(encoding="utf-8")
    table = re.split(r"^## Datasets.*$", readme, maxsplit=1, flags=re.M)[1].split("\n## ")[0]
    listed = set(re.findall(r"^\| `([a-z0-9_]+)` \|", table, re.M))
    package = json.loads((out / "data" / "datapackage.json").read_text())
    described = {r["name"] for r in package["resources"]}
    assert listed and listed <= described
    assert "pq_awards_2000_2005" in described  # 00-start-here's dataset
    assert {p.stem for p in (out / "data").glob("*.csv")} == described
    all_data = json.loads((ROOT / "data" / "datapackage.json").read_text())["resources"]
    assert len(described) < len(all_data)
    assert check_student_bundle(out) == []
    wheel = out / "wheels" / real_wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert "helpers/bundle/__init__.py" in names and "helpers/_local_defaults.yaml" in names
    assert "helpers/_bundle_templates/Makefile" in names


@pytest.mark.slow
def test_does_the_m1_bundle_pass_its_own_make_test_away_from_the_repo(tmp_path, real_wheel):
    """Build m1-roles, move it away from the repository, and run its own `make test`.

    To keep this test quick it runs with this Python (MHSW_PYTHON) instead of installing the
    wheel into a new environment; the wheel install is the same `pip install` as the course's.
    """
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    built = build(ROOT, "m1-roles", tmp_path / "build" / "m1-roles", real_wheel)
    away = tmp_path / "elsewhere" / "m1-roles"
    shutil.move(built, away)
    started = time.monotonic()
    result = subprocess.run(
        ["make", "test", f"MHSW_PYTHON={sys.executable}"],
        cwd=away,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert re.search(r"\d+ passed", output) and "failed" not in output
    assert "All good:" in output
    assert str(ROOT) not in output.replace(sys.executable, "")  # nothing read from the repo
    print(f"m1-roles bundle make test: {time.monotonic() - started:.0f} s")
