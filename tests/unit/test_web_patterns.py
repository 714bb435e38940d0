"""Finding email addresses in web pages, in every form sites write them."""

from __future__ import annotations

import pytest

from orchestration.integrations.web.patterns import (
    addresses_in_markup,
    decode_cfemail,
    deobfuscated,
)


def cloudflare_encoded(address: str, key: int = 0x5A) -> str:
    return f"{key:02x}" + "".join(f"{ord(char) ^ key:02x}" for char in address)


@pytest.mark.parametrize(("markup", "expected"), [
    pytest.param('<a href="mailto:Dave.Miller@acme.com?subject=Quote">Dave</a>',
                 ["dave.miller@acme.com"], id="mailto with subject"),
    pytest.param('<a href="mailto:ann%40acme.com">Ann</a>', ["ann@acme.com"],
                 id="percent-encoded mailto"),
    pytest.param('<a href="mailto:a@acme.com,b@acme.com">both</a>',
                 ["a@acme.com", "b@acme.com"], id="mailto with two recipients"),
    pytest.param("<p>Write to karen.lee@acme.com.</p>", ["karen.lee@acme.com"], id="plain"),
    pytest.param("<p>tom.baker [at] acme [dot] com</p>", ["tom.baker@acme.com"],
                 id="[at] and [dot]"),
    pytest.param("<p>sales (at) acme (dot) co (dot) uk</p>", ["sales@acme.co.uk"],
                 id="(at) and (dot)"),
    pytest.param("<p>jo{at}acme{dot}com</p>", ["jo@acme.com"], id="{at} without spaces"),
    pytest.param("<p>ron AT acme DOT com</p>", ["ron@acme.com"], id="spelled out"),
    pytest.param("<p>linda&#64;acme&#46;com</p>", ["linda@acme.com"], id="decimal entities"),
    pytest.param("<p>linda&#x40;acme.com</p>", ["linda@acme.com"], id="hex entity"),
    pytest.param('<a href="&#109;&#97;&#105;&#108;&#116;&#111;&#58;ops&#64;acme.com">x</a>',
                 ["ops@acme.com"], id="entity-encoded mailto"),
    pytest.param("<p><span>sales</span>@<span>acme</span>.<span>com</span></p>",
                 ["sales@acme.com"], id="split across spans"),
    pytest.param("<p><span>sales</span> @ <span>acme.com</span></p>", ["sales@acme.com"],
                 id="split with spaced @"),
    pytest.param("<p>j&#8203;ohn@acme.com</p>", ["john@acme.com"], id="zero-width space"),
    pytest.param(
        '<script type="application/ld+json">{"@type": "LocalBusiness", '
        '"email": "mailto:shop@acme.com"}</script>', ["shop@acme.com"], id="JSON-LD"),
])
def test_each_way_of_writing_an_address_is_read(markup: str, expected: list[str]) -> None:
    assert addresses_in_markup(markup) == expected


def test_cloudflare_protected_addresses_are_decoded() -> None:
    # Given Cloudflare's two forms: a span with data-cfemail and a protection link
    markup = (
        f'<a class="__cf_email__" href="/cdn-cgi/l/email-protection" '
        f'data-cfemail="{cloudflare_encoded("owner@acme.com")}">[email&#160;protected]</a>'
        f'<a href="/cdn-cgi/l/email-protection#{cloudflare_encoded("rosa@acme.com", 0x3C)}">'
        f"Email Rosa</a>"
    )

    # Then both addresses come out, and the "[email protected]" stand-in does not
    assert addresses_in_markup(markup) == ["owner@acme.com", "rosa@acme.com"]


@pytest.mark.parametrize("encoded", ["", "zz", "5a", "5a00ff"])
def test_broken_cloudflare_values_decode_to_nothing_usable(encoded: str) -> None:
    decoded = decode_cfemail(encoded)
    assert decoded is None or "@" not in decoded


@pytest.mark.parametrize(("markup", "expected"), [
    pytest.param("<p><b>Email</b><a>jane@acme.com</a></p>", ["jane@acme.com"],
                 id="label glued before"),
    pytest.param("<p><a>jane@acme.com</a><span>Phone</span></p>", ["jane@acme.com"],
                 id="word glued after"),
    pytest.param("<p>info@acme.comPhone: 555</p>", ["info@acme.com"], id="capital after tld"),
    pytest.param("<p>Email:</p><p>jane@acme.com</p>", ["jane@acme.com"], id="block edges"),
    pytest.param("<p>Call us<br>jane@acme.com</p>", ["jane@acme.com"], id="line break"),
])
def test_words_next_to_an_address_are_not_glued_onto_it(markup: str, expected: list[str]) -> None:
    assert addresses_in_markup(markup) == expected


@pytest.mark.parametrize("markup", [
    "<p>Follow @acmeplumbing on Instagram</p>",
    "<p>Visit us at our showroom, 9am to 5pm.</p>",
    "<p>[email&#160;protected]</p>",
    "<script>var support = 'js@acme.com';</script>",
    "<style>.x{background:url(logo@2x.png)}</style>",
    "<!-- old: former@acme.com -->",
    '<input type="email" placeholder="you@example.com">',
])
def test_text_that_is_not_an_address_on_the_page_yields_nothing(markup: str) -> None:
    assert addresses_in_markup(markup) == []


def test_addresses_come_back_once_lowercased_links_first() -> None:
    markup = ('<p>Office: OFFICE@acme.com</p><a href="mailto:Dave@Acme.com">Dave</a>'
              "<p>office@acme.com again</p>")

    assert addresses_in_markup(markup) == ["dave@acme.com", "office@acme.com"]


def test_bytes_are_decoded_by_the_page_declared_charset() -> None:
    markup = '<meta charset="latin-1"><p>Jos\xe9 P\xe9rez: jperez@acme.com</p>'.encode("latin-1")

    assert addresses_in_markup(markup) == ["jperez@acme.com"]


def test_deobfuscation_leaves_ordinary_text_alone() -> None:
    text = "We are at 12 Main St. (at the corner) and open 9 to 5."

    assert deobfuscated(text) == text
