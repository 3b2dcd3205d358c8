"""The transactional outbox: events are written in the transaction of the change.

A flow calls ``emit``; the row commits or rolls back with the change it announces, so
an event is never published for a change that did not happen, nor lost for one that did.
The relay publishes pending rows to the bus and marks them sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from fenghuo import clock
from fenghuo.store import Base, new_id


class OutboxMessage(Base):
    """An event waiting to be (or already) published on the bus."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_at: Mapped[datetime | None] = mapped_column(index=True)


def emit(session: Session, subject: str, payload: dict[str, Any]) -> OutboxMessage:
    """Queue an event on ``subject`` in the caller's transaction."""
    message = OutboxMessage(subject=subject, payload=payload)
    session.add(message)
    return message
