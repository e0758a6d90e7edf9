"""Notice a client that has stopped receiving, and end the process so IoT Edge restarts it.

A known azure-iot-device hang: after an edgeHub restart the SDK reports itself
connected but no longer receives anything (inputs, methods, twin replies).
Nothing inside the process can repair that reliably; a fresh process can.
So while the SDK claims to be connected, the watchdog probes a round trip
(a twin read) every `interval_s`; after `max_failures` probes in a row that get
no answer within `timeout_s` it calls `on_stall`, which by default exits with
a non-zero code and lets the deployment's restartPolicy start a new module.
While the SDK knows it is disconnected the watchdog waits: reconnecting is the
SDK's job, and buffered telemetry must survive a short outage.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Awaitable, Callable

from .background import BackgroundTask

log = logging.getLogger(__name__)

STALL_EXIT_CODE = 70  # EX_SOFTWARE


def exit_process() -> None:
    """The production reaction: flush the logs and leave at once with a non-zero code."""
    log.critical("edgeHub client stopped receiving; exiting with %d so IoT Edge restarts the module", STALL_EXIT_CODE)
    logging.shutdown()
    os._exit(STALL_EXIT_CODE)  # sys.exit from a task would only end the task


class ReceiveWatchdog:
    def __init__(
        self,
        probe: Callable[[], Awaitable[object]],
        is_connected: Callable[[], bool],
        *,
        interval_s: float = 30.0,
        timeout_s: float = 10.0,
        max_failures: int = 3,
        on_stall: Callable[[], None] = exit_process,
    ) -> None:
        self._probe = probe
        self._is_connected = is_connected
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.max_failures = max_failures
        self._on_stall = on_stall
        self.failures = 0
        self._loop_task = BackgroundTask(self._run, "edgehub-watchdog")
        self.start = self._loop_task.start
        self.stop = self._loop_task.stop

    async def check_once(self) -> bool:
        """One probe; True when the client answered (or is knowingly disconnected)."""
        if not self._is_connected():
            self.failures = 0
            return True
        try:
            await asyncio.wait_for(self._probe(), self.timeout_s)
        except Exception as exc:  # timeout or an SDK error: both mean no answer
            self.failures += 1
            log.warning("edgeHub probe %d/%d got no answer: %r", self.failures, self.max_failures, exc)
            if self.failures >= self.max_failures:
                self._on_stall()
            return False
        self.failures = 0
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.check_once()
