"""Events written for the detection pipeline tests, and a helper that ingests them."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor
from fenghuo.monitoring import archive, assets, flows, pipeline
from fenghuo.monitoring.models import Asset, IngestBatch, Source
from fenghuo.monitoring.schemas import SourceCreate
from fenghuo.settings import Settings
from fenghuo.store import new_id

SYSMON = "Microsoft-Windows-Sysmon/Operational"


def sysmon_process(
    image: str, command_line: str, *, host: str = "ws1.example.cn", minute: int = 0, n: int = 0
) -> dict[str, Any]:
    """A Sysmon EID 1 in evtx_dump's nested shape (``n`` makes otherwise equal events differ)."""
    return {
        "Event": {
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                "EventID": 1,
                "TimeCreated": {
                    "#attributes": {"SystemTime": f"2026-03-01T10:{minute:02d}:00.000000Z"}
                },
                "EventRecordID": n,
                "Channel": SYSMON,
                "Computer": host,
            },
            "EventData": {
                "Image": image,
                "CommandLine": command_line,
                "User": "EXAMPLE\\li",
                "ParentImage": "C:\\Windows\\explorer.exe",
            },
        }
    }


def encoded_powershell(**kwargs: Any) -> dict[str, Any]:
    """Matches the starter rule 'Suspicious PowerShell encoded command'."""
    return sysmon_process(
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "powershell.exe -nop -enc SQBFAFgA",
        **kwargs,
    )


def harmless(**kwargs: Any) -> dict[str, Any]:
    """Matches no starter rule."""
    return sysmon_process("C:\\Windows\\System32\\notepad.exe", "notepad.exe a.txt", **kwargs)


def make_source(session: Session, actor: Actor, org: Organisation, name: str) -> Source:
    """A source owned by ``org`` and the host ``ws1`` registered as ``org``'s asset."""
    source_in = SourceCreate(name=name, kind="shipper", owner_org_id=org.id)
    source, _ = flows.create_source(session=session, actor=actor, source_in=source_in)
    if session.query(Asset).filter_by(kind="host", value="ws1").first() is None:
        session.add(Asset(org_id=org.id, kind="host", value="ws1"))
        session.flush()
    return source


def ingest(
    session: Session,
    actor: Actor,
    settings: Settings,
    source: Source,
    events: list[dict[str, Any]],
) -> str:
    """Archive ``events`` as one recorded batch, as ingest does (normalised, enriched); its id.

    Written out here rather than through ``monitoring.flows.ingest_events`` so that these
    tests hold only the detection pipeline to account.
    """
    body = b"\n".join(orjson.dumps(e) for e in events)
    result = pipeline.run(
        pipeline.split_lines(body), source=source.name, declared="auto", received_at=clock.now()
    )
    batch_id = new_id()
    enriched = assets.AssetIndex.load(session).enrich(result.events)
    paths = archive.write_batch(archive.events_root(settings.data_dir), batch_id, enriched)
    files = [path.relative_to(settings.data_dir).as_posix() for path in paths]
    session.add(
        IngestBatch(
            id=batch_id,
            source_id=source.id,
            received_at=clock.now(),
            origin="test",
            accepted=len(result.events),
            rejected=len(result.errors),
            files=files,
        )
    )
    session.flush()
    return batch_id
