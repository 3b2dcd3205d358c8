"""Liveness, readiness and metrics, as a load balancer or Prometheus sees them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from fenghuo.api.app import create_app
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from fenghuo.store.migrations import upgrade


def _client(tmp_path: Path, *, migrated: bool) -> TestClient:
    settings = Settings(data_dir=tmp_path, secret_key="test-secret-key-not-for-production")
    platform = Platform.build(settings)
    if migrated:
        upgrade(platform.engine)
    return TestClient(create_app(platform=platform))


def test_ready_when_migrated_and_the_bus_is_connected(tmp_path: Path) -> None:
    with _client(tmp_path, migrated=True) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["checks"] == {"database": "ok", "migrations": "ok", "bus": "ok"}


def test_not_ready_before_the_migrations_ran(tmp_path: Path) -> None:
    with _client(tmp_path, migrated=False) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert "fenghuo db upgrade" in answer.json()["checks"]["migrations"]


def test_not_ready_without_the_bus(tmp_path: Path) -> None:
    client = _client(tmp_path, migrated=True)  # no lifespan: the bus was never connected
    answer = client.get("/readyz")
    assert (answer.status_code, answer.json()["checks"]["bus"]) == (503, "unavailable")


def test_liveness_and_metrics_need_no_sign_in(tmp_path: Path) -> None:
    client = _client(tmp_path, migrated=True)
    assert client.get("/healthz").json() == {"status": "ok"}
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and "python_info" in metrics.text
