"""HTTP Basic authentication with the operator's credentials, and a same-origin check for commands.

The page, its data and its commands are the operator's: user `operator` and
the operator's broker password (the one `energy-edge call` uses). /metrics and
/healthz stay open for Prometheus and the container runtime. Browsers resend
Basic credentials to any page of the origin, so a command must also come as
JSON from this origin: a form on another site can send neither.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

REALM = "energy-edge operator"


class OperatorAuth:
    def __init__(self, username: str, password: str | None) -> None:
        self.username = username
        self.password = password

    def refusal(self, request: Request) -> Response | None:
        """None when the request carries the operator's credentials, else the answer to send."""
        if not self.password:
            return PlainTextResponse("the operator page is off: no operator password is configured "
                                     "(EE_MQTT_PASSWORD_OPERATOR)\n", status_code=503)
        user, password = _basic(request.headers.get("authorization", ""))
        if user is not None and secrets.compare_digest(user.encode(), self.username.encode()) \
                and secrets.compare_digest((password or "").encode(), self.password.encode()):
            return None
        return PlainTextResponse("log in as the operator\n", status_code=401,
                                 headers={"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})


def cross_site(request: Request) -> Response | None:
    """None for a JSON request from this origin, else a 403 naming what is wrong."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"error": "content-type", "reason": "commands are sent as application/json"}, 415)
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin is not None and origin != own:
        return JSONResponse({"error": "origin", "reason": f"origin {origin[:80]!r} is not this page's ({own})"}, 403)
    return None


def _basic(header: str) -> tuple[str | None, str | None]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None, None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (None, None)
