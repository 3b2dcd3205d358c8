"""The risk model's parameters: packaged YAML (``model.yaml``), checked with line numbers.

Every number the model uses lives in ``model.yaml``; the active plan's ``risk_thresholds``
replace the packaged thresholds (``with_plan_thresholds``). A wrong value is ``Invalid``
naming the file, line and field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from fenghuo import yaml_lines
from fenghuo.yaml_lines import PathKey, YamlDocument

LEVELS = ("I", "II", "III", "IV")
COLOURS = ("red", "orange", "yellow", "blue")
FACTORS = ("detections", "submissions", "open_incidents", "vulnerability_exposure")
SIGMA_LEVELS = ("informational", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class Factor:
    """An activity factor's weight and half-saturation (see ``model.activity_multiplier``)."""

    weight: float
    half_saturation: float


@dataclass(frozen=True)
class Threshold:
    """A metric at or above ``value`` recommends a warning of colour ``recommend``."""

    key: str
    metric: str
    value: float
    recommend: str
    source: str = "model.yaml"


@dataclass(frozen=True)
class SurgeParameters:
    window_hours: int
    baseline_windows: int
    false_alarm_rate: float


@dataclass(frozen=True)
class Parameters:
    """Everything the model needs; frozen, so one refresh uses one set."""

    lookback_days: float
    half_life_hours: Mapping[str, float]
    severity: Mapping[str, float]
    prior_incidents: Mapping[str, float]
    prior_operator_days: float
    prior_strength: float
    cii_extra: float
    unclassified_level: str
    factors: Mapping[str, Factor]
    detection_level_weight: Mapping[str, float]
    open_states: frozenset[str]
    surge: SurgeParameters
    thresholds: tuple[Threshold, ...]
    recommendation_window_hours: int
    measures: Mapping[str, Mapping[str, str]]

    def with_plan_thresholds(self, plan_thresholds: Sequence[Any]) -> Parameters:
        """These parameters with the plan's thresholds replacing those of the same colour."""
        by_colour = {t.recommend: t for t in self.thresholds}
        for item in plan_thresholds:
            by_colour[str(item.recommend)] = Threshold(
                key=str(item.key),
                metric=str(item.metric),
                value=float(item.value),
                recommend=str(item.recommend),
                source=f"plan ({item.source})",
            )
        ordered = tuple(by_colour[c] for c in COLOURS if c in by_colour)
        return replace(self, thresholds=ordered)


def _number(doc: YamlDocument, path: PathKey, value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise doc.invalid(path, "must be a number", rule="number")
    if value < 0 or (positive and value == 0):
        raise doc.invalid(path, "must be positive" if positive else "must not be negative",
                          rule="positive" if positive else "non-negative")  # fmt: skip
    return float(value)


def _table(
    doc: YamlDocument, data: Mapping[str, Any], key: str, keys: Sequence[str], *, positive: bool
) -> dict[str, float]:
    raw = data.get(key)
    if not isinstance(raw, dict) or set(raw) != set(keys):
        raise doc.invalid((key,), f"must map exactly {', '.join(keys)}", rule="known-keys")
    return {k: _number(doc, (key, k), raw[k], positive=positive) for k in keys}


def _factors(doc: YamlDocument, raw: Any) -> dict[str, Factor]:
    if not isinstance(raw, dict) or set(raw) != set(FACTORS):
        raise doc.invalid(("factors",), f"must map exactly {', '.join(FACTORS)}", rule="known-keys")
    return {
        name: Factor(
            weight=_number(doc, ("factors", name, "weight"), raw[name].get("weight")),
            half_saturation=_number(
                doc,
                ("factors", name, "half_saturation"),
                raw[name].get("half_saturation"),
                positive=True,
            ),
        )
        for name in FACTORS
    }


def _thresholds(doc: YamlDocument, raw: Any) -> tuple[Threshold, ...]:
    if not isinstance(raw, list):
        raise doc.invalid(("thresholds",), "must be a list", rule="list")
    found = []
    for index, item in enumerate(raw):
        path: PathKey = ("thresholds", index)
        if not isinstance(item, dict) or item.get("recommend") not in COLOURS:
            raise doc.invalid(path, f"recommend must be one of {', '.join(COLOURS)}",
                              rule="allowed-value")  # fmt: skip
        found.append(
            Threshold(
                key=str(item.get("key")),
                metric=str(item.get("metric")),
                value=_number(doc, (*path, "value"), item.get("value")),
                recommend=item["recommend"],
            )
        )
    return tuple(found)


def _surge(doc: YamlDocument, raw: Any) -> SurgeParameters:
    if not isinstance(raw, dict):
        raise doc.invalid(("surge",), "must be a mapping", rule="mapping")
    rate = _number(doc, ("surge", "false_alarm_rate"), raw.get("false_alarm_rate"), positive=True)
    if rate >= 1:
        raise doc.invalid(("surge", "false_alarm_rate"), "must be below 1", rule="probability")
    return SurgeParameters(
        window_hours=int(
            _number(doc, ("surge", "window_hours"), raw.get("window_hours"), positive=True)
        ),
        baseline_windows=int(
            _number(doc, ("surge", "baseline_windows"), raw.get("baseline_windows"), positive=True)
        ),
        false_alarm_rate=rate,
    )  # fmt: skip


def parse(text: str, *, name: str = "model.yaml") -> Parameters:
    """Parameters from YAML text; the first problem is ``Invalid`` with its line."""
    doc = yaml_lines.load(text, name=name)
    data = doc.data
    if not isinstance(data, dict) or data.get("format") != "fenghuo-risk-model/1":
        raise doc.invalid(("format",), "must be fenghuo-risk-model/1", rule="format")
    unclassified = data.get("unclassified_level")
    if unclassified not in LEVELS:
        raise doc.invalid(("unclassified_level",), "must be I, II, III or IV", rule="allowed-value")
    measures = data.get("measures")
    if not isinstance(measures, dict) or any(
        not isinstance(measures.get(c), dict) or not {"zh", "en"} <= set(measures[c])
        for c in COLOURS
    ):
        raise doc.invalid(("measures",), "needs zh and en text for every colour", rule="bilingual")
    return Parameters(
        lookback_days=_number(doc, ("lookback_days",), data.get("lookback_days"), positive=True),
        half_life_hours=_table(doc, data, "half_life_hours",
                               ("detections", "submissions", "incidents"), positive=True),
        severity=_table(doc, data, "severity", LEVELS, positive=True),
        prior_incidents=_table(doc, data, "prior_incidents", LEVELS, positive=True),
        prior_operator_days=_number(doc, ("prior_operator_days",),
                                    data.get("prior_operator_days"), positive=True),
        prior_strength=_number(doc, ("prior_strength",), data.get("prior_strength"), positive=True),
        cii_extra=_number(doc, ("cii_extra",), data.get("cii_extra")),
        unclassified_level=unclassified,
        factors=_factors(doc, data.get("factors")),
        detection_level_weight=_table(doc, data, "detection_level_weight", SIGMA_LEVELS,
                                      positive=False),
        open_states=frozenset(str(s) for s in data.get("open_states") or ()),
        surge=_surge(doc, data.get("surge")),
        thresholds=_thresholds(doc, data.get("thresholds")),
        recommendation_window_hours=int(
            _number(doc, ("recommendation_window_hours",),
                    data.get("recommendation_window_hours"), positive=True)
        ),
        measures={c: {"zh": str(measures[c]["zh"]), "en": str(measures[c]["en"])} for c in COLOURS},
    )  # fmt: skip


@cache
def packaged() -> Parameters:
    """The parameters shipped in ``fenghuo/risk/model.yaml``."""
    text = resources.files("fenghuo.risk").joinpath("model.yaml").read_text(encoding="utf-8")
    return parse(text, name="fenghuo/risk/model.yaml")
