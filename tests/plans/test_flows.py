"""Stored plans: the default install, versioning, who may import and who may read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.accounts.models import Organisation
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import Invalid, NotFound, Refused
from fenghuo.plans import flows, loader, service
from fenghuo.plans.models import Plan, PlanVersion
from tests.factories.accounts import World, make_user, make_world

TEXT = loader.packaged_text()


def sector_plan(sector: str) -> str:
    """The packaged plan, renamed and owned by ``sector``'s protection department."""
    return TEXT.replace("name: national", f"name: {sector}", 1).replace(
        "owner: {kind: national_coordinator}",
        f"owner: {{kind: sector_department, sector: {sector}}}",
    )


def actor(session: Session, policy: Policy, org: Organisation, role: str, name: str) -> Actor:
    return credentials.actor_for(make_user(session, org=org, username=name, roles=[role]), policy)


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count(Plan.id))) or 0,
        session.scalar(select(func.count(PlanVersion.id))) or 0,
        session.scalar(select(func.count(AuditRecord.id))) or 0,
    )


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_the_national_plan_is_installed_once_on_first_use(
    session: Session, world: World, system_actor: Actor
) -> None:
    before = counts(session)
    first = service.ensure_default_plan(session, actor=system_actor)
    assert (first.name, first.version, first.is_active) == ("national", 1, True)
    assert first.owner_org_id == world.national.id
    assert counts(session) == (before[0] + 1, before[1] + 1, before[2] + 1)
    again = service.ensure_default_plan(session, actor=system_actor)
    assert again.id == first.id and counts(session)[2] == before[2] + 1
    active = service.active_plan(session)
    assert (active.id, active.version) == (first.id, 1)
    assert active.document == loader.packaged() and active.yaml_text == TEXT


def test_active_plan_installs_the_default_as_the_system_when_none_exists(
    session: Session, world: World
) -> None:
    del world
    view = service.active_plan(session, None)
    assert view.version == 1
    record = session.scalars(select(AuditRecord).where(AuditRecord.target_id == view.plan_id)).one()
    assert (record.actor_kind, record.action) == ("system", "plans.plans.manage")
    with pytest.raises(NotFound):
        service.active_plan(session, "no-such-plan")


def test_a_new_version_is_active_and_older_versions_say_what_they_said(
    session: Session, world: World, policy: Policy
) -> None:
    admin = actor(session, policy, world.national, "administrator", "nat-admin")
    service.active_plan(session)
    changed = TEXT.replace("II: {after: 30, source: design", "II: {after: 45, source: design")
    audit_before = counts(session)[2]
    second = flows.import_plan(session=session, actor=admin, yaml_text=changed)
    assert (second.version, second.is_active, second.created_by) == (2, True, "nat-admin")
    assert service.active_plan(session).version == 2
    assert (
        service.active_plan(session).document.notification_escalation_after("II").seconds == 45 * 60
    )
    plan = service.get_plan_or_raise(session=session, name="national")
    first = service.get_version_or_raise(session=session, plan=plan, version=1)
    assert first.yaml_text == TEXT and not first.is_active
    assert loader.from_json(first.document) == loader.packaged()
    assert [v.version for v in service.versions(session=session, plan=plan)] == [2, 1]
    assert counts(session)[2] == audit_before + 1
    notice = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == "plans.plans.versioned")
    ).all()[-1]
    assert notice.payload["version"] == 2 and notice.payload["name"] == "national"


def test_a_plan_with_an_error_changes_nothing(
    session: Session, world: World, policy: Policy
) -> None:
    admin = actor(session, policy, world.national, "administrator", "nat-admin")
    service.active_plan(session)
    before = counts(session)
    bad = TEXT.replace("II: {value: 10000000, source: S25", "II: {value: ten million, source: S25")
    with pytest.raises(Invalid) as caught:
        flows.import_plan(session=session, actor=admin, yaml_text=bad, source_name="upload.yaml")
    assert caught.value.message.startswith("upload.yaml, line ")
    assert "must be a number" in caught.value.message and caught.value.rule == "number"
    assert counts(session) == before
    assert service.active_plan(session).version == 1


def test_only_the_owners_administrators_import_a_plan(
    session: Session, world: World, policy: Policy
) -> None:
    service.active_plan(session)
    before = counts(session)
    energy_admin = actor(session, policy, world.energy_dept, "administrator", "energy-admin")
    with pytest.raises(Refused) as caught:
        flows.import_plan(session=session, actor=energy_admin, yaml_text=TEXT)
    assert caught.value.rule == "out-of-scope"
    national_analyst = actor(session, policy, world.national, "analyst", "nat-analyst")
    with pytest.raises(Refused) as caught:
        flows.import_plan(session=session, actor=national_analyst, yaml_text=TEXT)
    assert caught.value.rule == "no-grant"
    national_admin = actor(session, policy, world.national, "administrator", "nat-admin")
    with pytest.raises(Refused) as caught:
        flows.import_plan(session=session, actor=national_admin, yaml_text=sector_plan("energy"))
    assert caught.value.rule == "plans-managed-by-owner"
    operator_admin = actor(session, policy, world.energy_op_gd, "administrator", "sz-admin")
    with pytest.raises(Refused):
        flows.import_plan(session=session, actor=operator_admin, yaml_text=sector_plan("energy"))
    assert counts(session) == before
    energy = flows.import_plan(session=session, actor=energy_admin, yaml_text=sector_plan("energy"))
    assert (energy.name, energy.version, energy.owner_org_id) == ("energy", 1, world.energy_dept.id)


def test_a_plan_for_a_sector_without_a_department_is_invalid(
    session: Session, world: World, system_actor: Actor
) -> None:
    del world
    with pytest.raises(Invalid) as caught:
        flows.import_plan(session=session, actor=system_actor, yaml_text=sector_plan("water"))
    assert (caught.value.field, caught.value.rule) == ("owner", "plan-owner-org")


def test_operators_read_the_national_plan_and_their_own_sectors_only(
    session: Session, world: World, policy: Policy, system_actor: Actor
) -> None:
    finance = make_finance_department(session, world)
    flows.import_plan(session=session, actor=system_actor, yaml_text=sector_plan("energy"))
    flows.import_plan(session=session, actor=system_actor, yaml_text=sector_plan("finance"))
    assert finance.sector_code == "finance"
    staff = actor(session, policy, world.energy_op_gd, "operator_staff", "sz-staff")
    assert [p.name for p in flows.visible_plans(session=session, actor=staff)] == [
        "energy",
        "national",
    ]
    assert flows.get_version(session=session, actor=staff, name="energy").version == 1
    with pytest.raises(Refused) as caught:
        flows.get_version(session=session, actor=staff, name="finance")
    assert caught.value.rule == "plans-that-bind-the-operator"
    provincial = actor(session, policy, world.guangdong, "viewer", "gd-viewer")
    names = [p.name for p in flows.visible_plans(session=session, actor=provincial)]
    assert names == ["energy", "finance", "national"]


def make_finance_department(session: Session, world: World) -> Organisation:
    from fenghuo.accounts.enums import OrgKind
    from tests.factories.accounts import make_org

    return make_org(
        session,
        kind=OrgKind.sector_department,
        parent=world.national,
        name="Finance",
        sector="finance",
    )
