"""Entrypoint of the controller module (console script energy-edge-controller; one image, different command)."""

import sys

from .module_runner import main_for


def main() -> int:
    return main_for("controller")


if __name__ == "__main__":
    sys.exit(main())
