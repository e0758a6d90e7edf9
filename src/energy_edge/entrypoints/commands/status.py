"""Show each module of a running MQTT site: online, STALE or OFFLINE, with its latest telemetry.

The modules are the site's (--site FILE, else EE_SITE_FILE, else the home site).
Listens for up to --wait seconds until every asset has reported. An asset is
online when its announced status is online and it sent telemetry within that
time; STALE when it is announced online but sent nothing (hung, frozen or cut
off); OFFLINE when its last will or its clean stop said so; unknown when it
never announced itself. The controller and the telemetry module are judged by
their announced status (the controller reports only every reporting interval).

Exit status: 0 when every module is online, 1 when one is not, 2 when the site
cannot be reached. The broker and the operator's credentials: see `energy-edge call --help`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from ...domain.site import CONTROLLER, TELEMETRY, Site, all_modules, kinds
from ..cli_types import number
from ..factories import resolve_site, served_assets
from ..operator_client import connected_operator
from ..settings import SiteSettings

SHOWN = ("state", "power_w", "soc", "temperature_c", "limit_w", "grid_power_w", "seq")
ONLINE, STALE, OFFLINE, UNKNOWN = "online", "STALE", "OFFLINE", "unknown"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("status", help="show each module of a running MQTT site", description=__doc__)
    parser.add_argument("--wait", type=number(gt=0, le=600, unit="seconds"), default=3.0,
                        help="seconds to listen for telemetry (default 3; at least one asset cycle)")
    parser.add_argument("--site", type=Path, default=None, help="the site file (default: EE_SITE_FILE, else the home site)")
    parser.add_argument("--site-dir", type=Path, default=None,
                        help="folder where `energy-edge up --transport mqtt` runs (default: search upward)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    site = resolve_site(SiteSettings(**({"site_file": args.site} if args.site else {})))
    states, lines = asyncio.run(_status(site, args.wait, args.site_dir))
    print("\n".join(lines))
    return 0 if all(state == ONLINE for state in states.values()) else 1


def judge(announced: bool | None, reported_within_wait: bool, publishes_each_cycle: bool) -> str:
    """One module's state from its announced status and whether it spoke during the wait."""
    if announced is None:
        return UNKNOWN
    if not announced:
        return OFFLINE
    return ONLINE if reported_within_wait or not publishes_each_cycle else STALE


async def _status(site: Site, wait_s: float, site_dir: Path | None) -> tuple[dict[str, str], list[str]]:
    by_kind = kinds(site)
    reporting = [spec.id for spec in served_assets(site)]  # a module of this build each, telemetry every cycle
    modules = [m for m in all_modules(site) if m in (*reporting, CONTROLLER, TELEMETRY)]
    width = max(11, *(len(module) + 1 for module in modules))
    async with connected_operator(site_dir=site_dir) as operator:
        deadline = time.monotonic() + wait_s
        while not all(m in operator.latest for m in reporting) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        states, lines = {}, []
        for module in modules:
            message = operator.latest.get(module)
            states[module] = judge(operator.online.get(module), message is not None, module in reporting)
            lines.append(f"{module:<{width}} {by_kind[module]:<10} {states[module]:<8} "
                         f"{_summary(message.body) if message else '-'}")
        return states, lines


def _summary(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return "(not JSON)"
    if not isinstance(data, dict):
        return "(not a JSON object)"
    return " ".join(f"{key}={data[key]}" for key in SHOWN if key in data) or json.dumps(data)[:120]
