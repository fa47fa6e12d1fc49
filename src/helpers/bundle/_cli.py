"""``mhsw bundle``: the command line of :mod:`helpers.bundle`."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from ._plan import BundleError, _version, make_plan
from ._update import update_bundle
from ._write import write_bundle, zip_folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", nargs="?", help="module folder name, e.g. m3-amhp")
    parser.add_argument("-o", "--output", type=Path, help="folder to create (or .zip with --zip)")
    parser.add_argument("--zip", action="store_true", help="write a zip file instead of a folder")
    parser.add_argument(
        "--instructor",
        action="store_true",
        help="add the assessed notebook's master, marking guide and nbgrader_config.py in "
        "instructor/ (never give this bundle to students)",
    )
    parser.add_argument(
        "--local", type=Path, metavar="FILE", help="a partnership's local.yaml to build with"
    )
    parser.add_argument(
        "--update",
        type=Path,
        metavar="DIR",
        help="rebuild the bundle in DIR from this release, keeping its local.yaml",
    )
    parser.add_argument(
        "--source",
        type=Path,
        metavar="PATH",
        help="the course copy to bundle from (default: the course around this folder)",
    )
    parser.add_argument(
        "--wheel", type=Path, metavar="FILE", help="use this course wheel instead of building one"
    )


def _default_source() -> Path:
    from helpers._paths import course_root, repo_root

    here = course_root()
    if here and (here / "pyproject.toml").is_file():
        return here
    root = repo_root()
    if root:
        return root
    raise BundleError(
        "mhsw bundle works from a copy of the course's source (the folder with pyproject.toml, "
        "course/ and data/). Run it there, or pass --source PATH."
    )


def run(args: argparse.Namespace) -> int:
    from helpers._problems import ContentError

    try:
        return _run(args)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        print("Fix the settings file above, then run the command again.", file=sys.stderr)
    except BundleError as exc:
        print(exc, file=sys.stderr)
    return 1


def _run(args: argparse.Namespace) -> int:
    source = (args.source or _default_source()).resolve()
    if args.wheel and not args.wheel.is_file():
        raise BundleError(f"{args.wheel}: no such wheel file")
    if args.update:
        if args.module or args.output or args.local or args.zip or args.instructor:
            raise BundleError(
                "--update takes only the bundle folder: the module and options are those it was "
                "built with, and its local.yaml is kept (edit that file to change settings)."
            )
        report = update_bundle(args.update, source, wheel=args.wheel)
        print(
            f"Updated {args.update} to release {_version(source)}: "
            f"{len(report['written'])} files written, {len(report['removed'])} removed."
        )
        if report["kept"]:
            print("Kept unchanged: local.yaml")
        if report["backed_up"]:
            print("You had edited these files; your versions are in backup-*/:")
            for rel in report["backed_up"]:
                print(f"  {rel}")
        return 0
    if not args.module or not args.output:
        raise BundleError(
            "Say which module and where: `mhsw bundle m3-amhp -o m3-amhp-bundle` "
            "(or --update DIR to refresh an existing bundle)."
        )
    plan = make_plan(source, args.module, instructor=args.instructor, local_file=args.local)
    out = args.output.resolve()
    target_zip = None
    if args.zip:
        target_zip = out if out.suffix == ".zip" else out.with_name(out.name + ".zip")
        out = target_zip.with_suffix("")
    if (target_zip or out).exists():
        raise BundleError(
            f"{target_zip or out} already exists. Choose a new name, or refresh an existing "
            "bundle with `mhsw bundle --update DIR`."
        )
    # Built in a temporary folder first, so a failed build leaves nothing half-written.
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / out.name
        staged.mkdir()
        write_bundle(plan, staged, wheel=args.wheel)
        if target_zip:
            zip_folder(staged, target_zip)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged, out)
    where = target_zip or out
    size = _size(where)
    print(f"Bundle of {plan.module} (release {plan.version}) written to {where} ({size}).")
    print("Datasets: " + (", ".join(plan.datasets) or "none"))
    if plan.unknown_datasets:
        print(
            "Named in the module but not in the catalogue (left out): "
            + ", ".join(plan.unknown_datasets)
        )
    if plan.declared_unused:
        print(
            "Listed for this module in datapackage.json but not used by its files (left out): "
            + ", ".join(plan.declared_unused)
        )
    print(
        "Students' bundle: no solutions, hidden tests or marking guides."
        if not plan.instructor
        else "INSTRUCTOR bundle: instructor/ holds solutions; never give it to students."
    )
    if target_zip:
        print(f"Next: unzip {target_zip.name} && cd {out.name} && make test")
    else:
        print(f"Next: cd {where} && make test")
    return 0


def _size(path: Path) -> str:
    total = (
        path.stat().st_size
        if path.is_file()
        else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    )
    return f"{total / 1024:.0f} KB" if total < 1024 * 1024 else f"{total / 1024 / 1024:.1f} MB"
