"""What the API accepts and returns for indicator sets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fenghuo.accounts.schemas import EntityId
from fenghuo.monitoring.indicators import Tlp, UtcTime

SetName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,99}$")]
PlainText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=1000, pattern=r"^[^\x00-\x1f\x7f]*$")
]


class IndicatorImport(BaseModel):
    """A STIX 2.1 bundle or CSV text to import into the set ``set``."""

    model_config = ConfigDict(extra="forbid")

    set: SetName = Field(description="The set's name; a new name creates the set.")
    owner_org_id: EntityId | None = Field(
        default=None, description="The owner organisation (required for a new set)."
    )
    tlp: Tlp | None = Field(
        default=None, description="The set's TLP; default: the file's strictest marking, or AMBER."
    )
    expires: UtcTime | None = Field(
        default=None, description="Expiry of indicators that carry none."
    )
    source: PlainText | None = None
    description: PlainText | None = None
    stix: dict[str, Any] | None = Field(default=None, description="A STIX 2.1 bundle.")
    csv: Annotated[str, StringConstraints(max_length=16_000_000)] | None = Field(
        default=None, description="CSV text with the header type,value[,expires,...]."
    )

    @model_validator(mode="after")
    def _one_of_stix_or_csv(self) -> IndicatorImport:
        if (self.stix is None) == (self.csv is None):
            raise ValueError("give either stix or csv")
        return self


class SkippedRead(BaseModel):
    ref: str
    reason: str


class IndicatorImported(BaseModel):
    set_id: str
    set: str
    created: bool
    added: int
    updated: int
    skipped: list[SkippedRead] = Field(description="Objects not imported, with the reason.")


class IndicatorSetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    owner_org_id: str
    tlp: str
    source: str
    description: str
    created_at: datetime
    indicators: int = 0
    live: int = Field(default=0, description="Indicators valid now (started, not expired).")


class IndicatorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    type: str
    value: str
    valid_from: datetime
    valid_until: datetime | None
    confidence: int | None
    description: str
    stix_id: str | None
    tlp: str
