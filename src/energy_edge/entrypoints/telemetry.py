"""Entrypoint of the telemetry module (console script energy-edge-telemetry; one image, different command)."""

import sys

from .module_runner import main_for


def main() -> int:
    return main_for("telemetry")


if __name__ == "__main__":
    sys.exit(main())
