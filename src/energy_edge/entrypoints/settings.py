"""Module settings from the environment (prefix EE_), as IoT Edge passes them through createOptions.

One settings model serves every module, so a container image is the same
package started with a different entrypoint and a few environment variables.
Twin desired properties then tune the running module; these are the
start-up values and the physical parameters of simulated hardware.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..domain.bounds import MAX_CYCLE_S, MAX_ENERGY_WH, MAX_POWER_W, MIN_CYCLE_S, MIN_POWER_W


MAX_SPEED = 86_400.0  # a simulated day per second: beyond it a cycle is shorter than the loop can run
MAX_EPOCH_S = 253_402_300_799.0  # 9999-12-31T23:59:59Z: an anchor far outside the calendar stops the clock advancing


MAX_HOST_NAME_CHARS = 253  # RFC 1035: a name's text form
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")  # RFC 1123, and `_`: a Docker container's name
_IPV6_ZONE = re.compile(r"[A-Za-z0-9_.-]{1,15}")  # fe80::1%eth0: an interface's name (IFNAMSIZ) or number


def is_address_or_host_name(value: str) -> bool:
    """An IPv4 or IPv6 address (an IPv6 zone an interface name or number), or a host name: dot-separated labels of
    letters, digits and dashes (RFC 1123; underscores too: a
    container's name on a Docker network such as `proj_mosquitto_1` resolves there), the last not all digits (so `999.1.1.1` is neither an address nor a name)."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        pass
    else:  # ipaddress takes any zone after %, spaces and control characters too
        zone = getattr(address, "scope_id", None)
        return zone is None or _IPV6_ZONE.fullmatch(zone) is not None
    name = value[:-1] if value.endswith(".") else value
    labels = name.split(".")
    return (0 < len(name) <= MAX_HOST_NAME_CHARS and all(_HOST_LABEL.fullmatch(label) for label in labels)
            and not labels[-1].isdigit())


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL whose host is an address or a host name, with a valid port if any, nothing blank in it."""
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port  # a port out of range or not a number raises
    except ValueError:  # an unclosed [IPv6 bracket, a bad port
        return False
    host = parts.hostname or ""
    return (parts.scheme.lower() in ("http", "https") and is_address_or_host_name(host)
            and (port is None or 1 <= port <= 65535))


class SiteSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EE_", extra="ignore", allow_inf_nan=False)

    transport: Literal["inmemory", "mqtt", "edgehub"] = Field("inmemory", description="Messaging transport")
    hardware: Literal["simulated", "modbus"] = Field("simulated", description="Asset hardware driver")
    site_file: Path | None = Field(None, description="The site file (site.toml); without it, the home site from the EE_* settings")
    asset_id: str | None = Field(None, description="Which asset of the site this module process is (its module name)")
    speed: float = Field(1.0, gt=0, le=MAX_SPEED, description="Clock speed-up: 1 is real time, 600 runs 10 min per second")
    start: datetime | None = Field(None, description="Simulated start time (ISO 8601); default now")
    clock_anchor: float | None = Field(None, ge=0, le=MAX_EPOCH_S,
                                       description="Wall-clock epoch at which simulated time was `start`; "
                                                   "`up` sets it so every process shares one timeline")
    cycle_s: float = Field(1.0, ge=MIN_CYCLE_S, le=MAX_CYCLE_S, description="Asset and controller cycle, in clock seconds")
    seed: int = Field(42, description="Seed for the simulated weather and load")
    latitude: float = Field(52.0, ge=-90, le=90, description="Site latitude: the PV simulator and the planner's clear-sky forecast")
    longitude: float = Field(5.0, ge=-180, le=180, description="Site longitude: the PV simulator and the planner's clear-sky forecast")
    metrics_host: str = Field("0.0.0.0", description="Telemetry module HTTP bind address: an IP address or a host name")
    metrics_port: int = Field(9090, ge=0, le=65535, description="Telemetry module /metrics, /healthz and operator page port")
    module_metrics_port: int = Field(9600, ge=0, le=65535, description="Each asset and controller module's own "
                                     "/metrics (process metrics, for IoT Edge's metrics-collector); 0 = none")
    staleness_s: float = Field(10.0, gt=0, description="A module silent this long (clock seconds) is stale in /healthz")
    price_url: str = Field("", description="Day-ahead prices (evcc/EMHASS JSON) for the controller; empty: none")
    pv_forecast_url: str = Field("", description="Day-ahead PV forecast of the site's arrays (JSON, as the prices) "
                                                 "for the controller's forecaster; empty: none")
    planner: Literal["heuristic", "lp"] = Field(
        "lp", description="The controller's planner: the rolling-horizon LP (HiGHS) with the heuristic one as its "
                          "fallback, or the heuristic one alone")
    autostart: bool = Field(True, description="Asset modules switch solar and boiler on at start (a battery idles)")
    log_format: Literal["auto", "json", "text"] = Field("auto", description="auto: JSON unless on a terminal")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", description="Python logging level (any case)")

    # Simulated asset parameters (physical, so not twin properties)
    # Bounded as every rating is (domain/bounds.py, README "Accepted values").
    solar_rated_power_w: float = Field(15_000.0, ge=MIN_POWER_W, le=MAX_POWER_W, description="Simulated inverter rating")
    battery_capacity_wh: float = Field(20_000.0, ge=1, le=MAX_ENERGY_WH, description="Simulated battery capacity")
    battery_max_power_w: float = Field(8_000.0, ge=MIN_POWER_W, le=MAX_POWER_W,
                                       description="Simulated battery charge/discharge limit")
    battery_initial_soc: float = Field(0.5, ge=0, le=1, description="Simulated battery SoC at start")
    boiler_heater_power_w: float = Field(6_000.0, ge=MIN_POWER_W, le=MAX_POWER_W, description="Simulated boiler heater power")
    # at most what the grid meter reports (telemetry power_w within ±MAX_POWER_W): beyond it every reading is refused
    base_load_w: float = Field(800.0, ge=0, le=MAX_POWER_W,
                               description="Simulated site base load, before the daily consumption peaks")

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("site_file", mode="before")
    @classmethod
    def _site_file_named(cls, value: object) -> object:
        """`EE_SITE_FILE=` is a path left out, not the current folder ('.', as Path('') reads it)."""
        if isinstance(value, str) and not value.strip():
            raise ValueError("it is empty: set it to the path of a site file (site.toml), or leave it unset for the "
                             "home site sized by the EE_* settings")
        return value

    @field_validator("metrics_host")
    @classmethod
    def _address_or_host_name(cls, value: str) -> str:
        """An IP address or a host name as RFC 1123 spells one: anything else cannot be bound, so it is refused at start."""
        if not is_address_or_host_name(value):
            raise ValueError("must be an IP address (0.0.0.0 for every interface, 127.0.0.1, ::) or a host name "
                             f"(labels of letters, digits and dashes, at most {MAX_HOST_NAME_CHARS} characters)")
        return value

    @field_validator("price_url", "pv_forecast_url")
    @classmethod
    def _http_or_empty(cls, value: str) -> str:
        """A day-ahead source is fetched over HTTP(S): any other scheme is refused at start, not at the first fetch."""
        if value and not is_http_url(value):
            raise ValueError("must be an absolute http:// or https:// URL with a host (an IP address or a host "
                             "name, then an optional port 1..65535), without spaces, or empty for none")
        return value

    def start_epoch(self) -> float:
        start = self.start or datetime.now(timezone.utc)
        if start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
        return start.timestamp()
