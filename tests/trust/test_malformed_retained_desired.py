"""A desired document the module refused unread does not lock the operator out of the twin (MQTT).

Found by the red team after issue 11: one retained desired document that is not JSON the module
accepts (a NaN, `\\xff`, a number beyond any float) is counted and ignored by the module, but the
operator tools could then no longer read a `$version` from the retained document, started again at
1, and every later `energy-edge twin` was ignored by the module as a replay ("no acknowledgement").
The operator's own client also published such documents (a NaN in a patch), setting the trap itself.
"""

from __future__ import annotations

import math

import pytest

from energy_edge.adapters.transports.mqtt_operator import MqttOperator

from ..helpers import eventually


@pytest.fixture
def mqtt_site(site):
    if not isinstance(site.harness.operator if hasattr(site.harness, "operator") else None, MqttOperator):
        pytest.skip("retained desired documents are MQTT's")
    return site


@pytest.mark.parametrize("poison", [b'{"$version":%d,"soc_min":NaN}', b"\xff%d", b'{"$version":%d,"soc_min":1e999}'])
async def test_a_fresh_operator_sets_the_twin_after_a_malformed_retained_document(mqtt_site, poison):
    site = mqtt_site
    version = await site.harness.set_desired("battery", {"soc_min": 0.2})
    await eventually(lambda: site.battery.config.soc_min == 0.2)
    raw = site.harness.operator._require_session()
    await raw.publish_acked(site.harness.operator.topics.desired("battery"), poison % (version + 1), retain=True)
    fresh = MqttOperator(site.harness.config)  # what `energy-edge twin` is: a new client reading the retained state
    await fresh.connect()
    try:
        await eventually(lambda: "battery" in fresh.reported_docs)
        new_version = await fresh.set_desired("battery", {"soc_min": 0.3})
        acks = await fresh.acknowledged("battery", ["soc_min"], new_version, timeout_s=5.0)
        assert acks["soc_min"]["ac"] == 200, acks
        assert site.battery.config.soc_min == 0.3
    finally:
        await fresh.close()


async def test_the_operator_refuses_to_publish_a_non_finite_desired_value(mqtt_site):
    site = mqtt_site
    with pytest.raises(ValueError):
        await site.harness.set_desired("battery", {"soc_min": math.nan})
    version = await site.harness.set_desired("battery", {"soc_min": 0.25})
    await eventually(lambda: site.battery.config.soc_min == 0.25)
    assert version >= 1
