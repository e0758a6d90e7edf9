"""`energy-edge twin` against a stand-in operator: what it prints and its exit status."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from energy_edge.entrypoints.commands import twin


class Operator:
    """Acknowledges every set property with 200; a deleted one leaves the reported document after a moment."""

    def __init__(self, reported: dict[str, Any], leaves: bool = True) -> None:
        self.reported_docs = {"controller": dict(reported)}
        self.leaves = leaves

    async def set_desired(self, module: str, patch: dict[str, Any]) -> int:
        async def report() -> None:
            await asyncio.sleep(0.1)
            for key, value in patch.items():
                if value is not None:
                    self.reported_docs[module][key] = {"value": value, "ac": 200, "av": 7, "ad": "applied"}
                elif self.leaves:
                    self.reported_docs[module].pop(key, None)
        self._reporting = asyncio.create_task(report())
        return 7

    async def acknowledged(self, module: str, keys: list[str], version: int, timeout_s: float) -> dict[str, Any]:
        await asyncio.sleep(0.2)
        return {key: self.reported_docs[module][key] for key in keys if key in self.reported_docs[module]}


@pytest.fixture
def site(monkeypatch):
    def use(operator: Operator) -> None:
        @contextlib.asynccontextmanager
        async def connected(site_dir=None):
            yield operator

        async def known(*_args):
            return None

        monkeypatch.setattr(twin, "connected_operator", connected)
        monkeypatch.setattr(twin, "site_modules", lambda: ["controller"])
        monkeypatch.setattr(twin, "unknown_module", known)
    return use


def test_a_deleted_property_is_reported_deleted_not_waited_for_as_an_acknowledgement(site, capsys):
    """A deletion has no acknowledgement (its ack leaves the reported document): `tariff=null` printed 'no
    acknowledgement within 5 s' and exited 1 after the whole timeout."""
    site(Operator({"tariff": {"value": {"import_price_per_kwh": 0.3}, "ac": 200, "av": 6, "ad": "applied"}}))
    code = asyncio.run(twin._twin("controller", {"tariff": None, "never_set": None, "grid_target_w": 5}, 3.0, None))
    out = capsys.readouterr().out
    assert code == 0, out
    assert "  tariff: deleted" in out and "  never_set: deleted" in out and '"ac": 200' in out


def test_a_deletion_still_reported_after_the_timeout_says_so_and_exits_1(site, capsys):
    site(Operator({"tariff": {"value": 1, "ac": 200, "av": 6, "ad": "applied"}}, leaves=False))
    code = asyncio.run(twin._twin("controller", {"tariff": None}, 0.5, None))
    out = capsys.readouterr().out
    assert code == 1 and "  tariff: still reported after 0.5 s" in out, out
