"""The editable rule file: it loads, an edit changes scores, a mistake is reported clearly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.qualification.agent import QualificationAgent
from orchestration.config.rules import (
    RulesConfigError,
    clear_rules_cache,
    load_rules,
    parse_rules,
)
from settings import DEFAULT_SCORING_CONFIG, get_settings
from tests.unit.test_agent_leads import dealer_lead

DEFAULT_TEXT = DEFAULT_SCORING_CONFIG.read_text(encoding="utf-8")


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings and rule files read anew, and forgotten again after the test."""
    get_settings.cache_clear()
    clear_rules_cache()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()
    clear_rules_cache()


def write_rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scoring.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rule_file_loads_with_every_group_on_a_100_point_scale() -> None:
    rules = load_rules(DEFAULT_SCORING_CONFIG)

    dealer = rules.qualification.dealer
    assert sum(getattr(dealer, name).max_points for name in type(dealer).model_fields) == 100
    assert rules.qualification.dealer.dealer_program.tiers["elite plus"] == 15


def test_editing_a_weight_changes_the_score(tmp_path: Path) -> None:
    # Given the shipped rules and a copy where each service line is worth less
    edited = DEFAULT_TEXT.replace("points_per_service = 5", "points_per_service = 2")
    assert edited != DEFAULT_TEXT
    lead = dealer_lead()
    shipped = QualificationAgent(rules=load_rules(DEFAULT_SCORING_CONFIG))
    custom = QualificationAgent(rules=load_rules(write_rules(tmp_path, edited)))

    # When the same lead is qualified with both
    before = shipped.run(lead, RunContext()).output
    after = custom.run(lead, RunContext()).output

    # Then the edited weight shows in the factor and in the score
    def breadth(output: dict[str, Any]) -> float:
        return float(next(f["points"] for f in output["factors"]
                          if f["key"] == "service_breadth"))

    assert breadth(before) == 5 * 1
    assert breadth(after) == 2 * 1
    assert after["score"] == before["score"] - 3


def test_settings_point_the_agents_at_another_rule_file(
    tmp_path: Path, fresh_settings: pytest.MonkeyPatch
) -> None:
    # Given SALES_AGENT_SCORING_CONFIG naming an edited copy
    edited = DEFAULT_TEXT.replace('"premier" = 10', '"premier" = 2')
    fresh_settings.setenv("SALES_AGENT_SCORING_CONFIG", str(write_rules(tmp_path, edited)))

    # When an agent without pinned rules qualifies a Premier dealer
    output = QualificationAgent().run(dealer_lead(), RunContext()).output

    # Then the configured file decided the dealer-program points
    program = next(f for f in output["factors"] if f["key"] == "dealer_program")
    assert program["points"] == 2


def test_broken_toml_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = write_rules(tmp_path, DEFAULT_TEXT + "\n[growth.metro\n")

    with pytest.raises(RulesConfigError) as caught:
        load_rules(path)

    message = str(caught.value)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line" in message


def test_points_above_a_factor_maximum_are_refused_by_name(tmp_path: Path) -> None:
    path = write_rules(tmp_path, DEFAULT_TEXT.replace("both = 15\ncommercial_only = 10",
                                                      "both = 40\ncommercial_only = 10"))

    with pytest.raises(RulesConfigError, match=r"market_mix\] both = 40(\.0)? exceeds max_points"):
        load_rules(path)


def test_a_misspelt_entry_is_named_instead_of_ignored() -> None:
    text = DEFAULT_TEXT.replace("points_per_service", "points_per_servce")

    with pytest.raises(RulesConfigError) as caught:
        parse_rules(text, source="scoring.toml")

    assert "points_per_servce" in str(caught.value)
    assert "Extra inputs are not permitted" in str(caught.value)


def test_factor_maxima_that_do_not_add_up_to_100_are_refused() -> None:
    text = DEFAULT_TEXT.replace("max_points = 25\n# Points by number",
                                "max_points = 30\n# Points by number")

    expected = r"qualification\.dealer\] must add up to 100, not 105"
    with pytest.raises(RulesConfigError, match=expected):
        parse_rules(text)


def test_meeting_slots_outside_business_hours_are_refused() -> None:
    text = DEFAULT_TEXT.replace('slot_times = ["10:00", "14:00", "11:00"]',
                                'slot_times = ["10:00", "16:50", "11:00"]')

    with pytest.raises(RulesConfigError, match="ends after business_day_end"):
        parse_rules(text)


def test_a_missing_rule_file_is_reported_by_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"

    with pytest.raises(RulesConfigError, match="cannot read rule file"):
        load_rules(missing)


def test_rule_files_are_read_once_per_process(tmp_path: Path) -> None:
    path = write_rules(tmp_path, DEFAULT_TEXT)

    assert load_rules(path) is load_rules(str(path))
