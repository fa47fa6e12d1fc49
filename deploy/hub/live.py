"""Drive a running course hub from a script: a trial hub on loopback, and a small API client.

Used by tests/test_hub.py and benchmarks/hub_benchmark.py (and handy for IT staff checking a
new hub): ``trial_hub`` sets up a throw-away hub with its own PostgreSQL on free loopback ports;
``HubClient`` starts servers, gets tokens and runs code in a user's kernel through the same
REST and websocket API that JupyterLab uses, so the code runs as that user, on their server.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mhsw_hub  # noqa: E402


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def reachable_by_all(path: str | os.PathLike[str]) -> bool:
    """True when every account can reach ``path`` (each folder above it is o+x)."""
    import stat

    real = Path(os.path.realpath(path))
    return all(folder.stat().st_mode & stat.S_IXOTH for folder in real.parents)


def hub_python() -> Path | None:
    """A Python with the course installed that every account can run (users' servers use it).

    ``MHSW_HUB_PYTHON``, else this Python if other accounts can run it, else the repository's
    ``.venv-hub`` (made with Debian's python3 by .ci/run and docs/deploy-hub.md).
    """
    import sysconfig

    if os.environ.get("MHSW_HUB_PYTHON"):
        return Path(os.environ["MHSW_HUB_PYTHON"])
    if reachable_by_all(sys.executable) and reachable_by_all(sysconfig.get_paths()["stdlib"]):
        return Path(sys.executable)
    candidate = mhsw_hub.REPO / ".venv-hub" / "bin" / "python"
    return candidate if candidate.is_file() else None


def missing_requirements() -> list[str]:
    """What this machine lacks for a live hub, each with how to get it."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (the hub starts each user's server as that user)")
    if postgres_bin() is None:
        missing.append("PostgreSQL: apt-get install -y postgresql")
    if shutil.which("runuser") is None or shutil.which("useradd") is None:
        missing.append("runuser and useradd (util-linux, passwd)")
    if hub_python() is None:
        missing.append(
            "a Python every account can run (this one is private to its owner): "
            '/usr/bin/python3 -m venv .venv-hub && .venv-hub/bin/pip install -e ".[dev,hub]"'
        )
    if not (HERE / "node_modules" / ".bin" / "configurable-http-proxy").is_file():
        missing.append("configurable-http-proxy: npm install --prefix deploy/hub")
    for module, package in (
        ("jupyterhub", "jupyterhub"),
        ("psycopg2", "psycopg2-binary"),
        ("jupyterhub_idle_culler", "jupyterhub-idle-culler"),
        ("websocket", "websocket-client"),
    ):
        try:
            __import__(module)
        except ImportError:
            missing.append(f'{package}: pip install -e ".[hub]"')
    return missing


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own in ``folder``, on a loopback port, run as postgres."""

    folder: Path
    port: int
    proc: subprocess.Popen | None = None

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def start(self) -> None:
        bindir = postgres_bin()
        entry = pwd.getpwnam("postgres")
        data = self.folder / "data"
        self.socket_dir.mkdir(parents=True)
        for path in (self.folder, self.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        as_postgres = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.folder), "LC_ALL": "C.UTF-8"}
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=peer",
             "--auth-host=scram-sha-256", "-E", "UTF8"],
            check=True, capture_output=True, env=env, cwd=self.folder, **as_postgres,
        )  # fmt: skip
        self.proc = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(self.port),
             "-k", str(self.socket_dir), "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-c", "max_connections=100"],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "postgres.log", "ab"),  # noqa: SIM115
            env=env, cwd=self.folder, **as_postgres,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(bindir / "pg_isready"), "-h", str(self.socket_dir), "-p", str(self.port)],
                capture_output=True,
            )
            if ready.returncode == 0:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not start; see {self.folder / 'postgres.log'}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class TrialHub:
    """A hub set up by ``mhsw_hub.setup`` in a temporary folder, with its own PostgreSQL."""

    base: Path
    settings: mhsw_hub.Settings
    postgres: PrivatePostgres
    accounts: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.settings.public_url.rstrip("/")

    @property
    def course(self) -> mhsw_hub.CourseSettings:
        return self.settings.courses[0]

    def as_user(self, user: str, command: list[str], cwd: Path | str | None = None, **kw):
        """Run ``command`` as ``user`` with the course's Python on PATH; fail with its output."""
        entry = pwd.getpwnam(user)
        env = {
            "HOME": entry.pw_dir,
            "USER": user,
            "LOGNAME": user,
            "PATH": os.pathsep.join([str(self.settings.python.parent), "/usr/bin", "/bin"]),
            "LANG": "C.UTF-8",
            "JUPYTER_CONFIG_PATH": str(self.settings.jupyter_dir / "grader"),
        }
        done = subprocess.run(
            command, cwd=cwd or entry.pw_dir, env=env, capture_output=True, text=True,
            user=entry.pw_uid, group=entry.pw_gid,
            extra_groups=os.getgrouplist(user, entry.pw_gid), **kw,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} as {user} failed ({done.returncode}):\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done


@contextmanager
def trial_hub(
    students: list[str],
    markers: list[str],
    course_id: str = "mhsw",
    cull: int = 3600,
    authenticator: str = "dummy",
    lti: dict[str, str] | None = None,
):
    """Set up and start a throw-away hub; stop everything and remove the accounts afterwards.

    Account names get a random part, so two trials on one machine do not meet.
    """
    tag = secrets.token_hex(2)
    base = Path(tempfile.mkdtemp(prefix="mhsw-hub-"))
    os.chmod(base, 0o711)
    ports = free_ports(6)
    students = [f"{name}{tag}" for name in students]
    markers = [f"{name}{tag}" for name in markers]
    grader = f"grader-{course_id}-{tag}"
    postgres = PrivatePostgres(base / "postgres", ports[0])
    settings_file = base / "hub.toml"
    settings_file.write_text(
        f"""state_dir = "{base / "state"}"
python = "{hub_python()}"
proxy = "{HERE / "node_modules" / ".bin" / "configurable-http-proxy"}"
public_url = "http://127.0.0.1:{ports[1]}"
hub_port = {ports[2]}
proxy_api_port = {ports[3]}
authenticator = "{authenticator}"
home_base = "{base / "home"}"
exchange = "{base / "exchange"}"
course_source = "{mhsw_hub.REPO}"
cull_idle_seconds = {cull}
ops_service = true
[postgres]
host = "127.0.0.1"
port = {ports[0]}
socket_dir = "{postgres.socket_dir}"
[[courses]]
id = "{course_id}"
folder = "{base / "home" / grader / course_id}"
grader = "{grader}"
service_port = {ports[4]}
database = "gradebook_{course_id.replace("-", "_")}"
markers = {json.dumps(markers)}
students = {json.dumps(students)}
"""
        + (
            "[lti13]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in lti.items()) if lti else ""
        ),
        encoding="utf-8",
    )
    settings = mhsw_hub.load_settings(settings_file)
    hub = TrialHub(base, settings, postgres, accounts=students + markers + [grader])
    try:
        postgres.start()
        mhsw_hub.setup(settings)
        mhsw_hub.start(settings)
        yield hub
    finally:
        mhsw_hub.stop(settings)
        postgres.stop()
        for name in hub.accounts:
            if mhsw_hub.account_exists(name):
                subprocess.run(["userdel", "--remove", name], capture_output=True)
        if os.environ.get("MHSW_HUB_KEEP") != "1":  # keep the logs for a look
            shutil.rmtree(base, ignore_errors=True)


class HubClient:
    """The hub's REST API with the ops token, and a user's server API with their token."""

    def __init__(self, url: str, token: str):
        import requests

        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def api(self, method: str, path: str, **kw):
        answer = self.http.request(method, f"{self.url}/hub/api{path}", timeout=60, **kw)
        if answer.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
        return answer.json() if answer.content else None

    def start_server(self, user: str) -> None:
        self.api("POST", f"/users/{user}/server")

    def wait_ready(self, user: str, timeout: float = 120) -> None:
        """Wait for the user's server; fail at once if the hub gives up starting it."""
        started = time.monotonic()
        seen = False
        while time.monotonic() < started + timeout:
            info = self.api("GET", f"/users/{user}")
            server = info.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            seen = seen or bool(server)
            if not server and (seen or time.monotonic() > started + 15):
                raise RuntimeError(
                    f"the hub gave up starting {user}'s server after "
                    f"{time.monotonic() - started:.0f} s (its log, jupyterhub.log, says why)"
                )
            time.sleep(0.3)
        raise RuntimeError(f"{user}'s server was not ready within {timeout:.0f} s")

    def stop_server(self, user: str) -> None:
        self.api("DELETE", f"/users/{user}/server")

    def user_token(self, user: str) -> str:
        return self.api(
            "POST", f"/users/{user}/tokens", json={"expires_in": 3600, "note": "course check"}
        )["token"]


class UserSession:
    """One user's server, through its REST API and a kernel's websocket, with their token."""

    def __init__(self, hub_url: str, user: str, token: str):
        import requests

        self.user = user
        self.token = token
        self.base = f"{hub_url.rstrip('/')}/user/{user}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def request(self, method: str, path: str, ok=(200, 201, 204), **kw):
        answer = self.http.request(method, self.base + path, timeout=120, **kw)
        if answer.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:800]}")
        return answer

    def put_notebook(self, path: str, notebook: dict) -> None:
        body = {"type": "notebook", "format": "json", "content": notebook}
        self.request("PUT", f"/api/contents/{path}", json=body)

    def read_file(self, path: str) -> dict:
        return self.request("GET", f"/api/contents/{path}?content=1").json()

    def kernel(self, notebook_path: str) -> Kernel:
        session = self.request(
            "POST",
            "/api/sessions",
            json={"path": notebook_path, "type": "notebook", "name": "",
                  "kernel": {"name": "python3"}},
        ).json()  # fmt: skip
        return Kernel(self, session["kernel"]["id"], session["id"])


class Kernel:
    """Run code in a user's kernel over the websocket (Jupyter messaging protocol, JSON)."""

    def __init__(self, owner: UserSession, kernel_id: str, session_id: str):
        import websocket

        self.owner = owner
        self.kernel_id = kernel_id
        self.session_id = session_id
        ws_url = owner.base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
        self.ws = websocket.create_connection(
            ws_url, header=[f"Authorization: token {owner.token}"], timeout=120
        )
        self.client_session = uuid.uuid4().hex

    def run(self, code: str, timeout: float = 120) -> dict:
        """Run ``code``; return {"status", "stdout", "text", "error"} once the kernel is idle."""
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {"msg_id": msg_id, "username": self.owner.user,
                               "session": self.client_session, "msg_type": "execute_request",
                               "version": "5.3"},
                    "parent_header": {},
                    "metadata": {},
                    "content": {"code": code, "silent": False, "store_history": True,
                                "user_expressions": {}, "allow_stdin": False,
                                "stop_on_error": True},
                    "channel": "shell",
                }
            )
        )  # fmt: skip
        import websocket

        result = {"status": None, "stdout": "", "text": "", "error": None}
        idle = False
        deadline = time.monotonic() + timeout
        while not (idle and result["status"]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"code did not finish within {timeout:.0f} s:\n{code[:300]}")
            # Short reads, so the deadline is checked even while the server only sends pings.
            self.ws.settimeout(5)
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            kind, content = message.get("msg_type"), message.get("content", {})
            if kind == "status" and content.get("execution_state") in ("dead", "restarting"):
                raise RuntimeError(f"the kernel died ({content['execution_state']})")
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "stream":
                result["stdout"] += content["text"]
            elif kind in ("execute_result", "display_data"):
                result["text"] += content["data"].get("text/plain", "") + "\n"
            elif kind == "error":
                result["error"] = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                result["status"] = content["status"]
        return result

    def close(self) -> None:
        self.ws.close()
        self.owner.request("DELETE", f"/api/sessions/{self.session_id}")
