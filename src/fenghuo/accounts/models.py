"""Tables of organisations, users, roles and credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo.store import Base, TimestampMixin, new_id


class Organisation(TimestampMixin, Base):
    """A node of the organisation tree; ``path`` is the ids from the root, ``/a/b/c/``."""

    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    path: Mapped[str] = mapped_column(String(1000), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    sector_code: Mapped[str | None] = mapped_column(String(40), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    is_cii: Mapped[bool] = mapped_column(Boolean, default=False)
    # Users or residents an operator serves, as it declares them: the people a risk to it
    # exposes (Art. 54(2) "scope"). None: not declared.
    people_served: Mapped[int | None]
    contact_email: Mapped[str | None] = mapped_column(String(254))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, language: str) -> str:
        """The name in ``language`` (zh or en)."""
        return self.name_zh if language == "zh" else self.name_en

    def state(self) -> dict[str, Any]:
        """What the audit trail digests before and after a change."""
        return {
            "id": self.id,
            "parent_id": self.parent_id,
            "kind": self.kind,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "sector_code": self.sector_code,
            "region_code": self.region_code,
            "is_cii": self.is_cii,
            "people_served": self.people_served,
            "contact_email": self.contact_email,
            "is_active": self.is_active,
        }


class User(TimestampMixin, Base):
    """A person with an account; belongs to exactly one organisation."""

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> list[str]:
        """The user's role names, sorted."""
        return [row.role for row in self.role_rows]

    def state(self) -> dict[str, Any]:
        """What the audit trail digests before and after a change (never the password hash)."""
        return {
            "id": self.id,
            "org_id": self.org_id,
            "username": self.username,
            "display_name": self.display_name,
            "email": self.email,
            "language": self.language,
            "is_active": self.is_active,
            "roles": self.roles,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
            "password_changed": self.password_hash[-12:],
        }


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_role"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class Credential(Base):
    """A console session, an access token or an API token; only the secret's hash is kept."""

    __tablename__ = "credential"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str] | None] = mapped_column(JSON)
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
