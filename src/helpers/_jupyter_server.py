"""What the course needs from the Jupyter server, however JupyterLab is started.

Enabled for every ``jupyter lab`` of the environment the course is installed in (the wheel puts
``etc/jupyter/jupyter_server_config.d/mhsw-course.json`` there), so ``make lab``, ``mhsw lab``
and plain ``.venv/bin/jupyter lab`` without activating the environment behave the same:

* this environment's scripts folder goes on ``PATH``: nbgrader's formgrader runs the
  ``alembic`` program from ``PATH`` when it creates the gradebook, and without it the
  formgrader page never loads (the server answers 500 with ``FileNotFoundError: 'alembic'``);
* a notebook no longer shows as modified the moment it opens. Course notebooks are committed
  with their outputs and kernel details stripped (``language_info`` is just
  ``{"name": "python"}``); when the kernel starts, JupyterLab writes the kernel's full
  ``language_info`` (with the Python version) into the notebook, which marks it modified and
  asks "Save changes?" on close. The notebook is served with the full ``language_info`` of
  this environment's Python kernel already in place, so nothing changes when the kernel starts.

The rendered course index and the quiet start (no news pop-up) come from JupyterLab's settings
overrides, installed beside it as ``share/jupyter/lab/settings/overrides.json``.
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "helpers._jupyter_server"}]


def python_language_info() -> dict[str, Any]:
    """What ipykernel reports as ``language_info`` for a kernel on this Python."""
    import sys

    major = sys.version_info[0]
    return {
        "codemirror_mode": {"name": "ipython", "version": major},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": f"ipython{major}",
        "version": sys.version.split()[0],
    }


def fill_language_info(model: dict[str, Any]) -> dict[str, Any]:
    """Give a stripped Python notebook its kernel's full ``language_info`` (see above)."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return model
    metadata = model["content"].get("metadata")
    if not isinstance(metadata, dict):
        return model
    kernel = (metadata.get("kernelspec") or {}).get("name", "")
    if metadata.get("language_info") == {"name": "python"} and kernel.startswith("python"):
        metadata["language_info"] = python_language_info()
    return model


def _wrap_contents_get(manager: Any) -> None:
    import inspect

    original = manager.get
    if inspect.iscoroutinefunction(original):

        async def get(*args: Any, **kwargs: Any) -> dict[str, Any]:
            return fill_language_info(await original(*args, **kwargs))

    else:

        def get(*args: Any, **kwargs: Any) -> dict[str, Any]:
            return fill_language_info(original(*args, **kwargs))

    manager.get = get


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from helpers.grading._nbgrader import ensure_tools_on_path

    ensure_tools_on_path()
    _wrap_contents_get(serverapp.contents_manager)
    serverapp.log.debug("mhsw-course: scripts folder on PATH; notebooks open unmodified")
