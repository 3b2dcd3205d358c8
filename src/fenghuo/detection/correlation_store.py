"""Correlation rules across ingest batches: pending hits live in ``detection_correlation_hit``.

Per batch, in the batch's transaction (``flows.process_batch``):

1. the matches of rules that feed correlations become hits (group-by values from the event's
   original fields, the event's normalised time, the counted value);
2. on PostgreSQL a transaction-scoped advisory lock per correlation serialises the workers
   that touch it (SQLite serialises whole batches on the batch marker's write already);
3. each touched group's stored hits are read, merged with the new ones and evaluated from
   scratch in time order with ``correlation.run``, so the order batches arrive in does not
   change the outcome; windows of bounded conditions whose end the batch's newest event has
   passed are closed;
4. hits that fired are deleted (consumed), new hits still pending are inserted, and hits
   older than the batch's newest event by more than the timespan are retired.

Redelivery: a batch already marked is skipped before any of this, and a rolled-back batch
leaves no hit behind, so every correlation match is stored once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from fenghuo.detection import correlation as corr
from fenghuo.detection.correlation_models import CorrelationHit
from fenghuo.detection.engine import ActiveCorrelation, Engine, Match

_META = (
    "host",
    "source",
    "owner_org_id",
    "owner_org_name",
    "owner_sector",
    "owner_region",
    "owner_is_cii",
)
_CHUNK = 500


@dataclass(frozen=True)
class Completed:
    """A correlation matched; ``meta`` describes the completing event (host, owner, ...)."""

    active: ActiveCorrelation
    group: tuple[str, ...]
    fired: corr.Fired
    meta: Mapping[str, Any]


def rule_key(engine: Engine, index: int) -> str:
    """The stored key of a rule (as detection.rule_id)."""
    rule = engine.rules[index]
    return (rule.id or f"title:{rule.title}")[:100]


def group_key(group: Sequence[str]) -> str:
    """A fixed-width key for a tuple of group-by values."""
    return hashlib.sha256(orjson.dumps(list(group))).hexdigest()


def _new_hits(
    engine: Engine,
    events: Sequence[Mapping[str, Any]],
    flat: Sequence[Mapping[str, Any]],
    matches: Iterable[Match],
) -> dict[tuple[int, tuple[str, ...]], dict[tuple[int, str], corr.Hit]]:
    """The batch's hits per (correlation position, group), one per (ref, event)."""
    found: dict[tuple[int, tuple[str, ...]], dict[tuple[int, str], corr.Hit]] = defaultdict(dict)
    for match in matches:
        feeds = engine.feeds.get(match.rule)
        if not feeds:
            continue
        row = events[match.event]
        for position, ref in feeds:
            correlation = engine.correlations[position].correlation
            group = correlation.group_of(flat[match.event], ref)
            if group is None:
                continue
            value = correlation.value_of(flat[match.event], ref)
            meta = {name: row.get(name) for name in _META}
            hit = corr.Hit(row["time"], row["event_id"], ref, (row["event_id"], meta), value)
            found[(position, group)][(ref, row["event_id"])] = hit
    return found


def _lock(session: Session, keys: Iterable[str]) -> None:
    """Serialise workers per correlation until commit (PostgreSQL; SQLite locks the file)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):  # one order everywhere: no deadlock between workers
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"fenghuo.correlation:{key}"},
        )


def _stored(session: Session, key: str, groups: Sequence[str]) -> list[CorrelationHit]:
    rows: list[CorrelationHit] = []
    for start in range(0, len(groups), _CHUNK):
        chunk = groups[start : start + _CHUNK]
        rows.extend(
            session.scalars(
                select(CorrelationHit).where(
                    CorrelationHit.correlation_id == key, CorrelationHit.group_key.in_(chunk)
                )
            )
        )
    return rows


def _due_keys(session: Session, key: str, before: datetime) -> list[str]:
    """Groups of a bounded correlation whose oldest pending hit is older than ``before``."""
    return list(
        session.scalars(
            select(CorrelationHit.group_key)
            .where(CorrelationHit.correlation_id == key)
            .group_by(CorrelationHit.group_key)
            .having(func.min(CorrelationHit.event_time) < before)
        )
    )


def _readers(engine: Engine, positions: Iterable[int]) -> set[int]:
    """The given correlations and every correlation that reads them, transitively."""
    found = set(positions)
    todo = list(found)
    while todo:
        rule = engine.correlations[todo.pop()].rule
        for parent, _ in engine.feeds.get(rule, ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def _touched(
    engine: Engine, new: Mapping[tuple[int, tuple[str, ...]], object]
) -> dict[int, dict[str, tuple[str, ...] | None]]:
    """Groups to evaluate per correlation: those with new hits (bounded ones: maybe none)."""
    touched: dict[int, dict[str, tuple[str, ...] | None]] = defaultdict(dict)
    for position, group in new:
        touched[position][group_key(group)] = group
    for position, active in enumerate(engine.correlations):
        if not active.correlation.rising:
            touched.setdefault(position, {})
    return touched


def correlate(
    session: Session,
    engine: Engine,
    events: Sequence[Mapping[str, Any]],
    flat: Sequence[Mapping[str, Any]],
    matches: Sequence[Match],
    *,
    batch_id: str,
) -> list[Completed]:
    """Add the batch's hits to the stored windows; every correlation it completes.

    Correlations run in the engine's order; a match of one is a hit, on its completing
    event, for those that reference it (when that event is in this batch: its fields give
    the group).
    """
    if not engine.correlations or not events:
        return []
    new = _new_hits(engine, events, flat, matches)
    fields = {row["event_id"]: flat[i] for i, row in enumerate(events)}
    newest = max(row["time"] for row in events)
    touched = _touched(engine, new)
    locked = _readers(engine, touched)
    _lock(session, (rule_key(engine, engine.correlations[p].rule) for p in locked))
    completed: list[Completed] = []
    for position, active in enumerate(engine.correlations):
        if position not in touched:
            continue
        key = rule_key(engine, active.rule)
        groups = touched[position]
        if not active.correlation.rising:
            for due in _due_keys(session, key, newest - active.correlation.span):
                groups.setdefault(due, None)
        found = _evaluate(session, active, key, groups, new, position, batch_id, newest)
        for item in found:
            for parent, group in _chain(engine, item, fields, new):
                touched[parent][group_key(group)] = group
        completed += found
        session.execute(
            delete(CorrelationHit).where(
                CorrelationHit.correlation_id == key,
                CorrelationHit.event_time < newest - active.correlation.span,
            )
        )
    return completed


def _chain(
    engine: Engine,
    item: Completed,
    fields: Mapping[str, Mapping[str, Any]],
    new: dict[tuple[int, tuple[str, ...]], dict[tuple[int, str], corr.Hit]],
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Hits of a correlation match for the correlations that reference it."""
    done = item.fired.completing
    event_id, meta = done.event
    event = fields.get(event_id)
    if event is None:
        return
    for parent, ref in engine.feeds.get(item.active.rule, ()):
        correlation = engine.correlations[parent].correlation
        group = correlation.group_of(event, ref)
        if group is None:
            continue
        value = correlation.value_of(event, ref)
        hit = corr.Hit(done.time, event_id, ref, (event_id, meta), value)
        new.setdefault((parent, group), {})[(ref, event_id)] = hit
        yield parent, group


def _evaluate(
    session: Session,
    active: ActiveCorrelation,
    key: str,
    groups: Mapping[str, tuple[str, ...] | None],
    new: Mapping[tuple[int, tuple[str, ...]], Mapping[tuple[int, str], corr.Hit]],
    position: int,
    batch_id: str,
    newest: datetime,
) -> list[Completed]:
    stored: dict[str, list[CorrelationHit]] = defaultdict(list)
    for row in _stored(session, key, sorted(groups)):
        stored[row.group_key].append(row)
    completed: list[Completed] = []
    for gkey in sorted(groups):
        known = groups[gkey]
        group = known if known is not None else tuple(stored[gkey][0].group_values)
        olds = {(r.ref, r.event_id): r for r in stored[gkey]}
        fresh = {k: h for k, h in new.get((position, group), {}).items() if k not in olds}
        hits = [
            corr.Hit(r.event_time, r.event_id, r.ref, (r.event_id, r.meta), r.value)
            for r in olds.values()
        ]
        fired, pending = corr.run(active.correlation, [*hits, *fresh.values()])
        last = corr.close(active.correlation, pending, newest)
        for result in [*fired, *([last] if last else [])]:
            meta = result.completing.event[1]
            completed.append(Completed(active, group, result, meta))
        keep = {(h.ref, h.event[0]) for h in pending}
        gone = [r.id for k, r in olds.items() if k not in keep]
        if gone:
            session.execute(delete(CorrelationHit).where(CorrelationHit.id.in_(gone)))
        for (ref, event_id), hit in fresh.items():
            if (ref, event_id) in keep:
                session.add(
                    CorrelationHit(
                        correlation_id=key,
                        group_key=gkey,
                        group_values=list(group),
                        ref=ref,
                        event_id=event_id,
                        event_time=hit.time,
                        value=hit.value[:2000] if hit.value is not None else None,
                        meta=hit.event[1],
                        batch_id=batch_id,
                    )
                )
    session.flush()
    return completed
