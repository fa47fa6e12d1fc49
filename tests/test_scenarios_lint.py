"""Lint rules for scenario files: each malformed fixture gives one exact, located message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers._problems import ContentError
from helpers.scenarios import lint_scenario, load_scenario

FILES = Path(__file__).parent / "files" / "scenarios"

# fixture name -> (line, message after "file:line: ")
MALFORMED = {
    "yaml-syntax-error": (
        29,
        "YAML syntax error: mapping values are not allowed here — check indentation, colons "
        "and quotes on this line and the one before; put text containing ': ' or '#' in double "
        "quotes",
    ),
    "unknown-target": (
        38,
        "nodes.second.choices[1].target: 'too-lat' is not a node or an ending — use an id "
        "listed under `nodes:` or `endings:` (did you mean 'too-late'?)",
    ),
    "unreachable-node": (
        39,
        "nodes.orphan: cannot be reached from the start — make a choice lead to 'orphan', "
        "or delete it",
    ),
    "dead-end": (
        39,
        "nodes.waiting: is a dead end: it has no choices, so the learner is stuck — add "
        "choices, or move it under `endings:` with a debrief",
    ),
    "loop-without-exit": (
        31,
        "nodes.ring-back: loop without an exit: from 'ring-back' and 'ring-again' no choice "
        "ever leads to an ending — give one of these nodes a choice that leads towards an ending",
    ),
    "missing-feedback": (
        36,
        "nodes.second.choices[1].feedback: is missing — add `feedback:` saying what this "
        "choice shows about practice and the law",
    ),
    "wrong-type": (
        43,
        "endings.good-ending.score: should be a whole number, but it is the text 'two' — "
        "write a whole number without quotes, e.g. `score: 1`",
    ),
    "wrong-effect-type": (
        22,
        "nodes.first.choices[0].effects.set.visited: 'visited' is a flag, so it can only be "
        "set to true or false — write `visited: true` or `visited: false`",
    ),
    "unknown-state-variable": (
        34,
        "nodes.second.choices[0].when: 'visitd' is not a declared state variable — declare "
        "it under `state:` or fix the spelling (did you mean 'visited'?) (declared: visited, "
        "trust)",
    ),
    "unsafe-condition": (
        34,
        "nodes.second.choices[0].when: '__import__('os').system('ls')' contains something "
        "that is not allowed in a condition — use state names, not, and, or, brackets and "
        "comparisons with whole numbers, e.g. `nr_consulted and rapport >= 2`",
    ),
    "missing-debrief": (
        45,
        "endings.too-late.debrief: is missing — add `debrief:` explaining what this ending teaches",
    ),
    "law-without-section": (
        19,
        'nodes.first.law[0].section: is missing — add the section, e.g. `section: "13(2)"`',
    ),
    "law-act-not-named": (
        19,
        "nodes.first.law[0].act: 'MHA' does not name the Act in full — write its full title "
        'with the year, e.g. "Mental Health Act 1983"',
    ),
    "section-not-listed": (
        17,
        "nodes.first.text: mentions section 13 but `law` does not list it — add "
        '`- {act: "...", section: "13"}` under `law:`',
    ),
    "missing-content-note": (
        1,
        "content_note: is missing — add `content_note:` naming the sensitive topics in one or "
        "two sentences",
    ),
    "duplicate-id": (
        39,
        "nodes.second: duplicate id: the node 'second' is already defined on line 28 — give "
        "each node its own id, or merge the two",
    ),
    "node-and-ending-share-id": (
        40,
        "endings.second: duplicate id: 'second' is used for a node and for an ending — rename "
        "one of them (and the targets that lead to it)",
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_does_each_malformed_fixture_give_one_exact_located_message(name):
    path = FILES / f"{name}.yaml"
    line, message = MALFORMED[name]
    assert [str(p) for p in lint_scenario(path)] == [f"{path}:{line}: {message}"]


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_does_loading_a_malformed_fixture_raise_the_same_problem(name):
    path = FILES / f"{name}.yaml"
    with pytest.raises(ContentError) as caught:
        load_scenario(path)
    assert caught.value.problems == lint_scenario(path)


@pytest.mark.parametrize("name", ["fixture-assessment", "minimal-good"])
def test_do_the_good_fixtures_pass_every_rule(name):
    assert lint_scenario(FILES / f"{name}.yaml") == []


def test_is_the_path_named_exactly_as_given(tmp_path, monkeypatch):
    shutil.copy(FILES / "unknown-target.yaml", tmp_path / "case.yaml")
    monkeypatch.chdir(tmp_path)
    [problem] = lint_scenario("./case.yaml")
    assert str(problem).startswith("./case.yaml:38: ")
    [problem] = lint_scenario(tmp_path / "case.yaml")
    assert str(problem).startswith(f"{tmp_path / 'case.yaml'}:38: ")


def test_is_a_missing_file_reported_rather_than_raised(tmp_path):
    path = tmp_path / "nowhere.yaml"
    assert [str(p) for p in lint_scenario(path)] == [
        f"{path}: file not found — check the path and the file name"
    ]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def base_with(old: str, new: str) -> str:
    text = (FILES / "minimal-good.yaml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def only_problem(tmp_path: Path, old: str, new: str):
    """The one problem the checker finds in the minimal good scenario with ``old`` changed to
    ``new``, and the path of the file it checked."""
    path = write(tmp_path, base_with(old, new))
    problems = lint_scenario(path)
    assert len(problems) == 1, f"expected exactly one problem, found: {problems}"
    return problems[0], path


def test_are_several_problems_reported_together_in_line_order(tmp_path):
    text = base_with("    score: 2\n", "    score: two\n")
    text = text.replace("        target: too-late\n  second:", "        target: nowhere\n  second:")
    text = text.replace('    debrief: "Delay has costs."\n', "")
    lines = [p.line for p in lint_scenario(write(tmp_path, text))]
    assert lines == [27, 43, 45]


def test_is_an_unknown_field_named_with_the_allowed_ones(tmp_path):
    problem, path = only_problem(
        tmp_path, "    outcome: good\n", "    outcome: good\n    scor: 2\n"
    )
    assert problem.line == 43
    assert problem.field == "endings.good-ending.scor"
    assert "allowed here: debrief, law, outcome, score, text, title" in problem.fix


def test_is_a_wrong_outcome_explained_with_the_choices(tmp_path):
    problem, path = only_problem(tmp_path, "    outcome: poor\n", "    outcome: bad\n")
    assert str(problem) == (
        f"{path}:47: endings.too-late.outcome: the text 'bad' is not allowed — use one of: "
        "good, acceptable, poor, unsafe, unlawful"
    )


def test_is_a_label_read_as_true_or_false_explained(tmp_path):
    problem, path = only_problem(tmp_path, 'label: "Listen"', "label: yes")
    assert problem.message == "should be text, but it is true (true/false)"
    assert problem.fix == "put the value in double quotes so it is read as text"


def test_is_a_long_content_note_refused(tmp_path):
    note = "Mental health crisis. " * 30
    problem, path = only_problem(
        tmp_path,
        'content_note: "Mental health crisis; no self-harm is described."',
        f'content_note: "{note.strip()}"',
    )
    assert problem.field == "content_note"
    assert problem.message.startswith("is too long (")


def test_is_a_file_of_another_kind_refused(tmp_path):
    problem, path = only_problem(tmp_path, "kind: scenario", "kind: quiz")
    assert str(problem) == f"{path}:1: kind: should be 'scenario' — write `kind: scenario`"


def test_is_adding_to_a_flag_refused(tmp_path):
    problem, path = only_problem(tmp_path, "add: {trust: 1}", "add: {visited: 1}")
    assert problem.field == "nodes.first.choices[0].effects.add.visited"
    assert problem.message == "'visited' is a flag (true/false), so nothing can be added to it"


def test_is_a_counter_used_as_true_or_false_refused(tmp_path):
    problem, path = only_problem(tmp_path, '"visited and trust >= 1"', '"visited and trust"')
    assert problem.message == "'trust' is a counter but is used as true/false"


def test_is_a_flag_compared_with_a_number_refused(tmp_path):
    problem, path = only_problem(tmp_path, '"visited and trust >= 1"', '"visited >= 1"')
    assert problem.message == "'visited' is a flag (true/false) but is compared with a number"


def test_is_a_route_list_without_a_final_fallback_refused(tmp_path):
    problem, path = only_problem(
        tmp_path,
        "        target: good-ending\n",
        '        target:\n          - {when: "visited", goto: good-ending}\n'
        '          - {when: "not visited", goto: too-late}\n',
    )
    assert problem.field == "nodes.second.choices[0].target[1].when"
    assert "the last route has a `when`" in problem.message


def test_is_a_start_that_is_not_a_node_refused(tmp_path):
    problem, path = only_problem(tmp_path, "start: first", "start: frist")
    assert str(problem) == (
        f"{path}:13: start: 'frist' is not a node — set `start:` to the id of the first node "
        "(did you mean 'first'?)"
    )


def test_does_a_node_that_only_leads_to_a_dead_end_go_unreported(tmp_path):
    # The dead end is the one thing to fix; the node before it needs no message of its own.
    text = (FILES / "dead-end.yaml").read_text(encoding="utf-8")
    text = text.replace("        target: waiting\n", "        target: pause\n")
    text = text.replace(
        "endings:\n",
        "  pause:\n    title: P\n    text: T\n    choices:\n"
        "      - {label: L, feedback: F, target: waiting}\nendings:\n",
    )
    problems = lint_scenario(write(tmp_path, text))
    assert [p.field for p in problems] == ["nodes.waiting"]


def test_are_sections_of_a_code_of_practice_accepted(tmp_path):
    path = write(
        tmp_path,
        base_with(
            '    text: "A GP asks for an assessment."\n',
            '    text: "A GP asks for an assessment (s13, s.135)."\n    law:\n'
            '      - {act: "Mental Health Act 1983", section: 13}\n'
            '      - {act: "Mental Health Act 1983", section: "s135(1)"}\n'
            '      - {act: "Mental Health Act 1983: Code of Practice (2015)", section: "14.52"}\n',
        ),
    )
    assert lint_scenario(path) == []


def test_is_a_duplicated_field_reported(tmp_path):
    problem, path = only_problem(tmp_path, "    score: 2\n", "    score: 2\n    score: 3\n")
    assert str(problem) == (
        f"{path}:44: endings.good-ending.score: is written twice (first on line 43); only one "
        "would be used — delete one of the two"
    )


@pytest.mark.parametrize(
    "text, sections",
    [
        ("Under s13(2) the AMHP must interview the person.", ["13"]),
        ("An application under section 2, then sections 3 and 4.", ["2", "3"]),
        ("BASW (2010), *Social Work in Multi Disciplinary Mental Health Teams*, section 7.2", []),
        ("Statham, Cameron and Mooney (2006), section 3, found little research.", []),
        ("The team met (2019) and then used s117 aftercare.", ["117"]),
    ],
)
def test_are_sections_of_cited_papers_not_taken_for_sections_of_an_act(text, sections):
    from helpers.scenarios.lint import law_section_mentions

    assert law_section_mentions(text) == sections
