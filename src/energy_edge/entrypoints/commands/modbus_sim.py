"""`energy-edge modbus-sim`: the simulated site's assets as real Modbus TCP servers.

The PV inverter (SunSpec 1/103/120/121/123), the storage system (SunSpec
1/103/120/124/802) and the boiler (generic map) run the same physics as the
embedded site (adapters/hardware/simulated), sized by the EE_* site settings,
and answer on loopback ports the Modbus drivers use by default. Point any
Modbus tool at them, or run `energy-edge up --hardware modbus`.
"""

from __future__ import annotations

import argparse
import asyncio

from ...adapters.clocks import AcceleratedClock
from ...adapters.hardware.modbus.register_map import load_boiler_map, load_sunspec_models
from ...adapters.hardware.modbus.server import DEFAULT_PORTS, ModbusDeviceServer, site_servers
from ...adapters.hardware.simulated import SimulatedBattery, SimulatedBoiler, SimulatedPV, SimulatedSite
from ..logging_setup import configure_logging
from ..settings import SiteSettings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("modbus-sim", help="serve the simulated inverter, battery and boiler over Modbus TCP",
                                   description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    for kind, port in DEFAULT_PORTS.items():
        parser.add_argument(f"--{kind}-port", type=int, default=port, help=f"{kind} server port (default {port})")
    parser.add_argument("--speed", type=float, default=None, help="clock speed-up of the physics (default EE_SPEED or 1)")
    parser.add_argument("--duration", type=float, default=None, help="stop by itself after this many simulated seconds")
    parser.set_defaults(func=run)


def simulated_site(settings: SiteSettings, clock: AcceleratedClock) -> SimulatedSite:
    """The embedded site's physics, sized by the EE_* settings."""
    place = {"latitude_deg": settings.latitude, "longitude_deg": settings.longitude}
    return SimulatedSite(
        clock, seed=settings.seed, **place,
        pv=SimulatedPV(clock, rated_power_w=settings.solar_rated_power_w, seed=settings.seed, **place),
        battery=SimulatedBattery(clock, capacity_wh=settings.battery_capacity_wh, max_charge_w=settings.battery_max_power_w,
                                 max_discharge_w=settings.battery_max_power_w, initial_soc=settings.battery_initial_soc),
        boiler=SimulatedBoiler(clock, heater_power_w=settings.boiler_heater_power_w),
    )


async def serve(settings: SiteSettings, host: str, ports: dict[str, int], duration_s: float | None) -> None:
    clock = AcceleratedClock(settings.speed, settings.start_epoch())
    site = simulated_site(settings, clock)
    servers: list[ModbusDeviceServer] = site_servers(site.pv, site.battery, site.boiler, load_sunspec_models(),
                                                     load_boiler_map(), host=host, ports=ports, now=clock.now)
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
    settings = SiteSettings(**({"speed": args.speed} if args.speed is not None else {}))
    configure_logging(settings.log_format, settings.log_level)
    if args.duration is not None and args.duration <= 0:
        raise SystemExit("--duration must be > 0 simulated seconds")
    ports = {kind: getattr(args, f"{kind}_port") for kind in DEFAULT_PORTS}
    try:
        asyncio.run(serve(settings, args.host, ports, args.duration))
    except KeyboardInterrupt:
        return 130
    return 0
