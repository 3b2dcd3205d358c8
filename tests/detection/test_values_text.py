"""The engine's faster all-values text and its split of keyword rules change no match."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fenghuo.detection import Engine
from fenghuo.detection.events import all_values
from fenghuo.detection.strings import KW_SEP
from fenghuo.detection.values_text import SHAPES_MAX, ValuesText
from tests.detection.kit import proc, rule_from


class _Text(str):
    """A str subclass: takes the generic path, as all_values treats it."""


scalars = st.one_of(
    st.text(max_size=4),
    st.text(max_size=2).map(_Text),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
values = st.one_of(
    scalars,
    st.lists(st.one_of(st.text(max_size=3), st.integers(-(2**63), 2**63 - 1)), max_size=3),
    st.dictionaries(st.text(max_size=2), st.text(max_size=2), max_size=2),
)
events = st.dictionaries(st.sampled_from(list("ABCDEFG")), values, max_size=7)


@given(st.lists(events, min_size=1, max_size=12))
def test_values_text_is_all_values_character_for_character(batch: list[dict[str, Any]]) -> None:
    text = ValuesText(KW_SEP)
    # Twice: the second pass reads the shapes learnt in the first.
    for _ in range(2):
        assert [text.of(e) for e in batch] == [all_values(e, KW_SEP) for e in batch]


def test_values_text_forgets_shapes_beyond_its_bound_and_stays_right() -> None:
    text = ValuesText(KW_SEP)
    for n in range(SHAPES_MAX + 10):
        event = {f"k{i}": (1 if i == n % 13 else "x") for i in range(n % 50)} | {"n": n}
        assert text.of(event) == all_values(event, KW_SEP)
    assert len(text._fixes) <= SHAPES_MAX


KEYWORD_RULE = """title: Keyword rule
id: 00000000-0000-4000-8000-0000000000a1
author: Fenghuo tests
level: high
logsource: {category: process_creation, product: windows}
"""
FIELD_RULE = KEYWORD_RULE.replace("a1", "a2").replace("Keyword rule", "Field rule")


def _engine(*rules: tuple[str, str]) -> Engine:
    engine = Engine()
    for head, detection in rules:
        assert engine.add(rule_from(detection, head), Path("inline.yml")), engine.issues
    return engine


KEYWORDS = (KEYWORD_RULE, "    words: ['evil', 'b*d']\n    condition: words\n")
FIELDS = (FIELD_RULE, "    sel: {Image|endswith: '\\\\a.exe'}\n    condition: sel\n")
images = st.sampled_from(["C:\\a.exe", "C:\\b.exe", "", None, 7])
lines = st.sampled_from(["evil", "good", "bad", "b-d", "x", None, True])


@given(st.lists(st.tuples(images, lines), min_size=1, max_size=20))
def test_keyword_and_field_rules_of_one_source_match_as_each_alone(
    rows: list[tuple[Any, Any]],
) -> None:
    """A keyword rule and a field rule on one logsource are evaluated apart (the field rule
    on distinct rows); together they match exactly what each matches alone."""
    batch = [proc(Image=image, CommandLine=line) for image, line in rows]
    together = _engine(KEYWORDS, FIELDS)
    both = {(m.event, together.rules[m.rule].id) for m in together.match_batch(batch)}
    alone = set()
    for spec in (KEYWORDS, FIELDS):
        engine = _engine(spec)
        alone |= {(m.event, engine.rules[m.rule].id) for m in engine.match_batch(batch)}
    assert both == alone
