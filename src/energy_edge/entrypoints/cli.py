"""The `energy-edge` command line: a thin dispatcher over entrypoints/commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from ..adapters.site_file import SiteFileError
from .commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="energy-edge", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__package__}.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SiteFileError as exc:  # refused before anything starts: one sentence, no traceback
        print(f"energy-edge: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
