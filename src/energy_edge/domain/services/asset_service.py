"""One asset module's loop: hardware in, state machine, setpoint out, telemetry to the hub.

The service joins an asset (pure state machine) to its ports. It keeps two
promises: nothing a caller sends crashes the module (every error becomes a
status code or a twin acknowledgement), and the asset keeps running its own
fail-safe logic every cycle whether or not anyone talks to it.

A report's `timestamp` is when its measurement was taken. A cycle whose
hardware handed over an earlier measurement again (a missed poll, see
`domain.hardware.is_held`) reports under the previous report's time, never
as a new reading: the controller counts a reading fresh only when that time
advances.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any, Protocol

from ..desired_document import DesiredDocument
from ..errors import DomainError, HardwareFault
from ..hardware import is_held
from ..messages import Message, MethodRequest, MethodResponse
from ..shown import cut, shown
from ..ports import AssetHardware, Clock, ModuleClient
from ..scheduling import CycleScheduler
from ..status import Status
from ..telemetry import AssetTelemetry
from ..topology import TELEMETRY_OUTPUT

log = logging.getLogger(__name__)


class ServedAsset(Protocol):
    """What the service needs from Solar, Battery or Boiler."""

    kind: str
    WRITABLE: Any  # the twin-writable properties (names)
    state: Any
    power_w: float
    fault_reason: str | None
    last_event: str | None

    @property
    def lease(self) -> Any: ...

    def handle(self, method: str, payload: Any, now: float) -> dict[str, Any]: ...

    def observe(self, measurement: Any, now: float) -> None: ...

    def setpoint(self) -> Any: ...

    def telemetry_values(self) -> dict[str, Any]: ...

    def configure(self, desired: Any) -> dict[str, Any]: ...

    def fault(self, reason: str) -> None: ...


class AssetModuleService:
    """Serves one asset as an IoT Edge module over any `ModuleClient` transport."""

    def __init__(self, client: ModuleClient, hardware: AssetHardware[Any, Any], asset: ServedAsset,
                 clock: Clock, cycle_s: float) -> None:
        if cycle_s <= 0:
            raise ValueError(f"cycle_s must be > 0, got {cycle_s}")
        self.client = client
        self.hardware = hardware
        self.asset = asset
        self.clock = clock
        self.cycle_s = cycle_s
        self.seq = 0
        # desired documents refused, by rule: unread (twin.version, twin.depth, ...) or for a property
        # (battery.config.soc_min); the module's process metrics serve it, read at scrape time
        self.desired_refusals_total: Counter[str] = Counter()
        self.desired = DesiredDocument(asset.WRITABLE, self.desired_refusals_total)  # the whole document
        self._lock = asyncio.Lock()  # one writer of the asset and the hardware at a time
        self._running = False
        self._applied: Any = None  # the setpoint written last
        self._published_at: float | None = None  # the timestamp of the last report (its measurement's time)
        self._task: asyncio.Task[None] | None = None
        self._scheduler: CycleScheduler | None = None

    # -- lifecycle ------------------------------------------------------------------
    async def start(self) -> None:
        self.client.on_method(self.on_method)
        self.client.on_desired_patch(self.on_desired_patch)
        await self.client.connect()
        twin = await self.client.get_twin()
        if stale := self.desired.stale_keys_patch(twin.reported):
            await self.client.patch_reported(stale)
        await self.on_desired_patch(twin.desired)

    async def run(self) -> None:
        """Cycle at a fixed rate until cancelled or stopped; a failing cycle is logged and the next one runs."""
        self._running = True
        self._task = asyncio.current_task()
        self._scheduler = CycleScheduler(self.clock, lambda: self.cycle_s, self.run_cycle,
                                         name=self.client.module_id, keep_running=lambda: self._running)
        try:
            await self._scheduler.run()
        except asyncio.CancelledError:
            if self._running:  # cancelled from outside, not by stop()
                raise
        finally:
            self._task = None

    async def stop(self) -> None:
        """End `run()` (it returns normally) and close the connection."""
        self._running = False
        if self._scheduler is not None:
            self._scheduler.stop()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
        await self.client.close()

    async def run_cycle(self) -> AssetTelemetry:
        """Read, observe (band, thermostat, lease), apply the setpoint, publish telemetry.

        When the cycle measured nothing new (the hardware held its last
        measurement), the report keeps the previous report's timestamp.
        """
        held = False
        try:
            measurement = await self.hardware.read()
        except HardwareFault as exc:
            async with self._lock:
                self.asset.fault(exc.reason)
                await self._try_safe_setpoint()
        else:
            async with self._lock:
                now = self.clock.now()
                self.asset.observe(measurement, now)
                held = is_held(measurement)
                if await self._apply():
                    held = await self._observe_again(now) and held
        return await self.publish(held=held)

    async def _observe_again(self, now: float) -> bool:
        """Read once more after the asset changed its own setpoint (band stop, thermostat, lease expiry).

        Telemetry must report the power the asset draws now, not before it
        changed course: the controller pairs it with a fresh grid meter, and a
        one-cycle-old power there reads as a phantom load step. Returns
        whether this read, too, measured nothing new.
        """
        try:
            measurement = await self.hardware.read()
        except HardwareFault as exc:
            self.asset.fault(exc.reason)
            return False
        self.asset.observe(measurement, now)
        return is_held(measurement)

    async def _try_safe_setpoint(self) -> None:
        """Best effort: tell an unreadable device to stop too; its read fault stays the reason."""
        try:
            await self.hardware.apply(self.asset.setpoint())
        except HardwareFault:
            pass

    async def publish(self, held: bool = False) -> AssetTelemetry:
        """Send the asset's report; `held`: it carries no new measurement, so it keeps the last report's time."""
        self.seq += 1
        asset = self.asset
        timestamp = self._published_at if held and self._published_at is not None else self.clock.now()
        self._published_at = timestamp
        telemetry = AssetTelemetry(  # module, kind, seq, timestamp, state, power_w, fault_reason, lease, values
            self.client.module_id, asset.kind, self.seq, timestamp, str(asset.state), float(asset.power_w),
            asset.fault_reason, asset.lease.expires_at, asset.telemetry_values(),
        )
        properties = {"kind": asset.kind}
        if asset.last_event:
            properties["last_event"] = asset.last_event
        await self.client.send_message(TELEMETRY_OUTPUT, Message(telemetry.to_json(), properties))
        return telemetry

    async def _apply(self) -> bool:
        """Write the asset's setpoint; a device that refuses it puts the asset in FAULT.

        Returns whether the setpoint differs from the one written last.
        """
        setpoint = self.asset.setpoint()
        try:
            await self.hardware.apply(setpoint)
        except HardwareFault as exc:
            self.asset.fault(exc.reason)
            return False
        changed, self._applied = setpoint != self._applied, setpoint
        return changed

    # -- direct methods -------------------------------------------------------------
    async def on_method(self, request: MethodRequest) -> MethodResponse:
        try:
            async with self._lock:
                fault_before = self.asset.fault_reason
                result = self.asset.handle(request.name, request.payload, self.clock.now())
                await self._apply()
                if self.asset.fault_reason and self.asset.fault_reason != fault_before:
                    # The state machine took the command but the device refused it: say so, never 200.
                    return MethodResponse.error(Status.CONFLICT, "hardware",
                                                f"device refused the setpoint ({self.asset.fault_reason}); now FAULT")
            return MethodResponse(int(Status.OK), result)
        except DomainError as err:
            log.info("%s.%s refused: %s", self.client.module_id, cut(request.name, 64), err)
            return MethodResponse(int(err.status), err.as_payload())
        except Exception as exc:  # a bug must answer 500, not take the module down
            log.exception("%s.%s failed", self.client.module_id, cut(request.name, 64))
            return MethodResponse.error(Status.INTERNAL, "internal", shown(exc))

    # -- twin -----------------------------------------------------------------------
    async def on_desired_patch(self, patch: dict[str, Any]) -> None:
        """Apply the whole desired document (this patch merged in) atomically; acknowledge each property (PnP).

        The configuration is computed from the settings and every writable
        property the document holds, so a refused document cannot poison the next.
        """
        try:
            update = self.desired.take(patch)
            if update is None:
                return
            refusal = None
            try:
                async with self._lock:
                    self.asset.configure(update.writable)
                    await self._apply()
            except DomainError as err:
                self.desired_refusals_total[err.rule] += 1
                log.warning("%s: desired v%s refused: %s", self.client.module_id, update.version, err)
                refusal = (err.rule, err.reason)
            acks = self.desired.reported_patch(update, refusal)
            if acks:
                await self.client.patch_reported(acks)
        except Exception:
            log.exception("%s: desired patch handling failed", self.client.module_id)
