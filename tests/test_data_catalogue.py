"""Every dataset in the catalogue: loads, is described field by field, and names its source."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import describe_dataset, list_datasets, load_dataset

DATA = Path(__file__).resolve().parents[1] / "data"
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
SEED_FILE = re.compile(r"^00[0-4]_[0-9a-f]{16}\.txt$")


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_does_the_dataset_load_with_rows(name):
    df = load_dataset(name)
    assert len(df) > 0
    assert list(df.columns) == [f["name"] for f in RESOURCES[name]["schema"]["fields"]]


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_is_every_field_described_with_a_type(name):
    for field in RESOURCES[name]["schema"]["fields"]:
        assert len(field.get("description", "")) >= 10, (
            f"{name}.{field['name']} needs a description"
        )
        assert field.get("type"), f"{name}.{field['name']} needs a type"


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_does_the_provenance_name_a_source_document(name):
    resource = RESOURCES[name]
    assert resource["title"] and len(resource["description"]) >= 40
    assert resource["licenses"], f"{name} needs a licence"
    assert isinstance(resource.get("caveats"), list)
    documents = [s for s in resource["sources"] if s.get("file") or s.get("path")]
    assert documents, f"{name} must name a source document or web address"
    for source in documents:
        if source.get("file"):
            assert SEED_FILE.match(source["file"]), f"{name}: unknown source file {source['file']}"
            assert source.get("section") or source.get("lines")
        else:
            assert source["path"].startswith(("http://", "https://", "scripts/")), (
                f"{name}: a source path must be a web address or a script in data/scripts/"
            )
    if resource.get("synthetic"):
        assert "synthetic" in describe_dataset(name).description.lower() or resource["caveats"]


def test_is_every_csv_in_the_catalogue():
    described = {r["path"] for r in PACKAGE["resources"]}
    on_disk = {p.name for p in DATA.glob("*.csv")}
    assert on_disk == described


def test_does_the_data_readme_list_every_dataset():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in list_datasets():
        assert f"| `{name}` |" in readme, (
            f"run python data/scripts/build_readme.py ({name} missing)"
        )


def test_is_the_package_valid_for_the_frictionless_reference_implementation():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package(str(DATA / "datapackage.json")).validate()
    errors = [e.message for task in report.tasks for e in task.errors][:5]
    assert report.valid, errors
