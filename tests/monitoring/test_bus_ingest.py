"""Events published on ``monitoring.events.submit.<source>``: ingested once, bad ones set aside."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.bus import InProcessBus
from fenghuo.monitoring import archive, consumers, flows
from fenghuo.monitoring.formats import Rejected
from fenghuo.monitoring.models import IngestBatch
from fenghuo.monitoring.schemas import SourceCreate
from fenghuo.settings import Settings
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests.bus.helpers import eventually, run_in_own_thread
from tests.factories.accounts import make_world
from tests.monitoring import samples

BODY = samples.line(samples.windows_flat()) + b"\nnot json\n" + samples.SYSLOG_5424


@pytest.fixture
def sessions(tmp_path: Path, system_actor: Actor) -> sessionmaker[Session]:
    """A fresh SQLite database holding a world and the source ``gd-bus``."""
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'bus.db'}")
    upgrade(engine)
    factory = sessionmaker(engine)
    with factory.begin() as session:
        org = make_world(session).energy_op_gd
        source_in = SourceCreate(name="gd-bus", kind="feed", owner_org_id=org.id)
        flows.create_source(session=session, actor=system_actor, source_in=source_in)
    return factory


def _batches(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(IngestBatch.id))) or 0


def test_a_redelivered_message_is_ingested_once(
    sessions: sessionmaker[Session], settings: Settings, policy: Policy
) -> None:
    def send(data: bytes, message_id: str, source: str = "gd-bus") -> consumers.Received:
        return consumers.ingest_message(
            sessions=sessions,
            settings=settings,
            policy=policy,
            subject=f"{consumers.SUBMIT}.{source}",
            data=data,
            message_id=message_id,
        )

    first, again = send(BODY, "m1"), send(BODY, "m1")
    assert first.batch_id == again.batch_id and (first.accepted, first.rejected) == (2, 1)
    assert (first.repeated, again.repeated) == (False, True)
    assert _batches(sessions) == 1
    assert send(gzip.compress(BODY), "m2").accepted == 2
    assert _batches(sessions) == 2
    with pytest.raises(Rejected, match="no active source is called 'nobody'"):
        send(BODY, "m3", "nobody")


def test_the_consumer_group_ingests_from_the_bus(
    sessions: sessionmaker[Session], settings: Settings, policy: Policy
) -> None:
    async def scenario() -> None:
        bus = InProcessBus()
        await bus.connect()
        try:
            await consumers.subscribe_ingest(
                bus, sessions=sessions, settings=settings, policy=policy
            )
            await bus.publish(f"{consumers.SUBMIT}.gd-bus", BODY, message_id="x1")
            await bus.publish(f"{consumers.SUBMIT}.unknown", BODY, message_id="x2")
            await eventually(lambda: _batches(sessions) == 1)
        finally:
            await bus.close()

    run_in_own_thread(scenario())
    table = archive.read_events(archive.events_root(settings.data_dir))
    assert sorted(table.column("format").to_pylist()) == ["syslog_5424", "windows_json"]
