"""Packaging: the licence expression builds with the setuptools it asks for, the licence ships, one version."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_an_spdx_licence_string_asks_for_a_setuptools_that_understands_it():
    if isinstance(PYPROJECT["project"].get("license"), str):  # PEP 639: setuptools >= 77
        requirement = next(r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools"))
        minimum = re.search(r">=\s*(\d+)", requirement)
        assert minimum and int(minimum.group(1)) >= 77, requirement


def test_the_licence_file_ships():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "LICENSE" in PYPROJECT["project"].get("license-files", ["LICENSE"])
    assert "LICENSE" in (ROOT / "deployment" / "Dockerfile").read_text()


def test_the_version_is_written_once():
    from energy_edge import __version__

    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "energy_edge.__version__"}
    assert metadata.version("energy-edge") == __version__
