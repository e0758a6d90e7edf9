"""`energy-edge-lab quality` (`make quality`): every shipped scenario under the baseline, the
controller and the optimum; prints the comparison table and the 20 kW load-step response,
and merges the figures into bench-results.json. Needs the `lab` extra."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("quality", help="control quality over every shipped scenario",
                                   description=__doc__)
    parser.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    parser.add_argument("--days", type=float, default=1.0, help="days per scenario (default 1; a fraction for a quick look)")
    parser.add_argument("--results", type=Path, default=Path("bench-results.json"),
                        help="bench results file to merge the figures into")
    parser.add_argument("--plots", type=Path, default=None, help="also write a PNG per scenario and policy here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..comparison import figures, merge_into, table
    from ..suite import run_suite
    from ..stepped_site import policy_progress, site_factory

    if args.days <= 0:
        raise SystemExit("--days must be > 0")
    with policy_progress(args.days) as progress:
        result = asyncio.run(run_suite(site_factory, args.scenario, args.days, args.plots, progress))
    print(table(result.comparisons))
    step = result.step
    print(f"20 kW load step: settled in {step.settling_cycles} cycles (target <= 6), "
          f"overshoot {step.overshoot_ratio:.1%} (target <= 5 %)")
    found = figures(result.comparisons, step)
    merge_into(args.results, found)
    missed = sorted(name for name, f in found.items() if f["met"] is False)
    print(f"merged {len(found)} figures into {args.results}" + (f"; targets missed: {', '.join(missed)}" if missed else ""))
    return 0
