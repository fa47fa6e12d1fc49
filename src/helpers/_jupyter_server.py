"""What the course needs from the Jupyter server, however JupyterLab is started.

Enabled for every ``jupyter lab`` of the environment the course is installed in (the wheel puts
``etc/jupyter/jupyter_server_config.d/mhsw-course.json`` there), so ``make lab``, ``mhsw lab``
and plain ``.venv/bin/jupyter lab`` without activating the environment behave the same:

* this environment's scripts folder goes on ``PATH``: nbgrader's formgrader runs the
  ``alembic`` program from ``PATH`` when it creates the gradebook, and without it the
  formgrader page never loads (the server answers 500 with ``FileNotFoundError: 'alembic'``).

The rendered course index and the quiet start (no news pop-up) come from JupyterLab's settings
overrides, installed beside it as ``share/jupyter/lab/settings/overrides.json``.
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "helpers._jupyter_server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from helpers.grading._nbgrader import ensure_tools_on_path

    ensure_tools_on_path()
    serverapp.log.debug("mhsw-course: this environment's scripts folder is on PATH")
