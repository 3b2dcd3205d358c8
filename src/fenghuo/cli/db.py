"""``fenghuo db``: the database schema (Alembic migrations)."""

from __future__ import annotations

import typer
from alembic.script import ScriptDirectory

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


def head_revision(platform: Platform) -> str | None:
    """The newest revision the packaged migrations define."""
    url = platform.engine.url.render_as_string(hide_password=False)
    return ScriptDirectory.from_config(migrations.alembic_config(url)).get_current_head()


def require_current(platform: Platform) -> None:
    """Refuse to go on unless the database is at the newest revision."""
    current = migrations.current_revision(platform.engine)
    head = head_revision(platform)
    if current != head:
        raise Unavailable(
            f"the database is at revision {current or '(empty)'} but this Fenghuo needs {head}: "
            "run `fenghuo db upgrade` first"
        )
