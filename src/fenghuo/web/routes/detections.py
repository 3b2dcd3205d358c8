"""Detections: grouped by rule x host x hour, each one, and one down to its event (Art. 51).

The rule's author is shown wherever matches are: the Detection Rule License 1.1 of the
SigmaHQ rules requires it. While a batch's detections are still being made, the table
refreshes itself (htmx polling), so an uploaded file's detections appear as they arrive.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response

from fenghuo.accounts import service as accounts_service
from fenghuo.api.deps import SessionDep, requires
from fenghuo.authority import Actor, visibility
from fenghuo.detection import service
from fenghuo.detection.models import DetectionBatch
from fenghuo.monitoring.models import IngestBatch
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires(service.VIEW))]
PAGE_SIZE = 50
LEVELS = ("critical", "high", "medium", "low", "informational")
VIEWS = ("groups", "all")


@dataclass(frozen=True)
class DetectionQuery:
    """The filters as given in the address (unknown values are dropped, not refused)."""

    view: str = "groups"
    level: str = ""
    rule: str = ""
    host: str | None = None
    org: str = ""
    batch: str = ""
    window: str = ""
    page: int = 1

    @classmethod
    def read(cls, request: Request) -> DetectionQuery:
        """The query of the request's address."""
        params = request.query_params
        page = params.get("page", "1")
        return cls(
            view=params.get("view", "groups") if params.get("view") in VIEWS else "groups",
            level=params.get("level", "") if params.get("level") in LEVELS else "",
            rule=params.get("rule", "")[:100],
            host=params["host"][:255] if "host" in params else None,
            org=params.get("org", "")[:36],
            batch=params.get("batch", "")[:36],
            window=params.get("window", "")[:40],
            page=int(page) if page.isdigit() and int(page) > 0 else 1,
        )

    def to_filter(self) -> service.DetectionFilter:
        """The service's filter."""
        return service.DetectionFilter(
            level=self.level or None,
            rule_id=self.rule or None,
            org_id=self.org or None,
            host=self.host,
            batch_id=self.batch or None,
            window_start=_moment(self.window),
        )

    def link(self, **changes: Any) -> str:
        """The address of this query with ``changes`` (a page, a view, a narrower filter)."""
        fields = {**asdict(self), **changes}
        if fields["page"] == 1:
            del fields["page"]
        if fields["view"] == "groups":
            del fields["view"]
        query = {name: value for name, value in fields.items() if value not in ("", None)}
        return "/detections" + (f"?{urlencode(query)}" if query else "")

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set."""
        return bool(self.level or self.rule or self.host is not None or self.org or self.batch)


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/detections")
def detections(
    request: Request, session: SessionDep, renderer: RendererDep, actor: ViewAllowed
) -> Response:
    """Grouped (default) or one by one, within the actor's visibility, newest first."""
    query = DetectionQuery.read(request)
    scope = visibility(actor, service.VIEW)
    detection_filter = query.to_filter()
    offset = (query.page - 1) * PAGE_SIZE
    context: dict[str, Any] = {
        "query": query,
        "levels": LEVELS,
        "rows": [],
        "groups": [],
        "owners": {},
    }
    if query.view == "groups":
        total = service.count_groups(
            session=session, scope=scope, detection_filter=detection_filter
        )
        context["groups"] = service.groups(
            session=session,
            scope=scope,
            detection_filter=detection_filter,
            limit=PAGE_SIZE,
            offset=offset,
        )
    else:
        total = service.count(session=session, scope=scope, detection_filter=detection_filter)
        rows = service.list_(
            session=session,
            scope=scope,
            detection_filter=detection_filter,
            limit=PAGE_SIZE,
            offset=offset,
        )
        context["rows"] = rows
        # Owners are named in the reader's language; the stored name is the English one.
        owner_ids = {row.owner_org_id for row in rows if row.owner_org_id}
        context["owners"] = {
            org_id: accounts_service.get(session=session, org_id=org_id) for org_id in owner_ids
        }
    batch = session.get(IngestBatch, query.batch) if query.batch else None
    # A batch not processed yet: keep refreshing until its detections are in.
    context["waiting"] = batch is not None and session.get(DetectionBatch, batch.id) is None
    context["batch"] = batch
    context["total"] = total
    context["pages"] = max(1, -(-total // PAGE_SIZE))
    template = (
        "detections/_table.html"
        if request.headers.get("hx-target") == "detection-table"
        else "detections/list.html"
    )
    return renderer.render(request, template, context)


@router.get("/detections/{detection_id}")
def detection(
    detection_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
) -> Response:
    """One detection: the rule, its author, whose event it is, and the event itself."""
    found = service.read(session=session, actor=actor, detection_id=detection_id)
    excerpt = dict(found.excerpt)
    original = excerpt.pop("fields", {})
    owner = (
        accounts_service.get(session=session, org_id=found.owner_org_id)
        if found.owner_org_id
        else None
    )
    return renderer.render(
        request,
        "detections/detail.html",
        {"detection": found, "owner": owner, "normalised": excerpt, "original": original},
    )
