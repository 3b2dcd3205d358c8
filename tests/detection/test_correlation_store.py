"""Correlation rules online: windows span ingest batches, state lives in the database, and a
correlation match is stored once whatever is redelivered (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.detection import flows, worker
from fenghuo.detection.correlation_models import CorrelationHit
from fenghuo.detection.engine import Engine
from fenghuo.detection.models import Detection
from fenghuo.settings import Settings
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests import services
from tests.detection import ingested
from tests.factories.accounts import make_world

BASE = """title: whoami run
id: 30000000-0000-4000-8000-000000000001
name: whoami
author: Fenghuo tests
logsource: {category: process_creation, product: windows}
detection:
  s:
    Image|endswith: '\\whoami.exe'
  condition: s
---
title: net run
id: 30000000-0000-4000-8000-000000000002
name: net
author: Fenghuo tests
logsource: {category: process_creation, product: windows}
detection:
  s:
    Image|endswith: '\\net.exe'
  condition: s
"""
COUNT_ID = "40000000-0000-4000-8000-000000000001"


def head(rid: str, title: str) -> str:
    return f"title: {title}\nid: {rid}\nauthor: Fenghuo tests\nlevel: high\ncorrelation:\n"


RECON_BURST = head(COUNT_ID, "Recon burst") + (
    "  type: event_count\n  rules: [whoami]\n  group-by: [Computer]\n  timespan: 5m\n"
    "  condition: {gte: 3}\n"
)
RECON_USERS = head("40000000-0000-4000-8000-000000000002", "Recon by many users") + (
    "  type: value_count\n  rules: [whoami, net]\n  group-by: [Computer]\n  timespan: 10m\n"
    "  condition: {field: User, gte: 2}\n"
)
RECON_ORDER = head("40000000-0000-4000-8000-000000000003", "whoami then net") + (
    "  type: temporal_ordered\n  rules: [whoami, net]\n  group-by: [Computer]\n  timespan: 5m\n"
)
RECON_BOTH = head("40000000-0000-4000-8000-000000000004", "whoami and net") + (
    "  type: temporal\n  rules: [whoami, net]\n  group-by: [Computer]\n  timespan: 5m\n"
)


def make_engine_from(tmp_path: Path, correlation: str) -> Engine:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "r.yml").write_text(correlation + "---\n" + BASE)
    engine = Engine.from_paths([folder])
    assert engine.issues == []
    return engine


def whoami(minute: int, host: str = "ws1.example.cn", user: str = "EXAMPLE\\li") -> dict[str, Any]:
    event = ingested.sysmon_process(
        "C:\\Windows\\System32\\whoami.exe", "whoami /all", host=host, minute=minute, n=minute
    )
    event["Event"]["EventData"]["User"] = user
    return event


def net(minute: int, host: str = "ws1.example.cn", user: str = "EXAMPLE\\li") -> dict[str, Any]:
    event = ingested.sysmon_process(
        "C:\\Windows\\System32\\net.exe", "net user", host=host, minute=minute, n=1000 + minute
    )
    event["Event"]["EventData"]["User"] = user
    return event


class Pipeline:
    """Ingest and detect batch by batch for one engine and one source."""

    def __init__(
        self, session: Session, actor: Actor, settings: Settings, engine: Engine, name: str
    ) -> None:
        world = make_world(session)
        self.session, self.actor, self.settings, self.engine = session, actor, settings, engine
        self.source = ingested.make_source(session, actor, world.energy_op_gd, name)

    def ingest(self, events: list[dict[str, Any]]) -> str:
        return ingested.ingest(self.session, self.actor, self.settings, self.source, events)

    def process(self, batch_id: str) -> flows.Processed:
        return flows.process_batch(
            session=self.session,
            actor=self.actor,
            settings=self.settings,
            engine=self.engine,
            batch_id=batch_id,
        )

    def run(self, events: list[dict[str, Any]]) -> flows.Processed:
        return self.process(self.ingest(events))

    def detections(self) -> list[Detection]:
        return list(self.session.scalars(select(Detection).order_by(Detection.event_time)))


@pytest.fixture
def pipeline_for(session: Session, system_actor: Actor, settings: Settings, tmp_path: Path) -> Any:
    def make(correlation: str, name: str = "gd-corr") -> Pipeline:
        return Pipeline(
            session, system_actor, settings, make_engine_from(tmp_path, correlation), name
        )

    return make


def test_event_count_spans_batches_and_stores_one_detection(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_BURST)
    assert run.run([whoami(0), whoami(1)]).detections == 0
    assert run.run([whoami(2), ingested.harmless(minute=2, n=9)]).detections == 1
    [found] = run.detections()
    assert found.rule_id == COUNT_ID
    assert found.rule_title == "Recon burst"
    assert found.level == "high"
    assert found.host == "ws1.example.cn"
    assert found.owner_sector == "energy"
    details = found.excerpt["correlation"]
    assert details["type"] == "event_count"
    assert details["group"] == {"Computer": "ws1.example.cn"}
    assert details["count"] == 3
    assert len(details["events"]) == 3 and details["events"][-1] == found.event_id
    assert found.excerpt["fields"]["Image"].endswith("whoami.exe")
    # The window's hits were consumed: nothing pending.
    assert run.session.scalar(select(func.count(CorrelationHit.id))) == 0


def test_generate_false_keeps_the_base_rule_out_of_detections(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_BURST)
    run.run([whoami(0), net(1)])
    assert [d.rule_title for d in run.detections()] == ["net run"]


def test_just_inside_the_timespan_fires_and_just_outside_does_not(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_BURST)
    run.run([whoami(0), whoami(1)])
    run.run([whoami(7)])  # 7 - 1 > 5 minutes: a window of one
    assert run.detections() == []
    run.run([whoami(11)])  # 11, 7: two in the window
    assert run.detections() == []
    run.run([whoami(12)])  # 12 - 7 = 5 minutes: inside
    assert [d.event_time.minute for d in run.detections()] == [12]


def test_groups_are_counted_apart(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_BURST)
    run.run([whoami(0), whoami(1, host="ws2.example.cn")])
    run.run([whoami(2), whoami(3, host="ws2.example.cn")])
    assert run.detections() == []
    run.run([whoami(4, host="ws2.example.cn")])
    [found] = run.detections()
    assert found.excerpt["correlation"]["group"] == {"Computer": "ws2.example.cn"}


def test_redelivered_batch_stores_nothing_twice(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_BURST)
    run.run([whoami(0), whoami(1)])
    batch_id = run.ingest([whoami(2)])
    run.process(batch_id)
    hits = run.session.scalar(select(func.count(CorrelationHit.id)))
    again = run.process(batch_id)
    assert again.repeated
    assert len(run.detections()) == 1
    assert run.session.scalar(select(func.count(CorrelationHit.id))) == hits


def test_batches_out_of_time_order_give_the_same_match(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_BURST)
    run.run([whoami(4)])
    run.run([whoami(0)])
    assert run.detections() == []
    run.run([whoami(2)])
    [found] = run.detections()
    assert found.event_time.minute == 4  # the latest event completes the window


def test_value_count_online(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_USERS)
    run.run([whoami(0, user="EXAMPLE\\li"), net(1, user="EXAMPLE\\li")])
    assert run.detections() == []
    run.run([net(3, user="EXAMPLE\\wang")])
    [found] = run.detections()
    assert found.excerpt["correlation"]["values"] == ["EXAMPLE\\li", "EXAMPLE\\wang"]


def test_temporal_ordered_online(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_ORDER)
    run.run([net(0)])
    run.run([whoami(1)])
    assert run.detections() == []
    run.run([net(3)])
    [found] = run.detections()
    assert found.event_time.minute == 3
    assert len(found.excerpt["correlation"]["events"]) == 2


def test_temporal_online_any_order(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_BOTH)
    run.run([net(0)])
    run.run([whoami(4)])
    [found] = run.detections()
    assert found.excerpt["correlation"]["count"] == 2


def test_hits_older_than_the_timespan_are_retired(pipeline_for: Any) -> None:
    run = pipeline_for(RECON_BURST)
    run.run([whoami(0), whoami(1, host="ws2.example.cn")])
    assert run.session.scalar(select(func.count(CorrelationHit.id))) == 2
    run.run([whoami(30, host="ws3.example.cn")])
    times = run.session.scalars(select(CorrelationHit.event_time)).all()
    assert [t.minute for t in times] == [30]


@pytest.mark.postgres
def test_two_workers_on_one_group_count_every_hit_once(
    postgres_url: str, tmp_path: Path, policy: Policy
) -> None:
    """Twelve batches of one whoami each, shared by two threads: exactly four matches of 3."""
    database = services._fresh_database(postgres_url)
    db = make_engine(database)
    upgrade(db)
    sessions = sessionmaker(db)
    settings = Settings(data_dir=tmp_path / "var", secret_key="two-workers-secret-key-0123")
    rules = make_engine_from(tmp_path, RECON_BURST.replace("timespan: 5m", "timespan: 1h"))
    system = Actor.system(policy, label="test-system")
    with sessions.begin() as session:
        world = make_world(session)
        source = ingested.make_source(session, system, world.energy_op_gd, "gd-two")
        batch_ids = [
            ingested.ingest(session, system, settings, source, [whoami(m)]) for m in range(12)
        ]
    worker_actor = Actor.system(policy, label=flows.ACTOR_LABEL)

    def work(mine: list[str]) -> None:
        for batch_id in mine:
            worker.process_message(
                sessions=sessions,
                settings=settings,
                actor=worker_actor,
                engine=rules,
                batch_id=batch_id,
            )

    threads = [threading.Thread(target=work, args=(batch_ids[k::2],)) for k in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions() as session:
        found = session.scalars(select(Detection).where(Detection.rule_id == COUNT_ID)).all()
        events = [e for d in found for e in d.excerpt["correlation"]["events"]]
        assert len(found) == 4
        assert len(events) == len(set(events)) == 12
        assert session.scalar(select(func.count(CorrelationHit.id))) == 0
    db.dispose()


def test_a_correlation_of_a_correlation_online(pipeline_for: Any) -> None:
    chained = head("40000000-0000-4000-8000-000000000009", "Burst then net") + (
        "  type: temporal_ordered\n  rules: [burst, net]\n  group-by: [Computer]\n"
        "  timespan: 10m\n---\n"
    )
    burst = RECON_BURST.replace("title: Recon burst", "title: Recon burst\nname: burst")
    run = pipeline_for(chained + burst)
    run.run([whoami(0), whoami(1)])
    run.run([whoami(2)])  # the burst completes here (hidden: read by the outer rule only)
    assert run.detections() == []
    run.run([net(4)])
    [found] = run.detections()
    assert found.rule_title == "Burst then net"
    assert found.event_time.minute == 4
    assert len(found.excerpt["correlation"]["events"]) == 2
