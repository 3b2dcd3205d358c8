"""Organisations and users for tests. Rows are inserted directly (as factory_boy would),
with one password hash computed once, because argon2 is deliberately slow."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation, User, UserRole
from fenghuo.accounts.passwords import hash_password

TEST_PASSWORD = "test-password-2026"


@lru_cache(maxsize=1)
def test_password_hash() -> str:
    return hash_password(TEST_PASSWORD)


def make_org(
    session: Session,
    *,
    kind: OrgKind,
    parent: Organisation | None,
    name: str,
    sector: str | None = None,
    region: str | None = None,
    is_cii: bool = False,
) -> Organisation:
    return accounts_service.create_org(
        session=session,
        parent=parent,
        fields={
            "kind": kind.value,
            "name_zh": name,
            "name_en": name,
            "sector_code": sector,
            "region_code": region,
            "is_cii": is_cii,
        },
    )


def make_user(session: Session, *, org: Organisation, username: str, roles: list[str]) -> User:
    user = User(
        org_id=org.id,
        username=username,
        display_name=username.title(),
        password_hash=test_password_hash(),
        role_rows=[UserRole(role=role) for role in roles],
    )
    session.add(user)
    session.flush()
    return user


@dataclass
class World:
    """A small tree: the coordinator, an energy department, Guangdong, and three operators."""

    national: Organisation
    energy_dept: Organisation
    guangdong: Organisation
    cert: Organisation
    energy_op_gd: Organisation  # energy operator in Shenzhen (440300), CII
    finance_op_sh: Organisation  # finance operator in Shanghai (310000)
    energy_op_sh: Organisation  # energy operator in Shanghai (310000)


def make_world(session: Session) -> World:
    national = make_org(session, kind=OrgKind.national_coordinator, parent=None, name="National")
    energy = make_org(
        session, kind=OrgKind.sector_department, parent=national, name="Energy", sector="energy"
    )
    guangdong = make_org(
        session,
        kind=OrgKind.provincial_department,
        parent=national,
        name="Guangdong",
        region="440000",
    )
    cert = make_org(session, kind=OrgKind.professional_institution, parent=national, name="CERT")
    op = OrgKind.network_operator
    return World(
        national=national,
        energy_dept=energy,
        guangdong=guangdong,
        cert=cert,
        energy_op_gd=make_org(
            session,
            kind=op,
            parent=national,
            name="Shenzhen Power",
            sector="energy",
            region="440300",
            is_cii=True,
        ),
        finance_op_sh=make_org(
            session,
            kind=op,
            parent=national,
            name="Shanghai Bank",
            sector="finance",
            region="310000",
        ),
        energy_op_sh=make_org(
            session, kind=op, parent=national, name="Shanghai Gas", sector="energy", region="310000"
        ),
    )
