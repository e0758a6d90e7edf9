"""The `energy-edge-lab` command line: simulate days and measure control quality, offline."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from energy_edge.entrypoints.cli import command_parser, run_command

from .commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    return command_parser("energy-edge-lab", __doc__, f"{__package__}.commands", COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
