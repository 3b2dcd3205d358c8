"""The asset registry: CIDR ranges and host names -> operator -> sector, region, CII flag."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Target, VisibilityScope, require
from fenghuo.bus.outbox import emit
from fenghuo.monitoring.models import Asset
from fenghuo.monitoring.schema import NormalisedEvent, Owner
from fenghuo.monitoring.schemas import AssetCreate

MANAGE = "monitoring.assets.manage"
CIDR, HOST = "cidr", "host"
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def owner_of(org: Organisation) -> Owner:
    """What an event learns about the organisation it belongs to."""
    return Owner(
        org_id=org.id,
        org_name=org.name_en,
        sector=org.sector_code,
        region=org.region_code,
        is_cii=org.is_cii,
    )


@dataclass(frozen=True)
class AssetIndex:
    """Registry lookups: most specific range first; host names whole or by their first label."""

    networks: tuple[tuple[IpNetwork, Owner], ...]
    hosts: dict[str, Owner]

    @classmethod
    def load(cls, session: Session) -> AssetIndex:
        """The whole registry, read once (per batch)."""
        networks: list[tuple[IpNetwork, Owner]] = []
        hosts: dict[str, Owner] = {}
        for asset in session.scalars(select(Asset)):
            owner = owner_of(asset.organisation)
            if asset.kind == CIDR:
                networks.append((ipaddress.ip_network(asset.value), owner))
            else:
                hosts[asset.value] = owner
        networks.sort(key=lambda entry: entry[0].prefixlen, reverse=True)
        return cls(tuple(networks), hosts)

    def by_ip(self, text: str | None) -> Owner | None:
        """The owner of the most specific range holding the address, if any."""
        if not text or not self.networks:
            return None
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError:
            return None
        for network, owner in self.networks:
            if address.version == network.version and address in network:
                return owner
        return None

    def by_host(self, name: str | None) -> Owner | None:
        """The owner of a host name (``ws1.example.cn`` also matches a registered ``ws1``)."""
        if not name or not self.hosts:
            return None
        lowered = name.strip().lower().rstrip(".")
        return self.hosts.get(lowered) or self.hosts.get(lowered.split(".", 1)[0])

    def enrich(self, events: Iterable[NormalisedEvent]) -> list[NormalisedEvent]:
        """Each event with its owner: by host, else by source address, else by destination."""
        if not self.networks and not self.hosts:
            return list(events)
        enriched = []
        for event in events:
            owner = (
                self.by_host(event.host)
                or self.by_ip(event.network.src_ip)
                or self.by_ip(event.network.dst_ip)
            )
            enriched.append(dataclasses.replace(event, owner=owner) if owner else event)
        return enriched


def list_(*, session: Session, scope: VisibilityScope, limit: int = 1000) -> list[Asset]:
    """Assets of organisations within ``scope``."""
    query = (
        select(Asset)
        .join(Asset.organisation)
        .where(accounts_service.visible_orgs_clause(scope))
        .order_by(Asset.kind, Asset.value)
    )
    return list(session.scalars(query.limit(limit)).unique())


def import_assets(*, session: Session, actor: Actor, rows: list[AssetCreate]) -> int:
    """Add or re-assign registry entries (each org within the actor's reach); one audit record."""
    if not rows:
        return 0
    decision = None
    changed = 0
    for row in rows:
        org = accounts_service.get_or_raise(session=session, org_id=row.org_id)
        decision = require(actor, MANAGE, Target(org=accounts_service.org_ref(org)))
        kind, value = (CIDR, str(row.cidr)) if row.cidr is not None else (HOST, row.host or "")
        asset = session.scalar(select(Asset).where(Asset.kind == kind, Asset.value == value))
        if asset is None:
            session.add(Asset(org_id=org.id, kind=kind, value=value, description=row.description))
            changed += 1
        elif (asset.org_id, asset.description) != (org.id, row.description):
            asset.org_id, asset.description = org.id, row.description
            changed += 1
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="asset_registry",
        target_id=None,
        decision=decision,
        details={"rows": len(rows), "changed": changed},
        summary=f"imported {len(rows)} asset registry rows ({changed} added or changed)",
    )
    emit(session, "monitoring.assets.imported", {"rows": len(rows), "changed": changed})
    return changed
