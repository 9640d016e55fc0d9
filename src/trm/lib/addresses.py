"""The address a request really comes from, behind the reverse proxies the node trusts.

`X-Forwarded-For` is only a claim: anyone can send one. It is read only when the direct peer
(`REMOTE_ADDR`) is one of `settings.TRUSTED_PROXIES` (`TRM_TRUSTED_PROXIES`), and then from the
right, where the node's own proxies appended what they saw: the client is the right-most
address that is not a trusted proxy. Whatever a client wrote further left is never believed.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries) -> tuple[Network, ...]:
    """Addresses or networks ("10.0.0.5", "10.0.0.0/8", "fd00::/8"); ValueError names a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _address(text: str) -> Address | None:
    """An address as proxies write it: bare, "[v6]:port" or "v4:port"; None if it is none."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        found = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    return getattr(found, "ipv4_mapped", None) or found


def _is_trusted(address: Address, networks) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str | None:
    """The client's address: the peer's, or behind trusted proxies the right-most untrusted
    address of X-Forwarded-For (the left-most if every hop is a trusted proxy)."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    networks = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    found = peer
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not an address: nothing to its left can be believed either
        found = address
        if not _is_trusted(address, networks):
            break
    return str(found)
