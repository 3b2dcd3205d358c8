"""Literal prefilter: the substrings one of which must occur in an event for a rule to match.

For each rule we derive a *necessary set* of lower-cased literals from its condition tree:
a leaf's longest literal; for AND any child's set is necessary, and we keep the one whose
shortest literal is longest (the rarest); for OR the union (None if any branch has none);
NOT and non-literal leaves give None (no constraint).
Per batch, one Aho-Corasick pass (Polars ``extract_many``) over the used fields finds which
literals occur, and only rules whose set intersects them are evaluated in full.
"""

from __future__ import annotations

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
)
from sigma.types import SigmaExpansion, SigmaString, SigmaType

from fenghuo.detection.strings import to_pattern

Needs = frozenset[str] | None


def _value_needs(value: SigmaType) -> Needs:
    if isinstance(value, SigmaExpansion):
        return union([_value_needs(v) for v in value.values])
    if not isinstance(value, SigmaString):
        return None
    parts = [p.lower() for p in value.s if isinstance(p, str)]
    best = max(parts, key=len, default="")
    # Non-ASCII lower-casing differs between Python and Rust; leave those unconstrained.
    if not best or not best.isascii() or to_pattern(value).kind == "any":
        return None
    return frozenset([best])


def union(sets: list[Needs]) -> Needs:
    """OR of necessary sets: every branch must have one."""
    if not sets or any(s is None for s in sets):
        return None
    return frozenset().union(*[s for s in sets if s is not None])


def needs(node: object) -> Needs:
    """The necessary literal set of a condition tree, or None when there is none."""
    if isinstance(node, ConditionAND):
        found = [s for s in (needs(a) for a in node.args) if s is not None]
        # Any child's set is necessary; the one with the longest shortest literal is rarest.
        return max(found, key=lambda s: (min(map(len, s)), -len(s))) if found else None
    if isinstance(node, ConditionOR):
        return union([needs(a) for a in node.args])
    if isinstance(node, ConditionNOT):
        return None
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return _value_needs(node.value)
    return None  # keywords and anything else: evaluate always
