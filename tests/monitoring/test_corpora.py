"""Real third-party samples, read in place from ../shared/corpora: every line is taken.

In CI (``CI=true``) a missing corpus fails the run; elsewhere these tests skip, saying so.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fenghuo.monitoring import archive, formats, pipeline
from tests.services import IN_CI

CORPORA = Path(__file__).parents[2].parent / "shared" / "corpora"
RECEIVED = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def corpus(relative: str) -> Path:
    """A corpus folder, or a skip (a failure in CI) saying it is missing."""
    path = CORPORA / relative
    if not path.exists():
        message = f"shared corpus {path} not found"
        if IN_CI:
            pytest.fail(f"{message} (CI must have ../shared/corpora beside the checkout)")
        pytest.skip(message)
    return path


def _run(body: bytes) -> pipeline.BatchResult:
    return pipeline.run(
        pipeline.split_lines(body), source="corpus", declared="auto", received_at=RECEIVED
    )


def test_evtx_attack_samples_nested_form() -> None:
    files = sorted(corpus("evtx-attack-samples/jsonl").rglob("*.jsonl"))
    assert files
    total = 0
    for file in files:
        result = _run(file.read_bytes())
        assert result.errors == [], file
        assert {e.format for e in result.events} <= {formats.EVTX_JSON}
        total += len(result.events)
    index = corpus("evtx-attack-samples/index.jsonl").read_text().splitlines()
    assert total == sum(json.loads(row)["events"] for row in index if row.strip())


def test_otrf_flat_form(tmp_path: Path) -> None:
    zips = sorted(corpus("otrf-security-datasets/datasets").rglob("*.zip"))[:6]
    assert zips
    for path in zips:
        with zipfile.ZipFile(path) as bundle:
            for member in bundle.namelist():
                result = _run(bundle.read(member))
                assert result.errors == [], (path, result.errors[:3])
                assert {e.format for e in result.events} == {formats.WINDOWS_JSON}
                sysmon = [e for e in result.events if e.process.image and e.process.command_line]
                assert all(e.fields["CommandLine"] == e.process.command_line for e in sysmon)
    # The last set round-trips through the archive with its mixed-type fields intact.
    written = archive.write_batch(tmp_path, "otrf", result.events)
    assert written
    assert archive.read_events(tmp_path).num_rows == len(result.events)


def test_suricata_eve_alerts() -> None:
    files = sorted(corpus("suricata-eve").rglob("alerts-only.jsonl"))
    assert len(files) == 4
    for file in files:
        result = _run(file.read_bytes())
        assert result.errors == []
        assert all(e.network.src_ip and e.category == "alert" for e in result.events)


def test_the_sigma_regression_syslog_sample() -> None:
    raws = sorted(corpus("sigmahq/regression").rglob("*.raw"))
    if not raws:
        pytest.skip("no .raw syslog sample in the SigmaHQ regression folder")
    for raw in raws:
        result = _run(raw.read_bytes())
        assert len(result.events) + len(result.errors) >= 1
        assert all(error.reason for error in result.errors)
