"""Detection from the bus: each ``monitoring.events.ingested`` notice is one transaction.

Workers sharing the durable name form a consumer group, so N workers share the batches.
A message is acknowledged only after its transaction committed; a worker killed before
that leaves it unacknowledged, and the group gets it again after ``ack_wait``. The batch
marker and ``UNIQUE(rule_id, event_id)`` make the second processing a no-op.

The rules follow the rulebook: before each batch the worker reads the rulebook's revision
counter and rebuilds its engine when the counter moved, so a rule disabled in the console
stops matching from the next batch on, in every worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.bus import Bus, Handler, Message, Subscription
from fenghuo.detection import flows, rulebook
from fenghuo.detection.engine import Engine
from fenghuo.detection.rulebook import starter_rules
from fenghuo.errors import NotFound
from fenghuo.settings import Settings

SUBJECT = "monitoring.events.ingested"
DURABLE = "detection-detect"
ACK_WAIT = 60.0
MAX_DELIVER = 5

logger = logging.getLogger("fenghuo.detection.worker")
# Who this member is, in the audit details of each batch it processes.
WORKER = f"{socket.gethostname()}:{os.getpid()}"


__all__ = ["RulebookEngine", "load_engine", "starter_rules", "subscribe_detect"]


def load_engine(
    session: Session | None = None, *, extra: Iterable[Path] = (), starter: bool = True
) -> Engine:
    """The rulebook's enabled, compiling rules and every rule under ``extra``.

    Without a session, or with an empty rulebook, the packaged starter rules stand in for
    the rulebook (unless ``starter`` is false).
    """
    if session is not None:
        return rulebook.build_engine(session, extra=extra, starter=starter)
    return Engine.from_paths([*([starter_rules()] if starter else []), *extra])


class RulebookEngine:
    """The engine of the rulebook's latest revision, rebuilt when the revision moves."""

    def __init__(self, *, extra: Iterable[Path] = (), starter: bool = True) -> None:
        self.extra = list(extra)
        self.starter = starter
        self.revision: int | None = None
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def current(self, session: Session) -> Engine:
        """The engine for the revision ``session`` sees (read before the rules, so never stale)."""
        number = rulebook.revision(session)
        with self._lock:
            if self._engine is None or number != self.revision:
                self._engine = load_engine(session, extra=self.extra, starter=self.starter)
                self.revision = number
                logger.info(
                    "detect: rulebook revision %d, %d rules", number, len(self._engine.rules)
                )
            return self._engine


def process_message(
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    actor: Actor,
    engine: Engine | RulebookEngine,
    batch_id: str,
) -> flows.Processed:
    """Process one batch in one transaction (committed on return)."""
    if isinstance(engine, RulebookEngine):
        # A rebuild compiles every rule: done in a short read of its own, not in the batch's
        # transaction, which then holds no lock while the rules compile.
        with sessions() as session:
            engine = engine.current(session)
    for attempt in (1, 2):
        try:
            with sessions.begin() as session:
                return flows.process_batch(
                    session=session,
                    actor=actor,
                    settings=settings,
                    engine=engine,
                    batch_id=batch_id,
                    worker=WORKER,
                )
        except IntegrityError:
            if attempt == 2:
                raise
            # Another member committed this batch meanwhile: the retry reads its marker.
    raise AssertionError("unreachable")


def detect_handler(
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    engine: Engine | RulebookEngine,
) -> Handler:
    """A bus handler running the detection pipeline on each ingested batch."""
    actor = Actor.system(policy, label=flows.ACTOR_LABEL)

    async def handle(message: Message) -> None:
        payload = message.json()
        batch_id = payload.get("batch_id") if isinstance(payload, dict) else None
        if not isinstance(batch_id, str):
            await message.dead_letter(reason="no batch_id")
            return
        try:
            processed = await asyncio.to_thread(
                process_message,
                sessions=sessions,
                settings=settings,
                actor=actor,
                engine=engine,
                batch_id=batch_id,
            )
        except NotFound as missing:
            logger.warning("detect: batch %s cannot be read: %s", batch_id, missing)
            raise
        logger.info(
            "detect: batch %s: %d events, %d detections%s",
            processed.batch_id,
            processed.events,
            processed.detections,
            " (already processed)" if processed.repeated else "",
        )

    return handle


async def subscribe_detect(
    bus: Bus,
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    engine: Engine | RulebookEngine,
    durable: str = DURABLE,
    ack_wait: float = ACK_WAIT,
) -> Subscription:
    """Join the detection consumer group on ``monitoring.events.ingested``.

    A fixed ``Engine`` runs the same rules for ever; a ``RulebookEngine`` follows the rulebook.
    """
    handler = detect_handler(sessions=sessions, settings=settings, policy=policy, engine=engine)
    return await bus.subscribe(
        SUBJECT, durable=durable, handler=handler, ack_wait=ack_wait, max_deliver=MAX_DELIVER
    )
