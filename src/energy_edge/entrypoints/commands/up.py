"""Run the whole edge site on this machine until Ctrl-C (or --duration).

The site is --site FILE (default: EE_SITE_FILE, else the home site from the EE_*
settings, which is examples/sites/home.toml); a wrong site file is refused before
anything starts. By default every module runs in one process with simulated
assets, a live status line and /metrics, /healthz on --metrics-port. With
--transport mqtt each module is its own process on a local Mosquitto broker, as
in production.

Status line: grid, PV, battery and boiler in watts, signed as seen by the site's
bus: + into it (grid import, PV, battery discharge), - out of it (export, battery
charge, boiler). "lim" is the grid limit in force (import / export).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
from pathlib import Path

from ..cli_types import number, port
from ..factories import resolve_site
from ..logging_setup import configure_logging
from ..settings import MAX_SPEED, SiteSettings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("up", help="run the whole edge site on this machine", description=__doc__)
    parser.add_argument("--site", type=Path, default=None,
                        help="the site file (default: EE_SITE_FILE, else the home site: examples/sites/home.toml)")
    parser.add_argument("--transport", choices=["inmemory", "mqtt"], default="inmemory",
                        help="inmemory: one process (default); mqtt: one process per module on Mosquitto")
    parser.add_argument("--hardware", choices=["simulated", "modbus"], default=None,
                        help="simulated assets (default) or the Modbus TCP site simulator")
    parser.add_argument("--speed", type=number(gt=0, le=MAX_SPEED), default=None,
                        help=f"clock speed-up, > 0 and <= {MAX_SPEED:g} (default EE_SPEED or 1 = real time)")
    parser.add_argument("--duration", type=number(gt=0, unit="simulated seconds"), default=None,
                        help="stop by itself after this many simulated seconds")
    parser.add_argument("--metrics-port", type=port(allow_zero=True), default=None,
                        help="port of /metrics and /healthz, 0 = any free one (default EE_METRICS_PORT or 9090)")
    parser.add_argument("--quiet", action="store_true", help="no live status line")
    parser.set_defaults(func=run)


def settings_from(args: argparse.Namespace) -> SiteSettings:
    overrides = {
        name: value
        for name, value in (("hardware", args.hardware), ("speed", args.speed), ("metrics_port", args.metrics_port),
                            ("site_file", args.site.resolve() if args.site else None))
        if value is not None
    }
    return SiteSettings(**overrides)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    configure_logging(settings.log_format, settings.log_level)
    site = resolve_site(settings)  # refused here, before anything starts
    if args.transport == "mqtt":
        return importlib.import_module("energy_edge.entrypoints.mqtt_site").run(args, settings, site)
    from ..embedded import run_embedded

    return asyncio.run(run_embedded(settings, site, duration_s=args.duration, show_status=not args.quiet))
