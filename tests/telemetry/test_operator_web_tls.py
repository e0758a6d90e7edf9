"""The web endpoint over HTTPS: a real TLS handshake on loopback, HSTS only over TLS, and bad TLS settings.

The operator's Basic credentials used to cross the network as plain HTTP, whatever the bind.
"""

from __future__ import annotations

import http.client
import logging
import ssl

import pytest
from pydantic import ValidationError

from energy_edge.adapters.prometheus_exporter import build_registry
from energy_edge.adapters.web.app import OperatorPage
from energy_edge.adapters.web.auth import OperatorAuth
from energy_edge.adapters.web.server import ServerTls, WebServer, plain_credentials_warning
from energy_edge.domain.errors import ConfigurationError
from energy_edge.domain.services.operator_view import OperatorView
from energy_edge.domain.services.telemetry_service import TelemetryService
from energy_edge.entrypoints.settings_errors import settings_sentence
from energy_edge.entrypoints.web_settings import WebSettings

from ..domain.controller.fakes import Site
from ..mqtt.certs import make_refused_keys, make_tls_files
from .fakes import FakeClock
from .web_requests import basic, headers_of

PASSWORD = "s3cret-operator"
AUTH = basic("operator", PASSWORD)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A test CA, a server certificate for 127.0.0.1 and localhost with its key, another key, the key encrypted."""
    directory = tmp_path_factory.mktemp("web-pki")
    make_tls_files(directory)
    make_refused_keys(directory)
    return directory


async def _server(tls: ServerTls | None) -> WebServer:
    telemetry = TelemetryService(Site().hub.client("telemetry"), FakeClock())
    page = OperatorPage(OperatorView(telemetry), None, OperatorAuth("operator", PASSWORD))
    server = WebServer(build_registry(telemetry.view), telemetry.health_probe, page, "127.0.0.1", 0, tls=tls)
    await server.start()
    return server


async def test_with_a_certificate_the_page_is_served_over_tls_and_asks_browsers_to_stay_on_it(pki):
    server = await _server(ServerTls(str(pki / "server.crt"), str(pki / "server.key")))
    try:
        trusting = ssl.create_default_context(cafile=str(pki / "ca.crt"))  # verifies the chain and 127.0.0.1
        for path, headers, expected in (("/", AUTH, 200), ("/", {}, 401), ("/metrics", {}, 200)):
            status, got = await headers_of(server.port, path, headers, tls=trusting)
            assert status == expected and got.get("strict-transport-security") == "max-age=31536000", (path, got)
        with pytest.raises(ssl.SSLCertVerificationError):  # a client that does not trust the test CA
            await headers_of(server.port, "/metrics", tls=ssl.create_default_context())
        with pytest.raises((http.client.HTTPException, ConnectionError)):  # no plain HTTP on the TLS port
            await headers_of(server.port, "/", AUTH)
        assert server.scheme == "https"
    finally:
        await server.stop()


async def test_over_plain_http_no_strict_transport_security_is_sent_whatever_a_header_claims():
    server = await _server(None)
    try:
        for headers in ({}, {"X-Forwarded-Proto": "https"}):
            status, got = await headers_of(server.port, "/", headers)
            assert status == 401 and "strict-transport-security" not in got, got
    finally:
        await server.stop()


def test_the_password_in_plain_text_beyond_loopback_is_warned_of_not_refused(pki):
    tls = ServerTls(str(pki / "server.crt"), str(pki / "server.key"))
    warning = plain_credentials_warning("0.0.0.0", False, True, None)
    assert warning is not None and "without TLS on 0.0.0.0" in warning and "EE_WEB_TLS_CERT_FILE" in warning
    assert plain_credentials_warning("0.0.0.0", False, True, tls) is None
    assert plain_credentials_warning("127.0.0.1", True, True, None) is None  # stays on this machine
    assert plain_credentials_warning("0.0.0.0", False, False, None) is None  # no password: the page is off


async def test_on_loopback_without_tls_nothing_is_warned(caplog):
    caplog.set_level(logging.WARNING, "energy_edge.adapters.web.server")
    server = await _server(None)
    await server.stop()
    assert "without TLS" not in caplog.text


@pytest.mark.parametrize("cert, key, words", [
    ("server.crt", "", ["EE_WEB_TLS_CERT_FILE={pki}/server.crt is set without EE_WEB_TLS_KEY_FILE", "set both"]),
    ("", "server.key", ["EE_WEB_TLS_KEY_FILE={pki}/server.key is set without EE_WEB_TLS_CERT_FILE"]),
    ("missing.crt", "server.key", ["EE_WEB_TLS_CERT_FILE={pki}/missing.crt is not allowed: no such file",
                                   "PEM file of the page's certificate"]),
    (".", "server.key", ["EE_WEB_TLS_CERT_FILE={pki} is not allowed: is a directory"]),
    ("server.key", "server.key", ["EE_WEB_TLS_CERT_FILE={pki}/server.key is not allowed: it holds no certificate"]),
    ("server.crt", "missing.key", ["EE_WEB_TLS_KEY_FILE={pki}/missing.key is not allowed: no such file",
                                   "private key"]),
    ("server.crt", "ca.crt", ["EE_WEB_TLS_KEY_FILE={pki}/ca.crt is not allowed: it holds no PEM private key"]),
    ("server.crt", "other.key", ["EE_WEB_TLS_KEY_FILE={pki}/other.key is not allowed: it is not the private key "
                                 "of EE_WEB_TLS_CERT_FILE={pki}/server.crt"]),
    ("server.crt", "encrypted.key", ["EE_WEB_TLS_KEY_FILE={pki}/encrypted.key is not allowed: the key is encrypted"]),
])
def test_bad_tls_settings_are_one_sentence_naming_the_variable_and_the_value(pki, cert, key, words):
    with pytest.raises((ConfigurationError, ValidationError)) as raised:
        WebSettings(tls_cert_file=cert and str(pki / cert), tls_key_file=key and str(pki / key))
    sentence = (settings_sentence(raised.value) if isinstance(raised.value, ValidationError)
                else str(raised.value))
    for word in words:
        assert word.replace("{pki}", str(pki)) in sentence, sentence


def test_a_certificate_file_holding_its_key_too_serves_as_both(pki, tmp_path):
    both = tmp_path / "both.pem"
    both.write_bytes((pki / "server.crt").read_bytes() + (pki / "server.key").read_bytes())
    assert WebSettings(tls_cert_file=str(both), tls_key_file=str(both)).tls() == ServerTls(str(both), str(both))
    assert WebSettings(tls_cert_file="", tls_key_file="").tls() is None
