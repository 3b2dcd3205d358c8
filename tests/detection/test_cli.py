"""``fenghuo detect`` and ``fenghuo rules check`` on small files written by the test."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fenghuo.cli.main import app
from tests.detection.kit import HEAD, SYSMON

RULE = HEAD + "detection:\n  s:\n    Image|endswith: evil.exe\n  condition: s\n"


def test_detect_writes_one_line_per_match_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yml").write_text(RULE)
    (tmp_path / "rules" / "bad.yml").write_text("title: x\n")
    events = tmp_path / "ev" / "a.jsonl"
    events.parent.mkdir()
    lines = [
        {"Channel": SYSMON, "EventID": 1, "Image": "C:\\evil.exe"},
        {"Channel": SYSMON, "EventID": 1, "Image": "C:\\good.exe"},
    ]
    text = "\n".join(json.dumps(e) for e in lines) + "\nnot json\n"
    events.write_text(text + json.dumps(lines[0]) + "\n")
    out = tmp_path / "m.jsonl"
    args = ["detect", "--rules", str(tmp_path / "rules"), "--events", str(events.parent)]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 4]
    assert rows[0] == {
        "rule_id": "00000000-0000-4000-8000-000000000001",
        "rule_title": "Test rule",
        "file": str(events),
        "line": 1,
    }
    assert "Fenghuo tests" in result.stdout
    assert "2 matches from 1 rules; 1 lines skipped" in result.stdout


def test_rules_check_groups_reasons(tmp_path: Path) -> None:
    (tmp_path / "r.yml").write_text(RULE)
    (tmp_path / "l.yml").write_text(
        RULE.replace("{category: process_creation, product: windows}", "{product: linux}")
    )
    result = CliRunner().invoke(app, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 of 2 rules compiled (50.0%)" in result.stdout
    assert "1  no event routing for product 'linux'" in result.stdout
