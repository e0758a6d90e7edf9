"""The README and ARCHITECTURE.md must say what is true of the code."""

from __future__ import annotations

from pathlib import Path

from energy_edge.domain.balancing import Policy
from energy_edge.domain.topology import DEFAULT_ROUTES
from energy_edge.entrypoints.commands import COMMANDS
from energy_edge.entrypoints.settings import SiteSettings
from energy_edge.entrypoints.web_settings import WebSettings
from energy_edge_lab.commands import COMMANDS as LAB_COMMANDS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
DAY_FILE_DOC = (ROOT / "docs" / "day-file.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands_for_a_fresh_machine():
    head = README[:1500]
    assert "make run" in head and "make test" in head


def test_every_setting_is_in_the_readme_configuration_table():
    names = [f"EE_{name.upper()}" for name in SiteSettings.model_fields]
    names += [f"EE_WEB_{name.upper()}" for name in WebSettings.model_fields]
    missing = [name for name in names if name not in README]
    assert not missing, f"README lacks {missing}"


def test_every_cli_command_is_documented():
    edge = [f"energy-edge {name.replace('_', '-')}" for name in COMMANDS if name != "moved_to_lab"]
    lab = [f"energy-edge-lab {name}" for name in LAB_COMMANDS]
    missing = [command for command in edge + lab if command not in README]
    assert not missing, f"README lacks {missing}"


def test_the_day_file_documentation_runs():
    """docs/day-file.md's example site and day make a scenario."""
    import tomllib

    from energy_edge_lab.day_file import DayFile
    from energy_edge_lab.site_source import LabSite

    blocks = [tomllib.loads(block.split("```")[0]) for block in DAY_FILE_DOC.split("```toml\n")[1:]]
    site = blocks[0]
    LabSite.model_validate(site)
    DayFile.model_validate(next(block for block in blocks if "date" in block))
    several = next(block for block in blocks if isinstance(block.get("assets", {}).get("solar"), list))
    assets = LabSite.model_validate({**site, "assets": several["assets"]}).assets
    assert len(assets.solars()) == 2 and len(assets.batteries()) == 2


def test_every_route_is_in_the_architecture():
    missing = [name for name in DEFAULT_ROUTES if name not in ARCHITECTURE]
    assert not missing, f"ARCHITECTURE.md lacks routes {missing}"


def test_every_controller_policy_property_is_in_the_readme():
    missing = [name for name in Policy().as_dict() if f"`{name}`" not in README]
    assert not missing, f"README lacks controller properties {missing}"


def test_readme_commands_run_as_written_from_a_fresh_clone():
    """Shell lines use the project's virtual environment: a bare `energy-edge` or `pytest` is not on PATH there."""
    import re

    lines = []
    for language, block in re.findall(r"```(bash|console|sh)\n(.*?)```", README, re.S):
        for line in block.splitlines():
            if language != "console" or line.startswith("$ "):  # a console block's other lines are output
                lines.append(line.removeprefix("$ ").strip())
    bare = [line for line in lines if re.match(r"(energy-edge|pytest|python -m|lint-imports)\b", line)]
    assert not bare, f"README commands that fail as written (use .venv/bin/...): {bare}"
