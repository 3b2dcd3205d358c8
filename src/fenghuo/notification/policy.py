"""Pure rules of notification: who may send what to whom, backoff, signatures, escalation.

Who may send (decided here, checked in ``flows.send`` after authority's grant):

- Directives, warnings and notices (Arts. 51, 55) come from authorities: staff of the
  coordinator, a sector or provincial department, the State Council office or a professional
  institution send them to organisations within their visibility (grant
  ``staff-notify-visible-organisations``). A network operator never sends them
  (rule ``operators-report-upward``).
- Reports (Arts. 52, 55) go upward: to an authority over the sender, that is an organisation
  that is not a network operator and whose visibility takes in the sender (its ancestors in the
  tree, its sector department, its provincial department, the coordinator). Anything else is
  refused with rule ``reports-go-upward``.

Escalation (Art. 55 duty of response; Art. 52 departments answer for their sector): a recipient
still unacknowledged at ``escalate_at`` is escalated to its parent organisation, the authority
that placed it in the tree and oversees it; a recipient without a parent (the root) is escalated
to the sender's own organisation, whose duty officers then follow it up.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from fenghuo.authority import OrgRef, Policy
from fenghuo.authority.service import can_see
from fenghuo.errors import Invalid, Refused
from fenghuo.notification.enums import NotificationKind

OPERATOR_KIND = "network_operator"
UPWARD_RULE = "reports-go-upward"
OPERATORS_RULE = "operators-report-upward"
RECIPIENT_RULE = "recipient-acknowledges"
MAX_ESCALATE_AFTER = timedelta(days=365)
SIGNATURE_HEADER = "X-Fenghuo-Signature"
TIMESTAMP_HEADER = "X-Fenghuo-Timestamp"
DELIVERY_HEADER = "X-Fenghuo-Delivery"
EVENT_HEADER = "X-Fenghuo-Event"


def parse_kind(kind: str) -> NotificationKind:
    """The kind named ``kind``, or ``Invalid`` naming the field."""
    try:
        return NotificationKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in NotificationKind)
        raise Invalid(
            f"kind must be one of {allowed} (got {kind!r})", field="kind", rule="notification-kind"
        ) from None


def check_escalate_after(escalate_after: timedelta | None) -> None:
    """A positive time up to a year, or None for never."""
    if escalate_after is None:
        return
    if not timedelta(0) < escalate_after <= MAX_ESCALATE_AFTER:
        raise Invalid(
            "escalate_after must be more than 0 and at most 365 days",
            field="escalate_after",
            rule="escalate-after-range",
        )


def is_authority_over(policy: Policy, recipient: OrgRef, sender: OrgRef) -> bool:
    """True when ``recipient`` is an authority whose visibility takes in ``sender``."""
    if recipient.id == sender.id or recipient.kind == OPERATOR_KIND:
        return False
    return sender.path.startswith(recipient.path) or can_see(policy, recipient, sender)


def check_report_upward(policy: Policy, sender: OrgRef, recipient: OrgRef) -> None:
    """Refuse a report to anyone but an authority over the sender (Art. 52, 55)."""
    if not is_authority_over(policy, recipient, sender):
        raise Refused(
            f"a report from {sender.name or sender.id} goes only to the authorities over it, "
            f"not to {recipient.name or recipient.id}",
            rule=UPWARD_RULE,
            article="Art. 52",
        )


def check_sender_may_direct(sender: OrgRef, kind: NotificationKind) -> None:
    """Network operators send reports only, never directives, warnings or notices."""
    if sender.kind == OPERATOR_KIND and kind is not NotificationKind.report:
        raise Refused(
            f"{sender.name or sender.id} is a network operator; operators send reports "
            f"upward and may not send a {kind.value}",
            rule=OPERATORS_RULE,
            article="Art. 55",
        )


def escalation_target(*, parent_id: str | None, sender_org_id: str | None) -> str | None:
    """Where an unacknowledged recipient is escalated: its parent, else the sender's org."""
    return parent_id or sender_org_id


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Delay before the next attempt after ``attempts`` failed ones: base, 2x, 4x ... capped."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of timestamp + "." + body>``, the webhook signature header."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return f"sha256={mac.hexdigest()}"


def is_valid_signature(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Check a signature header in constant time (what a receiver does)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def derive_webhook_secret(server_key: str, endpoint_id: str, salt: str) -> str:
    """The signing secret of a webhook endpoint, derived, so that it is never stored.

    Rotating ``FENGHUO_SECRET_KEY`` changes every webhook secret (receivers must be told the
    new one: remove and register the endpoints again).
    """
    mac = hmac.new(
        server_key.encode("utf-8"), f"fenghuo-webhook:{endpoint_id}:{salt}".encode(), "sha256"
    )
    return "whsec_" + hashlib.sha256(mac.digest()).hexdigest()[:48]
