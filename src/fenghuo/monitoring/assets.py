"""The asset registry: CIDR ranges and host names -> operator -> sector, region, CII flag."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Target, VisibilityScope, require
from fenghuo.bus.outbox import emit
from fenghuo.monitoring.models import Asset
from fenghuo.monitoring.schema import COLUMN, EventBatch, NormalisedEvent, Owner
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


_OWNER_COLUMNS = tuple(COLUMN[f"owner_{f.name}"] for f in dataclasses.fields(Owner))
_HOST, _SRC_IP, _DST_IP = COLUMN["host"], COLUMN["network_src_ip"], COLUMN["network_dst_ip"]


@lru_cache(maxsize=65536)
def _network(value: str) -> IpNetwork:
    # The registry is read for every batch; its ranges need parsing only once.
    return ipaddress.ip_network(value)


@dataclass(frozen=True)
class AssetIndex:
    """Registry lookups: most specific range first; host names whole or by their first label.

    Ranges are kept by (IP version, prefix length), longest prefix first, each a dictionary
    from network number to owner: an address is masked once per prefix length in use.
    """

    networks: tuple[tuple[IpNetwork, Owner], ...]
    hosts: dict[str, Owner]
    _ranges: tuple[tuple[int, int, int, dict[int, Owner]], ...] = dataclasses.field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        ranges: dict[tuple[int, int], dict[int, Owner]] = {}
        for network, owner in self.networks:  # most specific first: the first entry wins
            found = ranges.setdefault((network.version, network.prefixlen), {})
            found.setdefault(int(network.network_address), owner)
        masks = []
        for (version, prefix), by_number in sorted(ranges.items(), key=lambda e: -e[0][1]):
            bits = 32 if version == 4 else 128
            masks.append((version, prefix, ((1 << prefix) - 1) << (bits - prefix), by_number))
        object.__setattr__(self, "_ranges", tuple(masks))

    @classmethod
    def load(cls, session: Session) -> AssetIndex:
        """The whole registry, read once (per batch): one query, one ``Owner`` per organisation."""
        networks: list[tuple[IpNetwork, Owner]] = []
        hosts: dict[str, Owner] = {}
        owners: dict[str, Owner] = {}
        query = select(
            Asset.kind,
            Asset.value,
            Organisation.id,
            Organisation.name_en,
            Organisation.sector_code,
            Organisation.region_code,
            Organisation.is_cii,
        ).join(Asset.organisation)
        for kind, value, org_id, name, sector, region, is_cii in session.execute(query):
            owner = owners.get(org_id)
            if owner is None:
                owner = owners[org_id] = Owner(org_id, name, sector, region, is_cii)
            if kind == CIDR:
                networks.append((_network(value), owner))
            else:
                hosts[value] = owner
        networks.sort(key=lambda entry: entry[0].prefixlen, reverse=True)
        return cls(tuple(networks), hosts)

    def by_ip(self, text: str | None) -> Owner | None:
        """The owner of the most specific range holding the address, if any."""
        if not text or not self._ranges:
            return None
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError:
            return None
        number = int(address)
        for version, _prefix, mask, by_number in self._ranges:
            if version == address.version:
                owner = by_number.get(number & mask)
                if owner is not None:
                    return owner
        return None

    def by_host(self, name: str | None) -> Owner | None:
        """The owner of a host name (``ws1.example.cn`` also matches a registered ``ws1``)."""
        if not name or not self.hosts:
            return None
        lowered = name.strip().lower().rstrip(".")
        return self.hosts.get(lowered) or self.hosts.get(lowered.split(".", 1)[0])

    def owner(self, host: str | None, src_ip: str | None, dst_ip: str | None) -> Owner | None:
        """By host, else by source address, else by destination."""
        return self.by_host(host) or self.by_ip(src_ip) or self.by_ip(dst_ip)

    def enrich(self, events: Iterable[NormalisedEvent]) -> list[NormalisedEvent]:
        """Each event with its owner: by host, else by source address, else by destination."""
        if not self.networks and not self.hosts:
            return list(events)
        enriched = []
        for event in events:
            owner = self.owner(event.host, event.network.src_ip, event.network.dst_ip)
            enriched.append(dataclasses.replace(event, owner=owner) if owner else event)
        return enriched

    def enrich_batch(self, batch: EventBatch) -> None:
        """``enrich`` in place on a batch's rows; each distinct (host, addresses) looked up once."""
        if not self.networks and not self.hosts:
            return
        found: dict[tuple[str | None, str | None, str | None], tuple[Any, ...] | None] = {}
        for row in batch.rows:
            key = (row[_HOST], row[_SRC_IP], row[_DST_IP])
            if key in found:
                values = found[key]
            else:
                owner = self.owner(*key)
                values = found[key] = dataclasses.astuple(owner) if owner else None
            if values is not None:
                for index, value in zip(_OWNER_COLUMNS, values, strict=True):
                    row[index] = value


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
