"""Entrypoint of the solar module (console script energy-edge-solar; one image, different command)."""

import sys

from .module_runner import main_for


def main() -> int:
    return main_for("solar")


if __name__ == "__main__":
    sys.exit(main())
