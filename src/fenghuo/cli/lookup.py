"""Find the organisations and people that commands name by id, name or username."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.models import Credential, Organisation, User
from fenghuo.errors import Conflict, Invalid, NotFound


def organisation(session: Session, ref: str, *, field: str) -> Organisation:
    """The organisation whose id, English name or Chinese name is ``ref``."""
    found = accounts_service.get(session=session, org_id=ref)
    if found is not None:
        return found
    query = select(Organisation).where(
        or_(func.lower(Organisation.name_en) == ref.strip().lower(), Organisation.name_zh == ref)
    )
    matches = list(session.scalars(query.limit(2)))
    if not matches:
        raise NotFound(f"no organisation has the id or name {ref!r}")
    if len(matches) > 1:
        raise Invalid(
            f"{ref!r} names more than one organisation; give its id",
            field=field,
            rule="unambiguous-name",
        )
    return matches[0]


def refuse_taken_name(session: Session, name_en: str) -> None:
    """Refuse an English name that another organisation has (names are how rows refer)."""
    query = select(Organisation.id).where(
        func.lower(Organisation.name_en) == name_en.strip().lower()
    )
    if session.scalar(query.limit(1)) is not None:
        raise Conflict(f"an organisation called {name_en!r} already exists", field="name_en")


def user(session: Session, username: str) -> User:
    """The user called ``username``."""
    found = accounts_service.get_user_by_username(session=session, username=username)
    if found is None:
        raise NotFound(f"no user {username!r}")
    return found


def api_token(session: Session, ref: str) -> Credential:
    """The API token whose id or prefix is ``ref`` (the secret itself is never stored)."""
    query = select(Credential).where(
        Credential.kind == CredentialKind.api.value,
        or_(Credential.id == ref, Credential.prefix == ref.rstrip("…")),
    )
    matches = list(session.scalars(query.limit(2)))
    if not matches:
        raise NotFound(f"no API token has the id or prefix {ref!r}")
    if len(matches) > 1:
        raise Invalid(
            f"{ref!r} is the prefix of more than one token; give its id",
            field="token",
            rule="unambiguous-prefix",
        )
    return matches[0]
