"""Entrypoint of the boiler module (console script energy-edge-boiler; one image, different command)."""

import sys

from .module_runner import main_for


def main() -> int:
    return main_for("boiler")


if __name__ == "__main__":
    sys.exit(main())
