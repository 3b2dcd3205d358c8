"""Persistence of notifications: create with recipients and deliveries in bulk, get, list.

Flushes, never commits. A notification to 10,000 organisations is three multi-row INSERTs,
not 30,000 ORM objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.authority import OrgRef, VisibilityScope
from fenghuo.errors import NotFound
from fenghuo.notification.enums import Channel, DeliveryState, RecipientState
from fenghuo.notification.models import (
    Notification,
    NotificationDelivery,
    NotificationEndpoint,
    NotificationRecipient,
)
from fenghuo.store import new_id

CHUNK = 1000  # ids per IN (...) list, well under every dialect's parameter limit


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Recipient:
    """What sending needs of a recipient organisation (read as plain rows, not ORM objects)."""

    ref: OrgRef
    contact_email: str | None

    @property
    def id(self) -> str:
        return self.ref.id


def load_orgs(*, session: Session, org_ids: Sequence[str]) -> dict[str, Recipient]:
    """The organisations with these ids (missing ones are simply absent)."""
    found: dict[str, Recipient] = {}
    o = Organisation
    columns = (o.id, o.kind, o.path, o.sector_code, o.region_code, o.name_en, o.contact_email)
    for part in chunks(org_ids):
        for org_id, kind, path, sector, region, name, email in session.execute(
            select(*columns).where(o.id.in_(part))
        ):
            ref = OrgRef(id=org_id, kind=kind, path=path, sector=sector, region=region, name=name)
            found[org_id] = Recipient(ref=ref, contact_email=email)
    return found


def recipient(org: Organisation) -> Recipient:
    """``org`` as a recipient."""
    return Recipient(ref=accounts_service.org_ref(org), contact_email=org.contact_email)


def external_channels(
    *, session: Session, orgs: Iterable[Recipient]
) -> dict[str, list[tuple[str, str | None]]]:
    """Per organisation: ``(channel, endpoint_id)`` of each e-mail/webhook delivery to make.

    One e-mail delivery per organisation that has an address (its enabled e-mail endpoints or
    its contact address); one webhook delivery per enabled webhook endpoint.
    """
    by_org: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    org_list = list(orgs)
    ids = [org.id for org in org_list]
    has_email = {org.id for org in org_list if org.contact_email}
    for part in chunks(ids):
        rows = session.execute(
            select(
                NotificationEndpoint.org_id,
                NotificationEndpoint.channel,
                NotificationEndpoint.id,
            ).where(NotificationEndpoint.org_id.in_(part), NotificationEndpoint.enabled.is_(True))
        )
        for org_id, channel, endpoint_id in rows:
            if channel == Channel.webhook:
                by_org[org_id].append((Channel.webhook.value, endpoint_id))
            else:
                has_email.add(org_id)
    for org_id in has_email:
        by_org[org_id].append((Channel.email.value, None))
    return by_org


def email_addresses(*, session: Session, org_ids: Sequence[str]) -> dict[str, list[str]]:
    """Per organisation, its e-mail addresses: enabled e-mail endpoints and the contact address."""
    found: dict[str, list[str]] = defaultdict(list)
    for part in chunks(org_ids):
        for org_id, contact in session.execute(
            select(Organisation.id, Organisation.contact_email).where(Organisation.id.in_(part))
        ):
            if contact:
                found[org_id].append(contact)
        for org_id, address in session.execute(
            select(NotificationEndpoint.org_id, NotificationEndpoint.address).where(
                NotificationEndpoint.org_id.in_(part),
                NotificationEndpoint.enabled.is_(True),
                NotificationEndpoint.channel == Channel.email.value,
            )
        ):
            if address not in found[org_id]:
                found[org_id].append(address)
    return found


def create(
    *,
    session: Session,
    fields: dict[str, Any],
    orgs: Sequence[Recipient],
    escalate_after: timedelta | None,
) -> tuple[Notification, int]:
    """Insert the notification, a recipient row and an inbox delivery per organisation, and a
    pending delivery per external channel; returns it and the number of pending deliveries."""
    now = clock.now()
    notification = Notification(
        id=new_id(),
        created_at=now,
        escalate_after_seconds=int(escalate_after.total_seconds()) if escalate_after else None,
        escalate_at=now + escalate_after if escalate_after else None,
        **fields,
    )
    session.add(notification)
    session.flush()
    external = external_channels(session=session, orgs=orgs)
    recipients: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for org in orgs:
        recipient_id = new_id()
        recipients.append(
            {
                "id": recipient_id,
                "notification_id": notification.id,
                "org_id": org.id,
                "state": RecipientState.pending.value,
                "note": "",
            }
        )
        common = {
            "notification_id": notification.id,
            "recipient_id": recipient_id,
            "org_id": org.id,
            "created_at": now,
            "updated_at": now,
        }
        deliveries.append(
            {
                **common,
                "id": new_id(),
                "channel": Channel.inbox.value,
                "endpoint_id": None,
                "state": DeliveryState.delivered.value,
                "attempts": 1,
                "delivered_at": now,
                "next_attempt_at": None,
            }
        )
        for channel, endpoint_id in external.get(org.id, ()):
            deliveries.append(
                {
                    **common,
                    "id": new_id(),
                    "channel": channel,
                    "endpoint_id": endpoint_id,
                    "state": DeliveryState.pending.value,
                    "attempts": 0,
                    "delivered_at": None,
                    "next_attempt_at": now,
                }
            )
    if recipients:
        # Core INSERTs (executemany, batched by the dialect): the ORM's bulk path spends most
        # of its time collecting per-row persistence state that these rows do not need.
        session.execute(insert(cast(Table, NotificationRecipient.__table__)), recipients)
        session.execute(insert(cast(Table, NotificationDelivery.__table__)), deliveries)
    session.expire(notification, ["recipients"])
    pending = sum(1 for row in deliveries if row["state"] == DeliveryState.pending.value)
    return notification, pending


def get_or_raise(*, session: Session, notification_id: str) -> Notification:
    """The notification with this id; ``NotFound`` otherwise."""
    notification = session.get(Notification, notification_id)
    if notification is None:
        raise NotFound(f"no notification {notification_id}")
    return notification


def recipient_of(
    *, session: Session, notification_id: str, org_id: str, for_update: bool = False
) -> NotificationRecipient | None:
    """The recipient row of ``org_id`` for this notification, if it is a recipient."""
    query = select(NotificationRecipient).where(
        NotificationRecipient.notification_id == notification_id,
        NotificationRecipient.org_id == org_id,
    )
    # Row-locked when acknowledging, so that two acknowledgements at once cannot both win.
    return session.scalar(query.with_for_update() if for_update else query)


def deliveries_of(*, session: Session, notification_id: str) -> list[NotificationDelivery]:
    """Every delivery of a notification."""
    return list(
        session.scalars(
            select(NotificationDelivery)
            .where(NotificationDelivery.notification_id == notification_id)
            .order_by(NotificationDelivery.org_id, NotificationDelivery.channel)
        )
    )


def received(
    *, session: Session, org_id: str, unacknowledged_only: bool, limit: int, offset: int
) -> tuple[list[tuple[NotificationRecipient, Notification]], int]:
    """What ``org_id`` received, newest first, and how many in all."""
    query = (
        select(NotificationRecipient, Notification)
        .join(Notification, Notification.id == NotificationRecipient.notification_id)
        .where(NotificationRecipient.org_id == org_id)
    )
    if unacknowledged_only:
        query = query.where(NotificationRecipient.state != RecipientState.acknowledged.value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Notification.created_at.desc(), Notification.id).limit(limit).offset(offset)
    )
    return [(recipient, notification) for recipient, notification in rows], total


def deliveries_in_state(
    *, session: Session, scope: VisibilityScope, state: str, limit: int, offset: int
) -> tuple[list[NotificationDelivery], int]:
    """Deliveries in ``state`` of notifications sent by organisations within ``scope``."""
    query = (
        select(NotificationDelivery)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .join(Organisation, Organisation.id == Notification.sender_org_id)
        .where(NotificationDelivery.state == state)
        .where(accounts_service.visible_orgs_clause(scope))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(NotificationDelivery.updated_at.desc(), NotificationDelivery.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def org_names(*, session: Session, org_ids: Sequence[str]) -> dict[str, str]:
    """English names of organisations by id."""
    names: dict[str, str] = {}
    for part in chunks(org_ids):
        for org_id, name in session.execute(
            select(Organisation.id, Organisation.name_en).where(Organisation.id.in_(part))
        ):
            names[org_id] = name
    return names


def due_time(now: datetime, seconds: float) -> datetime:
    """``now`` plus ``seconds``."""
    return now + timedelta(seconds=seconds)
