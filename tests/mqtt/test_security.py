"""Per-module passwords, the route-derived ACL and the TLS listener, on a real Mosquitto."""

from __future__ import annotations

import dataclasses
import secrets
import ssl

import paho.mqtt.client as paho
import pytest

from energy_edge.adapters.transports.mosquitto_broker import write_password_file
from energy_edge.adapters.transports.mqtt_acl import OPERATOR_USER, render_acl
from energy_edge.adapters.transports.mqtt_operator import MqttOperator
from energy_edge.domain.messages import Message, MethodResponse
from energy_edge.domain.topology import ALL_MODULES

from ..helpers import eventually, require_binary
from ..mosquitto import client_config
from .certs import make_tls_files
from .site import ROUTES, Inbox, connected


@pytest.fixture
def secured(mosquitto_factory, tmp_path):
    """A broker with a password per module and the generated ACL; yields (broker, passwords)."""
    require_binary("mosquitto_passwd", "apt-get install mosquitto")
    passwords = {user: secrets.token_urlsafe(16) for user in (*ALL_MODULES, OPERATOR_USER)}
    acl = tmp_path / "acl"
    acl.write_text(render_acl(ROUTES, ALL_MODULES))
    tls = make_tls_files(tmp_path)
    broker = mosquitto_factory(password_file=write_password_file(tmp_path / "passwd", passwords), acl_file=acl,
                               tls=tls)
    return broker, passwords, tls


def _as(broker, passwords, user, **overrides):
    return client_config(broker, username=user, password=passwords[user], **overrides)


async def test_the_acl_lets_the_routed_site_work(secured):
    broker, passwords, _tls = secured
    inbox = Inbox()

    async def battery_methods(request):
        return MethodResponse(200, {"state": "IDLE"})

    async def ack(patch):
        await battery.patch_reported({"soc_min": {"value": patch["soc_min"], "ac": 200, "av": patch["$version"]}})

    controller = await connected("controller", _as(broker, passwords, "controller"), inputs={"telemetry": inbox})
    battery = await connected("battery", _as(broker, passwords, "battery"), methods=battery_methods, desired=ack)
    operator = MqttOperator(_as(broker, passwords, OPERATOR_USER))
    await operator.connect()
    try:
        await battery.send_message("telemetry", Message.from_json({"seq": 1}))
        await eventually(lambda: inbox.messages)
        assert inbox.messages[0].source_module == "battery"
        assert (await controller.invoke_method("battery", "stop", {}, timeout_s=5)).status == 200
        version = await operator.set_desired("battery", {"soc_min": 0.2})
        acks = await operator.acknowledged("battery", ["soc_min"], version, timeout_s=5)
        assert acks["soc_min"]["ac"] == 200
    finally:
        for client in (controller, battery, operator):
            await client.close()


async def test_the_acl_refuses_a_module_publishing_on_another_modules_topics(secured):
    broker, passwords, _tls = secured
    inbox = Inbox()
    patches: list[dict] = []

    async def on_patch(patch):
        patches.append(patch)

    controller = await connected("controller", _as(broker, passwords, "controller"),
                                 inputs={"telemetry": inbox, "site": inbox})
    battery = await connected("battery", _as(broker, passwords, "battery"), desired=on_patch)
    rogue = paho.Client("rogue-solar", protocol=paho.MQTTv311)
    rogue.username_pw_set("solar", passwords["solar"])
    rogue.connect(broker.host, broker.port)
    rogue.loop_start()
    try:
        for topic, payload in (
            ("ee/controller/inputs/telemetry/battery", b'{"seq": 666}'),  # impersonating the battery
            ("ee/battery/twin/desired", b'{"$version": 99, "soc_min": 0.9}'),  # the operator's job
            ("ee/battery/status", b'{"online": false}'),  # another module's status
            ("ee/controller/inputs/site/solar", b'{"seq": 667}'),  # an input no route feeds from solar
        ):
            rogue.publish(topic, payload, qos=1).wait_for_publish(5)
        rogue.publish("ee/controller/inputs/telemetry/solar", b'{"seq": 1}', qos=1).wait_for_publish(5)
        # One publisher's messages arrive in order: once the last (legitimate) one is in, any
        # refused one that had got through would be in too.
        await eventually(lambda: inbox.messages)
        assert [(m.source_module, m.body) for m in inbox.messages] == [("solar", b'{"seq": 1}')]
        assert patches == [] and (await battery.get_twin()).desired_version == 0
        assert controller.online["battery"] is True
    finally:
        rogue.loop_stop()
        rogue.disconnect()
        await controller.close()
        await battery.close()


async def test_a_wrong_password_is_refused(secured):
    broker, passwords, _tls = secured
    config = dataclasses.replace(_as(broker, passwords, "solar"), password="not-the-password")
    with pytest.raises(ConnectionError, match="refused"):
        await connected("solar", config)


async def test_the_tls_listener_carries_the_site(secured):
    broker, passwords, tls = secured
    inbox = Inbox()
    tls_options = {"port": broker.tls_port, "tls_ca_file": str(tls.ca_file)}
    controller = await connected("controller", _as(broker, passwords, "controller", **tls_options),
                                 inputs={"telemetry": inbox})
    solar = await connected("solar", _as(broker, passwords, "solar", **tls_options))
    try:
        assert isinstance(solar._session._client.socket(), ssl.SSLSocket)
        await solar.send_message("telemetry", Message.from_json({"seq": 7}))
        await eventually(lambda: inbox.messages)
        assert inbox.bodies == [{"seq": 7}]
    finally:
        await solar.close()
        await controller.close()
