"""``mhsw bundle MODULE -o DIR``: one module as a self-contained folder for a teaching partnership.

A bundle holds the module (notebooks, scenarios, quizzes, activities, lecturer guide, README),
``00-start-here``, only the datasets the module uses (with ``datapackage.json`` cut down to
them), the course package as a wheel of this release, its own ``Makefile`` (``make lab``,
``make test``), a README that starts with them, the licences, ``CITATION.cff``, attribution
ready to copy, a ``local.yaml`` for the partnership's names and support contacts, and
``bundle.json`` (what was built, with a checksum of every file).

What a module uses is found, not listed: dataset names in ``load_dataset("…")`` and
``describe_dataset("…")`` calls (or any quoted catalogue name in a code cell) and in YAML
``data:`` fields, in the module, in ``00-start-here`` and in the module's assessed notebook.

The default bundle is for students: no solutions, hidden tests or marking guides.
``--instructor`` adds the assessed notebook's master, its marking guide and
``nbgrader_config.py`` in ``instructor/``. ``--local FILE`` builds with a partner's settings;
``--update DIR`` rebuilds an existing bundle from this release and keeps its ``local.yaml``.
"""

from __future__ import annotations

from ._cli import add_arguments, run
from ._plan import MANIFEST, START_HERE, BundleError, Plan, datasets_used, make_plan, modules_in
from ._update import update_bundle
from ._write import SOLUTION_MARKERS, build_wheel, check_student_bundle, starter_local, write_bundle

__all__ = [
    "MANIFEST",
    "SOLUTION_MARKERS",
    "START_HERE",
    "BundleError",
    "Plan",
    "add_arguments",
    "build_wheel",
    "check_student_bundle",
    "datasets_used",
    "make_plan",
    "modules_in",
    "run",
    "starter_local",
    "update_bundle",
    "write_bundle",
]
