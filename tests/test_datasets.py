"""The dataset loader: names, types, descriptions, and files that drift from their schema."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from _catalogue import PQ_YEARS

from helpers import DatasetError, describe_dataset, list_datasets, load_dataset


def _first_resource_with(data_dir, kind):
    package = json.loads((data_dir / "datapackage.json").read_text())
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            if field["type"] == kind and not field.get("categories"):
                return resource, field
    pytest.skip(f"no dataset has a plain {kind} field")


def test_are_the_datasets_listed_in_order():
    names = list_datasets()
    assert names == sorted(names)
    assert "pq_awards_2000_2005" in names


def test_does_an_unknown_name_list_the_valid_ones_and_the_closest():
    with pytest.raises(DatasetError) as info:
        load_dataset("pq_award_2000")
    message = str(info.value)
    assert "There is no dataset called 'pq_award_2000'" in message
    assert "Did you mean 'pq_awards_2000_2005'?" in message
    for name in list_datasets():
        assert name in message


def test_is_an_unknown_dataset_error_also_a_lookup_error():
    with pytest.raises(LookupError):
        load_dataset("nothing_like_this")


def test_are_years_an_ordered_category():
    df = load_dataset("pq_awards_2000_2005")
    assert isinstance(df["year"].dtype, pd.CategoricalDtype)
    assert df["year"].cat.ordered
    assert list(df["year"].cat.categories) == PQ_YEARS
    assert df["year"].min() == "2000-01"


def test_are_counts_whole_numbers():
    df = load_dataset("pq_awards_2000_2005")
    assert str(df["count"].dtype) == "Int64"


def test_does_a_loaded_table_carry_its_source():
    df = load_dataset("pq_awards_2000_2005")
    # cited as people cite: body (year), title, section; never the course's file name
    assert "(2006), The tasks and roles of social workers" in df.attrs["source"]
    assert "Question 5, Table 1" in df.attrs["source"]
    assert df.attrs["caveats"]


def test_does_no_dataset_cite_its_source_by_a_course_file_name():
    import json

    from helpers._paths import data_dir

    package = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    files = {s["file"] for r in package["resources"] for s in r.get("sources", []) if "file" in s}
    assert files  # the maintainers' line references are still there
    for name in list_datasets():
        source = describe_dataset(name).source
        assert not any(f in source for f in files), (name, source)


def test_does_a_description_print_source_caveats_and_every_column():
    d = describe_dataset("pq_awards_2000_2005")
    text = str(d)
    assert "Source:" in text and "Statham, Cameron and Mooney" in text
    assert "Caveats:" in text
    df = load_dataset("pq_awards_2000_2005")
    for column in df.columns:
        assert f"  {column} (" in text
    markdown = d._repr_markdown_()
    assert markdown.startswith("### ") and "| column | type | meaning |" in markdown


def test_does_a_wrong_type_name_the_file_row_and_column(data_copy):
    resource, field = _first_resource_with(data_copy, "integer")
    csv = data_copy / resource["path"]
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df.loc[2, field["name"]] = "lots"
    df.to_csv(csv, index=False)
    with pytest.raises(DatasetError) as info:
        load_dataset(resource["name"])
    expected = f"data/{resource['path']}:4: {field['name']}: 'lots' is not a whole number"
    assert expected in str(info.value)


def test_does_a_missing_column_name_the_file_and_column(data_copy):
    resource, field = _first_resource_with(data_copy, "integer")
    csv = data_copy / resource["path"]
    pd.read_csv(csv, dtype=str, keep_default_na=False).drop(columns=[field["name"]]).to_csv(
        csv, index=False
    )
    with pytest.raises(DatasetError) as info:
        load_dataset(resource["name"])
    assert (
        f"data/{resource['path']}:1: {field['name']}: the column '{field['name']}' is missing"
        in str(info.value)
    )


def test_does_an_undescribed_column_fail(data_copy):
    resource, _ = _first_resource_with(data_copy, "integer")
    csv = data_copy / resource["path"]
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df["extra"] = "x"
    df.to_csv(csv, index=False)
    with pytest.raises(DatasetError, match="the column 'extra' is not described"):
        load_dataset(resource["name"])


def test_does_a_value_outside_its_categories_fail(data_copy):
    csv = data_copy / "pq_awards_2000_2005.csv"
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df.loc[0, "year"] = "2099-00"
    df.to_csv(csv, index=False)
    with pytest.raises(
        DatasetError, match=r"pq_awards_2000_2005.csv:2: year: '2099-00' is not one"
    ):
        load_dataset("pq_awards_2000_2005")


def test_does_a_missing_file_say_so(data_copy):
    (data_copy / "pq_awards_2000_2005.csv").unlink()
    with pytest.raises(DatasetError, match="the file is missing"):
        load_dataset("pq_awards_2000_2005")


def test_does_broken_json_in_the_descriptor_give_its_line(data_copy):
    path = data_copy / "datapackage.json"
    path.write_text(path.read_text().replace('"resources"', '"resources" :: ', 1))
    with pytest.raises(
        DatasetError, match=r"datapackage.json:\d+: the dataset descriptions are not valid JSON"
    ):
        list_datasets()
