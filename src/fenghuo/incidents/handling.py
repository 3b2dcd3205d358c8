"""Handling (Art. 55): tasks and directives completed, affected operators and assets, recovery,
cancellation.

A directive task is completed by the operator it was sent to (after it acknowledged the
notification, in the notification inbox); any other task by the organisation that owns it.
Recovery marks the end of handling, which starts the 30-day clock of the final report.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, ActorKind, Target, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Invalid, InvalidTransition, NotFound, Refused
from fenghuo.incidents import checks, response, service, timeline
from fenghuo.incidents.actions import COMPLETE_TASK, MANAGE
from fenghuo.incidents.enums import EntryKind, IncidentState, TaskState
from fenghuo.incidents.models import Incident, IncidentTask
from fenghuo.incidents.policy import check_transition
from fenghuo.incidents.schemas import AffectedIn, CancelIn, TaskCompletion

TASK_DONE = "incidents.task.completed"
STATE_CHANGED = "incidents.incident.state_changed"
DIRECTIVE_RULE = "directive-completed-by-its-operator"
OWNER_RULE = "task-completed-by-its-owner"


def get_task(session: Session, task_id: str) -> IncidentTask:
    """The task with ``task_id``; ``NotFound`` otherwise."""
    task = session.get(IncidentTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    return task


def complete_task(
    *, session: Session, actor: Actor, task_id: str, completion: TaskCompletion
) -> IncidentTask:
    """Report a task done, with a note: a directive by its operator, others by their owner."""
    task = get_task(session, task_id)
    incident = service.get_or_raise(session=session, incident_id=task.incident_id)
    owner = task.owner_org or incident.organisation
    decision = require(
        actor,
        COMPLETE_TASK,
        Target(org=accounts_service.org_ref(owner), description=f"task {task.title_en!r}"),
    )
    _check_completer(actor, task, owner)
    if task.state != TaskState.open:
        raise InvalidTransition(
            f"the task is {task.state}; only an open task is completed",
            current=task.state,
            requested=TaskState.done,
        )
    checks.check_open(incident, "worked on")
    now = clock.now()
    task.state = TaskState.done
    task.completed_at = now
    task.completed_by = actor.label
    task.completion_note = completion.note
    late = now > task.due_at
    timeline.record(
        session,
        incident,
        actor=actor,
        kind=EntryKind.action,
        text=f"{'Directive' if task.directive else 'Task'} completed by {owner.name_en}"
        f"{' (late)' if late else ''}: {task.title_en} — {completion.note}",
    )
    audit_service.record(
        session=session,
        actor=actor,
        action=COMPLETE_TASK,
        target_type="incident_task",
        target_id=task.id,
        target_org_id=owner.id,
        decision=decision,
        legal_basis="Art. 55",
        details={
            "incident_id": incident.id,
            "directive": task.directive,
            "late": late,
            "notification_id": task.notification_id,
        },
        summary=f"{incident.reference}: {task.title_en} done",
    )
    emit(session, TASK_DONE, {"incident_id": incident.id, "task_id": task.id, "late": late})
    return task


def _check_completer(actor: Actor, task: IncidentTask, owner: Organisation) -> None:
    """A task is reported done by people of the organisation that owns it (Art. 55)."""
    in_owner = actor.org is not None and actor.org.path.startswith(owner.path)
    if actor.kind is not ActorKind.system and not in_owner:
        if task.directive:
            raise Refused(
                f"the directive was sent to {owner.name_en}; only that operator reports it done",
                rule=DIRECTIVE_RULE,
                article="Art. 55",
            )
        raise Refused(
            f"the task belongs to {owner.name_en} ({task.owner_role}); only its people report "
            "it done",
            rule=OWNER_RULE,
            article="Art. 55",
        )


def tasks_of_org(*, session: Session, actor: Actor, open_only: bool = True) -> list[IncidentTask]:
    """The directives and tasks owned by the actor's organisation (its to-do list)."""
    if actor.org is None:
        return []
    query = select(IncidentTask).where(IncidentTask.owner_org_id == actor.org.id)
    if open_only:
        query = query.where(IncidentTask.state == TaskState.open)
    return list(session.scalars(query.order_by(IncidentTask.due_at)).unique())


def add_affected(
    *, session: Session, actor: Actor, incident_id: str, affected_in: AffectedIn
) -> Incident:
    """Link further affected operators and assets; new operators get the active directives."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, MANAGE, service.target_of(incident))
    checks.check_open(incident, "changed")
    operators = [
        checks.operator(session, org_id, field="org_ids") for org_id in affected_in.org_ids
    ]
    for operator in operators:
        require(actor, MANAGE, Target(org=accounts_service.org_ref(operator)))
    known = {row.org_id for row in service.affected_operators(session, incident)}
    added = service.link_operators(session, incident, [o.id for o in operators])
    assets = checks.assets(session, affected_in.asset_ids, known | set(added))
    linked = service.link_assets(session, incident, assets)
    directives = response.extend_to(
        session, actor, incident, [o for o in operators if o.id in added]
    )
    timeline.record(
        session,
        incident,
        actor=actor,
        kind=EntryKind.decision,
        text=f"Affected: {len(added)} operators and {len(linked)} assets added; "
        f"{len(directives)} directives sent",
    )
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        decision=decision,
        legal_basis="Art. 55",
        details={"operators": added, "assets": linked, "directives": len(directives)},
        summary=f"{incident.reference}: affected operators and assets added",
    )
    return incident


def start_recovery(*, session: Session, actor: Actor, incident_id: str, note: str = "") -> Incident:
    """The response is over: recovery starts, handling ends, the final report's clock starts."""
    incident = _move(session, actor, incident_id, IncidentState.recovering, note)
    incident.handling_ended_at = clock.now()
    return incident


def cancel(*, session: Session, actor: Actor, incident_id: str, cancel_in: CancelIn) -> Incident:
    """End an incident that was a false report or is merged into another (before recovery)."""
    other = None
    if cancel_in.merged_into:
        other = service.get_or_raise(session=session, incident_id=cancel_in.merged_into)
        require(actor, MANAGE, service.target_of(other))
        if other.id == incident_id or other.reference == incident_id:
            raise Invalid(
                "an incident cannot merge into itself", field="merged_into", rule="merge-other"
            )
        checks.check_open(other, "merged into")
    incident = _move(session, actor, incident_id, IncidentState.cancelled, cancel_in.reason)
    incident.cancel_reason = cancel_in.reason
    if other is not None:
        incident.merged_into_id = other.id
    for task in service.tasks(session, incident, open_only=True):
        task.state = TaskState.superseded
    return incident


def _move(
    session: Session, actor: Actor, incident_id: str, state: IncidentState, note: str
) -> Incident:
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, MANAGE, service.target_of(incident))
    check_transition(incident.state, state)
    previous = incident.state
    incident.state = state
    timeline.record(
        session,
        incident,
        actor=actor,
        kind=EntryKind.decision,
        text=f"{previous} → {state}" + (f": {note}" if note else ""),
    )
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        decision=decision,
        legal_basis="Art. 55",
        details={"from": previous, "to": state, "note": note},
        summary=f"{incident.reference}: {previous} → {state}",
    )
    emit(session, STATE_CHANGED, {"incident_id": incident.id, "from": previous, "to": state})
    return incident
