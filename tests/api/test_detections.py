"""GET /api/v1/detections: lists, groups and one detection, each within the reader's visibility."""

from __future__ import annotations

from typing import Any

import pytest

from fenghuo.detection import flows
from fenghuo.detection.worker import load_engine
from tests.api.conftest import Api, assert_problem
from tests.detection import ingested

URL = "/api/v1/detections"


@pytest.fixture(scope="module")
def detected(api: Api) -> str:
    """One batch of three events on ws1 (Shenzhen Power): two detections; the batch id."""
    platform = api.platform
    actor = platform.system_actor(label="test")
    with platform.transaction() as session:
        org = api.world.energy_op_gd
        source = ingested.make_source(session, actor, org, "api-detections")
        events = [
            ingested.encoded_powershell(n=1, minute=1),
            ingested.encoded_powershell(n=2, minute=2),
            ingested.sysmon_process("C:\\Temp\\m.exe", "m.exe sekurlsa::logonpasswords", n=3),
            ingested.harmless(n=4),
        ]
        batch_id = ingested.ingest(session, actor, platform.settings, source, events)
        flows.process_batch(
            session=session,
            actor=actor,
            settings=platform.settings,
            engine=load_engine(),
            batch_id=batch_id,
        )
    return batch_id


def _items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_staff_of_visible_organisations_see_the_detections(api: Api, detected: str) -> None:
    for username in ("nat-admin", "energy-admin", "sz-staff", "gd-admin"):
        items = _items(api.get(username, URL))
        assert len(items) == 3, username
        assert {item["batch_id"] for item in items} == {detected}
        assert all(item["rule_author"] == "Fenghuo project" for item in items)
        assert "excerpt" not in items[0]


def test_others_see_none_and_viewers_may_not_ask(api: Api, detected: str) -> None:
    assert _items(api.get("bank-staff", URL)) == []
    assert _items(api.get("cert-analyst", URL)) == []
    assert_problem(api.get("nat-viewer", URL), 403)


def test_filters_narrow_the_list(api: Api, detected: str) -> None:
    critical = _items(api.get("nat-admin", URL, params={"level": "critical"}))
    assert [item["rule_title"] for item in critical] == ["Mimikatz command keywords"]
    rule = critical[0]["rule_id"]
    assert len(_items(api.get("nat-admin", URL, params={"rule": rule}))) == 1
    org = api.world.energy_op_gd.id
    assert len(_items(api.get("nat-admin", URL, params={"org": org}))) == 3
    later = {"since": "2026-03-01T10:01:30Z"}
    assert len(_items(api.get("nat-admin", URL, params=later))) == 1  # 10:02 only
    assert api.get("nat-admin", URL, params={"level": "severe"}).status_code == 422


def test_groups_give_one_line_per_rule_host_and_hour(api: Api, detected: str) -> None:
    lines = _items(api.get("energy-admin", f"{URL}/groups"))
    by_title = {line["rule_title"]: line for line in lines}
    powershell = by_title["Suspicious PowerShell encoded command"]
    assert powershell["count"] == 2
    assert powershell["host"] == "ws1.example.cn"
    assert powershell["first_seen"].startswith("2026-03-01T10:01:00")
    assert powershell["last_seen"].startswith("2026-03-01T10:02:00")
    assert by_title["Mimikatz command keywords"]["count"] == 1
    assert _items(api.get("bank-staff", f"{URL}/groups")) == []


def test_one_detection_shows_its_event_within_visibility(api: Api, detected: str) -> None:
    first = _items(api.get("sz-staff", URL, params={"level": "critical"}))[0]
    response = api.get("sz-staff", f"{URL}/{first['id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["excerpt"]["fields"]["CommandLine"] == "m.exe sekurlsa::logonpasswords"
    assert body["owner_org_id"] == api.world.energy_op_gd.id
    assert "attack.t1003" in body["tags"]
    assert_problem(api.get("bank-staff", f"{URL}/{first['id']}"), 403)
    assert_problem(api.get("nat-admin", f"{URL}/no-such-detection"), 404)
