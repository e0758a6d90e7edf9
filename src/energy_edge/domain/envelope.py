"""An envelope: the widest limits the twin may set, as the site file states them.

Physical limits are a contract. The site file (the installer's statement of the
hardware and the grid connection; the embedded default site without one) is
the envelope; the twin (a remote operator, or a compromised cloud) may narrow
the limits within it, never widen them. A ceiling (a rating, `soc_max`,
`max_temperature_c`, `export_safe_limit_w`, `main_fuse_a`, the controller's
`import_limit_w` and `export_limit_w`) may be lowered, a floor (`soc_min`,
`min_temperature_c`) raised. A desired value beyond either is refused with one
sentence naming the field, the value and what is allowed, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .errors import InvalidPayload

_UNITS = {"_w": " W", "_c": " °C", "_a": " A", "_s": " s", "_wh": " Wh"}


def unit(name: str) -> str:
    """The unit a field's name ends with (`max_charge_w`: " W"); none for a fraction (`soc_min`)."""
    suffix = "_" + name.rsplit("_", 1)[-1] if "_" in name else ""
    return _UNITS.get(suffix, "")


def beyond(name: str, value: float, *, lowest: float | None = None, highest: float | None = None) -> str | None:
    """Why `value` of the field `name` is outside the site file's [lowest, highest], or None inside it."""
    if highest is not None and value > highest:
        bound, edge = "at most", highest
    elif lowest is not None and value < lowest:
        bound, edge = "at least", lowest
    else:
        return None
    u = unit(name)
    return (f"{name} {value:g}{u} refused: the site file allows {bound} {edge:g}{u}; "
            "the twin may narrow a physical limit, never widen it")


@dataclass(frozen=True, slots=True)
class Envelope:
    """Ceilings and floors by field name, as the site file states them."""

    highest: Mapping[str, float]  # the twin may lower these fields, never raise them above
    lowest: Mapping[str, float]  # the twin may raise these fields, never lower them below

    @classmethod
    def around(cls, config: Any, ceilings: Iterable[str], floors: Iterable[str],
               stated: Mapping[str, float] | None = None) -> "Envelope":
        """The envelope of `config` (the values a module starts with, from its site file): each ceiling and
        floor is the config's own value unless `stated` (the site file's, where it differs from the value the
        module starts with: an inverter's share of the export limit) gives it. A config outside its own
        envelope is a composition error (ValueError), never a twin's."""
        ceilings, floors, stated = tuple(ceilings), tuple(floors), dict(stated or {})
        if unknown := sorted(set(stated) - {*ceilings, *floors}):
            raise ValueError(f"no ceiling or floor named {', '.join(unknown)}")
        envelope = cls(MappingProxyType({name: float(stated.get(name, getattr(config, name))) for name in ceilings}),
                       MappingProxyType({name: float(stated.get(name, getattr(config, name))) for name in floors}))
        if outside := envelope.outside(config):
            raise ValueError(f"the configuration a module starts with is outside its site file's envelope: {outside}")
        return envelope

    def refusal(self, name: str, value: float) -> str | None:
        """Why the twin may not set `name` to `value`, or None while it may."""
        return beyond(name, value, lowest=self.lowest.get(name), highest=self.highest.get(name))

    def check(self, rule: str, values: Mapping[str, float]) -> None:
        """Refuse (`InvalidPayload`, rule `<rule>.<field>`) the first value beyond the envelope."""
        for name, value in values.items():
            if (reason := self.refusal(name, value)) is not None:
                raise InvalidPayload(f"{rule}.{name}", reason)

    def outside(self, config: Any) -> str | None:
        """Why `config` is not within the envelope, or None (every ceiling and floor kept)."""
        for name in (*self.highest, *self.lowest):
            if (reason := self.refusal(name, getattr(config, name))) is not None:
                return reason
        return None
