"""The installed package's version, as `--version` prints it (written once: energy_edge.__version__)."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "energy-edge"


def version_text() -> str:
    try:
        return f"energy-edge {metadata.version(DISTRIBUTION)}"
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        from .. import __version__
        return f"energy-edge {__version__} (not installed)"
