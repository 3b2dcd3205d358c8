"""The rulebook and hunting pages: import, versions, enable/disable; read-only SQL."""

from __future__ import annotations

import io
import re
import zipfile

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in

RULE = """title: Whoami run by a web server
id: 6c2f5b0e-1a11-4c55-9b7e-000000000001
status: test
author: Fenghuo tests
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\\\whoami.exe'
        ParentImage|endswith: '\\\\w3wp.exe'
    condition: selection
level: high
"""
BROKEN = "title: Broken\nlogsource: {product: windows}\ndetection: {condition: missing}\n"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _import(client: TestClient, csrf: str, name: str, data: bytes) -> tuple[int, str]:
    response = client.post(
        "/rules/import",
        data={"csrf_token": csrf},
        files={"files": (name, data, "application/octet-stream")},
    )
    return response.status_code, response.text


def test_an_analyst_imports_versions_and_disables_a_rule(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "analyst")
    status, page = _import(
        app_client, csrf, "rules.zip", _zip({"web/whoami.yml": RULE, "broken.yml": BROKEN})
    )
    assert status == 200, page[-2000:]
    # A rule that does not compile is kept, with its reason, and never run.
    assert "新增 2 条" in page and "1 条无法编译" in page
    assert "No detections defined" in page

    listing = app_client.get("/rules?q=Whoami").text
    link = re.search(r'href="(/rules/[^"]+)">Whoami run by a web server', listing)
    assert link, listing[-3000:]
    changed = RULE.replace("level: high", "level: critical")
    status, page = _import(app_client, csrf, "whoami.yml", changed.encode())
    assert status == 200 and "新版本 1 条" in page
    detail = app_client.get(link.group(1)).text
    assert "Fenghuo tests" in detail
    diff = re.search(r'href="([^"]+old=1&(?:amp;)?new=2[^"]*)"', detail)
    assert diff
    shown = app_client.get(diff.group(1).replace("&amp;", "&")).text
    assert "-level: high" in shown and "+level: critical" in shown

    refused = app_client.post(
        link.group(1) + "/toggle", data={"csrf_token": csrf, "enabled": "0", "reason": ""}
    )
    assert refused.status_code == 422
    done = app_client.post(
        link.group(1) + "/toggle",
        data={"csrf_token": csrf, "enabled": "0", "reason": "误报过多"},
    )
    assert done.status_code == 303
    assert "已停用" in app_client.get(link.group(1)).text


def test_a_zip_that_climbs_out_of_its_folder_imports_nothing(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "analyst")
    status, page = _import(app_client, csrf, "evil.zip", _zip({"../evil.yml": RULE}))
    assert status == 422 and "未导入任何内容" in page


def test_operators_do_not_see_the_rulebook(app_client: TestClient) -> None:
    sign_in(app_client, "op.szpower")
    assert app_client.get("/rules").status_code == 403


def test_hunting_runs_one_select_and_refuses_anything_else(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "analyst")
    form = app_client.get("/hunting").text
    since = re.search(r'id="since"[^>]*value="([^"]+)"', form)
    until = re.search(r'id="until"[^>]*value="([^"]+)"', form)
    assert since and until
    fields = {"csrf_token": csrf, "since": since.group(1), "until": until.group(1)}
    ran = app_client.post(
        "/hunting", data={**fields, "sql": "SELECT count(*) AS n FROM events", "max_rows": "10"}
    )
    assert ran.status_code == 200 and 'id="hunt-result"' in ran.text
    refused = app_client.post(
        "/hunting", data={**fields, "sql": "DROP TABLE events", "max_rows": "10"}
    )
    assert refused.status_code == 422 and "只能执行 SELECT 查询" in refused.text
