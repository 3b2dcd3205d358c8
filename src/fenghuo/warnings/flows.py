"""Warning use cases: draft, edit, submit, send back, approve, publish, adjust, lift, cancel.

Each runs authorise → check → change → audit → emit in the caller's transaction:

1. ``authority.require`` of the action on the issuing organisation (role grants, rules.yaml);
2. the active plan's ``warning_issuers``: may the issuing organisation issue this colour for
   this scope (``policy.issuer_refusal``; rules ``warning-issuer-level``/``-scope``)?
3. the transition table (``InvalidTransition``; nothing changes);
4. the change, a new immutable version where content changes, the signed CAP message where
   the warning is (or was) public to its audience, the notifications;
5. an audit record with the article (Arts. 51, 54) and a bus notice ``warnings.warning.<state>``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Decision, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Invalid, InvalidTransition, Refused
from fenghuo.plans import service as plan_service
from fenghuo.settings import Settings
from fenghuo.warnings import actions, messages, policy, reach, service
from fenghuo.warnings.enums import Audience, CapMsgType, WarningState
from fenghuo.warnings.models import EarlyWarning
from fenghuo.warnings.schemas import WarningCreate, WarningUpdate

S = WarningState
SUBJECT = "warnings.warning.{}"


def _authorise(
    session: Session,
    actor: Actor,
    action: str,
    warning: EarlyWarning,
    *,
    colour: str | None = None,
    scope: policy.Scope | None = None,
) -> Decision:
    """The role grant on the issuer, then the plan's issuer rule for the colour and scope."""
    decision = require(actor, action, service.target_of(warning))
    document = plan_service.active_plan(session).document
    refusal = policy.issuer_refusal(
        document,
        service.issuer_ref(warning),
        colour or warning.colour,
        scope or service.scope_of(warning),
        region_prefix=actor.policy.region_prefix_length,
    )
    if refusal is not None:
        raise refusal
    return decision


def _record(
    session: Session,
    actor: Actor,
    action: str,
    warning: EarlyWarning,
    decision: Decision,
    *,
    before: dict[str, Any] | None,
    summary: str,
    details: dict[str, Any] | None = None,
) -> None:
    audit_service.record(
        session=session,
        actor=actor,
        action=action,
        target_type="warning",
        target_id=warning.id,
        target_org_id=warning.org_id,
        before=before,
        after=warning.state_dict(),
        decision=decision,
        legal_basis=policy.ARTICLE[WarningState(warning.state)],
        # The facts an audit reader is told the step from, in either language.
        details={
            "identifier": warning.identifier,
            "colour": warning.colour,
            "title_zh": warning.title_zh,
            "title_en": warning.title_en,
            **(details or {}),
        },
        summary=summary,
    )
    emit(
        session,
        SUBJECT.format(warning.state),
        {"warning_id": warning.id, "identifier": warning.identifier, "version": warning.version},
    )


def _check_content(session: Session, warning: EarlyWarning) -> None:
    """Codes known, category of the plan, times in order, TLP only for departments."""
    service.check_codes(warning.sectors, warning.regions)
    document = plan_service.active_plan(session).document
    categories = {c.key for c in document.categories.items}
    if warning.category not in categories:
        raise Invalid(
            f"{warning.category!r} is not a category of plan {document.name}",
            field="category",
            rule="known-category",
        )
    if warning.expires_at is not None and warning.expires_at <= warning.effective_at:
        raise Invalid("expiry must come after the effective time", field="expires_at", rule="order")
    if warning.audience == Audience.public:
        if warning.tlp not in (None, "CLEAR"):
            raise Invalid(
                "a public warning carries no TLP restriction",
                field="tlp",
                rule="public-has-no-tlp",
            )
        warning.tlp = None
    elif warning.tlp is None:
        warning.tlp = "AMBER"


def draft_warning(*, session: Session, actor: Actor, warning_in: WarningCreate) -> EarlyWarning:
    """Create a draft for the author's organisation (version 1)."""
    if actor.org is None:
        raise Refused(
            "a warning is drafted by the staff of an issuing organisation",
            rule="warning-issuer-level",
            article="Art. 51",
        )
    org = accounts_service.get_or_raise(session=session, org_id=actor.org.id)
    now = clock.now()
    fields = warning_in.model_dump(exclude={"tlp", "effective_at", "colour", "audience"})
    warning = EarlyWarning(
        identifier="pending",
        state=S.draft.value,
        colour=warning_in.colour.value,
        audience=warning_in.audience.value,
        tlp=warning_in.tlp.value if warning_in.tlp else None,
        effective_at=warning_in.effective_at or now,
        org_id=org.id,
        plan_version_id=plan_service.active_plan(session).id,
        created_by=actor.label,
        **fields,
    )
    warning.organisation = org
    decision = _authorise(session, actor, actions.DRAFT, warning)
    _check_content(session, warning)
    warning.identifier = service.allocate_identifier(session, now.year)
    session.add(warning)
    session.flush()
    service.add_version(session, warning, change="drafted", reason="", by=actor.label)
    _record(
        session,
        actor,
        actions.DRAFT,
        warning,
        decision,
        before=None,
        summary=f"{actor.label} drafted {warning.colour} warning {warning.identifier}",
        details={
            "incident_id": warning.incident_id,
            "recommendation_id": warning.recommendation_id,
        },
    )
    return warning


def _apply(warning: EarlyWarning, changes: dict[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for name, value in changes.items():
        plain = value.value if hasattr(value, "value") else value
        if getattr(warning, name) != plain:
            changed[name] = plain.isoformat() if hasattr(plain, "isoformat") else plain
            setattr(warning, name, plain)
    return changed


def _prospective(warning: EarlyWarning, changes: dict[str, Any]) -> tuple[str, policy.Scope]:
    colour = changes.get("colour") or warning.colour
    sectors = changes["sectors"] if changes.get("sectors") is not None else warning.sectors
    regions = changes["regions"] if changes.get("regions") is not None else warning.regions
    return str(getattr(colour, "value", colour)), policy.Scope(tuple(sectors), tuple(regions))


def _change_content(
    session: Session, warning: EarlyWarning, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` and check the result; on a failed check the warning is as it was."""
    saved = {name: getattr(warning, name) for name in changes}
    changed = _apply(warning, changes)
    try:
        _check_content(session, warning)
    except Invalid:
        for name, value in saved.items():
            setattr(warning, name, value)
        raise
    return changed


def update_draft(
    *, session: Session, actor: Actor, warning_id: str, changes: WarningUpdate
) -> EarlyWarning:
    """Edit a draft: a new version with the changes."""
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    wanted = changes.changes()
    colour, scope = _prospective(warning, wanted)
    decision = _authorise(session, actor, actions.DRAFT, warning)
    _authorise(session, actor, actions.DRAFT, warning, colour=colour, scope=scope)
    if warning.state != S.draft:
        raise InvalidTransition(
            f"only a draft is edited; {warning.identifier} is {warning.state} "
            "(a published warning is adjusted)",
            current=warning.state,
            requested=S.draft.value,
        )
    before = warning.state_dict()
    changed = _change_content(session, warning, wanted)
    if not changed:
        return warning
    service.add_version(session, warning, change="edited", reason=changes.reason, by=actor.label)
    _record(
        session,
        actor,
        actions.DRAFT,
        warning,
        decision,
        before=before,
        summary=f"{actor.label} edited draft warning {warning.identifier}",
        details={"changed": changed},
    )
    return warning


def _move(
    session: Session,
    actor: Actor,
    warning_id: str,
    action: str,
    to: WarningState,
    *,
    reason: str = "",
) -> tuple[EarlyWarning, Decision, dict[str, Any]]:
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    decision = _authorise(session, actor, action, warning)
    policy.check_transition(warning.state, to.value)
    before = warning.state_dict()
    warning.state = to.value
    if reason:
        warning.reason = reason
    return warning, decision, before


def _require_reason(reason: str, what: str) -> str:
    text = reason.strip()
    if not text:
        raise Invalid(f"say why the warning is {what}", field="reason", rule="reason-required")
    return text


def submit_warning(*, session: Session, actor: Actor, warning_id: str) -> EarlyWarning:
    """Submit a draft for approval."""
    warning, decision, before = _move(session, actor, warning_id, actions.SUBMIT, S.submitted)
    session.flush()
    _record(
        session,
        actor,
        actions.SUBMIT,
        warning,
        decision,
        before=before,
        summary=f"{actor.label} submitted warning {warning.identifier} for approval",
    )
    return warning


def return_warning(*, session: Session, actor: Actor, warning_id: str, reason: str) -> EarlyWarning:
    """Send a submitted warning back to its authors as a draft, saying why."""
    text = _require_reason(reason, "sent back")
    warning, decision, before = _move(
        session, actor, warning_id, actions.APPROVE, S.draft, reason=text
    )
    session.flush()
    _record(
        session,
        actor,
        actions.APPROVE,
        warning,
        decision,
        before=before,
        summary=f"{actor.label} sent warning {warning.identifier} back: {text}",
        details={"reason": text},
    )
    return warning


def approve_warning(*, session: Session, actor: Actor, warning_id: str) -> EarlyWarning:
    """Approve a submitted warning (Art. 51: released only by those with the authority)."""
    warning, decision, before = _move(session, actor, warning_id, actions.APPROVE, S.approved)
    session.flush()
    _record(
        session,
        actor,
        actions.APPROVE,
        warning,
        decision,
        before=before,
        summary=f"{actor.label} approved warning {warning.identifier}",
    )
    return warning


def publish_warning(
    *, session: Session, actor: Actor, settings: Settings, warning_id: str
) -> EarlyWarning:
    """Publish an approved warning: signed CAP Alert, notifications to everyone in scope."""
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    decision = _authorise(session, actor, actions.PUBLISH, warning)
    policy.check_transition(warning.state, S.published.value)
    now = clock.now()
    if warning.expires_at is not None and warning.expires_at <= now:
        raise Invalid("the warning has already expired", field="expires_at", rule="order")
    before = warning.state_dict()
    warning.state = S.published.value
    warning.published_at = now
    warning.effective_at = max(warning.effective_at, now)
    session.flush()
    message = messages.emit(session, settings, warning, CapMsgType.alert)
    notification_id = reach.notify(session, actor, warning, "published")
    _record(
        session,
        actor,
        actions.PUBLISH,
        warning,
        decision,
        before=before,
        summary=f"{actor.label} published {warning.colour} warning {warning.identifier}",
        details={"cap": message.identifier, "notification_id": notification_id},
    )
    return warning


def adjust_warning(
    *, session: Session, actor: Actor, settings: Settings, warning_id: str, changes: WarningUpdate
) -> EarlyWarning:
    """Adjust a published warning (level up or down, texts): new version, CAP Update."""
    reason = _require_reason(changes.reason, "adjusted")
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    decision = _authorise(session, actor, actions.ADJUST, warning)
    policy.check_transition(warning.state, S.adjusted.value)
    fixed = {"audience", "exercise"} & set(changes.changes())
    if fixed:
        name = sorted(fixed)[0]
        raise Invalid(
            f"{name} is fixed once published; cancel and issue anew",
            field=name,
            rule="fixed-after-publication",
        )
    wanted = changes.changes()
    colour, scope = _prospective(warning, wanted)
    _authorise(session, actor, actions.ADJUST, warning, colour=colour, scope=scope)
    before = warning.state_dict()
    changed = _change_content(session, warning, wanted)
    if not changed:
        raise Invalid("an adjustment changes something", field="colour", rule="no-change")
    warning.state = S.adjusted.value
    warning.reason = reason
    service.add_version(session, warning, change="adjusted", reason=reason, by=actor.label)
    message = messages.emit(session, settings, warning, CapMsgType.update)
    notification_id = reach.notify(session, actor, warning, "adjusted")
    _record(
        session,
        actor,
        actions.ADJUST,
        warning,
        decision,
        before=before,
        summary=f"{actor.label} adjusted warning {warning.identifier} to version "
        f"{warning.version} ({warning.colour})",
        details={
            "changed": changed,
            "reason": reason,
            "cap": message.identifier,
            "notification_id": notification_id,
        },
    )
    return warning


def lift_warning(
    *, session: Session, actor: Actor, settings: Settings, warning_id: str, reason: str
) -> EarlyWarning:
    """Lift a published warning: CAP Update with AllClear, notifications."""
    text = _require_reason(reason, "lifted")
    warning, decision, before = _move(
        session, actor, warning_id, actions.LIFT, S.lifted, reason=text
    )
    warning.lifted_at = clock.now()
    session.flush()
    message = messages.emit(session, settings, warning, CapMsgType.update, all_clear=True)
    notification_id = reach.notify(session, actor, warning, "lifted")
    _record(
        session,
        actor,
        actions.LIFT,
        warning,
        decision,
        before=before,
        summary=f"{actor.label} lifted warning {warning.identifier}: {text}",
        details={"reason": text, "cap": message.identifier, "notification_id": notification_id},
    )
    return warning


def cancel_warning(
    *, session: Session, actor: Actor, settings: Settings, warning_id: str, reason: str
) -> EarlyWarning:
    """Cancel a warning issued in error; once published, a CAP Cancel and notifications."""
    text = _require_reason(reason, "cancelled")
    warning, decision, before = _move(
        session, actor, warning_id, actions.CANCEL, S.cancelled, reason=text
    )
    warning.cancelled_at = clock.now()
    session.flush()
    details: dict[str, Any] = {"reason": text}
    if warning.published_at is not None:
        details["cap"] = messages.emit(session, settings, warning, CapMsgType.cancel).identifier
        details["notification_id"] = reach.notify(session, actor, warning, "cancelled")
    _record(
        session,
        actor,
        actions.CANCEL,
        warning,
        decision,
        before=before,
        summary=f"{actor.label} cancelled warning {warning.identifier}: {text}",
        details=details,
    )
    return warning
