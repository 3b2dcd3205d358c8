"""Detections: Sigma rule matches on archived events, one by one or grouped (Art. 51)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import ID_PATTERN, PLAIN_TEXT, IdPath, Page, PagingDep
from fenghuo.authority import visibility
from fenghuo.detection import service

VIEW = service.VIEW
router = APIRouter(prefix="/api/v1/detections", tags=["detections"], responses=PROBLEM_RESPONSES)

Level = Literal["informational", "low", "medium", "high", "critical", "unknown"]


class DetectionRead(BaseModel):
    """A detection: the rule (with its author, as the rule licence requires) and the event."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    rule_id: str
    rule_title: str
    rule_author: str = Field(description="Shown with every match (Detection Rule License 1.1).")
    level: str
    tags: list[str]
    status: str
    event_id: str
    event_time: datetime
    host: str
    source: str
    batch_id: str
    owner_org_id: str | None
    owner_org_name: str | None
    owner_sector: str | None
    owner_region: str | None
    owner_is_cii: bool | None
    created_at: datetime


class DetectionDetail(DetectionRead):
    """A detection with the excerpt of its event."""

    excerpt: dict[str, Any]


class DetectionGroupRead(BaseModel):
    """One line per rule x host x hour: how many, first and last seen."""

    model_config = ConfigDict(from_attributes=True)

    rule_id: str
    rule_title: str
    rule_author: str
    level: str
    host: str
    window_start: datetime
    count: int
    first_seen: datetime
    last_seen: datetime


class DetectionPage(Page[DetectionRead]):
    """A page of detections, newest event first."""


class DetectionGroupPage(Page[DetectionGroupRead]):
    """A page of grouped detections, latest window first."""


def detection_filter(
    level: Annotated[Level | None, Query(description="The rule level.")] = None,
    rule: Annotated[
        str | None, Query(max_length=100, pattern=PLAIN_TEXT, description="A rule id.")
    ] = None,
    org: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="The owner organisation's id.")
    ] = None,
    since: Annotated[
        datetime | None, Query(description="Only events at or after this time (ISO 8601).")
    ] = None,
) -> service.DetectionFilter:
    """The list filters as query parameters."""
    return service.DetectionFilter(level=level, rule_id=rule, org_id=org, since=since)


FilterDep = Annotated[service.DetectionFilter, Depends(detection_filter)]


@router.get("", summary="Detections within my visibility", dependencies=[Depends(requires(VIEW))])
def list_detections(
    actor: ActorDep, session: SessionDep, paging: PagingDep, detection_filter: FilterDep
) -> DetectionPage:
    """Detections on events of organisations the actor may see, newest first."""
    scope = visibility(actor, VIEW)
    found = service.list_(
        session=session,
        scope=scope,
        detection_filter=detection_filter,
        limit=paging.limit,
        offset=paging.offset,
    )
    total = service.count(session=session, scope=scope, detection_filter=detection_filter)
    return DetectionPage.of([DetectionRead.model_validate(d) for d in found], total, paging)


@router.get(
    "/groups",
    summary="Detections grouped by rule, host and hour",
    dependencies=[Depends(requires(VIEW))],
)
def list_groups(
    actor: ActorDep, session: SessionDep, paging: PagingDep, detection_filter: FilterDep
) -> DetectionGroupPage:
    """One line per rule x host x hour with a count, for the analysts' view."""
    scope = visibility(actor, VIEW)
    lines = service.groups(
        session=session,
        scope=scope,
        detection_filter=detection_filter,
        limit=paging.limit,
        offset=paging.offset,
    )
    total = service.count_groups(session=session, scope=scope, detection_filter=detection_filter)
    items = [DetectionGroupRead.model_validate(line) for line in lines]
    return DetectionGroupPage.of(items, total, paging)


@router.get(
    "/{detection_id}",
    summary="One detection, with its event",
    dependencies=[Depends(requires(VIEW))],
)
def read_detection(detection_id: IdPath, actor: ActorDep, session: SessionDep) -> DetectionDetail:
    """The detection and its event excerpt, if the event's owner is within visibility."""
    detection = service.read(session=session, actor=actor, detection_id=detection_id)
    return DetectionDetail.model_validate(detection)
