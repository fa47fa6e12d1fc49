"""``mhsw check [PATH…]``: check course content and print located problems."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders to check (default: the whole course in this folder)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print problems only")


def run(args: argparse.Namespace) -> int:
    from helpers.checks import check_paths

    problems, checked = check_paths(args.paths)
    for problem in problems:
        print(problem)
    if not args.quiet:
        noun = "file" if checked == 1 else "files"
        if problems:
            print(f"\n{len(problems)} problem(s) in {checked} {noun} checked.")
        else:
            print(f"All good: {checked} {noun} checked, no problems.")
    return 1 if problems else 0
