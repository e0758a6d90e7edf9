"""Setpoint -> direct method mapping and the send-again rule."""

from __future__ import annotations

import pytest

from energy_edge.domain.balancing import Setpoint
from energy_edge.domain.services.setpoint_commands import SentCommand, command_for, needs_sending


@pytest.mark.parametrize(
    ("setpoint", "method", "payload"),
    [
        (Setpoint("battery", -2_500.04, -2_500.04), "start_charging", {"power_w": 2_500.0, "ttl_s": 20.0}),
        (Setpoint("battery", 1_000.0, 1_000.0), "start_discharging", {"power_w": 1_000.0, "ttl_s": 20.0}),
        (Setpoint("battery", 4.0, 4.0), "stop", {}),
        (Setpoint("solar", 3_000.0, 2_000.0), "set_output", {"limit_w": 3_000.0, "ttl_s": 20.0}),
        (Setpoint("boiler", 85.0, -3_000.0, True), "set_temperature", {"temperature_c": 85.0, "ttl_s": 20.0}),
        (Setpoint("boiler", 40.0, 0.0, False, hold_off=True), "hold_off", {"ttl_s": 20.0}),
    ],
)
def test_each_setpoint_maps_to_its_method(setpoint: Setpoint, method: str, payload: dict) -> None:
    command = command_for(setpoint, 20.0)
    assert (command.method, command.payload) == (method, payload)


def test_sent_again_only_when_changed_beyond_tolerance_or_at_half_the_lease() -> None:
    charge = command_for(Setpoint("battery", -2_000.0, -2_000.0), 20.0)
    sent = SentCommand(charge, at=100.0)
    assert needs_sending("battery", charge, None, 100.0, 10.0)
    assert not needs_sending("battery", command_for(Setpoint("battery", -2_005.0, 0), 20.0), sent, 101.0, 10.0)
    assert needs_sending("battery", command_for(Setpoint("battery", -2_050.0, 0), 20.0), sent, 101.0, 10.0)
    assert needs_sending("battery", command_for(Setpoint("battery", 2_000.0, 0), 20.0), sent, 101.0, 10.0)
    assert not needs_sending("battery", charge, sent, 109.9, 10.0)
    assert needs_sending("battery", charge, sent, 110.0, 10.0)
    stop = command_for(Setpoint("battery", 0.0, 0.0), 20.0)
    assert not needs_sending("battery", stop, SentCommand(stop, 100.0), 1_000.0, 10.0)  # no lease to refresh
