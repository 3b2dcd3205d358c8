"""The audit trail: filter, page through, and verify the hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response

from fenghuo.accounts import service as accounts_service
from fenghuo.api.deps import SessionDep, requires
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, check, visibility
from fenghuo.web import labels
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
PAGE_SIZE = 50
TARGET_TYPES = ("organisation", "user", "api_token")


@dataclass(frozen=True)
class TrailQuery:
    """The filters as typed, the problems with them, and the page asked for."""

    action: str = ""
    actor: str = ""
    target_type: str = ""
    since: str = ""
    until: str = ""
    page: int = 1

    def problems(self) -> dict[str, str]:
        """Fields whose text is not a date (rule ``date-format``)."""
        return {
            name: "date-format"
            for name in ("since", "until")
            if getattr(self, name) and _day(getattr(self, name)) is None
        }

    def to_filter(self, org_ids: list[str] | None) -> audit_service.AuditFilter:
        """The service's filter; the date range is whole days in China Standard Time."""
        since, until = _day(self.since), _day(self.until)
        return audit_service.AuditFilter(
            org_ids=org_ids,
            action=self.action or None,
            actor=self.actor or None,
            target_type=self.target_type or None,
            since=labels.start_of_day(since) if since else None,
            until=labels.start_of_day(until + timedelta(days=1)) if until else None,
        )

    def link(self, page: int) -> str:
        """The URL of another page of the same query."""
        fields = {
            "action": self.action,
            "who": self.actor,
            "target_type": self.target_type,
            "since": self.since,
            "until": self.until,
        }
        query = {name: value for name, value in fields.items() if value}
        return "/audit?" + urlencode({**query, "page": page})


def _day(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a date, no time
    except ValueError:
        return None


def _page(value: str) -> int:
    return int(value) if value.isdigit() and int(value) > 0 else 1


@router.get("/audit")
def trail(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Annotated[Actor, Depends(requires("audit.view"))],
    action: str = "",
    who: str = "",
    target_type: str = "",
    since: str = "",
    until: str = "",
    page: str = "1",
) -> Response:
    """Audit records of the organisations the actor sees, newest first."""
    query = TrailQuery(
        action=action.strip(),
        actor=who.strip(),
        target_type=target_type.strip(),
        since=since.strip(),
        until=until.strip(),
        page=_page(page),
    )
    problems = query.problems()
    context: dict[str, Any] = {
        "query": query,
        "problems": problems,
        "target_types": TARGET_TYPES,
        "may_verify": check(actor, "audit.verify").allowed,
        "records": [],
        "total": 0,
        "pages": 1,
    }
    if not problems:
        org_ids = accounts_service.visible_org_ids(
            session=session, scope=visibility(actor, "audit.view")
        )
        audit_filter = query.to_filter(org_ids)
        total = audit_service.count(session=session, audit_filter=audit_filter)
        context["total"] = total
        context["pages"] = max(1, -(-total // PAGE_SIZE))
        context["records"] = audit_service.list_(
            session=session,
            audit_filter=audit_filter,
            limit=PAGE_SIZE,
            offset=(query.page - 1) * PAGE_SIZE,
        )
    partial = request.headers.get("hx-target") == "audit-table"
    template = "audit/_table.html" if partial else "audit/list.html"
    status = 422 if problems else 200
    return renderer.render(request, template, context, status_code=status)


@router.post("/audit/verify")
def verify_chain(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    _actor: Annotated[Actor, Depends(requires("audit.verify"))],
) -> Response:
    """Walk the whole chain and say whether it is intact, or which record is not."""
    result = audit_service.verify(session=session)
    htmx = request.headers.get("hx-request") == "true"
    template = "audit/_verify.html" if htmx else "audit/verified.html"
    return renderer.render(request, template, {"result": result})
