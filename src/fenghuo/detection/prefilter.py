"""Literal prefilter: the substrings one of which must occur in an event for a rule to match.

For each rule we derive *necessary clauses* of lower-cased literals from its condition tree
(one literal of each clause must occur): a leaf's longest literal; for AND every child's
clauses; for OR one clause, the union of each branch's rarest clause (the one whose shortest
literal is longest; None if any branch has none); NOT and non-literal leaves give None (no
constraint). Per batch, one Aho-Corasick pass (Polars ``extract_many``) over the distinct
values of the used fields finds which literals occur, and only rules whose every clause
meets them are evaluated in full.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
)
from sigma.types import SigmaExpansion, SigmaString, SigmaType

from fenghuo.detection.strings import to_pattern

# Clauses (CNF): every clause must have one of its literals present; None: no constraint.
# A literal required in a field (the rule's name for it).
Word = tuple[str, str]
Needs = tuple[frozenset[Word], ...] | None


def _value_needs(name: str, value: SigmaType) -> Needs:
    if isinstance(value, SigmaExpansion):
        return union([_value_needs(name, v) for v in value.values])
    if not isinstance(value, SigmaString):
        return None
    parts = [p.lower() for p in value.s if isinstance(p, str)]
    best = max(parts, key=len, default="")
    # Non-ASCII lower-casing differs between Python and Rust; leave those unconstrained.
    if not best or not best.isascii() or to_pattern(value).kind == "any":
        return None
    return (frozenset([(name, best)]),)


def _rarest(clauses: tuple[frozenset[Word], ...]) -> frozenset[Word]:
    """The clause whose shortest literal is longest (then the smallest): likely the rarest."""
    return max(clauses, key=lambda s: (min(len(w) for _, w in s), -len(s)))


def union(sets: list[Needs]) -> Needs:
    """OR of necessary sets: every branch must have one; each gives its rarest clause."""
    if not sets or any(s is None for s in sets):
        return None
    return (frozenset().union(*[_rarest(s) for s in sets if s is not None]),)


def needs(node: object) -> Needs:
    """The necessary literal clauses of a condition tree, or None when there is none."""
    if isinstance(node, ConditionAND):
        # Every child's clauses are necessary.
        found = [c for n in (needs(a) for a in node.args) if n is not None for c in n]
        return tuple(dict.fromkeys(found)) if found else None
    if isinstance(node, ConditionOR):
        return union([needs(a) for a in node.args])
    if isinstance(node, ConditionNOT):
        return None
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return _value_needs(node.field, node.value)
    # Keywords read every value of an event: scanning all of them for the literal would cost
    # as much as evaluating the keyword itself. Anything else: evaluate always.
    return None


def literals(needs: Needs) -> frozenset[str]:
    """Every literal named in the clauses."""
    return frozenset(w for clause in needs or () for _, w in clause)


def can_match(needs: Needs, found: set[Word]) -> bool:
    """Whether a rule may match given the (field, literal) pairs found: each clause has one."""
    return needs is None or all(not clause.isdisjoint(found) for clause in needs)


def _cells(columns: Mapping[str, pl.Series]) -> pl.DataFrame:
    """All the columns' values in one long frame: value, field (its position), row."""
    height = next(iter(columns.values())).len()
    index = pl.int_range(pl.len(), dtype=pl.UInt32)
    return (
        pl.DataFrame({"v": pl.concat([c.alias("v") for c in columns.values()])})
        .with_columns(field=index // height, row=index % height)
        .drop_nulls()
    )


def _held(literals: Sequence[str], cells: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The distinct (keys) of the cells whose value holds literals, with the literals."""
    distinct = cells.select(keys).unique()
    words = distinct.get_column("v").str.extract_many(list(literals), overlapping=True)
    return distinct.with_columns(word=words).filter(pl.col("word").list.len() > 0)


def present_in_columns(literals: Sequence[str], columns: Mapping[str, pl.Series]) -> set[Word]:
    """The (field, literal) pairs that occur in lower-cased columns, each distinct value of a
    field scanned once."""
    if not literals or not columns:
        return set()
    names = list(columns)
    held = _held(literals, _cells(columns), ["field", "v"]).explode("word")
    return {(names[f], w) for f, w in held.select("field", "word").unique().iter_rows()}


def rows_of(literals: Sequence[str], columns: Mapping[str, pl.Series]) -> dict[Word, pl.Series]:
    """The (field, literal) pairs that occur in lower-cased columns, each with its rows.

    Each distinct value (over all the columns) is scanned once; the values that hold a
    literal are then joined back to their rows.
    """
    if not literals or not columns:
        return {}
    cells = _cells(columns)
    held = _held(literals, cells, ["v"])
    pairs = cells.join(held, on="v").select("field", "word", "row").explode("word")
    grouped = pairs.group_by("field", "word").agg(pl.col("row").unique())
    names = list(columns)
    keys = zip(grouped["field"].to_list(), grouped["word"].to_list(), strict=True)
    return {(names[f], w): r for (f, w), r in zip(keys, grouped.get_column("row"), strict=True)}
