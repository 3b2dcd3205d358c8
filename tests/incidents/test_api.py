"""The incidents API against the whole app on a real database (SQLite, then PostgreSQL): the
issue's scenario end to end, evidence upload and download, and problem+json errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fenghuo import clock
from tests.api.conftest import Api, assert_field_problem, assert_problem
from tests.factories.accounts import make_user
from tests.factories.incidents import first_report

URL = "/api/v1/incidents"
PDF = b"%PDF-1.4\n%evidence\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture(scope="module")
def staff(api: Api) -> Api:
    """A duty officer and a leader (approver) of the national coordinator, signed in."""
    if "inc-duty" not in api.user_ids:
        with api.platform.transaction() as session:
            for username, role in (("inc-duty", "duty_officer"), ("inc-leader", "approver")):
                user = make_user(session, org=api.world.national, username=username, roles=[role])
                api.user_ids[username] = user.id
    return api


def _file(client: Api, username: str = "sz-staff", **changes: Any) -> dict[str, Any]:
    response = client.post(username, URL, json=first_report(**changes))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["Location"] == f"{URL}/{body['id']}"
    return body


def test_the_issue_scenario_over_the_api(staff: Api) -> None:
    # An operator files a first report 90 minutes after discovery: 12 M PI records leaked.
    incident = _file(
        staff,
        discovered_at=clock.now() - timedelta(minutes=90),
        impact={"pi_records_citizens": 12_000_000},
    )
    url = f"{URL}/{incident['id']}"
    # Classified major, with its reason.
    assert (incident["computed_level"], incident["final_level"]) == ("II", "II")
    reason = incident["classification"]["reasons"][0]
    assert (reason["criterion"], reason["value"], reason["threshold"]) == (
        "personal_information_leaked", 12_000_000, 10_000_000,
    )  # fmt: skip
    # The plan activated: tasks, and a directive sent to the operator.
    assert incident["state"] == "responding"
    (directive,) = [t for t in incident["tasks"] if t["directive"]]
    assert directive["owner_org_id"] == staff.world.energy_op_gd.id
    # The late first report is flagged (CII: 1 hour).
    first = next(c for c in incident["clocks"] if c["kind"] == "first_report")
    assert first["state"] == "late"

    # The directive is in the operator's inbox; it acknowledges it and reports it done.
    inbox = staff.get("sz-staff", "/api/v1/notifications").json()
    assert directive["notification_id"] in [i["notification"]["id"] for i in inbox["items"]]
    ack = staff.post(
        "sz-staff", f"/api/v1/notifications/{directive['notification_id']}/acknowledge"
    )
    assert ack.status_code == 200, ack.text
    mine = staff.get("sz-staff", f"{URL}/tasks").json()
    assert directive["id"] in [t["id"] for t in mine]
    done = staff.post(
        "sz-staff", f"{url}/tasks/{directive['id']}/complete", json={"note": "Plan started"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "done"

    # Recovery, the final report, closure.
    assert staff.post("inc-duty", f"{url}/recovery", json={"note": "contained"}).status_code == 200
    final = {
        "cause": "Stolen contractor credentials", "measures": "Rotated, MFA enforced",
        "harm": "12 M records leaked", "accountability": "Owner disciplined",
        "rectification": "Quarterly access review", "lessons": "Watch bulk reads",
    }  # fmt: skip
    assert staff.post("sz-staff", f"{url}/final-report", json=final).status_code == 201
    closed = staff.post("inc-leader", f"{url}/close", json={})
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed"
    # The PDF downloads.
    pdf = staff.get("sz-staff", f"{url}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # Another operator can neither see it nor its PDF.
    assert_problem(staff.get("bank-staff", url), 403, rule="out-of-scope")
    assert_problem(staff.get("bank-staff", f"{url}/report.pdf"), 403, rule="out-of-scope")


def test_the_board_filters_by_level_state_and_overdue(staff: Api) -> None:
    incident = _file(staff, impact={"pi_records_citizens": 2_000_000})
    rows = staff.get("inc-duty", URL, params={"level": "III", "state": "responding"}).json()
    assert incident["id"] in [row["id"] for row in rows["items"]]
    assert {row["final_level"] for row in rows["items"]} == {"III"}
    not_overdue = staff.get("inc-duty", URL, params={"overdue": "false"}).json()
    assert incident["id"] in [row["id"] for row in not_overdue["items"]]
    assert all(not row["overdue"] for row in not_overdue["items"])
    mine = staff.get("bank-staff", URL).json()
    assert incident["id"] not in [row["id"] for row in mine["items"]]


def test_evidence_upload_and_download(staff: Api) -> None:
    url = f"{URL}/{_file(staff)['id']}/evidence"
    created = staff.post(
        "sz-staff", url, files={"file": ("headers.pdf", PDF, "application/pdf")},
        data={"description": "mail headers"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    row = created.json()
    assert row["media_type"] == "application/pdf" and row["size"] == len(PDF)
    got = staff.get("sz-staff", f"{url}/{row['id']}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert_problem(staff.get("bank-staff", f"{url}/{row['id']}"), 403, rule="out-of-scope")
    pe = b"MZ" + b"\x00" * 100
    refused = staff.post("sz-staff", url, files={"file": ("report.pdf", pe, "application/pdf")})
    assert_field_problem(refused, 422, "file", "evidence-not-executable")
    limit = staff.platform.settings.evidence_max_bytes
    big = staff.post("sz-staff", url, files={"file": ("big.pdf", b"%PDF-" + b"0" * limit)})
    assert_field_problem(big, 422, "file", "evidence-too-large")
    listed = staff.get("sz-staff", url.removesuffix("/evidence")).json()["evidence"]
    assert [e["id"] for e in listed] == [row["id"]]


def test_problems_name_the_field_and_the_rule(staff: Api) -> None:
    report = first_report()
    del report["reporting_unit"]
    assert_field_problem(staff.post("sz-staff", URL, json=report), 422, "reporting_unit", "missing")
    wrong = staff.post("sz-staff", URL, json=first_report(category="nope"))
    assert_field_problem(wrong, 422, "category", "plan-category")
    incident = _file(staff)
    override = staff.post(
        "sz-staff", f"{URL}/{incident['id']}/level", json={"level": "I", "reason": "x"}
    )
    assert_problem(override, 403, rule="no-grant")
    closing = staff.post("inc-leader", f"{URL}/{incident['id']}/close", json={})
    assert_problem(closing, 409, current="reported", requested="closed")


def test_updates_timeline_referral_and_the_form(staff: Api) -> None:
    form = staff.get("sz-staff", f"{URL}/form").json()
    assert form["default_org_id"] == staff.world.energy_op_gd.id
    assert "data_security" in [c["key"] for c in form["categories"]]
    incident = _file(staff, impact={"pi_records_citizens": 500})
    url = f"{URL}/{incident['reference']}"  # the reference number works as the id
    assert incident["state"] == "reported" and incident["clocks"] == []
    update = staff.post(
        "sz-staff", f"{url}/updates",
        json={"impact": {"pi_records_citizens": 1_200_000}, "note": "Scope grew"},
    )  # fmt: skip
    assert update.status_code == 201, update.text
    assert (update.json()["kind"], update.json()["level"]) == ("update", "III")
    clocks = staff.get("inc-duty", f"{url}/deadlines").json()
    assert [c["kind"] for c in clocks] == ["first_report", "final_report"]
    entry = staff.post(
        "inc-duty", f"{url}/timeline", json={"kind": "decision", "text": "Escalate to CERT"}
    )
    assert entry.status_code == 201 and entry.json()["author"] == "inc-duty"
    referral = staff.post(
        "inc-duty", f"{url}/referrals",
        json={"authority": "work_safety", "recipient": "Shenzhen Work Safety Bureau",
              "grounds": "A substation fire followed the attack."},
    )  # fmt: skip
    assert referral.status_code == 201, referral.text
    assert "Art. 57" in referral.json()["document"]
    shown = staff.get("sz-staff", url).json()
    assert shown["final_level"] == "III"
    assert [r["kind"] for r in shown["reports"]] == ["first", "update"]
    assert shown["referrals"][0]["recipient"] == "Shenzhen Work Safety Bureau"
    bad = staff.post("sz-staff", f"{url}/updates", json={"impact": {"econ_loss_cny": -1}})
    assert_field_problem(bad, 422, "impact.econ_loss_cny", "greater_than_equal")
