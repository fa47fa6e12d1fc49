"""The ``mhsw`` command line: one subcommand per course task.

Each subcommand lives in its own module that provides ``add_arguments(parser)`` and
``run(args) -> int``. Modules are imported only to build the parser, so they must keep heavy
imports inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "check": (
        "helpers.checks.cli",
        "check course content (datasets, notebooks, scenarios, quizzes)",
    ),
    "lab": ("helpers.lab", "open the course in JupyterLab (--lecturer: with the grader's tools)"),
    "datasets": ("helpers.datasets_cli", "list the course datasets, or describe one"),
    "twee": ("helpers.twee", "export a scenario as Twee 3 for Twine"),
    "release": ("helpers.grading.release", "generate student versions of assessed notebooks"),
    "validate": ("helpers.grading.validate", "check a notebook before you submit it"),
    "collect": (
        "helpers.grading.collect",
        "put a Moodle or Canvas 'download all submissions' zip into submitted/",
    ),
    "grade": ("helpers.grading.grade", "autograde every submission of an assignment"),
    "feedback": ("helpers.grading.feedback", "write feedback files for an assignment"),
    "export": ("helpers.grading.export", "export marks for a VLE (csv, moodle, canvas)"),
    "debrief": ("helpers.debrief", "report what a class did in a scenario, from their traces"),
    "bundle": ("helpers.bundle", "write one module as a self-contained bundle for a partnership"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mhsw",
        description="Tools for the mental health social work course.",
    )
    from helpers import __version__

    parser.add_argument("--version", action="version", version=f"mhsw-course {__version__}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(module_name.rsplit(".", 1)[0]):
                continue  # subcommand not available in this version
            raise
        sub = subs.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
