"""Run the ``fenghuo`` command in-process against a private data directory.

Every invocation passes ``--data-dir`` and removes the ``FENGHUO_*`` variables that would
point it elsewhere, so a developer's environment never leaks into these tests. Seeding the
demo costs seconds (argon2), so one seeded directory is built per session and copied.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from fenghuo.cli.main import app
from fenghuo.platform import Platform
from fenghuo.settings import Settings, get_settings

ISOLATED_ENV: dict[str, str | None] = {
    "FENGHUO_DATA_DIR": None,
    "FENGHUO_DATABASE_URL": None,
    "FENGHUO_BUS_URL": None,
    "FENGHUO_SECRET_KEY": None,
    "FENGHUO_AUTHORITY_RULES_PATH": None,
    "COLUMNS": "200",
    "NO_COLOR": "1",
}

Invoke = Callable[..., Result]
SEED_OUTPUT = "first-seed-output.txt"


def invoke_in(data_dir: Path, *args: str, stdin: str | None = None, **env: str) -> Result:
    """``fenghuo --data-dir DATA_DIR ARGS...``, with stdin and extra environment."""
    runner = CliRunner(env={**ISOLATED_ENV, **env})
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], input=stdin)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def fenghuo(data_dir: Path) -> Invoke:
    """Invoke the CLI on this test's data directory."""

    def invoke(*args: str, stdin: str | None = None, **env: str) -> Result:
        return invoke_in(data_dir, *args, stdin=stdin, **env)

    return invoke


@pytest.fixture
def migrated(fenghuo: Invoke) -> Invoke:
    """The CLI on a data directory whose database is migrated but empty."""
    result = fenghuo("db", "upgrade")
    assert result.exit_code == 0, result.output
    return fenghuo


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory migrated and seeded with the demo world by the CLI itself."""
    template = tmp_path_factory.mktemp("seeded") / "var"
    for args in (("db", "upgrade"), ("demo", "seed")):
        result = invoke_in(template, *args)
        assert result.exit_code == 0, result.output
    (template.parent / SEED_OUTPUT).write_text(result.stdout, encoding="utf-8")
    return template


@pytest.fixture
def seeded(seeded_template: Path, data_dir: Path, fenghuo: Invoke) -> Invoke:
    """The CLI on a private copy of the seeded data directory."""
    shutil.copytree(seeded_template, data_dir)
    return fenghuo


@pytest.fixture
def platform(data_dir: Path) -> Iterator[Platform]:
    """The platform on this test's data directory, to look at what the CLI did."""
    built = Platform.build(Settings(data_dir=data_dir))
    yield built
    built.engine.dispose()


@pytest.fixture
def fresh_settings_cache() -> Iterator[None]:
    """Let ``get_settings()`` read the environment the test sets, and forget it after."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def empty_postgres_url(postgres_url: str) -> str:
    """A new, empty database on the suite's PostgreSQL server, for commands that commit."""
    url = make_url(postgres_url)
    name = f"fenghuo_cli_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
