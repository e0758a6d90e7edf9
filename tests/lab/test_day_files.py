"""Days and sites from files: valid shapes run, anything wrong is one sentence naming file and field."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from energy_edge_lab.cli import main
from energy_edge_lab.day_file import DayFileError
from energy_edge_lab.day_scenario import day_scenario, scenario_for
from energy_edge_lab.kpis import compute_kpis
from energy_edge_lab.simulated_hardware import build_site
from energy_edge.adapters.clocks import ManualClock

pytest.importorskip("scipy")

SITE = """
name = "zero-export farm"
latitude = 48.1
longitude = 11.6
timezone = "Europe/Berlin"
[limits]
export_limit_w = 0
import_limit_w = 25000
[assets.solar]
rated_power_w = 20000
[assets.battery]
capacity_wh = 30000
max_charge_w = 10000
max_discharge_w = 10000
"""

DAY = """
date = 2026-06-10
site = "site.toml"
[weather]
clear_sky_fraction = [["00:00", 0.9], ["12:00", 0.6], ["24:00", 0.9]]
clouds = [{start = "12:00:00", duration_s = 40, depth = 0.8}]
[load]
base_w = 3000
blocks = [{start = "18:00", duration_min = 30, power_w = 8000}]
[tariff]
import_price_per_kwh = 0.3
feed_in_price_per_kwh = -0.02
time_of_use = [{start = "17:00", end = "21:00", import_price_per_kwh = 0.45}]
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "site.toml").write_text(SITE)
    (tmp_path / "day.toml").write_text(DAY)
    return tmp_path


def test_a_day_in_local_time_on_a_site_without_boiler_at_zero_export(folder):
    scenario = day_scenario(folder / "day.toml")
    assert scenario.assets.boiler is None and scenario.limits.export_limit_w == 0
    assert scenario.timezone == "Europe/Berlin" and scenario.utc_offset_s == 7200
    clock = ManualClock(scenario.midnight_epoch_s + 12 * 3600)  # local noon: the cloud's start
    site = build_site(scenario, clock)
    shaded = site.pv.available_power_w()
    clock.advance(40)  # the cloud has passed
    assert shaded == pytest.approx(site.pv.available_power_w() * 0.2, rel=0.01)
    # the load's block is at 18:00 local time
    assert site.load.power_w(scenario.midnight_epoch_s + 18.25 * 3600) == pytest.approx(11_000)


def test_the_optimum_runs_a_file_day_and_holds_zero_export(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["simulate", "--day", str(folder / "day.toml"), "--policy", "optimum", "--out", str(out)]) == 0
    report = json.loads((out / "day_optimum.json").read_text())
    assert report["kpis"]["export_limit_breach_s"] == 0 and report["import_limit_feasible"] is True
    assert (out / "day_optimum.png").exists()


def test_a_json_day_with_a_csv_pv_series_and_no_battery(tmp_path):
    (tmp_path / "pv.csv").write_text("time,pv_w\n06:00,0\n12:00,9000\n18:00:30,0\n")
    (tmp_path / "load.csv").write_text("0,500\n24,500\n")
    site = json.loads(json.dumps({"latitude": 60.0, "longitude": 10.0, "limits": {"export_limit_w": 3000,
                                  "import_limit_w": 10000}, "assets": {"solar": {"rated_power_w": 8000}}}))
    (tmp_path / "site.json").write_text(json.dumps(site))
    (tmp_path / "day.json").write_text(json.dumps({"date": "2026-03-01", "weather": {"pv_csv": "pv.csv"},
                                                   "load": {"csv": "load.csv"}}))
    scenario = scenario_for(site=str(tmp_path / "site.json"), day=str(tmp_path / "day.json"))
    assert scenario.assets.battery is None and scenario.assets.boiler is None
    clock = ManualClock(scenario.midnight_epoch_s + 12 * 3600)
    hardware = build_site(scenario, clock)
    assert hardware.pv.available_power_w() == 8000  # 9 kW measured, clipped at the rating
    assert hardware.load.power_w(clock.now()) == 500


@pytest.mark.parametrize("mutation, expected", [
    (lambda d: d.replace('start = "12:00:00"', 'start = "25:00"'), "day.toml: field weather.clouds.0.start"),
    (lambda d: d.replace("depth = 0.8", "depth = 1.5"), "day.toml: field weather.clouds.0.depth = 1.5"),
    (lambda d: d.replace("duration_s = 40", "duration_s = 40, duration_min = 1"), "exactly one of duration"),
    (lambda d: d + "\n[limits]\nexport_limit_w = -1\n", "day.toml: field limits.export_limit_w = -1"),
    (lambda d: d.replace("[load]", "[lode]"), "day.toml: field lode"),
    (lambda d: d.replace('["12:00", 0.6]', '["25:00", 0.6]'),
     "day.toml: field weather.clear_sky_fraction = [['00:00', 0.9], ['25:00', 0.6], ['24:00', 0.9]]: '25:00' is outside"),
    (lambda d: d.replace('["12:00", 0.6]', '["noon", 0.6]'), "'noon' is not a time of day"),
    (lambda d: d.replace('["12:00", 0.6]', '["00:00", 0.6]'), "clear_sky_fraction = [['00:00', 0.9], ['00:00', 0.6], "
                                                             "['24:00', 0.9]]: two points at the same time of day"),
    (lambda d: d.replace('[["00:00", 0.9], ["12:00", 0.6], ["24:00", 0.9]]', "[]"),
     "field weather.clear_sky_fraction = []: give one fraction, or at least one (time, fraction) point"),
    (lambda d: d.replace("date = 2026-06-10", "date = 2026-13-10"), "day.toml: not valid TOML"),
    # a local midnight before year 1 east of UTC was 'ValueError: year 0 is out of range' (exit 1)
    (lambda d: d.replace("date = 2026-06-10", "date = 0001-01-01"),
     "day.toml: field date = 0001-01-01: Input should be greater than or equal to 1971-01-01"),
    (lambda d: d.replace("date = 2026-06-10", "date = 9999-12-31"),
     "day.toml: field date = 9999-12-31: Input should be less than or equal to 9998-12-31"),
    (lambda d: d + "\n[initial]\nbattery_soc = 0.95\n", "initial_soc must lie in [soc_min, soc_max]"),
    # every number finite and within its physical bound (energy_edge_lab/bounds.py); TOML spells inf and nan
    (lambda d: d.replace("base_w = 3000", "base_w = inf"), "field load.base_w = inf: Input should be a finite"),
    (lambda d: d.replace("base_w = 3000", "base_w = 1e300"), "field load.base_w = 1e+300: Input should be less"),
    (lambda d: d.replace("import_price_per_kwh = 0.3", "import_price_per_kwh = nan"),
     "field tariff.import_price_per_kwh = nan"),
    (lambda d: d.replace("import_price_per_kwh = 0.3", "import_price_per_kwh = 11"),
     "field tariff.import_price_per_kwh = 11: Input should be less than or equal to 10"),
    (lambda d: d.replace("power_w = 8000", "power_w = 2e7"), "field load.blocks.0.power_w = 20000000.0"),
    (lambda d: d.replace("duration_s = 40", "duration_s = 1e9"), "field weather.clouds.0.duration_s"),
    (lambda d: d + "\n[limits]\nimport_limit_w = inf\n", "field limits.import_limit_w = inf"),
    (lambda d: d + "\n[hot_water]\nlitres_per_hour = { 7 = 1e300 }\n", "field hot_water.litres_per_hour.7"),
    (lambda d: d.replace("[tariff]", "[tariff]\ndemand_charge_per_kw = inf"), "field tariff.demand_charge_per_kw"),
    (lambda d: d.replace("[load]", "[load]\nseed = -1"), "field load.seed = -1"),
    # beyond what the parser reads: one sentence, not its ValueError or RecursionError
    (lambda d: d.replace("base_w = 3000", "base_w = " + "9" * 5000),
     "day.toml: not valid TOML: a number of more than 4300 digits"),
    (lambda d: d + "\nx = " + "[" * 1000 + "]" * 1000 + "\n", "day.toml: not valid TOML: arrays or tables nested too"),
    # a fraction is a number, not TOML's true; the random sky is instead of the stated one, not with it
    (lambda d: d.replace('[["00:00", 0.9], ["12:00", 0.6], ["24:00", 0.9]]', "true"),
     "field weather.clear_sky_fraction = True: a fraction is a number in 0..1"),
    (lambda d: d.replace('["12:00", 0.6]', '["12:00", true]'), "not true or false"),
    (lambda d: d.replace("[weather]", "[weather]\nmean_clearness = 0.6"),
     "field weather = a table: give clear_sky_fraction or mean_clearness"),
    # a long value is cut in the sentence (it was echoed whole: 100 KB, 2976 hours, a 3000-digit key)
    (lambda d: d.replace('start = "12:00:00"', 'start = "' + "x" * 100_000 + '"'), "…(+99802 chars) is not a time of day"),
    (lambda d: d + "\n[hot_water]\nlitres_per_hour = {" + ", ".join(f"{h} = 1" for h in range(24, 3000)) + "}\n",
     "hours must be 0..23, got 24, 25, 26"),
    (lambda d: d.replace("[load]", "[load]\n" + "9" * 3000 + " = 1"), "field load.9999999999"),
    # a name becomes the output's file name: never a path out of --out
    (lambda d: 'name = "../../escaped"\n' + d, "field name = '../../escaped': a name is a plain file name"),
])
def test_a_wrong_day_is_one_sentence_naming_the_file_and_field(folder, capsys, mutation, expected):
    (folder / "day.toml").write_text(mutation(DAY))
    assert main(["simulate", "--day", str(folder / "day.toml"), "--policy", "none"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert len(err) < 600, err[:600]


@pytest.mark.parametrize("field, rows, expected", [
    ("pv_csv", "0,100\n12,nan\n", "line 2: value 'nan' is not a number in 0..10000000 W"),
    ("pv_csv", "0,1e308\n", "line 1: value '1e308' is not a number in 0..10000000 W"),
    ("pv_csv", "0,100\n12,lots\n", "line 2: value 'lots' is not a number in 0..10000000 W"),
    ("irradiance_csv", "0,0\n12,1600\n", "line 2: value '1600' is not a number in 0..1500 W/m²"),
    ("irradiance_csv", "0,-5\n", "line 1: value '-5' is not a number in 0..1500 W/m²"),
    ("csv", "time,load_w\n0,inf\n", "line 2: value 'inf' is not a number in 0..10000000 W"),
    ("csv", '0,1\n1,"' + "9" * 200_000 + "\n", "line 2: not a time,value row (field larger than field limit"),
])
def test_a_csv_value_outside_its_physical_bound_names_its_line(folder, field, rows, expected):
    (folder / "series.csv").write_text(rows)
    section = "[load]" if field == "csv" else "[weather]"
    (folder / "day.toml").write_text(DAY.replace(section, f'{section}\n{field} = "series.csv"'))
    with pytest.raises(DayFileError, match="series.csv: " + re.escape(expected)):
        day_scenario(folder / "day.toml")


def test_a_file_that_is_not_text_is_one_sentence(folder, capsys):
    (folder / "series.csv").write_bytes(b"\xff\xfe\x00garbage")
    (folder / "day.toml").write_text(DAY.replace("[weather]", '[weather]\npv_csv = "series.csv"'))
    with pytest.raises(DayFileError, match=r"series.csv: not UTF-8 text"):
        day_scenario(folder / "day.toml")
    (folder / "day.toml").write_bytes(b"\xff\xfe\x00garbage")
    assert main(["simulate", "--day", str(folder / "day.toml"), "--policy", "none"]) == 2
    err = capsys.readouterr().err
    assert "day.toml: not UTF-8 text" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("text, expected", [
    ('{"date": "2026-06-10", "load": {"seed": ' + "9" * 5000 + "}}", "a number of more than 4300 digits"),
    ('{"date": "2026-06-10", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "arrays or tables nested too deeply to read"),
])
def test_a_json_day_or_site_beyond_the_parser_is_one_sentence(folder, capsys, text, expected):
    (folder / "day.json").write_text(text)
    assert main(["simulate", "--day", str(folder / "day.json"), "--site", str(folder / "site.toml"),
                 "--policy", "none"]) == 2
    err = capsys.readouterr().err
    assert f"day.json: not valid JSON: {expected}" in err and len(err.strip().splitlines()) == 1
    (folder / "site.json").write_text(text)
    assert main(["simulate", "--day", str(folder / "day.toml"), "--site", str(folder / "site.json"),
                 "--policy", "none"]) == 2
    assert f"site.json: not valid JSON: {expected}" in capsys.readouterr().err


def test_a_key_twice_in_a_json_day_site_or_scenario_is_one_sentence_naming_file_and_key(folder, tmp_path, capsys):
    """The last one used to win: a day could say 3 kW of load where its reader saw 30 (TOML refuses it itself)."""
    (folder / "day.json").write_text('{"date": "2026-06-10", "load": {"base_w": 3000, "base_w": 30000}}')
    assert main(["simulate", "--day", str(folder / "day.json"), "--site", str(folder / "site.toml"),
                 "--policy", "none"]) == 2
    err = capsys.readouterr().err
    assert "day.json: key 'base_w' appears more than once in one object" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    (folder / "site.json").write_text('{"name": "farm", "latitude": 48.1, "latitude": -48.1, "assets": {}}')
    assert main(["simulate", "--day", str(folder / "day.toml"), "--site", str(folder / "site.json"),
                 "--policy", "none"]) == 2
    assert "site.json: key 'latitude' appears more than once" in capsys.readouterr().err
    shipped = Path(__file__).resolve().parents[2] / "src" / "energy_edge_lab" / "scenarios" / "winter_day.json"
    (tmp_path / "mine.json").write_text(shipped.read_text().replace('{', '{"name": "x", ', 1))
    assert main(["simulate", "--scenario", str(tmp_path / "mine.json"), "--policy", "none"]) == 2
    assert "mine.json: key 'name' appears more than once" in capsys.readouterr().err


def test_a_scenario_file_is_read_as_a_day_file_is(tmp_path, capsys):
    shipped = Path(__file__).resolve().parents[2] / "src" / "energy_edge_lab" / "scenarios" / "winter_day.json"
    (tmp_path / "mine.json").write_text(shipped.read_text())
    assert scenario_for(str(tmp_path / "mine.json")).name == "winter_day"
    (tmp_path / "mine.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "folder.json").mkdir()
    for name, expected in [("mine.json", "not UTF-8 text"), ("folder.json", "cannot read it"),
                           ("missing.json", "cannot read it")]:
        assert main(["simulate", "--scenario", str(tmp_path / name), "--policy", "none"]) == 2
        err = capsys.readouterr().err
        assert f"{name}: {expected}" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_wrong_site_and_a_missing_csv_name_their_file(folder, capsys):
    (folder / "site.toml").write_text(SITE.replace("rated_power_w = 20000", "rated_power_w = -5"))
    with pytest.raises(DayFileError, match=r"site.toml: field assets.solar.rated_power_w = -5"):
        day_scenario(folder / "day.toml")
    (folder / "site.toml").write_text(SITE.replace("capacity_wh = 30000", "capacity_wh = inf"))
    with pytest.raises(DayFileError, match=r"site.toml: field assets.battery.capacity_wh = inf: Input should be a fin"):
        day_scenario(folder / "day.toml")
    (folder / "site.toml").write_text(SITE.replace("max_charge_w = 10000", "max_charge_w = 1e12"))
    with pytest.raises(DayFileError, match=r"site.toml: field assets.battery.max_charge_w = 1000000000000.0: Input should be less"):
        day_scenario(folder / "day.toml")
    (folder / "site.toml").write_text(SITE.replace("capacity_wh = 30000", ""))
    with pytest.raises(DayFileError, match=r"site.toml: field assets.battery.capacity_wh is missing, and it is required$"):
        day_scenario(folder / "day.toml")
    (folder / "site.toml").write_text(SITE)
    (folder / "day.toml").write_text(DAY.replace("[weather]", '[weather]\npv_csv = "missing.csv"'))
    with pytest.raises(DayFileError, match=r"missing.csv: cannot read it"):
        day_scenario(folder / "day.toml")


@pytest.mark.parametrize("zone", ["Europe", "z" * 300])
def test_a_site_time_zone_that_is_a_folder_or_too_long_is_one_sentence(folder, capsys, zone):
    (folder / "site.toml").write_text(SITE.replace("Europe/Berlin", zone))
    assert main(["simulate", "--day", str(folder / "day.toml"), "--policy", "none"]) == 2
    err = capsys.readouterr().err
    assert f"field timezone = '{zone[:20]}" in err and "unknown time zone" in err and "zoneinfo" not in err


def test_quality_runs_a_folder_of_days(folder, tmp_path, capsys):
    days = tmp_path / "days"
    days.mkdir()
    (days / "a.toml").write_text(DAY.replace('site = "site.toml"', 'site = "../site.toml"'))
    (days / "b.json").write_text(json.dumps({"date": "2026-12-01", "site": "winter_day",
                                             "weather": {"mean_clearness": 0.5, "seed": 3}}))
    results = tmp_path / "bench-results.json"
    code = main(["quality", "--days", str(days), "--duration-days", "0.01", "--jobs", "1",
                 "--results", str(results)])
    out = capsys.readouterr().out
    assert code in (0, 1)  # whether so short a window meets the targets is not this test's point
    rows = [line.split()[0] for line in out.splitlines()[3:5]]
    assert rows == ["a", "b"]
    assert "savings ratio over" in out or "no savings ratio" in out
    assert json.loads(results.read_text())["quality_days_days"]["value"] == 2


def test_only_keeps_the_days_whose_name_contains_the_text(folder, tmp_path, capsys):
    days = tmp_path / "days"
    days.mkdir()
    for name in ("a", "b"):
        (days / f"{name}.toml").write_text(DAY.replace('site = "site.toml"', 'site = "../site.toml"'))
    results = tmp_path / "bench-results.json"
    main(["quality", "--days", str(days), "--only", "b", "--duration-days", "0.01", "--jobs", "1",
          "--results", str(results)])
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()[3:4]] == ["b"]
    assert json.loads(results.read_text())["quality_days_days"]["value"] == 1


def test_an_empty_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["quality", "--days", str(tmp_path)]) == 2
    assert "no day files" in capsys.readouterr().err


def test_the_project_site_file_is_a_site_for_the_lab(tmp_path):
    """examples/sites/zero-export.toml (docs/site-file.md) through the edge's loader: no boiler, 0 W export."""
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "day.toml").write_text(DAY.replace('site = "site.toml"', ""))
    scenario = scenario_for(site=str(root / "examples" / "sites" / "zero-export.toml"), day=str(tmp_path / "day.toml"))
    assert scenario.limits.export_limit_w == 0 and scenario.assets.boiler is None
    assert scenario.assets.battery.initial_soc == 0.3 and scenario.assets.solar.tilt_deg == 30.0


@pytest.mark.parametrize("low, high", [(0.0, 30.0), (50.0, 52.0)])
def test_a_site_files_boiler_of_any_allowed_band_is_a_lab_boiler(tmp_path, low, high):
    """A site file's band is any min < max in 0..100 °C: a minimum of 0 °C is kept (it read as none, 45 °C, above
    the maximum), and a band narrower than the thermostat's 5 K gets a hysteresis within it (both refused)."""
    text = (Path(__file__).resolve().parents[2] / "examples" / "sites" / "zero-export.toml").read_text()
    (tmp_path / "site.toml").write_text(text + f'\n[[assets]]\nid = "tank"\nkind = "boiler"\nheater_power_w = 2000.0\n'
                                        f"min_temperature_c = {low}\nmax_temperature_c = {high}\n")
    (tmp_path / "day.toml").write_text(DAY.replace('site = "site.toml"', ""))
    tank = scenario_for(site=str(tmp_path / "site.toml"), day=str(tmp_path / "day.toml")).assets.boiler
    assert (tank.min_temperature_c, tank.max_temperature_c) == (low, high) and tank.hysteresis_c <= high - low

def test_a_shipped_day_by_name_runs_on_the_site_it_is_given(folder):
    """`--day NAME` is the shipped day; with `--site` it runs there (never quietly on its own site): the
    site's position and assets, the day's sky, load and tariff, each grid limit the tighter one."""
    shipped = scenario_for(day="peak_shaving_day")
    assert shipped == scenario_for(scenario="peak_shaving_day")
    moved = scenario_for(scenario="peak_shaving_day", site=str(folder / "site.toml"))
    assert moved.profiles.pv.latitude == 48.1 and moved.timezone == "Europe/Berlin"
    assert moved.assets.boiler is None and moved.assets.battery.capacity_wh == 30000
    assert moved.limits.export_limit_w == 0
    assert moved.limits.import_limit_w == min(25000, shipped.limits.import_limit_w)
    assert moved.tariff == shipped.tariff and moved.profiles.base_load == shipped.profiles.base_load


def test_generated_days_run_on_a_users_site_as_days_not_as_the_suite(folder, tmp_path, capsys):
    results = tmp_path / "bench.json"
    code = main(["quality", "--generated", "2", "--only", "g01", "--site", str(folder / "site.toml"),
                 "--duration-days", "0.02", "--jobs", "1", "--results", str(results)])
    assert code in (0, 1)
    merged = json.loads(results.read_text())
    assert "quality_days_savings_ratio_min" in merged and not any(k.startswith("quality_generated") for k in merged)


@pytest.mark.parametrize("argv, expected", [
    (["simulate", "--scenario", "winter_day", "--policy", "none", "--out", "{tmp}/a-file"],
     "--out {tmp}/a-file: not a folder (it is a file)"),
    (["simulate", "--scenario", "winter_day", "--policy", "none", "--out", "{tmp}/a-file/sub"],
     "--out {tmp}/a-file/sub: cannot write into it (Not a directory)"),
    (["simulate", "--scenario", "winter_day", "--policy", "none", "--out", "/proc/nope"],
     "--out /proc/nope: cannot write into it"),
    (["quality", "--scenario", "winter_day", "--results", "{tmp}"], "--results {tmp}: a folder, not a file"),
    (["quality", "--scenario", "winter_day", "--results", "{tmp}/missing/bench.json"],
     "--results {tmp}/missing/bench.json: its folder {tmp}/missing does not exist"),
    (["quality", "--scenario", "winter_day", "--results", "{tmp}/list.json"], "not a JSON object of figures"),
    (["quality", "--scenario", "winter_day", "--results", "{tmp}/a-file"], "not a JSON file of figures"),
    (["quality", "--scenario", "winter_day", "--results", "{tmp}/bench.json", "--plots", "{tmp}/a-file"],
     "--plots {tmp}/a-file: not a folder (it is a file)"),
])
def test_an_output_path_that_cannot_be_written_is_refused_before_the_run(tmp_path, capsys, monkeypatch, argv,
                                                                          expected):
    """simulate --out, quality --results and --plots: checked up front, not after a run of minutes."""
    from energy_edge_lab.commands import quality, simulate

    def no_run(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(simulate, "_simulate", no_run)
    monkeypatch.setattr(quality, "_judge", no_run)
    (tmp_path / "a-file").write_text("not json")
    (tmp_path / "list.json").write_text("[1, 2]")
    assert main([part.replace("{tmp}", str(tmp_path)) for part in argv]) == 2
    err = capsys.readouterr().err
    assert expected.replace("{tmp}", str(tmp_path)) in err and len(err.strip().splitlines()) == 1


def test_a_writable_output_path_is_left_as_it_was(tmp_path, monkeypatch):
    from energy_edge_lab.commands import quality, simulate

    monkeypatch.setattr(simulate, "_simulate", lambda *args: 0)
    monkeypatch.setattr(quality, "_judge", lambda *args: 0)
    (tmp_path / "bench.json").write_text('{"x": {"value": 1}}\n')
    assert main(["simulate", "--scenario", "winter_day", "--policy", "none", "--out", str(tmp_path / "new" / "out")]) == 0
    assert main(["quality", "--scenario", "winter_day", "--results", str(tmp_path / "bench.json")]) == 0
    assert main(["quality", "--scenario", "winter_day", "--results", str(tmp_path / "fresh.json")]) == 0
    assert list((tmp_path / "new" / "out").iterdir()) == [] and not (tmp_path / "fresh.json").exists()
    assert (tmp_path / "bench.json").read_text() == '{"x": {"value": 1}}\n'
