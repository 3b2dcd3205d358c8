"""Fixtures of the console tests: a seeded demo database, a TestClient, a live server, Chromium.

The demo world (``fenghuo.demo.seed``) is built once into a SQLite file; each app gets its
own copy, so tests that create organisations or users never see each other's rows.
Browser tests drive the Debian ``chromium`` through Playwright against a real uvicorn
server on a free port. Outside CI a browser that cannot start skips them, saying why;
in CI (``CI=true``) it fails them (``tests.services.unavailable``).
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from fenghuo.api.app import create_app
from fenghuo.demo import seed
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from fenghuo.store.migrations import upgrade
from tests import services

DEMO_PASSWORD = "fenghuo-demo-2026"
SECRET_KEY = "console-tests-secret-key-not-for-production"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file, migrated and seeded with the demo world (its warnings signed with keys
    beside it), to copy from."""
    data_dir = tmp_path_factory.mktemp("demo-template")
    platform = Platform.build(Settings(data_dir=data_dir, secret_key=SECRET_KEY))
    upgrade(platform.engine)
    with platform.transaction() as session:
        seed(session, platform.system_actor("demo-seed"), platform.settings)
    platform.engine.dispose()
    return data_dir / "fenghuo.db"


def demo_platform(template: Path, data_dir: Path, **overrides: Any) -> Platform:
    """A platform on a private copy of the demo database and its warning-signing keys."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, data_dir / "fenghuo.db")
    keys = template.parent / "warning-keys"
    if keys.is_dir():
        shutil.copytree(keys, data_dir / "warning-keys", dirs_exist_ok=True)
    settings = Settings(data_dir=data_dir, secret_key=SECRET_KEY, **overrides)
    return Platform.build(settings)


@pytest.fixture(scope="module")
def platform(demo_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A demo platform for the tests of one module."""
    built = demo_platform(demo_database, tmp_path_factory.mktemp("console"))
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module")
def app_client(platform: Platform) -> Iterator[TestClient]:
    """A TestClient of the whole app (API and console) that does not follow redirects."""
    with TestClient(create_app(platform=platform), follow_redirects=False) as client:
        yield client


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF_FIELD.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> str:
    """Sign ``client`` in as ``username``; returns the session's CSRF token."""
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": token,
            "next": "/dashboard",
        },
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/profile").text)


# --------------------------------------------------------------------------- live server


@dataclass
class LiveServer:
    """A uvicorn server on a free port, serving a private demo database."""

    url: str
    platform: Platform


@pytest.fixture(scope="session")
def live_server(
    demo_database: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Start the whole app under uvicorn in a background thread."""
    platform = demo_platform(demo_database, tmp_path_factory.mktemp("live"))
    port = services.free_port()
    config = uvicorn.Config(
        create_app(platform=platform), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fenghuo-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start within 30 s")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}", platform=platform)
    server.should_exit = True
    thread.join(timeout=15)
    platform.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Playwright's base URL: the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Launch the system Chromium (never a downloaded one), headless and quiet."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser(playwright: Any, browser_type_launch_args: dict[str, Any]) -> Iterator[Any]:
    """Chromium, or a skip (a failure in CI) saying why it could not start."""
    if not Path(CHROMIUM).exists():
        services.unavailable("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        launched = playwright.chromium.launch(**browser_type_launch_args)
    except Exception as exc:  # any failure to start is reported the same way
        services.unavailable("Chromium", f"{type(exc).__name__}: {exc}")
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def browser_context_args(base_url: str) -> dict[str, Any]:
    """A desktop-sized window on the live server, Chinese locale, Beijing time."""
    return {
        "base_url": base_url,
        "viewport": {"width": 1360, "height": 860},
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "service_workers": "block",
    }
