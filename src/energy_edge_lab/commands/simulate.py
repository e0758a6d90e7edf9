"""`energy-edge-lab simulate`: one day (or a few) under one policy, at 1 s in simulated time.

The day is a shipped scenario (`--scenario NAME`), a scenario file (`--scenario FILE.json`),
or a day file on a site (`--day FILE [--site FILE|NAME]`, docs/day-file.md). Writes
`<out>/<name>_<policy>.json` (the KPIs) and `<out>/<name>_<policy>.png` (power flows,
battery SoC, boiler temperature). A file that cannot be used is one sentence naming the
file and the field, exit 2. Needs the `lab` extra (scipy, matplotlib, tqdm), imported only
when the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from energy_edge.entrypoints.cli_types import number

POLICY_CHOICES = ("none", "controller", "optimum")  # runner.POLICIES, without importing it here
USAGE_ERROR = 2
MAX_DURATION_DAYS = 366.0  # a year of 1-s steps is hours of wall time: more is a typo, not a run
MIN_DURATION_DAYS = 0.0035  # 302 s, one 5-minute step of the optimum (optimum.DEFAULT_STEP_S): none plans less
DURATION_DAYS = number(ge=MIN_DURATION_DAYS, le=MAX_DURATION_DAYS, unit="days")


def add_day_arguments(parser: argparse.ArgumentParser) -> None:
    """--site, --duration-days: shared with `quality`."""
    parser.add_argument("--site", help="site file (docs/site-file.md, or the lab's site section) or a shipped "
                                       "scenario's name whose site to use")
    parser.add_argument("--duration-days", "--length", dest="duration_days", type=DURATION_DAYS, default=1.0,
                        help=f"days to simulate from each day's start, >= {MIN_DURATION_DAYS:g} (5 minutes) and <= "
                             f"{MAX_DURATION_DAYS:g} (default 1; a fraction for a quick look)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("simulate", help="simulate a day under a policy", description=__doc__)
    parser.add_argument("--scenario", help="a shipped scenario (e.g. clear_summer_day) or a scenario JSON file")
    parser.add_argument("--day", help="a day file (TOML or JSON, docs/day-file.md)")
    add_day_arguments(parser)
    parser.add_argument("--days", dest="duration_days", type=DURATION_DAYS, help=argparse.SUPPRESS)  # the former name
    parser.add_argument("--policy", required=True, choices=POLICY_CHOICES,
                        help="none (baseline), controller, or optimum (perfect-foresight LP)")
    parser.add_argument("--out", type=Path, default=Path("quality-results"), help="output folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..day_file import DayFileError
    from ..day_scenario import scenario_for
    from ..output_paths import folder_problem

    try:
        scenario = scenario_for(args.scenario, args.site, args.day)
    except DayFileError as exc:
        print(str(exc), file=sys.stderr)
        return USAGE_ERROR
    if problem := folder_problem(args.out, "--out"):  # before the run, not after it
        print(problem, file=sys.stderr)
        return USAGE_ERROR
    return _simulate(scenario, args.policy, args.duration_days, args.out)


def _simulate(scenario, policy: str, days: float, out: Path) -> int:  # type: ignore[no-untyped-def]
    from ..kpis import compute_kpis
    from ..next_day import next_day_value
    from ..plot import plot_series
    from ..runner import optimum_plan, simulate
    from ..stepped_site import progress_bar, site_factory

    verdict = {}
    judge = next_day_value(scenario, days)
    if policy == "optimum":
        plan = optimum_plan(scenario, days, None if judge is None else judge.exogenous)
        series = plan.series
        verdict = {"import_limit_feasible": plan.import_limit_feasible,
                   "holdable_import_limit_w": plan.holdable_import_limit_w}
    else:
        with progress_bar(f"{scenario.name}/{policy}", days) as progress:
            series = asyncio.run(simulate(scenario, policy, days, site_factory, progress))
    kpis = compute_kpis(series, scenario, judge)
    stem = out / f"{scenario.name}_{policy}"
    out.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(
        {"scenario": scenario.name, "policy": policy, "days": days, **verdict, "kpis": kpis.as_json()},
        indent=2) + "\n")
    plot_series(series, scenario, f"{scenario.name} / {policy}", stem.with_suffix(".png"))
    print(json.dumps(kpis.as_json(), indent=2))
    print(f"wrote {stem.with_suffix('.json')} and {stem.with_suffix('.png')}")
    return 0
