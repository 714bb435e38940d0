"""`sales-agent score FILE`: a sales-ops person's first look at a new file, with no server."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

from examples.generate_dealers import generate, strip_icp, write_csv
from tests.support.cli import run_cli


def run_score(path: Path, *options: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("score", str(path), *options, data_dir=data_dir)


def test_score_json_lists_every_lead_with_tier_and_the_files_own_score(tmp_path: Path) -> None:
    # Given a 400-row export that carries its owner's ICP score
    exported = generate(400, seed=5)
    path = tmp_path / "dealers.csv"
    write_csv(path, exported.rows)

    # When it is scored with --json
    done = run_score(path, "--json", data_dir=tmp_path / "stack")

    # Then every accepted row is there with its score, tier and the file's own score
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    leads = result["leads"]
    assert len(leads) == 400 - len(exported.bad_rows)
    assert {lead["row"] for lead in leads} == set(range(1, 401)) - exported.bad_rows
    for lead in leads:
        assert {"row", "company_name", "score", "tier", "upstream_score", "factors",
                "reasoning"} <= set(lead)
        assert lead["tier"] in "ABCD"
        original = exported.rows[lead["row"] - 1]
        assert lead["upstream_score"] == float(original["ICP_Score"])
    # And the tiers say how many leads each has and what happens to them
    tiers = result["tiers"]
    assert sum(t["leads"] for t in tiers.values()) == len(leads)
    assert tiers["D"]["path"] == "long-term: stops after qualification"
    assert result["agreement"]["leads"] == len(leads)
    # And nothing was started: no local stack came up for a first look
    assert not (tmp_path / "stack").exists()


def test_score_writes_every_lead_to_out_and_prints_tiers_and_top_leads(tmp_path: Path) -> None:
    # Given an export without the owner's ICP columns
    path = tmp_path / "dealers.csv"
    write_csv(path, strip_icp(generate(300, seed=9).rows))
    out = tmp_path / "scored.csv"

    # When it is scored to a file
    done = run_score(path, "--out", str(out), data_dir=tmp_path / "stack")

    # Then the screen shows the tier counts and the top leads, and the file has every lead
    assert done.returncode == 0, done.stderr
    assert "PLATINUM" in done.stdout
    assert "Top leads" in done.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows
    assert {"row", "score", "tier", "band", "profile", "reasoning", "resimercial",
            "multi_oem", "mepr", "om", "contactability", "reputation"} <= set(rows[0])
    assert all(row["upstream_score"] == "" for row in rows)


def test_an_unknown_profile_fails_with_the_profiles_there_are(tmp_path: Path) -> None:
    path = tmp_path / "dealers.csv"
    write_csv(path, generate(20, seed=1).rows)

    done = run_score(path, "--profile", "enterprise", data_dir=tmp_path / "stack")

    assert done.returncode != 0
    assert "profiles: generic, icp" in done.stderr


def test_the_generic_profile_can_be_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "dealers.csv"
    write_csv(path, generate(50, seed=2).rows)

    done = run_score(path, "--json", "--profile", "generic", data_dir=tmp_path / "stack")

    assert done.returncode == 0, done.stderr
    assert {lead["profile"] for lead in json.loads(done.stdout)["leads"]} == {"generic"}
