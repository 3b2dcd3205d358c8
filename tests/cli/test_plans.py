"""``fenghuo plans``: classify offline, import, export and list."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from fenghuo.audit.models import AuditRecord
from fenghuo.plans import loader
from fenghuo.plans.models import PlanVersion
from fenghuo.platform import Platform
from tests.cli.conftest import Invoke

REPORT = """\
operator_type: cii
discovered_at: 2026-03-01T08:00:00+08:00
pi_records_citizens: 12000000
outage_whole_min: 5
"""


def test_classify_offline_prints_the_level_reasons_and_deadlines(
    fenghuo: Invoke, tmp_path: Path, data_dir: Path
) -> None:
    report = tmp_path / "report.yaml"
    report.write_text(REPORT, encoding="utf-8")
    result = fenghuo("plans", "classify", str(report))
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["level"] == "II" and answer["level_name"] == "Major"
    assert [(r["input"], r["level"], r["threshold"]) for r in answer["reasons"]] == [
        ("pi_records_citizens", "II", 10_000_000)
    ]
    assert [(d["kind"], d["due_at"]) for d in answer["deadlines"]] == [
        ("first_report", "2026-03-01T01:00:00+00:00"),
        ("escalation", "2026-03-01T01:30:00+00:00"),
        ("final_report", None),
    ]
    assert answer["plan"] == {"name": "national", "version": None, "from": "packaged"}
    assert not (data_dir / "fenghuo.db").exists()  # offline: no database was made


def test_classify_with_a_plan_file_and_a_bad_report(fenghuo: Invoke, tmp_path: Path) -> None:
    plan = tmp_path / "strict.yaml"
    plan.write_text(
        loader.packaged_text().replace(
            "III: {value: 1000000, source: S25", "III: {value: 1000, source: S25"
        ),
        encoding="utf-8",
    )
    report = tmp_path / "report.yaml"
    report.write_text("pi_records_citizens: 5000\n", encoding="utf-8")
    result = fenghuo("plans", "classify", str(report), "--plan", str(plan))
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["level"], answer["deadlines"]) == ("III", [])
    assert "no operator_type" in answer["note"]
    report.write_text("people_affected: lots\n", encoding="utf-8")
    result = fenghuo("plans", "classify", str(report))
    assert result.exit_code == 1
    assert "Invalid people_affected" in result.stderr and "rule number" in result.stderr


def test_import_export_and_list(migrated: Invoke, tmp_path: Path, platform: Platform) -> None:
    listed = migrated("plans", "list")
    assert listed.exit_code == 0, listed.output
    assert "national" in listed.stdout
    exported = migrated("plans", "export", "national")
    assert exported.exit_code == 0 and exported.stdout == loader.packaged_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(loader.packaged_text().replace("at_least: 1", "at_least: once"), "utf-8")
    with platform.transaction() as session:
        audit_before = session.scalar(select(func.count(AuditRecord.id)))
    refused = migrated("plans", "import", str(bad))
    assert refused.exit_code == 1
    assert "bad.yaml, line" in refused.stderr and "exercises.at_least" in refused.stderr
    good = tmp_path / "national.yaml"
    good.write_text(loader.packaged_text().replace("at_least: 1", "at_least: 2"), "utf-8")
    imported = migrated("plans", "import", str(good))
    assert imported.exit_code == 0, imported.output
    assert "version 2" in imported.stdout
    assert migrated("plans", "export", "national", "--version", "1").stdout == (
        loader.packaged_text()
    )
    assert "at_least: 2" in migrated("plans", "export", "national").stdout
    with platform.transaction() as session:
        assert session.scalar(select(func.count(PlanVersion.id))) == 2
        assert session.scalar(select(func.count(AuditRecord.id))) == (audit_before or 0) + 1
    report = tmp_path / "report.yaml"
    report.write_text(REPORT, encoding="utf-8")
    stored = migrated("plans", "classify", str(report), "--plan", "national")
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.stdout)["plan"] == {
        "name": "national",
        "version": 2,
        "from": "database",
    }
    missing = migrated("plans", "export", "nowhere")
    assert missing.exit_code == 1 and "no plan named 'nowhere'" in missing.stderr
