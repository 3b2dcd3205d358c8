"""Escalation of unacknowledged notifications (Art. 55), run periodically by the worker.

Every recipient still ``pending`` when its notification's ``escalate_at`` has passed is
escalated: one new notification (kind ``notice``, referring to the original) goes to the
escalation target of each group of such recipients — the recipient's parent organisation,
or the sender's organisation for a recipient at the root (``policy.escalation_target``).
Grouping keeps it to one escalation per (notification, target), however many children of one
parent are late. Each recipient row records when and by which notification it was escalated,
and each escalation is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, require
from fenghuo.bus.outbox import emit
from fenghuo.notification import actions, policy, service
from fenghuo.notification.enums import NotificationKind, RecipientState
from fenghuo.notification.flows import DELIVERIES_REQUESTED
from fenghuo.notification.models import Notification, NotificationRecipient

BATCH = 5000
LIST_IN_BODY = 50


def _due(session: Session, now: datetime) -> list[tuple[NotificationRecipient, Notification, str]]:
    rows = session.execute(
        select(NotificationRecipient, Notification, Organisation)
        .join(Notification, Notification.id == NotificationRecipient.notification_id)
        .join(Organisation, Organisation.id == NotificationRecipient.org_id)
        .where(
            NotificationRecipient.state == RecipientState.pending.value,
            Notification.escalate_at.is_not(None),
            Notification.escalate_at <= now,
        )
        .order_by(Notification.escalate_at, NotificationRecipient.id)
        .limit(BATCH)
        # PostgreSQL: concurrent sweeps (several workers) skip the rows another one holds.
        .with_for_update(skip_locked=True, of=NotificationRecipient)
    )
    return [(recipient, notification, org.name_en) for recipient, notification, org in rows]


def _body(notification: Notification, late: list[tuple[NotificationRecipient, str]]) -> str:
    names = [name for _recipient, name in late]
    listed = "\n".join(f"- {name}" for name in names[:LIST_IN_BODY])
    more = f"\n… and {len(names) - LIST_IN_BODY} more" if len(names) > LIST_IN_BODY else ""
    return (
        f"以下组织未在规定时间内确认通知“{notification.title}”。\n"
        f"These organisations did not acknowledge “{notification.title}” in time "
        f"(due {notification.escalate_at:%Y-%m-%d %H:%M} UTC):\n{listed}{more}\n\n"
        f"Notification {notification.id}, sent by {notification.sender_label}."
    )


def escalate_due(session: Session, actor: Actor, now: datetime | None = None) -> list[Notification]:
    """Escalate every recipient unacknowledged past ``escalate_at``; the new notifications."""
    decision = require(actor, actions.ESCALATE)
    moment = now or clock.now()
    groups: dict[tuple[str, str | None], list[tuple[NotificationRecipient, str]]] = defaultdict(
        list
    )
    originals: dict[str, Notification] = {}
    parents: dict[str, str | None] = {}
    due = _due(session, moment)
    if not due:
        return []
    for org_id, parent_id in session.execute(
        select(Organisation.id, Organisation.parent_id).where(
            Organisation.id.in_({recipient.org_id for recipient, _n, _name in due})
        )
    ):
        parents[org_id] = parent_id
    for recipient, notification, name in due:
        originals[notification.id] = notification
        target = policy.escalation_target(
            parent_id=parents.get(recipient.org_id), sender_org_id=notification.sender_org_id
        )
        groups[(notification.id, target)].append((recipient, name))
    created: list[Notification] = []
    for (notification_id, target), late in groups.items():
        original = originals[notification_id]
        escalation = _escalate_group(session, actor, original, target, late, moment)
        if escalation is not None:
            created.append(escalation)
        audit_service.record(
            session=session,
            actor=actor,
            action=actions.ESCALATE,
            target_type="notification",
            target_id=original.id,
            target_org_id=original.sender_org_id,
            decision=decision,
            legal_basis="Art. 55",
            details={
                "escalated_org_ids": [r.org_id for r, _name in late][:200],
                "escalated": len(late),
                "to_org_id": target,
                "escalation_id": escalation.id if escalation else None,
                "escalate_at": original.escalate_at.isoformat() if original.escalate_at else None,
            },
            summary=f"{len(late)} organisation(s) did not acknowledge {original.title!r} in time; "
            f"escalated",
        )
    return created


def _escalate_group(
    session: Session,
    actor: Actor,
    original: Notification,
    target: str | None,
    late: list[tuple[NotificationRecipient, str]],
    moment: datetime,
) -> Notification | None:
    escalation: Notification | None = None
    if target is not None:
        target_org = session.get(Organisation, target)
        if target_org is not None:
            escalation, pending = service.create(
                session=session,
                fields={
                    "kind": NotificationKind.notice.value,
                    "title": f"未确认 / Unacknowledged: {original.title}"[:300],
                    "body": _body(original, late),
                    "sender_org_id": original.sender_org_id,
                    "sender_user_id": None,
                    "sender_label": f"{actor.label} (escalation)",
                    "ref_type": "notification",
                    "ref_id": original.id,
                    "tlp": original.tlp,
                    "details": {"escalated_org_ids": [r.org_id for r, _name in late][:1000]},
                },
                orgs=[service.recipient(target_org)],
                escalate_after=None,
            )
            if pending:
                emit(session, DELIVERIES_REQUESTED, {"notification_id": escalation.id})
    # The state condition keeps a concurrent sweep from escalating the same rows twice.
    ids = [recipient.id for recipient, _name in late]
    for part in service.chunks(ids):
        session.execute(
            update(NotificationRecipient)
            .where(
                NotificationRecipient.id.in_(part),
                NotificationRecipient.state == RecipientState.pending.value,
            )
            .values(
                state=RecipientState.escalated.value,
                escalated_at=moment,
                escalation_id=escalation.id if escalation else None,
            )
            .execution_options(synchronize_session=False)
        )
    for recipient, _name in late:
        session.expire(recipient)
    return escalation
