"""`mhsw check`: located, plain-English problems and an exit status CI can rely on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers.checks import check_paths
from helpers.cli import main

ROOT = Path(__file__).resolve().parents[1]
FOOTER = "*Text licensed CC BY 4.0; code MIT.*"


def _notebook(
    path: Path,
    *,
    outputs=False,
    first="# T\n\n**Learning outcomes**: you will be able to x.",
    last=FOOTER,
) -> Path:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("print(1)")
    if outputs:
        code.outputs = [nbformat.v4.new_output("stream", text="1\n")]
        code.execution_count = 1
    nb.cells = [nbformat.v4.new_markdown_cell(first), code, nbformat.v4.new_markdown_cell(last)]
    nbformat.write(nb, path)
    return path


def _messages(paths):
    problems, _ = check_paths(paths)
    return [str(p) for p in problems]


def test_does_a_good_notebook_pass(tmp_path):
    assert _messages([_notebook(tmp_path / "good.ipynb")]) == []


def test_is_a_notebook_with_outputs_reported_at_its_cell(tmp_path):
    path = _notebook(tmp_path / "outputs.ipynb", outputs=True)
    [message] = _messages([path])
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if '"code"' in text)
    assert message.startswith(f"{path}:")
    assert "cell 2 has saved outputs — clear them" in message
    assert abs(int(message.split(":")[1]) - line) <= 3


def test_is_invalid_notebook_json_reported_with_its_line(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{\n "cells": [\n  {"cell_type": "markdown",,}\n ]\n}\n')
    [message] = _messages([path])
    assert message.startswith(f"{path}:3: is not valid notebook JSON")
    assert "restore the file from git" in message


def test_is_json_that_is_not_a_notebook_reported(tmp_path):
    path = tmp_path / "not-a-notebook.ipynb"
    path.write_text(json.dumps({"cells": "nope"}))
    [message] = _messages([path])
    assert "is not a valid Jupyter notebook" in message


def test_must_the_first_cell_be_the_learning_outcomes(tmp_path):
    path = _notebook(tmp_path / "no-outcomes.ipynb", first="# Just a title")
    assert any("the first cell is not the learning outcomes" in m for m in _messages([path]))


def test_must_the_last_cell_be_the_licence_footer(tmp_path):
    path = _notebook(tmp_path / "no-footer.ipynb", last="The end.")
    assert any("the last cell is not the licence footer" in m for m in _messages([path]))


def test_is_a_helpers_py_next_to_a_notebook_reported(tmp_path):
    (tmp_path / "helpers.py").write_text("x = 1\n")
    _notebook(tmp_path / "good.ipynb")
    messages = _messages([tmp_path])
    assert any("helpers.py hides the course's helpers package" in m for m in messages)


def test_does_check_find_a_wrong_type_in_a_dataset(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("_fragments", "scripts"))
    csv = data / "pq_awards_2000_2005.csv"
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df.loc[0, "count"] = "many"
    df.to_csv(csv, index=False)
    messages = _messages([data / "datapackage.json"])
    assert "data/pq_awards_2000_2005.csv:2: count: 'many' is not a whole number" in messages[0]


def test_is_an_undescribed_csv_reported(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("_fragments", "scripts"))
    (data / "stray.csv").write_text("a,b\n1,2\n")
    assert any(
        "stray.csv: is not described in datapackage.json" in m
        for m in _messages([data / "datapackage.json"])
    )


def test_does_the_command_exit_1_and_print_located_problems(tmp_path, capsys):
    path = _notebook(tmp_path / "outputs.ipynb", outputs=True)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:" in out and "1 problem(s) in 1 file checked." in out


def test_does_the_command_exit_0_when_all_is_well(tmp_path, capsys):
    assert main(["check", str(_notebook(tmp_path / "good.ipynb"))]) == 0
    assert "All good: 1 file checked" in capsys.readouterr().out


def test_is_a_missing_path_reported(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nowhere.ipynb")]) == 1
    assert "does not exist" in capsys.readouterr().out


def test_is_a_yaml_file_of_unknown_kind_reported(tmp_path):
    path = tmp_path / "thing.yaml"
    path.write_text("kind: poem\ntitle: x\n")
    assert _messages([path]) == [
        f"{path}:1: kind: kind 'poem' is not one the course knows — "
        "use one of: scenario, quiz, sorting, appraisal"
    ]


@pytest.mark.slow
def test_does_the_whole_course_pass_its_own_check(capsys):
    targets = [
        ROOT / "course",
        ROOT / "data" / "datapackage.json",
        ROOT / "solutions",
        ROOT / "exercises",
    ]
    assert main(["check", *(str(t) for t in targets if t.exists())]) == 0, capsys.readouterr().out
