"""``fenghuo audit verify`` on an intact chain and on one edited behind Fenghuo's back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import func, select

from fenghuo.audit.models import AuditRecord
from fenghuo.platform import Platform
from tests.cli.conftest import Invoke


def test_an_intact_chain_verifies(seeded: Invoke, platform: Platform) -> None:
    with platform.transaction() as session:
        records = int(session.scalar(select(func.count()).select_from(AuditRecord)) or 0)
    assert records > 63  # the demo world: organisations, people, sources, rules, plans, incidents
    result = seeded("audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{records} records, chain intact"


def test_an_empty_chain_verifies(migrated: Invoke) -> None:
    result = migrated("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "0 records, chain intact" in result.stdout


def test_an_edited_record_is_named(seeded: Invoke, data_dir: Path) -> None:
    with sqlite3.connect(data_dir / "fenghuo.db") as db:
        db.execute("UPDATE audit_record SET summary='x' WHERE seq=2")
    result = seeded("audit", "verify")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("Audit chain broken: record #2 ")
    assert "does not match its hash (edited)" in line
    assert "1 records before it are intact" in line
    assert "\n" not in line


def test_a_deleted_record_is_named(seeded: Invoke, data_dir: Path) -> None:
    with sqlite3.connect(data_dir / "fenghuo.db") as db:
        db.execute("DELETE FROM audit_record WHERE seq=40")
    result = seeded("audit", "verify")
    assert result.exit_code == 1
    assert "record #41" in result.stderr and "missing" in result.stderr
