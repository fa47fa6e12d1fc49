"""Twee 3 export: a Harlowe story Twine can import, one passage per node, choice and ending."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.scenarios import load_scenario
from helpers.twee import markup, story_ifid, to_twee

FILES = Path(__file__).parent / "files" / "scenarios"
FIXTURE = FILES / "fixture-assessment.yaml"
HEADER = re.compile(r"^:: (?P<name>[^\[{\n]+?)(?: \[(?P<tags>[^\]]*)\])?(?: (?P<meta>\{.*\}))?$")


def passages(text: str) -> dict[str, dict]:
    """Split Twee 3 text into passages: name -> {tags, meta, body}."""
    found: dict[str, dict] = {}
    current = None
    for line in text.splitlines():
        match = HEADER.match(line)
        if match:
            name = match.group("name")
            assert name not in found, f"passage {name} appears twice"
            current = found[name] = {
                "tags": (match.group("tags") or "").split(),
                "meta": json.loads(match.group("meta")) if match.group("meta") else {},
                "body": [],
            }
        elif current is not None:
            current["body"].append(line)
    for passage in found.values():
        passage["body"] = "\n".join(passage["body"]).strip()
    return found


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIXTURE)


@pytest.fixture(scope="module")
def story(scenario):
    return passages(to_twee(scenario))


def test_does_the_story_say_its_title_format_and_start(scenario, story):
    assert story["StoryTitle"]["body"] == scenario.title
    data = json.loads(story["StoryData"]["body"])
    assert data["format"] == "Harlowe" and data["format-version"].startswith("3.")
    assert data["start"] == "Start" and "Start" in story
    assert re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", data["ifid"]
    )


def test_is_the_ifid_the_same_every_time_and_different_per_scenario():
    assert story_ifid("fixture-assessment") == story_ifid("fixture-assessment")
    assert story_ifid("fixture-assessment") != story_ifid("another-case")


def test_is_there_one_passage_per_node_choice_and_ending(scenario, story):
    choices = sum(len(node.choices) for node in scenario.nodes.values())
    assert len(story) == 3 + len(scenario.nodes) + choices + len(scenario.endings)
    for ending_id in scenario.endings:
        assert story[ending_id]["tags"] == ["ending"]
    assert story["referral-choice-1"]["tags"] == ["feedback"]
    assert all(
        "position" in p["meta"]
        for name, p in story.items()
        if name not in ("StoryTitle", "StoryData")
    )


def test_does_every_link_lead_to_a_passage(story):
    targets = []
    for passage in story.values():
        targets += re.findall(r"\[\[[^\]]*?->([^\]]+)\]\]", passage["body"])
        targets += re.findall(r'\(link-goto: "[^"]*", "([^"]+)"\)', passage["body"])
    assert targets and all(t in story for t in targets)


def test_does_the_start_screen_set_the_initial_state(scenario, story):
    body = story["Start"]["body"]
    assert scenario.content_note in body
    assert "(set: $nr_consulted to false)(set: $interpreter to false)(set: $rapport to 0)" in body
    assert body.endswith("[[Begin->referral]]")


def test_is_a_choice_shown_only_when_its_condition_holds(story):
    assert (
        "(if: ($rapport >= 2))[[[Ask Ewa to sit with her while you explain->doorstep-choice-3]]]"
        in story["doorstep"]["body"]
    )
    assert "(if: (not $nr_consulted))[Ewa comes to the door" in story["doorstep"]["body"]


def test_does_a_choice_passage_give_feedback_effects_and_routes(story):
    body = story["contact-nr-choice-1"]["body"]
    assert "(set: $nr_consulted to true)(set: $rapport to (max: 0, (min: 3, $rapport + 1)))" in body
    assert "Section 11 requires you to inform the nearest relative" in body
    routes = story["application-choice-1"]["body"].splitlines()[-1]
    assert routes == (
        '(if: $nr_consulted)[(link-goto: "Continue", "s2-admission")]'
        '(else:)[(link-goto: "Continue", "nr-not-told")]'
    )


def test_can_the_learner_go_back_where_the_author_allows_it(story):
    assert '(link-undo: "Go back and choose again")' in story["doorstep-choice-1"]["body"]
    assert "link-undo" not in story["records-choice-1"]["body"]


def test_does_an_ending_show_its_score_and_debrief(story):
    body = story["home-treatment"]["body"]
    assert "''Outcome:'' good. ''Score:'' 3 out of 3" in body
    assert "## Debrief" in body and body.endswith('(link: "Play again")[(restart:)]')


def test_is_a_rationale_prompt_an_input_box(story):
    assert '(input-box: bind $why_alternatives, "X", 3)' in story["alternatives"]["body"]


def test_is_markdown_turned_into_safe_harlowe_markup():
    text = "See [the Act](https://www.legislation.gov.uk/ukpga/1983/20) (see: s13).\n- one\n- two"
    assert markup(text) == (
        'See <a href="https://www.legislation.gov.uk/ukpga/1983/20">the Act</a> &#40;see: s13).'
        "\n* one\n* two"
    )
    assert markup("Costs $5 and _temp, https://x.org {a} [b]") == (
        "Costs $5 and &#95;temp, https:/&#47;x.org &#123;a&#125; &#91;b&#93;"
    )
    assert (
        markup("$name ''bold''\n:: not a passage")
        == "&#36;name '&#39;bold'&#39; &#58;: not a passage"
    )
    assert markup("line one\nline two\n\n# Heading\nnext") == "line one line two\n\n# Heading\nnext"


def test_does_mhsw_twee_write_a_file(tmp_path, capsys):
    out = tmp_path / "story.twee"
    assert main(["twee", str(FIXTURE), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == to_twee(load_scenario(FIXTURE))
    assert f"Wrote {out} (45 passages)" in capsys.readouterr().out


def test_does_mhsw_twee_print_to_standard_output(capsys):
    assert main(["twee", str(FIXTURE)]) == 0
    assert capsys.readouterr().out.startswith(":: StoryTitle\n")


def test_does_mhsw_twee_refuse_a_broken_scenario_with_located_problems(capsys):
    path = FILES / "unknown-target.yaml"
    assert main(["twee", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:38: nodes.second.choices[1].target: 'too-lat'" in err
