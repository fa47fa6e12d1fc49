"""Releases: one version everywhere, a Keep a Changelog changelog, a valid CITATION.cff."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parents[1]
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$")
# The Citation File Format 1.2.0 schema, from cffconvert 2.0.0 (schemas/1.2.0/schema.json).
CFF_SCHEMA = Path(__file__).parent / "files" / "cff" / "schema-1.2.0.json"


def _cff() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def _releases() -> list[tuple[str, str]]:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", text, re.M)


def test_is_the_version_semantic_and_read_from_one_place():
    assert SEMVER.match(helpers.__version__), helpers.__version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/helpers/__init__.py"


def test_does_mhsw_version_print_the_release():
    out = subprocess.run(
        [sys.executable, "-m", "helpers", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"mhsw-course {helpers.__version__}"


def test_does_the_changelog_follow_keep_a_changelog_and_name_this_release():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "\n## [Unreleased]\n" in text
    releases = _releases()
    assert releases and releases[0][0] == helpers.__version__
    versions = [tuple(int(x) for x in v.split(".")[:3]) for v, _ in releases]
    assert versions == sorted(versions, reverse=True), "newest release first"
    dates = [d for _, d in releases]
    assert dates == sorted(dates, reverse=True)
    kinds = set(re.findall(r"^### (\w+)$", text, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_is_citation_cff_valid_cff_1_2_0_for_this_release():
    from helpers._yaml import import_jsonschema

    jsonschema = import_jsonschema()
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    data = _cff()
    # YAML reads an unquoted date as a date; CFF tools read it as text
    data = json.loads(json.dumps(data, default=str))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(data), key=str)
    assert not errors, [e.message for e in errors]
    assert data["cff-version"] == "1.2.0"
    assert data["version"] == helpers.__version__
    assert data["date-released"] == _releases()[0][1]
    assert set(data["license"]) == {"MIT", "CC-BY-4.0"}
