"""Tables of incidents: the incident, its reports, timeline, tasks, evidence, links, referrals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo import clock
from fenghuo.accounts.models import Organisation
from fenghuo.store import Base, TimestampMixin, new_id


def _next_seq(table: str) -> Callable[[Any], int]:
    """A column default: one more than the incident's highest ``seq`` in ``table``.

    Orders an incident's reports and timeline entries that share a timestamp (several are
    written in one flow, and tests freeze the clock).
    """

    def default(context: Any) -> int:
        incident_id = context.get_current_parameters()["incident_id"]
        query = text(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table} WHERE incident_id = :i")
        return int(context.connection.execute(query, {"i": incident_id}).scalar_one())

    return default


class IncidentSequence(Base):
    """The last reference number given out per year (allocated under a row lock)."""

    __tablename__ = "incident_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Incident(TimestampMixin, Base):
    """A reported cybersecurity incident and the fields the 2025 measures (Art. 7) require."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_state_level", "state", "final_level"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="reported")
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    reported_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    reported_by: Mapped[str] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(20), default="operator")
    detection_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    warning_id: Mapped[str | None] = mapped_column(String(36))
    operator_type: Mapped[str] = mapped_column(String(20))
    plan_name: Mapped[str] = mapped_column(String(100))
    plan_version: Mapped[int]
    plan_version_id: Mapped[str] = mapped_column(String(36))
    # Group 1 (Art. 7 item 1): the unit and the facility, system or platform.
    reporting_unit: Mapped[str] = mapped_column(String(300))
    facility: Mapped[str] = mapped_column(Text)
    # Group 2 (item 2): when, where, what, impact so far, measures taken; ransomware.
    discovered_at: Mapped[datetime] = mapped_column(index=True)
    occurred_at: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    impact: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data_involved: Mapped[str] = mapped_column(Text, default="")
    measures_taken: Mapped[str] = mapped_column(Text, default="")
    ransom_amount: Mapped[str | None] = mapped_column(String(100))
    ransom_method: Mapped[str | None] = mapped_column(String(300))
    ransom_date: Mapped[date | None] = mapped_column(Date)
    # Items 3-8, completed by updates.
    trend: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(Text, default="")
    attribution: Mapped[str] = mapped_column(Text, default="")
    planned_measures: Mapped[str] = mapped_column(Text, default="")
    support_requested: Mapped[str] = mapped_column(Text, default="")
    scene_preservation: Mapped[str] = mapped_column(Text, default="")
    other_matters: Mapped[str] = mapped_column(Text, default="")
    # Classification: the plan's computed level, and the final one (override kept apart).
    computed_level: Mapped[str | None] = mapped_column(String(4))
    final_level: Mapped[str | None] = mapped_column(String(4))
    override_level: Mapped[str | None] = mapped_column(String(4))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    override_by: Mapped[str | None] = mapped_column(String(200))
    classification: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    classified_at: Mapped[datetime | None]
    activated_level: Mapped[str | None] = mapped_column(String(4))
    harm_evaluation: Mapped[str] = mapped_column(Text, default="")
    handling_ended_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[str | None] = mapped_column(String(36))

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    def state_dict(self) -> dict[str, Any]:
        """What the audit trail digests."""
        return {
            "id": self.id,
            "reference": self.reference,
            "state": self.state,
            "org_id": self.org_id,
            "operator_type": self.operator_type,
            "plan": f"{self.plan_name}@{self.plan_version}",
            "category": self.category,
            "impact": self.impact,
            "computed_level": self.computed_level,
            "final_level": self.final_level,
            "override_level": self.override_level,
        }


class IncidentReport(Base):
    """A report actually made (first, update, escalation upward, final), with who and when."""

    __tablename__ = "incident_report"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(default=_next_seq("incident_report"))
    kind: Mapped[str] = mapped_column(String(20))
    made_at: Mapped[datetime] = mapped_column(default=clock.now)
    made_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    made_by: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    level: Mapped[str | None] = mapped_column(String(4))
    notification_id: Mapped[str | None] = mapped_column(String(36))


class TimelineEntry(Base):
    """An event, action or decision in the incident's history."""

    __tablename__ = "incident_timeline"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(default=_next_seq("incident_timeline"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)


class IncidentTask(Base):
    """A measure of the activated response level; a directive is one sent to an operator."""

    __tablename__ = "incident_task"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(4))
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    owner_role: Mapped[str] = mapped_column(String(40))
    owner_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    directive: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(200))
    completion_note: Mapped[str] = mapped_column(Text, default="")
    notification_id: Mapped[str | None] = mapped_column(String(36))

    owner_org: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def owner_org_name(self) -> str | None:
        """The owner organisation's English name (the console shows both)."""
        return self.owner_org.name_en if self.owner_org else None


class Evidence(Base):
    """A file kept as evidence: stored once by SHA-256 under the evidence folder."""

    __tablename__ = "incident_evidence"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    uploaded_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploader_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))


class AffectedOperator(Base):
    """An operator affected by the incident (receives its directives)."""

    __tablename__ = "incident_operator"
    __table_args__ = (UniqueConstraint("incident_id", "org_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=clock.now)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class AffectedAsset(Base):
    """An asset-registry entry affected by the incident."""

    __tablename__ = "incident_asset"
    __table_args__ = (UniqueConstraint("incident_id", "asset_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    asset_id: Mapped[str] = mapped_column(ForeignKey("asset.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=clock.now)


class Referral(Base):
    """Art. 57: the incident referred to the emergency-management or work-safety authority."""

    __tablename__ = "incident_referral"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    authority: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(300))
    grounds: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime] = mapped_column(default=clock.now)
    made_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    made_by: Mapped[str] = mapped_column(String(200))
    document: Mapped[str] = mapped_column(Text)
