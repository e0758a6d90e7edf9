"""Days under every policy, plus the load step: what `make quality` and `make bench` report.
One function per level so the command and the benchmark cannot drift apart."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .comparison import Comparison
from .kpis import compute_kpis
from .load_step import measure_load_step
from .next_day import next_day_value
from .plot import plot_series
from .runner import POLICIES, Progress, SiteFactory, optimum_plan, simulate
from .scenario import Scenario, load_scenario, scenario_names
from .series import SiteSeries
from .step_response import StepResponse

PolicyProgress = Callable[[str, str], Progress | None]  # (scenario, policy) -> progress callback


@dataclass
class SuiteResult:
    comparisons: list[Comparison]
    step: StepResponse | None
    wall_s: dict[str, float] = field(default_factory=dict)  # "<scenario>/<policy>" -> seconds


async def compare_day(scenario: Scenario, site_factory: SiteFactory, days: float = 1, plot_dir: Path | None = None,
                      progress: PolicyProgress | None = None,
                      wall: dict[str, float] | None = None, forecast: str = "online") -> Comparison:
    """One scenario under baseline, controller and optimum, judged alike (`forecast`: what the controller
    plans on, runner.FORECASTS)."""
    name, kpis = scenario.name, {}
    plan = None
    judge = next_day_value(scenario, days)  # the end state's worth to the next day, where the day says so
    for policy in POLICIES:
        started = time.perf_counter()
        series: SiteSeries
        if policy == "optimum":
            plan = optimum_plan(scenario, days, None if judge is None else judge.exogenous)
            series = plan.series
        else:
            series = await simulate(scenario, policy, days=days, site_factory=site_factory,
                                    progress=progress(name, policy) if progress else None, forecast=forecast)
        if plot_dir is not None:
            plot_series(series, scenario, f"{name} / {policy}", plot_dir / f"{name}_{policy}.png")
        kpis[policy] = compute_kpis(series, scenario, judge)
        if wall is not None:
            wall[f"{name}/{policy}"] = time.perf_counter() - started
    assert plan is not None
    return Comparison(name, baseline=kpis["none"], controller=kpis["controller"], optimum=kpis["optimum"],
                      import_limit_feasible=plan.import_limit_feasible,
                      holdable_import_limit_w=plan.holdable_import_limit_w)


def compare_in_process(scenario: Scenario, days: float, plot_dir: Path | None, forecast: str = "online") -> Comparison:
    """One day in a fresh event loop: what a worker process of `compare_days` runs."""
    from .stepped_site import site_factory  # the embedded site: imported where the run happens

    return asyncio.run(compare_day(scenario, site_factory, days, plot_dir, forecast=forecast))


def compare_days(scenarios: list[Scenario], days: float = 1, plot_dir: Path | None = None, jobs: int = 1,
                 done: Callable[[Comparison], None] | None = None, forecast: str = "online") -> list[Comparison]:
    """Every scenario under every policy, `jobs` days at a time in separate processes (each day runs
    the real services on its own in-memory hub, so days share nothing); results in the given order."""
    if jobs <= 1 or len(scenarios) <= 1:
        results = []
        for scenario in scenarios:
            results.append(compare_in_process(scenario, days, plot_dir, forecast))
            if done:
                done(results[-1])
        return results
    context = multiprocessing.get_context("spawn")  # no inherited event loop or hub state
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(compare_in_process, scenario, days, plot_dir, forecast) for scenario in scenarios]
        for future in as_completed(futures):
            if done:
                done(future.result())
        return [future.result() for future in futures]


async def run_suite(site_factory: SiteFactory, scenarios: list[str] | None = None, days: float = 1,
                    plot_dir: Path | None = None, progress: PolicyProgress | None = None) -> SuiteResult:
    comparisons, wall = [], {}
    for name in scenarios or scenario_names():
        comparisons.append(await compare_day(load_scenario(name), site_factory, days, plot_dir, progress, wall))
    step = await measure_load_step(site_factory)
    return SuiteResult(comparisons, step, wall)
