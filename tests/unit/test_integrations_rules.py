"""The decisions behind enrichment, without services: reset headers, LinkedIn pages, what a
home page says, which source wins a field, which email to use, how far to trust a record."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from orchestration.engines.rules import enrichment as rules
from orchestration.integrations.http import reset_wait_s
from orchestration.integrations.pricing import price
from orchestration.integrations.providers import linkedin
from orchestration.integrations.providers.close import lead_body
from orchestration.integrations.sitefacts import read_page


def headers(**values: str) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict({k.replace("_", "-"): v for k, v in values.items()}))


# --- reset headers ----------------------------------------------------------------------------


def test_retry_after_in_seconds_is_taken_as_is() -> None:
    assert reset_wait_s(headers(Retry_After="2.5"), {}) == 2.5


def test_retry_after_as_an_http_date_becomes_seconds_from_now() -> None:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= (reset_wait_s(headers(Retry_After=when), {}) or 0) <= 31


def test_x_ratelimit_reset_as_epoch_seconds_or_as_a_delay() -> None:
    epoch = str(int(time.time()) + 10)
    assert 8 <= (reset_wait_s(headers(X_RateLimit_Reset=epoch), {}) or 0) <= 11
    assert reset_wait_s(headers(X_RateLimit_Reset="3"), {}) == 3.0


def test_closes_ratelimit_header_and_body_are_understood() -> None:
    assert reset_wait_s(headers(RateLimit="limit=40, remaining=0, reset=1.5"), {}) == 1.5
    assert reset_wait_s(headers(), {"error": {"rate_reset": 0.75}}) == 0.75


def test_no_signal_means_no_reset_time() -> None:
    assert reset_wait_s(headers(), {"error": "slow down"}) is None


# --- prices -------------------------------------------------------------------------------


def test_a_call_costs_its_list_price_only_when_billed() -> None:
    assert price("hunter", "domain_search", billable=True) > 0
    assert price("hunter", "domain_search", billable=False) == Decimal(0)
    assert price("close", "create_lead", billable=True) == Decimal(0)


# --- LinkedIn -------------------------------------------------------------------------------


def test_linkedin_company_urls_are_canonicalised() -> None:
    assert linkedin.company_page_url("linkedin.com/company/sunrise-power?trk=x") == (
        "https://www.linkedin.com/company/sunrise-power/"
    )
    assert linkedin.company_page_url("https://www.linkedin.com/in/maria-lopez") is None
    assert linkedin.company_page_url("https://facebook.com/sunrise") is None


def test_the_companys_own_site_outranks_providers_for_its_linkedin_page() -> None:
    page = linkedin.resolve(
        [
            ("apollo", "http://www.linkedin.com/company/sunrise-power-llc"),
            ("website", "https://www.linkedin.com/company/sunrisepower/"),
        ],
        "Sunrise Power LLC",
    )
    assert page.url == "https://www.linkedin.com/company/sunrisepower/"
    assert page.source == "website"
    assert page.guess is None


def test_without_a_named_page_only_an_unverified_guess_is_offered() -> None:
    page = linkedin.resolve([("csv", "n/a")], "A & B Electric, Inc.")
    assert page.url is None
    assert page.guess == "https://www.linkedin.com/company/a-and-b-electric/"
    assert page.call["status"] == "not_found"


# --- the home page --------------------------------------------------------------------------

HOME = """<html><head><title>Sunrise Power | Generators Austin</title>
<meta name="description" content="Generac and Kohler standby generators in Austin.">
<meta name="generator" content="WordPress 6.4">
<script src="https://www.googletagmanager.com/gtm.js?id=GTM-1"></script>
<script>var x = "solar";</script></head>
<body><nav><a href="https://www.facebook.com/SunrisePowerTX">Facebook</a>
<a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a>
<a href="https://www.linkedin.com/company/sunrise-power/">LinkedIn</a>
<a href="tel:+1 (512) 555-0100">Call</a></nav>
<p>Licensed &amp; insured electricians. Residential and commercial standby generators,
battery backup and EV charger installs. Financing available. 24/7 emergency service.</p>
<img src="/wp-content/uploads/logo.png"></body></html>"""


def test_home_page_gives_social_links_phones_technologies_and_services() -> None:
    facts = read_page(HOME, "https://sunrisepower.com/")

    assert facts["social"] == {
        "facebook": "https://www.facebook.com/SunrisePowerTX",  # not the share button
        "linkedin": "https://www.linkedin.com/company/sunrise-power/",
    }
    assert facts["phones"] == ["+15125550100"]
    assert {"WordPress", "Google Tag Manager"} <= set(facts["technologies"])
    assert {
        "standby generators",
        "battery storage",
        "EV chargers",
        "commercial",
        "residential",
        "financing",
        "24/7 emergency service",
        "licensed and insured",
        "electrical contracting",
    } <= set(facts["service_keywords"])
    assert "solar installation" not in facts["service_keywords"]  # only in a script
    assert facts["title"] == "Sunrise Power | Generators Austin"


# --- merge and confidence ----------------------------------------------------------------


def test_each_field_comes_from_its_best_source() -> None:
    merged = rules.merge_fields(
        {
            "csv": {"phone": "+15125550100", "employee_count": 10, "company_name": "SUNRISE POWER"},
            "apollo": {
                "phone": "+15125559999",
                "employee_count": 27,
                "founded_year": 2004,
                "company_name": "Sunrise Power",
            },
            "website": {"linkedin_url": "https://www.linkedin.com/company/sunrise-power/"},
            "hunter": {"linkedin_url": "https://www.linkedin.com/company/other/"},
        }
    )

    assert merged["phone"] == {"value": "+15125550100", "source": "csv"}  # a person typed it
    assert merged["employee_count"] == {"value": 27, "source": "apollo"}  # measured
    assert merged["founded_year"]["source"] == "apollo"
    assert merged["linkedin_url"]["source"] == "website"
    assert merged["company_name"]["source"] == "csv"


def test_empty_values_never_win() -> None:
    merged = rules.merge_fields({"csv": {"industry": " "}, "apollo": {"industry": "Electrical"}})
    assert merged["industry"] == {"value": "Electrical", "source": "apollo"}


def test_a_named_verified_address_outranks_a_role_inbox() -> None:
    person = rules.email_rank("personal", "valid", 94, True)
    role = rules.email_rank("role", None, None, True)
    unverifiable = rules.email_rank("personal", "invalid", 94, True)
    assert person > role > unverifiable
    assert rules.email_rank("invalid", "valid", 99, True) == 0.0


def test_confidence_falls_when_providers_did_not_answer() -> None:
    everyone = rules.overall_confidence(0.9, 0.9, 1.0)
    half = rules.overall_confidence(0.9, 0.9, 0.5)
    nobody_asked = rules.overall_confidence(0.9, 0.9, None)
    assert everyone == nobody_asked > half


def test_answered_share_ignores_skipped_lookups() -> None:
    assert rules.answered_share(["skipped: no key", "ok", "unavailable", "cached"]) == (
        pytest.approx(2 / 3, abs=0.001)
    )
    assert rules.answered_share(["skipped: no key"]) is None


# --- the CRM record ---------------------------------------------------------------------------


def test_close_lead_keeps_a_phone_only_contact_and_the_address() -> None:
    lead = {
        "company_name": "Lone Oak Generators",
        "website": None,
        "email": None,
        "phone": "+19035550123",
        "contact_name": None,
        "street": "12 Oak Rd",
        "city": "Tyler",
        "state": "TX",
        "zip": "75701",
        "industry": None,
    }

    body = lead_body(lead, {"fields": {}})

    assert body["name"] == "Lone Oak Generators"
    assert "url" not in body
    assert body["contacts"] == [{"phones": [{"type": "office", "phone": "+19035550123"}]}]
    assert body["addresses"] == [
        {
            "label": "business",
            "address_1": "12 Oak Rd",
            "city": "Tyler",
            "state": "TX",
            "zipcode": "75701",
            "country": "US",
        }
    ]


def test_close_lead_prefers_enriched_values() -> None:
    lead = {
        "company_name": "Sunrise Power",
        "website": "https://sunrisepower.com/",
        "email": None,
        "phone": None,
    }
    fields = {
        "email": {"value": "maria@sunrisepower.com", "source": "hunter"},
        "contact_name": {"value": "Maria Lopez", "source": "hunter"},
    }

    body = lead_body(lead, {"fields": fields})

    assert body["contacts"] == [
        {"name": "Maria Lopez", "emails": [{"type": "office", "email": "maria@sunrisepower.com"}]}
    ]
