"""Organisations and people: validation, authority and audit of each change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import credentials, flows
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.models import Organisation, User
from fenghuo.accounts.schemas import (
    OrganisationCreate,
    OrganisationUpdate,
    ProfileUpdate,
    TokenCreate,
    UserCreate,
    UserUpdate,
)
from fenghuo.audit import service as audit_service
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.errors import Conflict, Invalid, Refused
from fenghuo.settings import Settings
from tests.factories.accounts import TEST_PASSWORD, World, make_user, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _actor_of(session: Session, policy: Policy, org: Organisation, role: str, name: str) -> Actor:
    return credentials.actor_for(make_user(session, org=org, username=name, roles=[role]), policy)


def _audit_count(session: Session) -> int:
    return int(session.scalar(select(func.count(AuditRecord.id))) or 0)


def _operator(parent: Organisation, **overrides: object) -> OrganisationCreate:
    fields: dict[str, object] = {
        "name_zh": "新运营者",
        "name_en": "New operator",
        "kind": "network_operator",
        "parent_id": parent.id,
        "sector_code": "energy",
        "region_code": "440100",
    }
    fields.update(overrides)
    return OrganisationCreate.model_validate(fields)


def test_sector_admin_creates_an_operator_in_its_sector(
    session: Session, world: World, policy: Policy
) -> None:
    admin = _actor_of(session, policy, world.energy_dept, "administrator", "energy.admin")
    org = flows.create_organisation(
        session=session, actor=admin, org_in=_operator(world.energy_dept)
    )
    assert org.path.startswith(world.energy_dept.path)
    entry = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.actor_label, entry.target_id) == (
        "accounts.orgs.create",
        "energy.admin",
        org.id,
    )


def test_sector_admin_cannot_create_an_operator_of_another_sector(
    session: Session, world: World, policy: Policy
) -> None:
    admin = _actor_of(session, policy, world.energy_dept, "administrator", "energy.admin")
    before = _audit_count(session)
    with pytest.raises(Refused) as refused:
        flows.create_organisation(
            session=session, actor=admin, org_in=_operator(world.national, sector_code="finance")
        )
    assert refused.value.rule == "out-of-scope"
    with pytest.raises(Invalid) as invalid:
        flows.create_organisation(
            session=session, actor=admin, org_in=_operator(world.energy_dept, sector_code="finance")
        )
    assert (invalid.value.field, invalid.value.rule) == ("sector_code", "sector-of-parent")
    assert _audit_count(session) == before


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"sector_code": None}, "sector_code", "sector-required"),
        ({"sector_code": "mining"}, "sector_code", "known-sector"),
        ({"region_code": None}, "region_code", "region-required"),
        ({"region_code": "990000"}, "region_code", "gb-t-2260"),
        (
            {"kind": "professional_institution", "is_cii": True, "sector_code": None},
            "is_cii",
            "cii-operator-only",
        ),
        ({"parent_id": None}, "parent_id", "parent-required"),
        (
            {"kind": "professional_institution", "people_served": 1000, "sector_code": None},
            "people_served",
            "people-served-operator-only",
        ),
    ],
)
def test_invalid_organisation_names_field_and_rule(
    session: Session,
    world: World,
    system_actor: Actor,
    overrides: dict[str, object],
    field: str,
    rule: str,
) -> None:
    count = session.scalar(select(func.count(Organisation.id)))
    with pytest.raises(Invalid) as invalid:
        flows.create_organisation(
            session=session, actor=system_actor, org_in=_operator(world.national, **overrides)
        )
    assert (invalid.value.field, invalid.value.rule) == (field, rule)
    assert session.scalar(select(func.count(Organisation.id))) == count


def test_an_operator_declares_the_people_it_serves_and_a_negative_count_is_refused(
    session: Session, world: World, system_actor: Actor
) -> None:
    org = flows.create_organisation(
        session=session, actor=system_actor, org_in=_operator(world.national, people_served=2500)
    )
    assert org.people_served == 2500
    flows.update_organisation(
        session=session,
        actor=system_actor,
        org_id=org.id,
        org_in=OrganisationUpdate(people_served=3_000_000),
    )
    assert org.people_served == 3_000_000
    with pytest.raises(ValidationError) as invalid:
        OrganisationUpdate.model_validate({"people_served": -1})
    assert invalid.value.errors()[0]["loc"] == ("people_served",)


def test_second_national_coordinator_is_refused(
    session: Session, world: World, system_actor: Actor
) -> None:
    org_in = OrganisationCreate(name_zh="另一个", name_en="Another", kind="national_coordinator")
    with pytest.raises(Conflict):
        flows.create_organisation(session=session, actor=system_actor, org_in=org_in)


def _user_in(org: Organisation, **overrides: object) -> UserCreate:
    fields: dict[str, object] = {
        "username": "new.user",
        "display_name": "New User",
        "org_id": org.id,
        "roles": ["analyst"],
        "password": "a long enough password",
    }
    fields.update(overrides)
    return UserCreate.model_validate(fields)


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"password": "short"}, "password", "password-length"),
        ({"password": "my-new.user-password"}, "password", "password-username"),
        ({"roles": ["superuser"]}, "roles", "known-role"),
    ],
)
def test_invalid_user_names_field_and_rule(
    session: Session,
    world: World,
    system_actor: Actor,
    overrides: dict[str, object],
    field: str,
    rule: str,
) -> None:
    with pytest.raises(Invalid) as invalid:
        flows.create_user(
            session=session, actor=system_actor, user_in=_user_in(world.cert, **overrides)
        )
    assert (invalid.value.field, invalid.value.rule) == (field, rule)
    assert accounts_service.get_user_by_username(session=session, username="new.user") is None


def test_duplicate_username_is_a_conflict(
    session: Session, world: World, system_actor: Actor
) -> None:
    flows.create_user(session=session, actor=system_actor, user_in=_user_in(world.cert))
    with pytest.raises(Conflict) as conflict:
        flows.create_user(
            session=session, actor=system_actor, user_in=_user_in(world.cert, username="NEW.USER")
        )
    assert conflict.value.field == "username"


def test_operator_admin_cannot_create_users_elsewhere(
    session: Session, world: World, policy: Policy
) -> None:
    admin = _actor_of(session, policy, world.energy_op_gd, "administrator", "op.admin")
    with pytest.raises(Refused) as refused:
        flows.create_user(session=session, actor=admin, user_in=_user_in(world.finance_op_sh))
    assert refused.value.rule == "out-of-scope"
    user = flows.create_user(session=session, actor=admin, user_in=_user_in(world.energy_op_gd))
    assert user.roles == ["analyst"]


def test_login_locks_after_repeated_failures_and_unlock_restores(
    session: Session, world: World, policy: Policy, settings: Settings, system_actor: Actor
) -> None:
    user = make_user(session, org=world.cert, username="cert.analyst", roles=["analyst"])
    attempt = {
        "session": session,
        "policy": policy,
        "settings": settings,
        "username": "cert.analyst",
        "kind": CredentialKind.session,
    }
    for _ in range(settings.max_failed_logins):
        assert credentials.login(**attempt, password="wrong password").rule == "credentials"
    locked = credentials.login(**attempt, password=TEST_PASSWORD)
    assert (locked.ok, locked.rule) == (False, "account-locked")
    flows.update_user(
        session=session, actor=system_actor, user_id=user.id, user_in=UserUpdate(unlock=True)
    )
    assert credentials.login(**attempt, password=TEST_PASSWORD).ok
    actions = list(
        session.scalars(select(AuditRecord.action).where(AuditRecord.target_id == user.id))
    )
    assert actions.count("accounts.session.login_failed") == settings.max_failed_logins
    assert "accounts.session.login_refused" in actions and "accounts.session.login" in actions


def test_lock_expires_with_time(
    session: Session, world: World, policy: Policy, settings: Settings
) -> None:
    make_user(session, org=world.cert, username="cert.duty", roles=["duty_officer"])
    attempt = {
        "session": session,
        "policy": policy,
        "settings": settings,
        "username": "cert.duty",
        "kind": CredentialKind.access,
    }
    start = clock.now()
    with clock.frozen(start) as move_to:
        for _ in range(settings.max_failed_logins):
            credentials.login(**attempt, password="wrong password")
        assert not credentials.login(**attempt, password=TEST_PASSWORD).ok
        move_to(start + timedelta(minutes=settings.lockout_minutes, seconds=1))
        assert credentials.login(**attempt, password=TEST_PASSWORD).ok


def test_api_token_is_shown_once_stored_hashed_scoped_and_revocable(
    session: Session, world: World, policy: Policy
) -> None:
    actor = _actor_of(session, policy, world.cert, "analyst", "cert.analyst")
    credential, secret = credentials.create_api_token(
        session=session,
        actor=actor,
        token_in=TokenCreate(name="sensor", scopes=["accounts.orgs.view"]),
    )
    assert secret.startswith("fht_") and secret not in credential.secret_hash
    found = credentials.authenticate(
        session=session, policy=policy, secret=secret, kinds=frozenset({CredentialKind.api})
    )
    assert found is not None and found[0].token_scopes == frozenset({"accounts.orgs.view"})
    credentials.revoke_api_token(session=session, actor=actor, token_id=credential.id)
    assert (
        credentials.authenticate(
            session=session, policy=policy, secret=secret, kinds=frozenset({CredentialKind.api})
        )
        is None
    )


def test_token_scope_must_name_an_action(session: Session, world: World, policy: Policy) -> None:
    actor = _actor_of(session, policy, world.cert, "analyst", "cert.analyst")
    with pytest.raises(Invalid) as invalid:
        credentials.create_api_token(
            session=session, actor=actor, token_in=TokenCreate(name="x", scopes=["nope"])
        )
    assert (invalid.value.field, invalid.value.rule) == ("scopes", "known-action")


def test_password_change_needs_the_current_password(
    session: Session, world: World, policy: Policy
) -> None:
    actor = _actor_of(session, policy, world.cert, "viewer", "cert.viewer")
    with pytest.raises(Invalid) as invalid:
        flows.update_profile(
            session=session,
            actor=actor,
            profile_in=ProfileUpdate(
                current_password="wrong", new_password="another long password"
            ),
        )
    assert invalid.value.rule == "current-password"
    flows.update_profile(
        session=session,
        actor=actor,
        profile_in=ProfileUpdate(
            current_password=TEST_PASSWORD, new_password="another long password"
        ),
    )
    user = accounts_service.get_user_by_username(session=session, username="cert.viewer")
    assert isinstance(user, User)
    assert audit_service.verify(session=session).ok
