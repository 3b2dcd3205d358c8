"""``fenghuo run`` as ``make run`` starts it: a real process serving on a free port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from fenghuo.accounts.models import Organisation
from fenghuo.demo import DEMO_PASSWORD
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from tests.cli.conftest import ISOLATED_ENV
from tests.services import free_port


def _start(data_dir: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED_ENV}
    env.update({"COLUMNS": "200", "NO_COLOR": "1"})
    process = subprocess.Popen(
        [sys.executable, "-m", "fenghuo.cli", "--data-dir", str(data_dir), "run",
         "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def _wait_until_healthy(process: subprocess.Popen[str], base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"fenghuo run exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"fenghuo run did not answer /healthz within {timeout} s")


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def test_run_migrates_seeds_prints_the_logins_and_serves(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    process, base = _start(data_dir)
    try:
        _wait_until_healthy(process, base)
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
    finally:
        stdout, stderr = _stop(process)
    assert f"password for all: {DEMO_PASSWORD}" in stdout, stderr
    for username in ("admin", "gd.admin", "op.szpower.admin", "council.leader"):
        assert f" {username} " in stdout
    assert base in stderr


def test_run_without_the_demo_leaves_the_tree_empty(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    process, base = _start(data_dir, "--no-demo")
    try:
        _wait_until_healthy(process, base)
    finally:
        stdout, _ = _stop(process)
    assert DEMO_PASSWORD not in stdout
    platform = Platform.build(Settings(data_dir=data_dir))
    try:
        with platform.transaction() as session:
            assert session.scalar(select(func.count()).select_from(Organisation)) == 0
    finally:
        platform.engine.dispose()
