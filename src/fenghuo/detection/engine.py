"""The batch engine: route events to sources, build one frame per source, evaluate its rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sigma.correlations import SigmaCorrelationRule

from fenghuo.detection import prefilter
from fenghuo.detection.compiler import KEYWORDS, compile_rule, low_name
from fenghuo.detection.correlation import Correlation, compile_correlation
from fenghuo.detection.events import as_text
from fenghuo.detection.prefilter import Needs
from fenghuo.detection.routing import Routing, Source, load_routing
from fenghuo.detection.rules import (
    RULE_SUFFIXES,
    AnyRule,
    CompileIssue,
    RuleInfo,
    info_of,
    load_document,
    walk,
)
from fenghuo.detection.strings import KW_SEP, Unsupported
from fenghuo.detection.values_text import ValuesText

_ROW = "\x02row"
# A frame of at least this many (distinct) rows runs a rule whose literals occur in at most
# this share of them on those rows only.
SPARSE_MIN = 2_000
SPARSE_SHARE = 0.25


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
    reads: list[frozenset[str]] = field(default_factory=list)
    _literals: list[str] | None = None
    _parts: list[_Group] | None = None

    def add(self, rule: int, expr: pl.Expr, fields: set[str], needs: Needs) -> None:
        """One more rule reading this source."""
        self.exprs.append(expr.alias(str(len(self.rules))))
        self.rules.append(rule)
        self.needs.append(needs)
        self.reads.append(frozenset(fields))
        self.fields |= fields
        self._literals = None
        self._parts = None

    def parts(self) -> list[_Group]:
        """The rules as evaluated: the keyword rules apart from the others.

        A frame with the all-values column has one row per event; without it, a frame is
        reduced to its distinct rows. Apart, the rules that read no keyword (164 of the 165
        Security rules) run on the distinct rows of only the fields they read.
        """
        if self._parts is None:
            if KEYWORDS not in self.fields:
                self._parts = [self]
            else:
                keyword = [j for j, r in enumerate(self.reads) if KEYWORDS in r]
                other = [j for j, r in enumerate(self.reads) if KEYWORDS not in r]
                self._parts = [self._part(js) for js in (keyword, other) if js]
        return self._parts

    def _part(self, positions: list[int]) -> _Group:
        if len(positions) == len(self.rules):
            return self
        part = _Group(self.source)
        for j in positions:
            part.add(self.rules[j], self.exprs[j], set(self.reads[j]), self.needs[j])
        part._parts = [part]
        return part

    def literals(self) -> list[str]:
        """Every literal some rule of this group needs, for the batch's Aho-Corasick pass."""
        if self._literals is None:
            self._literals = sorted(frozenset().union(*map(prefilter.literals, self.needs)))
        return self._literals


@dataclass(frozen=True)
class ActiveCorrelation:
    """A correlation whose references resolved: ``rule`` indexes Engine.rules, ``bases[i]``
    is the rule index that ``correlation.refs[i]`` names."""

    rule: int
    correlation: Correlation
    bases: tuple[int, ...]


@dataclass
class _Pending:
    info: RuleInfo
    correlation: Correlation
    name: str | None


class Engine:
    """Compiled rules grouped by source; ``match_batch`` evaluates a batch of flat events.

    Correlation rules are held beside them and resolved (their ``rules:`` references looked
    up by id or name among the plain rules added) when the engine is first used after an
    ``add``; ``correlations`` and ``feeds`` then say which rule matches feed which of them.
    """

    def __init__(self, routing: Routing | None = None) -> None:
        self.routing = routing or load_routing()
        self.rules: list[RuleInfo] = []
        self.issues: list[CompileIssue] = []
        self._groups: dict[int, _Group] = {}
        self._names: dict[str, int] = {}
        self._pending: list[_Pending] = []
        self.correlations: list[ActiveCorrelation] = []
        # rule index (plain or correlation) -> [(position in correlations, position in its refs)]
        self.feeds: dict[int, list[tuple[int, int]]] = {}
        # Rules referenced only by correlations without ``generate`` (same file): not reported.
        self.hidden: frozenset[int] = frozenset()
        self._text = ValuesText(KW_SEP)

    @classmethod
    def from_paths(cls, paths: Iterable[Path], routing: Routing | None = None) -> Engine:
        """Load and compile every rule file under the given files or folders."""
        engine = cls(routing)
        for path in walk(paths, RULE_SUFFIXES):
            loaded = load_document(path.read_bytes(), str(path))
            engine.issues.extend(loaded.issues)
            for rule in loaded.all():
                engine.add(rule, path)
        engine.resolve()
        return engine

    def add(self, rule: AnyRule, path: Path) -> bool:
        """Compile one rule (plain or correlation); on failure record a CompileIssue."""
        if isinstance(rule, SigmaCorrelationRule):
            return self.add_correlation(rule, path)
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
        for key in (info.id, rule.name):
            if key:
                self._names.setdefault(key, index)
        for s in sources:
            group = self._groups.setdefault(s, _Group(self.routing.sources[s]))
            group.add(index, compiled.expr, compiled.fields, compiled.needs)
        return True

    def add_correlation(self, rule: SigmaCorrelationRule, path: Path) -> bool:
        """Compile one correlation rule; its references resolve when the engine is next used."""
        info = info_of(rule, path)
        try:
            correlation = compile_correlation(rule)
        except Unsupported as exc:
            self.issues.append(CompileIssue(info.path, info.id or None, str(exc)))
            return False
        self._pending.append(_Pending(info, correlation, rule.name))
        return True

    def resolve(self) -> None:
        """Resolve the correlations added since the last call; unresolvable ones are issues.

        A correlation may reference plain rules and other correlations (chaining); it is
        activated once everything it references is, so ``correlations`` lists a correlation
        after every correlation it reads. What never resolves (unknown names, cycles) is
        reported.
        """
        if not self._pending:
            return
        waiting, self._pending = self._pending, []
        progress = True
        while waiting and progress:
            progress = False
            for item in list(waiting):
                bases = [self._names.get(ref) for ref in item.correlation.refs]
                if any(base is None for base in bases):
                    continue
                waiting.remove(item)
                progress = True
                self._activate(item, tuple(b for b in bases if b is not None))
        for item in waiting:
            missing = [ref for ref in item.correlation.refs if ref not in self._names]
            reason = f"correlation references unknown rules: {', '.join(missing)}"
            self.issues.append(CompileIssue(item.info.path, item.info.id or None, reason))
        self.hidden = self._hidden()

    def _activate(self, item: _Pending, bases: tuple[int, ...]) -> None:
        index = len(self.rules)
        self.rules.append(item.info)
        position = len(self.correlations)
        self.correlations.append(ActiveCorrelation(index, item.correlation, bases))
        for ref, base in enumerate(bases):
            self.feeds.setdefault(base, []).append((position, ref))
        for key in (item.info.id, item.name):
            if key:
                self._names.setdefault(key, index)

    def _hidden(self) -> frozenset[int]:
        """Rules defined in a correlation's own file and referenced without generate."""
        hide: set[int] = set()
        keep: set[int] = set()
        for active in self.correlations:
            path = self.rules[active.rule].path
            for base in active.bases:
                if active.correlation.generate or self.rules[base].path != path:
                    keep.add(base)
                else:
                    hide.add(base)
        return frozenset(hide - keep)

    def match_batch(self, events: Sequence[Mapping[str, Any]]) -> list[Match]:
        """The reported (event, rule) matches in a batch of flat events, sorted by event.

        Rules hidden by a correlation's ``generate: false`` are left out; ``match_all`` keeps
        them (the correlations need them).
        """
        matches = self.match_all(events)
        if self.hidden:
            return [m for m in matches if m.rule not in self.hidden]
        return matches

    def match_all(self, events: Sequence[Mapping[str, Any]]) -> list[Match]:
        """Every (event, rule) match of the plain rules in a batch, sorted by event."""
        self.resolve()
        buckets: dict[int, list[int]] = defaultdict(list)
        for i, event in enumerate(events):
            channel = event.get("Channel")
            key = channel.lower() if isinstance(channel, str) else ""
            for s in self.routing.route(key, as_text(event.get("EventID")) or ""):
                buckets[s].append(i)
        groups = [(g, ix) for s, ix in buckets.items() if (g := self._groups.get(s)) is not None]
        wanted = [ix for g, ix in groups if KEYWORDS in g.fields]
        every = _AllValues.of(events, wanted, self._text)
        matches: list[Match] = []
        for group, indices in groups:
            for part in group.parts():
                matches.extend(self._evaluate(part, events, indices, every))
        matches.sort()
        return matches

    def _evaluate(
        self,
        group: _Group,
        events: Sequence[Mapping[str, Any]],
        indices: list[int],
        every: _AllValues,
    ) -> Iterable[Match]:
        if group.source.where:
            indices = [i for i in indices if _where(group.source, events[i])]
        if not indices:
            return []
        rows: pl.Series | None = None
        frame = _frame(group, [events[i] for i in indices])
        if KEYWORDS in group.fields:  # the all-values column is distinct per event
            keyword = every.of_events(indices)
            frame = frame.with_columns(keyword) if frame.width else keyword.to_frame()
        else:
            frame, rows = _distinct(frame)
        frame = _lower(frame, group)
        columns = {n: frame.get_column(low_name(n)) for n in group.fields if n != KEYWORDS}
        if frame.height < SPARSE_MIN:
            found = prefilter.present_in_columns(group.literals(), columns)
            where_of: dict[prefilter.Word, pl.Series] = {}
        else:
            where_of = prefilter.rows_of(group.literals(), columns)
            found = set(where_of)
        active = [j for j, n in enumerate(group.needs) if prefilter.can_match(n, found)]
        plan = _plan(group, active, where_of, frame.height)
        return _select(group, frame, plan, rows, indices)


@dataclass(frozen=True)
class _AllValues:
    """Every value of each event that some keyword rule reads, joined, made once per batch
    (an event of the Security channel is read by the rules for any Windows event and by
    those for Security)."""

    text: pl.Series
    indices: list[int]
    position: dict[int, int]

    @classmethod
    def of(
        cls, events: Sequence[Mapping[str, Any]], wanted: list[list[int]], text: ValuesText
    ) -> _AllValues:
        """The all-values text of the events at the wanted indices."""
        indices = sorted(set().union(*wanted))
        values = list(map(text.of, map(events.__getitem__, indices)))
        series = pl.Series(KEYWORDS, values, dtype=pl.String)
        return cls(series, indices, {i: k for k, i in enumerate(indices)})

    def of_events(self, indices: list[int]) -> pl.Series:
        """The all-values column of these events, in this order."""
        if indices == self.indices:  # e.g. the rules for any Windows event: no copy
            return self.text
        return self.text.gather([self.position[i] for i in indices])


def _select(
    group: _Group,
    frame: pl.DataFrame,
    plan: dict[tuple[int, ...] | None, list[int]],
    rows: pl.Series | None,
    indices: list[int],
) -> list[Match]:
    """Run the planned rules; a hit's row is mapped back to its event in the batch."""
    matched: list[Match] = []
    for subset, rules in plan.items():
        part = frame if subset is None else frame[list(subset)]
        result = part.select([group.exprs[j] for j in rules])
        for j, hits in zip(rules, result.iter_columns(), strict=True):
            if not hits.any():
                continue
            where = hits.arg_true()
            if subset is not None:
                where = pl.Series(subset).gather(where)
            if rows is not None:  # positions in the distinct frame -> rows of the batch
                where = rows.gather(where).explode()
            matched.extend(Match(indices[k], group.rules[j]) for k in where.to_list())
    return matched


def _plan(
    group: _Group, active: list[int], where_of: dict[prefilter.Word, pl.Series], height: int
) -> dict[tuple[int, ...] | None, list[int]]:
    """Which rows each active rule is evaluated on (None: all of them).

    On a large frame, a rule with a clause whose literals occur in few rows runs on those
    rows only (rules with the same rows share one selection); the others run together on
    the whole frame.
    """
    plan: dict[tuple[int, ...] | None, list[int]] = {}
    for j in active:
        subset: tuple[int, ...] | None = None
        clauses = group.needs[j]
        if where_of and clauses is not None:
            held = [[where_of[w] for w in c if w in where_of] for c in clauses]
            rarest = min(held, key=lambda rows: sum(map(len, rows)))
            if sum(map(len, rarest)) <= height * SPARSE_SHARE:
                subset = tuple(sorted(set().union(*[r.to_list() for r in rarest])))
        plan.setdefault(subset, []).append(j)
    return plan


def _where(source: Source, event: Mapping[str, Any]) -> bool:
    return all((as_text(event.get(k)) or "").lower() == v.lower() for k, v in source.where)


def _frame(group: _Group, batch: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Only the used fields, as strings, named as the rules name them."""
    names = sorted(group.fields - {KEYWORDS})
    sources = {group.source.event_field(n) for n in names}
    raw = _strings(batch, sorted(sources))
    columns = [raw.get_column(group.source.event_field(n)).alias(n) for n in names]
    return pl.DataFrame(columns, height=len(batch)) if columns else pl.DataFrame()


def _distinct(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series | None]:
    """The distinct rows and, for each, the rows of the frame that hold it.

    Events of one source repeat the same few values (images, access masks, call traces):
    rules then run once per distinct combination of the fields they read.
    """
    if not frame.width or frame.height < 2:
        return frame, None
    grouped = frame.with_row_index(_ROW).group_by(frame.columns).agg(pl.col(_ROW))
    if grouped.height == frame.height:
        return frame, None
    return grouped.drop(_ROW), grouped.get_column(_ROW)


def _lower(frame: pl.DataFrame, group: _Group) -> pl.DataFrame:
    """A lower-cased copy of each used column, made once per batch.

    The all-values column is large; keyword expressions lower it only when they must.
    """
    names = sorted(group.fields - {KEYWORDS})
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
