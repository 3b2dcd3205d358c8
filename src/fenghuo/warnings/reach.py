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

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor, OrgRef
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


def _candidates(warning: EarlyWarning, *columns: Any) -> Select[Any]:
    """Active operators and departments, narrowed to the named sectors (SQL's part)."""
    query = select(*columns).where(
        Organisation.is_active, Organisation.kind.in_([OPERATOR, SECTOR, PROVINCIAL])
    )
    if warning.sectors:
        query = query.where(
            (Organisation.sector_code.in_(warning.sectors)) | (Organisation.kind == PROVINCIAL)
        )
    return query.order_by(Organisation.path)


def _reaches(actor: Actor, warning: EarlyWarning) -> Callable[[OrgRef], bool]:
    """Whether the warning reaches an organisation (see the module docstring)."""
    issuer = service.issuer_ref(warning)
    prefix = actor.policy.region_prefix_length
    scope = service.scope_of(warning)

    def reaches(ref: OrgRef) -> bool:
        if ref.id == warning.org_id:
            return False
        if not (ref.path.startswith(issuer.path) or can_see(actor.policy, issuer, ref)):
            return False
        return policy.concerns(ref, scope, region_prefix=prefix)

    return reaches


def recipients(session: Session, actor: Actor, warning: EarlyWarning) -> list[Organisation]:
    """The organisations a warning reaches (see the module docstring)."""
    reaches = _reaches(actor, warning)
    query = _candidates(warning, Organisation)
    return [org for org in session.scalars(query) if reaches(accounts_service.org_ref(org))]


def _recipient_ids(session: Session, actor: Actor, warning: EarlyWarning) -> list[str]:
    """The ids of ``recipients``, in the same order, read as plain rows (no ORM objects)."""
    reaches = _reaches(actor, warning)
    o = Organisation
    query = _candidates(warning, o.id, o.kind, o.path, o.sector_code, o.region_code, o.name_en)
    return [
        org_id
        for org_id, kind, path, sector, region, name in session.execute(query)
        if reaches(OrgRef(id=org_id, kind=kind, path=path, sector=sector, region=region,
                          name=name))
    ]  # fmt: skip


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
    org_ids = _recipient_ids(session, actor, warning)
    if not org_ids:
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
        recipient_org_ids=org_ids,
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
