"""Notifications (Arts. 51, 52, 55): send, inbox, acknowledge, status, dead letters, endpoints.

Directives, warnings and notices are sent with ``POST /api/v1/notifications``; reports go
upward with ``POST /api/v1/notifications/reports``. Routes parse, call the flow, render.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from fenghuo.api.deps import ActorDep, SessionDep, SettingsDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath, Page, PagingDep
from fenghuo.notification import actions, endpoints, flows
from fenghuo.notification.enums import DeliveryState, NotificationKind
from fenghuo.notification.schemas import (
    AcknowledgementCreate,
    DeliveryRead,
    EndpointCreate,
    EndpointCreated,
    EndpointRead,
    InboxItem,
    NotificationCreate,
    NotificationRead,
    NotificationStatus,
    NotificationView,
    ReportCreate,
)

router = APIRouter(
    prefix="/api/v1/notifications", tags=["notifications"], responses=PROBLEM_RESPONSES
)
endpoints_router = APIRouter(
    prefix="/api/v1/notification-endpoints",
    tags=["notifications"],
    responses=PROBLEM_RESPONSES,
)


class InboxPage(Page[InboxItem]):
    """A page of what my organisation received, newest first."""


class DeliveryPage(Page[DeliveryRead]):
    """A page of deliveries (dead letters by default), most recently changed first."""


class EndpointList(Page[EndpointRead]):
    """My organisation's endpoints."""


def _created(
    response: Response, session: SessionDep, actor: ActorDep, fields: ReportCreate, kind: str
) -> NotificationRead:
    notification = flows.send(
        session,
        actor,
        kind=kind,
        title=fields.title,
        body=fields.body,
        recipient_org_ids=fields.recipient_org_ids,
        ref_type=fields.ref_type,
        ref_id=fields.ref_id,
        escalate_after=fields.escalate_after,
        tlp=fields.tlp.value,
    )
    response.headers["Location"] = f"{router.prefix}/{notification.id}"
    return NotificationRead.model_validate(notification)


@router.post(
    "",
    status_code=201,
    summary="Send a directive, warning or notice to organisations within my visibility",
    dependencies=[Depends(requires(actions.SEND))],
)
def send_notification(
    notification_in: Annotated[NotificationCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> NotificationRead:
    """Inbox at once; e-mail and webhooks by the notification worker (audited, on the bus)."""
    return _created(response, session, actor, notification_in, notification_in.kind.value)


@router.post(
    "/reports",
    status_code=201,
    summary="Send a report upward, to the authorities over my organisation",
    dependencies=[Depends(requires(actions.SEND_REPORT))],
)
def send_report(
    report_in: Annotated[ReportCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> NotificationRead:
    """A report (Arts. 52, 55); any recipient not over the sender is refused (reports-go-upward)."""
    return _created(response, session, actor, report_in, NotificationKind.report.value)


@router.get(
    "",
    summary="My organisation's inbox",
    dependencies=[Depends(requires(actions.VIEW))],
)
def inbox(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    unacknowledged: Annotated[
        bool, Query(description="Only what my organisation has not acknowledged yet.")
    ] = False,
) -> InboxPage:
    """Notifications my organisation received, newest first, with their acknowledgement."""
    items, total = flows.inbox(
        session,
        actor,
        unacknowledged_only=unacknowledged,
        limit=paging.limit,
        offset=paging.offset,
    )
    return InboxPage.of(items, total, paging)


@router.get(
    "/deliveries",
    summary="Deliveries of what my organisation sent, by state (dead letters by default)",
    dependencies=[Depends(requires(actions.DELIVERIES_VIEW))],
)
def list_deliveries(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    state: Annotated[DeliveryState, Query(description="Delivery state.")] = DeliveryState.dead,
) -> DeliveryPage:
    """E-mail and webhook deliveries in ``state``, with their attempts and last error."""
    found, total = flows.dead_letters(
        session, actor, state=state.value, limit=paging.limit, offset=paging.offset
    )
    return DeliveryPage.of([DeliveryRead.of(d) for d in found], total, paging)


@router.post(
    "/deliveries/{delivery_id}/replay",
    summary="Queue a dead-lettered delivery again",
    dependencies=[Depends(requires(actions.REPLAY))],
)
def replay_delivery(delivery_id: IdPath, actor: ActorDep, session: SessionDep) -> DeliveryRead:
    """The delivery, pending again with a fresh set of attempts (audited)."""
    return DeliveryRead.of(flows.replay_dead(session, actor, delivery_id))


@router.get(
    "/{notification_id}",
    summary="One notification, as its sender or a recipient sees it",
    dependencies=[Depends(requires(actions.VIEW))],
)
def read_notification(
    notification_id: IdPath, actor: ActorDep, session: SessionDep
) -> NotificationView:
    """The notification, and my organisation's acknowledgement when it is a recipient."""
    return flows.get(session, actor, notification_id)


@router.post(
    "/{notification_id}/acknowledge",
    summary="Acknowledge a notification for my organisation",
    dependencies=[Depends(requires(actions.ACKNOWLEDGE))],
)
def acknowledge(
    notification_id: IdPath,
    actor: ActorDep,
    session: SessionDep,
    acknowledgement: Annotated[AcknowledgementCreate | None, Body()] = None,
) -> InboxItem:
    """Only the recipient organisation's own people, once (409 the second time)."""
    note = acknowledgement.note if acknowledgement else ""
    flows.acknowledge(session, actor, notification_id, note=note)
    receipt = flows.get(session, actor, notification_id).receipt
    assert receipt is not None  # the actor's organisation has just acknowledged it
    return receipt


@router.get(
    "/{notification_id}/status",
    summary="Who has and has not acknowledged, and how each channel delivered",
    dependencies=[Depends(requires(actions.VIEW))],
)
def notification_status(
    notification_id: IdPath, actor: ActorDep, session: SessionDep
) -> NotificationStatus:
    """The sender's view of a notification."""
    return flows.status(session, actor, notification_id)


@endpoints_router.get(
    "",
    summary="Where my organisation receives notifications",
    dependencies=[Depends(requires(actions.ENDPOINTS_VIEW))],
)
def list_endpoints(actor: ActorDep, session: SessionDep, paging: PagingDep) -> EndpointList:
    """Webhooks and e-mail addresses (never a webhook secret)."""
    found = endpoints.list_(session=session, actor=actor)
    window = found[paging.offset : paging.offset + paging.limit]
    return EndpointList.of([EndpointRead.of(e) for e in window], len(found), paging)


@endpoints_router.post(
    "",
    status_code=201,
    summary="Register a webhook (its signing secret is shown once) or an e-mail address",
    dependencies=[Depends(requires(actions.ENDPOINTS_MANAGE))],
)
def register_endpoint(
    endpoint_in: Annotated[EndpointCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> EndpointCreated:
    """The endpoint; for a webhook, with ``secret``: keep it, it is not shown again."""
    endpoint, secret = endpoints.register(
        session=session,
        actor=actor,
        server_key=settings.resolved_secret_key(),
        channel=endpoint_in.channel,
        address=endpoint_in.address,
    )
    response.headers["Location"] = f"{endpoints_router.prefix}/{endpoint.id}"
    return EndpointCreated.model_validate(
        {**EndpointRead.of(endpoint).model_dump(), "secret": secret}
    )


@endpoints_router.delete(
    "/{endpoint_id}",
    status_code=204,
    summary="Remove an endpoint of my organisation",
    response_class=Response,
    dependencies=[Depends(requires(actions.ENDPOINTS_MANAGE))],
)
def delete_endpoint(endpoint_id: IdPath, actor: ActorDep, session: SessionDep) -> None:
    """Deliveries already made keep their history."""
    endpoints.delete(session=session, actor=actor, endpoint_id=endpoint_id)
