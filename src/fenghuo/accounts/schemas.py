"""Pydantic shapes of organisations, users and tokens, in and out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, StringConstraints

from fenghuo.accounts.enums import OrgKind


def _folded(value: object) -> object:
    """Usernames are case-insensitive: keep them lower-case."""
    return value.strip().lower() if isinstance(value, str) else value


# No control characters: PostgreSQL refuses NUL in text, and names are shown on one line.
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
Username = Annotated[
    str,
    BeforeValidator(_folded),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$"),
]
EntityId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
SectorCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
PeopleServed = Annotated[
    int,
    Field(ge=0, le=2_000_000_000, description="Users or residents a network operator serves."),
]


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: Name
    name_en: Name
    kind: OrgKind
    parent_id: EntityId | None = None
    sector_code: SectorCode | None = None
    region_code: RegionCode | None = None
    is_cii: bool = False
    people_served: PeopleServed | None = None
    contact_email: EmailStr | None = None


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: Name | None = None
    name_en: Name | None = None
    sector_code: SectorCode | None = None
    region_code: RegionCode | None = None
    is_cii: bool | None = None
    people_served: PeopleServed | None = None
    contact_email: EmailStr | None = None
    is_active: bool | None = None


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    parent_id: str | None
    kind: OrgKind
    name_zh: str
    name_en: str
    sector_code: str | None
    region_code: str | None
    is_cii: bool
    people_served: int | None
    contact_email: str | None
    is_active: bool
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: Name
    org_id: EntityId
    roles: list[str] = Field(min_length=1)
    password: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    language: str | None = Field(default=None, pattern=r"^(zh|en)$")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: Name | None = None
    email: EmailStr | None = None
    roles: list[str] | None = None
    is_active: bool | None = None
    unlock: bool = False
    password: str | None = Field(default=None, min_length=1, max_length=200)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_id: str
    username: str
    display_name: str
    email: str | None
    language: str | None
    roles: list[str]
    is_active: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: Name | None = None
    email: EmailStr | None = None
    language: str | None = Field(default=None, pattern=r"^(zh|en)$")
    current_password: str | None = None
    new_password: str | None = Field(default=None, max_length=200)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    scopes: list[str] | None = Field(
        default=None, description="Actions the token may take; none means all."
    )
    expires_in_days: int | None = Field(default=365, ge=1, le=3650)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    scopes: list[str] | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenRead):
    token: str = Field(description="The secret; shown once, never stored.")


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
