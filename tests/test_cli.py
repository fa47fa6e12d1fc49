"""The `mhsw` command line and `python -m helpers`."""

from __future__ import annotations

import subprocess
import sys

from helpers.cli import main


def test_does_mhsw_datasets_list_every_dataset(capsys):
    from helpers import list_datasets

    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in list_datasets():
        assert name in out


def test_does_mhsw_datasets_describe_one(capsys):
    assert main(["datasets", "pq_awards_2000_2005"]) == 0
    assert "Source:" in capsys.readouterr().out


def test_does_an_unknown_dataset_exit_1_with_the_valid_names(capsys):
    assert main(["datasets", "pq"]) == 1
    assert "There is no dataset called 'pq'" in capsys.readouterr().out


def test_does_mhsw_without_a_command_show_help(capsys):
    assert main([]) == 2
    assert "check" in capsys.readouterr().out


def test_is_python_dash_m_helpers_the_same_command():
    out = subprocess.run(
        [sys.executable, "-m", "helpers", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "check" in out.stdout
