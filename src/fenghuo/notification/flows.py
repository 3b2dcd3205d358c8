"""Notification use cases: send, acknowledge, read (status, inbox, one), replay a dead letter.

Each state change runs authorise → check → change → audit → emit in the caller's
transaction; the caller commits. ``send`` emits ONE ``notification.deliveries.requested``
notice carrying the notification id, however many recipients there are: the notification
worker loads the pending deliveries from the database (``delivery.py``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, ActorKind, Decision, Target, check, require, visibility
from fenghuo.bus.outbox import emit
from fenghuo.errors import Conflict, Invalid, InvalidTransition, NotFound, Refused
from fenghuo.monitoring.indicators import Tlp
from fenghuo.notification import actions, policy, service
from fenghuo.notification.enums import DeliveryState, NotificationKind, RecipientState
from fenghuo.notification.models import Notification, NotificationDelivery, NotificationRecipient
from fenghuo.notification.schemas import (
    DeliveryRead,
    InboxItem,
    NotificationRead,
    NotificationStatus,
    NotificationView,
    RecipientStatus,
)

DELIVERIES_REQUESTED = "notification.deliveries.requested"
ACKNOWLEDGED = "notification.acknowledged"
SENT = "notification.sent"
MAX_RECIPIENTS = 100_000


def _check_recipient_ids(recipient_org_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(recipient_org_ids))
    if not ids:
        raise Invalid(
            "a notification needs at least one recipient organisation",
            field="recipient_org_ids",
            rule="recipients-required",
        )
    if len(ids) > MAX_RECIPIENTS:
        raise Invalid(
            f"at most {MAX_RECIPIENTS} recipient organisations",
            field="recipient_org_ids",
            rule="recipients-limit",
        )
    return ids


def _check_text(title: str, body: str, tlp: str, ref_type: str | None, ref_id: str | None) -> Tlp:
    if not title.strip() or len(title) > 300 or any(ord(c) < 32 for c in title):
        raise Invalid(
            "the title is 1-300 characters on one line", field="title", rule="notification-title"
        )
    if len(body) > 50_000 or "\x00" in body:
        raise Invalid(
            "the body is plain text of at most 50,000 characters",
            field="body",
            rule="notification-body",
        )
    if (ref_type is None) != (ref_id is None):
        raise Invalid(
            "ref_type and ref_id go together", field="ref_type", rule="reference-complete"
        )
    try:
        return Tlp(tlp.strip().upper())
    except ValueError:
        raise Invalid(f"{tlp!r} is not a TLP 2.0 marking", field="tlp", rule="tlp") from None


def _authorise_send(
    actor: Actor, kind: NotificationKind, orgs: Sequence[service.Recipient]
) -> Decision:
    """Reports go upward; everything else to organisations within the sender's visibility."""
    sender = actor.org
    if kind is NotificationKind.report:
        decision = require(actor, actions.SEND_REPORT)
        if sender is not None:
            for org in orgs:
                policy.check_report_upward(actor.policy, sender, org.ref)
        return decision
    if sender is not None:
        policy.check_sender_may_direct(sender, kind)
    decision = require(actor, actions.SEND)
    if visibility(actor, actions.SEND).kind == "all":
        # Every organisation is within this actor's reach: one check stands for all of them.
        return require(actor, actions.SEND, Target(org=orgs[0].ref))
    # A decision on an organisation depends only on whether it lies in the sender's subtree,
    # its sector and its region (``authority.can_see``): organisations alike in those three
    # share the allowed decision. A refusal still names the first organisation refused.
    allowed: dict[tuple[bool, str | None, str | None], Decision] = {}
    for org in orgs:
        ref = org.ref
        key = (sender is not None and ref.path.startswith(sender.path), ref.sector, ref.region)
        known = allowed.get(key)
        if known is None:
            known = allowed[key] = require(actor, actions.SEND, Target(org=ref))
        decision = known
    return decision


def send(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    title: str,
    body: str,
    recipient_org_ids: Sequence[str],
    ref_type: str | None = None,
    ref_id: str | None = None,
    escalate_after: timedelta | None = None,
    tlp: str = "amber",
    details: Mapping[str, Any] | None = None,
) -> Notification:
    """Send a notification to organisations: inbox at once, e-mail and webhook by the worker."""
    notification_kind = policy.parse_kind(str(kind))
    marking = _check_text(title, body, str(tlp), ref_type, ref_id)
    policy.check_escalate_after(escalate_after)
    ids = _check_recipient_ids(recipient_org_ids)
    orgs_by_id = service.load_orgs(session=session, org_ids=ids)
    for index, org_id in enumerate(ids):
        if org_id not in orgs_by_id:
            raise Invalid(
                f"no organisation {org_id}",
                field=f"recipient_org_ids.{index}",
                rule="known-organisation",
            )
    orgs = [orgs_by_id[org_id] for org_id in ids]
    decision = _authorise_send(actor, notification_kind, orgs)
    notification, pending = service.create(
        session=session,
        fields={
            "kind": notification_kind.value,
            "title": title.strip(),
            "body": body,
            "sender_org_id": actor.org.id if actor.org else None,
            "sender_user_id": actor.user_id,
            "sender_label": actor.label,
            "ref_type": ref_type,
            "ref_id": ref_id,
            "tlp": marking.value,
            "details": dict(details or {}),
        },
        orgs=orgs,
        escalate_after=escalate_after,
    )
    audit_service.record(
        session=session,
        actor=actor,
        action=actions.SEND_REPORT
        if notification_kind is NotificationKind.report
        else actions.SEND,
        target_type="notification",
        target_id=notification.id,
        target_org_id=notification.sender_org_id,
        after=notification.state(),
        decision=decision,
        details={
            "kind": notification_kind.value,
            "title": notification.title,
            "recipients": len(orgs),
            "recipient_org_ids": ids[:50],
            "pending_deliveries": pending,
            "ref_type": ref_type,
            "ref_id": ref_id,
            "escalate_after_seconds": notification.escalate_after_seconds,
        },
        summary=f"{actor.label} sent {notification_kind.value} {notification.title!r} "
        f"to {len(orgs)} organisation(s)",
    )
    emit(session, SENT, {"notification_id": notification.id, "kind": notification_kind.value})
    if pending:
        emit(session, DELIVERIES_REQUESTED, {"notification_id": notification.id})
    return notification


def acknowledge(
    session: Session, actor: Actor, notification_id: str, *, note: str = ""
) -> NotificationRecipient:
    """Acknowledge for the actor's own organisation; only its people may, and only once."""
    notification = service.get_or_raise(session=session, notification_id=notification_id)
    recipient = (
        service.recipient_of(
            session=session, notification_id=notification.id, org_id=actor.org.id, for_update=True
        )
        if actor.org is not None
        else None
    )
    if recipient is None or actor.org is None:
        who = actor.org.name if actor.org else actor.label
        raise Refused(
            f"{who} is not a recipient of notification {notification.id}; only a recipient "
            "organisation's own people acknowledge it",
            rule=policy.RECIPIENT_RULE,
            article="Art. 55",
        )
    decision = require(
        actor,
        actions.ACKNOWLEDGE,
        Target(org=actor.org, description=f"notification {notification.id}"),
    )
    if len(note) > 2000 or "\x00" in note:
        raise Invalid("the note is at most 2000 characters", field="note", rule="note-length")
    if recipient.state == RecipientState.acknowledged:
        raise Conflict(
            f"notification {notification.id} was already acknowledged by "
            f"{recipient.acknowledged_by} at {recipient.acknowledged_at}",
        )
    previous = recipient.state
    recipient.state = RecipientState.acknowledged.value
    recipient.acknowledged_at = clock.now()
    recipient.acknowledged_by_id = actor.user_id
    recipient.acknowledged_by = actor.label
    recipient.note = note
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=actions.ACKNOWLEDGE,
        target_type="notification",
        target_id=notification.id,
        target_org_id=recipient.org_id,
        decision=decision,
        details={"previous_state": previous, "note": note[:500], "title": notification.title},
        summary=f"{actor.org.name or actor.org.id} acknowledged {notification.title!r}",
    )
    emit(
        session,
        ACKNOWLEDGED,
        {"notification_id": notification.id, "org_id": recipient.org_id, "by": actor.label},
    )
    return recipient


def _require_sender_view(actor: Actor, session: Session, notification: Notification) -> Decision:
    if notification.sender_org_id is None:
        if actor.kind is ActorKind.system:
            return require(actor, actions.VIEW)
        raise NotFound(f"no notification {notification.id}")
    sender = accounts_service.get_or_raise(session=session, org_id=notification.sender_org_id)
    return require(
        actor,
        actions.VIEW,
        Target(org=accounts_service.org_ref(sender), description=f"notification {notification.id}"),
    )


def status(session: Session, actor: Actor, notification_id: str) -> NotificationStatus:
    """The sender's view: who has and has not acknowledged, and each channel's delivery state."""
    notification = service.get_or_raise(session=session, notification_id=notification_id)
    _require_sender_view(actor, session, notification)
    deliveries: dict[str, list[DeliveryRead]] = defaultdict(list)
    by_channel: dict[str, Counter[str]] = defaultdict(Counter)
    for delivery in service.deliveries_of(session=session, notification_id=notification.id):
        deliveries[delivery.recipient_id].append(DeliveryRead.of(delivery))
        by_channel[delivery.channel][delivery.state] += 1
    recipients = notification.recipients
    names = service.org_names(session=session, org_ids=[r.org_id for r in recipients])
    counts = Counter(r.state for r in recipients)
    return NotificationStatus(
        notification=NotificationRead.model_validate(notification),
        counts={
            "total": len(recipients),
            **{state.value: counts.get(state.value, 0) for state in RecipientState},
        },
        deliveries={channel: dict(states) for channel, states in by_channel.items()},
        recipients=[
            RecipientStatus(
                org_id=r.org_id,
                org_name=names.get(r.org_id, r.org_id),
                state=r.state,
                acknowledged_at=r.acknowledged_at,
                acknowledged_by=r.acknowledged_by,
                note=r.note,
                escalated_at=r.escalated_at,
                escalation_id=r.escalation_id,
                deliveries=deliveries.get(r.id, []),
            )
            for r in recipients
        ],
    )


def _inbox_item(recipient: NotificationRecipient, notification: Notification) -> InboxItem:
    return InboxItem(
        notification=NotificationRead.model_validate(notification),
        state=recipient.state,
        acknowledged_at=recipient.acknowledged_at,
        acknowledged_by=recipient.acknowledged_by,
        note=recipient.note,
        escalated_at=recipient.escalated_at,
    )


def inbox(
    session: Session,
    actor: Actor,
    *,
    unacknowledged_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InboxItem], int]:
    """What the actor's organisation received, newest first, and how many in all."""
    if actor.org is None:
        require(actor, actions.VIEW)
        return [], 0
    require(actor, actions.VIEW, Target(org=actor.org))
    rows, total = service.received(
        session=session,
        org_id=actor.org.id,
        unacknowledged_only=unacknowledged_only,
        limit=limit,
        offset=offset,
    )
    return [_inbox_item(recipient, notification) for recipient, notification in rows], total


def get(session: Session, actor: Actor, notification_id: str) -> NotificationView:
    """One notification: as its sender's organisation sees it, or as a recipient does."""
    notification = service.get_or_raise(session=session, notification_id=notification_id)
    recipient = (
        service.recipient_of(session=session, notification_id=notification.id, org_id=actor.org.id)
        if actor.org is not None
        else None
    )
    if recipient is not None and actor.org is not None:
        require(actor, actions.VIEW, Target(org=actor.org))
        return NotificationView.of(
            notification, role="recipient", receipt=_inbox_item(recipient, notification)
        )
    try:
        _require_sender_view(actor, session, notification)
    except Refused:
        if check(actor, actions.VIEW).allowed:
            raise NotFound(f"no notification {notification_id}") from None
        raise
    return NotificationView.of(notification, role="sender")


def dead_letters(
    session: Session, actor: Actor, *, state: str = "dead", limit: int = 50, offset: int = 0
) -> tuple[list[NotificationDelivery], int]:
    """Deliveries in ``state`` (dead by default) of what the actor's organisation sent."""
    try:
        wanted = DeliveryState(state)
    except ValueError:
        raise Invalid(
            f"{state!r} is not a delivery state", field="state", rule="delivery-state"
        ) from None
    require(actor, actions.DELIVERIES_VIEW)
    return service.deliveries_in_state(
        session=session,
        scope=visibility(actor, actions.DELIVERIES_VIEW),
        state=wanted.value,
        limit=limit,
        offset=offset,
    )


def replay_dead(session: Session, actor: Actor, delivery_id: str) -> NotificationDelivery:
    """Queue a dead-lettered delivery again, with a fresh set of attempts (audited)."""
    delivery = session.get(NotificationDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery {delivery_id}")
    notification = service.get_or_raise(session=session, notification_id=delivery.notification_id)
    if notification.sender_org_id is None:
        decision = require(actor, actions.REPLAY)
    else:
        sender = accounts_service.get_or_raise(session=session, org_id=notification.sender_org_id)
        decision = require(
            actor,
            actions.REPLAY,
            Target(org=accounts_service.org_ref(sender), description=f"delivery {delivery.id}"),
        )
    if delivery.state != DeliveryState.dead:
        raise InvalidTransition(
            f"delivery {delivery.id} is {delivery.state}; only a dead delivery is replayed",
            current=delivery.state,
            requested=DeliveryState.pending.value,
        )
    details = {
        "channel": delivery.channel,
        "org_id": delivery.org_id,
        "endpoint_id": delivery.endpoint_id,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "notification_id": notification.id,
    }
    delivery.state = DeliveryState.pending.value
    delivery.attempts = 0
    delivery.next_attempt_at = clock.now()
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=actions.REPLAY,
        target_type="notification_delivery",
        target_id=delivery.id,
        target_org_id=delivery.org_id,
        decision=decision,
        details=details,
        summary=f"{actor.label} replayed the {delivery.channel} delivery of {notification.title!r}",
    )
    emit(session, DELIVERIES_REQUESTED, {"notification_id": notification.id})
    return delivery
