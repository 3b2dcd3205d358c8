"""What every command needs: settings, the platform, and the actor the CLI acts as."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer

from fenghuo.authority import Actor
from fenghuo.platform import Platform
from fenghuo.settings import Settings, get_settings


@dataclass(frozen=True)
class CliState:
    """The root command's options, kept on the Click context for subcommands."""

    data_dir: Path | None = None


def settings_for(ctx: typer.Context) -> Settings:
    """The environment's settings (``FENGHUO_*``), with ``--data-dir`` when it was given."""
    state = ctx.find_root().obj
    if isinstance(state, CliState) and state.data_dir is not None:
        return Settings(data_dir=state.data_dir)
    return get_settings()


@contextmanager
def open_platform(ctx: typer.Context) -> Iterator[Platform]:
    """Build the platform for one command, and close its connections afterwards."""
    platform = Platform.build(settings_for(ctx))
    try:
        yield platform
    finally:
        platform.engine.dispose()


def operator_name() -> str:
    """The login name of whoever runs the command, for the audit trail."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER variable and no passwd entry (some containers)
        return "unknown"


def cli_actor(platform: Platform) -> Actor:
    """The local operator (authority rule ``local-system-operator``), named in the audit."""
    return platform.system_actor(label=f"cli:{operator_name()}")
