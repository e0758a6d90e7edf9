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


def build_parser() -> argparse.ArgumentParser:
    parser = UserArgumentParser(prog=PROG, description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__package__}.commands.{name}").register(subparsers)
    return parser


def _run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    return run_console(PROG, _run, argv)


if __name__ == "__main__":
    sys.exit(main())
