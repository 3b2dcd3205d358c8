"""One transaction per request, ended before the response leaves: a client that has its
answer can rely on it (the commit cannot still fail), and its next read sees its own write."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.api.conftest import Api


def _committed_organisations(api: Api) -> int:
    """Organisations committed so far, read from outside the app's connection pool."""
    url = make_url(api.platform.settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        # A plain read-only connection: no BEGIN IMMEDIATE, so it never waits for the app.
        with sqlite3.connect(f"file:{url.database}?mode=ro", uri=True) as connection:
            return int(connection.execute("SELECT count(*) FROM organisation").fetchone()[0])
    with api.platform.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM organisation")).scalar_one())


def _post_directly(api: Api, path: str, body: dict[str, Any], on_start: Any) -> int:
    """POST through the raw ASGI interface, calling ``on_start`` as the response starts."""
    payload = json.dumps(body).encode()
    token = api.headers("nat-admin")["Authorization"].encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", token),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
            on_start()

    asyncio.run(api.app(scope, receive, send))
    return status[0]


def test_the_change_is_committed_before_the_response_is_sent(api: Api) -> None:
    before = _committed_organisations(api)
    seen_at_response: list[int] = []
    status = _post_directly(
        api,
        "/api/v1/organisations",
        {
            "name_zh": "测评中心",
            "name_en": "Evaluation centre",
            "kind": "professional_institution",
            "parent_id": api.world.national.id,
        },
        lambda: seen_at_response.append(_committed_organisations(api)),
    )
    assert status == 201
    assert seen_at_response == [before + 1]
