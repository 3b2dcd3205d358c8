"""The audit trail: every state change, newest first, and the check of its hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fenghuo.accounts import service as accounts_service
from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import PLAIN_TEXT, Page, PagingDep
from fenghuo.audit import service as audit_service
from fenghuo.authority import visibility

VIEW = "audit.view"
router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


class AuditRecordRead(BaseModel):
    """One audit record: when, who, what, on what, digests, legal basis and chain hashes."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    seq: int
    at: datetime
    actor_kind: str
    actor_user_id: str | None
    actor_label: str
    actor_org_id: str | None
    action: str
    target_type: str
    target_id: str | None
    target_org_id: str | None
    summary: str
    details: dict[str, Any]
    before_digest: str | None
    after_digest: str | None
    legal_basis: str | None
    rule: str | None
    prev_hash: str
    hash: str


class AuditRecordPage(Page[AuditRecordRead]):
    """A page of the audit trail, newest first."""


class AuditVerification(BaseModel):
    """The outcome of walking the whole chain; ``problem`` names the first bad record."""

    ok: bool
    checked: int = Field(description="Records checked before the first bad one (or all).")
    bad_seq: int | None
    bad_id: int | None
    problem: str


@router.get("", summary="The audit trail", dependencies=[Depends(requires(VIEW))])
def list_audit(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    action: Annotated[
        str | None,
        Query(max_length=100, pattern=r"^[a-z0-9_.]*$", description="Action name prefix."),
    ] = None,
    actor_label: Annotated[
        str | None,
        Query(alias="actor", max_length=200, pattern=PLAIN_TEXT, description="Who acted."),
    ] = None,
    target_type: Annotated[
        str | None, Query(max_length=50, pattern=r"^[a-z0-9_]*$", description="organisation, …")
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description="From (inclusive).")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Until (exclusive).")] = None,
) -> AuditRecordPage:
    """Records that involve (as actor's or target's organisation) organisations the actor sees."""
    scope = visibility(actor, VIEW)
    audit_filter = audit_service.AuditFilter(
        org_ids=accounts_service.visible_org_ids(session=session, scope=scope),
        action=action,
        actor=actor_label,
        target_type=target_type,
        since=since,
        until=until,
    )
    records = audit_service.list_(
        session=session, audit_filter=audit_filter, limit=paging.limit, offset=paging.offset
    )
    total = audit_service.count(session=session, audit_filter=audit_filter)
    return AuditRecordPage.of([AuditRecordRead.model_validate(r) for r in records], total, paging)


@router.get(
    "/verify",
    summary="Verify the hash chain of the whole trail",
    dependencies=[Depends(requires("audit.verify"))],
)
def verify_audit(session: SessionDep) -> AuditVerification:
    """Walk the chain and name the first record that was edited, removed, inserted or moved."""
    result = audit_service.verify(session=session)
    return AuditVerification(
        ok=result.ok,
        checked=result.checked,
        bad_seq=result.bad_seq,
        bad_id=result.bad_id,
        problem=result.problem,
    )
