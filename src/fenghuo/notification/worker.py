"""The notification worker: delivers on ``notification.deliveries.requested``, sweeps, escalates.

``fenghuo worker notify`` (scale-out) and the embedded app run the same three things:

- a member of the consumer group ``notification-deliver`` on
  ``notification.deliveries.requested``: each notice names one notification, whose due
  deliveries are attempted at once;
- a sweep every few seconds that attempts every delivery that has come due (retries after
  backoff, rows a dead worker had leased, notices lost with an in-process bus);
- the escalation of unacknowledged notifications, every ``escalate_interval`` seconds.

The message is acknowledged after the run; the rows, not the message, hold the work, so a
redelivered notice finds nothing due and does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.bus import Bus, Handler, Message, Subscription
from fenghuo.notification.channels import NotificationChannel
from fenghuo.notification.delivery import ACTOR_LABEL, Deliverer
from fenghuo.notification.escalation import escalate_due
from fenghuo.notification.flows import DELIVERIES_REQUESTED
from fenghuo.settings import Settings

SUBJECT = DELIVERIES_REQUESTED
DURABLE = "notification-deliver"
ACK_WAIT = 600.0
MAX_DELIVER = 5
SWEEP_SECONDS = 5.0
ESCALATE_SECONDS = 30.0

logger = logging.getLogger("fenghuo.notification.worker")


def make_deliverer(
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    channels: Mapping[str, NotificationChannel],
) -> Deliverer:
    """A deliverer acting as the notification worker (the system actor)."""
    return Deliverer(
        sessions=sessions,
        settings=settings,
        actor=Actor.system(policy, label=ACTOR_LABEL),
        channels=channels,
    )


def deliver_handler(deliverer: Deliverer) -> Handler:
    """A bus handler attempting the due deliveries of the notification a notice names."""

    async def handle(message: Message) -> None:
        payload = message.json()
        notification_id = payload.get("notification_id") if isinstance(payload, dict) else None
        if not isinstance(notification_id, str):
            await message.dead_letter(reason="no notification_id")
            return
        run = await deliverer.run(notification_id)
        logger.info(
            "notify: %s: %d delivered, %d to retry, %d dead, %d skipped",
            notification_id,
            run.delivered,
            run.failed,
            run.dead,
            run.skipped,
        )

    return handle


async def subscribe_notify(
    bus: Bus, deliverer: Deliverer, *, durable: str = DURABLE, ack_wait: float = ACK_WAIT
) -> Subscription:
    """Join the delivery consumer group on ``notification.deliveries.requested``."""
    return await bus.subscribe(
        SUBJECT,
        durable=durable,
        handler=deliver_handler(deliverer),
        ack_wait=ack_wait,
        max_deliver=MAX_DELIVER,
    )


def escalate_once(sessions: sessionmaker[Session], policy: Policy) -> int:
    """One escalation pass in its own transaction; how many escalations it sent."""
    with sessions.begin() as session:
        return len(escalate_due(session, Actor.system(policy, label="worker:escalate")))


async def run_background(
    deliverer: Deliverer,
    *,
    sessions: sessionmaker[Session],
    policy: Policy,
    stop: asyncio.Event,
    sweep_seconds: float = SWEEP_SECONDS,
    escalate_seconds: float = ESCALATE_SECONDS,
) -> None:
    """Sweep due deliveries and escalate overdue acknowledgements until ``stop`` is set."""
    loop = asyncio.get_running_loop()
    next_escalation = loop.time()
    while not stop.is_set():
        try:
            await deliverer.run()
            if loop.time() >= next_escalation:
                sent = await asyncio.to_thread(escalate_once, sessions, policy)
                if sent:
                    logger.info("notify: %d escalation(s) sent", sent)
                next_escalation = loop.time() + escalate_seconds
        except Exception:  # an outage must not end the loop; the rows keep the work
            logger.exception("notify: sweep failed; retrying in %.0f s", sweep_seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), sweep_seconds)
