"""Delivery on real servers: webhooks (retried with backoff, dead-lettered, replayed), e-mail.

Each test runs its event loop in a thread of its own (tests/bus/helpers.run_in_own_thread);
the clock is frozen and moved past the backoff instead of waiting for it.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo import clock
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.errors import InvalidTransition, Refused
from fenghuo.integrations import notification_channels
from fenghuo.notification import endpoints, flows
from fenghuo.notification.delivery import Deliverer, DeliveryRun
from fenghuo.notification.models import NotificationDelivery
from fenghuo.notification.policy import is_valid_signature
from fenghuo.settings import Settings
from tests.bus.helpers import run_in_own_thread
from tests.notification.conftest import People
from tests.notification.kit import Mailbox, Receiver

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
KEY = "test-secret-key-not-for-production"


def _settings(tmp_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "var",
        "secret_key": KEY,
        "public_url": "https://fenghuo.example",
        "delivery_backoff_seconds": 30.0,
        "delivery_timeout_seconds": 2.0,
        "delivery_concurrency": 8,
        **changes,
    }
    return Settings(**values)


def _deliver(
    sessions: sessionmaker[Session],
    settings: Settings,
    policy_: Policy,
    notification_id: str | None = None,
) -> DeliveryRun:
    async def go() -> DeliveryRun:
        channels = notification_channels(settings)
        deliverer = Deliverer(
            sessions=sessions,
            settings=settings,
            actor=Actor.system(policy_, label="worker:notify"),
            channels=channels,
        )
        try:
            return await deliverer.run(notification_id)
        finally:
            for channel in channels.values():
                await channel.aclose()

    return run_in_own_thread(go())


def _webhook(sessions: sessionmaker[Session], actor: Actor, url: str) -> tuple[str, str]:
    with sessions.begin() as session:
        endpoint, secret = endpoints.register(
            session=session, actor=actor, server_key=KEY, channel="webhook", address=url
        )
    assert secret is not None
    return endpoint.id, secret


def _send(sessions: sessionmaker[Session], people: People, *org_ids: str, **changes: Any) -> str:
    with sessions.begin() as session:
        sent = flows.send(
            session,
            people["energy-analyst"],
            kind="directive",
            title="Isolate the historian servers",
            body="立即隔离。Isolate them now.",
            recipient_org_ids=list(org_ids),
            **changes,
        )
        return sent.id


def _delivery(
    sessions: sessionmaker[Session], notification_id: str, channel: str
) -> NotificationDelivery:
    with sessions.begin() as session:
        return session.scalars(
            select(NotificationDelivery).where(
                NotificationDelivery.notification_id == notification_id,
                NotificationDelivery.channel == channel,
            )
        ).one()


def test_a_webhook_that_fails_twice_is_retried_with_backoff_then_delivered_signed(
    sessions: sessionmaker[Session],
    people: People,
    receiver: Receiver,
    policy: Policy,
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    _endpoint, secret = _webhook(sessions, people["sz-admin"], f"{receiver.url}/sz")
    receiver.script("/sz", 500, 502)
    with clock.frozen(T0) as move_to:
        sent = _send(sessions, people, people.world.energy_op_gd.id)
        first = _deliver(sessions, settings, policy, sent)
        assert (first.delivered, first.failed) == (0, 1)
        row = _delivery(sessions, sent, "webhook")
        assert (row.state, row.attempts, row.last_error) == (
            "failed",
            1,
            f"HTTP 500 from {receiver.url}/sz",
        )
        assert row.next_attempt_at == T0 + timedelta(seconds=30)
        # Not due yet: nothing is attempted, however often the sweep runs.
        assert _deliver(sessions, settings, policy).attempted == 0
        move_to(T0 + timedelta(seconds=30))
        assert _deliver(sessions, settings, policy).failed == 1
        row = _delivery(sessions, sent, "webhook")
        assert (row.attempts, row.next_attempt_at) == (2, T0 + timedelta(seconds=90))
        move_to(T0 + timedelta(seconds=90))
        assert _deliver(sessions, settings, policy).delivered == 1
    row = _delivery(sessions, sent, "webhook")
    assert (row.state, row.attempts, row.last_error) == ("delivered", 3, None)
    requests = receiver.on("/sz")
    assert len(requests) == 3
    for request in requests:
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["x-fenghuo-delivery"] == row.id
        assert is_valid_signature(
            secret, headers["x-fenghuo-timestamp"], request.body, headers["x-fenghuo-signature"]
        )
        assert not is_valid_signature(
            "whsec_wrong",
            headers["x-fenghuo-timestamp"],
            request.body,
            headers["x-fenghuo-signature"],
        )
    document = json.loads(requests[-1].body)
    assert document["notification"]["id"] == sent
    assert document["notification"]["title"] == "Isolate the historian servers"
    assert document["acknowledge_url"] == f"https://fenghuo.example/notifications/{sent}"


def test_after_the_last_try_a_delivery_is_dead_and_a_replay_delivers_it(
    sessions: sessionmaker[Session],
    people: People,
    receiver: Receiver,
    policy: Policy,
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, delivery_max_attempts=2)
    _webhook(sessions, people["sz-admin"], f"{receiver.url}/down")
    receiver.script("/down", 503, 503)
    with clock.frozen(T0) as move_to:
        sent = _send(sessions, people, people.world.energy_op_gd.id)
        assert _deliver(sessions, settings, policy).failed == 1
        move_to(T0 + timedelta(seconds=30))
        run = _deliver(sessions, settings, policy)
        assert run.dead == 1
        row = _delivery(sessions, sent, "webhook")
        assert (row.state, row.attempts, row.next_attempt_at) == ("dead", 2, None)
        move_to(T0 + timedelta(days=1))
        assert _deliver(sessions, settings, policy).attempted == 0  # dead stays dead
        with sessions.begin() as session:
            record = session.scalars(
                select(AuditRecord).where(AuditRecord.action == "notification.deliveries.deliver")
            ).one()
            assert record.target_id == row.id
            assert record.details["last_error"] == f"HTTP 503 from {receiver.url}/down"
            dead, total = flows.dead_letters(session, people["energy-admin"])
            assert (total, [d.id for d in dead]) == (1, [row.id])
            # The recipient's own administrator does not see the sender's dead letters.
            assert flows.dead_letters(session, people["sz-admin"])[1] == 0
        with sessions.begin() as session, pytest.raises(Refused):
            flows.replay_dead(session, people["sz-admin"], row.id)
        with sessions.begin() as session:
            replayed = flows.replay_dead(session, people["energy-admin"], row.id)
            assert (replayed.state, replayed.attempts) == ("pending", 0)
        with sessions.begin() as session, pytest.raises(InvalidTransition):
            flows.replay_dead(session, people["energy-admin"], row.id)
        assert _deliver(sessions, settings, policy, sent).delivered == 1
    assert _delivery(sessions, sent, "webhook").state == "delivered"
    assert len(receiver.on("/down")) == 3


def test_one_slow_webhook_does_not_hold_up_the_others(
    sessions: sessionmaker[Session],
    people: People,
    receiver: Receiver,
    policy: Policy,
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, delivery_timeout_seconds=0.5, delivery_concurrency=4)
    w = people.world
    _webhook(sessions, people["sz-admin"], f"{receiver.url}/slow")
    receiver.delays["/slow"] = 3.0
    with sessions.begin() as session:
        for name, org in (("gas-admin", w.energy_op_sh), ("nat-admin", w.national)):
            from fenghuo.accounts import credentials
            from tests.factories.accounts import make_user

            admin = credentials.actor_for(
                make_user(session, org=org, username=name, roles=["administrator"]), policy
            )
            for n in range(3):
                endpoints.register(
                    session=session,
                    actor=admin,
                    server_key=KEY,
                    channel="webhook",
                    address=f"{receiver.url}/{name}/{n}",
                )
    sent = _send(sessions, people, w.energy_op_gd.id, w.energy_op_sh.id)
    started = time.monotonic()
    run = _deliver(sessions, settings, policy, sent)
    elapsed = time.monotonic() - started
    assert (run.delivered, run.failed) == (3, 1)
    assert elapsed < 2.5
    with sessions.begin() as session:
        slow = session.scalars(
            select(NotificationDelivery).where(NotificationDelivery.state == "failed")
        ).one()
        assert slow.last_error in {"no answer within 0.5 s", f"timed out: {receiver.url}/slow"}


def test_e_mail_goes_to_a_real_smtp_server_with_the_acknowledgement_link(
    sessions: sessionmaker[Session],
    people: People,
    mailbox: Mailbox,
    policy: Policy,
    tmp_path: Path,
) -> None:
    settings = _settings(
        tmp_path,
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        smtp_starttls=False,
        smtp_from="cert@fenghuo.example",
    )
    with sessions.begin() as session:
        for address in ("soc@sz-power.example", "ciso@sz-power.example"):
            endpoints.register(
                session=session,
                actor=people["sz-admin"],
                server_key=KEY,
                channel="email",
                address=address,
            )
    sent = _send(sessions, people, people.world.energy_op_gd.id, tlp="green")
    assert _deliver(sessions, settings, policy, sent).delivered == 1
    assert _delivery(sessions, sent, "email").state == "delivered"
    [(mail_from, rcpt_tos, message)] = mailbox.envelopes
    assert mail_from == "cert@fenghuo.example"
    assert sorted(rcpt_tos) == ["ciso@sz-power.example", "soc@sz-power.example"]
    assert message["Subject"] == "[Fenghuo 烽火][TLP:GREEN] Isolate the historian servers"
    assert message.is_multipart()
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    content = text.get_content()
    assert "立即隔离。Isolate them now." in content
    assert f"https://fenghuo.example/notifications/{sent}" in content
    assert f"/notifications/{sent}" in html.get_content()


def test_without_an_smtp_host_e_mail_is_skipped_and_said_so(
    sessions: sessionmaker[Session], people: People, policy: Policy, tmp_path: Path
) -> None:
    with sessions.begin() as session:
        endpoints.register(
            session=session,
            actor=people["sz-admin"],
            server_key=KEY,
            channel="email",
            address="soc@sz.example",
        )
    sent = _send(sessions, people, people.world.energy_op_gd.id)
    assert _deliver(sessions, _settings(tmp_path), policy, sent).skipped == 1
    row = _delivery(sessions, sent, "email")
    assert (row.state, row.last_error) == ("skipped", "the email channel is off in this deployment")


def test_tlp_red_keeps_the_body_inside_fenghuo(
    sessions: sessionmaker[Session],
    people: People,
    receiver: Receiver,
    policy: Policy,
    tmp_path: Path,
) -> None:
    _webhook(sessions, people["sz-admin"], f"{receiver.url}/red")
    sent = _send(sessions, people, people.world.energy_op_gd.id, tlp="red")
    assert _deliver(sessions, _settings(tmp_path), policy, sent).delivered == 1
    document = json.loads(receiver.on("/red")[0].body)
    assert "立即隔离" not in document["notification"]["body"]
    assert document["notification"]["tlp"] == "RED"
