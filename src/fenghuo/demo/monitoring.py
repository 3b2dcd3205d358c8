"""The demo's watch: event sources and asset registry entries of some operators, and a replay.

``seed_monitoring`` registers, through the monitoring flows, one Windows log source per
operator that has sample events, and the asset registry entries that tie those operators'
hosts and address ranges to them. ``replay`` sends the bundled sample events (written by
the project, ``tools/make_demo_samples.py``) through the same ingest flow an API call uses,
with their times moved so that the last one is now: the embedded detection worker then
turns them into detections within seconds of ``fenghuo run``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from ipaddress import IPv4Network

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.authority import Actor
from fenghuo.monitoring import assets, flows
from fenghuo.monitoring import service as monitoring_service
from fenghuo.monitoring.models import IngestBatch
from fenghuo.monitoring.schemas import AssetCreate, SourceCreate, SourceKind
from fenghuo.settings import Settings

# The time fields the samples carry (flat Windows form), rewritten on replay.
_TIME_FIELDS = ("@timestamp",)


@dataclass(frozen=True)
class DemoSource:
    """A source of the demo: its name, the operator that owns it, and its address range."""

    name: str
    operator: str
    network: str
    hosts: int = 5


DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource("szpower-winlog", "szpower", "10.44.3.0/24"),
    DemoSource("gzgas-winlog", "gzgas", "10.44.1.0/24"),
    DemoSource("cmb-winlog", "cmb", "10.44.30.0/24"),
    DemoSource("zjbank-winlog", "zjbank", "10.33.0.0/24"),
    DemoSource("cdmetro-winlog", "cdmetro", "10.51.1.0/24"),
)


def host_name(operator: str, number: int) -> str:
    """A demo host of ``operator`` (the samples use the same names)."""
    return f"{operator}-ws{number:02d}.demo.internal"


def seed_monitoring(session: Session, actor: Actor, org_ids: Mapping[str, str]) -> None:
    """Register the demo sources and asset entries (``org_ids``: operator key -> org id)."""
    rows: list[AssetCreate] = []
    for demo in DEMO_SOURCES:
        org_id = org_ids[demo.operator]
        flows.create_source(
            session=session,
            actor=actor,
            source_in=SourceCreate(
                name=demo.name,
                kind=SourceKind.shipper,
                format="auto",
                owner_org_id=org_id,
                description="Demo: Windows and Sysmon events shipped from the office network",
            ),
        )
        rows.append(
            AssetCreate(
                org_id=org_id, cidr=IPv4Network(demo.network), description="Demo office network"
            )
        )
        rows += [
            AssetCreate(org_id=org_id, host=host_name(demo.operator, n), description="Demo host")
            for n in range(1, demo.hosts + 1)
        ]
    assets.import_assets(session=session, actor=actor, rows=rows)


def sample_lines(source: str) -> list[bytes]:
    """The bundled sample events of ``source``, one JSON object per line."""
    data = (resources.files("fenghuo.demo") / "samples" / f"{source}.jsonl").read_bytes()
    return [line for line in data.splitlines() if line.strip()]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def shifted(lines: list[bytes], now: datetime) -> list[bytes]:
    """The lines with every time field moved by one offset, so that the latest one is ``now``."""
    events = [orjson.loads(line) for line in lines]
    latest = max(
        _moment(event[name])
        for event in events
        for name in _TIME_FIELDS
        if isinstance(event.get(name), str)
    )
    offset = now - latest
    for event in events:
        for name in _TIME_FIELDS:
            if isinstance(event.get(name), str):
                moved = (_moment(event[name]) + offset).astimezone(UTC)
                event[name] = moved.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return [orjson.dumps(event) for event in events]


def _chunks(lines: list[bytes], count: int) -> Iterator[list[bytes]]:
    size = max(1, -(-len(lines) // count))
    for start in range(0, len(lines), size):
        yield lines[start : start + size]


def has_replayed(session: Session) -> bool:
    """Whether any demo source has received events already."""
    names = [demo.name for demo in DEMO_SOURCES]
    sources = [monitoring_service.get_by_name(session=session, name=name) for name in names]
    ids = [source.id for source in sources if source is not None]
    if not ids:
        return True  # not the demo world: nothing to replay into
    query = select(IngestBatch.id).where(IngestBatch.source_id.in_(ids)).limit(1)
    return session.scalar(query) is not None


def replay(
    transaction: Callable[[], AbstractContextManager[Session]],
    actor: Actor,
    settings: Settings,
    *,
    chunks: int = 4,
    pause_seconds: float = 3.0,
) -> int:
    """Send the samples in ``chunks`` rounds, ``pause_seconds`` apart; returns events accepted.

    ``transaction`` opens one committed transaction (``Platform.transaction``): each batch
    is its own, as it would be from a shipper.
    """
    rounds: dict[str, list[list[bytes]]] = {}
    now = clock.now()
    for demo in DEMO_SOURCES:
        moved = shifted(sample_lines(demo.name), now)
        rounds[demo.name] = list(_chunks(moved, chunks))
    accepted = 0
    for number in range(chunks):
        if number:
            time.sleep(pause_seconds)
        for name, parts in rounds.items():
            if number >= len(parts):
                continue
            with transaction() as session:
                source = monitoring_service.get_by_name(session=session, name=name)
                if source is None:
                    continue
                ingested = flows.ingest_events(
                    session=session,
                    actor=actor,
                    settings=settings,
                    source=source,
                    lines=enumerate(parts[number], start=1),
                    origin="demo replay",
                )
                accepted += ingested.batch.accepted
    return accepted
