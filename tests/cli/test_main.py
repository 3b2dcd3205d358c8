"""The command tree: help everywhere, usage errors exit 2, settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command

from fenghuo import __version__
from fenghuo.cli.main import app
from tests.cli.conftest import ISOLATED_ENV, Invoke


def _command_paths() -> list[list[str]]:
    root = get_command(app)
    paths: list[list[str]] = [[]]
    for name, command in getattr(root, "commands", {}).items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


def test_the_tree_has_every_promised_command() -> None:
    assert {" ".join(path) for path in _command_paths()} >= {
        "run",
        "serve",
        "db upgrade",
        "orgs import",
        "users create",
        "tokens create",
        "audit verify",
        "demo seed",
    }


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "fenghuo")
def test_every_command_has_help(fenghuo: Invoke, path: list[str]) -> None:
    result = fenghuo(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_version(fenghuo: Invoke) -> None:
    result = fenghuo("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"fenghuo {__version__}"


def test_an_unknown_command_is_a_usage_error(fenghuo: Invoke) -> None:
    assert fenghuo("frobnicate").exit_code == 2


def test_a_missing_required_option_is_a_usage_error(fenghuo: Invoke) -> None:
    result = fenghuo("tokens", "create", "--name", "x")
    assert result.exit_code == 2
    assert "--user" in result.output


def test_settings_come_from_the_environment_without_data_dir(
    tmp_path: Path, fresh_settings_cache: None
) -> None:
    from typer.testing import CliRunner

    data_dir = tmp_path / "from-env"
    runner = CliRunner(env={**ISOLATED_ENV, "FENGHUO_DATA_DIR": str(data_dir)})
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (data_dir / "fenghuo.db").exists()
