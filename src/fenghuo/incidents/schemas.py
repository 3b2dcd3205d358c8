"""What goes in: the report (Art. 7 of the 2025 measures), updates, overrides, tasks, referrals.

Group 1 (reporting unit, facility) and group 2 (times, place, category, impact so far,
measures taken; ransom details for ransomware) are required in a first report; items 3-8
(trend, cause, attribution leads, planned measures, support requested, scene preservation,
other matters) may follow in updates. Impact fields carry the input names of the grading
guide (REFERENCE §2.4), so the plan's classification matrix reads them as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    StringConstraints,
    model_validator,
)

from fenghuo.incidents.enums import EntryKind, OperatorType, ReferralAuthority
from fenghuo.monitoring.indicators import UtcTime

_LINE = r"^[^\x00-\x1f\x7f]*$"
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # tabs and line breaks allowed
Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=_LINE)
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200, pattern=_LINE)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000, pattern=_TEXT)]
Required = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000, pattern=_TEXT)
]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
LevelCode = Literal["I", "II", "III", "IV"]
Share = Annotated[float, Field(ge=0, le=100)]


class Impact(BaseModel):
    """Impact so far, by the grading guide's input names (REFERENCE §2.4); all optional."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    outage_whole_min: NonNegativeFloat | None = Field(
        default=None, description="Minutes the whole system (CII) was out."
    )
    outage_mainfn_min: NonNegativeFloat | None = Field(
        default=None, description="Minutes its main functions were out."
    )
    people_affected: NonNegativeInt | None = Field(
        default=None, description="People whose water, power, transport, care… was affected."
    )
    pop_share_by_region: dict[Literal["province", "prefecture"], Share] | None = Field(
        default=None, description="Largest share (%) of a province's / prefecture's population."
    )
    pi_records_citizens: NonNegativeInt | None = Field(
        default=None, description="Citizens whose personal information leaked."
    )
    econ_loss_cny: NonNegativeFloat | None = Field(
        default=None, description="Direct economic loss in yuan."
    )
    portal_outage_min: NonNegativeFloat | None = Field(
        default=None, description="Minutes a portal or news site was unreachable."
    )
    portal_tier: Key | None = Field(default=None, description="Tier of the affected portal.")
    platform_tier: Key | None = Field(default=None, description="Tier of the affected platform.")
    spread_homepage_min: NonNegativeFloat | None = Field(
        default=None, description="Minutes tampered harmful content stayed on a homepage."
    )
    spread_otherpage_min: NonNegativeFloat | None = Field(
        default=None, description="Minutes it stayed on another page."
    )
    spread_reposts: NonNegativeInt | None = Field(default=None, description="Reposts of it.")
    spread_views: NonNegativeInt | None = Field(default=None, description="Views or clicks.")
    core_or_important_data: LevelCode | None = Field(
        default=None, description="Level an analyst judged for core/important data involved."
    )
    regulator_override_level: LevelCode | None = Field(
        default=None, description="Level determined by the CAC or the police."
    )

    def as_inputs(self) -> dict[str, Any]:
        """The inputs the classification matrix reads (unset ones left out)."""
        return self.model_dump(exclude_none=True)


class LaterItems(BaseModel):
    """Items 3-8 of Art. 7, completed by updates."""

    model_config = ConfigDict(extra="forbid")

    trend: Text = ""
    cause: Text = ""
    attribution: Text = Field(default="", description="Attacker, attack path, vulnerabilities.")
    planned_measures: Text = ""
    support_requested: Text = ""
    scene_preservation: Text = ""
    other_matters: Text = ""


class Ransom(BaseModel):
    """For ransomware: the ransom demanded (amount, payment method, date)."""

    model_config = ConfigDict(extra="forbid")

    amount: Line
    method: Line
    date: dt.date


class IncidentCreate(LaterItems):
    """A first report: groups 1 and 2 required, items 3-8 optional."""

    title: Title
    org_id: Id | None = Field(
        default=None, description="The operator concerned; operator staff report their own."
    )
    operator_type: OperatorType | None = Field(
        default=None, description="cii, central_organ or other; by default from the operator."
    )
    plan: Key | None = Field(default=None, description="The plan to run under; default national.")
    reporting_unit: Line
    facility: Required = Field(description="The facility, system or platform affected.")
    discovered_at: UtcTime
    occurred_at: UtcTime | None = None
    place: Line
    category: Key
    impact: Impact = Field(default_factory=Impact)
    data_involved: Text = ""
    measures_taken: Required = Field(description="Measures taken so far and their effect.")
    ransomware: bool = False
    ransom: Ransom | None = None
    detection_ids: list[Id] = Field(default_factory=list, max_length=1000)
    warning_id: Id | None = None
    affected_org_ids: list[Id] = Field(default_factory=list, max_length=200)
    asset_ids: list[Id] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _ransom_with_ransomware(self) -> IncidentCreate:
        if self.ransomware and self.ransom is None:
            raise ValueError("a ransomware report states the ransom amount, method and date")
        return self


class IncidentUpdate(BaseModel):
    """An update report: only the fields given change; ``impact`` keys replace theirs."""

    model_config = ConfigDict(extra="forbid")

    facility: Required | None = None
    occurred_at: UtcTime | None = None
    place: Line | None = None
    category: Key | None = None
    impact: Impact | None = None
    data_involved: Text | None = None
    measures_taken: Required | None = None
    ransom: Ransom | None = None
    trend: Text | None = None
    cause: Text | None = None
    attribution: Text | None = None
    planned_measures: Text | None = None
    support_requested: Text | None = None
    scene_preservation: Text | None = None
    other_matters: Text | None = None
    harm_evaluation: Text | None = None
    note: Text = Field(default="", description="What is new in this update.")

    def changes(self) -> dict[str, Any]:
        """The fields the update sets (``note`` aside)."""
        return {
            name: getattr(self, name)
            for name in self.model_fields_set
            if name != "note" and getattr(self, name) is not None
        }


class LevelOverride(BaseModel):
    """An authorised person's final level, with the reason (the computed one is kept)."""

    model_config = ConfigDict(extra="forbid")

    level: LevelCode
    reason: Required


class TaskCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Required = Field(description="What was done.")


class TimelineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EntryKind
    text: Required
    at: UtcTime | None = Field(default=None, description="When it happened; default now.")


class ReferralIn(BaseModel):
    """Art. 57: the incident caused an emergency or a production-safety accident."""

    model_config = ConfigDict(extra="forbid")

    authority: ReferralAuthority
    recipient: Line = Field(description="The authority referred to, by name.")
    grounds: Required = Field(description="The emergency or accident, and why it is referred.")


class FinalReportIn(BaseModel):
    """The summary report (Art. 8): cause, measures, harm, accountability, rectification."""

    model_config = ConfigDict(extra="forbid")

    cause: Required
    measures: Required
    harm: Required
    accountability: Required
    rectification: Required
    lessons: Required


class AffectedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_ids: list[Id] = Field(default_factory=list, max_length=200)
    asset_ids: list[Id] = Field(default_factory=list, max_length=1000)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Required
    merged_into: Id | None = Field(default=None, description="The incident this one joins.")
