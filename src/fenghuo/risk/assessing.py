"""Turn the gathered world into assessments: model, surge tests and degree of harm."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from fenghuo.plans.classification import classify
from fenghuo.plans.schema import PlanDocument
from fenghuo.risk import model, surge
from fenghuo.risk.inputs import IncidentInfo, OperatorInfo, ScopeKey, Tally, World
from fenghuo.risk.parameters import LEVELS, Parameters
from fenghuo.risk.schemas import Assessment, HarmOut

FAMILIES = ("detections", "reports")
_DATETIME = TypeAdapter(datetime)
LEVEL_RANK = {lv: rank for rank, lv in enumerate(reversed(LEVELS), start=1)}  # IV=1 .. I=4
# Impact inputs that name a level judged by a person; the worst (lowest numeral) is kept.
LEVEL_INPUTS = ("core_or_important_data", "regulator_override_level")
NO_DEGREE = (
    "no incident in the window: detections and submissions carry no impact figures the "
    "classification matrix could grade"
)
PEOPLE_NOTE = (
    "people_exposed: the users or residents the operators in scope declare they serve "
    "(their people_served), null when none declared; people_affected_reported: the sum of "
    "people_affected in the window's incidents"
)


@dataclass(frozen=True)
class Context:
    """What every scope's assessment shares in one computation."""

    params: Parameters
    document: PlanDocument
    mu: Mapping[str, float]
    window: float
    now: datetime
    computed_at_json: str  # ``now`` as the schema writes it


def worst_impact(incidents: Iterable[IncidentInfo]) -> dict[str, Any]:
    """The component-wise worst of the reported impacts: each numeric input's maximum,
    ``pop_share_by_region`` per key, and the most severe person-judged level."""
    merged: dict[str, Any] = {}
    for incident in incidents:
        for key, value in incident.impact.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                merged[key] = max(value, merged.get(key, value))
            elif key == "pop_share_by_region" and isinstance(value, dict):
                shares = merged.setdefault(key, {})
                for part, share in value.items():
                    if isinstance(share, int | float) and not isinstance(share, bool):
                        shares[part] = max(share, shares.get(part, share))
            elif key in LEVEL_INPUTS and value in LEVEL_RANK:
                old = merged.get(key)
                if old is None or LEVEL_RANK[value] > LEVEL_RANK[old]:
                    merged[key] = value
    return merged


def degree_of_harm(document: PlanDocument, incidents: list[IncidentInfo]) -> HarmOut:
    """The plan's level for the worst plausible impact implied by the window's incidents."""
    ids = sorted(i.id for i in incidents)
    if not incidents:
        return HarmOut(level=None, level_name=None, incident_ids=[], reasons=[], basis=NO_DEGREE)
    result = classify(document, worst_impact(incidents))
    seen = [i.level for i in incidents if i.level]
    candidates = [lv for lv in (result.level, *seen) if lv]
    level = max(candidates, key=LEVEL_RANK.__getitem__) if candidates else None
    basis = (
        "the plan's classification of the component-wise worst impact reported in the "
        "window's incidents, or the highest incident level seen if that is higher"
    )
    return HarmOut(
        level=level,
        level_name=document.level_name(level) if level else None,
        basis=basis,
        reasons=[reason.as_dict() for reason in result.reasons],
        incident_ids=ids,
    )


def _degree_json(document: PlanDocument, incidents: list[IncidentInfo]) -> dict[str, Any]:
    if not incidents:  # most scopes: HarmOut's JSON, without building one per scope
        return {"level": None, "level_name": None, "basis": NO_DEGREE, "reasons": [],
                "incident_ids": []}  # fmt: skip
    return degree_of_harm(document, incidents).model_dump(mode="json")


def _scope_json(operators: list[OperatorInfo], incidents: list[IncidentInfo]) -> dict[str, Any]:
    """``ScopeOut``'s JSON (its fields, in its order)."""
    affected = [i.impact.get("people_affected") for i in incidents]
    reported = [p for p in affected if isinstance(p, int) and not isinstance(p, bool)]
    served = [o.people_served for o in operators if o.people_served is not None]
    return {
        "operators": len(operators),
        "cii_operators": sum(o.is_cii for o in operators),
        "regions": sorted({o.region for o in operators if o.region}),
        "operator_names": sorted(o.name for o in operators),
        "people_exposed": sum(served) if served else None,
        "operators_without_people": len(operators) - len(served),
        "people_affected_reported": sum(reported) if reported else None,
        "people_note": PEOPLE_NOTE,
    }


def surge_tests(world: World, params: Parameters) -> dict[str, surge.SurgeResult]:
    """Every scope's two surge tests (detections, reports) in one Holm family."""
    counts: dict[str, tuple[int, int]] = {}
    n = params.surge.baseline_windows
    for key, tally in world.tallies.items():
        for family in FAMILIES:
            windows = tally.windows[family]
            baseline = sum(c for i, c in windows.items() if 1 <= i <= n)
            counts["|".join((*key, family))] = (windows.get(0, 0), baseline)
    return surge.detect(counts, baseline_windows=n, false_alarm_rate=params.surge.false_alarm_rate)


def scope_json(
    ctx: Context,
    key: ScopeKey,
    tally: Tally,
    operators: list[OperatorInfo],
    surges: Mapping[str, surge.SurgeResult],
) -> dict[str, Any]:
    """One scope's assessment as stored: ``Assessment.model_dump(mode="json")``, built
    directly (the fields in the schema's order, floats as floats), since a refresh stores
    thousands and reads back none. ``assessment_of`` gives the ``Assessment``."""
    inputs = model.ScopeInputs(
        operators=len(operators),
        cii_operators=sum(o.is_cii for o in operators),
        incidents=dict(tally.incidents),
        detections=tally.detections,
        submissions=tally.submissions,
        open_incidents=tally.open_incidents,
        vulnerability_exposure=tally.vulnerability_exposure,
    )
    evaluation = model.evaluate(inputs, ctx.params, mu=ctx.mu, window=ctx.window)
    colour, threshold_key = model.colour_for(model.metrics_of(evaluation), ctx.params)
    quiet = surge.SurgeResult(0, 0, ctx.params.surge.baseline_windows, 1.0, flagged=False)
    tests = {f: surges.get("|".join((*key, f)), quiet) for f in FAMILIES}
    kind, first, second = key
    operator = operators[0] if kind == "operator" and operators else None
    return {
        "id": None,
        "scope_kind": kind,
        "sector": first if kind == "cell" else (operator.sector if operator else None),
        "region": second if kind == "cell" else (operator.province if operator else None),
        "org_id": first if kind == "operator" else None,
        "org_name": operator.name if operator else None,
        "computed_at": ctx.computed_at_json,
        "score": float(round(evaluation.score, 4)),
        "colour": colour,
        "threshold_key": threshold_key,
        "possibility": evaluation.possibility,
        "scope": _scope_json(operators, tally.incident_list),
        "degree": _degree_json(ctx.document, tally.incident_list),
        "factors": [_factor_json(f) for f in evaluation.factors],
        "surge": {f: t.as_dict() for f, t in tests.items()},
        "surge_flagged": any(t.flagged for t in tests.values()),
        "evidence": {
            "detections_by_level": dict(sorted(tally.detection_levels.items())),
            "incident_ids": sorted(i.id for i in tally.incident_list),
            "incident_references": sorted(i.reference for i in tally.incident_list),
            "incident_categories": sorted(i.category for i in tally.incident_list),
            "submission_ids": sorted(set(tally.submission_ids)),
            "vulnerability_cves": sorted(tally.vulnerability_cves),
            "multiplier": round(evaluation.multiplier, 6),
        },
    }


def _factor_json(factor: model.Factor) -> dict[str, Any]:
    """``FactorOut``'s JSON: ``Factor.as_dict`` with its numbers as floats."""
    return {
        "name": factor.name,
        "value": float(round(factor.value, 6)),
        "weight": float(factor.weight),
        "contribution": float(round(factor.contribution, 4)),
        "note": factor.note,
    }


def assessment_of(content: Mapping[str, Any], now: datetime) -> Assessment:
    """The ``Assessment`` of a stored (``scope_json``) content, computed at ``now``."""
    return Assessment.model_validate({**content, "computed_at": now})


def world_json(world: World, params: Parameters, document: PlanDocument) -> list[dict[str, Any]]:
    """Every cell's and operator's assessment as stored, cells first, in a stable order."""
    window = model.effective_days(params.lookback_days, params.half_life_hours["incidents"])
    mu = model.prior_means(
        params, incidents_all=world.incidents_all, operators_all=len(world.operators), window=window
    )
    ctx = Context(params=params, document=document, mu=mu, window=window, now=world.now,
                  computed_at_json=_DATETIME.dump_python(world.now, mode="json"))  # fmt: skip
    surges = surge_tests(world, params)
    by_cell: dict[tuple[str | None, str | None], list[OperatorInfo]] = defaultdict(list)
    for operator in world.operators.values():
        by_cell[(operator.sector, operator.province)].append(operator)
    results = []
    for sector, province in sorted(world.cells()):
        key: ScopeKey = ("cell", sector, province)
        tally = world.tallies.get(key, Tally())
        results.append(scope_json(ctx, key, tally, by_cell[(sector, province)], surges))
    for org_id in sorted(world.operators):
        key = ("operator", org_id, "")
        tally = world.tallies.get(key, Tally())
        results.append(scope_json(ctx, key, tally, [world.operators[org_id]], surges))
    return results


def assess_world(world: World, params: Parameters, document: PlanDocument) -> list[Assessment]:
    """Every cell's and operator's assessment, cells first, in a stable order."""
    return [assessment_of(content, world.now) for content in world_json(world, params, document)]
