"""Requests an asset must not serve late: retained ones, and ones that say their caller waits for a day.

Found by the red team (fail-safe): the broker stores a message published with the retain flag on any topic
the publisher may write, and sends it again to every (re)subscription. The asset modules took a retained
method request as a fresh call: one `start_charging` published retained by the controller's or the
operator's credentials (a `mosquitto_pub -r`, a broken client) re-started the battery, with a fresh lease,
at every restart and every reconnect of the battery module, long after its caller was gone, as long as the
request's own `expires_at` (the caller's clock) lay ahead. A retained input (telemetry) was delivered to the
controller the same way at each of its reconnects. Now a retained request or input is refused unread and
counted as malformed by its topic kind; nothing routed or called here is ever retained by our own senders.

Likewise a request's `expires_at` is the caller's wall clock plus its timeout (at most an hour: `energy-edge
call --timeout`). A caller whose clock ran a day ahead (an operator's laptop) stamped requests that the broker
queued for an asset that was away and the asset ran whenever it came back within the day. A request that says
it expires more than an hour (and the clocks' 5 s skew) ahead of the asset's clock is now answered 400, naming
`expires_at`, and counted.
"""

from __future__ import annotations

import asyncio
import json
import time

import paho.mqtt.client as paho

from energy_edge.adapters.clocks import ManualClock
from energy_edge.adapters.hardware.simulated import SimulatedBattery
from energy_edge.adapters.transports.mqtt import MqttModuleClient
from energy_edge.domain.assets import Battery
from energy_edge.domain.messages import Message
from energy_edge.domain.services.asset_service import AssetModuleService

from ..helpers import eventually
from ..mosquitto import client_config
from .site import ROUTES, Inbox, connected

START = 1_782_043_200.0


def _publish_retained(broker, topic: str, payload: bytes) -> None:
    raw = paho.Client("ee-test-retainer", clean_session=True, protocol=paho.MQTTv311)
    raw.connect(broker.host, broker.port)
    raw.loop_start()
    try:
        raw.publish(topic, payload, qos=1, retain=True).wait_for_publish(timeout=5)
    finally:
        raw.disconnect()
        raw.loop_stop()


async def _battery(config) -> AssetModuleService:
    clock = ManualClock(START)
    service = AssetModuleService(MqttModuleClient("battery", ROUTES, config), SimulatedBattery(clock, initial_soc=0.5),
                                 Battery(), clock, 1.0)
    await service.start()
    return service


async def test_a_retained_start_charging_is_refused_at_every_connect_of_the_battery(mosquitto):
    config = client_config(mosquitto)
    request = {"method": "start_charging", "payload": {"power_w": 4000, "ttl_s": 300},
               "expires_at": time.time() + 3000}
    _publish_retained(mosquitto, "ee/battery/methods/controller/req/r1", json.dumps(request).encode())
    for _connect in range(2):  # a restart of the module: the broker hands the retained request out again
        battery = await _battery(config)
        try:
            await eventually(lambda: battery.client.malformed_total["method_request"] == 1)
            await asyncio.sleep(0.2)
            assert str(battery.asset.state) == "IDLE" and battery.asset.lease.expires_at is None
        finally:
            await battery.stop()


async def test_a_request_queued_for_an_absent_battery_by_a_caller_a_day_ahead_is_refused(mosquitto):
    config = client_config(mosquitto)
    battery = await _battery(config)  # its persistent session: the broker queues what arrives while it is away
    await battery.stop()
    controller = await connected("controller", config)
    try:
        request = {"method": "start_charging", "payload": {"power_w": 4000, "ttl_s": 300},
                   "expires_at": time.time() + 86_400}  # the caller's clock a day ahead
        controller._session.publish("ee/battery/methods/controller/req/r2", json.dumps(request).encode())
        await asyncio.sleep(0.2)
        battery = await _battery(config)  # back an hour later, say: the queued request arrives
        await eventually(lambda: battery.client.malformed_total["method_request"] == 1)
        assert str(battery.asset.state) == "IDLE" and battery.asset.lease.expires_at is None
    finally:
        await controller.close()
        await battery.stop()


async def test_a_retained_input_is_not_delivered_to_a_reconnecting_controller(mosquitto):
    config = client_config(mosquitto)
    _publish_retained(mosquitto, "ee/controller/inputs/telemetry/battery", b'{"seq": 1}')
    inbox = Inbox()
    controller = await connected("controller", config, inputs={"telemetry": inbox})
    battery = await connected("battery", config)
    try:
        await battery.send_message("telemetry", Message.from_json({"seq": 2}))
        await eventually(lambda: inbox.seqs() == [2])
        assert controller.malformed_total["input"] == 1
    finally:
        await battery.close()
        await controller.close()
