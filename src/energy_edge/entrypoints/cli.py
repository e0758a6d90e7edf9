"""The `energy-edge` command line: a thin dispatcher over entrypoints/commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from ..adapters.site_file import SiteFileError
from .commands import COMMANDS

LAB_HINT = ("Simulating days and measuring control quality is the offline lab's job: "
            "energy-edge-lab (the `lab` extra), not part of the edge.")


def command_parser(prog: str, description: str | None, package: str, commands: Sequence[str],
                   epilog: str | None = None) -> argparse.ArgumentParser:
    """A parser whose subcommands are the modules `package.<name>`, each with `register(subparsers)`
    (shared with the lab's `energy-edge-lab`)."""
    parser = argparse.ArgumentParser(prog=prog, description=description, epilog=epilog)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands:
        importlib.import_module(f"{package}.{name}").register(subparsers)
    return parser


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SiteFileError as exc:  # refused before anything starts: one sentence, no traceback
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    return command_parser("energy-edge", __doc__, f"{__package__}.commands", COMMANDS, LAB_HINT)


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
