"""``fenghuo ingest``: send files or folders of events through a source, with a summary."""

from __future__ import annotations

import gzip
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Annotated, cast

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.table import Table

from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import fail
from fenghuo.cli.output import stderr, stdout
from fenghuo.monitoring import flows
from fenghuo.monitoring import service as monitoring_service
from fenghuo.monitoring.formats import AUTO, FORMATS
from fenghuo.platform import Platform

CHUNK_LINES = 20_000


@dataclass(frozen=True)
class Input:
    """One stream of lines: a plain or gzip file, or a member of a zip file."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        """How the summary names it."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    def size(self) -> int:
        """Bytes to read (uncompressed size for zip members)."""
        if self.member is not None:
            with zipfile.ZipFile(self.path) as archive:
                return archive.getinfo(self.member).file_size
        return self.path.stat().st_size

    def open(self, stack: ExitStack) -> IO[bytes]:
        """The stream, closed with ``stack``."""
        if self.member is not None:
            archive = stack.enter_context(zipfile.ZipFile(self.path))
            return stack.enter_context(archive.open(self.member))
        if self.path.suffix == ".gz":
            return cast(IO[bytes], stack.enter_context(gzip.open(self.path, "rb")))
        return stack.enter_context(self.path.open("rb"))


@dataclass
class Tally:
    """Accepted and rejected lines of one input, and where each reason first occurred."""

    accepted: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    first_line: dict[str, int] = field(default_factory=dict)


def inputs(paths: list[Path]) -> list[Input]:
    """Files named, files under folders named (recursive, hidden ones skipped), zip members."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    found: list[Input] = []
    for file in files:
        if file.suffix == ".zip":
            with zipfile.ZipFile(file) as archive:
                found += [Input(file, n) for n in archive.namelist() if not n.endswith("/")]
        else:
            found.append(Input(file))
    return found


def chunks(stream: IO[bytes]) -> Iterator[tuple[list[tuple[int, bytes]], int]]:
    """Numbered lines in chunks (only the line ending removed), with their size in bytes."""
    chunk: list[tuple[int, bytes]] = []
    size = 0
    for number, line in enumerate(stream, start=1):
        size += len(line)
        line = line.removesuffix(b"\n")
        chunk.append((number, line.removesuffix(b"\r")))
        if len(chunk) >= CHUNK_LINES:
            yield chunk, size
            chunk, size = [], 0
    if chunk:
        yield chunk, size


def _ingest_one(
    platform: Platform,
    item: Input,
    source_name: str,
    declared: str | None,
    advance: Callable[[int], None],
) -> Tally:
    tally = Tally()
    with ExitStack() as stack:
        for chunk, size in chunks(item.open(stack)):
            # One transaction per chunk: a chunk is archived and recorded whole, or not at all.
            with platform.transaction() as session:
                source = monitoring_service.get_by_name(session=session, name=source_name)
                if source is None:  # removed while the run was going
                    fail(f"The source {source_name!r} no longer exists; stopped at {item.label}.")
                ingested = flows.ingest_events(
                    session=session,
                    actor=cli_actor(platform),
                    settings=platform.settings,
                    source=source,
                    lines=chunk,
                    origin=item.label,
                    declared=declared,
                )
            tally.accepted += ingested.batch.accepted
            tally.rejected += ingested.batch.rejected
            for error in ingested.result.errors:
                reason = error.reason.split(":", 1)[0]
                tally.reasons[reason] += 1
                tally.first_line.setdefault(reason, error.line)
            advance(size)
    return tally


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(exists=True, help="Files or folders (walked recursively).")
    ],
    source: Annotated[str, typer.Option(help="The registered source the events come from.")],
    format: Annotated[  # noqa: A002 (the option's public name)
        str | None, typer.Option(help=f"Declare the format: {', '.join((AUTO, *FORMATS))}.")
    ] = None,
) -> None:
    """Ingest files of events; malformed lines are counted and reported, never fatal."""
    if format is not None and format not in (AUTO, *FORMATS):
        fail(f"Unknown format {format!r}; choose one of {', '.join((AUTO, *FORMATS))}.")
    items = inputs(paths)
    tallies: dict[str, Tally] = {}
    with open_platform(ctx) as platform:
        with platform.transaction() as session:
            if monitoring_service.get_by_name(session=session, name=source) is None:
                fail(f"No source is called {source!r}; register it with 'fenghuo sources create'.")
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
        with Progress(*columns, console=stderr(), transient=True) as progress:
            task = progress.add_task("ingesting", total=sum(item.size() for item in items))
            for item in items:
                progress.update(task, description=item.path.name)
                tallies[item.label] = _ingest_one(
                    platform, item, source, format, lambda n: progress.advance(task, n)
                )
    print_summary(tallies)


def print_summary(tallies: dict[str, Tally]) -> None:
    """Per input: accepted and rejected; then the reasons, grouped, with a first example."""
    console = stdout()
    table = Table("file", "accepted", "rejected")
    for label, tally in tallies.items():
        table.add_row(label, str(tally.accepted), str(tally.rejected))
    console.print(table)
    accepted = sum(t.accepted for t in tallies.values())
    rejected = sum(t.rejected for t in tallies.values())
    console.print(
        f"{accepted} accepted, {rejected} rejected in {len(tallies)} files.", markup=False
    )
    reasons: Counter[str] = Counter()
    for tally in tallies.values():
        reasons.update(tally.reasons)
    for reason, count in reasons.most_common():
        where = next(
            f"{label}:{t.first_line[reason]}"
            for label, t in tallies.items()
            if reason in t.first_line
        )
        console.print(f"  {count} x {reason} (first at {where})", markup=False, soft_wrap=True)
