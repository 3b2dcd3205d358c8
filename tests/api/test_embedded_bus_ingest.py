"""The embedded server consumes events published on the bus: archived, then detected.

The app's lifespan starts the ingest consumer (``monitoring.events.submit.*``) beside the
detection worker, as ``fenghuo worker ingest`` does on NATS.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import select

from fenghuo.api.app import create_app
from fenghuo.monitoring import archive, consumers
from fenghuo.monitoring import flows as monitoring_flows
from fenghuo.monitoring.models import Asset, IngestBatch
from fenghuo.monitoring.schemas import SourceCreate
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from fenghuo.store.migrations import upgrade
from tests.api.test_embedded_pipeline import CERTUTIL
from tests.factories.accounts import TEST_PASSWORD, make_user, make_world


def test_events_published_on_the_bus_are_archived_and_detected(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test-secret-key-not-for-production")
    platform = Platform.build(settings)
    upgrade(platform.engine)
    with platform.transaction() as session:
        world = make_world(session)
        make_user(session, org=world.national, username="nat.hunter", roles=["analyst"])
        session.add(Asset(org_id=world.energy_op_gd.id, kind="host", value="ws1"))
        monitoring_flows.create_source(
            session=session,
            actor=platform.system_actor(),
            source_in=SourceCreate(name="gd-bus", kind="feed", owner_org_id=world.energy_op_gd.id),
        )
    body = orjson.dumps(CERTUTIL) + b"\nnot json\n"
    with TestClient(create_app(platform=platform)) as client:
        assert client.portal is not None
        publish = functools.partial(platform.bus.publish, message_id="bus-1")
        client.portal.call(publish, f"{consumers.SUBMIT}.gd-bus", body)
        token = client.post(
            "/api/v1/auth/token", data={"username": "nat.hunter", "password": TEST_PASSWORD}
        ).json()["access_token"]
        deadline, found = time.monotonic() + 20, []
        while time.monotonic() < deadline and not found:
            time.sleep(0.2)
            answer = client.get("/api/v1/detections", headers={"Authorization": f"Bearer {token}"})
            found = answer.json()["items"]
    assert [item["rule_title"] for item in found] == ["Certutil used to download a file"]
    with platform.transaction() as session:
        batch = session.scalars(select(IngestBatch)).one()
        assert (batch.origin, batch.accepted, batch.rejected) == ("bus:bus-1", 1, 1)
    events = archive.read_events(archive.events_root(settings.data_dir))
    assert events.column("host").to_pylist() == ["ws1"]
