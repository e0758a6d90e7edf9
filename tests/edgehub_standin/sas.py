"""Shared access signatures as edgeHub checks them, with one deterministic test key per module.

The SDK signs `url-encoded(sr) + "\\n" + expiry` with HMAC-SHA256 under the
module's key (base64) and sends `SharedAccessSignature sr=…&sig=…&se=…` as the
MQTT password and the HTTPS Authorization header. Checking it keeps the
stand-in honest: a client with the wrong identity or key is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

HUB_HOST = "standin.azure-devices.net"
_PREFIX = "SharedAccessSignature "


def module_key(module_id: str) -> str:
    return base64.b64encode(hashlib.sha256(f"test-key-{module_id}".encode()).digest()).decode()


def sas_problem(token: str, device_id: str, module_id: str) -> str | None:
    """None when `token` is a valid, unexpired SAS of this module; otherwise why not."""
    if not token.startswith(_PREFIX):
        return "not a SharedAccessSignature"
    fields = dict(part.partition("=")[::2] for part in token[len(_PREFIX):].split("&"))
    resource = urllib.parse.unquote(fields.get("sr", ""))
    expected = f"{HUB_HOST}/devices/{device_id}/modules/{module_id}"
    if resource != expected:
        return f"token is for {resource!r}, not {expected!r}"
    expiry = fields.get("se", "")
    if not expiry.isdigit() or int(expiry) < time.time():
        return "token expired"
    message = f"{urllib.parse.quote(expected, safe='')}\n{expiry}".encode()
    signature = base64.b64encode(hmac.new(base64.b64decode(module_key(module_id)), message, hashlib.sha256).digest())
    if not hmac.compare_digest(signature.decode(), urllib.parse.unquote(fields.get("sig", ""))):
        return "bad signature"
    return None
