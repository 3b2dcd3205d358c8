"""The situation dashboard: warnings in force, recommendations waiting for a draft, and the
trends of detections and reports, each within what the visitor may see."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from fenghuo.warnings.demo import ACTIVE, LIFTED
from tests.factories.incidents import first_report
from tests.web.conftest import sign_in

TOTAL = re.compile(r'id="trend-reports" data-total="(\d+)"')


def _reports_total(page: str) -> int:
    found = TOTAL.search(page)
    assert found, "the dashboard shows the trend of reports"
    return int(found.group(1))


def test_the_duty_officer_sees_warnings_in_force_and_waiting_recommendations(
    app_client: TestClient,
) -> None:
    sign_in(app_client, "duty")
    page = app_client.get("/dashboard").text
    in_force = page[page.index('id="active-warnings"') :]
    assert ACTIVE["title_zh"] in in_force
    assert LIFTED["title_zh"] not in in_force  # lifted: no longer in force
    assert "待起草的预警建议" in in_force  # the demo's recommendation, not drafted yet
    assert 'id="trend-detections"' in page and 'id="trend-reports"' in page


def test_a_new_incident_report_shows_in_the_trend(app_client: TestClient) -> None:
    sign_in(app_client, "duty")
    before = _reports_total(app_client.get("/dashboard").text)

    token = app_client.post(
        "/api/v1/auth/token", data={"username": "op.szpower", "password": "fenghuo-demo-2026"}
    ).json()["access_token"]
    filed = app_client.post(
        "/api/v1/incidents",
        json=first_report(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert filed.status_code == 201, filed.text

    sign_in(app_client, "duty")
    assert _reports_total(app_client.get("/dashboard").text) == before + 1


def test_an_operator_sees_no_recommendations_and_only_its_own_reports(
    app_client: TestClient,
) -> None:
    sign_in(app_client, "op.zjbank")
    page = app_client.get("/dashboard").text
    assert "待起草的预警建议" not in page  # recommendations go to the authorities
    sign_in(app_client, "duty")
    everything = _reports_total(app_client.get("/dashboard").text)
    sign_in(app_client, "op.zjbank")
    assert _reports_total(app_client.get("/dashboard").text) < everything
