"""``fenghuo db upgrade`` and the schema check that ``fenghuo serve`` makes first."""

from __future__ import annotations

from pathlib import Path

import pytest

from fenghuo.platform import Platform
from fenghuo.store import migrations
from tests.cli.conftest import Invoke, invoke_in


def test_db_upgrade_creates_the_schema_at_head(
    fenghuo: Invoke, data_dir: Path, platform: Platform
) -> None:
    result = fenghuo("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert (data_dir / "fenghuo.db").exists()
    revision = migrations.current_revision(platform.engine)
    assert revision is not None
    assert f"Database at revision {revision}" in result.output


def test_db_upgrade_twice_changes_nothing(migrated: Invoke) -> None:
    result = migrated("db", "upgrade")
    assert result.exit_code == 0, result.output


def test_serve_refuses_a_database_that_is_not_migrated(fenghuo: Invoke) -> None:
    result = fenghuo("serve", "--port", "1")
    assert result.exit_code == 1
    assert "run `fenghuo db upgrade` first" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_commands_on_an_unmigrated_database_say_what_to_do(fenghuo: Invoke) -> None:
    result = fenghuo("audit", "verify")
    assert result.exit_code == 1
    assert "fenghuo db upgrade" in result.stderr


@pytest.mark.postgres
def test_the_cli_runs_on_postgresql_from_the_database_url(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    env = {"FENGHUO_DATABASE_URL": empty_postgres_url}
    rows = tmp_path / "orgs.yaml"
    rows.write_text(
        "- {name_zh: 国家网信办, name_en: National, kind: national_coordinator}\n"
        "- {name_zh: 能源局, name_en: Energy, kind: sector_department, parent: National,"
        " sector_code: energy}\n",
        encoding="utf-8",
    )
    for args in (("db", "upgrade"), ("orgs", "import", str(rows)), ("audit", "verify")):
        result = invoke_in(tmp_path / "var", *args, **env)
        assert result.exit_code == 0, result.output
    assert "2 records, chain intact" in result.output
    assert not (tmp_path / "var" / "fenghuo.db").exists()
