"""Which network addresses a website fetch may connect to.

Lead websites come from CSV files anyone can write, so a "website" may point inside the
worker's own network: a database, an admin console, the cloud metadata service. Only
public addresses are reachable unless an operator allows private networks explicitly.
The check runs on resolved addresses, so a public-looking name that resolves inward is
caught, and again on every socket about to connect, so nothing slips past (IP literals,
redirects, cached lookups).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence

from aiohttp import AddrInfoType, SocketFactoryType
from aiohttp.abc import AbstractResolver, ResolveResult

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance-metadata services hand out cloud credentials: never reachable, whatever the
# allow-list says (AWS/GCP/Azure, AWS IPv6, ECS tasks, Alibaba, Oracle).
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200", "192.0.0.192",
    )
)
# IPv6 prefixes that carry an IPv4 address inside; the inner address is what gets reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedAddress(OSError):
    """A connection to an address the fetch policy does not allow."""

    def __init__(self, address: str, host: str | None = None) -> None:
        self.address = address
        self.host = host
        named = f" ({host})" if host and host.strip("[]") != address else ""
        super().__init__(f"refusing to connect to {address}{named}: not a public address")


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``["127.0.0.1", "10.0.0.0/8"]`` as networks; anything else is a configuration error.

    Host names are refused on purpose: what a name resolves to can change, the network an
    operator trusts does not.
    """
    networks: list[IPNetwork] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or CIDR network: {entry!r}") from exc
    return tuple(networks)


def is_public(ip: IPAddress) -> bool:
    """True for addresses on the public internet (not private, loopback, link-local, ...)."""
    if (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or not ip.is_global
    ):
        return False
    inner = _embedded_ipv4(ip)
    return inner is None or is_public(inner)


class AddressGuard:
    """Decides whether an address may be connected to: public, or inside an allowed network."""

    def __init__(self, allowed_networks: Sequence[str] = ()) -> None:
        self._allowed = parse_networks(allowed_networks)

    @property
    def allowed_networks(self) -> tuple[IPNetwork, ...]:
        return self._allowed

    def allows(self, address: str | IPAddress) -> bool:
        """Whether ``address`` (an IP, never a name) may be connected to."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        inner = _embedded_ipv4(ip)
        seen = (ip,) if inner is None else (ip, inner)
        if any(candidate in METADATA_ADDRESSES for candidate in seen):
            return False
        if is_public(ip):
            return True
        return any(candidate in network for candidate in seen for network in self._allowed)

    def require_allowed(self, address: str, host: str | None = None) -> None:
        """Raise :class:`BlockedAddress` unless ``address`` may be connected to."""
        if not self.allows(address):
            raise BlockedAddress(address, host)

    def socket_factory(self) -> SocketFactoryType:
        """A socket factory for aiohttp's connector that refuses blocked peers."""

        def guarded_socket(addr_info: AddrInfoType) -> socket.socket:
            family, type_, proto, _, sockaddr = addr_info
            self.require_allowed(str(sockaddr[0]))
            return socket.socket(family=family, type=type_, proto=proto)

        return guarded_socket


class GuardedResolver(AbstractResolver):
    """Resolves with ``inner`` and refuses the host when any of its addresses is blocked.

    Refusing the whole host (rather than dropping its private records) keeps the outcome
    the same whichever address the connector would have tried first.
    """

    def __init__(self, guard: AddressGuard, inner: AbstractResolver) -> None:
        self._guard = guard
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            self._guard.require_allowed(result["host"], host)
        return results

    async def close(self) -> None:
        await self._inner.close()


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None
