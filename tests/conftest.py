"""Suite-wide settings.

Under CI=true, hypothesis runs derandomized (the same examples every run), so a
green main stays green and a red one is reproducible; locally it keeps
exploring new examples and remembers failures in .hypothesis/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from hypothesis import settings

from energy_edge.adapters.transports.mosquitto_broker import private_data_dir

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _no_broker_data_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """A broker that `up` started (in a child process) under a test's tmp_path keeps its data, a copy of
    its password file and ACL among it, in a private folder in the temp dir when its user cannot reach
    tmp_path: gone with the test, as tmp_path itself is."""
    root = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if root is None:
        return
    for workdir in root.rglob("broker"):
        if workdir.is_dir():
            shutil.rmtree(private_data_dir(workdir), ignore_errors=True)
