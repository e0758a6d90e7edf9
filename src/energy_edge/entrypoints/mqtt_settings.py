"""MQTT connection settings from the environment (prefix EE_MQTT_), as compose and IoT Edge pass them.

The containers build a module's transport with
`MqttModuleClient(module_id, RouteTable.parse(DEFAULT_ROUTES), MqttSettings().to_config())`
(or `module_client(module_id)` below); the CLI's call/twin/status commands use
the same settings for the operator connection.
"""

from __future__ import annotations

import ipaddress
import re

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..adapters.transports.mosquitto_broker import MAX_QUEUED_MESSAGES
from ..adapters.transports.mqtt import MqttModuleClient
from ..adapters.transports.mqtt_session import MqttConfig
from ..domain.errors import ConfigurationError
from ..domain.routing import RouteTable
from ..domain.shown import cut
from ..domain.topology import DEFAULT_ROUTES
from .settings import MAX_HOST_NAME_CHARS, is_address_or_host_name
from .tls_files import certificates, check_key_pair, regular_file


_KEY_ALLOWED = "it must be a readable PEM file of the client certificate's private key (or unset)"

MAX_KEEPALIVE_S = 65_535  # MQTT's keep-alive is a two-byte field
MAX_WAIT_S = 3_600.0  # a connect timeout or reconnect delay past an hour is a typo, not a plan
MAX_TOPIC_PREFIX_CHARS = 128
# The client's queue while the broker is away lives in the module's memory: a day's backlog at 1 s from three
# assets is ~260k messages, so 1M (about 1 GB at 1 kB a message) absorbs any outage the site survives; 0, paho's
# "unbounded", would let an outage grow a module until it is killed
MAX_CLIENT_QUEUED_MESSAGES = 1_000_000
# levels without the wildcards # and +, NUL, control characters or spaces, none empty, not a broker's $ topic
# (a trailing / is dropped by Topics, as it always was)
_TOPIC_PREFIX = re.compile(r"(?!\$)[^/#+\s\x00-\x1f\x7f]+(/[^/#+\s\x00-\x1f\x7f]+)*/?")


class MqttSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EE_MQTT_", extra="ignore", allow_inf_nan=False)

    host: str = Field("127.0.0.1", description="Broker host name or IP address (no scheme, port or path)")
    port: int = Field(1883, ge=1, le=65535, description="Broker port (8883 for the TLS listener)")
    username: str | None = Field(None, description="This module's broker user (its module id under the ACL)")
    password: SecretStr | None = Field(None, description="This module's broker password (never committed)")
    tls_ca_file: str | None = Field(None, description="CA certificate: set to connect with TLS")
    tls_cert_file: str | None = Field(None, description="Client certificate (optional, mutual TLS)")
    tls_key_file: str | None = Field(None, description="Client key (optional, mutual TLS)")
    tls_insecure: bool = Field(False, description="Skip the certificate host-name check")
    topic_prefix: str = Field("ee", description="First topic level(s) of this site")
    keepalive_s: int = Field(30, ge=5, le=MAX_KEEPALIVE_S, description="MQTT keepalive; the last will fires after 1.5x this")
    reconnect_min_s: float = Field(0.1, gt=0, le=MAX_WAIT_S, description="First reconnect delay (doubles up to the max)")
    reconnect_max_s: float = Field(5.0, gt=0, le=MAX_WAIT_S, description="Longest reconnect delay")
    connect_timeout_s: float = Field(30.0, gt=0, le=MAX_WAIT_S, description="Give up starting when no broker answers")
    max_queued_messages: int = Field(MAX_QUEUED_MESSAGES, ge=1, le=MAX_CLIENT_QUEUED_MESSAGES,
                                     description="Client queue while the broker is away")
    health_file: str | None = Field(None, description="Touched every 5 s while connected; mqtt_health reads its age")

    @field_validator("host")
    @classmethod
    def _broker_host(cls, value: str) -> str:
        """A host to connect to, as EE_METRICS_HOST is one to listen on: a URL, `host:port` or a bad label was
        tried at every reconnect until the connect timeout (a label over 63 characters raised in paho's thread)."""
        if not is_address_or_host_name(value):
            raise ValueError("it must be the broker's host name (labels of 1..63 letters, digits and dashes joined "
                             f"by dots, at most {MAX_HOST_NAME_CHARS} characters, e.g. mosquitto) or IP address "
                             "(127.0.0.1, ::1), with no scheme, port (EE_MQTT_PORT) or path")
        if _names_no_broker(value):
            raise ValueError("it names no broker: 0.0.0.0 and :: mean every interface to a listener, and a multicast "
                             "address is a group, not a host; give the broker's host name or address, e.g. "
                             "127.0.0.1 or mosquitto")
        return value

    @field_validator("topic_prefix")
    @classmethod
    def _topic_levels(cls, value: str) -> str:
        """Every topic of the site starts with it, and the broker's ACL names it: a wildcard would subscribe to (and
        an empty level or a leading $ would publish where) no site topic is."""
        if len(value) > MAX_TOPIC_PREFIX_CHARS or not _TOPIC_PREFIX.fullmatch(value):
            raise ValueError(f"it must be 1..{MAX_TOPIC_PREFIX_CHARS} characters of topic levels separated by /, "
                             "none empty, without the wildcards # and +, spaces or control characters (NUL), "
                             "not starting with $ (e.g. ee or home/ee)")
        return value

    @model_validator(mode="after")
    def _backoff_in_order(self) -> "MqttSettings":
        if self.reconnect_min_s > self.reconnect_max_s:
            raise ConfigurationError(
                f"EE_MQTT_RECONNECT_MIN_S={self.reconnect_min_s:g} is larger than EE_MQTT_RECONNECT_MAX_S="
                f"{self.reconnect_max_s:g}: the first reconnect delay must be at most the longest "
                "(defaults 0.1 and 5 s)")
        return self

    @field_validator("tls_ca_file")
    @classmethod
    def _ca_certificates(cls, value: str | None) -> str | None:
        """The CA file is read at start, as the TLS connection will read it: missing, a folder or no certificate
        is refused here naming the variable, not an OSError or SSLError from the first connect."""
        if not value:
            return value
        return certificates(value, "it must be a readable PEM file of CA certificates (or unset for no TLS)",
                             "it holds no CA certificate")

    @field_validator("tls_cert_file")
    @classmethod
    def _client_certificate(cls, value: str | None) -> str | None:
        if not value:
            return value
        return certificates(value, "it must be a readable PEM file of this module's client certificate (or unset)",
                             "it holds no certificate")

    @field_validator("tls_key_file")
    @classmethod
    def _client_key_file(cls, value: str | None) -> str | None:
        if not value:
            return value
        regular_file(value, _KEY_ALLOWED)
        return value

    @model_validator(mode="after")
    def _client_key_matches(self) -> "MqttSettings":
        """Mutual TLS as the connection will load it, checked at start: the key must be a PEM private key that
        belongs to the certificate, and without a passphrase (tls_files.py)."""
        cert, key = self.tls_cert_file, self.tls_key_file
        if key and not cert:
            raise ConfigurationError(
                f"EE_MQTT_TLS_KEY_FILE={cut(key)} is set without EE_MQTT_TLS_CERT_FILE: the key is used only with "
                "its client certificate; set both for mutual TLS, or neither")
        if cert and not self.tls_ca_file:
            raise ConfigurationError(
                f"EE_MQTT_TLS_CERT_FILE={cut(cert)} is set without EE_MQTT_TLS_CA_FILE: a client certificate is "
                "used only over TLS; set EE_MQTT_TLS_CA_FILE (and port 8883) too, or unset the certificate")
        if cert:
            check_key_pair(("EE_MQTT_TLS_CERT_FILE", cert), ("EE_MQTT_TLS_KEY_FILE", key), _KEY_ALLOWED)
        return self

    def to_config(self) -> MqttConfig:
        values = self.model_dump()
        values["password"] = self.password.get_secret_value() if self.password else None
        return MqttConfig(**values)


def _names_no_broker(host: str) -> bool:
    """The unspecified address (a listener's every interface) or a multicast group: a connect reaches no one host."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_unspecified or address.is_multicast


def module_client(module_id: str, settings: MqttSettings | None = None,
                  routes: RouteTable | None = None) -> MqttModuleClient:
    """The MQTT transport of one module, from EE_MQTT_* and the site's one routes definition."""
    return MqttModuleClient(module_id, routes or RouteTable.parse(DEFAULT_ROUTES),
                            (settings or MqttSettings()).to_config())
