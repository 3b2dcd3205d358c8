"""Indicator sets in the database: reads, the live matcher, and the audited import flow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import service as accounts_service
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Target, VisibilityScope, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Invalid, NotFound
from fenghuo.monitoring import indicators
from fenghuo.monitoring.indicators import (
    DEFAULT_TLP,
    ImportFile,
    IndicatorHit,
    IndicatorType,
    LiveIndicator,
    Matcher,
    Skipped,
    Tlp,
)
from fenghuo.monitoring.indicators_models import Indicator, IndicatorSet
from fenghuo.monitoring.schema import (
    COLUMN,
    Dns,
    EventBatch,
    File,
    Http,
    Network,
    NormalisedEvent,
    Process,
)

VIEW = "monitoring.indicators.view"
MANAGE = "monitoring.indicators.manage"
IMPORTED = "monitoring.indicators.imported"


def set_target(indicator_set: IndicatorSet) -> Target:
    """The authority target of a set: its owner organisation."""
    return Target(
        org=accounts_service.org_ref(indicator_set.owner),
        description=f"indicator set {indicator_set.name}",
    )


def live_matcher(session: Session, *, at: datetime | None = None) -> Matcher:
    """A matcher of every indicator valid at ``at`` (now): started and not expired."""
    at = at or clock.now()
    rows = session.execute(
        select(
            Indicator.id,
            Indicator.set_id,
            IndicatorSet.name,
            Indicator.type,
            Indicator.value,
            Indicator.tlp,
        )
        .join(IndicatorSet, Indicator.set_id == IndicatorSet.id)
        .where(Indicator.valid_from <= at)
        .where(or_(Indicator.valid_until.is_(None), Indicator.valid_until > at))
    )
    return _matcher(tuple(tuple(row) for row in rows))


@lru_cache(maxsize=2)
def _matcher(rows: tuple[tuple[str, ...], ...]) -> Matcher:
    # Built once per distinct set of live indicators (keyed by their very rows), not per batch.
    return Matcher(
        LiveIndicator(
            id=row[0],
            set_id=row[1],
            set_name=row[2],
            type=IndicatorType(row[3]),
            value=row[4],
            tlp=Tlp(row[5]),
        )
        for row in rows
    )


_CANDIDATES = itemgetter(
    *(
        COLUMN[name]
        for name in (
            "network_src_ip",
            "network_dst_ip",
            "dns_query",
            "http_host",
            "http_url",
            "process_hashes",
            "file_hashes",
        )
    )
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _hash_fields(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Of a shape of field names, those the matcher reads hashes from."""
    return tuple(key for key in keys if indicators._HASH_FIELD.search(key))


def _probe(values: tuple[Any, ...], hash_fields: tuple[tuple[str, str], ...]) -> NormalisedEvent:
    """An event holding only what the matcher looks at."""
    src_ip, dst_ip, query, host, url, process_hashes, file_hashes = values
    return NormalisedEvent(
        event_id="",
        time=_EPOCH,
        received_at=_EPOCH,
        source="",
        format="",
        fields=dict(hash_fields),
        raw="",
        network=Network(src_ip=src_ip, dst_ip=dst_ip),
        dns=Dns(query=query),
        http=Http(host=host, url=url),
        process=Process(hashes=process_hashes),
        file=File(hashes=file_hashes),
    )


def annotate_batch(matcher: Matcher, batch: EventBatch) -> None:
    """``matcher.annotate`` in place on a batch: each distinct set of candidates matched once.

    The matcher reads an event's addresses, DNS query, HTTP host and URL, hashes and the
    string fields named like hashes; events alike in those share their hits.
    """
    if not len(matcher):
        return
    shapes: dict[tuple[str, ...], tuple[str, ...]] = {}
    found: dict[tuple[Any, ...], tuple[IndicatorHit, ...]] = {}
    for number, (row, fields) in enumerate(zip(batch.rows, batch.fields, strict=True)):
        keys = tuple(fields)
        names = shapes.get(keys)
        if names is None:
            names = shapes[keys] = _hash_fields(keys)
        hash_fields = (
            tuple((name, value) for name in names if isinstance(value := fields[name], str))
            if names
            else ()
        )
        key = (_CANDIDATES(row), hash_fields)
        hits = found.get(key)
        if hits is None:
            hits = found[key] = tuple(matcher.match_event(_probe(*key)))
        batch.hits[number] = hits


def list_sets(*, session: Session, scope: VisibilityScope) -> list[tuple[IndicatorSet, int, int]]:
    """Sets owned by organisations within ``scope``, with their indicator and live counts."""
    now = clock.now()
    total = func.count(Indicator.id)
    live = func.count(Indicator.id).filter(
        Indicator.valid_from <= now,
        or_(Indicator.valid_until.is_(None), Indicator.valid_until > now),
    )
    query = (
        select(IndicatorSet, total, live)
        .join(IndicatorSet.owner)
        .outerjoin(Indicator, Indicator.set_id == IndicatorSet.id)
        .where(accounts_service.visible_orgs_clause(scope))
        .group_by(IndicatorSet.id)
        .order_by(IndicatorSet.name)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query).unique()]


def get_set_or_raise(*, session: Session, set_id: str) -> IndicatorSet:
    """The set with ``set_id``; ``NotFound`` otherwise."""
    found = session.get(IndicatorSet, set_id)
    if found is None:
        raise NotFound(f"no indicator set {set_id}")
    return found


def list_indicators(
    *, session: Session, set_id: str, limit: int, offset: int
) -> tuple[list[Indicator], int]:
    """A page of a set's indicators, by type and value, and how many there are."""
    query = select(Indicator).where(Indicator.set_id == set_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Indicator.type, Indicator.value).limit(limit).offset(offset)
    )
    return list(page), total


@dataclass
class Imported:
    """What an import did."""

    indicator_set: IndicatorSet
    created: bool
    added: int = 0
    updated: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def import_indicators(
    *,
    session: Session,
    actor: Actor,
    set_name: str,
    owner_org_id: str | None,
    parsed: ImportFile,
    origin: str,
    tlp: Tlp | None = None,
    expires: datetime | None = None,
    source: str | None = None,
    description: str | None = None,
) -> Imported:
    """Add or refresh a set's indicators in the caller's transaction; one audit record.

    The set is created when its name is new (``owner_org_id`` is then required). Its TLP is
    ``tlp`` if given, else (for a new set) the strictest marking in the file, else AMBER.
    Each indicator keeps its own marking when the file gave one, else the set's. ``expires``
    applies to indicators the file gave no expiry. An indicator already in the set (same
    type and value) is refreshed with the file's validity and details.
    """
    indicator_set = session.scalar(select(IndicatorSet).where(IndicatorSet.name == set_name))
    created = indicator_set is None
    if indicator_set is None:
        if owner_org_id is None:
            raise Invalid(
                f"the set {set_name!r} is new: name its owner organisation",
                field="owner_org_id",
                rule="missing",
            )
        org = accounts_service.get_or_raise(session=session, org_id=owner_org_id)
        decision = require(actor, MANAGE, Target(org=accounts_service.org_ref(org)))
        indicator_set = IndicatorSet(
            name=set_name,
            owner_org_id=org.id,
            tlp=(tlp or indicators.strictest(parsed.markings) or DEFAULT_TLP).value,
            source=source or "",
            description=description or "",
        )
        indicator_set.owner = org
        session.add(indicator_set)
        session.flush()
        before = None
    else:
        decision = require(actor, MANAGE, set_target(indicator_set))
        before = indicator_set.state()
        if tlp is not None:
            indicator_set.tlp = tlp.value
        if source is not None:
            indicator_set.source = source
        if description is not None:
            indicator_set.description = description
    result = Imported(indicator_set=indicator_set, created=created, skipped=parsed.skipped)
    now = clock.now()
    existing = {
        (row.type, row.value): row
        for row in session.scalars(select(Indicator).where(Indicator.set_id == indicator_set.id))
    }
    for item in parsed.indicators:
        values = {
            "valid_from": item.valid_from or now,
            "valid_until": item.valid_until or expires,
            "confidence": item.confidence,
            "description": item.description,
            "stix_id": item.stix_id,
            "tlp": (item.tlp or Tlp(indicator_set.tlp)).value,
        }
        row = existing.get((item.type.value, item.value))
        if row is None:
            row = Indicator(set_id=indicator_set.id, type=item.type.value, value=item.value)
            session.add(row)
            existing[(row.type, row.value)] = row
            result.added += 1
        else:
            result.updated += 1
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    summary = (
        f"imported {result.added} new and {result.updated} refreshed indicators into "
        f"{indicator_set.name} ({len(result.skipped)} skipped) from {origin[:200]}"
    )
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="indicator_set",
        target_id=indicator_set.id,
        target_org_id=indicator_set.owner_org_id,
        before=before,
        after=indicator_set.state(),
        decision=decision,
        details={
            "set": indicator_set.name,
            "added": result.added,
            "updated": result.updated,
            "skipped": [{"ref": s.ref, "reason": s.reason} for s in result.skipped[:100]],
            "origin": origin[:200],
        },
        summary=summary,
    )
    emit(
        session,
        IMPORTED,
        {
            "set_id": indicator_set.id,
            "set": indicator_set.name,
            "added": result.added,
            "updated": result.updated,
            "skipped": len(result.skipped),
        },
    )
    return result
