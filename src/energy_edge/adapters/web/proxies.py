"""The reverse proxies whose X-Forwarded-For names the client (EE_WEB_TRUSTED_PROXIES).

Behind a proxy every request comes from the proxy's address, so the failed-login
limit (`auth.py`) counted all clients as one: one guesser locked everyone out.
A header, though, is whatever its sender writes, so it is believed only from a
peer listed here. uvicorn's ProxyHeadersMiddleware (`server.py`) then takes the
right-most address in X-Forwarded-For that is not itself a listed proxy: each
proxy appends the address it was reached from, so what a client wrote itself
stands further left and is passed over. X-Forwarded-Proto is taken from those
peers too. From any other peer both are ignored, and none is trusted by default.

A listed proxy carries every client's connections, so it is exempt from the cap
per address (`connections.py`); the total cap still holds.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ...domain.shown import shown

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "TrustedProxies":
        """Comma-separated IP addresses and networks (empty entries skipped); ValueError naming a bad entry."""
        return cls(tuple(_network(entry) for entry in (part.strip() for part in text.split(",")) if entry))

    def __bool__(self) -> bool:
        return bool(self.networks)

    def __contains__(self, host: object) -> bool:
        """True for a peer address inside one of the networks; a name or garbage is never trusted."""
        try:
            address = ipaddress.ip_address(str(host).split("%")[0])
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def allowed(self) -> list[str]:
        """uvicorn's `forwarded_allow_ips`: every entry as a network, which it compares as one."""
        return [str(network) for network in self.networks]


def _network(entry: str) -> Network:
    try:
        return ipaddress.ip_network(entry)
    except ValueError:
        pass
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise ValueError(f"entry {shown(entry)} is not an IP address or network (a name is not resolved): give "
                         "comma-separated addresses or networks, e.g. 10.0.0.2, 172.16.0.0/12, fd00::/8, or leave "
                         "it empty to trust no proxy's header") from None
    raise ValueError(f"entry {shown(entry)} has bits set past its prefix: write the network, {network}")
