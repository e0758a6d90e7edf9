"""A listener's bind that failed on its address (EE_METRICS_HOST), as one sentence for the user.

The settings refuse a value that is neither an IP address nor a host name; a
well-formed one can still fail where it binds: a name no resolver knows
(`example.invalid`) or an address that is not this machine's. That is the
user's setting, not a fault of the program, so it is a ConfigurationError (exit 2).
"""

from __future__ import annotations

import errno
import socket

from ..domain.errors import ConfigurationError
from ..domain.shown import cut

HOST_SETTING = "EE_METRICS_HOST"
# the resolver's errors (socket.create_server re-raises them as a plain OSError with the same errno)
_RESOLVER_ERRNOS = {getattr(socket, name) for name in dir(socket) if name.startswith("EAI_")}


def unusable_host(host: str, exc: OSError) -> ConfigurationError | None:
    """The refusal naming EE_METRICS_HOST when `exc` is about the address itself, else None."""
    if not (isinstance(exc, socket.gaierror) or exc.errno in _RESOLVER_ERRNOS or exc.errno == errno.EADDRNOTAVAIL):
        return None
    reason = (exc.strerror or str(exc)).split(" (while attempting", 1)[0]
    return ConfigurationError(f"{HOST_SETTING}={cut(host)} cannot be listened on ({reason}): set it to an address "
                              "of this machine or a name that resolves to one, e.g. 0.0.0.0 (every interface), "
                              "127.0.0.1 or ::")
