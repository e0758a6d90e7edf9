"""Control quality (issue 7): every shipped scenario under baseline, controller and optimum,
and the 20 kW load step; the same code as `energy-edge-lab quality` (quality.suite.run_suite).

A day through the real services at 1 s takes tens of seconds, so this is the slowest
benchmark; its wall time per simulated day is reported too."""

from __future__ import annotations

import asyncio

from energy_edge_lab.stepped_site import site_factory
from energy_edge_lab.comparison import figures
from energy_edge_lab.suite import run_suite

from .result import Result


def run() -> list[Result]:
    suite = asyncio.run(run_suite(site_factory))
    results = [Result(name, f["value"], f["unit"], f["target"], f["met"])
               for name, f in figures(suite.comparisons, suite.step).items() if f["value"] is not None]
    for policy in ("none", "controller"):
        walls = [seconds for key, seconds in suite.wall_s.items() if key.endswith(f"/{policy}")]
        results.append(Result(f"quality_simulated_day_{policy}_wall_seconds", max(walls), "s"))
    return results
