"""Delivering e-mail and webhooks: claim due rows, attempt them concurrently, record outcomes.

Deliveries are rows, so retries survive restarts: a delivery is due when its state is
``pending`` or ``failed`` and ``next_attempt_at`` has come. ``Deliverer.run`` claims due rows
in batches by moving ``next_attempt_at`` forward by a lease (so neither another worker nor
the next sweep takes them meanwhile; a worker that dies leaves them due again once the lease
ends), feeds them to ``concurrency`` asyncio workers, each attempt under a timeout, so one slow
webhook holds up only itself, and writes the outcomes in bulk every quarter second:
delivered; failed with ``next_attempt_at`` pushed back exponentially; or, after the last
attempt, dead (audited, listed, replayable). Database work runs in threads so the event loop
only waits on the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from fenghuo import clock
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Decision, require
from fenghuo.bus.outbox import emit
from fenghuo.notification import actions, channels, policy, service
from fenghuo.notification.channels import DeliveryFailed, Envelope, NotificationChannel
from fenghuo.notification.enums import DUE_STATES, Channel, DeliveryState
from fenghuo.notification.models import Notification, NotificationDelivery, NotificationEndpoint
from fenghuo.settings import Settings

logger = logging.getLogger("fenghuo.notification.delivery")

ACTOR_LABEL = "worker:notify"
DEAD = "notification.delivery.dead"
BATCH = 500
FLUSH_SECONDS = 0.25
_DUE = [state.value for state in DUE_STATES]


@dataclass(frozen=True)
class Outcome:
    """What became of one attempt (``final``: do not retry, whatever the attempts left)."""

    delivery_id: str
    attempts: int
    error: str | None = None
    skipped: bool = False
    final: bool = False


@dataclass
class DeliveryRun:
    """Counts of one ``Deliverer.run``."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    dead_ids: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.failed + self.dead


@dataclass
class _Run:
    """The shared state of one run: the queue of claimed work and the outcomes to record."""

    queue: asyncio.Queue[Envelope | None]
    outcomes: list[Outcome] = field(default_factory=list)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    result: DeliveryRun = field(default_factory=DeliveryRun)


class Deliverer:
    """Delivers due e-mail and webhook deliveries through the configured channels."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        settings: Settings,
        actor: Actor,
        channels: Mapping[str, NotificationChannel],
        batch: int = BATCH,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.actor = actor
        self.channels = dict(channels)
        self.batch = batch
        self.timeout = settings.delivery_timeout_seconds
        # Long enough for every claimed row to wait its turn in the queue and be attempted.
        self.lease = timedelta(
            seconds=60 + self.timeout * (2 + batch // max(1, settings.delivery_concurrency))
        )
        self._server_key = settings.resolved_secret_key()

    async def run(self, notification_id: str | None = None) -> DeliveryRun:
        """Attempt every delivery due now (of one notification, or all); the counts."""
        state = _Run(queue=asyncio.Queue(maxsize=self.batch))
        workers = max(1, self.settings.delivery_concurrency)
        flusher = asyncio.create_task(self._flush(state))
        try:
            await asyncio.gather(
                self._produce(state, notification_id, workers),
                *(self._work(state) for _ in range(workers)),
            )
        finally:
            state.finished.set()
            await flusher
        return state.result

    async def _produce(self, state: _Run, notification_id: str | None, workers: int) -> None:
        try:
            while True:
                envelopes, immediate = await asyncio.to_thread(self._claim, notification_id)
                state.outcomes.extend(immediate)
                for envelope in envelopes:
                    await state.queue.put(envelope)
                if len(envelopes) + len(immediate) < self.batch:
                    break
        finally:
            for _ in range(workers):
                await state.queue.put(None)

    async def _work(self, state: _Run) -> None:
        while (envelope := await state.queue.get()) is not None:
            state.outcomes.append(await self._attempt(envelope))

    async def _flush(self, state: _Run) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.finished.wait(), FLUSH_SECONDS)
            if state.outcomes:
                taken = state.outcomes[:]
                del state.outcomes[: len(taken)]
                await asyncio.to_thread(self._record, taken, state.result)
            if state.finished.is_set() and not state.outcomes:
                return

    async def _attempt(self, envelope: Envelope) -> Outcome:
        channel = self.channels[envelope.channel]
        try:
            async with asyncio.timeout(self.timeout):
                await channel.send(envelope)
        except DeliveryFailed as failure:
            return Outcome(envelope.delivery_id, envelope.attempt, error=failure.message[:1000])
        except TimeoutError:
            error = f"no answer within {self.timeout:g} s"
            return Outcome(envelope.delivery_id, envelope.attempt, error=error)
        except Exception as error:  # an adapter's bug must not stop the other deliveries
            logger.exception("notify: %s channel raised", envelope.channel)
            return Outcome(
                envelope.delivery_id, envelope.attempt, error=f"{type(error).__name__}: {error}"
            )
        return Outcome(envelope.delivery_id, envelope.attempt)

    def _claim(self, notification_id: str | None) -> tuple[list[Envelope], list[Outcome]]:
        """Lease up to ``batch`` due deliveries and render them (one short transaction)."""
        now = clock.now()
        with self.sessions.begin() as session:
            due = (
                select(NotificationDelivery.id)
                .where(
                    NotificationDelivery.state.in_(_DUE),
                    NotificationDelivery.next_attempt_at <= now,
                )
                .order_by(NotificationDelivery.next_attempt_at)
                .limit(self.batch)
            )
            if notification_id is not None:
                due = due.where(NotificationDelivery.notification_id == notification_id)
            # The repeated conditions make the claim atomic per row: a row another worker
            # leased meanwhile no longer matches and is not returned here.
            claimed = list(
                session.scalars(
                    update(NotificationDelivery)
                    .where(
                        NotificationDelivery.id.in_(due.scalar_subquery()),
                        NotificationDelivery.state.in_(_DUE),
                        NotificationDelivery.next_attempt_at <= now,
                    )
                    .values(next_attempt_at=now + self.lease)
                    .returning(NotificationDelivery.id)
                    .execution_options(synchronize_session=False)
                )
            )
            if not claimed:
                return [], []
            return self._render(session, claimed)

    def _render(self, session: Session, ids: list[str]) -> tuple[list[Envelope], list[Outcome]]:
        rows: list[Any] = []
        for part in service.chunks(ids):
            rows.extend(
                session.execute(
                    select(
                        NotificationDelivery,
                        Notification,
                        Organisation.name_en,
                        NotificationEndpoint.address,
                        NotificationEndpoint.secret_salt,
                    )
                    .join(Notification, Notification.id == NotificationDelivery.notification_id)
                    .join(Organisation, Organisation.id == NotificationDelivery.org_id)
                    .outerjoin(
                        NotificationEndpoint,
                        NotificationEndpoint.id == NotificationDelivery.endpoint_id,
                    )
                    .where(NotificationDelivery.id.in_(part))
                )
            )
        email_orgs = [row[0].org_id for row in rows if row[0].channel == Channel.email]
        addresses = (
            service.email_addresses(session=session, org_ids=email_orgs)
            if email_orgs and Channel.email in self.channels
            else {}
        )
        envelopes: list[Envelope] = []
        immediate: list[Outcome] = []
        for delivery, notification, org_name, url, salt in rows:
            attempt = delivery.attempts + 1
            if delivery.channel not in self.channels:
                reason = f"the {delivery.channel} channel is off in this deployment"
                immediate.append(Outcome(delivery.id, delivery.attempts, reason, skipped=True))
                continue
            link = channels.console_link(self.settings.public_url, notification.id)
            if delivery.channel == Channel.webhook:
                if url is None or salt is None:
                    reason = "the webhook endpoint was removed"
                    immediate.append(Outcome(delivery.id, attempt, reason, final=True))
                    continue
                envelopes.append(
                    Envelope(
                        delivery_id=delivery.id,
                        notification_id=notification.id,
                        channel=delivery.channel,
                        org_id=delivery.org_id,
                        attempt=attempt,
                        url=url,
                        secret=policy.derive_webhook_secret(
                            self._server_key, delivery.endpoint_id or "", salt
                        ),
                        document=channels.document(
                            notification,
                            delivery_id=delivery.id,
                            org_id=delivery.org_id,
                            org_name=org_name,
                            link=link,
                        ),
                    )
                )
                continue
            to = tuple(addresses.get(delivery.org_id, ()))
            if not to:
                reason = "the organisation has no e-mail address"
                immediate.append(Outcome(delivery.id, attempt, reason, final=True))
                continue
            subject, text = channels.email_text(notification, org_name=org_name, link=link)
            envelopes.append(
                Envelope(
                    delivery_id=delivery.id,
                    notification_id=notification.id,
                    channel=delivery.channel,
                    org_id=delivery.org_id,
                    attempt=attempt,
                    addresses=to,
                    subject=subject,
                    text=text,
                )
            )
        return envelopes, immediate

    def _record(self, outcomes: list[Outcome], result: DeliveryRun) -> None:
        """Write the outcomes in one transaction: bulk UPDATE by primary key, audit dead ones."""
        now = clock.now()
        rows: list[dict[str, Any]] = []
        dead: list[Outcome] = []
        for outcome in outcomes:
            row: dict[str, Any] = {
                "id": outcome.delivery_id,
                "attempts": outcome.attempts,
                "last_error": outcome.error,
                "updated_at": now,
                "delivered_at": None,
                "next_attempt_at": None,
            }
            if outcome.skipped:
                row["state"] = DeliveryState.skipped.value
                result.skipped += 1
            elif outcome.error is None:
                row["state"] = DeliveryState.delivered.value
                row["delivered_at"] = now
                result.delivered += 1
            elif outcome.final or outcome.attempts >= self.settings.delivery_max_attempts:
                row["state"] = DeliveryState.dead.value
                dead.append(outcome)
                result.dead += 1
                result.dead_ids.append(outcome.delivery_id)
            else:
                row["state"] = DeliveryState.failed.value
                delay = policy.backoff_seconds(
                    outcome.attempts,
                    base=self.settings.delivery_backoff_seconds,
                    cap=self.settings.delivery_backoff_max_seconds,
                )
                row["next_attempt_at"] = now + timedelta(seconds=delay)
                result.failed += 1
            rows.append(row)
        with self.sessions.begin() as session:
            session.execute(update(NotificationDelivery), rows)
            if dead:
                self._dead_letters(session, dead, now)

    def _dead_letters(self, session: Session, dead: list[Outcome], now: datetime) -> None:
        decision: Decision = require(self.actor, actions.DELIVER)
        for outcome in dead:
            delivery = session.get(NotificationDelivery, outcome.delivery_id)
            if delivery is None:
                continue
            audit_service.record(
                session=session,
                actor=self.actor,
                action=actions.DELIVER,
                target_type="notification_delivery",
                target_id=delivery.id,
                target_org_id=delivery.org_id,
                decision=decision,
                details={
                    "notification_id": delivery.notification_id,
                    "channel": delivery.channel,
                    "endpoint_id": delivery.endpoint_id,
                    "attempts": outcome.attempts,
                    "last_error": outcome.error,
                    "state": DeliveryState.dead.value,
                },
                summary=f"{delivery.channel} delivery dead-lettered after "
                f"{outcome.attempts} attempt(s): {outcome.error}",
            )
            emit(
                session,
                DEAD,
                {
                    "delivery_id": delivery.id,
                    "notification_id": delivery.notification_id,
                    "at": now.isoformat(),
                },
            )
