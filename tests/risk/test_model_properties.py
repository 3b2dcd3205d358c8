"""Properties a reviewer demands of the risk model (pure functions, no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenghuo.risk import model
from fenghuo.risk.model import ScopeInputs
from fenghuo.risk.parameters import LEVELS, packaged

PARAMS = packaged()
WINDOW = model.effective_days(PARAMS.lookback_days, PARAMS.half_life_hours["incidents"])
EPS = 1e-12

counts = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def scope_inputs(draw: st.DrawFn) -> ScopeInputs:
    operators = draw(st.integers(0, 200))
    return ScopeInputs(
        operators=operators,
        cii_operators=draw(st.integers(0, operators)),
        incidents={lv: draw(st.floats(0, 50)) for lv in LEVELS},
        detections=draw(counts),
        submissions=draw(st.floats(0, 100)),
        open_incidents=draw(st.floats(0, 30)),
        vulnerability_exposure=draw(st.floats(0, 1000)),
    )


@st.composite
def priors(draw: st.DrawFn) -> dict[str, float]:
    return model.prior_means(
        PARAMS,
        incidents_all={lv: draw(st.floats(0, 500)) for lv in LEVELS},
        operators_all=draw(st.integers(0, 100_000)),
        window=WINDOW,
    )


def _more(inputs: ScopeInputs, name: str, extra: float) -> ScopeInputs:
    if name in LEVELS:
        incidents = dict(inputs.incidents)
        incidents[name] = incidents.get(name, 0.0) + extra
        return replace(inputs, incidents=incidents)
    if name == "operators":
        return replace(inputs, operators=inputs.operators + max(int(extra), 1))
    if name == "cii_operators":  # an existing operator becomes CII, or a new CII one joins
        return replace(
            inputs,
            operators=inputs.operators + 1,
            cii_operators=inputs.cii_operators + 1,
        )
    return replace(inputs, **{name: getattr(inputs, name) + extra})


INPUT_NAMES = [
    "operators",
    "cii_operators",
    *LEVELS,
    "detections",
    "submissions",
    "open_incidents",
    "vulnerability_exposure",
]


@pytest.mark.parametrize("name", INPUT_NAMES)
@settings(max_examples=150, deadline=None)
@given(inputs=scope_inputs(), mu=priors(), extra=st.floats(0.001, 1000))
def test_more_exposure_or_activity_never_lowers_the_risk(
    name: str, inputs: ScopeInputs, mu: dict[str, float], extra: float
) -> None:
    before = model.evaluate(inputs, PARAMS, mu=mu, window=WINDOW)
    after = model.evaluate(_more(inputs, name, extra), PARAMS, mu=mu, window=WINDOW)
    assert after.score >= before.score - EPS
    for lv in LEVELS:
        for horizon in model.HORIZONS_DAYS:
            assert after.possibility[lv][horizon] >= before.possibility[lv][horizon] - EPS


@settings(max_examples=300, deadline=None)
@given(inputs=scope_inputs(), mu=priors())
def test_probabilities_are_probabilities_and_a_week_is_at_least_a_day(
    inputs: ScopeInputs, mu: dict[str, float]
) -> None:
    result = model.evaluate(inputs, PARAMS, mu=mu, window=WINDOW)
    assert 0.0 <= result.score <= 100.0
    for lv in LEVELS:
        p24, p7 = result.possibility[lv]["24h"], result.possibility[lv]["7d"]
        assert 0.0 <= p24 <= 1.0
        assert 0.0 <= p7 <= 1.0
        assert p7 >= p24


@settings(max_examples=100, deadline=None)
@given(inputs=scope_inputs(), mu=priors())
def test_the_same_inputs_give_the_same_assessment(
    inputs: ScopeInputs, mu: dict[str, float]
) -> None:
    first = model.evaluate(inputs, PARAMS, mu=mu, window=WINDOW)
    again = model.evaluate(replace(inputs), PARAMS, mu=dict(mu), window=WINDOW)
    assert first == again


@settings(max_examples=100, deadline=None)
@given(inputs=scope_inputs(), mu=priors())
def test_every_factor_is_explained_with_a_non_negative_contribution(
    inputs: ScopeInputs, mu: dict[str, float]
) -> None:
    result = model.evaluate(inputs, PARAMS, mu=mu, window=WINDOW)
    names = [f.name for f in result.factors]
    assert names == [
        "exposure",
        *(f"incidents_{lv}" for lv in LEVELS),
        "detections",
        "submissions",
        "open_incidents",
        "vulnerability_exposure",
    ]
    assert all(f.contribution >= -EPS for f in result.factors)
    vulnerability = result.factors[-1]
    assert "CVE" in vulnerability.note and "KEV" in vulnerability.note


def test_a_scope_without_operators_has_no_risk() -> None:
    mu = model.prior_means(PARAMS, incidents_all={}, operators_all=10, window=WINDOW)
    result = model.evaluate(ScopeInputs(detections=500.0), PARAMS, mu=mu, window=WINDOW)
    assert result.score == 0.0


def test_a_recent_major_incident_with_activity_recommends_a_warning() -> None:
    mu = model.prior_means(PARAMS, incidents_all={"I": 1.0}, operators_all=20, window=WINDOW)
    busy = ScopeInputs(
        operators=2, cii_operators=1, incidents={"I": 0.95}, detections=20.0, open_incidents=1.0
    )
    result = model.evaluate(busy, PARAMS, mu=mu, window=WINDOW)
    colour, key = model.colour_for(model.metrics_of(result), PARAMS)
    assert colour is not None and key is not None
    quiet = model.evaluate(ScopeInputs(operators=2, cii_operators=1), PARAMS, mu=mu, window=WINDOW)
    assert model.colour_for(model.metrics_of(quiet), PARAMS) == (None, None)


def test_the_plan_thresholds_replace_the_packaged_ones_of_the_same_colour() -> None:
    class PlanThreshold:
        key, metric, value, recommend, source = "plan_blue", "risk_score", 5, "blue", "design"

    params = PARAMS.with_plan_thresholds([PlanThreshold()])
    blue = [t for t in params.thresholds if t.recommend == "blue"]
    assert [(t.key, t.value, t.source) for t in blue] == [("plan_blue", 5.0, "plan (design)")]
    assert [t.recommend for t in params.thresholds] == ["red", "orange", "yellow", "blue"]
