"""Apply a format's field mapping (data, in mappings/*.yaml) to parsed fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import orjson
import yaml

from fenghuo.monitoring.formats import MAPPING_OF, SYSLOG_3164, Parsed, Rejected
from fenghuo.monitoring.schema import (
    COLUMN,
    PARTS,
    ROW_COLUMNS,
    TOP_FIELDS,
    NormalisedEvent,
    event_id,
)

Mapping = dict[str, tuple[str, ...]]
_INT_FIELDS = {"process.pid", "process.parent_pid", "network.src_port", "network.dst_port"}
_INT_FIELDS |= {"http.status"}
# Python's ISO parser takes at most six fractional digits; Windows writes seven.
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


@cache
def mapping(name: str) -> Mapping:
    """The packaged mapping ``mappings/<name>.yaml``: schema field -> original fields."""
    text = resources.files("fenghuo.monitoring").joinpath(f"mappings/{name}.yaml").read_text()
    loaded: dict[str, list[str]] = yaml.safe_load(text)
    return {target: tuple(str(source) for source in sources) for target, sources in loaded.items()}


def parse_time(value: Any, *, received_at: datetime, bsd: bool = False) -> datetime:
    """An aware UTC time from an ISO 8601, ``YYYY-MM-DD hh:mm:ss`` or BSD syslog stamp."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time")
    if bsd:
        # RFC 3164 stamps have no year nor zone: the year of receipt (or the one before,
        # for a December line received in January) and UTC, as documented.
        text = f"{received_at.year} {' '.join(value.split())}"
        stamp = datetime.strptime(text, "%Y %b %d %H:%M:%S").replace(tzinfo=UTC)
        if stamp - received_at > timedelta(days=1):
            stamp = stamp.replace(year=stamp.year - 1)
        return stamp
    text = value.strip()
    if _LONG_FRACTION.search(text) is not None:  # rare: most stamps have 6 digits or fewer
        text = _LONG_FRACTION.sub(r"\1", text)
    parsed = datetime.fromisoformat(text)
    # Windows' UtcTime and NXLog's EventTime carry no zone: UtcTime is UTC by name.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def as_text(value: Any) -> str | None:
    """A field's value as text (structures as JSON), or None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value).decode()


def as_int(value: Any) -> int | None:
    """A field's value as an integer (decimal or 0x hex text), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text, 16) if text.lower().startswith("0x") else int(text)
        except ValueError:
            return None
        return number if -(2**63) <= number < 2**63 else None
    return None


def _first(fields: dict[str, Any], sources: tuple[str, ...]) -> Any:
    for name in sources:
        value = fields.get(name)
        if value is not None and value != "":
            return value
    return None


@dataclass(frozen=True, slots=True)
class Plan:
    """A mapping compiled once: where the time and each archive column come from.

    ``columns`` are (index in ``schema.ROW_COLUMNS``, original fields, is an integer).
    """

    time: tuple[str, ...]
    columns: tuple[tuple[int, tuple[str, ...], bool], ...]


@cache
def plan(name: str) -> Plan:
    """The compiled form of mapping ``name``, in archive column order."""
    rules = mapping(name)
    columns = [(COLUMN[field], rules[field], False) for field in TOP_FIELDS if field in rules]
    for part in PARTS:
        columns += [
            (COLUMN[target.replace(".", "_", 1)], sources, target in _INT_FIELDS)
            for target, sources in rules.items()
            if target.startswith(f"{part}.")
        ]
    return Plan(time=rules.get("time", ()), columns=tuple(columns))


# Events of one kind share their field names: a plan narrowed to the names present is reused,
# so each event looks up only the fields it has (bounded, as shapes could be unbounded).
_NARROWED: dict[tuple[str, tuple[str, ...]], Plan] = {}
MAX_SHAPES = 4096


def narrowed(name: str, keys: tuple[str, ...]) -> Plan:
    """Plan ``name`` keeping only the original fields in ``keys``."""
    found = _NARROWED.get((name, keys))
    if found is not None:
        return found
    full, present = plan(name), set(keys)

    def keep(sources: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(source for source in sources if source in present)

    found = Plan(
        time=keep(full.time),
        columns=tuple(
            (index, keep(sources), is_int)
            for index, sources, is_int in full.columns
            if keep(sources)
        ),
    )
    if len(_NARROWED) >= MAX_SHAPES:
        _NARROWED.clear()
    _NARROWED[(name, keys)] = found
    return found


def _time(parsed: Parsed, sources: tuple[str, ...], received_at: datetime) -> datetime:
    stamp = _first(parsed.fields, sources)
    if stamp is None:
        return received_at  # no time in the event: the time it was received
    try:
        return parse_time(stamp, received_at=received_at, bsd=parsed.format == SYSLOG_3164)
    except (ValueError, OverflowError, OSError):
        raise Rejected(f"the time {stamp!r} is not a timestamp") from None


_WIDTH = len(ROW_COLUMNS)


def normalise_row(parsed: Parsed, *, source: str, raw: str, received_at: datetime) -> list[Any]:
    """The event as the values of ``schema.ROW_COLUMNS`` (no owner yet); see ``normalise``."""
    fields = parsed.fields
    compiled = narrowed(MAPPING_OF[parsed.format], tuple(fields))
    row: list[Any] = [None] * _WIDTH
    row[:5] = (
        event_id(source, raw),
        _time(parsed, compiled.time, received_at),
        received_at,
        source,
        parsed.format,
    )
    for index, sources, is_int in compiled.columns:
        for name in sources:  # the first present and non-empty wins
            value = fields[name]
            if value is not None and value != "":
                if is_int:
                    row[index] = as_int(value)
                elif type(value) is str:  # the usual cases first, as as_text would
                    row[index] = value
                elif type(value) is int:
                    row[index] = str(value)
                else:
                    row[index] = as_text(value)
                break
    return row


def normalise(parsed: Parsed, *, source: str, raw: str, received_at: datetime) -> NormalisedEvent:
    """The event in the common schema; a time that is present but unreadable rejects it."""
    row = normalise_row(parsed, source=source, raw=raw, received_at=received_at)
    return NormalisedEvent.from_row(row, parsed.fields, raw)
