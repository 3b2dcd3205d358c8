"""Rich consoles (made per use, so tests' captured streams are honoured) and tables."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from fenghuo.demo import DEMO_PASSWORD, DemoLogin

WIDE = 120  # columns from which the logins table shows English names too


def stdout() -> Console:
    """A console on standard output."""
    return Console(highlight=False)


def stderr() -> Console:
    """A console on standard error, for errors and notes that scripts should not parse."""
    return Console(stderr=True, highlight=False)


def logins_table(logins: Iterable[DemoLogin], *, width: int) -> Table:
    """The demo logins: username, roles, organisation (and its English name, when it fits)."""
    table = Table(title=f"Demo logins — password for all: {DEMO_PASSWORD}", title_justify="left")
    table.add_column("username", style="bold cyan", no_wrap=True)
    table.add_column("roles", no_wrap=True)
    table.add_column("organisation", overflow="fold")
    english = width >= WIDE
    if english:
        table.add_column("English name")
    for login in logins:
        row = [login.username, ", ".join(login.roles), login.org_name_zh]
        table.add_row(*row, *([login.org_name_en] if english else []))
    return table
