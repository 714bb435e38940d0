"""Email addresses written into a web page, in the forms sites use to hide them from bots.

Found: ``mailto:`` links, plain text, ``name [at] domain [dot] com`` and ``(at)``/``{at}``
variants, ``john at acme dot com``, HTML entities (``&#64;``), addresses split across
inline elements (``<span>sales</span>@<span>acme.com</span>``), Cloudflare's
``data-cfemail`` encoding and JSON-LD ``"email"`` fields. Whether an address is worth
keeping (junk, other domains, ranking) is :mod:`.ranking`'s call, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

_LOCAL = r"[a-z0-9][a-z0-9._%+-]*"
_DOMAIN = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
EMAIL = re.compile(rf"(?<![a-z0-9._%+-])({_LOCAL})@({_DOMAIN})(?![a-z0-9])", re.IGNORECASE)
_EMAIL_EXACT = re.compile(rf"{_LOCAL}@{_DOMAIN}", re.IGNORECASE)

# "[at]", "(at)", "{at}", "<at>", "[@]" and the same for dots, spaces allowed inside.
_BRACKETED_AT = re.compile(r"\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*", re.IGNORECASE)
_BRACKETED_DOT = re.compile(r"\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*", re.IGNORECASE)
# "john at acme dot com": only with at least one " dot ", or every "meet us at noon" counts.
_SPELLED_OUT = re.compile(
    r"(?<![\w.])([a-z0-9][a-z0-9._%+-]*)\s+at\s+((?:[a-z0-9-]+\s+dot\s+)+[a-z]{2,24})\b",
    re.IGNORECASE,
)
_SPELLED_DOT = re.compile(r"\s+dot\s+", re.IGNORECASE)
_SPACED_AT = re.compile(r"(?<=\w)\s*@\s*(?=\w)")
# Zero-width and soft-hyphen characters some sites slip into addresses to break scrapers.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

# Elements a browser lays out as their own line: text never runs across their edges.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "head", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section",
    "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul", "option", "button",
    "img", "input", "select", "textarea",
})
_SKIPPED_TAGS = frozenset({"script", "style", "template", "svg", "iframe", "object", "canvas"})
_CF_PROTECTION_PATH = "/cdn-cgi/l/email-protection"
_JSON_LD_EMAIL = re.compile(r'"email"\s*:\s*"(?:mailto:)?([^"\s]+)"', re.IGNORECASE)
_GLUED_WORD = re.compile(r"[a-z](?=[A-Z])")
_BREAK = object()  # a line break between blocks, in the walk below


def parse_html(markup: str | bytes, charset: str | None = None) -> BeautifulSoup:
    """The page as a tree; bytes are decoded by ``charset`` or the page's own declaration."""
    if isinstance(markup, bytes):
        return BeautifulSoup(markup, "html.parser", from_encoding=charset)
    return BeautifulSoup(markup, "html.parser")


def addresses_in_markup(markup: str | bytes, charset: str | None = None) -> list[str]:
    """Every email address written into ``markup``, lowercased, first occurrence first."""
    return addresses_in_html(parse_html(markup, charset))


def addresses_in_html(page: BeautifulSoup) -> list[str]:
    """Every email address in a parsed page, lowercased, in order of reliability then page.

    Links and encoded forms come first: their author meant them as addresses.
    """
    found = [
        *_mailto_addresses(page),
        *_cloudflare_addresses(page),
        *_text_addresses(page),
        *_json_ld_addresses(page),
    ]
    return list(dict.fromkeys(found))


def normalised(candidate: str) -> str | None:
    """``candidate`` as a lowercase address when it is one, else None."""
    address = candidate.strip().strip("<>.,;:'\"()[]").translate(_INVISIBLE).lower()
    if not _EMAIL_EXACT.fullmatch(address):
        return None
    local = address.partition("@")[0]
    if local.endswith(".") or ".." in local or len(local) > 64 or len(address) > 254:
        return None
    return address


def decode_cfemail(encoded: str) -> str | None:
    """Cloudflare's email obfuscation: the first byte is a key XORed into every other byte."""
    try:
        data = bytes.fromhex(encoded.strip())
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    try:
        return bytes(byte ^ key for byte in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def deobfuscated(text: str) -> str:
    """``text`` with the spelled-out and bracketed forms of ``@`` and ``.`` written plainly."""
    text = text.translate(_INVISIBLE)
    text = _BRACKETED_AT.sub("@", text)
    text = _BRACKETED_DOT.sub(".", text)
    text = _SPELLED_OUT.sub(
        lambda match: f"{match.group(1)}@{_SPELLED_DOT.sub('.', match.group(2))}", text
    )
    return _SPACED_AT.sub("@", text)


def _mailto_addresses(page: BeautifulSoup) -> Iterator[str]:
    for element in page.find_all(href=True):
        href = _attribute(element, "href")
        if not href.strip().lower().startswith("mailto:"):
            continue
        recipients = unquote(href.strip()[len("mailto:"):]).split("?", 1)[0]
        for recipient in recipients.split(","):
            address = normalised(deobfuscated(recipient))
            if address:
                yield address


def _cloudflare_addresses(page: BeautifulSoup) -> Iterator[str]:
    encoded: list[str] = []
    for element in page.find_all(None, {"data-cfemail": True}):
        encoded.append(_attribute(element, "data-cfemail"))
    for element in page.find_all(href=True):
        path, _, fragment = _attribute(element, "href").partition("#")
        if path.endswith(_CF_PROTECTION_PATH) and fragment:
            encoded.append(fragment)
    for value in encoded:
        decoded = decode_cfemail(value)
        address = normalised(decoded) if decoded else None
        if address:
            yield address


def _json_ld_addresses(page: BeautifulSoup) -> Iterator[str]:
    for script in page.find_all("script", attrs={"type": "application/ld+json"}):
        for match in _JSON_LD_EMAIL.finditer(script.get_text()):
            address = normalised(unquote(match.group(1)))
            if address:
                yield address


def _text_addresses(page: BeautifulSoup) -> Iterator[str]:
    pieces = list(_text_pieces(page))
    text = "".join(pieces)
    # Offsets where one text node meets the next inside a line (inline elements).
    seams: list[int] = []
    offset = 0
    for piece in pieces[:-1]:
        offset += len(piece)
        seams.append(offset)
    for match in EMAIL.finditer(text):
        address = _trimmed_at_seams(text, match, seams)
        if address:
            yield address


def _text_pieces(page: BeautifulSoup) -> Iterator[str]:
    """The page's visible text node by node, with a line break at every block edge."""
    stack: list[object] = [page]
    while stack:
        item = stack.pop()
        if item is _BREAK:
            yield "\n"
        elif type(item) is NavigableString:  # not comments, scripts, doctype, CDATA
            text = str(item)
            # "<span>sales</span> @ <span>acme.com</span>": the spaces are layout, not text.
            yield "@" if text.strip() == "@" else deobfuscated(text)
        elif isinstance(item, Tag) and item.name not in _SKIPPED_TAGS:
            block = item.name in _BLOCK_TAGS
            if block:
                stack.append(_BREAK)
            stack.extend(reversed(item.contents))
            if block:
                stack.append(_BREAK)


def _trimmed_at_seams(text: str, match: re.Match[str], seams: Iterable[int]) -> str | None:
    """The address in ``match`` without neighbouring words glued on by inline markup.

    ``<b>Email</b><a>jane@acme.com</a>`` reads "Emailjane@acme.com" once tags are gone. A
    seam inside an address is genuine only next to its ``@`` or a dot/hyphen; any other
    seam marks where the address really starts or ends.
    """
    start, end = match.span()
    at = match.start(2) - 1
    for seam in seams:
        if not start < seam < end or seam in (at, at + 1):
            continue
        if text[seam - 1] in "._-+" or text[seam] in "._-+":
            continue
        if seam < at:
            start = seam
        else:
            end = seam
            break
    # "info@acme.comPhone" in one text node: a capital after the top-level domain's lower
    # case letters starts the next word.
    glued = _GLUED_WORD.search(text, text.rfind(".", start, end) + 1, end)
    if glued:
        end = glued.start() + 1
    return normalised(text[start:end])


def _attribute(element: object, name: str) -> str:
    value = element.get(name) if isinstance(element, Tag) else None
    if isinstance(value, str):
        return value
    return " ".join(value) if value else ""
