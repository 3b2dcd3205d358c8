"""``fenghuo sources`` and ``fenghuo ingest``: files and folders, a summary, nothing stops it."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from fenghuo.monitoring import archive
from fenghuo.monitoring.models import IngestBatch
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from tests.cli.conftest import invoke_in
from tests.factories.accounts import make_world
from tests.monitoring import samples


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A migrated data directory with a small world and one registered source."""
    data_dir = tmp_path / "var"
    assert invoke_in(data_dir, "db", "upgrade").exit_code == 0
    platform = Platform.build(Settings(data_dir=data_dir))
    with platform.transaction() as session:
        org_id = make_world(session).energy_op_gd.id
    platform.engine.dispose()
    created = invoke_in(data_dir, "sources", "create", "gd-files", "--org", org_id)
    assert created.exit_code == 0, created.output
    assert created.stdout.strip().startswith("fht_")
    return data_dir


def test_folders_are_walked_and_bad_lines_summarised(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    (folder / "win").mkdir(parents=True)
    (folder / "win" / "sysmon.jsonl").write_bytes(
        samples.line(samples.evtx_process())
        + b"\nnot json\n"
        + samples.line(samples.windows_flat())
    )
    (folder / "eve.json.gz").write_bytes(gzip.compress(samples.line(samples.suricata_alert())))
    with zipfile.ZipFile(folder / "syslog.zip", "w") as bundle:
        bundle.writestr("a.log", samples.SYSLOG_5424 + b"\n" + samples.SYSLOG_3164 + b"\n<1>x\n")
    (folder / ".hidden").write_text("ignored")
    result = invoke_in(data_dir, "ingest", str(folder), "--source", "gd-files")
    assert result.exit_code == 0, result.output
    assert "5 accepted, 2 rejected in 3 files." in result.stdout
    assert "1 x not valid JSON (first at" in result.stdout
    assert "sysmon.jsonl:2)" in result.stdout
    assert "syslog.zip!a.log" in result.stdout
    table = archive.read_events(archive.events_root(data_dir))
    assert table.num_rows == 5
    platform = Platform.build(Settings(data_dir=data_dir))
    with platform.transaction() as session:
        origins = sorted(b.origin.rsplit("/", 1)[-1] for b in session.scalars(select(IngestBatch)))
    platform.engine.dispose()
    assert origins == ["eve.json.gz", "syslog.zip!a.log", "sysmon.jsonl"]


def test_a_declared_format_and_an_unknown_source(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "eve.jsonl"
    file.write_bytes(samples.line(samples.suricata_alert()))
    declared = invoke_in(
        data_dir, "ingest", str(file), "--source", "gd-files", "--format", "syslog_3164"
    )
    assert declared.exit_code == 0, declared.output
    assert "0 accepted, 1 rejected" in declared.stdout
    unknown = invoke_in(data_dir, "ingest", str(file), "--source", "nobody")
    assert unknown.exit_code != 0
    assert "No source is called 'nobody'" in unknown.output
    bad_format = invoke_in(data_dir, "ingest", str(file), "--source", "gd-files", "--format", "csv")
    assert bad_format.exit_code != 0


def test_sources_list_and_rotate(data_dir: Path) -> None:
    listed = invoke_in(data_dir, "sources", "list")
    assert listed.exit_code == 0 and "gd-files" in listed.stdout
    rotated = invoke_in(data_dir, "sources", "rotate-token", "gd-files")
    assert rotated.exit_code == 0 and rotated.stdout.strip().startswith("fht_")
