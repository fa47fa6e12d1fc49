"""Local settings: a partnership's names and support contacts in one checked file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import ContentError
from helpers.checks import check_paths
from helpers.local import (
    DEFAULTS,
    TOKENS,
    fill_text,
    lint_local,
    load_local,
    local_settings,
    module_of,
    support,
)
from helpers.scenarios import lint_scenario, load_scenario

FILES = Path(__file__).parent / "files"
PARTNER = FILES / "partner" / "local.yaml"
CASE = FILES / "bundle-source" / "course" / "m9-fixture" / "scenarios" / "local-case.yaml"
ROOT = Path(__file__).resolve().parents[1]


def course_folder(root: Path, local: Path | None = None, module: str = "m9-fixture") -> Path:
    """A minimal course folder with the token scenario in ``module``; returns the scenario."""
    (root / "data").mkdir(parents=True)
    (root / "data" / "datapackage.json").write_text(json.dumps({"resources": []}))
    target = root / "course" / module / "scenarios" / CASE.name
    target.parent.mkdir(parents=True)
    shutil.copy(CASE, target)
    if local:
        shutil.copy(local, root / "local.yaml")
    return target


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch):
    monkeypatch.delenv("MHSW_LOCAL", raising=False)


def test_do_the_course_defaults_pass_their_own_check():
    assert lint_local(DEFAULTS) == []


def test_do_modules_without_a_partner_file_keep_the_course_places():
    settings = load_local(None)
    assert settings.tokens("m1-roles")["place.area"] == "Northvale"
    assert settings.tokens("m1-roles")["place.cmht"] == "Fenbridge Community Mental Health Team"
    assert settings.tokens("m3-amhp")["place.area"] == "Westmoor"
    assert settings.tokens("m3-amhp")["place.general_hospital"] == "Westmoor General"
    assert settings.tokens(None)["institution.name"] == "your university"
    assert set(settings.tokens("m3-amhp")) == set(TOKENS)


def test_does_a_partner_place_replace_every_modules_place():
    settings = load_local(PARTNER)
    for module in ("m1-roles", "m3-amhp", "m9-fixture", None):
        assert settings.tokens(module)["place.town"] == "Millbridge"
    assert settings.institution["name"] == "the University of Anyshire"
    # support fields the partner did not write would keep the course's; here all are written
    assert [c["name"] for c in settings.support["contacts"]] == [
        "Anyshire Student Wellbeing",
        "Anyshire Nightline",
    ]


def test_does_a_partner_module_place_beat_its_general_place(tmp_path):
    text = PARTNER.read_text(encoding="utf-8")
    module_place = "\n".join(
        "      " + line for line in text.split("place:\n", 1)[1].splitlines()
    ).replace("Millbridge", "Dale End")
    path = tmp_path / "local.yaml"
    path.write_text(text + "modules:\n  m1-roles:\n    place:\n" + module_place + "\n")
    assert lint_local(path) == []
    settings = load_local(path)
    assert settings.tokens("m1-roles")["place.town"] == "Dale End"
    assert settings.tokens("m3-amhp")["place.town"] == "Millbridge"


def test_does_a_partial_support_section_keep_the_course_contacts(tmp_path):
    path = tmp_path / "local.yaml"
    path.write_text('kind: local\nsupport:\n  summary: "Ring the duty tutor on 01632 960 222."\n')
    settings = load_local(path)
    assert settings.support["summary"] == "Ring the duty tutor on 01632 960 222."
    assert any(c["name"] == "Samaritans" for c in settings.support["contacts"])
    assert settings.tokens("m1-roles")["place.area"] == "Northvale"


def test_are_problems_in_a_settings_file_located_by_line_and_field(tmp_path):
    path = tmp_path / "local.yaml"
    path.write_text(
        "kind: local\n"
        "institution:\n"
        "  name: 42\n"
        "support:\n"
        "  contacts:\n"
        "    - name: Helpline\n"
        '      url: "www.example.org"\n'
        "place:\n"
        "  area: Anyshire\n"
        "  twon: Millbridge\n"
        "modules:\n"
        "  Module1: {}\n"
    )
    shown = [str(p) for p in lint_local(path)]
    assert f"{path}:3: institution.name: should be text, but it is the number 42" in shown[0]
    assert any(s.startswith(f"{path}:6: support.contacts[0].details: is missing") for s in shown)
    assert any(
        s.startswith(f"{path}:7: support.contacts[0].url: 'www.example.org' is not a web address")
        for s in shown
    )
    assert any(s.startswith(f"{path}:8: place.town: is missing — add `town:`") for s in shown)
    assert any(
        s.startswith(f"{path}:10: place.twon: is not a field this format knows") for s in shown
    )
    assert any("'Module1' is not a module folder name" in s for s in shown)
    with pytest.raises(ContentError) as caught:
        load_local(path)
    assert f"{path}:3:" in str(caught.value)


def test_does_mhsw_check_find_and_check_the_course_folders_local_yaml(tmp_path, monkeypatch):
    course_folder(tmp_path)
    (tmp_path / "local.yaml").write_text("kind: local\nplace:\n  area: Anyshire\n")
    monkeypatch.chdir(tmp_path)
    problems, _ = check_paths()
    assert any(p.path.endswith("local.yaml") and p.field == "place.town" for p in problems)


def test_does_load_scenario_fill_tokens_from_the_course_folders_local_yaml(tmp_path):
    scenario = load_scenario(course_folder(tmp_path, PARTNER))
    assert scenario.title == "A referral in Millbridge"
    assert scenario.setting.startswith("Millbridge, a town in Anyshire, a fictional county")
    assert "Anyshire County Council" in scenario.setting
    assert "the University of Anyshire" in scenario.learner_role
    assert scenario.support.endswith("Anyshire Nightline answers every night on 01632 960 111.")
    first = scenario.nodes["first"]
    assert first.title == "A call from Anyshire and Dale NHS Foundation Trust"
    assert "Millbridge Community Mental Health Team" in first.text
    assert "St Anne's Hospital" in first.text
    assert first.choices[1].label == "Send the person to Millbridge Royal Infirmary"
    assert "{{" not in json.dumps([first.text, scenario.setting, scenario.support])


def test_does_a_scenario_without_a_partner_file_get_the_course_names(tmp_path):
    scenario = load_scenario(course_folder(tmp_path / "a"))
    assert scenario.title == "A referral in Eastbrook"
    assert "Westmoor County Council" in scenario.setting
    module1 = load_scenario(course_folder(tmp_path / "b", module="m1-roles"))
    assert module1.setting.startswith("Fenbridge, a town in Northvale, a fictional borough")


def test_is_an_unknown_token_reported_with_its_line_and_a_suggestion(tmp_path):
    path = course_folder(tmp_path)
    text = path.read_text(encoding="utf-8").replace('{{ place.town }}"\n', '{{ place.twon }}"\n')
    path.write_text(text, encoding="utf-8")
    problems = [str(p) for p in lint_scenario(path)]
    listed = ", ".join(f"{{{{ {t} }}}}" for t in TOKENS)
    assert problems == [
        f"{path}:3: title: {{{{ place.twon }}}} is not a local name the course knows — "
        f"did you mean {{{{ place.town }}}}? the tokens are {listed}"
    ]


def test_does_a_broken_settings_file_stop_a_scenario_with_its_location(tmp_path):
    path = course_folder(tmp_path)
    (tmp_path / "local.yaml").write_text("kind: local\ninstitution:\n  nme: x\n")
    with pytest.raises(ContentError) as caught:
        load_scenario(path)
    assert f"{tmp_path / 'local.yaml'}:3: institution.nme: is not a field" in str(caught.value)


def test_does_mhsw_local_point_at_another_settings_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MHSW_LOCAL", str(PARTNER))
    assert local_settings(tmp_path).tokens(None)["place.area"] == "Anyshire"


def test_does_fill_text_keep_and_report_unknown_tokens():
    text, unknown = fill_text("{{ place.town }} and {{ place.moon }}", {"place.town": "Eastbrook"})
    assert text == "Eastbrook and {{ place.moon }}"
    assert unknown == ["place.moon"]


def test_is_a_file_placed_in_its_module_by_its_folder(tmp_path):
    assert module_of(tmp_path / "course" / "m3-amhp" / "scenarios" / "x.yaml") == "m3-amhp"
    assert module_of(tmp_path / "course" / "00-start-here" / "x.ipynb") is None


def test_does_support_show_the_partners_contacts(tmp_path):
    course_folder(tmp_path, PARTNER)
    shown = support(tmp_path)
    markdown = shown._repr_markdown_()
    assert markdown.startswith("### Where to get support")
    assert "- **Anyshire Student Wellbeing**: call 01632 960 000" in markdown
    assert "(https://wellbeing.anyshire.example/)" in markdown
    assert "**" not in str(shown) and "Anyshire Nightline" in str(shown)


def test_does_support_default_to_the_course_index_contacts(tmp_path):
    shown = str(support(tmp_path))
    index = (ROOT / "course" / "README.md").read_text(encoding="utf-8")
    for line in ("call 116 123", "text SHOUT to 85258", "option 2 for urgent mental health help"):
        assert line in shown and line in index


def test_do_course_scenarios_without_tokens_load_unchanged():
    scenario = load_scenario(ROOT / "course" / "m1-roles" / "scenarios" / "first-contact.yaml")
    assert scenario.setting.startswith("Fenbridge, a town in Northvale")


def test_is_a_place_name_that_would_break_a_file_refused(tmp_path):
    path = tmp_path / "local.yaml"
    text = PARTNER.read_text(encoding="utf-8").replace(
        'town: "Millbridge"', "town: 'Mill \"bridge\"'"
    )
    path.write_text(text)
    [problem] = lint_local(path)
    assert (
        problem.field == "place.town"
        and problem.line == text.splitlines().index("  town: 'Mill \"bridge\"'") + 1
    )
    assert "cannot use" in problem.message
