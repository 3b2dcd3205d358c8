"""Build the demo world through the domain flows, once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts import flows as accounts_flows
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation, User
from fenghuo.accounts.schemas import OrganisationCreate, UserCreate
from fenghuo.authority import Actor
from fenghuo.demo.monitoring import seed_monitoring
from fenghuo.demo.vulnerabilities import seed_vulnerabilities
from fenghuo.demo.world import ORGANISATIONS, PEOPLE, DemoOrg, DemoPerson
from fenghuo.detection import rulebook
from fenghuo.incidents.demo import seed_incidents
from fenghuo.plans import service as plans_service
from fenghuo.risk.demo import seed_risk
from fenghuo.settings import Settings
from fenghuo.warnings.demo import seed_warnings

DEMO_PASSWORD = "fenghuo-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to sign in with, and where it sits in the tree."""

    username: str
    password: str
    roles: tuple[str, ...]
    org_name_zh: str
    org_name_en: str
    display_name: str


def _login(person: DemoPerson) -> DemoLogin:
    org = next(org for org in ORGANISATIONS if org.key == person.org)
    return DemoLogin(
        username=person.username,
        password=DEMO_PASSWORD,
        roles=person.roles,
        org_name_zh=org.name_zh,
        org_name_en=org.name_en,
        display_name=person.display_name,
    )


LOGINS: tuple[DemoLogin, ...] = tuple(_login(person) for person in PEOPLE)


def is_seeded(session: Session) -> bool:
    """Whether the tree already has its national coordinator (demo or not)."""
    query = select(Organisation.id).where(Organisation.kind == OrgKind.national_coordinator.value)
    return session.scalar(query.limit(1)) is not None


def existing_logins(session: Session) -> list[DemoLogin]:
    """The demo logins whose accounts exist in this database."""
    names = set(
        session.scalars(
            select(User.username).where(User.username.in_([x.username for x in LOGINS]))
        )
    )
    return [login for login in LOGINS if login.username in names]


def seed(session: Session, actor: Actor, settings: Settings | None = None) -> list[DemoLogin]:
    """Create the demo world, unless the tree already has a root.

    Organisations and accounts, event sources and assets, the starter rules in the
    rulebook, the national plan, incidents in several states and, given the settings (the
    warnings are signed with the deployment's keys), a published and a lifted warning.
    Everything goes through the domain flows, so each change is authorised for ``actor``
    (or the demo person acting) and written to the audit trail in the caller's transaction.
    """
    if is_seeded(session):
        return existing_logins(session)
    ids: dict[str, str] = {}
    for org in ORGANISATIONS:
        ids[org.key] = _create_org(session, actor, org, ids).id
    for person in PEOPLE:
        _create_person(session, actor, person, ids[person.org])
    seed_monitoring(session, actor, ids)
    seed_vulnerabilities(session, actor)  # products on demo hosts, demo CVE/KEV data
    rulebook.install_starter_rules(session=session, actor=actor)
    plans_service.ensure_default_plan(session, actor=actor)
    seed_incidents(session, actor)
    seed_risk(session, actor)
    if settings is not None:  # signing the warnings' CAP messages needs the deployment's keys
        seed_warnings(session, actor, settings=settings)
    return list(LOGINS)


def _create_org(session: Session, actor: Actor, org: DemoOrg, ids: dict[str, str]) -> Organisation:
    return accounts_flows.create_organisation(
        session=session,
        actor=actor,
        org_in=OrganisationCreate(
            name_zh=org.name_zh,
            name_en=org.name_en,
            kind=org.kind,
            parent_id=ids[org.parent] if org.parent else None,
            sector_code=org.sector,
            region_code=org.region,
            is_cii=org.is_cii,
            people_served=org.people_served,
            contact_email=org.contact_email,
        ),
    )


def _create_person(session: Session, actor: Actor, person: DemoPerson, org_id: str) -> User:
    return accounts_flows.create_user(
        session=session,
        actor=actor,
        user_in=UserCreate(
            username=person.username,
            display_name=person.display_name,
            org_id=org_id,
            roles=list(person.roles),
            password=DEMO_PASSWORD,
            email=f"{person.username}@demo.example",
        ),
    )
