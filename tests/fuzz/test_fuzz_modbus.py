"""Hostile Modbus register values through real pymodbus servers: garbage becomes FAULT, never an exception.

The site's simulated devices are served on loopback by the real simulator
(`modbus/server.py`); each input forces a few registers (scale factors at and
beyond their range, sentinels, sign edges, random words) and runs the asset
module's cycle over the real Modbus driver. After each: the cycle did not
raise, a method call is answered (never 500), and the asset is either FAULT
or reports values inside its physical range without jumps no device makes in
a second. Then the garbage goes away and a reset brings the asset back.
"""

from __future__ import annotations

import math

import pytest

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.modbus.server import site_servers
from energy_edge.adapters.hardware.modbus.register_map import load_boiler_map, load_sunspec_models
from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.messages import MethodRequest
from energy_edge.domain.services.asset_service import AssetModuleService
from energy_edge.entrypoints.factories import build_asset, build_simulated_site, resolve_site
from energy_edge.entrypoints.modbus_settings import ModbusSettings, build_modbus_hardware
from energy_edge.entrypoints.settings import SiteSettings

from ..helpers import free_port
from .budget import WARM_UP, Budget
from .findings import Findings
from .hostile import Hostile
from .site import ASSETS, START
from .transports import ROUTES

ANSWERS = {200, 400, 403, 404, 409}
SIMULATOR_LOGGERS = ("pymodbus", "energy_edge.adapters.hardware.modbus.server")  # the simulated devices, not the module
POINTS = {  # the points a driver decodes, scale factors first: where garbage does harm
    "solar": [(704, "WMaxLimPct_SF"), (123, "WMaxLimPct_SF"), (103, "W_SF"), (103, "W"), (121, "WMax_SF"),
              (121, "WMax"), (120, "WRtg_SF"), (701, "W_SF"), (701, "W")],
    "battery": [(124, "InOutWRte_SF"), (124, "WChaMax_SF"), (802, "SoC_SF"), (802, "SoC"), (802, "WHRtg_SF"),
                (103, "W_SF"), (103, "W"), (124, "ChaState")],
    "boiler": ["temperature_c", "power_w", "setpoint_c", "heater_on"],
}
METHODS = {"solar": ("set_output", {"limit_w": 1000.0, "ttl_s": 30}),
           "battery": ("start_charging", {"power_w": 1000.0, "ttl_s": 30}),
           "boiler": ("set_temperature", {"temperature_c": 60.0, "ttl_s": 30})}
RANGES = {"battery": ("soc", 0.0, 1.0, 0.05), "boiler": ("temperature_c", -20.0, 110.0, 5.0)}  # field, low, high, max step


class ModbusSite:
    def __init__(self) -> None:
        self.clock = ManualClock(START)
        site = resolve_site(SiteSettings())
        physics = build_simulated_site(self.clock, site)
        self.ports = {kind: free_port() for kind in ASSETS}
        self.servers = dict(zip(ASSETS, site_servers(*(physics.hardware(kind) for kind in ASSETS), load_sunspec_models(),
                                                     load_boiler_map(), ports=self.ports, now=self.clock.now)))
        for server in self.servers.values():
            _keep_live_registers(server.device)
        hub = InMemoryHub(ROUTES)
        self.services = {kind: AssetModuleService(
            hub.client(kind), build_modbus_hardware(kind, ModbusSettings(port=self.ports[kind], timeout_s=0.5, retries=0),
                                                    now=self.clock.now),
            build_asset(site.asset(kind)), self.clock, 1.0) for kind in ASSETS}

    async def start(self) -> None:
        for server in self.servers.values():
            await server.start()
        for service in self.services.values():
            await service.start()
            await service.on_method(MethodRequest("start", {}))

    async def stop(self) -> None:
        for service in self.services.values():
            await service.stop()
        for server in self.servers.values():
            await server.stop()

    def addresses(self, kind: str) -> list[int]:
        device = self.servers[kind].device
        found = []
        for point in POINTS[kind]:
            try:
                found.append(device.address_of(point) if isinstance(point, str) else device.address_of(*point))
            except (KeyError, ValueError, LookupError):
                continue  # a model this device does not carry
        return found


def _keep_live_registers(device) -> None:
    """Remember the simulator's live register list (pymodbus hands it to the action hook) to restore garbage."""
    action = device.action

    async def keeping(function_code, start, address, count, registers, values):  # noqa: ANN001
        device.live = (start, registers)
        return await action(function_code, start, address, count, registers, values)

    device.action = keeping


@pytest.fixture
async def modbus_site():
    site = ModbusSite()
    await site.start()
    try:
        yield site
    finally:
        await site.stop()


@pytest.mark.timeout(0)
async def test_hostile_registers_become_fault_or_bounded_values(modbus_site, count, seed, request):
    site, hostile, findings = modbus_site, Hostile(seed), Findings()
    addresses = {kind: site.addresses(kind) for kind in ASSETS}
    faults = 0
    with Budget(count, ignore=SIMULATOR_LOGGERS) as budget:
        for i in range(count):
            if i == count // WARM_UP:
                budget.warm()
            kind = hostile.rng.choice(ASSETS)
            service, device = site.services[kind], site.servers[kind].device
            block = (device.base_address, device.base_address + len(device.initial_registers) - 1)
            address = (hostile.rng.choice(addresses[kind]) if hostile.rng.random() < 0.8
                       else hostile.rng.randint(*block))
            values = hostile.registers(hostile.rng.choice((1, 1, 2)))
            before = dict(service.asset.telemetry_values())
            saved = _live_values(device, address, len(values))
            device.force(address, values)
            site.clock.advance(1.0)
            try:
                await service.run_cycle()
            except Exception as exc:  # noqa: BLE001
                findings.add("a cycle raised", (kind, address, values, exc))
            method, payload = METHODS[kind]
            answer = await service.on_method(MethodRequest(method, payload))
            if answer.status not in ANSWERS:
                findings.add(f"a method answered {answer.status} over garbage", (kind, address, values, answer.payload))
            faults += str(service.asset.state) == "FAULT"
            _check_bounded(service, kind, before, (address, values), findings)
            await _restore(device, address, saved)
            await _recover(site, service, kind, findings)
    broken = budget.check(request.node.name)
    if count >= 100 and not faults:
        findings.add("no input faulted any asset: the garbage never reached a driver", count)
    assert not findings and not broken, findings.report(broken)


def _check_bounded(service, kind: str, before: dict, forced, findings: Findings) -> None:
    asset = service.asset
    if str(asset.state) == "FAULT":
        if not asset.fault_reason:
            findings.add("FAULT without a reason", (kind, forced))
        return
    if not math.isfinite(asset.power_w):
        findings.add("a non-finite power passed", (kind, forced, asset.power_w))
    if kind not in RANGES:
        return
    name, low, high, step = RANGES[kind]
    value, previous = asset.telemetry_values().get(name), before.get(name)
    if value is None or not (low <= value <= high):
        findings.add(f"{kind} {name} out of its physical range passed", (forced, value))
    elif previous is not None and abs(value - previous) > step:
        findings.add(f"{kind} {name} jumped in one second and passed", (forced, previous, value))


def _live_values(device, address: int, count: int) -> list[int | None]:
    """The words the simulator serves at `address..` right now (what its physics last showed)."""
    start, live = device.live
    return [live[i] if 0 <= (i := address - start + k) < len(live) else None for k in range(count)]


async def _restore(device, address: int, saved: list[int | None]) -> None:
    """Forcing writes into the simulator's live registers: put back what was there, reset its physics."""
    device.release()
    start, live = device.live
    for k, value in enumerate(saved):
        if value is not None:
            live[address - start + k] = value
    await device.hardware.apply(device.safe(None))  # the simulated physics may hold a setpoint decoded from garbage


async def _recover(site, service, kind: str, findings: Findings) -> None:
    """The garbage is gone: a reset (if it faulted) and a cycle bring the asset back."""
    for _ in range(2):
        if str(service.asset.state) == "FAULT":
            await service.on_method(MethodRequest("reset", {}))
            await service.on_method(MethodRequest("start", {}))
        site.clock.advance(1.0)
        try:
            await service.run_cycle()
        except Exception as exc:  # noqa: BLE001
            findings.add("a cycle raised after the garbage went away", (kind, exc))
    if str(service.asset.state) == "FAULT":
        findings.add("the asset stayed FAULT after the garbage went away", (kind, service.asset.fault_reason))
