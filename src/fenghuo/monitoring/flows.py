"""Use cases of sources and ingest: authorise -> check -> change -> audit -> emit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Decision, Target, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Conflict
from fenghuo.monitoring import archive, assets, indicators_service, pipeline
from fenghuo.monitoring import service as monitoring_service
from fenghuo.monitoring.models import IngestBatch, Source
from fenghuo.monitoring.schemas import SourceCreate, SourceUpdate
from fenghuo.settings import Settings
from fenghuo.store import new_id

MANAGE = "monitoring.sources.manage"
INGEST = monitoring_service.INGEST
INGESTED = "monitoring.events.ingested"
_PENDING = "monitoring.archive_pending"


def source_target(source: Source) -> Target:
    """The authority target of a source: its owner organisation."""
    return Target(org=accounts_service.org_ref(source.owner), description=f"source {source.name}")


def create_source(*, session: Session, actor: Actor, source_in: SourceCreate) -> tuple[Source, str]:
    """Register a source with its service account and token; the token is returned once."""
    org = accounts_service.get_or_raise(session=session, org_id=source_in.owner_org_id)
    decision = require(actor, MANAGE, Target(org=accounts_service.org_ref(org)))
    if monitoring_service.get_by_name(session=session, name=source_in.name):
        raise Conflict(f"the source name {source_in.name!r} is taken", field="name")
    if accounts_service.get_user_by_username(session=session, username=f"source-{source_in.name}"):
        raise Conflict(f"the account source-{source_in.name} already exists", field="name")
    user = monitoring_service.create_service_user(session=session, org=org, name=source_in.name)
    source = Source(
        name=source_in.name,
        kind=source_in.kind.value,
        format=source_in.format,
        description=source_in.description,
        owner_org_id=org.id,
        service_user_id=user.id,
    )
    session.add(source)
    session.flush()
    secret = monitoring_service.issue_token(session=session, source=source)
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="source",
        target_id=source.id,
        target_org_id=org.id,
        after=source.state(),
        decision=decision,
        summary=f"registered {source.kind} source {source.name} for {org.name_en}",
        details={
            "change": "created",
            "source": source.name,
            "org_zh": org.name_zh,
            "org_en": org.name_en,
        },
    )
    emit(session, "monitoring.source.created", {"source_id": source.id, "org_id": org.id})
    return source, secret


def update_source(
    *, session: Session, actor: Actor, source_id: str, source_in: SourceUpdate
) -> Source:
    """Change a source's format, description or activation (a deactivated one cannot send)."""
    source = monitoring_service.get_or_raise(session=session, source_id=source_id)
    decision = require(actor, MANAGE, source_target(source))
    before = source.state()
    changes = source_in.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in changes.items():
        setattr(source, name, value)
    if "is_active" in changes:
        # The token stops working at once: its service account goes with the source.
        user = accounts_service.get_user_or_raise(session=session, user_id=source.service_user_id)
        user.is_active = source.is_active
    session.flush()
    _audit_source_change(
        session,
        actor,
        decision,
        source,
        before,
        summary=f"changed {', '.join(sorted(changes)) or 'nothing'} of source {source.name}",
        details={"change": "changed", "source": source.name, "fields": sorted(changes)},
    )
    return source


def rotate_source_token(*, session: Session, actor: Actor, source_id: str) -> tuple[Source, str]:
    """Revoke the source's token and issue a new one (returned once)."""
    source = monitoring_service.get_or_raise(session=session, source_id=source_id)
    decision = require(actor, MANAGE, source_target(source))
    before = source.state()
    secret = monitoring_service.issue_token(session=session, source=source)
    _audit_source_change(
        session,
        actor,
        decision,
        source,
        before,
        summary=f"rotated the token of source {source.name}",
        details={"change": "rotated", "source": source.name},
    )
    return source, secret


def _audit_source_change(
    session: Session,
    actor: Actor,
    decision: Decision,
    source: Source,
    before: dict[str, Any],
    *,
    summary: str,
    details: dict[str, Any],
) -> None:
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="source",
        target_id=source.id,
        target_org_id=source.owner_org_id,
        before=before,
        after=source.state(),
        decision=decision,
        summary=summary,
        details=details,
    )


@dataclass(frozen=True)
class Ingested:
    """A recorded batch and what became of its lines."""

    batch: IngestBatch
    result: pipeline.BatchResult
    days: list[str]


def _forget_pending(session: Session) -> None:
    session.info[_PENDING] = []


def _remove_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        archive.remove(session.info.get(_PENDING, []))
        session.info[_PENDING] = []


def _remove_unless_committed(session: Session, paths: list[Path]) -> None:
    # The files are written before the commit; if it never comes, they must not stay.
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        event.listen(session, "after_commit", _forget_pending)
        event.listen(session, "after_transaction_end", _remove_pending)
    session.info[_PENDING].extend(paths)


def ingest_events(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    source: Source,
    lines: Iterable[tuple[int, bytes]],
    origin: str,
    declared: str | None = None,
    batch_id: str | None = None,
) -> Ingested:
    """Normalise a batch, archive the good events, record the batch; bad lines are reported."""
    decision = require(actor, INGEST, source_target(source))
    if not source.is_active:
        raise Conflict(f"source {source.name} is deactivated", field="source")
    received_at = clock.now()
    result = pipeline.run(
        lines, source=source.name, declared=declared or source.format, received_at=received_at
    )
    batch_id = batch_id or new_id()
    # The batch stays in columns from parsing to Parquet (see docs/monitoring.md, Throughput).
    assets.AssetIndex.load(session).enrich_batch(result.batch)
    indicators_service.annotate_batch(indicators_service.live_matcher(session), result.batch)
    paths = archive.write_columns(archive.events_root(settings.data_dir), batch_id, result.batch)
    _remove_unless_committed(session, paths)
    files = [path.relative_to(settings.data_dir).as_posix() for path in paths]
    days = [path.parent.name.removeprefix("day=") for path in paths]
    batch = IngestBatch(
        id=batch_id,
        source_id=source.id,
        received_at=received_at,
        origin=origin[:500],
        accepted=result.accepted,
        rejected=len(result.errors),
        files=files,
    )
    session.add(batch)
    session.flush()
    details: dict[str, Any] = {
        "batch_id": batch.id,
        "files": files,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
    }
    audit_service.record(
        session=session,
        actor=actor,
        action=INGEST,
        target_type="source",
        target_id=source.id,
        target_org_id=source.owner_org_id,
        decision=decision,
        details=details,
        summary=f"{batch.accepted} events accepted, {batch.rejected} rejected ({origin[:200]})",
    )
    # One notice per batch, not per event: consumers read the events from the files.
    emit(
        session,
        INGESTED,
        {
            "batch_id": batch.id,
            "source_id": source.id,
            "source": source.name,
            "accepted": batch.accepted,
            "rejected": batch.rejected,
            "files": files,
        },
    )
    return Ingested(batch=batch, result=result, days=days)
