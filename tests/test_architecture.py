"""The hexagon's import rules, checked by import-linter inside the test run.

The second test shows the same contracts catch a violation, so the first one
can fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint(config: Path, cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([LINT_IMPORTS, "--config", str(config), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_package_keeps_its_import_contracts():
    result = _lint(ROOT / "pyproject.toml", ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr


def _skeleton(root: Path) -> Path:
    """An empty edge package and lab package, as the contracts expect them."""
    package = root / "energy_edge"
    for sub in ("domain", "adapters", "entrypoints"):
        (package / sub).mkdir(parents=True)
        (package / sub / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (root / "energy_edge_lab").mkdir()
    (root / "energy_edge_lab" / "__init__.py").write_text("")
    return package


def test_the_contracts_catch_a_domain_module_importing_a_third_party_package(tmp_path):
    package = _skeleton(tmp_path)
    (package / "domain" / "leaky.py").write_text("import pydantic\n")
    result = _lint(ROOT / "pyproject.toml", tmp_path, tmp_path)
    assert result.returncode != 0
    assert "energy_edge.domain.leaky -> pydantic" in result.stdout


def test_the_contracts_catch_the_edge_importing_the_lab(tmp_path):
    package = _skeleton(tmp_path)
    (package / "entrypoints" / "leaky.py").write_text("import energy_edge_lab\n")
    result = _lint(ROOT / "pyproject.toml", tmp_path, tmp_path)
    assert result.returncode != 0
    assert "energy_edge.entrypoints.leaky -> energy_edge_lab" in result.stdout
