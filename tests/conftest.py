"""Shared fixtures: a throw-away copy of the data folder, the repository root, and the course
website built once per test session (tests/test_site.py and tests/test_lite.py share it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
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


def offline_prefix() -> list[str]:
    """Run a command in a network namespace with no network, where the machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and os.geteuid() == 0:
        probe = subprocess.run([unshare, "--net", "true"], capture_output=True)
        if probe.returncode == 0:
            return [unshare, "--net"]
    return []


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """``make site`` without executing the notebooks, with the network cut where possible; the
    practice tier (``lite/``) is in it when ``make site-deps`` has fetched what it needs.

    Built once per ``make test`` run: test processes running side by side share the build (the
    first to ask builds it while the others wait for it)."""
    pytest.importorskip("myst_nb", reason="the website needs: pip install -e '.[site]'")
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "site-build"
    out = folder / "site"
    with _exclusive(shared / "site-build.lock"):
        if not (folder / "build-output.txt").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            command = offline_prefix() + [sys.executable, "-m", "helpers.site", "--no-execute"]
            # a relative output folder, as `make site` gives it (build/site)
            relative = os.path.relpath(out, ROOT)
            result = subprocess.run(
                command + ["-o", relative], capture_output=True, text=True, cwd=ROOT
            )
            assert result.returncode == 0, result.stderr[-3000:]
            (folder / "build-output.txt").write_text(result.stdout, encoding="utf-8")
    return out


@contextlib.contextmanager
def _exclusive(path: Path):
    """Hold a lock on ``path`` while the block runs (a no-op where ``fcntl`` is missing)."""
    try:
        import fcntl
    except ImportError:  # Windows: one test process
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
