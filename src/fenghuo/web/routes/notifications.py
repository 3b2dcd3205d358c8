"""Notifications (Arts. 51, 52, 55): the organisation's inbox, acknowledging one, and the
sender's view of who has and has not acknowledged."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from fenghuo.api.deps import SessionDep, SettingsDep, requires
from fenghuo.authority import Actor, check
from fenghuo.notification import actions, endpoints, flows
from fenghuo.notification.schemas import NotificationView
from fenghuo.web.forms import FORM_ERRORS, FormDep, FormErrors, run_flow, text
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
EndpointsAllowed = Annotated[Actor, Depends(requires(actions.ENDPOINTS_VIEW))]
EndpointsManageAllowed = Annotated[Actor, Depends(requires(actions.ENDPOINTS_MANAGE))]
DeliveriesAllowed = Annotated[Actor, Depends(requires(actions.DELIVERIES_VIEW))]
ReplayAllowed = Annotated[Actor, Depends(requires(actions.REPLAY))]
ViewAllowed = Annotated[Actor, Depends(requires(actions.VIEW))]
AcknowledgeAllowed = Annotated[Actor, Depends(requires(actions.ACKNOWLEDGE))]
PAGE_SIZE = 50


@router.get("/notifications")
def inbox(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    pending: str = "",
    page: int = 1,
) -> Response:
    """What the actor's organisation received, newest first (optionally only unacknowledged)."""
    page = max(page, 1)
    items, total = flows.inbox(
        session,
        actor,
        unacknowledged_only=pending == "1",
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "items": items,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "pending": pending == "1",
    }
    return renderer.render(request, "notifications/inbox.html", context)


def _endpoints_page(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Actor,
    *,
    errors: FormErrors | None = None,
    shown: dict[str, str] | None = None,
    secret: str | None = None,
) -> Response:
    context = {
        "endpoints": endpoints.list_(session=session, actor=actor),
        "errors": errors or FormErrors(),
        "values": shown or {"channel": "webhook"},
        "secret": secret,
        "may_manage": check(actor, actions.ENDPOINTS_MANAGE).allowed,
    }
    status = errors.status if errors else 200
    return renderer.render(request, "notifications/endpoints.html", context, status_code=status)


@router.get("/notifications/endpoints")
def list_endpoints(
    request: Request, session: SessionDep, renderer: RendererDep, actor: EndpointsAllowed
) -> Response:
    """Where the organisation receives notifications: webhooks and e-mail addresses."""
    return _endpoints_page(request, session, renderer, actor)


@router.post("/notifications/endpoints")
def register_endpoint(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    form: FormDep,
    actor: EndpointsManageAllowed,
) -> Response:
    """Register a webhook (its signing secret is shown once, now) or an e-mail address."""
    shown = {"channel": text(form, "channel"), "address": text(form, "address")}
    try:
        _endpoint, secret = run_flow(
            session,
            lambda: endpoints.register(
                session=session,
                actor=actor,
                server_key=settings.resolved_secret_key(),
                channel=shown["channel"],
                address=shown["address"],
            ),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=("channel", "address"))
        return _endpoints_page(request, session, renderer, actor, errors=errors, shown=shown)
    return _endpoints_page(request, session, renderer, actor, secret=secret)


@router.post("/notifications/endpoints/{endpoint_id}/delete")
def delete_endpoint(
    endpoint_id: str, session: SessionDep, actor: EndpointsManageAllowed
) -> Response:
    """Remove an endpoint of the organisation."""
    endpoints.delete(session=session, actor=actor, endpoint_id=endpoint_id)
    return RedirectResponse("/notifications/endpoints", status_code=303)


@router.get("/notifications/deliveries")
def dead_letters(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: DeliveriesAllowed,
    page: int = 1,
) -> Response:
    """Deliveries that failed their last try (dead letters), to be replayed once fixed."""
    page = max(page, 1)
    found, total = flows.dead_letters(
        session, actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    context = {
        "deliveries": found,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "may_replay": check(actor, actions.REPLAY).allowed,
    }
    return renderer.render(request, "notifications/deliveries.html", context)


@router.post("/notifications/deliveries/{delivery_id}/replay")
def replay(delivery_id: str, session: SessionDep, actor: ReplayAllowed) -> Response:
    """Queue a dead delivery again (after its endpoint was fixed)."""
    flows.replay_dead(session, actor, delivery_id)
    return RedirectResponse("/notifications/deliveries", status_code=303)


def _page(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Actor,
    notification_id: str,
    errors: FormErrors | None = None,
) -> Response:
    view: NotificationView = flows.get(session, actor, notification_id)
    context: dict[str, Any] = {"view": view, "status": None, "errors": errors or FormErrors()}
    if view.role == "sender":
        context["status"] = flows.status(session, actor, notification_id)
    code = errors.status if errors else 200
    return renderer.render(request, "notifications/detail.html", context, status_code=code)


@router.get("/notifications/{notification_id}")
def notification(
    notification_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
) -> Response:
    """One notification: the receipt and acknowledgement form, or the sender's status."""
    return _page(request, session, renderer, actor, notification_id)


@router.post("/notifications/{notification_id}/acknowledge")
def acknowledge(
    notification_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: AcknowledgeAllowed,
) -> Response:
    """The recipient organisation acknowledges (once)."""
    try:
        run_flow(
            session,
            lambda: flows.acknowledge(session, actor, notification_id, note=text(form, "note")),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=("note",))
        return _page(request, session, renderer, actor, notification_id, errors)
    return RedirectResponse(f"/notifications/{notification_id}", status_code=303)
