"""The site's typical load through the controller's twin: an object of mean W by UTC hour, bounded by the
largest power the controller steers, merged as the hub merges it; a bad one refused in one sentence naming
the hour and the value, and nothing changed. It reaches the load forecast as its prior."""

from __future__ import annotations

import pytest

from energy_edge.domain.balancing import Policy
from energy_edge.domain.balancing.hourly_profile import HourlyProfile
from energy_edge.domain.bounds import MAX_POWER_W
from energy_edge.domain.errors import InvalidPayload

from .fakes import Site

PROPERTY = "load_w_by_hour"


@pytest.mark.parametrize(("value", "said"), [
    ([500.0] * 24, "expected an object"),  # twin properties are objects, never arrays
    (500.0, "expected an object"),
    ({"-1": 10.0}, "'-1' is not an hour"),
    ({"18": -1.0}, 'hour "18": -1 must be >= 0 and <= 1e+07'),
    ({"18": 2 * MAX_POWER_W}, 'hour "18": 2e+07 must be >= 0 and <= 1e+07'),
    ({"18": float("inf")}, 'hour "18" must be a finite number'),
    ({"18": None, "19": "2 kW"}, 'hour "19" must be a finite number'),
])
def test_a_bad_load_profile_is_refused_in_one_sentence_naming_hour_value_and_bound(value, said) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Policy.from_desired({PROPERTY: value})
    assert refused.value.rule == PROPERTY and said in refused.value.reason
    assert "\n" not in refused.value.reason and len(refused.value.reason) < 300


def test_the_load_profile_round_trips_and_defaults_to_unknown() -> None:
    policy = Policy.from_desired({PROPERTY: {"18": 2_400, "19": 3_100.5}})
    assert policy.load_w_by_hour.at(18) == 2_400.0 and policy.load_w_by_hour.at(3) == 0.0
    assert policy.as_dict()[PROPERTY]["19"] == 3_100.5 and Policy.from_desired(policy.as_dict()) == policy
    assert Policy().load_w_by_hour == HourlyProfile()


async def test_through_the_twin_the_profile_reaches_the_forecast_and_a_bad_document_changes_nothing() -> None:
    site = Site()
    await site.start()
    controller, hub = site.controller, site.hub
    await hub.set_desired("controller", {PROPERTY: {str(h): 400.0 for h in range(24)} | {"19": 2_000.0}})
    assert hub.twin("controller").reported[PROPERTY]["ac"] == 200
    await site.cycle()
    forecaster = controller._forecaster  # the one the controller built for the site
    assert forecaster.load_profile.prior is not None and forecaster.load_profile.values[19] == 2_000.0

    await hub.set_desired("controller", {PROPERTY: {"19": 2_500.0}})  # a merge patch: the other hours stay
    await site.cycle()
    assert controller.policy.load_w_by_hour.at(19) == 2_500.0 and controller.policy.load_w_by_hour.at(3) == 400.0
    assert controller._forecaster.load_profile.values[19] == 2_500.0

    before = controller.policy
    await hub.set_desired("controller", {PROPERTY: {"20": -5.0}, "import_limit_w": 5_000.0})
    reported = hub.twin("controller").reported
    assert reported[PROPERTY]["ac"] == 400 and 'hour "20": -5 must be >= 0' in reported[PROPERTY]["ad"]
    assert controller.policy == before  # the whole document refused: nothing changed
