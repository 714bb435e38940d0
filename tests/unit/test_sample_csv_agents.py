"""The sample dealer file through all five agents (BDR as a dry run, so nothing pauses).

Every lead's scores are explained by factors, and every word the agents write for a person
(qualification's reasoning, growth's analysis, marketing's content, the BDR draft and
talking points) is about that lead: filled in, never the same text for two leads whose data
differ, and free of every defect a rep would have to fix before sending it (see
orchestration.engines.rules.text_checks). The sample is real-shaped: shouted names and
cities, legal suffixes, scraped address junk, ratings of 0 with no reviews, no email for
nearly every row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.growth.market import InMemoryMarketData
from orchestration.agents.registry import get_agent
from orchestration.engines.rules.facts import SERVICE_LABELS, facts_from_lead
from orchestration.engines.rules.outreach import (
    contact_options,
    mailing_address,
    place_of,
    rating_clause,
)
from orchestration.engines.rules.text import display_city, find_placeholders
from orchestration.engines.rules.text_checks import (
    find_contradictions,
    find_draft_defects,
    find_text_defects,
)
from tests.support.leads import sample_csv_leads

STAGES = ("qualification", "enrichment", "growth", "marketing", "bdr")
# Lead columns the stage writer copies from StageOutcome.lead_updates (see db/repositories).
UPDATABLE = ("score", "tier", "growth_score", "email")


@pytest.fixture(scope="module")
def processed() -> list[dict[str, Any]]:
    """Every row of examples/dealers.csv after the five stages, run in-process."""
    leads = sample_csv_leads()
    growth = get_agent("growth")
    # The batch is what is stored: competitors are counted among its own leads.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(growth, "_market_data", InMemoryMarketData(leads))
        for lead in leads:
            for stage in STAGES:
                outcome = get_agent(stage).run(lead, RunContext(dry_run=True))
                lead["stage_outputs"][stage] = outcome.output
                lead.update({k: v for k, v in outcome.lead_updates.items() if k in UPDATABLE})
    return leads


def texts_of(lead: dict[str, Any]) -> dict[str, str]:
    """Every piece of text a person reads for this lead, keyed by where it appears."""
    outputs = lead["stage_outputs"]
    found = {
        f"marketing.{channel}.{field}": str(value)
        for channel, content in outputs["marketing"]["content"].items()
        for field, value in content.items()
        if value
    }
    qualification = outputs["qualification"]
    for key in ("reasoning", "fit_assessment", "contact_quality"):
        found[f"qualification.{key}"] = str(qualification[key])
    found |= {
        f"qualification.recommendations[{i}]": r
        for i, r in enumerate(qualification["recommendations"])
    }
    draft = outputs["bdr"]["draft"]
    found |= {
        f"bdr.draft.{field}": str(draft[field])
        for field in ("subject", "body", "script", "voicemail")
        if draft.get(field)
    }
    found |= {
        f"bdr.talking_points[{i}]": p for i, p in enumerate(outputs["bdr"]["talking_points"])
    }
    found["growth.reasoning"] = outputs["growth"]["reasoning"]
    found["growth.summary"] = outputs["growth"]["summary"]
    found |= {
        f"growth.opportunities[{i}]": o for i, o in enumerate(outputs["growth"]["opportunities"])
    }
    for stage in ("qualification", "growth"):
        found |= {f"{stage}.factors.{f['key']}": f["reason"] for f in outputs[stage]["factors"]}
    return found


def defects_in(processed: list[dict[str, Any]], *prefixes: str) -> list[tuple[str, str, str]]:
    """(company, where, defect) for every defect in the texts whose place starts with one of
    ``prefixes``."""
    found = []
    for lead in processed:
        facts = facts_from_lead(lead)
        for where, text in texts_of(lead).items():
            if where.startswith(prefixes):
                found += [(lead["company_name"], where, d) for d in find_text_defects(text, facts)]
    return found


def data_of(lead: dict[str, Any]) -> str:
    """What the agents read about the company, as one comparable string."""
    return json.dumps(facts_from_lead(lead), sort_keys=True, default=str)


def test_every_score_is_explained_by_its_factors(processed: list[dict[str, Any]]) -> None:
    assert len(processed) > 200
    for lead in processed:
        for stage, key in (("qualification", "score"), ("growth", "growth_score")):
            output = lead["stage_outputs"][stage]
            factors = output["factors"]
            assert factors, (lead["company_name"], stage)
            assert all(f["key"] and f["name"] and f["reason"] for f in factors)
            assert all(0 <= f["points"] <= f["max_points"] for f in factors)
            total = sum(f["points"] for f in factors)
            if stage == "qualification":  # whole points rounded down, as the ICP bands read
                assert 0 <= total - output[key] < 1, (lead["company_name"], total, output[key])
            else:
                assert abs(total - output[key]) <= 0.5


def test_no_text_carries_a_placeholder(processed: list[dict[str, Any]]) -> None:
    for lead in processed:
        for where, text in texts_of(lead).items():
            assert find_placeholders(text) == [], (lead["company_name"], where, text)
        assert lead["stage_outputs"]["marketing"]["content"], lead["company_name"]


def test_no_text_has_a_defect_a_rep_would_fix(processed: list[dict[str, Any]]) -> None:
    # Given every text qualification, growth, marketing and the BDR wrote for every lead
    found = defects_in(processed, "qualification.", "growth.", "marketing.", "bdr.")

    # Then none carries a rating off the scale or from no reviews, a count of nothing, a
    # program label as a title, an address fragment, a shouted word, a legal suffix, a slot
    # or a contradiction
    assert found == [], f"{len(found)} defects, first: {found[:10]}"


def test_no_two_texts_of_one_lead_contradict_each_other(
    processed: list[dict[str, Any]],
) -> None:
    for lead in processed:
        everything = "\n\n".join(texts_of(lead).values())

        assert find_contradictions(everything) == [], lead["company_name"]


def test_the_bdr_draft_goes_where_each_lead_can_be_reached(
    processed: list[dict[str, Any]],
) -> None:
    kinds: set[str] = set()
    for lead in processed:
        facts = facts_from_lead(lead)
        draft = lead["stage_outputs"]["bdr"]["draft"]
        usable, _ = contact_options(facts, lead["stage_outputs"]["enrichment"])

        # An email when there is an address to send it to; a call script and voicemail
        # when there is only a phone; the website's contact form when there is neither
        if "email" in usable:
            assert (draft["kind"], draft["channel"]) == ("email", "email"), facts["company"]
        elif "phone" in usable or (facts["phone"] and not facts["website"]):
            assert (draft["kind"], draft["channel"]) == ("call", "phone"), facts["company"]
            assert draft["subject"] is None
            assert draft["body"] is None
            for slot in lead["stage_outputs"]["bdr"]["slots"]:
                assert slot["label"] in draft["script"]
        else:
            assert (draft["kind"], draft["channel"]) == ("email", "contact_form")
            assert draft["to"] == facts["website"]
        assert find_draft_defects(draft, facts) == [], (facts["company"], draft)
        kinds.add(draft["kind"])

    # And the sample, like a real export, is mostly called
    assert kinds == {"email", "call"}


def test_no_two_leads_with_different_data_get_the_same_text(
    processed: list[dict[str, Any]],
) -> None:
    # Given, for each place text appears, which leads' data produced each text (rows that
    # repeat an earlier dealer, which intake flags, may rightly share its text)
    distinct = {lead["csv_index"] for lead in sample_csv_leads(distinct=True)}
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for lead in processed:
        if lead["csv_index"] not in distinct:
            continue
        data = data_of(lead)
        names[data] = lead["company_name"]
        for where, text in texts_of(lead).items():
            if where.startswith(("marketing.", "growth.reasoning")):
                holders[(where, text)].add(data)

    # Then no marketing text, and no growth reasoning, is shared by leads whose data differ
    shared = {
        where: sorted(names[d] for d in datas)
        for (where, _), datas in holders.items()
        if len(datas) > 1
    }
    assert shared == {}


def test_content_names_each_leads_real_attributes(processed: list[dict[str, Any]]) -> None:
    for lead in processed:
        facts = facts_from_lead(lead)
        content = lead["stage_outputs"]["marketing"]["content"]
        everything = "\n".join(
            texts_of(lead)[k] for k in texts_of(lead) if k.startswith("marketing.")
        )
        assert all(
            facts["company"] in c["body"] or facts["company"] in (c["call_opener"] or "")
            for c in content.values()
        ), facts["company"]
        city = display_city(facts["city"])
        if city:
            assert city in everything, facts["company"]
        if place_of(facts) and content.keys() & {"phone", "linkedin", "direct_mail"}:
            assert f"in {place_of(facts)}" in everything, facts["company"]
        if facts["oem_source"] or facts["oems"]:
            assert any(oem in everything for oem in [facts["oem_source"], *facts["oems"]] if oem)
        if facts["services"]:
            assert SERVICE_LABELS[facts["services"][0]] in everything, facts["company"]
        reviews = rating_clause(facts)
        if reviews and ("email" in content or "direct_mail" in content):
            assert reviews in everything, facts["company"]


def test_channels_are_the_ones_each_lead_can_be_reached_by(
    processed: list[dict[str, Any]],
) -> None:
    for lead in processed:
        facts = facts_from_lead(lead)
        marketing = lead["stage_outputs"]["marketing"]
        checks = lead["stage_outputs"]["enrichment"].get("contacts") or {}
        channels = [step["channel"] for step in marketing["channels"]]
        assert ("email" in channels) == bool(facts["email"]), facts["company"]
        phone_ok = bool(facts["phone"]) and (checks.get("phone") or {}).get("valid") is not False
        assert ("phone" in channels) == phone_ok, facts["company"]
        # A letter needs a street and a town that parse: scraped junk is no address
        assert ("direct_mail" in channels) == (mailing_address(facts) is not None)
        days = [step["day"] for step in marketing["channels"]]
        assert days == sorted(days)
        assert days[0] == 0
        assert set(marketing["content"]) == set(channels)
        if "linkedin" in marketing["content"]:
            assert len(marketing["content"]["linkedin"]["body"]) <= 300
