"""Use cases for organisations and people: authorise -> check policy -> change -> audit -> emit."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts import policy
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation, User
from fenghuo.accounts.passwords import hash_password, verify_password
from fenghuo.accounts.schemas import (
    OrganisationCreate,
    OrganisationUpdate,
    ProfileUpdate,
    UserCreate,
    UserUpdate,
)
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, OrgRef, Target, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Conflict, Invalid


def create_organisation(
    *, session: Session, actor: Actor, org_in: OrganisationCreate
) -> Organisation:
    """Create an organisation below its parent, within the actor's visibility."""
    parent = (
        accounts_service.get_or_raise(session=session, org_id=org_in.parent_id)
        if org_in.parent_id
        else None
    )
    policy.check_org_fields(
        kind=org_in.kind,
        sector_code=org_in.sector_code,
        region_code=org_in.region_code,
        is_cii=org_in.is_cii,
        parent=parent,
        people_served=org_in.people_served,
    )
    if parent is None and session.scalar(
        select(Organisation.id).where(Organisation.parent_id.is_(None))
    ):
        raise Conflict("the tree already has its national coordinator", field="parent_id")
    prospective = OrgRef(
        id="(new)",
        kind=org_in.kind.value,
        path=f"{parent.path if parent else '/'}(new)/",
        sector=org_in.sector_code,
        region=org_in.region_code,
        name=org_in.name_en,
    )
    if parent is not None:
        require(actor, "accounts.orgs.create", Target(org=accounts_service.org_ref(parent)))
    decision = require(actor, "accounts.orgs.create", Target(org=prospective))
    org = accounts_service.create_org(
        session=session, parent=parent, fields=org_in.model_dump(exclude={"parent_id"})
    )
    audit_service.record(
        session=session,
        actor=actor,
        action="accounts.orgs.create",
        target_type="organisation",
        target_id=org.id,
        target_org_id=org.id,
        after=org.state(),
        decision=decision,
        summary=f"created {org.kind} {org.name_zh} / {org.name_en}",
        details={"kind": org.kind, "org_zh": org.name_zh, "org_en": org.name_en},
    )
    emit(session, "accounts.organisation.created", {"org_id": org.id, "kind": org.kind})
    return org


def update_organisation(
    *, session: Session, actor: Actor, org_id: str, org_in: OrganisationUpdate
) -> Organisation:
    """Change an organisation; it must stay within the actor's visibility."""
    org = accounts_service.get_or_raise(session=session, org_id=org_id)
    require(actor, "accounts.orgs.update", Target(org=accounts_service.org_ref(org)))
    before = org.state()
    changes = org_in.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(org, name, value)
    policy.check_org_fields(
        kind=OrgKind(org.kind),
        sector_code=org.sector_code,
        region_code=org.region_code,
        is_cii=org.is_cii,
        parent=accounts_service.get(session=session, org_id=org.parent_id)
        if org.parent_id
        else None,
        people_served=org.people_served,
    )
    decision = require(actor, "accounts.orgs.update", Target(org=accounts_service.org_ref(org)))
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action="accounts.orgs.update",
        target_type="organisation",
        target_id=org.id,
        target_org_id=org.id,
        before=before,
        after=org.state(),
        decision=decision,
        summary=f"changed {', '.join(sorted(changes)) or 'nothing'} of {org.name_en}",
        details={"fields": sorted(changes), "org_zh": org.name_zh, "org_en": org.name_en},
    )
    emit(session, "accounts.organisation.updated", {"org_id": org.id})
    return org


def create_user(*, session: Session, actor: Actor, user_in: UserCreate) -> User:
    """Create an account in an organisation within the actor's visibility."""
    org = accounts_service.get_or_raise(session=session, org_id=user_in.org_id)
    decision = require(actor, "accounts.users.create", Target(org=accounts_service.org_ref(org)))
    roles = policy.check_roles(user_in.roles, actor.policy.roles)
    policy.check_password(user_in.password, username=user_in.username)
    if accounts_service.get_user_by_username(session=session, username=user_in.username):
        raise Conflict(f"the username {user_in.username!r} is taken", field="username")
    user = User(
        org_id=org.id,
        username=user_in.username,
        display_name=user_in.display_name,
        email=user_in.email,
        language=user_in.language,
        password_hash=hash_password(user_in.password),
    )
    session.add(user)
    session.flush()
    accounts_service.set_roles(session=session, user=user, roles=roles)
    audit_service.record(
        session=session,
        actor=actor,
        action="accounts.users.create",
        target_type="user",
        target_id=user.id,
        target_org_id=org.id,
        after=user.state(),
        decision=decision,
        summary=f"created user {user.username} ({', '.join(roles)}) in {org.name_en}",
        details={
            "username": user.username,
            "roles": roles,
            "roles_zh": "、".join(actor.policy.roles[role]["zh"] for role in roles),
            "roles_en": ", ".join(actor.policy.roles[role]["en"] for role in roles),
            "org_zh": org.name_zh,
            "org_en": org.name_en,
        },
    )
    emit(session, "accounts.user.created", {"user_id": user.id, "org_id": org.id})
    return user


def update_user(*, session: Session, actor: Actor, user_id: str, user_in: UserUpdate) -> User:
    """Change a user's details, roles, activation, lock or password."""
    user = accounts_service.get_user_or_raise(session=session, user_id=user_id)
    decision = require(
        actor, "accounts.users.update", Target(org=accounts_service.org_ref(user.organisation))
    )
    before = user.state()
    if user_in.is_active is False and user.id == actor.user_id:
        raise Invalid("you cannot deactivate your own account", field="is_active", rule="not-self")
    changed = _apply(user, user_in, ("display_name", "email", "is_active"))
    if user_in.roles is not None:
        accounts_service.set_roles(
            session=session, user=user, roles=policy.check_roles(user_in.roles, actor.policy.roles)
        )
        changed.append("roles")
    if user_in.unlock:
        user.failed_logins, user.locked_until = 0, None
        changed.append("unlock")
    if user_in.password is not None:
        policy.check_password(user_in.password, username=user.username)
        user.password_hash = hash_password(user_in.password)
        changed.append("password")
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action="accounts.users.update",
        target_type="user",
        target_id=user.id,
        target_org_id=user.org_id,
        before=before,
        after=user.state(),
        decision=decision,
        summary=f"changed user {user.username}",
        details={"username": user.username, "fields": changed},
    )
    return user


def update_profile(*, session: Session, actor: Actor, profile_in: ProfileUpdate) -> User:
    """Change one's own name, e-mail, language or password (the current one is asked for)."""
    user = accounts_service.get_user_or_raise(session=session, user_id=actor.user_id or "")
    decision = require(
        actor, "accounts.profile.update", Target(user_id=user.id, description="own profile")
    )
    before = user.state()
    changed = _apply(user, profile_in, ("display_name", "email", "language"))
    if profile_in.new_password is not None:
        if not verify_password(user.password_hash, profile_in.current_password or ""):
            raise Invalid(
                "the current password is wrong", field="current_password", rule="current-password"
            )
        policy.check_password(profile_in.new_password, username=user.username)
        user.password_hash = hash_password(profile_in.new_password)
        changed.append("password")
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action="accounts.profile.update",
        target_type="user",
        target_id=user.id,
        target_org_id=user.org_id,
        before=before,
        after=user.state(),
        decision=decision,
        summary=f"{user.username} changed their profile",
        details={"username": user.username, "fields": changed},
    )
    return user


def _apply(target: object, changes: BaseModel, names: tuple[str, ...]) -> list[str]:
    """Copy the fields of ``changes`` that were given onto ``target``; name those copied."""
    copied = []
    for name in names:
        value = getattr(changes, name)
        if value is not None:
            setattr(target, name, value)
            copied.append(name)
    return copied
