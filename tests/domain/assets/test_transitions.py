"""Every (state, command) pair of every asset's table: allowed ones move, refused ones raise and change nothing."""

from __future__ import annotations

import pytest

from energy_edge.domain.assets import Battery, Boiler, Solar
from energy_edge.domain.assets.battery import BATTERY_TABLE, BatteryState
from energy_edge.domain.assets.boiler import BOILER_TABLE, BoilerState
from energy_edge.domain.assets.solar import SOLAR_TABLE, SolarState
from energy_edge.domain.errors import NotAllowed
from energy_edge.domain.hardware import BatteryMeasurement

RATED = Solar().config.rated_power_w


def _solar_full() -> Solar:
    solar = Solar()
    solar.limit_w = RATED
    return solar


def _solar_curtailed() -> Solar:
    solar = Solar()
    solar.limit_w = RATED / 2
    return solar


def _battery() -> Battery:
    battery = Battery()
    battery.observe(BatteryMeasurement(power_w=0.0, soc=0.5), now=0.0)
    return battery


# (factory, table, states, method, payload, the table event this call fires)
CASES = [
    (_solar_full, SOLAR_TABLE, SolarState, "start", {}, "start:full"),
    (_solar_curtailed, SOLAR_TABLE, SolarState, "start", {}, "start:curtailed"),
    (Solar, SOLAR_TABLE, SolarState, "stop", {}, "stop"),
    (Solar, SOLAR_TABLE, SolarState, "set_output", {"limit_w": RATED}, "set_output:full"),
    (Solar, SOLAR_TABLE, SolarState, "set_output", {"limit_w": 100.0, "ttl_s": 5}, "set_output:curtailed"),
    (Solar, SOLAR_TABLE, SolarState, "reset", {}, "reset"),
    (_battery, BATTERY_TABLE, BatteryState, "start_charging", {"power_w": 1000}, "start_charging"),
    (_battery, BATTERY_TABLE, BatteryState, "start_discharging", {"power_w": 1000.5}, "start_discharging"),
    (_battery, BATTERY_TABLE, BatteryState, "stop", {}, "stop"),
    (_battery, BATTERY_TABLE, BatteryState, "reset", None, "reset"),
    (Boiler, BOILER_TABLE, BoilerState, "start", {}, "start"),
    (Boiler, BOILER_TABLE, BoilerState, "stop", {}, "stop"),
    (Boiler, BOILER_TABLE, BoilerState, "set_temperature", {"temperature_c": 60}, "set_temperature"),
    (Boiler, BOILER_TABLE, BoilerState, "hold_off", {"ttl_s": 30}, "hold_off"),
    (Boiler, BOILER_TABLE, BoilerState, "reset", {}, "reset"),
]

PAIRS = [
    pytest.param(factory, table, state, method, payload, event, id=f"{factory.__name__}-{state}-{event}")
    for factory, table, states, method, payload, event in CASES
    for state in states
]


@pytest.mark.parametrize("factory, table, state, method, payload, event", PAIRS)
def test_every_method_in_every_state_follows_the_table(factory, table, state, method, payload, event):
    asset = factory()
    asset.machine.state = state
    expected = table.get((state, event))
    if expected is None:
        with pytest.raises(NotAllowed) as refused:
            asset.handle(method, payload, now=0.0)
        assert refused.value.rule == f"{asset.kind}.transition"
        assert refused.value.reason == f"{method} not allowed in {state}"
        assert refused.value.status == 409
        assert asset.state == state
    else:
        assert asset.handle(method, payload, now=0.0)["state"] == expected
        assert asset.state == expected


def test_refusal_message_names_the_rule():
    battery = _battery()
    battery.fault("bms offline")
    with pytest.raises(NotAllowed, match="battery.transition: start_charging not allowed in FAULT"):
        battery.handle("start_charging", {"power_w": 10}, now=0.0)


@pytest.mark.parametrize("factory, table, states", [(Solar, SOLAR_TABLE, SolarState), (Battery, BATTERY_TABLE, BatteryState),
                                                    (Boiler, BOILER_TABLE, BoilerState)])
def test_any_state_may_fault_and_only_fault_may_reset(factory, table, states):
    for state in states:
        asset = factory()
        asset.machine.state = state
        asset.fault("inverter overtemperature")
        assert asset.state == "FAULT"
        assert asset.fault_reason == "inverter overtemperature"
        assert asset.lease.expires_at is None
    assert [s for s in states if (s, "reset") in table] == [states.FAULT]


def test_reset_clears_the_fault_reason_and_notes_it():
    boiler = Boiler()
    boiler.fault("sensor open circuit")
    assert boiler.handle("reset", {}, now=1.0)["state"] == "OFF"
    assert boiler.fault_reason is None
    assert boiler.last_event == "reset to OFF"


def test_state_machine_lists_and_checks_events():
    solar = Solar()
    assert "set_output:curtailed" in solar.machine.events()
    assert solar.machine.allows("start:full")
    assert not solar.machine.allows("reset")


@pytest.mark.parametrize("asset, kind", [(Solar(), "solar"), (Battery(), "battery"), (Boiler(), "boiler")])
def test_telemetry_values_match_the_schema_exactly(asset, kind):
    from energy_edge.domain.telemetry import _KIND_FIELDS, _OPTIONAL_KIND_FIELDS
    values = asset.telemetry_values()
    assert values.keys() == {*_KIND_FIELDS[kind], *_OPTIONAL_KIND_FIELDS.get(kind, ())}
    for name, typ in _KIND_FIELDS[kind].items():
        assert isinstance(values[name], typ)


@pytest.mark.parametrize("table, states", [(SOLAR_TABLE, SolarState), (BATTERY_TABLE, BatteryState),
                                           (BOILER_TABLE, BoilerState)])
def test_every_event_including_internal_ones_follows_the_table(table, states):
    """Internal events (soc_limit, lease_expired, heat, satisfied, fault) too: every pair moves or is refused."""
    from energy_edge.domain.assets.state_machine import StateMachine
    events = {event for _, event in table}
    for state in states:
        for event in events:
            machine = StateMachine("asset", table, state)
            if (state, event) in table:
                assert machine.fire(event) == table[(state, event)]
            else:
                with pytest.raises(NotAllowed, match=f"asset.transition: {event} not allowed in {state}"):
                    machine.fire(event)
                assert machine.state == state
