"""`energy-edge-lab quality` (`make quality`): days under the baseline, the controller and the optimum.

Without options: every shipped scenario plus the 20 kW load step. `--days DIR`: every day
file in DIR (docs/day-file.md; each on `--site` or the site it names). `--generated N`: N
seeded generated days (generator.py); with `--shapes several` on sites with several arrays,
batteries and boilers (figures as `quality_generated_several`). With `--site`, shipped and generated days run on that
site (its position, assets and grid limits; the tighter limit wins) and their figures count as
`quality_days`, not as the generated suite's. Prints the comparison table and, for several days,
the savings-ratio distribution (min, 10th percentile, median); merges the figures into
bench-results.json; exits 1 when a day misses a target (savings >= 0.9 of the optimum's,
zero violations, <= 6 mode changes per asset per hour), 2 for a file it cannot use.
`--forecast perfect` has the controller plan on the day's true PV and load (perfect_forecast.py):
what it still misses is the control's share of the gap, the rest the forecast's; `--end-of-day
next_day` judges every day's end state by what it spares the next day (next_day.py). Both are
analyses, so their figures are printed, not merged. `--forecast day-ahead` gives the controller
a weather service's day-ahead PV (the day's sky without its clouds, day_ahead_pv.py) through its
PvForecastSource port, its online learning kept: what a day-ahead forecast is worth. Needs the `lab` extra.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from energy_edge.entrypoints.cli_types import integer

from .simulate import USAGE_ERROR, add_day_arguments

# runner.FORECASTS (not imported here: the runner loads scipy, and `--help` should not)
FORECAST_MEANINGS = {
    "online": "the controller's own online forecast",
    "perfect": "the controller plans on the day's true PV and load",
    "day-ahead": "the controller's online forecast with a day-ahead PV forecast, the day's sky without its clouds",
}

TARGET_MISSED = 1
MAX_GENERATED_DAYS = 1000  # a suite of ~8 min per 40 days on two cores: more is a typo, not a run
MAX_SEED = 2**32 - 1
MAX_JOBS = 256


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("quality", help="control quality over shipped, given or generated days",
                                   description=__doc__)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--scenario", action="append", help="only this shipped scenario or scenario file (repeatable)")
    source.add_argument("--days", type=Path, help="a folder of day files")
    source.add_argument("--generated", type=integer(ge=1, le=MAX_GENERATED_DAYS), metavar="N",
                        help=f"N generated days, 1 to {MAX_GENERATED_DAYS} (seeded; see --seed)")
    add_day_arguments(parser)
    parser.add_argument("--seed", type=integer(ge=0, le=MAX_SEED), default=2026,
                        help=f"seed of the generated days, 0 to {MAX_SEED} (default 2026)")
    parser.add_argument("--shapes", choices=("single", "several"), default="single",
                        help="generated days on sites with one asset of each kind they have (default), or with "
                             "several arrays on their own planes, batteries and boilers (their figures count as "
                             "quality_generated_several); not with --site, whose assets replace the day's")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="keep only the days whose name contains TEXT (repeatable; e.g. g07 or peaklimit)")
    parser.add_argument("--jobs", type=integer(ge=1, le=MAX_JOBS), default=os.cpu_count() or 1,
                        help=f"days simulated in parallel processes, 1 to {MAX_JOBS} (default: the CPU count)")
    parser.add_argument("--results", type=Path, default=Path("bench-results.json"),
                        help="bench results file to merge the figures into")
    parser.add_argument("--plots", type=Path, default=None, help="also write a PNG per day and policy here")
    parser.add_argument("--end-of-day", dest="end_of_day", choices=("no_lower", "next_day"), default=None,
                        help="judge every day's end state by this rule instead of the one each day states "
                             "(an analysis: not merged into the results)")
    parser.add_argument("--forecast", choices=tuple(FORECAST_MEANINGS), default="online",
                        help="what the controller plans on: its own online forecast (default); the day's "
                             "true PV and load (perfect), to tell the forecast's share of a gap from the "
                             "control's; or its own with a day-ahead PV forecast, the day's sky without its "
                             "clouds (day-ahead) (analyses: not merged into the results)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..day_file import DayFileError
    from ..output_paths import folder_problem, results_file_problem

    if args.shapes != "single" and (args.generated is None or args.site is not None):
        print(f"--shapes {args.shapes}: shapes the generated days' sites, so it needs --generated N and no --site "
              "(a site file's assets replace the day's)", file=sys.stderr)
        return USAGE_ERROR
    try:
        scenarios, prefix = _scenarios(args)
    except DayFileError as exc:
        print(str(exc), file=sys.stderr)
        return USAGE_ERROR
    problems = [None if _analysis(args) else results_file_problem(args.results, "--results"),
                None if args.plots is None else folder_problem(args.plots, "--plots")]
    if problem := next((p for p in problems if p), None):  # before the run, not after it
        print(problem, file=sys.stderr)
        return USAGE_ERROR
    return _judge(scenarios, prefix, args)


def _analysis(args: argparse.Namespace) -> bool:
    """A run under another forecast or end-of-day rule: figures of an analysis, merged into no results."""
    return args.forecast != "online" or args.end_of_day is not None


def _scenarios(args: argparse.Namespace) -> tuple[list, str | None]:  # type: ignore[type-arg]
    from ..day_scenario import day_files, day_scenario, scenario_for, scenario_on_site
    from ..scenario import scenario_names
    from ..site_source import load_lab_site

    if args.days is not None:
        return _only([day_scenario(path, args.site) for path in day_files(args.days)], args), "quality_days"
    if args.generated is not None:
        from ..generator import generate_days

        days = _only(generate_days(args.generated, args.seed, args.shapes), args)
        if args.site is None:
            return days, "quality_generated" if args.shapes == "single" else f"quality_generated_{args.shapes}"
        site = load_lab_site(args.site)  # the generated skies, loads and tariffs on the user's own site
        return [scenario_on_site(day, site, f"{day.name} on {args.site}") for day in days], "quality_days"
    names = args.scenario or scenario_names()
    return _only([scenario_for(name, args.site) for name in names], args), None if args.site is None else "quality_days"


def _only(scenarios: list, args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    """The days `--only` keeps (all without it): a subset to iterate on; the full set is what counts."""
    if not args.only:
        return scenarios
    return [s for s in scenarios if any(text in s.name for text in args.only)]


def _judge(scenarios: list, prefix: str | None, args: argparse.Namespace) -> int:  # type: ignore[type-arg]
    from ..comparison import distribution, distribution_line, figures, merge_into, misses, table
    from ..load_step import measure_load_step
    from ..scenario import EndOfDay
    from ..stepped_site import site_factory
    from ..suite import compare_days

    if args.end_of_day is not None:
        scenarios = [s.model_copy(update={"end_of_day": EndOfDay(rule=args.end_of_day)}) for s in scenarios]

    finished = []

    def done(comparison) -> None:  # type: ignore[no-untyped-def]
        finished.append(comparison)
        print(f"[{len(finished)}/{len(scenarios)}] {comparison.scenario}: ratio "
              f"{'n/a' if comparison.savings_ratio is None else f'{comparison.savings_ratio:.3f}'}"
              + (f"; missed: {', '.join(misses(comparison))}" if misses(comparison) else ""), file=sys.stderr)

    comparisons = compare_days(scenarios, args.duration_days, args.plots, args.jobs, done, args.forecast)
    analysis = _analysis(args)
    if args.forecast != "online":
        print(f"forecast: {args.forecast} ({FORECAST_MEANINGS[args.forecast]})")
    if args.end_of_day is not None:
        print(f"end of day: {args.end_of_day} on every day")
    print(table(comparisons))
    if prefix is None:
        step = asyncio.run(measure_load_step(site_factory))
        print(f"20 kW load step: settled in {step.settling_cycles} cycles (target <= 6), "
              f"overshoot {step.overshoot_ratio:.1%} (target <= 5 %)")
        found = figures(comparisons, step)
    else:
        print(distribution_line(comparisons))
        found = distribution(comparisons, prefix)
    missed_days = [c.scenario for c in comparisons if misses(c)]
    missed = sorted(name for name, f in found.items() if f["met"] is False)
    if not analysis:
        merge_into(args.results, found)
        print(f"merged {len(found)} figures into {args.results}"
              + (f"; targets missed: {', '.join(missed)}" if missed else ""))
    else:
        print(f"not merged into {args.results}: an analysis (--forecast, --end-of-day), not the controller's "
              "quality" + (f"; targets missed: {', '.join(missed)}" if missed else ""))
    return TARGET_MISSED if missed or missed_days else 0
