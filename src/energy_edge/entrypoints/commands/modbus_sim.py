"""Serve a simulated PV inverter, battery and boiler as real Modbus TCP devices.

The inverter (SunSpec models 1/103/120/121/123), the storage system (SunSpec
1/103/120/124/802) and the boiler (generic register map) run the same physics as
`energy-edge up`, sized by the EE_* site settings, on the ports the Modbus drivers
use by default. The grid meter (--meter-profile: SunSpec 203, sdm630 or em24)
measures the simulated site's connection point. Point any Modbus tool at them, or
run single modules with EE_HARDWARE=modbus. (`energy-edge up --hardware modbus`
starts its own servers: stop this one first, or give it other ports.)

With --site FILE (or EE_SITE_FILE) it serves that site's Modbus assets instead
(its meter too), each on its own host, port and unit id from the file, sized by
its ratings (`energy-edge up --transport mqtt --site` starts it for you).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from ...adapters.clocks import AcceleratedClock
from ...adapters.hardware.modbus.profiles import available_profiles
from ...adapters.hardware.modbus.server import DEFAULT_PORTS
from ..cli_types import number
from ..cli_types import port as tcp_port
from ..factories import build_simulated_site, home_modbus_servers, modbus_site_servers, resolve_site
from ..logging_setup import configure_logging
from ..settings import MAX_SPEED, SiteSettings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("modbus-sim", help="serve the simulated inverter, battery, boiler and grid meter over Modbus TCP",
                                   description=__doc__)
    parser.add_argument("--site", type=Path, default=None,
                        help="serve this site file's Modbus assets (default: EE_SITE_FILE, else the home site's devices and a meter)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    for kind, port in DEFAULT_PORTS.items():
        parser.add_argument(f"--{kind}-port", type=tcp_port(allow_zero=False), default=port,
                            help=f"{kind} server port, 1-65535 (default {port})")
    parser.add_argument("--meter-profile", choices=available_profiles("meter"), default="sunspec",
                        help="the grid meter's register map (default sunspec: model 203)")
    parser.add_argument("--speed", type=number(gt=0, le=MAX_SPEED), default=None,
                        help="clock speed-up of the physics (default EE_SPEED or 1)")
    parser.add_argument("--duration", type=number(gt=0, unit="simulated seconds"), default=None,
                        help="stop by itself after this many simulated seconds")
    parser.set_defaults(func=run)


async def serve(settings: SiteSettings, host: str, ports: dict[str, int], duration_s: float | None,
                meter_profile: str = "sunspec") -> None:
    clock = AcceleratedClock(settings.speed, settings.start_epoch())
    site = resolve_site(settings)
    simulation = build_simulated_site(clock, site)
    if settings.site_file:
        servers = modbus_site_servers(site, simulation, clock, every_host=True)
    else:  # the home site's three devices, on the ports given
        servers = home_modbus_servers(simulation, clock, host=host, ports=ports, meter_profile=meter_profile)
    try:
        for server in servers:
            await server.start()  # logs "simulated <device> on host:port unit 1"
        if duration_s is None:
            await asyncio.Event().wait()
        else:
            await clock.sleep(duration_s)
    finally:
        for server in servers:
            await server.stop()


def run(args: argparse.Namespace) -> int:
    overrides = {"speed": args.speed, "site_file": args.site.resolve() if args.site else None}
    settings = SiteSettings(**{name: value for name, value in overrides.items() if value is not None})
    configure_logging(settings.log_format, settings.log_level)
    ports = {kind: getattr(args, f"{kind}_port") for kind in DEFAULT_PORTS}
    asyncio.run(serve(settings, args.host, ports, args.duration, args.meter_profile))
    return 0
