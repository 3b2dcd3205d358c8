"""What the API and CLI accept and return for sources and ingest."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    StringConstraints,
    model_validator,
)

from fenghuo.accounts.schemas import EntityId

# No dots: a name is one token of a bus subject (monitoring.events.submit.<name>).
SourceName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{2,56}$")]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^[^\x00-\x1f\x7f]*$")
]


class SourceKind(StrEnum):
    sensor = "sensor"
    shipper = "shipper"
    feed = "feed"


# Kept in step with formats.FORMATS by a test.
EventFormat = Literal[
    "auto", "evtx_json", "windows_json", "suricata_eve", "syslog_5424", "syslog_3164"
]


class SourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SourceName = Field(description="Unique, lower case; also names its service account.")
    kind: SourceKind
    format: EventFormat = Field(default="auto", description="auto: detect per line.")
    owner_org_id: EntityId
    description: Description = ""


class SourceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: EventFormat | None = None
    description: Description | None = None
    is_active: bool | None = None


class SourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    format: str
    description: str
    owner_org_id: str
    is_active: bool
    created_at: datetime


class SourceCreated(SourceRead):
    token: str = Field(description="The source's API token, shown once.")


class LineErrorRead(BaseModel):
    line: int
    reason: str


class IngestResult(BaseModel):
    batch_id: str
    source: str
    accepted: int
    rejected: int
    errors: list[LineErrorRead] = Field(description="Rejected lines (the first 1,000).")
    days: list[str] = Field(description="Archive partitions the accepted events went to.")


_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HostName = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
    StringConstraints(max_length=253, pattern=rf"^{_LABEL}(?:\.{_LABEL})*$"),
]


class AssetCreate(BaseModel):
    """One registry entry: a CIDR range or a host name, and the organisation it belongs to."""

    model_config = ConfigDict(extra="forbid")

    org_id: EntityId
    cidr: IPvAnyNetwork | None = None
    host: HostName | None = None
    description: Description = ""

    @model_validator(mode="after")
    def _one_of_cidr_or_host(self) -> AssetCreate:
        if (self.cidr is None) == (self.host is None):
            raise ValueError("give either cidr or host")
        return self


class AssetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_id: str
    kind: str
    value: str
    description: str


class AssetImported(BaseModel):
    rows: int
    changed: int = Field(description="Entries added or re-assigned.")
