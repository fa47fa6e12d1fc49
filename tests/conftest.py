"""Shared fixtures: a throw-away copy of the data folder, and the repository root."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    from _kernel_ports import reserve

    reserve()  # this process's kernels never share a port with another process's


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="module")
def load():
    """``helpers.load_dataset`` on the course catalogue (types, categories, keys checked)."""
    from helpers import datasets

    yield datasets.load_dataset


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A copy of data/ that a test may damage; the loader is pointed at it."""
    from helpers import _paths, datasets

    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("_fragments", "scripts"))
    monkeypatch.setenv("MHSW_DATA_DIR", str(target))
    _paths.data_dir.cache_clear()
    datasets._package.cache_clear()
    yield target
    _paths.data_dir.cache_clear()
    datasets._package.cache_clear()
