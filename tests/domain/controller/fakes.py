"""A site on the in-memory hub for controller tests: fake asset modules, a fake meter and clock."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace, dataclass, field
from typing import Any

from energy_edge.adapters.transports.inmemory import InMemoryHub, InMemoryModuleClient
from energy_edge.domain.balancing import Policy
from energy_edge.domain.messages import Message, MethodRequest, MethodResponse
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.controller_service import ControllerService
from energy_edge.domain.status import Status
from energy_edge.domain.telemetry import AssetTelemetry
from energy_edge.domain.topology import ALL_MODULES, DEFAULT_ROUTES
from tests.telemetry.fakes import FakeClock


class YieldingClock(FakeClock):
    """Simulated time whose sleep also lets other tasks run (so `run()` can be stopped)."""

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        await asyncio.sleep(0)


class FakeMeter:
    def __init__(self, grid_power_w: float = 0.0) -> None:
        self.grid_power_w = grid_power_w
        self.error: Exception | None = None

    async def read_grid_power_w(self) -> float:
        if self.error is not None:
            raise self.error
        return self.grid_power_w


def meter_telemetry(module: str = "meter", power_w: float = 0.0, state: str = "RUNNING",
                    timestamp: float = 0.0, fault_reason: str | None = None) -> AssetTelemetry:
    return AssetTelemetry(module, "meter", 1, timestamp, state, power_w, fault_reason=fault_reason,
                          values={"power_l1_w": power_w / 3, "power_l2_w": power_w / 3, "power_l3_w": power_w / 3,
                                  "voltage_l1_v": 230.0, "voltage_l2_v": 230.0, "voltage_l3_v": 230.0,
                                  "frequency_hz": 50.0, "import_energy_wh": 0.0, "export_energy_wh": 0.0})


def with_meter_routes(routes: dict[str, str], meter: str = "meter") -> dict[str, str]:
    """The routes plus a grid meter module's telemetry to the controller and the telemetry module."""
    return {**routes, **{f"{meter}To{target.title()}": f"FROM /messages/modules/{meter}/outputs/telemetry INTO "
                         f'BrokeredEndpoint("/modules/{target}/inputs/telemetry")' for target in ("controller", "telemetry")}}


def _modules_in(route: str) -> list[str]:
    return re.findall(r"/modules/([^/]+)/", route)


def battery_telemetry(module: str = "battery", soc: float = 0.5, power_w: float = 0.0, capacity_wh: float = 10_000.0,
                      state: str = "IDLE", timestamp: float = 0.0) -> AssetTelemetry:
    return AssetTelemetry(module, "battery", 1, timestamp, state, power_w, values={
        "soc": soc, "capacity_wh": capacity_wh, "max_charge_w": 5_000.0, "max_discharge_w": 5_000.0,
        "soc_min": 0.05, "soc_max": 0.98})


def solar_telemetry(module: str = "solar", power_w: float = 3_000.0, timestamp: float = 0.0) -> AssetTelemetry:
    return AssetTelemetry(module, "solar", 1, timestamp, "RUNNING", power_w, values={
        "available_power_w": power_w, "rated_power_w": 8_000.0, "limit_w": 8_000.0})


def boiler_telemetry(module: str = "boiler", temperature_c: float = 60.0, timestamp: float = 0.0) -> AssetTelemetry:
    return AssetTelemetry(module, "boiler", 1, timestamp, "STANDBY", 0.0, values={
        "temperature_c": temperature_c, "setpoint_c": 60.0, "min_temperature_c": 45.0, "max_temperature_c": 85.0,
        "heater_power_w": 3_000.0, "heater_on": False})


@dataclass
class FakeAsset:
    """An asset module that records its method calls and answers with `status`."""

    client: InMemoryModuleClient
    status: int = Status.OK
    calls: list[tuple[str, Any]] = field(default_factory=list)
    seq: int = 0

    async def handle(self, request: MethodRequest) -> MethodResponse:
        self.calls.append((request.name, request.payload))
        if self.status == Status.OK:
            return MethodResponse(Status.OK, {"state": "OK"})
        return MethodResponse.error(Status(self.status), "refused", "not in this state")

    async def publish(self, telemetry: AssetTelemetry) -> None:
        """Send a report with this module's next sequence number, as a real module numbers them."""
        self.seq += 1
        await self.client.send_message("telemetry", Message(replace(telemetry, seq=self.seq).to_json()))

    def take_calls(self) -> list[tuple[str, Any]]:
        taken, self.calls = self.calls, []
        return taken


class Site:
    """Controller + solar, battery and boiler modules on one in-memory hub (the default routes)."""

    def __init__(self, policy: Policy = Policy(), grid_power_w: float = 0.0, forecaster: Any = None,
                 routes: dict[str, str] = DEFAULT_ROUTES, meter: Any = "fake",
                 asset_kinds: dict[str, str] | None = None, plan_solver: Any = None) -> None:
        """`meter="fake"`: a `FakeMeter`; None: the controller balances on a meter module's telemetry."""
        modules = {*ALL_MODULES, *(m for route in routes.values() for m in _modules_in(route))}
        self.hub = InMemoryHub(RouteTable.parse(routes), modules=tuple(modules))  # deployed, up or not
        self.clock = YieldingClock()
        self.meter = FakeMeter(grid_power_w) if meter == "fake" else meter
        self.controller = ControllerService(self.hub.client("controller"), self.meter, self.clock, policy,
                                            forecaster=forecaster, plan_solver=plan_solver,
                                            **({"asset_kinds": asset_kinds} if asset_kinds else {}))
        self.assets: dict[str, FakeAsset] = {}

    async def start(self, *modules: str) -> "Site":
        for module in modules:
            asset = FakeAsset(self.hub.client(module))
            asset.client.on_method(asset.handle)
            await asset.client.connect()
            self.assets[module] = asset
        await self.controller.start()
        return self

    async def publish_all(self) -> None:
        """Every connected asset reports once, stamped with the current time."""
        now = self.clock.now()
        makers = {"solar": solar_telemetry, "battery": battery_telemetry, "boiler": boiler_telemetry}
        for module, asset in self.assets.items():
            if module in makers:
                await asset.publish(makers[module](timestamp=now))

    async def cycle(self, seconds: float = 1.0) -> None:
        await self.publish_all()
        await self.controller.run_cycle()
        # The cycle's calls land before the next, as on a real 1 s cycle: the command budget is wall time,
        # so a slow moment of the full run (a logged traceback, GC) must not leave a call in flight.
        await self.controller.commands.settle(5.0)
        self.clock.t += seconds

    def calls(self) -> dict[str, list[tuple[str, Any]]]:
        return {module: asset.take_calls() for module, asset in self.assets.items()}

    def reports(self) -> list[dict]:
        return [json.loads(message.body) for message in self.hub.upstream]
