"""Where an organisation receives notifications: webhooks and e-mail addresses.

A webhook's signing secret is shown once, when the endpoint is registered, and never stored:
the worker derives it again from ``FENGHUO_SECRET_KEY`` and the endpoint's random salt
(``policy.derive_webhook_secret``). A database dump alone therefore cannot forge requests.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, OrgRef, Target, require
from fenghuo.errors import Invalid, NotFound, Refused
from fenghuo.notification import actions, policy
from fenghuo.notification.enums import Channel
from fenghuo.notification.models import NotificationEndpoint

MAX_ENDPOINTS = 20


def _own_org(actor: Actor) -> OrgRef:
    if actor.org is None:
        raise Refused(
            "endpoints belong to an organisation; sign in as one of its administrators",
            rule="endpoints-of-own-organisation",
            article="Art. 55",
        )
    return actor.org


def check_address(channel: str, address: str) -> str:
    """A normalised webhook URL (http or https with a host) or e-mail address."""
    if channel == Channel.webhook:
        parts = urlsplit(address)
        if parts.scheme not in {"http", "https"} or not parts.hostname or len(address) > 2000:
            raise Invalid(
                "a webhook is an http:// or https:// URL with a host",
                field="address",
                rule="webhook-url",
            )
        return address
    if channel == Channel.email:
        try:
            return validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise Invalid(str(error), field="address", rule="email-address") from None
    raise Invalid("channel is webhook or email", field="channel", rule="endpoint-channel")


def list_(*, session: Session, actor: Actor) -> list[NotificationEndpoint]:
    """The endpoints of the actor's organisation."""
    org = _own_org(actor)
    require(actor, actions.ENDPOINTS_VIEW, Target(org=org))
    return list(
        session.scalars(
            select(NotificationEndpoint)
            .where(NotificationEndpoint.org_id == org.id)
            .order_by(NotificationEndpoint.created_at, NotificationEndpoint.id)
        )
    )


def register(
    *, session: Session, actor: Actor, server_key: str, channel: str, address: str
) -> tuple[NotificationEndpoint, str | None]:
    """Register a webhook or address for the actor's organisation; the webhook secret, once."""
    org = _own_org(actor)
    decision = require(actor, actions.ENDPOINTS_MANAGE, Target(org=org))
    normalised = check_address(channel, address)
    existing = list_(session=session, actor=actor)
    if len(existing) >= MAX_ENDPOINTS:
        raise Invalid(
            f"an organisation has at most {MAX_ENDPOINTS} endpoints",
            field="address",
            rule="endpoints-limit",
        )
    endpoint = NotificationEndpoint(
        org_id=org.id, channel=channel, address=normalised, enabled=True, created_by=actor.label
    )
    secret: str | None = None
    session.add(endpoint)
    session.flush()
    if channel == Channel.webhook:
        endpoint.secret_salt = secrets.token_hex(16)
        secret = policy.derive_webhook_secret(server_key, endpoint.id, endpoint.secret_salt)
        endpoint.secret_hint = "…" + secret[-4:]
        session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=actions.ENDPOINTS_MANAGE,
        target_type="notification_endpoint",
        target_id=endpoint.id,
        target_org_id=org.id,
        after=endpoint.state(),
        decision=decision,
        details={"channel": channel, "address": normalised, "change": "registered"},
        summary=f"{actor.label} registered a {channel} endpoint for {org.name or org.id}",
    )
    return endpoint, secret


def delete(*, session: Session, actor: Actor, endpoint_id: str) -> None:
    """Remove an endpoint of the actor's organisation (its deliveries keep their history)."""
    endpoint = session.get(NotificationEndpoint, endpoint_id)
    org = _own_org(actor)
    if endpoint is None or endpoint.org_id != org.id:
        raise NotFound(f"no endpoint {endpoint_id} in {org.name or org.id}")
    owner = accounts_service.get_or_raise(session=session, org_id=endpoint.org_id)
    decision = require(actor, actions.ENDPOINTS_MANAGE, Target(org=accounts_service.org_ref(owner)))
    before = endpoint.state()
    session.delete(endpoint)
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=actions.ENDPOINTS_MANAGE,
        target_type="notification_endpoint",
        target_id=endpoint_id,
        target_org_id=org.id,
        before=before,
        decision=decision,
        details={"channel": before["channel"], "address": before["address"], "change": "removed"},
        summary=f"{actor.label} removed a {before['channel']} endpoint of {org.name or org.id}",
    )
