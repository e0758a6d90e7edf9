"""`energy-edge up`: run the whole edge site, any site from its file.

`--site FILE` (default: EE_SITE_FILE, else the home site from the EE_*
settings, which is examples/sites/home.toml). Embedded default: every module in
one process on the in-memory transport with simulated assets. `--transport
mqtt` runs each module as its own OS process on a Mosquitto broker
(entrypoints/mqtt_site.py), the way the compose file and IoT Edge run them. A
wrong site file is refused before anything starts (exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
from pathlib import Path

from ..factories import resolve_site
from ..logging_setup import configure_logging
from ..settings import SiteSettings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("up", help="run the whole edge site (embedded by default)", description=__doc__)
    parser.add_argument("--site", type=Path, default=None,
                        help="the site file (default: EE_SITE_FILE, else the home site: examples/sites/home.toml)")
    parser.add_argument("--transport", choices=["inmemory", "mqtt"], default="inmemory",
                        help="inmemory: one process (default); mqtt: one process per module on Mosquitto")
    parser.add_argument("--hardware", choices=["simulated", "modbus"], default=None,
                        help="simulated assets (default) or the Modbus TCP site simulator")
    parser.add_argument("--speed", type=float, default=None, help="clock speed-up (default 1 = real time)")
    parser.add_argument("--duration", type=float, default=None,
                        help="stop by itself after this many simulated seconds")
    parser.add_argument("--metrics-port", type=int, default=None, help="port of /metrics and /healthz (default 9090)")
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
    if args.duration is not None and args.duration <= 0:
        raise SystemExit("--duration must be > 0 simulated seconds")
    site = resolve_site(settings)  # refused here, before anything starts
    if args.transport == "mqtt":
        return importlib.import_module("energy_edge.entrypoints.mqtt_site").run(args, settings, site)
    from ..embedded import run_embedded

    try:
        return asyncio.run(run_embedded(settings, site, duration_s=args.duration, show_status=not args.quiet))
    except KeyboardInterrupt:
        return 130
