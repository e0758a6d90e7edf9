"""The telemetry module's service on the in-memory hub: what it keeps, counts and judges healthy."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from energy_edge.adapters.transports.inmemory import InMemoryHub
from energy_edge.domain.messages import Message
from energy_edge.domain.routing import RouteTable
from energy_edge.domain.services.telemetry_service import TelemetryService
from energy_edge.domain.topology import DEFAULT_ROUTES

from .fakes import FakeClock, battery_telemetry, boiler_telemetry, solar_telemetry


@pytest.fixture
def site(telemetry_site):
    return telemetry_site


async def _send(client, output, body: bytes):
    await client.send_message(output, Message(body))


async def test_keeps_the_latest_telemetry_per_asset_and_counts_messages(site):
    service, clients, _ = site
    await _send(clients["battery"], "telemetry", battery_telemetry(1, soc=0.4).to_json())
    await _send(clients["battery"], "telemetry", battery_telemetry(2, soc=0.45).to_json())
    assert service.view.assets["battery"].values["soc"] == 0.45
    assert service.view.messages_total["battery"] == 2
    assert service.view.sequence_gaps_total["battery"] == 0


async def test_a_sequence_gap_is_counted_as_lost_messages(site):
    service, clients, _ = site
    await _send(clients["solar"], "telemetry", solar_telemetry(1).to_json())
    await _send(clients["solar"], "telemetry", solar_telemetry(5).to_json())
    assert service.view.sequence_gaps_total["solar"] == 3


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{not json", "telemetry.json"),
        (b"[1, 2]", "telemetry.json"),
        (json.dumps({"kind": "toaster"}).encode(), "telemetry.kind"),
        (json.dumps({**json.loads(battery_telemetry(1).to_json()), "soc": "high"}).encode(), "telemetry.soc"),
        (json.dumps({**json.loads(battery_telemetry(1).to_json()), "power_w": None}).encode(), "telemetry.power_w"),
        # a battery's body saying solar lacks a solar's fields: refused for its kind, not a missing field
        (json.dumps({**json.loads(battery_telemetry(1).to_json()), "kind": "solar"}).encode(), "telemetry.kind"),
    ],
)
async def test_malformed_telemetry_is_counted_by_source_and_reason_and_changes_nothing(site, body, reason):
    service, clients, _ = site
    await _send(clients["battery"], "telemetry", battery_telemetry(1).to_json())
    before = service.view.assets["battery"]
    await _send(clients["battery"], "telemetry", body)
    assert service.view.malformed_total[("battery", reason)] == 1
    assert service.view.assets["battery"] is before
    assert service.view.messages_total["battery"] == 1


async def test_site_report_is_kept(site):
    service, clients, _ = site
    report = {"grid_power_w": -120.0, "cycle_durations_s": [0.001, 0.002, "x", -1]}
    await _send(clients["controller"], "cloud", json.dumps(report).encode())
    assert service.view.site["grid_power_w"] == -120.0


async def test_asset_energy_is_counted_in_joules_holding_each_report_until_the_next(site):
    service, clients, _ = site
    for seq, power_w in ((1, -2000.0), (2, 1000.0), (3, 1000.0), (30, 0.0)):  # 1 s apart, then a 27 s silence
        await _send(clients["battery"], "telemetry", battery_telemetry(seq, power_w=power_w).to_json())
    assert service.view.energy_consumed_j["battery"] == pytest.approx(2000.0)  # charging 2 kW for 1 s
    assert service.view.energy_supplied_j["battery"] == pytest.approx(1000.0)  # the gap beyond 10 s is not filled


async def test_grid_energy_is_counted_from_the_site_reports_and_skips_unusable_figures(site):
    service, clients, _ = site
    for timestamp, grid in ((0.0, 500.0), (10.0, -200.0), (20.0, float("nan")), (30.0, "lots"), (40.0, 0.0),
                            (50.0, 0.0)):
        body = json.dumps({"timestamp": timestamp, "grid_power_w": grid}).encode()
        await _send(clients["controller"], "cloud", body)
    # the NaN report is refused whole, so -200 W holds from 10 to 30 s; "lots" counts nothing until 40 s
    assert service.view.grid_imported_j == pytest.approx(5000.0)
    assert service.view.grid_exported_j == pytest.approx(4000.0)


async def test_malformed_site_report_is_counted(site):
    service, clients, _ = site
    await _send(clients["controller"], "cloud", b"\xff\xfe")
    await _send(clients["controller"], "cloud", b"42")
    assert service.view.malformed_total[("controller", "site.json")] == 2
    assert service.view.site == {}


async def test_health_names_the_modules_that_never_reported_or_went_quiet(site):
    service, clients, clock = site
    assert service.health().stale == ["solar", "battery", "boiler", "controller"]
    await _send(clients["solar"], "telemetry", solar_telemetry(1).to_json())
    await _send(clients["battery"], "telemetry", battery_telemetry(1).to_json())
    await _send(clients["boiler"], "telemetry", boiler_telemetry(1).to_json())
    await _send(clients["controller"], "cloud", b"{}")
    assert service.health().healthy
    clock.t += 5
    await _send(clients["solar"], "telemetry", solar_telemetry(2).to_json())
    clock.t += 6
    health = service.health()
    assert not health.healthy
    assert health.stale == ["battery", "boiler", "controller"]
    assert health.as_json()["ages_s"]["solar"] == 6.0


async def test_a_late_or_duplicate_report_never_rolls_the_asset_back(site):
    service, clients, _ = site
    await _send(clients["battery"], "telemetry", battery_telemetry(1, soc=0.40).to_json())
    await _send(clients["battery"], "telemetry", battery_telemetry(3, soc=0.42).to_json())
    assert service.view.sequence_gaps_total["battery"] == 1
    await _send(clients["battery"], "telemetry", battery_telemetry(2, soc=0.41).to_json())  # redelivered late
    await _send(clients["battery"], "telemetry", battery_telemetry(3, soc=0.42).to_json())  # duplicate
    assert service.view.assets["battery"].seq == 3
    assert service.view.out_of_order_total["battery"] == 2


async def test_a_restarted_module_starts_its_sequence_again_without_a_gap(site):
    service, clients, clock = site
    clock.t = 5_000.0
    await _send(clients["solar"], "telemetry", solar_telemetry(50).to_json())
    restarted = replace(solar_telemetry(1), timestamp=5_000.0)  # later than seq 50's clock time
    await _send(clients["solar"], "telemetry", restarted.to_json())
    assert service.view.assets["solar"].seq == 1
    assert service.view.sequence_gaps_total["solar"] == 0 and service.view.out_of_order_total["solar"] == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 20.0), st.floats(-1e5, 1e5)), min_size=1, max_size=30))
def test_energy_counters_only_grow_and_add_up_to_the_power_held_between_reports(steps):
    """supplied - consumed is the integral of the held power over every interval within the staleness window."""
    import asyncio

    async def run() -> None:
        hub = InMemoryHub(RouteTable.parse(DEFAULT_ROUTES))
        service = TelemetryService(hub.client("telemetry"), FakeClock(), staleness_s=10.0)
        await service.start()
        battery = hub.client("battery")
        await battery.connect()
        t, expected, previous, seen = 0.0, 0.0, None, (0.0, 0.0)
        for seq, (gap_s, power_w) in enumerate(steps, start=1):
            held_s, t = (t + gap_s) - t, t + gap_s  # as the service sees it: a difference of timestamps
            report = replace(battery_telemetry(seq, power_w=power_w), timestamp=t)
            await battery.send_message("telemetry", Message(report.to_json()))
            if previous is not None and 0 < held_s <= 10.0:
                expected += previous * held_s
            previous = power_w  # a report at the same time with a higher sequence number replaces it too
            now = (service.view.energy_supplied_j["battery"], service.view.energy_consumed_j["battery"])
            assert now[0] >= seen[0] and now[1] >= seen[1] and min(now) >= 0
            seen = now
        assert seen[0] - seen[1] == pytest.approx(expected, rel=1e-9, abs=1e-6)

    asyncio.run(run())
