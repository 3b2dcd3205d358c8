"""``fenghuo notifications escalate`` and ``fenghuo notifications replay`` on a real database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.notification import endpoints, flows
from fenghuo.notification.models import NotificationDelivery
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from tests.cli.conftest import Invoke
from tests.factories.accounts import make_user, make_world
from tests.notification.kit import webhook_receiver


def test_escalate_once_and_replay_a_dead_delivery_now(migrated: Invoke, data_dir: Path) -> None:
    platform = Platform.build(Settings(data_dir=data_dir))
    key = platform.settings.resolved_secret_key()
    with webhook_receiver() as receiver:
        with platform.transaction() as session:
            world = make_world(session)
            analyst = credentials.actor_for(
                make_user(session, org=world.energy_dept, username="a", roles=["analyst"]),
                platform.policy,
            )
            admin = credentials.actor_for(
                make_user(session, org=world.energy_op_gd, username="b", roles=["administrator"]),
                platform.policy,
            )
            endpoints.register(
                session=session,
                actor=admin,
                server_key=key,
                channel="webhook",
                address=f"{receiver.url}/hook",
            )
            with clock.frozen(clock.now() - timedelta(hours=2)):
                sent = flows.send(
                    session,
                    analyst,
                    kind="directive",
                    title="Rotate the VPN keys",
                    body="",
                    recipient_org_ids=[world.energy_op_gd.id],
                    escalate_after=timedelta(hours=1),
                )
            session.execute(
                update(NotificationDelivery)
                .where(NotificationDelivery.channel == "webhook")
                .values(state="dead", attempts=6, last_error="HTTP 503", next_attempt_at=None)
            )
            dead_id = session.query(NotificationDelivery.id).filter_by(channel="webhook").scalar()
        escalated = migrated("notifications", "escalate")
        assert escalated.exit_code == 0, escalated.output
        assert "Unacknowledged: Rotate the VPN keys" in escalated.stdout
        assert world.national.id in escalated.stdout
        assert "1 escalation(s) sent" in escalated.stdout
        assert "0 escalation(s) sent" in migrated("notifications", "escalate").stdout

        # `--now` runs an event loop (asyncio.run): in a thread of its own, as in tests/bus,
        # so that a loop an earlier test left on the main thread cannot refuse it.
        with ThreadPoolExecutor(max_workers=1) as pool:
            replayed = pool.submit(migrated, "notifications", "replay", dead_id, "--now").result(60)
        assert replayed.exit_code == 0, replayed.output
        assert f"delivery {dead_id}: delivered" in replayed.stdout
        assert len(receiver.on("/hook")) == 1
        again = migrated("notifications", "replay", dead_id)
        assert again.exit_code == 1
        assert "only a dead delivery is replayed" in again.stderr
    with platform.transaction() as session:
        status = flows.status(session, platform.system_actor(), sent.id)
        assert status.counts["escalated"] == 1
    platform.engine.dispose()
