"""``fenghuo vulns``: import CVE files and the KEV catalogue, record products, see exposure."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from fenghuo.authority import Actor
from fenghuo.monitoring import assets
from fenghuo.monitoring.schemas import AssetCreate
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from tests.cli.conftest import invoke_in
from tests.factories.accounts import make_world
from tests.monitoring.test_cve import cvelist_zip, kev_catalogue, kev_entry, record


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "var"
    assert invoke_in(data_dir, "db", "upgrade").exit_code == 0
    platform = Platform.build(Settings(data_dir=data_dir))
    with platform.transaction() as session:
        world = make_world(session)
        assets.import_assets(
            session=session,
            actor=Actor.system(platform.policy),
            rows=[
                AssetCreate(org_id=world.energy_op_gd.id, host="vpn.sz.example"),
                AssetCreate(org_id=world.finance_op_sh.id, cidr="10.31.0.0/16"),
            ],
        )
    platform.engine.dispose()
    return data_dir


def test_products_catalogue_and_exposure_from_the_command_line(
    data_dir: Path, tmp_path: Path
) -> None:
    rows = tmp_path / "products.csv"
    rows.write_text(
        "asset_kind,asset_value,vendor,product,version,cpe\n"
        "host,vpn.sz.example,Acme,Widget Server,1.2,\n"
        "cidr,10.31.0.0/16,,,,cpe:2.3:a:lamp:httpd:2.4.49\n"
    )
    result = invoke_in(data_dir, "vulns", "product-import", str(rows))
    assert result.exit_code == 0, result.output
    assert "2 rows read, 2 added, 0 already recorded." in result.stdout
    result = invoke_in(
        data_dir,
        "vulns",
        "product-add",
        "cidr:10.31.0.0/16",
        "--vendor",
        "zeta",
        "--product",
        "router",
        "--version",
        "3",
    )
    assert result.exit_code == 0, result.output
    product_id = result.stdout.split(":", 1)[0].strip()

    cves = tmp_path / "cves.zip"
    httpd = record(
        "CVE-2024-5555",
        affected=[
            {
                "vendor": "lamp",
                "product": "httpd",
                "versions": [{"version": "2.4.0", "lessThan": "2.4.50", "status": "affected"}],
            }
        ],
    )
    cves.write_bytes(cvelist_zip([record("CVE-2024-1111"), httpd]))
    result = invoke_in(data_dir, "vulns", "import-cve", str(cves))
    assert result.exit_code == 0, result.output
    assert "CVE records (2 files): 2 new, 0 updated, 0 unchanged, 0 skipped." in result.stdout
    kev = tmp_path / "known_exploited_vulnerabilities.json"
    kev.write_bytes(kev_catalogue(kev_entry("CVE-2024-1111", knownRansomwareCampaignUse="Known")))
    result = invoke_in(data_dir, "vulns", "import-kev", str(kev))
    assert "KEV 2024.06.01: 0 new, 1 updated, 0 unchanged, 0 skipped." in result.stdout

    result = invoke_in(data_dir, "vulns", "exposure", "--details")
    assert result.exit_code == 0, result.output
    assert "Shenzhen Power" in result.stdout and "1.500" in result.stdout
    assert "CVE-2024-5555" in result.stdout
    result = invoke_in(data_dir, "vulns", "list", "--kev-only", "--query", "2024", "--limit", "5")
    assert "CVE-2024-1111" in result.stdout and "1 of 1 shown." in result.stdout
    result = invoke_in(data_dir, "vulns", "products", "--org", "Shanghai Bank")
    assert "router" in result.stdout and "widget" not in result.stdout
    result = invoke_in(data_dir, "vulns", "product-remove", product_id)
    assert result.exit_code == 0, result.output
    result = invoke_in(data_dir, "vulns", "exposure", "--org", "Shanghai Bank")
    assert "CVE-2024-5555" in result.stdout


def test_an_invalid_record_aborts_unless_skipped(data_dir: Path, tmp_path: Path) -> None:
    bad = record("CVE-2024-2222")
    bad["cveMetadata"]["state"] = "RESERVED"  # type: ignore[index]
    batch = tmp_path / "batch.json"
    batch.write_bytes(orjson.dumps([record("CVE-2024-1111"), bad]))
    result = invoke_in(data_dir, "vulns", "import-cve", str(batch))
    assert result.exit_code == 1
    assert "Invalid batch.json[1]: cveMetadata.state" in result.output
    assert "(rule cve-state)" in result.output
    result = invoke_in(data_dir, "vulns", "list")
    assert "0 of 0 shown." in result.stdout
    result = invoke_in(data_dir, "vulns", "import-cve", str(batch), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "skipped batch.json[1]: Invalid cveMetadata.state" in result.stdout
    assert "1 new, 0 updated, 0 unchanged, 1 skipped." in result.stdout
    wrong = tmp_path / "p.csv"
    wrong.write_text("host,vpn.sz.example,acme,widget,1,cpe:2.3:a:other:widget:1\n")
    result = invoke_in(data_dir, "vulns", "product-import", str(wrong))
    assert result.exit_code == 1 and "(rule cpe-agrees)" in result.output
