"""The `energy-edge` command: runs a whole Energy Edge site on this machine, talks to a running one,
and builds its deployment files.

Sign convention everywhere: power into the site's bus is positive (PV, battery
discharge, grid import), power out of it negative (battery charge, boiler, export).
Settings come from EE_* environment variables (README, "Configuration").
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from .cli_types import UserArgumentParser
from .commands import COMMANDS
from .console import run_console

PROG = "energy-edge"
LAB_HINT = ("Simulating days and measuring control quality is the offline lab's job: "
            "energy-edge-lab (the `lab` extra), not part of the edge.")


def command_parser(prog: str, description: str | None, package: str, commands: Sequence[str],
                   epilog: str | None = None) -> argparse.ArgumentParser:
    """A parser whose subcommands are the modules `package.<name>`, each with `register(subparsers)`
    (shared with the lab's `energy-edge-lab`)."""
    parser = UserArgumentParser(prog=prog, description=description, epilog=epilog)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands:
        importlib.import_module(f"{package}.{name}").register(subparsers)
    return parser


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse and run, through the one wrapper that turns errors into sentences and exit codes."""
    def body(args: list[str]) -> int:
        parsed = parser.parse_args(args)
        return int(parsed.func(parsed) or 0)

    return run_console(parser.prog, body, argv)


def build_parser() -> argparse.ArgumentParser:
    return command_parser(PROG, __doc__, f"{__package__}.commands", COMMANDS, LAB_HINT)


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
