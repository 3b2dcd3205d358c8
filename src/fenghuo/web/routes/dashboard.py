"""The dashboard: the visitor's place in the tree and real counts of what they can see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.api.deps import SessionDep, requires
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, check, visibility
from fenghuo.web import labels
from fenghuo.web.routes import RendererDep, console_router

router = console_router()


@dataclass(frozen=True)
class Counts:
    """What the dashboard counts, within the actor's visibility."""

    by_kind: list[tuple[str, int]]
    organisations: int
    cii: int
    users: int | None
    audit_today: int | None


def count_for(session: SessionDep, actor: Actor) -> Counts:
    """Count organisations by kind, CII operators, people and today's audit records."""
    scope = visibility(actor, "accounts.orgs.view")
    per_kind = accounts_service.count_orgs(session=session, scope=scope)
    by_kind = [(kind.value, per_kind.get(kind.value, 0)) for kind in OrgKind]
    users = (
        accounts_service.count_users(
            session=session, scope=visibility(actor, "accounts.users.view")
        )
        if check(actor, "accounts.users.view").allowed
        else None
    )
    audit_today = None
    if check(actor, "audit.view").allowed:
        audit_filter = audit_service.AuditFilter(
            org_ids=accounts_service.visible_org_ids(
                session=session, scope=visibility(actor, "audit.view")
            ),
            since=labels.start_of_day(labels.today()),
        )
        audit_today = audit_service.count(session=session, audit_filter=audit_filter)
    return Counts(
        by_kind=by_kind,
        organisations=sum(per_kind.values()),
        cii=accounts_service.count_cii(session=session, scope=scope),
        users=users,
        audit_today=audit_today,
    )


@router.get("/dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Annotated[Actor, Depends(requires("console.dashboard.view"))],
) -> Response:
    """The signed-in user's starting page."""
    org = accounts_service.get(session=session, org_id=actor.org.id) if actor.org else None
    scope = visibility(actor)
    rule = actor.policy.visibility.get(actor.org.kind) if actor.org else None
    context = {
        "scope": scope,
        "scope_article": rule.article if rule else None,
        "counts": count_for(session, actor),
        "org": org,
        "roles": sorted(actor.roles),
        "today": labels.today().isoformat(),
    }
    return renderer.render(request, "dashboard/index.html", context)
