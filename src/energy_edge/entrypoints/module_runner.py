"""Run one module in its own process: the body of every per-module entrypoint.

The module id picks the service; EE_TRANSPORT and EE_HARDWARE pick the
adapters (ModuleContainer). A module stops cleanly on SIGTERM, as IoT Edge
and compose stop it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from typing import Sequence

from ..domain.topology import ASSET_MODULES, CONTROLLER, TELEMETRY
from .cli_types import UserArgumentParser
from .console import run_console
from .containers import ModuleContainer, module_container
from .lifecycle import autostart, run_until_stopped, stop_event_on_signals
from .logging_setup import configure_logging
from .settings import SiteSettings

log = logging.getLogger(__name__)


def module_id_for(default: str) -> str:
    """On IoT Edge the runtime names the module (IOTEDGE_MODULEID); elsewhere the entrypoint does."""
    return os.environ.get("IOTEDGE_MODULEID", default)


ROLES = {
    "solar": "the PV inverter's driver: OFF, RUNNING, CURTAILED, FAULT; methods start, stop, set_output, reset",
    "battery": "the battery's driver: IDLE, CHARGING, DISCHARGING, FAULT; methods start_charging, "
               "start_discharging, stop, reset",
    "boiler": "the boiler's driver with its own thermostat: OFF, HEATING, STANDBY, FAULT; methods start, stop, "
              "set_temperature, reset",
    "controller": "balances the grid connection every cycle from the assets' telemetry and reports to IoT Hub",
    "telemetry": "the Prometheus exporter: GET /metrics, /healthz (the site's health) and /livez (this process)",
}


def module_parser(kind: str) -> argparse.ArgumentParser:
    prog = f"energy-edge-{kind}"
    description = (
        f"Run the {kind} module of an Energy Edge site: {ROLES[kind]}.\n\n"
        "It connects over EE_TRANSPORT (mqtt or edgehub; a lone module cannot use inmemory) and drives\n"
        "EE_HARDWARE (simulated or modbus). Every setting is an EE_* environment variable (README,\n"
        "\"Configuration\"); twin desired properties tune the running module. SIGTERM or Ctrl-C stops it\n"
        "cleanly. The whole site on one machine: energy-edge up."
    )
    return UserArgumentParser(prog=prog, description=description)


def main_for(kind: str, argv: Sequence[str] | None = None) -> int:
    return run_console(f"energy-edge-{kind}", lambda args: _main(kind, args), argv)


def _main(kind: str, argv: list[str]) -> int:
    module_parser(kind).parse_args(argv)
    settings = SiteSettings()
    module_id = module_id_for(kind)
    configure_logging(settings.log_format, settings.log_level, module=module_id)
    container = module_container(module_id, settings)
    return asyncio.run(_serve(kind, container, settings))


async def _serve(kind: str, container: ModuleContainer, settings: SiteSettings) -> int:
    stop = stop_event_on_signals()
    if kind in ASSET_MODULES:
        service = container.asset_service()
        await service.start()
        if settings.autostart:
            await autostart(service)
        log.info("%s module running on %s with %s hardware", kind, settings.transport, settings.hardware)
        await run_until_stopped([service], stop)
    elif kind == CONTROLLER:
        controller = container.controller_service()
        await controller.start()
        log.info("controller running on %s", settings.transport)
        await run_until_stopped([controller], stop)
    elif kind == TELEMETRY:
        telemetry = container.telemetry_service()
        server = container.metrics_server()
        server.start()
        try:
            await telemetry.start()
            await stop.wait()
            await telemetry.stop()
        finally:
            server.stop()
    else:
        raise SystemExit(f"unknown module kind {kind!r}")
    return 0
