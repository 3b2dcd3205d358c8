"""The event archive: Parquet files partitioned by day, written whole or not at all."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from fenghuo.monitoring.indicators import hits_json
from fenghuo.monitoring.schema import (
    COLUMN,
    PARTS,
    ROW_COLUMNS,
    TOP_FIELDS,
    EventBatch,
    NormalisedEvent,
)

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
    """Events as an Arrow table of the archive's schema."""
    return batch_table(EventBatch.from_events(events))


def batch_table(batch: EventBatch, rows: Sequence[int] | None = None) -> pa.Table:
    """A batch (or its ``rows``) as an Arrow table of the archive's schema, column by column."""
    picked = batch.rows if rows is None else [batch.rows[i] for i in rows]
    indices = range(len(batch)) if rows is None else rows
    columns: list[Sequence[Any]] = list(zip(*picked, strict=True)) if picked else []
    columns = columns or [()] * len(ROW_COLUMNS)
    arrays = [
        pa.array(values, type=EVENT_SCHEMA.field(index).type)
        for index, values in enumerate(columns)
    ]
    arrays.append(pa.array([_fields_json(batch.fields[i]) for i in indices], pa.string()))
    arrays.append(pa.array([batch.raw[i] for i in indices], pa.string()))
    hits = [hits_json(batch.hits[i]) if batch.hits[i] else None for i in indices]
    arrays.append(pa.array(hits, pa.string()))
    return pa.Table.from_arrays(arrays, schema=EVENT_SCHEMA)


def write_batch(root: Path, batch_id: str, events: Iterable[NormalisedEvent]) -> list[Path]:
    """Write a batch's events, one file per day; each file appears whole (temp + rename)."""
    return write_columns(root, batch_id, EventBatch.from_events(events))


def _days(batch: EventBatch) -> dict[str, list[int] | None]:
    """Row numbers per day of event time (None: every row is of that day)."""
    time = COLUMN["time"]
    dates = [row[time].date() for row in batch.rows]
    distinct = set(dates)
    if len(distinct) == 1:
        return {dates[0].strftime("%Y-%m-%d"): None}
    by_day: dict[str, list[int]] = defaultdict(list)
    names = {date: date.strftime("%Y-%m-%d") for date in distinct}
    for index, date in enumerate(dates):
        by_day[names[date]].append(index)
    return dict(by_day)


def write_columns(root: Path, batch_id: str, batch: EventBatch) -> list[Path]:
    """``write_batch`` for a batch already in columns (what ingest builds)."""
    written: list[Path] = []
    if not len(batch):
        return written
    try:
        for day, rows in sorted(_days(batch).items()):
            folder = root / f"day={day}"
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{batch_id}.parquet"
            # Readers skip names starting with a dot, so a half-written file is never read.
            temporary = folder / f".{batch_id}.parquet.tmp"
            try:
                pq.write_table(batch_table(batch, rows), temporary)
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
