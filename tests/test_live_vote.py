"""Live voting: learners' votes reach the lecturer's tally, once each, and stay private."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from helpers.live_vote import LiveVote, Voter, read_state
from helpers.scenarios import load_scenario

FIXTURE = Path(__file__).parent / "files" / "scenarios" / "fixture-assessment.yaml"
MODULE = Path(__file__).resolve().parents[1] / "src" / "helpers" / "live_vote.py"
SCENARIO_ID = "fixture-assessment"


@pytest.fixture
def seminar(tmp_path) -> tuple[Path, LiveVote]:
    vote = LiveVote(tmp_path, SCENARIO_ID)
    vote.new_round()
    return tmp_path, vote


def _cast(args: tuple[str, int, int, int]) -> bool:
    folder, learner, first, final = args
    voter = Voter(folder, SCENARIO_ID, token=f"learner{learner:03d}")
    voter.cast("referral", 1, first)
    voter.cast("records", 1, 0)  # another decision: must not count towards "referral"
    return voter.cast("referral", 1, final)  # a change of mind replaces the first vote


def test_are_simultaneous_votes_neither_lost_nor_counted_twice(seminar):
    folder, vote = seminar
    vote.open("referral")
    jobs = [(str(folder), n, n % 2, n % 3) for n in range(40)]
    with ProcessPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(_cast, jobs))
    expected = {choice: sum(1 for *_, final in jobs if final == choice) for choice in range(3)}
    assert dict(vote.tally("referral", 1, choices=3)) == expected
    assert sum(vote.tally("records", 1, choices=3).values()) == 40


def test_are_votes_kept_per_visit_of_a_decision(seminar):
    folder, vote = seminar
    voter = Voter(folder, SCENARIO_ID)
    voter.cast("interview", 1, 0)
    voter.cast("interview", 2, 1)
    assert dict(vote.tally("interview", 1, choices=2)) == {0: 1}
    assert dict(vote.tally("interview", 2, choices=2)) == {1: 1}


def test_does_a_new_round_start_from_nothing(seminar):
    folder, vote = seminar
    Voter(folder, SCENARIO_ID).cast("referral", 1, 1)
    assert sum(vote.tally("referral", 1, choices=3).values()) == 1
    vote.new_round()
    assert sum(vote.tally("referral", 1, choices=3).values()) == 0
    assert Voter(folder, SCENARIO_ID).cast("referral", 1, 2)
    assert dict(vote.tally("referral", 1, choices=3)) == {2: 1}


def test_are_malformed_or_impossible_votes_ignored(seminar):
    folder, vote = seminar
    round_folder = folder / SCENARIO_ID / "votes" / vote.state().round
    (round_folder / "a.json").write_text("{broken", "utf-8")
    (round_folder / "b.json").write_text(json.dumps({"votes": {"referral#1": 99}}), "utf-8")
    (round_folder / "c.json").write_text(json.dumps({"votes": {"referral#1": True}}), "utf-8")
    (round_folder / "d.json").write_text(json.dumps({"votes": ["referral#1"]}), "utf-8")
    (round_folder / "e.json").write_text(json.dumps({"votes": {"referral#1": 1}}), "utf-8")
    assert dict(vote.tally("referral", 1, choices=3)) == {1: 1}


def test_does_a_vote_without_a_running_seminar_do_nothing_quietly(tmp_path):
    assert Voter(tmp_path, SCENARIO_ID).cast("referral", 1, 0) is False
    assert read_state(tmp_path, SCENARIO_ID) is None


def test_does_the_panel_hide_results_until_the_lecturer_reveals_them(seminar):
    from helpers.live_vote_view import LiveVotePanel

    folder, _ = seminar
    panel = LiveVotePanel(load_scenario(FIXTURE), folder)
    panel.decision.value = "referral"
    panel.open_button.click()
    try:
        for n in range(3):
            Voter(folder, SCENARIO_ID).cast("referral", 1, n % 2)
        panel.refresh()
        assert "<b>3</b> vote(s) in" in panel.status.value
        assert 'role="status"' in panel.status.value
        assert "hidden until" in panel.results.value
        panel.reveal_button.click()
        assert "2 (67 %)" in panel.results.value and "<caption>" in panel.results.value
        panel.close_button.click()
        assert "Vote closed" in panel.status.value
        panel.reset_button.click()
        assert "0 vote(s)" in panel.status.value or "No vote yet" in panel.status.value
    finally:
        panel.stop()


# --- separate accounts, as on a hub -----------------------------------------------------------
STUDENTS = ("mhswvote1", "mhswvote2", "mhswvote3")
PYTHON = "/usr/bin/python3"


def _need_accounts() -> None:
    if os.geteuid() != 0 or not shutil.which("useradd") or not Path(PYTHON).exists():
        message = "needs root, useradd and /usr/bin/python3 to test votes between accounts"
        if os.environ.get("MHSW_REQUIRE_HUB") == "1":
            pytest.fail(message + " (MHSW_REQUIRE_HUB=1 makes this a failure).")
        pytest.skip(message)


@pytest.fixture
def accounts():
    _need_accounts()
    for name in STUDENTS:
        subprocess.run(
            ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            capture_output=True,
        )  # already there from an earlier run is fine
    yield STUDENTS


def _as(user: str, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", user, "--", PYTHON, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_do_accounts_vote_once_each_and_never_read_each_others_votes(accounts):
    folder = Path(tempfile.mkdtemp(prefix="mhsw-seminar-"))
    try:
        os.chmod(folder, 0o755)
        vote = LiveVote(folder, SCENARIO_ID)
        vote.new_round()
        vote.open("referral")
        load = (
            "import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('live_vote', {str(MODULE)!r})\n"
            "lv = importlib.util.module_from_spec(spec); sys.modules['live_vote'] = lv\n"
            "spec.loader.exec_module(lv)\n"
        )
        processes = [
            subprocess.Popen(
                [
                    "runuser",
                    "-u",
                    user,
                    "--",
                    PYTHON,
                    "-c",
                    load + f"v = lv.Voter({str(folder)!r}, {SCENARIO_ID!r})\n"
                    f"assert v.cast('referral', 1, {number})\n"
                    # a second file from the same account must not add a vote
                    f"assert lv.Voter({str(folder)!r}, {SCENARIO_ID!r}).cast('referral', 1, 2)\n",
                ],
                stderr=subprocess.PIPE,
                text=True,
            )
            for number, user in enumerate(accounts)
        ]
        for process in processes:
            assert process.wait(timeout=60) == 0, process.stderr.read()
        # one vote per account: each account's latest file says 2
        assert dict(vote.tally("referral", 1, choices=3)) == {2: 3}
        round_folder = folder / SCENARIO_ID / "votes" / vote.state().round
        files = sorted(round_folder.glob("*.json"))
        assert len(files) == 6
        other = files[0]
        owner = other.stat().st_uid
        reader = next(
            u
            for u in accounts
            if int(subprocess.run(["id", "-u", u], capture_output=True, text=True).stdout) != owner
        )
        tried = _as(reader, f"open({str(other)!r}).read()")
        assert tried.returncode != 0 and "Permission denied" in tried.stderr
        listed = _as(reader, f"import os; os.listdir({str(round_folder)!r})")
        assert listed.returncode != 0 and "Permission denied" in listed.stderr
        mine = round_folder / ".forged.json"
        replaced = _as(
            reader,
            f"open({str(mine)!r}, 'w').write('{{}}'); "
            f"import os; os.replace({str(mine)!r}, {str(other)!r})",
        )
        assert replaced.returncode != 0 and "Operation not permitted" in replaced.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_does_a_learners_choice_in_the_player_reach_the_live_tally(seminar, monkeypatch):
    from helpers.scenario_view import build_scenario_view

    folder, vote = seminar
    scenario = load_scenario(FIXTURE)
    vote.open(scenario.start)
    view = build_scenario_view(scenario, save=False)
    monkeypatch.setenv("MHSW_SEMINAR_DIR", str(folder))
    from helpers.live_vote import Voter, seminar_folder

    view.voter = Voter(seminar_folder(), scenario.id)
    assert view.choose(0)
    assert dict(vote.tally(scenario.start, 1, len(scenario.nodes[scenario.start].choices))) == {
        0: 1
    }
