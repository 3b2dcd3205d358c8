"""The demo's vulnerability picture: products on some demo hosts, and a small bundled
catalogue of DEMO DATA (``data/demo-cve-records.json``, ``data/demo-kev.json``: invented
products and CVE ids, in the CVE JSON 5 and CISA KEV shapes) imported through the same
audited flows as a real import, so that the risk model sees KEV exposure.

What it shows: CSG Shenzhen Power Supply Bureau runs a Beacon VPN Gateway in the affected
range of a KEV-listed CVE with known ransomware use; China Merchants Bank a Lantern HTTP
Server in the affected range of a non-KEV CVE; Zhejiang Rural Commercial United Bank the
fixed Lantern version (no match); Guangzhou Gas Group a Watchtower Firewall that the KEV
lists with no CVE record (version not checked); Chengdu Rail Transit Group a gateway whose
version cannot be compared (unknown).
"""

from __future__ import annotations

from importlib import resources

from sqlalchemy.orm import Session

from fenghuo.authority import Actor
from fenghuo.demo.monitoring import host_name
from fenghuo.monitoring import cve
from fenghuo.monitoring import vulnerabilities as vulnerabilities_service
from fenghuo.monitoring.vulnerabilities_schemas import ProductRow

CVE_FILE = "demo-cve-records.json"
KEV_FILE = "demo-kev.json"

# (operator key, host number, vendor, product, version)
DEMO_PRODUCTS: tuple[tuple[str, int, str, str, str], ...] = (
    ("szpower", 1, "Demo Networks", "Beacon VPN Gateway", "9.1.3"),
    ("szpower", 2, "Demo Web Foundation", "Lantern HTTP Server", "2.4.12"),
    ("cmb", 1, "Demo Web Foundation", "Lantern HTTP Server", "2.4.10"),
    ("zjbank", 1, "Demo Web Foundation", "Lantern HTTP Server", "2.4.12"),
    ("gzgas", 1, "Demo Networks", "Watchtower Firewall", "7.2"),
    ("cdmetro", 1, "Demo Networks", "Beacon VPN Gateway", "9.1(2)"),
)


def data_file(name: str) -> bytes:
    """A bundled demo data file."""
    return (resources.files("fenghuo.demo") / "data" / name).read_bytes()


def seed_vulnerabilities(session: Session, actor: Actor) -> None:
    """Record the demo products on demo hosts and import the demo CVE records and KEV list."""
    rows = [
        ProductRow(
            asset_kind="host",
            asset_value=host_name(operator, number),
            vendor=vendor,
            product=product,
            version=version,
        )
        for operator, number, vendor, product, version in DEMO_PRODUCTS
    ]
    vulnerabilities_service.import_products(session=session, actor=actor, rows=rows)
    records = cve.read_cve_files([(CVE_FILE, data_file(CVE_FILE))])
    vulnerabilities_service.import_cve_records(
        session=session, actor=actor, parsed=records, origin=f"demo: {CVE_FILE}"
    )
    kev = cve.read_kev(KEV_FILE, data_file(KEV_FILE))
    vulnerabilities_service.import_kev(
        session=session, actor=actor, parsed=kev, origin=f"demo: {KEV_FILE}"
    )
