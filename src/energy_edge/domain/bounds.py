"""The physical and protocol bounds every accepted value must respect, in one place.

Nothing that arrives at a port (a method payload, a twin document, a telemetry
body) is trusted: each number has a documented, physically meaningful range, so
a value the balancer sees is never non-finite or absurd. README.md "Accepted
values" lists them for operators; tests import them from here.
"""

from __future__ import annotations

import math

# -- powers and energies -----------------------------------------------------------------
MAX_POWER_W = 10e6  # 10 MW: above any single asset or grid connection this edge controller steers
MAX_ENERGY_WH = 100e6  # 100 MWh: above any single battery on such a site
# A power below 1 W is under any meter's resolution: where 0 is allowed it is taken as 0, where a positive
# power is required (a battery's charge power, a rating) it is refused.
MIN_POWER_W = 1.0

# -- temperatures ---------------------------------------------------------------------------
MIN_TEMPERATURE_C = -50.0  # a measured water or ambient temperature outside this is a broken sensor
MAX_TEMPERATURE_C = 150.0

# -- hot water --------------------------------------------------------------------------------
MAX_HOT_WATER_L_PER_H = 100_000.0  # 100 m3/h: an industrial process's draw (~6 MW at 50 K); a home's is < 500

# -- setpoint leases ------------------------------------------------------------------------
DEFAULT_MAX_SETPOINT_TTL_S = 300.0  # twin property `max_setpoint_ttl_s` of every asset, by default
SETPOINT_TTL_CEILING_S = 3600.0  # no lease, nor `max_setpoint_ttl_s`, may exceed an hour

# -- controller timing ----------------------------------------------------------------------
MIN_CYCLE_S = 0.2
MAX_CYCLE_S = 60.0
MAX_REPORTING_INTERVAL_S = 86_400.0  # the controller's site report: at least once a day

# -- direct methods --------------------------------------------------------------------------
MAX_METHOD_TIMEOUT_S = 3600.0  # the longest a caller waits for an answer (`energy-edge call --timeout`)

# -- telemetry time -------------------------------------------------------------------------
# A report stamped further ahead of the receiver's clock than this is refused: it would otherwise win
# `supersedes` against every genuine report until that time (modules on one site share NTP time).
MAX_FUTURE_SKEW_S = 5.0

# -- parsers at the ports ----------------------------------------------------------------------
MAX_JSON_BYTES = 64 * 1024  # a telemetry body is < 1 KiB, a twin document a few KiB
MAX_JSON_DEPTH = 32  # nesting of objects and arrays; our documents are at most 3 deep

# -- twin documents ------------------------------------------------------------------------------
# A twin's `$version` is IoT Hub's int64 (the Azure IoT SDKs' `Version` is a `long`): a document above it was never
# IoT Hub's, and taking it would make every genuine version after it look older
MAX_TWIN_VERSION = 2**63 - 1

# -- twin reported documents -------------------------------------------------------------------
MAX_REFUSED_KEYS_ACKED = 8  # unknown desired keys acknowledged (400) per document; the rest are summarised
MAX_KEY_BYTES = 64  # an unknown key whose JSON takes more is summarised, never echoed as a reported key
# The whole reported document of any module stays below this (IoT Hub keeps 32 KB of reported properties): the
# controller's 33 writable properties all refused with long values, and 8 long unknown keys, take 20 KiB as json.dumps
# writes them (22 KiB with arrays of digits, which its ", " spaces lengthen: 4 KiB of compact JSON echoed whole,
# desired_document.MAX_ECHOED_OBJECTS_BYTES). Keys, values and reasons are cut by the bytes of their JSON
# (shown.json_size: an emoji takes 12, \ud83d\ude00), so text beyond ASCII takes no more (by characters: 73 KiB)
MAX_REPORTED_BYTES = 24 * 1024

# -- logs ------------------------------------------------------------------------------------------
MAX_SHOWN_CHARS = 200  # a received value in a log line or an error sentence is cut to this


def finite(value: float) -> bool:
    """Whether a JSON number is a finite float (an integer beyond any float is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        return False
