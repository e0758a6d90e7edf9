"""Issue 11 item 5: desired documents apply whole and atomically; reported documents stay bounded."""

from __future__ import annotations

import json

from energy_edge.domain.bounds import MAX_REFUSED_KEYS_ACKED, MAX_REPORTED_BYTES
from energy_edge.domain.services.asset_service import AssetModuleService

from ..helpers import eventually


async def test_a_refused_document_does_not_poison_the_next(site):
    await site.harness.set_desired("battery", {"soc_max": 0.85, "max_charge_w": -1})
    reported = await site.reported_when("battery", lambda r: "soc_max" in r)
    assert reported["soc_max"]["ac"] == 400 and reported["max_charge_w"]["ac"] == 400
    assert ">= 1" in reported["max_charge_w"]["ad"] and "max_charge_w" in reported["soc_max"]["ad"]
    assert site.battery.config.soc_max == 0.9

    await site.harness.set_desired("battery", {"max_charge_w": 4_000})
    reported = await site.reported_when("battery", lambda r: r["max_charge_w"]["ac"] == 200)
    assert (site.battery.config.soc_max, site.battery.config.max_charge_w) == (0.85, 4_000.0)
    assert reported["soc_max"] == {"value": 0.85, "ac": 200, "av": reported["max_charge_w"]["av"], "ad": "applied"}


async def test_unknown_keys_are_refused_once_and_the_reported_document_stays_bounded(site):
    await site.harness.set_desired("battery", {"junk": "x" * 1_000, "soc_min": 0.2})
    reported = await site.reported_when("battery", lambda r: "junk" in r)
    assert reported["junk"]["ac"] == 400 and "unknown property" in reported["junk"]["ad"]
    assert len(reported["junk"]["value"]) < 100, "a refused value echoed whole"
    assert reported["soc_min"]["ac"] == 200 and site.battery.config.soc_min == 0.2

    for batch in range(20):
        last = await site.harness.set_desired("battery", {f"junk{batch}_{i}": [i] * 50 for i in range(20)})
    reported = await site.reported_when("battery", lambda r: r["soc_min"]["av"] == last)
    assert "junk" not in reported, "an unknown key stayed in the reported document"
    assert sum(key.startswith("junk") for key in reported) <= MAX_REFUSED_KEYS_ACKED
    assert len(json.dumps(reported)) < MAX_REPORTED_BYTES
    assert site.battery.config.soc_min == 0.2, "junk keys must not refuse the valid properties beside them"


async def test_the_controllers_policy_applies_whole_with_acks_on_success(site):
    await site.harness.set_desired("controller", {"deadband_w": 20, "ramp_limit_w": -5})
    await site.reported_when("controller", lambda r: r.get("ramp_limit_w", {}).get("ac") == 400)
    await site.harness.set_desired("controller", {"ramp_limit_w": 2_000})
    await eventually(lambda: site.controller.policy.ramp_limit_w == 2_000)
    assert site.controller.policy.deadband_w == 20
    reported = await site.reported_when("controller", lambda r: r["deadband_w"]["ac"] == 200)
    assert reported["deadband_w"]["ad"] == "applied" and reported["ramp_limit_w"]["ad"] == "applied"


async def test_junk_a_previous_run_left_in_the_reported_document_is_removed_at_start(site):
    await site.battery_service.client.patch_reported({"junk_from_an_old_release": {"ac": 400}})
    await site.battery_service.stop()
    restarted = AssetModuleService(site.harness.client("battery"), site.battery_service.hardware, site.battery,
                                   site.clock, 1.0)
    site.battery_service = restarted
    await restarted.start()
    await site.reported_when("battery", lambda r: "junk_from_an_old_release" not in r)


async def test_an_array_where_an_object_belongs_is_refused_naming_it_and_echoed_as_sent(site):
    """The acknowledgement said "[40, 120, 60]" (Python's text of a list), not the JSON array the operator sent."""
    await site.harness.set_desired("controller", {"hot_water_litres_per_hour": [40, 120, 60], "deadband_w": 20})
    reported = await site.reported_when("controller", lambda r: "hot_water_litres_per_hour" in r)
    ack = reported["hot_water_litres_per_hour"]
    assert ack["ac"] == 400 and ack["value"] == [40, 120, 60]
    assert 'an object of UTC hours "0".."23"' in ack["ad"]
    assert reported["deadband_w"]["ac"] == 400 and "hot_water_litres_per_hour" in reported["deadband_w"]["ad"]
    assert site.controller.policy.deadband_w == 50.0
