"""Intake (Art. 55; Arts. 4 and 7 of the 2025 measures): first report, updates, level override.

Each flow runs authorise → check → change → audit → emit in the caller's transaction, and
every report and update is classified by the plan version the incident runs under (see
``response``). A first report carries groups 1 and 2 of Art. 7; updates complete the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Target, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Invalid, NotFound
from fenghuo.incidents import checks, plan_link, response, service, timeline
from fenghuo.incidents.actions import OVERRIDE, REPORT, UPDATE
from fenghuo.incidents.enums import EntryKind, Origin, ReportKind
from fenghuo.incidents.models import Incident, IncidentReport
from fenghuo.incidents.schemas import IncidentCreate, IncidentUpdate, LevelOverride
from fenghuo.plans.service import PlanVersionView

REPORTED = "incidents.incident.reported"
UPDATED = "incidents.incident.updated"
OVERRIDDEN = "incidents.incident.level_overridden"


# Report fields stored as they are given (Art. 7 groups 1-2 and items 3-8).
COPIED = (
    "title", "reporting_unit", "facility", "place", "category", "data_involved",
    "measures_taken", "trend", "cause", "attribution", "planned_measures",
    "support_requested", "scene_preservation", "other_matters",
)  # fmt: skip


def report_incident(*, session: Session, actor: Actor, incident_in: IncidentCreate) -> Incident:
    """Record a first report (or open an incident from detections or a warning), classify it."""
    org, affected = _reporting_org(session, actor, incident_in)
    decision = require(actor, REPORT, Target(org=accounts_service.org_ref(org)))
    for other in affected[1:]:
        require(actor, REPORT, Target(org=accounts_service.org_ref(other)))
    assets = checks.assets(session, incident_in.asset_ids, {o.id for o in affected})
    detections = checks.detections(session, actor, incident_in.detection_ids)
    try:
        plan = plan_link.active(session, incident_in.plan)
    except NotFound as exc:
        raise Invalid(str(exc), field="plan", rule="known-plan") from None
    checks.check_category(plan.document, incident_in.category)
    incident = _new_incident(session, actor, org, plan, incident_in, detections)
    service.link_operators(session, incident, [o.id for o in affected])
    service.link_assets(session, incident, assets)
    first = _report(session, actor, incident, ReportKind.first, incident_in.model_dump(mode="json"))
    _opening_timeline(session, actor, incident)
    response.classify_incident(session, actor, incident)
    first.level = incident.final_level
    audit_service.record(
        session=session,
        actor=actor,
        action=REPORT,
        target_type="incident",
        target_id=incident.id,
        target_org_id=org.id,
        after=incident.state_dict(),
        decision=decision,
        legal_basis="Art. 55; 2025 measures Art. 4, 7",
        details={
            "report_id": first.id,
            "origin": incident.origin,
            "detection_ids": detections,
            "warning_id": incident_in.warning_id,
            "reasons": incident.classification.get("reasons", []),
        },
        summary=f"{incident.reference} reported for {org.name_en}: level {incident.final_level}",
    )
    emit(session, REPORTED, _notice(incident))
    return incident


def _reporting_org(
    session: Session, actor: Actor, incident_in: IncidentCreate
) -> tuple[Organisation, list[Organisation]]:
    """The operator reported for (the actor's own by default) and every affected operator."""
    org_id = incident_in.org_id or (actor.org.id if actor.org else None)
    if org_id is None:
        raise Invalid("name the operator the incident is of", field="org_id", rule="required")
    org = checks.operator(session, org_id, field="org_id")
    others = [
        checks.operator(session, other_id, field="affected_org_ids")
        for other_id in dict.fromkeys(incident_in.affected_org_ids)
        if other_id != org.id
    ]
    return org, [org, *others]


def _new_incident(
    session: Session,
    actor: Actor,
    org: Organisation,
    plan: PlanVersionView,
    incident_in: IncidentCreate,
    detections: list[str],
) -> Incident:
    now = clock.now()
    discovered = clock.as_utc(incident_in.discovered_at)
    occurred = clock.as_utc(incident_in.occurred_at) if incident_in.occurred_at else None
    checks.check_times(now, discovered, occurred)
    origin = Origin.operator
    if detections:
        origin = Origin.detections
    elif incident_in.warning_id:
        origin = Origin.warning
    incident = Incident(
        reference=service.allocate_reference(session, now.year),
        org_id=org.id,
        reported_by_id=actor.user_id,
        reported_by=actor.label,
        origin=origin,
        detection_ids=detections,
        warning_id=incident_in.warning_id,
        operator_type=incident_in.operator_type or ("cii" if org.is_cii else "other"),
        plan_name=plan.name,
        plan_version=plan.version,
        plan_version_id=plan.id,
        discovered_at=discovered,
        occurred_at=occurred,
        impact=incident_in.impact.as_inputs(),
        **{name: getattr(incident_in, name) for name in COPIED},
    )
    _set_ransom(incident, incident_in.ransom.model_dump() if incident_in.ransom else None)
    incident.organisation = org
    session.add(incident)
    session.flush()
    return incident


def _opening_timeline(session: Session, actor: Actor, incident: Incident) -> None:
    def event(text: str, at: datetime | None = None, kind: EntryKind = EntryKind.event) -> None:
        timeline.record(session, incident, actor=actor, kind=kind, text=text, at=at)

    if incident.occurred_at:
        event("The incident occurred", incident.occurred_at)
    event("The incident was discovered", incident.discovered_at)
    event(
        f"First report made by {actor.label} for {incident.organisation.name_en} "
        f"({incident.origin})",
        kind=EntryKind.action,
    )


def update_report(
    *, session: Session, actor: Actor, incident_id: str, update_in: IncidentUpdate
) -> IncidentReport:
    """An update report: the fields given change, the incident is classified again."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, UPDATE, service.target_of(incident))
    checks.check_open(incident, "updated")
    changes = update_in.changes()
    if not changes and not update_in.note:
        raise Invalid(
            "an update changes a field or says what is new", field="note", rule="update-empty"
        )
    document = plan_link.document_of(session, incident)
    if "category" in changes:
        checks.check_category(document, changes["category"])
    if "occurred_at" in changes:
        changes["occurred_at"] = clock.as_utc(changes["occurred_at"])
        checks.check_times(clock.now(), incident.discovered_at, changes["occurred_at"])
    before = incident.state_dict()
    _apply(incident, update_in, changes)
    made = _report(
        session,
        actor,
        incident,
        ReportKind.update,
        update_in.model_dump(mode="json", exclude_unset=True),
    )
    timeline.record(
        session,
        incident,
        actor=actor,
        kind=EntryKind.event,
        text=f"Update report by {actor.label}: "
        + (update_in.note or "changed " + ", ".join(sorted(changes))),
    )
    response.classify_incident(session, actor, incident)
    made.level = incident.final_level
    audit_service.record(
        session=session,
        actor=actor,
        action=UPDATE,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        before=before,
        after=incident.state_dict(),
        decision=decision,
        legal_basis="Art. 55; 2025 measures Art. 7",
        details={"report_id": made.id, "changed": sorted(changes)},
        summary=f"{incident.reference} updated: level {incident.final_level}",
    )
    emit(session, UPDATED, _notice(incident))
    return made


def _apply(incident: Incident, update_in: IncidentUpdate, changes: dict[str, Any]) -> None:
    """Set the changed fields; impact keys merge (an explicit null removes one)."""
    for name, value in changes.items():
        if name == "impact" and update_in.impact is not None:
            given = update_in.impact.model_dump(include=update_in.impact.model_fields_set)
            merged = {**incident.impact, **given}
            incident.impact = {key: v for key, v in merged.items() if v is not None}
        elif name == "ransom":
            _set_ransom(incident, value.model_dump())
        else:
            setattr(incident, name, value)


def override_level(
    *, session: Session, actor: Actor, incident_id: str, override_in: LevelOverride
) -> Incident:
    """An authorised person sets the final level with a reason; the computed one is kept."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, OVERRIDE, service.target_of(incident))
    checks.check_open(incident, "overridden")
    before = incident.state_dict()
    previous = incident.final_level
    incident.override_level = override_in.level
    incident.override_reason = override_in.reason
    incident.override_by = actor.label
    incident.final_level = override_in.level
    document = plan_link.document_of(session, incident)
    timeline.record(
        session,
        incident,
        actor=actor,
        kind=EntryKind.decision,
        text=f"Level overridden from {previous or 'none'} to {override_in.level} "
        f"(computed {incident.computed_level or 'none'}): {override_in.reason}",
    )
    response.follow_level(session, actor, incident, document)
    audit_service.record(
        session=session,
        actor=actor,
        action=OVERRIDE,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        before=before,
        after=incident.state_dict(),
        decision=decision,
        legal_basis="Art. 53",
        details={
            "computed_level": incident.computed_level,
            "previous_level": previous,
            "final_level": override_in.level,
            "reason": override_in.reason,
        },
        summary=f"{incident.reference}: level {previous} → {override_in.level} (override)",
    )
    emit(session, OVERRIDDEN, _notice(incident))
    return incident


def _set_ransom(incident: Incident, ransom: dict[str, Any] | None) -> None:
    if ransom:
        incident.ransom_amount = ransom["amount"]
        incident.ransom_method = ransom["method"]
        incident.ransom_date = ransom["date"]


def _report(
    session: Session, actor: Actor, incident: Incident, kind: ReportKind, fields: dict[str, Any]
) -> IncidentReport:
    made = IncidentReport(
        incident_id=incident.id,
        kind=kind,
        made_by_id=actor.user_id,
        made_by=actor.label,
        org_id=actor.org.id if actor.org else None,
        fields=fields,
    )
    session.add(made)
    session.flush()
    return made


def _notice(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.id,
        "reference": incident.reference,
        "org_id": incident.org_id,
        "state": incident.state,
        "final_level": incident.final_level,
    }
