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
