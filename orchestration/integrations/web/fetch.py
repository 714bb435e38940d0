"""Fetching a page of a lead's website without putting the worker at risk.

A lead's "website" is whatever a CSV row said, so every fetch is bounded: http and https
only, public addresses only (checked after DNS resolution and on every hop of a redirect,
see :mod:`.guard`), a limited number of redirects, a byte cap read as the body arrives,
one time limit for the whole fetch, an honest User-Agent, and robots.txt when configured.

One :class:`SafeFetcher` holds one aiohttp session: create it inside the event loop that
will use it (per worker process, after fork) and close it with that loop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from types import TracebackType
from urllib.robotparser import RobotFileParser

import aiohttp
from aiohttp import hdrs
from aiohttp.abc import AbstractResolver
from yarl import URL

from orchestration.integrations.web.guard import (
    AddressGuard,
    BlockedAddress,
    GuardedResolver,
    parse_networks,
)
from orchestration.integrations.web.robots import ROBOTS_MAX_BYTES, RobotsCache, rules_from_answer
from settings import Settings

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK_BYTES = 64 * 1024


def _default_user_agent() -> str:
    try:
        version = metadata.version("sales-agent")
    except metadata.PackageNotFoundError:
        version = "0"
    return f"sales-agent/{version} (business contact lookup on company websites)"


DEFAULT_USER_AGENT = _default_user_agent()


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The limits every fetch obeys; the defaults suit public company websites."""

    # IPs or CIDR networks that may be reached although not public (tests: "127.0.0.1";
    # private deployments: "10.0.0.0/8"). Cloud metadata addresses stay refused regardless.
    allow_private_networks: Sequence[str] = ()
    max_bytes: int = 2 * 1024 * 1024  # of (decompressed) body; the rest is left unread
    timeout_s: float = 10.0  # one page, redirects and robots.txt included
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    respect_robots: bool = False  # when on, robots.txt rules for this agent are obeyed
    limit_per_host: int = 4  # concurrent connections to one site

    def __post_init__(self) -> None:
        networks = tuple(self.allow_private_networks)
        parse_networks(networks)  # a typo in the allow-list fails at start, not per fetch
        object.__setattr__(self, "allow_private_networks", networks)
        if self.max_bytes <= 0 or self.timeout_s <= 0 or self.limit_per_host <= 0:
            raise ValueError("max_bytes, timeout_s and limit_per_host must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects cannot be negative")
        if not self.user_agent.strip():
            raise ValueError("a fetch needs a User-Agent that names the client")


def policy_from_settings(settings: Settings) -> FetchPolicy:
    """The fetch policy configured by the SALES_AGENT_FETCH_* settings."""
    return FetchPolicy(
        allow_private_networks=tuple(settings.fetch_allow_networks),
        max_bytes=settings.fetch_max_bytes,
        timeout_s=settings.fetch_timeout_s,
        max_redirects=settings.fetch_max_redirects,
        user_agent=settings.fetch_user_agent or DEFAULT_USER_AGENT,
        respect_robots=settings.fetch_respect_robots,
    )


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One answer, after redirects: any status (the caller decides what a 404 means)."""

    url: str  # the final URL, after redirects
    status: int
    content_type: str  # lowercased media type without parameters, e.g. "text/html"
    body: bytes = field(repr=False)
    truncated: bool = False  # the body was longer than the policy's max_bytes
    charset: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES

    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 when none or unknown)."""
        try:
            return self.body.decode(self.charset or "utf-8", "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")


class FetchError(Exception):
    """A fetch that produced no answer; ``reason`` says why in plain words."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


class FetchRefused(FetchError):
    """The policy forbids this fetch (scheme, address, robots.txt, redirect limit)."""


class AddressRefused(FetchRefused):
    """The host is, or resolves to, an address that is not public and not allowed."""


class RobotsDisallowed(FetchRefused):
    """The site's robots.txt keeps this agent out of the page."""


class TooManyRedirects(FetchRefused):
    """The redirect chain is longer than the policy allows."""


class FetchFailed(FetchError):
    """The site could not be reached or broke off (DNS, connection, TLS, protocol)."""


class FetchTimeout(FetchFailed):
    """No complete answer within the policy's time limit."""


class SafeFetcher:
    """GETs pages within a :class:`FetchPolicy`; use as ``async with SafeFetcher(...)``.

    ``resolver`` replaces the system DNS (a test's static table, a private DNS); whatever
    it answers is checked by the address guard like any other resolution.
    """

    def __init__(
        self, policy: FetchPolicy | None = None, *, resolver: AbstractResolver | None = None
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._guard = AddressGuard(self.policy.allow_private_networks)
        self._given_resolver = resolver
        self._resolver: GuardedResolver | None = None
        self._session: aiohttp.ClientSession | None = None
        self._robots = RobotsCache()

    async def __aenter__(self) -> SafeFetcher:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        return self._session is None

    async def open(self) -> None:
        """Build the session on the running loop (idempotent)."""
        if self._session is not None:
            return
        inner = self._given_resolver or aiohttp.DefaultResolver()
        self._resolver = GuardedResolver(self._guard, inner)
        connector = aiohttp.TCPConnector(
            resolver=self._resolver,
            socket_factory=self._guard.socket_factory(),
            limit_per_host=self.policy.limit_per_host,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # The policy's limit covers a whole fetch, redirects and robots.txt included, so
            # it is enforced around the redirect loop (see fetch) rather than per request.
            timeout=aiohttp.ClientTimeout(total=None),
            headers={
                hdrs.USER_AGENT: self.policy.user_agent,
                hdrs.ACCEPT: "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1",
            },
            cookie_jar=aiohttp.DummyCookieJar(),  # nothing carried from one lead's site to another
            trust_env=False,  # a proxy from the environment would bypass the address guard
        )

    async def close(self) -> None:
        """Close the session and, when it built it, the DNS resolver."""
        session, resolver = self._session, self._resolver
        self._session = self._resolver = None
        if session is not None:
            await session.close()
        if resolver is not None and self._given_resolver is None:
            await resolver.close()

    async def fetch(self, url: str) -> FetchResult:
        """GET ``url`` within the policy, following allowed redirects.

        Raises :class:`FetchRefused` when the policy forbids the fetch and
        :class:`FetchFailed` (or :class:`FetchTimeout`) when the site gives no answer.
        Statuses such as 404 or 500 are answers, returned as they are.
        """
        await self.open()
        try:
            async with asyncio.timeout(self.policy.timeout_s):
                return await self._follow(url, check_robots=self.policy.respect_robots)
        except TimeoutError as exc:
            raise FetchTimeout(url, f"no answer within {self.policy.timeout_s:g} s") from exc

    async def _follow(
        self, url: str, *, check_robots: bool, max_bytes: int | None = None
    ) -> FetchResult:
        # Redirects are followed here, not by aiohttp, so every hop's URL passes the same
        # checks as the first one (a public site may redirect to http://10.0.0.5/).
        target = self._checked_url(url)
        for _hop in range(self.policy.max_redirects + 1):
            if check_robots:
                await self._require_robots_allow(target)
            answer = await self._get(target, max_bytes or self.policy.max_bytes)
            if isinstance(answer, FetchResult):
                return answer
            target = self._checked_url(answer, base=target)
        raise TooManyRedirects(url, f"more than {self.policy.max_redirects} redirects")

    async def _get(self, url: URL, max_bytes: int) -> FetchResult | str:
        """One request: the final result, or the Location a redirect points to."""
        assert self._session is not None
        try:
            async with self._session.get(url, allow_redirects=False) as response:
                location = response.headers.get(hdrs.LOCATION)
                if response.status in REDIRECT_STATUSES and location:
                    return location
                body, truncated = await _read_capped(response, max_bytes)
                return FetchResult(
                    url=str(response.url),
                    status=response.status,
                    content_type=response.content_type.lower(),
                    body=body,
                    truncated=truncated,
                    charset=response.charset,
                )
        except aiohttp.ClientError as exc:
            raise _translate(str(url), exc) from exc
        except BlockedAddress as exc:
            raise AddressRefused(str(url), str(exc)) from exc
        except TimeoutError as exc:
            raise FetchTimeout(str(url), "the site stopped answering") from exc
        except (OSError, ValueError) as exc:
            raise FetchFailed(str(url), f"request failed ({type(exc).__name__})") from exc

    def _checked_url(self, url: str, *, base: URL | None = None) -> URL:
        """The URL to request, or a refusal when its scheme or literal address is not allowed."""
        try:
            target = URL(url)
            if base is not None:
                target = base.join(target)
        except (TypeError, ValueError) as exc:
            raise FetchRefused(url, "not a valid URL") from exc
        shown = str(target)
        if target.scheme not in ALLOWED_SCHEMES:
            raise FetchRefused(shown, "only http and https pages are fetched")
        host = target.raw_host
        if not host:
            raise FetchRefused(shown, "the URL names no host")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass  # a name: the guarded resolver checks what it resolves to
        else:
            if not self._guard.allows(host):
                raise AddressRefused(shown, f"{host} is not a public address")
        # Credentials in a lead's URL are not ours to send; fragments never reach servers.
        return target.with_user(None).with_fragment(None)

    async def _require_robots_allow(self, url: URL) -> None:
        origin = str(url.origin())
        rules = await self._robots.rules_for(origin, self._load_robots)
        if not rules.can_fetch(self.policy.user_agent, str(url)):
            raise RobotsDisallowed(str(url), "robots.txt disallows this page")

    async def _load_robots(self, origin: str) -> RobotFileParser:
        robots_url = f"{origin}/robots.txt"
        try:
            async with asyncio.timeout(self.policy.timeout_s):
                answer = await self._follow(
                    robots_url, check_robots=False,
                    max_bytes=min(ROBOTS_MAX_BYTES, self.policy.max_bytes),
                )
        except (FetchError, TimeoutError) as exc:
            log.info("robots.txt of %s unreadable (%s); treating the site as closed", origin,
                     getattr(exc, "reason", "timeout"))
            return rules_from_answer(None, b"")
        return rules_from_answer(answer.status, answer.body)


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> tuple[bytes, bool]:
    """At most ``max_bytes`` of the body, read as it arrives; the rest is never downloaded."""
    body = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
        room = max_bytes - len(body)
        if len(chunk) > room:
            body += chunk[:room]
            return bytes(body), True
        body += chunk
    return bytes(body), False


def _translate(url: str, exc: aiohttp.ClientError) -> FetchError:
    blocked = _blocked_cause(exc)
    if blocked is not None:
        return AddressRefused(url, str(blocked))
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return FetchTimeout(url, "the site stopped answering")
    if isinstance(exc, aiohttp.ClientSSLError):
        return FetchFailed(url, "TLS handshake or certificate failed")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return FetchFailed(url, "the host name does not resolve")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return FetchFailed(url, "connection failed")
    if isinstance(exc, aiohttp.TooManyRedirects):
        return TooManyRedirects(url, "too many redirects")
    return FetchFailed(url, f"request failed ({type(exc).__name__})")


def _blocked_cause(exc: BaseException) -> BlockedAddress | None:
    """The address refusal behind an aiohttp connection error, if that is what it was."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BlockedAddress):
            return current
        pending.extend((current.__cause__, current.__context__))
        if isinstance(current, aiohttp.ClientConnectorError):
            pending.append(current.os_error)
    return None
