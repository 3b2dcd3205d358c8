"""A deployment's rules file is checked when loaded; errors name the line and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from fenghuo.authority import load_policy
from fenghuo.catalog import all_actions
from fenghuo.errors import Invalid

PACKAGED = (Path(__file__).parents[2] / "src/fenghuo/authority/rules.yaml").read_text("utf-8")


def _load(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    load_policy(all_actions(), path)


def test_packaged_rules_load() -> None:
    policy = load_policy(all_actions())
    assert "administrator" in policy.roles
    assert policy.roles["duty_officer"]["zh"] == "值班员"


def test_unknown_role_in_a_grant_is_refused_with_its_line(tmp_path: Path) -> None:
    text = PACKAGED.replace(
        "roles: [administrator]\n    actions: [audit.verify]",
        "roles: [superuser]\n    actions: [audit.verify]",
    )
    line = text.splitlines().index("    roles: [superuser]") + 1
    with pytest.raises(Invalid) as caught:
        _load(tmp_path, text)
    assert caught.value.rule == "known-role"
    assert f"line {line}" in caught.value.message
    assert "'superuser' is not a known role" in caught.value.message


def test_unknown_action_is_refused(tmp_path: Path) -> None:
    text = PACKAGED.replace("actions: [audit.verify]", "actions: [audit.erase]")
    with pytest.raises(Invalid) as caught:
        _load(tmp_path, text)
    assert caught.value.rule == "known-action"
    assert "audit.erase" in caught.value.message


def test_unknown_scope_kind_is_refused(tmp_path: Path) -> None:
    text = PACKAGED.replace(
        "network_operator: {scope: self", "network_operator: {scope: everything"
    )
    with pytest.raises(Invalid) as caught:
        _load(tmp_path, text)
    assert caught.value.rule == "scope-kind"
    assert caught.value.field == "visibility.network_operator.scope"


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(Invalid) as caught:
        _load(tmp_path, "roles: [unclosed\n")
    assert caught.value.rule == "yaml-syntax"
    assert "line" in caught.value.message
