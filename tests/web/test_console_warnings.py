"""Warnings in the console and on the public portal: draft, approve, publish; exercise
warnings and department-only ones never reach a public page or the feed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fenghuo.api.app import create_app
from fenghuo.platform import Platform
from tests.web.conftest import demo_platform, sign_in


@pytest.fixture(scope="module")
def client(demo_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    platform: Platform = demo_platform(demo_database, tmp_path_factory.mktemp("warnings"))
    with TestClient(create_app(platform=platform), follow_redirects=False) as app_client:
        yield app_client
    platform.engine.dispose()


def _publish(client: TestClient, title: str, *, audience: str, exercise: bool) -> str:
    """Drafted by Guangdong's duty officer, approved and published by its leader."""
    csrf = sign_in(client, "gd.duty")
    page = client.get("/warnings/new").text
    category = re.findall(r'id="category".*?</select>', page, re.S)[0]
    form = {
        "csrf_token": csrf,
        "colour": "orange",
        "category": re.findall(r'<option value="([^"]+)"', category)[0],
        "audience": audience,
        "title_zh": title,
        "title_en": "Ransomware against power utilities",
        "description_zh": "发现针对供电企业的勒索软件活动。",
        "description_en": "Ransomware activity against power utilities.",
        "measures_zh": "离线备份关键数据，封禁已知恶意地址。",
        "measures_en": "Keep offline backups; block the known addresses.",
        "regions": "440000",
        "sectors": ["energy"],
    }
    if exercise:
        form["exercise"] = "1"
    drafted = client.post("/warnings", data=form)
    assert drafted.status_code == 303, re.findall(r"field-error[^>]*>([^<]*)", drafted.text)
    url = str(drafted.headers["location"])
    assert client.post(url + "/submit", data={"csrf_token": csrf}).status_code == 303
    csrf = sign_in(client, "gd.leader")
    assert client.post(url + "/approve", data={"csrf_token": csrf}).status_code == 303
    assert client.post(url + "/publish", data={"csrf_token": csrf}).status_code == 303
    return url


def test_a_published_public_warning_reaches_the_portal_and_the_feed(client: TestClient) -> None:
    url = _publish(client, "电力行业勒索软件橙色预警", audience="public", exercise=False)
    assert "已发布" in client.get(url).text
    portal = client.get("/public").text
    assert "电力行业勒索软件橙色预警" in portal and "橙色预警（严重）" in portal
    identifier = re.search(r'href="/public/warnings/(FH-W-[^"]+)"', portal)
    assert identifier
    page = client.get(f"/public/warnings/{identifier.group(1)}").text
    assert "离线备份关键数据" in page and ".cap" in page
    assert identifier.group(1) in client.get("/public/warnings.atom").text


def test_exercise_and_department_warnings_never_reach_public_outputs(client: TestClient) -> None:
    _publish(client, "演练：电网勒索软件预警", audience="public", exercise=True)
    _publish(client, "部门内部：电网勒索软件预警", audience="departments", exercise=False)
    client.cookies.clear()
    for path in ("/public", "/public/warnings", "/public/warnings.atom"):
        text = client.get(path).text
        assert "演练：电网勒索软件预警" not in text, path
        assert "部门内部：电网勒索软件预警" not in text, path


def test_an_operator_may_not_draft_and_a_province_may_not_issue_red(client: TestClient) -> None:
    sign_in(client, "op.szpower")
    assert client.get("/warnings/new").status_code == 403
    csrf = sign_in(client, "gd.duty")
    page = client.get("/warnings/new").text
    category = re.findall(
        r'<option value="([^"]+)"', re.findall(r'id="category".*?</select>', page, re.S)[0]
    )[0]
    refused = client.post(
        "/warnings",
        data={
            "csrf_token": csrf,
            "colour": "red",
            "category": category,
            "audience": "public",
            "title_zh": "红色预警",
            "title_en": "Red warning",
            "description_zh": "说明",
            "description_en": "Description",
            "measures_zh": "措施",
            "measures_en": "Measures",
            "regions": "440000",
        },
    )
    assert refused.status_code == 403 and "warning-issuer-level" in refused.text
