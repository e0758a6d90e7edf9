"""Run one module of a site in its own process: the functions every module console script points at.

A module learns which one it is from its environment: EE_ASSET_ID (set by
the manifest and `up --transport mqtt`), else IOTEDGE_MODULEID (IoT Edge
names the module), else the console script's own name; and what it is from
the site file (EE_SITE_FILE), or from today's EE_* settings without one.
EE_TRANSPORT picks the transport. It stops cleanly on SIGTERM, as IoT Edge and
compose stop it. Each script has --help, --version and --debug, and goes through
the one error wrapper (console.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from typing import Sequence

from ..adapters.process_metrics import ProcessMetrics
from ..domain.errors import ConfigurationError
from ..domain.services.asset_service import AssetModuleService
from ..domain.site import CONTROLLER, TELEMETRY, Site, kinds
from . import web
from .cli_types import UserArgumentParser
from .console import run_console
from .containers import SiteContainer, site_container
from .factories import refuse_inmemory, resolve_site
from .lifecycle import autostart, run_until_stopped, stop_event_on_signals
from .logging_setup import configure_logging
from .settings import SiteSettings

log = logging.getLogger(__name__)

ROLES = {
    "solar": "the PV inverter's driver: OFF, RUNNING, CURTAILED, FAULT; methods start, stop, set_output, reset",
    "battery": "the battery's driver: IDLE, CHARGING, DISCHARGING, FAULT; methods start_charging, "
               "start_discharging, stop, reset",
    "boiler": "the boiler's driver with its own thermostat: OFF, HEATING, STANDBY, FAULT; methods start, stop, "
              "set_temperature, hold_off, reset",
    "controller": "balances the grid connection every cycle from the assets' telemetry and reports to IoT Hub",
    "telemetry": "the Prometheus exporter: GET /metrics, /healthz (the site's health) and /livez (this process)",
    None: "any module of the site, the one EE_ASSET_ID (or IOTEDGE_MODULEID) names",
}


def module_parser(default: str | None) -> argparse.ArgumentParser:
    prog = f"energy-edge-{default or 'module'}"
    description = (
        f"Run {'the ' + default + ' module' if default else 'one module'} of an Energy Edge site: {ROLES[default]}.\n\n"
        "It connects over EE_TRANSPORT (mqtt or edgehub; a lone module cannot use inmemory) and reads\n"
        "the site from EE_SITE_FILE (default: the home site from the EE_* settings). Every setting is an\n"
        "EE_* environment variable (README, \"Configuration\"); twin desired properties tune the running\n"
        "module. SIGTERM or Ctrl-C stops it cleanly. The whole site on one machine: energy-edge up."
    )
    return UserArgumentParser(prog=prog, description=description)


def module_id_for(settings: SiteSettings, default: str | None) -> str:
    """EE_ASSET_ID, else the runtime's name for the module (IOTEDGE_MODULEID), else the script's."""
    module_id = settings.asset_id or os.environ.get("IOTEDGE_MODULEID") or default
    if not module_id:
        raise ConfigurationError("EE_ASSET_ID is not set: set it to the asset's id in the site file")
    return module_id


def run_module(default: str | None = None, argv: Sequence[str] | None = None) -> int:
    return run_console(f"energy-edge-{default or 'module'}", lambda args: _main(default, args), argv)


def _main(default: str | None, argv: list[str]) -> int:
    module_parser(default).parse_args(argv)
    settings = SiteSettings()
    module_id = module_id_for(settings, default)
    configure_logging(settings.log_format, settings.log_level, module=module_id)
    if settings.transport == "inmemory":  # alone in its process it would talk to nobody
        refuse_inmemory(module_id)
    site = resolve_site(settings)
    role = kinds(site).get(module_id)
    if role is None:
        raise ConfigurationError(f"{module_id}: no such module in site {site.name!r} "
                                 f"({settings.site_file or 'the EE_* settings'}); it has {', '.join(kinds(site))}")
    container = site_container(settings, site)
    return asyncio.run(_serve(module_id, role, container, site, settings))


async def _serve(module_id: str, role: str, container: SiteContainer, site: Site, settings: SiteSettings) -> int:
    stop = stop_event_on_signals()
    metrics = ProcessMetrics(module_id)  # this process's own metrics, where the metrics-collector scrapes them
    if role == CONTROLLER:
        controller = container.controller()
        web.instrument_controller(metrics, controller)
        web.instrument_transport(metrics, controller.client, module_id)
        metrics.serve(settings.metrics_host, settings.module_metrics_port)
        await controller.start()
        log.info("controller of site %r (%d assets) running on %s", site.name, len(site.assets), settings.transport)
        await run_until_stopped([controller], stop)
    elif role == TELEMETRY:
        telemetry = container.telemetry()
        web.instrument_transport(metrics, telemetry.client, module_id)
        server = web.module_web_server(settings, telemetry, metrics)  # the site view and this process, on 9090
        await server.start()
        try:
            await telemetry.start()
            await stop.wait()
            await telemetry.stop()
        finally:
            await server.stop()
    else:
        service = module_service(container, module_id, role)
        web.instrument_assets(metrics, [service])
        web.instrument_transport(metrics, service.client, module_id)
        metrics.serve(settings.metrics_host, settings.module_metrics_port)
        await service.start()
        if settings.autostart:
            await autostart(service)
        log.info("%s (%s) running on %s with %s hardware", module_id, role, settings.transport,
                 site.asset(module_id).hardware.type)
        await run_until_stopped([service], stop)
    return 0


def module_service(container: SiteContainer, module_id: str, role: str | None = None) -> AssetModuleService:
    """This process's one asset service, built alone: the site's other assets' drivers are never made here
    (their EE_MODBUS_* settings, a map file above all, are this module's, not theirs)."""
    provider = container.assets.kwargs.get(module_id)
    if provider is None:
        raise ConfigurationError(f"{module_id}: this build has no module for kind {role or module_id!r}")
    return provider()


def main() -> int:
    """energy-edge-module: any module, named by EE_ASSET_ID or IOTEDGE_MODULEID."""
    return run_module()


def solar() -> int:
    """energy-edge-solar: the home site's inverter (or the asset EE_ASSET_ID names)."""
    return run_module("solar")


def battery() -> int:
    return run_module("battery")


def boiler() -> int:
    return run_module("boiler")


def controller() -> int:
    return run_module(CONTROLLER)


def telemetry() -> int:
    return run_module(TELEMETRY)
