"""Register maps are data: the shipped ones load, a malformed one stops start-up naming the entry."""

from __future__ import annotations

import json

import pytest

from energy_edge.adapters.hardware.modbus.register_map import (
    BOILER_MAP_FILE,
    SUNSPEC_MODELS_FILE,
    RegisterMapError,
    load_boiler_map,
    load_meter_map,
    load_sunspec_models,
)


def test_shipped_sunspec_models_cover_every_model_the_drivers_use():
    table = load_sunspec_models()
    assert {1, 101, 102, 103, 120, 121, 123, 124, 201, 202, 203, 204, 701, 704, 802} <= set(table.by_id)
    assert table.by_id[203].by_name["TotWhImp"].offset == 46 and table.by_id[203].length == 105
    assert table.by_id[123].by_name["WMaxLimPct_RvrtTms"].offset == 7
    assert table.by_id[704].by_name["WMaxLimPctRvrtTms"].type == "uint32"


def test_every_shipped_scale_factor_documents_its_range():
    for model in load_sunspec_models().models:
        for point in model.points:
            if point.type == "sunssf":
                assert point.sf_range is not None, f"model {model.id} {point.name}"
                assert -10 <= point.sf_range[0] <= point.sf_range[1] <= 10


def test_shipped_boiler_map_has_the_four_points():
    assert set(load_boiler_map().by_name) == {"temperature_c", "setpoint_c", "heater_on", "power_w"}


def _write(tmp_path, document) -> str:
    path = tmp_path / "map.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def _sunspec_with(edit) -> dict:
    document = json.loads(SUNSPEC_MODELS_FILE.read_text())
    edit(document)
    return document


def _model(document: dict, model_id: int) -> dict:
    return next(model for model in document["models"] if model["id"] == model_id)


def _point(document: dict, model_id: int, name: str) -> dict:
    return next(point for point in _model(document, model_id)["points"] if point["name"] == name)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: _point(d, 123, "WMaxLimPct").update(type="uint17"), r"\(id 123, immediate_controls\)\.points\[\d+\] \(WMaxLimPct\)\.type"),
        (lambda d: _point(d, 124, "ChaState").update(sf="NoSuch_SF"), r"id 124.*'ChaState': scale factor 'NoSuch_SF'"),
        (lambda d: _point(d, 103, "W").update(offset=60), r"id 103.*'W' \(offset 60.*beyond the model length 50"),
        (lambda d: _point(d, 121, "WMax").update(offset=-1), r"\(WMax\)\.offset: Input should be greater than or equal to 2"),
        (lambda d: _point(d, 120, "WRtg").update(unit="W"), r"\(WRtg\)\.unit: Extra inputs are not permitted"),
        (lambda d: d["models"].append(_model(d, 1)), r"duplicate model ids \[1\]"),
        (lambda d: _point(d, 802, "SoC_SF").update(sf_range=[-3, 11]), r"\(SoC_SF\): Value error, sf_range \[-3, 11\] must be low <= high within -10..10"),
        (lambda d: _point(d, 802, "SoC").update(sf_range=[-3, 0]), r"\(SoC\): Value error, 'sf_range' belongs on a sunssf point"),
    ],
)
def test_malformed_sunspec_map_names_the_bad_entry(tmp_path, edit, expected):
    path = _write(tmp_path, _sunspec_with(edit))
    with pytest.raises(RegisterMapError, match=expected) as error:
        load_sunspec_models(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([p for p in json.loads(BOILER_MAP_FILE.read_text())["points"] if p["name"] != "power_w"], r"missing points \['power_w'\]"),
        ([{"name": "temperature_c", "address": 0, "type": "int16"}, {"name": "setpoint_c", "address": 0, "type": "int16", "access": "rw"}],
         r"'setpoint_c' overlaps 'temperature_c' at register 0"),
        ([{"name": "temperature_c", "address": 0, "type": "int16", "scale": 0}], r"points\[0\] \(temperature_c\)\.scale"),
    ],
)
def test_malformed_boiler_map_names_the_bad_entry(tmp_path, points, expected):
    path = _write(tmp_path, {"points": points})
    with pytest.raises(RegisterMapError, match=expected):
        load_boiler_map(path)


def test_a_read_only_control_point_is_refused(tmp_path):
    document = json.loads(BOILER_MAP_FILE.read_text())
    next(p for p in document["points"] if p["name"] == "heater_on")["access"] = "r"
    with pytest.raises(RegisterMapError, match=r"\['heater_on'\] must have access 'rw'"):
        load_boiler_map(_write(tmp_path, document))


def test_a_key_twice_in_a_map_is_refused_naming_it(tmp_path):
    """A copied map edited twice over: the reader kept the last address, the user may have meant the first."""
    text = ('{"points": [{"name": "temperature_c", "address": 0, "address": 40, "type": "int16"},'
            ' {"name": "setpoint_c", "address": 1, "type": "int16", "access": "rw"}]}')
    path = _write(tmp_path, text)
    with pytest.raises(RegisterMapError, match=r"invalid register map: key 'address' appears more than once") as error:
        load_boiler_map(path)
    assert str(path) in str(error.value)


def test_unreadable_json_is_a_clear_error(tmp_path):
    with pytest.raises(RegisterMapError, match=r"cannot read map: Expecting"):
        load_sunspec_models(_write(tmp_path, "{not json"))


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([{"name": "power_l1_w", "address": 0, "type": "float32"}], r"missing points \['power_w'\] \(a meter map needs"),
        ([{"name": "power_w", "address": 0, "type": "float32"}, {"name": "current_a", "address": 2, "type": "float32"}],
         r"unknown points \['current_a'\]"),
        ([{"name": "power_w", "address": 0, "type": "float32", "scale": float("inf")}], r"\(power_w\)\.scale"),
    ],
)
def test_malformed_meter_map_names_the_bad_entry(tmp_path, points, expected):
    path = _write(tmp_path, {"kind": "meter", "points": points})
    with pytest.raises(RegisterMapError, match=expected):
        load_meter_map(path)


def test_a_boiler_map_is_not_taken_for_a_meter():
    with pytest.raises(RegisterMapError, match=r"boiler_generic.json: invalid register map: kind 'boiler': this is not a meter map"):
        load_meter_map(BOILER_MAP_FILE)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: _point(d, 103, "W").update(offset=15), r"\(id 103, inverter_three_phase\): Value error, point 'W_SF' overlaps 'W' at offset 15"),
        (lambda d: _point(d, 103, "W").update(size=2), r"\(W\): Value error, 'size' belongs on a string point \(int16 has 1 register"),
        (lambda d: _point(d, 701, "W_SF").update(offset=130), r"\(id 701, der_ac_measurement\): Value error, point 'W_SF' ends at offset 130; "
                                                              r"a model's points must lie within its first 125 registers"),
        (lambda d: _point(d, 103, "W").update(offset=True), r"\(W\)\.offset: Input should be a valid integer"),
        (lambda d: _point(d, 103, "W").update(offset="14"), r"\(W\)\.offset: Input should be a valid integer"),
        (lambda d: _point(d, 802, "SoC_SF").update(sf_range=[True, 0]), r"\(SoC_SF\)\.sf_range\[0\]: Input should be a valid integer"),
    ],
)
def test_a_sunspec_map_that_would_misread_a_device_names_the_entry(tmp_path, edit, expected):
    """Overlapping points, a size on a number, a model read in more than one request (a value and its
    scale factor from two answers), a boolean or text where a register offset goes."""
    path = _write(tmp_path, _sunspec_with(edit))
    with pytest.raises(RegisterMapError, match=expected) as error:
        load_sunspec_models(path)
    assert str(path) in str(error.value)


BOILER_POINTS = [{"name": "setpoint_c", "address": 1, "type": "int16", "access": "rw"},
                 {"name": "heater_on", "address": 2, "type": "uint16", "access": "rw"}, {"name": "power_w", "address": 3, "type": "uint16"}]


@pytest.mark.parametrize(
    ("temperature", "expected"),
    [
        ({"address": 65535, "type": "int32"}, r"points\[0\] \(temperature_c\): Value error, registers 65535..65536 run beyond 65535"),
        ({"address": 1001, "type": "int16"}, r"points span registers 1..1001 \(1001 registers\); at most 1000"),
        ({"address": True, "type": "int16"}, r"points\[0\] \(temperature_c\)\.address: Input should be a valid integer"),
        ({"address": "0", "type": "int16"}, r"points\[0\] \(temperature_c\)\.address: Input should be a valid integer"),
        ({"address": 0, "type": "int16", "scale": True}, r"points\[0\] \(temperature_c\)\.scale: Input should be a valid number"),
        ({"address": 0, "type": "int16", "no_reading": [70000]}, r"\(temperature_c\): Value error, no_reading 70000 does not fit int16 \(0..65535: its registers, unsigned\)"),
        ({"address": 0, "type": "int16", "no_reading": [-1]}, r"no_reading -1 does not fit int16 \(0..65535: its registers, unsigned\)"),
    ],
)
def test_a_register_map_that_would_misread_a_device_names_the_entry(tmp_path, temperature, expected):
    """A point past the last register, a span read in hundreds of requests every poll, a boolean or text
    where an address goes, a "no reading" content the point's registers can never hold."""
    path = _write(tmp_path, {"points": [{"name": "temperature_c", **temperature}, *BOILER_POINTS]})
    with pytest.raises(RegisterMapError, match=expected) as error:
        load_boiler_map(path)
    assert str(path) in str(error.value)
