"""The monitoring and detections pages: who sees which sources, what an upload refuses."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fenghuo.api.app import create_app
from fenghuo.monitoring.models import IngestBatch, Source
from fenghuo.platform import Platform
from tests.web.conftest import demo_platform, sign_in

LIMIT = 4096


@pytest.fixture(scope="module")
def small_platform(
    demo_database: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    """A demo platform whose ingest size limit is small enough to exceed in a test."""
    built = demo_platform(
        demo_database, tmp_path_factory.mktemp("monitoring"), ingest_max_bytes=LIMIT
    )
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module")
def client(small_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform=small_platform), follow_redirects=False) as app_client:
        yield app_client


def _source_id(platform: Platform, name: str) -> str:
    with platform.transaction() as session:
        found = session.scalar(select(Source.id).where(Source.name == name))
    assert found
    return found


def _batches(platform: Platform) -> int:
    with platform.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(IngestBatch)) or 0)


def _upload(
    client: TestClient, csrf: str, source_id: str, body: bytes, name: str = "events.jsonl"
) -> tuple[int, str]:
    response = client.post(
        "/monitoring/upload",
        data={"csrf_token": csrf, "source": source_id, "format": "auto"},
        files={"file": (name, body, "application/octet-stream")},
    )
    return response.status_code, response.text


EVENT = orjson.dumps(
    {
        "@timestamp": "2026-11-20T08:00:00Z",
        "Hostname": "szpower-ws01.demo.internal",
        "Channel": "Microsoft-Windows-Sysmon/Operational",
        "EventID": 1,
        "Image": "C:\\Windows\\System32\\vssadmin.exe",
        "CommandLine": "vssadmin delete shadows /all /quiet",
    }
)


def test_an_operator_sees_and_uploads_only_to_its_own_sources(
    client: TestClient, small_platform: Platform
) -> None:
    csrf = sign_in(client, "op.szpower")
    page = client.get("/monitoring").text
    assert "szpower-winlog" in page and "zjbank-winlog" not in page
    before = _batches(small_platform)
    status, text = _upload(client, csrf, _source_id(small_platform, "zjbank-winlog"), EVENT)
    assert status == 422 and "此项为必填项" in text  # the source is not one it may choose
    assert _batches(small_platform) == before


def test_a_gzip_file_is_inflated_and_its_events_kept(
    client: TestClient, small_platform: Platform
) -> None:
    csrf = sign_in(client, "op.szpower")
    before = _batches(small_platform)
    body = gzip.compress(EVENT + b"\n" + EVENT.replace(b"08:00", b"08:01"))
    status, text = _upload(client, csrf, _source_id(small_platform, "szpower-winlog"), body)
    assert status == 200, text
    assert "接收事件 2 条，拒收 0 条" in text
    assert _batches(small_platform) == before + 1


def test_an_oversize_file_is_refused_and_nothing_is_stored(
    client: TestClient, small_platform: Platform
) -> None:
    csrf = sign_in(client, "op.szpower")
    before = _batches(small_platform)
    body = b"\n".join([EVENT] * (LIMIT // len(EVENT) + 2))
    status, text = _upload(client, csrf, _source_id(small_platform, "szpower-winlog"), body)
    assert status == 413 and "文件超过接入大小上限" in text
    assert _batches(small_platform) == before


def test_a_missing_file_is_named_beside_its_field(
    client: TestClient, small_platform: Platform
) -> None:
    csrf = sign_in(client, "op.szpower")
    response = client.post(
        "/monitoring/upload",
        data={
            "csrf_token": csrf,
            "source": _source_id(small_platform, "szpower-winlog"),
            "format": "auto",
        },
    )
    assert response.status_code == 422
    assert 'id="file-error"' in response.text


def test_a_viewer_of_the_coordinator_sees_every_source_but_gets_no_upload_form(
    client: TestClient,
) -> None:
    sign_in(client, "analyst")
    page = client.get("/monitoring").text
    assert "szpower-winlog" in page and "zjbank-winlog" in page
    assert 'action="/monitoring/upload"' not in page


def test_an_unknown_level_is_dropped_and_an_unknown_detection_is_not_found(
    client: TestClient,
) -> None:
    sign_in(client, "analyst")
    chosen = re.compile(r'<option value="([a-z]*)" selected>')
    assert chosen.findall(client.get("/detections?view=all&level=high").text) == ["high"]
    # An unknown level is dropped (the filter shows "all"), not applied nor refused.
    unknown = client.get("/detections?view=all&level=nonsense")
    assert unknown.status_code == 200 and chosen.findall(unknown.text) == []
    sign_in(client, "op.szpower")
    assert client.get("/detections/00000000-0000-0000-0000-000000000000").status_code == 404
