"""Referral (Art. 57), the final summary report (2025 measures Art. 8) and closure.

An incident that caused an emergency or a production-safety accident is referred to the
emergency-management or work-safety authority: the referral is recorded and a referral
document (Markdown, bilingual) is generated and kept with it. After recovery the operator
(or the authority handling it) submits the final summary report — cause, measures, harm,
accountability, rectification, lessons — due 30 days after handling ended; an incident is
closed only once it has one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import InvalidTransition
from fenghuo.incidents import checks, service, timeline
from fenghuo.incidents.actions import MANAGE, REFER, UPDATE
from fenghuo.incidents.enums import EntryKind, IncidentState, ReferralAuthority, ReportKind
from fenghuo.incidents.models import Incident, IncidentReport, Referral
from fenghuo.incidents.policy import check_transition
from fenghuo.incidents.schemas import FinalReportIn, ReferralIn

REFERRED = "incidents.incident.referred"
FINAL_REPORTED = "incidents.incident.final_reported"
CLOSED = "incidents.incident.closed"
AUTHORITY_NAMES = {
    ReferralAuthority.emergency_management: ("应急管理部门", "emergency-management authority"),
    ReferralAuthority.work_safety: ("安全生产监督管理部门", "work-safety authority"),
}
FINAL_SECTIONS = (
    ("cause", "事件原因", "Cause"),
    ("measures", "应急处置措施", "Emergency measures"),
    ("harm", "造成的危害", "Harm caused"),
    ("accountability", "责任追究", "Accountability"),
    ("rectification", "完善整改", "Rectification"),
    ("lessons", "经验教训", "Lessons"),
)


def referral_document(incident: Incident, referral_in: ReferralIn, by: str, at: str) -> str:
    """The referral letter, Markdown, in Chinese and English."""
    zh, en = AUTHORITY_NAMES[referral_in.authority]
    return "\n".join(
        [
            f"# 网络安全事件移送函 / Referral of a cybersecurity incident — {incident.reference}",
            "",
            f"**致 / To:** {referral_in.recipient}（{zh} / {en}）",
            "**依据 / Basis:** 《网络安全法》第五十七条 / Cybersecurity Law Art. 57",
            f"**事件 / Incident:** {incident.reference} — {incident.title}",
            f"**事发单位 / Reporting unit:** {incident.reporting_unit}",
            f"**设施、系统 / Facility or system:** {incident.facility}",
            f"**发现时间 / Discovered:** {incident.discovered_at.isoformat()}",
            f"**地点 / Place:** {incident.place}",
            f"**级别 / Level:** {incident.final_level or '—'}",
            "",
            "## 移送事由 / Grounds",
            "",
            referral_in.grounds,
            "",
            "## 已采取的措施 / Measures taken",
            "",
            incident.measures_taken or "—",
            "",
            f"移送人 / Referred by: {by}  ·  时间 / At: {at}",
            "",
        ]
    )


def record_referral(
    *, session: Session, actor: Actor, incident_id: str, referral_in: ReferralIn
) -> Referral:
    """Record an Art. 57 referral and generate its document (authorised, audited)."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, REFER, service.target_of(incident))
    if incident.state == IncidentState.cancelled:
        raise InvalidTransition(
            f"{incident.reference} is cancelled; it cannot be referred",
            current=incident.state,
            requested="referred",
        )
    now = clock.now()
    referral = Referral(
        incident_id=incident.id,
        authority=referral_in.authority,
        recipient=referral_in.recipient,
        grounds=referral_in.grounds,
        made_at=now,
        made_by_id=actor.user_id,
        made_by=actor.label,
        document=referral_document(incident, referral_in, actor.label, now.isoformat()),
    )
    session.add(referral)
    session.flush()
    timeline.record(
        session, incident, actor=actor, kind=EntryKind.decision,
        text=f"Referred to {referral_in.recipient} ({AUTHORITY_NAMES[referral_in.authority][1]})"
        " under Art. 57",
    )  # fmt: skip
    audit_service.record(
        session=session,
        actor=actor,
        action=REFER,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        decision=decision,
        legal_basis="Art. 57",
        details={"referral_id": referral.id, "authority": referral.authority,
                 "recipient": referral.recipient},
        summary=f"{incident.reference} referred to {referral.recipient}",
    )  # fmt: skip
    emit(session, REFERRED, {"incident_id": incident.id, "referral_id": referral.id})
    return referral


def final_report_of(session: Session, incident: Incident) -> IncidentReport | None:
    """The latest final summary report, if one was made."""
    finals = [r for r in service.reports(session, incident) if r.kind == ReportKind.final]
    return finals[-1] if finals else None


def submit_final_report(
    *, session: Session, actor: Actor, incident_id: str, report_in: FinalReportIn
) -> IncidentReport:
    """The final summary report, once recovery has started (a later one replaces it)."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, UPDATE, service.target_of(incident))
    if incident.state != IncidentState.recovering:
        raise InvalidTransition(
            f"{incident.reference} is {incident.state}; the final report follows the end of "
            "handling (recovering)",
            current=incident.state,
            requested="final_reported",
        )
    made = IncidentReport(
        incident_id=incident.id,
        kind=ReportKind.final,
        made_by_id=actor.user_id,
        made_by=actor.label,
        org_id=actor.org.id if actor.org else None,
        fields=report_in.model_dump(mode="json"),
        level=incident.final_level,
    )
    session.add(made)
    session.flush()
    timeline.record(
        session, incident, actor=actor, kind=EntryKind.action,
        text=f"Final summary report submitted by {actor.label}",
    )  # fmt: skip
    audit_service.record(
        session=session,
        actor=actor,
        action=UPDATE,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        decision=decision,
        legal_basis="2025 measures Art. 8",
        details={"report_id": made.id, "kind": "final"},
        summary=f"{incident.reference}: final summary report",
    )
    emit(session, FINAL_REPORTED, {"incident_id": incident.id, "report_id": made.id})
    return made


def close(*, session: Session, actor: Actor, incident_id: str, note: str = "") -> Incident:
    """Close a recovered incident that has its final summary report."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, MANAGE, service.target_of(incident))
    check_transition(incident.state, IncidentState.closed)
    if final_report_of(session, incident) is None:
        raise InvalidTransition(
            f"{incident.reference} has no final summary report yet; submit it before closing",
            current=incident.state,
            requested=IncidentState.closed,
        )
    checks.check_open(incident, "closed")
    incident.state = IncidentState.closed
    incident.closed_at = clock.now()
    timeline.record(
        session, incident, actor=actor, kind=EntryKind.decision,
        text="Incident closed" + (f": {note}" if note else ""),
    )  # fmt: skip
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        decision=decision,
        legal_basis="Art. 55",
        details={"from": IncidentState.recovering, "to": IncidentState.closed, "note": note},
        summary=f"{incident.reference} closed",
    )
    emit(
        session,
        CLOSED,
        {"incident_id": incident.id, "reference": incident.reference,
         "level": incident.final_level},
    )  # fmt: skip
    return incident
