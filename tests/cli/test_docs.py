"""The README and docs/ keep up with the CLI: links resolve, commands and options are
documented, and the README's demo logins are the seeded ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from fenghuo.cli.main import app
from fenghuo.demo import DEMO_PASSWORD, LOGINS

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _commands() -> list[tuple[str, object]]:
    root = get_command(app)
    found: list[tuple[str, object]] = [("fenghuo", root)]
    for name, command in getattr(root, "commands", {}).items():
        subcommands = getattr(command, "commands", {})
        if subcommands:
            found += [(f"fenghuo {name} {sub}", cmd) for sub, cmd in subcommands.items()]
        else:
            found.append((f"fenghuo {name}", command))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text("utf-8")):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        path = target.split("#", 1)[0]
        if not (page.parent / path).exists():
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("path", [path for path, _ in _commands()])
def test_every_option_of_every_command_is_documented(path: str) -> None:
    text = (ROOT / "docs" / "cli.md").read_text("utf-8")
    command = dict(_commands())[path]
    options = [
        opt
        for param in getattr(command, "params", [])
        for opt in getattr(param, "opts", [])
        if opt.startswith("--") and opt not in {"--help"}
    ]
    assert [opt for opt in options if f"`{opt}`" not in text and f"`{opt} " not in text] == []


def test_the_readme_opens_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text("utf-8").splitlines()
    body = [line for line in lines if line and not line.startswith("# ")]
    assert body[:4] == ["```", "make run", "make test", "```"]


def test_the_readme_lists_every_demo_login() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    assert f"`{DEMO_PASSWORD}`" in text
    assert [login.username for login in LOGINS if f"`{login.username}`" not in text] == []
