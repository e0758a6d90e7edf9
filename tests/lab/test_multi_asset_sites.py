"""Sites with several assets of a kind in the lab: read from a site file or the lab's own section, simulated
one module per asset through the real services, judged asset by asset, and planned by the optimum with
every store."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energy_edge.adapters.clocks import ManualClock
from energy_edge_lab.cli import main
from energy_edge_lab.day_file import DayFileError
from energy_edge_lab.day_scenario import day_scenario, scenario_for
from energy_edge_lab.exogenous import Exogenous
from energy_edge_lab.kpis import compute_kpis
from energy_edge_lab.optimum import solve_optimum
from energy_edge_lab.runner import controller_policy, simulate
from energy_edge_lab.scenario import Assets, BatteryAsset, BoilerAsset, SolarAsset, load_scenario
from energy_edge_lab.series import SiteSeries
from energy_edge_lab.simulated_hardware import asset_configs, build_site, exogenous
from energy_edge_lab.stepped_site import site_factory

pytest.importorskip("scipy")

FACTORY = Path(__file__).resolve().parents[2] / "examples" / "sites" / "factory.toml"

LAB_SITE = """
name = "two of each"
latitude = 50.0
longitude = 8.0
timezone = "Europe/Berlin"
[limits]
export_limit_w = 0
import_limit_w = 30000
[[assets.solar]]
id = "roof-east"
rated_power_w = 12000
tilt_deg = 30
azimuth_deg = 90
[[assets.solar]]
id = "roof-west"
rated_power_w = 8000
tilt_deg = 30
azimuth_deg = 270
[[assets.battery]]
capacity_wh = 20000
max_charge_w = 8000
max_discharge_w = 8000
[[assets.battery]]
capacity_wh = 10000
max_charge_w = 4000
max_discharge_w = 4000
initial_soc = 0.3
[[assets.boiler]]
heater_power_w = 3000
thermal_mass_j_per_k = 837200
loss_w_per_k = 2
min_temperature_c = 45
max_temperature_c = 75
setpoint_c = 60
initial_temperature_c = 60
[[assets.boiler]]
heater_power_w = 2000
thermal_mass_j_per_k = 418600
loss_w_per_k = 1.5
min_temperature_c = 40
max_temperature_c = 70
setpoint_c = 55
initial_temperature_c = 55
"""

DAY = """
date = 2026-06-10
site = "site.toml"
[weather]
clear_sky_fraction = [["00:00", 0.9], ["24:00", 0.9]]
[load]
base_w = 2500
[hot_water]
litres_per_hour = {"7" = 60, "19" = 80}
[initial]
battery_soc = 0.5
[tariff]
import_price_per_kwh = 0.3
feed_in_price_per_kwh = 0.0
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "site.toml").write_text(LAB_SITE)
    (tmp_path / "day.toml").write_text(DAY)
    return tmp_path


def test_arrays_of_tables_give_every_asset_its_id_and_the_day_reaches_each(folder):
    day = day_scenario(folder / "day.toml")
    a = day.assets
    assert [i for i, _ in a.solars()] == ["roof-east", "roof-west"]
    assert [i for i, _ in a.batteries()] == ["battery", "battery-2"]  # ids default to the kind, then kind-N
    assert [i for i, _ in a.boilers()] == ["boiler", "boiler-2"]
    assert [b.initial_soc for _, b in a.batteries()] == [0.5, 0.5]  # the day's start for every battery
    assert all(b.draw_litres_per_hour == {7: 60, 19: 80} for _, b in a.boilers())  # each tank's own taps
    assert not a.single and a.solar.id == "roof-east"


def test_the_factory_site_file_becomes_every_asset_it_names():
    scenario = scenario_for(scenario="winter_day", site=str(FACTORY))
    a = scenario.assets
    assert [i for i, _ in a.solars()] == ["solar-roof-east", "solar-roof-west", "solar-carport", "solar-facade"]
    assert [i for i, _ in a.batteries()] == ["battery-1", "battery-2"]
    assert len(a.boilers()) == 3
    assert a.solar.tilt_deg == 15.0 and a.solar.azimuth_deg == 90.0  # its simulator's plane


def test_each_inverter_holds_its_share_of_the_export_limit_without_a_lease(folder):
    configs = asset_configs(day_scenario(folder / "day.toml"))
    assert configs.by_id["roof-east"][1].export_safe_limit_w == 0  # a zero-export site
    site = load_scenario("clear_summer_day")
    two = site.model_copy(update={"assets": Assets(solar=[SolarAsset(rated_power_w=6000), SolarAsset(rated_power_w=2000)]),
                                  "limits": site.limits.model_copy(update={"export_limit_w": 4000})})
    shares = [c.export_safe_limit_w for kind, c in asset_configs(two).by_id.values()]
    assert shares == [3000, 1000]  # in proportion to the rating, together the connection's limit


@pytest.mark.parametrize("text, field", [
    ('[[assets.solar]]\nid = "pv"\nrated_power_w = 1000\n[[assets.solar]]\nid = "pv"\nrated_power_w = 2000\n',
     "asset id 'pv' is given to more than one asset"),
    ('[[assets.solar]]\nrated_power_w = 1000\n[[assets.battery]]\ncapacity_wh = 1000\nmax_charge_w = 0\n'
     'max_discharge_w = 500\n', "max_charge_w"),
    ('[[assets.solar]]\nid = "controller"\nrated_power_w = 1000\n', "the asset id 'controller' is reserved"),
    ('[[assets.solar]]\nid = "PV/1"\nrated_power_w = 1000\n', "an asset id is a module name"),
    ('[[assets.solar]]\nrated_power_w = 1000\n' * 65, "65 solar assets; the lab simulates at most 64 of a kind"),
    ('[[assets.solar]]\nrated_power_w = 1000\n[[assets.boiler]]\nheater_power_w = 2000\nthermal_mass_j_per_k = 418600\n'
     'loss_w_per_k = 2\nmin_temperature_c = 50\nmax_temperature_c = 58\nsetpoint_c = 55\ninitial_temperature_c = 55\n'
     'hysteresis_c = 10\n', "hysteresis_c must be at most max_temperature_c - min_temperature_c"),  # as the boiler's
])
def test_a_wrong_asset_in_an_array_is_one_sentence(tmp_path, text, field):
    head = 'name = "s"\nlatitude = 50\nlongitude = 8\n[limits]\nexport_limit_w = 0\nimport_limit_w = 1000\n'
    (tmp_path / "site.toml").write_text(head + text)
    (tmp_path / "day.toml").write_text(DAY)
    with pytest.raises(DayFileError) as error:
        day_scenario(tmp_path / "day.toml")
    message = str(error.value)
    assert "site.toml" in message and field in message and "\n" not in message


def test_the_next_day_rule_is_refused_where_a_site_has_several_stores(folder):
    (folder / "day.toml").write_text(DAY + '\n[end_of_day]\nrule = "next_day"\n')
    with pytest.raises(DayFileError, match="'next_day' values one battery and one tank"):
        day_scenario(folder / "day.toml")


@pytest.mark.parametrize("field, table", [("ambient_temperature_c", "[weather]"), ("cold_water_c", "[hot_water]")])
def test_an_ambient_or_cold_water_above_a_tanks_maximum_is_refused_in_one_sentence(folder, field, table):
    """Its standing loss, or water drawn and refilled, would warm the tank past its maximum whatever a policy did:
    the optimum found no plan (an unexpected error) and every policy's over-temperature seconds were the weather's."""
    (folder / "site.toml").write_text(LAB_SITE.replace(
        "min_temperature_c = 40\nmax_temperature_c = 70\nsetpoint_c = 55\ninitial_temperature_c = 55",
        "min_temperature_c = 20\nmax_temperature_c = 38\nsetpoint_c = 30\ninitial_temperature_c = 30"))
    (folder / "day.toml").write_text(DAY.replace(table, f"{table}\n{field} = 39"))
    with pytest.raises(DayFileError, match=f"{field} 39 is above boiler boiler-2's max_temperature_c 38"):
        day_scenario(folder / "day.toml")
    (folder / "day.toml").write_text(DAY.replace(table, f"{table}\n{field} = 38"))
    assert day_scenario(folder / "day.toml").assets.boiler.max_temperature_c == 75  # at the maximum: holdable


def test_a_boiler_without_a_hysteresis_gets_one_within_its_band(folder):
    """The thermostat's 5 K, or a narrower band (as a site file's boiler): a 40..43 °C tank was refused at start."""
    (folder / "site.toml").write_text(LAB_SITE.replace("max_temperature_c = 70\nsetpoint_c = 55\ninitial_temperature_c = 55",
                                                       "max_temperature_c = 43\nsetpoint_c = 42\ninitial_temperature_c = 42"))
    assert [b.hysteresis_c for _, b in day_scenario(folder / "day.toml").assets.boilers()] == [5.0, 3.0]


def test_the_controllers_twin_takes_the_sites_widest_band_and_its_mean_tank(folder):
    policy = controller_policy(day_scenario(folder / "day.toml"))
    assert (policy.soc_reserve_min, policy.soc_reserve_max) == (0.1, 0.9)
    assert policy.boiler_heat_capacity_j_per_k == pytest.approx((837200 + 418600) / 2)
    assert policy.pv_azimuth_deg == 90  # the largest array's plane
    tanks = dict(day_scenario(folder / "day.toml").assets.boilers())
    assert set(policy.hot_water_litres_per_hour_by_boiler) == set(tanks) == {"boiler", "boiler-2"}
    for module, tank in tanks.items():  # each boiler's own draws, in UTC, and its own tank
        assert policy.draws_of(module).daily_total() == pytest.approx(sum(tank.draw_litres_per_hour.values()))
        assert policy.capacity_of(module) == tank.thermal_mass_j_per_k


def test_refill_water_warmer_than_a_tanks_minimum_asks_no_preheat_below_it(folder):
    """The peak's draws refilled at 30 °C take no heat below a 2 °C minimum: the preheat is that minimum (it
    read as -9 °C, which the controller's twin refused: an unexpected error before the run)."""
    (folder / "site.toml").write_text(LAB_SITE.replace("min_temperature_c = 45", "min_temperature_c = 2"))
    (folder / "day.toml").write_text(DAY.replace("[hot_water]", "[hot_water]\ncold_water_c = 30") + (
        'time_of_use = [{start = "17:00", end = "21:00", import_price_per_kwh = 0.45}]\n'))
    assert controller_policy(day_scenario(folder / "day.toml")).peak_preheat_c == 2.0

def _two_store_day(batteries: list[BatteryAsset], boilers: list[BoilerAsset]):
    day = load_scenario("clear_summer_day")
    return day.model_copy(update={"assets": Assets(solar=SolarAsset(rated_power_w=8000), battery=batteries,
                                                   boiler=boilers or None)})


def _flat_day(n: int, draw: float = 0.0) -> Exogenous:
    sun = [0.0] * (n // 2) + [6000.0] * (n - n // 2)
    return Exogenous(300.0, sun, [1500.0] * n, [draw] * n, [20.0] * n, start_s=0.0, more_draws_kg_per_s=())


def test_two_halves_of_a_battery_plan_as_the_whole():
    """The optimum's second battery is modelled as the first: two identical halves cost what one whole does."""
    half = BatteryAsset(capacity_wh=5000, max_charge_w=2000, max_discharge_w=2000)
    whole = BatteryAsset(capacity_wh=10000, max_charge_w=4000, max_discharge_w=4000)
    n = 96
    one_site, two_site = _two_store_day([whole], []), _two_store_day([half, half.model_copy(update={"id": "b2"})], [])
    one, two = solve_optimum(one_site, _flat_day(n)), solve_optimum(two_site, _flat_day(n))
    assert two.cost == pytest.approx(one.cost, abs=1e-6)
    assert compute_kpis(two.series, two_site).adjusted_cost == pytest.approx(
        compute_kpis(one.series, one_site).adjusted_cost, abs=1e-6)
    assert set(two.series.soc_by_id) == {"battery", "b2"}
    assert two.series.battery_w == pytest.approx([sum(p) for p in zip(*two.series.battery_w_by_id.values())])


def test_the_plot_of_several_batteries_and_no_boiler_warns_of_nothing(tmp_path):
    """Each store's id is shown where a site has several; the empty tank axis of a site without a boiler asked for
    a legend too, and matplotlib's warning about it was printed under every run of such a site."""
    import warnings

    from energy_edge_lab.plot import plot_series

    half = BatteryAsset(capacity_wh=5000, max_charge_w=2000, max_discharge_w=2000)
    site = _two_store_day([half, half.model_copy(update={"id": "b2"})], [])
    plan = solve_optimum(site, _flat_day(24))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plot_series(plan.series, site, "two batteries", tmp_path / "p.png").is_file()

def test_every_tank_is_kept_warm_through_its_own_draws_by_the_optimum():
    tank = dict(thermal_mass_j_per_k=418600, loss_w_per_k=2.0, min_temperature_c=45, max_temperature_c=75,
                setpoint_c=55, initial_temperature_c=55)
    boilers = [BoilerAsset(heater_power_w=2000, **tank), BoilerAsset(id="second", heater_power_w=2000, **tank)]
    n = 96
    day = _flat_day(n)
    heavy = [0.0] * n
    heavy[40:44] = [0.02] * 4  # the second tank alone: 24 l in 20 minutes at 55 °C takes ~5 K
    day = Exogenous(day.dt_s, day.pv_available_w, day.base_load_w, day.draw_kg_per_s, day.ambient_c, day.start_s,
                    more_draws_kg_per_s=(heavy,))
    scenario = _two_store_day([BatteryAsset(capacity_wh=5000, max_charge_w=2000, max_discharge_w=2000)], boilers)
    plan = solve_optimum(scenario, day)
    kpis = compute_kpis(plan.series, scenario)
    assert kpis.boiler_comfort_violation_min == 0 and kpis.temperature_violation_s == 0
    first, second = plan.series.temperature_c_by_id["boiler"], plan.series.temperature_c_by_id["second"]
    assert first != second  # each tank its own heat balance
    assert min(second) >= 45 - 1e-6 and second[-1] >= 55 - 1e-6  # warm, and back at its start at the end


def test_a_further_heater_runs_only_where_it_fits_the_import_limit_alone():
    """Under a 1 kW limit beside 1.2 kW of sun and 300 W of load, a 2 kW heater never fits: the optimum's
    second heater stays off as its first does (relaxed to 0..P, it heated at 1.9 kW and kept its tank warm,
    and the controller's cold minutes read as hundreds beyond the optimum's)."""
    tank = dict(thermal_mass_j_per_k=418600, loss_w_per_k=2.0, min_temperature_c=45, max_temperature_c=75,
                setpoint_c=55, initial_temperature_c=50)
    boilers = [BoilerAsset(heater_power_w=2000, **tank), BoilerAsset(id="second", heater_power_w=2000, **tank)]
    n = 2 * 60  # two hours of minutes, planned in 5-minute steps
    draws = [0.01] * n
    fine = Exogenous(60.0, [1200.0] * n, [300.0] * n, draws, [20.0] * n, start_s=0.0, more_draws_kg_per_s=(draws,))
    scenario = _two_store_day([], boilers)
    scenario = scenario.model_copy(update={"limits": scenario.limits.model_copy(update={"import_limit_w": 1000.0})})
    plan = solve_optimum(scenario, fine)
    assert max(plan.series.boiler_w, key=abs) == pytest.approx(0.0, abs=1e-6)  # neither heater ran
    assert min(plan.series.temperature_c_by_id["second"]) < 45  # so the second tank went cold as the first


def _series(soc_by_id: dict[str, list[float]], temps_by_id: dict[str, list[float]]) -> SiteSeries:
    n = len(next(iter(soc_by_id.values())))
    series = SiteSeries(dt_s=1.0)
    for k in range(n):
        series.record(0.0, 0.0, 0.0, 0.0, 0.0, soc_by_id["battery"][k], temps_by_id["boiler"][k], {})
    series.soc_by_id = soc_by_id
    series.battery_w_by_id = {i: [0.0] * n for i in soc_by_id}
    series.temperature_c_by_id = temps_by_id
    return series


def test_kpis_judge_each_battery_and_tank_by_its_own_band():
    batteries = [BatteryAsset(capacity_wh=1000, max_charge_w=500, max_discharge_w=500),
                 BatteryAsset(capacity_wh=1000, max_charge_w=500, max_discharge_w=500, soc_min=0.3, initial_soc=0.5)]
    tank = dict(heater_power_w=1000, thermal_mass_j_per_k=3.6e6, loss_w_per_k=0.0, max_temperature_c=80,
                setpoint_c=60, initial_temperature_c=60)
    boilers = [BoilerAsset(min_temperature_c=40, **tank), BoilerAsset(min_temperature_c=50, **tank)]
    scenario = _two_store_day(batteries, boilers)
    # the second battery at 0.2 breaks its own band (0.3), not the first's; the second tank at 45 °C is cold
    # for itself (50), not for the first (40); each tank's 1 kWh shortfall is its own: no netting
    series = _series({"battery": [0.5, 0.5, 0.5], "battery-2": [0.5, 0.2, 0.5]},
                     {"boiler": [60.0, 61.0, 61.0], "boiler-2": [60.0, 45.0, 59.0]})
    kpis = compute_kpis(series, scenario)
    assert kpis.soc_violation_s == 1.0
    assert kpis.boiler_comfort_violation_min == pytest.approx(1 / 60)
    refill = scenario.tariff.import_price_at(3.0)
    assert kpis.end_of_day_cost == pytest.approx(1.0 * refill)  # the warmer first tank does not warm the second


async def test_a_site_with_two_of_each_runs_a_module_per_asset_through_the_services(folder):
    day = day_scenario(folder / "day.toml").model_copy(update={"start_h": 11.0})
    series = await simulate(day, "controller", 600 / 86_400, site_factory)
    assert set(series.modes) == {"roof-east", "roof-west", "battery", "battery-2", "boiler", "boiler-2"}
    assert set(series.soc_by_id) == {"battery", "battery-2"} and set(series.temperature_c_by_id) == {"boiler", "boiler-2"}
    assert series.battery_w[-1] == pytest.approx(sum(column[-1] for column in series.battery_w_by_id.values()))
    kpis = compute_kpis(series, day)
    assert (kpis.export_limit_breaches, kpis.soc_violation_s, kpis.temperature_violation_s) == (0, 0, 0)
    assert series.soc_by_id["battery"][-1] > 0.5  # the zero-export site stores its noon sun


async def test_a_tank_resting_at_its_minimum_within_its_hysteresis_is_not_counted_on(tmp_path):
    """A 67.7..71.4 °C tank (its thermostat's hysteresis the band's 3.7 K) at its minimum, sent a setpoint below
    71.4 °C, rests: counted on as a cold boiler that heats regardless, its 3.8 kW went out as export beyond the
    limit for as long as the tank stayed there."""
    (tmp_path / "site.toml").write_text(
        'name = "s"\nlatitude = 50\nlongitude = 8\ntimezone = "Europe/Berlin"\n'
        "[limits]\nexport_limit_w = 2000\nimport_limit_w = 30000\n[[assets.solar]]\nrated_power_w = 20000\n"
        "[[assets.boiler]]\nheater_power_w = 3800\nthermal_mass_j_per_k = 3500000\nloss_w_per_k = 0\n"
        "min_temperature_c = 67.7\nmax_temperature_c = 71.4\nsetpoint_c = 68.7\ninitial_temperature_c = 67.7\n")
    (tmp_path / "day.toml").write_text(DAY.replace("[initial]\nbattery_soc = 0.5\n", ""))
    day = day_scenario(tmp_path / "day.toml").model_copy(update={"start_h": 12.0})
    series = await simulate(day, "controller", 300 / 86_400, site_factory)
    assert compute_kpis(series, day).export_limit_breach_s == 0

async def test_a_tank_kept_below_the_planners_ambient_is_planned(tmp_path, caplog):
    """A 6.7..13.6 °C tank: the planner's 20 °C surroundings gained it heat its plan could not shed past its
    maximum, so the LP found no plan (every replan fell back to the heuristic planner, a warning)."""
    (tmp_path / "site.toml").write_text(
        'name = "s"\nlatitude = 50\nlongitude = 8\ntimezone = "Europe/Berlin"\n'
        "[limits]\nexport_limit_w = 2000\nimport_limit_w = 30000\n[[assets.solar]]\nrated_power_w = 5000\n"
        "[[assets.boiler]]\nheater_power_w = 2000\nthermal_mass_j_per_k = 165000\nloss_w_per_k = 8\n"
        "min_temperature_c = 6.7\nmax_temperature_c = 13.6\nsetpoint_c = 11\ninitial_temperature_c = 12\n")
    (tmp_path / "day.toml").write_text(DAY.replace("[initial]\nbattery_soc = 0.5\n", "").replace(
        "[hot_water]", "[hot_water]\ncold_water_c = 6").replace("[weather]", "[weather]\nambient_temperature_c = 5"))
    day = day_scenario(tmp_path / "day.toml").model_copy(update={"start_h": 12.0})
    await simulate(day, "controller", 30 / 86_400, site_factory)
    assert "LP planner failed" not in caplog.text

def test_simulate_runs_the_factory_site_file(tmp_path, capsys):
    """The factory example (four inverters, two batteries, three boilers) as the optimum plans it."""
    assert main(["simulate", "--scenario", "winter_day", "--site", str(FACTORY), "--policy", "optimum",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert '"soc_violation_s": 0.0' in out and (tmp_path / "winter_day_optimum.json").is_file()


async def test_the_controllers_forecast_sees_each_roof_on_its_own_plane(folder):
    """The lab states each simulated array's plane as a site file does, so the controller's forecaster
    weighs the east and the west roof by their ratings (not the largest roof's plane for all)."""
    from energy_edge_lab.runner import SiteSpec, TariffPrices

    day = day_scenario(folder / "day.toml").model_copy(update={"start_h": 9.0})
    clock = ManualClock(day.start_epoch_s)
    spec = SiteSpec(clock=clock, hardware=build_site(day, clock), configs=asset_configs(day),
                    policy=controller_policy(day), prices=TariffPrices(day))
    async with site_factory(spec) as site:
        for _ in range(3):
            await site.step()
        forecaster = site.site.container.controller()._forecaster
    assert [plane[:2] for plane in forecaster.planes] == [(30.0, 90.0), (30.0, 270.0)]
    assert [plane[2] for plane in forecaster.planes] == pytest.approx([0.6, 0.4])


def test_an_empty_array_of_solar_is_refused_and_of_batteries_means_none():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="a site has at least one array"):
        Assets.model_validate({"solar": [], "battery": []})
    assets = Assets.model_validate({"solar": [{"rated_power_w": 1000}], "battery": []})
    assert assets.battery is None and assets.batteries() == () and assets.single


def test_an_array_called_battery_on_a_site_without_one_keeps_its_simulator():
    """A kind the site lacks is played by a stand-in under an id no asset can have."""
    day = load_scenario("clear_summer_day")
    site = day.model_copy(update={"assets": Assets(solar=SolarAsset(id="battery", rated_power_w=5000))})
    clock = ManualClock(site.midnight_epoch_s + 12 * 3600)
    simulated = build_site(site, clock)
    assert simulated.hardware("battery").available_power_w() > 0  # the array, not a stand-in battery


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batteries=st.lists(st.tuples(st.floats(2_000, 40_000), st.floats(500, 10_000), st.floats(0.15, 0.85)),
                          min_size=0, max_size=3),
       boilers=st.lists(st.tuples(st.floats(1_000, 6_000), st.floats(0.0, 0.01)), min_size=0, max_size=3),
       sun_w=st.floats(0, 20_000), load_w=st.floats(100, 8_000))
def test_the_optimum_keeps_every_store_within_its_own_band(batteries, boilers, sun_w, load_w):
    """Whatever the stores, the optimum's plan breaks no battery's band and no tank's maximum, and its site
    sums are each store's columns added up."""
    bats = [BatteryAsset(id=f"b{i}", capacity_wh=c, max_charge_w=p, max_discharge_w=p, initial_soc=soc)
            for i, (c, p, soc) in enumerate(batteries)]
    tank = dict(thermal_mass_j_per_k=418600, loss_w_per_k=2.0, min_temperature_c=45, max_temperature_c=75,
                setpoint_c=55, initial_temperature_c=55)
    tanks = [BoilerAsset(id=f"t{j}", heater_power_w=p, **tank) for j, (p, _) in enumerate(boilers)]
    scenario = _two_store_day(bats, tanks)
    n = 48
    sun = [0.0] * (n // 3) + [sun_w] * (n // 3) + [0.0] * (n - 2 * (n // 3))
    draws = [[d if 10 <= k < 14 or 40 <= k < 44 else 0.0 for k in range(n)] for _, d in boilers] or [[0.0] * n]
    day = Exogenous(300.0, sun, [load_w] * n, draws[0], [20.0] * n, start_s=0.0, more_draws_kg_per_s=tuple(draws[1:]))
    plan = solve_optimum(scenario, day)
    kpis = compute_kpis(plan.series, scenario)
    assert kpis.soc_violation_s == 0 and kpis.temperature_violation_s == 0
    if len(bats) > 1:
        assert plan.series.battery_w == pytest.approx([sum(p) for p in zip(*plan.series.battery_w_by_id.values())],
                                                      abs=1e-6)
        for b in bats:
            assert all(b.soc_min - 1e-6 <= s <= b.soc_max + 1e-6 for s in plan.series.soc_by_id[b.id])
    if len(tanks) > 1:
        assert set(plan.series.temperature_c_by_id) == {t.id for t in tanks}


def test_a_measured_pv_series_is_the_arrays_together_shared_by_rating():
    """A `pv_csv` day measures the site's PV: on two arrays it is not counted twice."""
    from energy_edge_lab.scenario import MeasuredSeries

    day = load_scenario("clear_summer_day")
    measured = day.profiles.pv.model_copy(update={"measured_pv_w": MeasuredSeries(times_s=(0.0,), values=(6000.0,))})
    site = day.model_copy(update={
        "profiles": day.profiles.model_copy(update={"pv": measured}),
        "assets": Assets(solar=[SolarAsset(rated_power_w=9000), SolarAsset(rated_power_w=3000)])})
    simulated = build_site(site, ManualClock(site.midnight_epoch_s + 12 * 3600))
    assert simulated.hardware("solar").available_power_w() == pytest.approx(4500.0)
    assert simulated.hardware("solar-2").available_power_w() == pytest.approx(1500.0)


def test_quality_judges_generated_days_on_sites_with_several_assets_of_a_kind(tmp_path, capsys):
    """`--shapes several`: the first generated day split among arrays, batteries and boilers, run and judged
    through the real services; its figures count apart from the single-asset suite's."""
    results = tmp_path / "bench.json"
    main(["quality", "--generated", "1", "--shapes", "several", "--duration-days", "0.02", "--jobs", "1",
          "--results", str(results)])
    captured = capsys.readouterr()
    assert "g00_" in captured.out and "_arrays" in captured.out and "Traceback" not in captured.err
    assert "quality_generated_several_violations" in results.read_text()
    assert main(["quality", "--shapes", "several", "--scenario", "winter_day"]) == 2
    assert "--shapes several: shapes the generated days' sites" in capsys.readouterr().err
