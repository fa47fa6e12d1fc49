"""Tests for the scenario widgets (helpers.scenario_view), driven like a learner or a lecturer:
set widget values, call ``.click()`` and read what is shown."""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as widgets
import pytest

from helpers.scenario_view import (
    ScenarioView,
    _when,
    build_scenario_view,
    play_scenario,
    remaining_decisions,
    trace_file,
)
from helpers.scenarios import Session, load_scenario

FIXTURE = Path(__file__).resolve().parent / "files" / "scenarios" / "fixture-assessment.yaml"
TRACE_NAME = "mhsw-trace-fixture-assessment.json"
REASONS = (
    "The Code's first principle asks me to try the least restrictive option before "
    "detention, so I ask the home treatment team first."
)

# The route to the best ending: (start of the button's label, rationale or None).
GOOD_ROUTE = [
    ("Read her records", None),
    ("Book a professional Polish interpreter", None),
    ("Her mother, Ewa", None),
    ("Ring Ewa now", None),
    ("Explain calmly who you are", None),
    ("Ask her what she wants", None),
    ("Ask the home treatment team", REASONS),
]


@pytest.fixture
def scenario():
    return load_scenario(FIXTURE)


@pytest.fixture
def view(scenario, tmp_path) -> ScenarioView:
    started = ScenarioView(Session(scenario), save_folder=tmp_path)
    started.start_button.click()
    return started


def button_for(view: ScenarioView, label_start: str) -> widgets.Button:
    """The choice button whose label (after its letter) starts with ``label_start``."""
    for button in view.choice_buttons:
        if button.description.split(". ", 1)[1].startswith(label_start):
            return button
    shown = [b.description for b in view.choice_buttons]
    raise AssertionError(f"no choice starting {label_start!r} on screen; shown: {shown}")


def take(view: ScenarioView, label_start: str, rationale: str | None = None) -> None:
    if rationale is not None:
        view.rationale_box.value = rationale
    button_for(view, label_start).click()
    assert view.screen == "feedback", view.shown_text()
    view.continue_button.click()


def test_does_the_start_screen_show_the_case_before_anything_else(scenario, tmp_path):
    fresh = ScenarioView(Session(scenario), save_folder=tmp_path)
    shown = fresh.shown_text()
    assert "A Mental Health Act assessment: Ms Kowalska" in shown
    assert "Setting: A terraced house in a fictional town in England" in shown
    assert "Your role: You are the Approved Mental Health Professional (AMHP) on duty" in shown
    assert "Learning outcomes" in shown and "Weigh less restrictive alternatives" in shown
    assert "Content note: A fictional person in a mental health crisis" in shown
    assert "Support: If this case raises something for you" in shown
    assert "[Start the scenario]" in shown
    assert fresh.choice_buttons == []  # nothing to choose before Start


def test_does_start_show_the_first_decision_with_progress_and_choices(view):
    shown = view.shown_text()
    fewest, most = remaining_decisions(view.scenario)["referral"]
    assert f"Decision 1 · between {fewest - 1} and {most - 1} more to an ending" in shown
    assert "The referral" in shown
    assert "Ms Anna Kowalska, 38, has not left her" in shown  # Markdown rendered as text
    assert "Law: Mental Health Act 1983, s13(1)" in shown
    assert [b.description for b in view.choice_buttons] == [
        "A. Read her records and speak to her care coordinator before anything else",
        "B. Book two doctors for 3 pm and go straight there",
    ]
    assert all("mhsw-choice" in b._dom_classes for b in view.choice_buttons)
    assert "Back one decision" not in shown  # going back is not allowed here


def test_can_the_fixture_be_played_to_its_best_ending(view, tmp_path):
    for label, rationale in GOOD_ROUTE:
        take(view, label, rationale)
    assert view.session.finished
    shown = view.shown_text()
    assert "✔ Good outcome" in shown  # in words, not colour alone
    assert "The end: Home treatment agreed" in shown
    assert "Score: 3 out of 3" in shown
    assert "Debrief" in shown and "You tested a less restrictive option" in shown
    assert "mhsw-debrief" in view.debrief._dom_classes
    assert "Copy summary for your reflective log" in shown
    assert view.summary_box.value.startswith("## ")
    assert REASONS in view.summary_box.value
    trace = json.loads((tmp_path / TRACE_NAME).read_text())
    assert trace["ending"]["id"] == "home-treatment"
    assert [step["node"] for step in trace["steps"]][-1] == "alternatives"
    assert trace["steps"][-1]["rationale"] == REASONS


def test_is_feedback_shown_after_each_choice_with_continue(view):
    button_for(view, "Book two doctors").click()
    shown = view.shown_text()
    assert "You chose: Book two doctors for 3 pm and go straight there" in shown
    assert "Speed matters, but going in without information" in shown
    assert "[Continue ▶]" in shown
    assert view.choice_buttons[0] not in view.body.children  # no choosing twice
    view.continue_button.click()
    assert "What the records say" in view.shown_text()


def test_is_the_trace_saved_after_every_choice(view, tmp_path):
    path = tmp_path / TRACE_NAME
    assert not path.exists()
    take(view, "Read her records")
    assert len(json.loads(path.read_text())["steps"]) == 1
    take(view, "Ask Marek to interpret")
    saved = json.loads(path.read_text())
    assert [s["label"] for s in saved["steps"]] == [
        "Read her records and speak to her care coordinator before anything else",
        "Ask Marek to interpret, as he knows her best",
    ]
    assert view.saved_path == path


def test_does_a_required_rationale_block_the_choice_until_it_is_long_enough(view):
    for label, _ in GOOD_ROUTE[:-1]:
        take(view, label)
    assert view.rationale_box in view.body.children
    assert view.rationale_box.description == "Your reasoning:"  # a visible label
    shown = view.shown_text()
    assert "Your rationale (required: at least 10 words): Why is this the right next step?" in shown

    button_for(view, "Ask the home treatment team").click()  # nothing written
    assert view.screen == "decision"
    assert "⚠ Write a short rationale before you choose" in view.shown_text()
    assert view.session.current.id == "alternatives"

    view.rationale_box.value = "Least restrictive first."
    button_for(view, "Ask the home treatment team").click()
    assert "⚠ Your rationale has 3 word(s); write at least 10 words" in view.shown_text()
    assert view.session.current.id == "alternatives"

    view.rationale_box.value = REASONS
    button_for(view, "Ask the home treatment team").click()
    assert view.screen == "feedback"
    assert view.session.steps[-1]["rationale"] == REASONS


def test_does_state_change_which_choices_are_offered(view):
    take(view, "Read her records")
    take(view, "Book a professional Polish interpreter")
    take(view, "Her mother, Ewa")
    take(view, "Leave it until after the assessment")  # Ewa not told, no trust gained
    shown = view.shown_text()
    assert "Ewa comes to the door, surprised and upset" in shown
    assert len(view.choice_buttons) == 2  # "Ask Ewa to sit with her" needs rapport >= 2


def test_can_the_learner_go_back_where_the_author_allows_it(view):
    for label, _ in GOOD_ROUTE[:4]:
        take(view, label)
    assert "Back one decision" not in view.shown_text()  # contact-nr does not allow going back
    before = view.session.state
    assert before["rapport"] > 0
    take(view, "Tell her the police will be called")
    assert view.session.current.id == "interview"
    assert "[◀ Back one decision]" in view.shown_text()
    assert view.session.state["rapport"] == 0
    view.back_button.click()
    assert view.session.current.id == "doorstep"
    assert "At the door" in view.shown_text()
    assert view.session.state == before  # the choice's effect was undone
    take(view, "Explain calmly who you are")
    assert view.session.trace()["back_steps"] == 1


def test_is_the_estimate_of_decisions_left_stable_and_honest(scenario, view):
    remaining = remaining_decisions(scenario)
    assert set(remaining) == set(scenario.nodes)
    for node_id, (fewest, most) in remaining.items():
        assert 1 <= fewest <= most, node_id
    # Some routes are longer than the good one: the first screen gives the range.
    fewest, most = remaining["referral"]
    assert fewest <= len(GOOD_ROUTE) < most
    # Each decision on the good route has at most as many left as the one before.
    mosts = []
    for label, rationale in GOOD_ROUTE:
        mosts.append(remaining[view.session.current.id][1])
        take(view, label, rationale)
    assert mosts == sorted(mosts, reverse=True)


def test_does_restart_ask_first_and_go_back_to_the_first_decision(view, tmp_path):
    take(view, "Read her records")
    take(view, "Ask Marek to interpret")
    view.restart_button.click()
    assert "Start again from the first decision?" in view.shown_text()
    view.cancel_restart_button.click()  # no: carry on where we were
    assert view.session.current.id != "referral"
    assert "Start again from the first decision?" not in view.shown_text()
    view.restart_button.click()
    view.confirm_restart_button.click()
    assert view.session.current.id == "referral"
    assert "Decision 1 ·" in view.shown_text()
    assert view.session.trace()["restarts"] == 1
    # Restart alone does not overwrite the saved attempt; the next choice does.
    assert len(json.loads((tmp_path / TRACE_NAME).read_text())["steps"]) == 2
    take(view, "Book two doctors")
    saved = json.loads((tmp_path / TRACE_NAME).read_text())
    assert (len(saved["steps"]), saved["restarts"]) == (1, 1)


def test_does_restart_after_a_finished_attempt_say_it_will_be_replaced(view, tmp_path):
    for label, rationale in GOOD_ROUTE:
        take(view, label, rationale)
    view.restart_button.click()
    assert "Starting again replaces it as soon as you make your first choice" in (
        view.shown_text()
    )
    assert json.loads((tmp_path / TRACE_NAME).read_text())["ending"]  # nothing replaced yet


def test_is_the_rationale_warning_next_to_the_box(scenario, tmp_path):
    view = ScenarioView(Session(scenario), save_folder=tmp_path)
    view.start_button.click()
    for label, rationale in GOOD_ROUTE[:-1]:
        take(view, label, rationale)
    assert view.session.rationale_prompt
    button_for(view, "Ask the home treatment team").click()  # no reasons written
    children = list(view.body.children)
    assert children.index(view.message) == children.index(view.rationale_box) + 1
    assert 'role="status"' in view.message.value and "⚠" in view.message.value


def test_are_saved_times_written_as_people_write_them():
    assert _when("2026-12-02T14:05:09") == "2 December 2026, 14:05"
    assert _when(None) == ""
    assert _when("not a time") == "not a time"


def test_does_an_unlawful_ending_say_so_in_words(view):
    for label in [
        "Read her records",
        "Ask Marek to interpret",
        "Her brother, Marek",
        "Leave it until after the assessment",
        "Explain calmly who you are",
        "Finish quickly",
    ]:
        take(view, label)
    take(view, "Make the application for admission for assessment now", REASONS)
    take(view, "Apply for admission for treatment (section 3)")
    shown = view.shown_text()
    assert "✘ Unlawful outcome" in shown
    assert "Score: 0 out of 3" in shown
    assert "Under s11(4) you must consult the nearest relative" in shown


def test_can_a_saved_attempt_be_resumed(scenario, tmp_path):
    first = build_scenario_view(FIXTURE, folder=tmp_path)
    first.start_button.click()
    take(first, "Read her records")
    take(first, "Book a professional Polish interpreter")

    again = build_scenario_view(FIXTURE, folder=tmp_path)
    assert again.screen == "resume"
    shown = again.shown_text()
    assert "You have a saved attempt at this scenario." in shown
    assert "You have made 2 decisions so far at Who is the nearest relative?" in shown
    again.resume_button.click()
    assert again.session.current.id == "who-is-nr"
    assert again.session.state["interpreter"] is True
    assert "Decision 3 ·" in again.shown_text()


def test_can_a_learner_with_a_saved_attempt_start_again(tmp_path):
    first = build_scenario_view(FIXTURE, folder=tmp_path)
    first.start_button.click()
    take(first, "Read her records")
    again = build_scenario_view(FIXTURE, folder=tmp_path)
    again.start_over_button.click()
    assert again.screen == "start"
    again.start_button.click()
    assert again.session.current.id == "referral"
    take(again, "Book two doctors")
    saved = json.loads(trace_file("fixture-assessment", tmp_path).read_text())
    assert saved["restarts"] == 1 and len(saved["steps"]) == 1


def test_does_a_finished_attempt_offer_to_show_its_ending(tmp_path):
    first = build_scenario_view(FIXTURE, folder=tmp_path)
    first.start_button.click()
    for label, rationale in GOOD_ROUTE:
        take(first, label, rationale)
    again = build_scenario_view(FIXTURE, folder=tmp_path)
    assert "You reached an ending: Home treatment agreed." in again.shown_text()
    assert again.resume_button.description == "See your ending again"
    assert "Starting again replaces this finished attempt" in again.shown_text()
    assert "T" not in again.shown_text().split("Started ", 1)[1].split(".")[0]  # no ISO stamp
    again.resume_button.click()
    assert "The end: Home treatment agreed" in again.shown_text()


def test_is_a_trace_that_no_longer_fits_explained_and_replaced(tmp_path):
    first = build_scenario_view(FIXTURE, folder=tmp_path)
    first.start_button.click()
    take(first, "Read her records")
    path = tmp_path / TRACE_NAME
    trace = json.loads(path.read_text())
    trace["steps"][0]["label"] = "A choice that is not in the scenario"
    path.write_text(json.dumps(trace))
    again = build_scenario_view(FIXTURE, folder=tmp_path)
    assert again.screen == "start"
    assert "Your saved attempt (mhsw-trace-fixture-assessment.json) cannot be continued" in (
        again.shown_text()
    )


def test_does_resume_false_ignore_a_saved_attempt(tmp_path):
    first = build_scenario_view(FIXTURE, folder=tmp_path)
    first.start_button.click()
    take(first, "Read her records")
    again = build_scenario_view(FIXTURE, folder=tmp_path, resume=False)
    assert again.screen == "start"


def test_does_save_false_write_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quiet = build_scenario_view(FIXTURE, save=False)
    quiet.start_button.click()
    take(quiet, "Read her records")
    assert list(tmp_path.iterdir()) == []


def test_is_a_failed_save_reported_without_stopping_the_scenario(scenario, tmp_path):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("")
    stuck = ScenarioView(Session(scenario), save_folder=not_a_folder)
    stuck.start_button.click()
    take(stuck, "Read her records")
    assert "⚠ Your decisions could not be saved" in stuck.shown_text()
    assert stuck.session.current.id == "records"


def test_is_every_control_labelled(view):
    for label, _ in GOOD_ROUTE[:-1]:
        take(view, label)
    buttons = [
        *view.choice_buttons,
        view.back_button,
        view.restart_button,
        view.start_button,
        view.continue_button,
        view.resume_button,
        view.start_over_button,
    ]
    for button in buttons:
        assert button.description.strip() and button.tooltip.strip(), button
    assert view.rationale_box.description == "Your reasoning:"
    assert view.rationale_box.tooltip.startswith("Why is this the right next step?")
    assert view.summary_box.description == "Summary:"


def test_does_seminar_mode_hide_feedback_until_revealed(scenario, tmp_path):
    seminar = ScenarioView(Session(scenario), seminar=True, save_folder=tmp_path)
    assert "mhsw-seminar" in seminar.widget._dom_classes  # larger text
    seminar.start_button.click()
    assert "Count the room, then follow its choice." in seminar.shown_text()
    button_for(seminar, "Book two doctors").click()
    shown = seminar.shown_text()
    assert "The room followed: Book two doctors for 3 pm" in shown
    assert "Speed matters" not in shown  # hidden until the lecturer reveals it
    assert "[Continue ▶]" not in shown
    seminar.reveal_button.click()
    shown = seminar.shown_text()
    assert "The room chose: Book two doctors for 3 pm and go straight there" in shown
    assert "Speed matters" in shown
    seminar.continue_button.click()
    assert seminar.session.current.id == "records"


def test_are_room_tallies_kept_per_decision_and_exported(scenario, tmp_path):
    seminar = ScenarioView(Session(scenario), seminar=True, save_folder=tmp_path)
    seminar.start_button.click()
    assert [box.description for box in seminar.tally_inputs] == ["Votes for A:", "Votes for B:"]
    seminar.tally_inputs[0].value = 12
    seminar.tally_plus_buttons[1].click()
    seminar.tally_plus_buttons[1].click()
    seminar.tally_plus_buttons[1].click()
    assert seminar.tallies == {"referral": {0: 12, 1: 3}}
    shown = seminar.shown_text()
    assert "12 votes (80%)" in shown and "3 votes (20%)" in shown
    assert "15 votes in all." in shown
    assert "████████████████████" in seminar.tally_counts[0].value  # the longest bar
    button_for(seminar, "Read her records").click()
    seminar.reveal_button.click()
    seminar.continue_button.click()
    assert [box.value for box in seminar.tally_inputs] == [0, 0, 0]  # a new decision
    seminar.tally_inputs[2].value = 4

    frame = seminar.tallies_frame()
    assert list(frame.columns) == [
        "node",
        "visit",
        "decision",
        "choice_index",
        "choice",
        "votes",
        "share_percent",
        "followed",
    ]
    first = frame[frame["node"] == "referral"].set_index("choice_index")
    assert first.loc[0, "votes"] == 12 and first.loc[0, "share_percent"] == 80.0
    assert bool(first.loc[0, "followed"]) and not bool(first.loc[1, "followed"])
    second = frame[frame["node"] == "records"]
    assert second["votes"].tolist() == [0, 0, 4]
    assert second["decision"].iloc[0] == "What the records say"


def test_are_votes_kept_per_visit_to_a_decision(scenario, tmp_path):
    seminar = ScenarioView(Session(scenario), seminar=True, save_folder=tmp_path)
    seminar.start_button.click()
    seminar.tally_inputs[0].value = 9
    button_for(seminar, "Read her records").click()
    seminar.reveal_button.click()
    seminar.continue_button.click()
    seminar.restart_button.click()
    seminar.confirm_restart_button.click()
    assert seminar.session.current.id == "referral"
    assert [box.value for box in seminar.tally_inputs] == [0, 0]  # a new vote, not pre-filled
    seminar.tally_inputs[1].value = 5
    assert seminar.tallies["referral"] == {0: 9, 1: 0}
    assert seminar.tallies["referral (visit 2)"] == {0: 0, 1: 5}
    frame = seminar.tallies_frame()
    assert frame[frame["node"] == "referral"]["visit"].tolist() == [1, 1, 2, 2]


def test_does_seminar_mode_start_fresh_with_a_saved_attempt(tmp_path):
    learner = build_scenario_view(FIXTURE, folder=tmp_path)
    learner.start_button.click()
    for label, rationale in GOOD_ROUTE:
        take(learner, label, rationale)
    for save in (True, False):
        seminar = build_scenario_view(FIXTURE, folder=tmp_path, seminar=True, save=save)
        assert seminar.screen == "start"  # the ending is not spoiled for the room
        assert "Home treatment agreed" not in seminar.shown_text()
    asked = build_scenario_view(FIXTURE, folder=tmp_path, seminar=True, resume=True)
    assert asked.screen == "resume"


def test_does_the_seminar_ending_show_how_the_room_chose(scenario, tmp_path):
    seminar = ScenarioView(Session(scenario), seminar=True, save_folder=tmp_path)
    seminar.start_button.click()
    for label, rationale in GOOD_ROUTE:
        if seminar.session.current.id == "referral":
            seminar.tally_inputs[0].value = 7
        if rationale:
            seminar.rationale_box.value = rationale
        button_for(seminar, label).click()
        seminar.reveal_button.click()
        seminar.continue_button.click()
    shown = seminar.shown_text()
    assert "How the room chose" in shown
    assert "Read her records and speak to her care coordinator before anything else: 7 (100%)" in (
        shown
    )


def test_does_play_scenario_display_the_view_once(monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    view = play_scenario(FIXTURE, folder=tmp_path)
    assert isinstance(view, ScenarioView)
    assert shown == [view.widget]
    view._ipython_display_()  # the view on a cell's last line is not shown a second time
    assert shown == [view.widget]
