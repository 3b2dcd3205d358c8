"""The Parquet archive: partitioned by day, explicit schema, written whole or not at all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from fenghuo.monitoring import archive, pipeline
from fenghuo.monitoring.schema import NormalisedEvent
from tests.monitoring import samples

RECEIVED = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def _events() -> list[NormalisedEvent]:
    body = b"\n".join(
        [
            samples.line(samples.evtx_process()),  # 2026-03-01
            samples.line(samples.windows_flat()),  # 2026-03-02
            samples.line(samples.suricata_alert()),  # 2026-03-02 (UTC)
        ]
    )
    result = pipeline.run(
        pipeline.split_lines(body), source="s1", declared="auto", received_at=RECEIVED
    )
    assert not result.errors
    return list(result.events)


def test_a_batch_is_written_per_day_and_reads_back(tmp_path: Path) -> None:
    events = _events()
    paths = archive.write_batch(tmp_path, "b1", events)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "day=2026-03-01/b1.parquet",
        "day=2026-03-02/b1.parquet",
    ]
    assert pq.read_schema(paths[0]).equals(archive.EVENT_SCHEMA)
    table = archive.read_events(tmp_path)
    assert table.num_rows == 3
    rows = {row["event_id"]: row for row in table.to_pylist()}
    sysmon = rows[events[0].event_id]
    assert sysmon["day"] == "2026-03-01"
    assert sysmon["process_command_line"] == "cmd.exe /c whoami  "
    assert sysmon["process_pid"] == 4242
    assert sysmon["time"] == datetime(2026, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert orjson.loads(sysmon["fields"])["CommandLine"] == "cmd.exe /c whoami  "
    flat = rows[events[1].event_id]
    assert orjson.loads(flat["fields"]) == samples.windows_flat()
    assert archive.read_events(tmp_path, day="2026-03-02").num_rows == 2


def test_an_empty_archive_reads_as_an_empty_table(tmp_path: Path) -> None:
    assert archive.read_events(tmp_path / "none").num_rows == 0
    assert archive.write_batch(tmp_path, "b0", []) == []


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = pq.write_table
    calls = []

    def write_then_fail(table: object, where: Path) -> None:
        calls.append(where)
        if len(calls) == 2:  # the second day's file fails half-way
            Path(where).write_bytes(b"PAR1 half")
            raise OSError("disk full")
        real_write(table, where)

    monkeypatch.setattr(pq, "write_table", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        archive.write_batch(tmp_path, "b2", _events())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert archive.read_events(tmp_path).num_rows == 0
