"""Repeats of stored leads, flagged in Postgres by the dispatcher's first step.

Each test writes its own batches (intake, in-batch marking, COPY) and runs the stored-lead
pass as the dispatcher does; names, sites and phones carry a per-test tag, so leads other
tests store never match.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from api.intake import parse_leads
from api.intake.dedupe import InBatchDuplicates
from api.intake.normalize import page_key
from db.models import Lead
from db.repositories.batches import BatchOptions, NewBatch, store_batch
from db.repositories.duplicates import flag_stored_duplicates
from db.session import read_only, unit_of_work

HEADER = "name,website,phone,email,city,state"


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def phones() -> Any:
    """Fresh numbers in an area code of this test's own (Postgres outlives one test)."""
    rng = random.Random()
    area = rng.randint(200, 999)
    while area % 100 == 11:
        area = rng.randint(200, 999)
    numbers = iter(rng.sample(range(2000000, 9999999), 50))

    def phone(same_area: str | None = None) -> str:
        return f"({same_area or area}) {next(numbers)}"

    phone.area = str(area)  # type: ignore[attr-defined]
    return phone


def load(servers: Any, *rows: str) -> dict[int, Lead]:
    """Store one CSV batch as the upload does, flag it against stored leads as the
    dispatcher does; return its leads by row."""
    parsed = parse_leads("\n".join([HEADER, *rows]) + "\n")
    assert not parsed.rejections, parsed.rejections
    marker = InBatchDuplicates()
    ids: dict[int, uuid.UUID] = {}
    for lead in parsed.leads:
        marker.mark(lead)
        lead["id"] = ids[lead["csv_index"]] = uuid.uuid4()
        if lead["duplicate_of_row"] is not None:
            lead["duplicate_of"] = ids[lead["duplicate_of_row"]]
    new = NewBatch(
        name="stored duplicates", source="test.csv", engine="rules", options=BatchOptions(),
        total_rows=parsed.total_rows, leads=parsed.leads,
    )
    with unit_of_work() as session:
        batch_id = store_batch(session, new, dispatch_task_id=str(uuid.uuid4())).batch_id
    with unit_of_work() as session:
        flag_stored_duplicates(session, batch_id)
    with read_only() as session:
        leads = session.scalars(select(Lead).where(Lead.batch_id == batch_id)).all()
    return {lead.csv_index or 0: lead for lead in leads}


def test_a_dealer_listed_again_on_its_booking_page_is_flagged_by_that_page_only(
    servers: Any, tag: str, phones: Any
) -> None:
    # Given three dealers stored with pages on a booking platform of the kept list
    page = f"https://book.housecallpro.com/book/Smith{tag}/ab12"
    stored = load(
        servers,
        f"Smith {tag} Electric LLC,{page},{phones()},,Austin,TX",
        f"Jones {tag} Plumbing,https://book.housecallpro.com/book/Jones{tag}/cd34,{phones()},,"
        "Austin,TX",
        f"Lee {tag} Air,https://book.housecallpro.com/book/Lee{tag}/ef56,{phones()},,Dallas,TX",
    )

    # When a later upload lists Smith again (its page spelt differently, no phone) and
    # another dealer of the same platform
    later = load(
        servers,
        f"SMITH {tag} ELECTRIC,{page.replace('https://', 'http://')}/?utm_source=gmb,,,Austin,TX",
        f"Brown {tag} Solar,https://book.housecallpro.com/book/Brown{tag}/gh78,{phones()},,"
        "Austin,TX",
    )

    # Then only Smith is a duplicate, by its page, pointing at the stored Smith
    assert later[1].duplicate_rule == "url"
    assert later[1].duplicate_of == stored[1].id
    assert later[1].duplicate_confidence == pytest.approx(0.95)
    assert later[1].duplicate_reason == f"same web page as existing lead {stored[1].id}"
    assert later[2].duplicate_of is None
    # And the page key Postgres keeps is the one intake computes
    assert stored[1].page_key == page_key(page) == f"book.housecallpro.com/book/smith{tag}/ab12"


def test_a_host_many_stored_dealers_share_is_no_company_key(
    servers: Any, tag: str, phones: Any
) -> None:
    # Given three unrelated dealers stored with pages on a platform nobody listed
    host = f"bookings-{tag}.com"
    load(
        servers,
        f"Alpha {tag} Heating,https://{host}/alpha,{phones()},,Denver,CO",
        f"Bravo {tag} Electric,https://{host}/bravo,{phones()},,Denver,CO",
        f"Charlie {tag} Solar,https://{host}/charlie,{phones()},,Boulder,CO",
    )

    # When a namesake of one of them, in another state, is uploaded with its own page on
    # that platform
    later = load(servers, f"Alpha {tag} Heating,https://{host}/alpha-tx,{phones()},,Austin,TX")

    # Then it is no duplicate: the host is shared, and the page is another one
    assert later[1].duplicate_of is None
    assert later[1].duplicate_rule is None


def test_a_dealers_own_domain_still_finds_it_again(servers: Any, tag: str, phones: Any) -> None:
    # Given a dealer stored with its own site
    stored = load(servers, f"Gamma {tag} Power Inc.,https://www.gamma{tag}.com/,{phones()},,"
                           "Tulsa,OK")

    # When another locator lists it with another number and the bare domain
    later = load(servers, f"Gamma {tag} Power,gamma{tag}.com,{phones()},,Tulsa,OK")

    # Then it is flagged by its domain
    assert later[1].duplicate_rule == "domain"
    assert later[1].duplicate_of == stored[1].id


def test_the_same_name_without_a_state_is_a_duplicate_in_the_same_area_code(
    servers: Any, tag: str, phones: Any
) -> None:
    # Given a dealer stored with its state
    stored = load(servers, f"Delta {tag} Generators LLC,,{phones()},,Omaha,NE")

    # When it is found again without a state, on the owner's other line in the same area
    # code, next to a namesake in another area code
    later = load(
        servers,
        f"DELTA {tag} GENERATORS,,{phones()},,,",
        f"Delta {tag} Generators,,{phones(same_area='907')},,,",
    )

    # Then the first is a duplicate by name and area code, the namesake is not
    assert later[1].duplicate_rule == "name_area_code"
    assert later[1].duplicate_of == stored[1].id
    assert later[1].duplicate_confidence == pytest.approx(0.85)
    assert later[2].duplicate_of is None


def test_a_shared_role_inbox_is_no_company_key_but_a_personal_one_is(
    servers: Any, tag: str, phones: Any
) -> None:
    # Given a dealer stored with the free-mail role inbox many small firms use, and one
    # with a personal address
    stored = load(
        servers,
        f"Echo {tag} HVAC,,{phones()},info@gmail.com,Miami,FL",
        f"Foxtrot {tag} Roofing,,{phones()},joe.{tag}@gmail.com,Miami,FL",
    )

    # When unrelated dealers give the same addresses
    later = load(
        servers,
        f"Golf {tag} Plumbing,,{phones()},info@gmail.com,Tampa,FL",
        f"Foxtrot {tag} Roof Co,,{phones()},joe.{tag}@gmail.com,Tampa,FL",
    )

    # Then the role inbox ties nobody together; the personal address does
    assert later[1].duplicate_of is None
    assert later[2].duplicate_rule == "email"
    assert later[2].duplicate_of == stored[2].id


def test_look_alike_names_with_their_own_sites_are_two_companies(
    servers: Any, tag: str, phones: Any
) -> None:
    # Given "SC Heating & Air" stored with its own site
    load(servers, f"SC{tag} Heating & Air,https://sc{tag}.com/,{phones()},,Flint,MI")

    # When "S.C. Heating & Air" of the same state comes with another site and number
    later = load(
        servers, f"S.C.{tag} Heating & Air Inc.,https://sc{tag}hvac.com/,{phones()},,Lansing,MI"
    )

    # Then the same name key in the same state does not make them one company
    assert later[1].duplicate_of is None


def test_flagging_twice_changes_nothing(servers: Any, tag: str, phones: Any) -> None:
    # Given a repeat already flagged
    number = phones()
    load(servers, f"Hotel {tag} Electric,,{number},,Reno,NV")
    later = load(servers, f"Hotel {tag} Electric,,{number},,Reno,NV")
    batch_id = later[1].batch_id
    assert batch_id is not None

    # When the dispatcher's pass runs again (a redelivered dispatch)
    with unit_of_work() as session:
        count = flag_stored_duplicates(session, batch_id)

    # Then the flag and the count stay as they were
    with read_only() as session:
        again = session.get(Lead, later[1].id)
    assert count == 1
    assert again is not None
    assert (again.duplicate_of, again.duplicate_rule) == (later[1].duplicate_of, "phone")
