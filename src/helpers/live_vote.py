"""Live voting in a seminar: each learner's choice reaches the lecturer's screen as it is made.

On a JupyterHub every learner's server can write to one shared *seminar folder*. When a
learner plays a scenario with live voting on, each decision they make is written to a file of
their own there; the lecturer's seminar panel reads every file and shows the tallies for the
decision that is open. Nothing is locked across users: a learner only ever replaces their own
file (written to a temporary name and renamed), and the lecturer only reads.

Layout of the folder (``SEMINAR``)::

    SEMINAR/<scenario id>/state.json            written by the lecturer, read by learners
    SEMINAR/<scenario id>/votes/<round>/*.json  one file per learner per round

``votes/`` and each round folder are made by the lecturer with mode ``3733`` (set-group-id and
sticky; learners may create files but not list or read the folder, nor replace each other's
files) and the lecturer's group, so a learner's file (mode ``0640``) can be read by the
lecturer and by no other learner. Files are named by a random token, not by the learner, and
the tally counts one vote per file *owner*, so a learner who writes several files still
counts once. A vote is a claim, not a fact: the tally checks every value against the scenario
and ignores anything malformed.

Without a hub (a laptop and a projector) there is no shared folder: seminar mode keeps its
hand tallies.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: Where a hub tells learners' servers the seminar folder is.
SEMINAR_ENV = "MHSW_SEMINAR_DIR"
VOTES_MODE = 0o3733  # set-group-id + sticky; owner rwx; group and others may only create
STATE_NAME = "state.json"
MAX_VOTE_BYTES = 64 * 1024


def seminar_folder() -> Path | None:
    """The seminar folder set up on this hub, or None (no live voting here)."""
    value = os.environ.get(SEMINAR_ENV)
    return Path(value) if value else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_atomically(path: Path, data: dict[str, Any], mode: int) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _vote_key(node: str, visit: int) -> str:
    return f"{node}#{visit}"


# --- the lecturer's side ---------------------------------------------------------------------
@dataclass(frozen=True)
class VoteState:
    round: str
    node: str | None  # the decision open for votes, or None when voting is closed
    visit: int
    revealed: bool

    @property
    def is_open(self) -> bool:
        return self.node is not None


class LiveVote:
    """The lecturer's control of live voting for one scenario in one seminar folder."""

    def __init__(self, folder: str | Path, scenario_id: str):
        self.root = Path(folder) / scenario_id
        self.scenario_id = scenario_id

    @property
    def state_path(self) -> Path:
        return self.root / STATE_NAME

    def state(self) -> VoteState:
        return read_state(self.root.parent, self.scenario_id) or VoteState("", None, 0, False)

    def _save(self, state: VoteState) -> VoteState:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        data = {
            "round": state.round,
            "node": state.node,
            "visit": state.visit,
            "revealed": state.revealed,
            "updated_at": _now(),
        }
        _write_atomically(self.state_path, data, 0o644)
        return state

    def _round_folder(self, round_id: str) -> Path:
        folder = self.root / "votes" / round_id
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        for part in (self.root / "votes", folder):
            part.mkdir(exist_ok=True)
            os.chmod(part, VOTES_MODE)
        return folder

    def new_round(self) -> VoteState:
        """Start afresh (e.g. for the next group): earlier votes stay on disk, uncounted."""
        round_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        self._round_folder(round_id)
        return self._save(VoteState(round_id, None, 0, False))

    def open(self, node: str, visit: int = 1) -> VoteState:
        """Open the vote on decision ``node`` (its ``visit``-th visit); results stay hidden."""
        current = self.state()
        if not current.round:
            current = self.new_round()
        return self._save(VoteState(current.round, node, visit, False))

    def close(self) -> VoteState:
        current = self.state()
        return self._save(VoteState(current.round, None, current.visit, current.revealed))

    def reveal(self, shown: bool = True) -> VoteState:
        current = self.state()
        return self._save(VoteState(current.round, current.node, current.visit, shown))

    def tally(self, node: str, visit: int, choices: int) -> Counter:
        """Votes for ``node`` on its ``visit``-th visit in this round: ``{choice index: count}``.

        On a hub (files owned by other accounts) each account counts once, its latest file
        winning; in a one-account folder (a laptop demo) each file counts. Files that are not
        valid votes, or give a choice outside ``0 … choices-1``, are ignored.
        """
        state = self.state()
        folder = self.root / "votes" / state.round
        if not state.round or not folder.is_dir():
            return Counter()
        key = _vote_key(node, visit)
        votes: list[tuple[int, str, float, int]] = []  # owner, file name, time, choice
        for path in sorted(folder.glob("*.json")):
            if path.name.startswith("."):
                continue  # a vote still being written
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_VOTE_BYTES:
                    continue
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            recorded = data.get("votes") if isinstance(data, dict) else None
            choice = recorded.get(key) if isinstance(recorded, dict) else None
            if isinstance(choice, bool) or not isinstance(choice, int):
                continue
            if 0 <= choice < choices:
                votes.append((info.st_uid, path.name, info.st_mtime, choice))
        per_account = any(owner != os.getuid() for owner, *_ in votes)
        latest: dict[int | str, tuple[float, int]] = {}
        for owner, name, when, choice in votes:
            voter: int | str = owner if per_account else name
            if voter not in latest or when >= latest[voter][0]:
                latest[voter] = (when, choice)
        return Counter(choice for _, choice in latest.values())


def read_state(folder: str | Path, scenario_id: str) -> VoteState | None:
    """The vote state the lecturer has published, or None if there is none (or it is damaged)."""
    path = Path(folder) / scenario_id / STATE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return VoteState(
            str(data["round"]),
            data.get("node"),
            int(data.get("visit", 1)),
            bool(data.get("revealed")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- the learner's side ----------------------------------------------------------------------
class Voter:
    """A learner's anonymous vote file for one scenario in one seminar folder."""

    def __init__(self, folder: str | Path, scenario_id: str, token: str | None = None):
        self.folder = Path(folder)
        self.scenario_id = scenario_id
        self.token = token or secrets.token_hex(8)
        self._votes: dict[str, int] = {}
        self._round = ""

    def cast(self, node: str, visit: int, choice: int) -> bool:
        """Record ``choice`` at ``node`` (its ``visit``-th visit). Returns False, quietly, when
        no round is running or the folder cannot be written: a vote must never stop play."""
        state = read_state(self.folder, self.scenario_id)
        if state is None or not state.round:
            return False
        if state.round != self._round:
            self._round, self._votes = state.round, {}
        self._votes[_vote_key(node, visit)] = int(choice)
        target = self.folder / self.scenario_id / "votes" / state.round / f"{self.token}.json"
        try:
            _write_atomically(target, {"votes": self._votes, "at": _now()}, 0o640)
        except OSError:
            return False
        return True
