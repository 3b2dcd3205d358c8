"""The detection worker on the in-process bus: each ingested batch handled once, acked after."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.audit import service as audit_service
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.bus import DEAD_LETTER_ROOT, InProcessBus
from fenghuo.bus.relay import relay_once
from fenghuo.detection import flows, worker
from fenghuo.detection.models import Detection, DetectionBatch
from fenghuo.monitoring import flows as monitoring_flows
from fenghuo.monitoring import pipeline
from fenghuo.settings import Settings
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests.bus.helpers import Inbox, eventually, run_in_own_thread
from tests.detection import ingested
from tests.factories.accounts import make_world


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'worker.db'}")
    upgrade(engine)
    return sessionmaker(engine)


def _count(sessions: sessionmaker[Session], column: object) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


def test_the_starter_rules_all_compile() -> None:
    engine = worker.load_engine()
    assert engine.issues == []
    assert len(engine.rules) >= 10
    assert all(rule.author for rule in engine.rules)


def test_published_batches_become_detections_once(
    sessions: sessionmaker[Session], settings: Settings, policy: Policy, system_actor: Actor
) -> None:
    with sessions.begin() as session:
        world = make_world(session)
        source = ingested.make_source(session, system_actor, world.energy_op_gd, "gd-worker")
        batch_ids = [
            ingested.ingest(
                session,
                system_actor,
                settings,
                source,
                [ingested.encoded_powershell(n=i), ingested.harmless(n=i)],
            )
            for i in range(5)
        ]

    async def scenario() -> None:
        bus = InProcessBus()
        await bus.connect()
        dead = Inbox()
        await bus.subscribe(f"{DEAD_LETTER_ROOT}.>", durable="dead", handler=dead)
        subscription = await worker.subscribe_detect(
            bus,
            sessions=sessions,
            settings=settings,
            policy=policy,
            engine=worker.load_engine(),
        )
        for batch_id in [*batch_ids, batch_ids[0]]:  # the first one twice
            await bus.publish(worker.SUBJECT, {"batch_id": batch_id})
        await bus.publish(worker.SUBJECT, {"no": "batch"})
        await eventually(lambda: _count(sessions, DetectionBatch.batch_id) == 5, timeout=20)
        await eventually(lambda: len(dead.messages) == 1, timeout=5)
        await subscription.close()
        await bus.close()

    run_in_own_thread(scenario())
    assert _count(sessions, Detection.id) == 5
    with sessions() as session:
        runs = session.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.action == flows.PROCESS)
        )
        assert runs == 5
        assert audit_service.verify(session=session).ok


def test_the_ingest_flow_and_the_relay_feed_the_worker(
    sessions: sessionmaker[Session], settings: Settings, policy: Policy, system_actor: Actor
) -> None:
    """End to end on the embedded shape: ingest -> outbox -> relay -> worker -> detections."""
    with sessions.begin() as session:
        world = make_world(session)
        owner_id = world.energy_op_gd.id
        source = ingested.make_source(session, system_actor, world.energy_op_gd, "gd-e2e")
        body = b"\n".join(
            orjson.dumps(e) for e in (ingested.encoded_powershell(n=1), ingested.harmless(n=2))
        )
        monitoring_flows.ingest_events(
            session=session,
            actor=system_actor,
            settings=settings,
            source=source,
            lines=pipeline.split_lines(body),
            origin="test",
        )

    async def scenario() -> None:
        bus = InProcessBus()
        await bus.connect()
        subscription = await worker.subscribe_detect(
            bus, sessions=sessions, settings=settings, policy=policy, engine=worker.load_engine()
        )
        await relay_once(sessions, bus)
        await eventually(lambda: _count(sessions, Detection.id) == 1, timeout=20)
        await subscription.close()
        await bus.close()

    run_in_own_thread(scenario())
    with sessions() as session:
        detection = session.scalars(select(Detection)).one()
        assert detection.owner_org_id == owner_id
