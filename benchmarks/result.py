"""One measured figure, with its unit and the target it is judged against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    target: str = ""  # e.g. "<= 20 us/asset"; empty when there is none
    met: bool | None = None

    def as_json(self) -> dict:
        return {"value": self.value, "unit": self.unit, "target": self.target, "met": self.met}

    def row(self) -> str:
        verdict = {True: "ok", False: "MISSED", None: ""}[self.met]
        return f"  {self.name:<55} {self.value:>14.4g} {self.unit:<10} {self.target:<22} {verdict}"
