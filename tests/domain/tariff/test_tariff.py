"""The twin's `tariff` object: validated field by field, hourly prices by UTC hour, merged as IoT Hub merges."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from energy_edge.domain.desired_document import DesiredDocument
from energy_edge.domain.twin_patch import merge_patch
from energy_edge.domain.errors import InvalidPayload
from energy_edge.domain.tariff import Tariff

HOUR_S = 3_600.0


def test_hourly_prices_override_the_flat_ones_each_day() -> None:
    tariff = Tariff.from_desired({"import_price_per_kwh": 0.3, "feed_in_price_per_kwh": 0.08,
                                  "import_price_by_hour": {"17": 0.45}, "feed_in_price_by_hour": {"12": -0.02},
                                  "demand_charge_per_kw": 9.5})
    day = 86_400.0
    assert tariff.import_price_at(17 * HOUR_S + 10) == tariff.import_price_at(day + 17 * HOUR_S) == 0.45
    assert tariff.import_price_at(16 * HOUR_S) == 0.3 and tariff.feed_in_price_at(12 * HOUR_S) == -0.02
    slots = tariff.slots(now=day + 5 * HOUR_S)
    assert len(slots) == 48 and slots[0].start_s == day and slots[17].import_price_per_kwh == 0.45
    assert tariff.demand_charge_per_kw == 9.5


@pytest.mark.parametrize("document, field", [
    ("cheap", "tariff"),
    ({}, "tariff.import_price_per_kwh"),
    ({"import_price_per_kwh": "0.3"}, "tariff.import_price_per_kwh"),
    ({"import_price_per_kwh": 11.0}, "tariff.import_price_per_kwh"),
    ({"import_price_per_kwh": 0.3, "feed_in_price_per_kwh": True}, "tariff.feed_in_price_per_kwh"),
    ({"import_price_per_kwh": 0.3, "import_price_by_hour": [0.3]}, "tariff.import_price_by_hour"),
    ({"import_price_per_kwh": 0.3, "import_price_by_hour": {"24": 0.3}}, "tariff.import_price_by_hour.24"),
    ({"import_price_per_kwh": 0.3, "import_price_by_hour": {"-1": 0.3}}, "tariff.import_price_by_hour.-1"),
    ({"import_price_per_kwh": 0.3, "feed_in_price_by_hour": {"7": 1e999}}, "tariff.feed_in_price_by_hour.7"),
    ({"import_price_per_kwh": 0.3, "demand_charge_per_kw": -1}, "tariff.demand_charge_per_kw"),
    ({"import_price_per_kwh": 0.3, "currency": "EUR"}, "tariff.currency"),
])
def test_a_wrong_tariff_names_the_field(document, field) -> None:
    with pytest.raises(InvalidPayload) as refused:
        Tariff.from_desired(document)
    assert refused.value.rule == field and refused.value.reason


@given(st.dictionaries(st.sampled_from("abc"), st.one_of(st.none(), st.integers(), st.dictionaries(
    st.sampled_from("xy"), st.one_of(st.none(), st.integers())))), st.dictionaries(st.sampled_from("abc"), st.integers()))
def test_a_merge_patch_keeps_what_it_does_not_name(patch, current) -> None:
    merged = merge_patch(current, patch)
    for key, value in current.items():
        if key not in patch:
            assert merged[key] == value
    for key, value in patch.items():
        assert key not in merged if value is None else key in merged


def test_a_nested_patch_merges_into_the_tariff_in_force() -> None:
    document = DesiredDocument(("tariff",))
    document.take({"$version": 1, "tariff": {"import_price_per_kwh": 0.3, "import_price_by_hour": {"7": 0.4, "8": 0.4}}})
    update = document.take({"$version": 2, "tariff": {"import_price_by_hour": {"8": None, "9": 0.5}}})
    assert update.writable["tariff"] == {"import_price_per_kwh": 0.3, "import_price_by_hour": {"7": 0.4, "9": 0.5}}
