"""The model's parameters: the packaged YAML loads; a wrong value names its line and rule."""

from __future__ import annotations

from importlib import resources

import pytest

from fenghuo.errors import Invalid
from fenghuo.risk.parameters import packaged, parse

TEXT = resources.files("fenghuo.risk").joinpath("model.yaml").read_text(encoding="utf-8")


def test_the_packaged_parameters_load() -> None:
    params = packaged()
    assert params.surge.false_alarm_rate == 0.01
    assert [t.recommend for t in params.thresholds] == ["red", "orange", "yellow", "blue"]
    assert params.factors["vulnerability_exposure"].weight > 0


@pytest.mark.parametrize(
    ("old", "new", "field", "rule"),
    [
        (
            "false_alarm_rate: 0.01",
            "false_alarm_rate: 1.5",
            "surge.false_alarm_rate",
            "probability",
        ),
        ("detections: 24", "detections: -1", "half_life_hours.detections", "positive"),
        ("prior_strength: 100", "prior_strength: many", "prior_strength", "number"),
        ("unclassified_level: IV", "unclassified_level: V", "unclassified_level", "allowed-value"),
    ],
)
def test_a_wrong_parameter_is_refused_naming_its_line(
    old: str, new: str, field: str, rule: str
) -> None:
    assert old in TEXT
    with pytest.raises(Invalid) as refused:
        parse(TEXT.replace(old, new, 1))
    assert (refused.value.field, refused.value.rule) == (field, rule)
    line = next(n for n, text in enumerate(TEXT.splitlines(), start=1) if old in text)
    assert f"line {line}:" in str(refused.value)
