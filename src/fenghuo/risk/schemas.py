"""What the risk package gives out: assessments, the heatmap, recommendations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FactorOut(BaseModel):
    """One input of the model: its value, weight and the score points it adds."""

    name: str
    value: float
    weight: float
    contribution: float = Field(description="Score minus the score without this factor.")
    note: str = ""


class ScopeOut(BaseModel):
    """Who and what is exposed."""

    operators: int
    cii_operators: int
    regions: list[str] = Field(description="GB/T 2260 codes of the operators in scope.")
    operator_names: list[str]
    people_exposed: int | None = Field(
        description="Users or residents the operators in scope serve, as they declare it "
        "(people_served); null when none of them declared it."
    )
    operators_without_people: int = Field(
        default=0, description="Operators in scope that declared no people_served."
    )
    people_affected_reported: int | None = Field(
        default=None,
        description="People affected as reported in the window's incidents; null when none.",
    )
    people_note: str


class HarmOut(BaseModel):
    """The degree of harm: the plan's classification of the worst plausible impact."""

    level: str | None
    level_name: str | None
    basis: str
    reasons: list[dict[str, Any]]
    incident_ids: list[str]


class Assessment(BaseModel):
    """A current risk assessment of one scope, with the factors that produced it."""

    model_config = ConfigDict(from_attributes=True)

    id: str | None = None
    scope_kind: str = Field(description="cell (sector x province) or operator")
    sector: str | None
    region: str | None = Field(description="GB/T 2260 province-level code.")
    org_id: str | None = None
    org_name: str | None = None
    computed_at: datetime
    score: float = Field(ge=0, le=100)
    colour: str | None = Field(description="The colour the thresholds recommend, if any.")
    threshold_key: str | None = None
    possibility: dict[str, dict[str, float]] = Field(
        description='Level -> {"24h": p, "7d": p}: P(at least one incident of that level).'
    )
    scope: ScopeOut
    degree: HarmOut
    factors: list[FactorOut]
    surge: dict[str, dict[str, Any]] = Field(description="detections / reports -> the test.")
    surge_flagged: bool
    evidence: dict[str, Any]


class HeatCell(BaseModel):
    sector: str
    region: str
    score: float
    colour: str | None
    degree: str | None
    surge: bool


class Heatmap(BaseModel):
    """The latest stored refresh as a sector x province grid."""

    computed_at: datetime | None
    sectors: list[str]
    regions: list[str]
    cells: list[HeatCell]


class RecommendationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    sector: str
    region: str
    window_start: datetime
    colour: str
    threshold_key: str
    score: float
    status: str
    title_zh: str
    title_en: str
    measures_zh: str
    measures_en: str
    category: str
    evidence: dict[str, Any]
    authority_org_ids: list[str]
    notification_id: str | None
    created_at: datetime


class RefreshResult(BaseModel):
    refresh_id: str
    computed_at: datetime
    assessments: int
    surges: int
    recommendations: list[str] = Field(description="Ids of the recommendations raised.")
