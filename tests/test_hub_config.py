"""The hub's settings file and generated Jupyter configuration (deploy/hub/mhsw_hub.py).

These run anywhere (no root, no hub): bad settings get an error naming the file and the field,
and the configuration students' servers get really leaves out the marker-only parts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "hub"))

import mhsw_hub  # noqa: E402


def test_does_the_example_settings_file_load():
    settings = mhsw_hub.load_settings(REPO / "deploy" / "hub" / "hub.example.toml")
    assert settings.authenticator == "pam"
    assert [c.id for c in settings.courses] == ["mhsw-m3"]
    assert settings.courses[0].grader == "grader-mhsw-m3"
    assert settings.markers == ["marker1", "marker2"]
    assert settings.exchange == Path("/srv/nbgrader/exchange")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("state_dir = 1\n", "state_dir should be a str"),
        ('state_dir = "/x"\n', "proxy is missing"),
        ("state_dir = [\n", "not valid TOML"),
        ('authenticator = "github"\n', "authenticator = 'github'"),
    ],
)
def test_do_bad_settings_get_an_error_naming_the_file_and_field(tmp_path, text, expected):
    base = (REPO / "deploy" / "hub" / "hub.example.toml").read_text(encoding="utf-8")
    lines = [ln for ln in base.splitlines() if not ln.startswith(text.split("=")[0].strip())]
    if "proxy is missing" in expected:
        lines = [ln for ln in lines if not ln.startswith("proxy ")]
    settings = tmp_path / "hub.toml"
    settings.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(mhsw_hub.SettingsError) as error:
        mhsw_hub.load_settings(settings)
    assert str(settings) in str(error.value) and expected in str(error.value)


def test_is_a_missing_settings_file_explained(tmp_path):
    with pytest.raises(mhsw_hub.SettingsError, match="hub.example.toml"):
        mhsw_hub.load_settings(tmp_path / "nothing.toml")


def _not_set_up(tmp_path) -> Path:
    """The example settings with every folder in tmp_path and no PostgreSQL listening."""
    text = (REPO / "deploy" / "hub" / "hub.example.toml").read_text(encoding="utf-8")
    replace = {
        "state_dir = ": f'state_dir = "{tmp_path / "state"}"',
        "exchange = ": f'exchange = "{tmp_path / "exchange"}"',
        "folder = ": f'folder = "{tmp_path / "grader" / "mhsw-m3"}"',
        "socket_dir = ": f'socket_dir = "{tmp_path / "no-postgres"}"',
    }
    lines = []
    for line in text.splitlines():
        for start, value in replace.items():
            if line.startswith(start):
                line = value
        lines.append(line)
    settings = tmp_path / "hub.toml"
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return settings


def test_does_check_before_setup_say_what_to_do_instead_of_failing(tmp_path, capsys):
    settings = _not_set_up(tmp_path)
    assert mhsw_hub.main(["check", "--settings", str(settings)]) == 1
    said = capsys.readouterr().out
    assert "the hub is not set up yet; run setup" in said
    assert f"The course copy {tmp_path / 'grader' / 'mhsw-m3'} does not exist: run setup" in said
    assert f"PostgreSQL does not answer on {tmp_path / 'no-postgres'} port 5432" in said
    assert "Traceback" not in said


def test_does_start_before_setup_say_run_setup_first(tmp_path, capsys):
    settings = _not_set_up(tmp_path)
    assert mhsw_hub.main(["start", "--settings", str(settings)]) == 1
    said = capsys.readouterr().err
    assert "not set up yet" in said and f"setup --settings {settings}" in said
    assert not (tmp_path / "state" / "jupyterhub.pid").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="setup runs as root only")
def test_does_setup_stop_before_creating_anything_when_postgresql_is_down(tmp_path, capsys):
    settings = _not_set_up(tmp_path)
    assert mhsw_hub.main(["setup", "--settings", str(settings)]) == 1
    said = capsys.readouterr().err
    assert "PostgreSQL does not answer" in said and "pg_ctlcluster 15 main start" in said
    assert not (tmp_path / "state").exists() and not (tmp_path / "exchange").exists()


@pytest.fixture
def jupyter_dir(tmp_path) -> Path:
    settings = types.SimpleNamespace(
        jupyter_dir=tmp_path / "jupyter",
        file=tmp_path / "hub.toml",
        exchange=Path("/srv/nbgrader/exchange"),
        courses=[types.SimpleNamespace(id="mhsw-m3")],
    )
    mhsw_hub.write_jupyter_config(settings)
    return settings.jupyter_dir


def test_do_students_lose_the_marker_only_plugins_and_markers_keep_their_course_list(
    jupyter_dir,
):
    def disabled(kind):
        page = json.loads((jupyter_dir / kind / "labconfig" / "page_config.json").read_text())
        return set(page["disabledExtensions"])

    assert disabled("student") == set(mhsw_hub.INSTRUCTOR_PLUGINS)
    assert disabled("marker") == {
        "@jupyter/nbgrader:formgrader",
        "@jupyter/nbgrader:create-assignment",
    }
    assert disabled("grader") == set()
    for kind in ("student", "marker", "grader"):
        nbgrader = (jupyter_dir / kind / "nbgrader_config.py").read_text()
        assert "c.Exchange.root = '/srv/nbgrader/exchange'" in nbgrader
        assert "c.CourseDirectory.course_id = 'mhsw-m3'" in nbgrader


def test_does_a_students_server_really_run_without_formgrader(jupyter_dir, tmp_path):
    code = (
        "from jupyter_server.serverapp import ServerApp\n"
        "app = ServerApp()\n"
        "app.initialize(argv=['--no-browser', '--port=0', '--allow-root'])\n"
        "import json; print(json.dumps(app.jpserver_extensions))\n"
    )
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(jupyter_dir / "student"))
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    extensions = json.loads(done.stdout.strip().splitlines()[-1])
    for name in (
        "nbgrader.server_extensions.formgrader",
        "nbgrader.server_extensions.course_list",
        "jupyter_lsp",
        "jupyter_server_terminals",
    ):
        assert extensions[name] is False, name
    assert extensions["nbgrader.server_extensions.assignment_list"] is True
    assert extensions["nbgrader.server_extensions.validate_assignment"] is True
