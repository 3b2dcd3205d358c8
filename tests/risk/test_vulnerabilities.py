"""Vulnerability exposure in the risk model: a KEV-listed product on an operator's asset
raises its score, the factor explains it and the CVE is in the evidence."""

from __future__ import annotations

import orjson
from sqlalchemy.orm import Session

from fenghuo.authority import Actor
from fenghuo.monitoring import assets, cve
from fenghuo.monitoring import vulnerabilities as vulnerabilities_service
from fenghuo.monitoring.schemas import AssetCreate
from fenghuo.monitoring.vulnerabilities_schemas import ProductRow
from fenghuo.risk import service
from fenghuo.risk.schemas import Assessment
from tests.monitoring.test_cve import kev_catalogue, kev_entry, record
from tests.risk.conftest import NOW, People


def _operator(items: list[Assessment], org_id: str) -> Assessment:
    return next(a for a in items if a.scope_kind == "operator" and a.org_id == org_id)


def _factor(assessment: Assessment, name: str) -> tuple[float, float, str]:
    factor = next(f for f in assessment.factors if f.name == name)
    return factor.value, factor.contribution, factor.note


def test_a_kev_listed_product_raises_the_operators_risk(
    session: Session, people: People, system_actor: Actor
) -> None:
    sz = people.world.energy_op_gd
    assets.import_assets(
        session=session, actor=system_actor, rows=[AssetCreate(org_id=sz.id, host="vpn1")]
    )
    before = _operator(service.compute(session, NOW), sz.id)
    assert _factor(before, "vulnerability_exposure")[:2] == (0.0, 0.0)
    assert before.evidence["vulnerability_cves"] == []

    row = ProductRow(
        asset_kind="host", asset_value="vpn1", vendor="Acme", product="Widget Server", version="1.2"
    )
    vulnerabilities_service.import_products(session=session, actor=people.sz_staff, rows=[row])
    parsed = cve.read_cve_files([("r.json", orjson.dumps(record("CVE-2024-1111")))])
    vulnerabilities_service.import_cve_records(
        session=session, actor=system_actor, parsed=parsed, origin="test"
    )
    vulnerabilities_service.import_kev(
        session=session,
        actor=system_actor,
        parsed=cve.read_kev("kev.json", kev_catalogue(kev_entry("CVE-2024-1111"))),
        origin="test",
    )

    results = service.compute(session, NOW)
    after = _operator(results, sz.id)
    value, contribution, note = _factor(after, "vulnerability_exposure")
    assert value == 1.0  # one KEV-listed CVE, affected version
    assert contribution > 0 and "KEV" in note
    assert after.score > before.score
    assert after.evidence["vulnerability_cves"] == ["CVE-2024-1111"]
    cell = next(
        a
        for a in results
        if a.scope_kind == "cell" and (a.sector, a.region) == ("energy", "440000")
    )
    assert cell.evidence["vulnerability_cves"] == ["CVE-2024-1111"]
    # Another operator, without the product, is untouched.
    gas = _operator(results, people.world.energy_op_sh.id)
    assert _factor(gas, "vulnerability_exposure")[0] == 0.0
