"""Seeded generators of hostile inputs: the values and shapes an attacker or a broken device sends.

Everything comes from one `random.Random(seed)`, so a failure is reproduced by
its seed and index (EE_FUZZ_SEED). Values: huge, NaN, infinite, negative,
subnormal and out-of-range numbers, wrong types, deep nesting, huge strings,
invalid UTF-8, unknown keys, forged module ids and timestamps.
"""

from __future__ import annotations

import json
import math
import random
import time
from typing import Any

SPECIAL_NUMBERS: tuple[Any, ...] = (
    math.nan, math.inf, -math.inf, 1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324,
    -5e-324, 2.2250738585072014e-308, 0.0, -0.0, -1, -1.5, 1e12, 1e9, 3601, 86_400 * 3650, 2**63, -(2**63),
    2**64 + 1, 10**40, True, False, 0x7FFF, 0x8000, 0xFFFF,
)
HOSTILE_STRINGS: tuple[str, ...] = (
    "", " ", "NaN", "Infinity", "-1", "1e300", "null", "../../etc/passwd", "%s%s%n", "\x00", "\u202e",
    "\ud800", "😀" * 3, "battery", "ghost", "$version", "#", "+", "/", "ee/battery/twin/desired",
)
ASSETS = ("solar", "battery", "boiler")
METHODS = {
    "solar": ("start", "stop", "reset", "set_output"),
    "battery": ("start_charging", "start_discharging", "stop", "reset"),
    "boiler": ("start", "stop", "reset", "set_temperature", "hold_off"),
}
ARGUMENTS = {"set_output": ("limit_w", "ttl_s"), "start_charging": ("power_w", "ttl_s"),
             "start_discharging": ("power_w", "ttl_s"), "set_temperature": ("temperature_c", "ttl_s"),
             "hold_off": ("ttl_s",)}
JUNK_METHODS = ("", "explode", "__init__", "handle", "commands", "start_charging\x00", "x" * 5000, "RESET",
                "set_output ", "ping", "\ud800", "reset/../stop")


class Hostile:
    """One seeded source of hostile values and documents."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # -- values -------------------------------------------------------------------------------
    def number(self) -> Any:
        r = self.rng.random()
        if r < 0.6:
            return self.rng.choice(SPECIAL_NUMBERS)
        if r < 0.8:
            return self.rng.uniform(-1e7, 1e7)
        return self.rng.randint(-(2**31), 2**31)

    def string(self) -> str:
        r = self.rng.random()
        if r < 0.7:
            return self.rng.choice(HOSTILE_STRINGS)
        if r < 0.9:
            return "".join(chr(self.rng.randint(1, 0x2FFF)) for _ in range(self.rng.randint(1, 64)))
        return "A" * self.rng.choice((4_096, 65_536, 300_000))  # huge: logs must truncate it

    def nested(self, depth: int | None = None) -> Any:
        depth = depth or self.rng.randint(20, 400)  # a Python-side payload: json.dumps recurses
        value: Any = self.scalar()
        for _ in range(depth):
            value = [value] if self.rng.random() < 0.5 else {"a": value}
        return value

    def scalar(self) -> Any:
        return self.rng.choice((self.number, self.string, lambda: None, lambda: self.rng.random() < 0.5))()

    def value(self) -> Any:
        r = self.rng.random()
        if r < 0.5:
            return self.number()
        if r < 0.7:
            return self.string()
        if r < 0.8:
            return None
        if r < 0.9:
            return [self.scalar() for _ in range(self.rng.randint(0, 5))]
        if r < 0.95:
            return {self.string(): self.scalar() for _ in range(self.rng.randint(0, 5))}
        return self.nested()

    def object_of(self, keys: tuple[str, ...]) -> dict[str, Any]:
        """Some of `keys` with hostile values, sometimes plausible ones, sometimes unknown keys too."""
        doc: dict[str, Any] = {}
        for key in keys:
            if self.rng.random() < 0.7:
                doc[key] = self.value() if self.rng.random() < 0.8 else self.rng.uniform(0, 5000)
        for _ in range(self.rng.choice((0, 0, 0, 1, 3, 50))):
            doc[self.string()[:200] or "unknown"] = self.scalar()
        return doc

    # -- method requests ------------------------------------------------------------------------
    def method_call(self) -> tuple[str, str, Any]:
        """(target, method, payload) as a caller would hand them to `invoke_method`."""
        target = self.rng.choice(ASSETS) if self.rng.random() < 0.97 else self.rng.choice(("ghost", "controller"))
        methods = METHODS.get(target, ("ping",))
        method = self.rng.choice(methods) if self.rng.random() < 0.85 else self.rng.choice(JUNK_METHODS)
        r = self.rng.random()
        if r < 0.75:
            payload: Any = self.object_of(ARGUMENTS.get(method, ("ttl_s",)))
        elif r < 0.9:
            payload = self.value()
        else:
            payload = self.nested()
        return target, method, payload

    def raw_method_request(self) -> tuple[str, bytes, float | None]:
        """(target, the bytes of an MQTT method request, its expiry when it is a readable request)."""
        target, method, payload = self.method_call()
        r = self.rng.random()
        expires_at: Any = time.time() + 60
        if r < 0.75:
            if self.rng.random() < 0.1:
                expires_at = self.rng.choice((math.nan, math.inf, 1e300, "soon", None, -1e300))
            body = {"method": method, "payload": payload, "expires_at": expires_at}
            if self.rng.random() < 0.1:
                body.update(self.object_of(("caller", "module", "rid")))  # forged identity fields
            try:
                return target, json.dumps(body).encode("utf-8", "surrogatepass"), _expiry(expires_at)
            except (ValueError, RecursionError):
                return target, b"{}", None
        return target, self.raw_junk(), None

    def caller(self) -> str:
        """Mostly the controller; sometimes the operator; sometimes another asset (which must get 403)."""
        r = self.rng.random()
        return "controller" if r < 0.85 else "operator" if r < 0.9 else self.rng.choice(ASSETS)

    # -- raw bytes ------------------------------------------------------------------------------
    def raw_junk(self) -> bytes:
        """Bytes that are not a valid document: invalid UTF-8, truncated or deeply nested JSON, huge."""
        choice = self.rng.randrange(8)
        if choice == 0:
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 256)))
        if choice == 1:
            return b"\xff\xfe\xfd" + b'{"method": "stop"}'
        if choice == 2:
            depth = self.rng.choice((1_000, 10_000, 100_000))
            return b"[" * depth + b"]" * depth
        if choice == 3:
            depth = self.rng.choice((1_000, 100_000))
            return b'{"a":' * depth + b"1" + b"}" * depth
        if choice == 4:
            return b'{"method": "stop", "payload": {}, "expires_at": ' + str(time.time() + 60).encode()  # truncated
        if choice == 5:
            return b'"' + b"A" * self.rng.choice((10_000, 500_000)) + b'"'
        if choice == 6:
            return b""
        return b"[1, 2, NaN, Infinity, -Infinity]"

    # -- twin documents -------------------------------------------------------------------------
    def desired(self, writable: tuple[str, ...]) -> dict[str, Any]:
        """A desired patch for a module whose writable properties are `writable`."""
        doc = self.object_of(writable)
        if not doc:
            doc[self.rng.choice(writable)] = self.value()
        return doc

    # -- telemetry ------------------------------------------------------------------------------
    def telemetry(self, source: str, now: float, template: dict[str, Any] | None = None) -> bytes:
        """A telemetry body from `source`: hostile fields, a forged module or kind, a timestamp from the future.

        With `template` (the source's last real body), half are that body with one forgery: every other
        field plausible, so only the check of that one field can refuse it.
        """
        if template and self.rng.random() < 0.5:
            return self._forged(source, now, dict(template))
        if self.rng.random() < 0.2:
            return self.raw_junk()
        kind = source if self.rng.random() < 0.7 else self.rng.choice((*ASSETS, "ghost", "meter", ""))
        body: dict[str, Any] = {
            "module": source if self.rng.random() < 0.6 else self.rng.choice((*ASSETS, "ghost", "controller", "")),
            "kind": kind, "seq": self.rng.randint(0, 10**6),
            "timestamp": now if self.rng.random() < 0.5 else self.rng.choice(
                (now + 10 * 365 * 86_400, now + 30, now - 86_400, math.nan, math.inf, 1e300, -1)),
            "state": self.rng.choice(("RUNNING", "IDLE", "CHARGING", "FAULT", "HEATING", "nonsense", "")),
            "power_w": self.value() if self.rng.random() < 0.6 else self.rng.uniform(-5000, 5000),
            "fault_reason": None, "setpoint_expires_at": None,
        }
        for key in ("available_power_w", "rated_power_w", "limit_w", "soc", "capacity_wh", "max_charge_w",
                    "max_discharge_w", "soc_min", "soc_max", "temperature_c", "setpoint_c", "min_temperature_c",
                    "max_temperature_c", "heater_power_w", "heater_on"):
            if self.rng.random() < 0.5:
                body[key] = self.value()
        try:
            return json.dumps(body).encode("utf-8", "surrogatepass")
        except (ValueError, RecursionError):
            return b"{}"

    def _forged(self, source: str, now: float, body: dict[str, Any]) -> bytes:
        body["seq"] = int(body.get("seq", 0)) + self.rng.randint(1, 1000)
        body["timestamp"] = now
        forgery = self.rng.randrange(5)
        if forgery == 0:
            body["module"] = self.rng.choice([m for m in (*ASSETS, "ghost", "controller") if m != source])
        elif forgery == 1:
            body["kind"] = self.rng.choice([k for k in (*ASSETS, "ghost") if k != body.get("kind")])
        elif forgery == 2:
            body["timestamp"] = now + self.rng.choice((60.0, 3600.0, 10 * 365 * 86_400.0))
        elif forgery == 3:
            key = self.rng.choice([k for k, v in body.items() if isinstance(v, (int, float)) and not isinstance(v, bool)])
            body[key] = self.rng.choice((1e300, -1e300, 1e12, -1e12, 5e-324))
        else:
            body["seq"] = self.rng.choice((2**63, 10**30))
        return json.dumps(body).encode()

    # -- Modbus registers ------------------------------------------------------------------------
    def registers(self, count: int) -> list[int]:
        """16-bit register values: sentinels, scale-factor extremes, sign edges, random words."""
        words = (0x0000, 0x7FFF, 0x8000, 0xFFFF, 0xFFF6, 0x000A, 0xFFF5, 0x000B, 0x0001, 0xFFFE, 0x8001)
        return [self.rng.choice(words) if self.rng.random() < 0.6 else self.rng.randrange(0x10000)
                for _ in range(count)]


def _expiry(value: Any) -> float | None:
    """The expiry a module compares with its clock, or None when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
