"""The one event schema every format is normalised into (see docs/monitoring.md)."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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


def event_id(source: str, raw: str) -> str:
    """The deterministic id of an event: the same source and line give the same id."""
    digest = hashlib.sha256(f"{source}\n{raw}".encode())
    return digest.hexdigest()[:32]
