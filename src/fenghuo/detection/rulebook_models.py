"""Tables of the rulebook: the managed Sigma rules, their immutable versions, a revision counter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fenghuo import clock
from fenghuo.store import Base, TimestampMixin, new_id


class DetectionRule(TimestampMixin, Base):
    """A rule of the rulebook: its current version's metadata, whether it runs and compiles.

    ``key`` is the rule's stable Sigma id, or ``title:<title>`` for a rule without one (the
    same key detections carry in ``rule_id``). The engine uses the rules that are
    ``enabled`` and ``compiles``.
    """

    __tablename__ = "detection_rule"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    level: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON)
    # "|tag1|tag2|": filtering by one tag is a portable LIKE '%|tag|%' on both databases.
    tags_text: Mapped[str] = mapped_column(Text)
    product: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    service: Mapped[str] = mapped_column(String(100), default="")
    # The Detection Rule License 1.1 requires the author be shown wherever matches are.
    author: Mapped[str] = mapped_column(String(300), default="")
    compiles: Mapped[bool] = mapped_column(index=True)
    reason: Mapped[str | None] = mapped_column(Text)


class DetectionRuleVersion(Base):
    """One imported text of a rule; never changed once written."""

    __tablename__ = "detection_rule_version"
    __table_args__ = (UniqueConstraint("rule_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rule_id: Mapped[str] = mapped_column(ForeignKey("detection_rule.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(500))
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(default=clock.now)


class RulebookRevision(Base):
    """One row counting changes to the rulebook; workers rebuild their engine when it moves."""

    __tablename__ = "detection_rulebook"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
