"""The sample dealer file through all five agents (BDR as a dry run, so nothing pauses).

Every lead's scores are explained by factors, and every word the agents write for a person
(qualification's reasoning, growth's analysis, marketing's content, the BDR draft) is about
that lead: filled in, and never the same text for two leads whose data differ.
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
from orchestration.engines.rules.text import find_placeholders
from tests.unit.test_agent_leads import sample_csv_leads

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
    found["qualification.reasoning"] = outputs["qualification"]["reasoning"]
    found["bdr.draft.subject"] = outputs["bdr"]["draft"]["subject"]
    found["bdr.draft.body"] = outputs["bdr"]["draft"]["body"]
    found["growth.reasoning"] = outputs["growth"]["reasoning"]
    found["growth.summary"] = outputs["growth"]["summary"]
    found |= {
        f"growth.opportunities[{i}]": o for i, o in enumerate(outputs["growth"]["opportunities"])
    }
    for stage in ("qualification", "growth"):
        found |= {f"{stage}.factors.{f['key']}": f["reason"] for f in outputs[stage]["factors"]}
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
            assert abs(sum(f["points"] for f in factors) - output[key]) <= 0.5


def test_no_text_carries_a_placeholder(processed: list[dict[str, Any]]) -> None:
    for lead in processed:
        for where, text in texts_of(lead).items():
            assert find_placeholders(text) == [], (lead["company_name"], where, text)
        assert lead["stage_outputs"]["marketing"]["content"], lead["company_name"]


def test_no_two_leads_with_different_data_get_the_same_text(
    processed: list[dict[str, Any]],
) -> None:
    # Given, for each place text appears, which leads' data produced each text
    # (rows repeating another row's data exactly may rightly share it)
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for lead in processed:
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
        if facts["city"]:
            assert facts["city"] in everything, facts["company"]
        if facts["oem_source"] or facts["oems"]:
            assert any(oem in everything for oem in [facts["oem_source"], *facts["oems"]] if oem)
        if facts["services"]:
            assert SERVICE_LABELS[facts["services"][0]] in everything, facts["company"]
        strong_reviews = (facts["rating"] or 0) >= 4.5 and (facts["review_count"] or 0) >= 20
        if strong_reviews and ("email" in content or "direct_mail" in content):
            assert f"{facts['rating']:.1f}★ from {facts['review_count']} reviews" in everything


def test_channels_are_the_ones_each_lead_can_be_reached_by(
    processed: list[dict[str, Any]],
) -> None:
    for lead in processed:
        facts = facts_from_lead(lead)
        marketing = lead["stage_outputs"]["marketing"]
        channels = [step["channel"] for step in marketing["channels"]]
        assert ("email" in channels) == bool(facts["email"]), facts["company"]
        assert ("phone" in channels) == bool(facts["phone"]), facts["company"]
        assert ("direct_mail" in channels) == bool(facts["street"]), facts["company"]
        days = [step["day"] for step in marketing["channels"]]
        assert days == sorted(days)
        assert days[0] == 0
        assert set(marketing["content"]) == set(channels)
        if "linkedin" in marketing["content"]:
            assert len(marketing["content"]["linkedin"]["body"]) <= 300
