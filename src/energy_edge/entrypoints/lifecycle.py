"""What every composition root does around its services: switch assets on, wait for a stop.

Kept apart from the containers so the embedded site and a single-module
process start, stop and report the same way.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from ..domain.messages import MethodRequest
from ..domain.services.asset_service import AssetModuleService
from ..domain.site import BOILER, SOLAR

log = logging.getLogger(__name__)

AUTOSTART_KINDS = (SOLAR, BOILER)  # a battery is ready when IDLE; it waits for setpoints


async def autostart(service: AssetModuleService) -> None:
    """Switch an inverter or boiler on, as an operator would at commissioning."""
    if service.asset.kind not in AUTOSTART_KINDS:
        return
    response = await service.on_method(MethodRequest("start", {}))
    if response.ok:
        log.info("%s switched on: %s", service.client.module_id, response.payload)
    else:
        log.warning("%s did not start: %s %s", service.client.module_id, response.status, response.payload)


async def start_site(container: Any, *, switch_on: bool = True) -> list[AssetModuleService]:
    """Start a whole site's services in one order everywhere (`up`, stepped simulations): the telemetry
    module, then every asset (switched on as at commissioning), then the controller; returns the assets."""
    await container.telemetry().start()
    assets = list(container.assets().values())
    for service in assets:
        await service.start()
        if switch_on:
            await autostart(service)
    await container.controller().start()
    return assets


def stop_event_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (IoT Edge and compose stop modules with SIGTERM)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread
            pass
    return stop


async def run_until_stopped(runners: list[Any], stop: asyncio.Event) -> None:
    """Run each service's `run()` until `stop` is set or one of them dies; then stop them all."""
    tasks = [asyncio.create_task(runner.run(), name=type(runner).__name__) for runner in runners]
    waiter = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        for runner in runners:
            try:
                await runner.stop()
            except Exception:
                log.exception("stopping %s failed", type(runner).__name__)
        for task in [*tasks, waiter]:
            task.cancel()
        await asyncio.gather(*tasks, waiter, return_exceptions=True)
