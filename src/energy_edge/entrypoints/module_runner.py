"""Run one module of a site in its own process: the functions every module console script points at.

A module learns which one it is from its environment: EE_ASSET_ID (set by
the manifest and `up --transport mqtt`), else IOTEDGE_MODULEID (IoT Edge
names the module), else the console script's own name; and what it is from
the site file (EE_SITE_FILE), or from today's EE_* settings without one.
EE_TRANSPORT picks the transport. It stops cleanly on SIGTERM, as IoT Edge and
compose stop it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from ..adapters.process_metrics import ProcessMetrics
from ..adapters.site_file import SiteFileError
from ..domain.site import CONTROLLER, TELEMETRY, Site, kinds
from . import web
from .containers import SiteContainer, site_container
from .factories import resolve_site
from .lifecycle import autostart, run_until_stopped, stop_event_on_signals
from .logging_setup import configure_logging
from .settings import SiteSettings

log = logging.getLogger(__name__)


def module_id_for(settings: SiteSettings, default: str | None) -> str:
    """EE_ASSET_ID, else the runtime's name for the module (IOTEDGE_MODULEID), else the script's."""
    module_id = settings.asset_id or os.environ.get("IOTEDGE_MODULEID") or default
    if not module_id:
        raise SystemExit("energy-edge-module: set EE_ASSET_ID to the asset's id in the site file")
    return module_id


def run_module(default: str | None = None) -> int:
    settings = SiteSettings()
    module_id = module_id_for(settings, default)
    configure_logging(settings.log_format, settings.log_level, module=module_id)
    try:
        site = resolve_site(settings)
    except SiteFileError as exc:
        print(f"{module_id}: {exc}", file=sys.stderr)
        return 2
    role = kinds(site).get(module_id)
    if role is None:
        print(f"{module_id}: no such module in site {site.name!r} ({settings.site_file or 'the EE_* settings'}); "
              f"it has {', '.join(kinds(site))}", file=sys.stderr)
        return 2
    container = site_container(settings, site)
    try:
        return asyncio.run(_serve(module_id, role, container, site, settings))
    except KeyboardInterrupt:
        return 130


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
        services = container.assets()
        if module_id not in services:
            print(f"{module_id}: this build has no module for kind {role!r}", file=sys.stderr)
            return 2
        service = services[module_id]
        web.instrument_transport(metrics, service.client, module_id)
        metrics.serve(settings.metrics_host, settings.module_metrics_port)
        await service.start()
        if settings.autostart:
            await autostart(service)
        log.info("%s (%s) running on %s with %s hardware", module_id, role, settings.transport,
                 site.asset(module_id).hardware.type)
        await run_until_stopped([service], stop)
    return 0


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
