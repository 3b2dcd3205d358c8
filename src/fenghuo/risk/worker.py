"""Refresh the risk picture when new evidence lands: detections, incidents, submissions.

Each notice asks for a refresh; requests that arrive while one runs are coalesced into one
more run, so a burst of batches costs two refreshes, not one per batch, and the last
evidence is always included. The refresh runs as the system actor ``risk-model`` in its own
transaction (the flow authorises, audits and emits as usual).
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.bus import Bus, Message, Subscription
from fenghuo.risk import service

logger = logging.getLogger(__name__)

# subject -> durable consumer group (a durable keeps its subject)
SUBJECTS = {
    "detection.detections.created": "risk-detections",
    "incidents.incident.reported": "risk-incidents-reported",
    "incidents.incident.classified": "risk-incidents-classified",
    "monitoring.submission.received": "risk-submissions",
    # Vulnerability exposure: a new CVE/KEV import, or products recorded on assets.
    "monitoring.vulnerabilities.imported": "risk-vulnerabilities",
    "monitoring.products.changed": "risk-products",
}


class Refresher:
    """Runs ``service.refresh`` in the background; requests during a run make one more run."""

    def __init__(self, sessions: sessionmaker[Session], policy: Policy) -> None:
        self._sessions = sessions
        self._actor = Actor.system(policy, label=service.NOTIFIER_LABEL)
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self.runs = 0
        self.last_seconds: float | None = None  # the last refresh, from begin to commit

    def _refresh_once(self) -> None:
        started = time.perf_counter()
        with self._sessions.begin() as session:
            result = service.refresh(session, self._actor)
        self.last_seconds = time.perf_counter() - started
        self.runs += 1
        logger.info(
            "risk: refreshed %d assessments, %d surges, %d recommendations in %.2f s",
            result.assessments,
            result.surges,
            len(result.recommendations),
            self.last_seconds,
        )

    async def _loop(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await asyncio.to_thread(self._refresh_once)
            except Exception:  # a failed refresh must not stop later ones
                logger.exception("risk: refresh failed")

    def request(self) -> None:
        """Ask for a refresh that includes the evidence committed now."""
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def idle(self) -> None:
        """Wait until no refresh is running or asked for."""
        while self._task is not None and not self._task.done():
            await self._task


async def subscribe_risk(
    bus: Bus, *, sessions: sessionmaker[Session], policy: Policy, refresher: Refresher | None = None
) -> list[Subscription]:
    """Join the risk consumer groups; each notice requests a (coalesced) refresh."""
    refresher = refresher or Refresher(sessions, policy)

    async def handle(message: Message) -> None:
        payload = message.json()
        if isinstance(payload, dict) and payload.get("detections") == 0:
            return  # a batch that matched nothing changes no assessment
        refresher.request()

    return [
        await bus.subscribe(subject, durable=durable, handler=handle)
        for subject, durable in SUBJECTS.items()
    ]
