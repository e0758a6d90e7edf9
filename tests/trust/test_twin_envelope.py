"""The twin narrows the site file's physical limits, never widens them: through every transport.

Found by the red team: a desired patch could widen a battery's SoC band to 0..1 or raise the controller's
grid limits above the connection's. Here the modules run on the in-memory hub, a real Mosquitto and the
edgeHub stand-in; the battery and the controller start with the embedded home site's values (a band of
0.1..0.9; import 30 kW, export 10 kW), which are their envelope.
"""

from __future__ import annotations

WIDER = "the twin may narrow a physical limit, never widen it"


async def test_a_widened_soc_band_is_acknowledged_400_and_the_battery_is_unchanged(site):
    before = site.battery.config
    version = await site.harness.set_desired("battery", {"soc_min": 0.0, "soc_max": 1.0})
    reported = await site.reported_when("battery", lambda r: r.get("soc_min", {}).get("av") == version)
    assert reported["soc_min"] == {"value": 0.0, "ac": 400, "av": version,
                                   "ad": f"soc_min 0 refused: the site file allows at least 0.1; {WIDER}"}
    assert reported["soc_max"]["ac"] == 400 and "soc_min" in reported["soc_max"]["ad"]
    assert site.battery.config is before and (before.soc_min, before.soc_max) == (0.1, 0.9)
    assert site.battery_service.desired_refusals_total == {"battery.config.soc_min": 1}

    version = await site.harness.set_desired("battery", {"soc_min": 0.2, "soc_max": 0.8})  # narrower: applied
    reported = await site.reported_when("battery", lambda r: r.get("soc_max", {}).get("av") == version)
    assert reported["soc_min"]["ac"] == reported["soc_max"]["ac"] == 200
    assert (site.battery.config.soc_min, site.battery.config.soc_max) == (0.2, 0.8)


async def test_a_raised_export_limit_is_acknowledged_400_and_the_controller_keeps_the_sites(site):
    before = site.controller.policy
    version = await site.harness.set_desired("controller", {"export_limit_w": 20_000.0})
    reported = await site.reported_when("controller", lambda r: r.get("export_limit_w", {}).get("av") == version)
    assert reported["export_limit_w"] == {"value": 20_000.0, "ac": 400, "av": version,
                                          "ad": f"export_limit_w 20000 W refused: the site file allows at most "
                                                f"10000 W; {WIDER}"}
    assert site.controller.policy == before and site.controller.malformed_messages_total["export_limit_w"] == 1
