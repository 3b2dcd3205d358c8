"""The detection pipeline: an ingest batch's archived events -> the engine -> detections.

``process_batch`` runs in the caller's transaction: it marks the batch processed, inserts a
detection per (rule, event) match, audits one record per batch and emits one
``detection.detections.created`` notice. A batch already marked is skipped, and a
(rule, event) pair already stored is never stored again, so redelivery is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, require
from fenghuo.bus.outbox import emit
from fenghuo.detection import correlation_store, service
from fenghuo.detection.correlation import summary
from fenghuo.detection.engine import Engine, Match
from fenghuo.detection.models import DetectionBatch
from fenghuo.detection.rules import RuleInfo
from fenghuo.errors import NotFound
from fenghuo.monitoring.models import IngestBatch, Source
from fenghuo.settings import Settings
from fenghuo.store import new_id

PROCESS = "detection.batches.process"
CREATED = "detection.detections.created"
ACTOR_LABEL = "worker:detect"
# The excerpt of an event kept with each detection: the normalised fields shown to analysts,
# and the original fields, each value cut to this many characters.
_EXCERPT_TEXT = 2000
_EXCERPT_FIELDS = 100
_SHOWN = (
    "host",
    "user",
    "channel",
    "provider",
    "event_code",
    "category",
    "message",
    "process_image",
    "process_command_line",
    "process_parent_image",
    "process_parent_command_line",
    "network_src_ip",
    "network_src_port",
    "network_dst_ip",
    "network_dst_port",
    "file_path",
    "registry_key",
    "dns_query",
    "http_url",
)
_COLUMNS = (
    "event_id",
    "time",
    "source",
    "format",
    "owner_org_id",
    "owner_org_name",
    "owner_sector",
    "owner_region",
    "owner_is_cii",
    "fields",
    *_SHOWN,
)


@dataclass(frozen=True)
class Processed:
    """What became of a batch (``repeated``: it had been processed before)."""

    batch_id: str
    events: int
    detections: int
    repeated: bool


def read_batch_events(settings: Settings, batch: IngestBatch) -> list[dict[str, Any]]:
    """The batch's archived events as rows (only the columns detection needs)."""
    rows: list[dict[str, Any]] = []
    for name in batch.files:
        path = Path(settings.data_dir) / name
        if not path.exists():
            raise NotFound(f"archive file {name} of batch {batch.id} is missing")
        table = pq.read_table(path, columns=list(_COLUMNS))
        rows.extend(table.to_pylist())
    return rows


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _EXCERPT_TEXT:
        return value[:_EXCERPT_TEXT] + "…"
    return value


def excerpt(row: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """What an analyst sees of the event: the normalised fields set, and the original ones."""
    shown = {name: row[name] for name in _SHOWN if row.get(name) is not None}
    original = {
        key: _clip(value if isinstance(value, str | int | float | bool) else str(value))
        for key, value in list(fields.items())[:_EXCERPT_FIELDS]
        if value is not None
    }
    return {
        "event_id": row["event_id"],
        "time": row["time"].isoformat(),
        "source": row["source"],
        "format": row["format"],
        **{k: _clip(v) for k, v in shown.items()},
        "fields": original,
    }


def _window(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def detection_rows(
    engine: Engine, events: Sequence[Mapping[str, Any]], *, batch_id: str
) -> list[dict[str, Any]]:
    """One detection row per (rule, event) match of the engine over archived event rows."""
    flat = [orjson.loads(row["fields"] or "{}") for row in events]
    return _rows(engine, events, flat, engine.match_batch(flat), batch_id=batch_id)


def _rows(
    engine: Engine,
    events: Sequence[Mapping[str, Any]],
    flat: Sequence[Mapping[str, Any]],
    matches: Sequence[Match],
    *,
    batch_id: str,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for match in matches:
        if match.rule in engine.hidden:  # generate: false, seen only through correlations
            continue
        rule: RuleInfo = engine.rules[match.rule]
        row = events[match.event]
        rule_id = (rule.id or f"title:{rule.title}")[:100]
        if (rule_id, row["event_id"]) in seen:  # the same event twice in one batch
            continue
        seen.add((rule_id, row["event_id"]))
        rows.append(
            {
                "id": new_id(),
                "rule_id": rule_id,
                "rule_title": rule.title[:300],
                "rule_author": rule.author[:300],
                "level": rule.level or "unknown",
                "tags": list(rule.tags),
                "status": "new",
                "event_id": row["event_id"],
                "event_time": row["time"],
                "window_start": _window(row["time"]),
                "host": (row.get("host") or "")[:255],
                "source": row["source"],
                "batch_id": batch_id,
                "owner_org_id": row.get("owner_org_id"),
                "owner_org_name": row.get("owner_org_name"),
                "owner_sector": row.get("owner_sector"),
                "owner_region": row.get("owner_region"),
                "owner_is_cii": row.get("owner_is_cii"),
                "excerpt": excerpt(row, flat[match.event]),
            }
        )
    return rows


def correlation_rows(
    engine: Engine,
    events: Sequence[Mapping[str, Any]],
    flat: Sequence[Mapping[str, Any]],
    found: Sequence[correlation_store.Completed],
    *,
    batch_id: str,
) -> list[dict[str, Any]]:
    """One detection row per correlation match, on the event that completed it."""
    in_batch = {row["event_id"]: (row, flat[i]) for i, row in enumerate(events)}
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for item in found:
        if item.active.rule in engine.hidden:  # read by another correlation only
            continue
        rule = engine.rules[item.active.rule]
        completing = item.fired.completing
        event_id: str = completing.event[0]
        rule_id = (rule.id or f"title:{rule.title}")[:100]
        if (rule_id, event_id) in seen:
            continue
        seen.add((rule_id, event_id))
        correlation = item.active.correlation
        details = {
            "type": correlation.type,
            "group": dict(zip(correlation.group_by, item.group, strict=True)),
            **summary(correlation, item.fired),
            "events": [hit.event[0] for hit in item.fired.hits],
        }
        meta = item.meta
        if event_id in in_batch:
            shown = excerpt(*in_batch[event_id])
        else:  # completed by an event of an earlier batch (a window closed late)
            shown = {"event_id": event_id, "time": completing.time.isoformat()}
        rows.append(
            {
                "id": new_id(),
                "rule_id": rule_id,
                "rule_title": rule.title[:300],
                "rule_author": rule.author[:300],
                "level": rule.level or "unknown",
                "tags": list(rule.tags),
                "status": "new",
                "event_id": event_id,
                "event_time": completing.time,
                "window_start": _window(completing.time),
                "host": (meta.get("host") or "")[:255],
                "source": meta.get("source") or "",
                "batch_id": batch_id,
                "owner_org_id": meta.get("owner_org_id"),
                "owner_org_name": meta.get("owner_org_name"),
                "owner_sector": meta.get("owner_sector"),
                "owner_region": meta.get("owner_region"),
                "owner_is_cii": meta.get("owner_is_cii"),
                "excerpt": {**shown, "correlation": details},
            }
        )
    return rows


def process_batch(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    engine: Engine,
    batch_id: str,
    worker: str | None = None,
) -> Processed:
    """Run the engine over one ingest batch and store its detections (caller commits).

    ``worker`` (host:pid of a bus worker) is kept in the audit details, to tell members apart.
    """
    decision = require(actor, PROCESS)
    done = session.get(DetectionBatch, batch_id)
    if done is not None:
        return Processed(batch_id, done.events, done.detections, repeated=True)
    batch = session.get(IngestBatch, batch_id)
    if batch is None:
        raise NotFound(f"no ingest batch {batch_id}")
    # The marker goes first: a second worker on the same batch waits on it, then fails.
    marker = DetectionBatch(batch_id=batch_id, events=0, detections=0)
    session.add(marker)
    session.flush()
    events = read_batch_events(settings, batch)
    source = session.get(Source, batch.source_id)
    flat = [orjson.loads(row["fields"] or "{}") for row in events]
    matches = engine.match_all(flat)
    rows = _rows(engine, events, flat, matches, batch_id=batch_id)
    if engine.correlations:
        found = correlation_store.correlate(
            session, engine, events, flat, matches, batch_id=batch_id
        )
        rows += correlation_rows(engine, events, flat, found, batch_id=batch_id)
    service.insert_ignoring_duplicates(session, rows)
    marker.events = len(events)
    marker.detections = len(rows)
    levels: dict[str, int] = {}
    for row in rows:
        levels[row["level"]] = levels.get(row["level"], 0) + 1
    details: dict[str, Any] = {
        "batch_id": batch_id,
        "events": len(events),
        "detections": len(rows),
        "levels": levels,
        "rules": len(engine.rules),
    }
    if worker:
        details["worker"] = worker
    audit_service.record(
        session=session,
        actor=actor,
        action=PROCESS,
        target_type="ingest_batch",
        target_id=batch_id,
        target_org_id=source.owner_org_id if source else None,
        decision=decision,
        details=details,
        summary=f"{len(rows)} detections in {len(events)} events of batch {batch_id}",
    )
    emit(
        session,
        CREATED,
        {
            "batch_id": batch_id,
            "detections": len(rows),
            "levels": levels,
            "detection_ids": [row["id"] for row in rows[:1000]],
        },
    )
    return Processed(batch_id, len(events), len(rows), repeated=False)
