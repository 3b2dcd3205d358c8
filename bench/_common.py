"""What the delivery benchmarks share: the signed-webhook receiver, webhook rows, py-spy.

The receiver runs in its own process (``python bench/_common.py PORT SECRETS``): uvicorn with
httptools, checking every ``X-Fenghuo-Signature`` with the endpoint's secret and counting
valid and invalid ones; ``GET /count`` answers ``{"valid": n, "invalid": m}``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def serve_receiver(port: int, secrets_file: Path) -> None:
    """An ASGI app counting signed POSTs; GET /count answers {"valid": n, "invalid": m}."""
    import hmac

    import uvicorn

    known: dict[str, str] = json.loads(secrets_file.read_text())
    counts = {"valid": 0, "invalid": 0}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if scope["method"] == "GET":
            payload = json.dumps(counts).encode()
        else:
            headers = dict(scope["headers"])
            timestamp = headers.get(b"x-fenghuo-timestamp", b"")
            signature = headers.get(b"x-fenghuo-signature", b"").decode()
            secret = known.get(scope["path"], "")
            mac = hmac.new(secret.encode(), timestamp + b"." + body, "sha256").hexdigest()
            counts["valid" if hmac.compare_digest(f"sha256={mac}", signature) else "invalid"] += 1
            payload = b"ok"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": payload})

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
        backlog=4096,
    )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def counts(url: str) -> dict[str, int]:
    """The receiver's counts of valid and invalid signed webhooks."""
    from urllib.request import urlopen

    with urlopen(f"{url}/count", timeout=5) as answer:
        return dict(json.loads(answer.read()))


def webhook_rows(
    org_ids: Sequence[str], *, url: str, server_key: str, known: dict[str, str]
) -> list[dict[str, Any]]:
    """One enabled webhook endpoint row per organisation on the receiver at ``url``.

    Each endpoint's secret (derived as the server derives it) goes into ``known`` under its
    path, for the receiver to check signatures with.
    """
    from fenghuo.notification.policy import derive_webhook_secret
    from fenghuo.store import new_id

    rows = []
    for org_id in org_ids:
        endpoint_id, salt = new_id(), secrets.token_hex(16)
        rows.append(
            {
                "id": endpoint_id,
                "org_id": org_id,
                "channel": "webhook",
                "address": f"{url}/hook/{org_id}",
                "secret_salt": salt,
                "secret_hint": "",
                "enabled": True,
                "created_by": "bench",
            }
        )
        known[f"/hook/{org_id}"] = derive_webhook_secret(server_key, endpoint_id, salt)
    return rows


@contextmanager
def receiver(port: int, secrets_file: Path) -> Iterator[str]:
    """Run the receiver in a subprocess until the block ends; yields its base URL."""
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, __file__, str(port), str(secrets_file)])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                counts(url)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def profiled(enabled: bool, output: Path) -> Iterator[None]:
    """py-spy on this process for the block (a flame graph at ``output``), if enabled."""
    if not enabled:
        yield
        return
    spy = Path(sys.executable).with_name("py-spy")
    command = [
        str(spy) if spy.exists() else "py-spy",
        "record",
        "-o",
        str(output),
        "--pid",
        str(os.getpid()),
        "--rate",
        "200",
    ]
    profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        yield
    finally:
        profiler.send_signal(2)
        profiler.wait(timeout=60)
        print(f"profile: {output}")


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


if __name__ == "__main__":
    serve_receiver(int(sys.argv[1]), Path(sys.argv[2]))
