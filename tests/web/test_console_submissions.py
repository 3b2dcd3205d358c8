"""Sector submissions in the console (Art. 52): a department submits, the coordinator reads."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fenghuo.monitoring.submissions_models import Submission
from fenghuo.platform import Platform
from tests.web.conftest import sign_in

FORM = {
    "title": "电力行业勒索软件扫描活动",
    "observed": "监测到针对变电站运维终端的 RDP 暴力破解，\n随后出现加密行为。",
    "sectors": ["energy"],
    "regions": "440000, 440300",
    "operators": "南方电网深圳供电局\n广州燃气集团",
    "period_start": "2026-11-27T08:00",
    "period_end": "2026-11-28T08:00",
    "scale": "hosts_affected: 12\nevents: 3400",
    "assessment": "攻击仍在持续。",
    "measures": "封禁来源地址，加强口令策略。",
    "tlp": "AMBER",
}


def _count(platform: Platform) -> int:
    with platform.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Submission)) or 0)


def test_a_sector_department_submits_and_the_coordinator_sees_who_and_when(
    app_client: TestClient, platform: Platform
) -> None:
    csrf = sign_in(app_client, "energy.analyst")
    response = app_client.post("/submissions", data={**FORM, "csrf_token": csrf})
    assert response.status_code == 303, response.text
    detail = app_client.get(response.headers["location"]).text
    assert "电力行业勒索软件扫描活动" in detail and "hosts_affected" in detail
    assert "2026-11-27 08:00" in detail  # typed in Beijing time, shown back the same

    sign_in(app_client, "admin")
    listing = app_client.get("/submissions").text
    assert "电力行业勒索软件扫描活动" in listing
    assert "energy.analyst" in listing and "国家能源局" in listing


def test_a_bad_submission_names_its_fields_and_stores_nothing(
    app_client: TestClient, platform: Platform
) -> None:
    csrf = sign_in(app_client, "energy.analyst")
    before = _count(platform)
    bad = {**FORM, "title": "", "regions": "999999", "scale": "hosts twelve", "csrf_token": csrf}
    response = app_client.post("/submissions", data=bad)
    assert response.status_code == 422
    assert 'id="scale-error"' in response.text
    bad = {**FORM, "title": "", "csrf_token": csrf}
    response = app_client.post("/submissions", data=bad)
    assert response.status_code == 422 and 'id="title-error"' in response.text
    bad = {**FORM, "regions": "999999", "csrf_token": csrf}
    response = app_client.post("/submissions", data=bad)
    assert response.status_code == 422 and 'id="regions-error"' in response.text
    assert _count(platform) == before


def test_operators_do_not_submit_upward(app_client: TestClient) -> None:
    sign_in(app_client, "op.szpower")
    assert app_client.get("/submissions/new").status_code == 403
    assert app_client.get("/submissions").status_code == 403
