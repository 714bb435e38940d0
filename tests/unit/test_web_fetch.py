"""The safe fetcher against a real local HTTP server: limits, redirects, refusals.

The fixture sites answer on 127.0.0.1; the policy allows that address only where a test
says so, and every ``*.test`` name resolves to it through a static resolver.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from orchestration.integrations.web import (
    FetchFailed,
    FetchPolicy,
    FetchRefused,
    FetchResult,
    FetchTimeout,
    RobotsDisallowed,
    SafeFetcher,
    TooManyRedirects,
)
from orchestration.integrations.web.fetch import AddressRefused
from orchestration.integrations.web.robots import rules_from_answer
from tests.fixtures.sites.server import FixtureSites, StaticResolver, serve_fixture_sites

LOOPBACK = ["127.0.0.1"]


@pytest.fixture(scope="module")
def sites() -> Iterator[FixtureSites]:
    with serve_fixture_sites() as running:
        yield running


def fetch(url: str, *, system_dns: bool = False, **policy: Any) -> FetchResult:
    """One fetch with a fresh fetcher, as a worker would do it."""

    async def run() -> FetchResult:
        resolver = None if system_dns else StaticResolver()
        async with SafeFetcher(FetchPolicy(**policy), resolver=resolver) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


def test_an_allowed_site_is_fetched_with_an_honest_user_agent(sites: FixtureSites) -> None:
    answer = fetch(sites.url("echo.test"), allow_private_networks=LOOPBACK)

    assert answer.ok
    assert answer.text().startswith("sales-agent/")
    assert answer.url == sites.url("echo.test")


def test_the_user_agent_is_configurable(sites: FixtureSites) -> None:
    agent = "sales-agent/1.0 (+https://sales.example/bot)"

    answer = fetch(sites.url("echo.test"), allow_private_networks=LOOPBACK, user_agent=agent)

    assert answer.text() == agent


@pytest.mark.parametrize("url", [
    "http://10.0.0.8/", "http://192.168.1.1/admin", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:{port}/", "http://127.0.0.1:{port}/", "http://[::ffff:127.0.0.1]:{port}/",
])
def test_private_addresses_are_refused_without_an_allow_list(
    sites: FixtureSites, url: str
) -> None:
    with pytest.raises(AddressRefused, match="not a public address"):
        fetch(url.format(port=sites.port), timeout_s=1)


def test_localhost_is_refused_by_name_after_resolution(sites: FixtureSites) -> None:
    # Given the system resolver, where localhost means 127.0.0.1 (and maybe ::1)
    # When localhost is fetched without an allow-list, then it is refused, not reached
    with pytest.raises(AddressRefused, match=r"\(localhost\)"):
        fetch(f"http://localhost:{sites.port}/", system_dns=True, timeout_s=1)
    assert ("localhost", "/") not in sites.hits


def test_a_public_looking_name_resolving_to_a_private_address_is_refused() -> None:
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.8 \(internal\.test\)"):
        fetch("http://internal.test/", allow_private_networks=LOOPBACK, timeout_s=1)


def test_the_allow_list_admits_only_its_own_networks(sites: FixtureSites) -> None:
    assert fetch(sites.url("plain.test"), allow_private_networks=LOOPBACK).ok
    with pytest.raises(AddressRefused):
        fetch(sites.url("plain.test"), allow_private_networks=["10.0.0.0/8"], timeout_s=1)


def test_metadata_is_refused_even_when_link_local_is_allowed() -> None:
    with pytest.raises(AddressRefused):
        fetch("http://169.254.169.254/latest/meta-data/",
              allow_private_networks=["169.254.0.0/16"], timeout_s=1)


@pytest.mark.parametrize(("path", "refused"), [
    ("/", "169.254.169.254"), ("/contact", "10.0.0.8"), ("/about", "10.1.2.3"),
    ("/contact-us", "::1"),
])
def test_a_redirect_from_an_allowed_site_to_a_private_address_is_refused(
    sites: FixtureSites, path: str, refused: str
) -> None:
    # Given a site the policy allows, which redirects inwards
    # When it is fetched, then the redirect's target is refused before any connection
    with pytest.raises(AddressRefused, match=refused.replace(".", r"\.")):
        fetch(sites.url("to-private.test", path), allow_private_networks=LOOPBACK, timeout_s=1)


def test_redirects_are_followed_up_to_the_limit_and_no_further(sites: FixtureSites) -> None:
    before = sites.hits[("loop.test", "/")]

    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        fetch(sites.url("loop.test"), allow_private_networks=LOOPBACK, max_redirects=3)

    assert sites.hits[("loop.test", "/")] - before == 4  # the first request and 3 hops


def test_an_allowed_redirect_to_another_site_is_followed(sites: FixtureSites) -> None:
    answer = fetch(sites.url("moved.test"), allow_private_networks=LOOPBACK)

    assert answer.url == sites.url("new-name.test")
    assert b"ana.silva@new-name.test" in answer.body


@pytest.mark.parametrize("url", [
    "ftp://plain.test/", "file:///etc/passwd", "javascript:alert(1)", "gopher://plain.test/",
    "http:///nohost", "",
])
def test_only_http_and_https_urls_are_fetched(url: str) -> None:
    with pytest.raises(FetchRefused):
        fetch(url, allow_private_networks=LOOPBACK)


def test_a_huge_body_is_cut_at_the_cap_without_downloading_the_rest(sites: FixtureSites) -> None:
    started = time.monotonic()

    answer = fetch(sites.url("huge.test", "/about"), allow_private_networks=LOOPBACK,
                   max_bytes=64 * 1024)

    assert answer.truncated
    assert len(answer.body) == 64 * 1024
    assert b"dana.price@huge.test" in answer.body
    assert time.monotonic() - started < 5


def test_a_small_body_is_whole(sites: FixtureSites) -> None:
    answer = fetch(sites.url("plain.test"), allow_private_networks=LOOPBACK, max_bytes=64 * 1024)

    assert not answer.truncated
    assert answer.is_html
    assert answer.body.rstrip().endswith(b"</html>")


def test_a_slow_page_times_out_at_the_policy_limit(sites: FixtureSites) -> None:
    started = time.monotonic()

    with pytest.raises(FetchTimeout):
        fetch(sites.url("slow.test", "/contact"), allow_private_networks=LOOPBACK, timeout_s=0.3)

    assert time.monotonic() - started < 3


def test_a_missing_page_is_an_answer_not_an_error(sites: FixtureSites) -> None:
    answer = fetch(sites.url("missing.test", "/contact"), allow_private_networks=LOOPBACK)

    assert answer.status == 404
    assert not answer.ok


def test_a_name_that_does_not_resolve_fails_plainly() -> None:
    with pytest.raises(FetchFailed, match="does not resolve"):
        fetch("http://nowhere.invalid/", allow_private_networks=LOOPBACK)


def test_robots_txt_is_obeyed_when_configured(sites: FixtureSites) -> None:
    # Given robots.test, whose robots.txt keeps sales-agent out of /contact
    policy: dict[str, Any] = {"allow_private_networks": LOOPBACK, "respect_robots": True}

    # Then /contact is refused and the home page is not
    with pytest.raises(RobotsDisallowed):
        fetch(sites.url("robots.test", "/contact"), **policy)
    assert fetch(sites.url("robots.test"), **policy).ok


def test_robots_txt_is_ignored_unless_configured(sites: FixtureSites) -> None:
    assert fetch(sites.url("robots.test", "/contact"), allow_private_networks=LOOPBACK).ok


def test_robots_txt_is_read_once_for_parallel_pages_of_a_site(sites: FixtureSites) -> None:
    before = sites.hits[("robots.test", "/robots.txt")]

    async def run() -> list[FetchResult | BaseException]:
        policy = FetchPolicy(allow_private_networks=LOOPBACK, respect_robots=True)
        async with SafeFetcher(policy, resolver=StaticResolver()) as fetcher:
            pages = ["/", "/about", "/contact", "/contact-us"]
            return await asyncio.gather(
                *(fetcher.fetch(sites.url("robots.test", page)) for page in pages),
                return_exceptions=True,
            )

    answers = asyncio.run(run())

    assert sites.hits[("robots.test", "/robots.txt")] - before == 1
    # "Disallow: /contact" is a prefix: /contact-us is kept out too
    assert [type(a) for a in answers[2:]] == [RobotsDisallowed, RobotsDisallowed]
    assert [a.status for a in answers if isinstance(a, FetchResult)] == [200, 404]


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (410, True), (503, False),
                                                  (None, False)])
def test_a_missing_robots_file_allows_and_an_unreachable_one_forbids(
    status: int | None, allowed: bool
) -> None:
    rules = rules_from_answer(status, b"")

    assert rules.can_fetch("sales-agent/1", "https://acme.com/contact") is allowed


def test_the_fetch_policy_comes_from_settings() -> None:
    # Given settings that allow a private network and tighten the limits
    from orchestration.integrations.web.fetch import policy_from_settings
    from settings import Settings

    settings = Settings(
        fetch_allow_networks=["10.0.0.0/8"], fetch_max_bytes=1024, fetch_timeout_s=2.5,
        fetch_max_redirects=1, fetch_respect_robots=True,
    )
    # When the policy is built, then it carries them, with the default User-Agent
    policy = policy_from_settings(settings)
    assert policy.allow_private_networks == ("10.0.0.0/8",)
    assert (policy.max_bytes, policy.timeout_s, policy.max_redirects) == (1024, 2.5, 1)
    assert policy.respect_robots is True
    assert policy.user_agent.startswith("sales-agent/")
