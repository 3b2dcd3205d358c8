"""Incident flows at the service level: the issue's scenario from first report to the PDF, and
the rules each flow keeps (classification, activation, clocks, override, closure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import Invalid, InvalidTransition, Refused
from fenghuo.incidents import clocks, closure, flows, handling, pdf, service, views
from fenghuo.incidents.models import Incident
from fenghuo.incidents.schemas import (
    CancelIn,
    FinalReportIn,
    IncidentUpdate,
    LevelOverride,
    ReferralIn,
    TaskCompletion,
)
from fenghuo.notification import flows as notification_flows
from fenghuo.notification import service as notification_service
from fenghuo.notification.models import Notification
from fenghuo.plans import flows as plans_flows
from fenghuo.plans import loader as plans_loader
from tests.factories.incidents import report
from tests.incidents.conftest import People

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
FINAL = FinalReportIn(
    cause="Stolen VPN credentials of a contractor; no MFA on the billing database.",
    measures="Credentials rotated, MFA enforced, exfiltration path closed.",
    harm="12 million customers' personal information leaked.",
    accountability="Contractor access management owner disciplined.",
    rectification="MFA everywhere; contractor access reviewed quarterly.",
    lessons="Monitor bulk database reads; rehearse the data-breach plan.",
)


def _audit_actions(session: Session, incident_id: str) -> list[str]:
    query = select(AuditRecord.action).where(AuditRecord.target_id == incident_id)
    return list(session.scalars(query.order_by(AuditRecord.seq)))


def test_the_issue_scenario_from_first_report_to_the_pdf(session: Session, people: People) -> None:
    with clock.frozen(T0) as move_to:
        # The CII operator files a first report 90 minutes after discovery: 12 M PI records.
        move_to(T0 + timedelta(minutes=90))
        incident = report(
            session, people.sz_staff, discovered_at=T0,
            impact={"pi_records_citizens": 12_000_000},
        )  # fmt: skip
        assert incident.reference.startswith("FH-2026-")
        # Classified major (II) by the national plan, with the criterion that gave it.
        assert (incident.computed_level, incident.final_level) == ("II", "II")
        (reason,) = incident.classification["reasons"]
        assert reason["criterion"] == "personal_information_leaked"
        assert (reason["value"], reason["threshold"], reason["level"]) == (
            12_000_000, 10_000_000, "II",
        )  # fmt: skip
        # The plan activated at level II: tasks with owners, a directive to the operator.
        assert incident.state == "responding"
        tasks = service.tasks(session, incident)
        assert {t.owner_role for t in tasks} == {"regional_command", "affected_operator"}
        (directive,) = [t for t in tasks if t.directive]
        assert directive.owner_org_id == people.world.energy_op_gd.id
        assert directive.due_at == T0 + timedelta(minutes=90) + timedelta(hours=2)
        sent = session.get(Notification, directive.notification_id)
        assert sent is not None and sent.kind == "directive"
        assert (sent.ref_type, sent.ref_id) == ("incident_task", directive.id)
        # Level II: reported upward to the national coordinator.
        upward = session.scalars(
            select(Notification).where(Notification.ref_id == incident.id)
        ).all()
        assert [n.kind for n in upward] == ["report"]

        # The operator acknowledges the directive and reports it done.
        move_to(T0 + timedelta(hours=2))
        notification_flows.acknowledge(session, people.sz_staff, sent.id, note="received")
        recipient = notification_service.recipient_of(
            session=session, notification_id=sent.id, org_id=people.world.energy_op_gd.id
        )
        assert recipient is not None and recipient.state == "acknowledged"
        handling.complete_task(
            session=session, actor=people.sz_staff, task_id=directive.id,
            completion=TaskCompletion(note="Plan started; scene preserved."),
        )  # fmt: skip
        assert directive.state == "done" and directive.completed_by == "sz-staff"

        # The first report came 90 min after discovery: a CII operator has 1 h. Late.
        first = next(c for c in clocks.deadlines_of(session, incident) if c.kind == "first_report")
        assert first.state.value == "late"
        assert first.due_at == T0 + timedelta(hours=1)
        assert first.made_at == T0 + timedelta(minutes=90)

        # Recovery, the final report, closure; the PDF renders.
        move_to(T0 + timedelta(days=2))
        handling.start_recovery(session=session, actor=people.nat_duty, incident_id=incident.id)
        move_to(T0 + timedelta(days=9))
        closure.submit_final_report(
            session=session, actor=people.sz_staff, incident_id=incident.id, report_in=FINAL
        )
        closure.close(session=session, actor=people.nat_leader, incident_id=incident.id)
        assert incident.state == "closed"
        final = next(c for c in clocks.deadlines_of(session, incident) if c.kind == "final_report")
        assert final.state.value == "on_time"
        assert final.due_at == T0 + timedelta(days=32)
        data = pdf.render_final_report_pdf(
            session=session, actor=people.sz_staff, incident_id=incident.id
        )
    assert data.startswith(b"%PDF")
    assert "incidents.incidents.report" in _audit_actions(session, incident.id)
    assert "incidents.response.manage" in _audit_actions(session, incident.id)
    subjects = set(session.scalars(select(OutboxMessage.subject)))
    assert {"incidents.incident.reported", "incidents.incident.closed"} <= subjects


def test_an_overdue_report_is_flagged_until_it_is_made(session: Session, people: People) -> None:
    with clock.frozen(T0) as move_to:
        incident = report(session, people.bank_staff, impact={"econ_loss_cny": 6_000_000})
        assert incident.final_level == "III"
        handling.start_recovery(session=session, actor=people.nat_duty, incident_id=incident.id)
        move_to(T0 + timedelta(days=30, minutes=1))
        final = next(c for c in clocks.deadlines_of(session, incident) if c.kind == "final_report")
        assert final.state.value == "overdue" and final.remaining_seconds == -60
        assert clocks.has_overdue(session, incident)
        rows, total = views.board(session=session, actor=people.nat_duty, overdue=True)
        assert [row.reference for row in rows] == [incident.reference] and total == 1
        closure.submit_final_report(
            session=session, actor=people.bank_staff, incident_id=incident.id, report_in=FINAL
        )
        final = next(c for c in clocks.deadlines_of(session, incident) if c.kind == "final_report")
        assert final.state.value == "late"


def test_an_other_operator_has_four_hours_for_its_first_report(
    session: Session, people: People
) -> None:
    with clock.frozen(T0 + timedelta(hours=3, minutes=59)):
        on_time = report(session, people.bank_staff, discovered_at=T0,
                         impact={"econ_loss_cny": 6_000_000})  # fmt: skip
    with clock.frozen(T0 + timedelta(hours=4, minutes=1)):
        late = report(session, people.bank_staff, discovered_at=T0,
                      impact={"econ_loss_cny": 6_000_000})  # fmt: skip
        states = {
            i.reference: next(c.state.value for c in clocks.deadlines_of(session, i))
            for i in (on_time, late)
        }
    assert states == {on_time.reference: "on_time", late.reference: "late"}


def test_reference_numbers_are_unique_and_sequential(session: Session, people: People) -> None:
    with clock.frozen(T0):
        numbers = [report(session, people.sz_staff).reference for _ in range(3)]
    serials = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert len(set(numbers)) == 3
    assert serials == list(range(serials[0], serials[0] + 3))


def test_an_update_reclassifies_and_supersedes_the_previous_level(
    session: Session, people: People
) -> None:
    with clock.frozen(T0):
        incident = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
        assert incident.final_level == "III"
        before = service.tasks(session, incident)
        flows.update_report(
            session=session, actor=people.sz_staff, incident_id=incident.id,
            update_in=IncidentUpdate(impact={"outage_whole_min": 400}, cause="Ransomware"),
        )  # fmt: skip
    assert incident.final_level == "I"
    assert incident.impact == {"pi_records_citizens": 2_000_000, "outage_whole_min": 400}
    assert {t.state for t in before} == {"superseded"}
    assert {t.level for t in service.tasks(session, incident, open_only=True)} == {"I"}
    kinds = [r.kind for r in service.reports(session, incident)]
    assert kinds.count("update") == 1 and kinds[0] == "first"


def test_a_leader_overrides_the_level_and_both_levels_are_kept(
    session: Session, people: People
) -> None:
    incident = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    with pytest.raises(Refused) as refused:
        flows.override_level(
            session=session, actor=people.sz_staff, incident_id=incident.id,
            override_in=LevelOverride(level="I", reason="mine"),
        )  # fmt: skip
    assert refused.value.rule == "no-grant"
    flows.override_level(
        session=session, actor=people.gd_leader, incident_id=incident.id,
        override_in=LevelOverride(level="II", reason="Sensitive grid customers involved"),
    )  # fmt: skip
    assert (incident.computed_level, incident.final_level) == ("III", "II")
    assert incident.override_reason == "Sensitive grid customers involved"
    assert incident.activated_level == "II"
    # A later update reclassifies but keeps the override as the final level.
    flows.update_report(
        session=session, actor=people.sz_staff, incident_id=incident.id,
        update_in=IncidentUpdate(note="More detail", trend="Stable"),
    )  # fmt: skip
    assert (incident.computed_level, incident.final_level) == ("III", "II")


def test_a_first_report_is_checked_and_nothing_is_stored(session: Session, people: People) -> None:
    with pytest.raises(Invalid) as invalid:
        report(session, people.sz_staff, category="not_a_category")
    assert (invalid.value.field, invalid.value.rule) == ("category", "plan-category")
    with pytest.raises(Invalid) as future:
        report(session, people.sz_staff, discovered_at=clock.now() + timedelta(hours=1))
    assert (future.value.field, future.value.rule) == ("discovered_at", "not-in-future")
    with pytest.raises(Invalid) as dept:
        report(session, people.nat_analyst, org_id=people.world.energy_dept.id)
    assert dept.value.rule == "incidents-of-network-operators"
    assert session.scalar(select(func.count()).select_from(Incident)) == 0


def test_an_analyst_opens_an_incident_for_an_operator_it_sees(
    session: Session, people: People
) -> None:
    incident = report(session, people.energy_analyst, org_id=people.world.energy_op_sh.id)
    assert incident.org_id == people.world.energy_op_sh.id and incident.origin == "operator"
    with pytest.raises(Refused) as refused:
        report(session, people.energy_analyst, org_id=people.world.finance_op_sh.id)
    assert refused.value.rule == "out-of-scope"


def test_a_directive_is_completed_only_by_its_operator(session: Session, people: People) -> None:
    incident = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    (directive,) = [t for t in service.tasks(session, incident) if t.directive]
    with pytest.raises(Refused) as other:
        handling.complete_task(
            session=session, actor=people.bank_staff, task_id=directive.id,
            completion=TaskCompletion(note="not mine"),
        )  # fmt: skip
    assert other.value.rule == "out-of-scope"
    with pytest.raises(Refused) as authority:
        handling.complete_task(
            session=session, actor=people.nat_duty, task_id=directive.id,
            completion=TaskCompletion(note="done for them"),
        )  # fmt: skip
    assert authority.value.rule == "directive-completed-by-its-operator"
    handling.complete_task(
        session=session, actor=people.sz_staff, task_id=directive.id,
        completion=TaskCompletion(note="done"),
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        handling.complete_task(
            session=session, actor=people.sz_staff, task_id=directive.id,
            completion=TaskCompletion(note="again"),
        )  # fmt: skip


def test_closing_needs_recovery_and_the_final_report(session: Session, people: People) -> None:
    incident = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    with pytest.raises(InvalidTransition):
        closure.close(session=session, actor=people.nat_leader, incident_id=incident.id)
    handling.start_recovery(session=session, actor=people.nat_leader, incident_id=incident.id)
    with pytest.raises(InvalidTransition) as missing:
        closure.close(session=session, actor=people.nat_leader, incident_id=incident.id)
    assert "final summary report" in missing.value.message
    with pytest.raises(InvalidTransition):
        handling.cancel(
            session=session, actor=people.nat_leader, incident_id=incident.id,
            cancel_in=CancelIn(reason="too late to cancel"),
        )  # fmt: skip


def test_a_referral_generates_its_document(session: Session, people: People) -> None:
    incident = report(session, people.sz_staff, impact={"outage_whole_min": 400})
    referral = closure.record_referral(
        session=session, actor=people.nat_duty, incident_id=incident.id,
        referral_in=ReferralIn(
            authority="emergency_management", recipient="Shenzhen Emergency Management Bureau",
            grounds="The grid outage caused a city-wide power emergency.",
        ),
    )  # fmt: skip
    assert incident.reference in referral.document
    assert "第五十七条" in referral.document and "city-wide power emergency" in referral.document
    shown = views.detail(session=session, actor=people.nat_duty, incident_id=incident.id)
    assert [r.id for r in shown.referrals] == [referral.id]
    with pytest.raises(Refused):
        closure.record_referral(
            session=session, actor=people.sz_staff, incident_id=incident.id,
            referral_in=ReferralIn(authority="work_safety", recipient="x", grounds="y"),
        )  # fmt: skip


def test_a_running_incident_keeps_its_plan_version(session: Session, people: People) -> None:
    incident = report(session, people.sz_staff)
    assert (incident.plan_name, incident.plan_version) == ("national", 1)
    assert incident.plan_version_id


def test_a_new_plan_version_never_changes_a_running_incident(
    session: Session, people: People, system_actor: Actor
) -> None:
    running = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    assert (running.plan_version, running.final_level) == (1, "III")
    # Version 2 of the national plan makes 1 million leaked records a major incident (II).
    text = (
        plans_loader.packaged_text()
        .replace("III: {value: 1000000, source: S25", "II: {value: 1000000, source: S25")
        .replace("II: {value: 10000000, source: S25", "I: {value: 10000000, source: S25")
    )
    text = text.replace('I: {value: 100000000, source: "S9, S25", confidence: confirmed}', "")
    version = plans_flows.import_plan(session=session, actor=system_actor, yaml_text=text)
    assert version.version == 2
    flows.update_report(
        session=session, actor=people.sz_staff, incident_id=running.id,
        update_in=IncidentUpdate(impact={"pi_records_citizens": 2_500_000}),
    )  # fmt: skip
    assert (running.plan_version, running.final_level) == (1, "III")
    newer = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    assert (newer.plan_version, newer.final_level) == (2, "II")
