"""``fenghuo indicators import|list``: STIX and CSV files, a bad row aborts, TLP and expiry."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from fenghuo.monitoring.indicators_models import Indicator
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from tests.cli.conftest import invoke_in
from tests.factories.accounts import make_world
from tests.monitoring.test_indicators import GOOD_BUNDLE


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "var"
    assert invoke_in(data_dir, "db", "upgrade").exit_code == 0
    platform = Platform.build(Settings(data_dir=data_dir))
    with platform.transaction() as session:
        make_world(session)
    platform.engine.dispose()
    return data_dir


def _indicators(data_dir: Path) -> int:
    platform = Platform.build(Settings(data_dir=data_dir))
    try:
        with platform.transaction() as session:
            return session.scalar(select(func.count(Indicator.id))) or 0
    finally:
        platform.engine.dispose()


def test_a_bundle_and_a_csv_are_imported_and_listed(data_dir: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "feed.json"
    bundle.write_bytes(GOOD_BUNDLE)
    result = invoke_in(data_dir, "indicators", "import", str(bundle), "--set", "feed")
    assert result.exit_code == 0, result.output
    assert "feed (TLP:RED): 7 added, 0 refreshed, 4 skipped." in result.stdout
    assert "skipped indicator--00000000-0000-4000-8000-000000000006" in result.stdout
    rows = tmp_path / "local.csv"
    rows.write_text("type,value,expires\nipv4,192.0.2.1,\ndomain,Bad.Example,2030-01-01\n")
    result = invoke_in(
        data_dir,
        "indicators",
        "import",
        str(rows),
        "--set",
        "local",
        "--owner",
        "Energy",
        "--tlp",
        "GREEN",
        "--expires",
        "2031-01-01T00:00:00Z",
        "--source",
        "our sensors",
    )
    assert result.exit_code == 0, result.output
    assert "local (TLP:GREEN): 2 added" in result.stdout
    listed = invoke_in(data_dir, "indicators", "list")
    assert listed.exit_code == 0
    assert "local" in listed.stdout and "Energy" in listed.stdout and "our sensors" in listed.stdout


def test_a_bad_csv_row_aborts_the_import(data_dir: Path, tmp_path: Path) -> None:
    rows = tmp_path / "bad.csv"
    rows.write_text("type,value\nipv4,192.0.2.1\nmd5,zz\n")
    result = invoke_in(data_dir, "indicators", "import", str(rows), "--set", "bad")
    assert result.exit_code == 1
    assert "bad.csv line 3: Invalid value:" in result.stderr
    assert _indicators(data_dir) == 0
    other = tmp_path / "feed.txt"
    other.write_text("x")
    assert invoke_in(data_dir, "indicators", "import", str(other), "--set", "x").exit_code == 1
    good = tmp_path / "good.csv"
    good.write_text("type,value\nipv4,192.0.2.1\n")
    bad_time = invoke_in(
        data_dir, "indicators", "import", str(good), "--set", "good", "--expires", "soon"
    )
    assert bad_time.exit_code == 1
    assert "Invalid --expires" in bad_time.stderr
    assert _indicators(data_dir) == 0
