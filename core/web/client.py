"""Who the client is at the network level: the address login throttling counts by.

Behind a reverse proxy every connection comes from the proxy, so the proxy's word on the
client (``X-Forwarded-For``) is believed, but only from the proxies named in
``LAVTERSKEL_TRUSTED_PROXIES``: from anyone else the header is a claim the client makes
about itself, and would let it pick a fresh address for every guess.
"""
from __future__ import annotations

from litestar.types import Scope


def client_address(scope: Scope, trusted_proxies: frozenset[str]) -> str:
    """The requesting client's address.

    ``X-Forwarded-For`` is read from the right: each trusted proxy appends the address it
    was connected from, so the first address from the right that is not a trusted proxy is
    the client. Addresses further left were written by the client itself and are ignored.
    """
    peer = scope.get("client")
    address = str(peer[0]) if peer else "unknown"
    if address not in trusted_proxies:
        return address
    forwarded: list[str] = []
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            forwarded.extend(part.strip() for part in value.decode("latin-1").split(","))
    for hop in reversed(forwarded):
        if hop and hop not in trusted_proxies:
            return hop[:100]
    return address


__all__ = ["client_address"]
