"""The embedded site: every module of a site in one process on the in-memory hub, simulated assets.

This is `energy-edge up` (and `make run`): the real services, wired by
`SiteContainer`, in real or accelerated time, with the operator page,
/metrics and /healthz served by the telemetry module and a live status line. An asset on Modbus on
loopback (the site file's, or every one with `--hardware modbus`) is played
by the same physics behind a real Modbus TCP server, which its module drives
through the Modbus driver, so the grid meter and the devices are one site.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys

from ..adapters.process_metrics import ProcessMetrics
from ..domain.errors import ConfigurationError
from ..domain.site import Site
from . import web
from .containers import embedded_site_container
from .mqtt_credentials import credentials_file
from .lifecycle import run_until_stopped, start_site, stop_event_on_signals
from .settings import SiteSettings
from .status_line import SiteFigures, status_line

log = logging.getLogger(__name__)

MIN_REFRESH_S = 0.25  # wall seconds: faster than a person reads
LOG_REFRESH_S = 10.0


async def run_embedded(settings: SiteSettings, site: Site | None = None, *, duration_s: float | None = None,
                       show_status: bool = True) -> int:
    container = embedded_site_container(settings, site)
    site = container.site()
    clock = container.clock()
    telemetry = container.telemetry()
    controller = container.controller()
    metrics = ProcessMetrics("site")  # one process: every module's metrics beside the site view
    web.instrument_controller(metrics, controller)
    web.instrument_assets(metrics, container.assets().values())
    server = web.embedded_web_server(settings, container.hub(), telemetry, metrics)
    stop = stop_event_on_signals()

    devices = container.modbus_servers()
    await server.start()
    try:
        for device in devices:  # the site's physics behind real Modbus TCP servers on loopback
            try:
                await device.start()
            except ConfigurationError as exc:  # the port is taken
                raise ConfigurationError(
                    f"{exc}: is `energy-edge modbus-sim` running? `energy-edge up` serves the site's simulated Modbus "
                    "devices itself (one physics with the grid meter): stop the simulator, or run the modules alone "
                    "against it (energy-edge-module with EE_ASSET_ID)") from None
        assets = await start_site(container, switch_on=settings.autostart)
        log.info("embedded site %r up: %d assets, speed %sx; operator page on %s://127.0.0.1:%d/ (user operator, "
                 "password in %s or EE_MQTT_PASSWORD_OPERATOR), /metrics on the same port", site.name, len(assets),
                 settings.speed, server.scheme, server.port, credentials_file())
        watchers = [asyncio.create_task(_show_status(telemetry.view, clock, container.simulation(), controller,
                                                     settings, show_status))]
        if duration_s is not None:
            watchers.append(asyncio.create_task(_stop_after(clock, duration_s, stop)))
        try:
            await run_until_stopped([*assets, controller], stop)
        finally:
            for watcher in watchers:
                watcher.cancel()
            await telemetry.stop()
    finally:
        for device in devices:
            await device.stop()
        await server.stop()
        if show_status:
            print(file=sys.stderr)
    log.info("embedded site stopped")
    return 0


async def _stop_after(clock, duration_s: float, stop: asyncio.Event) -> None:
    """Stop once `duration_s` of the site's own (simulated) time has passed."""
    end = clock.now() + duration_s
    while clock.now() < end:
        await asyncio.sleep(0.02)
    stop.set()


async def _show_status(view, clock, simulation, controller, settings: SiteSettings, enabled: bool) -> None:
    """Each cycle on a terminal (at most 4 times a second of wall time), every 10 s into a log."""
    if not enabled:
        return
    terminal = sys.stderr.isatty()
    period_s = max(settings.cycle_s / settings.speed, MIN_REFRESH_S) if terminal else LOG_REFRESH_S
    while True:
        figures = SiteFigures(grid_w=await simulation.grid_meter.read_grid_power_w(),
                              import_limit_w=controller.policy.import_limit_w,
                              export_limit_w=controller.policy.export_limit_w)
        width = shutil.get_terminal_size((120, 24)).columns if terminal else 200
        line = status_line(view.assets, clock.now(), figures, width)
        print(("\r" + line + "\033[K") if terminal else line, end="" if terminal else "\n", file=sys.stderr, flush=True)
        await asyncio.sleep(period_s)
