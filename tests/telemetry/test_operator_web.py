"""The operator page's HTTP surface over real HTTP (uvicorn on loopback), commands on the in-memory hub.

Authentication, the same-origin rule, one sentence for a bad command, the
module's own answer for a refused one (also logged as an event), limits set
through the controller's twin with its acknowledgement, and the live stream.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json

import pytest
from hypothesis import given, strategies as st

from energy_edge.adapters.prometheus_exporter import build_registry
from energy_edge.adapters.web.app import OperatorPage
from energy_edge.adapters.web.auth import MAX_FAILED_LOGINS, OperatorAuth
from energy_edge.adapters.transports.mqtt_session import MqttConfig
from energy_edge.adapters.web.commands import CloudOnlyCommands, HubCommands, MqttCommands
from energy_edge.adapters.web.command_requests import BadCommand, parse_limit, parse_method
from energy_edge.adapters.web.connections import ConnectionLimits
from energy_edge.adapters.web.server import WebServer
from energy_edge.domain.services.operator_view import OperatorView
from energy_edge.domain.services.telemetry_service import TelemetryService
from energy_edge.domain.status import Status

from ..domain.controller.fakes import Site
from ..helpers import free_port
from .fakes import FakeClock
from .web_requests import basic as _basic, headers_of as _headers, request as _request

PASSWORD = "s3cret-operator"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"operator:{PASSWORD}".encode()).decode()}
JSON = {**AUTH, "Content-Type": "application/json"}


@pytest.fixture
async def web():
    site = await Site().start("solar", "battery")
    telemetry = TelemetryService(site.hub.client("telemetry"), site.clock)
    await telemetry.start()
    view = OperatorView(telemetry)
    page = OperatorPage(view, HubCommands(site.hub), OperatorAuth("operator", PASSWORD), push_interval_s=0.05)
    server = WebServer(build_registry(telemetry.view), telemetry.health_probe, page, "127.0.0.1", 0)
    await server.start()
    yield server, site, view
    await server.stop()


async def test_the_page_and_its_data_need_the_operators_password_but_metrics_and_health_do_not(web):
    server, _, _ = web
    assert (await _request(server.port, "GET", "/"))[0] == 401
    wrong = {"Authorization": "Basic " + base64.b64encode(b"operator:guess").decode()}
    assert (await _request(server.port, "GET", "/api/snapshot", headers=wrong))[0] == 401
    assert (await _request(server.port, "GET", "/api/snapshot", headers={"Authorization": "Basic !!"}))[0] == 401
    status, page = await _request(server.port, "GET", "/", headers=AUTH)
    assert status == 200 and "/static/app.js" in page
    assert (await _request(server.port, "GET", "/static/app.js"))[0] == 200
    assert (await _request(server.port, "GET", "/metrics"))[0] == 200
    assert (await _request(server.port, "GET", "/healthz"))[0] in (200, 503)


async def test_without_an_operator_password_the_page_is_off():
    telemetry = TelemetryService(Site().hub.client("telemetry"), FakeClock())
    page = OperatorPage(OperatorView(telemetry), None, OperatorAuth("operator", None))
    server = WebServer(build_registry(telemetry.view), telemetry.health_probe, page, "127.0.0.1", 0)
    await server.start()
    try:
        status, text = await _request(server.port, "GET", "/", headers=AUTH)
        assert status == 503 and "EE_MQTT_PASSWORD_OPERATOR" in text
    finally:
        await server.stop()


async def test_a_command_is_answered_by_the_module_and_a_refusal_is_logged_with_its_reason(web):
    server, site, view = web
    status, answer = await _request(server.port, "POST", "/api/method",
                                    {"module": "solar", "method": "stop", "payload": {}}, JSON)
    assert status == 200 and answer["status"] == 200
    assert site.assets["solar"].take_calls() == [("stop", {})]
    site.assets["battery"].status = Status.CONFLICT
    status, answer = await _request(server.port, "POST", "/api/method",
                                    {"module": "battery", "method": "start_charging",
                                     "payload": {"power_w": 1000}}, JSON)
    assert answer == {"status": 409, "payload": {"error": "refused", "reason": "not in this state"}}
    assert view.events[-1].kind == "refusal" and "start_charging answered 409: not in this state" in view.events[-1].text


@pytest.mark.parametrize("body, field", [
    ({"module": "nope", "method": "stop"}, "module: 'nope' is not a module of this site"),
    ({"module": "battery", "method": "../x"}, "method: '../x' is not a method name"),
    ({"module": "battery", "method": "stop", "payload": [1]}, "payload: [1] is not a JSON object"),
    ({"module": "battery", "method": "stop", "payload": {"x": "y" * 3000}}, "payload: larger than 2048 bytes"),
    ([1, 2], "body: [1, 2] is not a JSON object"),
])
async def test_a_bad_command_gets_one_sentence_and_sends_nothing(web, body, field):
    server, site, _ = web
    status, answer = await _request(server.port, "POST", "/api/method", body, JSON)
    assert status == 400 and answer["payload"]["reason"].startswith(field)
    assert site.assets["battery"].take_calls() == []


async def test_commands_come_as_json_from_this_origin_only(web):
    server, site, _ = web
    command = {"module": "solar", "method": "stop"}
    status, _ = await _request(server.port, "POST", "/api/method", command, {**AUTH, "Content-Type": "text/plain"})
    assert status == 415
    status, answer = await _request(server.port, "POST", "/api/method", command,
                                    {**JSON, "Origin": "http://evil.example"})
    assert status == 403 and "evil.example" in answer["reason"]
    status, answer = await _request(server.port, "POST", "/api/method", raw=b"{not json", headers=JSON)
    assert status == 400 and answer["error"] == "body"
    assert site.assets["solar"].take_calls() == []


async def test_a_command_saying_a_key_twice_is_refused_naming_it_and_sends_nothing(web):
    """The page's log would show one value and the module get the other (the last one used to win)."""
    server, site, _ = web
    body = b'{"module":"battery","method":"stop","method":"start_charging","payload":{"power_w":1000}}'
    status, answer = await _request(server.port, "POST", "/api/method", raw=body, headers=JSON)
    assert status == 400 and answer["error"] == "body" and "'method' appears more than once" in answer["reason"]
    assert site.assets["battery"].take_calls() == []


async def test_a_limit_goes_through_the_controllers_twin_and_comes_back_acknowledged(web):
    server, site, view = web
    status, answer = await _request(server.port, "POST", "/api/limit", {"name": "export_limit_w", "value": 6000}, JSON)
    assert answer["status"] == 200 and answer["payload"]["export_limit_w"]["ac"] == 200
    assert site.controller.policy.export_limit_w == 6000.0
    status, answer = await _request(server.port, "POST", "/api/limit", {"name": "soc_reserve_min", "value": 2}, JSON)
    assert answer["status"] == 400 and "soc_reserve_min" in json.dumps(answer["payload"])
    assert site.controller.policy.soc_reserve_min == 0.1  # unchanged
    assert view.events[-1].kind == "refusal"
    status, answer = await _request(server.port, "POST", "/api/limit", {"name": "deadband_w", "value": 5}, JSON)
    assert status == 400 and answer["payload"]["reason"].startswith("name: 'deadband_w' is not a limit the page sets")


async def test_the_stream_pushes_snapshots(web):
    server, _, _ = web

    def first_events() -> list[str]:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", "/api/stream", headers=AUTH)
        response = connection.getresponse()
        assert response.getheader("content-type").startswith("text/event-stream")
        lines = []
        while len([line for line in lines if line.startswith("event: snapshot")]) < 2:
            lines.append(response.readline().decode().strip())
        connection.close()
        return lines

    lines = await asyncio.to_thread(first_events)
    data = json.loads(next(line for line in lines if line.startswith("data: "))[len("data: "):])
    assert {"now", "flows", "assets", "limits", "guidance", "events"} <= data.keys()


async def test_on_iot_edge_the_page_sends_no_command_and_says_where_they_go():
    commands = CloudOnlyCommands()
    for answer in (await commands.invoke("solar", "stop", {}, 1.0),
                   await commands.set_desired("controller", {"export_limit_w": 1.0}, 1.0)):
        assert answer.status == 403 and "IoT Hub" in answer.payload["reason"]


async def test_on_mqtt_an_unreachable_broker_is_an_answer_not_an_error():
    commands = MqttCommands(MqttConfig(port=free_port(), connect_timeout_s=0.5, reconnect_max_s=0.2))
    try:
        for answer in (await commands.invoke("solar", "stop", {}, 1.0),
                       await commands.set_desired("controller", {"export_limit_w": 1.0}, 1.0)):
            assert answer.status == 504 and answer.payload["reason"].startswith("cannot reach the broker")
    finally:
        await commands.close()


@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=10))
def test_any_json_body_is_either_a_command_or_one_sentence(body):
    for parse in (lambda b: parse_method(b, ["battery", "solar"]), parse_limit):
        try:
            parse(body)
        except BadCommand as exc:
            assert ": " in str(exc) and "\n" not in str(exc)


async def test_no_other_site_may_frame_the_page_or_have_it_run_anything_but_its_own_script(web):
    """A page on another origin framing the operator's (logged-in) page could trick a click on Stop and Send."""
    server, _, _ = web
    for path, headers in (("/", AUTH), ("/api/snapshot", AUTH), ("/", {}), ("/static/app.js", {}), ("/metrics", {})):
        status, got = await _headers(server.port, path, headers)
        policy = {d.strip().split(" ")[0]: d.strip() for d in got.get("content-security-policy", "").split(";")}
        assert policy.get("frame-ancestors") == "frame-ancestors 'none'", (path, got)
        assert policy.get("default-src") == "default-src 'self'" and "'unsafe-inline'" not in str(policy), (path, got)
        assert got.get("x-frame-options") == "DENY" and got.get("x-content-type-options") == "nosniff", (path, got)
        assert got.get("referrer-policy") == "no-referrer", (path, got)


async def test_the_operators_data_is_never_kept_in_a_cache(web):
    server, _, _ = web
    for path in ("/", "/api/snapshot", "/api/history"):
        status, got = await _headers(server.port, path, AUTH)
        assert status == 200 and got.get("cache-control") == "no-store", (path, got)


async def _guarded_server() -> tuple[WebServer, FakeClock]:
    """A started web server whose failed-login count runs on a fake clock."""
    clock = FakeClock()
    telemetry = TelemetryService(Site().hub.client("telemetry"), clock)
    page = OperatorPage(OperatorView(telemetry), None, OperatorAuth("operator", PASSWORD, clock=clock.now))
    server = WebServer(build_registry(telemetry.view), telemetry.health_probe, page, "127.0.0.1", 0)
    await server.start()
    return server, clock


async def test_password_guessing_is_held_to_a_few_tries_a_minute_per_address(caplog):
    """Without a limit a client on the network tries thousands of passwords a second."""
    server, clock = await _guarded_server()
    try:
        assert (await _request(server.port, "GET", "/api/snapshot"))[0] == 401  # the browser asking: no guess
        for attempt in range(MAX_FAILED_LOGINS):
            assert (await _request(server.port, "GET", "/api/snapshot", headers=_basic("operator", f"guess{attempt}")))[0] == 401
        status, text = await _request(server.port, "GET", "/api/snapshot", headers=AUTH)  # even the right one
        assert status == 429 and text.startswith("too many failed logins from 127.0.0.1: try again in 60 s")
        assert PASSWORD not in caplog.text and "guess" not in caplog.text and "127.0.0.1" in caplog.text
        assert (await _request(server.port, "GET", "/api/snapshot", headers=AUTH, source="127.0.0.2"))[0] == 200
        clock.t += 30
        assert (await _request(server.port, "GET", "/api/snapshot", headers=AUTH))[0] == 429
        clock.t += 31  # the first guesses are a minute old
        assert (await _request(server.port, "GET", "/api/snapshot", headers=AUTH))[0] == 200
        for attempt in range(MAX_FAILED_LOGINS - 1):  # a login clears the address's count
            assert (await _request(server.port, "GET", "/", headers=_basic("operator", "again")))[0] == 401
        assert (await _request(server.port, "GET", "/", headers=AUTH))[0] == 200
    finally:
        await server.stop()


async def test_a_forwarded_for_header_does_not_move_a_guessers_count_to_another_address():
    """uvicorn trusts `X-Forwarded-For` from loopback by default: a guesser there named a new address with
    each request and was never held. The address is the socket's, never a header (auth._address)."""
    server, clock = await _guarded_server()
    try:
        for attempt in range(MAX_FAILED_LOGINS):
            forged = {**_basic("operator", f"guess{attempt}"), "X-Forwarded-For": f"198.51.100.{attempt}"}
            assert (await _request(server.port, "GET", "/api/snapshot", headers=forged))[0] == 401
        forged = {**AUTH, "X-Forwarded-For": "198.51.100.99"}
        status, text = await _request(server.port, "GET", "/api/snapshot", headers=forged)
        assert status == 429 and "127.0.0.1" in text
    finally:
        await server.stop()


def test_the_comparison_takes_the_same_time_whatever_the_user_name_or_the_passwords_length(monkeypatch):
    """compare_digest returns at once on inputs of different lengths, and `and` skipped the password for a wrong user."""
    import energy_edge.adapters.web.auth as auth

    compared = []
    real = auth.secrets.compare_digest
    monkeypatch.setattr(auth.secrets, "compare_digest", lambda a, b: compared.append((len(a), len(b))) or real(a, b))
    guard = OperatorAuth("operator", PASSWORD)
    for user, password in (("operator", "x"), ("someone", PASSWORD), ("operator", PASSWORD * 9), ("o", "")):
        compared.clear()
        assert guard.matches(_basic(user, password)["Authorization"]) is False
        assert len(compared) == 1 and compared[0][0] == compared[0][1] == 32
    assert guard.matches(AUTH["Authorization"]) is True


@pytest.mark.parametrize("host, counted_as", [
    ("192.0.2.7", "192.0.2.7"), ("::ffff:192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"), ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
])
def test_an_ipv6_client_is_counted_by_its_64_which_one_machine_holds_whole(host, counted_as):
    from starlette.requests import Request

    from energy_edge.adapters.web.auth import _address

    assert _address(Request({"type": "http", "client": (host, 1), "headers": []})) == counted_as


async def test_bound_to_loopback_it_answers_only_loopback_names_so_a_rebound_name_reads_nothing(web):
    """DNS rebinding: a page at evil.example re-points its name at 127.0.0.1 and, being same-origin
    with itself, reads /metrics or guesses the operator's password (locking the operator out) from
    the operator's own browser; its requests name its own host."""
    server, site, _ = web
    rebound = f"evil.example:{server.port}"
    for path in ("/metrics", "/healthz", "/livez", "/"):
        status, text = await _request(server.port, "GET", path, headers={**AUTH, "Host": rebound})
        assert status == 400 and text.startswith(f"host 'evil.example' is not this server's: it listens on loopback "
                                                 f"only; open http://127.0.0.1:{server.port}/"), (path, text)
    status, _ = await _request(server.port, "POST", "/api/method", {"module": "solar", "method": "stop"},
                               {**JSON, "Host": rebound, "Origin": f"http://{rebound}"})
    assert status == 400 and site.assets["solar"].take_calls() == []
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", "LOCALHOST", f"[::1]:{server.port}",
                 "127.0.0.2"):
        assert (await _request(server.port, "GET", "/api/snapshot", headers={**AUTH, "Host": host}))[0] == 200, host


@pytest.fixture
async def bounded():
    """A server whose limits are small enough to reach in a test: 0.5 s for a request, 3 connections per address."""
    telemetry = TelemetryService(Site().hub.client("telemetry"), FakeClock())
    page = OperatorPage(OperatorView(telemetry), None, OperatorAuth("operator", PASSWORD))
    server = WebServer(build_registry(telemetry.view), telemetry.health_probe, page, "127.0.0.1", 0,
                       ConnectionLimits(request_timeout_s=0.5, per_address=3, total=8))
    await server.start()
    yield server
    await server.stop()


async def _open(port: int, source: str = "127.0.0.1") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """What the server sent before closing; fails if it holds the connection longer than `seconds`."""
    got = b""
    async with asyncio.timeout(seconds):
        while chunk := await reader.read(65536):
            got += chunk
    return got


async def _trickle(writer: asyncio.StreamWriter, data: bytes) -> None:
    try:
        for byte in data:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.05)
    except ConnectionError:
        pass


@pytest.mark.parametrize("sent, trickled", [
    (b"", b""),  # opened, nothing sent
    (b"GET / HTTP/1.1\r\n", b"X-a: " + b"a" * 200),  # headers a byte at a time (slowloris), never finished
    (b"POST /api/method HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n", b"{" * 200),  # a body
    (b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n", b"GET / HTTP/1.1\r\n" + b"a" * 200),  # then slow
])
async def test_a_request_not_in_whole_within_the_deadline_is_closed_while_others_are_answered(bounded, sent, trickled):
    """uvicorn held a connection whose headers were trickled for as long as they came (40 s seen), and any
    connection that sent nothing for ever: a file descriptor each, no password needed."""
    slow = [await _open(bounded.port) for _ in range(3)]
    trickles = [asyncio.create_task(_trickle(writer, sent + trickled)) for _, writer in slow]
    started = asyncio.get_running_loop().time()
    status, _ = await _request(bounded.port, "GET", "/metrics", source="127.0.0.2")
    assert status == 200 and asyncio.get_running_loop().time() - started < 1.0
    for reader, writer in slow:
        answered = await _closed_within(reader, 3.0)  # 0.5 s for the request, not as long as bytes trickle
        assert answered == b"" or answered.startswith(b"HTTP/1.1 "), answered[:80]  # 401 to the POST, 200 to one
        writer.close()
    await asyncio.gather(*trickles)
    assert asyncio.get_running_loop().time() - started < 3.0


async def test_each_request_on_a_kept_alive_connection_has_its_own_deadline_and_a_stream_none(bounded):
    """The deadline is on a request's arrival: once it is in, however long the answer takes is the app's."""
    reader, writer = await _open(bounded.port)
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
    await asyncio.sleep(0.3)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")  # the next one, 0.3 s on: a fresh 0.5 s
    await asyncio.sleep(0.3)
    writer.write(b"GET /api/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + AUTH["Authorization"].encode()
                 + b"\r\n\r\n")
    got = b""
    async with asyncio.timeout(3.0):
        while got.count(b"event: snapshot") < 2:  # pushed a second apart: the stream outlives the 0.5 s
            got += await reader.read(65536)
    assert got.count(b"HTTP/1.1 ") == 3 and b"text/event-stream" in got
    writer.close()


async def test_one_address_holds_a_few_connections_and_another_is_still_answered(bounded):
    held = [await _open(bounded.port) for _ in range(3)]
    await asyncio.sleep(0.05)
    reader, writer = await _open(bounded.port)
    assert await _closed_within(reader, 0.4) == b""  # closed as it opens, well before the request deadline
    writer.close()
    assert (await _request(bounded.port, "GET", "/metrics", source="127.0.0.2"))[0] == 200
    for _, held_writer in held:
        held_writer.close()


async def test_past_the_total_a_whole_request_gets_503_at_once_until_the_held_ones_time_out(bounded):
    """uvicorn's limit_concurrency counts connections from their opening: clients from total / per_address
    addresses holding theirs idle get everyone 503, /metrics included, each for the request deadline."""
    held = [await _open(bounded.port, f"127.0.0.{2 + n // 3}") for n in range(7)]
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    status, text = await _request(bounded.port, "GET", "/metrics", source="127.0.0.9")
    assert status == 503 and asyncio.get_running_loop().time() - started < 0.4, text
    for reader, writer in held:
        assert await _closed_within(reader, 3.0) == b""
        writer.close()
    assert (await _request(bounded.port, "GET", "/metrics", source="127.0.0.9"))[0] == 200


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_a_body_past_64_kib_is_refused_at_the_limit_not_read_whole_first(web, framing):
    """The body used to be read whole before the 64 KiB check: an operator's client could make the server
    buffer as much as it sent, and one announcing more than it sends was waited for."""
    server, site, _ = web
    reader, writer = await _open(server.port)
    head = (b"POST /api/method HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Authorization: " + AUTH["Authorization"].encode() + b"\r\n")
    part = b" " * (70 * 1024)  # past the limit, and far short of what is announced
    if framing == "content-length":
        writer.write(head + b"Content-Length: 100000000\r\n\r\n" + part)
    else:
        writer.write(head + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(part) + part + b"\r\n")
    async with asyncio.timeout(3.0):  # the rest never comes: an answer only if the server stops at the limit
        answer = await reader.readuntil(b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    writer.close()
    assert site.assets["solar"].take_calls() == [] and site.assets["battery"].take_calls() == []
