"""The site file: the shipped examples load, and each wrong file is refused with one sentence.

Every refusal goes through the CLI (`energy-edge site check`): exit 2, one line
on stderr naming the file, the asset (or section) and the field, no traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from energy_edge.adapters.site_file import SiteFileError, known_profiles, load_site
from energy_edge.domain.site import BATTERY, BOILER, METER, SOLAR, ModbusHardware, home_site
from energy_edge.entrypoints.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sites"

HEAD = """
[site]
name = "test"
latitude_deg = 52.0
longitude_deg = 5.0
timezone = "Europe/Amsterdam"

[grid]
import_limit_w = 17000.0
export_limit_w = 5000.0
main_fuse_a = 25.0
"""
SOLAR_ASSET = """
[[assets]]
id = "solar-1"
kind = "solar"
rated_power_w = 5000.0
"""
METER_ASSET = """
[[assets]]
id = "grid-meter"
kind = "meter"
[assets.hardware]
type = "modbus"
host = "127.0.0.1"
profile = "sunspec"
"""


def modbus_solar(id_: str = "solar-2", extra: str = 'host = "10.0.0.2"\nprofile = "sunspec"') -> str:
    return f'\n[[assets]]\nid = "{id_}"\nkind = "solar"\nrated_power_w = 3000.0\n[assets.hardware]\ntype = "modbus"\n{extra}\n'


def refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> str:
    path = tmp_path / "site.toml"
    path.write_text(text)
    assert main(["site", "check", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert str(path) in lines[0] and "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize("name", ["home", "factory", "zero-export"])
def test_every_shipped_example_loads_and_checks(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    site = load_site(EXAMPLES / f"{name}.toml")
    assert main(["site", "check", str(EXAMPLES / f"{name}.toml")]) == 0
    out = capsys.readouterr().out
    assert all(asset_id in out for asset_id in site.asset_ids)


def test_home_example_is_todays_site() -> None:
    assert load_site(EXAMPLES / "home.toml") == home_site()
    assert home_site().asset_ids == (SOLAR, BATTERY, BOILER)


def test_factory_example_has_the_promised_shape() -> None:
    site = load_site(EXAMPLES / "factory.toml")
    inverters = site.of_kind(SOLAR)
    assert len(inverters) == 4 and len({s.rated_power_w for s in inverters}) == 4
    assert len(site.of_kind(BATTERY)) == 2 and len(site.of_kind(BOILER)) == 3
    assert site.meter is not None and len(site.of_kind(METER)) == 1
    hardware = {type(spec.hardware) for spec in site.assets}
    assert ModbusHardware in hardware and len(hardware) == 2  # some simulated, some on Modbus


def test_zero_export_example() -> None:
    site = load_site(EXAMPLES / "zero-export.toml")
    assert site.grid.export_limit_w == 0.0 and not site.of_kind(BOILER)


@pytest.mark.parametrize(("text", "expected"), [
    (HEAD + SOLAR_ASSET + SOLAR_ASSET, ["asset 'solar-1'", "field id", "duplicate"]),
    (HEAD + SOLAR_ASSET.replace('"solar"', '"inverter"'), ["asset 'solar-1'", "field kind", "'inverter'", "meter"]),
    (HEAD + SOLAR_ASSET.replace("solar-1", "Solar_Roof"), ["asset 'Solar_Roof'", "field id", "module name"]),
    (HEAD + SOLAR_ASSET.replace("solar-1", "controller"), ["asset 'controller'", "field id", "reserved"]),
    (HEAD + METER_ASSET + modbus_solar(extra='profile = "sunspec"'),
     ["asset 'solar-2'", "field hardware.host", "required"]),
    (HEAD + METER_ASSET + METER_ASSET.replace("grid-meter", "meter-2"), ["asset 'meter-2'", "field kind", "one grid meter"]),
    (HEAD + SOLAR_ASSET + modbus_solar(), ["asset 'solar-2'", "field hardware", "grid meter"]),
    (HEAD + SOLAR_ASSET.replace("5000.0", "2e9"), ["asset 'solar-1'", "field rated_power_w", "2000000000.0", "1000000"]),
    (HEAD + SOLAR_ASSET.replace("5000.0", "-1.0"), ["asset 'solar-1'", "field rated_power_w", "greater than 0"]),
    (HEAD + '\n[[assets]]\nid = "battery-1"\nkind = "battery"\ncapacity_wh = 1e4\nmax_charge_w = 5e3\n'
            'max_discharge_w = 5e3\nsoc_min = 0.9\nsoc_max = 0.2\n', ["asset 'battery-1'", "field soc_max", "soc_min"]),
    (HEAD + '\n[[assets]]\nid = "battery-1"\nkind = "battery"\ncapacity_wh = 1e4\n',
     ["asset 'battery-1'", "field max_charge_w", "required"]),
    (HEAD + SOLAR_ASSET + "heater_power_w = 3000.0\n", ["asset 'solar-1'", "field heater_power_w", "does not apply"]),
    (HEAD + METER_ASSET + modbus_solar(extra='host = "10.0.0.2"\nprofile = "fronius_magic"'),
     ["asset 'solar-2'", "field hardware.profile", "'fronius_magic'", "sunspec"]),
    (HEAD + SOLAR_ASSET + "colour = 'red'\n", ["asset 'solar-1'", "field colour", "not a known field"]),
    (HEAD + SOLAR_ASSET + "[assets.hardware]\ntype = 'simulated'\ninitial_soc = 0.5\n",
     ["asset 'solar-1'", "field hardware.initial_soc", "not a simulator parameter"]),
    (HEAD.replace("Europe/Amsterdam", "Mars/Olympus_Mons") + SOLAR_ASSET, ["[site]", "field timezone", "IANA"]),
    (HEAD.replace("Europe/Amsterdam", "Europe") + SOLAR_ASSET, ["[site]", "field timezone", "'Europe'", "IANA"]),
    (HEAD.replace("Europe/Amsterdam", "z" * 300) + SOLAR_ASSET, ["[site]", "field timezone", "'zzz", "IANA"]),
    (HEAD.replace("17000.0", "90000.0") + SOLAR_ASSET, ["[grid]", "field import_limit_w", "main fuse"]),
    (HEAD.replace("export_limit_w = 5000.0", "export_limit_w = -1.0") + SOLAR_ASSET, ["[grid]", "field export_limit_w"]),
    (HEAD.replace("main_fuse_a = 25.0\n", "") + SOLAR_ASSET, ["[grid]", "field main_fuse_a", "required"]),
    (HEAD, ["[assets]", "required"]),
    (HEAD + SOLAR_ASSET + "[assets.hardware]\ntype = 'serial'\n", ["asset 'solar-1'", "field hardware.type", "'serial'"]),
    (HEAD + SOLAR_ASSET.replace("5000.0", "nan"), ["asset 'solar-1'", "field rated_power_w", "finite"]),
    (HEAD + SOLAR_ASSET.replace("5000.0", "-inf"), ["asset 'solar-1'", "field rated_power_w", "finite"]),
    (HEAD + SOLAR_ASSET.replace("5000.0", '"5000"'), ["asset 'solar-1'", "field rated_power_w", "'5000'", "number"]),
    (HEAD + SOLAR_ASSET.replace("5000.0", "true"), ["asset 'solar-1'", "field rated_power_w", "True", "number"]),
    (HEAD + METER_ASSET + modbus_solar(extra='host = "10.0.0.2"\nport = "502"'),
     ["asset 'solar-2'", "field hardware.port", "'502'", "integer"]),
    (HEAD + "phases = 3.0\n" + SOLAR_ASSET, ["[grid]", "field phases", "3.0", "1 or 3"]),
    (HEAD + METER_ASSET + SOLAR_ASSET + '[assets.hardware]\nhost = "10.0.0.2"\n',
     ["asset 'solar-1'", "field hardware.type", "simulated or modbus"]),
    (HEAD + SOLAR_ASSET + SOLAR_ASSET.replace("solar-1", "Solar-1"), ["asset 'Solar-1'", "field id", "module name"]),
    (HEAD + SOLAR_ASSET.replace("solar-1", "s" * 65), ["field id", "at most 64"]),
    (HEAD + SOLAR_ASSET.replace("5000.0", "9" * 5000), ["malformed TOML", "more than 4300 digits"]),
    (HEAD + "x = " + "[" * 1000 + "]" * 1000 + "\n" + SOLAR_ASSET, ["malformed TOML", "nested too deeply"]),
    # a long value is cut, never what is allowed after it (the line's 300-character cut took that)
    (HEAD + SOLAR_ASSET.replace('"solar"', '"' + "k" * 500 + '"'), ["field kind", "'kkk", "...", "expected one of",
                                                                    "meter"]),
    (HEAD + METER_ASSET + modbus_solar(extra='host = "10.0.0.2"\nprofile = "' + "p" * 500 + '"'),
     ["field hardware.profile", "'ppp", "...", "known: ", "sunspec"]),
], ids=["duplicate-id", "unknown-kind", "invalid-module-name", "reserved-name", "modbus-without-host",
        "two-meters", "no-meter-with-modbus", "rating-too-high", "rating-negative", "soc-band",
        "missing-rating", "foreign-rating", "unknown-profile", "unknown-field", "foreign-sim-parameter",
        "timezone", "timezone-a-folder", "timezone-too-long", "import-above-fuse", "negative-export", "missing-fuse", "no-assets", "unknown-hardware", "nan",
        "inf", "rating-string", "rating-bool", "port-string", "phases-float", "modbus-fields-without-type",
        "id-differing-in-case", "id-too-long", "number-too-long", "nested-too-deep", "kind-too-long",
        "profile-too-long"])
def test_a_wrong_site_file_is_refused_with_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        text: str, expected: list[str]) -> None:
    message = refuse(tmp_path, capsys, text)
    for part in expected:
        assert part in message, (part, message)


def test_malformed_toml_names_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = refuse(tmp_path, capsys, HEAD + '\n[[assets]]\nid = "solar-1\n')
    assert "malformed TOML" in message and "line 14, column 14" in message


def test_missing_file_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", "check", str(tmp_path / "nowhere.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_export_limit_zero_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(HEAD.replace("export_limit_w = 5000.0", "export_limit_w = 0.0") + SOLAR_ASSET)
    assert load_site(path).grid.export_limit_w == 0.0


def test_a_hardware_table_without_type_is_simulated(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(HEAD + SOLAR_ASSET + "[assets.hardware]\ntilt_deg = 30.0\n")
    hardware = load_site(path).asset("solar-1").hardware
    assert not isinstance(hardware, ModbusHardware) and hardware.tilt_deg == 30.0


def test_a_fully_simulated_site_needs_no_meter(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(HEAD + SOLAR_ASSET)
    assert load_site(path).meter is None


def test_profiles_come_from_the_modbus_package_or_the_known_names() -> None:
    profiles = known_profiles()
    assert "sunspec" in profiles and BOILER in profiles["boiler_generic"]


def test_the_console_script_refuses_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(HEAD + SOLAR_ASSET + SOLAR_ASSET)
    done = subprocess.run([sys.executable, "-m", "energy_edge.entrypoints.cli", "site", "check", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_site_file_error_is_a_value_error() -> None:
    assert issubclass(SiteFileError, ValueError)


def test_a_real_array_states_its_plane_for_the_forecast_and_the_modbus_simulator(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Modbus array has no simulator parameters, so its plane is the asset's own `tilt_deg`/`azimuth_deg`:
    the forecast weighs it with the others, and the Modbus site simulator serving it simulates that plane."""
    from energy_edge.adapters.clocks import ManualClock
    from energy_edge.domain.planning.solar_geometry import ArrayPlane
    from energy_edge.entrypoints.factories import array_planes, build_simulated_site

    west = ('[[assets]]\nid = "roof-west"\nkind = "solar"\nrated_power_w = 8000.0\ntilt_deg = 35.0\n'
            'azimuth_deg = 270.0\n[assets.hardware]\ntype = "modbus"\nhost = "127.0.0.1"\nport = 1521\n')
    path = tmp_path / "site.toml"
    path.write_text(HEAD + SOLAR_ASSET + west + METER_ASSET)
    site = load_site(path)
    assert site.asset("roof-west").plane == (35.0, 270.0) and site.asset("solar-1").plane == (0.0, 180.0)
    assert array_planes(site) == (ArrayPlane(5000.0, 0.0, 180.0), ArrayPlane(8000.0, 35.0, 270.0))
    simulator = build_simulated_site(ManualClock(0.0), site).hardware("roof-west")
    assert (simulator.tilt_deg, simulator.azimuth_deg) == (35.0, 270.0)
    assert main(["site", "check", str(path)]) == 0  # the check shows each array's plane
    assert "plane tilt 35° azimuth 270°" in capsys.readouterr().out
    battery = '[[assets]]\nid = "b"\nkind = "battery"\ncapacity_wh = 1000.0\nmax_charge_w = 500.0\n' \
              'max_discharge_w = 500.0\ntilt_deg = 30.0\n'
    path.write_text(HEAD + SOLAR_ASSET + battery)
    with pytest.raises(SiteFileError, match="field tilt_deg: does not apply to a battery"):
        load_site(path)
