"""A file a module touches while its broker session is up: the container healthcheck reads its age.

Why not a second MQTT connection, as before: the broker binds each client id
to its user name (`use_username_as_clientid`, so one module's credentials
cannot take over another's session), and a healthcheck logging in with the
module's own credentials would then take over the module's own session every
interval. The file also catches a stuck event loop, which a retained
`online` status does not.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

INTERVAL_S = 5.0
STALE_AFTER_S = 3 * INTERVAL_S  # a healthcheck interval of 10 s sees at least one touch


class HeartbeatFile:
    """Touches `path` every `interval_s` while `alive()` holds; removes it when stopped."""

    def __init__(self, path: str | os.PathLike[str], alive: Callable[[], bool], interval_s: float = INTERVAL_S) -> None:
        self.path = Path(path)
        self._alive = alive
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._beat(), name=f"heartbeat-{self.path.name}")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.path.unlink(missing_ok=True)

    async def _beat(self) -> None:
        while True:
            try:
                if self._alive():
                    self.path.touch()
            except OSError as exc:  # a read-only or missing folder must not stop the module
                log.warning("heartbeat file %s: %s", self.path, exc)
            await asyncio.sleep(self._interval_s)


def is_fresh(path: str | os.PathLike[str], stale_after_s: float = STALE_AFTER_S) -> bool:
    """True when the file was touched within `stale_after_s` seconds."""
    try:
        return time.time() - Path(path).stat().st_mtime <= stale_after_s
    except OSError:
        return False
