"""The web endpoint's security settings (prefix EE_WEB_), read where the operator page is served.

Only the telemetry module (and `energy-edge up`) serves the page, so only it
reads these: a certificate mounted into that container alone does not stop the
other modules starting. EE_WEB_TLS_CERT_FILE and EE_WEB_TLS_KEY_FILE serve it
over HTTPS; they are checked at start as uvicorn will load them (both or
neither, each a readable PEM file, the key the certificate's and without a
passphrase: tls_files.py), else one sentence naming the variable, exit 2,
before anything binds. EE_WEB_TRUSTED_PROXIES lists the reverse proxies whose
X-Forwarded-For names the client (adapters/web/proxies.py).
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..adapters.web.proxies import TrustedProxies
from ..adapters.web.server import ServerTls
from ..domain.errors import ConfigurationError
from ..domain.shown import cut
from .tls_files import certificates, check_key_pair, regular_file

_KEY_ALLOWED = "it must be a readable PEM file of the certificate's private key, unencrypted (or empty)"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EE_WEB_", extra="ignore")

    tls_cert_file: str = Field("", description="The page's certificate (PEM, its chain after it): with "
                                               "EE_WEB_TLS_KEY_FILE, HTTPS; empty: plain HTTP")
    tls_key_file: str = Field("", description="The certificate's private key (PEM, unencrypted; the certificate's "
                                              "own file when it holds both)")
    trusted_proxies: str = Field("", description="Comma-separated IP addresses and networks of reverse proxies "
                                                 "whose X-Forwarded-For names the client; empty: none")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        TrustedProxies.parse(value)
        return value

    @field_validator("tls_cert_file")
    @classmethod
    def _certificate(cls, value: str) -> str:
        if not value:
            return value
        return certificates(value, "it must be a readable PEM file of the page's certificate (its chain after it), "
                                   "or empty for plain HTTP", "it holds no certificate")

    @field_validator("tls_key_file")
    @classmethod
    def _key_file(cls, value: str) -> str:
        if value:
            regular_file(value, _KEY_ALLOWED)
        return value

    @model_validator(mode="after")
    def _key_matches(self) -> "WebSettings":
        cert, key = self.tls_cert_file, self.tls_key_file
        if bool(cert) != bool(key):
            given, value, missing = (("EE_WEB_TLS_CERT_FILE", cert, "EE_WEB_TLS_KEY_FILE") if cert
                                     else ("EE_WEB_TLS_KEY_FILE", key, "EE_WEB_TLS_CERT_FILE"))
            raise ConfigurationError(f"{given}={cut(value)} is set without {missing}: HTTPS needs the certificate "
                                     "and its private key (the same file when it holds both); set both, or neither "
                                     "for plain HTTP")
        if cert:
            check_key_pair(("EE_WEB_TLS_CERT_FILE", cert), ("EE_WEB_TLS_KEY_FILE", key), _KEY_ALLOWED)
        return self

    def tls(self) -> ServerTls | None:
        return ServerTls(self.tls_cert_file, self.tls_key_file) if self.tls_cert_file else None

    def proxies(self) -> TrustedProxies:
        return TrustedProxies.parse(self.trusted_proxies)
