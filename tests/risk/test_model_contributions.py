"""A factor's contribution is exactly the score minus the score with that input at zero.

``model.evaluate`` recomputes only what each left-out input changes; these tests hold it to
the plain definition (``possibility`` and ``score`` on the changed inputs), to the last bit,
since the stored assessments are compared byte for byte across versions.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from fenghuo.risk import model
from fenghuo.risk.model import ScopeInputs
from fenghuo.risk.parameters import FACTORS, LEVELS
from tests.risk.test_model_properties import PARAMS, WINDOW, priors, scope_inputs


def _score(inputs: ScopeInputs, mu: dict[str, float]) -> float:
    return model.score(model.possibility(inputs, PARAMS, mu=mu, window=WINDOW), PARAMS)


def _without(inputs: ScopeInputs, name: str) -> ScopeInputs:
    if name == "exposure":
        return replace(inputs, operators=0, cii_operators=0)
    if name.startswith("incidents_"):
        level = name.removeprefix("incidents_")
        return replace(inputs, incidents={k: v for k, v in inputs.incidents.items() if k != level})
    return replace(inputs, **{name: 0.0})


@settings(max_examples=300, deadline=None)
@given(inputs=scope_inputs(), mu=priors(), zeros=st.sets(st.sampled_from([*LEVELS, *FACTORS])))
def test_each_contribution_is_the_score_minus_the_score_without_that_input(
    inputs: ScopeInputs, mu: dict[str, float], zeros: set[str]
) -> None:
    # Some inputs at zero too: those add nothing and are not recomputed.
    incidents = {lv: 0.0 if lv in zeros else n for lv, n in inputs.incidents.items()}
    inputs = replace(inputs, incidents=incidents, **{f: 0.0 for f in zeros if f in FACTORS})
    result = model.evaluate(inputs, PARAMS, mu=mu, window=WINDOW)

    total = _score(inputs, mu)
    assert result.score == total
    assert result.possibility == model.possibility(inputs, PARAMS, mu=mu, window=WINDOW)
    assert result.multiplier == model.activity_multiplier(inputs, PARAMS)
    for factor in result.factors:
        expected = total - _score(_without(inputs, factor.name), mu) if factor.value > 0 else 0.0
        assert factor.contribution == expected, factor.name
