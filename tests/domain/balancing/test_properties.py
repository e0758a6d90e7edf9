"""Invariants of `balance` on random sites and policies (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from energy_edge.domain.balancing import AssetView, BalancerMemory, Guidance, Policy, SiteSnapshot, balance
from energy_edge.domain.balancing.balancer import EXPORT_MARGIN_W, MIN_RUN_S, MIN_RUN_SOC, BoilerTimer

TOL = 1e-6
power = st.floats(0.0, 50_000.0, allow_nan=False)


@st.composite
def policies(draw) -> Policy:
    export_limit = draw(st.floats(0.0, 30_000.0))
    import_limit = draw(st.floats(0.0, 60_000.0))
    low = draw(st.floats(0.0, 0.5))
    return Policy(
        grid_target_w=draw(st.floats(-export_limit, import_limit)), export_limit_w=export_limit,
        import_limit_w=import_limit, soc_reserve_min=low, soc_reserve_max=draw(st.floats(low + 0.01, 1.0)),
        deadband_w=draw(st.floats(0.0, 500.0)), ramp_limit_w=draw(st.floats(1.0, 50_000.0)),
        hysteresis_w=draw(st.floats(0.0, 1_000.0)), boiler_min_on_s=draw(st.floats(0.0, 300.0)),
        boiler_min_off_s=draw(st.floats(0.0, 300.0)),
    )


@st.composite
def assets(draw, index: int) -> AssetView:
    kind = draw(st.sampled_from(["solar", "battery", "boiler"]))
    module = f"{kind}{index}"
    if kind == "solar":
        rated = draw(power)
        available = draw(st.floats(0.0, rated)) if rated else 0.0
        return AssetView(module, kind, draw(st.floats(0.0, available)) if available else 0.0,
                         available_power_w=available, rated_power_w=rated, enabled=draw(st.booleans()))
    if kind == "battery":
        soc_min = draw(st.floats(0.0, 0.5))
        charge, discharge = draw(power), draw(power)
        return AssetView(module, kind, draw(st.floats(-charge, discharge)) if charge or discharge else 0.0,
                         soc=draw(st.floats(0.0, 1.0)), capacity_wh=draw(st.floats(1.0, 200_000.0)),
                         max_charge_w=charge, max_discharge_w=discharge, soc_min=soc_min,
                         soc_max=draw(st.floats(soc_min, 1.0)))
    heater = draw(st.floats(100.0, 10_000.0))
    heater_on = draw(st.booleans())
    return AssetView(module, kind, -heater if heater_on else 0.0, temperature_c=draw(st.floats(20.0, 95.0)),
                     min_temperature_c=45.0, max_temperature_c=85.0, heater_power_w=heater, heater_on=heater_on,
                     enabled=draw(st.booleans()))


@st.composite
def guidances(draw) -> Guidance:
    """No planner, or any guidance a planner could give (it must never loosen a limit)."""
    kind = draw(st.sampled_from(("none", "targets", "band")))
    if kind == "none":
        return Guidance()
    if kind == "band":  # a planner's band, its free boilers following it or carried by full batteries
        low = draw(st.floats(-30_000.0, 30_000.0))
        return Guidance(grid_low_w=low, grid_high_w=low + draw(st.floats(0.0, 30_000.0)),
                        boilers_follow_band=draw(st.booleans()), boilers_carried=draw(st.booleans()),
                        boiler_start_surplus_ratio=draw(st.sampled_from([None, 0.25, 1.0])))
    return Guidance(export_first_w=draw(st.floats(0.0, 30_000.0)), grid_charge_to_soc=draw(st.floats(0.0, 1.0)),
                    boiler_preheat_c=draw(st.sampled_from([0.0, 50.0, 60.0, 85.0, 95.0])))


@st.composite
def sites(draw) -> SiteSnapshot:
    count = draw(st.integers(0, 8))
    return SiteSnapshot(draw(st.floats(0.0, 1_000.0)), draw(st.floats(-60_000.0, 60_000.0)),
                        [draw(assets(i)) for i in range(count)])


@st.composite
def memories(draw, site: SiteSnapshot) -> BalancerMemory:
    """Either a fresh start or the memory of an earlier decision on a drifted site."""
    if draw(st.booleans()):
        return BalancerMemory()
    earlier = SiteSnapshot(site.now - draw(st.floats(0.5, 120.0)), draw(st.floats(-60_000.0, 60_000.0)), site.assets)
    return balance(earlier, draw(policies())).memory


@st.composite
def cases(draw) -> tuple[SiteSnapshot, Policy, BalancerMemory, Guidance]:
    site = draw(sites())
    return site, draw(policies()), draw(memories(site)), draw(guidances())


# Issue 12's counterexample: a cold boiler's forced heating turned the surplus export-first saw into a
# deficit, and export-first's "never discharge to export" held back the one watt of battery room that
# the 50 W import limit needed. The balancer was wrong: a discharge that covers import is not export.
RED = (
    SiteSnapshot(0.0, 0.0, [
        AssetView("solar0", "solar", 0.0, enabled=False),
        AssetView("boiler1", "boiler", -100.0, enabled=False, temperature_c=20.0, min_temperature_c=45.0,
                  max_temperature_c=85.0, heater_power_w=100.0, heater_on=True),
        AssetView("boiler2", "boiler", 0.0, temperature_c=45.0, min_temperature_c=45.0, max_temperature_c=85.0,
                  heater_power_w=8326.849257509259),
        AssetView("battery3", "battery", 0.0, soc=1.0, capacity_wh=11.0, max_charge_w=15.0, max_discharge_w=1.0,
                  soc_min=0.0, soc_max=0.0),
    ]),
    Policy(grid_target_w=0.0, export_limit_w=0.0, import_limit_w=50.0, soc_reserve_min=0.0, soc_reserve_max=1.0,
           deadband_w=26.0, ramp_limit_w=75.0, hysteresis_w=0.0, boiler_min_on_s=0.0, boiler_min_off_s=26.0),
    BalancerMemory(decided_at=-1.0, flex_w=-8325.849257509259, battery_direction=1,
                   expected_w={"boiler1": 0.0, "boiler2": -8326.849257509259, "battery3": 1.0, "solar0": 0.0},
                   boilers={"boiler1": BoilerTimer(False, -1.0), "boiler2": BoilerTimer(True, -1.0, True)},
                   battery_w=1.0),
    Guidance(export_first_w=1.0),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
@example(case=RED)
def test_balance_never_breaks_a_limit(case) -> None:
    site, policy, memory, guidance = case
    assert_within_limits(site, policy, memory, guidance, balance(site, policy, memory, guidance))


SIZES_W = (0.0, 1.0, 800.0, 3_000.0, 5_000.0, 8_326.8, 15_000.0, 50_000.0)  # sampled: a big site stays cheap to draw
FRACTIONS = (0.0, 1e-9, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0)


@st.composite
def compact_assets(draw, index: int, kind: str) -> AssetView:
    """Like `assets`, drawn from a few typical and edge values so 60 of them fit hypothesis's budget."""
    size, fraction = draw(st.sampled_from(SIZES_W)), draw(st.sampled_from(FRACTIONS))
    module = f"{kind}{index}"
    if kind == "solar":
        return AssetView(module, kind, size * fraction * draw(st.sampled_from(FRACTIONS)),
                         available_power_w=size * fraction, rated_power_w=size, enabled=draw(st.booleans()))
    if kind == "battery":
        soc_min = draw(st.sampled_from((0.0, 0.05, 0.1, 0.5)))
        soc_max = max(soc_min, draw(st.sampled_from((0.5, 0.9, 0.95, 1.0))))
        discharge = draw(st.sampled_from(SIZES_W))
        return AssetView(module, kind, size * (fraction - 0.5), soc=draw(st.sampled_from(FRACTIONS)),
                         capacity_wh=draw(st.sampled_from((1.0, 5_000.0, 20_000.0, 200_000.0))),
                         max_charge_w=size, max_discharge_w=discharge, soc_min=soc_min, soc_max=soc_max)
    heater, heater_on = max(100.0, size), draw(st.booleans())
    return AssetView(module, kind, -heater if heater_on else 0.0,
                     temperature_c=draw(st.sampled_from((20.0, 44.9, 45.0, 49.9, 60.0, 84.9, 85.0, 95.0))),
                     min_temperature_c=45.0, max_temperature_c=85.0, heater_power_w=heater, heater_on=heater_on,
                     enabled=draw(st.booleans()))


@st.composite
def many_asset_sites(draw) -> SiteSnapshot:
    """1-20 assets of each kind, in a random order, as a site file may list them."""
    counts = {kind: draw(st.integers(1, 20)) for kind in ("solar", "battery", "boiler")}
    kinds = [kind for kind, count in counts.items() for _ in range(count)]
    order = draw(st.permutations(range(len(kinds))))
    made = [draw(compact_assets(index, kinds[index])) for index in order]
    return SiteSnapshot(draw(st.floats(0.0, 1_000.0)), draw(st.floats(-200_000.0, 200_000.0)), made)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_many_assets_share_one_decision_without_breaking_a_limit(data) -> None:
    site, policy, guidance = data.draw(many_asset_sites()), data.draw(policies()), data.draw(guidances())
    memory = data.draw(memories(site))
    decision = balance(site, policy, memory, guidance)
    assert_within_limits(site, policy, memory, guidance, decision)
    batteries = [decision.setpoints[a.module].value for a in site.assets if a.kind == "battery"]
    assert not (min(batteries) < -TOL and max(batteries) > TOL), "one battery charging while another discharges"
    by_kind = {kind: sum(decision.setpoints[a.module].expected_power_w for a in site.assets if a.kind == kind)
               for kind in ("solar", "battery", "boiler")}
    scale = 1e-9 * (1 + sum(abs(a.power_w) + a.rated_power_w + a.max_charge_w + a.max_discharge_w + a.heater_power_w
                            for a in site.assets))
    assert abs(sum(batteries) - decision.battery_w) <= scale, "battery setpoints do not add up to the decision"
    assert abs(by_kind["battery"] - decision.battery_w) <= scale
    assert abs(by_kind["solar"] - decision.solar_w) <= scale, "inverter outputs do not add up to the decision"
    assert abs(by_kind["boiler"] - decision.boiler_w) <= scale, "boiler powers do not add up to the decision"


def assert_within_limits(site: SiteSnapshot, policy: Policy, memory: BalancerMemory, guidance: Guidance,
                         decision) -> None:
    assert set(decision.setpoints) == {asset.module for asset in site.assets}
    battery_total = charge_room = discharge_room = solar_total = 0.0
    run_s = max(policy.boiler_min_on_s, MIN_RUN_S)  # a battery starts a heater only if it carries a run
    short_lived = any(a.kind == "battery" and max(a.max_discharge_w * run_s / 3600.0, MIN_RUN_SOC * a.capacity_wh) >
                      max(0.0, a.soc - max(policy.soc_reserve_min, a.soc_min)) * a.capacity_wh for a in site.assets)
    for asset in site.assets:
        setpoint = decision.setpoints[asset.module]
        assert setpoint.kind == asset.kind
        if asset.kind == "battery":
            assert -asset.max_charge_w - TOL <= setpoint.value <= asset.max_discharge_w + TOL
            if asset.soc >= min(policy.soc_reserve_max, asset.soc_max):
                assert setpoint.value >= 0.0, "charging at or above the SoC reserve maximum"
            else:
                charge_room += asset.max_charge_w
            if asset.soc <= max(policy.soc_reserve_min, asset.soc_min):
                assert setpoint.value <= 0.0, "discharging at or below the SoC reserve minimum"
            else:
                discharge_room += asset.max_discharge_w
            battery_total += setpoint.value
        elif asset.kind == "solar":
            assert 0.0 <= setpoint.value <= asset.rated_power_w + TOL
            solar_total += setpoint.expected_power_w
        else:
            assert setpoint.value in (asset.min_temperature_c, asset.max_temperature_c,
                                      min(guidance.boiler_preheat_c, asset.max_temperature_c))
            assert setpoint.value <= asset.max_temperature_c, "a setpoint above the boiler's maximum"
            if asset.temperature_c >= asset.max_temperature_c:
                assert setpoint.expected_power_w == 0.0, "counting on heat from a boiler at its maximum temperature"
            timer = memory.boilers.get(asset.module)
            controllable = asset.enabled and asset.min_temperature_c < asset.temperature_c < asset.max_temperature_c
            if timer is not None and controllable:
                minimum = policy.boiler_min_on_s if timer.heat else policy.boiler_min_off_s
                yielded = timer.heat and not setpoint.heat and (short_lived or  # the limit, without a battery
                    decision.predicted_grid_w + asset.heater_power_w + EXPORT_MARGIN_W > policy.import_limit_w)
                recovering = decision.memory.boilers[asset.module].recovering  # comfort outranks a minimum off time
                if site.now - timer.since < minimum and not yielded and not recovering:
                    assert setpoint.heat is timer.heat, "switched inside a minimum on/off time"
    slack = 1e-6 * (1 + abs(site.grid_power_w) + sum(abs(a.power_w) for a in site.assets))
    if decision.predicted_grid_w < -policy.export_limit_w - slack:
        assert solar_total <= slack and battery_total <= -charge_room + slack, "export limit broken with room left"
    if decision.predicted_grid_w > policy.import_limit_w + slack:
        assert battery_total >= discharge_room - slack, "import limit broken with battery room left"
        assert decision.boiler_w >= -slack, "a boiler heats past the import limit"


@st.composite
def tight_boiler_sites(draw) -> tuple[SiteSnapshot, Policy, BalancerMemory, Guidance]:
    """Boilers cold, drawn, recovering, preheating or inside their minimum on time under an import limit their
    heaters may not fit, with or without sun and batteries to carry them."""
    now = draw(st.floats(100.0, 1_000.0))
    made: list[AssetView] = []
    timers: dict[str, BoilerTimer] = {}
    for i in range(draw(st.integers(1, 4))):
        heater = draw(st.sampled_from((500.0, 2_000.0, 3_000.0, 9_000.0)))
        on = draw(st.booleans())
        made.append(AssetView(f"boiler{i}", "boiler", -heater if on else 0.0, now,
                              temperature_c=draw(st.sampled_from((10.0, 30.0, 44.0, 45.0, 46.0, 55.0, 84.0))),
                              min_temperature_c=45.0, max_temperature_c=85.0, heater_power_w=heater, heater_on=on))
        timers[f"boiler{i}"] = BoilerTimer(draw(st.booleans()), now - draw(st.floats(0.0, 600.0)),
                                           recovering=draw(st.booleans()),
                                           cooling_k_per_s=draw(st.sampled_from((0.0, 0.001, 0.01))))
    if draw(st.booleans()):
        available = draw(st.floats(0.0, 5_000.0))
        made.append(AssetView("solar", "solar", available, now, available_power_w=available, rated_power_w=5_000.0))
    if draw(st.booleans()):
        made.append(AssetView("battery", "battery", 0.0, now, soc=draw(st.floats(0.0, 1.0)), capacity_wh=10_000.0,
                              max_charge_w=3_000.0, max_discharge_w=draw(st.floats(0.0, 3_000.0)), soc_min=0.1,
                              soc_max=0.9))
    flex = sum(a.power_w for a in made)
    load = draw(st.floats(0.0, 3_000.0))
    policy = Policy(import_limit_w=draw(st.floats(0.0, 6_000.0)), export_limit_w=10_000.0,
                    boiler_min_on_s=draw(st.sampled_from((0.0, 300.0))), boiler_min_off_s=60.0,
                    boiler_heat_capacity_j_per_k=837_200.0, ramp_limit_w=1e6)
    memory = BalancerMemory(boilers=timers)
    guidance = draw(st.sampled_from((Guidance(), Guidance(boiler_preheat_c=60.0),
                                     Guidance(boiler_preheat_by_module={"boiler0": 85.0}))))
    return SiteSnapshot(now, load - flex, made), policy, memory, guidance


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tight_boiler_sites())
def test_no_boiler_decision_takes_the_import_past_its_limit(case) -> None:
    """Recovery, preheat, a minimum on time or a cold tank's own thermostat: a boiler is a deferrable load,
    and the grid's import stays within its limit wherever the sun and the batteries cannot carry a heater."""
    site, policy, memory, guidance = case
    decision = balance(site, policy, memory, guidance)
    assert_within_limits(site, policy, memory, guidance, decision)
    load = site.grid_power_w + sum(a.power_w for a in site.assets)
    for asset in site.assets:
        if asset.kind == "boiler" and decision.setpoints[asset.module].expected_power_w < 0:
            assert decision.predicted_grid_w <= policy.import_limit_w + 1e-6 * (1 + load), \
                f"{asset.module} heats while the grid imports past its limit"


@st.composite
def preheats_beside_charging_batteries(draw) -> tuple[SiteSnapshot, Policy, BalancerMemory, Guidance]:
    """Warm tanks a plan preheats, some heaters running and some off, under an import limit, beside
    batteries that charged a second ago."""
    now = 500.0
    made: list[AssetView] = []
    for i in range(draw(st.integers(2, 4))):
        heater = draw(st.sampled_from((500.0, 2_000.0, 3_000.0, 6_000.0)))
        on = draw(st.booleans())
        made.append(AssetView(f"boiler{i}", "boiler", -heater if on else 0.0, now,
                              temperature_c=draw(st.floats(50.0, 80.0)), min_temperature_c=45.0,
                              max_temperature_c=85.0, heater_power_w=heater, heater_on=on))
    charge = draw(st.floats(100.0, 3_000.0))
    made.append(AssetView("battery", "battery", -charge, now, soc=draw(st.floats(0.2, 0.8)), capacity_wh=20_000.0,
                          max_charge_w=3_000.0, max_discharge_w=3_000.0, soc_min=0.1, soc_max=0.9))
    if draw(st.booleans()):
        available = draw(st.floats(0.0, 8_000.0))
        made.append(AssetView("solar", "solar", available, now, available_power_w=available, rated_power_w=8_000.0))
    load = draw(st.floats(0.0, 3_000.0))
    policy = Policy(import_limit_w=draw(st.floats(500.0, 10_000.0)), export_limit_w=10_000.0, boiler_min_on_s=0.0,
                    boiler_min_off_s=0.0, ramp_limit_w=1e6)
    memory = BalancerMemory(battery_direction=-1, battery_w=-charge, battery_moved_at=now - 1.0)
    guidance = draw(st.sampled_from((Guidance(boiler_preheat_c=85.0),
                                     Guidance(boiler_preheat_by_module={f"boiler{i}": 85.0 for i in range(4)}))))
    return SiteSnapshot(now, load - sum(a.power_w for a in made), made), policy, memory, guidance


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=preheats_beside_charging_batteries())
def test_no_heater_starts_on_batteries_that_charged_within_the_dwell(case) -> None:
    """A heater that starts leaves the heaters already running their room and fits on the grid and the sun:
    batteries that charged a second ago never discharge in the cycle a heater starts (a sign flip)."""
    site, policy, memory, guidance = case
    decision = balance(site, policy, memory, guidance)
    started = [a.module for a in site.assets
               if a.kind == "boiler" and not a.heater_on and decision.setpoints[a.module].expected_power_w < 0]
    assert not (started and decision.battery_w > 1e-6), f"{started} started while the batteries discharge"
