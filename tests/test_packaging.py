"""The course works from an editable install and from an installed wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import helpers

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import helpers, json
from helpers import list_datasets, load_dataset, describe_dataset
from helpers._paths import data_dir, course_dir
names = list_datasets()
df = load_dataset("pq_awards_2000_2005")
described = bool(str(describe_dataset(names[0])))
print(json.dumps({"file": helpers.__file__, "data": str(data_dir()), "course": str(course_dir()),
                  "n": len(names), "rows": len(df), "described": described}))
"""


def test_does_the_editable_install_find_the_repo_data():
    from helpers._paths import data_dir

    assert Path(helpers.__file__).resolve().is_relative_to(ROOT / "src")
    assert data_dir() == ROOT / "data"


def test_is_import_helpers_cheap():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, helpers; print(sorted(m for m in ('pandas', 'ipywidgets', "
            "'matplotlib', 'yaml', 'jsonschema', 'nbformat') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]", "import helpers must not import heavy libraries"


@pytest.mark.slow
def test_does_an_installed_wheel_carry_the_data_and_course(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    [wheel] = wheels.glob("mhsw_course-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "helpers/_bundled/data/datapackage.json" in names
    assert any(n.startswith("helpers/_bundled/course/") for n in names)
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)

    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    import json

    found = json.loads(out.stdout)
    assert found["file"].startswith(str(site))
    assert found["data"] == str(site / "helpers" / "_bundled" / "data")
    assert found["course"] == str(site / "helpers" / "_bundled" / "course")
    assert found["n"] >= 5 and found["rows"] == 40 and found["described"]
