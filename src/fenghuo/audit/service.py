"""Write, list and verify audit records. ``record`` runs in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.audit.models import GENESIS_HASH, AuditHead, AuditRecord
from fenghuo.authority import Actor, Decision
from fenghuo.errors import Unavailable

HEAD_ID = 1


def digest(state: Mapping[str, Any] | None) -> str | None:
    """SHA-256 of a canonical JSON form of a target's state (None when there is none)."""
    if state is None:
        return None
    return hashlib.sha256(_canonical(state).encode("utf-8")).hexdigest()


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str | None,
    target_org_id: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    summary: str = "",
    details: Mapping[str, Any] | None = None,
    legal_basis: str | None = None,
    decision: Decision | None = None,
) -> AuditRecord:
    """Append one record to the chain, in the caller's transaction."""
    seq, prev_hash = _advance_head(session)
    entry = AuditRecord(
        seq=seq,
        at=clock.now(),
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        actor_org_id=actor.org.id if actor.org else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_org_id=target_org_id,
        summary=summary,
        details=dict(details or {}),
        before_digest=digest(before),
        after_digest=digest(after),
        legal_basis=legal_basis or (decision.article if decision else None),
        rule=decision.rule if decision else None,
        prev_hash=prev_hash,
    )
    entry.hash = compute_hash(entry)
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=entry.hash))
    session.flush()
    return entry


def _advance_head(session: Session) -> tuple[int, str]:
    # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) first, so two
    # writers can never both link to the same previous record.
    row = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one_or_none()
    if row is None:
        raise Unavailable("the audit chain has no head row; run `fenghuo db upgrade`")
    return int(row.seq), str(row.hash)


def compute_hash(entry: AuditRecord) -> str:
    """The SHA-256 of a record's content and its link to the previous record."""
    content = {
        "seq": entry.seq,
        "at": _timestamp(entry.at),
        "actor_kind": entry.actor_kind,
        "actor_user_id": entry.actor_user_id,
        "actor_label": entry.actor_label,
        "actor_org_id": entry.actor_org_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_org_id": entry.target_org_id,
        "summary": entry.summary,
        "details": entry.details or {},
        "before_digest": entry.before_digest,
        "after_digest": entry.after_digest,
        "legal_basis": entry.legal_basis,
        "rule": entry.rule,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()


def _timestamp(value: datetime) -> str:
    return clock.as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class AuditFilter:
    """What the trail is narrowed to; ``org_ids`` None means every organisation."""

    org_ids: Collection[str] | None = None
    action: str | None = None
    actor: str | None = None
    target_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_(
    *, session: Session, audit_filter: AuditFilter, limit: int = 50, offset: int = 0
) -> list[AuditRecord]:
    """Records matching the filter, newest first."""
    query = _filtered(select(AuditRecord), audit_filter).order_by(AuditRecord.seq.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def count(*, session: Session, audit_filter: AuditFilter) -> int:
    """How many records match the filter."""
    return int(session.scalar(_filtered(select(func.count(AuditRecord.id)), audit_filter)) or 0)


def _filtered(query: Select[Any], f: AuditFilter) -> Select[Any]:
    if f.org_ids is not None:
        ids = list(f.org_ids)
        query = query.where(
            or_(AuditRecord.actor_org_id.in_(ids), AuditRecord.target_org_id.in_(ids))
        )
    if f.action:
        query = query.where(AuditRecord.action.startswith(f.action))
    if f.actor:
        query = query.where(AuditRecord.actor_label == f.actor)
    if f.target_type:
        query = query.where(AuditRecord.target_type == f.target_type)
    if f.since:
        query = query.where(AuditRecord.at >= f.since)
    if f.until:
        query = query.where(AuditRecord.at < f.until)
    return query


@dataclass(frozen=True)
class Verification:
    """The outcome of walking the chain; ``problem`` names the first bad record."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    bad_id: int | None = None
    problem: str = ""


def verify(*, session: Session) -> Verification:
    """Walk the whole chain; stop at the first record that does not fit."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for entry in _in_order(session):
        problem = _problem_with(entry, expected_seq, prev_hash)
        if problem:
            return Verification(False, checked, entry.seq, entry.id, problem)
        expected_seq, prev_hash, checked = entry.seq + 1, entry.hash, checked + 1
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return Verification(False, checked, None, None, "the chain head row is missing")
    if head.seq != expected_seq - 1 or head.hash != prev_hash:
        return Verification(
            False,
            checked,
            head.seq,
            None,
            f"the chain ends at record #{expected_seq - 1} but its head says #{head.seq}: "
            "records were removed from the end",
        )
    return Verification(True, checked)


def _in_order(session: Session) -> Iterator[AuditRecord]:
    query = (
        select(AuditRecord)
        .order_by(AuditRecord.seq, AuditRecord.id)
        .execution_options(yield_per=1000)
    )
    yield from session.scalars(query)


def _problem_with(entry: AuditRecord, expected_seq: int, prev_hash: str) -> str:
    if entry.seq != expected_seq:
        what = "missing" if entry.seq > expected_seq else "duplicated or reordered"
        return f"record #{entry.seq} (id {entry.id}): expected #{expected_seq}; records are {what}"
    if entry.prev_hash != prev_hash:
        return f"record #{entry.seq} (id {entry.id}): does not link to the record before it"
    if compute_hash(entry) != entry.hash:
        return f"record #{entry.seq} (id {entry.id}): its content does not match its hash (edited)"
    return ""
