"""Audit tables: the records and the head of the chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fenghuo.store import Base

GENESIS_HASH = "0" * 64


class AuditRecord(Base):
    """One state change: who, what, on what, before/after digests, legal basis, chain hashes."""

    __tablename__ = "audit_record"
    __table_args__ = (
        Index("ix_audit_record_at", "at"),
        Index("ix_audit_record_action", "action"),
        Index("ix_audit_record_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[str | None] = mapped_column(String(36))
    actor_label: Mapped[str] = mapped_column(String(200))
    actor_org_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(100))
    target_type: Mapped[str] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(100))
    target_org_id: Mapped[str | None] = mapped_column(String(36), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    legal_basis: Mapped[str | None] = mapped_column(String(100))
    rule: Mapped[str | None] = mapped_column(String(100))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row that serialises writers and remembers the chain's last link."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
