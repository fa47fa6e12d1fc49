"""``mhsw lab`` and what the package installs beside JupyterLab (helpers.lab, _jupyter_server)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from helpers import _jupyter_server
from helpers.lab import STUDENT_CONFIG, course_folder, lab_command

REPO = Path(__file__).resolve().parents[1]


def test_does_the_lab_command_open_the_index_in_the_course_folder():
    command, env = lab_command(REPO)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={REPO}" in command
    assert command[-1] == "course/README.md"
    scripts = str(Path(sys.executable).parent)
    assert scripts in env["PATH"].split(os.pathsep)  # nbgrader finds alembic


def test_does_student_mode_hide_the_graders_tools():
    _, student = lab_command(REPO)
    _, lecturer = lab_command(REPO, lecturer=True)
    assert student["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(STUDENT_CONFIG)
    assert str(STUDENT_CONFIG) not in lecturer.get("JUPYTER_CONFIG_PATH", "")
    page = json.loads((STUDENT_CONFIG / "labconfig" / "page_config.json").read_text())
    hidden = page["disabledExtensions"]
    for plugin in ("formgrader", "create-assignment", "menu"):
        assert hidden[f"@jupyter/nbgrader:{plugin}"] is True
    server = json.loads((STUDENT_CONFIG / "jupyter_server_config.json").read_text())
    assert (
        server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    )


def test_is_the_course_folder_found_from_a_subfolder():
    assert course_folder(REPO / "course" / "m1-roles") == REPO


def test_are_the_settings_overrides_and_server_extension_installed():
    prefix = Path(sys.prefix)
    overrides = json.loads((prefix / "share/jupyter/lab/settings/overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Markdown Preview"
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    enabled = json.loads(
        (prefix / "etc/jupyter/jupyter_server_config.d/mhsw-course.json").read_text()
    )
    assert enabled["ServerApp"]["jpserver_extensions"]["helpers._jupyter_server"] is True


def test_does_the_server_extension_put_this_environment_on_path(monkeypatch):
    class App:
        class log:  # noqa: N801 - stands in for the server's logger
            @staticmethod
            def debug(*_args):
                pass

        class contents_manager:  # noqa: N801
            @staticmethod
            def get(path):
                return {"type": "file", "content": path}

    monkeypatch.setenv("PATH", "/usr/bin")
    _jupyter_server._load_jupyter_server_extension(App)
    assert str(Path(sys.executable).parent) in os.environ["PATH"].split(os.pathsep)


def test_does_a_stripped_notebook_open_with_its_kernels_language_info():
    import ipykernel.ipkernel

    stripped = {
        "type": "notebook",
        "content": {
            "metadata": {"kernelspec": {"name": "python3"}, "language_info": {"name": "python"}}
        },
    }

    class Manager:
        async def get(self, path, **kwargs):
            return json.loads(json.dumps(stripped))

    manager = Manager()
    _jupyter_server._wrap_contents_get(manager)
    model = asyncio.run(manager.get("x.ipynb"))
    expected = ipykernel.ipkernel.IPythonKernel.language_info
    assert model["content"]["metadata"]["language_info"] == expected
    other = {"type": "notebook", "content": {"metadata": {"language_info": {"name": "R"}}}}
    assert _jupyter_server.fill_language_info(other) == other
