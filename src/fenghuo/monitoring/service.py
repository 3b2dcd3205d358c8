"""Queries and row changes for sources and batches (flush, never commit)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.models import Credential, Organisation, User
from fenghuo.accounts.passwords import new_secret, secret_hash
from fenghuo.authority import VisibilityScope
from fenghuo.errors import NotFound
from fenghuo.monitoring.models import IngestBatch, Source

INGEST = "monitoring.events.ingest"
SERVICE_ROLE = "operator_staff"
# Not an argon2 hash, so no password ever matches: a service account cannot sign in.
NO_PASSWORD = "!source-service-account"


def get_or_raise(*, session: Session, source_id: str) -> Source:
    """The source with ``source_id``; ``NotFound`` otherwise."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source {source_id}")
    return source


def get_by_name(*, session: Session, name: str) -> Source | None:
    """The source called ``name``, if any."""
    return session.scalar(select(Source).where(Source.name == name.strip().lower()))


def get_by_credential(*, session: Session, credential_id: str) -> Source | None:
    """The source whose token is ``credential_id``, if any."""
    return session.scalar(select(Source).where(Source.credential_id == credential_id))


def list_(
    *, session: Session, scope: VisibilityScope, limit: int = 500, offset: int = 0
) -> list[Source]:
    """Sources owned by organisations within ``scope``, by name."""
    query = (
        select(Source)
        .join(Source.owner)
        .where(accounts_service.visible_orgs_clause(scope))
        .order_by(Source.name)
    )
    return list(session.scalars(query.limit(limit).offset(offset)).unique())


def count(*, session: Session, scope: VisibilityScope) -> int:
    """How many sources ``list_`` would give without paging."""
    query = (
        select(func.count(Source.id))
        .select_from(Source)
        .join(Organisation, Source.owner_org_id == Organisation.id)
        .where(accounts_service.visible_orgs_clause(scope))
    )
    return int(session.scalar(query) or 0)


def list_batches(*, session: Session, source_id: str, limit: int = 100) -> list[IngestBatch]:
    """The source's latest batches, newest first."""
    query = (
        select(IngestBatch)
        .where(IngestBatch.source_id == source_id)
        .order_by(IngestBatch.received_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def create_service_user(*, session: Session, org: Organisation, name: str) -> User:
    """The account a source sends as: in its owner organisation, unable to sign in."""
    user = User(
        org_id=org.id,
        username=f"source-{name}"[:64],
        display_name=f"Event source {name}",
        password_hash=NO_PASSWORD,
    )
    session.add(user)
    session.flush()
    accounts_service.set_roles(session=session, user=user, roles=[SERVICE_ROLE])
    return user


def issue_token(*, session: Session, source: Source) -> str:
    """A new ingest-only API token for the source (the previous one is revoked)."""
    now = clock.now()
    if source.credential_id is not None:
        previous = session.get(Credential, source.credential_id)
        if previous is not None and previous.revoked_at is None:
            previous.revoked_at = now
    secret = new_secret(CredentialKind.api.value)
    credential = Credential(
        kind=CredentialKind.api.value,
        user_id=source.service_user_id,
        name=f"source {source.name}",
        prefix=secret[:10],
        secret_hash=secret_hash(secret),
        scopes=[INGEST],
        created_at=now,
        expires_at=None,
    )
    session.add(credential)
    session.flush()
    source.credential_id = credential.id
    session.flush()
    return secret
