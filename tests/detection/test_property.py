"""The engine agrees with the plain reference matcher on random rules and events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fenghuo.detection import Engine
from tests.detection.kit import SYSMON, rule_from
from tests.detection.reference import Event, selection_matches

FIELDS = ["A", "B", "C"]
letters = st.text(alphabet="abAB", max_size=3)
wild = st.text(alphabet="abAB*?", max_size=4)
string_mods = st.tuples(
    st.sampled_from(["", "contains", "startswith", "endswith"]), st.booleans(), st.booleans()
)


@st.composite
def string_item(draw: st.DrawFn) -> tuple[str, Any]:
    base, cased, every = draw(string_mods)
    values = draw(st.lists(wild, min_size=1, max_size=3))
    mods = [m for m in (base, "cased" if cased else "", "all" if every else "") if m]
    return "|".join(mods), values if len(values) > 1 else values[0]


@st.composite
def other_item(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["re", "re|i", "exists", "null", "lt", "gte"]))
    if kind.startswith("re"):
        return kind, draw(st.text(alphabet="abAB.", min_size=1, max_size=3))
    if kind == "exists":
        return kind, draw(st.booleans())
    if kind == "null":
        return "", None
    return kind, draw(st.integers(-2, 5))


@st.composite
def selection(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.lists(st.text(alphabet="abAB*", min_size=1, max_size=3), min_size=1))
    fields = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True))
    out: dict[str, Any] = {}
    for name in fields:
        mods, value = draw(st.one_of(string_item(), other_item()))
        out["|".join([name, mods]) if mods else name] = value
    return out


def condition(draw: st.DrawFn, names: list[str], depth: int) -> tuple[str, Any]:
    """A random condition as (text, evaluator over a name -> bool mapping)."""
    choice = draw(st.integers(0, 6 if depth < 2 else 2))
    if choice == 0 or choice > 6:
        n = draw(st.sampled_from(names))
        return n, lambda r: r[n]
    if choice == 1:
        return "1 of sel*", lambda r: any(r.values())
    if choice == 2:
        return "all of them", lambda r: all(r.values())
    left, lf = condition(draw, names, depth + 1)
    right, rf = condition(draw, names, depth + 1)
    if choice == 3:
        return f"({left} and {right})", lambda r: lf(r) and rf(r)
    if choice == 4:
        return f"({left} or {right})", lambda r: lf(r) or rf(r)
    if choice == 5:
        return f"not {left}", lambda r: not lf(r)
    return f"({left} and not {right})", lambda r: lf(r) and not rf(r)


@st.composite
def rule(draw: st.DrawFn) -> tuple[dict[str, Any], str, Any]:
    sels = draw(st.lists(selection(), min_size=1, max_size=3))
    names = [f"sel{i}" for i in range(len(sels))]
    text, evaluate = condition(draw, names, 0)
    return dict(zip(names, sels, strict=True)), text, evaluate


event_value = st.one_of(
    st.none(), letters, st.text(alphabet="ab*?", max_size=3), st.integers(-3, 6)
)
events = st.lists(
    st.dictionaries(st.sampled_from(FIELDS), event_value, max_size=3), min_size=1, max_size=8
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule(), events)
def test_engine_agrees_with_reference(
    spec: tuple[dict[str, Any], str, Any], raw: list[Event]
) -> None:
    selections, text, evaluate = spec
    detection = yaml.safe_dump({"detection": {**selections, "condition": text}})
    engine = Engine()
    assert engine.add(rule_from(detection.removeprefix("detection:\n")), Path("p.yml"))
    batch = [{"Channel": SYSMON, "EventID": 1, **e} for e in raw]
    got = [m.event for m in engine.match_batch(batch)]
    expected = [
        i
        for i, e in enumerate(batch)
        if evaluate({n: selection_matches(e, s) for n, s in selections.items()})
    ]
    assert got == expected
