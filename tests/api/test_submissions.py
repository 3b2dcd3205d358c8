"""``/api/v1/submissions``: departments submit upward; the coordinator sees them all."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, assert_field_problem, assert_problem

URL = "/api/v1/submissions"
REPORT: dict[str, Any] = {
    "title": "Phishing wave against provincial utilities",
    "observed": "Mail with a fake billing notice; 40 recipients opened the attachment.",
    "sectors": ["energy"],
    "regions": ["440000"],
    "operators": ["Shenzhen Power"],
    "period_start": "2026-03-01T08:00:00+08:00",
    "period_end": "2026-03-02T08:00:00+08:00",
    "scale": {"recipients": 400, "opened": 40},
    "assessment": "Targeted; the same sender hit two other provinces.",
    "measures": "Block the sender domain; reset the passwords of the 40.",
    "tlp": "AMBER+STRICT",
}


def _submit(api: Api, username: str, **changes: Any) -> Any:
    return api.post(username, URL, json={**REPORT, **changes})


def test_departments_submit_and_the_coordinator_sees_who_and_when(api: Api) -> None:
    before = api.counts()["audit"]
    response = _submit(api, "energy-admin", title="Energy sector phishing report")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"{URL}/{body['id']}"
    assert (body["org_name"], body["submitted_by"], body["tlp"]) == (
        "Energy",
        "energy-admin",
        "AMBER+STRICT",
    )
    assert body["created_at"] and body["period_start"].startswith("2026-03-01T00:00:00")
    assert api.counts()["audit"] == before + 1
    assert _submit(api, "gd-admin", title="Guangdong phishing report").status_code == 201
    everything = api.get("nat-viewer", URL).json()
    titles = {item["title"]: item for item in everything["items"]}
    assert {"Energy sector phishing report", "Guangdong phishing report"} <= set(titles)
    assert titles["Guangdong phishing report"]["submitted_by"] == "gd-admin"
    own = api.get("energy-admin", URL).json()
    assert {item["org_name"] for item in own["items"]} == {"Energy"}
    one = api.get("nat-admin", f"{URL}/{body['id']}")
    assert one.status_code == 200 and one.json()["scale"] == {"recipients": 400, "opened": 40}


def test_operators_cannot_submit_and_the_refusal_names_the_rule(api: Api) -> None:
    before = api.counts()["audit"]
    assert_problem(_submit(api, "sz-staff"), 403, rule="no-grant")
    body = assert_problem(_submit(api, "sz-admin"), 403, rule="submissions-from-departments")
    assert "network operator" in body["reason"] or "network operator" in body["detail"]
    assert_problem(_submit(api, "cert-analyst"), 403, rule="submissions-from-departments")
    assert api.counts()["audit"] == before


def test_a_department_cannot_read_another_departments_submission(api: Api) -> None:
    created = _submit(api, "gd-admin", title="Guangdong only report").json()
    assert_problem(api.get("energy-admin", f"{URL}/{created['id']}"), 403, rule="out-of-scope")
    assert_problem(api.get("sz-staff", URL), 403, rule="no-grant")
    assert_problem(api.get("nat-admin", f"{URL}/no-such-id"), 404)


def test_a_bad_report_names_its_field(api: Api) -> None:
    assert_field_problem(_submit(api, "energy-admin", tlp="WHITE"), 422, "tlp", "enum")
    assert_field_problem(
        _submit(api, "energy-admin", regions=["990000"]), 422, "regions.0", "gb-t-2260"
    )
