"""What the console and the API show: the incident board and the incident page.

``board`` is the list (by level, state and deadline, with the clocks); ``detail`` is one
incident with its classification reasons, clocks, tasks, timeline, evidence, reports and
referrals. Both are authorised and scoped by the actor's visibility.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.authority import Actor, check, visibility
from fenghuo.incidents import clocks, plan_link, service
from fenghuo.incidents.actions import VIEW, VIEW_EVIDENCE
from fenghuo.incidents.enums import OperatorType
from fenghuo.incidents.models import Incident
from fenghuo.incidents.schemas import Impact
from fenghuo.plans.schema import PlanDocument


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ClockRead(_Read):
    kind: str = Field(description="first_report, escalation or final_report.")
    reporter: str
    to: list[str]
    due_at: dt.datetime | None = Field(description="None until its clock starts.")
    made_at: dt.datetime | None = Field(description="When the report was actually made.")
    state: str = Field(description="pending, on_time, late or overdue.")
    basis: str
    report_id: str | None
    remaining_seconds: int | None = Field(description="Countdown; negative once overdue.")


class TaskRead(_Read):
    id: str
    level: str
    title_zh: str
    title_en: str
    owner_role: str
    owner_org_id: str | None
    owner_org_name: str | None
    directive: bool
    due_at: dt.datetime
    state: str
    created_at: dt.datetime
    completed_at: dt.datetime | None
    completed_by: str | None
    completion_note: str
    notification_id: str | None = Field(description="The directive's notification.")


class TimelineRead(_Read):
    id: str
    kind: str
    at: dt.datetime
    recorded_at: dt.datetime
    author: str
    text: str
    automatic: bool


class EvidenceRead(_Read):
    id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    description: str
    uploaded_at: dt.datetime
    uploaded_by: str


class ReportRead(_Read):
    id: str
    kind: str = Field(description="first, update, escalation or final.")
    made_at: dt.datetime
    made_by: str
    level: str | None
    fields: dict[str, Any]
    notification_id: str | None


class ReferralRead(_Read):
    id: str
    authority: str
    recipient: str
    grounds: str
    made_at: dt.datetime
    made_by: str
    document: str = Field(description="The referral document (Markdown).")


class OrgBrief(_Read):
    id: str
    name_zh: str
    name_en: str


class IncidentSummary(_Read):
    """A row of the incident board."""

    id: str
    reference: str
    title: str
    state: str
    org_id: str
    org_name: str
    operator_type: str
    category: str
    computed_level: str | None
    final_level: str | None
    discovered_at: dt.datetime
    plan_name: str
    plan_version: int
    open_tasks: int
    overdue: bool
    clocks: list[ClockRead]


class IncidentDetail(IncidentSummary):
    """The incident page: the report, classification, clocks and everything recorded."""

    reported_by: str
    origin: str
    detection_ids: list[str]
    warning_id: str | None
    reporting_unit: str
    facility: str
    occurred_at: dt.datetime | None
    place: str
    impact: dict[str, Any]
    data_involved: str
    measures_taken: str
    ransom_amount: str | None
    ransom_method: str | None
    ransom_date: dt.date | None
    trend: str
    cause: str
    attribution: str
    planned_measures: str
    support_requested: str
    scene_preservation: str
    other_matters: str
    override_level: str | None
    override_reason: str
    override_by: str | None
    classification: dict[str, Any] = Field(description="The level, and every reason met.")
    classified_at: dt.datetime | None
    harm_evaluation: str
    handling_ended_at: dt.datetime | None
    closed_at: dt.datetime | None
    cancel_reason: str
    merged_into_id: str | None
    affected_org_ids: list[str]
    affected_operators: list[OrgBrief]
    affected_asset_ids: list[str]
    tasks: list[TaskRead]
    timeline: list[TimelineRead]
    evidence: list[EvidenceRead] = Field(description="Empty if the actor may not see evidence.")
    reports: list[ReportRead]
    referrals: list[ReferralRead]
    created_at: dt.datetime
    updated_at: dt.datetime


def summary(session: Session, incident: Incident) -> IncidentSummary:
    """The board row of one incident."""
    found = clocks.deadlines_of(session, incident)
    open_tasks = service.tasks(session, incident, open_only=True)
    return IncidentSummary.model_validate(
        {
            **_columns(incident, IncidentSummary),
            "org_name": incident.organisation.name_en,
            "open_tasks": len(open_tasks),
            "overdue": clocks.has_overdue(session, incident, found),
            "clocks": [c.as_dict() for c in found],
        }
    )


def board(
    *,
    session: Session,
    actor: Actor,
    level: str | None = None,
    state: str | None = None,
    overdue: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[IncidentSummary], int]:
    """The incident board: visible incidents (filtered), newest discovery first, and total."""
    scope = visibility(actor, VIEW)
    if overdue is None:
        found, total = service.list_(
            session=session, scope=scope, level=level, state=state, limit=limit, offset=offset
        )
        return [summary(session, incident) for incident in found], total
    candidates, _ = service.list_(session=session, scope=scope, level=level, state=state)
    rows = [summary(session, incident) for incident in candidates]
    matching = [row for row in rows if row.overdue is overdue]
    return matching[offset : offset + limit], len(matching)


def detail(*, session: Session, actor: Actor, incident_id: str) -> IncidentDetail:
    """The incident page (evidence listed only for those entitled to it)."""
    incident = service.get(session=session, actor=actor, incident_id=incident_id)
    row = summary(session, incident)
    may_see_evidence = check(actor, VIEW_EVIDENCE, service.target_of(incident)).allowed
    affected = service.affected_operators(session, incident)
    return IncidentDetail.model_validate(
        {
            **row.model_dump(),
            **_columns(incident, IncidentDetail, skip=set(IncidentSummary.model_fields)),
            "affected_org_ids": [a.org_id for a in affected],
            "affected_operators": [a.organisation for a in affected],
            "affected_asset_ids": service.affected_asset_ids(session, incident),
            "tasks": service.tasks(session, incident),
            "timeline": service.timeline(session, incident),
            "evidence": service.evidence(session, incident) if may_see_evidence else [],
            "reports": service.reports(session, incident),
            "referrals": service.referrals(session, incident),
        }
    )


def _columns(
    incident: Incident, model: type[BaseModel], skip: set[str] | None = None
) -> dict[str, Any]:
    names = set(model.model_fields) - (skip or set())
    return {name: getattr(incident, name) for name in names if hasattr(incident, name)}


class ChoiceRead(BaseModel):
    key: str
    zh: str
    en: str


class ImpactFieldRead(BaseModel):
    name: str = Field(description="The grading guide's input name (REFERENCE §2.4).")
    kind: str = Field(description="number, integer, text, level or shares.")
    description: str
    choices: list[str] = Field(description="The values the plan's matrix knows (tiers).")


class ReportForm(BaseModel):
    """What the report form offers: the plan's categories, operator types, impact fields."""

    plan_name: str
    plan_version: int
    categories: list[ChoiceRead]
    operator_types: list[str]
    default_org_id: str | None = Field(description="The actor's own organisation, if an operator.")
    default_operator_type: str
    impact_fields: list[ImpactFieldRead]
    levels: list[ChoiceRead]


def report_form(*, session: Session, actor: Actor, plan: str | None = None) -> ReportForm:
    """The choices of the first-report form under the active plan (``plan``: its name)."""
    active = plan_link.active(session, plan)
    document = active.document
    org = accounts_service.get(session=session, org_id=actor.org.id) if actor.org else None
    is_operator = org is not None and org.kind == OrgKind.network_operator
    return ReportForm(
        plan_name=active.name,
        plan_version=active.version,
        categories=[ChoiceRead(key=c.key, zh=c.zh, en=c.en) for c in document.categories.items],
        operator_types=[t.value for t in OperatorType],
        default_org_id=org.id if org is not None and is_operator else None,
        default_operator_type="cii" if org is not None and org.is_cii else "other",
        impact_fields=[
            _impact_field(name, info, document) for name, info in Impact.model_fields.items()
        ],
        levels=[
            ChoiceRead(key=level, zh=info.zh, en=info.en) for level, info in document.levels.items()
        ],
    )


_IMPACT_KINDS = {
    "pop_share_by_region": "shares",
    "core_or_important_data": "level",
    "regulator_override_level": "level",
    "portal_tier": "text",
    "platform_tier": "text",
    "people_affected": "integer",
    "pi_records_citizens": "integer",
    "spread_reposts": "integer",
    "spread_views": "integer",
}


def _impact_field(name: str, info: Any, document: PlanDocument) -> ImpactFieldRead:
    choices: set[str] = set()
    for criterion in document.classification.criteria:
        for threshold in criterion.thresholds.values():
            choices.update((threshold.when or {}).get(name, []))
    return ImpactFieldRead(
        name=name,
        kind=_IMPACT_KINDS.get(name, "number"),
        description=info.description or "",
        choices=sorted(choices),
    )
