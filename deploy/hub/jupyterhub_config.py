"""JupyterHub configuration for the course on one machine (the reference deployment).

Everything site-specific comes from the settings file named by ``MHSW_HUB_SETTINGS`` (see
``hub.example.toml``); ``mhsw_hub.py start`` sets it. What this file sets up:

* the proxy: configurable-http-proxy from npm (``npm install --prefix deploy/hub``);
* real Unix accounts: LocalProcessSpawner starts each person's server as that person, in
  their own 0700 home folder, so students cannot read each other's work;
* nbgrader: the exchange on the shared file system; students' servers without the formgrader
  and Create Assignment; each course's formgrader as a hub-managed service running as the
  course account, open to the course's markers (group ``formgrade-<course>``, the scopes of
  nbgrader's demo_one_class_multiple_graders plus ``read:services`` for its course list,
  nbgrader issue 1831); the gradebook in PostgreSQL (set in the course's nbgrader_config.py);
* idle servers stopped by jupyterhub-idle-culler;
* login: PAM (the accounts' own passwords), LTI 1.3 from Moodle or Canvas, or, for the
  tests only, the dummy authenticator with a generated password.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mhsw_hub import load_settings  # noqa: E402

c = get_config()  # noqa: F821  (provided by JupyterHub)
import os  # noqa: E402

settings = load_settings(os.environ.get("MHSW_HUB_SETTINGS", "/etc/mhsw-hub/hub.toml"))
state = settings.state_dir
bindir = settings.python.parent

# ---------------------------------------------------------------- network and state
c.JupyterHub.bind_url = settings.public_url
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings.hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(settings.proxy)]
c.ConfigurableHTTPProxy.auth_token = settings.secret("proxy-token")
c.JupyterHub.cookie_secret_file = str(settings.secrets_dir / "cookie-secret")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.pid_file = str(state / "jupyterhub-process.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops the users' servers too

# ---------------------------------------------------------------- who may log in
users = settings.students + settings.markers
c.Authenticator.allowed_users = set(users)
c.Authenticator.admin_users = set(settings.admins)
if settings.authenticator == "pam":
    # The accounts exist on this machine (setup creates them; IT may link them to the
    # university directory through PAM/SSSD), so PAM checks their own passwords.
    c.JupyterHub.authenticator_class = "jupyterhub.auth.PAMAuthenticator"
    c.PAMAuthenticator.open_sessions = False
elif settings.authenticator == "dummy":
    # Tests only: any allowed name with the generated password in secrets/dummy-password.
    c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
    c.DummyAuthenticator.password = settings.secret("dummy-password")
else:
    # LTI 1.3 launch from the VLE (jupyterhub-ltiauthenticator); docs/deploy-hub.md lists
    # what to register in Moodle or Canvas. The launch's user id claim is the hub user name,
    # which must match a Unix account made by setup.
    c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
    lti = settings.lti
    c.LTI13Authenticator.issuer = lti["issuer"]
    c.LTI13Authenticator.authorize_url = lti["authorize_url"]
    c.LTI13Authenticator.jwks_endpoint = lti["jwks_endpoint"]
    c.LTI13Authenticator.client_id = [lti["client_id"]]
    c.LTI13Authenticator.username_key = lti.get("username_key", "email")

# ---------------------------------------------------------------- single-user servers
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(bindir / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# A class logging in at once on a small machine: with 30 servers starting together on 2 busy
# cores, one answered about 95 s after it was asked for, and the hub had given up at 90 s.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
markers = set(settings.markers)


def _config_path(spawner) -> str:
    kind = "marker" if spawner.user.name in markers else "student"
    return str(settings.jupyter_dir / kind)


c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": _config_path,
    "PATH": os.pathsep.join([str(bindir), "/usr/local/bin", "/usr/bin", "/bin"]),
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    # Fewer glibc malloc arenas in the many-threaded server and kernel: less memory per
    # student at no measurable cost for notebooks this size.
    "MALLOC_ARENA_MAX": "2",
    # Live voting in seminars: each choice a student makes in a scenario is also written,
    # anonymously, to this shared folder for the lecturer's panel (docs/seminars.md).
    "MHSW_SEMINAR_DIR": str(settings.state_dir / "seminar"),
}

# ---------------------------------------------------------------- course services
c.JupyterHub.load_groups = {
    f"formgrade-{course.id}": {"users": course.markers} for course in settings.courses
}
roles = [
    {
        # A marker's own server lists the courses they grade (nbgrader's course list).
        "name": "server",
        "scopes": ["inherit"],
    },
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
]
services = [
    {
        "name": "idle-culler",
        "command": [
            str(settings.python),
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={settings.cull_idle_seconds}",
            "--cull-every=60",
        ],
    }
]
for course in settings.courses:
    roles.append(
        {
            "name": f"formgrade-{course.id}",
            "groups": [f"formgrade-{course.id}"],
            "scopes": [
                f"access:services!service={course.id}",
                "list:services",
                f"read:services!service={course.id}",
            ],
        }
    )
    services.append(
        {
            # The service name is the course id (nbgrader's course list relies on it).
            "name": course.id,
            "url": f"http://127.0.0.1:{course.service_port}",
            "command": [str(bindir / "jupyterhub-singleuser")],
            "user": course.grader,
            "cwd": str(course.folder),
            "oauth_no_confirm": True,
            # seconds the hub waits for it at start-up (a busy machine needs more than 10)
            "timeout": 180,
            "environment": {
                "JUPYTERHUB_DEFAULT_URL": "/lab",
                "JUPYTER_CONFIG_PATH": str(settings.jupyter_dir / "grader"),
                "PATH": os.pathsep.join([str(bindir), "/usr/local/bin", "/usr/bin", "/bin"]),
            },
        }
    )
if settings.ops_service:
    # An API token for scripts run by IT staff (and the tests and benchmark): start and stop
    # servers and act for users. Keep secrets/ops-token private (it is root's).
    services.append({"name": "mhsw-ops", "api_token": settings.secret("ops-token")})
    roles.append(
        {
            "name": "mhsw-ops",
            "services": ["mhsw-ops"],
            "scopes": ["admin:users", "admin:servers", "tokens", "list:services"],
        }
    )
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
