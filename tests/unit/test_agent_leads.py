"""Lead records the agent tests share, and how agents read a lead's facts.

The builders follow the team's LeadRecord contract (intake's LeadDraft keys plus id,
batch_id, duplicate_of, duplicate_reason, stage_outputs).
"""

from __future__ import annotations

import pytest

from orchestration.engines.rules.facts import employees_in, facts_from_lead
from tests.support.leads import (
    dealer_lead,
    generic_lead,
    sample_csv_leads,
    strong_dealer,
)

# --- how agents read a lead -----------------------------------------------------------------


def test_dealer_facts_list_services_in_reading_order_and_count_oems() -> None:
    # Given a dealer row with capability flags in no particular order
    lead = strong_dealer()

    # When its facts are read
    facts = facts_from_lead(lead)

    # Then services read "solar, battery, generator" and the OEMs are all counted
    assert facts["kind"] == "dealer"
    assert facts["services"] == ["solar", "battery", "generator"]
    assert facts["oem_count"] == 3
    assert facts["commercial"] is True
    assert facts["residential"] is True
    assert facts["location"] == "Austin, TX"


def test_generic_facts_take_size_from_band_and_services_from_industry() -> None:
    # Given a generic row with a size band and an industry but no capability flags
    facts = facts_from_lead(generic_lead(industry="Solar & Battery Storage"))

    # Then the band's upper end is the size and the industry reveals the service lines
    assert facts["kind"] == "generic"
    assert facts["employee_count"] == 50
    assert facts["services"] == ["solar", "battery"]
    assert facts["services_inferred"] is True


@pytest.mark.parametrize(("band", "employees"), [
    ("11-50", 50), ("1,001-5,000", 5000), ("1000+", 1000), ("25", 25), ("unknown", None),
])
def test_size_bands_are_read_by_their_upper_end(band: str, employees: int | None) -> None:
    assert employees_in(band) == employees


def test_shouted_company_names_are_tidied_for_reading() -> None:
    # Given an all-caps export name
    facts = facts_from_lead(dealer_lead(company_name="A & A GENPRO INC."))

    # Then people see it as a person would write it, initials kept, without the legal form
    assert facts["company"] == "A & A Genpro"


def test_a_lead_with_almost_nothing_still_reads() -> None:
    # Given a bare record (direct invocation with only a name)
    facts = facts_from_lead({"company_name": "Acme"})

    # Then facts are empty rather than an error
    assert facts["kind"] == "generic"
    assert facts["services"] == []
    assert facts["oems"] == []
    assert facts["location"] is None


def test_sample_csv_rows_read_as_dealer_facts() -> None:
    # Given the example dealer export parsed by intake
    leads = sample_csv_leads()

    # Then every row reads as a dealer with at least one OEM
    facts = [facts_from_lead(lead) for lead in leads]
    assert facts
    assert all(f["kind"] == "dealer" for f in facts)
    assert all(f["oem_count"] >= 1 for f in facts)
