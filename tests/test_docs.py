"""The docs keep up with the code: every action, setting and CLI command is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from fenghuo.catalog import all_actions
from fenghuo.settings import Settings

DOCS = Path(__file__).parents[1] / "docs"


@pytest.mark.parametrize("action", [a.name for a in all_actions()])
def test_every_action_is_documented(action: str) -> None:
    assert f"`{action}`" in (DOCS / "authority.md").read_text("utf-8")


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`FENGHUO_{name.upper()}`" in (DOCS / "settings.md").read_text("utf-8")


def test_every_cli_command_is_documented() -> None:
    from typer.main import get_command

    from fenghuo.cli.main import app

    text = (DOCS / "cli.md").read_text("utf-8")
    root = get_command(app)
    missing = []
    for name, command in getattr(root, "commands", {}).items():
        subcommands = getattr(command, "commands", None)
        paths = (
            [f"fenghuo {name} {sub}" for sub in subcommands] if subcommands else [f"fenghuo {name}"]
        )
        missing += [path for path in paths if f"`{path}" not in text]
    assert missing == []
