"""Entrypoint of the battery module (console script energy-edge-battery; one image, different command)."""

import sys

from .module_runner import main_for


def main() -> int:
    return main_for("battery")


if __name__ == "__main__":
    sys.exit(main())
