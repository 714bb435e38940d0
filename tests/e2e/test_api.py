"""The REST API over real HTTP (uvicorn), with a real worker behind it."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
import pytest

from api.serving import serving_api
from tests.support.batches import wait_finished
from tests.support.servers import API_KEY_HEADER

KEY = API_KEY_HEADER


@pytest.fixture(scope="module")
def api_url(servers):
    with serving_api() as url:
        yield url


def test_csv_upload_to_results(api_url, worker, examples_dir):
    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    # Given the generic sample CSV, which has one bad row
    data = (examples_dir / "generic.csv").read_bytes()

    # When it is uploaded
    response = client.post(
        "/api/batches", files={"file": ("generic.csv", data, "text/csv")},
        data={"name": "api test", "dry_run": "false"},
    )

    # Then it is accepted at once with the bad row's number and reason
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["accepted"] >= 10
    assert accepted["rejected"] >= 1
    assert all(r["row"] > 0 and r["reason"] for r in accepted["rejections"])

    # And the dispatch job is known, and the batch finishes with counts per stage
    job = client.get(f"/api/jobs/{accepted['job_id']}").json()
    assert job["kind"] == "pipeline.dispatch_batch"
    report = wait_finished(client, accepted["batch_id"])
    assert report["done"] == accepted["accepted"]
    assert report["by_stage"]["qualification"]["succeeded"] == accepted["accepted"]
    assert client.get(f"/api/jobs/{accepted['job_id']}").json()["state"] == "succeeded"

    # And the results export as CSV, one row per lead with a score and tier
    exported = client.get(f"/api/batches/{accepted['batch_id']}/results", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == accepted["accepted"]
    assert all(row["tier"] in {"A", "B", "C", "D"} for row in rows)

    # And a lead shows its execution history, each stage with latency
    lead = client.get(f"/api/leads/{rows[0]['lead_id']}").json()
    assert [e["stage"] for e in lead["executions"]][0] == "qualification"
    assert all(e["latency_ms"] >= 0 for e in lead["executions"])
    stage_job = client.get(f"/api/jobs/{lead['executions'][0]['task_id']}").json()
    assert stage_job["kind"] == "qualification.run"


def test_json_batch_reports_bad_rows_and_keeps_good_ones(api_url, worker):
    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    # Given a JSON batch with one good lead and two bad ones
    body = {
        "leads": [
            {"company_name": "Lone Star Power LLC", "website": "lonestarpower.example",
             "phone": "(512) 555-0142", "state": "TX", "industry": "Solar installer",
             "contact_name": "Dana Ruiz", "contact_title": "Owner", "company_size": "11-50",
             "contact_email": "dana@lonestarpower.example"},
            {"website": "nameless.example"},
            {"company_name": "Nowhere Inc"},
        ],
        "options": {"dry_run": True},
    }
    # When it is posted
    response = client.post("/api/batches", json=body)
    # Then the good lead is accepted and each bad one comes back with its position and reason
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["accepted"] == 1
    assert sorted(r["row"] for r in accepted["rejections"]) == [2, 3]
    report = wait_finished(client, accepted["batch_id"])
    assert report["by_outcome"] == {"completed": 1}


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"content": b"hello", "headers": {**KEY, "content-type": "text/plain"}}, 415),
        ({"json": {"leads": []}, "headers": KEY}, 422),
        ({"json": {"leads": [{"website": "x.example"}]}, "headers": KEY}, 422),
        ({"files": {"file": ("empty.csv", b"", "text/csv")}, "headers": KEY}, 422),
        ({"json": {"leads": [{"company_name": "A"}]}, "headers": {}}, 401),
    ],
)
def test_bad_requests_get_a_clear_4xx(api_url, kwargs, status):
    # Given a malformed request, when it is posted, then it gets a 4xx with a message
    response = httpx.post(f"{api_url}/api/batches", timeout=10, **kwargs)
    assert response.status_code == status
    assert response.json()["detail"]


def test_a_csv_of_only_bad_rows_is_refused_with_each_reason(api_url):
    # Given a CSV none of whose rows can become a lead
    data = b"company_name,city\nNo Contact Co,Austin\n,Dallas\n"
    # When it is uploaded
    response = httpx.post(f"{api_url}/api/batches", headers=KEY, timeout=10,
                          files={"file": ("bad.csv", data, "text/csv")})
    # Then it is refused, and every row comes back with its number and reason
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["message"] == "no valid lead in the batch"
    assert [r["row"] for r in detail["rejections"]] == [1, 2]
    assert "no website, phone or email" in detail["rejections"][0]["reason"]


def test_a_csv_that_breaks_halfway_is_refused_whole(api_url):
    # Given a CSV whose first rows are fine, then a quote that never closes swallows the
    # rest of the file (rows are stored while the file is read, so this comes late)
    marker = f"Halfway {uuid.uuid4().hex[:8]}"
    good = "".join(f"{marker} Co {i},halfway{i}.example\n" for i in range(300))
    data = ("company_name,website\n" + good + 'Last Co,"never closed\n' + "x" * 200_000)
    # When it is uploaded
    response = httpx.post(f"{api_url}/api/batches", headers=KEY, timeout=30,
                          files={"file": ("broken.csv", data.encode(), "text/csv")})
    # Then it is refused, naming where it broke, and none of its rows is stored
    assert response.status_code == 422
    # (line 303: the header, 300 good rows, "Last Co", then the swallowed rest)
    assert "stops being valid CSV near line 303" in response.json()["detail"]
    from sqlalchemy import func, select

    from db.models import Lead
    from db.session import read_only

    with read_only() as session:
        stored = session.scalar(
            select(func.count()).where(Lead.company_name.like(f"{marker}%"))
        )
    assert stored == 0


def test_unknown_ids_are_404(api_url):
    client = httpx.Client(base_url=api_url, headers=KEY, timeout=10)
    assert client.get(f"/api/batches/{uuid.uuid4()}").status_code == 404
    assert client.get(f"/api/leads/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.get("/api/batches/not-a-uuid").status_code == 422


def test_health_reports_postgres_redis_and_workers(api_url, worker):
    report = httpx.get(f"{api_url}/health", headers=KEY, timeout=10).json()
    assert report["status"] == "ok"
    assert report["postgres"] is True
    assert report["redis"] is True
    assert any("qualification" in queues for queues in report["workers"].values())


def test_health_splits_into_live_and_ready_and_names_workers_only_with_the_key(api_url, worker):
    # Liveness checks nothing behind the process
    live = httpx.get(f"{api_url}/health/live", timeout=10)
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    # Readiness checks Postgres and Redis; without the key it names no worker
    anonymous = httpx.get(f"{api_url}/health/ready", timeout=10)
    assert anonymous.status_code == 200
    assert anonymous.json()["postgres"] is True
    assert anonymous.json()["workers"] == {}
    keyed = httpx.get(f"{api_url}/health/ready", headers=KEY, timeout=10).json()
    assert any("qualification" in queues for queues in keyed["workers"].values())


def test_a_batch_whose_dispatch_was_lost_can_be_dispatched_again(api_url, worker, examples_dir):
    from api.intake import parse_leads
    from db.repositories.batches import BatchOptions, NewBatch, create_batch
    from db.session import unit_of_work

    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    # Given a stored batch whose dispatch message never reached the broker
    parsed = parse_leads((examples_dir / "generic.csv").read_bytes(), source="generic.csv")
    with unit_of_work() as session:
        batch_id = create_batch(
            session,
            NewBatch(name="lost", source="generic.csv", engine="rules", options=BatchOptions(),
                     total_rows=parsed.total_rows, leads=parsed.leads),
            dispatch_task_id=str(uuid.uuid4()),
        )
    assert client.get(f"/api/batches/{batch_id}").json()["status"] == "queued"

    # When it is dispatched again over the API
    response = client.post(f"/api/batches/{batch_id}/dispatch")

    # Then it runs to the end, and a further dispatch is refused as pointless
    assert response.status_code == 202, response.text
    report = wait_finished(client, str(batch_id))
    assert report["done"] == report["accepted"]
    again = client.post(f"/api/batches/{batch_id}/dispatch")
    assert again.status_code == 409
    assert "finished" in again.json()["detail"]


def test_a_dealer_export_reports_what_each_tier_means_and_its_own_icp_agreement(
    api_url, worker, tmp_path
):
    from examples.generate_dealers import generate, write_csv

    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    # Given 120 rows of a real-shaped dealer export that carries its owner's ICP score
    path = tmp_path / "dealers.csv"
    write_csv(path, generate(120, seed=11).rows)

    # When it is uploaded as a dry run with the ICP profile named
    response = client.post(
        "/api/batches", files={"file": ("dealers.csv", path.read_bytes(), "text/csv")},
        data={"dry_run": "true", "profile": "icp"},
    )
    assert response.status_code == 202, response.text
    report = wait_finished(client, response.json()["batch_id"])

    # Then the status says per tier how many leads, which band and what happens to them
    assert report["options"]["profile"] == "icp"
    tiers = report["tiers"]
    assert list(tiers) == ["A", "B", "C", "D"]
    assert sum(t["leads"] for t in tiers.values()) == report["accepted"], report["by_outcome"]
    assert tiers["B"]["band"] == "GOLD"
    assert tiers["C"]["path"].startswith("nurture")
    # And how our tiers agree with the file's own ICP score
    upstream = report["upstream"]
    assert upstream["leads"] == report["accepted"]
    assert 0.5 <= upstream["same_tier"] <= 1
    # And the results show the file's score beside ours
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/api/batches/{response.json()['batch_id']}/results?format=csv").text)))
    assert all(row["upstream_score"] and row["band"] and row["profile"] == "icp" for row in rows)


def test_an_unknown_profile_is_refused_with_the_ones_there_are(api_url):
    client = httpx.Client(base_url=api_url, headers=KEY, timeout=30)
    response = client.post("/api/batches", json={
        "leads": [{"company_name": "Lone Star Power", "phone": "(512) 555-0142"}],
        "options": {"profile": "enterprise"},
    })
    assert response.status_code == 422
    assert "choose one of: generic, icp" in response.json()["detail"]
