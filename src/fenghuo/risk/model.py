"""The risk model, as pure functions (no I/O): inputs of one scope in, possibility and score out.

For each incident level L (I-IV) the incidents of a scope arrive as a Poisson process whose
rate is the scope's exposure E (operators, CII counted extra) times a per-operator rate
theta_L times an activity multiplier m:

    theta_L ~ Gamma(shape = k * mu_L, rate = k)       prior pooled across scopes (mu_L)
    posterior after n_L recency-weighted incidents over E * W operator-days:
        alpha_L = k * mu_L + n_L,   beta = k + E * W
    P(at least one level-L incident within t days)
        = 1 - (beta / (beta + m * E * t)) ** alpha_L          (Gamma-Poisson predictive)
    m = 1 + sum_f w_f * x_f / (x_f + h_f)                     (activity factors)
    score = 100 * (1 - prod_L (1 - s_L * P_7d,L))             (s_L: severity of level L)

Every term is non-decreasing in every input, so more activity or more exposure never
lowers the risk (tests/risk/test_model_properties.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from fenghuo.risk.parameters import FACTORS, LEVELS, Parameters

HORIZONS_DAYS = {"24h": 1.0, "7d": 7.0}
Probabilities = dict[str, dict[str, float]]  # level -> {"24h": p, "7d": p}
VULNERABILITY_NOTE = (
    "weighted vulnerable products on the operators' assets: each distinct CVE once per "
    "operator, KEV-listed 1 (known ransomware use 1.5), others CVSS/10 x 0.3, "
    "unknown or unchecked versions at half weight (monitoring/vulnerabilities.yaml)"
)


@dataclass(frozen=True)
class ScopeInputs:
    """What the model knows of one scope (a sector x region cell, or one operator)."""

    operators: int = 0
    cii_operators: int = 0
    incidents: Mapping[str, float] = field(default_factory=dict)  # level -> weighted count
    detections: float = 0.0  # level- and recency-weighted
    submissions: float = 0.0  # recency-weighted
    open_incidents: float = 0.0  # open incidents, each weighted by its level's severity
    vulnerability_exposure: float = 0.0


@dataclass(frozen=True)
class Factor:
    """Why: one input, its weight, and how many score points it adds (score minus score
    without it)."""

    name: str
    value: float
    weight: float
    contribution: float
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": round(self.value, 6),
            "weight": self.weight,
            "contribution": round(self.contribution, 4),
            "note": self.note,
        }


@dataclass(frozen=True)
class Evaluation:
    """The model's answer for one scope."""

    possibility: dict[str, dict[str, float]]  # level -> {"24h": p, "7d": p}
    score: float
    multiplier: float
    factors: tuple[Factor, ...]


def decay(age_hours: float, half_life_hours: float) -> float:
    """The weight of evidence ``age_hours`` old: 2^(-age / half_life); future counts as now."""
    return math.pow(2.0, -max(age_hours, 0.0) / half_life_hours)


def effective_days(lookback_days: float, half_life_hours: float) -> float:
    """The recency-weighted length of the window: the integral of ``decay`` over it, in days."""
    h_days = half_life_hours / 24.0
    return h_days / math.log(2.0) * (1.0 - math.pow(2.0, -lookback_days / h_days))


def exposure(inputs: ScopeInputs, params: Parameters) -> float:
    """Operators in scope, each CII operator counting ``1 + cii_extra``."""
    return inputs.operators + params.cii_extra * inputs.cii_operators


def _factor_values(inputs: ScopeInputs) -> dict[str, float]:
    return {
        "detections": float(inputs.detections),
        "submissions": float(inputs.submissions),
        "open_incidents": float(inputs.open_incidents),
        "vulnerability_exposure": float(inputs.vulnerability_exposure),
    }


def _multiplier(values: Mapping[str, float], params: Parameters) -> float:
    total = 1.0
    for name in FACTORS:
        x = max(values[name], 0.0)
        f = params.factors[name]
        total += f.weight * x / (x + f.half_saturation)
    return total


def activity_multiplier(inputs: ScopeInputs, params: Parameters) -> float:
    """m = 1 + sum_f w_f * x_f / (x_f + h_f): bounded, non-decreasing in every x_f."""
    return _multiplier(_factor_values(inputs), params)


def prior_means(
    params: Parameters, *, incidents_all: Mapping[str, float], operators_all: int, window: float
) -> dict[str, float]:
    """mu_L: the pooled per-operator daily rate of level-L incidents across all scopes."""
    days = params.prior_operator_days + operators_all * window
    return {lv: (params.prior_incidents[lv] + incidents_all.get(lv, 0.0)) / days for lv in LEVELS}


def _alpha(k: float, mu: float, incidents: float) -> float:
    return k * mu + max(incidents, 0.0)


def _log_terms(m: float, e: float, beta: float) -> tuple[tuple[str, float], ...]:
    """ln(1 + m E t / beta) for each horizon t: the same for every level."""
    return tuple((name, math.log1p(m * e * t / beta)) for name, t in HORIZONS_DAYS.items())


def _horizons(alpha: float, logs: tuple[tuple[str, float], ...]) -> dict[str, float]:
    return {name: -math.expm1(-alpha * log) for name, log in logs}


def possibility(
    inputs: ScopeInputs, params: Parameters, *, mu: Mapping[str, float], window: float
) -> dict[str, dict[str, float]]:
    """P(at least one incident of each level within 24 h and 7 days) for the scope."""
    e = exposure(inputs, params)
    m = activity_multiplier(inputs, params)
    k = params.prior_strength
    logs = _log_terms(m, e, k + e * window)
    return {lv: _horizons(_alpha(k, mu[lv], inputs.incidents.get(lv, 0.0)), logs) for lv in LEVELS}


def score(probabilities: Mapping[str, Mapping[str, float]], params: Parameters) -> float:
    """100 * (1 - prod_L (1 - s_L * P_7d,L)), in [0, 100]."""
    quiet = 1.0
    for lv in LEVELS:
        quiet *= 1.0 - min(1.0, params.severity[lv] * probabilities[lv]["7d"])
    return 100.0 * (1.0 - quiet)


def evaluate(
    inputs: ScopeInputs, params: Parameters, *, mu: Mapping[str, float], window: float
) -> Evaluation:
    """Possibility, score and the factors that produced them (leave-one-out contributions).

    Each leave-one-out score recomputes only what the left-out input changes, with the
    same arithmetic as ``possibility`` on the changed inputs, so the same numbers to the
    last bit (tests/risk/test_model_contributions.py): an incident level changes only its
    own probability, an activity factor the multiplier and so every level's; without
    exposure the score is 0.
    """
    e = exposure(inputs, params)
    values = _factor_values(inputs)
    m = _multiplier(values, params)
    k = params.prior_strength
    beta = k + e * window
    alphas = {lv: _alpha(k, mu[lv], inputs.incidents.get(lv, 0.0)) for lv in LEVELS}
    logs = _log_terms(m, e, beta)
    probabilities = {lv: _horizons(alphas[lv], logs) for lv in LEVELS}
    total = score(probabilities, params)

    def without(changed: Probabilities) -> float:
        return total - score(changed, params)

    def every_level(m_: float) -> Probabilities:
        logs_ = _log_terms(m_, e, beta)
        return {lv: _horizons(alphas[lv], logs_) for lv in LEVELS}

    # An input already at zero adds nothing (and is not recomputed). Without exposure
    # every probability is exactly 0 (ln(1 + m * 0 * t / beta) = 0), so the score is 0 and
    # exposure's contribution is the whole score.
    factors = [
        Factor("exposure", e, 1.0, 0.0 if e <= 0 else total,
               f"operators {inputs.operators}, CII operators {inputs.cii_operators} "
               f"(each CII operator counts {1 + params.cii_extra:g})"),
    ]  # fmt: skip
    for lv in LEVELS:
        n = inputs.incidents.get(lv, 0.0)
        points = 0.0
        if not n <= 0:  # the other levels' probabilities do not change
            points = without({**probabilities, lv: _horizons(_alpha(k, mu[lv], 0.0), logs)})
        factors.append(Factor(f"incidents_{lv}", n, params.severity[lv], points,
                              "recency-weighted incidents of this level"))  # fmt: skip
    for name in FACTORS:
        x = values[name]
        points = 0.0
        if not x <= 0:  # the multiplier changes, so every level's probability
            points = without(every_level(_multiplier({**values, name: 0.0}, params)))
        note = VULNERABILITY_NOTE if name == "vulnerability_exposure" else ""
        factors.append(Factor(name, x, params.factors[name].weight, points, note))
    return Evaluation(possibility=probabilities, score=total, multiplier=m, factors=tuple(factors))


def colour_for(metrics: Mapping[str, float], params: Parameters) -> tuple[str | None, str | None]:
    """The most severe colour whose threshold the metrics reach, and that threshold's key."""
    for threshold in params.thresholds:  # ordered red, orange, yellow, blue
        value = metrics.get(threshold.metric)
        if value is not None and value >= threshold.value:
            return threshold.recommend, threshold.key
    return None, None


def metrics_of(evaluation: Evaluation) -> dict[str, float]:
    """The metrics a threshold may name: ``risk_score`` and ``possibility_<h>_<L>`` (percent)."""
    found = {"risk_score": evaluation.score}
    for lv, by_horizon in evaluation.possibility.items():
        for horizon, p in by_horizon.items():
            found[f"possibility_{horizon}_{lv}"] = 100.0 * p
    return found
