"""``mhsw datasets [NAME]``: list the course datasets, or describe one."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="a dataset to describe; leave out to list them all")


def run(args: argparse.Namespace) -> int:
    from helpers.datasets import DatasetError, _resource, describe_dataset, list_datasets

    if args.name:
        try:
            print(describe_dataset(args.name))
        except DatasetError as exc:
            print(exc)
            return 1
        return 0
    for name in list_datasets():
        print(f"{name:34} {_resource(name).get('title', '')}")
    return 0
