"""Playing a scenario with a Session: choices, effects, conditions, back, restart, traces."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpers.scenarios import Ending, Node, Scenario, Session, load_scenario

FILES = Path(__file__).parent / "files" / "scenarios"
FIXTURE = FILES / "fixture-assessment.yaml"
RATIONALE = "The Code's first principle asks me to try the least restrictive option first."


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self):
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds

    def wait(self, seconds: float) -> None:
        self.seconds += seconds


class FakeNow:
    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.start = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=self.clock.seconds - 100.0)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(FIXTURE)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(scenario, clock) -> Session:
    return Session(scenario, clock=clock, now=FakeNow(clock))


def play_to_alternatives(session: Session) -> None:
    for index in (0, 0, 0, 0, 0, 0):  # referral ... interview, the best options
        session.choose(index)


def test_can_a_scenario_be_loaded(scenario):
    assert scenario.id == "fixture-assessment"
    assert scenario.start == "referral"
    assert len(scenario.nodes) >= 8 and len(scenario.endings) >= 3
    assert scenario.max_score == 3
    assert scenario.state["rapport"].max == 3 and scenario.state["nr_consulted"].initial is False
    assert scenario.nodes["alternatives"].rationale.min_words == 10
    assert scenario.nodes["doorstep"].allow_back is True
    assert str(scenario.nodes["referral"].law[0]) == "Mental Health Act 1983, s13(1)"
    assert len(scenario.sha256) == 64 and scenario.path == str(FIXTURE)
    assert scenario.content_note and scenario.learning_outcomes


def test_does_a_new_session_start_at_the_start_node(session):
    assert isinstance(session.current, Node) and session.current.id == "referral"
    assert not session.finished and session.ending is None
    assert session.state == {"nr_consulted": False, "interpreter": False, "rapport": 0}
    assert "section 13" in session.text
    assert [i for i, _ in session.available_choices()] == [0, 1]
    assert session.last_feedback is None and not session.can_go_back
    assert session.decisions_made == 0
    assert session.decisions_left_estimate() == 7


def test_does_a_choice_apply_its_effects_and_record_a_timed_step(session, clock):
    session.choose(0)
    clock.wait(41.25)
    choice = session.choose(0)
    assert choice.label.startswith("Book a professional Polish interpreter")
    assert session.last_feedback == choice.feedback
    assert session.current.id == "who-is-nr"
    assert session.state == {"nr_consulted": False, "interpreter": True, "rapport": 1}
    assert session.steps[-1] == {
        "node": "records",
        "choice": 0,
        "label": choice.label,
        "target": "who-is-nr",
        "rationale": None,
        "seconds": 41.2,
        "state": {"nr_consulted": False, "interpreter": True, "rapport": 1},
    }
    assert session.decisions_made == 2


def test_does_a_later_choice_depend_on_earlier_ones(scenario, clock):
    built = Session(scenario, clock=clock)
    for index in (0, 0, 0, 0):  # interpreter and nearest relative consulted: rapport 2
        built.choose(index)
    assert [i for i, _ in built.available_choices()] == [0, 1, 2]
    assert "Ewa expected you" in built.text and "surprised and upset" not in built.text
    neglected = Session(scenario, clock=clock)
    for index in (0, 2, 0, 1):  # no interpreter, nearest relative not told: rapport 0
        neglected.choose(index)
    assert [i for i, _ in neglected.available_choices()] == [0, 1]
    assert "surprised and upset" in neglected.text
    with pytest.raises(ValueError, match="not one of the options shown"):
        neglected.choose(2)


def test_are_counters_kept_between_min_and_max(session):
    for index in (0, 0, 0, 0, 2, 0):
        session.choose(index)
    assert session.state["rapport"] == 3  # 4 additions, capped at max 3
    session2 = Session(session.scenario)
    for index in (0, 0, 0, 0, 1):
        session2.choose(index)
    assert session2.state["rapport"] == 0  # `set` to 0 by the threat


def test_does_a_required_rationale_hold_the_choice_back(session):
    play_to_alternatives(session)
    assert session.current.id == "alternatives"
    assert session.needs_rationale
    assert session.rationale_prompt.startswith("Why is this the right next step?")
    with pytest.raises(ValueError, match="Write a short rationale before you choose"):
        session.choose(0)
    with pytest.raises(ValueError, match="has 3 word\\(s\\); write at least 10 words"):
        session.choose(0, rationale="least restrictive option")
    assert session.current.id == "alternatives" and session.decisions_made == 6
    session.choose(0, rationale=f"  {RATIONALE}  ")
    assert session.steps[-1]["rationale"] == RATIONALE


def test_does_a_route_follow_the_state_to_an_ending(session, clock):
    play_to_alternatives(session)
    clock.wait(30)
    session.choose(0, rationale=RATIONALE)
    assert session.finished
    assert isinstance(session.current, Ending) and session.ending.id == "home-treatment"
    assert session.ending.score == 3 and session.ending.defensible
    assert session.available_choices() == [] and session.decisions_left_estimate() == 0
    assert session.text.startswith("The home treatment team visits")
    assert not session.can_go_back
    with pytest.raises(ValueError, match="has ended"):
        session.choose(0)


def test_does_the_other_route_apply_when_the_condition_is_false(scenario):
    session = Session(scenario)
    for index in (0, 0, 0, 1):  # nearest relative not told
        session.choose(index)
    for index in (0, 0):
        session.choose(index)
    session.choose(0, rationale=RATIONALE)
    assert session.current.id == "informal-offer"


def test_can_the_learner_go_back_only_where_the_author_allows_it(session):
    for index in (0, 0, 0, 0):
        session.choose(index)
    assert session.current.id == "doorstep"
    assert not session.can_go_back  # the decision at contact-nr is final
    with pytest.raises(ValueError, match="cannot go back"):
        session.back()
    before = session.state
    session.choose(1)  # the threat: rapport set to 0
    assert session.state["rapport"] == 0 and session.can_go_back
    session.back()
    assert session.current.id == "doorstep" and session.state == before
    assert session.last_feedback is None and session.decisions_made == 4
    assert session.trace()["back_steps"] == 1


def test_does_restart_begin_again_and_count_it(session):
    for index in (0, 0, 0, 0):
        session.choose(index)
    session.restart()
    assert session.current.id == "referral" and session.steps == []
    assert session.state == session.scenario.initial_state()
    assert session.trace()["restarts"] == 1 and session.trace()["finished_at"] is None


def test_does_the_trace_hold_everything_the_format_names(scenario, session, clock):
    play_to_alternatives(session)
    clock.wait(12.5)
    session.choose(0, rationale=RATIONALE)
    trace = session.trace()
    assert trace["format"] == "mhsw-trace/1"
    assert trace["scenario"] == {
        "id": "fixture-assessment",
        "title": scenario.title,
        "version": 1,
        "sha256": scenario.sha256,
    }
    assert trace["started_at"] == "2026-11-22T10:00:00+00:00"
    assert trace["finished_at"] == "2026-11-22T10:00:12.500000+00:00"
    assert [s["node"] for s in trace["steps"]] == [
        "referral",
        "records",
        "who-is-nr",
        "contact-nr",
        "doorstep",
        "interview",
        "alternatives",
    ]
    assert [s["seconds"] for s in trace["steps"]] == [0.0] * 6 + [12.5]
    assert trace["ending"] == {
        "id": "home-treatment",
        "title": "Home treatment agreed",
        "outcome": "good",
        "score": 3,
        "max_score": 3,
    }
    assert trace["state"] == {"nr_consulted": True, "interpreter": True, "rapport": 3}
    assert json.loads(json.dumps(trace)) == trace


def test_can_a_session_be_resumed_from_its_trace(scenario, session, clock):
    for index in (0, 0, 0, 0, 1):
        session.choose(index)
    session.back()
    session.choose(0)
    trace = session.trace()
    resumed = Session.resume(scenario, json.loads(json.dumps(trace)), clock=clock)
    assert resumed.current.id == session.current.id == "interview"
    assert resumed.state == session.state
    assert resumed.trace() == trace
    resumed.choose(0)
    assert resumed.current.id == "alternatives"


def test_does_a_finished_trace_resume_as_finished(scenario, session):
    play_to_alternatives(session)
    session.choose(2, rationale=RATIONALE)
    session.choose(0)
    trace = session.trace()
    resumed = Session.resume(scenario, trace)
    assert resumed.finished and resumed.ending.id == "s2-admission"
    assert resumed.trace() == trace


def copy_fixture(tmp_path: Path, old: str = "", new: str = "") -> Path:
    path = tmp_path / "fixture-assessment.yaml"
    shutil.copy(FIXTURE, path)
    if old:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_does_resume_accept_a_scenario_changed_in_harmless_ways(tmp_path, session):
    for index in (0, 0, 0):
        session.choose(index)
    path = copy_fixture(
        tmp_path,
        "The home treatment team visits that evening",
        "The home treatment team visits at six",
    )
    changed = load_scenario(path)
    assert changed.sha256 != session.scenario.sha256
    assert Session.resume(changed, session.trace()).current.id == "contact-nr"


def test_does_resume_refuse_a_scenario_changed_under_the_trace(tmp_path, session):
    for index in (0, 0, 0):
        session.choose(index)
    path = copy_fixture(tmp_path, 'label: "Her mother, Ewa"', 'label: "Ewa, her mother"')
    with pytest.raises(ValueError) as caught:
        Session.resume(load_scenario(path), session.trace())
    assert str(caught.value) == (
        "The scenario 'fixture-assessment' has changed since this trace was saved and step 3 "
        "no longer fits it: choice 0 at 'who-is-nr' is now 'Ewa, her mother', not 'Her mother, "
        "Ewa'. The trace cannot be continued; restart the scenario to play it again."
    )


def test_does_resume_refuse_a_trace_edited_by_hand(scenario, session):
    for index in (0, 0, 0, 0, 0, 0):
        session.choose(index)
    session.choose(1, rationale=RATIONALE)
    session.choose(1)
    assert session.current.id == "informal-declined"
    trace = session.trace()
    trace["steps"][0]["node"] = "records"
    with pytest.raises(ValueError, match="Step 1 of this decision trace does not match"):
        Session.resume(scenario, trace)


def test_does_resume_refuse_a_claimed_ending_the_steps_do_not_reach(scenario, session):
    play_to_alternatives(session)
    session.choose(2, rationale=RATIONALE)
    session.choose(1)
    trace = session.trace()
    assert trace["ending"]["outcome"] == "poor"
    trace["ending"] = dict(trace["ending"], id="home-treatment", outcome="good", score=3)
    trace["steps"][-1]["target"] = "home-treatment"
    with pytest.raises(ValueError, match="now leads elsewhere|edited by hand"):
        Session.resume(scenario, trace)


def test_does_resume_refuse_the_trace_of_another_scenario(scenario, session):
    trace = session.trace()
    trace["scenario"]["id"] = "another-case"
    with pytest.raises(ValueError, match="belongs to the scenario 'another-case'"):
        Session.resume(scenario, trace)


def test_do_the_engine_modules_stay_free_of_widgets_and_light_to_import():
    code = (
        "import sys, helpers\n"
        "assert 'yaml' not in sys.modules and 'jsonschema' not in sys.modules\n"
        "import helpers.scenarios, helpers.traces, helpers.twee\n"
        "assert 'jsonschema' not in sys.modules and 'yaml' not in sys.modules\n"
        f"helpers.scenarios.load_scenario({str(FIXTURE)!r})\n"
        "assert 'ipywidgets' not in sys.modules and 'pandas' not in sys.modules\n"
        # the slow optional IRI checker of jsonschema is skipped, and not blocked for others
        "assert 'rfc3987_syntax' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_does_every_random_play_through_reach_an_ending_and_resume(scenario):
    import random

    rng = random.Random(2026)
    endings = set()
    for _ in range(200):
        session = Session(scenario)
        while not session.finished:
            assert session.decisions_made < 30, "a play-through should not go round in circles"
            if session.can_go_back and rng.random() < 0.2:
                session.back()
                continue
            index, _ = rng.choice(session.available_choices())
            session.choose(index, rationale=RATIONALE if session.needs_rationale else None)
        endings.add(session.ending.id)
        assert Session.resume(scenario, session.trace()).trace() == session.trace()
    assert len(endings) >= 6
