"""Run one module in its own process: the body of every per-module entrypoint.

The module id picks the service; EE_TRANSPORT and EE_HARDWARE pick the
adapters (ModuleContainer). A module stops cleanly on SIGTERM, as IoT Edge
and compose stop it.
"""

from __future__ import annotations

import asyncio
import logging
import os

from ..domain.topology import ASSET_MODULES, CONTROLLER, TELEMETRY
from . import web
from .containers import ModuleContainer, module_container
from .lifecycle import autostart, run_until_stopped, stop_event_on_signals
from .logging_setup import configure_logging
from .settings import SiteSettings

log = logging.getLogger(__name__)


def module_id_for(default: str) -> str:
    """On IoT Edge the runtime names the module (IOTEDGE_MODULEID); elsewhere the entrypoint does."""
    return os.environ.get("IOTEDGE_MODULEID", default)


def main_for(kind: str) -> int:
    settings = SiteSettings()
    module_id = module_id_for(kind)
    configure_logging(settings.log_format, settings.log_level, module=module_id)
    container = module_container(module_id, settings)
    try:
        return asyncio.run(_serve(kind, container, settings))
    except KeyboardInterrupt:
        return 130


async def _serve(kind: str, container: ModuleContainer, settings: SiteSettings) -> int:
    stop = stop_event_on_signals()
    metrics = container.process_metrics()
    web.instrument_transport(metrics, container.client(), container.module_id())
    if kind in ASSET_MODULES:
        metrics.serve(settings.metrics_host, settings.module_metrics_port)
        service = container.asset_service()
        await service.start()
        if settings.autostart:
            await autostart(service)
        log.info("%s module running on %s with %s hardware", kind, settings.transport, settings.hardware)
        await run_until_stopped([service], stop)
    elif kind == CONTROLLER:
        controller = container.controller_service()
        web.instrument_controller(metrics, controller)
        metrics.serve(settings.metrics_host, settings.module_metrics_port)
        await controller.start()
        log.info("controller running on %s", settings.transport)
        await run_until_stopped([controller], stop)
    elif kind == TELEMETRY:
        telemetry = container.telemetry_service()
        server = container.web_server()  # the site view and this process's metrics, on EE_METRICS_PORT
        await server.start()
        try:
            await telemetry.start()
            await stop.wait()
            await telemetry.stop()
        finally:
            await server.stop()
    else:
        raise SystemExit(f"unknown module kind {kind!r}")
    return 0
