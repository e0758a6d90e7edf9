"""Every shipped scenario under every policy, plus the load step: what `make quality` and
`make bench` report. One function so the command and the benchmark cannot drift apart."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .comparison import Comparison
from .kpis import Kpis, compute_kpis
from .load_step import measure_load_step
from .plot import plot_series
from .runner import POLICIES, Progress, SiteFactory, simulate
from .scenario import load_scenario, scenario_names
from .step_response import StepResponse

PolicyProgress = Callable[[str, str], Progress | None]  # (scenario, policy) -> progress callback


@dataclass
class SuiteResult:
    comparisons: list[Comparison]
    step: StepResponse
    wall_s: dict[str, float] = field(default_factory=dict)  # "<scenario>/<policy>" -> seconds


async def run_policy(name: str, policy: str, days: float, site_factory: SiteFactory, plot_dir: Path | None = None,
                     progress: Progress | None = None) -> Kpis:
    scenario = load_scenario(name)
    series = await simulate(scenario, policy, days=days, site_factory=site_factory, progress=progress)
    if plot_dir is not None:
        plot_series(series, scenario, f"{name} / {policy}", plot_dir / f"{name}_{policy}.png")
    return compute_kpis(series, scenario)


async def run_suite(site_factory: SiteFactory, scenarios: list[str] | None = None, days: float = 1,
                    plot_dir: Path | None = None, progress: PolicyProgress | None = None) -> SuiteResult:
    comparisons, wall = [], {}
    for name in scenarios or scenario_names():
        kpis: dict[str, Kpis] = {}
        for policy in POLICIES:
            started = time.perf_counter()
            kpis[policy] = await run_policy(name, policy, days, site_factory, plot_dir,
                                            progress(name, policy) if progress else None)
            wall[f"{name}/{policy}"] = time.perf_counter() - started
        comparisons.append(Comparison(name, baseline=kpis["none"], controller=kpis["controller"],
                                      optimum=kpis["optimum"]))
    step = await measure_load_step(site_factory)
    return SuiteResult(comparisons, step, wall)
