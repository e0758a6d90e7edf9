"""Small helpers shared by the tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import time
from typing import Awaitable, Callable

import pytest


async def eventually(condition: Callable[[], bool], timeout_s: float = 5.0, interval_s: float = 0.01) -> None:
    """Wait until `condition()` holds; fail the test with a clear message when it never does."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(interval_s)


async def eventually_async(condition: Callable[[], Awaitable[bool]], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.02)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def require_binary(name: str, install_hint: str) -> str:
    """The path of a tool the test needs. Under CI=true a missing tool fails; elsewhere it skips."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if path:
        return path
    message = f"{name} is not installed ({install_hint})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "; CI must install it (.ci/run)")
    pytest.skip(message)


async def register_and_connect(client, *, inputs=None, methods=None, desired=None):
    """Register handlers on a module client before connecting, as every transport requires."""
    for name, handler in (inputs or {}).items():
        client.on_input(name, handler)
    if methods is not None:
        client.on_method(methods)
    if desired is not None:
        client.on_desired_patch(desired)
    await client.connect()
    return client
