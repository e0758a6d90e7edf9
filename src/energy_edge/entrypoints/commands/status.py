"""`energy-edge status`: each module of a running MQTT site, online or not, with its latest telemetry.

The modules are the site's (`--site FILE`, else EE_SITE_FILE, else the home
site). Listens for up to --wait seconds (a cycle) until every asset has
reported, then prints one line per module with its kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from ...domain.site import Site, all_modules, kinds
from ..factories import resolve_site, served_assets
from ..operator_client import connected_operator
from ..settings import SiteSettings

SHOWN = ("state", "power_w", "soc", "temperature_c", "limit_w", "grid_power_w", "seq")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("status", help="latest telemetry of every module on a running MQTT site",
                                   description=__doc__)
    parser.add_argument("--wait", type=float, default=3.0, help="seconds to listen for telemetry (default 3)")
    parser.add_argument("--site", type=Path, default=None, help="the site file (default: EE_SITE_FILE, else the home site)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = SiteSettings(**({"site_file": args.site} if args.site else {}))
    site = resolve_site(settings)
    try:
        lines = asyncio.run(_status(site, args.wait))
    except ConnectionError as exc:
        raise SystemExit(str(exc)) from None
    print("\n".join(lines))
    return 0


async def _status(site: Site, wait_s: float) -> list[str]:
    by_kind = kinds(site)
    width = max(11, *(len(module) + 1 for module in by_kind))
    async with connected_operator() as operator:
        deadline = time.monotonic() + wait_s
        reporting = [spec.id for spec in served_assets(site)]
        while not all(m in operator.latest for m in reporting) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        lines = []
        for module in all_modules(site):
            online = {True: "online", False: "OFFLINE", None: "unknown"}[operator.online.get(module)]
            message = operator.latest.get(module)
            lines.append(f"{module:<{width}} {by_kind[module]:<10} {online:<8} "
                         f"{_summary(message.body) if message else '-'}")
        return lines


def _summary(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return "(not JSON)"
    if not isinstance(data, dict):
        return "(not a JSON object)"
    return " ".join(f"{key}={data[key]}" for key in SHOWN if key in data) or json.dumps(data)[:120]
