"""What a day, site or scenario file may say: every number finite and within a physical bound.

The lab reads files a user wrote (docs/day-file.md), so it trusts them no more than the edge trusts a
method payload: an infinite load, a NaN price or a 1e300 W array is refused in one sentence naming the
file, the field, the value and what is allowed, before anything runs. The edge's own bounds
(`energy_edge.domain.bounds`, `energy_edge.domain.prices`) apply where the edge has them, so a site the
lab accepts is one the controller accepts too; the rest are the lab's, each with its reason.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from energy_edge.domain.bounds import (MAX_ENERGY_WH, MAX_HOT_WATER_L_PER_H, MAX_POWER_W, MAX_TEMPERATURE_C,
                                       MIN_TEMPERATURE_C)
from energy_edge.domain.prices import MAX_PRICE_PER_KWH
from energy_edge.domain.site import MODULE_ID, RESERVED_MODULE_IDS

MAX_IRRADIANCE_W_M2 = 1500.0  # above the solar constant (1361 W/m²) and any cloud-edge enhancement on the ground
MAX_THERMAL_MASS_J_PER_K = 1e9  # about 240 m³ of water, as the edge's site file allows: above any tank it steers
MAX_LOSS_W_PER_K = 10_000.0  # a tank losing 10 kW per kelvin is no store of heat
MAX_HYSTERESIS_K = 50.0
MAX_DEMAND_CHARGE_PER_KW = 1000.0  # per kW of the day's peak 15 minutes: far above any grid tariff's
MAX_DURATION_S = 2 * 86_400.0  # an event lasts at most the two days a run may span
MAX_SEED = 2**32 - 1  # the generator's and the CLI's `--seed` range
MAX_CSV_ROWS = 172_800  # a measured series: two days at 1 s
MAX_NAME_CHARS = 100
MAX_TEXT_CHARS = 2000
# A day's local midnight, in any time zone (UTC-12..UTC+14) and a run of up to a year after it, is an epoch
# from 0 to the edge's last (EE_CLOCK_ANCHOR's 9999-12-31): 0001-01-01 east of UTC was 'year 0 is out of range'
FIRST_DATE = datetime.date(1971, 1, 1)
LAST_DATE = datetime.date(9998, 12, 31)

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Power = Annotated[float, Field(ge=0.0, le=MAX_POWER_W)]  # W
PositivePower = Annotated[float, Field(gt=0.0, le=MAX_POWER_W)]  # W
Capacity = Annotated[float, Field(gt=0.0, le=MAX_ENERGY_WH)]  # Wh
Price = Annotated[float, Field(ge=-MAX_PRICE_PER_KWH, le=MAX_PRICE_PER_KWH)]  # per kWh; negative prices happen
DemandCharge = Annotated[float, Field(ge=0.0, le=MAX_DEMAND_CHARGE_PER_KW)]
Temperature = Annotated[float, Field(ge=MIN_TEMPERATURE_C, le=MAX_TEMPERATURE_C)]  # °C
ThermalMass = Annotated[float, Field(gt=0.0, le=MAX_THERMAL_MASS_J_PER_K)]
LossPerKelvin = Annotated[float, Field(ge=0.0, le=MAX_LOSS_W_PER_K)]
Hysteresis = Annotated[float, Field(gt=0.0, le=MAX_HYSTERESIS_K)]
HotWaterRate = Annotated[float, Field(ge=0.0, le=MAX_HOT_WATER_L_PER_H)]  # litres per hour
Duration = Annotated[float, Field(gt=0.0, le=MAX_DURATION_S)]  # seconds
Hours = Annotated[float, Field(gt=0.0, le=MAX_DURATION_S / 3600.0)]
Minutes = Annotated[float, Field(gt=0.0, le=MAX_DURATION_S / 60.0)]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]
Date = Annotated[datetime.date, Field(ge=FIRST_DATE, le=LAST_DATE)]  # the simulated day


def _plain_name(value: str) -> str:
    """A name becomes an output file's name (`<name>_<policy>.json` in --out): no path in it."""
    if value.startswith(".") or any(c in "/\\" or ord(c) < 32 for c in value):
        raise ValueError("a name is a plain file name: no '/' or '\\', no control characters, not starting with '.'")
    return value


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS), AfterValidator(_plain_name)]


def _module_name(value: str) -> str:
    """An asset's id is its module's name, as in the edge's site file (`domain.site.MODULE_ID`)."""
    if not MODULE_ID.match(value):
        raise ValueError("an asset id is a module name: lowercase letters, digits and '-', starting with a letter, "
                         "at most 64 characters")
    if value in RESERVED_MODULE_IDS:
        raise ValueError(f"the asset id {value!r} is reserved; reserved: {', '.join(sorted(RESERVED_MODULE_IDS))}")
    return value


AssetId = Annotated[str, AfterValidator(_module_name)]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]

# A measured CSV series' values, by what they measure: (low, high, unit)
IRRADIANCE_RANGE = (0.0, MAX_IRRADIANCE_W_M2, "W/m²")
POWER_RANGE = (0.0, MAX_POWER_W, "W")
