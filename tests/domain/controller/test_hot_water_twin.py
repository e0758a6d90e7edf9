"""The typical hot-water use through the controller's twin: an object by UTC hour, merged as the hub merges it,
a bad one refused in one sentence naming the hour and the value, and nothing changed."""

from __future__ import annotations

import pytest

from energy_edge.domain.balancing import Policy
from energy_edge.domain.balancing.hourly_profile import HourlyProfile
from energy_edge.domain.errors import InvalidPayload

from .fakes import Site

PROPERTY = "hot_water_litres_per_hour"


@pytest.mark.parametrize(("value", "said"), [
    ([0.0] * 24, "expected an object"),  # twin properties are objects, never arrays
    (60.0, "expected an object"),
    ({"24": 10.0}, "'24' is not an hour"),
    ({"07": 10.0}, "'07' is not an hour"),
    ({"7": -1.0}, 'hour "7": -1 must be >= 0 and <= 100000'),
    ({"7": 1e6}, 'hour "7": 1e+06 must be >= 0 and <= 100000'),
    ({"7": float("nan")}, 'hour "7" must be a finite number'),
    ({"7": True}, 'hour "7" must be a finite number'),
    ({"7": "60"}, 'hour "7" must be a finite number'),
    ({"7": 10**400}, 'hour "7" must be a finite number'),
])
def test_a_bad_profile_is_refused_in_one_sentence_naming_hour_value_and_bound(value, said) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired({PROPERTY: value})
    assert refused.value.rule == PROPERTY and said in refused.value.reason
    assert "\n" not in refused.value.reason and len(refused.value.reason) < 300


@pytest.mark.parametrize(("desired", "field"), [
    ({"cold_water_c": -1}, "cold_water_c"), ({"cold_water_c": 41}, "cold_water_c"),
    ({"boiler_loss_w_per_k": -0.1}, "boiler_loss_w_per_k"), ({"boiler_loss_w_per_k": float("inf")}, "boiler_loss_w_per_k"),
])
def test_bad_tank_properties_are_refused_naming_them(desired, field) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired(desired)
    assert refused.value.rule == field


def test_the_profile_round_trips_as_its_twin_object_with_every_hour() -> None:
    policy = Policy.from_desired({PROPERTY: {"7": 60, "19": 40.5}})
    assert policy.hot_water_litres_per_hour.at(7) == 60.0 and policy.hot_water_litres_per_hour.at(8) == 0.0
    shown = policy.as_dict()[PROPERTY]
    assert list(shown) == [str(h) for h in range(24)] and shown["19"] == 40.5
    assert Policy.from_desired(policy.as_dict()) == policy
    assert Policy().hot_water_litres_per_hour == HourlyProfile()


async def test_through_the_twin_an_hour_is_patched_alone_and_a_bad_document_changes_nothing() -> None:
    site = Site()
    await site.start()
    controller, hub = site.controller, site.hub
    await hub.set_desired("controller", {PROPERTY: {"7": 60.0, "19": 40.0}, "cold_water_c": 12.0})
    reported = hub.twin("controller").reported
    assert reported[PROPERTY]["ac"] == 200 and reported[PROPERTY]["value"] == {"7": 60.0, "19": 40.0}
    assert controller.policy.cold_water_c == 12.0

    await hub.set_desired("controller", {PROPERTY: {"7": 90.0}})  # a merge patch: hour 19 stays
    profile = controller.policy.hot_water_litres_per_hour
    assert (profile.at(7), profile.at(19)) == (90.0, 40.0)

    before = controller.policy
    await hub.set_desired("controller", {PROPERTY: {"8": -5.0}, "export_limit_w": 5_000.0})
    reported = hub.twin("controller").reported
    assert reported[PROPERTY]["ac"] == 400 and 'hour "8": -5 must be >= 0' in reported[PROPERTY]["ad"]
    assert reported["export_limit_w"]["ac"] == 400 and PROPERTY in reported["export_limit_w"]["ad"]
    assert controller.policy == before  # the whole document refused: nothing changed

    await hub.set_desired("controller", {PROPERTY: {"8": None}})  # the bad hour deleted: the document is valid
    assert controller.policy.hot_water_litres_per_hour.at(7) == 90.0 and controller.policy.export_limit_w == 5_000.0
    await hub.set_desired("controller", {PROPERTY: None})  # the property deleted: back to the default
    assert controller.policy.hot_water_litres_per_hour == HourlyProfile()


BY_BOILER = "hot_water_litres_per_hour_by_boiler"


@pytest.mark.parametrize(("value", "rule", "said"), [
    ([{"7": 10.0}], BY_BOILER, "expected an object of boiler module names"),
    ({"Boiler": {"7": 10.0}}, BY_BOILER, "'Boiler' is not a module name"),
    ({"-b": {"7": 10.0}}, BY_BOILER, "'-b' is not a module name"),
    ({"kitchen": {"7": -1.0}}, f"{BY_BOILER}.kitchen", 'hour "7": -1 must be >= 0 and <= 100000'),
    ({"kitchen": [10.0] * 24}, f"{BY_BOILER}.kitchen", "expected an object"),
    ({f"b{i}": {} for i in range(65)}, BY_BOILER, "65 boilers: at most 64"),
])
def test_a_bad_boilers_profile_is_refused_naming_the_boiler_hour_and_bound(value, rule, said) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired({BY_BOILER: value})
    assert refused.value.rule == rule and said in refused.value.reason and "\n" not in refused.value.reason


def test_a_listed_boiler_draws_its_own_profile_the_others_the_sites() -> None:
    policy = Policy.from_desired({PROPERTY: {"7": 60}, BY_BOILER: {"kitchen": {"12": 80}}})
    assert policy.draws_of("kitchen").at(12) == 80.0 and policy.draws_of("kitchen").at(7) == 0.0
    assert policy.draws_of("showers").at(7) == 60.0
    shown = policy.as_dict()[BY_BOILER]
    assert list(shown) == ["kitchen"] and shown["kitchen"]["12"] == 80.0
    assert Policy.from_desired(policy.as_dict()) == policy
    assert Policy.from_desired({BY_BOILER: {"kitchen": {"12": 80}}}).draws_anywhere()
    assert not Policy().draws_anywhere() and Policy().hot_water_litres_per_hour_by_boiler == {}


async def test_through_the_twin_a_boilers_profile_is_set_merged_and_removed() -> None:
    site = Site()
    await site.start()
    controller, hub = site.controller, site.hub
    await hub.set_desired("controller", {BY_BOILER: {"kitchen": {"7": 60.0}, "showers": {"19": 40.0}}})
    assert hub.twin("controller").reported[BY_BOILER]["ac"] == 200
    assert controller.policy.draws_of("kitchen").at(7) == 60.0
    before = controller.policy
    await hub.set_desired("controller", {BY_BOILER: {"kitchen": {"7": "a lot"}}})
    assert hub.twin("controller").reported[BY_BOILER]["ac"] == 400 and controller.policy == before
    await hub.set_desired("controller", {BY_BOILER: {"kitchen": None}})  # the merge patch removes one boiler
    assert set(controller.policy.hot_water_litres_per_hour_by_boiler) == {"showers"}


CAPACITY_BY_BOILER = "boiler_heat_capacity_j_per_k_by_boiler"
LOSS_BY_BOILER = "boiler_loss_w_per_k_by_boiler"


@pytest.mark.parametrize(("name", "value", "rule", "said"), [
    (CAPACITY_BY_BOILER, {"kitchen": 0}, f"{CAPACITY_BY_BOILER}.kitchen", "0 must be > 0 and <= 1e+09"),
    (CAPACITY_BY_BOILER, {"kitchen": 2e9}, f"{CAPACITY_BY_BOILER}.kitchen", "2e+09 must be > 0 and <= 1e+09"),
    (CAPACITY_BY_BOILER, {"kitchen": "big"}, f"{CAPACITY_BY_BOILER}.kitchen", "expected a finite number, got 'big'"),
    (CAPACITY_BY_BOILER, {"kitchen": True}, f"{CAPACITY_BY_BOILER}.kitchen", "expected a finite number"),
    (CAPACITY_BY_BOILER, {"Kitchen": 1e6}, CAPACITY_BY_BOILER, "'Kitchen' is not a module name"),
    (CAPACITY_BY_BOILER, 1e6, CAPACITY_BY_BOILER, "expected an object of boiler module names to numbers"),
    (LOSS_BY_BOILER, {"kitchen": 0}, f"{LOSS_BY_BOILER}.kitchen", "0 must be > 0 and <= 100000"),
    (LOSS_BY_BOILER, {"kitchen": 2e5}, f"{LOSS_BY_BOILER}.kitchen", "200000 must be > 0 and <= 100000"),
    (LOSS_BY_BOILER, {"kitchen": float("nan")}, f"{LOSS_BY_BOILER}.kitchen", "expected a finite number"),
    (LOSS_BY_BOILER, {"-kitchen": 2.0}, LOSS_BY_BOILER, "'-kitchen' is not a module name"),
    (LOSS_BY_BOILER, [2.0], LOSS_BY_BOILER, "expected an object of boiler module names to numbers"),
])
def test_a_bad_tank_size_or_loss_is_refused_naming_the_boiler_value_and_bound(name, value, rule, said) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired({name: value})
    assert refused.value.rule == rule and said in refused.value.reason


def test_a_listed_tank_has_its_own_size_the_others_the_sites() -> None:
    policy = Policy.from_desired({"boiler_heat_capacity_j_per_k": 837_200, CAPACITY_BY_BOILER: {"kitchen": 418_600}})
    assert (policy.capacity_of("kitchen"), policy.capacity_of("showers")) == (418_600.0, 837_200.0)
    assert Policy.from_desired(policy.as_dict()) == policy and policy.knows_tanks()
    assert Policy.from_desired({CAPACITY_BY_BOILER: {"kitchen": 418_600}}).knows_tanks() and not Policy().knows_tanks()


def test_a_listed_tank_has_its_own_standing_loss_the_others_the_sites() -> None:
    policy = Policy.from_desired({"boiler_loss_w_per_k": 2.5, LOSS_BY_BOILER: {"kitchen": 4.0}})
    assert (policy.loss_of("kitchen"), policy.loss_of("showers")) == (4.0, 2.5)
    assert Policy.from_desired(policy.as_dict()) == policy
