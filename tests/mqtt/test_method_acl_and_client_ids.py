"""Issue 11, items 3 and 6 on a real Mosquitto: who may call an asset's methods, and whose session is whose.

The battery here is the real asset service on a simulated battery, so "no
effect" means its state machine and lease did not move.
"""

from __future__ import annotations

import asyncio

import paho.mqtt.client as paho
import pytest

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import SimulatedBattery
from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.adapters.transports.mqtt_acl import OPERATOR_USER
from energy_edge.adapters.transports.mqtt_operator import MqttOperator
from energy_edge.domain.assets import Battery
from energy_edge.domain.messages import MethodResponse
from energy_edge.domain.services.asset_service import AssetModuleService

from ..helpers import eventually
from ..mosquitto import client_config
from .site import ROUTES, connected
from .test_security import _as, secured  # noqa: F401 (the fixture: passwords, the generated ACL)

START = 1_782_043_200.0
DISCHARGE = {"power_w": 3000, "ttl_s": 30}  # within the rating: only the caller is wrong


async def _battery_service(config):
    clock = ManualClock(START)
    client = MqttModuleClient("battery", ROUTES, config)
    service = AssetModuleService(client, SimulatedBattery(clock, initial_soc=0.5), Battery(), clock, 1.0)
    await service.start()
    await service.run_cycle()
    return service


async def test_the_acl_drops_a_boiler_calling_the_battery_and_the_battery_does_not_move(secured):
    broker, passwords, _tls = secured
    battery = await _battery_service(_as(broker, passwords, "battery"))
    boiler = await connected("boiler", _as(broker, passwords, "boiler"))
    controller = await connected("controller", _as(broker, passwords, "controller"))
    try:
        before = battery.asset.state
        refused = await boiler.invoke_method("battery", "start_discharging", DISCHARGE, timeout_s=1.0)
        assert refused.status == 504  # the broker dropped the request: silence, then the caller's timeout
        assert battery.asset.state == before and battery.asset.lease.expires_at is None
        allowed = await controller.invoke_method("battery", "start_discharging", DISCHARGE, timeout_s=5)
        assert allowed.status == 200 and battery.asset.state != before
    finally:
        for client in (boiler, controller):
            await client.close()
        await battery.stop()


async def test_the_operator_may_call_an_asset_and_the_telemetry_module_may_not(secured):
    broker, passwords, _tls = secured
    battery = await _battery_service(_as(broker, passwords, "battery"))
    telemetry = await connected("telemetry", _as(broker, passwords, "telemetry"))
    operator = MqttOperator(_as(broker, passwords, OPERATOR_USER))
    await operator.connect()
    try:
        assert (await telemetry.invoke_method("battery", "start_charging", DISCHARGE, timeout_s=1.0)).status == 504
        assert battery.asset.lease.expires_at is None
        assert (await operator.invoke_method("battery", "stop", {}, timeout_s=5)).status == 200
    finally:
        await telemetry.close()
        await operator.close()
        await battery.stop()


async def test_without_the_acl_the_battery_itself_answers_403_and_does_not_move(mosquitto):
    """Defence in depth: a broker without the ACL still cannot make an asset obey another asset."""
    config = client_config(mosquitto)
    battery = await _battery_service(config)
    boiler = await connected("boiler", config)
    try:
        refused = await boiler.invoke_method("battery", "start_discharging", DISCHARGE, timeout_s=5)
        assert refused.status == 403 and "only the controller and the operator" in refused.payload["reason"]
        assert battery.asset.lease.expires_at is None
    finally:
        await boiler.close()
        await battery.stop()


@pytest.mark.parametrize("stolen_id", ["ee-boiler", "boiler"])
async def test_the_solar_user_cannot_take_over_the_boilers_session(secured, stolen_id):
    broker, passwords, _tls = secured
    boiler = await connected("boiler", _as(broker, passwords, "boiler"))
    operator = MqttOperator(_as(broker, passwords, OPERATOR_USER))
    await operator.connect()
    served: list[str] = []

    async def on_method(request):
        served.append(request.name)
        return MethodResponse(200, {"ok": True})

    boiler.on_method(on_method)
    drops: list[int] = []
    boiler._session._client.on_disconnect = lambda *_args: drops.append(1)  # noqa: SLF001 (observe only)
    thief = paho.Client(stolen_id, clean_session=True, protocol=paho.MQTTv311)
    thief.username_pw_set("solar", passwords["solar"])
    thief.connect(broker.host, broker.port)
    thief.loop_start()
    try:
        await asyncio.sleep(0.5)  # several takeovers would have happened by now
        assert drops == [] and boiler.connected
        assert (await operator.invoke_method("boiler", "ping", {}, timeout_s=5)).status == 200
        await eventually(lambda: served == ["ping"])
    finally:
        thief.loop_stop()
        thief.disconnect()
        await operator.close()
        await boiler.close()


async def test_the_module_healthcheck_reads_the_heartbeat_file_and_opens_no_session(secured, tmp_path, monkeypatch):
    from energy_edge.entrypoints import mqtt_health

    broker, passwords, _tls = secured
    alive = tmp_path / "solar.alive"
    monkeypatch.setenv("EE_MQTT_HEALTH_FILE", str(alive))
    monkeypatch.setenv("EE_MQTT_PORT", "1")  # would fail to connect: the check must not connect at all
    assert mqtt_health.main(["solar"]) == 1  # no module, no file
    solar = await connected("solar", _as(broker, passwords, "solar", health_file=str(alive)))
    try:
        await eventually(alive.exists)
        assert mqtt_health.main(["solar"]) == 0
    finally:
        await solar.close()
    assert not alive.exists() and mqtt_health.main(["solar"]) == 1
