"""Sigma correlation rules: thresholds over time windows, grouped by event fields.

A correlation reads the matches of the rules it references (*hits*). Each hit carries the
event's time, the values of the ``group-by`` fields and, for ``value_count``, the value of the
counted field. Hits are kept per (correlation, group) in time order; ``push`` adds one hit
and says whether the correlation fired. The same functions run offline (``offline.py``, over
a whole run) and online (``correlation_store.py``, with the pending hits kept in a table),
so both give the same answers. The semantics are written down in docs/detection.md.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sigma.correlations import (
    SigmaCorrelationCondition,
    SigmaCorrelationRule,
    SigmaCorrelationType,
)

from fenghuo.detection.events import as_text
from fenghuo.detection.rules import CONDITION_KEY, CONDITION_OPERATORS
from fenghuo.detection.strings import Unsupported

EVENT_COUNT = "event_count"
VALUE_COUNT = "value_count"
TEMPORAL = "temporal"
TEMPORAL_ORDERED = "temporal_ordered"
TYPES = (EVENT_COUNT, VALUE_COUNT, TEMPORAL, TEMPORAL_ORDERED)
_OPS: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
    "neq": operator.ne,
}
# Conditions that only ever become true as hits are added: they fire as soon as they hold.
# The others (lt, lte, eq, neq, ranges) are judged when the group's window closes.
_RISING = frozenset({"gt", "gte"})


@dataclass(frozen=True, slots=True)
class Hit:
    """A referenced rule (``ref``: its position in the correlation's rules) matched an event.

    ``order`` breaks ties between equal times (offline: position in the run; online: the
    event id), ``event`` identifies the event to the caller.
    """

    time: datetime
    order: Any
    ref: int
    event: Any
    value: str | None = None

    def key(self) -> tuple[datetime, Any, int]:
        """The order hits are evaluated in."""
        return (self.time, self.order, self.ref)


@dataclass(frozen=True, slots=True)
class Fired:
    """A correlation matched: the hits that made it (the last one completed it)."""

    hits: tuple[Hit, ...]
    count: int
    values: tuple[str, ...] | None = None

    @property
    def completing(self) -> Hit:
        """The hit whose arrival (or whose window's close) met the condition."""
        return self.hits[-1]


@dataclass(frozen=True)
class Correlation:
    """A compiled correlation rule; ``refs`` are the rule references as written."""

    type: str
    refs: tuple[str, ...]
    group_by: tuple[str, ...]
    # aliases[alias][ref] = field name in events matched by that referenced rule
    aliases: Mapping[str, Mapping[str, str]]
    span: timedelta
    condition: tuple[tuple[str, float], ...]
    field: str | None
    generate: bool

    @property
    def rising(self) -> bool:
        """Whether the condition fires on arrival (only gt/gte) or at the window's close."""
        return all(op in _RISING for op, _ in self.condition)

    def holds(self, count: int) -> bool:
        """Whether a measured count meets every operator of the condition."""
        return all(_OPS[op](count, bound) for op, bound in self.condition)

    def field_for(self, name: str, ref: int) -> str:
        """The event field that ``name`` (a field or an alias) means for hits of ``ref``."""
        alias = self.aliases.get(name)
        if alias is None:
            return name
        return alias.get(self.refs[ref], name)

    def group_of(self, event: Mapping[str, Any], ref: int) -> tuple[str, ...] | None:
        """The group-by values of an event, or None when one of them is missing."""
        values: list[str] = []
        for name in self.group_by:
            value = as_text(event.get(self.field_for(name, ref)))
            if value is None or value == "":
                return None
            values.append(value)
        return tuple(values)

    def value_of(self, event: Mapping[str, Any], ref: int) -> str | None:
        """The counted field's value (value_count), or None."""
        if self.field is None:
            return None
        value = as_text(event.get(self.field_for(self.field, ref)))
        return None if value == "" else value


def _condition(rule: SigmaCorrelationRule) -> tuple[tuple[tuple[str, float], ...], str | None]:
    raw = rule.custom_attributes.get(CONDITION_KEY)
    condition = rule.condition
    if not isinstance(condition, SigmaCorrelationCondition):
        raise Unsupported("extended (boolean) correlation conditions are not supported")
    if not isinstance(raw, dict):  # temporal rules without a condition: all rules, pySigma's
        return ((condition.op.name.lower(), float(condition.count)),), None
    ops: list[tuple[str, float]] = []
    for op in CONDITION_OPERATORS:
        if op in raw:
            try:
                ops.append((op, float(raw[op])))
            except (TypeError, ValueError):
                raise Unsupported(f"condition {op}: {raw[op]!r} is not a number") from None
    fieldref = raw.get("field")
    if fieldref is not None and not isinstance(fieldref, str):
        raise Unsupported("condition field: only one field can be counted")
    return tuple(ops), fieldref


def compile_correlation(rule: SigmaCorrelationRule) -> Correlation:
    """The evaluable form of a parsed correlation rule; Unsupported says why not."""
    kind = rule.type.name.lower() if isinstance(rule.type, SigmaCorrelationType) else str(rule.type)
    if kind not in TYPES:
        raise Unsupported(f"correlation type {kind} not supported")
    if not rule.rules:
        raise Unsupported("correlation without rules")
    ops, fieldref = _condition(rule)
    if kind == VALUE_COUNT and not fieldref:
        raise Unsupported("value_count needs condition.field")
    if kind == TEMPORAL_ORDERED and ops != (("gte", float(len(rule.rules))),):
        raise Unsupported("temporal_ordered takes no condition other than all rules in order")
    aliases = {
        alias.alias: {ref.reference: name for ref, name in alias.mapping.items()}
        for alias in rule.aliases
    }
    return Correlation(
        type=kind,
        refs=tuple(ref.reference for ref in rule.rules),
        group_by=tuple(rule.group_by or ()),
        aliases=aliases,
        span=timedelta(seconds=rule.timespan.seconds),
        condition=ops,
        field=fieldref if kind == VALUE_COUNT else None,
        generate=bool(rule.generate),
    )


def _ordered(refs: int, hits: Sequence[Hit]) -> list[Hit]:
    """The earliest hits that follow the rules in order (greedy is optimal for subsequences)."""
    found: list[Hit] = []
    for hit in hits:
        if len(found) < refs and hit.ref == len(found):
            found.append(hit)
    return found


def measure(correlation: Correlation, hits: Sequence[Hit]) -> Fired:
    """What the condition is compared against, for the hits of one window."""
    kind = correlation.type
    if kind == EVENT_COUNT:
        return Fired(tuple(hits), len(hits))
    if kind == VALUE_COUNT:
        values = tuple(sorted({h.value for h in hits if h.value is not None}))
        return Fired(tuple(hits), len(values), values)
    if kind == TEMPORAL:
        return Fired(tuple(hits), len({h.ref for h in hits}))
    chain = _ordered(len(correlation.refs), hits)
    return Fired(tuple(chain), len(chain))


def push(correlation: Correlation, pending: list[Hit], hit: Hit) -> Fired | None:
    """Add ``hit`` (no earlier than any pending hit) to a group's window; a match or None.

    Rising conditions (gt/gte) use a sliding window: hits older than ``hit.time - timespan``
    leave it, and when the condition holds the window's hits are consumed. Other conditions
    use a window that opens at the group's first pending hit and closes at ``timespan``
    after it; a hit beyond it closes the window (judged by ``close``) and opens the next.
    """
    if correlation.rising:
        horizon = hit.time - correlation.span
        while pending and pending[0].time < horizon:
            pending.pop(0)
        pending.append(hit)
        result = measure(correlation, pending)
        if not correlation.holds(result.count):
            return None
        if correlation.type == TEMPORAL_ORDERED and result.completing is not hit:
            return None
        pending.clear()
        return result
    fired = close(correlation, pending, hit.time)
    pending.append(hit)
    return fired


def close(correlation: Correlation, pending: list[Hit], now: datetime) -> Fired | None:
    """Judge a bounded window whose end has passed ``now``; it is emptied either way."""
    if correlation.rising or not pending or now <= pending[0].time + correlation.span:
        return None
    result = measure(correlation, pending)
    pending.clear()
    return result if correlation.holds(result.count) else None


def run(correlation: Correlation, hits: Sequence[Hit]) -> tuple[list[Fired], list[Hit]]:
    """Evaluate one group's hits from scratch: the matches, and the hits still pending."""
    pending: list[Hit] = []
    fired: list[Fired] = []
    for hit in sorted(hits, key=Hit.key):
        result = push(correlation, pending, hit)
        if result is not None:
            fired.append(result)
    return fired, pending


def summary(correlation: Correlation, fired: Fired) -> dict[str, Any]:
    """The measured part of a match, as written in outputs: the count, or the values."""
    if correlation.type == VALUE_COUNT:
        return {"values": list(fired.values or ())}
    return {"count": fired.count}
