"""Ingest keeps its archive: the same lines give the same Parquet columns, values and line errors.

A differential test against goldens taken from the ingest code before its speed work
(2026-11-28), through the real path (``flows.ingest_events`` on both databases, with an asset
registry and live indicators, time frozen):

- the project's own mixed sample (every format, declared and detected, malformed lines) is
  compared whole: every column of every archived row, per day file in row order, and every
  line error (number and reason), with ``golden/ingest_samples.json``;
- a few hundred lines of each shared corpus format are compared by a SHA-256 per column (the
  corpora may not be copied into the project), with ``golden/ingest_corpora.json``.

Generated ids (organisations, indicators, sets) are replaced by names before comparing.
``FENGHUO_WRITE_INGEST_GOLDEN=1`` rewrites the goldens instead (only ever from reviewed code).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor, Policy
from fenghuo.monitoring import archive, assets, flows, indicators, pipeline, schema
from fenghuo.monitoring import indicators_service as indicator_service
from fenghuo.monitoring.indicators_models import Indicator
from fenghuo.monitoring.schemas import AssetCreate, SourceCreate
from fenghuo.settings import Settings
from tests.factories.accounts import World, make_world
from tests.monitoring import samples
from tests.monitoring.test_corpora import corpus

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("FENGHUO_WRITE_INGEST_GOLDEN") == "1"
RECEIVED = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
INDICATORS = (
    "type,value\ncidr,10.0.0.0/8\ndomain,evil.example\nipv4,172.18.39.5\n"
    f"cidr,192.168.1.0/24\nsha256,{SHA}\nurl,http://bad.example/x\ndomain,bad.example\n"
)


def _evtx(**data: Any) -> dict[str, Any]:
    event = samples.evtx_process()
    event["Event"]["EventData"].update(data)
    return event


def _mixed() -> list[tuple[str | None, bytes]]:
    """Batches of (declared format, body): every format, odd values and malformed lines."""
    qualified = samples.evtx_process(event_id={"#attributes": {"Qualifiers": 16384}, "#text": 7})
    user_data = samples.evtx_process()
    user_data["Event"]["UserData"] = {"LogFileCleared": {"SubjectUserName": "li", "#attributes": 1}}
    flat = samples.windows_flat()
    no_time = {k: v for k, v in flat.items() if k != "@timestamp"} | {"Hostname": "WS1"}
    huge = flat | {"Keywords": 2**70, "@timestamp": "2026-03-01 23:59:59.9999999"}
    web = samples.suricata_alert() | {
        "http": {"hostname": "bad.example:8080", "url": "/x", "status": "0x1f4"},
        "dest_ip": "::ffff:10.9.8.7",
        "fileinfo": {"filename": "a.exe", "sha256": SHA.upper()},
        "dns": {
            "answers": [{"rdata": "1.2.3.4"}, {"rdata": "5.6.7.8"}],
            "query": [{"rrname": "x"}],
        },
    }
    lines = [
        samples.line(samples.evtx_process()),
        samples.line(qualified),
        samples.line(user_data),
        samples.line(_evtx(Hashes=f"MD5=00,SHA256={SHA}", ProcessId="0x10", UtcTime=None)),
        samples.line(_evtx(UtcTime="yesterday")),
        samples.line(flat),
        samples.line(no_time),
        json.dumps(huge).encode(),
        samples.line(flat | {"EventTime": 1772323200123, "@timestamp": None, "ProcessID": 9.5}),
        samples.line(flat | {"Hostname": "srv.sub.example.cn", "IpAddress": "203.0.113.5"}),
        samples.line(samples.suricata_alert()),
        samples.line(samples.suricata_dns()),
        samples.line(samples.suricata_dns() | {"dns": {"rrname": "a.b.EVIL.example."}}),
        samples.line(web),
        samples.line({"timestamp": 5, "event_type": "x"}),
        samples.line({"timestamp": "2026-01-01T00:00:00Z", "event_type": 3}),
        samples.SYSLOG_5424,
        samples.SYSLOG_3164,
        b"<13>1 - - - - - -",
        b'<13>1 2026-03-04T05:06:07+08:00 h app - ID1 [a b="c"]',
        b"<13>Dec 31 23:59:59 host tag: \xe4\xb8\xad\xe6\x96\x87",
        b"<300>Mar  4 05:06:07 host x",
        b"<13>garbage",
        b"",
        b"   ",
        b"not json",
        b"[1, 2]",
        b'{"x": 1}',
        b'{"Event": {"System": {"Channel": "c"}}}',
        b'{"Event": {"System": 3}}',
        b"\xff\xfe bad utf-8",
        samples.line(flat) + b"\r",
        samples.line({"EventID": 1, "Channel": "c", "UtcTime": "2026-13-45 99:00:00"}),
        b'{"a": ' * 3 + b"1",
    ]
    body = b"\n".join(lines) + b"\n"
    declared_flat = b"\n".join([samples.line(flat), samples.line(samples.evtx_process())])
    declared_3164 = b"\n".join([samples.SYSLOG_3164, samples.SYSLOG_5424])
    declared_eve = b"\n".join([samples.line(samples.suricata_dns()), samples.line(flat)])
    return [
        (None, body),
        ("windows_json", declared_flat),
        ("evtx_json", declared_flat),
        ("syslog_3164", declared_3164),
        ("syslog_5424", declared_3164),
        ("suricata_eve", declared_eve),
    ]


def _world(session: Session, actor: Actor) -> World:
    world = make_world(session)
    rows = [
        AssetCreate(org_id=world.energy_op_gd.id, host="ws1"),
        AssetCreate(org_id=world.energy_op_gd.id, host="srv.sub.example.cn"),
        AssetCreate(org_id=world.finance_op_sh.id, cidr="203.0.113.0/24"),
        AssetCreate(org_id=world.finance_op_sh.id, cidr="10.1.0.0/16"),
        AssetCreate(org_id=world.energy_op_gd.id, cidr="10.0.0.0/8"),
        AssetCreate(org_id=world.energy_op_gd.id, cidr="192.168.0.0/16"),
        AssetCreate(org_id=world.finance_op_sh.id, cidr="172.18.38.0/24"),
        AssetCreate(org_id=world.finance_op_sh.id, host="workstation5"),
        AssetCreate(org_id=world.energy_op_gd.id, cidr="fe80::/10"),
    ]
    assets.import_assets(session=session, actor=actor, rows=rows)
    indicator_service.import_indicators(
        session=session,
        actor=actor,
        set_name="golden",
        owner_org_id=world.national.id,
        parsed=indicators.read_csv(INDICATORS),
        origin="test",
    )
    return world


class Ingest:
    """Ingests batches as one source and reads back what was archived, ids made stable."""

    def __init__(self, session: Session, actor: Actor, policy: Policy, settings: Settings) -> None:
        with clock.frozen(RECEIVED.replace(month=1)):  # the indicators are live at RECEIVED
            _world(session, actor)
        source_in = SourceCreate(name="golden", kind="sensor", owner_org_id=_org(session))
        self.source, secret = flows.create_source(session=session, actor=actor, source_in=source_in)
        kinds = frozenset({CredentialKind.api})
        found = credentials.authenticate(session=session, policy=policy, secret=secret, kinds=kinds)
        assert found is not None
        self.sender, self.session, self.settings = found[0], session, settings
        self.orgs = {org.id: org.name_en for org in session.scalars(select(Organisation))}
        self.indicators = {
            row.id: f"{row.type}:{row.value}" for row in session.scalars(select(Indicator))
        }

    def batch(self, body: bytes, declared: str | None) -> dict[str, Any]:
        """Errors and, per day file, the archived rows (as column lists)."""
        with clock.frozen(RECEIVED):
            ingested = flows.ingest_events(
                session=self.session,
                actor=self.sender,
                settings=self.settings,
                source=self.source,
                lines=pipeline.split_lines(body),
                origin="golden",
                declared=declared,
            )
        files = {}
        for name in ingested.batch.files:
            table = pq.read_table(self.settings.data_dir / name)
            day = Path(name).parent.name
            files[day] = {"schema": [f"{field.name}: {field.type}" for field in table.schema]}
            files[day] |= {
                c: self._stable(c, table.column(c).to_pylist()) for c in table.column_names
            }
        return {
            "accepted": ingested.batch.accepted,
            "errors": [[error.line, error.reason] for error in ingested.result.errors],
            "days": ingested.days,
            "files": files,
        }

    def _stable(self, column: str, values: list[Any]) -> list[Any]:
        if column == "owner_org_id":
            return [self.orgs.get(value, value) for value in values]
        if column == "indicator_hits":
            return [self._hits(value) for value in values]
        stable: list[Any] = orjson.loads(orjson.dumps(values))
        return stable

    def _hits(self, text: str | None) -> Any:
        if text is None:
            return None
        hits = orjson.loads(text)
        for hit in hits:
            hit["indicator_id"] = self.indicators[hit["indicator_id"]]
            hit["set_id"] = "golden"
        return hits


def _org(session: Session) -> str:
    return session.scalars(select(Organisation.id).where(Organisation.parent_id.is_(None))).one()


@pytest.fixture
def ingest(session: Session, system_actor: Actor, policy: Policy, settings: Settings) -> Ingest:
    """An ingest of the golden source, with the registry and indicators in place."""
    return Ingest(session, system_actor, policy, settings)


def _check(name: str, found: Any) -> None:
    path = GOLDEN / name
    if WRITE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(orjson.dumps(found, option=orjson.OPT_INDENT_2) + b"\n")
        pytest.skip(f"golden {path} written")
    assert found == orjson.loads(path.read_bytes())


def test_the_projects_samples_archive_exactly_as_before(ingest: Ingest) -> None:
    found = [{"declared": declared} | ingest.batch(body, declared) for declared, body in _mixed()]
    assert found[0]["accepted"] and found[0]["errors"]
    _check("ingest_samples.json", found)


def _head(lines: Iterator[bytes], count: int) -> bytes:
    taken = []
    for line in lines:
        taken.append(line)
        if len(taken) == count:
            break
    return b"\n".join(taken)


def _files_lines(files: list[Path]) -> Iterator[bytes]:
    for file in files:
        yield from file.read_bytes().splitlines()


def _zip_lines(zips: list[Path]) -> Iterator[bytes]:
    for path in zips:
        with zipfile.ZipFile(path) as bundle:
            for member in bundle.namelist():
                yield from bundle.read(member).splitlines()


def _corpus_bodies() -> dict[str, bytes]:
    otrf = sorted(corpus("otrf-security-datasets/datasets").rglob("*.zip"))
    return {
        "evtx-attack-samples": _head(
            _files_lines(sorted(corpus("evtx-attack-samples/jsonl").rglob("*.jsonl"))), 400
        ),
        "otrf-first": _head(_zip_lines(otrf), 400),
        "otrf-network": _head(_zip_lines([z for z in otrf if "lateral" in str(z)]), 400),
        "suricata-eve": _head(
            _files_lines(sorted(corpus("suricata-eve").rglob("alerts-only.jsonl"))), 400
        ),
        "sigmahq-regression": _head(
            _files_lines(sorted(corpus("sigmahq/regression").rglob("*.jsonl"))[:40]), 400
        ),
        "sigmahq-syslog": _head(
            _files_lines(sorted(corpus("sigmahq/regression").rglob("*.raw"))), 400
        ),
    }


def _digests(files: list[dict[str, list[Any]]]) -> dict[str, str]:
    """One SHA-256 per column over its values in every day file, in day and row order."""
    names = files[0] if files else {}
    return {
        name: hashlib.sha256(orjson.dumps([file[name] for file in files])).hexdigest()
        for name in names
        if name != "schema"
    }


def test_corpus_lines_archive_exactly_as_before(ingest: Ingest) -> None:
    found = {}
    for name, body in _corpus_bodies().items():
        batch = ingest.batch(body, None)
        found[name] = {
            "accepted": batch["accepted"],
            "errors": batch["errors"],
            "days": batch["days"],
            "rows_per_day": {day: len(cols["event_id"]) for day, cols in batch["files"].items()},
            "schemas": sorted({str(columns["schema"]) for columns in batch["files"].values()}),
            "columns": _digests(list(batch["files"].values())),
        }
    assert sum(entry["accepted"] for entry in found.values()) > 1500
    _check("ingest_corpora.json", found)


def test_events_one_by_one_and_the_columns_make_the_same_table() -> None:
    # Code that hands archive.write_batch NormalisedEvent values (the CLI's detect, hunting
    # fixtures) must write what ingest writes from its columns.
    for declared, body in _mixed():
        result = pipeline.run(
            pipeline.split_lines(body),
            source="golden",
            declared=declared or "auto",
            received_at=RECEIVED,
        )
        events = result.events
        assert len(events) == result.accepted
        assert archive.to_table(events).equals(archive.batch_table(result.batch))
        assert schema.EventBatch.from_events(events).events() == events
