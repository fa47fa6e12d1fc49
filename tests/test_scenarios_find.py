"""find_scenario: graded notebooks find a course scenario by its id."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.scenarios import _build, find_scenario

FIXTURE = Path(__file__).parent / "files" / "scenarios" / "fixture-assessment.yaml"


@pytest.fixture
def roots(tmp_path, monkeypatch):
    repo, bundled = tmp_path / "repo" / "course", tmp_path / "wheel" / "course"
    monkeypatch.setattr(_build, "course_roots", lambda: [repo, bundled])
    return repo, bundled


def place(root: Path, module: str, name: str) -> Path:
    folder = root / module / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(FIXTURE, folder / name))


def test_is_a_scenario_found_by_its_id_not_its_file_name(roots):
    path = place(roots[0], "m3-amhp", "home-visit.yaml")
    assert find_scenario("fixture-assessment") == path


def test_does_the_repository_come_before_an_installed_copy(roots):
    repo_copy = place(roots[0], "m3-amhp", "a.yaml")
    place(roots[1], "m3-amhp", "a.yaml")
    assert find_scenario("fixture-assessment") == repo_copy


def test_is_an_installed_copy_used_when_the_repository_has_none(roots):
    wheel_copy = place(roots[1], "m3-amhp", "a.yaml")
    assert find_scenario("fixture-assessment") == wheel_copy


def test_does_an_unknown_id_list_the_known_ones(roots):
    place(roots[0], "m3-amhp", "a.yaml")
    with pytest.raises(LookupError) as caught:
        find_scenario("m3-no-such-case")
    assert "No course scenario has the id 'm3-no-such-case'" in str(caught.value)
    assert "Known scenario ids: fixture-assessment." in str(caught.value)


def test_do_the_default_places_point_at_the_course_folders():
    import helpers

    package = Path(helpers.__file__).resolve().parent
    repo, bundled = _build.course_roots()
    assert repo == package.parents[1] / "course"
    assert bundled == package / "_bundled" / "course"
