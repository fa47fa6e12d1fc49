"""Set up, start and stop the course's reference JupyterHub on one machine (run as root).

    python deploy/hub/mhsw_hub.py setup --settings /etc/mhsw-hub/hub.toml
    python deploy/hub/mhsw_hub.py start --settings /etc/mhsw-hub/hub.toml
    python deploy/hub/mhsw_hub.py stop  --settings /etc/mhsw-hub/hub.toml
    python deploy/hub/mhsw_hub.py check --settings /etc/mhsw-hub/hub.toml

``setup`` is safe to run again: it creates what is missing (Unix accounts, the nbgrader
exchange, each course's folder, PostgreSQL role and database, the hub's secrets and the Jupyter
configuration for students, markers and the course account) and leaves the rest alone.
``start`` starts JupyterHub (which starts the proxy, the formgrader of each course and the idle
culler) in the background and waits until it answers; ``stop`` stops it by its process id.
The settings file is described in ``hub.example.toml``; docs/deploy-hub.md is the guide.

The tests (tests/test_hub.py) and the capacity benchmark (benchmarks/hub_benchmark.py) use
these same functions, so the documented commands are the tested ones.
"""

from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SANDBOX_ACCOUNT = "mhsw-sandbox"
HUB_BLOCK = "# --- JupyterHub course settings (written by deploy/hub/mhsw_hub.py setup) ---"
# nbgrader's JupyterLab plugins that are for markers only: hidden from students.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the file and the field."""


@dataclass
class CourseSettings:
    id: str
    folder: Path
    grader: str
    service_port: int
    database: str
    markers: list[str]
    students: list[str]


@dataclass
class Settings:
    file: Path
    state_dir: Path
    python: Path
    proxy: Path
    public_url: str
    hub_port: int
    proxy_api_port: int
    authenticator: str
    home_base: Path
    exchange: Path
    course_source: Path
    cull_idle_seconds: int
    pg_host: str
    pg_port: int
    pg_socket_dir: str
    courses: list[CourseSettings] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    ops_service: bool = False
    lti: dict = field(default_factory=dict)

    @property
    def students(self) -> list[str]:
        return sorted({s for c in self.courses for s in c.students})

    @property
    def markers(self) -> list[str]:
        return sorted({m for c in self.courses for m in c.markers})

    @property
    def secrets_dir(self) -> Path:
        return self.state_dir / "secrets"

    @property
    def jupyter_dir(self) -> Path:
        return self.state_dir / "jupyter"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "jupyterhub.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "jupyterhub.log"

    def secret(self, name: str) -> str:
        return (self.secrets_dir / name).read_text(encoding="utf-8").strip()

    def gradebook_url(self, course: CourseSettings) -> str:
        return (course.folder / ".gradebook-url").read_text(encoding="utf-8").strip()


def load_settings(path: str | os.PathLike[str]) -> Settings:
    """Read and check a settings file (see hub.example.toml)."""
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            f"{path}: no such settings file. Copy deploy/hub/hub.example.toml there and edit it."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc}). Fix the line it names.") from None

    def need(table: dict, key: str, kind: type, where: str = ""):
        if key not in table:
            raise SettingsError(f"{path}: {where}{key} is missing. Add it (see hub.example.toml).")
        value = table[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise SettingsError(f"{path}: {where}{key} should be a {kind.__name__}, not {value!r}.")
        return value

    auth = data.get("authenticator", "pam")
    if auth not in ("pam", "dummy", "lti13"):
        raise SettingsError(
            f"{path}: authenticator = {auth!r}; use 'pam', 'lti13' or (tests only) 'dummy'."
        )
    pg = data.get("postgres", {})
    courses = []
    for number, table in enumerate(data.get("courses", []), start=1):
        where = f"[[courses]] number {number}: "
        course_id = need(table, "id", str, where)
        grader = table.get("grader", f"grader-{course_id}")
        courses.append(
            CourseSettings(
                id=course_id,
                folder=Path(table.get("folder", f"/home/{grader}/{course_id}")),
                grader=grader,
                service_port=need(table, "service_port", int, where),
                database=table.get("database", f"gradebook_{course_id}".replace("-", "_")),
                markers=list(need(table, "markers", list, where)),
                students=list(table.get("students", [])),
            )
        )
    if not courses:
        raise SettingsError(f"{path}: no [[courses]] table. Add one for each course (module).")
    settings = Settings(
        file=path,
        state_dir=Path(need(data, "state_dir", str)),
        python=Path(data.get("python", sys.executable)),
        proxy=Path(need(data, "proxy", str)),
        public_url=need(data, "public_url", str),
        hub_port=need(data, "hub_port", int),
        proxy_api_port=need(data, "proxy_api_port", int),
        authenticator=auth,
        home_base=Path(data.get("home_base", "/home")),
        exchange=Path(data.get("exchange", "/srv/nbgrader/exchange")),
        course_source=Path(data.get("course_source", str(REPO))),
        cull_idle_seconds=int(data.get("cull_idle_seconds", 3600)),
        pg_host=pg.get("host", "127.0.0.1"),
        pg_port=int(pg.get("port", 5432)),
        pg_socket_dir=pg.get("socket_dir", "/var/run/postgresql"),
        courses=courses,
        admins=list(data.get("admins", [])),
        ops_service=bool(data.get("ops_service", False)),
        lti=dict(data.get("lti13", {})),
    )
    if auth == "lti13":
        for key in ("issuer", "authorize_url", "jwks_endpoint", "client_id"):
            need(settings.lti, key, str, "[lti13] ")
    return settings


# --------------------------------------------------------------------------- helpers


def run(command: list[str], user: str | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run a command (as ``user`` via runuser when given); fail with its output."""
    if user:
        command = ["runuser", "-u", user, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done


def account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def ensure_account(name: str, home: Path | None, system: bool = False) -> None:
    """A Unix account with a private home folder (or none, for system accounts)."""
    if not account_exists(name):
        command = ["useradd", "--user-group"]
        if system:
            command += ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
        else:
            command += ["--create-home", "--shell", "/bin/bash"]
        if home is not None:
            command += ["--home-dir", str(home)]
        run(command + [name])
    if home is not None and not system:
        entry = pwd.getpwnam(name)
        Path(entry.pw_dir).mkdir(parents=True, exist_ok=True)
        os.chown(entry.pw_dir, entry.pw_uid, entry.pw_gid)
        os.chmod(entry.pw_dir, 0o700)  # nobody else reads a student's work


def chown_tree(folder: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for path in [folder, *folder.rglob("*")]:
        os.lchown(path, entry.pw_uid, entry.pw_gid)


def write_private(path: Path, text: str, user: str | None = None, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    if user:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def psql(settings: Settings, sql: str, database: str = "postgres") -> str:
    """Run SQL as the PostgreSQL superuser over the local socket."""
    command = [
        "psql",
        "-h",
        settings.pg_socket_dir,
        "-p",
        str(settings.pg_port),
        "-d",
        database,
        "-v",
        "ON_ERROR_STOP=1",
        "-Atc",
        sql,
    ]
    return run(command, user="postgres", cwd="/").stdout.strip()


def postgres_problem(settings: Settings) -> str | None:
    """Why PostgreSQL cannot be used for the gradebooks, in plain words (None when it can)."""
    try:
        psql(settings, "SELECT 1")
    except (RuntimeError, OSError) as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        errors = [line.split("error:", 1)[1].strip() for line in lines if "error:" in line]
        reason = (errors or lines or [type(exc).__name__])[-1]
        return (
            f"PostgreSQL does not answer on {settings.pg_socket_dir} port {settings.pg_port} "
            f"({reason}). Start it (on Debian: pg_ctlcluster 15 main start) and check the "
            f"[postgres] table of {settings.file}; psql must run as the account 'postgres'."
        )
    return None


# --------------------------------------------------------------------------- setup


def setup(settings: Settings) -> None:
    """Create everything the hub needs; safe to run again."""
    if os.geteuid() != 0:
        raise SystemExit("Run setup as root: it creates Unix accounts and folders.")
    problem = postgres_problem(settings)
    if problem:
        raise RuntimeError(problem)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.state_dir, 0o711)
    settings.home_base.mkdir(parents=True, exist_ok=True)
    ensure_account(SANDBOX_ACCOUNT, None, system=True)
    for name in settings.students + settings.markers:
        ensure_account(name, settings.home_base / name)
    _setup_exchange(settings)
    _setup_seminar(settings)
    for course in settings.courses:
        ensure_account(course.grader, course.folder.parent)
        _setup_course(settings, course)
        _setup_gradebook(settings, course)
    _write_secrets(settings)
    write_jupyter_config(settings)


def _setup_exchange(settings: Settings) -> None:
    # nbgrader's exchange: everyone may write into the root (its course folders then carry
    # their own permissions: inbound is write-only for students, outbound read-only).
    settings.exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.exchange, 0o1777)
    for folder in settings.exchange.parents:
        if folder == Path("/"):
            break
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(folder, mode | stat.S_IXOTH)  # students must be able to reach it


SEMINAR_GROUP = "mhsw-lecturers"


def seminar_dir(settings: Settings) -> Path:
    """The shared folder for live votes in seminars (students' servers get MHSW_SEMINAR_DIR)."""
    return settings.state_dir / "seminar"


def _setup_seminar(settings: Settings) -> None:
    # Live voting (docs/seminars.md): markers, who lead seminars, may make a scenario's folder
    # here; each vote folder inside is then made 3733 by the course code, so students can add
    # their own anonymous vote file but not list, read or replace anyone else's, and the
    # set-group-id bit gives every vote file this group, so lecturers can read them.
    try:
        grp.getgrnam(SEMINAR_GROUP)
    except KeyError:
        run(["groupadd", "--system", SEMINAR_GROUP])
    for name in settings.markers:
        run(["usermod", "--append", "--groups", SEMINAR_GROUP, name])
    folder = seminar_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    os.chown(folder, 0, grp.getgrnam(SEMINAR_GROUP).gr_gid)
    os.chmod(folder, 0o2775)


def _setup_course(settings: Settings, course: CourseSettings) -> None:
    folder = course.folder
    if not (folder / "nbgrader_config.py").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(settings.course_source / "nbgrader_config.py", folder)
        for name in ("solutions", "exercises"):
            shutil.copytree(settings.course_source / name, folder / name, dirs_exist_ok=True)
    config = folder / "nbgrader_config.py"
    text = config.read_text(encoding="utf-8")
    if HUB_BLOCK not in text:
        config.write_text(text.rstrip("\n") + "\n\n" + _course_block(settings, course))
    chown_tree(folder, course.grader)
    # Only the course account (which runs the formgrader) and root read the course copy:
    # students never reach solutions/, submissions or the gradebook's address.
    os.chmod(folder, 0o700)
    os.chmod(folder.parent, 0o711)


def _course_block(settings: Settings, course: CourseSettings) -> str:
    return f"""{HUB_BLOCK}
c.CourseDirectory.course_id = {course.id!r}
c.Exchange.root = {str(settings.exchange)!r}
# The gradebook is PostgreSQL; its address (with the password) is kept in a file only the
# course account can read. A missing file is an error, never a silent SQLite gradebook.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".gradebook-url")) as _f:
    c.CourseDirectory.db_url = _f.read().strip()
"""


def _setup_gradebook(settings: Settings, course: CourseSettings) -> None:
    url_file = course.folder / ".gradebook-url"
    role = course.grader.replace("-", "_")
    if url_file.is_file():
        return
    password = secrets.token_hex(16)
    exists = psql(settings, f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'")
    verb = "ALTER" if exists == "1" else "CREATE"
    psql(settings, f"{verb} ROLE {role} LOGIN PASSWORD '{password}'")
    if psql(settings, f"SELECT 1 FROM pg_database WHERE datname = '{course.database}'") != "1":
        psql(settings, f"CREATE DATABASE {course.database} OWNER {role}")
    url = (
        f"postgresql+psycopg2://{role}:{password}@{settings.pg_host}:{settings.pg_port}/"
        f"{course.database}"
    )
    write_private(url_file, url + "\n", user=course.grader)


def _write_secrets(settings: Settings) -> None:
    settings.secrets_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.secrets_dir, 0o700)
    for name in ("proxy-token", "cookie-secret", "dummy-password", "ops-token"):
        path = settings.secrets_dir / name
        if not path.is_file():
            write_private(path, secrets.token_hex(32) + "\n")


def write_jupyter_config(settings: Settings) -> None:
    """Jupyter configuration folders for students, markers and course accounts.

    Each single-user server gets one of them as ``JUPYTER_CONFIG_PATH`` (ahead of the
    environment's own configuration): students and markers' own servers without the
    formgrader and Create Assignment; the course account's formgrader service with them.
    """
    one_course = settings.courses[0].id if len(settings.courses) == 1 else None
    nbgrader = [
        f"# Written by deploy/hub/mhsw_hub.py from {settings.file}",
        "c = get_config()  # noqa: F821",
        f"c.Exchange.root = {str(settings.exchange)!r}",
    ]
    if one_course:
        nbgrader.append(f"c.CourseDirectory.course_id = {one_course!r}")
    else:
        # Several courses: students see the courses of their hub groups nbgrader-<course>.
        nbgrader += [
            "from nbgrader.auth import JupyterHubAuthPlugin",
            "c.Exchange.path_includes_course = True",
            "c.Authenticator.plugin_class = JupyterHubAuthPlugin",
        ]
    kinds = {
        # Students' servers also leave out the language server and terminals: they are not
        # part of the course, and each costs memory in every server.
        "student": {
            "nbgrader.server_extensions.formgrader": False,
            "nbgrader.server_extensions.course_list": False,
            "jupyter_lsp": False,
            "jupyter_server_terminals": False,
        },
        "marker": {"nbgrader.server_extensions.formgrader": False},
        "grader": {},
    }
    for kind, extensions in kinds.items():
        folder = settings.jupyter_dir / kind
        (folder / "labconfig").mkdir(parents=True, exist_ok=True)
        (folder / "nbgrader_config.py").write_text("\n".join(nbgrader) + "\n", encoding="utf-8")
        server = {"ServerApp": {"jpserver_extensions": extensions}} if extensions else {}
        (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=2))
        disabled = {}
        if kind == "student":
            disabled = {name: True for name in INSTRUCTOR_PLUGINS}
        elif kind == "marker":
            disabled = {name: True for name in INSTRUCTOR_PLUGINS[:2]}
        page = {"disabledExtensions": disabled}
        (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2))
    for path in [settings.jupyter_dir, *settings.jupyter_dir.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


# --------------------------------------------------------------------------- start / stop


def hub_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["MHSW_HUB_SETTINGS"] = str(settings.file)
    bindir = str(settings.python.parent)
    env["PATH"] = os.pathsep.join([bindir, "/usr/sbin", "/usr/bin", "/sbin", "/bin"])
    env.pop("JUPYTER_CONFIG_PATH", None)
    return env


def start(settings: Settings, wait: float = 180.0) -> int:
    """Start JupyterHub in the background; return its process id once it answers."""
    if is_running(settings):
        return int(settings.pid_file.read_text())
    if not (settings.secrets_dir / "cookie-secret").is_file():
        raise RuntimeError(
            f"The hub is not set up yet ({settings.secrets_dir} is missing): run "
            f"'mhsw_hub.py setup --settings {settings.file}' first."
        )
    log = open(settings.log_file, "ab")  # noqa: SIM115 (handed to the hub process)
    proc = subprocess.Popen(
        [
            str(settings.python),
            "-m",
            "jupyterhub",
            "-f",
            str(HERE / "jupyterhub_config.py"),
        ],
        cwd=settings.state_dir,
        env=hub_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    settings.pid_file.write_text(str(proc.pid))
    deadline = time.monotonic() + wait
    url = settings.public_url.rstrip("/") + "/hub/api/"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"JupyterHub stopped at start-up (exit {proc.returncode}); "
                f"see {settings.log_file}:\n{tail(settings.log_file)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return proc.pid
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    stop(settings)
    raise RuntimeError(f"JupyterHub did not answer within {wait:.0f} s; see {settings.log_file}")


def is_running(settings: Settings) -> bool:
    try:
        pid = int(settings.pid_file.read_text())
        os.kill(pid, 0)
        return True
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False


def stop(settings: Settings, wait: float = 30.0) -> None:
    """Stop JupyterHub by its process id; it stops the proxy, services and user servers."""
    try:
        pid = int(settings.pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        settings.pid_file.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                break
        except ChildProcessError:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
        time.sleep(0.2)
    else:
        os.killpg(pid, signal.SIGKILL)
    settings.pid_file.unlink(missing_ok=True)
    # A hub stopped during start-up may leave its proxy (pid file in the state folder) and
    # course services behind: stop them by process id too.
    leftovers = [_pid_in(settings.state_dir / "jupyterhub-proxy.pid")]
    accounts = settings.students + settings.markers + [c.grader for c in settings.courses]
    leftovers += processes_of(accounts)
    for leftover in filter(None, leftovers):
        try:
            os.kill(leftover, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def processes_of(accounts: list[str]) -> list[int]:
    """Process ids running as any of ``accounts`` (read from /proc)."""
    uids = set()
    for name in accounts:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) in uids:
                        found.append(int(status.parent.name))
                    break
        except (OSError, ValueError):
            continue
    return found


def tail(path: Path, lines: int = 30) -> str:
    """The hub's error lines and the end of its log."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return ""
    errors = [line for line in text if line.startswith(("[E ", "[C ")) or "Error:" in line]
    return "\n".join(errors[-lines:] + ["..."] + text[-lines:])


def check(settings: Settings) -> list[str]:
    """Problems with a set-up hub, in plain words (empty when all is well)."""
    problems = []
    if not settings.proxy.is_file():
        problems.append(
            f"No proxy at {settings.proxy}: run 'npm install --prefix deploy/hub' "
            "(configurable-http-proxy 5)."
        )
    problem = postgres_problem(settings)
    if problem:
        problems.append(problem)
    mode = settings.exchange.stat().st_mode if settings.exchange.exists() else 0
    if stat.S_IMODE(mode) & 0o777 != 0o777:
        problems.append(f"The exchange {settings.exchange} is not writable by everyone (1777).")
    if not (settings.secrets_dir / "cookie-secret").is_file():
        problems.append(
            f"{settings.secrets_dir} has no secrets: the hub is not set up yet; run setup."
        )
    for course in settings.courses:
        if not course.folder.is_dir():
            problems.append(f"The course copy {course.folder} does not exist: run setup.")
            continue
        if stat.S_IMODE(course.folder.stat().st_mode) & 0o077:
            problems.append(f"{course.folder} is readable by other accounts: chmod 700 it.")
        if (course.folder / "gradebook.db").exists():
            problems.append(
                f"{course.folder / 'gradebook.db'} exists: something used a SQLite gradebook "
                "instead of PostgreSQL (nbgrader issue 1661). Check .gradebook-url."
            )
        if not (course.folder / ".gradebook-url").is_file():
            problems.append(f"{course.folder}/.gradebook-url is missing: run setup again.")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["setup", "start", "stop", "check"])
    parser.add_argument(
        "--settings",
        default=os.environ.get("MHSW_HUB_SETTINGS", "/etc/mhsw-hub/hub.toml"),
        help="the settings file (default /etc/mhsw-hub/hub.toml)",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    command = f"{sys.executable} {Path(__file__).resolve()}"
    try:
        if args.action == "setup":
            setup(settings)
            print(
                "Set up. Check and start the hub with:\n"
                f"  {command} check --settings {settings.file}\n"
                f"  {command} start --settings {settings.file}"
            )
        elif args.action == "start":
            pid = start(settings)
            print(f"JupyterHub is running (process {pid}) at {settings.public_url}")
        elif args.action == "stop":
            stop(settings)
            print("JupyterHub stopped.")
        else:
            problems = check(settings)
            print("\n".join(problems) or "No problems found.")
            return 1 if problems else 0
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
