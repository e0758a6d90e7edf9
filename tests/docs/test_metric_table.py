"""The README's metric table is complete: every metric the exporters can emit is in it, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from ..telemetry.metric_names import exposed_names

README = Path(__file__).resolve().parents[2] / "README.md"


def documented_names() -> set[str]:
    return set(re.findall(r"^\| `(energy_edge_[a-z0-9_]+)` \|", README.read_text(), flags=re.MULTILINE))


def test_every_metric_the_exporters_can_emit_is_in_the_readme_table_and_nothing_else():
    emitted, documented = exposed_names(), documented_names()
    assert emitted - documented == set(), "emitted but not in README's metric table"
    assert documented - emitted == set(), "in README's metric table but never emitted"
