"""Ingest pipeline: split -> decode -> parse (validate, detect) -> normalise, line by line."""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from fenghuo.monitoring import formats
from fenghuo.monitoring.normalise import normalise_row
from fenghuo.monitoring.schema import EventBatch, NormalisedEvent

MAX_REASON = 300


@dataclass(frozen=True, slots=True)
class LineError:
    """A rejected line: its 1-based number and the reason."""

    line: int
    reason: str


@dataclass(slots=True)
class BatchResult:
    """What a batch of lines became: accepted events (as columns) and rejected lines."""

    batch: EventBatch = field(default_factory=EventBatch)
    errors: list[LineError] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """How many events were accepted."""
        return len(self.batch)

    @property
    def events(self) -> list[NormalisedEvent]:
        """The accepted events one by one (built on each call: ingest itself never needs it)."""
        return self.batch.events()

    def reasons(self) -> Counter[str]:
        """Rejections grouped by reason (without the part after a colon, e.g. JSON positions)."""
        return Counter(error.reason.split(":", 1)[0] for error in self.errors)


def split_lines(body: bytes, *, first_line: int = 1) -> Iterator[tuple[int, bytes]]:
    """Numbered lines of an NDJSON or syslog body; only the line ending is removed."""
    lines = body.split(b"\n")
    if b"\r" not in body:  # the usual case: no line to trim, so no Python step per line
        return zip(count(first_line), lines)
    return (
        (n, line[:-1] if line.endswith(b"\r") else line)
        for n, line in zip(count(first_line), lines)
    )


class BodyTooLarge(formats.Rejected):
    """A whole body over the size limit (nothing of it is taken)."""


def gunzip(data: bytes, limit: int) -> bytes:
    """Inflate a gzip body (members may follow one another), never past ``limit`` bytes."""
    out = bytearray()
    while data:
        decompressor = zlib.decompressobj(wbits=31)
        try:
            out += decompressor.decompress(data, limit + 1 - len(out))
        except zlib.error as exc:
            raise formats.Rejected(f"the gzip body is corrupt: {exc}") from None
        if len(out) > limit:
            raise BodyTooLarge(f"the body is larger than {limit} bytes; nothing was stored")
        if not decompressor.eof:
            raise formats.Rejected("the gzip body is truncated")
        data = decompressor.unused_data
    return bytes(out)


def decode(line: bytes) -> str:
    """A line as text; a line that is not UTF-8 is rejected, not repaired."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise formats.Rejected(f"not UTF-8: byte {exc.start} is invalid") from None


def run(
    lines: Iterable[tuple[int, bytes]], *, source: str, declared: str, received_at: datetime
) -> BatchResult:
    """Take every good line; reject the others with their line number; never stop early."""
    result = BatchResult()
    batch, errors = result.batch, result.errors
    for number, line in lines:
        if not line or line.isspace():
            continue  # blank lines (e.g. the final newline) are not events
        try:
            text = decode(line)
            parsed = formats.parse(text, declared)
            row = normalise_row(parsed, source=source, raw=text, received_at=received_at)
        except formats.Rejected as rejected:
            errors.append(LineError(number, rejected.reason[:MAX_REASON]))
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            # A parser bug must not lose the rest of the batch; the line says what happened.
            errors.append(LineError(number, f"unreadable: {exc}"[:MAX_REASON]))
        else:
            batch.append(row, parsed.fields, text)
    return result
