"""Offline detection over JSON-lines files: the engine behind ``fenghuo detect``.

Plain rules are reported batch by batch in file order. Correlation rules are evaluated at the
end, over the whole run's matches of the rules they reference sorted by event time; their
matches follow the plain ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from fenghuo import clock
from fenghuo.detection import correlation as corr
from fenghuo.detection.engine import ActiveCorrelation, Engine
from fenghuo.detection.events import flatten
from fenghuo.detection.rules import walk
from fenghuo.monitoring import formats, normalise

EVENT_SUFFIXES = (".jsonl", ".json")
BATCH_SIZE = 20_000


@dataclass(frozen=True)
class FileMatch:
    """A match located in its file: ``line`` is 1-based."""

    rule: int
    file: str
    line: int
    # For a correlation rule: type, group, count or values, and the events that made it.
    correlation: dict[str, Any] | None = None


@dataclass(frozen=True)
class Skipped:
    """A line that is not a JSON object; counted, never fatal."""

    file: str
    line: int
    reason: str


Located = tuple[str, int, Mapping[str, Any], Mapping[str, Any]]
# A hit's event offline: file, line and the flat event (chained correlations read its fields).
Located3 = tuple[str, int, Mapping[str, Any]]
_END = datetime.max.replace(tzinfo=UTC)


def read_events(
    paths: Iterable[Path], skipped: list[Skipped]
) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """(file, line, flat event) for every JSON object line; bad lines go to skipped."""
    for file, line, _, flat in _read(paths, skipped):
        yield file, line, flat


def _read(paths: Iterable[Path], skipped: list[Skipped]) -> Iterator[Located]:
    """(file, line, event as read, flat event) for every JSON object line."""
    for path in walk(paths, EVENT_SUFFIXES):
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    event = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    skipped.append(Skipped(str(path), number, str(exc)))
                    continue
                if not isinstance(event, dict):
                    skipped.append(Skipped(str(path), number, "not a JSON object"))
                    continue
                yield str(path), number, event, flatten(event)


def event_time(event: Mapping[str, Any]) -> datetime | None:
    """The event's own time, found as ingest finds it (the format's ``time`` mapping)."""
    try:
        kind = formats.detect_json(dict(event))
        fields = formats.flatten_evtx(dict(event)) if kind == formats.EVTX_JSON else event
    except formats.Rejected:
        kind, fields = formats.WINDOWS_JSON, event
    for name in normalise.plan(formats.MAPPING_OF[kind]).time:
        stamp = fields.get(name)
        if stamp is None or stamp == "":
            continue
        try:
            return normalise.parse_time(
                stamp, received_at=clock.now(), bsd=kind == formats.SYSLOG_3164
            )
        except (ValueError, OverflowError, OSError):
            return None
    return None


def detect(
    engine: Engine,
    paths: Iterable[Path],
    skipped: list[Skipped] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[FileMatch]:
    """Run the engine over event files in batches, yielding matches in file order.

    Correlation matches come last, in the order of the events that completed them.
    """
    sink: list[Skipped] = [] if skipped is None else skipped
    hits = _Hits(engine)
    batch: list[Located] = []
    for item in _read(paths, sink):
        batch.append(item)
        if len(batch) >= batch_size:
            yield from _run(engine, batch, hits)
            batch = []
    if batch:
        yield from _run(engine, batch, hits)
    yield from hits.evaluate()


def _run(engine: Engine, batch: list[Located], hits: _Hits) -> Iterator[FileMatch]:
    matches = engine.match_all([flat for _, _, _, flat in batch])
    for m in matches:
        file, line, event, flat = batch[m.event]
        if m.rule in engine.feeds:
            hits.add(m.rule, file, line, event, flat)
        if m.rule not in engine.hidden:
            yield FileMatch(rule=m.rule, file=file, line=line)


class _Hits:
    """The whole run's hits of every correlation, per group, for evaluation at the end."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.groups: dict[int, dict[tuple[str, ...], list[corr.Hit]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.seen = 0

    def add(
        self, rule: int, file: str, line: int, event: Mapping[str, Any], flat: Mapping[str, Any]
    ) -> None:
        """Record a match of a rule that feeds correlations (an event without time cannot)."""
        time = event_time(event)
        if time is not None:
            self.seen += 1
            self._feed(rule, time, self.seen, (file, line, flat))

    def _feed(self, rule: int, time: datetime, order: Any, event: Located3) -> None:
        for position, ref in self.engine.feeds.get(rule, ()):
            correlation = self.engine.correlations[position].correlation
            group = correlation.group_of(event[2], ref)
            if group is not None:
                value = correlation.value_of(event[2], ref)
                self.groups[position][group].append(corr.Hit(time, order, ref, event, value))

    def evaluate(self) -> Iterator[FileMatch]:
        """Every correlation match, in the order of the events that completed them.

        Correlations are evaluated in the engine's order (one after those it reads), and each
        match of one is a hit for the correlations that reference it, on its completing event.
        """
        found: list[tuple[tuple[Any, ...], FileMatch]] = []
        for position, active in enumerate(self.engine.correlations):
            for group, hits in self.groups.pop(position, {}).items():
                fired, pending = corr.run(active.correlation, hits)
                last = corr.close(active.correlation, pending, _END)
                for result in [*fired, *([last] if last else [])]:
                    done = result.completing
                    self._feed(active.rule, done.time, done.order, done.event)
                    if active.rule not in self.engine.hidden:
                        found.append((done.key()[:2], self._match(active, group, result)))
        found.sort(key=lambda pair: pair[0])
        for _, match in found:
            yield match

    @staticmethod
    def _match(active: ActiveCorrelation, group: tuple[str, ...], result: corr.Fired) -> FileMatch:
        file, line, _ = result.completing.event
        record = {
            "type": active.correlation.type,
            "group": dict(zip(active.correlation.group_by, group, strict=True)),
            **corr.summary(active.correlation, result),
            "events": [{"file": h.event[0], "line": h.event[1]} for h in result.hits],
        }
        return FileMatch(active.rule, file, line, record)
