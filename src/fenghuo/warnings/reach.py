"""Reaching departments and operators (Arts. 51, 52, 54): notify everyone in scope.

Recipients of a warning are the active organisations within its scope that the issuing
organisation can see (its visibility is what the notification mechanism lets it address):

- network operators whose sector and region fall within the warning's sectors and regions;
- sector departments whose sector is named (or any, when no sector is named);
- provincial departments whose province overlaps the named regions (or any, when none is);
- the issuing organisation itself is never a recipient.

The notification escalates, if unacknowledged, after the plan's time for the colour's level
(``notification_escalation_after``). ``status`` tells who has and has not acknowledged the
latest notification (the current version of the warning).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor
from fenghuo.authority.service import can_see
from fenghuo.notification import flows as notification_flows
from fenghuo.plans import service as plan_service
from fenghuo.warnings import policy, service
from fenghuo.warnings.enums import Audience, Colour
from fenghuo.warnings.models import EarlyWarning
from fenghuo.warnings.schemas import RecipientAck, WarningReach

SECTOR = "sector_department"
PROVINCIAL = "provincial_department"
OPERATOR = "network_operator"
VERB = {
    "published": ("发布", "issued"),
    "adjusted": ("调整", "adjusted"),
    "lifted": ("解除", "lifted"),
    "cancelled": ("撤销", "cancelled"),
}


def recipients(session: Session, actor: Actor, warning: EarlyWarning) -> list[Organisation]:
    """The organisations a warning reaches (see the module docstring)."""
    issuer = service.issuer_ref(warning)
    prefix = actor.policy.region_prefix_length
    query = select(Organisation).where(
        Organisation.is_active, Organisation.kind.in_([OPERATOR, SECTOR, PROVINCIAL])
    )
    if warning.sectors:
        query = query.where(
            (Organisation.sector_code.in_(warning.sectors)) | (Organisation.kind == PROVINCIAL)
        )
    found = []
    for org in session.scalars(query.order_by(Organisation.path)):
        if org.id == warning.org_id:
            continue
        ref = accounts_service.org_ref(org)
        if not (ref.path.startswith(issuer.path) or can_see(actor.policy, issuer, ref)):
            continue
        if policy.concerns(ref, service.scope_of(warning), region_prefix=prefix):
            found.append(org)
    return found


def _body(warning: EarlyWarning, event: str) -> str:
    zh_verb, en_verb = VERB[event]
    audience = "公开" if warning.audience == Audience.public else f"TLP:{warning.tlp or 'AMBER'}"
    return (
        f"{warning.identifier}（第{warning.version}版，{audience}）已{zh_verb}。\n"
        f"{warning.description_zh}\n措施：{warning.measures_zh}\n\n"
        f"{warning.identifier} (version {warning.version}) was {en_verb}.\n"
        f"{warning.description_en}\nMeasures: {warning.measures_en}\n"
    )


def notify(session: Session, actor: Actor, warning: EarlyWarning, event: str) -> str | None:
    """Notify every organisation in scope of ``event``; the notification id (None: nobody)."""
    orgs = recipients(session, actor, warning)
    if not orgs:
        return None
    level = policy.level_of(warning.colour)
    escalate_after = plan_service.active_plan(session).document.notification_escalation_after(level)
    colour_zh = policy.COLOUR_ZH[Colour(warning.colour)]
    title = policy.labelled(
        f"{colour_zh}预警 {warning.title_zh} / {warning.title_en}",
        exercise=warning.exercise,
        language="zh",
    )
    if warning.exercise:
        title = f"[EXERCISE] {title}"
    notification = notification_flows.send(
        session,
        actor,
        kind="warning",
        title=title[:300],
        body=_body(warning, event),
        recipient_org_ids=[o.id for o in orgs],
        ref_type="warning",
        ref_id=warning.id,
        escalate_after=escalate_after,
        tlp="CLEAR" if warning.audience == Audience.public else (warning.tlp or "AMBER"),
        details={"identifier": warning.identifier, "event": event, "version": warning.version},
    )
    warning.notification_ids = [*warning.notification_ids, notification.id]
    session.flush()
    return notification.id


def status(session: Session, actor: Actor, warning: EarlyWarning) -> WarningReach:
    """Who has and has not acknowledged the latest notification of ``warning``."""
    service.get(session=session, actor=actor, warning_id=warning.id)
    acknowledged: list[RecipientAck] = []
    pending: list[RecipientAck] = []
    if warning.notification_ids:
        latest = notification_flows.status(session, actor, warning.notification_ids[-1])
        for recipient in latest.recipients:
            row = RecipientAck(
                org_id=recipient.org_id,
                org_name=recipient.org_name,
                state=recipient.state,
                acknowledged_at=recipient.acknowledged_at,
                acknowledged_by=recipient.acknowledged_by,
            )
            (acknowledged if recipient.state == "acknowledged" else pending).append(row)
    return WarningReach(
        warning_id=warning.id,
        notification_ids=list(warning.notification_ids),
        acknowledged=acknowledged,
        pending=pending,
    )
