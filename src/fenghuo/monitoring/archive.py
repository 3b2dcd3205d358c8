"""The event archive: Parquet files partitioned by day, written whole or not at all."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from fenghuo.monitoring.indicators import hits_json
from fenghuo.monitoring.schema import PARTS, TOP_FIELDS, NormalisedEvent

_TIMESTAMP = pa.timestamp("us", tz="UTC")
_ARROW_OF: dict[Any, pa.DataType] = {
    "str | None": pa.string(),
    "int | None": pa.int64(),
    "bool | None": pa.bool_(),
}
DAY = pa.schema([("day", pa.string())])


def _schema() -> pa.Schema:
    columns: list[tuple[str, pa.DataType]] = [
        ("event_id", pa.string()),
        ("time", _TIMESTAMP),
        ("received_at", _TIMESTAMP),
        ("source", pa.string()),
        ("format", pa.string()),
    ]
    columns += [(name, pa.string()) for name in TOP_FIELDS]
    for part, cls in PARTS.items():
        columns += [(f"{part}_{f.name}", _ARROW_OF[f.type]) for f in dataclasses.fields(cls)]
    # The original flat fields keep their JSON types, so they are kept as JSON text.
    columns += [("fields", pa.string()), ("raw", pa.string())]
    # Indicator hits as JSON text (null when none); files written before it read it as null.
    columns += [("indicator_hits", pa.string())]
    return pa.schema(columns)


EVENT_SCHEMA = _schema()


def events_root(data_dir: Path) -> Path:
    """Where the archive's day partitions live."""
    return data_dir / "archive" / "events"


def _fields_json(fields: dict[str, Any]) -> str:
    try:
        return orjson.dumps(fields).decode()
    except TypeError:  # an integer beyond 64 bits: keep it as text rather than lose the event
        return orjson.dumps(fields, default=str).decode()


def to_table(events: Iterable[NormalisedEvent]) -> pa.Table:
    """Events as an Arrow table of the archive's schema, built column by column."""
    events = list(events)
    columns: dict[str, list[Any]] = {
        name: [getattr(event, name) for event in events]
        for name in ("event_id", "time", "received_at", "source", "format", *TOP_FIELDS)
    }
    for part, cls in PARTS.items():
        parts = [getattr(event, part) for event in events]
        for column in dataclasses.fields(cls):
            columns[f"{part}_{column.name}"] = [getattr(p, column.name) for p in parts]
    columns["fields"] = [_fields_json(event.fields) for event in events]
    columns["raw"] = [event.raw for event in events]
    columns["indicator_hits"] = [
        hits_json(event.indicator_hits) if event.indicator_hits else None for event in events
    ]
    return pa.Table.from_pydict(columns, schema=EVENT_SCHEMA)


def write_batch(root: Path, batch_id: str, events: Iterable[NormalisedEvent]) -> list[Path]:
    """Write a batch's events, one file per day; each file appears whole (temp + rename)."""
    by_day: dict[str, list[NormalisedEvent]] = defaultdict(list)
    for event in events:
        by_day[event.time.strftime("%Y-%m-%d")].append(event)
    written: list[Path] = []
    try:
        for day, day_events in sorted(by_day.items()):
            folder = root / f"day={day}"
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{batch_id}.parquet"
            # Readers skip names starting with a dot, so a half-written file is never read.
            temporary = folder / f".{batch_id}.parquet.tmp"
            try:
                pq.write_table(to_table(day_events), temporary)
                os.replace(temporary, final)
            finally:
                temporary.unlink(missing_ok=True)
            written.append(final)
    except BaseException:
        remove(written)
        raise
    return written


def remove(paths: Iterable[Path]) -> None:
    """Remove archive files (of a batch whose transaction did not commit)."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def read_events(root: Path, *, day: str | None = None) -> pa.Table:
    """The archived events (of one day, or all), with a ``day`` column from the partition."""
    if not root.exists():
        return EVENT_SCHEMA.append(pa.field("day", pa.string())).empty_table()
    dataset = ds.dataset(
        root,
        format="parquet",
        schema=EVENT_SCHEMA.append(pa.field("day", pa.string())),
        partitioning=ds.partitioning(DAY, flavor="hive"),
    )
    where = ds.field("day") == day if day is not None else None
    return dataset.to_table(filter=where)
