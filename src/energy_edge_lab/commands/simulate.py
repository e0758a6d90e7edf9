"""`energy-edge-lab simulate`: one scenario under one policy, whole days at 1 s in simulated time.

Writes `<out>/<scenario>_<policy>.json` (the KPIs) and `<out>/<scenario>_<policy>.png`
(power flows, battery SoC, boiler temperature). Needs the `lab` extra
(scipy, matplotlib, tqdm), imported only when the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

POLICY_CHOICES = ("none", "controller", "optimum")  # quality.runner.POLICIES, without importing it here


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("simulate", help="simulate whole days of a scenario under a policy",
                                   description=__doc__)
    parser.add_argument("--scenario", required=True, help="a shipped scenario, e.g. clear_summer_day")
    parser.add_argument("--policy", required=True, choices=POLICY_CHOICES,
                        help="none (baseline), controller, or optimum (perfect-foresight LP)")
    parser.add_argument("--days", type=float, default=1.0, help="days to simulate (default 1)")
    parser.add_argument("--out", type=Path, default=Path("quality-results"), help="output folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..kpis import compute_kpis
    from ..plot import plot_series
    from ..runner import optimum_plan, simulate
    from ..scenario import load_scenario
    from ..stepped_site import progress_bar, site_factory

    if args.days <= 0:
        raise SystemExit("--days must be > 0")
    try:
        scenario = load_scenario(args.scenario)
    except KeyError as exc:
        raise SystemExit(str(exc.args[0])) from None
    verdict = {}
    if args.policy == "optimum":
        plan = optimum_plan(scenario, args.days)
        series = plan.series
        verdict = {"import_limit_feasible": plan.import_limit_feasible,
                   "holdable_import_limit_w": plan.holdable_import_limit_w}
    else:
        with progress_bar(f"{args.scenario}/{args.policy}", args.days) as progress:
            series = asyncio.run(simulate(scenario, args.policy, args.days, site_factory, progress))
    kpis = compute_kpis(series, scenario)
    stem = args.out / f"{args.scenario}_{args.policy}"
    args.out.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(
        {"scenario": args.scenario, "policy": args.policy, "days": args.days, **verdict, "kpis": kpis.as_json()},
        indent=2) + "\n")
    plot_series(series, scenario, f"{args.scenario} / {args.policy}", stem.with_suffix(".png"))
    print(json.dumps(kpis.as_json(), indent=2))
    print(f"wrote {stem.with_suffix('.json')} and {stem.with_suffix('.png')}")
    return 0
