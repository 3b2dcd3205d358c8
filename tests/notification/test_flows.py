"""Sending, acknowledging, reading and escalating notifications (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo import clock
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import Conflict, Invalid, Refused
from fenghuo.notification import endpoints, flows, policy
from fenghuo.notification.escalation import escalate_due
from fenghuo.notification.models import (
    Notification,
    NotificationDelivery,
    NotificationRecipient,
)
from tests.notification.conftest import People

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SERVER_KEY = "test-secret-key-not-for-production"


def _send(session: Session, actor: Actor, org_ids: list[str], **changes: Any) -> Notification:
    fields: dict[str, Any] = {
        "kind": "directive",
        "title": "Patch the SCADA gateways",
        "body": "请于24小时内修补。Patch within 24 hours.",
        "recipient_org_ids": org_ids,
        **changes,
    }
    return flows.send(session, actor, **fields)


def _outbox(session: Session, subject: str) -> list[dict[str, Any]]:
    return [
        row.payload
        for row in session.scalars(select(OutboxMessage).where(OutboxMessage.subject == subject))
    ]


def test_a_sector_department_directs_its_operators_with_one_bus_notice(
    sessions: sessionmaker[Session], people: People
) -> None:
    w = people.world
    with sessions.begin() as session:
        admin_gd = people["sz-admin"]
        endpoints.register(
            session=session,
            actor=admin_gd,
            server_key=SERVER_KEY,
            channel="webhook",
            address="https://sz.example/hook",
        )
        endpoints.register(
            session=session,
            actor=admin_gd,
            server_key=SERVER_KEY,
            channel="email",
            address="soc@sz.example",
        )
        sent = _send(
            session,
            people["energy-analyst"],
            [w.energy_op_gd.id, w.energy_op_sh.id],
            ref_type="incident",
            ref_id="INC-1",
        )
        recipients = session.scalars(
            select(NotificationRecipient).where(NotificationRecipient.notification_id == sent.id)
        ).all()
        assert {r.org_id for r in recipients} == {w.energy_op_gd.id, w.energy_op_sh.id}
        assert {r.state for r in recipients} == {"pending"}
        deliveries = session.scalars(
            select(NotificationDelivery).where(NotificationDelivery.notification_id == sent.id)
        ).all()
        by = sorted((d.org_id == w.energy_op_gd.id, d.channel, d.state) for d in deliveries)
        assert by == [
            (False, "inbox", "delivered"),
            (True, "email", "pending"),
            (True, "inbox", "delivered"),
            (True, "webhook", "pending"),
        ]
        assert _outbox(session, flows.DELIVERIES_REQUESTED) == [{"notification_id": sent.id}]
        record = session.scalars(select(AuditRecord).where(AuditRecord.target_id == sent.id)).one()
        assert record.action == "notification.notifications.send"
        assert record.rule == "staff-notify-visible-organisations"
        assert record.details["recipients"] == 2


def test_no_bus_notice_when_only_the_inbox_delivers(
    sessions: sessionmaker[Session], people: People
) -> None:
    with sessions.begin() as session:
        _send(session, people["energy-analyst"], [people.world.energy_op_sh.id])
        assert _outbox(session, flows.DELIVERIES_REQUESTED) == []


def test_an_operator_may_not_send_a_directive(
    sessions: sessionmaker[Session], people: People
) -> None:
    with sessions.begin() as session, pytest.raises(Refused) as refused:
        _send(session, people["sz-staff"], [people.world.national.id])
    assert refused.value.rule == policy.OPERATORS_RULE


def test_an_operator_reports_upward_only(sessions: sessionmaker[Session], people: People) -> None:
    w = people.world
    with sessions.begin() as session:
        report = _send(
            session,
            people["sz-staff"],
            [w.national.id, w.energy_dept.id, w.guangdong.id],
            kind="report",
            title="Ransomware on two hosts",
        )
        assert report.kind == "report"
        assert len(report.recipients) == 3
    for sideways in (w.energy_op_sh.id, w.finance_op_sh.id, w.cert.id):
        with sessions.begin() as session, pytest.raises(Refused) as refused:
            _send(session, people["sz-staff"], [sideways], kind="report")
        assert refused.value.rule == policy.UPWARD_RULE


def test_a_department_may_not_notify_outside_its_visibility(
    sessions: sessionmaker[Session], people: People
) -> None:
    with sessions.begin() as session:
        before = session.scalar(select(func.count(Notification.id)))
        with pytest.raises(Refused) as refused:
            _send(
                session,
                people["energy-analyst"],
                [people.world.energy_op_gd.id, people.world.finance_op_sh.id],
            )
        assert refused.value.rule == "out-of-scope"
        assert "Shanghai Bank" in refused.value.reason
        assert session.scalar(select(func.count(Notification.id))) == before


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"kind": "memo"}, "kind", "notification-kind"),
        ({"title": "  "}, "title", "notification-title"),
        ({"recipient_org_ids": []}, "recipient_org_ids", "recipients-required"),
        ({"recipient_org_ids": ["nope"]}, "recipient_org_ids.0", "known-organisation"),
        ({"escalate_after": timedelta(0)}, "escalate_after", "escalate-after-range"),
        ({"tlp": "purple"}, "tlp", "tlp"),
        ({"ref_type": "incident"}, "ref_type", "reference-complete"),
    ],
)
def test_bad_input_names_the_field_and_the_rule(
    sessions: sessionmaker[Session], people: People, changes: dict[str, Any], field: str, rule: str
) -> None:
    with sessions.begin() as session:
        with pytest.raises(Invalid) as invalid:
            _send(session, people["energy-analyst"], [people.world.energy_op_gd.id], **changes)
        assert (invalid.value.field, invalid.value.rule) == (field, rule)
        assert session.scalar(select(func.count(Notification.id))) == 0


def test_only_the_recipient_organisation_acknowledges_and_only_once(
    sessions: sessionmaker[Session], people: People
) -> None:
    w = people.world
    with sessions.begin() as session:
        sent = _send(session, people["energy-analyst"], [w.energy_op_gd.id])
    with sessions.begin() as session, pytest.raises(Refused) as refused:
        flows.acknowledge(session, people["gas-staff"], sent.id)
    assert refused.value.rule == policy.RECIPIENT_RULE
    assert "Shanghai Gas is not a recipient" in refused.value.reason
    with sessions.begin() as session, pytest.raises(Refused) as refused:
        flows.acknowledge(session, people["energy-analyst"], sent.id)
    assert refused.value.rule == policy.RECIPIENT_RULE
    with sessions.begin() as session, pytest.raises(Refused) as refused:
        flows.acknowledge(session, people["sz-viewer"], sent.id)
    assert refused.value.rule == "no-grant"
    with sessions.begin() as session:
        receipt = flows.acknowledge(session, people["sz-staff"], sent.id, note="patched 3 of 4")
        assert (receipt.state, receipt.acknowledged_by) == ("acknowledged", "sz-staff")
        record = session.scalars(
            select(AuditRecord).where(
                AuditRecord.action == "notification.notifications.acknowledge"
            )
        ).one()
        assert record.target_org_id == w.energy_op_gd.id
        assert _outbox(session, flows.ACKNOWLEDGED)[0]["org_id"] == w.energy_op_gd.id
    with sessions.begin() as session, pytest.raises(Conflict):
        flows.acknowledge(session, people["sz-admin"], sent.id)


def test_the_sender_sees_who_has_and_has_not_acknowledged(
    sessions: sessionmaker[Session], people: People
) -> None:
    w = people.world
    with sessions.begin() as session:
        sent = _send(session, people["energy-analyst"], [w.energy_op_gd.id, w.energy_op_sh.id])
        flows.acknowledge(session, people["sz-staff"], sent.id)
    with sessions.begin() as session:
        status = flows.status(session, people["energy-admin"], sent.id)
        assert status.counts == {"total": 2, "pending": 1, "acknowledged": 1, "escalated": 0}
        states = {r.org_name: (r.state, r.acknowledged_by) for r in status.recipients}
        assert states == {
            "Shenzhen Power": ("acknowledged", "sz-staff"),
            "Shanghai Gas": ("pending", None),
        }
        assert status.deliveries == {"inbox": {"delivered": 2}}
        assert [d.channel for d in status.recipients[0].deliveries] == ["inbox"]
    with sessions.begin() as session, pytest.raises(Refused):
        flows.status(session, people["sz-staff"], sent.id)


def test_the_inbox_shows_what_my_organisation_received(
    sessions: sessionmaker[Session], people: People
) -> None:
    w = people.world
    with sessions.begin() as session:
        first = _send(session, people["energy-analyst"], [w.energy_op_gd.id], title="First")
        _send(session, people["energy-analyst"], [w.energy_op_sh.id], title="Not for SZ")
        flows.acknowledge(session, people["sz-staff"], first.id)
        with clock.frozen(clock.now() + timedelta(seconds=5)):
            _send(session, people["energy-analyst"], [w.energy_op_gd.id], title="Second")
    with sessions.begin() as session:
        items, total = flows.inbox(session, people["sz-viewer"])
        assert total == 2
        assert [i.notification.title for i in items] == ["Second", "First"]
        assert [i.state for i in items] == ["pending", "acknowledged"]
        pending, count = flows.inbox(session, people["sz-staff"], unacknowledged_only=True)
        assert (count, [i.notification.title for i in pending]) == (1, ["Second"])
        bank, none = flows.inbox(session, people["bank-staff"])
        assert (bank, none) == ([], 0)
        view = flows.get(session, people["sz-viewer"], first.id)
        assert (view.role, view.receipt and view.receipt.state) == ("recipient", "acknowledged")
        assert flows.get(session, people["energy-admin"], first.id).role == "sender"


def test_an_unacknowledged_notification_escalates_to_the_parent_after_the_plans_time(
    sessions: sessionmaker[Session], people: People, system_actor: Actor
) -> None:
    w = people.world
    with clock.frozen(T0) as move_to:
        with sessions.begin() as session:
            sent = _send(
                session,
                people["energy-analyst"],
                [w.energy_op_gd.id, w.energy_op_sh.id],
                escalate_after=timedelta(hours=1),
            )
            flows.acknowledge(session, people["sz-staff"], sent.id)
        move_to(T0 + timedelta(minutes=59))
        with sessions.begin() as session:
            assert escalate_due(session, system_actor) == []
        move_to(T0 + timedelta(hours=1, seconds=1))
        with sessions.begin() as session:
            escalations = escalate_due(session, system_actor)
            assert len(escalations) == 1
            escalation = escalations[0]
            assert [r.org_id for r in escalation.recipients] == [w.national.id]
            assert (escalation.ref_type, escalation.ref_id) == ("notification", sent.id)
            assert "Shanghai Gas" in escalation.body
            late = flows.status(session, people["energy-admin"], sent.id)
            rows = {r.org_name: (r.state, r.escalation_id) for r in late.recipients}
            assert rows == {
                "Shenzhen Power": ("acknowledged", None),
                "Shanghai Gas": ("escalated", escalation.id),
            }
            record = session.scalars(
                select(AuditRecord).where(
                    AuditRecord.action == "notification.notifications.escalate"
                )
            ).one()
            assert record.details["escalated_org_ids"] == [w.energy_op_sh.id]
        with sessions.begin() as session:
            assert escalate_due(session, system_actor) == []  # once only
            items, _ = flows.inbox(session, people["nat-duty"])
            assert [i.notification.id for i in items] == [escalation.id]
            # Late is better than never: the operator may still acknowledge.
            flows.acknowledge(session, people["gas-staff"], sent.id)


def test_escalation_is_the_systems_job(sessions: sessionmaker[Session], people: People) -> None:
    with sessions.begin() as session, pytest.raises(Refused) as refused:
        escalate_due(session, people["energy-admin"])
    assert refused.value.rule == "no-grant"


def test_a_webhook_secret_is_shown_once_and_never_stored(
    sessions: sessionmaker[Session], people: People
) -> None:
    with sessions.begin() as session:
        endpoint, secret = endpoints.register(
            session=session,
            actor=people["sz-admin"],
            server_key=SERVER_KEY,
            channel="webhook",
            address="https://sz.example/hook",
        )
        assert secret is not None and secret.startswith("whsec_")
        assert secret == policy.derive_webhook_secret(
            SERVER_KEY, endpoint.id, endpoint.secret_salt or ""
        )
        stored = " ".join(str(v) for v in endpoint.state().values()) + (endpoint.secret_salt or "")
        assert secret not in stored and endpoint.secret_hint == "…" + secret[-4:]
        listed = endpoints.list_(session=session, actor=people["sz-admin"])
        assert [e.id for e in listed] == [endpoint.id]
    with sessions.begin() as session, pytest.raises(Refused):
        endpoints.register(
            session=session,
            actor=people["sz-staff"],
            server_key=SERVER_KEY,
            channel="webhook",
            address="https://sz.example/other",
        )
    with sessions.begin() as session, pytest.raises(Invalid) as invalid:
        endpoints.register(
            session=session,
            actor=people["sz-admin"],
            server_key=SERVER_KEY,
            channel="webhook",
            address="ftp://sz.example/",
        )
    assert invalid.value.rule == "webhook-url"
