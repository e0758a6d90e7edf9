"""A fresh edgeHub stand-in per test (its own loopback address), and module services on top of it."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from ..edgehub_standin import EdgeHubStandIn
from ..edgehub_standin.harness import require_privileged_ports


@pytest.fixture
async def standin(tmp_path) -> AsyncIterator[EdgeHubStandIn]:
    require_privileged_ports()
    hub = EdgeHubStandIn(tmp_path).start()
    try:
        yield hub
    finally:
        hub.stop()
