"""``/api/v1`` vulnerability exposure: products on assets, CVE/KEV imports, exposure."""

from __future__ import annotations

from fenghuo.authority import Actor, visibility
from fenghuo.monitoring import assets
from fenghuo.monitoring.schemas import AssetCreate
from tests.api.conftest import Api, assert_field_problem, assert_problem
from tests.monitoring.test_cve import cvelist_zip, kev_entry, record


def _assets(api: Api) -> dict[str, str]:
    """Register (once) a host of Shenzhen Power and one of Shanghai Bank; their ids."""
    with api.platform.transaction() as session:
        system = Actor.system(api.platform.policy)
        rows = [
            AssetCreate(org_id=api.world.energy_op_gd.id, host="vpn.sz.example"),
            AssetCreate(org_id=api.world.finance_op_sh.id, host="web.bank.example"),
        ]
        assets.import_assets(session=session, actor=system, rows=rows)
        return {a.value: a.id for a in assets.list_(session=session, scope=visibility(system))}


def test_products_are_recorded_listed_and_removed_within_reach(api: Api) -> None:
    ids = _assets(api)
    url = f"/api/v1/assets/{ids['vpn.sz.example']}/products"
    before = api.counts()["audit"]
    created = api.post("sz-staff", url, json={"cpe": "cpe:2.3:a:demo_networks:beacon_vpn:9.1.3"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["vendor"], body["product"], body["version"]) == (
        "demo_networks",
        "beacon_vpn",
        "9.1.3",
    )
    assert api.counts()["audit"] == before + 1
    assert_field_problem(
        api.post("sz-staff", url, json={"cpe": "cpe:2.3:a:demo networks:x:1"}),
        422,
        "cpe",
        "cpe-unescaped-character",
    )
    assert_problem(
        api.post("sz-staff", url, json={"cpe": "cpe:2.3:a:demo_networks:beacon_vpn:9.1.3"}), 409
    )
    bank_url = f"/api/v1/assets/{ids['web.bank.example']}/products"
    assert_problem(
        api.post("sz-staff", bank_url, json={"vendor": "a", "product": "b"}),
        403,
        rule="out-of-scope",
    )
    assert [p["asset_value"] for p in api.get("sz-staff", url).json()["items"]] == [
        "vpn.sz.example"
    ]
    assert api.get("bank-staff", "/api/v1/asset-products").json()["total"] == 0
    assert api.delete("sz-staff", f"/api/v1/asset-products/{body['id']}").status_code == 204
    assert api.get("sz-staff", url).json()["total"] == 0


def test_a_bulk_import_by_csv_and_a_bad_row(api: Api) -> None:
    _assets(api)
    text = (
        "asset_kind,asset_value,vendor,product,version,cpe\n"
        "host,vpn.sz.example,Acme,Widget Server,1.2,\n"
    )
    response = api.post("nat-admin", "/api/v1/asset-products/import", json={"csv": text})
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": 1, "added": 1, "unchanged": 0}
    bad = text + "host,vpn.sz.example,Acme\n"
    assert_field_problem(
        api.post("nat-admin", "/api/v1/asset-products/import", json={"csv": bad}),
        422,
        "line 3",
        "csv-columns",
    )


def test_cve_and_kev_imports_are_national_idempotent_and_feed_exposure(api: Api) -> None:
    _assets(api)
    api.post(
        "nat-admin",
        "/api/v1/asset-products/import",
        json={
            "rows": [
                {
                    "asset_kind": "host",
                    "asset_value": "vpn.sz.example",
                    "vendor": "Acme",
                    "product": "Widget Server",
                    "version": "1.2",
                }
            ]
        },
    )
    body = {"records": [record("CVE-2024-1111"), record("CVE-2024-2222")]}
    assert_problem(
        api.post("energy-admin", "/api/v1/vulnerabilities/cve", json=body),
        403,
        rule="vulnerabilities-imported-nationally",
    )
    assert_problem(
        api.post("sz-staff", "/api/v1/vulnerabilities/cve", json=body), 403, rule="no-grant"
    )
    first = api.post("cert-analyst", "/api/v1/vulnerabilities/cve", json=body)
    assert first.status_code == 200, first.text
    assert (first.json()["new"], first.json()["unchanged"]) == (2, 0)
    again = api.post("cert-analyst", "/api/v1/vulnerabilities/cve", json=body).json()
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 2)
    broken = record("CVE-2024-3333")
    broken["cveMetadata"]["cveId"] = "CVE-3"  # type: ignore[index]
    problem = assert_problem(
        api.post("cert-analyst", "/api/v1/vulnerabilities/cve", json={"records": [broken]}), 422
    )
    assert problem["errors"][0] == {
        "field": "records[0]: cveMetadata.cveId",
        "rule": "cve-id",
        "message": problem["errors"][0]["message"],
    }
    kev = {"catalogVersion": "2024.06.01", "vulnerabilities": [kev_entry("CVE-2024-1111")]}
    result = api.post("nat-admin", "/api/v1/vulnerabilities/kev", json=kev).json()
    assert (result["kind"], result["updated"], result["catalog_version"]) == (
        "kev",
        1,
        "2024.06.01",
    )
    zipped = cvelist_zip([record("CVE-2023-45001")])
    files = api.post(
        "cert-analyst",
        "/api/v1/vulnerabilities/cve/files",
        files=[("files", ("cves.zip", zipped, "application/zip"))],
    )
    assert files.status_code == 200, files.text
    assert files.json()["new"] == 1
    listed = api.get("sz-staff", "/api/v1/vulnerabilities", params={"kev_only": "true"}).json()
    assert [v["cve_id"] for v in listed["items"]] == ["CVE-2024-1111"]
    one = api.get("bank-staff", "/api/v1/vulnerabilities/cve-2024-1111").json()
    assert one["is_kev"] and one["kev"]["product"] == "Widget Server"
    exposures = api.get("nat-admin", "/api/v1/exposures").json()
    sz = next(e for e in exposures if e["org_id"] == api.world.energy_op_gd.id)
    assert sz["kev_cves"] == ["CVE-2024-1111"] and sz["score"] >= 1.0
    assert {m["cve_id"] for m in sz["matches"]} == {
        "CVE-2024-1111",
        "CVE-2024-2222",
        "CVE-2023-45001",
    }
    assert api.get("bank-staff", "/api/v1/exposures").json() == []
    assert_problem(
        api.get("bank-staff", "/api/v1/exposures", params={"org_id": api.world.energy_op_gd.id}),
        403,
    )
