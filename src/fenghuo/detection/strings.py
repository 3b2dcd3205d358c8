"""Sigma strings (with wildcards) turned into Polars string predicates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from sigma.types import Placeholder, SigmaCasedString, SigmaString, SpecialChars

# Characters that are meta in Rust's regex syntax; escaping others is rejected by some versions.
_RX_META = frozenset("\\.+*?()|[]{}^$")
# Keyword searches run over all values of an event joined by this separator.
KW_SEP = "\x1f"


class Unsupported(Exception):
    """A rule construct the engine cannot compile; the message is the reason shown to users."""


@dataclass(frozen=True)
class Pattern:
    """A Sigma string reduced to a kind (eq, contains, startswith, endswith, any, regex)."""

    kind: str
    text: str
    cased: bool


def rx_escape(text: str) -> str:
    """Escape a literal for Rust's regex engine."""
    return "".join("\\" + c if c in _RX_META else c for c in text)


def to_pattern(value: SigmaString) -> Pattern:
    """Classify a Sigma string so the cheapest Polars operation can match it."""
    cased = isinstance(value, SigmaCasedString)
    parts = list(value.s)
    if any(isinstance(p, Placeholder) for p in parts):
        raise Unsupported("unresolved placeholder (expand modifier without a value list)")
    texts = [p if cased else p.lower() for p in parts if isinstance(p, str)]
    star = SpecialChars.WILDCARD_MULTI
    if not value.contains_special():
        return Pattern("eq", "".join(texts), cased)
    if all(p == star for p in parts):
        return Pattern("any", "", cased)
    if SpecialChars.WILDCARD_SINGLE not in parts and len(texts) == 1:
        inner = parts[1:-1] if parts[0] == star and parts[-1] == star else None
        if inner is not None and len(inner) == 1:
            return Pattern("contains", texts[0], cased)
        if len(parts) == 2:
            return Pattern("startswith" if parts[1] == star else "endswith", texts[0], cased)
    return Pattern("regex", to_regex(parts, cased, anchor="^", end="$", any_char="."), cased)


def to_regex(parts: Sequence[object], cased: bool, *, anchor: str, end: str, any_char: str) -> str:
    """Translate wildcard parts into an anchored regular expression."""
    out = [anchor]
    for p in parts:
        if p == SpecialChars.WILDCARD_MULTI:
            out.append(any_char + "*")
        elif p == SpecialChars.WILDCARD_SINGLE:
            out.append(any_char)
        elif isinstance(p, str):
            out.append(rx_escape(p if cased else p.lower()))
    out.append(end)
    return "(?s)" + "".join(out)


def pattern_expr(pat: Pattern, raw: pl.Expr, low: pl.Expr) -> pl.Expr:
    """Return the predicate for one pattern over a column (raw or lower-cased)."""
    col = raw if pat.cased else low
    if pat.kind == "eq":
        return col == pat.text
    if pat.kind == "any" or (pat.kind == "contains" and not pat.text):
        return col.is_not_null()
    if pat.kind == "contains":
        return col.str.contains(pat.text, literal=True)
    if pat.kind == "startswith":
        return col.str.starts_with(pat.text)
    if pat.kind == "endswith":
        return col.str.ends_with(pat.text)
    return col.str.contains(pat.text)


def patterns_expr(pats: list[Pattern], raw: pl.Expr, low: pl.Expr) -> pl.Expr:
    """OR several patterns over one column, batching equalities and substrings."""
    eqs = [p for p in pats if p.kind == "eq" and not p.cased]
    subs = [p for p in pats if p.kind == "contains" and p.text and not p.cased]
    rest = [p for p in pats if p not in eqs and p not in subs]
    exprs: list[pl.Expr] = []
    if len(eqs) > 1:
        exprs.append(low.is_in([p.text for p in eqs]))
    else:
        rest += eqs
    if len(subs) > 1:
        # Aho-Corasick inside Polars: one scan for the whole list.
        exprs.append(low.str.contains_any([p.text for p in subs]))
    else:
        rest += subs
    exprs += [pattern_expr(p, raw, low) for p in rest]
    return pl.any_horizontal(exprs) if len(exprs) > 1 else exprs[0]


def keyword_expr(value: SigmaString, low_all: pl.Expr, raw_all: pl.Expr) -> pl.Expr:
    """Match a field-less keyword as a substring of any one value of the event."""
    cased = isinstance(value, SigmaCasedString)
    parts: list[object] = list(value.s)
    if any(isinstance(p, Placeholder) for p in parts):
        raise Unsupported("unresolved placeholder in keyword")
    col = raw_all if cased else low_all
    if not value.contains_special():
        text = "".join(p for p in parts if isinstance(p, str))
        return col.str.contains(text if cased else text.lower(), literal=True)
    # Wildcards must not cross from one field's value into the next.
    rx = to_regex(parts, cased, anchor="", end="", any_char=f"[^{KW_SEP}]")
    return col.str.contains(rx)
