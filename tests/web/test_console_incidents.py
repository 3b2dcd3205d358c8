"""The incident, plan and notification pages: forms that refuse what they must, and scope."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fenghuo.api.app import create_app
from fenghuo.incidents.models import Evidence, Incident
from fenghuo.plans.models import PlanVersion
from fenghuo.platform import Platform
from tests.web.conftest import demo_platform, sign_in

REPORT = {
    "title": "营销系统客户信息泄露",
    "reporting_unit": "深圳供电局信息中心",
    "facility": "电力营销系统",
    "discovered_at": "2026-11-28T08:00",
    "place": "广东省深圳市",
    "pi_records_citizens": "12000000",
    "measures_taken": "已隔离数据库服务器。",
}


@pytest.fixture(scope="module")
def platform(demo_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    built = demo_platform(
        demo_database, tmp_path_factory.mktemp("incidents"), evidence_max_bytes=2048
    )
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module")
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform=platform), follow_redirects=False) as app_client:
        yield app_client


def _count(platform: Platform, model: type[object]) -> int:
    with platform.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _option(html: str, select_id: str) -> str:
    block = re.search(rf'id="{select_id}".*?</select>', html, re.S)
    assert block, select_id
    found = re.findall(r'<option value="([^"]+)"', block.group(0))
    assert found, f"no option in {select_id}"
    return found[0]


@pytest.fixture(scope="module")
def incident_url(client: TestClient) -> str:
    """An incident SZ Power reported through the form."""
    csrf = sign_in(client, "op.szpower")
    form = client.get("/incidents/new").text
    data = {
        **REPORT,
        "csrf_token": csrf,
        "org_id": _option(form, "org_id"),
        "category": _option(form, "category"),
    }
    response = client.post("/incidents", data=data)
    assert response.status_code == 303, response.text[-3000:]
    return str(response.headers["location"])


def test_a_bad_first_report_names_its_fields_and_stores_nothing(
    client: TestClient, platform: Platform
) -> None:
    csrf = sign_in(client, "op.szpower")
    form = client.get("/incidents/new").text
    before = _count(platform, Incident)
    data = {
        **REPORT,
        "csrf_token": csrf,
        "org_id": _option(form, "org_id"),
        "category": _option(form, "category"),
        "facility": "",
        "pi_records_citizens": "-5",
    }
    response = client.post("/incidents", data=data)
    assert response.status_code == 422
    assert 'id="facility-error"' in response.text
    assert 'id="pi_records_citizens-error"' in response.text
    assert _count(platform, Incident) == before


def test_the_report_is_classified_and_another_operator_cannot_open_it(
    client: TestClient, incident_url: str
) -> None:
    sign_in(client, "op.szpower")
    page = client.get(incident_url).text
    assert "II级" in page and "pi_records_citizens" in page
    sign_in(client, "op.zjbank")
    assert client.get(incident_url).status_code == 403
    assert client.get(incident_url + "/report.pdf").status_code == 403


def test_evidence_refuses_executables_and_is_read_only_by_those_entitled(
    client: TestClient, platform: Platform, incident_url: str
) -> None:
    csrf = sign_in(client, "op.szpower")
    before = _count(platform, Evidence)
    refused = client.post(
        incident_url + "/evidence",
        data={"csrf_token": csrf, "description": "dropper"},
        files={"file": ("dropper.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream")},
    )
    assert refused.status_code == 422 and "一律不得作为证据" in refused.text
    oversize = client.post(
        incident_url + "/evidence",
        data={"csrf_token": csrf},
        files={"file": ("big.txt", b"a" * 4096, "text/plain")},
    )
    assert oversize.status_code == 422 and "证据大小上限" in oversize.text
    assert _count(platform, Evidence) == before

    accepted = client.post(
        incident_url + "/evidence",
        data={"csrf_token": csrf, "description": "访问日志"},
        files={"file": ("access.log", b"2026-11-28 08:00 GET /export\n", "text/plain")},
    )
    assert accepted.status_code == 303, accepted.text[-2000:]
    page = client.get(incident_url).text
    link = re.search(rf'href="({re.escape(incident_url)}/evidence/[^"]+)"', page)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.content.startswith(b"2026-11-28")
    assert download.headers["content-disposition"].startswith("attachment")

    sign_in(client, "op.zjbank")
    assert client.get(link.group(1)).status_code == 403


def test_a_leader_overrides_the_level_with_a_reason_and_the_computed_one_is_kept(
    client: TestClient, incident_url: str
) -> None:
    csrf = sign_in(client, "leader")
    response = client.post(
        incident_url + "/override", data={"csrf_token": csrf, "level": "I", "reason": ""}
    )
    assert response.status_code == 422 and 'id="reason-error"' in response.text
    response = client.post(
        incident_url + "/override",
        data={"csrf_token": csrf, "level": "I", "reason": "涉及全国性关键业务，提级处置。"},
    )
    assert response.status_code == 303
    page = client.get(incident_url).text
    assert 'badge-incident-I"' in page
    assert "计算级别：II" in page and "提级处置" in page


def test_a_plan_with_an_error_is_refused_with_its_line_and_nothing_changes(
    client: TestClient, platform: Platform
) -> None:
    csrf = sign_in(client, "admin")
    assert client.get("/plans/national").status_code == 200
    text = client.get("/plans/national/export").text
    before = _count(platform, PlanVersion)
    broken = text.replace("format: fenghuo-plan/1", "format: fenghuo-plan/9", 1)
    response = client.post("/plans/national/edit", data={"csrf_token": csrf, "yaml": broken})
    assert response.status_code == 422
    assert re.search(r"line \d+: format", response.text)
    assert _count(platform, PlanVersion) == before
    sign_in(client, "op.szpower")
    assert client.get("/plans/national/edit").status_code == 403


def test_a_warning_drafted_from_the_incident_is_listed_on_it(
    client: TestClient, incident_url: str
) -> None:
    csrf = sign_in(client, "duty")
    incident_id = incident_url.rsplit("/", 1)[1]
    drafted = client.post(f"/warnings/from-incident/{incident_id}", data={"csrf_token": csrf})
    assert drafted.status_code == 303 and drafted.headers["location"].endswith("/edit")
    editor = client.get(drafted.headers["location"]).text
    assert "营销系统客户信息泄露" in editor  # prefilled from the incident
    page = client.get(incident_url).text
    assert 'id="warnings"' in page and "草稿" in page
