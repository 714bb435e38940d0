"""`sales-agent check FILE`: what an upload would reject and flag, with no server at all."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from examples.generate_dealers import generate, write_csv
from tests.support.cli import run_cli

HEADER = "name,website,phone,city,state"


def run_check(path: Path, *options: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("check", str(path), *options, data_dir=data_dir)


def test_check_json_names_rejected_rows_and_repeats_by_data_row(tmp_path: Path) -> None:
    # Given a file with a blank line, a row without a name and a dealer listed twice
    path = tmp_path / "dealers.csv"
    path.write_text(
        f"{HEADER}\n"
        "Acme Power LLC,,(512) 555-0100,Austin,TX\n"
        "\n"
        ",acme.com,,,\n"
        "Lone Star Solar,lonestarsolar.com,,Austin,TX\n"
        "ACME POWER,,512.555.0100,Austin,TX\n"
    )

    # When it is checked with --json
    result = run_check(path, "--json", data_dir=tmp_path / "data")

    # Then the report counts data rows (header and blank line left out) and says which row
    # each repeat repeats, by which rule
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "accepted": 3,
        "rejected": [{"row": 2, "reason": "row 2: missing company name"}],
        "duplicates": [{"row": 4, "of_row": 1, "rule": "phone", "confidence": 0.95}],
    }
    # And no local stack was started: nothing was written to the data folder
    assert not (tmp_path / "data").exists()


def test_check_prints_each_rejection_and_duplicate_for_a_person(tmp_path: Path) -> None:
    path = tmp_path / "dealers.csv"
    path.write_text(
        f"{HEADER}\n"
        "Smith Electric Inc.,http://www.smithelectric.com,,Austin,TX\n"
        "No Contact Co,,,Austin,TX\n"
        "SMITH ELECTRIC,smithelectric.com/,,Austin,TX\n"
    )

    result = run_check(path, data_dir=tmp_path / "data")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "dealers.csv: 2 leads accepted, 1 rows rejected, 1 duplicates"
    assert "row 2: no website, phone or email" in lines[1]
    assert lines[2] == ("duplicate row 3 of row 1 [domain 0.95] SMITH ELECTRIC: "
                        "same domain as row 1")


def test_check_refuses_a_file_without_a_company_column(tmp_path: Path) -> None:
    path = tmp_path / "phones.csv"
    path.write_text("website,phone\nacme.com,512-555-0100\n")

    result = run_check(path, data_dir=tmp_path / "data")

    assert result.returncode == 1
    assert "phones.csv" in result.stderr


def test_check_reads_ten_thousand_dealers_in_seconds(tmp_path: Path) -> None:
    # Given a real-shaped export of 10,000 dealers
    generated = generate(10_000)
    path = tmp_path / "dealers.csv"
    write_csv(path, generated.rows)

    # When it is checked
    started = time.perf_counter()
    result = run_check(path, "--json", data_dir=tmp_path / "data")
    elapsed = time.perf_counter() - started

    # Then every row is accounted for, the repeats are found, in a few seconds at most
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["accepted"] + len(report["rejected"]) == 10_000
    flagged = {d["row"] for d in report["duplicates"]}
    assert len(flagged & set(generated.duplicate_of)) >= 0.95 * len(generated.duplicate_of)
    assert elapsed < 10
