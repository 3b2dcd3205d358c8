from fenghuo.accounts import flows
from fenghuo.accounts.schemas import OrganisationCreate
from fenghuo.audit import service as audit_service
from tests.factories.accounts import make_world


def test_creating_an_operator_is_audited(session, system_actor):
    world = make_world(session)
    org = flows.create_organisation(
        session=session,
        actor=system_actor,
        org_in=OrganisationCreate(
            name_zh="测试运营者",
            name_en="Test operator",
            kind="network_operator",
            parent_id=world.energy_dept.id,
            sector_code="energy",
            region_code="440100",
        ),
    )
    assert org.path == f"{world.energy_dept.path}{org.id}/"
    assert audit_service.verify(session=session).ok
    everything = audit_service.AuditFilter()
    [entry] = audit_service.list_(session=session, audit_filter=everything, limit=1)
    assert entry.action == "accounts.orgs.create" and entry.target_id == org.id
