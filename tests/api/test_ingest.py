"""``POST /api/v1/events`` and ``/api/v1/sources``: each format, bad lines, limits, tokens."""

from __future__ import annotations

import gzip
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from fenghuo.audit.models import AuditRecord
from fenghuo.monitoring import archive
from fenghuo.monitoring.models import IngestBatch
from tests.api.conftest import Api, assert_problem
from tests.monitoring import samples

EVENTS = "/api/v1/events"


def _register(api: Api, name: str, **extra: Any) -> dict[str, Any]:
    body = {"name": name, "kind": "sensor", "owner_org_id": api.world.energy_op_gd.id, **extra}
    response = api.post("sz-admin", "/api/v1/sources", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture(scope="module")
def token(api: Api) -> str:
    """The token of one source, registered by its owner's administrator."""
    secret: str = _register(api, "sz-sensor")["token"]
    return secret


def _send(api: Api, secret: str, body: bytes, **headers: str) -> Any:
    return api.client.post(
        EVENTS, content=body, headers={"Authorization": f"Bearer {secret}", **headers}
    )


def _stored(api: Api) -> tuple[int, int]:
    """Batches recorded, and archive files on disk."""
    with api.platform.transaction() as session:
        batches = session.scalar(select(func.count(IngestBatch.id))) or 0
    files = list(archive.events_root(api.platform.settings.data_dir).rglob("*.parquet"))
    return batches, len(files)


def _archived(api: Api, batch_id: str) -> list[dict[str, Any]]:
    """The rows of one batch, read back from its Parquet files."""
    data_dir = api.platform.settings.data_dir
    with api.platform.transaction() as session:
        files = session.get_one(IngestBatch, batch_id).files
    rows: list[dict[str, Any]] = []
    for file in files:
        rows += pq.read_table(data_dir / file, schema=archive.EVENT_SCHEMA).to_pylist()
    return rows


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        (samples.line(samples.evtx_process()), "evtx_json"),
        (samples.line(samples.windows_flat()), "windows_json"),
        (
            samples.line(samples.suricata_alert()) + b"\n" + samples.line(samples.suricata_dns()),
            "suricata_eve",
        ),
        (samples.SYSLOG_5424, "syslog_5424"),
        (samples.SYSLOG_3164, "syslog_3164"),
    ],
)
def test_each_format_is_accepted_and_archived(api: Api, token: str, body: bytes, fmt: str) -> None:
    response = _send(api, token, body + b"\n", **{"Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.text
    result = response.json()
    lines = body.count(b"\n") + 1
    assert (result["accepted"], result["rejected"], result["errors"]) == (lines, 0, [])
    rows = _archived(api, result["batch_id"])
    assert [row["format"] for row in rows] == [fmt] * lines
    assert {row["source"] for row in rows} == {"sz-sensor"}


def test_malformed_lines_are_numbered_and_good_lines_kept(api: Api, token: str) -> None:
    body = b"\n".join(
        [
            samples.line(samples.evtx_process("a.exe ")),
            b'{"EventID": ',
            b"",
            b"[]",
            samples.line(samples.windows_flat()),
            b"\xc3\x28",
            b'{"Event": {"System": {}}}',
        ]
    )
    response = _send(api, token, body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["accepted"], result["rejected"]) == (2, 4)
    assert [e["line"] for e in result["errors"]] == [2, 4, 6, 7]
    assert result["errors"][1]["reason"] == "a JSON list where an object was expected"
    assert result["errors"][2]["reason"].startswith("not UTF-8")
    rows = _archived(api, result["batch_id"])
    assert sorted(row["process_command_line"] or "" for row in rows) == [
        "a.exe ",
        "net user /domain\t",
    ]


def test_a_gzip_body_is_decompressed(api: Api, token: str) -> None:
    body = gzip.compress(samples.line(samples.suricata_alert()) + b"\n" + samples.SYSLOG_3164)
    response = _send(api, token, body, **{"Content-Encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 2


def test_oversize_request_is_refused_and_nothing_stored(
    api: Api, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.platform.settings, "ingest_max_bytes", 4096)
    line = samples.line(samples.windows_flat())
    body = b"\n".join([line] * (4096 // len(line) + 2))
    before = _stored(api)
    response = _send(api, token, body)
    assert_problem(response, 413)
    assert "nothing was stored" in response.json()["detail"]
    bomb = gzip.compress(b"\n".join([line] * 1000))  # small compressed, large inflated
    assert len(bomb) < 4096
    assert_problem(_send(api, token, bomb, **{"Content-Encoding": "gzip"}), 413)
    assert _stored(api) == before


def test_unsupported_or_corrupt_encodings_are_refused(api: Api, token: str) -> None:
    before = _stored(api)
    assert_problem(_send(api, token, b"x", **{"Content-Encoding": "br"}), 415)
    assert_problem(_send(api, token, b"not gzip", **{"Content-Encoding": "gzip"}), 400)
    truncated = gzip.compress(samples.SYSLOG_3164)[:-8]
    assert_problem(_send(api, token, truncated, **{"Content-Encoding": "gzip"}), 400)
    assert _stored(api) == before


def test_wrong_revoked_or_personal_tokens_are_refused(api: Api) -> None:
    created = _register(api, "sz-rotating")
    before = _stored(api)
    line = samples.SYSLOG_5424
    assert_problem(_send(api, "fht_not-a-real-token", line), 401)
    assert_problem(api.client.post(EVENTS, content=line), 401)
    rotated = api.post("sz-admin", f"/api/v1/sources/{created['id']}/token")
    assert rotated.status_code == 200, rotated.text
    assert_problem(_send(api, created["token"], line), 401)
    personal = api.post("sz-admin", EVENTS, content=line)
    assert_problem(personal, 403, rule="source-token")
    assert _stored(api) == before
    assert _send(api, rotated.json()["token"], line).status_code == 200


def test_a_deactivated_source_is_refused(api: Api) -> None:
    created = _register(api, "sz-retired")
    response = api.patch("sz-admin", f"/api/v1/sources/{created['id']}", json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_problem(_send(api, created["token"], samples.SYSLOG_5424), 401)


def test_reingesting_the_same_lines_gives_the_same_event_ids(api: Api, token: str) -> None:
    body = samples.line(samples.evtx_process("again")) + b"\n" + samples.SYSLOG_5424
    first = _archived(api, _send(api, token, body).json()["batch_id"])
    second = _archived(api, _send(api, token, body).json()["batch_id"])
    assert [r["event_id"] for r in first] == [r["event_id"] for r in second]
    assert len({r["event_id"] for r in first}) == 2


def test_a_declared_format_overrides_detection(api: Api, token: str) -> None:
    body = samples.line(samples.windows_flat())
    result = _send(api, token, body).json()
    assert result["accepted"] == 1
    response = api.client.post(
        EVENTS,
        params={"format": "suricata_eve"},
        content=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["errors"][0]["reason"].startswith("an EVE record needs event_type")


def _names(api: Api, username: str) -> set[str]:
    return {s["name"] for s in api.get(username, "/api/v1/sources").json()["items"]}


def test_sources_are_listed_within_visibility(api: Api, token: str) -> None:
    del token  # registers the source
    assert "sz-sensor" in _names(api, "sz-staff")
    assert "sz-sensor" in _names(api, "energy-admin")
    assert "sz-sensor" not in _names(api, "bank-staff")
    assert_problem(
        api.post(
            "bank-staff",
            "/api/v1/sources",
            json={"name": "nope", "kind": "feed", "owner_org_id": api.world.energy_op_gd.id},
        ),
        403,
    )


def _ingest_records(api: Api) -> int:
    # Only this action: the app's detection worker audits its own work in the background.
    with api.platform.transaction() as session:
        query = select(func.count(AuditRecord.id)).where(
            AuditRecord.action == "monitoring.events.ingest"
        )
        return int(session.scalar(query) or 0)


def test_ingest_is_audited_once_per_batch(api: Api, token: str) -> None:
    before = _ingest_records(api)
    _send(api, token, samples.SYSLOG_5424 + b"\n" + samples.SYSLOG_3164)
    assert _ingest_records(api) == before + 1


def test_assets_are_imported_within_reach_and_enrich_events(api: Api, token: str) -> None:
    org_id = api.world.energy_op_gd.id
    rows = [{"org_id": org_id, "host": "ws1.example.cn"}, {"org_id": org_id, "cidr": "10.7.0.0/16"}]
    imported = api.post("sz-admin", "/api/v1/assets", json=rows)
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"rows": 2, "changed": 2}
    foreign = [{"org_id": api.world.finance_op_sh.id, "cidr": "10.8.0.0/16"}]
    assert_problem(api.post("sz-admin", "/api/v1/assets", json=foreign), 403)
    assert_problem(api.post("sz-admin", "/api/v1/assets", json=[]), 422)
    seen = {a["value"] for a in api.get("sz-staff", "/api/v1/assets").json()["items"]}
    assert {"ws1.example.cn", "10.7.0.0/16"} <= seen
    assert api.get("bank-staff", "/api/v1/assets").json()["total"] == 0
    result = _send(api, token, samples.line(samples.evtx_process("owned"))).json()
    (row,) = _archived(api, result["batch_id"])
    assert (row["owner_org_id"], row["owner_sector"]) == (org_id, "energy")
