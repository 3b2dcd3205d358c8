"""What goes in (a draft, an edit, an adjustment) and what comes out (warnings, versions, CAP)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from fenghuo.monitoring.indicators import Tlp
from fenghuo.warnings.enums import Audience, Colour

_LINE = r"^[^\x00-\x1f\x7f]*$"
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300, pattern=_LINE)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000, pattern=_TEXT)
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=_TEXT)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Region = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]

CONTENT_FIELDS = (
    "colour",
    "category",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "measures_zh",
    "measures_en",
    "sectors",
    "regions",
    "effective_at",
    "expires_at",
    "audience",
    "tlp",
    "exercise",
)
NULLABLE_FIELDS = frozenset({"expires_at", "tlp"})


class WarningCreate(BaseModel):
    """A new draft warning; its issuing organisation is the author's."""

    model_config = ConfigDict(extra="forbid")

    colour: Colour
    category: Code = Field(description="A category key of the active plan (GB/T 20986).")
    title_zh: Title
    title_en: Title
    description_zh: Text
    description_en: Text
    measures_zh: Text = Field(description="Measures to avoid and mitigate the harm (Art. 54(3)).")
    measures_en: Text
    sectors: list[Code] = Field(default_factory=list, max_length=50)
    regions: list[Region] = Field(default_factory=list, max_length=500)
    effective_at: AwareDatetime | None = Field(default=None, description="Default: publication.")
    expires_at: AwareDatetime | None = None
    audience: Audience = Audience.departments
    tlp: Tlp | None = Field(default=None, description="Departments only; default AMBER.")
    exercise: bool = False
    incident_id: Id | None = None
    recommendation_id: Id | None = None


class WarningUpdate(BaseModel):
    """Changes to a draft, or an adjustment of a published warning (new version, reason)."""

    model_config = ConfigDict(extra="forbid")

    colour: Colour | None = None
    category: Code | None = None
    title_zh: Title | None = None
    title_en: Title | None = None
    description_zh: Text | None = None
    description_en: Text | None = None
    measures_zh: Text | None = None
    measures_en: Text | None = None
    sectors: list[Code] | None = Field(default=None, max_length=50)
    regions: list[Region] | None = Field(default=None, max_length=500)
    effective_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    audience: Audience | None = None
    tlp: Tlp | None = None
    exercise: bool | None = None
    reason: Reason = ""

    def changes(self) -> dict[str, Any]:
        """The content fields given (``reason`` apart)."""
        given = self.model_dump(exclude_unset=True)
        return {
            k: v
            for k, v in given.items()
            if k in CONTENT_FIELDS and (v is not None or k in NULLABLE_FIELDS)
        }


class TransitionIn(BaseModel):
    """The reason that goes with a move (required to lift, cancel or send back)."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason = ""


class WarningRead(BaseModel):
    """A warning as the console and the API show it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    identifier: str
    state: str
    colour: str
    category: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    measures_zh: str
    measures_en: str
    sectors: list[str]
    regions: list[str]
    effective_at: datetime
    expires_at: datetime | None
    audience: str
    tlp: str | None
    exercise: bool
    org_id: str
    incident_id: str | None
    recommendation_id: str | None
    version: int
    created_by: str
    created_at: datetime
    published_at: datetime | None
    lifted_at: datetime | None
    cancelled_at: datetime | None
    reason: str


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    change: str
    reason: str
    colour: str
    content: dict[str, Any]
    made_at: datetime
    made_by: str


class CapMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    seq: int
    identifier: str
    sender: str
    sent: str
    msg_type: str
    status: str
    scope: str
    refs: str
    version: int
    algorithm: str
    key_fingerprint: str


class WarningDetail(BaseModel):
    """A warning with its version history and the CAP messages it emitted."""

    warning: WarningRead
    versions: list[VersionRead]
    cap_messages: list[CapMessageRead]


class WarningPage(BaseModel):
    items: list[WarningRead]
    total: int


class RecipientAck(BaseModel):
    org_id: str
    org_name: str
    state: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class WarningReach(BaseModel):
    """Who was notified of a warning, and who has and has not acknowledged."""

    warning_id: str
    notification_ids: list[str]
    acknowledged: list[RecipientAck]
    pending: list[RecipientAck]
