"""``fenghuo rules import|list|show|diff|enable|disable`` on a migrated data directory."""

from __future__ import annotations

from pathlib import Path

from fenghuo.detection.rulebook import starter_rules
from tests.cli.conftest import invoke_in
from tests.detection.test_rulebook import rule_text

CALC = "6c1b7c7a-0c7e-4a52-9d3e-1d0f3a4b5c6d"


def test_the_rulebook_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "var"

    def run(*args: str) -> str:
        result = invoke_in(data, *args)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("db", "upgrade")
    assert "10 new, 0 changed, 0 unchanged, 0 not compiling; rulebook revision 1" in run(
        "rules", "import", str(starter_rules())
    )
    rule = tmp_path / "calc.yml"
    rule.write_text(rule_text())
    broken = tmp_path / "broken.yml"
    broken.write_text(rule_text(rule_id=None, title="Unrouted", category="nope_cat"))
    out = run("rules", "import", str(rule), str(broken))
    assert "not compiled: title:Unrouted:" in out and "2 new" in out
    rule.write_text(rule_text(level="high"))
    assert "1 changed" in run("rules", "import", str(rule))

    assert "Unrouted" in run("rules", "list", "--broken")
    assert "12 of 12 shown" in run("rules", "list")
    listed = run("rules", "list", "--level", "high", "--text", "calc")
    assert CALC in listed and "1 of 1 shown" in listed
    diff = run("rules", "diff", CALC, "1", "2")
    assert "-level: low" in diff and "+level: high" in diff
    assert f"{CALC}: disabled" in run("rules", "disable", CALC, "--reason", "too noisy")
    assert "disabled" in run("rules", "show", CALC)
    assert "1 of 1 shown" in run("rules", "list", "--disabled")
    refused = invoke_in(data, "rules", "disable", CALC, "--reason", "x")
    assert refused.exit_code != 0 and "reason" in refused.output
