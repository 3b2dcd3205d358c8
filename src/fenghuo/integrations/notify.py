"""Running the notification worker with this deployment's channels (app lifespan and CLI).

``start`` builds the e-mail and webhook channels from settings, joins the delivery consumer
group on the bus and starts the sweep-and-escalate loop; ``NotifyWorker.close`` undoes it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Policy
from fenghuo.bus import Bus, Subscription
from fenghuo.integrations import notification_channels
from fenghuo.notification import worker
from fenghuo.notification.channels import NotificationChannel
from fenghuo.settings import Settings


@dataclass
class NotifyWorker:
    """A running notification worker: its subscription, background loop and channels."""

    subscription: Subscription
    background: asyncio.Task[None]
    channels: dict[str, NotificationChannel]
    stop: asyncio.Event

    async def close(self) -> None:
        """Leave the consumer group, end the loop, close the channels' connections."""
        self.stop.set()
        await self.subscription.close()
        await self.background
        for channel in self.channels.values():
            await channel.aclose()


async def start(
    bus: Bus,
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    durable: str = worker.DURABLE,
    sweep_seconds: float = worker.SWEEP_SECONDS,
    escalate_seconds: float = worker.ESCALATE_SECONDS,
) -> NotifyWorker:
    """Subscribe to ``notification.deliveries.requested`` and start sweeping and escalating."""
    channels = notification_channels(settings)
    deliverer = worker.make_deliverer(
        sessions=sessions, settings=settings, policy=policy, channels=channels
    )
    subscription = await worker.subscribe_notify(bus, deliverer, durable=durable)
    stop = asyncio.Event()
    background = asyncio.create_task(
        worker.run_background(
            deliverer,
            sessions=sessions,
            policy=policy,
            stop=stop,
            sweep_seconds=sweep_seconds,
            escalate_seconds=escalate_seconds,
        )
    )
    return NotifyWorker(subscription, background, channels, stop)
