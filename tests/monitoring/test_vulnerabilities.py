"""Products on assets, the CVE/KEV catalogue and exposure, on a real database: authorised,
audited, idempotent, all-or-nothing, and matched as the CVE 5 algorithm says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.accounts.models import Organisation
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy, visibility
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import Conflict, Invalid, NotFound, Refused
from fenghuo.monitoring import assets, cve
from fenghuo.monitoring import vulnerabilities as service
from fenghuo.monitoring.schemas import AssetCreate
from fenghuo.monitoring.vulnerabilities_models import Vulnerability, VulnerabilityProduct
from fenghuo.monitoring.vulnerabilities_schemas import ProductCreate, ProductRow
from tests.factories.accounts import World, make_user, make_world
from tests.monitoring.test_cve import kev_catalogue, kev_entry, record

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@dataclass
class Setup:
    world: World
    sz_staff: Actor  # operator staff, Shenzhen Power
    bank_staff: Actor  # operator staff, Shanghai Bank
    energy_analyst: Actor  # sector department
    cert_analyst: Actor
    nat_admin: Actor
    hosts: dict[str, str]  # host name -> asset id


@pytest.fixture
def setup(session: Session, policy: Policy, system_actor: Actor) -> Setup:
    world = make_world(session)
    rows = [
        AssetCreate(org_id=world.energy_op_gd.id, host="vpn1.szpower.example"),
        AssetCreate(org_id=world.energy_op_gd.id, host="web1.szpower.example"),
        AssetCreate(org_id=world.energy_op_gd.id, cidr="10.44.0.0/16"),
        AssetCreate(org_id=world.finance_op_sh.id, host="web1.shbank.example"),
    ]
    assets.import_assets(session=session, actor=system_actor, rows=rows)

    def actor(org: Organisation, role: str, name: str) -> Actor:
        user = make_user(session, org=org, username=name, roles=[role])
        return credentials.actor_for(user, policy)

    hosts = {a.value: a.id for a in assets.list_(session=session, scope=visibility(system_actor))}
    return Setup(
        world=world,
        sz_staff=actor(world.energy_op_gd, "operator_staff", "sz-staff"),
        bank_staff=actor(world.finance_op_sh, "operator_staff", "bank-staff"),
        energy_analyst=actor(world.energy_dept, "analyst", "energy-analyst"),
        cert_analyst=actor(world.cert, "analyst", "cert-analyst"),
        nat_admin=actor(world.national, "administrator", "nat-admin"),
        hosts=hosts,
    )


def _count(session: Session, model: type[object], **where: object) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return int(session.scalar(query) or 0)


def _audits(session: Session, action: str) -> int:
    return _count(session, AuditRecord, action=action)


def _import_cves(
    session: Session, actor: Actor, *records: dict[str, object]
) -> service.ImportOutcome:
    parsed = cve.read_cve_files([("test.json", orjson.dumps(list(records)))])
    return service.import_cve_records(session=session, actor=actor, parsed=parsed, origin="test")


def _import_kev(
    session: Session, actor: Actor, *entries: dict[str, object]
) -> service.ImportOutcome:
    parsed = cve.read_kev("kev.json", kev_catalogue(*entries))
    return service.import_kev(session=session, actor=actor, parsed=parsed, origin="test")


# --- Products ---------------------------------------------------------------------------------


def test_operator_staff_record_products_on_their_own_assets_only(
    session: Session, setup: Setup
) -> None:
    vpn = setup.hosts["vpn1.szpower.example"]
    row = service.add_product(
        session=session,
        actor=setup.sz_staff,
        asset_id=vpn,
        product_in=ProductCreate(
            vendor="Demo Networks", product="Beacon VPN Gateway", version="9.1.3"
        ),
    )
    assert (row.vendor, row.product, row.version) == (
        "demo_networks",
        "beacon_vpn_gateway",
        "9.1.3",
    )
    assert _audits(session, service.PRODUCTS_MANAGE) == 1
    with pytest.raises(Conflict):
        service.add_product(
            session=session,
            actor=setup.sz_staff,
            asset_id=vpn,
            product_in=ProductCreate(
                vendor="demo networks", product="beacon vpn gateway", version="9.1.3"
            ),
        )
    bank_web = setup.hosts["web1.shbank.example"]
    with pytest.raises(Refused) as refused:
        service.add_product(
            session=session,
            actor=setup.sz_staff,
            asset_id=bank_web,
            product_in=ProductCreate(vendor="x", product="y"),
        )
    assert refused.value.rule == "out-of-scope"
    # The energy department records within its sector, not the bank's.
    service.add_product(
        session=session,
        actor=setup.energy_analyst,
        asset_id=vpn,
        product_in=ProductCreate(cpe="cpe:2.3:a:acme:widget:2.0"),
    )
    with pytest.raises(Refused):
        service.add_product(
            session=session,
            actor=setup.energy_analyst,
            asset_id=bank_web,
            product_in=ProductCreate(vendor="x", product="y"),
        )
    seen = service.list_products(session=session, actor=setup.bank_staff)
    assert seen == []
    mine = service.list_products(session=session, actor=setup.sz_staff)
    assert {(p.vendor, p.product, p.version, p.cpe) for p in mine} == {
        ("demo_networks", "beacon_vpn_gateway", "9.1.3", None),
        ("acme", "widget", "2.0", "cpe:2.3:a:acme:widget:2.0:*:*:*:*:*:*:*"),
    }
    service.remove_product(session=session, actor=setup.sz_staff, product_id=row.id)
    with pytest.raises(NotFound):
        service.remove_product(session=session, actor=setup.sz_staff, product_id=row.id)
    assert _audits(session, service.PRODUCTS_MANAGE) == 3


def test_a_cpe_that_disagrees_or_is_malformed_is_invalid(session: Session, setup: Setup) -> None:
    vpn = setup.hosts["vpn1.szpower.example"]
    cases = [
        (
            ProductCreate(vendor="acme", product="widget", cpe="cpe:2.3:a:other:widget:1"),
            "cpe",
            "cpe-agrees",
        ),
        (ProductCreate(cpe="cpe:2.3:a:acme:wid get:1"), "cpe", "cpe-unescaped-character"),
        (ProductCreate(cpe="cpe:2.3:a:*:widget:1"), "cpe", "cpe-names-product"),
        (ProductCreate(vendor="acme"), "product", "required"),
    ]
    for product_in, field, rule in cases:
        with pytest.raises(Invalid) as caught:
            service.add_product(
                session=session, actor=setup.sz_staff, asset_id=vpn, product_in=product_in
            )
        assert (caught.value.field, caught.value.rule) == (field, rule)
    assert _audits(session, service.PRODUCTS_MANAGE) == 0


def test_a_bulk_import_is_all_or_nothing_and_idempotent(session: Session, setup: Setup) -> None:
    rows = [
        ProductRow(
            asset_kind="host",
            asset_value="VPN1.szpower.example",
            vendor="Demo Networks",
            product="Beacon VPN Gateway",
            version="9.1.3",
        ),
        ProductRow(
            asset_kind="cidr",
            asset_value="10.44.0.0/16",
            vendor="acme",
            product="widget",
            version="1.2",
        ),
    ]
    assert service.import_products(session=session, actor=setup.sz_staff, rows=rows) == (2, 0)
    assert service.import_products(session=session, actor=setup.sz_staff, rows=rows) == (0, 2)
    unknown = [
        *rows,
        ProductRow(asset_kind="host", asset_value="nowhere.example", vendor="a", product="b"),
    ]
    with pytest.raises(Invalid) as caught:
        service.import_products(session=session, actor=setup.sz_staff, rows=unknown)
    assert (caught.value.field, caught.value.rule) == ("rows[2].asset_value", "registered-asset")
    foreign = [
        ProductRow(asset_kind="host", asset_value="web1.shbank.example", vendor="a", product="b")
    ]
    with pytest.raises(Refused):
        service.import_products(session=session, actor=setup.sz_staff, rows=foreign)
    assert len(service.list_products(session=session, actor=setup.nat_admin)) == 2


# --- The catalogue ----------------------------------------------------------------------------


def test_a_cve_import_upserts_by_id_counts_and_is_audited_once(
    session: Session, setup: Setup
) -> None:
    first = _import_cves(
        session, setup.cert_analyst, record("CVE-2024-1111"), record("CVE-2024-2222")
    )
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    assert _audits(session, service.IMPORT) == 1
    notice = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == service.IMPORTED)
    ).one()
    assert notice.payload == {"kind": "cve", "new": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    changed = record("CVE-2024-2222", title="Now with a title")
    again = _import_cves(session, setup.cert_analyst, record("CVE-2024-1111"), changed)
    assert (again.new, again.updated, again.unchanged) == (0, 1, 1)
    assert _count(session, Vulnerability) == 2
    assert _count(session, VulnerabilityProduct) == 2  # the updated record's rows replaced
    assert _audits(session, service.IMPORT) == 2


def test_an_invalid_record_changes_nothing_unless_skipped(session: Session, setup: Setup) -> None:
    bad = record("CVE-2024-3333")
    bad["containers"]["cna"]["affected"][0]["versions"][0]["status"] = "broken"  # type: ignore[index]
    parsed = cve.read_cve_files([("batch.json", orjson.dumps([record("CVE-2024-1111"), bad]))])
    with pytest.raises(Invalid) as caught:
        service.import_cve_records(
            session=session, actor=setup.cert_analyst, parsed=parsed, origin="test"
        )
    assert caught.value.field == "batch.json[1]: containers.cna.affected[0].versions[0].status"
    assert caught.value.rule == "version-status"
    assert _count(session, Vulnerability) == 0 and _audits(session, service.IMPORT) == 0
    outcome = service.import_cve_records(
        session=session, actor=setup.cert_analyst, parsed=parsed, origin="test", skip_invalid=True
    )
    assert (outcome.new, [s.ref for s in outcome.skipped]) == (1, ["batch.json[1]"])


def test_only_the_coordinator_and_certs_import(session: Session, setup: Setup) -> None:
    with pytest.raises(Refused) as refused:
        _import_cves(session, setup.energy_analyst, record())
    assert refused.value.rule == service.IMPORT_RULE
    with pytest.raises(Refused) as refused:
        _import_kev(session, setup.sz_staff, kev_entry())
    assert refused.value.rule == "no-grant"
    assert _import_kev(session, setup.nat_admin, kev_entry()).new == 1


def test_kev_flags_are_upserted_and_survive_a_record_import(session: Session, setup: Setup) -> None:
    first = _import_kev(session, setup.cert_analyst, kev_entry("CVE-2024-1111"))
    assert (first.new, first.catalog_version) == (1, "2024.06.01")
    _import_cves(session, setup.cert_analyst, record("CVE-2024-1111"))
    row = session.scalars(select(Vulnerability)).one()
    assert row.has_record and row.is_kev and row.kev_vendor == "acme"
    again = _import_kev(session, setup.cert_analyst, kev_entry("CVE-2024-1111"))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    ransom = _import_kev(
        session, setup.cert_analyst, kev_entry("CVE-2024-1111", knownRansomwareCampaignUse="Known")
    )
    assert ransom.updated == 1 and row.kev_ransomware
    page, total = service.list_vulnerabilities(
        session, setup.bank_staff, kev_only=True, q="2024-11"
    )
    assert total == 1 and page[0].cve_id == "CVE-2024-1111"


# --- Matching and exposure --------------------------------------------------------------------


def _record_products(session: Session, setup: Setup, *items: tuple[str, str, str, str]) -> None:
    rows = [
        ProductRow(
            asset_kind="host", asset_value=host, vendor=vendor, product=product, version=version
        )
        for host, vendor, product, version in items
    ]
    service.import_products(session=session, actor=setup.nat_admin, rows=rows)


def test_exposure_weighs_kev_ransomware_cvss_and_unknown_versions(
    session: Session, setup: Setup
) -> None:
    _record_products(
        session,
        setup,
        ("vpn1.szpower.example", "Acme", "Widget Server", "1.2"),  # affected, KEV + ransomware
        ("web1.szpower.example", "Acme", "Widget Server", "1.4"),  # fixed
        ("web1.szpower.example", "Lamp", "Httpd", "2.4(1)"),  # cannot compare: unknown
        ("web1.shbank.example", "Zeta", "Router", "3"),  # KEV only: version not checked
        ("web1.shbank.example", "Lamp", "Httpd", "2.4.49"),  # affected, not KEV
    )
    httpd = record(
        "CVE-2024-5555",
        metrics=[{"cvssV3_1": {"baseScore": 7.5}}],
        affected=[
            {
                "vendor": "lamp",
                "product": "httpd",
                "versions": [{"version": "2.4.0", "lessThan": "2.4.50", "status": "affected"}],
            }
        ],
    )
    _import_cves(session, setup.cert_analyst, record("CVE-2024-1111"), httpd)
    _import_kev(
        session,
        setup.cert_analyst,
        kev_entry("CVE-2024-1111", knownRansomwareCampaignUse="Known"),
        kev_entry("CVE-2024-7777", vendorProject="Zeta", product="Router"),
    )
    found = service.exposure_by_operator(session, NOW)
    sz, bank = found[setup.world.energy_op_gd.id], found[setup.world.finance_op_sh.id]
    assert {(m.asset_value, m.cve_id, m.status, m.kev, m.ransomware) for m in sz.matches} == {
        ("vpn1.szpower.example", "CVE-2024-1111", "affected", True, True),
        ("web1.szpower.example", "CVE-2024-5555", "unknown", False, False),
    }
    assert sz.score == pytest.approx(1.5 + 0.75 * 0.3 * 0.5)
    assert sz.kev_cves == ["CVE-2024-1111"]
    assert {(m.cve_id, m.status) for m in bank.matches} == {
        ("CVE-2024-7777", "version_not_checked"),
        ("CVE-2024-5555", "affected"),
    }
    assert bank.score == pytest.approx(0.5 + 0.225)
    # Before the CVE was published it did not count.
    early = service.exposure_by_operator(session, datetime(2024, 1, 1, tzinfo=UTC))
    assert early == {}


def test_a_cve_counts_once_per_operator_and_rejected_records_never_match(
    session: Session, setup: Setup
) -> None:
    _record_products(
        session,
        setup,
        ("vpn1.szpower.example", "Acme", "Widget Server", "1.0"),
        ("web1.szpower.example", "Acme", "Widget Server", "1.3"),
    )
    _import_cves(session, setup.cert_analyst, record("CVE-2024-1111"))
    exposure = service.exposure_by_operator(session, NOW)[setup.world.energy_op_gd.id]
    assert len(exposure.matches) == 2 and exposure.cves == ["CVE-2024-1111"]
    assert exposure.score == pytest.approx(0.3 * 0.5)  # no CVSS: as if 5.0, once
    rejected = record("CVE-2024-1111")
    rejected["cveMetadata"]["state"] = "REJECTED"  # type: ignore[index]
    rejected["containers"] = {"cna": {"rejectedReasons": [{"lang": "en", "value": "Dup."}]}}
    assert _import_cves(session, setup.cert_analyst, rejected).updated == 1
    assert service.exposure_by_operator(session, NOW) == {}


def test_a_product_matches_through_its_cpe(session: Session, setup: Setup) -> None:
    vpn = setup.hosts["vpn1.szpower.example"]
    service.add_product(
        session=session,
        actor=setup.sz_staff,
        asset_id=vpn,
        product_in=ProductCreate(
            vendor="The Apache Software Foundation",
            product="Apache HTTP Server",
            version="2.4.49",
            cpe=None,
        ),
    )
    service.add_product(
        session=session,
        actor=setup.sz_staff,
        asset_id=vpn,
        product_in=ProductCreate(cpe="cpe:2.3:a:apache:http_server:2.4.49"),
    )
    apache = record(
        "CVE-2021-41773",
        affected=[
            {
                "vendor": "Apache Software Foundation",
                "product": "Apache HTTP Server",
                "cpes": ["cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*"],
                "versions": [{"version": "2.4.49", "status": "affected"}],
            }
        ],
    )
    _import_cves(session, setup.cert_analyst, apache)
    exposure = service.exposure_by_operator(session, NOW)[setup.world.energy_op_gd.id]
    assert [(m.vendor, m.product) for m in exposure.matches] == [("apache", "http_server")]


def test_who_sees_which_exposure(session: Session, setup: Setup) -> None:
    _record_products(
        session,
        setup,
        ("vpn1.szpower.example", "Acme", "Widget Server", "1.0"),
        ("web1.shbank.example", "Acme", "Widget Server", "1.0"),
    )
    _import_cves(session, setup.cert_analyst, record("CVE-2024-1111"))
    org_ids = lambda actor: {e.org_id for e in service.exposures(session, actor)}  # noqa: E731
    world = setup.world
    assert org_ids(setup.nat_admin) == {world.energy_op_gd.id, world.finance_op_sh.id}
    assert org_ids(setup.energy_analyst) == {world.energy_op_gd.id}
    assert org_ids(setup.sz_staff) == {world.energy_op_gd.id}
    with pytest.raises(Refused):
        service.exposures(session, setup.sz_staff, org_id=world.finance_op_sh.id)
