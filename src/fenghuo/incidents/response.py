"""Classification and activation (Arts. 53, 55): the plan's matrix gives the level, the level
activates the plan's response.

``classify_incident`` runs on every report and update: it stores the computed level and the
reasons (which criterion gave which level), and the final level (the override, if an
authorised person made one, else the computed level). When the final level changes while
the incident is classified or responding, ``activate`` runs: open tasks of the previous
level are superseded, the new level's tasks are created with their owners and
``due_at = classification time + due_after``, and each directive task goes to each
affected operator as a ``directive`` notification that escalates if unacknowledged after
the plan's time. Level II and above is reported upward to the national coordinator.
Activation is the plan acting, so its notifications are sent and audited by the
``plan-activation`` system actor, inside the transaction of the flow that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor
from fenghuo.bus.outbox import emit
from fenghuo.incidents import plan_link, service, timeline
from fenghuo.incidents.actions import MANAGE
from fenghuo.incidents.enums import EntryKind, IncidentState, ReportKind, TaskState
from fenghuo.incidents.models import Incident, IncidentReport, IncidentTask
from fenghuo.incidents.policy import ACTIVE_STATES, check_transition
from fenghuo.notification import flows as notification_flows
from fenghuo.plans import classification as plans_classification
from fenghuo.plans.schema import PlanDocument, Task, level_rank

CLASSIFIED = "incidents.incident.classified"
ACTIVATED = "incidents.incident.activated"
ACTIVATION_LABEL = "plan-activation"
UPWARD_FROM = "II"  # level II and above is reported to the national coordinator


def activation_actor(actor: Actor) -> Actor:
    """The system actor the plan acts as when it activates."""
    return Actor.system(actor.policy, label=ACTIVATION_LABEL)


def inputs(incident: Incident) -> dict[str, object]:
    """What the matrix reads: the impact inputs, the category and the operator type."""
    return {
        **incident.impact,
        "category": incident.category,
        "operator_type": incident.operator_type,
    }


def classify_incident(session: Session, actor: Actor, incident: Incident) -> bool:
    """Classify by the incident's plan version; activate on a level change. True if changed."""
    document = plan_link.document_of(session, incident)
    result = plans_classification.classify(document, inputs(incident))
    now = clock.now()
    previous = incident.final_level
    incident.computed_level = result.level
    incident.classification = result.as_dict()
    incident.classified_at = now
    # The plan's residual class (general, IV) is a person's judgement: when no criterion is
    # met any more, the level already set stays until someone overrides it.
    incident.final_level = incident.override_level or result.level or previous
    changed = incident.final_level != previous
    if changed:
        _record_level(session, actor, incident, previous, document)
    follow_level(session, actor, incident, document)
    return changed


def _record_level(
    session: Session, actor: Actor, incident: Incident, previous: str | None, plan: PlanDocument
) -> None:
    level = incident.final_level
    reasons = incident.classification.get("reasons", [])
    why = "; ".join(
        f"{r['title_en']}: {r['value']} ≥ {r['threshold']} {r['unit']} → {r['level']}"
        if r.get("threshold") is not None
        else f"{r['title_en']}: {r['value']} → {r['level']}"
        for r in reasons[:5]
    )
    named = f"{level} ({plan.level_name(level)})" if level else "no level"
    text = f"Classified {named} under {incident.plan_name} v{incident.plan_version}"
    if incident.override_level:
        text += f"; level overridden to {incident.override_level}: {incident.override_reason}"
    timeline.record(
        session,
        incident,
        actor=actor,
        kind=EntryKind.decision,
        text=f"{text}. {why}".strip(),
    )
    emit(
        session,
        CLASSIFIED,
        {
            "incident_id": incident.id,
            "reference": incident.reference,
            "previous_level": previous,
            "computed_level": incident.computed_level,
            "final_level": level,
        },
    )


def follow_level(session: Session, actor: Actor, incident: Incident, plan: PlanDocument) -> None:
    """Move to classified, activate the level's response and report upward, as needed."""
    level = incident.final_level
    if level is None:
        return
    if incident.state == IncidentState.reported:
        check_transition(incident.state, IncidentState.classified)
        incident.state = IncidentState.classified
    if incident.state in ACTIVE_STATES and incident.activated_level != level:
        activate(session, actor, incident, plan)
    if level_rank(level) >= level_rank(UPWARD_FROM):
        report_upward(session, actor, incident, plan)


def activate(session: Session, actor: Actor, incident: Incident, plan: PlanDocument) -> None:
    """Create the level's tasks, send its directives, and move to responding."""
    level = incident.final_level
    assert level is not None
    system = activation_actor(actor)
    now = clock.now()
    superseded = 0
    for task in service.tasks(session, incident, open_only=True):
        task.state = TaskState.superseded
        superseded += 1
    response = plan.response_for(level)
    created: list[IncidentTask] = []
    operators = [row.organisation for row in service.affected_operators(session, incident)]
    for step in response.tasks:
        role = plan.roles.get(step.owner_role)
        if step.directive:
            created += _directives(session, system, incident, plan, step, now, operators)
        else:
            owner = service.lead_org(session, incident, role.org_kind if role else None)
            task = _task(incident, level, step, now, owner_org_id=owner.id if owner else None)
            session.add(task)
            created.append(task)
    session.flush()
    incident.activated_level = level
    if incident.state == IncidentState.classified:
        check_transition(incident.state, IncidentState.responding)
        incident.state = IncidentState.responding
    directives = sum(1 for task in created if task.directive)
    timeline.record(
        session,
        incident,
        actor=system,
        kind=EntryKind.action,
        text=(
            f"Plan {incident.plan_name} v{incident.plan_version} activated at level {level}: "
            f"{len(created)} tasks, {directives} directives sent"
            + (f"; {superseded} open tasks of the previous level superseded" if superseded else "")
        ),
    )
    _audit_activation(session, actor, system, incident, created, superseded)
    emit(
        session,
        ACTIVATED,
        {"incident_id": incident.id, "level": level, "tasks": len(created)},
    )


def _audit_activation(
    session: Session,
    actor: Actor,
    system: Actor,
    incident: Incident,
    created: Sequence[IncidentTask],
    superseded: int,
) -> None:
    level = incident.final_level
    directives = sum(1 for task in created if task.directive)
    audit_service.record(
        session=session,
        actor=system,
        action=MANAGE,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        legal_basis="Art. 55",
        details={
            "activated_level": level,
            "plan": f"{incident.plan_name}@{incident.plan_version}",
            "tasks": [task.id for task in created],
            "directives": directives,
            "superseded": superseded,
            "caused_by": actor.label,
        },
        summary=f"{incident.reference}: plan activated at level {level}",
    )


def _directives(
    session: Session,
    system: Actor,
    incident: Incident,
    plan: PlanDocument,
    step: Task,
    now: datetime,
    operators: Sequence[Organisation],
) -> list[IncidentTask]:
    level = incident.final_level or ""
    created: list[IncidentTask] = []
    for operator in operators:
        task = _task(incident, level, step, now, owner_org_id=operator.id)
        session.add(task)
        session.flush()
        _send_directive(session, system, incident, plan, task)
        created.append(task)
    return created


def extend_to(
    session: Session, actor: Actor, incident: Incident, operators: Sequence[Organisation]
) -> list[IncidentTask]:
    """Send the activated level's directives to operators added while responding."""
    if incident.activated_level is None or incident.state not in ACTIVE_STATES or not operators:
        return []
    plan = plan_link.document_of(session, incident)
    system = activation_actor(actor)
    now = clock.now()
    created: list[IncidentTask] = []
    for step in plan.response_for(incident.activated_level).tasks:
        if step.directive:
            created += _directives(session, system, incident, plan, step, now, operators)
    return created


def _task(
    incident: Incident, level: str, step: Task, now: datetime, *, owner_org_id: str | None
) -> IncidentTask:
    return IncidentTask(
        incident_id=incident.id,
        level=level,
        title_zh=step.title_zh,
        title_en=step.title_en,
        owner_role=step.owner_role,
        owner_org_id=owner_org_id,
        directive=step.directive,
        due_at=now + step.due_after,
        state=TaskState.open,
    )


def _send_directive(
    session: Session, system: Actor, incident: Incident, plan: PlanDocument, task: IncidentTask
) -> None:
    due = task.due_at.strftime("%Y-%m-%d %H:%M UTC")
    notification = notification_flows.send(
        session,
        system,
        kind="directive",
        title=f"[{incident.reference}] {task.title_zh} / {task.title_en}",
        body=(
            f"事件 {incident.reference}（{incident.title}）已按{task.level}级响应启动预案。"
            f"请于 {due} 前完成：{task.title_zh}，并在平台上报告完成情况。\n\n"
            f"Incident {incident.reference} ({incident.title}): the plan is active at level "
            f"{task.level}. By {due}: {task.title_en}. Report completion on the platform."
        ),
        recipient_org_ids=[task.owner_org_id] if task.owner_org_id else [],
        ref_type="incident_task",
        ref_id=task.id,
        escalate_after=plan.notification_escalation_after(task.level),
        tlp="AMBER",  # TLP 2.0 label as the notification flow parses it
        details={"incident_id": incident.id, "reference": incident.reference, "due_at": due},
    )
    task.notification_id = notification.id


def report_upward(session: Session, actor: Actor, incident: Incident, plan: PlanDocument) -> None:
    """Level II and above: a report to the national coordinator, once per level reached."""
    level = incident.final_level
    assert level is not None
    for made in service.reports(session, incident):
        if made.kind == ReportKind.escalation and level_rank(made.level) >= level_rank(level):
            return
    national = service.national_coordinator(session)
    if national is None or national.id == incident.org_id:
        return
    system = activation_actor(actor)
    notification = notification_flows.send(
        session,
        system,
        kind="report",
        title=f"[{incident.reference}] {plan.level_name(level, 'zh')}网络安全事件 / "
        f"{plan.level_name(level)} incident: {incident.title}",
        body=(
            f"{incident.reporting_unit} reported {incident.reference} ({incident.category}), "
            f"discovered {incident.discovered_at.isoformat()}, classified level {level} under "
            f"{incident.plan_name} v{incident.plan_version}."
        ),
        recipient_org_ids=[national.id],
        ref_type="incident",
        ref_id=incident.id,
        escalate_after=plan.notification_escalation_after(level),
        tlp="AMBER",  # TLP 2.0 label as the notification flow parses it
        details={"incident_id": incident.id, "reference": incident.reference, "level": level},
    )
    session.add(
        IncidentReport(
            incident_id=incident.id,
            kind=ReportKind.escalation,
            made_by=system.label,
            org_id=national.id,
            fields={"to": national.name_en},
            level=level,
            notification_id=notification.id,
        )
    )
    session.flush()
    timeline.record(
        session,
        incident,
        actor=system,
        kind=EntryKind.action,
        text=f"Reported upward to {national.name_en} at level {level}",
    )
