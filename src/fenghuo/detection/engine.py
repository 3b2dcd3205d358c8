"""The batch engine: route events to sources, build one frame per source, evaluate its rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sigma.rule import SigmaRule

from fenghuo.detection.compiler import KEYWORDS, compile_rule, low_name
from fenghuo.detection.events import all_values, as_text
from fenghuo.detection.prefilter import Needs
from fenghuo.detection.routing import Routing, Source, load_routing
from fenghuo.detection.rules import RULE_SUFFIXES, CompileIssue, RuleInfo, info_of, load_file, walk
from fenghuo.detection.strings import KW_SEP, Unsupported


@dataclass(frozen=True, order=True)
class Match:
    """Rule ``rule`` (index into Engine.rules) matched event ``event`` (index in the batch)."""

    event: int
    rule: int


@dataclass
class _Group:
    """The rules that read one source, and the union of the fields they use."""

    source: Source
    rules: list[int] = field(default_factory=list)
    exprs: list[pl.Expr] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    needs: list[Needs] = field(default_factory=list)
    _literals: list[str] | None = None

    def literals(self) -> list[str]:
        """Every literal some rule of this group needs, for the batch's Aho-Corasick pass."""
        if self._literals is None:
            self._literals = sorted(set().union(*[n for n in self.needs if n is not None]))
        return self._literals


class Engine:
    """Compiled rules grouped by source; ``match_batch`` evaluates a batch of flat events."""

    def __init__(self, routing: Routing | None = None) -> None:
        self.routing = routing or load_routing()
        self.rules: list[RuleInfo] = []
        self.issues: list[CompileIssue] = []
        self._groups: dict[int, _Group] = {}

    @classmethod
    def from_paths(cls, paths: Iterable[Path], routing: Routing | None = None) -> Engine:
        """Load and compile every rule file under the given files or folders."""
        engine = cls(routing)
        for path in walk(paths, RULE_SUFFIXES):
            rules, issues = load_file(path)
            engine.issues.extend(issues)
            for rule in rules:
                engine.add(rule, path)
        return engine

    def add(self, rule: SigmaRule, path: Path) -> bool:
        """Compile one rule; on failure record a CompileIssue and return False."""
        info = info_of(rule, path)
        try:
            sources = self.routing.sources_for(rule.logsource)
            compiled = compile_rule(rule)
            _probe(compiled.expr, compiled.fields)
        except Unsupported as exc:
            self.issues.append(CompileIssue(info.path, info.id or None, str(exc)))
            return False
        except Exception as exc:  # a Polars error at probe time: report, never drop silently
            reason = f"evaluation: {type(exc).__name__}: {exc}"
            self.issues.append(CompileIssue(info.path, info.id or None, reason))
            return False
        index = len(self.rules)
        self.rules.append(info)
        for s in sources:
            group = self._groups.setdefault(s, _Group(self.routing.sources[s]))
            group.exprs.append(compiled.expr.alias(str(len(group.rules))))
            group.rules.append(index)
            group.needs.append(compiled.needs)
            group._literals = None
            group.fields |= compiled.fields
        return True

    def match_batch(self, events: Sequence[Mapping[str, Any]]) -> list[Match]:
        """All (event, rule) matches in a batch of flat events, sorted by event."""
        buckets: dict[int, list[int]] = defaultdict(list)
        for i, event in enumerate(events):
            channel = event.get("Channel")
            key = channel.lower() if isinstance(channel, str) else ""
            for s in self.routing.route(key, as_text(event.get("EventID")) or ""):
                buckets[s].append(i)
        matches: list[Match] = []
        for s, indices in buckets.items():
            group = self._groups.get(s)
            if group is not None:
                matches.extend(self._evaluate(group, events, indices))
        matches.sort()
        return matches

    def _evaluate(
        self, group: _Group, events: Sequence[Mapping[str, Any]], indices: list[int]
    ) -> Iterable[Match]:
        if group.source.where:
            indices = [i for i in indices if _where(group.source, events[i])]
        if not indices:
            return []
        batch = [events[i] for i in indices]
        frame = _frame(group, batch)
        active = _active(group, frame)
        if not active:
            return []
        result = frame.select([group.exprs[j] for j in active])
        found: list[Match] = []
        for j, hits in zip(active, result.iter_columns(), strict=True):
            if hits.any():
                rule = group.rules[j]
                found.extend(Match(indices[k], rule) for k in hits.arg_true().to_list())
        return found


def _active(group: _Group, frame: pl.DataFrame) -> list[int]:
    """Rules worth a full evaluation: unconstrained ones and those whose literals occur."""
    literals = group.literals()
    names = [low_name(f) for f in group.fields if f != KEYWORDS]
    present: set[str] = set()
    if literals and names:
        text = pl.concat_str([pl.col(n) for n in names], separator=KW_SEP, ignore_nulls=True)
        found = frame.select(text.str.extract_many(literals, overlapping=True).explode().unique())
        present = set(found.to_series().drop_nulls().to_list())
    return [j for j, n in enumerate(group.needs) if n is None or not n.isdisjoint(present)]


def _where(source: Source, event: Mapping[str, Any]) -> bool:
    return all((as_text(event.get(k)) or "").lower() == v.lower() for k, v in source.where)


def _frame(group: _Group, batch: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Only the used fields, as strings, plus a lower-cased copy of each made once per batch."""
    names = sorted(group.fields - {KEYWORDS})
    sources = {group.source.event_field(n) for n in names}
    raw = _strings(batch, sorted(sources))
    columns = [raw.get_column(group.source.event_field(n)).alias(n) for n in names]
    if KEYWORDS in group.fields:
        values = [all_values(e, KW_SEP) for e in batch]
        columns.append(pl.Series(KEYWORDS, values, dtype=pl.String))
    frame = pl.DataFrame(columns, height=len(batch))
    # The all-values column is large; keyword expressions lower it only when they must.
    return frame.with_columns(pl.col(n).str.to_lowercase().alias(low_name(n)) for n in names)


def _strings(batch: Sequence[Mapping[str, Any]], keys: list[str]) -> pl.DataFrame:
    """The given keys as string columns; lists and objects are rendered as JSON text."""
    schema = dict.fromkeys(keys, pl.String)
    try:
        # Reads just these keys in Rust and casts ints/bools to text (strict=False).
        return pl.from_dicts(batch, schema=schema, strict=False)
    except pl.exceptions.ComputeError:
        # A list or object value in a used field: build the columns in Python instead.
        columns = {k: [as_text(e.get(k)) for e in batch] for k in keys}
        return pl.DataFrame(columns, schema=schema)


def _probe(expr: pl.Expr, fields: set[str]) -> None:
    """Evaluate once on a one-row frame so type errors surface at compile time."""
    frame = pl.DataFrame({f: ["x"] for f in fields}, schema=dict.fromkeys(fields, pl.String))
    lows = [pl.col(n).str.to_lowercase().alias(low_name(n)) for n in fields if n != KEYWORDS]
    frame.with_columns(lows).select(expr)
