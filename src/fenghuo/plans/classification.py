"""Classify an incident report by a plan's matrix (Grading Guide, REFERENCE §2.4).

The level is the highest level any criterion meets. Every criterion met is a ``Reason``,
so the console can show which criterion gave which level. ">=" because "以上" includes the
number itself. A cell whose value is unknown (``null``) is skipped. A cell with ``when``
applies only if one of the named inputs holds one of the listed values (the kind of site,
for instance). Inputs that are missing are simply not met; an input of the wrong type is
``Invalid`` naming the field. Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fenghuo.errors import Invalid
from fenghuo.plans.schema import LEVELS, Criterion, PlanDocument, Threshold, level_rank


@dataclass(frozen=True)
class Reason:
    """One criterion met: the input and its value against the threshold of a level."""

    criterion: str
    input: str
    value: float | str
    threshold: float | None
    unit: str
    level: str
    source: str
    confidence: str
    title_en: str = ""
    title_zh: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "input": self.input,
            "value": self.value,
            "threshold": self.threshold,
            "unit": self.unit,
            "level": self.level,
            "source": self.source,
            "confidence": self.confidence,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "note": self.note,
        }


@dataclass(frozen=True)
class Classification:
    """The level (None when no criterion is met), every reason, and the plan's residual rule."""

    level: str | None
    reasons: list[Reason] = field(default_factory=list)
    residual_level: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "residual_level": self.residual_level,
            "note": self.note,
        }


def classify(document: PlanDocument, report: Mapping[str, Any]) -> Classification:
    """The highest level the report meets under ``document``'s matrix, with every reason."""
    reasons: list[Reason] = []
    for criterion in document.classification.criteria:
        value = _input(report, criterion)
        if value is None:
            continue
        reasons += _met(criterion, value, report)
    reasons.sort(key=lambda r: (-level_rank(r.level), r.criterion))
    if reasons:
        return Classification(level=reasons[0].level, reasons=reasons)
    residual = document.classification.residual
    return Classification(level=None, residual_level=residual.level, note=residual.text.en)


def _met(criterion: Criterion, value: float | str, report: Mapping[str, Any]) -> list[Reason]:
    """The criterion's highest level met, as a one-item list (empty when none is met)."""
    met: list[Reason] = []
    for level, threshold in criterion.thresholds.items():
        if criterion.comparison == "level":
            hit = value == level
        else:
            hit = (
                threshold.value is not None
                and isinstance(value, float)
                and value >= threshold.value
                and _when_holds(threshold, report)
            )
        if hit:
            met.append(_reason(criterion, level, threshold, value))
    return sorted(met, key=lambda r: -level_rank(r.level))[:1]


def _reason(criterion: Criterion, level: str, threshold: Threshold, value: float | str) -> Reason:
    shown: float | str = int(value) if isinstance(value, float) and value.is_integer() else value
    limit = threshold.value
    return Reason(
        criterion=criterion.key,
        input=criterion.input,
        value=shown,
        threshold=int(limit) if limit is not None and limit.is_integer() else limit,
        unit=criterion.unit,
        level=level,
        source=threshold.source,
        confidence=threshold.confidence.value,
        title_en=criterion.title.en,
        title_zh=criterion.title.zh,
        note=threshold.note,
    )


def _when_holds(threshold: Threshold, report: Mapping[str, Any]) -> bool:
    if not threshold.when:
        return True
    for name, allowed in threshold.when.items():
        held = _lookup(report, name)
        if held is not None and not isinstance(held, str):
            raise Invalid(
                f"{name} must be text (one of {', '.join(allowed)})", field=name, rule="text"
            )
        if held in allowed:
            return True
    return False


def _lookup(report: Mapping[str, Any], name: str) -> Any:
    head, _, tail = name.partition(".")
    value = report.get(head)
    if tail and value is not None:
        if not isinstance(value, Mapping):
            raise Invalid(f"{head} must be a mapping (with {tail})", field=head, rule="mapping")
        return value.get(tail)
    return value


def _input(report: Mapping[str, Any], criterion: Criterion) -> float | str | None:
    """The report's value of the criterion's input: a number, or a level name."""
    name = criterion.input
    value = _lookup(report, name)
    if value is None:
        return None
    if criterion.comparison == "level":
        if value not in LEVELS:
            raise Invalid(f"{name} must be a level, I to IV", field=name, rule="level")
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{name} must be a number, got {value!r}", field=name, rule="number")
    try:
        number = float(value)
    except OverflowError:
        raise Invalid(f"{name} is too large", field=name, rule="number") from None
    if not math.isfinite(number):
        raise Invalid(f"{name} must be a finite number", field=name, rule="number")
    if number < 0:
        raise Invalid(f"{name} must not be negative", field=name, rule="non-negative")
    return number
