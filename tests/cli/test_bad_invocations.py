"""Every error a user can cause, on the command line, in EE_* settings or in files: one sentence, exit 2.

Each row is run as the installed console script in a subprocess, as a user runs it,
and must exit with its code, say the expected words (the option or variable, the
value, what is allowed) on stderr, and never show a traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ..mqtt.certs import make_refused_keys, make_tls_files

BIN = Path(sys.executable).parent
TEMPLATE = str(Path(__file__).resolve().parents[2] / "deployment" / "deployment.template.json")
USAGE = 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# (console script, arguments, extra environment, exit code, words the message must contain);
# an empty value leaves the variable unset, "{empty}" sets it to the empty string
CASES: list[tuple[str, list[str], dict[str, str], int, list[str]]] = [
    # energy-edge up: options
    ("energy-edge", ["up", "--speed", "0"], {}, USAGE, ["--speed", "'0'", "> 0"]),
    ("energy-edge", ["up", "--speed", "-1"], {}, USAGE, ["--speed", "'-1'", "> 0"]),
    ("energy-edge", ["up", "--speed", "nan"], {}, USAGE, ["--speed", "'nan'", "finite"]),
    ("energy-edge", ["up", "--speed", "inf"], {}, USAGE, ["--speed", "'inf'", "finite"]),
    ("energy-edge", ["up", "--speed", "fast"], {}, USAGE, ["--speed", "'fast'"]),
    ("energy-edge", ["up", "--speed", "1e9"], {}, USAGE, ["--speed", "<= 86400"]),
    ("energy-edge", ["up", "--metrics-port", "99999"], {}, USAGE, ["--metrics-port", "'99999'", "0 to 65535"]),
    ("energy-edge", ["up", "--metrics-port", "-1"], {}, USAGE, ["--metrics-port", "'-1'"]),
    ("energy-edge", ["up", "--metrics-port", "http"], {}, USAGE, ["--metrics-port", "'http'"]),
    ("energy-edge", ["up", "--duration", "0"], {}, USAGE, ["--duration", "'0'", "> 0"]),
    ("energy-edge", ["up", "--duration", "-5"], {}, USAGE, ["--duration", "'-5'"]),
    ("energy-edge", ["up", "--transport", "carrier-pigeon"], {}, USAGE, ["--transport", "carrier-pigeon"]),
    ("energy-edge", ["up", "--hardware", "zigbee"], {}, USAGE, ["--hardware", "zigbee"]),
    ("energy-edge", ["up", "--sped", "2"], {}, USAGE, ["unrecognized arguments", "--sped"]),
    # argparse's own sentences cut a long value (domain.shown) and keep the choices: they echoed it whole
    ("energy-edge", ["up", "--sped" + "x" * 5000], {}, USAGE, ["unrecognized arguments", "--spedxxx", "…(+"]),
    ("energy-edge", ["up", "--transport", "x" * 5000], {}, USAGE, ["invalid choice", "'xxx", "…(+", "'inmemory', 'mqtt'"]),
    ("energy-edge", ["x" * 5000], {}, USAGE, ["invalid choice", "…(+", "'up'"]),
    ("energy-edge-battery", ["--x" + "x" * 5000], {}, USAGE, ["unrecognized arguments", "…(+"]),
    # energy-edge up: EE_* settings
    ("energy-edge", ["up"], {"EE_SPEED": "abc"}, USAGE, ["EE_SPEED=abc", "finite number"]),
    ("energy-edge", ["up"], {"EE_SPEED": "inf"}, USAGE, ["EE_SPEED=inf", "finite number"]),
    # a long value is cut by domain.shown's rule (how much was cut is said), what is allowed kept; a value that is
    # no plain line shows as its repr, so the sentence stays one line (it had its own 60-character cut)
    ("energy-edge", ["up"], {"EE_SPEED": "9" * 5000}, USAGE, ["EE_SPEED=999", "…(+4800 chars)", "finite number"]),
    ("energy-edge", ["up"], {"EE_LOG_LEVEL": "LO\nUD"}, USAGE, ["EE_LOG_LEVEL='LO\\nUD'", "DEBUG, INFO"]),
    ("energy-edge", ["up"], {"EE_LOG_LEVEL": "LOUD"}, USAGE, ["EE_LOG_LEVEL=LOUD", "DEBUG, INFO"]),
    ("energy-edge", ["up"], {"EE_BATTERY_INITIAL_SOC": "2"}, USAGE, ["EE_BATTERY_INITIAL_SOC=2", "<= 1"]),
    ("energy-edge", ["up"], {"EE_METRICS_PORT": "70000"}, USAGE, ["EE_METRICS_PORT=70000", "<= 65535"]),
    ("energy-edge", ["up"], {"EE_CYCLE_S": "0"}, USAGE, ["EE_CYCLE_S=0", ">= 0.2"]),
    ("energy-edge", ["up"], {"EE_METRICS_HOST": "999.1.1.1"}, USAGE, ["EE_METRICS_HOST=999.1.1.1", "IP address"]),
    ("energy-edge", ["up"], {"EE_METRICS_HOST": "a b"}, USAGE, ["EE_METRICS_HOST=a b", "host name"]),
    # well-formed, but no resolver knows it (.invalid never resolves, RFC 6761): refused where it binds
    ("energy-edge", ["up"], {"EE_METRICS_HOST": "example.invalid"}, USAGE,
     ["EE_METRICS_HOST=example.invalid", "cannot be listened on"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_METRICS_HOST": "example.invalid"}, USAGE,
     ["EE_METRICS_HOST=example.invalid", "cannot be listened on"]),
    ("energy-edge", ["up"], {"EE_LATITUDE": "91"}, USAGE, ["EE_LATITUDE=91", "<= 90"]),
    ("energy-edge", ["up"], {"EE_START": "yesterday"}, USAGE, ["EE_START=yesterday", "ISO 8601"]),
    ("energy-edge", ["up"], {"EE_CLOCK_ANCHOR": "-1e300"}, USAGE, ["EE_CLOCK_ANCHOR=-1e300", ">= 0"]),
    ("energy-edge", ["up"], {"EE_AUTOSTART": "maybe"}, USAGE, ["EE_AUTOSTART=maybe", "true or false"]),
    ("energy-edge", ["up"], {"EE_TRANSPORT": "bogus"}, USAGE, ["EE_TRANSPORT=bogus", "inmemory, mqtt, edgehub"]),
    ("energy-edge", ["up"], {"EE_BASE_LOAD_W": "nan"}, USAGE, ["EE_BASE_LOAD_W=nan", "finite"]),
    # the meter refuses a reading beyond 10 MW: with a base load above it control stayed suspended
    ("energy-edge", ["up"], {"EE_BASE_LOAD_W": "2e7"}, USAGE, ["EE_BASE_LOAD_W=2e7", "<= 1e+07"]),
    ("energy-edge", ["up"], {"EE_PRICE_URL": "ftp://x"}, USAGE, ["EE_PRICE_URL=ftp://x", "http:// or https://"]),
    # accepted at start and failing only at each fetch, before: no host, an unclosed [IPv6, a space, a bad port
    ("energy-edge", ["up"], {"EE_PRICE_URL": "http://"}, USAGE, ["EE_PRICE_URL=http://", "with a host"]),
    ("energy-edge", ["up"], {"EE_PRICE_URL": "http://[::1"}, USAGE, ["EE_PRICE_URL=http://[::1", "with a host"]),
    ("energy-edge", ["up"], {"EE_PRICE_URL": "http://prices.example/day ahead"}, USAGE,
     ["EE_PRICE_URL=http://prices.example/day ahead", "without spaces"]),
    ("energy-edge-controller", [], {"EE_TRANSPORT": "mqtt", "EE_PV_FORECAST_URL": "https://pv.example:99999/"}, USAGE,
     ["EE_PV_FORECAST_URL=https://pv.example:99999/", "port 1..65535"]),
    ("energy-edge", ["up"], {"EE_PV_FORECAST_URL": "file:///etc/passwd"}, USAGE,
     ["EE_PV_FORECAST_URL=file:///etc/passwd", "http:// or https://"]),
    ("energy-edge", ["up", "--metrics-port", "{busy_port}"], {}, USAGE, ["metrics port", "{busy_port}", "in use"]),
    # modbus-sim
    ("energy-edge", ["modbus-sim", "--solar-port", "99999"], {}, USAGE, ["--solar-port", "'99999'", "1 to 65535"]),
    ("energy-edge", ["modbus-sim", "--battery-port", "0"], {}, USAGE, ["--battery-port", "'0'"]),
    ("energy-edge", ["modbus-sim", "--speed", "0"], {}, USAGE, ["--speed", "'0'"]),
    ("energy-edge", ["modbus-sim", "--solar-port", "{busy_port}", "--duration", "5"], {}, USAGE,
     ["127.0.0.1:{busy_port}", "in use"]),
    ("energy-edge", ["modbus-sim", "--duration", "nan"], {}, USAGE, ["--duration", "'nan'"]),
    # quality and simulate (files and names)
    ("energy-edge-lab", ["quality", "--scenario", "nope"], {}, USAGE, ["unknown scenario", "'nope'", "winter_day"]),
    ("energy-edge-lab", ["quality", "--forecast", "psychic"], {}, USAGE, ["--forecast", "'psychic'", "perfect"]),
    ("energy-edge-lab", ["simulate", "--scenario", "nope", "--policy", "none"], {}, USAGE,
     ["unknown scenario", "'nope'"]),
    ("energy-edge-lab", ["simulate", "--scenario", "winter_day", "--policy", "none", "--days", "0.004",
                         "--out", "/proc/nope"], {}, USAGE, ["/proc/nope"]),
    ("energy-edge-lab", ["simulate", "--scenario", "winter_day", "--policy", "best"], {}, USAGE, ["--policy", "best"]),
    ("energy-edge-lab", ["simulate", "--scenario", "winter_day", "--policy", "none", "--duration-days", "nan"], {},
     USAGE, ["--duration-days", "'nan'", ">= 0.0035 and <= 366 days"]),
    ("energy-edge-lab", ["quality", "--duration-days", "0"], {}, USAGE, ["--duration-days", "'0'", ">= 0.0035"]),
    # shorter than one 5-minute step of the optimum: no plan (it was an IndexError, exit 1)
    ("energy-edge-lab", ["simulate", "--scenario", "winter_day", "--policy", "optimum", "--duration-days", "0.001"], {},
     USAGE, ["--duration-days", "'0.001'", ">= 0.0035"]),
    ("energy-edge-lab", ["quality", "--generated", "-3"], {}, USAGE, ["--generated", "'-3'", "from 1 to 1000"]),
    ("energy-edge-lab", ["quality", "--jobs", "0"], {}, USAGE, ["--jobs", "'0'", "from 1 to 256"]),
    # a long value is cut (domain.shown), what is allowed is kept: it was echoed whole
    ("energy-edge-lab", ["quality", "--generated", "9" * 5000], {}, USAGE, ["--generated", "'999", "…(+", "from 1 to 1000"]),
    ("energy-edge", ["up", "--speed", "x" * 5000], {}, USAGE, ["--speed", "'xxx", "…(+", "<= 86400"]),
    ("energy-edge-lab", ["quality", "--generated", "4", "--seed", "x"], {}, USAGE, ["--seed", "'x'", "whole number"]),
    ("energy-edge", ["simulate", "--scenario", "winter_day"], {}, USAGE, ["energy-edge-lab simulate"]),
    # call, twin, status
    ("energy-edge", ["call", "battery", "start_charging", "{power_w: 1}"], {}, USAGE, ["not JSON"]),
    ("energy-edge", ["call", "battery", "start_charging", '{"power_w": 1e309}'], {}, USAGE, ["finite"]),
    ("energy-edge", ["call", "battery", "start_charging", '{"power_w": NaN}'], {}, USAGE, ["NaN"]),
    # nested past the parser's stack (RecursionError) or past what a module reads (bounded_json's 32 levels)
    ("energy-edge", ["call", "battery", "stop", "[" * 1200 + "]" * 1200], {}, USAGE,
     ["payload", "…(+", "nested deeper than 32 levels"]),
    ("energy-edge", ["call", "battery", "stop", "[" * 40 + "]" * 40], {}, USAGE, ["nested deeper than 32 levels"]),
    ("energy-edge", ["twin", "controller", "tariff=" + "[" * 1200 + "]" * 1200], {}, USAGE,
     ["tariff is nested deeper than 32 levels"]),
    ("energy-edge", ["twin", "controller", "tariff=" + "[" * 1200], {}, USAGE, ["tariff is nested deeper than 32"]),
    # a key twice: the user (or a script) said two things and a module would read one of them
    ("energy-edge", ["call", "battery", "start_charging", '{"power_w": 1000, "power_w": 5000}'], {}, USAGE,
     ["'power_w' appears more than once", "each key may appear only once"]),
    ("energy-edge", ["twin", "controller", 'load_w_by_hour={"7": 500, "8": 900, "7": 2000}'], {}, USAGE,
     ["is not allowed: in load_w_by_hour, key '7' appears more than once"]),
    ("energy-edge", ["call", "battery", "stop", "--timeout", "-1"], {}, USAGE, ["--timeout", "'-1'", "> 0"]),
    ("energy-edge", ["call", "battery", "stop", "--timeout", "0"], {}, USAGE, ["--timeout", "'0'"]),
    ("energy-edge", ["call", "battery"], {}, USAGE, ["required", "method"]),
    ("energy-edge", ["twin", "controller", "grid_target_w=1e309"], {}, USAGE, ["grid_target_w", "finite"]),
    ("energy-edge", ["twin", "controller", "grid_target_w=Infinity"], {}, USAGE, ["grid_target_w", "finite"]),
    ("energy-edge", ["twin", "controller", "grid_target_w"], {}, USAGE, ["key=value"]),
    # $version is the transport's: it was sent, overwritten, and its acknowledgement waited for until --timeout
    ("energy-edge", ["twin", "controller", "$version=1"], {}, USAGE, ["'$version=1' is not allowed", "start with $"]),
    # the key named after the cut item is cut as well: it was echoed whole
    ("energy-edge", ["twin", "controller", "k" * 5000 + "=1e309"], {}, USAGE, ["…(+4808 chars) is not allowed",
                                                                          "…(+4800 chars) must be a finite number"]),
    ("energy-edge", ["twin", "controller", "k" * 5000 + "=" + "[" * 40 + "]" * 40], {}, USAGE,
     ["…(+4800 chars) is nested deeper than 32"]),
    ("energy-edge", ["twin", "controller", "cycle_s=1", "--timeout", "-1"], {}, USAGE, ["--timeout", "'-1'"]),
    ("energy-edge", ["status", "--wait", "-1"], {}, USAGE, ["--wait", "'-1'"]),
    ("energy-edge", ["status", "--site-dir", "/nonexistent/site"], {}, USAGE, ["/nonexistent/site", "credentials"]),
    ("energy-edge", ["call", "battery", "stop"], {"EE_STATE_DIR": "{tmp}"}, USAGE, ["credentials", "EE_MQTT_PASSWORD"]),
    ("energy-edge", ["status"], {"EE_MQTT_PORT": "0"}, USAGE, ["EE_MQTT_PORT=0", ">= 1"]),
    # edge genconfig
    ("energy-edge", ["edge", "genconfig", "--registry", "r", "--tag", "1", "--template", "/nonexistent.json",
                     "-o", "{tmp}/m.json"], {}, USAGE, ["/nonexistent.json"]),
    ("energy-edge", ["edge", "genconfig", "--registry", "r", "--tag", "1", "-o", "{tmp}/m.json", "--template", TEMPLATE],
     {"ACR_PULL_USERNAME": "", "ACR_PULL_PASSWORD": ""}, USAGE, ["unfilled placeholders", "ACR_PULL_PASSWORD"]),
    ("energy-edge", ["edge"], {}, USAGE, ["required", "EDGE_COMMAND"]),
    # the command itself
    ("energy-edge", [], {}, USAGE, ["required", "COMMAND"]),
    ("energy-edge", ["launch"], {}, USAGE, ["invalid choice", "launch"]),
    # a lone module
    ("energy-edge-solar", [], {"EE_TRANSPORT": "bogus"}, USAGE, ["EE_TRANSPORT=bogus", "inmemory, mqtt, edgehub"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "inmemory"}, USAGE, ["EE_TRANSPORT=inmemory", "mqtt or edgehub"]),
    ("energy-edge-battery", ["--start"], {}, USAGE, ["unrecognized arguments", "--start"]),
    ("energy-edge-module", [], {"EE_TRANSPORT": "mqtt"}, USAGE, ["EE_ASSET_ID is not set"]),
    ("energy-edge-module", [], {"EE_TRANSPORT": "mqtt", "EE_ASSET_ID": "ghost"}, USAGE, ["ghost", "no such module"]),
    ("energy-edge-module", [], {"EE_TRANSPORT": "mqtt", "EE_ASSET_ID": "solar", "EE_SITE_FILE": "/nonexistent.toml"},
     USAGE, ["/nonexistent.toml"]),
    ("energy-edge", ["up", "--site", "/nonexistent.toml"], {}, USAGE, ["/nonexistent.toml"]),
    # empty: it read as the current folder ('.: cannot read the site file (Is a directory)')
    ("energy-edge", ["up"], {"EE_SITE_FILE": "{empty}"}, USAGE, ["EE_SITE_FILE= is not allowed", "it is empty"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_SITE_FILE": "{empty}"}, USAGE,
     ["EE_SITE_FILE= is not allowed", "it is empty"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "edgehub"}, USAGE, ["EE_TRANSPORT=edgehub", "IOTEDGE_MODULEID"]),
    # not the user's input, but the broker it names is away: exit 1, and the line says where it looked
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_CONNECT_TIMEOUT_S": "1"}, 1,
     ["no MQTT broker answered", "EE_MQTT_PORT", "reachable"]),
    # the broker host is a host name (RFC 1123) or an IP address to connect to, as EE_METRICS_HOST is one to listen
    # on: a scheme, a port, a path, a control character or a bad label passed (`\S{1,253}`), to be tried at every
    # reconnect until the connect timeout (exit 1); a 64-character label raised UnicodeError in paho's thread
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": " "}, USAGE,
     ["EE_MQTT_HOST=' ' is not allowed", "host name", "IP address"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "{empty}"}, USAGE,
     ["EE_MQTT_HOST= is not allowed", "host name"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "mqtt://127.0.0.1"}, USAGE,
     ["EE_MQTT_HOST=mqtt://127.0.0.1 is not allowed", "no scheme"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "127.0.0.1:1883"}, USAGE,
     ["EE_MQTT_HOST=127.0.0.1:1883 is not allowed", "port", "EE_MQTT_PORT"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "[::1]"}, USAGE,
     ["EE_MQTT_HOST=[::1] is not allowed", "::1"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "broker/ee"}, USAGE,
     ["EE_MQTT_HOST=broker/ee is not allowed", "path"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "bro\x01ker"}, USAGE,
     ["EE_MQTT_HOST='bro\\x01ker' is not allowed", "host name"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "a" * 64 + ".example"}, USAGE,
     ["EE_MQTT_HOST=aaaa", "is not allowed", "1..63"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "broker..example"}, USAGE,
     ["EE_MQTT_HOST=broker..example is not allowed", "host name"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "-broker"}, USAGE,
     ["EE_MQTT_HOST=-broker is not allowed", "dashes"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "999.1.1.1"}, USAGE,
     ["EE_MQTT_HOST=999.1.1.1 is not allowed", "IP address"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "b" * 300}, USAGE,
     ["EE_MQTT_HOST=bbb", "…(+100 chars) is not allowed"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "0.0.0.0"}, USAGE,
     ["EE_MQTT_HOST=0.0.0.0 is not allowed", "names no broker"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "::"}, USAGE,
     ["EE_MQTT_HOST=:: is not allowed", "names no broker"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "224.0.0.1"}, USAGE,
     ["EE_MQTT_HOST=224.0.0.1 is not allowed", "multicast"]),
    ("energy-edge", ["status"], {"EE_MQTT_HOST": "mqtt://broker"}, USAGE,
     ["EE_MQTT_HOST=mqtt://broker is not allowed", "no scheme"]),
    # an IPv6 zone is an interface's name or number: ipaddress takes anything after the %, spaces included
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_HOST": "fe80::1%eth 0"}, USAGE,
     ["EE_MQTT_HOST=fe80::1%eth 0 is not allowed", "IP address"]),
    ("energy-edge", ["up"], {"EE_METRICS_HOST": "::1%a b"}, USAGE, ["EE_METRICS_HOST=::1%a b", "IP address"]),
    # the CA file is read at start: missing, a folder or no certificate in it (it was FileNotFoundError,
    # IsADirectoryError or SSLError at the first connect, exit 1)
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "/nonexistent.pem"}, USAGE,
     ["EE_MQTT_TLS_CA_FILE=/nonexistent.pem is not allowed: no such file", "PEM file of CA certificates"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{tmp}"}, USAGE,
     ["EE_MQTT_TLS_CA_FILE=/", "is a directory", "PEM file of CA certificates"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": TEMPLATE}, USAGE,
     ["EE_MQTT_TLS_CA_FILE=", "holds no CA certificate"]),
    ("energy-edge", ["status"], {"EE_MQTT_TLS_CA_FILE": "/nonexistent.pem"}, USAGE,
     ["EE_MQTT_TLS_CA_FILE=/nonexistent.pem", "no such file"]),
    # the client certificate and key are loaded at start as the connection will (they were not read before the
    # first connect); an encrypted key is refused by a password callback, never by OpenSSL's prompt on a terminal
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "/nonexistent.crt", "EE_MQTT_TLS_KEY_FILE": "{pki}/server.key"},
     USAGE, ["EE_MQTT_TLS_CERT_FILE=/nonexistent.crt", "no such file", "PEM file of this module's client certificate"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "{pki}", "EE_MQTT_TLS_KEY_FILE": "{pki}/server.key"},
     USAGE, ["EE_MQTT_TLS_CERT_FILE={pki} is not allowed: is a directory"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "{pki}/server.key", "EE_MQTT_TLS_KEY_FILE": "{pki}/server.key"},
     USAGE, ["EE_MQTT_TLS_CERT_FILE={pki}/server.key", "holds no certificate"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "{pki}/server.crt", "EE_MQTT_TLS_KEY_FILE": "/nonexistent.key"},
     USAGE, ["EE_MQTT_TLS_KEY_FILE=/nonexistent.key", "no such file", "private key"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "{pki}/server.crt", "EE_MQTT_TLS_KEY_FILE": "{pki}"},
     USAGE, ["EE_MQTT_TLS_KEY_FILE={pki} is not allowed", "is a directory"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "{pki}/server.crt", "EE_MQTT_TLS_KEY_FILE": "{pki}/ca.crt"},
     USAGE, ["EE_MQTT_TLS_KEY_FILE={pki}/ca.crt", "holds no PEM private key"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "{pki}/server.crt", "EE_MQTT_TLS_KEY_FILE": "{pki}/other.key"},
     USAGE, ["EE_MQTT_TLS_KEY_FILE={pki}/other.key", "not the private key of EE_MQTT_TLS_CERT_FILE"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "{pki}/server.crt", "EE_MQTT_TLS_KEY_FILE": "{pki}/encrypted.key"},
     USAGE, ["EE_MQTT_TLS_KEY_FILE={pki}/encrypted.key", "the key is encrypted"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_CERT_FILE": "{pki}/server.crt"},
     USAGE, ["EE_MQTT_TLS_CERT_FILE={pki}/server.crt", "holds no private key", "EE_MQTT_TLS_KEY_FILE is unset"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/ca.crt",
                               "EE_MQTT_TLS_KEY_FILE": "{pki}/server.key"},
     USAGE, ["EE_MQTT_TLS_KEY_FILE={pki}/server.key", "without EE_MQTT_TLS_CERT_FILE"]),
    ("energy-edge", ["status"], {"EE_MQTT_TLS_CERT_FILE": "{pki}/server.crt", "EE_MQTT_TLS_KEY_FILE": "{pki}/server.key"},
     USAGE, ["EE_MQTT_TLS_CERT_FILE={pki}/server.crt", "without EE_MQTT_TLS_CA_FILE"]),
    # the web endpoint's TLS files: checked where the page is served, before anything binds
    ("energy-edge", ["up"], {"EE_WEB_TLS_CERT_FILE": "{pki}/server.crt"}, USAGE,
     ["EE_WEB_TLS_CERT_FILE={pki}/server.crt is set without EE_WEB_TLS_KEY_FILE"]),
    ("energy-edge", ["up"], {"EE_WEB_TLS_CERT_FILE": "/nonexistent.crt", "EE_WEB_TLS_KEY_FILE": "{pki}/server.key"},
     USAGE, ["EE_WEB_TLS_CERT_FILE=/nonexistent.crt is not allowed: no such file", "PEM file"]),
    ("energy-edge-telemetry", [], {"EE_TRANSPORT": "mqtt", "EE_WEB_TLS_CERT_FILE": "{pki}/server.crt",
                                   "EE_WEB_TLS_KEY_FILE": "{pki}/other.key"},
     USAGE, ["EE_WEB_TLS_KEY_FILE={pki}/other.key", "not the private key of EE_WEB_TLS_CERT_FILE"]),
    ("energy-edge", ["up"], {"EE_WEB_TRUSTED_PROXIES": "10.0.0.2,traefik"}, USAGE,
     ["EE_WEB_TRUSTED_PROXIES=10.0.0.2,traefik is not allowed: entry 'traefik' is not an IP address or network"]),
    # a FIFO would have its open wait for a writer, forever
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TLS_CA_FILE": "{pki}/fifo"}, USAGE,
     ["EE_MQTT_TLS_CA_FILE={pki}/fifo", "not a regular file"]),
    ("energy-edge-boiler", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_KEEPALIVE_S": "1"}, USAGE,
     ["EE_MQTT_KEEPALIVE_S=1", ">= 5"]),
    ("energy-edge-boiler", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_KEEPALIVE_S": "70000"}, USAGE,
     ["EE_MQTT_KEEPALIVE_S=70000", "<= 65535"]),
    # the client's queue is the module's memory: it had no upper bound, and 0 (paho's unbounded) was accepted
    ("energy-edge-boiler", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_MAX_QUEUED_MESSAGES": "1000000000000"}, USAGE,
     ["EE_MQTT_MAX_QUEUED_MESSAGES=1000000000000", "whole number >= 1 and <= 1e+06"]),
    ("energy-edge-boiler", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_MAX_QUEUED_MESSAGES": "0"}, USAGE,
     ["EE_MQTT_MAX_QUEUED_MESSAGES=0", ">= 1"]),
    ("energy-edge-boiler", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_CONNECT_TIMEOUT_S": "1e308"}, USAGE,
     ["EE_MQTT_CONNECT_TIMEOUT_S=1e308", "<= 3600"]),
    ("energy-edge-boiler", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_RECONNECT_MAX_S": "1e308"}, USAGE,
     ["EE_MQTT_RECONNECT_MAX_S=1e308", "<= 3600"]),
    ("energy-edge-boiler", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_RECONNECT_MIN_S": "10", "EE_MQTT_RECONNECT_MAX_S": "2"},
     USAGE, ["EE_MQTT_RECONNECT_MIN_S=10", "EE_MQTT_RECONNECT_MAX_S=2", "at most"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TOPIC_PREFIX": "{empty}"}, USAGE,
     ["EE_MQTT_TOPIC_PREFIX= is not allowed", "1..128 characters"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TOPIC_PREFIX": "ee/#"}, USAGE,
     ["EE_MQTT_TOPIC_PREFIX=ee/#", "wildcards # and +"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TOPIC_PREFIX": "site+1"}, USAGE,
     ["EE_MQTT_TOPIC_PREFIX=site+1", "wildcards"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_MQTT_TOPIC_PREFIX": "a//b"}, USAGE,
     ["EE_MQTT_TOPIC_PREFIX=a//b is not allowed: it must be", "none empty"]),
    ("energy-edge", ["status"], {"EE_MQTT_TOPIC_PREFIX": "$SYS"}, USAGE, ["EE_MQTT_TOPIC_PREFIX=$SYS", "not starting with $"]),
    ("energy-edge-controller", [], {"EE_TRANSPORT": "mqtt", "EE_SPEED": "0"}, USAGE, ["EE_SPEED=0", "> 0"]),
    ("energy-edge-telemetry", [], {"EE_TRANSPORT": "mqtt", "EE_STALENESS_S": "-3"}, USAGE, ["EE_STALENESS_S=-3"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_HARDWARE": "modbus", "EE_MODBUS_UNIT_ID": "300"}, USAGE,
     ["EE_MODBUS_UNIT_ID=300", "<= 255"]),
    ("energy-edge-solar", [], {"EE_TRANSPORT": "mqtt", "EE_HARDWARE": "modbus", "EE_MODBUS_MAP_FILE": "/nonexistent.json"},
     USAGE, ["/nonexistent.json"]),
    ("energy-edge-battery", [], {"EE_TRANSPORT": "mqtt", "EE_HARDWARE": "modbus", "EE_MODBUS_TIMEOUT_S": "inf"},
     USAGE, ["EE_MODBUS_TIMEOUT_S=inf", "finite"]),
]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a client certificate and its key; another key; the key encrypted; a FIFO."""
    directory = tmp_path_factory.mktemp("pki")
    make_tls_files(directory)
    make_refused_keys(directory)
    os.mkfifo(directory / "fifo")
    return directory


@pytest.fixture(scope="module")
def busy_port():
    """A port something else listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


def test_the_table_is_long_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize(("script", "argv", "env", "code", "words"), CASES,
                         ids=[f"{c[0]} {' '.join(c[1])} {' '.join(f'{k}={v}' for k, v in c[2].items())}".strip()
                              for c in CASES])
def test_a_bad_invocation_gets_one_sentence_and_its_exit_code(script, argv, env, code, words, busy_port, pki,
                                                             tmp_path):
    def fill(text: str) -> str:
        return (text.replace("{busy_port}", str(busy_port)).replace("{tmp}", str(tmp_path))
                .replace("{pki}", str(pki)).replace("{empty}", ""))

    argv, words = [fill(part) for part in argv], [fill(word) for word in words]
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("EE_", "ACR_"))}
    environment.update({key: fill(value) for key, value in env.items() if value})
    environment.setdefault("EE_MQTT_PORT", str(_closed_port()))  # no broker: nothing may get that far
    result = subprocess.run([str(BIN / script), *argv], env=environment, capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == code, output
    last = result.stderr.strip().splitlines()[-1]
    if script != "energy-edge-lab":  # the lab prints its file errors itself, without the command's name
        assert last.startswith(f"{script}"), last  # names the command, then the sentence
    for word in words:
        assert word in last, f"{word!r} not in {last!r}"
    assert len(last) < 1000, last[:1000]  # a long value is cut, never echoed whole


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.7", "::1", "fe80::1%eth0", "mosquitto", "localhost",
                                  "broker.example.com", "broker.example.com.", "edge-01", "proj_mosquitto_1", "a" * 63 + ".example"])
def test_a_broker_host_may_be_any_host_name_or_ip_address_a_connect_can_use(host):
    from energy_edge.entrypoints.mqtt_settings import MqttSettings

    assert MqttSettings(host=host).host == host


def test_a_closed_pipe_ends_the_output_quietly(tmp_path):
    """`energy-edge ... | head`: the reader goes away; no BrokenPipeError traceback."""
    read, write = os.pipe()
    os.close(read)
    result = subprocess.run([str(BIN / "energy-edge"), "compose"], stdout=write, stderr=subprocess.PIPE, text=True,
                            timeout=30)
    os.close(write)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert result.returncode == 141


def test_an_unexpected_failure_is_one_line_with_a_hint_and_the_traceback_only_with_debug(tmp_path):
    """A failure that is not the user's: exit 1, one line naming the error, the traceback under --debug."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("EE_")}
    crash = [sys.executable, "-c",
             "import sys; from energy_edge.entrypoints.console import run_console\n"
             "def body(argv): raise ZeroDivisionError('the physics broke')\n"
             "sys.exit(run_console('energy-edge', body))"]
    quiet = subprocess.run([*crash, "up"], env=environment, capture_output=True, text=True, timeout=30)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert quiet.stderr.strip().count("\n") == 0
    assert "ZeroDivisionError: the physics broke" in quiet.stderr and "--debug" in quiet.stderr
    loud = subprocess.run([*crash, "up", "--debug"], env=environment, capture_output=True, text=True, timeout=30)
    assert loud.returncode == 1 and "Traceback" in loud.stderr
    by_level = subprocess.run(crash, env={**environment, "EE_LOG_LEVEL": "debug"}, capture_output=True, text=True,
                              timeout=30)
    assert "Traceback" in by_level.stderr


@pytest.mark.parametrize("script", ["energy-edge", "energy-edge-lab", "energy-edge-module", "energy-edge-solar", "energy-edge-battery", "energy-edge-boiler",
                                    "energy-edge-controller", "energy-edge-telemetry"])
def test_every_console_script_has_help_for_users_and_a_version(script):
    from energy_edge import __version__

    helped = subprocess.run([str(BIN / script), "--help"], capture_output=True, text=True, timeout=30)
    assert helped.returncode == 0 and "usage:" in helped.stdout
    for internal in ("entrypoints/", "energy_edge.", ".py", "`register(", "composition root"):
        assert internal not in helped.stdout, f"{script} --help shows {internal!r}"
    version = subprocess.run([str(BIN / script), "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0 and version.stdout.strip() == f"energy-edge {__version__}"


def test_every_subcommand_help_is_written_for_users():
    import argparse

    from energy_edge.entrypoints.cli import build_parser

    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name in [action.dest for action in subparsers._choices_actions]:
        helped = subprocess.run([str(BIN / "energy-edge"), name, "--help"], capture_output=True, text=True, timeout=30)
        assert helped.returncode == 0, helped.stderr
        for internal in ("entrypoints/", "adapters/", "energy_edge.", "(entrypoints"):
            assert internal not in helped.stdout, f"energy-edge {name} --help shows {internal!r}"
