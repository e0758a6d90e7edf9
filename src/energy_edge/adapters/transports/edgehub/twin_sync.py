"""Desired-property patches reconciled by $version.

The SDK can skip a patch (lost while reconnecting), replay one, deliver them
out of order (its handler thread pool), and after a reconnect or an hourly SAS
renewal hand over the whole desired document as if it were a patch. Desired
$version grows by one per update, so the rule is simple:
- version <= the last one applied: already in force, skip it;
- version == last + 1: the next patch, apply it;
- version > last + 1: something was missed, re-read the twin and apply the
  whole desired document (services apply configuration idempotently).
A version above IoT Hub's int64 (`bounds.MAX_TWIN_VERSION`) was never IoT
Hub's: it is handed on for the module to refuse and count, and never moves the
gate (else every genuine version after it would be skipped as applied).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from ....domain.bounds import MAX_TWIN_VERSION
from ....domain.shown import shown

log = logging.getLogger(__name__)

Apply = Callable[[dict[str, Any]], Awaitable[None]]
ReadDesired = Callable[[], Awaitable[dict[str, Any]]]


class DesiredVersionGate:
    """Passes each desired state to `apply` once, in version order."""

    def __init__(self, apply: Apply, read_desired: ReadDesired) -> None:
        self._apply = apply
        self._read_desired = read_desired
        self.version = -1  # nothing seen yet

    def seen(self, version: int) -> None:
        """Record a version the module already has (e.g. from a full twin read)."""
        if version <= MAX_TWIN_VERSION:
            self.version = max(self.version, version)

    async def offer(self, patch: dict[str, Any]) -> None:
        version = _version(patch)
        if version is None:
            log.warning("desired patch without $version ignored: %s", shown(sorted(patch)))
            return
        if version > MAX_TWIN_VERSION:
            await self._apply(patch)  # the module refuses it, counted; the gate stays where it is
            return
        if version <= self.version:
            log.debug("desired $version %d already applied (have %d); skipped", version, self.version)
            return
        if self.version >= 0 and version > self.version + 1:
            log.info("desired $version jumped %d -> %d; re-reading the twin", self.version, version)
            patch = await self._read_desired()
            if (_version(patch) or 0) > MAX_TWIN_VERSION:
                await self._apply(patch)
                return
            version = max(_version(patch) or version, version)
            if version <= self.version:
                return
        self.version = version
        await self._apply(patch)


def _version(document: dict[str, Any]) -> int | None:
    value = document.get("$version")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
