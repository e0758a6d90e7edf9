"""`quick_init` swaps a frozen dataclass's `__init__` for a faster one and changes nothing else."""

from __future__ import annotations

import dataclasses

import pytest

from energy_edge.domain.balancing.snapshot import AssetView
from energy_edge.domain.messages import Message
from energy_edge.domain.quick_init import quick_init
from energy_edge.domain.telemetry import AssetTelemetry


def _pair():
    """The same class twice: as dataclasses makes it, and with quick_init."""
    def make():
        @dataclasses.dataclass(frozen=True, slots=True)
        class Reading:
            name: str
            value: float = 1.5
            tags: dict = dataclasses.field(default_factory=dict)
            unit: str = dataclasses.field(default="W", kw_only=True)
            checked: list = dataclasses.field(default_factory=list, kw_only=True, compare=False)

            def __post_init__(self) -> None:
                self.checked.append(self.value)
        return Reading
    return make(), quick_init(make())


@pytest.mark.parametrize("args, kwargs", [
    (("a",), {}), (("a", 2.0), {}), (("a",), {"value": 3.0, "unit": "kW"}), (("a", 2.0, {"x": 1}), {}),
    ((), {"name": "b", "tags": {"y": 2}}),
])
def test_the_quick_init_builds_what_the_generated_one_builds(args, kwargs):
    generated, quick = _pair()
    expected, built = generated(*args, **kwargs), quick(*args, **kwargs)
    assert dataclasses.asdict(built) == dataclasses.asdict(expected)
    assert built.checked == [built.value]  # __post_init__ ran once


def test_it_refuses_what_the_generated_one_refuses():
    generated, quick = _pair()
    for cls in (generated, quick):
        with pytest.raises(TypeError):
            cls()  # a required field missing
        with pytest.raises(TypeError):
            cls("a", 1.0, {}, "kW")  # a keyword-only field given by position
        with pytest.raises(dataclasses.FrozenInstanceError):
            cls("a").value = 2.0
    assert quick("a").tags is not quick("a").tags  # a fresh default from the factory each time


def test_it_wants_a_slotted_dataclass():
    @dataclasses.dataclass(frozen=True)
    class Plain:
        x: int
    with pytest.raises(TypeError):
        quick_init(Plain)


def test_the_hot_value_types_carry_it_and_stay_frozen():
    view = AssetView("pv", "solar", 100.0, available_power_w=300.0)
    assert (view.module, view.power_w, view.available_power_w, view.soc_max) == ("pv", 100.0, 300.0, 1.0)
    message = Message(b"{}")
    assert message.properties == {} and message.content_type == "application/json" and message.source_module == ""
    telemetry = AssetTelemetry("pv", "solar", 1, 0.0, "RUNNING", 5.0)
    assert telemetry.values == {} and telemetry.fault_reason is None
    for value, field in ((view, "power_w"), (message, "body"), (telemetry, "power_w")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, field, 0.0)
