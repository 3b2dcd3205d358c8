"""Sign-in, console sessions, access tokens and API tokens.

A failed sign-in is a state change (the failure counter, perhaps a lock), so ``login``
returns an outcome rather than raising: the edge commits it, then reports the failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.models import Credential, User
from fenghuo.accounts.passwords import (
    hash_password,
    needs_rehash,
    new_secret,
    secret_hash,
    verify_password,
)
from fenghuo.accounts.schemas import TokenCreate
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, ActorKind, Policy, Target, require
from fenghuo.errors import Invalid, NotFound
from fenghuo.settings import Settings


def actor_for(user: User, policy: Policy, *, token_scopes: list[str] | None = None) -> Actor:
    """The actor a signed-in user acts as."""
    return Actor(
        kind=ActorKind.user,
        policy=policy,
        user_id=user.id,
        username=user.username,
        org=accounts_service.org_ref(user.organisation),
        roles=frozenset(user.roles),
        token_scopes=frozenset(token_scopes) if token_scopes is not None else None,
        language=user.language,
    )


@dataclass(frozen=True)
class LoginOutcome:
    """A sign-in attempt: on success the credential and its secret (shown once)."""

    ok: bool
    reason: str = ""
    rule: str = ""
    credential: Credential | None = None
    secret: str | None = None
    actor: Actor | None = None


def login(
    *,
    session: Session,
    policy: Policy,
    settings: Settings,
    username: str,
    password: str,
    kind: CredentialKind,
) -> LoginOutcome:
    """Check a username and password; count failures and lock after too many."""
    user = accounts_service.get_user_by_username(session=session, username=username)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active:
        return LoginOutcome(False, "wrong username or password", "credentials")
    actor = actor_for(user, policy)
    now = clock.now()
    if user.locked_until and user.locked_until > now:
        _audit_login(
            session,
            actor,
            user,
            "accounts.session.login_refused",
            "account locked",
            {"locked": True},
        )
        return LoginOutcome(
            False,
            f"the account is locked until {user.locked_until:%Y-%m-%d %H:%M} UTC",
            "account-locked",
        )
    if not password_ok:
        user.failed_logins += 1
        note = f"failed sign-in #{user.failed_logins}"
        facts: dict[str, object] = {"failures": user.failed_logins}
        if user.failed_logins >= settings.max_failed_logins:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            note += f"; locked for {settings.lockout_minutes} minutes"
            facts["locked_minutes"] = settings.lockout_minutes
        _audit_login(session, actor, user, "accounts.session.login_failed", note, facts)
        return LoginOutcome(False, "wrong username or password", "credentials")
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    lifetime = (
        timedelta(hours=settings.session_hours)
        if kind is CredentialKind.session
        else timedelta(minutes=settings.access_token_minutes)
    )
    credential, secret = _issue(
        session, user, kind, name=kind.value, scopes=None, lifetime=lifetime
    )
    _audit_login(
        session,
        actor,
        user,
        "accounts.session.login",
        f"signed in ({kind.value})",
        {"via": kind.value},
    )
    return LoginOutcome(True, credential=credential, secret=secret, actor=actor)


def _audit_login(
    session: Session, actor: Actor, user: User, action: str, summary: str, facts: dict[str, object]
) -> None:
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=action,
        target_type="user",
        target_id=user.id,
        target_org_id=user.org_id,
        summary=summary,
        details=facts,
    )


def _issue(
    session: Session,
    user: User,
    kind: CredentialKind,
    *,
    name: str,
    scopes: list[str] | None,
    lifetime: timedelta | None,
) -> tuple[Credential, str]:
    secret = new_secret(kind.value)
    now = clock.now()
    credential = Credential(
        kind=kind.value,
        user_id=user.id,
        name=name,
        prefix=secret[:10],
        secret_hash=secret_hash(secret),
        scopes=scopes,
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
        csrf_token=new_secret("session")[4:] if kind is CredentialKind.session else None,
    )
    session.add(credential)
    session.flush()
    return credential, secret


def authenticate(
    *, session: Session, policy: Policy, secret: str, kinds: frozenset[CredentialKind]
) -> tuple[Actor, Credential] | None:
    """The actor behind a presented secret, if it is live; None otherwise."""
    credential = session.scalar(
        select(Credential).where(Credential.secret_hash == secret_hash(secret))
    )
    if credential is None or credential.kind not in kinds or credential.revoked_at is not None:
        return None
    now = clock.now()
    if credential.expires_at is not None and credential.expires_at <= now:
        return None
    user = credential.user
    if not user.is_active or (user.locked_until is not None and user.locked_until > now):
        return None
    return actor_for(user, policy, token_scopes=credential.scopes), credential


def logout(*, session: Session, actor: Actor, credential_id: str) -> None:
    """End a console session or access token."""
    credential = session.get(Credential, credential_id)
    if credential is None or credential.user_id != actor.user_id:
        raise NotFound("no such session")
    credential.revoked_at = clock.now()
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action="accounts.session.logout",
        target_type="user",
        target_id=actor.user_id,
        target_org_id=actor.org.id if actor.org else None,
        summary="signed out",
    )


def create_api_token(
    *, session: Session, actor: Actor, token_in: TokenCreate, for_user_id: str | None = None
) -> tuple[Credential, str]:
    """Create a named, scoped API token; the secret is returned once and never stored."""
    user = accounts_service.get_user_or_raise(
        session=session, user_id=for_user_id or actor.user_id or ""
    )
    decision = require(
        actor,
        "accounts.tokens.manage",
        Target(
            org=accounts_service.org_ref(user.organisation),
            user_id=user.id,
            description=f"{user.username}'s tokens",
        ),
    )
    scopes = _checked_scopes(actor.policy, token_in.scopes)
    lifetime = timedelta(days=token_in.expires_in_days) if token_in.expires_in_days else None
    credential, secret = _issue(
        session, user, CredentialKind.api, name=token_in.name, scopes=scopes, lifetime=lifetime
    )
    audit_service.record(
        session=session,
        actor=actor,
        action="accounts.tokens.create",
        target_type="api_token",
        target_id=credential.id,
        target_org_id=user.org_id,
        decision=decision,
        after={
            "name": credential.name,
            "prefix": credential.prefix,
            "scopes": scopes,
            "user": user.username,
        },
        summary=f"created API token {credential.name!r} ({credential.prefix}…) for {user.username}",
        details={"token": credential.name, "prefix": credential.prefix, "username": user.username},
    )
    return credential, secret


def _checked_scopes(policy: Policy, scopes: list[str] | None) -> list[str] | None:
    if scopes is None:
        return None
    for scope in scopes:
        name = scope[:-2] if scope.endswith(".*") else scope
        if not any(action == name or action.startswith(name + ".") for action in policy.actions):
            raise Invalid(f"{scope!r} names no action", field="scopes", rule="known-action")
    return sorted(set(scopes))


def list_api_tokens(*, session: Session, actor: Actor) -> list[Credential]:
    """The actor's own API tokens, newest first."""
    query = select(Credential).where(
        Credential.user_id == actor.user_id, Credential.kind == CredentialKind.api.value
    )
    return list(session.scalars(query.order_by(Credential.created_at.desc())))


def revoke_api_token(*, session: Session, actor: Actor, token_id: str) -> Credential:
    """Revoke an API token at once."""
    credential = session.get(Credential, token_id)
    if credential is None or credential.kind != CredentialKind.api.value:
        raise NotFound(f"no API token {token_id}")
    user = credential.user
    decision = require(
        actor,
        "accounts.tokens.manage",
        Target(
            org=accounts_service.org_ref(user.organisation),
            user_id=user.id,
            description=f"{user.username}'s tokens",
        ),
    )
    if credential.revoked_at is None:
        credential.revoked_at = clock.now()
        session.flush()
        audit_service.record(
            session=session,
            actor=actor,
            action="accounts.tokens.revoke",
            target_type="api_token",
            target_id=credential.id,
            target_org_id=user.org_id,
            decision=decision,
            summary=f"revoked API token {credential.name!r} ({credential.prefix}…)",
            details={
                "token": credential.name,
                "prefix": credential.prefix,
                "username": user.username,
            },
        )
    return credential
