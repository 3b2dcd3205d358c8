"""Offline detection over JSON-lines files: the engine behind ``fenghuo detect``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from fenghuo.detection.engine import Engine
from fenghuo.detection.events import flatten
from fenghuo.detection.rules import walk

EVENT_SUFFIXES = (".jsonl", ".json")
BATCH_SIZE = 20_000


@dataclass(frozen=True)
class FileMatch:
    """A match located in its file: ``line`` is 1-based."""

    rule: int
    file: str
    line: int


@dataclass(frozen=True)
class Skipped:
    """A line that is not a JSON object; counted, never fatal."""

    file: str
    line: int
    reason: str


def read_events(
    paths: Iterable[Path], skipped: list[Skipped]
) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """(file, line, flat event) for every JSON object line; bad lines go to skipped."""
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
                yield str(path), number, flatten(event)


def detect(
    engine: Engine,
    paths: Iterable[Path],
    skipped: list[Skipped] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[FileMatch]:
    """Run the engine over event files in batches, yielding matches in file order."""
    sink: list[Skipped] = [] if skipped is None else skipped
    batch: list[tuple[str, int, Mapping[str, Any]]] = []
    for item in read_events(paths, sink):
        batch.append(item)
        if len(batch) >= batch_size:
            yield from _run(engine, batch)
            batch = []
    if batch:
        yield from _run(engine, batch)


def _run(engine: Engine, batch: list[tuple[str, int, Mapping[str, Any]]]) -> Iterator[FileMatch]:
    for m in engine.match_batch([event for _, _, event in batch]):
        file, line, _ = batch[m.event]
        yield FileMatch(rule=m.rule, file=file, line=line)
