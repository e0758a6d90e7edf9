"""Fuzz settings: EE_FUZZ_COUNT inputs per port (300 in `make test`, 10,000 in `make fuzz`), EE_FUZZ_SEED."""

from __future__ import annotations

import os

import pytest

from .fixtures import TRANSPORTS, started_site

DEFAULT_COUNT = 300
DEFAULT_SEED = 20261129


@pytest.fixture
def count() -> int:
    return int(os.environ.get("EE_FUZZ_COUNT", DEFAULT_COUNT))


@pytest.fixture
def seed() -> int:
    return int(os.environ.get("EE_FUZZ_SEED", DEFAULT_SEED))


@pytest.fixture(params=TRANSPORTS)
async def fuzzed(request):
    """(transport, a started FuzzSite) on the in-memory hub and on a real Mosquitto."""
    async for made in started_site(request.param):
        yield made
