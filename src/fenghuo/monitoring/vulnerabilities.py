"""Vulnerability exposure: products on assets, the CVE/KEV catalogue, and what matches.

Products (vendor, product, version, optionally a CPE 2.3 name) are recorded on the assets
of the registry. CVE JSON 5 records and the CISA Known Exploited Vulnerabilities catalogue
are imported into one catalogue, upserted by CVE id. ``exposure_by_operator`` matches the
two (``cve.entry_status``) and weighs each distinct CVE per operator with
``vulnerabilities.yaml``; the risk model reads that score as its ``vulnerability_exposure``
factor. Importing is a national task (Art. 51, 54(2)): administrators and analysts of the
national coordinator and of CERTs (rule ``vulnerabilities-imported-nationally``).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, or_, select, tuple_
from sqlalchemy.orm import Session

from fenghuo import clock, yaml_lines
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, ActorKind, Decision, Target, require, visibility
from fenghuo.bus.outbox import emit
from fenghuo.errors import Conflict, Invalid, NotFound, Refused
from fenghuo.monitoring import cve
from fenghuo.monitoring.cve import Affected, ParsedCves, ParsedKev, RecordError, Verdict
from fenghuo.monitoring.models import Asset
from fenghuo.monitoring.vulnerabilities_models import (
    AssetProduct,
    Vulnerability,
    VulnerabilityProduct,
)
from fenghuo.monitoring.vulnerabilities_schemas import ProductCreate, ProductRow
from fenghuo.store import new_id

VIEW = "monitoring.vulnerabilities.view"
IMPORT = "monitoring.vulnerabilities.import"
EXPOSURES_VIEW = "monitoring.exposures.view"
PRODUCTS_MANAGE = "monitoring.products.manage"
ASSETS_VIEW = "monitoring.assets.view"
IMPORTED = "monitoring.vulnerabilities.imported"
PRODUCTS_CHANGED = "monitoring.products.changed"
IMPORTER_KINDS = frozenset({OrgKind.national_coordinator, OrgKind.professional_institution})
IMPORT_RULE = "vulnerabilities-imported-nationally"
_CHUNK = 400
_AUDITED_SKIPS = 100

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Weights ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """How much one vulnerability weighs (``vulnerabilities.yaml``)."""

    kev: float
    kev_ransomware: float
    non_kev_cvss_factor: float
    no_cvss_score: float
    unknown_version: float
    version_not_checked: float

    def of(self, *, status: str, kev: bool, ransomware: bool, cvss: float | None) -> float:
        """The weight of one match: base (KEV, ransomware, CVSS) x status factor."""
        if kev:
            base = self.kev_ransomware if ransomware else self.kev
        else:
            score = self.no_cvss_score if cvss is None else cvss
            base = score / 10.0 * self.non_kev_cvss_factor
        factor = {
            "affected": 1.0,
            "unknown": self.unknown_version,
            "version_not_checked": self.version_not_checked,
        }[status]
        return base * factor


_WEIGHT_KEYS = tuple(Weights.__dataclass_fields__)


def parse_weights(text: str, *, name: str = "vulnerabilities.yaml") -> Weights:
    """Weights from YAML text; a wrong value is ``Invalid`` naming the line and field."""
    doc = yaml_lines.load(text, name=name)
    data = doc.data
    if not isinstance(data, dict) or data.get("format") != "fenghuo-vulnerability-weights/1":
        raise doc.invalid(("format",), "must be fenghuo-vulnerability-weights/1", rule="format")
    values: dict[str, float] = {}
    for key in _WEIGHT_KEYS:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise doc.invalid((key,), "must be a number, not negative", rule="non-negative")
        values[key] = float(value)
    unknown = set(data) - {"format", *_WEIGHT_KEYS}
    if unknown:
        raise doc.invalid((sorted(unknown)[0],), "is not a known weight", rule="known-keys")
    if values["no_cvss_score"] > 10:
        raise doc.invalid(("no_cvss_score",), "a CVSS score lies in 0-10", rule="cvss-score")
    return Weights(**values)


@cache
def packaged_weights() -> Weights:
    """The weights shipped in ``fenghuo/monitoring/vulnerabilities.yaml``."""
    text = (
        resources.files("fenghuo.monitoring")
        .joinpath("vulnerabilities.yaml")
        .read_text(encoding="utf-8")
    )
    return parse_weights(text, name="fenghuo/monitoring/vulnerabilities.yaml")


# --- Products on assets -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProductName:
    """A product as stored: normalised vendor and product, version, canonical CPE."""

    vendor: str
    product: str
    version: str
    cpe: str | None


def _from_cpe(text: str, mine: dict[str, str], prefix: str) -> tuple[dict[str, str], str]:
    """The vendor, product and version a CPE name gives (checked against the row's), and its
    canonical form."""
    parsed = cve.parse_cpe(text, field_name=f"{prefix}cpe")
    canonical = parsed.formatted()
    if len(canonical) > 500:
        raise Invalid(
            "the CPE name is longer than 500 characters written out",
            field=f"{prefix}cpe",
            rule="max-length",
        )
    given = {
        "vendor": cve.normalise_name(parsed.text("vendor") or ""),
        "product": cve.normalise_name(parsed.text("product") or ""),
        "version": parsed.text("version") or "",
    }
    for name in ("vendor", "product"):
        if not given[name]:
            raise Invalid(
                f"the CPE name must name a {name} (not * or -)",
                field=f"{prefix}cpe",
                rule="cpe-names-product",
            )
    for name, value in mine.items():
        if value and given[name] and value != given[name]:
            raise Invalid(
                f"the CPE name says {name} {given[name]!r}, the row {value!r}",
                field=f"{prefix}cpe",
                rule="cpe-agrees",
            )
    return {name: mine[name] or given[name] for name in mine}, canonical


def product_name(product_in: ProductCreate, *, prefix: str = "") -> ProductName:
    """Normalise a product; the CPE (if any) gives what is missing and must agree with the rest.

    ``Invalid`` names the field (``prefix`` + ``vendor``, ``product``, ``version``, ``cpe``)
    and the rule (``required``, ``max-length``, ``cpe-*``, ``cpe-agrees``).
    """
    values = {
        "vendor": cve.normalise_name(product_in.vendor),
        "product": cve.normalise_name(product_in.product),
        "version": product_in.version.strip(),
    }
    canonical = None
    if product_in.cpe:
        values, canonical = _from_cpe(product_in.cpe, values, prefix)
    for name, limit in (("vendor", 200), ("product", 200), ("version", 100)):
        if len(values[name]) > limit:
            raise Invalid(
                f"the {name} is longer than {limit} characters",
                field=f"{prefix}{name}",
                rule="max-length",
            )
        if not values[name] and name != "version":
            raise Invalid(
                f"give the {name} (or a CPE name)", field=f"{prefix}{name}", rule="required"
            )
    return ProductName(values["vendor"], values["product"], values["version"], canonical)


def asset_target(asset: Asset) -> Target:
    return Target(
        org=accounts_service.org_ref(asset.organisation),
        description=f"asset {asset.kind} {asset.value}",
    )


def require_listing(actor: Actor, action: str) -> Decision:
    """May ``actor`` list anything under ``action``? (Its own organisation is the least any
    grant reaches.) ``Refused`` naming the rule otherwise; the list is then cut to visibility."""
    own = Target(org=actor.org) if actor.org is not None else None
    return require(actor, action, own)


def get_asset_or_raise(*, session: Session, asset_id: str) -> Asset:
    found = session.get(Asset, asset_id)
    if found is None:
        raise NotFound(f"no asset {asset_id}")
    return found


def _find_product(session: Session, asset_id: str, name: ProductName) -> AssetProduct | None:
    return session.scalar(
        select(AssetProduct).where(
            AssetProduct.asset_id == asset_id,
            AssetProduct.vendor == name.vendor,
            AssetProduct.product == name.product,
            AssetProduct.version == name.version,
        )
    )


def add_product(
    *, session: Session, actor: Actor, asset_id: str, product_in: ProductCreate
) -> AssetProduct:
    """Record a product on an asset (operator staff their own; staff within visibility)."""
    asset = get_asset_or_raise(session=session, asset_id=asset_id)
    decision = require(actor, PRODUCTS_MANAGE, asset_target(asset))
    name = product_name(product_in)
    if _find_product(session, asset.id, name) is not None:
        raise Conflict(
            f"{name.vendor} {name.product} {name.version} is already recorded on {asset.value}",
            field="product",
        )
    row = AssetProduct(
        asset_id=asset.id,
        vendor=name.vendor,
        product=name.product,
        version=name.version,
        cpe=name.cpe,
    )
    row.asset = asset
    session.add(row)
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=PRODUCTS_MANAGE,
        target_type="asset_product",
        target_id=row.id,
        target_org_id=asset.org_id,
        after=row.state(),
        decision=decision,
        summary=f"recorded {name.vendor} {name.product} {name.version} on {asset.value}",
    )
    emit(
        session,
        PRODUCTS_CHANGED,
        {"asset_id": asset.id, "org_id": asset.org_id, "added": 1, "removed": 0},
    )
    return row


def remove_product(*, session: Session, actor: Actor, product_id: str) -> None:
    """Remove a product from its asset."""
    row = session.get(AssetProduct, product_id)
    if row is None:
        raise NotFound(f"no product {product_id}")
    asset = row.asset
    decision = require(actor, PRODUCTS_MANAGE, asset_target(asset))
    before = row.state()
    session.delete(row)
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=PRODUCTS_MANAGE,
        target_type="asset_product",
        target_id=product_id,
        target_org_id=asset.org_id,
        before=before,
        decision=decision,
        summary=f"removed {before['vendor']} {before['product']} {before['version']} "
        f"from {asset.value}",
    )
    emit(
        session,
        PRODUCTS_CHANGED,
        {"asset_id": asset.id, "org_id": asset.org_id, "added": 0, "removed": 1},
    )


def list_products(
    *, session: Session, actor: Actor, asset_id: str | None = None, org_id: str | None = None
) -> list[AssetProduct]:
    """Products on assets of organisations the actor may see (``monitoring.assets.view``)."""
    if asset_id is not None:
        asset = get_asset_or_raise(session=session, asset_id=asset_id)
        require(actor, ASSETS_VIEW, asset_target(asset))
    else:
        require_listing(actor, ASSETS_VIEW)
    scope = visibility(actor, ASSETS_VIEW)
    query = (
        select(AssetProduct)
        .join(AssetProduct.asset)
        .join(Asset.organisation)
        .where(accounts_service.visible_orgs_clause(scope))
        .order_by(
            Asset.kind, Asset.value, AssetProduct.vendor, AssetProduct.product, AssetProduct.version
        )
    )
    if asset_id is not None:
        query = query.where(AssetProduct.asset_id == asset_id)
    if org_id is not None:
        query = query.where(Asset.org_id == org_id)
    return list(session.scalars(query).unique())


def _asset_value(kind: str, value: str, index: int) -> str:
    if kind == "host":
        return value.strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_network(value.strip()))
    except ValueError as exc:
        raise Invalid(str(exc), field=f"rows[{index}].asset_value", rule="cidr") from None


def import_products(
    *, session: Session, actor: Actor, rows: Sequence[ProductRow]
) -> tuple[int, int]:
    """Record products on registered assets, all or nothing; one audit record.

    Each row names its asset by kind and value (the asset must be registered and within the
    actor's reach). A row naming a product already recorded changes nothing. Returns
    (added, unchanged).
    """
    if not rows:
        return 0, 0
    decision: Decision | None = None
    added = unchanged = 0
    orgs: set[str] = set()
    seen: set[tuple[str, str, str, str]] = set()
    for index, row in enumerate(rows):
        value = _asset_value(row.asset_kind, row.asset_value, index)
        asset = session.scalar(
            select(Asset).where(Asset.kind == row.asset_kind, Asset.value == value)
        )
        if asset is None:
            raise Invalid(
                f"no {row.asset_kind} asset {value!r} is registered",
                field=f"rows[{index}].asset_value",
                rule="registered-asset",
            )
        decision = require(actor, PRODUCTS_MANAGE, asset_target(asset))
        name = product_name(row, prefix=f"rows[{index}].")
        key = (asset.id, name.vendor, name.product, name.version)
        if key in seen or _find_product(session, asset.id, name) is not None:
            unchanged += 1
            continue
        seen.add(key)
        session.add(
            AssetProduct(
                asset_id=asset.id,
                vendor=name.vendor,
                product=name.product,
                version=name.version,
                cpe=name.cpe,
            )
        )
        orgs.add(asset.org_id)
        added += 1
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=PRODUCTS_MANAGE,
        target_type="asset_product",
        target_id=None,
        decision=decision,
        details={
            "rows": len(rows),
            "added": added,
            "unchanged": unchanged,
            "organisations": sorted(orgs),
        },
        summary=f"imported {len(rows)} asset product rows ({added} added)",
    )
    emit(
        session,
        PRODUCTS_CHANGED,
        {"asset_id": None, "org_ids": sorted(orgs), "added": added, "removed": 0},
    )
    return added, unchanged


# --- The catalogue ----------------------------------------------------------------------------


def require_import(actor: Actor) -> Decision:
    """May ``actor`` import into the catalogue? Only the national coordinator's and CERTs'
    administrators and analysts (and the system); ``Refused`` naming the rule otherwise."""
    decision = require(actor, IMPORT)
    if actor.kind is ActorKind.user and (actor.org is None or actor.org.kind not in IMPORTER_KINDS):
        org = actor.org.name if actor.org else "no organisation"
        raise Refused(
            f"the vulnerability catalogue is kept by the national coordinator and CERTs, not {org}",
            rule=IMPORT_RULE,
            article="Art. 51",
        )
    return decision


@dataclass
class ImportOutcome:
    """What an import did."""

    kind: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RecordError] = field(default_factory=list)
    catalog_version: str = ""


def _refuse_invalid(errors: Sequence[RecordError], skip_invalid: bool) -> None:
    if errors and not skip_invalid:
        first = errors[0]
        more = f" (and {len(errors) - 1} more invalid)" if len(errors) > 1 else ""
        raise Invalid(
            f"{first.ref}: {first.reason}{more}; nothing was imported",
            field=f"{first.ref}: {first.field}",
            rule=first.rule,
        )


def _existing(session: Session, cve_ids: Sequence[str]) -> dict[str, Vulnerability]:
    found: dict[str, Vulnerability] = {}
    for chunk in _chunks(cve_ids):
        for row in session.scalars(select(Vulnerability).where(Vulnerability.cve_id.in_(chunk))):
            found[row.cve_id] = row
    return found


def _record_import(
    session: Session, actor: Actor, decision: Decision, outcome: ImportOutcome, origin: str
) -> None:
    counts = {"new": outcome.new, "updated": outcome.updated, "unchanged": outcome.unchanged}
    audit_service.record(
        session=session,
        actor=actor,
        action=IMPORT,
        target_type="vulnerability_catalogue",
        target_id=None,
        decision=decision,
        details={
            "kind": outcome.kind,
            **counts,
            "skipped": len(outcome.skipped),
            "skipped_records": [s.as_dict() for s in outcome.skipped[:_AUDITED_SKIPS]],
            "catalog_version": outcome.catalog_version,
            "origin": origin[:200],
        },
        summary=f"imported {outcome.kind.upper()}: {outcome.new} new, {outcome.updated} updated, "
        f"{outcome.unchanged} unchanged, {len(outcome.skipped)} skipped "
        f"from {origin[:200]}",
    )
    emit(session, IMPORTED, {"kind": outcome.kind, **counts, "skipped": len(outcome.skipped)})


def import_cve_records(
    *, session: Session, actor: Actor, parsed: ParsedCves, origin: str, skip_invalid: bool = False
) -> ImportOutcome:
    """Upsert CVE JSON 5 records by CVE id in the caller's transaction; one audit record.

    Any invalid record refuses the whole import (``Invalid`` naming the first, nothing
    changes) unless ``skip_invalid``: then the valid ones are imported and the others listed.
    A record whose content is what is stored already counts as unchanged. KEV flags stay.
    """
    decision = require_import(actor)
    _refuse_invalid(parsed.errors, skip_invalid)
    outcome = ImportOutcome(kind="cve", skipped=list(parsed.errors))
    records = {r.cve_id: r for r in parsed.records}  # the last of duplicates wins
    existing = _existing(session, sorted(records))
    replaced: list[str] = []
    products: list[dict[str, Any]] = []
    for cve_id, record in records.items():
        digest = record.digest()
        row = existing.get(cve_id)
        if row is not None and row.has_record and row.record_digest == digest:
            outcome.unchanged += 1
            continue
        if row is None:
            row = Vulnerability(id=new_id(), cve_id=cve_id, is_kev=False, kev_ransomware=False)
            session.add(row)
            outcome.new += 1
        else:
            replaced.append(row.id)
            outcome.updated += 1
        row.has_record, row.state, row.title = True, record.state, record.title
        row.date_published, row.date_updated = record.date_published, record.date_updated
        row.cvss_score, row.cvss_version = record.cvss_score, record.cvss_version
        row.record_digest = digest
        if record.state != "PUBLISHED":
            continue  # a rejected record keeps no affected products: it never matches
        for entry in record.affected:
            data = entry.as_dict()
            products += [
                {
                    "id": new_id(),
                    "vulnerability_id": row.id,
                    "vendor": vendor[:200],
                    "product": product[:200],
                    "entry": data,
                }
                for vendor, product in sorted(entry.keys())
            ]
    session.flush()
    for chunk in _chunks(replaced):
        session.execute(
            delete(VulnerabilityProduct).where(VulnerabilityProduct.vulnerability_id.in_(chunk))
        )
    for batch in _chunks(products, 2000):
        session.execute(insert(VulnerabilityProduct), list(batch))
    _record_import(session, actor, decision, outcome, origin)
    return outcome


def import_kev(
    *, session: Session, actor: Actor, parsed: ParsedKev, origin: str, skip_invalid: bool = False
) -> ImportOutcome:
    """Flag the catalogue's CVEs as known exploited (KEV), upserting by CVE id; one audit record.

    A CVE without a record yet is kept as a KEV-only entry (it matches on the KEV's vendor
    and product, version not checked). Entries absent from this file keep their flag: CISA
    removes entries rarely, and a partial file must not clear the rest.
    """
    decision = require_import(actor)
    _refuse_invalid(parsed.errors, skip_invalid)
    outcome = ImportOutcome(
        kind="kev", skipped=list(parsed.errors), catalog_version=parsed.catalog_version
    )
    entries = {e.cve_id: e for e in parsed.entries}
    existing = _existing(session, sorted(entries))
    for cve_id, entry in entries.items():
        data = entry.as_dict()
        row = existing.get(cve_id)
        if row is not None and row.is_kev and row.kev == data:
            outcome.unchanged += 1
            continue
        if row is None:
            row = Vulnerability(
                id=new_id(), cve_id=cve_id, has_record=False, state="PUBLISHED", title=entry.name
            )
            session.add(row)
            outcome.new += 1
        else:
            outcome.updated += 1
            if not row.has_record:
                row.title = entry.name
        vendor, product = entry.key()
        row.is_kev, row.kev = True, data
        row.kev_vendor, row.kev_product = vendor[:200], product[:200]
        row.kev_date_added, row.kev_due_date = entry.date_added, entry.due_date
        row.kev_ransomware = entry.ransomware
    session.flush()
    _record_import(session, actor, decision, outcome, origin)
    return outcome


def list_vulnerabilities(
    session: Session,
    actor: Actor,
    *,
    kev_only: bool = False,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Vulnerability], int]:
    """A page of the catalogue, newest first, and how many match. ``q``: part of the CVE id
    or title (case-insensitive)."""
    require(actor, VIEW)
    query = select(Vulnerability)
    if kev_only:
        query = query.where(Vulnerability.is_kev)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Vulnerability.cve_id).like(pattern),
                func.lower(Vulnerability.title).like(pattern),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(Vulnerability.cve_id.desc()).limit(limit).offset(offset))
    return list(page), total


def get_vulnerability(session: Session, actor: Actor, cve_id: str) -> Vulnerability:
    """One CVE of the catalogue; ``NotFound`` otherwise."""
    require(actor, VIEW)
    found = session.scalar(select(Vulnerability).where(Vulnerability.cve_id == cve_id.upper()))
    if found is None:
        raise NotFound(f"no vulnerability {cve_id} in the catalogue")
    return found


# --- Matching and exposure --------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One vulnerable product on one asset."""

    org_id: str
    asset_id: str
    asset_kind: str
    asset_value: str
    product_id: str
    vendor: str
    product: str
    version: str
    cve_id: str
    status: str  # affected, unknown, version_not_checked
    kev: bool
    ransomware: bool
    cvss: float | None
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "org_id"}


@dataclass(frozen=True)
class OperatorExposure:
    """An operator's exposure score and the matches behind it."""

    org_id: str
    org_name: str
    score: float
    matches: tuple[Match, ...]

    @property
    def cves(self) -> list[str]:
        return sorted({m.cve_id for m in self.matches})

    @property
    def kev_cves(self) -> list[str]:
        return sorted({m.cve_id for m in self.matches if m.kev})


@dataclass(frozen=True)
class _Product:
    id: str
    org_id: str
    asset_id: str
    asset_kind: str
    asset_value: str
    vendor: str
    product: str
    version: str
    keys: frozenset[tuple[str, str]]


def _products(session: Session, org_ids: Iterable[str] | None) -> list[_Product]:
    query = select(
        AssetProduct.id,
        Asset.org_id,
        Asset.id,
        Asset.kind,
        Asset.value,
        AssetProduct.vendor,
        AssetProduct.product,
        AssetProduct.version,
        AssetProduct.cpe,
    ).join(Asset, AssetProduct.asset_id == Asset.id)
    rows: list[Any] = []
    if org_ids is None:
        rows = list(session.execute(query))
    else:
        for chunk in _chunks(sorted(set(org_ids))):
            rows += list(session.execute(query.where(Asset.org_id.in_(chunk))))
    found = []
    for pid, org_id, asset_id, kind, value, vendor, product, version, cpe_text in rows:
        keys = {(vendor, product)}
        identity = cve.cpe_identity(cpe_text) if cpe_text else None
        if identity is not None:
            keys.add(identity)
        found.append(
            _Product(pid, org_id, asset_id, kind, value, vendor, product, version, frozenset(keys))
        )
    return found


_RANK = {"affected": 3, "unknown": 2, "version_not_checked": 1}


def _is_kev(row: Vulnerability, now: datetime) -> bool:
    return bool(row.is_kev) and (row.kev_date_added is None or row.kev_date_added <= now.date())


Candidates = dict[tuple[str, str], tuple[str, Vulnerability]]  # (product id, cve) -> status


def _offer(best: Candidates, item: _Product, status: str, row: Vulnerability) -> None:
    old = best.get((item.id, row.cve_id))
    if old is None or _RANK[status] > _RANK[old[0]]:
        best[(item.id, row.cve_id)] = (status, row)


def _record_candidates(
    session: Session,
    now: datetime,
    chunk: Sequence[tuple[str, str]],
    by_key: dict[tuple[str, str], list[_Product]],
    best: Candidates,
) -> None:
    published = or_(Vulnerability.date_published.is_(None), Vulnerability.date_published <= now)
    query = (
        select(
            VulnerabilityProduct.vendor,
            VulnerabilityProduct.product,
            VulnerabilityProduct.entry,
            Vulnerability,
        )
        .join(Vulnerability, VulnerabilityProduct.vulnerability_id == Vulnerability.id)
        .where(tuple_(VulnerabilityProduct.vendor, VulnerabilityProduct.product).in_(chunk))
        .where(Vulnerability.state == "PUBLISHED", Vulnerability.has_record, published)
    )
    for vendor, product, entry_data, row in session.execute(query):
        entry = Affected.from_dict(entry_data)
        for item in by_key[(vendor, product)]:
            verdict = cve.entry_status(entry, item.version or None)
            if verdict in (Verdict.affected, Verdict.unknown):
                _offer(best, item, verdict.value, row)


def _kev_only_candidates(
    session: Session,
    now: datetime,
    chunk: Sequence[tuple[str, str]],
    by_key: dict[tuple[str, str], list[_Product]],
    best: Candidates,
) -> None:
    query = (
        select(Vulnerability)
        .where(Vulnerability.is_kev, Vulnerability.has_record.is_(False))
        .where(tuple_(Vulnerability.kev_vendor, Vulnerability.kev_product).in_(chunk))
    )
    for row in session.scalars(query):
        if _is_kev(row, now):
            for item in by_key[(row.kev_vendor or "", row.kev_product or "")]:
                _offer(best, item, "version_not_checked", row)


def _match(item: _Product, status: str, row: Vulnerability, now: datetime) -> Match:
    kev = _is_kev(row, now)
    ransomware = kev and bool(row.kev_ransomware)
    weight = packaged_weights().of(
        status=status, kev=kev, ransomware=ransomware, cvss=row.cvss_score
    )
    return Match(
        org_id=item.org_id,
        asset_id=item.asset_id,
        asset_kind=item.asset_kind,
        asset_value=item.asset_value,
        product_id=item.id,
        vendor=item.vendor,
        product=item.product,
        version=item.version,
        cve_id=row.cve_id,
        status=status,
        kev=kev,
        ransomware=ransomware,
        cvss=row.cvss_score,
        weight=round(weight, 6),
    )


def find_matches(
    session: Session, now: datetime, org_ids: Iterable[str] | None = None
) -> list[Match]:
    """Every (product, CVE) pair where the CVE concerns the product at ``now``: the record's
    ``affected[]`` says its version is affected (or may be: ``unknown``), or the KEV lists
    its vendor and product and no CVE record exists (``version_not_checked``). CVEs published
    after ``now``, and KEV listings added after it, do not count yet."""
    products = _products(session, org_ids)
    by_key: dict[tuple[str, str], list[_Product]] = defaultdict(list)
    for item in products:
        for key in item.keys:
            by_key[key].append(item)
    best: Candidates = {}
    for chunk in _chunks(sorted(by_key)):
        _record_candidates(session, now, chunk, by_key, best)
        _kev_only_candidates(session, now, chunk, by_key, best)
    items = {item.id: item for item in products}
    return [
        _match(items[product_id], status, row, now)
        for (product_id, _cve_id), (status, row) in sorted(best.items())
    ]


def exposure_by_operator(
    session: Session, now: datetime | None = None, *, org_ids: Iterable[str] | None = None
) -> dict[str, OperatorExposure]:
    """Each organisation with a vulnerable product: its exposure score (the sum over its
    distinct CVEs of each one's highest weight) and the matches. No authority check: the
    risk model's input; people read ``exposures``."""
    at = clock.as_utc(now) if now else clock.now()
    by_org: dict[str, list[Match]] = defaultdict(list)
    for match in find_matches(session, at, org_ids):
        by_org[match.org_id].append(match)
    query = select(Organisation.id, Organisation.name_en).where(Organisation.id.in_(list(by_org)))
    names = dict(session.execute(query).all()) if by_org else {}
    found = {}
    for org_id, matches in by_org.items():
        per_cve: dict[str, float] = {}
        for match in matches:
            per_cve[match.cve_id] = max(per_cve.get(match.cve_id, 0.0), match.weight)
        found[org_id] = OperatorExposure(
            org_id, names.get(org_id, ""), round(sum(per_cve.values()), 6), tuple(matches)
        )
    return found


def exposures(
    session: Session, actor: Actor, *, org_id: str | None = None
) -> list[OperatorExposure]:
    """Exposure of the organisations the actor may see (or of ``org_id``), highest first."""
    if org_id is not None:
        org = accounts_service.get_or_raise(session=session, org_id=org_id)
        require(actor, EXPOSURES_VIEW, Target(org=accounts_service.org_ref(org)))
        ids: list[str] | None = [org.id]
    else:
        require_listing(actor, EXPOSURES_VIEW)
        scope = visibility(actor, EXPOSURES_VIEW)
        ids = accounts_service.visible_org_ids(session=session, scope=scope)
    found = exposure_by_operator(session, org_ids=ids)
    return sorted(found.values(), key=lambda e: (-e.score, e.org_name))
