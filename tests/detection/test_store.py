"""The detection pipeline on both databases: stored once, grouped, audited, announced."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo.audit import service as audit_service
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy, VisibilityScope
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.detection import flows, service
from fenghuo.detection.engine import Engine
from fenghuo.detection.models import Detection
from fenghuo.detection.worker import load_engine
from fenghuo.errors import NotFound
from fenghuo.settings import Settings
from tests.detection import ingested
from tests.factories.accounts import make_world

ALL = VisibilityScope(kind="all", org_id=None, org_path=None)


@pytest.fixture(scope="module")
def rules() -> Engine:
    return load_engine()


def _worker(policy: Policy) -> Actor:
    return Actor.system(policy, label=flows.ACTOR_LABEL)


def test_a_batch_becomes_detections_with_rule_author_tags_and_owner(
    session: Session, system_actor: Actor, policy: Policy, settings: Settings, rules: Engine
) -> None:
    world = make_world(session)
    source = ingested.make_source(session, system_actor, world.energy_op_gd, "gd-sysmon")
    events = [ingested.encoded_powershell(n=1), ingested.harmless(n=2)]
    batch_id = ingested.ingest(session, system_actor, settings, source, events)

    processed = flows.process_batch(
        session=session, actor=_worker(policy), settings=settings, engine=rules, batch_id=batch_id
    )

    assert (processed.events, processed.detections, processed.repeated) == (2, 1, False)
    detection = session.scalars(select(Detection)).one()
    assert detection.rule_title == "Suspicious PowerShell encoded command"
    assert detection.rule_author == "Fenghuo project"
    assert detection.level == "high"
    assert "attack.t1059.001" in detection.tags
    assert detection.host == "ws1.example.cn"
    assert detection.owner_org_id == world.energy_op_gd.id
    assert detection.owner_sector == "energy"
    assert detection.event_time == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert detection.excerpt["fields"]["CommandLine"] == "powershell.exe -nop -enc SQBFAFgA"
    assert detection.excerpt["process_image"].endswith("powershell.exe")
    record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert record is not None and record.action == flows.PROCESS
    assert record.actor_label == flows.ACTOR_LABEL
    notices = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == flows.CREATED)
    ).all()
    assert [n.payload["batch_id"] for n in notices] == [batch_id]
    assert audit_service.verify(session=session).ok


def test_processing_a_batch_twice_changes_nothing(
    session: Session, system_actor: Actor, policy: Policy, settings: Settings, rules: Engine
) -> None:
    world = make_world(session)
    source = ingested.make_source(session, system_actor, world.energy_op_gd, "gd-twice")
    batch_id = ingested.ingest(
        session, system_actor, settings, source, [ingested.encoded_powershell(n=1)]
    )
    actor = _worker(policy)
    flows.process_batch(
        session=session, actor=actor, settings=settings, engine=rules, batch_id=batch_id
    )
    audits = session.scalar(select(func.count(AuditRecord.id)))
    again = flows.process_batch(
        session=session, actor=actor, settings=settings, engine=rules, batch_id=batch_id
    )
    assert again.repeated and again.detections == 1
    assert session.scalar(select(func.count(Detection.id))) == 1
    assert session.scalar(select(func.count(AuditRecord.id))) == audits


def test_a_stored_pair_is_never_stored_again(
    session: Session, system_actor: Actor, settings: Settings, rules: Engine
) -> None:
    world = make_world(session)
    source = ingested.make_source(session, system_actor, world.energy_op_gd, "gd-pairs")
    event = ingested.encoded_powershell(n=7)
    first = ingested.ingest(session, system_actor, settings, source, [event])
    second = ingested.ingest(session, system_actor, settings, source, [event, event])
    for batch_id in (first, second):
        flows.process_batch(
            session=session, actor=system_actor, settings=settings, engine=rules, batch_id=batch_id
        )
    assert session.scalar(select(func.count(Detection.id))) == 1


def test_groups_give_one_line_per_rule_host_and_hour(
    session: Session, system_actor: Actor, settings: Settings, rules: Engine
) -> None:
    world = make_world(session)
    source = ingested.make_source(session, system_actor, world.energy_op_gd, "gd-groups")
    events = [ingested.encoded_powershell(minute=m, n=m) for m in (1, 5, 59)]
    events.append(ingested.encoded_powershell(host="ws2.example.cn", minute=3, n=100))
    batch_id = ingested.ingest(session, system_actor, settings, source, events)
    flows.process_batch(
        session=session, actor=system_actor, settings=settings, engine=rules, batch_id=batch_id
    )
    nothing = service.DetectionFilter()
    lines = service.groups(session=session, scope=ALL, detection_filter=nothing)
    assert service.count_groups(session=session, scope=ALL, detection_filter=nothing) == 2
    by_host = {line.host: line for line in lines}
    ws1 = by_host["ws1.example.cn"]
    assert ws1.count == 3
    assert ws1.first_seen == datetime(2026, 3, 1, 10, 1, tzinfo=UTC)
    assert ws1.last_seen == datetime(2026, 3, 1, 10, 59, tzinfo=UTC)
    assert ws1.rule_author == "Fenghuo project"
    assert by_host["ws2.example.cn"].count == 1


def test_lists_follow_visibility_and_filters(
    session: Session, system_actor: Actor, settings: Settings, rules: Engine
) -> None:
    world = make_world(session)
    source = ingested.make_source(session, system_actor, world.energy_op_gd, "gd-scope")
    batch_id = ingested.ingest(
        session, system_actor, settings, source, [ingested.encoded_powershell(n=1)]
    )
    flows.process_batch(
        session=session, actor=system_actor, settings=settings, engine=rules, batch_id=batch_id
    )
    own = VisibilityScope(
        kind="self", org_id=world.energy_op_gd.id, org_path=world.energy_op_gd.path
    )
    finance = world.finance_op_sh
    other = VisibilityScope(kind="self", org_id=finance.id, org_path=finance.path)
    nothing = service.DetectionFilter()
    assert len(service.list_(session=session, scope=own, detection_filter=nothing)) == 1
    assert service.list_(session=session, scope=other, detection_filter=nothing) == []
    low = service.DetectionFilter(level="low")
    assert service.count(session=session, scope=ALL, detection_filter=low) == 0


def test_an_unknown_batch_is_not_found(
    session: Session, system_actor: Actor, settings: Settings, rules: Engine
) -> None:
    with pytest.raises(NotFound):
        flows.process_batch(
            session=session, actor=system_actor, settings=settings, engine=rules, batch_id="nope"
        )
