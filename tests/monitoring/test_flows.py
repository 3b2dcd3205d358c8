"""Source and ingest flows against both databases: authorised, audited, announced, whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.models import User
from fenghuo.accounts.passwords import verify_password
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import Conflict, Refused
from fenghuo.monitoring import archive, flows, pipeline
from fenghuo.monitoring.models import IngestBatch, Source
from fenghuo.monitoring.schemas import SourceCreate, SourceUpdate
from fenghuo.settings import Settings
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests.factories.accounts import World, make_user, make_world
from tests.monitoring import samples

API = frozenset({CredentialKind.api})
BODY = b"\n".join(
    [samples.line(samples.evtx_process()), b"not json", samples.line(samples.suricata_alert())]
)


def _source(session: Session, actor: Actor, world: World, name: str) -> tuple[Source, str]:
    source_in = SourceCreate(name=name, kind="shipper", owner_org_id=world.energy_op_gd.id)
    return flows.create_source(session=session, actor=actor, source_in=source_in)


def _sender(session: Session, policy: Policy, secret: str) -> Actor:
    found = credentials.authenticate(session=session, policy=policy, secret=secret, kinds=API)
    assert found is not None
    return found[0]


def test_a_source_gets_a_service_account_and_an_ingest_only_token(
    session: Session, system_actor: Actor, policy: Policy
) -> None:
    world = make_world(session)
    source, secret = _source(session, system_actor, world, "gd-sysmon")
    user = session.get(User, source.service_user_id)
    assert user is not None and user.org_id == world.energy_op_gd.id
    assert user.roles == ["operator_staff"]
    assert not verify_password(user.password_hash, secret)
    sender = _sender(session, policy, secret)
    assert sender.token_scopes == frozenset({"monitoring.events.ingest"})
    record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert record is not None and record.action == "monitoring.sources.manage"
    assert secret not in f"{record.details} {record.summary}"
    with pytest.raises(Conflict):
        _source(session, system_actor, world, "gd-sysmon")


def test_only_administrators_within_visibility_register_sources(
    session: Session, policy: Policy
) -> None:
    world = make_world(session)
    outsider = make_user(
        session, org=world.finance_op_sh, username="sh-admin", roles=["administrator"]
    )
    actor = credentials.actor_for(outsider, policy)
    with pytest.raises(Refused) as refused:
        _source(session, actor, world, "not-mine")
    assert refused.value.rule == "out-of-scope"


def test_ingest_archives_good_lines_and_records_the_batch(
    session: Session, system_actor: Actor, policy: Policy, settings: Settings
) -> None:
    world = make_world(session)
    source, secret = _source(session, system_actor, world, "gd-mixed")
    ingested = flows.ingest_events(
        session=session,
        actor=_sender(session, policy, secret),
        settings=settings,
        source=source,
        lines=pipeline.split_lines(BODY),
        origin="test",
    )
    assert (ingested.batch.accepted, ingested.batch.rejected) == (2, 1)
    assert ingested.result.errors[0].line == 2
    assert ingested.days == ["2026-03-01", "2026-03-02"]
    table = archive.read_events(archive.events_root(settings.data_dir))
    assert sorted(table.column("format").to_pylist()) == ["evtx_json", "suricata_eve"]
    assert session.get(IngestBatch, ingested.batch.id) is not None
    notice = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == "monitoring.events.ingested")
    ).one()
    assert notice.payload["batch_id"] == ingested.batch.id
    assert notice.payload["files"] == ingested.batch.files


def test_a_deactivated_source_cannot_send(
    session: Session, system_actor: Actor, policy: Policy, settings: Settings
) -> None:
    world = make_world(session)
    source, secret = _source(session, system_actor, world, "gd-retired")
    flows.update_source(
        session=session,
        actor=system_actor,
        source_id=source.id,
        source_in=SourceUpdate(is_active=False),
    )
    assert (
        credentials.authenticate(session=session, policy=policy, secret=secret, kinds=API) is None
    )
    with pytest.raises(Conflict, match="deactivated"):
        flows.ingest_events(
            session=session,
            actor=system_actor,
            settings=settings,
            source=source,
            lines=pipeline.split_lines(BODY),
            origin="test",
        )


def test_rotating_revokes_the_old_token(
    session: Session, system_actor: Actor, policy: Policy
) -> None:
    world = make_world(session)
    source, old = _source(session, system_actor, world, "gd-rotated")
    _, new = flows.rotate_source_token(session=session, actor=system_actor, source_id=source.id)
    assert credentials.authenticate(session=session, policy=policy, secret=old, kinds=API) is None
    assert _sender(session, policy, new).username == "source-gd-rotated"


@pytest.fixture
def fresh_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'own.db'}")
    upgrade(engine)
    return engine


def test_files_of_a_rolled_back_batch_are_removed_and_a_committed_one_kept(
    fresh_engine: Engine, system_actor: Actor, settings: Settings
) -> None:
    root = archive.events_root(settings.data_dir)
    with Session(fresh_engine) as session, session.begin():
        world = make_world(session)
        source_id = _source(session, system_actor, world, "gd-whole")[0].id
    with pytest.raises(RuntimeError), Session(fresh_engine) as session, session.begin():
        source = session.get_one(Source, source_id)
        flows.ingest_events(
            session=session,
            actor=system_actor,
            settings=settings,
            source=source,
            lines=pipeline.split_lines(BODY),
            origin="test",
        )
        assert archive.read_events(root).num_rows == 2  # written, not yet committed
        raise RuntimeError("the transaction fails after the files were written")
    assert archive.read_events(root).num_rows == 0
    with Session(fresh_engine) as session:
        assert session.scalar(select(func.count(IngestBatch.id))) == 0
    with Session(fresh_engine) as session, session.begin():
        flows.ingest_events(
            session=session,
            actor=system_actor,
            settings=settings,
            source=session.get_one(Source, source_id),
            lines=pipeline.split_lines(BODY),
            origin="test",
        )
    assert archive.read_events(root).num_rows == 2
    fresh_engine.dispose()
