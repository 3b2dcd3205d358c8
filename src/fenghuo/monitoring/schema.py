"""The one event schema every format is normalised into (see docs/monitoring.md)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self


@dataclass(frozen=True, slots=True)
class Process:
    """The process that acted, and its parent."""

    image: str | None = None
    command_line: str | None = None
    pid: int | None = None
    guid: str | None = None
    current_directory: str | None = None
    integrity_level: str | None = None
    hashes: str | None = None
    parent_image: str | None = None
    parent_command_line: str | None = None
    parent_pid: int | None = None
    parent_guid: str | None = None


@dataclass(frozen=True, slots=True)
class Network:
    """A connection or flow."""

    src_ip: str | None = None
    src_port: int | None = None
    dst_ip: str | None = None
    dst_port: int | None = None
    protocol: str | None = None
    app_protocol: str | None = None


@dataclass(frozen=True, slots=True)
class File:
    """A file created, changed or loaded."""

    path: str | None = None
    hashes: str | None = None


@dataclass(frozen=True, slots=True)
class Registry:
    """A registry key or value."""

    key: str | None = None
    details: str | None = None


@dataclass(frozen=True, slots=True)
class Dns:
    """A DNS query and its answer."""

    query: str | None = None
    answers: str | None = None
    rcode: str | None = None


@dataclass(frozen=True, slots=True)
class Http:
    """An HTTP request and its status."""

    method: str | None = None
    host: str | None = None
    url: str | None = None
    user_agent: str | None = None
    status: int | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose the event is, from the asset registry: the organisation and its sector and region."""

    org_id: str | None = None
    org_name: str | None = None
    sector: str | None = None
    region: str | None = None
    is_cii: bool | None = None


# The nested parts of an event, in column order; each becomes ``<part>_<field>`` columns.
PARTS: dict[str, type[Any]] = {
    "process": Process,
    "network": Network,
    "file": File,
    "registry": Registry,
    "dns": Dns,
    "http": Http,
    "owner": Owner,
}
# Top-level text fields a mapping may fill, besides ``time`` and the parts.
TOP_FIELDS = ("host", "user", "channel", "provider", "event_code", "category", "message")
_TOP_END = 5 + len(TOP_FIELDS)  # event_id, time, received_at, source, format, TOP_FIELDS


@dataclass(frozen=True, slots=True)
class NormalisedEvent:
    """One event in the common schema; ``fields`` are the original flat fields, verbatim."""

    event_id: str
    time: datetime
    received_at: datetime
    source: str
    format: str
    fields: dict[str, Any]
    raw: str
    host: str | None = None
    user: str | None = None
    channel: str | None = None
    provider: str | None = None
    event_code: str | None = None
    category: str | None = None
    message: str | None = None
    process: Process = field(default_factory=Process)
    network: Network = field(default_factory=Network)
    file: File = field(default_factory=File)
    registry: Registry = field(default_factory=Registry)
    dns: Dns = field(default_factory=Dns)
    http: Http = field(default_factory=Http)
    owner: Owner = field(default_factory=Owner)
    # Indicator hits (``monitoring.indicators.IndicatorHit``) found by enrichment at ingest.
    indicator_hits: tuple[Any, ...] = ()

    def row(self) -> list[Any]:
        """The values of ``ROW_COLUMNS``."""
        row: list[Any] = [getattr(self, name) for name in ROW_COLUMNS[:_TOP_END]]
        for part, _cls, columns in _PART_COLUMNS:
            value = getattr(self, part)
            row += [getattr(value, name) for name, _index in columns]
        return row

    @classmethod
    def from_row(
        cls, row: list[Any], fields: dict[str, Any], raw: str, hits: tuple[Any, ...] = ()
    ) -> NormalisedEvent:
        """The event of an ``EventBatch`` row."""
        parts = {
            part: part_cls(**{name: row[index] for name, index in columns})
            for part, part_cls, columns in _PART_COLUMNS
        }
        top = {name: row[index] for index, name in enumerate(ROW_COLUMNS[:_TOP_END])}
        return cls(fields=fields, raw=raw, indicator_hits=tuple(hits), **top, **parts)

    def flat(self) -> dict[str, Any]:
        """The event as one flat row (parts become ``<part>_<field>``), for the archive."""
        row: dict[str, Any] = {
            name: getattr(self, name)
            for name in ("event_id", "time", "received_at", "source", "format", *TOP_FIELDS)
        }
        for part in PARTS:
            for name, value in dataclasses.asdict(getattr(self, part)).items():
                row[f"{part}_{name}"] = value
        return row


# The archive's row columns, in order (``fields``, ``raw`` and ``indicator_hits`` follow them).
ROW_COLUMNS: tuple[str, ...] = (
    "event_id",
    "time",
    "received_at",
    "source",
    "format",
    *TOP_FIELDS,
    *(f"{part}_{f.name}" for part, cls in PARTS.items() for f in dataclasses.fields(cls)),
)
COLUMN: dict[str, int] = {name: index for index, name in enumerate(ROW_COLUMNS)}
_PART_COLUMNS = tuple(
    (part, cls, tuple((f.name, COLUMN[f"{part}_{f.name}"]) for f in dataclasses.fields(cls)))
    for part, cls in PARTS.items()
)


@dataclass(slots=True)
class EventBatch:
    """A batch's accepted events as rows of the archive's columns: no object per event.

    ``rows[i]`` holds the values of ``ROW_COLUMNS``; ``fields[i]``, ``raw[i]`` and ``hits[i]``
    the rest of event ``i``. Enrichment fills a row's owner and hits in place. This is what
    ingest builds (one object per event was most of its cost); ``events()`` gives the same
    events as ``NormalisedEvent`` values for code that wants them one by one.
    """

    rows: list[list[Any]] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    hits: list[tuple[Any, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def append(self, row: list[Any], fields: dict[str, Any], raw: str) -> None:
        """Add one event (no indicator hits yet)."""
        self.rows.append(row)
        self.fields.append(fields)
        self.raw.append(raw)
        self.hits.append(())

    @classmethod
    def from_events(cls, events: Iterable[NormalisedEvent]) -> Self:
        """The batch of these events."""
        batch = cls()
        for event in events:
            batch.append(event.row(), event.fields, event.raw)
            batch.hits[-1] = event.indicator_hits
        return batch

    def events(self) -> list[NormalisedEvent]:
        """The events one by one."""
        return [
            NormalisedEvent.from_row(row, fields, raw, hits)
            for row, fields, raw, hits in zip(
                self.rows, self.fields, self.raw, self.hits, strict=True
            )
        ]


def event_id(source: str, raw: str) -> str:
    """The deterministic id of an event: the same source and line give the same id."""
    digest = hashlib.sha256(f"{source}\n{raw}".encode())
    return digest.hexdigest()[:32]
