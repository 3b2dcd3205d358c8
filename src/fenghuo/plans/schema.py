"""The plan document: what an emergency plan (应急预案, CSL Art. 53) says, as typed values.

A plan is data, not code: the classification matrix, the response of each level, the
reporting routes and deadlines, warning issuers, risk thresholds, notification escalation
and the exercise frequency. Every threshold and deadline carries the ``source`` it came
from (a REFERENCE tag such as ``S9``, or ``design`` for a Fenghuo design choice) and its
``confidence``. The models check the shape; ``references.issues`` checks cross-references.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

from fenghuo.errors import Invalid

Level = Literal["I", "II", "III", "IV"]
# Highest first: "I" (particularly major, 特别重大) down to "IV" (general, 一般).
LEVELS: tuple[Level, ...] = ("I", "II", "III", "IV")
OperatorType = Literal["cii", "central_organ", "other"]
OPERATOR_TYPES: tuple[OperatorType, ...] = ("cii", "central_organ", "other")
Colour = Literal["red", "orange", "yellow", "blue"]
FORMAT = "fenghuo-plan/1"


def _known(level: str) -> Level:
    for known in LEVELS:
        if level == known:
            return known
    raise Invalid(f"{level!r} is not a level (I, II, III, IV)", field="level", rule="level")


def level_rank(level: str | None) -> int:
    """4 for "I" down to 1 for "IV"; 0 for no level."""
    return 4 - LEVELS.index(level) if level in LEVELS else 0


class Confidence(StrEnum):
    """How sure REFERENCE is of a value (see REFERENCE.md, "Confidence markers")."""

    confirmed = "confirmed"
    secondary = "secondary"
    draft = "draft"
    unconfirmed = "unconfirmed"


_TIMEDELTA = TypeAdapter(timedelta)


def _duration(value: Any) -> Any:
    """Whole minutes (``60``) or an ISO 8601 duration (``PT1H``, ``P30D``)."""
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = timedelta(minutes=value)
    elif isinstance(value, str) and value.startswith("P"):
        try:
            result = _TIMEDELTA.validate_python(value)
        except ValueError:
            raise ValueError("must be whole minutes or an ISO 8601 duration") from None
    else:
        raise ValueError("must be whole minutes or an ISO 8601 duration (e.g. PT1H, P30D)")
    if result < timedelta(0):
        raise ValueError("must not be negative")
    return result


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
InputName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}(\.[a-z0-9_]+)?$")]
SourceTag = Annotated[
    str, StringConstraints(pattern=r"^(design|S[0-9]{1,2}(, ?S[0-9]{1,2})*)$", max_length=100)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Number = Annotated[float, Field(strict=True)]


class Model(BaseModel):
    """Frozen, no unknown keys: a typo in a plan is an error, not a silently ignored key."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Model):
    zh: Text
    en: Text


class Sourced(Model):
    """Where a value came from, and how sure we are of it."""

    source: SourceTag
    confidence: Confidence
    note: str = ""


class Owner(Model):
    """The national coordinator, or the protection department of one sector (Art. 53)."""

    kind: Literal["national_coordinator", "sector_department"]
    sector: Key | None = None

    @model_validator(mode="after")
    def _sector_iff_department(self) -> Owner:
        if (self.kind == "sector_department") != (self.sector is not None):
            raise ValueError("a sector department's plan names its sector; a national one none")
        return self


class LevelInfo(Model):
    zh: Text
    en: Text
    colour: Colour
    reporting_required: StrictBool


class Role(Model):
    zh: Text
    en: Text
    org_kind: str | None = None


class Category(Sourced):
    """A GB/T 20986-2023 category with its 2007 fallback code."""

    key: Key
    zh: Text
    en: Text
    code: str | None = None
    fallback_2007: str


class Categories(Model):
    taxonomy: Text
    fallback_taxonomy: Text
    items: list[Category] = Field(min_length=1)
    codes_2007: dict[str, dict[str, str]] = Field(default_factory=dict)


class Threshold(Sourced):
    """One cell of the matrix: ``value`` is None where the final value is unknown (skipped)."""

    value: Number | None = None
    when: dict[InputName, list[str]] | None = None


class Criterion(Model):
    """A row of the matrix: one input compared with a threshold per level."""

    key: Key
    title: Bilingual
    input: InputName
    unit: Text
    # ">=": "以上" includes the number itself (REFERENCE §2.4). "level": the input names a
    # level judged by a person (regulator determination, data severity).
    comparison: Literal[">=", "level"]
    thresholds: dict[Level, Threshold] = Field(min_length=1)


class Residual(Sourced):
    """What the plan says of an incident that meets no criterion."""

    level: Level | None
    text: Bilingual


class Classification(Model):
    rule: Text
    residual: Residual
    criteria: list[Criterion] = Field(min_length=1)


class Task(Sourced):
    """A measure of a response level, due ``due_after`` classification."""

    key: Key
    title: Bilingual
    owner_role: Key
    due_after: Duration
    directive: StrictBool = False

    @property
    def title_zh(self) -> str:
        return self.title.zh

    @property
    def title_en(self) -> str:
        return self.title.en


class LevelResponse(Sourced):
    lead: Key
    lead_text: Bilingual
    tasks: list[Task] = Field(default_factory=list)


class Step(Sourced):
    """One reporting step: who reports to whom, how long after its anchor, for which levels."""

    reporter: Key
    to: list[Key] = Field(min_length=1)
    due_after: Duration
    levels: list[Level] = Field(min_length=1)


class Route(Model):
    title: Bilingual
    first_report: Step
    escalation: Step


class FinalReport(Sourced):
    due_after: Duration
    levels: list[Level] = Field(min_length=1)


class Reporting(Model):
    anchor: Literal["discovered_at"]
    routes: dict[OperatorType, Route]
    final_report: FinalReport


class Issuer(Sourced):
    level: Level
    org_kinds: list[str] = Field(min_length=1)
    scope: Text


class RiskThreshold(Sourced):
    key: Key
    metric: InputName
    comparison: Literal[">="]
    value: Number
    recommend: Colour


class Escalation(Sourced):
    after: Duration


class Exercises(Sourced):
    every: Duration
    at_least: Annotated[int, Field(strict=True, ge=1)]
    who: list[Key] = Field(min_length=1)


class PlanDocument(Model):
    """A whole plan, as imported from YAML and stored as JSON in each version."""

    format: Literal["fenghuo-plan/1"]
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,62}$")]
    title: Bilingual
    owner: Owner
    effective_from: date | None = None
    legal_basis: list[Text] = Field(default_factory=list)
    levels: dict[Level, LevelInfo]
    roles: dict[Key, Role] = Field(min_length=1)
    categories: Categories
    classification: Classification
    response: dict[Level, LevelResponse]
    reporting: Reporting
    warning_issuers: dict[Colour, Issuer]
    risk_thresholds: list[RiskThreshold] = Field(default_factory=list)
    notification_escalation: dict[Level, Escalation]
    exercises: Exercises

    def response_for(self, level: str) -> LevelResponse:
        """The response (lead and tasks) of ``level``; an unknown level is ``Invalid``."""
        return self.response[_known(level)]

    def notification_escalation_after(self, level: str) -> timedelta:
        """How long a notification of ``level`` may stay unacknowledged before it escalates."""
        return self.notification_escalation[_known(level)].after

    def level_name(self, level: str, language: str = "en") -> str:
        """ "Major" / "重大" for "II"."""
        info = self.levels[level]  # type: ignore[index]
        return info.zh if language == "zh" else info.en
