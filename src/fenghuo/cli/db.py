"""``fenghuo db``: the database schema (Alembic migrations)."""

from __future__ import annotations

import typer

from fenghuo.cli.context import open_platform
from fenghuo.cli.output import stdout
from fenghuo.errors import Unavailable
from fenghuo.platform import Platform
from fenghuo.store import migrations

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the database up to the newest schema (alembic upgrade head)."""
    with open_platform(ctx) as platform:
        migrations.upgrade(platform.engine)
        revision = migrations.current_revision(platform.engine)
        where = platform.engine.url.render_as_string(hide_password=True)
    stdout().print(f"Database at revision {revision}: {where}", soft_wrap=True)


def require_current(platform: Platform) -> None:
    """Refuse to go on unless the database is at the newest revision."""
    current = migrations.current_revision(platform.engine)
    head = migrations.head_revision()
    if current != head:
        raise Unavailable(
            f"the database is at revision {current or '(empty)'} but this Fenghuo needs {head}: "
            "run `fenghuo db upgrade` first"
        )
