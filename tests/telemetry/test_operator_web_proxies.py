"""Behind a trusted reverse proxy (EE_WEB_TRUSTED_PROXIES) each forwarded client is counted on its own.

uvicorn ran with proxy_headers off, so behind a proxy every client shared the proxy's address: one guesser
held the operator out for the minute, and the proxy's 16 connections were everyone's.
"""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from energy_edge.adapters.prometheus_exporter import build_registry
from energy_edge.adapters.web.app import OperatorPage
from energy_edge.adapters.web.auth import MAX_FAILED_LOGINS, OperatorAuth
from energy_edge.adapters.web.connections import ConnectionLimits
from energy_edge.adapters.web.proxies import TrustedProxies
from energy_edge.adapters.web.server import WebServer
from energy_edge.domain.services.operator_view import OperatorView
from energy_edge.domain.services.telemetry_service import TelemetryService
from energy_edge.entrypoints.settings_errors import settings_sentence
from energy_edge.entrypoints.web_settings import WebSettings

from ..domain.controller.fakes import Site
from .fakes import FakeClock
from .web_requests import basic, request

PASSWORD = "s3cret-operator"
AUTH = basic("operator", PASSWORD)
PROXY = "127.0.0.2"  # the trusted proxy's address; 127.0.0.1 is any other peer


@pytest.fixture
async def proxied():
    """A server trusting PROXY, 3 connections per address, 6 in all."""
    telemetry = TelemetryService(Site().hub.client("telemetry"), FakeClock())
    page = OperatorPage(OperatorView(telemetry), None, OperatorAuth("operator", PASSWORD, clock=FakeClock().now))
    server = WebServer(build_registry(telemetry.view), telemetry.health_probe, page, "127.0.0.1", 0,
                       ConnectionLimits(request_timeout_s=2.0, per_address=3, total=6),
                       trusted_proxies=TrustedProxies.parse(f"10.9.0.0/16, {PROXY}"))
    await server.start()
    yield server
    await server.stop()


async def _guess_until_held(port: int, source: str, forwarded: str) -> tuple[int, str]:
    for attempt in range(MAX_FAILED_LOGINS):
        guess = {**basic("operator", f"guess{attempt}"), "X-Forwarded-For": forwarded}
        assert (await request(port, "GET", "/api/snapshot", headers=guess, source=source))[0] == 401
    return await request(port, "GET", "/api/snapshot", headers={**AUTH, "X-Forwarded-For": forwarded}, source=source)


async def test_from_a_trusted_proxy_each_forwarded_client_has_its_own_login_limit(proxied):
    # the client wrote an address itself (left); the proxy appended the one it saw (right)
    status, text = await _guess_until_held(proxied.port, PROXY, "203.0.113.9, 198.51.100.1")
    assert status == 429 and text.startswith("too many failed logins from 198.51.100.1:"), text
    other = {**AUTH, "X-Forwarded-For": "198.51.100.2"}
    assert (await request(proxied.port, "GET", "/api/snapshot", headers=other, source=PROXY))[0] == 200
    # a chain of trusted proxies: the right-most address that is not one of them is the client
    chained = {**AUTH, "X-Forwarded-For": "198.51.100.1, 10.9.3.4"}
    assert (await request(proxied.port, "GET", "/api/snapshot", headers=chained, source=PROXY))[0] == 429


async def test_from_any_other_peer_the_header_is_ignored_and_the_socket_is_counted(proxied):
    status, text = await _guess_until_held(proxied.port, "127.0.0.1", "198.51.100.7")
    assert status == 429 and text.startswith("too many failed logins from 127.0.0.1:"), text
    forged = {**AUTH, "X-Forwarded-For": "198.51.100.8"}
    assert (await request(proxied.port, "GET", "/api/snapshot", headers=forged))[0] == 429
    assert (await request(proxied.port, "GET", "/api/snapshot", headers=AUTH, source=PROXY))[0] == 200


async def _opened(port: int, source: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def _answered(connection: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> bytes:
    reader, writer = connection
    writer.write(b"GET /livez HTTP/1.1\r\nHost: localhost\r\n\r\n")
    async with asyncio.timeout(3.0):
        return await reader.read(12)


async def test_a_trusted_proxy_is_not_held_to_the_cap_per_address_but_to_the_total(proxied):
    from_proxy = [await _opened(proxied.port, PROXY) for _ in range(5)]  # more than 3: every client's
    await asyncio.sleep(0.05)
    assert [await _answered(c) for c in from_proxy] == [b"HTTP/1.1 200"] * 5
    other = [await _opened(proxied.port, "127.0.0.1") for _ in range(2)]  # 7 in all: past the total of 6
    await asyncio.sleep(0.05)
    assert await _answered(other[-1]) == b"HTTP/1.1 503"
    for _, writer in from_proxy + other:
        writer.close()


async def test_another_address_is_still_held_to_the_cap_per_address(proxied):
    held = [await _opened(proxied.port, "127.0.0.1") for _ in range(4)]
    await asyncio.sleep(0.05)
    async with asyncio.timeout(1.0):
        assert await held[-1][0].read() == b""  # the 4th closed as it opens
    for _, writer in held:
        writer.close()


@pytest.mark.parametrize("value, words", [
    ("10.0.0.2, traefik", ["EE_WEB_TRUSTED_PROXIES=10.0.0.2, traefik is not allowed: entry 'traefik' is not an IP "
                           "address or network", "10.0.0.2, 172.16.0.0/12"]),
    ("10.0.0.1/8", ["entry '10.0.0.1/8' has bits set past its prefix: write the network, 10.0.0.0/8"]),
    ("*", ["entry '*' is not an IP address or network"]),
    ("10.0.0.0/33", ["entry '10.0.0.0/33' is not an IP address or network"]),
])
def test_a_bad_trusted_proxy_entry_is_one_sentence_naming_the_variable_and_the_entry(value, words):
    with pytest.raises(ValidationError) as raised:
        WebSettings(trusted_proxies=value)
    sentence = settings_sentence(raised.value)
    for word in words:
        assert word in sentence, sentence


def test_addresses_and_networks_of_either_family_are_trusted_and_nothing_else():
    proxies = WebSettings(trusted_proxies=" 10.0.0.2, 172.16.0.0/12 ,fd00::/8,").proxies()
    assert proxies.allowed() == ["10.0.0.2/32", "172.16.0.0/12", "fd00::/8"]
    assert "172.20.1.1" in proxies and "fd00::1" in proxies and "10.0.0.2" in proxies
    assert "10.0.0.3" not in proxies and "::ffff:10.0.0.3" not in proxies and "proxy" not in proxies
    assert not WebSettings(trusted_proxies="").proxies()
