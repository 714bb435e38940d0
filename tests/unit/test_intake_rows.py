"""From rows to lead drafts: column mapping, the acceptance rules, and their reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.intake import LEAD_DRAFT_KEYS, IntakeError, parse_leads, parse_records
from examples.generate_dealers import generate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def only_lead(text: str) -> dict[str, Any]:
    result = parse_leads(text)
    assert result.rejections == [], result.rejections
    assert len(result.leads) == 1
    return result.leads[0]


def reasons(text: str) -> list[tuple[int, str]]:
    return [(r.row, r.reason) for r in parse_leads(text).rejections]


# --- the example files ----------------------------------------------------------------


def test_dealer_export_parses_with_its_bad_rows_reported() -> None:
    # Given the 1,000-row dealer-scraper example, some of whose rows are bad on purpose
    exported = generate()
    result = parse_leads((EXAMPLES / "dealers.csv").read_bytes(), source="dealers.csv")

    # Then it is recognised as the dealer format, exactly the bad rows are rejected, each
    # with its row number and a reason, and every other row is a lead
    assert result.format == "dealer"
    assert result.source == "dealers.csv"
    assert result.total_rows == 1000
    assert {r.row for r in result.rejections} == exported.bad_rows
    assert len(result.leads) == 1000 - len(exported.bad_rows)
    assert all(r.reason.startswith(f"row {r.row}: ") for r in result.rejections)
    assert {r.reason.split(": ", 1)[1].split(" '")[0] for r in result.rejections} <= {
        "no website, phone or email", "missing company name", "invalid email"}
    # and every draft has exactly the contract's keys, in the contract's shapes
    assert all(tuple(lead) == LEAD_DRAFT_KEYS for lead in result.leads)
    assert all(lead["profile"]["source_format"] == "dealer" for lead in result.leads)
    assert all(lead["phone"] is None or lead["phone"].startswith("+1") for lead in result.leads)
    assert all(lead["zip"] is None or len(lead["zip"]) == 5 for lead in result.leads)
    # The scraper's own 28 columns are kept as raw attributes, empty ones dropped
    assert len(result.raw_columns) == 28
    assert all(value for lead in result.leads for value in lead["raw"].values())


DEALER_HEADER = (
    "name,phone,domain,website,email,street,city,state,zip,address_full,rating,review_count,"
    "tier,oem_source,OEMs_Certified,OEM_Count,certifications,has_hvac,has_solar,"
    "has_inverters,has_generator,has_battery,has_electrical,has_plumbing,has_roofing,"
    "is_commercial,is_residential,is_gc,ICP_Score,ICP_Tier,Resimercial_Score,MultiOEM_Score,"
    "MEPR_Score,OM_Score,Resimercial_Evidence,MultiOEM_Evidence,MEPR_Evidence,OM_Evidence,"
    "employee_count,estimated_revenue,linkedin_url,place_id"
)


def test_dealer_row_fills_the_profile() -> None:
    # Given one dealer row as the scraper writes it
    row = (
        '"Henderson Electric, Inc.",(512) 555-0152,hendersonelectric.us,'
        'http://www.hendersonelectric.us,,"2858 Park Ave, Suite B",Houston,TX,77021,'
        '"2858 Park Ave, Suite B, Houston, TX 77021, USA",4.7,"1,204",Elite Plus,Generac,'
        '"Generac, Kohler, Tesla Powerwall",3,"NABCEP PV Installation Professional, OSHA 30",'
        "False,True,,True,True,True,False,False,True,True,False,78.5,GOLD,80,70,59,50,"
        'commercial work,"Certified by 3 OEMs: Generac, Kohler, Tesla Powerwall",,'
        "Maintenance plans advertised,,,,ChIJS_6vI8pxXUBc"
    )

    lead = only_lead(f"{DEALER_HEADER}\n{row}\n")

    assert lead["company_name"] == "Henderson Electric, Inc."
    assert lead["name_key"] == "henderson electric"
    assert lead["website"] == "https://hendersonelectric.us/"
    assert lead["domain"] == "hendersonelectric.us"
    assert lead["phone"] == "+15125550152"
    assert (lead["street"], lead["city"], lead["state"], lead["zip"]) == (
        "2858 Park Ave, Suite B", "Houston", "TX", "77021",
    )
    assert lead["employee_count"] is None
    assert lead["profile"] == {
        "source_format": "dealer",
        "oem_source": "Generac",
        "oems": ["Generac", "Kohler", "Tesla Powerwall"],
        "oem_count": 3,
        "dealer_tier": "Elite Plus",
        "certifications": ["NABCEP PV Installation Professional", "OSHA 30"],
        "capabilities": {
            "hvac": False, "solar": True, "inverters": None, "generator": True,
            "battery": True, "electrical": True, "plumbing": False, "roofing": False,
            "commercial": True, "residential": True, "gc": False,
        },
        "rating": 4.7,
        "review_count": 1204,
        "icp_score": 78.5,
        "icp_tier": "GOLD",
        "component_scores": {"resimercial": 80.0, "multi_oem": 70.0, "mepr": 59.0, "om": 50.0},
        "evidence": {
            "resimercial": "commercial work",
            "multi_oem": "Certified by 3 OEMs: Generac, Kohler, Tesla Powerwall",
            "om": "Maintenance plans advertised",
        },
        "estimated_revenue": None,
        "linkedin_url": None,
        "address_full": "2858 Park Ave, Suite B, Houston, TX 77021, USA",
    }
    assert lead["raw"] == {"place_id": "ChIJS_6vI8pxXUBc"}


def test_oem_count_falls_back_to_the_number_of_oems() -> None:
    lead = only_lead('name,phone,OEMs_Certified,OEM_Count\nAcme,512-555-0100,"Generac, Kohler",\n')

    assert (lead["profile"]["oems"], lead["profile"]["oem_count"]) == (["Generac", "Kohler"], 2)


def test_generic_example_parses_with_one_rejected_row() -> None:
    result = parse_leads((EXAMPLES / "generic.csv").read_bytes())

    assert result.format == "generic"
    assert [(r.row, r.reason) for r in result.rejections] == [(7, "row 7: missing company name")]
    cafe = result.leads[0]
    assert cafe["company_name"] == "Café Solar"
    assert cafe["email"] == "marie@cafesolar.com"
    assert (cafe["contact_name"], cafe["contact_title"]) == ("Marie Dubois", "Owner")
    assert (cafe["industry"], cafe["company_size"]) == ("Solar installation", "11-50")
    assert cafe["profile"] == {"source_format": "generic"}
    # A malformed email with a phone to call: the lead goes on, the email does not
    harbor = next(lead for lead in result.leads if lead["company_name"] == "Harbor Standby Power")
    assert harbor["email"] is None
    assert harbor["raw"] == {"contact_email": "luis@harborstandby"}


# --- mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Company Name,URL,E-mail,Phone Number,Job Title,Employees,Zip Code,Street Address",
        "company,web,contact_email,tel,title,headcount,postal code,address1",
        "BUSINESS_NAME,Site,EMAIL ADDRESS,Telephone,JOB TITLE,EMPLOYEE_COUNT,ZIP,address",
    ],
)
def test_aliases_map_whatever_the_case_spaces_or_underscores(header: str) -> None:
    lead = only_lead(
        f"{header}\nAcme Solar,acmesolar.com,Ann@AcmeSolar.com,(512) 555-0100,CEO,25,2134,"
        "1 Main St\n"
    )

    assert lead["company_name"] == "Acme Solar"
    assert lead["domain"] == "acmesolar.com"
    assert lead["email"] == "ann@acmesolar.com"
    assert lead["phone"] == "+15125550100"
    assert lead["contact_title"] == "CEO"
    assert lead["employee_count"] == 25
    assert lead["zip"] == "02134"
    assert lead["street"] == "1 Main St"


def test_name_next_to_company_is_the_contact_person() -> None:
    lead = only_lead("Name,Company,Email\nJane Roe,Acme Solar,jane@acmesolar.com\n")

    assert (lead["company_name"], lead["contact_name"]) == ("Acme Solar", "Jane Roe")


def test_first_and_last_name_columns_make_the_contact_name() -> None:
    lead = only_lead("company,first name,last name,phone\nAcme,Jane,Roe,512-555-0100\n")

    assert lead["contact_name"] == "Jane Roe"


def test_unknown_columns_are_kept_in_raw_and_never_fail() -> None:
    lead = only_lead(
        "company_name,website,Favourite Colour,notes,notes,\n"
        "Acme Solar,acmesolar.com,teal,first,second,\n"
    )

    assert lead["raw"] == {"Favourite Colour": "teal", "notes": "first", "notes_2": "second"}


def test_size_range_under_an_employees_header_is_the_company_size() -> None:
    lead = only_lead("company,website,employees\nAcme,acme.com,11-50\n")

    assert (lead["company_size"], lead["employee_count"]) == ("11-50", None)


def test_values_that_do_not_normalise_keep_their_text_in_raw() -> None:
    lead = only_lead("company,website,phone,zip\nAcme,acme.com,call office,TBD\n")

    assert (lead["phone"], lead["zip"]) == (None, None)
    assert lead["raw"] == {"phone": "call office", "zip": "TBD"}


def test_a_facebook_page_is_a_website_but_never_a_domain() -> None:
    lead = only_lead("company,website\nAcme,https://www.facebook.com/AcmeSolar\n")

    assert lead["website"] == "https://facebook.com/AcmeSolar"
    assert lead["domain"] is None


def test_the_domain_column_fills_in_when_the_website_is_missing() -> None:
    lead = only_lead("name,domain,website\nAcme,WWW.Acme.com,\n")

    assert (lead["website"], lead["domain"]) == ("https://acme.com/", "acme.com")


def test_city_state_and_zip_come_from_the_full_address_when_missing() -> None:
    lead = only_lead(
        "name,phone,street,city,state,zip,address_full\n"
        'Acme,512-555-0100,,,,,"12 Main St, Austin, TX 78701, USA"\n'
    )

    assert (lead["street"], lead["city"], lead["state"], lead["zip"]) == (
        "12 Main St", "Austin", "TX", "78701",
    )


def test_null_tokens_mean_empty() -> None:
    lead = only_lead("company,website,industry,city\nAcme,acme.com,N/A,null\n")

    assert (lead["industry"], lead["city"]) == (None, None)


# --- rules and reasons ----------------------------------------------------------------


def test_each_bad_row_gets_its_row_number_and_a_readable_reason() -> None:
    text = (
        "company_name,website,contact_email,phone\n"
        "Good Solar,goodsolar.com,,\n"  # row 1: fine
        ",nameless.com,,\n"  # row 2
        "Unreachable Power,,,\n"  # row 3
        "Bob's Generators,,bob@,\n"  # row 4: the only contact is broken
        "Bad Phone Co,,,12345\n"  # row 5
        "!!!,x.com,,\n"  # row 6
    )

    assert reasons(text) == [
        (2, "row 2: missing company name"),
        (3, "row 3: no website, phone or email"),
        (4, "row 4: invalid email 'bob@'"),
        (5, "row 5: no website, phone or email (phone '12345' is not a valid number)"),
        (6, "row 6: company name '!!!' has no letters or digits"),
    ]


def test_a_broken_email_is_dropped_when_another_route_exists() -> None:
    result = parse_leads("company,email,phone\nAcme,bob@,512-555-0100\n")

    assert result.rejections == []
    assert result.leads[0]["email"] is None
    assert result.leads[0]["phone"] == "+15125550100"


def test_a_row_longer_than_the_header_is_rejected_as_shifted() -> None:
    text = "company,website,city\nSmith Electric, Inc.,smith.com,Austin\nAcme,acme.com,Austin,\n"

    result = parse_leads(text)

    # An unquoted comma shifted row 1; row 2 only has a trailing delimiter
    assert [(r.row, r.reason) for r in result.rejections] == [
        (1, "row 1: 4 fields but the header has 3 (a delimiter inside a value that is not "
            "quoted?)"),
    ]
    assert [lead["csv_index"] for lead in result.leads] == [2]


def test_a_row_shorter_than_the_header_reads_the_missing_cells_as_empty() -> None:
    lead = only_lead("company,website,city,state\nAcme,acme.com\n")

    assert (lead["city"], lead["state"]) == (None, None)


def test_text_longer_than_its_column_is_cut_to_fit() -> None:
    lead = only_lead(f"company,website,industry\n{'A' * 600},acme.com,{'x' * 300}\n")

    assert (len(lead["company_name"]), len(lead["industry"])) == (512, 255)


# --- JSON -------------------------------------------------------------------------------


def test_json_records_follow_the_same_mapping_and_rules() -> None:
    records: list[Any] = [
        {"company_name": "Acme Solar", "website": "http://www.acmesolar.com", "zip": 2134},
        {
            "Company": "Beta Power",
            "Phone Number": 5125550100,
            "OEMs_Certified": ["Generac", "Kohler"],
            "has_generator": True,
            "tags": {"source": "fair"},
        },
        {},
        {"website": "nameless.com"},
        ["not", "an", "object"],
        {"name": "Gamma", "email": "bob@"},
    ]

    result = parse_records(records)

    acme, beta = result.leads
    assert (acme["csv_index"], acme["domain"], acme["zip"]) == (1, "acmesolar.com", "02134")
    assert (beta["csv_index"], beta["phone"]) == (2, "+15125550100")
    assert beta["profile"]["oems"] == ["Generac", "Kohler"]
    assert beta["profile"]["capabilities"]["generator"] is True
    assert beta["raw"] == {"tags": '{"source": "fair"}'}
    assert result.format == "dealer"
    assert result.total_rows == 5  # the empty object is not a row
    assert [(r.row, r.reason) for r in result.rejections] == [
        (4, "row 4: missing company name (no company_name or name field)"),
        (5, "row 5: expected an object with named fields"),
        (6, "row 6: invalid email 'bob@'"),
    ]


def test_json_that_is_not_a_list_is_refused() -> None:
    with pytest.raises(IntakeError, match="list"):
        parse_records({"company_name": "Acme"})  # type: ignore[arg-type]
