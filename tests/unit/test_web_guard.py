"""The address guard: website fetches reach public addresses only, unless allowed."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from orchestration.integrations.web import AddressGuard, BlockedAddress, FetchPolicy
from orchestration.integrations.web.guard import GuardedResolver


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert AddressGuard().allows(address)


@pytest.mark.parametrize("address", [
    "10.0.0.8", "172.16.5.4", "192.168.1.1",  # private
    "127.0.0.1", "::1",  # loopback
    "169.254.169.254", "169.254.10.10", "fe80::1",  # link-local, metadata
    "fc00::1", "fd00:ec2::254",  # unique local
    "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255",  # unspecified, CGNAT, multicast
    "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::",  # IPv4 inside IPv6
    "not-an-address", "",
])
def test_addresses_that_are_not_public_are_refused_by_default(address: str) -> None:
    assert not AddressGuard().allows(address)


def test_the_allow_list_admits_exactly_the_listed_networks() -> None:
    # Given a deployment that allows its loopback and one private network
    guard = AddressGuard(["127.0.0.1", "10.20.0.0/16"])

    # Then those addresses are reachable, their neighbours are not
    assert guard.allows("127.0.0.1")
    assert guard.allows("::ffff:127.0.0.1")
    assert guard.allows("10.20.3.4")
    assert not guard.allows("127.0.0.2")
    assert not guard.allows("10.21.0.1")
    assert not guard.allows("192.168.1.1")


def test_cloud_metadata_stays_refused_even_inside_an_allowed_network() -> None:
    guard = AddressGuard(["169.254.0.0/16", "fd00::/8"])

    assert guard.allows("169.254.1.1")
    assert not guard.allows("169.254.169.254")
    assert not guard.allows("fd00:ec2::254")


@pytest.mark.parametrize("entry", ["localhost", "intranet.corp", "10.0.0.0/33"])
def test_allow_list_entries_must_be_addresses_or_networks(entry: str) -> None:
    with pytest.raises(ValueError, match="not an IP address or CIDR network"):
        AddressGuard([entry])
    with pytest.raises(ValueError, match="not an IP address or CIDR network"):
        FetchPolicy(allow_private_networks=[entry])


class _FixedResolver(AbstractResolver):
    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=address, port=port, family=socket.AF_INET,
                              proto=0, flags=0) for address in self.addresses]

    async def close(self) -> None:
        return None


def test_a_name_with_any_private_record_is_refused_whole() -> None:
    # Given a name that resolves to a public and a private address
    resolver = GuardedResolver(AddressGuard(), _FixedResolver("93.184.216.34", "10.0.0.8"))

    # When it is resolved, then the lookup is refused, naming the address
    with pytest.raises(BlockedAddress, match=r"10\.0\.0\.8 \(sneaky\.example\)"):
        asyncio.run(resolver.resolve("sneaky.example", 80))


def test_a_name_with_public_records_resolves() -> None:
    resolver = GuardedResolver(AddressGuard(), _FixedResolver("93.184.216.34"))

    results = asyncio.run(resolver.resolve("acme.example", 443))

    assert [result["host"] for result in results] == ["93.184.216.34"]


def test_the_socket_factory_refuses_a_blocked_peer_before_any_socket_exists() -> None:
    factory = AddressGuard(["127.0.0.1"]).socket_factory()

    with pytest.raises(BlockedAddress):
        factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.8", 80)))
    allowed = factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80)))
    allowed.close()


@pytest.mark.parametrize("changes", [
    {"max_bytes": 0}, {"timeout_s": 0}, {"max_redirects": -1}, {"user_agent": " "},
])
def test_policies_that_make_no_sense_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each field has its own message
        FetchPolicy(**changes)  # type: ignore[arg-type]


def test_the_default_policy_is_safe_and_names_the_client() -> None:
    policy = FetchPolicy()

    assert policy.allow_private_networks == ()
    assert policy.max_redirects == 5
    assert policy.timeout_s == 10
    assert policy.user_agent.startswith("sales-agent/")
    assert policy.respect_robots is False
