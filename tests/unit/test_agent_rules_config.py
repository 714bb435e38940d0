"""The editable rule file: it loads, an edit changes scores, a mistake is reported clearly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestration.agents.base import RunContext
from orchestration.agents.qualification.agent import QualificationAgent
from orchestration.config.rules import (
    GenericProfile,
    IcpProfile,
    RulesConfigError,
    clear_rules_cache,
    load_rules,
    parse_rules,
)
from settings import DEFAULT_SCORING_CONFIG, get_settings
from tests.support.leads import dealer_lead

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


def test_shipped_rule_file_loads_with_every_profile_on_a_100_point_scale() -> None:
    rules = load_rules(DEFAULT_SCORING_CONFIG)

    icp = rules.qualification.profile("icp")
    assert isinstance(icp, IcpProfile)
    assert [d.weight for d in (icp.resimercial, icp.multi_oem, icp.mepr, icp.om)] == [
        35, 25, 25, 15]
    generic = rules.qualification.profile("generic")
    assert isinstance(generic, GenericProfile)
    assert rules.qualification.program_tiers.by_oem["generac"]["elite plus"] == 3


def test_editing_a_weight_changes_the_score(tmp_path: Path) -> None:
    # Given the shipped rules and a copy where one OEM is worth less
    edited = DEFAULT_TEXT.replace("points_by_count = [0, 25, 50, 75, 100]",
                                  "points_by_count = [0, 13, 50, 75, 100]")
    assert edited != DEFAULT_TEXT
    lead = dealer_lead()
    shipped = QualificationAgent(rules=load_rules(DEFAULT_SCORING_CONFIG))
    custom = QualificationAgent(rules=load_rules(write_rules(tmp_path, edited)))

    # When the same lead is qualified with both
    before = shipped.run(lead, RunContext()).output
    after = custom.run(lead, RunContext()).output

    # Then the edited weight shows in the factor and in the score
    def multi_oem(output: dict[str, Any]) -> float:
        return float(next(f["points"] for f in output["factors"] if f["key"] == "multi_oem"))

    assert multi_oem(before) == 0.25 * 25
    assert multi_oem(after) == 0.25 * 13
    assert after["score"] == before["score"] - 3


def test_settings_point_the_agents_at_another_rule_file(
    tmp_path: Path, fresh_settings: pytest.MonkeyPatch
) -> None:
    # Given SALES_AGENT_SCORING_CONFIG naming a copy where O&M name words count for more
    edited = DEFAULT_TEXT.replace("points_by_words = [25, 75, 100]",
                                  "points_by_words = [25, 90, 100]")
    fresh_settings.setenv("SALES_AGENT_SCORING_CONFIG", str(write_rules(tmp_path, edited)))

    # When an agent without pinned rules qualifies "Sunrise Power Solutions"
    output = QualificationAgent().run(dealer_lead(), RunContext()).output

    # Then the configured file decided the O&M points
    om = next(f for f in output["factors"] if f["key"] == "om")
    assert om["points"] == pytest.approx(0.90 * 15)


def test_broken_toml_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = write_rules(tmp_path, DEFAULT_TEXT + "\n[growth.metro\n")

    with pytest.raises(RulesConfigError) as caught:
        load_rules(path)

    message = str(caught.value)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line" in message


def test_points_above_a_factor_maximum_are_refused_by_name(tmp_path: Path) -> None:
    path = write_rules(tmp_path, DEFAULT_TEXT.replace("max_points = 3\nwebsite = 1\nemail = 1",
                                                      "max_points = 3\nwebsite = 4\nemail = 1"))

    with pytest.raises(RulesConfigError, match=r"contactability\] .*exceeds max_points"):
        load_rules(path)


def test_a_misspelt_entry_is_named_instead_of_ignored() -> None:
    text = DEFAULT_TEXT.replace("points_by_trades", "points_by_trade")

    with pytest.raises(RulesConfigError) as caught:
        parse_rules(text, source="scoring.toml")

    assert "points_by_trade" in str(caught.value)
    assert "Extra inputs are not permitted" in str(caught.value)


def test_factor_maxima_that_do_not_add_up_to_100_are_refused() -> None:
    text = DEFAULT_TEXT.replace("[qualification.profiles.generic.company_size]\n"
                                "# employee_count, or the upper end of company_size "
                                "(\"11-50\" -> 50, \"1000+\" -> 1000).\n"
                                "# The first band whose `max_employees` covers the company "
                                "applies.\nmax_points = 30",
                                "[qualification.profiles.generic.company_size]\nmax_points = 35")
    assert text != DEFAULT_TEXT

    with pytest.raises(RulesConfigError, match=r"max_points must add up to 100, not 105"):
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
