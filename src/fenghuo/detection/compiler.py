"""Compile a pySigma condition tree into one Polars boolean expression."""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeGuard

import polars as pl
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaType,
)

from fenghuo.detection import prefilter
from fenghuo.detection.prefilter import Needs, needs
from fenghuo.detection.strings import (
    Pattern,
    Unsupported,
    keyword_expr,
    patterns_expr,
    to_pattern,
)

KEYWORDS = "\x00all"
_OPS: dict[CompareOperators, Callable[[pl.Expr, float], pl.Expr]] = {
    CompareOperators.LT: operator.lt,
    CompareOperators.LTE: operator.le,
    CompareOperators.GT: operator.gt,
    CompareOperators.GTE: operator.ge,
    CompareOperators.NEQ: operator.ne,
}
_RX_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


def low_name(name: str) -> str:
    """Name of the lower-cased copy of a column."""
    return "\x01" + name


@dataclass
class Compiled:
    """A rule's expression and the event fields it reads."""

    expr: pl.Expr
    fields: set[str] = field(default_factory=set)
    needs: Needs = None


class _Compiler:
    """Walks one condition tree, collecting used fields as it goes."""

    def __init__(self) -> None:
        self.fields: set[str] = set()

    def cols(self, name: str) -> tuple[pl.Expr, pl.Expr]:
        self.fields.add(name)
        return pl.col(name), pl.col(low_name(name))

    def node(self, n: object) -> pl.Expr:
        if isinstance(n, ConditionAND):
            return pl.all_horizontal([self.node(a) for a in n.args])
        if isinstance(n, ConditionOR):
            return self.disjunction(list(n.args))
        if isinstance(n, ConditionNOT):
            return ~self.node(n.args[0])
        if isinstance(n, ConditionFieldEqualsValueExpression):
            return self.leaf(n.field, n.value)
        if isinstance(n, ConditionValueExpression):
            return self.keyword(n.value)
        raise Unsupported(f"condition element {type(n).__name__}")

    def disjunction(self, args: list[object]) -> pl.Expr:
        # Sibling string leaves on one field share a single is_in / Aho-Corasick scan.
        groups: dict[str, list[Pattern]] = {}
        cidrs: dict[str, list[str]] = {}
        words: list[str] = []
        others: list[pl.Expr] = []
        for a in args:
            value = getattr(a, "value", None)
            if isinstance(a, ConditionFieldEqualsValueExpression) and type(value) is SigmaString:
                groups.setdefault(a.field, []).append(to_pattern(value))
            elif isinstance(a, ConditionFieldEqualsValueExpression) and isinstance(
                value, SigmaCIDRExpression
            ):
                cidrs.setdefault(a.field, []).append(value.cidr)
            elif isinstance(a, ConditionValueExpression) and _is_plain_keyword(value):
                words.append("".join(p for p in value.s if isinstance(p, str)).lower())
            else:
                others.append(self.node(a))
        for name, pats in groups.items():
            others.append(patterns_expr(pats, *self.cols(name)).fill_null(False))
        for name, nets in cidrs.items():
            others.append(cidr_expr(nets, self.cols(name)[0]).fill_null(False))
        if words:
            others.append(keywords_any(words, self.cols(KEYWORDS)[0]))
        return pl.any_horizontal(others) if len(others) > 1 else others[0]

    def keyword(self, value: SigmaType) -> pl.Expr:
        if isinstance(value, SigmaExpansion):
            return pl.any_horizontal([self.keyword(v) for v in value.values])
        if isinstance(value, SigmaNumber | SigmaBool):
            value = SigmaString(str(value).lower())
        if not isinstance(value, SigmaString):
            raise Unsupported(f"keyword of type {type(value).__name__}")
        raw, _ = self.cols(KEYWORDS)
        return keyword_expr(value, raw.str.to_lowercase(), raw).fill_null(False)

    def leaf(self, name: str, value: SigmaType) -> pl.Expr:
        if isinstance(value, SigmaExpansion):
            return pl.any_horizontal([self.leaf(name, v) for v in value.values])
        raw, low = self.cols(name)
        return self.value(name, value, raw, low).fill_null(False)

    def value(self, name: str, value: SigmaType, raw: pl.Expr, low: pl.Expr) -> pl.Expr:
        if isinstance(value, SigmaString):
            return patterns_expr([to_pattern(value)], raw, low)
        if isinstance(value, SigmaNull):
            return raw.is_null() | (raw == "")
        if isinstance(value, SigmaExists):
            return raw.is_not_null() if value.exists else raw.is_null()
        if isinstance(value, SigmaBool):
            return low == str(bool(value)).lower()
        if isinstance(value, SigmaNumber):
            return low == str(value.number).lower()
        if isinstance(value, SigmaCompareExpression):
            return _OPS[value.op](raw.cast(pl.Float64, strict=False), float(value.number.number))
        if isinstance(value, SigmaRegularExpression):
            return regex_expr(value, raw)
        if isinstance(value, SigmaCIDRExpression):
            return cidr_expr([value.cidr], raw)
        if isinstance(value, SigmaFieldReference):
            return self.fieldref(value, low)
        raise Unsupported(f"value type {type(value).__name__} on field {name}")

    def fieldref(self, ref: SigmaFieldReference, low: pl.Expr) -> pl.Expr:
        _, other = self.cols(ref.field)
        if ref.starts_with:
            return low.str.starts_with(other)
        if ref.ends_with:
            return low.str.ends_with(other)
        return low == other


def regex_flags(value: SigmaRegularExpression) -> str:
    """Inline flag prefix such as ``(?i)`` for the modifiers re|i, re|m, re|s."""
    flags = "".join(sorted(_RX_FLAGS[f] for f in value.flags))
    return f"(?{flags})" if flags else ""


def regex_expr(value: SigmaRegularExpression, raw: pl.Expr) -> pl.Expr:
    """Search with Rust's regex; fall back to Python's re for look-arounds and back-references."""
    pattern = regex_flags(value) + str(value.regexp)
    try:
        pl.Series([""]).str.contains(pattern)
    except pl.exceptions.ComputeError:
        rx = re.compile(pattern)
        return raw.map_batches(
            lambda s: pl.Series([v is not None and rx.search(v) is not None for v in s]),
            return_dtype=pl.Boolean,
        )
    return raw.str.contains(pattern)


def keywords_any(words: list[str], raw_all: pl.Expr) -> pl.Expr:
    """Plain keywords in one Aho-Corasick scan; the all-values column is not lower-cased."""
    if all(w.isascii() for w in words):
        return raw_all.str.contains_any(words, ascii_case_insensitive=True).fill_null(False)
    return raw_all.str.to_lowercase().str.contains_any(words).fill_null(False)


def _is_plain_keyword(value: object) -> TypeGuard[SigmaString]:
    """A case-insensitive keyword without wildcards: batched into one substring scan."""
    return type(value) is SigmaString and not value.contains_special() and bool(str(value))


def _in_networks(value: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return any(address in n for n in networks)


def cidr_expr(cidrs: list[str], raw: pl.Expr) -> pl.Expr:
    """Test addresses against networks, once per distinct value in the batch."""
    networks = [ipaddress.ip_network(c, strict=False) for c in cidrs]

    def hits(s: pl.Series) -> pl.Series:
        values = s.drop_nulls().unique().to_list()
        return s.is_in([v for v in values if _in_networks(v, networks)])

    return raw.map_batches(hits, return_dtype=pl.Boolean)


def compile_rule(rule: SigmaRule) -> Compiled:
    """Compile every condition of a rule (several conditions are OR-ed, as Sigma 1 did)."""
    comp = _Compiler()
    try:
        trees = [c.parsed for c in rule.detection.parsed_condition]
    except Exception as exc:  # pySigma raises many error types for bad conditions
        raise Unsupported(f"condition: {exc}") from exc
    exprs = [comp.node(t) for t in trees]
    expr = pl.any_horizontal(exprs) if len(exprs) > 1 else exprs[0]
    return Compiled(expr=expr, fields=comp.fields, needs=prefilter.union([needs(t) for t in trees]))
