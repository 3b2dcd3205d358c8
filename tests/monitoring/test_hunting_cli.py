"""``fenghuo hunt``: a query from the command line, as a table or as JSON, audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson

from fenghuo.monitoring import archive
from tests.cli.conftest import invoke_in
from tests.monitoring.test_hunting import DAY1, _event


def test_hunt_prints_json_and_a_table(tmp_path: Path) -> None:
    data = tmp_path / "var"
    assert invoke_in(data, "db", "upgrade").exit_code == 0
    archive.write_batch(
        archive.events_root(data),
        "cli",
        [_event(n, at=DAY1 + timedelta(hours=n), org=None) for n in (1, 2, 3)],
    )
    window = ["--since", "2026-03-01T00:00:00Z", "--until", "2026-03-02T00:00:00+00:00"]
    result = invoke_in(
        data,
        "hunt",
        "SELECT process_image FROM events ORDER BY 1",
        *window,
        "--max-rows",
        "2",
        "--json",
    )
    assert result.exit_code == 0, result.output
    answer = orjson.loads(result.stdout)
    assert answer["rows"] == [["C:\\tool1.exe"], ["C:\\tool2.exe"]] and answer["truncated"]
    table = invoke_in(data, "hunt", "SELECT count(*) AS n FROM events", *window)
    assert table.exit_code == 0 and " 3 " in table.stdout
    refused = invoke_in(data, "hunt", "DELETE FROM events", *window)
    assert refused.exit_code != 0 and "select-only" in refused.output
    verified = invoke_in(data, "audit", "verify")
    assert "2 records, chain intact" in verified.stdout  # the two queries that ran
