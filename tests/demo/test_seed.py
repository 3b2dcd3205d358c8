"""Seeding the demo world on both databases: counts, audit, sign-in, visibility.

Seeding hashes a password per account (argon2, deliberately slow), so the world is seeded
once per database for this module, inside a transaction rolled back at the end, and each
test runs in a savepoint of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import CredentialKind, OrgKind
from fenghuo.accounts.models import Organisation, User
from fenghuo.audit import service as audit_service
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy, visibility
from fenghuo.demo import DEMO_PASSWORD, LOGINS, DemoLogin, existing_logins, is_seeded, seed
from fenghuo.demo.monitoring import DEMO_SOURCES
from fenghuo.monitoring import vulnerabilities as vulnerabilities_service
from fenghuo.monitoring.models import Source
from fenghuo.risk.models import RiskAssessment
from fenghuo.settings import Settings
from tests.conftest import _migrated_engine


@dataclass
class Seeded:
    session: Session
    actor: Actor
    logins: list[DemoLogin]
    was_seeded_before: bool


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(request: pytest.FixtureRequest, policy: Policy) -> Iterator[Seeded]:
    """The demo world seeded by the system actor, on SQLite and then on PostgreSQL."""
    url: str = request.getfixturevalue(
        "sqlite_url" if request.param == "sqlite" else "postgres_url"
    )
    with _migrated_engine(url).connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            actor = Actor.system(policy, label="test-demo")
            before = is_seeded(session)
            yield Seeded(session, actor, seed(session, actor), before)
        transaction.rollback()


@pytest.fixture
def session(world: Seeded) -> Iterator[Session]:
    """The seeded session, inside a savepoint rolled back after the test."""
    savepoint = world.session.begin_nested()
    yield world.session
    savepoint.rollback()


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_seed_builds_the_world_through_audited_flows(world: Seeded, session: Session) -> None:
    assert not world.was_seeded_before
    assert world.logins == list(LOGINS)
    kinds = Counter(session.scalars(select(Organisation.kind)))
    assert kinds[OrgKind.network_operator] == 20 and sum(kinds.values()) == 30
    # Each demo event source sends as a service account of its own.
    assert _count(session, User) == len(LOGINS) + len(DEMO_SOURCES)
    assert _count(session, Source) == len(DEMO_SOURCES)
    actions = Counter(session.scalars(select(AuditRecord.action)))
    expected = {
        "accounts.orgs.create": 30,
        "accounts.users.create": len(LOGINS),
        "monitoring.sources.manage": len(DEMO_SOURCES),
        "monitoring.assets.manage": 1,
        "detection.rules.manage": 1,  # the starter rules, imported into the rulebook
        "plans.plans.manage": 1,  # the national plan, version 1
    }
    assert {action: actions[action] for action in expected} == expected
    # The demo incidents are filed by demo people, through the same authorised flows.
    assert actions["incidents.incidents.report"] >= 3
    assert audit_service.verify(session=session).ok


def test_seed_again_changes_nothing(world: Seeded, session: Session) -> None:
    records = _count(session, AuditRecord)
    assert seed(session, world.actor) == list(LOGINS)
    assert _count(session, AuditRecord) == records
    assert existing_logins(session) == list(LOGINS)


def test_every_demo_user_can_sign_in(session: Session, policy: Policy, settings: Settings) -> None:
    for login in LOGINS:
        outcome = credentials.login(
            session=session,
            policy=policy,
            settings=settings,
            username=login.username,
            password=DEMO_PASSWORD,
            kind=CredentialKind.session,
        )
        assert outcome.ok, (login.username, outcome.reason)
        assert outcome.actor is not None
        assert outcome.actor.roles == frozenset(login.roles)


def _visible_names(session: Session, policy: Policy, username: str) -> set[str]:
    user = accounts_service.get_user_by_username(session=session, username=username)
    assert user is not None
    scope = visibility(credentials.actor_for(user, policy))
    return {org.name_en for org in accounts_service.list_orgs(session=session, scope=scope)}


def test_the_tree_gives_each_demo_role_a_believable_view(session: Session, policy: Policy) -> None:
    assert len(_visible_names(session, policy, "admin")) == 30
    assert len(_visible_names(session, policy, "council.leader")) == 30
    energy = _visible_names(session, policy, "energy.admin")
    assert len(energy) == 6 and "CSG Shenzhen Power Supply Bureau" in energy
    guangdong = _visible_names(session, policy, "gd.admin")
    assert "Guangzhou Metro Group" in guangdong and "Hangzhou Metro Group" not in guangdong
    assert _visible_names(session, policy, "op.szpower") == {"CSG Shenzhen Power Supply Bureau"}
    assert _visible_names(session, policy, "cert.analyst") == {
        "CNCERT/CC (National Internet Emergency Center)"
    }


def test_the_demo_operators_have_vulnerability_exposure_in_their_risk(session: Session) -> None:
    exposure = vulnerabilities_service.exposure_by_operator(session)
    by_name = {e.org_name: e for e in exposure.values()}
    power = by_name["CSG Shenzhen Power Supply Bureau"]
    assert power.kev_cves == ["CVE-2025-900001"] and power.score == 1.5
    assert "Zhejiang Rural Commercial United Bank" not in by_name  # runs the fixed version
    # The demo's risk refresh ran after the import: the CVE is in the operator's evidence.
    stored = session.scalars(
        select(RiskAssessment).where(RiskAssessment.org_id == power.org_id)
    ).first()
    assert stored is not None
    assert stored.content["evidence"]["vulnerability_cves"] == ["CVE-2025-900001"]
